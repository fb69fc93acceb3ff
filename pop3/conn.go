package pop3

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"time"
)

// Defaults, taken from the NetX Duo POP3 client so that C callers see the
// timing they were written for.
const (
	DefaultConnectTimeout = 30 * time.Second
	DefaultReplyTimeout   = 10 * time.Second

	// DefaultAuthReplyTimeout bounds the wait for the reply to a
	// credential. Servers delay a refusal on purpose, more at each failure
	// (Dovecot: 16 s at the second), so the vendor's 10 s would turn a
	// wrong password into a timeout.
	DefaultAuthReplyTimeout = 60 * time.Second

	// DefaultMaxLineLength bounds a status line, a multi-line listing line or
	// a SASL challenge. RFC 2449 limits replies to 512 octets; real servers
	// exceed that with long capability lists and SASL challenges, so the
	// default is generous while still refusing a server that never sends a
	// line end.
	DefaultMaxLineLength = 16 * 1024

	bufferSize = 64 * 1024
)

// Options configure a Client. The zero value is usable.
type Options struct {
	// ReplyTimeout bounds each wait for bytes from the server (and each
	// write): a reply, or the next part of message data. Zero means
	// DefaultReplyTimeout; negative means none.
	ReplyTimeout time.Duration

	// AuthReplyTimeout replaces ReplyTimeout for the replies to
	// credentials (PASS, APOP, and AUTH's exchange once it has started).
	// Zero means DefaultAuthReplyTimeout, or ReplyTimeout when that is
	// longer or none; negative means none.
	AuthReplyTimeout time.Duration

	// MaxLineLength bounds one server line other than message data. Zero
	// means DefaultMaxLineLength.
	MaxLineLength int

	// RequireTLS refuses to send any credential over a connection that is
	// not TLS: login calls return ErrTLSRequired before writing anything.
	RequireTLS bool

	// InsecureAuth allows USER/PASS, SASL PLAIN, LOGIN and XOAUTH2 over a
	// connection that is neither TLS nor to a loopback address, where they
	// send the password (or token) readable by anyone on the path. Without
	// it such a login fails with ErrInsecureAuth before anything is sent.
	// APOP and CRAM-MD5, which never send the password, need no opt-in.
	// The NetX vendor calls of the C API set it: firmware written for them
	// expects USER/PASS in clear text.
	InsecureAuth bool

	// WaitInThread makes reads wait for the server on the calling OS
	// thread, in the kernel, rather than parking the goroutine in the Go
	// netpoller (Linux; elsewhere it has no effect). It is for a Client
	// driven from a thread that C owns, where a parked goroutine costs
	// several context switches per reply; every timeout, cancellation and
	// Close from another goroutine still ends a wait. Dialer.Dial applies
	// it; NewClient ignores it.
	WaitInThread bool

	// DebugWriter, when set, receives the command and status lines of the
	// session ("C: STAT", "S: +OK 2 320"). Credentials are replaced by "***"
	// and message data is not written.
	DebugWriter io.Writer
}

// State is the RFC 1939 session state as the client knows it.
type State int

// Session states.
const (
	StateAuthorization State = iota
	StateTransaction
	StateUpdate // QUIT acknowledged
	StateClosed
)

// String returns the RFC 1939 name of the state.
func (s State) String() string {
	switch s {
	case StateAuthorization:
		return "AUTHORIZATION"
	case StateTransaction:
		return "TRANSACTION"
	case StateUpdate:
		return "UPDATE"
	}
	return "CLOSED"
}

// Client is a POP3 session over one connection.
//
// A Client is not safe for concurrent use, except Close, which may be called
// from another goroutine to abort a call in progress. A Message returned by
// Retr or Top is valid until the next call on the Client, which first reads
// whatever of it is left.
type Client struct {
	conn      net.Conn // the transport in use (TLS after an upgrade)
	dc        *deadlineConn
	br        *bufio.Reader // nil while idle: see reader
	opts      Options
	greeting  string
	timestamp string
	isTLS     bool
	bareLF    bool // the server ends its lines with LF alone (see framed)
	framed    bool // the greeting decided bareLF
	loopback  bool // the server is on this host: see cleartextAllowed
	state     State
	count     int          // messages at the last STAT, -1 before one
	capa      Capabilities // nil until CAPA succeeded
	listed    []int64      // sizes by ID from this session's last LIST, -1 where not listed; nil before
	msg       *Message     // message data not yet read to its end
	err       error        // sticky: the session is unusable after it

	// dl serialises deadline changes between reads and a context's
	// cancellation, so a cancelled call cannot be given a fresh deadline.
	dl       sync.Mutex
	ctx      context.Context
	stopCtx  func() bool
	canceled bool
	authWait bool // waiting for the reply to a credential
}

// NewClient starts a session on conn, which is already connected (and, for
// pop3s, already TLS): it reads the greeting. It closes conn and returns an
// error when the greeting is missing or negative.
func NewClient(conn net.Conn, opts *Options) (*Client, error) {
	return newClient(context.Background(), conn, opts)
}

func newClient(ctx context.Context, conn net.Conn, opts *Options) (*Client, error) {
	c := &Client{count: -1}
	if opts != nil {
		c.opts = *opts
	}
	if c.opts.ReplyTimeout == 0 {
		c.opts.ReplyTimeout = DefaultReplyTimeout
	}
	if c.opts.AuthReplyTimeout == 0 {
		c.opts.AuthReplyTimeout = DefaultAuthReplyTimeout
		if c.opts.ReplyTimeout < 0 || c.opts.ReplyTimeout > DefaultAuthReplyTimeout {
			c.opts.AuthReplyTimeout = c.opts.ReplyTimeout
		}
	}
	if c.opts.MaxLineLength <= 0 {
		c.opts.MaxLineLength = DefaultMaxLineLength
	}
	// A line must fit the read buffer, which is what bounds memory.
	c.opts.MaxLineLength = min(c.opts.MaxLineLength, bufferSize-2)
	c.setConn(conn)
	c.loopback = isLoopback(conn.RemoteAddr())
	_, c.isTLS = conn.(*tls.Conn)
	if err := c.begin(ctx); err != nil {
		conn.Close()
		return nil, err
	}
	line, err := c.readStatus("greeting")
	if err != nil {
		c.Close()
		return nil, err
	}
	c.greeting = line
	c.timestamp = parseTimestamp(line)
	c.framed = true
	return c, nil
}

func (c *Client) setConn(conn net.Conn) {
	c.conn = conn
	c.dc = &deadlineConn{Conn: conn, c: c}
	if c.br != nil {
		// Only after STLS, which refuses bytes left unread: none are lost.
		c.br.Reset(c.dc)
	}
}

// Greeting returns the text of the server's +OK greeting.
func (c *Client) Greeting() string { return c.greeting }

// Timestamp returns the APOP timestamp of the greeting, angle brackets
// included, or "" when the greeting has none.
func (c *Client) Timestamp() string { return c.timestamp }

// IsTLS reports whether the session runs over TLS.
func (c *Client) IsTLS() bool { return c.isTLS }

// State returns the session state.
func (c *Client) State() State { return c.state }

// Conn returns the underlying connection.
func (c *Client) Conn() net.Conn { return c.conn }

// Close closes the connection without QUIT, so the server commits no
// deletion. It is safe to call more than once and from another goroutine.
func (c *Client) Close() error {
	c.dl.Lock()
	conn := c.conn
	c.dl.Unlock()
	if conn == nil {
		return nil
	}
	// A call this Close interrupted may close the connection first, as a
	// failed session does; the caller's Close still succeeded.
	if err := conn.Close(); err != nil && !errors.Is(err, net.ErrClosed) {
		return err
	}
	return nil
}

// deadlineConn renews the read and write deadlines before every transfer,
// so ReplyTimeout bounds each wait rather than a whole message, and a
// cancelled context stays cancelled.
type deadlineConn struct {
	net.Conn
	c *Client
}

func (d *deadlineConn) Read(p []byte) (int, error) {
	if err := d.c.renew(true); err != nil {
		return 0, err
	}
	return d.Conn.Read(p)
}

func (d *deadlineConn) Write(p []byte) (int, error) {
	if err := d.c.renew(false); err != nil {
		return 0, err
	}
	return d.Conn.Write(p)
}

func (c *Client) renew(read bool) error {
	c.dl.Lock()
	defer c.dl.Unlock()
	if c.canceled {
		return c.ctx.Err()
	}
	var t time.Time
	wait := c.opts.ReplyTimeout
	if read && c.authWait {
		wait = c.opts.AuthReplyTimeout
	}
	if wait > 0 {
		t = time.Now().Add(wait)
	}
	if read {
		return c.conn.SetReadDeadline(t)
	}
	return c.conn.SetWriteDeadline(t)
}

// begin makes ctx govern the I/O that follows, until the next begin.
func (c *Client) begin(ctx context.Context) error {
	if ctx == nil {
		ctx = context.Background()
	}
	c.dl.Lock()
	if c.stopCtx != nil {
		c.stopCtx()
		c.stopCtx = nil
	}
	c.ctx = ctx
	c.canceled = false
	c.dl.Unlock()
	if err := ctx.Err(); err != nil {
		return err
	}
	c.stopCtx = context.AfterFunc(ctx, func() {
		c.dl.Lock()
		defer c.dl.Unlock()
		if c.ctx == ctx {
			c.canceled = true
			c.conn.SetDeadline(time.Unix(1, 0))
		}
	})
	return nil
}

// start prepares a command: the session must be usable, message data left
// by the previous command is drained, and ctx takes over.
func (c *Client) start(ctx context.Context) error {
	if c.err != nil {
		return c.err
	}
	if err := c.begin(ctx); err != nil {
		return err
	}
	if c.msg != nil {
		m := c.msg
		if _, err := io.Copy(io.Discard, m); err != nil {
			return err // m.Read already made it sticky
		}
	}
	// Bytes that arrived unasked (a reply sent twice, a multi-line answer
	// where one line was due, a reply sent before its command) would be
	// taken as this command's reply, and every later reply as the one
	// before's: the buffer is checked, and so is the socket.
	if n := c.buffered(); n > 0 {
		return c.fail(&ProtocolError{Msg: fmt.Sprintf("%d octets received before the command was sent", n)})
	}
	if c.unsolicited() {
		return c.fail(&ProtocolError{Msg: "reply received before the command was sent"})
	}
	return nil
}

// tlsProbe bounds the wait for a TLS record that the socket holds part of,
// when unsolicited looks through TLS.
const tlsProbe = 5 * time.Millisecond

// unsolicited reports whether the server sent something no command asked
// for. Over TCP, any byte waiting on the socket is that. Over TLS, a
// waiting record may be one the TLS layer consumes itself (a TLS 1.3
// session ticket), so the record is read through TLS with a deadline that
// has all but passed: only application data counts, and reading it loses
// nothing, since it ends the session.
func (c *Client) unsolicited() bool {
	tc, isTLS := c.conn.(*tls.Conn)
	raw := c.conn
	if isTLS {
		raw = tc.NetConn()
	}
	if !waitingOnSocket(raw) {
		return false
	}
	if !isTLS {
		return true
	}
	c.dl.Lock()
	if c.canceled {
		c.dl.Unlock()
		return false // the next I/O reports the cancellation
	}
	tc.SetReadDeadline(time.Now().Add(tlsProbe))
	c.dl.Unlock()
	var b [1]byte
	n, _ := tc.Read(b[:])
	return n > 0
}

// fail records a failure that leaves the session unusable: the connection
// is closed and later calls return ErrClosed wrapping the cause.
func (c *Client) fail(err error) error {
	if c.err == nil {
		c.err = &closedError{err}
		c.state = StateClosed
		c.conn.Close()
	}
	return err
}

// netErr wraps an I/O error of cmd, preferring the context's error when the
// context is what interrupted the I/O.
func (c *Client) netErr(cmd string, err error) error {
	c.dl.Lock()
	ctx := c.ctx
	c.dl.Unlock()
	// Not only when the context's AfterFunc has run: a caller that
	// cancels and then closes the connection (capi's delete) must see the
	// cancellation, whichever of the two the I/O noticed first.
	if ctx != nil && ctx.Err() != nil {
		err = ctx.Err()
	}
	if errors.Is(err, io.EOF) {
		err = io.ErrUnexpectedEOF
	}
	if isTLSAlert(err) {
		return c.fail(fmt.Errorf("%w: %s: %w", ErrTLS, cmd, err))
	}
	return c.fail(fmt.Errorf("pop3: %s: %w", cmd, err))
}

// writeLine sends one command line. debug is what the trace shows of it.
func (c *Client) writeLine(cmd, line, debug string) error {
	if c.opts.DebugWriter != nil {
		fmt.Fprintf(c.opts.DebugWriter, "C: %s\n", debug)
	}
	if err := c.writeCommand(line); err != nil {
		return c.netErr(cmd, err)
	}
	return nil
}

// readLine reads one line, without its line end, bounded by MaxLineLength.
// The returned slice is valid until the next read.
//
// The greeting's line end sets the session's framing: a server that ends
// it with CRLF, as RFC 1939 says, must end every line so, and a bare LF
// from it is a ProtocolError (in a listing, it would hide where a line
// ends); only a server whose greeting ends in a bare LF may end lines with
// either. Message data follows the same rule (see dotReader).
func (c *Client) readLine(cmd string) ([]byte, error) {
	line, err := c.reader().ReadSlice('\n')
	if err == bufio.ErrBufferFull || len(line) > c.opts.MaxLineLength+2 {
		return nil, c.fail(&ProtocolError{Cmd: cmd, Msg: fmt.Sprintf("line over %d octets", c.opts.MaxLineLength), Err: ErrLineTooLong})
	}
	if err != nil {
		return nil, c.netErr(cmd, err)
	}
	line = line[:len(line)-1]
	crlf := bytes.HasSuffix(line, []byte{'\r'})
	if !c.framed {
		c.bareLF = !crlf
	} else if !crlf && !c.bareLF {
		return nil, c.fail(&ProtocolError{Cmd: cmd, Msg: "line ended by a bare LF from a server that frames with CRLF"})
	}
	return bytes.TrimSuffix(line, []byte{'\r'}), nil
}

// readStatus reads a status line and returns its text after +OK. A -ERR
// becomes a *ResponseError; anything else a *ProtocolError, which also
// ends the session because the reply boundaries are then unknown.
func (c *Client) readStatus(cmd string) (string, error) {
	line, err := c.readLine(cmd)
	if err != nil {
		return "", err
	}
	if c.opts.DebugWriter != nil {
		fmt.Fprintf(c.opts.DebugWriter, "S: %s\n", line)
	}
	ok, text, err := parseStatus(cmd, line)
	if err != nil {
		return "", c.fail(err)
	}
	c.releaseReader()
	if !ok {
		code, msg := parseRespCode(text)
		return "", &ResponseError{Cmd: cmd, Code: code, Text: msg}
	}
	return text, nil
}

// cmd sends one command and reads its status line. args are joined with
// spaces after verb; each is checked for CR, LF and NUL first.
func (c *Client) cmd(ctx context.Context, verb string, args ...string) (string, error) {
	if err := c.start(ctx); err != nil {
		return "", err
	}
	line := verb
	for _, a := range args {
		if err := checkArg(a); err != nil {
			return "", err
		}
		line += " " + a
	}
	if err := c.writeLine(verb, line, line); err != nil {
		return "", err
	}
	return c.readStatus(verb)
}

// secretCmd is cmd for a command whose last argument must not be traced.
func (c *Client) secretCmd(ctx context.Context, verb string, args ...string) (string, error) {
	if err := c.start(ctx); err != nil {
		return "", err
	}
	for _, a := range args {
		if err := checkArg(a); err != nil {
			return "", err
		}
	}
	shown := append(append([]string{verb}, args[:len(args)-1]...), "***")
	line := strings.Join(append([]string{verb}, args...), " ")
	if err := c.writeLine(verb, line, strings.Join(shown, " ")); err != nil {
		return "", err
	}
	defer c.awaitAuth()()
	return c.readStatus(verb)
}

// awaitAuth makes reads wait AuthReplyTimeout, until the function it
// returns is called.
func (c *Client) awaitAuth() (done func()) {
	c.dl.Lock()
	c.authWait = true
	c.dl.Unlock()
	return func() {
		c.dl.Lock()
		c.authWait = false
		c.dl.Unlock()
	}
}

func checkArg(s string) error {
	if strings.ContainsAny(s, "\r\n\x00") {
		return fmt.Errorf("%w: CR, LF or NUL in an argument", ErrInvalidArgument)
	}
	return nil
}

func parseStatus(cmd string, line []byte) (ok bool, text string, err error) {
	switch {
	case hasPrefixFold(line, "+OK"):
		rest := line[3:]
		if len(rest) > 0 && rest[0] != ' ' && rest[0] != '\t' {
			break
		}
		return true, strings.TrimLeft(string(rest), " \t"), nil
	case hasPrefixFold(line, "-ERR"):
		rest := line[4:]
		if len(rest) > 0 && rest[0] != ' ' && rest[0] != '\t' {
			break
		}
		return false, strings.TrimLeft(string(rest), " \t"), nil
	}
	return false, "", &ProtocolError{Cmd: cmd, Msg: fmt.Sprintf("bad status line %q", clip(line))}
}

func hasPrefixFold(b []byte, prefix string) bool {
	return len(b) >= len(prefix) && strings.EqualFold(string(b[:len(prefix)]), prefix)
}

// parseRespCode splits an RFC 2449 response code off a reply text.
func parseRespCode(text string) (code, rest string) {
	if !strings.HasPrefix(text, "[") {
		return "", text
	}
	end := strings.IndexByte(text, ']')
	if end < 0 {
		return "", text
	}
	return strings.ToUpper(text[1:end]), strings.TrimLeft(text[end+1:], " ")
}

// parseTimestamp finds the RFC 1939 APOP timestamp: the first <...> of the
// greeting, brackets included, when it has the syntax of an RFC 822 msg-id
// made of printable 7-bit characters (0x21 to 0x7E, a local part "@" a
// domain). Anything else is no timestamp: a server choosing arbitrary
// challenge bytes is the attack of CVE-2007-1558 (the password recovered
// through MD5 collisions), which mutt and fetchmail closed the same way.
func parseTimestamp(greeting string) string {
	i := strings.IndexByte(greeting, '<')
	if i < 0 {
		return ""
	}
	j := strings.IndexByte(greeting[i:], '>')
	if j < 0 {
		return ""
	}
	ts := greeting[i : i+j+1]
	inner := ts[1 : len(ts)-1]
	at := strings.LastIndexByte(inner, '@')
	if at < 1 || at == len(inner)-1 {
		return ""
	}
	for k := 0; k < len(inner); k++ {
		if inner[k] < 0x21 || inner[k] > 0x7E || inner[k] == '<' {
			return ""
		}
	}
	return ts
}

// clip shortens server text quoted in an error.
func clip(b []byte) string {
	const max = 80
	if len(b) > max {
		return string(b[:max]) + "..."
	}
	return string(b)
}
