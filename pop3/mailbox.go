package pop3

import (
	"context"
	"fmt"
	"strconv"
	"strings"
)

// MessageInfo is one line of a LIST reply.
type MessageInfo struct {
	ID   int   // message number, from 1
	Size int64 // octets
}

// UIDInfo is one line of a UIDL reply.
type UIDInfo struct {
	ID  int    // message number, from 1
	UID string // unique-id, stable across sessions
}

// maxUIDLength bounds a unique-id. RFC 1939 allows 70 characters; servers
// that go beyond that are tolerated up to this bound.
const maxUIDLength = 512

// Stat returns the number of messages and their total size (STAT).
func (c *Client) Stat(ctx context.Context) (count int, size int64, err error) {
	text, err := c.cmd(ctx, "STAT")
	if err != nil {
		return 0, 0, err
	}
	f := strings.Fields(text)
	if len(f) < 2 {
		return 0, 0, &ProtocolError{Cmd: "STAT", Msg: fmt.Sprintf("want count and size, got %q", text)}
	}
	n, err := parseNumber("STAT", f[0])
	if err != nil {
		return 0, 0, err
	}
	s, err := parseSize("STAT", f[1])
	if err != nil {
		return 0, 0, err
	}
	c.count = n
	return n, s, nil
}

// List returns the number and size of every message (LIST).
func (c *Client) List(ctx context.Context) ([]MessageInfo, error) {
	if _, err := c.cmd(ctx, "LIST"); err != nil {
		return nil, err
	}
	var list []MessageInfo
	seen := c.newListing("LIST")
	err := c.readLines("LIST", func(line []byte) error {
		id, arg, err := seen.parse(line)
		if err != nil {
			return err
		}
		size, err := parseSize("LIST", arg)
		if err != nil {
			return err
		}
		list = append(list, MessageInfo{ID: id, Size: size})
		return nil
	})
	if err == nil {
		c.remember(list)
	}
	return list, err
}

// remember keeps the sizes of a LIST for Fetch's in-flight budget: a
// message's size does not change within a session (RFC 1939 §5), so a
// fetch after the caller's own LIST need not ask again, one round trip
// less. They only size the window; a server whose replies disagree with
// them costs speed, never data.
func (c *Client) remember(list []MessageInfo) {
	last := 0
	for _, m := range list {
		last = max(last, m.ID)
	}
	if last > 2*len(list)+16 { // numbers a server made up must not size an allocation
		c.listed = nil
		return
	}
	listed := make([]int64, last+1)
	for i := range listed {
		listed[i] = -1
	}
	for _, m := range list {
		listed[m.ID] = m.Size
	}
	c.listed = listed
}

// ListOne returns the size of message id (LIST n). The server must echo
// the number asked for.
func (c *Client) ListOne(ctx context.Context, id int) (MessageInfo, error) {
	if err := checkID(id); err != nil {
		return MessageInfo{}, err
	}
	text, err := c.cmd(ctx, "LIST", strconv.Itoa(id))
	if err != nil {
		return MessageInfo{}, err
	}
	got, arg, err := c.newListing("LIST").parse([]byte(text))
	if err != nil {
		return MessageInfo{}, err
	}
	if got != id {
		return MessageInfo{}, &ProtocolError{Cmd: "LIST", Msg: fmt.Sprintf("asked for message %d, got %d", id, got)}
	}
	size, err := parseSize("LIST", arg)
	if err != nil {
		return MessageInfo{}, err
	}
	return MessageInfo{ID: id, Size: size}, nil
}

// UIDL returns the unique-id of every message (UIDL).
func (c *Client) UIDL(ctx context.Context) ([]UIDInfo, error) {
	if _, err := c.cmd(ctx, "UIDL"); err != nil {
		return nil, err
	}
	var list []UIDInfo
	seen := c.newListing("UIDL")
	err := c.readLines("UIDL", func(line []byte) error {
		id, uid, err := seen.parse(line)
		if err != nil {
			return err
		}
		if err := checkUID(uid); err != nil {
			return err
		}
		list = append(list, UIDInfo{ID: id, UID: uid})
		return nil
	})
	return list, err
}

// UIDLOne returns the unique-id of message id (UIDL n).
func (c *Client) UIDLOne(ctx context.Context, id int) (UIDInfo, error) {
	if err := checkID(id); err != nil {
		return UIDInfo{}, err
	}
	text, err := c.cmd(ctx, "UIDL", strconv.Itoa(id))
	if err != nil {
		return UIDInfo{}, err
	}
	got, uid, err := c.newListing("UIDL").parse([]byte(text))
	if err != nil {
		return UIDInfo{}, err
	}
	if got != id {
		return UIDInfo{}, &ProtocolError{Cmd: "UIDL", Msg: fmt.Sprintf("asked for message %d, got %d", id, got)}
	}
	if err := checkUID(uid); err != nil {
		return UIDInfo{}, err
	}
	return UIDInfo{ID: id, UID: uid}, nil
}

// Dele marks message id as deleted (DELE). The server removes it only when
// QUIT is acknowledged.
func (c *Client) Dele(ctx context.Context, id int) error {
	if err := checkID(id); err != nil {
		return err
	}
	_, err := c.cmd(ctx, "DELE", strconv.Itoa(id))
	return err
}

// Noop does nothing but keep the session alive (NOOP).
func (c *Client) Noop(ctx context.Context) error {
	_, err := c.cmd(ctx, "NOOP")
	return err
}

// Rset unmarks every message marked as deleted (RSET).
func (c *Client) Rset(ctx context.Context) error {
	_, err := c.cmd(ctx, "RSET")
	return err
}

// Quit ends the session (QUIT) and closes the connection. Only a nil error
// means the server acknowledged QUIT and so committed the deletions; any
// error means none may be assumed to have happened.
func (c *Client) Quit(ctx context.Context) error {
	_, err := c.cmd(ctx, "QUIT")
	if err == nil && c.state == StateTransaction {
		c.state = StateUpdate
	}
	c.Close()
	if c.err == nil {
		c.err = fmt.Errorf("%w: QUIT was sent", ErrClosed)
	}
	return err
}

func checkID(id int) error {
	if id < 1 {
		return fmt.Errorf("%w: message number %d (numbers start at 1)", ErrInvalidArgument, id)
	}
	return nil
}

// checkUID checks a unique-id: RFC 1939 §7 makes it 1 to 70 characters
// from 0x21 to 0x7E. An id with NUL, control or 8-bit bytes is refused
// rather than passed on: C strings would cut it at a NUL, making two
// messages' ids equal, and every "only new mail" logic built on UIDL
// would then skip or repeat mail.
func checkUID(uid string) error {
	if len(uid) > maxUIDLength {
		return &ProtocolError{Cmd: "UIDL", Msg: fmt.Sprintf("unique-id of %d octets", len(uid))}
	}
	for i := 0; i < len(uid); i++ {
		if uid[i] < 0x21 || uid[i] > 0x7E {
			return &ProtocolError{Cmd: "UIDL", Msg: fmt.Sprintf("unique-id with the octet 0x%02X (RFC 1939 allows 0x21 to 0x7E)", uid[i])}
		}
	}
	return nil
}

// listing checks the lines of one LIST or UIDL reply against each other
// and against the last STAT: a message number twice, or one above the
// count STAT gave (the maildrop is locked, so the count holds for the
// session), is a listing that contradicts itself.
type listing struct {
	cmd   string
	count int // the last STAT's count, or -1 if none
	seen  map[int]bool
}

func (c *Client) newListing(cmd string) *listing {
	return &listing{cmd: cmd, count: c.count, seen: map[int]bool{}}
}

// parse splits a line as parseListing does and checks its number.
func (l *listing) parse(line []byte) (int, string, error) {
	id, arg, err := parseListing(l.cmd, line)
	if err != nil {
		return 0, "", err
	}
	switch {
	case id < 1:
		return 0, "", &ProtocolError{Cmd: l.cmd, Msg: fmt.Sprintf("message number %d (numbers start at 1)", id)}
	case l.count >= 0 && id > l.count:
		return 0, "", &ProtocolError{Cmd: l.cmd, Msg: fmt.Sprintf("message %d listed, but STAT counted %d", id, l.count)}
	case l.seen[id]:
		return 0, "", &ProtocolError{Cmd: l.cmd, Msg: fmt.Sprintf("message %d listed twice", id)}
	}
	l.seen[id] = true
	return id, arg, nil
}

// parseListing splits "n arg" as LIST and UIDL send it.
func parseListing(cmd string, line []byte) (int, string, error) {
	f := strings.Fields(string(line))
	if len(f) < 2 {
		return 0, "", &ProtocolError{Cmd: cmd, Msg: fmt.Sprintf("want number and value, got %q", clip(line))}
	}
	id, err := parseNumber(cmd, f[0])
	if err != nil {
		return 0, "", err
	}
	return id, f[1], nil
}

// parseNumber parses a message number or count: decimal digits only, no
// sign, within int32 so that C callers can hold it in a UINT.
func parseNumber(cmd, s string) (int, error) {
	n, err := strconv.ParseUint(s, 10, 31)
	if err != nil {
		return 0, &ProtocolError{Cmd: cmd, Msg: fmt.Sprintf("bad number %q", clipString(s))}
	}
	return int(n), nil
}

// parseSize parses an octet count: decimal digits, within int64.
func parseSize(cmd, s string) (int64, error) {
	n, err := strconv.ParseUint(s, 10, 63)
	if err != nil {
		return 0, &ProtocolError{Cmd: cmd, Msg: fmt.Sprintf("bad size %q", clipString(s))}
	}
	return int64(n), nil
}

func clipString(s string) string { return clip([]byte(s)) }
