package pop3

// Stress tests, run by 'make stress' (NXPOP3_STRESS=1) and skipped
// otherwise: a 1 GiB message streamed through the client with its peak RSS
// measured, and 1000 sessions in a row with goroutines and file
// descriptors back at their baseline afterwards.

import (
	"context"
	"fmt"
	"hash/fnv"
	"io"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nxpop3/nxpop3/internal/bigmsg"
	"github.com/nxpop3/nxpop3/internal/testenv"
	"github.com/nxpop3/nxpop3/pop3/pop3test"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// vmHWM returns the peak resident set size of the process in KiB.
func vmHWM(t *testing.T) int64 {
	t.Helper()
	b, err := os.ReadFile("/proc/self/status")
	require.NoError(t, err)
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			n, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			require.NoError(t, err)
			return n
		}
	}
	require.Fail(t, "no VmHWM in /proc/self/status")
	return 0
}

func TestStressOneGiBMessage(t *testing.T) {
	testenv.Stress(t)
	const size = 1 << 30
	srv, err := bigmsg.NewServer(size)
	require.NoError(t, err)
	defer srv.Close()

	runtime.GC()
	before := vmHWM(t)
	start := time.Now()
	ctx := context.Background()
	c, err := Dial(ctx, srv.Addr())
	require.NoError(t, err)
	defer c.Close()
	require.NoError(t, c.Login(ctx, "u", "p", &LoginOptions{Method: AuthUser}))
	n, total, err := c.Stat(ctx)
	require.NoError(t, err)
	require.Equal(t, 1, n)
	m, err := c.Retr(ctx, 1)
	require.NoError(t, err)
	sum := fnv.New64a()
	got, err := io.Copy(sum, m)
	require.NoError(t, err)
	require.NoError(t, c.Quit(ctx))
	elapsed := time.Since(start)
	after := vmHWM(t)
	require.NoError(t, srv.Close()) // the generator is done: its sum may be read

	require.Equal(t, total, got, "octets delivered")
	require.Equal(t, srv.Sum64(), sum.Sum64(), "content delivered")
	growth := (after - before) / 1024
	t.Logf("1 GiB through the Go core in %v (%.0f MiB/s); peak RSS %d MiB before, %d MiB after: +%d MiB",
		elapsed.Round(time.Millisecond), float64(size)/(1<<20)/elapsed.Seconds(), before/1024, after/1024, growth)
	assert.LessOrEqual(t, growth, 200, "peak RSS growth in MiB streaming 1 GiB")
}

// openFDs counts the open file descriptors of the process.
func openFDs(t *testing.T) int {
	t.Helper()
	ents, err := os.ReadDir("/proc/self/fd")
	require.NoError(t, err)
	return len(ents)
}

// settle waits until f() is at most want (or 5 s passed) and returns f().
func settle(want int, f func() int) int {
	deadline := time.Now().Add(5 * time.Second)
	for {
		n := f()
		if n <= want || time.Now().After(deadline) {
			return n
		}
		runtime.GC()
		time.Sleep(20 * time.Millisecond)
	}
}

func TestStressThousandSessions(t *testing.T) {
	testenv.Stress(t)
	srv, err := pop3test.NewServer(pop3test.Options{})
	require.NoError(t, err)
	defer srv.Close()
	srv.AddUser("alice", "secret", []byte("Subject: one\r\n\r\nhello\r\n"), []byte("Subject: two\r\n\r\nworld\r\n"))

	ctx := context.Background()
	session := func() error {
		c, err := (&Dialer{Timeout: 5 * time.Second}).Dial(ctx, srv.Addr())
		if err != nil {
			return err
		}
		defer c.Close()
		if err := c.Login(ctx, "alice", "secret", &LoginOptions{Method: AuthAPOP}); err != nil {
			return err
		}
		if n, _, err := c.Stat(ctx); err != nil || n != 2 {
			return fmt.Errorf("STAT: %d, %v", n, err)
		}
		return c.Quit(ctx)
	}
	require.NoError(t, session())      // warm up: lazily started runtime and netpoll parts
	time.Sleep(100 * time.Millisecond) // the warm-up session's server side ends
	runtime.GC()
	baseG := runtime.NumGoroutine()
	baseFD := openFDs(t)

	start := time.Now()
	for i := range 1000 {
		require.NoError(t, session(), "session %d", i+1)
	}
	elapsed := time.Since(start)
	const tolerance = 2
	g := settle(baseG+tolerance, runtime.NumGoroutine)
	fd := settle(baseFD+tolerance, func() int { return openFDs(t) })
	t.Logf("1000 sessions in %v (%v each); goroutines %d before, %d after; open fds %d before, %d after",
		elapsed.Round(time.Millisecond), (elapsed / 1000).Round(time.Microsecond), baseG, g, baseFD, fd)
	assert.LessOrEqual(t, g, baseG+tolerance, "goroutines after 1000 sessions: a leak")
	assert.LessOrEqual(t, fd, baseFD+tolerance, "open fds after 1000 sessions: a leak")
	require.Equal(t, 1001, srv.Sessions())
}
