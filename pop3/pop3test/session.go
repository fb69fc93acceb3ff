package pop3test

import (
	"bufio"
	"crypto/md5"
	"crypto/tls"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"time"
)

const (
	// maxCommandLine bounds a command line, CRLF included. RFC 2449 allows
	// clients 255 octets; being more lenient keeps the limit out of the
	// way of tests that are not about it.
	maxCommandLine = 512
	// maxAuthLine bounds AUTH lines and SASL responses, which RFC 5034
	// exempts from the command limit (XOAUTH2 tokens run to kilobytes).
	maxAuthLine = 64 << 10
	// writeBufferSize is large enough for a whole batch of pipelined
	// replies and makes message streaming cheap.
	writeBufferSize = 64 << 10
)

type state int

const (
	stateAuthorization state = iota
	stateTransaction
)

// errTooLong reports a line over maxAuthLine; the line has been consumed.
var errTooLong = errors.New("line too long")

// session is one client connection. All of its methods run on the
// session's own goroutine.
type session struct {
	srv       *Server
	raw       net.Conn // TCP connection
	conn      net.Conn // raw, or TLS on top of it
	isTLS     bool
	r         *bufio.Reader
	w         *bufio.Writer
	fw        *faultWriter
	timestamp string

	state   state
	user    string // argument of an accepted USER, awaiting PASS
	mbox    *Mailbox
	msgs    []*message
	deleted map[*message]bool
}

func newSession(s *Server, c net.Conn) *session {
	ss := &session{srv: s, raw: c, conn: c}
	if s.opts.ImplicitTLS {
		ss.conn = tls.Server(c, s.tls.server)
		ss.isTLS = true
	}
	if s.opts.Faults != nil {
		ss.fw = &faultWriter{srv: s, f: s.opts.Faults, raw: c}
	}
	ss.setConn(ss.conn)
	switch {
	case s.opts.NoTimestamp:
	case s.opts.Timestamp != "":
		ss.timestamp = s.opts.Timestamp
	default:
		ss.timestamp = fmt.Sprintf("<%d.%d@pop3test>", os.Getpid(), time.Now().UnixNano())
	}
	return ss
}

// setConn (re)builds the buffered reader and writer. After STLS this also
// throws away anything the client sent before the handshake, which must not
// be trusted as if it had come over TLS.
func (ss *session) setConn(c net.Conn) {
	ss.conn = c
	ss.r = bufio.NewReader(c)
	var w io.Writer = c
	if ss.fw != nil {
		ss.fw.w = c
		w = ss.fw
	}
	ss.w = bufio.NewWriterSize(w, writeBufferSize)
}

// end releases the mailbox without committing and closes the connection.
func (ss *session) end() {
	if ss.mbox != nil {
		ss.mbox.unlock()
		ss.mbox = nil
	}
	ss.conn.Close()
}

func (ss *session) run() {
	f := ss.srv.opts.Faults
	switch {
	case f != nil && f.NoGreeting:
	case f != nil && f.Greeting != "":
		ss.w.WriteString(f.Greeting)
		ss.srv.logf("S: %q", f.Greeting)
	default:
		g := ss.srv.opts.Greeting
		if g == "" {
			g = DefaultGreeting
		}
		if ss.timestamp != "" {
			g += " " + ss.timestamp
		}
		ss.ok("%s", g)
	}
	if err := ss.flush(); err != nil {
		return
	}
	if f != nil && f.CloseAfterGreeting {
		return
	}
	for {
		line, err := ss.readLine()
		if err != nil && !errors.Is(err, errTooLong) {
			return
		}
		if err == nil {
			if raw, closeConn, ok := ss.injected(line); ok {
				ss.w.WriteString(raw)
				if closeConn {
					ss.w.Flush()
					return
				}
			} else if !ss.command(line) {
				return
			}
		} else {
			ss.err("line too long")
		}
		// Replies wait in the buffer while more pipelined commands are
		// already here, so a batch goes out in as few segments as
		// possible and the server never blocks on a client that is still
		// sending.
		if ss.r.Buffered() == 0 {
			if err := ss.flush(); err != nil {
				return
			}
		}
	}
}

// injected consults Faults.Reply.
func (ss *session) injected(line string) (raw string, closeConn, ok bool) {
	f := ss.srv.opts.Faults
	if f == nil || f.Reply == nil {
		return "", false, false
	}
	raw, closeConn, ok = f.Reply(line)
	if ok {
		ss.srv.logf("S: %q (injected)", raw)
	}
	return raw, closeConn, ok
}

// flush sends the buffered replies after the configured latency.
func (ss *session) flush() error {
	if ss.w.Buffered() == 0 {
		return nil
	}
	if !ss.srv.sleep(ss.srv.opts.ReplyDelay) {
		return net.ErrClosed
	}
	return ss.w.Flush()
}

// readLine returns the next line without its terminator. A bare LF is
// accepted as a terminator, as most servers do.
func (ss *session) readLine() (string, error) {
	var buf []byte
	tooLong := false
	for {
		chunk, err := ss.r.ReadSlice('\n')
		if !tooLong {
			if len(buf)+len(chunk) > maxAuthLine {
				tooLong = true
				buf = nil
			} else {
				buf = append(buf, chunk...)
			}
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if err != nil {
			return "", err
		}
		break
	}
	if tooLong {
		return "", errTooLong
	}
	line := strings.TrimSuffix(strings.TrimSuffix(string(buf), "\n"), "\r")
	ss.srv.record(line)
	ss.srv.logf("C: %s", line)
	return line, nil
}

func (ss *session) ok(format string, args ...any) {
	if format == "" {
		ss.status("+OK")
		return
	}
	ss.status("+OK " + fmt.Sprintf(format, args...))
}

func (ss *session) err(text string) { ss.status("-ERR " + text) }

func (ss *session) status(line string) {
	ss.srv.logf("S: %s", line)
	ss.w.WriteString(line)
	ss.w.WriteString("\r\n")
}

// command executes one command line and reports whether the session goes
// on.
func (ss *session) command(line string) bool {
	verb, arg, _ := strings.Cut(line, " ")
	verb = strings.ToUpper(verb)
	if len(line)+2 > maxCommandLine && verb != "AUTH" {
		ss.err("line too long")
		return true
	}
	// USER must be followed directly by PASS.
	user := ss.user
	ss.user = ""

	switch verb {
	case "CAPA":
		ss.capa()
		return true
	case "QUIT":
		return ss.quit()
	case "NOOP":
		if ss.state != stateTransaction {
			break
		}
		ss.ok("")
		return true
	}
	if ss.state == stateTransaction {
		return ss.transaction(verb, arg)
	}
	switch verb {
	case "USER":
		ss.cmdUser(arg)
	case "PASS":
		ss.cmdPass(user, arg)
	case "APOP":
		ss.cmdAPOP(arg)
	case "AUTH":
		return ss.cmdAuth(arg)
	case "STLS":
		return ss.cmdSTLS()
	case "STAT", "LIST", "UIDL", "RETR", "TOP", "DELE", "RSET", "NOOP":
		ss.err("command not valid before login")
	case "":
		ss.err("empty command")
	default:
		ss.err("unknown command")
	}
	return true
}

func (ss *session) capa() {
	o := &ss.srv.opts
	if o.NoCAPA {
		ss.err("unknown command")
		return
	}
	ss.ok("capability list follows")
	lines := []string{"TOP", "UIDL"}
	if !o.DisableUser {
		lines = append(lines, "USER")
	}
	lines = append(lines, "RESP-CODES", "AUTH-RESP-CODE")
	if o.Pipelining {
		lines = append(lines, "PIPELINING")
	}
	if len(ss.srv.mechs) > 0 {
		lines = append(lines, "SASL "+strings.Join(ss.srv.mechs, " "))
	}
	if o.STLS && !ss.isTLS && ss.state == stateAuthorization {
		lines = append(lines, "STLS")
	}
	lines = append(lines, "IMPLEMENTATION pop3test", ".")
	for _, l := range lines {
		ss.w.WriteString(l)
		ss.w.WriteString("\r\n")
	}
}

func (ss *session) quit() bool {
	if f := ss.srv.opts.Faults; f != nil && f.DropBeforeQuitReply {
		return false
	}
	if ss.state == stateTransaction {
		// UPDATE state: the only place deletions become permanent.
		ss.mbox.commit(ss.deleted)
		ss.mbox = nil
	}
	ss.ok("bye")
	ss.w.Flush()
	return false
}

// authAllowed answers -ERR and returns false when credentials would travel
// in the clear against the server's policy.
func (ss *session) authAllowed() bool {
	if ss.srv.opts.RequireTLSForAuth && !ss.isTLS {
		ss.err("[AUTH] TLS required for authentication")
		return false
	}
	return true
}

func (ss *session) cmdUser(arg string) {
	if ss.srv.opts.DisableUser {
		ss.err("USER not supported")
		return
	}
	if !ss.authAllowed() {
		return
	}
	if arg == "" {
		ss.err("missing user name")
		return
	}
	// Unknown users are accepted here too, so that the reply does not tell
	// which names exist; PASS fails for them.
	ss.user = arg
	ss.ok("send PASS")
}

func (ss *session) cmdPass(user, arg string) {
	if ss.srv.opts.DisableUser {
		ss.err("PASS not supported")
		return
	}
	if !ss.authAllowed() {
		return
	}
	if user == "" {
		ss.err("PASS must follow USER")
		return
	}
	// The password is the rest of the line: RFC 1939 lets it hold spaces.
	if m := ss.srv.Mailbox(user); m != nil && m.checkPassword(arg) {
		ss.login(m)
		return
	}
	ss.err("[AUTH] invalid credentials")
}

func (ss *session) cmdAPOP(arg string) {
	if ss.srv.opts.DisableAPOP || ss.timestamp == "" {
		ss.err("APOP not supported")
		return
	}
	name, digest, ok := strings.Cut(arg, " ")
	if !ok || name == "" {
		ss.err("usage: APOP name digest")
		return
	}
	if m := ss.srv.Mailbox(name); m != nil {
		password, _ := m.secret()
		sum := md5.Sum([]byte(ss.timestamp + password))
		// RFC 1939 demands lowercase hex; uppercase is refused so that a
		// client getting it wrong is caught.
		if digest == hex.EncodeToString(sum[:]) {
			ss.login(m)
			return
		}
	}
	ss.err("[AUTH] invalid credentials")
}

func (ss *session) cmdSTLS() bool {
	if !ss.srv.opts.STLS || ss.isTLS {
		ss.err("STLS not available")
		return true
	}
	ss.ok("begin TLS negotiation")
	if err := ss.flush(); err != nil {
		return false
	}
	tc := tls.Server(ss.raw, ss.srv.tls.server)
	if err := tc.Handshake(); err != nil {
		ss.srv.logf("STLS handshake: %v", err)
		return false
	}
	ss.isTLS = true
	ss.setConn(tc)
	return true
}

func (ss *session) cmdAuth(arg string) bool {
	if !ss.authAllowed() {
		return true
	}
	mech, ir, hasIR := strings.Cut(arg, " ")
	mech = strings.ToUpper(mech)
	if mech == "" {
		// The pre-RFC 5034 form, still sent by some clients to list the
		// mechanisms.
		ss.ok("")
		for _, m := range ss.srv.mechs {
			ss.w.WriteString(m + "\r\n")
		}
		ss.w.WriteString(".\r\n")
		return true
	}
	if !containsFold(ss.srv.mechs, mech) {
		ss.err("unsupported SASL mechanism")
		return true
	}
	var resp []byte
	if hasIR {
		var ok bool
		if resp, ok = decodeSASL(ir); !ok {
			ss.err("invalid base64")
			return true
		}
	}
	var user string
	srv := ss.newSASLServer(mech, &user)
	for {
		challenge, done, err := srv.Next(resp)
		if err != nil {
			if errors.Is(err, errBadCredentials) {
				ss.err("[AUTH] invalid credentials")
			} else {
				ss.err("authentication failed: " + err.Error())
			}
			return true
		}
		if done {
			if m := ss.srv.Mailbox(user); m != nil {
				ss.login(m)
			} else {
				ss.err("[AUTH] invalid credentials")
			}
			return true
		}
		ss.status("+ " + base64.StdEncoding.EncodeToString(challenge))
		if err := ss.flush(); err != nil {
			return false
		}
		line, err := ss.readLine()
		if errors.Is(err, errTooLong) {
			ss.err("line too long")
			return true
		}
		if err != nil {
			return false
		}
		if raw, closeConn, ok := ss.injected(line); ok {
			ss.w.WriteString(raw)
			return !closeConn
		}
		if line == "*" {
			ss.err("authentication cancelled")
			return true
		}
		var ok bool
		if resp, ok = decodeSASL(line); !ok {
			ss.err("invalid base64")
			return true
		}
	}
}

// decodeSASL decodes a SASL response; "=" stands for an empty initial
// response (RFC 5034 section 4), and an empty continuation line is an empty
// response. The result is never nil, which go-sasl reads as "no response".
func decodeSASL(s string) ([]byte, bool) {
	if s == "=" || s == "" {
		return []byte{}, true
	}
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, false
	}
	return b, true
}

func containsFold(list []string, s string) bool {
	for _, v := range list {
		if strings.EqualFold(v, s) {
			return true
		}
	}
	return false
}

// login enters the TRANSACTION state, or answers [IN-USE] when another
// session holds the mailbox.
func (ss *session) login(m *Mailbox) {
	msgs, ok := m.lock()
	if !ok {
		ss.err("[IN-USE] mailbox locked")
		return
	}
	ss.mbox = m
	ss.msgs = msgs
	ss.deleted = make(map[*message]bool)
	ss.state = stateTransaction
	n, size := ss.stat()
	ss.ok("%s's maildrop has %d messages (%d octets)", m.name, n, size)
}
