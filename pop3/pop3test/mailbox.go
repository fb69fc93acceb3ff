package pop3test

import (
	"strconv"
	"sync"
)

// Mailbox is the maildrop of one user. Its methods are safe for concurrent
// use, also while a session has the mailbox open.
type Mailbox struct {
	name string

	mu       sync.Mutex
	password string
	token    string
	msgs     []*message
	nextUID  int
	locked   bool
}

// message is compared by pointer when a session commits its deletions, so
// that messages added during the session survive the commit.
type message struct {
	data []byte
	uid  string
}

// Name returns the user name the mailbox belongs to.
func (m *Mailbox) Name() string { return m.name }

// Messages returns the committed messages, oldest first. The slices are the
// stored ones; do not modify them.
func (m *Mailbox) Messages() [][]byte {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([][]byte, len(m.msgs))
	for i, msg := range m.msgs {
		out[i] = msg.data
	}
	return out
}

// UIDs returns the unique-ids (as UIDL reports them) of the committed
// messages, in the order of Messages.
func (m *Mailbox) UIDs() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]string, len(m.msgs))
	for i, msg := range m.msgs {
		out[i] = msg.uid
	}
	return out
}

// Add appends msg with the unique-id "uid-<n>", n counting from 1 per
// mailbox and never reused. The slice is kept, not copied. A session that
// is already logged in does not see the new message; RFC 1939 fixes the
// maildrop at login.
func (m *Mailbox) Add(msg []byte) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.nextUID++
	m.msgs = append(m.msgs, &message{data: msg, uid: "uid-" + strconv.Itoa(m.nextUID)})
}

// SetToken sets the OAuth 2.0 bearer token that XOAUTH2 accepts for this
// user. Until it is set, XOAUTH2 fails for the user.
func (m *Mailbox) SetToken(token string) {
	m.mu.Lock()
	m.token = token
	m.mu.Unlock()
}

// Locked reports whether a session is logged in to the mailbox.
func (m *Mailbox) Locked() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.locked
}

func (m *Mailbox) checkPassword(password string) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.password == password
}

func (m *Mailbox) secret() (password, token string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.password, m.token
}

// lock takes the maildrop lock and returns a snapshot of the messages, or
// ok == false if another session holds it.
func (m *Mailbox) lock() (msgs []*message, ok bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.locked {
		return nil, false
	}
	m.locked = true
	return append([]*message(nil), m.msgs...), true
}

func (m *Mailbox) unlock() {
	m.mu.Lock()
	m.locked = false
	m.mu.Unlock()
}

// commit removes the deleted messages and releases the lock in one step,
// so that a client reconnecting right after the QUIT reply finds the
// mailbox both updated and free.
func (m *Mailbox) commit(deleted map[*message]bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(deleted) > 0 {
		kept := m.msgs[:0:0]
		for _, msg := range m.msgs {
			if !deleted[msg] {
				kept = append(kept, msg)
			}
		}
		m.msgs = kept
	}
	m.locked = false
}
