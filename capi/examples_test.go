package main

import (
	"bytes"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/nxpop3/nxpop3/internal/ctest"
	"github.com/nxpop3/nxpop3/internal/testenv"
	"github.com/nxpop3/nxpop3/pop3/pop3test"
	"github.com/stretchr/testify/require"
)

// The C examples are built from their source with the Makefile's flags
// (-std=c99 -Wall -Wextra -Werror -O2) and run against pop3test.

// TestCExampleDemo: the vendor-shaped demo prints every message and keeps
// them all on the server; only POP3_DELETE=1 makes it delete them.
func TestCExampleDemo(t *testing.T) {
	t.Parallel()
	srv := pop3test.Start(t, pop3test.Options{})
	msgs := plainMessages()
	mbox := srv.AddUser("demo", "secret", msgs...)
	bin := ctest.Program(t, ctest.Plain, "../cexamples/demo.c")

	for _, env := range [][]string{nil, {"POP3_DELETE=0"}, {"POP3_DELETE=yes"}} {
		out, err := cRun(t, ctest.Plain, bin, srv, env)
		require.NoError(t, err, "%s", out)
		for _, m := range msgs {
			require.Contains(t, out, string(m))
		}
		require.Contains(t, out, "kept 3 messages on the server (POP3_DELETE=1 deletes them)")
		require.Equal(t, msgs, mbox.Messages(), "the demo deleted mail without POP3_DELETE=1 (%q)", env)
		require.NotContains(t, srv.Commands(), "DELE 1")
	}

	out, err := cRun(t, ctest.Plain, bin, srv, []string{"POP3_DELETE=1"})
	require.NoError(t, err, "%s", out)
	require.Contains(t, out, "--- deleted 3 messages")
	require.Contains(t, out, "--- done")
	require.Empty(t, mbox.Messages())
}

// TestCExampleThreads: 8 threads, each with its own pool and client and
// its own account holding the same mail, all get every byte.
func TestCExampleThreads(t *testing.T) {
	t.Parallel()
	srv := pop3test.Start(t, pop3test.Options{Faults: &pop3test.Faults{WriteChunk: 4096}})
	msgs := append(plainMessages(), edgeMessages(1404)...)
	var total int
	for _, m := range msgs {
		total += len(m)
	}
	for i := 1; i <= 8; i++ {
		srv.AddUser("worker"+strconv.Itoa(i), "secret", msgs...)
	}
	bin := ctest.Program(t, ctest.Plain, "../cexamples/threads.c")
	out, err := cRun(t, ctest.Plain, bin, srv, []string{"POP3_USER=worker%d"}, "-n", "8")
	require.NoError(t, err, "%s", out)
	for i := 1; i <= 8; i++ {
		require.Contains(t, out, "thread "+strconv.Itoa(i)+" (worker"+strconv.Itoa(i)+"): "+
			strconv.Itoa(len(msgs))+" messages, "+strconv.Itoa(total)+" bytes\n")
	}
	require.Contains(t, out, "all 8 threads got the same mail")

	// A thread that fails makes the example fail, with the server's text.
	out, err = cRun(t, ctest.Plain, bin, srv, []string{"POP3_USER=worker%d", "POP3_PASSWORD=wrong"}, "-n", "2")
	require.Error(t, err, "%s", out)
	require.Contains(t, out, "invalid credentials")
	require.Contains(t, out, "FAILED")
}

// maildirFiles returns the contents of the files in dir, sorted by name
// (the Maildir names of one run sort in delivery order).
func maildirFiles(t *testing.T, dir string) [][]byte {
	t.Helper()
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	var out [][]byte
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		require.NoError(t, err)
		out = append(out, b)
	}
	return out
}

// TestCExamplePOP3Fetch: pop3fetch fills a Maildir with exactly the stored
// messages, leaves tmp/ empty, deletes only with --delete, reads the
// password from the environment or a file, speaks IPv6, and fails with the
// server's error text.
func TestCExamplePOP3Fetch(t *testing.T) {
	t.Parallel()
	bin := pop3fetchProgram(t, ctest.Plain)
	msgs := append(plainMessages(), edgeMessages(1404)...)
	sortedByDelivery := func(got [][]byte) { require.Len(t, got, len(msgs)) }

	t.Run("keep", func(t *testing.T) {
		srv := pop3test.Start(t, pop3test.Options{})
		mbox := srv.AddUser("demo", "secret", msgs...)
		md := filepath.Join(t.TempDir(), "Maildir")
		out, err := cRun(t, ctest.Plain, bin, srv, nil, "--server", srv.Addr(), "--user", "demo", "--keep-crlf", md)
		require.NoError(t, err, "%s", out)
		got := maildirFiles(t, filepath.Join(md, "new"))
		sortedByDelivery(got)
		for _, m := range msgs {
			require.True(t, slices.ContainsFunc(got, func(b []byte) bool { return bytes.Equal(b, m) }), "message of %d bytes missing", len(m))
		}
		require.Empty(t, maildirFiles(t, filepath.Join(md, "tmp")))
		require.Equal(t, msgs, mbox.Messages())
		require.Equal(t, "QUIT", srv.Commands()[len(srv.Commands())-1])
		require.NotContains(t, strings.Join(srv.Commands(), "\n"), "DELE")
	})

	t.Run("delete-apop-password-file", func(t *testing.T) {
		srv := pop3test.Start(t, pop3test.Options{Timestamp: testTimestamp})
		mbox := srv.AddUser("demo", "s3cret pass", msgs...)
		pw := filepath.Join(t.TempDir(), "pw")
		require.NoError(t, os.WriteFile(pw, []byte("s3cret pass\n"), 0o600))
		md := filepath.Join(t.TempDir(), "Maildir")
		out, err := cRun(t, ctest.Plain, bin, srv, []string{"POP3_PASSWORD="},
			"--server", srv.Addr(), "--user", "demo", "--apop", "--delete", "--password-file", pw, md)
		require.NoError(t, err, "%s", out)
		require.Len(t, maildirFiles(t, filepath.Join(md, "new")), len(msgs))
		require.Empty(t, mbox.Messages())
		require.Equal(t, apopLine("demo", testTimestamp, "s3cret pass"), srv.Commands()[0])
	})

	t.Run("ipv6", func(t *testing.T) {
		srv, err := pop3test.NewServerOn("tcp6", "[::1]:0", pop3test.Options{})
		if err != nil {
			testenv.IPv6.Unavailable(t, "no IPv6 loopback: %v", err)
		}
		t.Cleanup(func() { srv.Close() })
		srv.AddUser("demo", "secret", msgs[:2]...)
		md := filepath.Join(t.TempDir(), "Maildir")
		host, port, _ := net.SplitHostPort(srv.Addr())
		out, err := cRun(t, ctest.Plain, bin, nil, nil, "--server", "["+host+"]:"+port, "--user", "demo", md)
		require.NoError(t, err, "%s", out)
		require.Len(t, maildirFiles(t, filepath.Join(md, "new")), 2)
	})

	t.Run("errors", func(t *testing.T) {
		srv := pop3test.Start(t, pop3test.Options{})
		mbox := srv.AddUser("demo", "secret", msgs...)
		md := filepath.Join(t.TempDir(), "Maildir")
		out, err := cRun(t, ctest.Plain, bin, srv, []string{"POP3_PASSWORD=wrong"}, "--server", srv.Addr(), "--user", "demo", "--delete", md)
		require.Error(t, err)
		require.Contains(t, out, "invalid credentials")
		require.NotContains(t, out, "wrong")

		out, err = cRun(t, ctest.Plain, bin, srv, nil, "--server", srv.Addr(), "--user", "demo", "--password", "secret", md)
		require.Error(t, err, "a password on the command line must be refused")
		require.Contains(t, out, "usage")

		out, err = cRun(t, ctest.Plain, bin, nil, nil, "--help")
		require.NoError(t, err)
		require.Contains(t, out, "usage")

		// A connection that breaks inside a message: nothing in new/, and
		// nothing deleted.
		broken := pop3test.Start(t, pop3test.Options{Faults: &pop3test.Faults{CloseAfterBytes: 2000}})
		bmbox := broken.AddUser("demo", "secret", msgs...)
		out, err = cRun(t, ctest.Plain, bin, broken, nil, "--server", broken.Addr(), "--user", "demo", "--delete", md)
		require.Error(t, err, "%s", out)
		require.Contains(t, out, "(NX_NOT_CONNECTED, 0x38)")
		require.Empty(t, maildirFiles(t, filepath.Join(md, "tmp")))
		require.Less(t, len(maildirFiles(t, filepath.Join(md, "new"))), len(msgs))
		require.Equal(t, msgs, bmbox.Messages())
		require.Equal(t, msgs, mbox.Messages())
	})
}

// TestCExampleStatusCodes: the table lists every status a caller can
// meet, and the provoked ones come out as documented.
func TestCExampleStatusCodes(t *testing.T) {
	t.Parallel()
	bin := ctest.Program(t, ctest.Plain, "../cexamples/status_codes.c")
	out, err := cRun(t, ctest.Plain, bin, nil, nil, "--list")
	require.NoError(t, err, "%s", out)
	for _, name := range []string{"NX_SUCCESS", "NX_NO_PACKET", "NX_PTR_ERROR", "NX_SIZE_ERROR", "NX_NOT_ENABLED",
		"NX_NO_RESPONSE", "NX_NOT_CONNECTED", "NX_NOT_SUCCESSFUL", "NX_NOT_FOUND", "NX_WAIT_ABORTED",
		"NX_POP3_PARAM_ERROR", "NX_POP3_INVALID_MAIL_ITEM", "NX_POP3_SERVER_ERROR_STATUS",
		"NX_POP3_INSUFFICIENT_PACKET_PAYLOAD", "NX_POP3_CLIENT_INVALID_STATE", "NX_POP3_CLIENT_INVALID_INDEX",
		"NX_POP3_TLS_ERROR"} {
		require.Contains(t, out, " "+name+" ")
	}

	srv := pop3test.Start(t, pop3test.Options{})
	srv.AddUser("demo", "secret", plainMessages()...)
	out, err = cRun(t, ctest.Plain, bin, srv, nil)
	require.NoError(t, err, "%s", out)
	for _, want := range []string{
		"create (wrong password)          -> 0xB4 NX_POP3_SERVER_ERROR_STATUS",
		"invalid credentials",
		"create                           -> 0x00 NX_SUCCESS",
		"message_get before item_get      -> 0xB7 NX_POP3_CLIENT_INVALID_STATE",
		"mail_item_get(0)                 -> 0xB8 NX_POP3_CLIENT_INVALID_INDEX",
		"mail_item_get(items + 1)         -> 0xB2 NX_POP3_INVALID_MAIL_ITEM",
		"quit again                       -> 0x38 NX_NOT_CONNECTED",
		"delete again                     -> 0x07 NX_PTR_ERROR",
	} {
		require.Contains(t, out, want)
	}
	require.NotContains(t, out, "not-the-password")
}
