package pop3

// Tests that close the gaps mutation testing found: each names, in its
// comment, the kind of careless change it catches (README, "Mutation
// testing").

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"github.com/nxpop3/nxpop3/pop3/pop3test"
	"io"
	"net"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fixedSASL is a mechanism with a chosen name and initial response, so a
// test can size the AUTH line to the octet.
type fixedSASL struct {
	mech string
	ir   []byte
	next []byte
}

func (f *fixedSASL) Start() (string, []byte, error) { return f.mech, f.ir, nil }
func (f *fixedSASL) Next(_ []byte) ([]byte, error)  { return f.next, nil }
func padIR(encLen int) []byte                       { return bytes.Repeat([]byte("a"), encLen/4*3) }
func authLine(mech string, ir []byte) (string, int) { // the line and its length with CRLF
	l := "AUTH " + mech + " " + base64.StdEncoding.EncodeToString(ir)
	return l, len(l) + 2
}

// A server that answers +OK to the client's "*" has not logged the client
// in: RFC 5034 §4 wants -ERR there. Auth must still fail with the cause of
// the cancel, and the client must not take the session as authenticated.
func TestAuthCancelAnsweredOK(t *testing.T) {
	s := pop3test.StartScripted(t, greet(), C("AUTH CRAM-MD5"), S("+ !!!notbase64"), C("*"), S("+OK fine"), Hangup())
	c := dial(t, s, nil)
	err := c.Auth(t.Context(), NewCramMD5Client("tim", "pw"))
	var pe *ProtocolError
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, StateAuthorization, c.State())
}

// Auth called directly, not through Login, honours RequireTLS before
// writing anything: the next line the server reads is NOOP, not AUTH.
func TestAuthDirectRequireTLS(t *testing.T) {
	s := pop3test.StartScripted(t, greet(), C("NOOP"), S("+OK"), Hangup())
	c := dial(t, s, &Options{RequireTLS: true})
	for _, sc := range []sasl.Client{sasl.NewPlainClient("", "bob", "pw"), NewCramMD5Client("bob", "pw"), &fixedSASL{mech: "X"}} {
		require.ErrorIs(t, c.Auth(t.Context(), sc), ErrTLSRequired)
	}
	require.NoError(t, c.Noop(t.Context()))
}

// The lines that carry credentials after AUTH (LOGIN's password, an
// initial response too long for the AUTH line) show as "***" in the trace.
func TestSASLContinuationNotTraced(t *testing.T) {
	const pw = "Sup3r-S3cret-Passw0rd"
	t.Run("LOGIN", func(t *testing.T) {
		var trace bytes.Buffer
		s := pop3test.StartScripted(t, greet(), C("AUTH LOGIN "+b64("bob")), S("+ UGFzc3dvcmQ6"), C(b64(pw)), S("+OK"), Hangup())
		c := dial(t, s, &Options{DebugWriter: &trace})
		require.NoError(t, c.Auth(t.Context(), sasl.NewLoginClient("bob", pw)))
		assert.Contains(t, trace.String(), "C: AUTH LOGIN ***\n")
		assert.Contains(t, trace.String(), "S: + UGFzc3dvcmQ6\n")
		assert.Contains(t, trace.String(), "C: ***\n")
		assert.NotContains(t, trace.String(), b64(pw))
		assert.NotContains(t, trace.String(), b64("bob"))
	})
	t.Run("PLAIN initial response as continuation", func(t *testing.T) {
		var trace bytes.Buffer
		long := pw + strings.Repeat("x", 250)
		ir := "\x00bob\x00" + long
		s := pop3test.StartScripted(t, greet(), C("AUTH PLAIN"), S("+ "), C(b64(ir)), S("+OK"), Hangup())
		c := dial(t, s, &Options{DebugWriter: &trace})
		require.NoError(t, c.Auth(t.Context(), sasl.NewPlainClient("", "bob", long)))
		assert.Contains(t, trace.String(), "C: AUTH PLAIN\n")
		assert.Contains(t, trace.String(), "C: ***\n")
		assert.NotContains(t, trace.String(), b64(ir))
		assert.NotContains(t, trace.String(), pw)
	})
}

// The line limit holds at the octet, for a configured limit and for the
// default, both well under the 64 KiB read buffer.
func TestLineLengthLimitExact(t *testing.T) {
	for _, limit := range []int{100, DefaultMaxLineLength} {
		line := "+OK " + strings.Repeat("x", limit-4)
		var opts *Options
		if limit != DefaultMaxLineLength {
			opts = &Options{MaxLineLength: limit}
		}
		s := pop3test.StartScripted(t, greet(), C("NOOP"), S(line), C("NOOP"), Flood(line+"y\r\n"), Hangup())
		c := dial(t, s, opts)
		require.NoError(t, c.Noop(t.Context()), "a line of exactly %d octets", limit)
		require.ErrorIs(t, c.Noop(t.Context()), ErrLineTooLong, "a line of %d octets", limit+1)
		require.ErrorIs(t, c.Noop(t.Context()), ErrClosed)
	}
}

// A limit above the read buffer is cut to what the buffer holds: a line
// that fills it exactly, CRLF included, is read.
func TestLineLengthLimitClampedToBuffer(t *testing.T) {
	line := "+OK " + strings.Repeat("x", bufferSize-2-4)
	s := pop3test.StartScripted(t, greet(), C("NOOP"), S(line), C("NOOP"), Flood(line+"y\r\n"), Hangup())
	c := dial(t, s, &Options{MaxLineLength: 1 << 20})
	require.NoError(t, c.Noop(t.Context()))
	err := c.Noop(t.Context())
	require.ErrorIs(t, err, ErrLineTooLong)
	assert.Contains(t, err.Error(), "line over 65534 octets", "the limit in force is the buffer's")
}

// Cancelling the context interrupts a read that is blocked: the call
// returns long before the server's silence ends (the bound is half the
// silence, far above the 100 ms the cancel takes).
func TestContextCancelInterruptsRead(t *testing.T) {
	const silence = 3 * time.Second
	s := pop3test.StartScripted(t, greet(), C("NOOP"), Sleep(silence), Hangup())
	c := dial(t, s, &Options{ReplyTimeout: 10 * time.Second})
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := c.Noop(ctx)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Less(t, time.Since(start), silence/2)
	assert.ErrorIs(t, c.Noop(t.Context()), ErrClosed)
}

// seqServer is a scripted server that also fails when the client sends a
// line before the previous reply was written: it checks, after reading each
// expected line, that nothing more arrives within a short wait.
// sstep is a step of seqServer's strict player.
type sstep struct {
	send, expect string
	close        bool
	sleep        time.Duration
}

func sS(line string) sstep { return sstep{send: line + "\r\n"} }
func sRaw(b string) sstep  { return sstep{send: b} }
func sC(line string) sstep { return sstep{expect: line} }
func sGreet() sstep        { return sS("+OK ready <1896.697170952@dbc.mtview.ca.us>") }
func sHangup() sstep       { return sstep{close: true} }

func seqServer(t *testing.T, steps ...sstep) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	errc := make(chan error, 1)
	go func() {
		defer ln.Close()
		conn, err := ln.Accept()
		if err != nil {
			errc <- err
			return
		}
		defer conn.Close()
		errc <- playStrict(conn, steps)
	}()
	t.Cleanup(func() {
		select {
		case err := <-errc:
			assert.NoError(t, err, "strict scripted server")
		case <-time.After(5 * time.Second):
			t.Errorf("strict scripted server did not finish")
		}
	})
	return ln.Addr().String()
}

var errEarly = errors.New("client sent a command before the reply to the previous one")

func playStrict(conn net.Conn, steps []sstep) error {
	var pending []byte
	buf := make([]byte, 4096)
	for i, st := range steps {
		switch {
		case st.close:
			return nil
		case st.send != "":
			if _, err := conn.Write([]byte(st.send)); err != nil {
				return err
			}
		case st.sleep > 0:
			time.Sleep(st.sleep)
		default:
			for !bytes.Contains(pending, []byte("\r\n")) {
				conn.SetReadDeadline(time.Now().Add(5 * time.Second))
				n, err := conn.Read(buf)
				if err != nil {
					return fmt.Errorf("step %d: want %q: read: %w", i, st.expect, err)
				}
				pending = append(pending, buf[:n]...)
			}
			j := bytes.Index(pending, []byte("\r\n"))
			if got := string(pending[:j]); got != st.expect {
				return fmt.Errorf("step %d: want %q, got %q", i, st.expect, got)
			}
			pending = pending[j+2:]
			conn.SetReadDeadline(time.Now().Add(150 * time.Millisecond))
			n, _ := conn.Read(buf)
			pending = append(pending, buf[:n]...)
			if len(pending) > 0 {
				return errEarly
			}
		}
	}
	return nil
}

func dialAddr(t *testing.T, addr string, opts *Options) *Client {
	t.Helper()
	var d Dialer
	if opts != nil {
		d.Options = *opts
	}
	return DialForTest(t, d, addr)
}

// Fetch sends one command at a time, nothing before the previous reply was
// read, when told so (NoPipelining), when CAPA is refused, and when CAPA
// lacks PIPELINING.
func TestFetchNoPipeliningStrict(t *testing.T) {
	t.Run("NoPipelining option", func(t *testing.T) {
		addr := seqServer(t, sGreet(), sC("RETR 1"), sS("+OK"), sRaw("a\r\n.\r\n"),
			sC("RETR 2"), sS("+OK"), sRaw("b\r\n.\r\n"), sC("QUIT"), sS("+OK"))
		c := dialAddr(t, addr, nil)
		n := 0
		require.NoError(t, c.Fetch(t.Context(), []int{1, 2}, &FetchOptions{NoPipelining: true}, func(m *Message) error {
			n++
			return nil
		}))
		assert.Equal(t, 2, n)
		require.NoError(t, c.Quit(t.Context()))
	})
	t.Run("CAPA refused", func(t *testing.T) {
		addr := seqServer(t, sGreet(), sC("CAPA"), sS("-ERR no"), sC("RETR 1"), sS("+OK"), sRaw("a\r\n.\r\n"),
			sC("RETR 2"), sS("+OK"), sRaw("b\r\n.\r\n"), sC("QUIT"), sS("+OK"))
		c := dialAddr(t, addr, nil)
		require.NoError(t, c.Fetch(t.Context(), []int{1, 2}, nil, func(m *Message) error { return nil }))
		require.NoError(t, c.Quit(t.Context()))
	})
	t.Run("CAPA without PIPELINING", func(t *testing.T) {
		addr := seqServer(t, sGreet(), sC("CAPA"), sS("+OK"), sRaw("TOP\r\n.\r\n"), sC("RETR 1"), sS("+OK"), sRaw("a\r\n.\r\n"),
			sC("RETR 2"), sS("+OK"), sRaw("b\r\n.\r\n"), sC("QUIT"), sS("+OK"))
		c := dialAddr(t, addr, nil)
		require.NoError(t, c.Fetch(t.Context(), []int{1, 2}, nil, func(m *Message) error { return nil }))
		require.NoError(t, c.Quit(t.Context()))
	})
}

// A Fetch that a callback stopped leaves the session in step: a second
// Fetch gets the right data, and the message the callback refused, and
// any after it, are not deleted.
func TestFetchAfterCallbackError(t *testing.T) {
	boom := errors.New("disk full")
	s := pop3test.StartScripted(t, greet(), C("CAPA"), S("+OK"), Raw("PIPELINING\r\n.\r\n"),
		C("RETR 1"), C("RETR 2"), C("RETR 3"),
		S("+OK"), Raw("one\r\n.\r\n"), S("+OK"), Raw("two\r\n.\r\n"), S("+OK"), Raw("three\r\n.\r\n"),
		C("DELE 1"), S("+OK"),
		C("RETR 2"), C("RETR 3"), S("+OK"), Raw("two\r\n.\r\n"), S("+OK"), Raw("three\r\n.\r\n"),
		C("QUIT"), S("+OK"))
	c := dial(t, s, nil)
	err := c.Fetch(t.Context(), []int{1, 2, 3}, &FetchOptions{Delete: true, MaxInFlight: -1}, func(m *Message) error {
		if m.ID == 2 {
			return boom
		}
		_, err := io.Copy(io.Discard, m)
		return err
	})
	require.ErrorIs(t, err, boom)
	got := map[int]string{}
	require.NoError(t, c.Fetch(t.Context(), []int{2, 3}, &FetchOptions{MaxInFlight: -1}, func(m *Message) error {
		b, err := io.ReadAll(m)
		got[m.ID] = string(b)
		return err
	}))
	assert.Equal(t, map[int]string{2: "two\r\n", 3: "three\r\n"}, got)
	require.NoError(t, c.Quit(t.Context()))
}

// A message the server cuts short is never deleted, and Fetch fails.
func TestFetchCutMessageNotDeleted(t *testing.T) {
	s := pop3test.StartScripted(t, greet(), C("RETR 1"), S("+OK"), Raw("partial\r\n"), Hangup())
	c := dial(t, s, nil)
	err := c.Fetch(t.Context(), []int{1}, &FetchOptions{Delete: true, NoPipelining: true}, func(m *Message) error {
		_, err := io.Copy(io.Discard, m)
		return err
	})
	require.ErrorIs(t, err, io.ErrUnexpectedEOF)
}

// Sizes above 4 GiB survive STAT, LIST and LIST n: a 32-bit parse would
// refuse or truncate them.
func TestSizesAbove4GiB(t *testing.T) {
	const big = int64(5_000_000_000)
	s := pop3test.StartScripted(t, greet(), C("STAT"), S("+OK 2 10000000001"), C("LIST"), S("+OK"), Raw("1 5000000000\r\n2 5000000001\r\n.\r\n"),
		C("LIST 2"), S("+OK 2 9223372036854775807"), Hangup())
	c := dial(t, s, nil)
	n, size, err := c.Stat(t.Context())
	require.NoError(t, err)
	assert.Equal(t, 2, n)
	assert.Equal(t, 2*big+1, size)
	list, err := c.List(t.Context())
	require.NoError(t, err)
	assert.Equal(t, []MessageInfo{{1, big}, {2, big + 1}}, list)
	one, err := c.ListOne(t.Context(), 2)
	require.NoError(t, err)
	assert.Equal(t, MessageInfo{2, 1<<63 - 1}, one)
}

// Message.Size is the announced octet count, or -1 when RETR's +OK carries
// none or something other than a number.
func TestMessageSizeAnnounced(t *testing.T) {
	for reply, want := range map[string]int64{
		"+OK":                             -1,
		"+OK message follows":             -1,
		"+OK -5 octets":                   -1,
		"+OK 12x octets":                  -1,
		"+OK 0 octets":                    0,
		"+OK 5000000000":                  5_000_000_000,
		"+OK 120 octets":                  120,
		"+OK 99999999999999999999 octets": -1,
	} {
		s := pop3test.StartScripted(t, greet(), C("RETR 1"), S(reply), Raw("x\r\n.\r\n"), Hangup())
		m, err := dial(t, s, nil).Retr(t.Context(), 1)
		require.NoError(t, err, reply)
		assert.Equal(t, want, m.Size, reply)
		require.NoError(t, m.Close())
	}
}

// The timestamp may open the greeting; "<>" is none.
func TestTimestampPlacement(t *testing.T) {
	assert.Equal(t, "<1.2@host>", parseTimestamp("<1.2@host> POP3 ready"))
	assert.Equal(t, "<1.2@host>", parseTimestamp("<1.2@host>"))
	assert.Equal(t, "", parseTimestamp("ready <>"))
	assert.Equal(t, "", parseTimestamp("ready > <"))
	s := pop3test.StartScripted(t, S("+OK <1.2@host>"), Hangup())
	assert.Equal(t, "<1.2@host>", dial(t, s, nil).Timestamp())
}

// A status word must end at a space, a tab or the line end: "-ERRxyz" is
// not -ERR, "-ERR<TAB>text" is.
func TestStatusWordBoundary(t *testing.T) {
	s := pop3test.StartScripted(t, greet(), C("NOOP"), S("-ERR\tno such thing"), C("NOOP"), S("+OK\tfine"), C("NOOP"), S("-ERRxyz"), Hangup())
	c := dial(t, s, nil)
	var re *ResponseError
	require.ErrorAs(t, c.Noop(t.Context()), &re)
	assert.Equal(t, "no such thing", re.Text)
	require.NoError(t, c.Noop(t.Context()))
	err := c.Noop(t.Context())
	var pe *ProtocolError
	require.ErrorAs(t, err, &pe)
	assert.False(t, errors.As(err, &re))
	assert.ErrorIs(t, c.Noop(t.Context()), ErrClosed)
}

// RFC 5034 §4 limits the AUTH line to 255 octets with CRLF: a line of
// exactly 255 carries the initial response, one of 256 does not, and the
// response goes in the first continuation.
func TestAuthLineBoundary(t *testing.T) {
	ir := padIR(244)
	line255, n := authLine("ABC", ir)
	require.Equal(t, 255, n)
	_, n = authLine("ABCD", ir)
	require.Equal(t, 256, n)

	s := pop3test.StartScripted(t, greet(), C(line255), S("+OK"), Hangup())
	require.NoError(t, dial(t, s, nil).Auth(t.Context(), &fixedSASL{mech: "ABC", ir: ir}))

	s = pop3test.StartScripted(t, greet(), C("AUTH ABCD"), S("+ "), C(base64.StdEncoding.EncodeToString(ir)), S("+OK"), Hangup())
	require.NoError(t, dial(t, s, nil).Auth(t.Context(), &fixedSASL{mech: "ABCD", ir: ir}))
}

// RFC 5034 §4: an empty initial response is sent as "=", while no initial
// response at all sends the bare mechanism name.
func TestAuthEmptyInitialResponse(t *testing.T) {
	s := pop3test.StartScripted(t, greet(), C("AUTH X ="), S("+OK"), Hangup())
	require.NoError(t, dial(t, s, nil).Auth(t.Context(), &fixedSASL{mech: "X", ir: []byte{}}))
	s = pop3test.StartScripted(t, greet(), C("AUTH X"), S("+ "), C(b64("r")), S("+OK"), Hangup())
	require.NoError(t, dial(t, s, nil).Auth(t.Context(), &fixedSASL{mech: "X", next: []byte("r")}))
}

// A continuation that is a bare "+" (no space, no challenge) is an empty
// challenge, answered; not a status line, not a panic.
func TestAuthBarePlusContinuation(t *testing.T) {
	s := pop3test.StartScripted(t, greet(), C("AUTH X"), S("+"), C(b64("r")), S("+OK"), Hangup())
	c := dial(t, s, nil)
	require.NoError(t, c.Auth(t.Context(), &fixedSASL{mech: "X", next: []byte("r")}))
	assert.Equal(t, StateTransaction, c.State())
	// The same bare "+" asking for a pending initial response.
	ir := padIR(300)
	s = pop3test.StartScripted(t, greet(), C("AUTH X"), S("+"), C(base64.StdEncoding.EncodeToString(ir)), S("+OK"), Hangup())
	require.NoError(t, dial(t, s, nil).Auth(t.Context(), &fixedSASL{mech: "X", ir: ir}))
	// "+x" is neither a continuation nor a status line.
	s = pop3test.StartScripted(t, greet(), C("AUTH LOGIN "+b64("bob")), S("+x"), Hangup())
	var pe *ProtocolError
	require.ErrorAs(t, dial(t, s, nil).Auth(t.Context(), sasl.NewLoginClient("bob", "pw")), &pe)
}

// failWriteConn passes every write through to the server but reports a
// failure for those that carry RETR, and ignores Close, so that the reads
// of a pipelined Fetch all succeed while its writer fails.
type failWriteConn struct {
	net.Conn
	fail atomic.Bool
}

var errInjected = errors.New("injected write failure")

func (f *failWriteConn) Write(p []byte) (int, error) {
	n, err := f.Conn.Write(p)
	if err == nil && f.fail.Load() && bytes.Contains(p, []byte("RETR")) {
		return n, errInjected
	}
	return n, err
}

func (f *failWriteConn) Close() error { return nil }

// A pipelined Fetch whose writer fails returns that failure even though
// every reply arrived, and ends the session: the server may not have got
// every command, so success would be a lie.
func TestFetchWriterFailsReadsSucceed(t *testing.T) {
	s := pop3test.StartScripted(t, greet(), C("CAPA"), S("+OK"), Raw("PIPELINING\r\n.\r\n"),
		C("RETR 1"), C("RETR 2"), S("+OK"), Raw("a\r\n.\r\n"), S("+OK"), Raw("b\r\n.\r\n"), Hangup())
	raw, err := net.Dial("tcp", s.Addr())
	require.NoError(t, err)
	t.Cleanup(func() { raw.Close() })
	fc := &failWriteConn{Conn: raw}
	c, err := NewClient(fc, &Options{ReplyTimeout: 3 * time.Second})
	require.NoError(t, err)
	_, err = c.Capa(t.Context())
	require.NoError(t, err)
	fc.fail.Store(true)
	n := 0
	err = c.Fetch(t.Context(), []int{1, 2}, &FetchOptions{MaxInFlight: -1}, func(m *Message) error {
		n++
		_, err := io.Copy(io.Discard, m)
		return err
	})
	require.ErrorIs(t, err, errInjected)
	assert.ErrorIs(t, c.Noop(t.Context()), ErrClosed)
}

// When the server stalls mid-message, Read returns the data already
// received rather than waiting for more: with a reply timeout shorter than
// the stall, the data comes first and only the next Read times out.
func TestReadReturnsBufferedDataOnStall(t *testing.T) {
	s := pop3test.StartScripted(t, greet(), C("RETR 1"), Raw("+OK\r\nline1\r\nline2\r\n"), Sleep(time.Second), Hangup())
	c := dial(t, s, &Options{ReplyTimeout: 300 * time.Millisecond})
	m, err := c.Retr(t.Context(), 1)
	require.NoError(t, err)
	var got []byte
	p := make([]byte, 4096)
	for len(got) < len("line1\r\nline2\r\n") {
		n, err := m.Read(p)
		require.NoError(t, err, "data already received must come without waiting")
		require.Positive(t, n)
		got = append(got, p[:n]...)
	}
	assert.Equal(t, "line1\r\nline2\r\n", string(got))
	_, err = m.Read(p)
	assert.ErrorIs(t, err, os.ErrDeadlineExceeded)
}

// RFC 1939 allows a unique-id of 70 characters; up to 512 are tolerated
// and 513 refused.
func TestUIDLengthBound(t *testing.T) {
	u512 := strings.Repeat("u", 512)
	s := pop3test.StartScripted(t, greet(), C("UIDL"), S("+OK"), Raw("1 "+u512+"\r\n.\r\n"), C("UIDL 1"), S("+OK 1 "+u512),
		C("UIDL 1"), S("+OK 1 "+u512+"v"), Hangup())
	c := dial(t, s, nil)
	list, err := c.UIDL(t.Context())
	require.NoError(t, err)
	assert.Equal(t, []UIDInfo{{1, u512}}, list)
	one, err := c.UIDLOne(t.Context(), 1)
	require.NoError(t, err)
	assert.Equal(t, u512, one.UID)
	_, err = c.UIDLOne(t.Context(), 1)
	var pe *ProtocolError
	require.ErrorAs(t, err, &pe)
}

// An empty line inside a multi-line reply is a line like any other, not
// the end and not a crash (gremlins: capa.go len(line) > 0, len(f) > 0).
func TestCapaEmptyLine(t *testing.T) {
	s := pop3test.StartScripted(t, greet(), C("CAPA"), S("+OK"), Raw("TOP\r\n\r\nPIPELINING\r\n.\r\n"), Hangup())
	capa, err := dial(t, s, nil).Capa(t.Context())
	require.NoError(t, err)
	assert.True(t, capa.Has("TOP"))
	assert.True(t, capa.Has("PIPELINING"))
}

// Draining a message the caller left unread must not skip the check for
// bytes the server sent unasked after it (gremlins: conn.go start, the
// drain's error test negated).
func TestDrainThenUnsolicited(t *testing.T) {
	s := pop3test.StartScripted(t, greet(), C("RETR 1"), Raw("+OK\r\na\r\n.\r\n+OK sent twice\r\n"), Hangup())
	c := dial(t, s, nil)
	_, err := c.Retr(t.Context(), 1)
	require.NoError(t, err)
	var pe *ProtocolError
	require.ErrorAs(t, c.Noop(t.Context()), &pe)
	assert.ErrorIs(t, c.Noop(t.Context()), ErrClosed)
}

// A callback that returns nil has accepted the message even without
// reading it: Fetch reads the rest and deletes it.
func TestFetchAcceptedUnreadDeleted(t *testing.T) {
	s := pop3test.StartScripted(t, greet(), C("RETR 1"), S("+OK"), Raw("abc\r\n..x\r\n.\r\n"), C("DELE 1"), S("+OK"),
		C("QUIT"), S("+OK"), Hangup())
	c := dial(t, s, nil)
	require.NoError(t, c.Fetch(t.Context(), []int{1}, &FetchOptions{Delete: true, NoPipelining: true}, func(m *Message) error {
		return nil
	}))
	require.NoError(t, c.Quit(t.Context()))
	require.NoError(t, s.Err())
}

// Accepted unread but cut short: the fetch fails and deletes nothing.
func TestFetchAcceptedUnreadCutNotDeleted(t *testing.T) {
	s := pop3test.StartScripted(t, greet(), C("RETR 1"), S("+OK"), Raw("abc\r\n"), Hangup())
	c := dial(t, s, nil)
	err := c.Fetch(t.Context(), []int{1}, &FetchOptions{Delete: true, NoPipelining: true}, func(m *Message) error {
		return nil
	})
	require.ErrorIs(t, err, io.ErrUnexpectedEOF)
	require.NoError(t, s.Err())
}

// A message cut short right after the first byte of a line still hands
// over that byte before the error: Read returns every byte that arrived,
// then io.ErrUnexpectedEOF (gremlins: dot.go lineStart, len(b) < 1 to
// len(b) <= 1, which dropped it). The byte comes in a segment of its own,
// after a pause, so that it is the reader's line start that sees it.
func TestCutAfterOneByteOfLine(t *testing.T) {
	for _, last := range []string{"X", "."} {
		s := pop3test.StartScripted(t, greet(), C("RETR 1"), Raw("+OK\r\nab\r\n"), Sleep(200*time.Millisecond), Raw(last), Hangup())
		c := dial(t, s, nil)
		m, err := c.Retr(t.Context(), 1)
		require.NoError(t, err)
		got, err := io.ReadAll(m)
		require.ErrorIs(t, err, io.ErrUnexpectedEOF)
		want := "ab\r\n" + last
		if last == "." {
			want = "ab\r\n" // a lone dot may be stuffing or the terminator: not data yet
		}
		assert.Equal(t, want, string(got))
	}
}
