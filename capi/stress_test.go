package main

// Stress tests of the C API, run by 'make stress' (NXPOP3_STRESS=1) and
// skipped otherwise: a 1 GiB message through message_get with the C
// process's peak RSS, 1000 sessions in a row with the file descriptors
// counted, and 50 clients on 50 threads at once.

import (
	"bytes"
	"fmt"
	"hash/fnv"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nxpop3/nxpop3/internal/bigmsg"
	"github.com/nxpop3/nxpop3/internal/ctest"
	"github.com/nxpop3/nxpop3/internal/testenv"
	"github.com/nxpop3/nxpop3/pop3/pop3test"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var poolFree = regexp.MustCompile(`(?m)^pool free (\d+)/(\d+)$`)

func requirePoolBack(t *testing.T, out string) {
	t.Helper()
	m := poolFree.FindStringSubmatch(out)
	require.NotNil(t, m, "no pool line:\n%s", out)
	require.Equal(t, m[2], m[1], "packets not returned to the pool")
}

func TestStressC(t *testing.T) {
	testenv.Stress(t)
	dir := t.TempDir()

	t.Run("1 GiB message", func(t *testing.T) {
		bin := ctest.WholeProgram(t, ctest.Plain, "testdata/stress_big.c")
		const size = 1 << 30
		srv, err := bigmsg.NewServer(size)
		require.NoError(t, err)
		defer srv.Close()
		_, port, _ := strings.Cut(srv.Addr(), ":")
		start := time.Now()
		out, err := ctest.Run(dir, bin, port)
		elapsed := time.Since(start)
		require.NoError(t, err, "%s", out)
		require.NoError(t, srv.Close()) // the generator is done
		t.Logf("%s(%v, %.0f MiB/s)", out, elapsed.Round(time.Millisecond), float64(size)/(1<<20)/elapsed.Seconds())
		require.Contains(t, out, fmt.Sprintf("data %d fnv %016x ", size, srv.Sum64()))
		require.Contains(t, out, "quit 0x00")
		m := regexp.MustCompile(`maxrss_kb before (\d+) after (\d+)`).FindStringSubmatch(out)
		require.NotNil(t, m)
		before, _ := strconv.Atoi(m[1])
		after, _ := strconv.Atoi(m[2])
		t.Logf("C process peak RSS: %d MiB before RETR, %d MiB after 1 GiB: +%d MiB", before/1024, after/1024, (after-before)/1024)
		assert.LessOrEqual(t, (after-before)/1024, 200, "peak RSS growth in MiB streaming 1 GiB")
		requirePoolBack(t, out)
	})

	t.Run("1000 sessions", func(t *testing.T) {
		bin := ctest.WholeProgram(t, ctest.Plain, "testdata/stress_sessions.c")
		srv, err := pop3test.NewServer(pop3test.Options{})
		require.NoError(t, err)
		defer srv.Close()
		srv.AddUser("mrose", "tanstaaf", []byte("Subject: hi\r\n\r\nhello\r\n"))
		_, port, _ := strings.Cut(srv.Addr(), ":")
		start := time.Now()
		out, err := ctest.Run(dir, bin, port, "1000")
		require.NoError(t, err, "%s", out)
		t.Logf("%s(%v)", out, time.Since(start).Round(time.Millisecond))
		require.Contains(t, out, "sessions 1000/1000 failed 0")
		m := regexp.MustCompile(`fd before (\d+) after (\d+)`).FindStringSubmatch(out)
		require.NotNil(t, m)
		before, _ := strconv.Atoi(m[1])
		after, _ := strconv.Atoi(m[2])
		assert.LessOrEqual(t, after, before+2, "open fds after 1000 sessions: a leak")
		requirePoolBack(t, out)
		require.Equal(t, 1001, srv.Sessions())
		require.Len(t, srv.Mailbox("mrose").Messages(), 1, "no DELE was sent, nothing may be gone")
	})

	t.Run("50 threads", func(t *testing.T) {
		const n = 50
		bin := ctest.WholeProgram(t, ctest.Plain, "testdata/stress_threads.c")
		srv, err := pop3test.NewServer(pop3test.Options{})
		require.NoError(t, err)
		defer srv.Close()
		want := make([]uint64, n)
		sizes := make([]int, n)
		for i := range n {
			var b bytes.Buffer
			fmt.Fprintf(&b, "Subject: message for user%d\r\n\r\n", i)
			for j := range 500 + 37*i {
				if j%50 == 0 {
					fmt.Fprintf(&b, ".dot line %d of user%d\r\n", j, i)
				} else {
					fmt.Fprintf(&b, "line %d of user%d: the quick brown fox jumps over the lazy dog\r\n", j, i)
				}
			}
			h := fnv.New64a()
			h.Write(b.Bytes())
			want[i], sizes[i] = h.Sum64(), b.Len()
			srv.AddUser(fmt.Sprintf("user%d", i), fmt.Sprintf("pw%d", i), b.Bytes())
		}
		_, port, _ := strings.Cut(srv.Addr(), ":")
		start := time.Now()
		out, err := ctest.Run(dir, bin, port, strconv.Itoa(n))
		require.NoError(t, err, "%s", out)
		t.Logf("%d clients on %d threads in %v", n, n, time.Since(start).Round(time.Millisecond))
		for i := range n {
			line := fmt.Sprintf("thread %d status 0x00 data %d fnv %016x", i, sizes[i], want[i])
			assert.Contains(t, out, line+"\n")
			assert.Empty(t, srv.Mailbox(fmt.Sprintf("user%d", i)).Messages(), "user%d: DELE then QUIT", i)
		}
		if t.Failed() {
			t.Logf("%s", out)
		}
		requirePoolBack(t, out)
	})
}
