//go:build linux

package pop3

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/nxpop3/nxpop3/pop3/pop3test"
)

// threadDial is dial with WaitInThread, checking that it took effect.
func threadDial(t *testing.T, s *pop3test.Scripted, opts Options) *Client {
	t.Helper()
	opts.WaitInThread = true
	c := dial(t, s, &opts)
	_, ok := c.Conn().(*threadConn)
	require.True(t, ok, "connection %T does not wait in the thread", c.Conn())
	return c
}

func TestWaitInThreadSession(t *testing.T) {
	big := strings.Repeat("some message data, long enough to take several reads\r\n", 5000)
	s := pop3test.StartScripted(t, greet(),
		C("USER u"), S("+OK"), C("PASS p"), S("+OK"),
		C("RETR 1"), S("+OK"), Raw(big+"..dot\r\n.\r\n"),
		C("QUIT"), S("+OK bye"), Hangup())
	c := threadDial(t, s, Options{})
	ctx := t.Context()
	require.NoError(t, c.Login(ctx, "u", "p", &LoginOptions{Method: AuthUser}))
	m, err := c.Retr(ctx, 1)
	require.NoError(t, err)
	data, err := io.ReadAll(m)
	require.NoError(t, err)
	assert.Equal(t, big+".dot\r\n", string(data))
	require.NoError(t, c.Quit(ctx))
}

func TestWaitInThreadReplyTimeout(t *testing.T) {
	s := pop3test.StartScripted(t, greet(), C("NOOP"), Sleep(time.Second), Hangup())
	c := threadDial(t, s, Options{ReplyTimeout: 200 * time.Millisecond})
	assert.ErrorIs(t, c.Noop(t.Context()), os.ErrDeadlineExceeded)
	assert.ErrorIs(t, c.Noop(t.Context()), ErrClosed, "a timed-out session is not reused")
}

// A cancelled context ends a wait in the kernel.
func TestWaitInThreadCancel(t *testing.T) {
	// A late reply: a wait that was not ended would take it as success.
	s := pop3test.StartScripted(t, greet(), C("NOOP"), Sleep(2*time.Second), Flood("+OK late\r\n"), Hangup())
	c := threadDial(t, s, Options{ReplyTimeout: time.Minute})
	ctx, cancel := context.WithCancel(t.Context())
	time.AfterFunc(100*time.Millisecond, cancel)
	assert.ErrorIs(t, c.Noop(ctx), context.Canceled)
}

// Close from another goroutine ends a wait in the kernel, and Close itself
// does not wait for the reply timeout.
func TestWaitInThreadCloseAborts(t *testing.T) {
	// A late reply: a wait that was not ended would take it as success.
	s := pop3test.StartScripted(t, greet(), C("NOOP"), Sleep(2*time.Second), Flood("+OK late\r\n"), Hangup())
	c := threadDial(t, s, Options{ReplyTimeout: time.Minute})
	closed := make(chan error, 1)
	time.AfterFunc(100*time.Millisecond, func() { closed <- c.Close() })
	err := c.Noop(t.Context())
	require.Error(t, err)
	assert.True(t, errors.Is(err, net.ErrClosed), "%v", err)
	assert.NoError(t, <-closed)
}

// The server's end of the stream is still an unexpected EOF, not a
// timeout.
func TestWaitInThreadServerHangup(t *testing.T) {
	s := pop3test.StartScripted(t, greet(), C("NOOP"), Hangup())
	c := threadDial(t, s, Options{ReplyTimeout: time.Minute})
	assert.ErrorIs(t, c.Noop(t.Context()), io.ErrUnexpectedEOF)
}

// TLS runs over the connection that waits in the thread.
func TestWaitInThreadTLS(t *testing.T) {
	srv, err := pop3test.NewServer(pop3test.Options{ImplicitTLS: true, Pipelining: true})
	require.NoError(t, err)
	defer srv.Close()
	want := strings.Repeat("tls data line\r\n", 3000)
	srv.AddUser("u", "p", []byte(want), []byte(want))
	d := Dialer{TLS: TLSImplicit, TLSConfig: srv.ClientTLSConfig(), Options: Options{WaitInThread: true}}
	c, err := d.Dial(t.Context(), srv.Addr())
	require.NoError(t, err)
	defer c.Close()
	tc, ok := c.Conn().(*tls.Conn)
	require.True(t, ok)
	_, ok = tc.NetConn().(*threadConn)
	require.True(t, ok, "TLS runs over %T", tc.NetConn())
	require.NoError(t, c.Login(t.Context(), "u", "p", &LoginOptions{Method: AuthUser}))
	n := 0
	require.NoError(t, c.Fetch(t.Context(), []int{1, 2}, nil, func(m *Message) error {
		data, err := io.ReadAll(m)
		assert.Equal(t, want, string(data))
		n++
		return err
	}))
	assert.Equal(t, 2, n)
	require.NoError(t, c.Quit(t.Context()))
}

// The socket a WaitInThread connection uses is not in the runtime's epoll
// set, where every segment that arrived would wake a netpoller thread,
// and the runtime's own descriptor for it is closed. The kernel lists an
// epoll set's descriptors in its fdinfo ("tfd:").
func TestWaitInThreadLeavesNetpoller(t *testing.T) {
	s := pop3test.StartScripted(t, greet(), C("NOOP"), S("+OK"), Hangup())
	c := threadDial(t, s, Options{})
	tc := c.Conn().(*threadConn)
	require.NoError(t, c.Noop(t.Context()))

	watched := map[int]bool{}
	polls := 0
	fds, err := os.ReadDir("/proc/self/fd")
	require.NoError(t, err)
	for _, e := range fds {
		if link, _ := os.Readlink("/proc/self/fd/" + e.Name()); link != "anon_inode:[eventpoll]" {
			continue
		}
		polls++
		info, err := os.ReadFile("/proc/self/fdinfo/" + e.Name())
		require.NoError(t, err)
		for _, line := range strings.Split(string(info), "\n") {
			var fd int
			if _, err := fmt.Sscanf(line, "tfd: %d", &fd); err == nil {
				watched[fd] = true
			}
		}
	}
	require.NotZero(t, polls, "the runtime's epoll set was not found")
	assert.False(t, watched[tc.fd], "socket %d is in an epoll set", tc.fd)
	link, err := os.Readlink(fmt.Sprintf("/proc/self/fd/%d", tc.fd))
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(link, "socket:"), "fd %d is %s", tc.fd, link)
	n := 0
	for _, e := range fds {
		if l, _ := os.Readlink("/proc/self/fd/" + e.Name()); l == link {
			n++
		}
	}
	assert.Equal(t, 1, n, "descriptors open on %s", link)
}

// Reads let the scheduler run now and then (yield), so that the runtime
// does not preempt a goroutine driven from C as one hogging its processor.
func TestWaitInThreadYields(t *testing.T) {
	s := pop3test.StartScripted(t, greet(), C("NOOP"), S("+OK"), C("NOOP"), S("+OK"), Hangup())
	time.Sleep(yieldEvery) // since the clock's base, set when the package started
	c := threadDial(t, s, Options{})
	tc := c.Conn().(*threadConn)
	require.NotZero(t, tc.yielded.Load(), "reading the greeting yielded")

	// Set ahead so that a slow round trip cannot make it due.
	recent := int64(time.Since(monoBase) + time.Hour)
	tc.yielded.Store(recent)
	require.NoError(t, c.Noop(t.Context()))
	assert.Equal(t, recent, tc.yielded.Load(), "not again within yieldEvery")

	due := int64(time.Since(monoBase) - yieldEvery)
	tc.yielded.Store(due)
	require.NoError(t, c.Noop(t.Context()))
	assert.Greater(t, tc.yielded.Load(), due, "again after yieldEvery")
}

// A connection dropped without Close gives its socket back once
// collected, as the runtime's own connections do.
func TestWaitInThreadDroppedClosesSocket(t *testing.T) {
	s := pop3test.StartScripted(t, greet(), Hangup())
	d := Dialer{Options: Options{WaitInThread: true}}
	// Not DialForTest, which keeps c for its cleanup, nor the test's context,
	// which would keep it until the test ends.
	c, err := d.Dial(context.Background(), s.Addr())
	require.NoError(t, err)
	fd := c.Conn().(*threadConn).fd
	path := fmt.Sprintf("/proc/self/fd/%d", fd)
	link, err := os.Readlink(path)
	require.NoError(t, err)
	c = nil
	for range 50 {
		runtime.GC()
		if l, err := os.Readlink(path); err != nil || l != link {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("%s still open on %s", path, link)
}
