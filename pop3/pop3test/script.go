package pop3test

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
)

// A Script is what a Scripted server does on each connection: bytes it
// sends, lines it expects, pauses and ways to end the connection, in order.
// Unlike Server, a Scripted server knows nothing of POP3: it says exactly
// what the script says, which makes it the tool for feeding a client
// replies no real server would send (the project's hostile-server catalogue
// is built on it).
type Script []Step

// Step is one action of a Script. Build steps with Send, SendLine,
// SendChunks, SendFrom, Expect, ExpectPrefix, ExpectAny, Respond, Sleep,
// Drain, Hangup and Reset.
type Step struct {
	kind    stepKind
	data    string
	chunk   int
	delay   time.Duration
	answers map[string]string
	gen     func() io.Reader
}

type stepKind int

const (
	stepSend stepKind = iota
	stepSendFrom
	stepExpect
	stepExpectPrefix
	stepExpectAny
	stepRespond
	stepSleep
	stepDrain
	stepHangup
	stepReset
)

// Send writes b as it is, in one write: no line end is added.
func Send(b string) Step { return Step{kind: stepSend, data: b} }

// SendLine writes line followed by CRLF.
func SendLine(line string) Step { return Step{kind: stepSend, data: line + "\r\n"} }

// SendChunks writes b in writes of at most n bytes, sleeping delay between
// them, so that what b holds straddles TCP segments (n = 1: one byte per
// write). A delay of a millisecond or more makes separate segments likely.
func SendChunks(b string, n int, delay time.Duration) Step {
	return Step{kind: stepSend, data: b, chunk: max(n, 1), delay: delay}
}

// SendFrom writes everything gen's reader yields. gen is called once per
// connection, so that streams larger than memory (a generated 1 GiB
// message) can be served to every session.
func SendFrom(gen func() io.Reader) Step { return Step{kind: stepSendFrom, gen: gen} }

// Expect reads one line from the client, which must equal line (compared
// without its CRLF or bare LF).
func Expect(line string) Step { return Step{kind: stepExpect, data: line} }

// ExpectPrefix reads one line, which must start with prefix.
func ExpectPrefix(prefix string) Step { return Step{kind: stepExpectPrefix, data: prefix} }

// ExpectAny reads one line, whatever it holds.
func ExpectAny() Step { return Step{kind: stepExpectAny} }

// Respond answers routine commands from a table until the client sends the
// line until, which it consumes without answering, so that the next steps
// deal with it. Each line received is looked up in answers: first a key
// equal to the line, then the longest prefix key that the line starts
// with. A prefix key ends in a space, which is part of the prefix ("APOP "
// answers any APOP), or in "*", which is not ("bXJvc2Ug*" answers any line
// starting "bXJvc2Ug"). The answer is sent as it is, so it must hold its
// own CRLF, and may hold several lines. until follows the same rule.
//
// A line that matches neither until nor a key is a deviation. An empty
// until answers until the client hangs up, which then ends the step
// normally; with a non-empty until, a hang-up is a deviation.
func Respond(until string, answers map[string]string) Step {
	return Step{kind: stepRespond, data: until, answers: answers}
}

// Sleep pauses for d (cut short when the server is closed).
func Sleep(d time.Duration) Step { return Step{kind: stepSleep, delay: d} }

// Drain reads and ignores whatever the client sends until it hangs up:
// silence from the server's side, for as long as the client waits.
func Drain() Step { return Step{kind: stepDrain} }

// Hangup ends the connection in an orderly way: a FIN, then whatever the
// client still sends is read and dropped until it closes too (for at most
// a second), so that no unread data turns the close into a reset. The
// steps after it are not played.
func Hangup() Step { return Step{kind: stepHangup} }

// Reset aborts the connection with a TCP RST (SO_LINGER 0). Data the
// client has not read yet may be lost, as with any reset. The steps after
// it are not played.
func Reset() Step { return Step{kind: stepReset} }

// Scripted is a TCP server on 127.0.0.1 that plays the same Script on
// every connection it accepts, each on its own goroutine, so a client can
// run several sessions (or several clients one each) against one script.
// When a connection reaches the end of the script it is hung up as by
// Hangup.
//
// A deviation is the client sending a line the script does not expect, or
// hanging up where it expects a line. The first deviation of any session is
// kept for Err, and its connection is closed. A client that hangs up while
// the server is sending (say, refusing a 1 MiB line part-way) ends the
// session quietly: that is a client's right, not a deviation.
type Scripted struct {
	steps Script
	*acceptor

	mu    sync.Mutex
	err   error
	lines []string
}

// NewScripted starts a server that plays steps on every connection.
func NewScripted(steps ...Step) (*Scripted, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("pop3test: %w", err)
	}
	s := &Scripted{steps: slices.Clone(steps), acceptor: newAcceptor(ln)}
	s.serve(func(c net.Conn, n int) {
		p := &player{s: s, conn: c, r: bufio.NewReader(c), session: n}
		p.play()
	}, nil)
	return s, nil
}

// Addr returns the listening address as host:port.
func (s *Scripted) Addr() string { return s.ln.Addr().String() }

// Close stops the listener, closes every connection and waits until all of
// the server's goroutines have returned. It returns Err.
func (s *Scripted) Close() error {
	s.stop()
	return s.Err()
}

// Wait waits, for at most timeout, until every session accepted so far has
// ended, the script played out, a deviation found or the client gone, and
// returns Err, or an error if a session is still running: a client that
// stopped short of the script while keeping its connection. Call it once
// the client is done (closed) to check that it followed the whole script.
func (s *Scripted) Wait(timeout time.Duration) error {
	if !s.idle(timeout) {
		return fmt.Errorf("pop3test: script sessions still running after %v", timeout)
	}
	return s.Err()
}

// Err returns the first deviation from the script, nil if there was none.
func (s *Scripted) Err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

// Lines returns every line received from clients, across sessions in order
// of arrival, without line ends.
func (s *Scripted) Lines() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.lines)
}

// Sessions returns the number of connections accepted so far.
func (s *Scripted) Sessions() int { return s.count() }

// Deviation is a client straying from the script.
type Deviation struct {
	Session int    // 1 for the first connection
	Step    int    // index of the step in the script
	Want    string // what the step expected
	Got     string // what came instead (a line, or "hang-up")
}

// Error says where the client left the script.
func (d *Deviation) Error() string {
	return fmt.Sprintf("pop3test: script session %d step %d: want %s, got %s", d.Session, d.Step, d.Want, d.Got)
}

type player struct {
	s       *Scripted
	conn    net.Conn
	r       *bufio.Reader
	session int
}

// errStop ends a session quietly (hang-up, reset, client gone while sending).
var errStop = errors.New("stop")

func (p *player) play() {
	for i, st := range p.s.steps {
		err := p.step(i, st)
		if err == errStop {
			return
		}
		if err != nil {
			var d *Deviation
			if errors.As(err, &d) && !p.closing() {
				p.s.mu.Lock()
				if p.s.err == nil {
					p.s.err = d
				}
				p.s.mu.Unlock()
			}
			p.conn.Close()
			return
		}
	}
	p.hangup()
}

func (p *player) closing() bool {
	select {
	case <-p.s.done:
		return true
	default:
		return false
	}
}

func (p *player) deviation(i int, want, got string) error {
	return &Deviation{Session: p.session, Step: i, Want: want, Got: got}
}

// readLine returns the next client line, or a deviation naming want.
func (p *player) readLine(i int, want string) (string, bool, error) {
	line, err := p.r.ReadString('\n')
	if err != nil {
		if line != "" {
			return "", false, p.deviation(i, want, fmt.Sprintf("%q then hang-up", line))
		}
		return "", true, p.deviation(i, want, "hang-up")
	}
	line = strings.TrimSuffix(strings.TrimSuffix(line, "\n"), "\r")
	p.s.mu.Lock()
	p.s.lines = append(p.s.lines, line)
	p.s.mu.Unlock()
	return line, false, nil
}

func (p *player) write(b string, chunk int, delay time.Duration) error {
	if chunk <= 0 {
		chunk = len(b)
	}
	for first := true; len(b) > 0; first = false {
		if !first && !p.s.sleep(delay) {
			return errStop
		}
		n := min(chunk, len(b))
		if _, err := io.WriteString(p.conn, b[:n]); err != nil {
			return errStop // the client hung up: its right
		}
		b = b[n:]
	}
	return nil
}

func (p *player) step(i int, st Step) error {
	switch st.kind {
	case stepSend:
		return p.write(st.data, st.chunk, st.delay)
	case stepSendFrom:
		if _, err := io.Copy(p.conn, st.gen()); err != nil {
			return errStop
		}
		return nil
	case stepExpect, stepExpectPrefix, stepExpectAny:
		want := map[stepKind]string{stepExpect: fmt.Sprintf("%q", st.data), stepExpectPrefix: fmt.Sprintf("a line starting %q", st.data), stepExpectAny: "a line"}[st.kind]
		line, _, err := p.readLine(i, want)
		if err != nil {
			return err
		}
		if (st.kind == stepExpect && line != st.data) || (st.kind == stepExpectPrefix && !strings.HasPrefix(line, st.data)) {
			return p.deviation(i, want, fmt.Sprintf("%q", line))
		}
		return nil
	case stepRespond:
		return p.respond(i, st.data, st.answers)
	case stepSleep:
		if !p.s.sleep(st.delay) {
			return errStop
		}
		return nil
	case stepDrain:
		io.Copy(io.Discard, p.r)
		return errStop
	case stepHangup:
		p.hangup()
		return errStop
	case stepReset:
		if tc, ok := p.conn.(*net.TCPConn); ok {
			tc.SetLinger(0)
		}
		p.conn.Close()
		return errStop
	}
	return fmt.Errorf("pop3test: unknown step kind %d", st.kind)
}

func (p *player) respond(i int, until string, answers map[string]string) error {
	var prefixes []string
	for k := range answers {
		if isPrefixPattern(k) {
			prefixes = append(prefixes, k)
		}
	}
	sort.Slice(prefixes, func(a, b int) bool { return len(prefixes[a]) > len(prefixes[b]) })
	want := "a line of the answer table"
	if until != "" {
		want = fmt.Sprintf("%q or a line of the answer table", until)
	}
	for {
		line, hungUp, err := p.readLine(i, want)
		if err != nil {
			if hungUp && until == "" {
				return errStop
			}
			return err
		}
		if until != "" && matchLine(until, line) {
			return nil
		}
		ans, ok := answers[line]
		if !ok {
			for _, k := range prefixes {
				if matchLine(k, line) {
					ans, ok = answers[k], true
					break
				}
			}
		}
		if !ok {
			return p.deviation(i, want, fmt.Sprintf("%q", line))
		}
		if err := p.write(ans, 0, 0); err != nil {
			return err
		}
	}
}

func isPrefixPattern(p string) bool { return strings.HasSuffix(p, " ") || strings.HasSuffix(p, "*") }

func matchLine(pattern, line string) bool {
	switch {
	case strings.HasSuffix(pattern, "*"):
		return strings.HasPrefix(line, pattern[:len(pattern)-1])
	case strings.HasSuffix(pattern, " "):
		return strings.HasPrefix(line, pattern)
	}
	return line == pattern
}

// hangup sends a FIN, then drops what the client still sends until it
// closes too, for at most a second, and closes.
func (p *player) hangup() {
	defer p.conn.Close()
	if tc, ok := p.conn.(*net.TCPConn); ok {
		if tc.CloseWrite() != nil {
			return
		}
		p.conn.SetReadDeadline(time.Now().Add(time.Second))
		io.Copy(io.Discard, p.r)
	}
}
