package main

// Stress tests of the C API, run by 'make stress' (NXPOP3_STRESS=1) and
// skipped otherwise: a 1 GiB message through message_get with the C
// process's peak RSS, 1000 sessions in a row with the file descriptors
// counted, and 50 clients on 50 threads at once.

import (
	"bytes"
	"fmt"
	"github.com/nxpop3/nxpop3/internal/ctest"
	"hash/fnv"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nxpop3/nxpop3/pop3/pop3test"
	"github.com/stretchr/testify/require"
)

func needStress(t *testing.T) {
	t.Helper()
	if os.Getenv("NXPOP3_STRESS") != "1" {
		t.Skip("stress test: set NXPOP3_STRESS=1 (make stress)")
	}
}

// buildStress builds the archive once and links testdata/stress_<name>.c.
func buildStress(t *testing.T, gcc, dir, lib, name string) string {
	t.Helper()
	bin := filepath.Join(dir, "stress_"+name)
	args := append(ctest.CFlags(), "-O2", "testdata/stress_"+name+".c",
		"-Wl,--whole-archive", lib, "-Wl,--no-whole-archive", "-lpthread", "-o", bin)
	out, err := ctest.Run(".", gcc, args...)
	require.NoError(t, err, "%s", out)
	return bin
}

var poolFree = regexp.MustCompile(`(?m)^pool free (\d+)/(\d+)$`)

func requirePoolBack(t *testing.T, out string) {
	t.Helper()
	m := poolFree.FindStringSubmatch(out)
	require.NotNil(t, m, "no pool line:\n%s", out)
	require.Equal(t, m[2], m[1], "packets not returned to the pool")
}

func TestStressC(t *testing.T) {
	needStress(t)
	gcc := ctest.NeedTool(t, "gcc")
	dir := t.TempDir()
	lib, out, err := ctest.BuildArchive(dir)
	require.NoError(t, err, "%s", out)

	t.Run("1 GiB message", func(t *testing.T) {
		bin := buildStress(t, gcc, dir, lib, "big")
		const size = 1 << 30
		srv, err := pop3test.NewBigMessageServer(size)
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
		if after-before > 200*1024 {
			t.Errorf("peak RSS grew by %d MiB streaming 1 GiB, want under 200 MiB", (after-before)/1024)
		}
		requirePoolBack(t, out)
	})

	t.Run("1000 sessions", func(t *testing.T) {
		bin := buildStress(t, gcc, dir, lib, "sessions")
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
		if after > before+2 {
			t.Errorf("open fds: %d after 1000 sessions, %d before: a leak", after, before)
		}
		requirePoolBack(t, out)
		require.Equal(t, 1001, srv.Sessions())
		require.Len(t, srv.Mailbox("mrose").Messages(), 1, "no DELE was sent, nothing may be gone")
	})

	t.Run("50 threads", func(t *testing.T) {
		const n = 50
		bin := buildStress(t, gcc, dir, lib, "threads")
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
			if !strings.Contains(out, line+"\n") {
				t.Errorf("want %q in the output", line)
			}
			if left := len(srv.Mailbox(fmt.Sprintf("user%d", i)).Messages()); left != 0 {
				t.Errorf("user%d: %d messages left, want 0 (DELE then QUIT)", i, left)
			}
		}
		if t.Failed() {
			t.Logf("%s", out)
		}
		requirePoolBack(t, out)
	})
}
