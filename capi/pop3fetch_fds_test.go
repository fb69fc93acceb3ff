//go:build linux

package main

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
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
	env := []string{"XDG_CONFIG_HOME=" + t.TempDir(), "XDG_STATE_HOME=" + t.TempDir()}
	out, err := cRun(t, ctest.Plain, "/bin/sh", nil, env, "-c", `ulimit -n 64 && exec "$0" "$@"`,
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
	var lim syscall.Rlimit
	require.NoError(t, syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim))
	want := min(uint64(256+32), lim.Cur)

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	cmd := exec.Command(pop3fetchBin(t), "--server", ln.Addr().String(), "--user", "demo", "--timeout", "5",
		filepath.Join(t.TempDir(), "Maildir"))
	cmd.Env = append(os.Environ(), "POP3_PASSWORD=secret", "XDG_CONFIG_HOME="+t.TempDir(), "XDG_STATE_HOME="+t.TempDir())
	require.NoError(t, cmd.Start())
	defer cmd.Wait()
	defer cmd.Process.Kill()

	require.NoError(t, ln.(*net.TCPListener).SetDeadline(time.Now().Add(30*time.Second)))
	conn, err := ln.Accept()
	require.NoError(t, err, "pop3fetch did not connect")
	defer conn.Close()
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", cmd.Process.Pid))
	require.NoError(t, err)
	var size uint64
	for line := range strings.Lines(string(status)) {
		if v, ok := strings.CutPrefix(line, "FDSize:"); ok {
			size, err = strconv.ParseUint(strings.TrimSpace(v), 10, 64)
			require.NoError(t, err)
		}
	}
	require.GreaterOrEqual(t, size, want, "descriptor table of pop3fetch at connect time")
}
