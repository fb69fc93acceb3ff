package pop3

import (
	"bufio"
	"context"
	"crypto/tls"
	"net"
	"net/http/httptest"
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// earlyServer answers NOOP, then, once the test says the client has read
// that reply, sends extra and reports it sent; it returns every line it
// got from the client afterwards, when the client hangs up.
func earlyServer(t *testing.T, cfg *tls.Config, extra string) (addr string, send func(), lines <-chan []string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { ln.Close() })
	goSend, sent := make(chan struct{}), make(chan struct{})
	out := make(chan []string, 1)
	go func() {
		conn, err := ln.Accept()
		if err != nil {
			out <- nil
			return
		}
		if cfg != nil {
			conn = tls.Server(conn, cfg)
		}
		defer conn.Close()
		r := bufio.NewReader(conn)
		conn.Write([]byte("+OK ready <1.2@h>\r\n"))
		r.ReadString('\n') // NOOP
		conn.Write([]byte("+OK\r\n"))
		<-goSend
		conn.Write([]byte(extra))
		close(sent)
		var got []string
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				out <- got
				return
			}
			got = append(got, line)
			conn.Write([]byte("-ERR no such message\r\n"))
		}
	}()
	return ln.Addr().String(), func() { close(goSend); <-sent }, out
}

// A reply that arrives, after the previous one was read, before the next
// command is written must not be taken as that command's answer: DELE would
// succeed on a stale +OK and its real -ERR become QUIT's.
func TestReplyBeforeCommand(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the socket is peeked on Linux only")
	}
	t.Run("TCP", func(t *testing.T) { testReplyBeforeCommand(t, nil, Dialer{}) })
	t.Run("TLS", func(t *testing.T) {
		hs := httptest.NewUnstartedServer(nil)
		hs.StartTLS()
		defer hs.Close()
		d := Dialer{TLS: TLSImplicit, TLSConfig: &tls.Config{InsecureSkipVerify: true}}
		testReplyBeforeCommand(t, hs.TLS, d)
	})
}

func testReplyBeforeCommand(t *testing.T, cfg *tls.Config, d Dialer) {
	addr, send, lines := earlyServer(t, cfg, "+OK message 1 deleted\r\n")
	c := DialForTest(t, d, addr)
	require.NoError(t, c.Noop(t.Context()))
	assert.Zero(t, c.buffered(), "the stale reply must be on the socket, not in the buffer")
	send()
	var pe *ProtocolError
	require.ErrorAs(t, c.Dele(t.Context(), 1), &pe)
	assert.ErrorIs(t, c.Quit(t.Context()), ErrClosed, "the session ended")
	c.Close()
	assert.Empty(t, <-lines, "no command may follow the unsolicited reply")
}

// A caller that cancels a call's context and then closes the client (what
// capi's delete does) sees the cancellation, whichever of the two the
// blocked read noticed first.
func TestCancelThenClose(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	got := make(chan struct{})
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer conn.Close()
				conn.Write([]byte("+OK ready\r\n"))
				r := bufio.NewReader(conn)
				r.ReadString('\n')
				got <- struct{}{}
				r.ReadString('\n') // until the client closes
			}()
		}
	}()
	for i := 0; i < 100; i++ {
		for _, wait := range []bool{false, true} {
			c := DialForTest(t, Dialer{Options: Options{WaitInThread: wait}}, ln.Addr().String())
			ctx, cancel := context.WithCancel(t.Context())
			done := make(chan error, 1)
			go func() { done <- c.Noop(ctx) }()
			<-got
			cancel()
			c.Close()
			require.ErrorIs(t, <-done, context.Canceled, "round %d, WaitInThread %v", i, wait)
		}
	}
}
