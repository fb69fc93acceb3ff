//go:build linux

package main

import (
	"fmt"
	"math"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nxpop3/nxpop3/internal/ctest"
	"github.com/nxpop3/nxpop3/pop3/pop3test"
	"github.com/stretchr/testify/require"
)

// pop3fetch holds each file of a Maildir batch open until the batch is
// durable (deliver.c): these tests check that it stays within the limit on
// open files and that its table of descriptors is sized up front.

// TestPop3fetchOpenFileLimit: under a limit of 64 open files (ulimit -n), a
// run of 300 messages stores and deletes them all; the batch used to keep
// up to 256 files open and failed with EMFILE ("Too many open files").
func TestPop3fetchOpenFileLimit(t *testing.T) {
	t.Parallel()
	msgs := pfMessages("fdlimit", 300, 300)
	srv := pop3test.Start(t, pop3test.Options{Pipelining: true})
	mbox := srv.AddUser("demo", "secret", msgs...)
	md := filepath.Join(t.TempDir(), "Maildir")
	out, err := cRun(t, ctest.Plain, "/bin/sh", nil, pfEnv(t, nil), "-c", `ulimit -n 64 && exec "$0" "$@"`,
		pop3fetchBin(t), "--server", srv.Addr(), "--user", "demo", "--delete", md)
	require.NoError(t, err, "%s", out)
	require.Contains(t, out, "300 stored")
	requireExactlyOnce(t, md, msgs)
	require.Empty(t, mbox.Messages(), "all deleted")
}

// TestPop3fetchReservesDescriptors: by the time pop3fetch connects, its
// table of descriptors already holds a full batch (256 files) and the
// reserve, so that growing it never stalls the fetch: in a process with
// threads, Linux grows the table only after an RCU grace period (6 to
// 20 ms on this project's machines). /proc/PID/status shows the size.
func TestPop3fetchReservesDescriptors(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	cmd := exec.Command(pop3fetchBin(t), "--server", ln.Addr().String(), "--user", "demo", "--timeout", "5",
		filepath.Join(t.TempDir(), "Maildir"))
	cmd.Env = append(os.Environ(), pfEnv(t, []string{"POP3_PASSWORD=secret"})...)
	require.NoError(t, cmd.Start())
	defer cmd.Wait()
	defer cmd.Process.Kill()

	require.NoError(t, ln.(*net.TCPListener).SetDeadline(time.Now().Add(30*time.Second)))
	conn, err := ln.Accept()
	require.NoError(t, err, "pop3fetch did not connect")
	defer conn.Close()
	size := procField(t, cmd.Process.Pid, "status", "FDSize:")
	// Its own limit on open files, which Go restores for children to
	// what the test process started with: the table stops below it.
	limit := procField(t, cmd.Process.Pid, "limits", "Max open files")
	require.GreaterOrEqual(t, size, min(256+32, limit), "descriptor table of pop3fetch at connect time")
}

// procField reads the first number after prefix in /proc/PID/file
// ("unlimited" reads as the largest number).
func procField(t *testing.T, pid int, file, prefix string) uint64 {
	t.Helper()
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/%s", pid, file))
	require.NoError(t, err)
	for line := range strings.Lines(string(data)) {
		if v, ok := strings.CutPrefix(line, prefix); ok {
			f := strings.Fields(v)
			require.NotEmpty(t, f, "%s in /proc/%d/%s", prefix, pid, file)
			if f[0] == "unlimited" {
				return math.MaxUint64
			}
			n, err := strconv.ParseUint(f[0], 10, 64)
			require.NoError(t, err, "%s in /proc/%d/%s", prefix, pid, file)
			return n
		}
	}
	t.Fatalf("no %q in /proc/%d/%s", prefix, pid, file)
	return 0
}
