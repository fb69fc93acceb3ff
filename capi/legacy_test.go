package main

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nxpop3/nxpop3/build/dovecot"
	"github.com/nxpop3/nxpop3/internal/ctest"
	"github.com/nxpop3/nxpop3/pop3/pop3test"
	"github.com/stretchr/testify/require"
)

// These tests cover what a classic NetX Duo application needs beyond the
// POP3 calls: cexamples/legacy_demo.c, an application in the vendor's shape whose
// server address is hard-coded and redirected with NXPOP3_CONNECT_TO.

const (
	legacyDemoSource = "../cexamples/legacy_demo.c"

	// The account legacy_demo.c has hard-coded.
	legacyUser     = "testuser"
	legacyPassword = "testpwd"
)

// legacyMessages returns messages for the demo to download: short ones and
// one spanning many packets whose lines fill packets to the brim, so that
// printf("%s", nx_packet_prepend_ptr) relies on the NUL kept after the data.
func legacyMessages(tag string) [][]byte {
	var big strings.Builder
	big.WriteString("Subject: big " + tag + "\r\n\r\n")
	for i := 0; big.Len() < 20000; i++ {
		fmt.Fprintf(&big, "line %05d of the big message %s, padded to make packets full .....\r\n", i, tag)
	}
	big.WriteString(".leading dot survives un-stuffing\r\n")
	return [][]byte{
		[]byte("Subject: first " + tag + "\r\n\r\nHello from the first message.\r\n"),
		[]byte(big.String()),
		[]byte("Subject: third " + tag + "\r\n\r\nThe last one.\r\n"),
	}
}

// runLegacyDemo runs the demo with its hard-coded server redirected to addr.
func runLegacyDemo(t *testing.T, bin, addr string, env ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(bin)
	cmd.Dir = filepath.Dir(bin)
	cmd.Env = append(os.Environ(), "NXPOP3_CONNECT_TO="+addr)
	cmd.Env = append(cmd.Env, env...)
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	err := cmd.Run()
	return out.String(), err
}

// requireDemoOutput checks a successful run: every message printed whole,
// in order, and the closing line.
func requireDemoOutput(t *testing.T, out string, err error, msgs [][]byte) {
	t.Helper()
	require.NoError(t, err, "legacy_demo failed:\n%s", out)
	require.Contains(t, out, fmt.Sprintf("%d mail items", len(msgs)))
	rest := out
	for i, m := range msgs {
		j := strings.Index(rest, string(m))
		require.GreaterOrEqual(t, j, 0, "message %d not printed whole (or out of order):\n%s", i+1, out)
		rest = rest[j+len(m):]
	}
	require.Contains(t, out, "--- done")
}

// newLegacyServer starts a pop3test server (APOP available) holding msgs for
// the demo's hard-coded account.
func newLegacyServer(t *testing.T, msgs [][]byte) (*pop3test.Server, *pop3test.Mailbox) {
	t.Helper()
	srv, err := pop3test.NewServer(pop3test.Options{})
	require.NoError(t, err)
	t.Cleanup(func() { srv.Close() })
	return srv, srv.AddUser(legacyUser, legacyPassword, msgs...)
}

// requireAPOP checks that the demo logged in with APOP, as it asks to.
func requireAPOP(t *testing.T, srv *pop3test.Server) {
	t.Helper()
	var apop bool
	for _, c := range srv.Commands() {
		if strings.HasPrefix(c, "APOP "+legacyUser+" ") {
			apop = true
		}
		require.False(t, strings.HasPrefix(c, "PASS"), "the demo sent PASS: %q", c)
	}
	require.True(t, apop, "no APOP in %q", srv.Commands())
}

func TestLegacyDemoPOP3Test(t *testing.T) {
	// Plain builds with -O2, as the Makefile builds the examples: it
	// enables more warnings.
	bin := ctest.Program(t, ctest.Plain, legacyDemoSource)

	msgs := legacyMessages("pop3test")
	srv, mb := newLegacyServer(t, msgs)
	// Without POP3_DELETE=1 the demo reads and keeps: a run against a real
	// account must not empty it.
	out, err := runLegacyDemo(t, bin, srv.Addr())
	requireDemoOutput(t, out, err, msgs)
	require.Equal(t, msgs, mb.Messages(), "the demo deleted mail without POP3_DELETE=1")
	require.NotContains(t, srv.Commands(), "DELE 1")

	out, err = runLegacyDemo(t, bin, srv.Addr(), "POP3_DELETE=1")
	requireDemoOutput(t, out, err, msgs)
	requireAPOP(t, srv)
	require.Empty(t, mb.Messages(), "the demo deletes every item and quits")

	// An empty mailbox is a success too.
	out, err = runLegacyDemo(t, bin, srv.Addr())
	requireDemoOutput(t, out, err, nil)

	// Without the redirection the demo goes to its hard-coded address; with a
	// redirection to a closed port it reports the failure in its exit status.
	closed, cerr := pop3test.NewServer(pop3test.Options{})
	require.NoError(t, cerr)
	addr := closed.Addr()
	closed.Close()
	out, err = runLegacyDemo(t, bin, addr)
	require.Error(t, err, "%s", out)
	require.Contains(t, out, "Error creating the POP3 client")
}

func TestLegacyDemoDovecot(t *testing.T) {
	dc := dovecot.Start(t)
	bin := ctest.Program(t, ctest.Plain, legacyDemoSource)

	user, password := dc.NewUser(t)
	msgs := legacyMessages("dovecot")
	dc.Deliver(t, user, msgs...)
	// The demo's hard-coded account is replaced through the environment:
	// Dovecot's users have generated names and passwords.
	out, err := runLegacyDemo(t, bin, dc.Addr(), "POP3_USER="+user, "POP3_PASSWORD="+password)
	requireDemoOutput(t, out, err, msgs)
	require.Equal(t, msgs, dc.Messages(t, user), "the demo deleted mail without POP3_DELETE=1")

	out, err = runLegacyDemo(t, bin, dc.Addr(), "POP3_USER="+user, "POP3_PASSWORD="+password, "POP3_DELETE=1")
	requireDemoOutput(t, out, err, msgs)
	require.Empty(t, dc.Messages(t, user), "the demo deletes every item and quits")
}

// TestLegacyDemoMemory runs the demo against pop3test under AddressSanitizer
// (the archive's C code instrumented too), or valgrind where ASan is
// unusable.
func TestLegacyDemoMemory(t *testing.T) {
	msgs := legacyMessages("asan")
	srv, mb := newLegacyServer(t, msgs)

	ctest.ASanOrValgrind(t, legacyDemoSource, func(bin string) {
		out, err := runLegacyDemo(t, bin, srv.Addr(), ctest.ASanOptions, "POP3_DELETE=1")
		requireDemoOutput(t, out, err, msgs)
		require.NotContains(t, out, "AddressSanitizer")
		require.Empty(t, mb.Messages())
	}, func(bin, valgrind string) {
		cmd := exec.Command(valgrind, ctest.ValgrindArgs(bin)...)
		cmd.Env = append(os.Environ(), "NXPOP3_CONNECT_TO="+srv.Addr(), "POP3_DELETE=1")
		b, err := cmd.CombinedOutput()
		requireDemoOutput(t, string(b), err, msgs)
		require.Empty(t, mb.Messages())
	})
}

// TestLegacyDemoByName runs the demo with the server's name and port given
// instead of its hard-coded ones and no redirection: it connects only if the
// DNS client resolved the name (to the host's loopback). A name that does
// not resolve is reported, and the demo falls back to its configured
// address (redirected here).
func TestLegacyDemoByName(t *testing.T) {
	bin := ctest.Program(t, ctest.Plain, legacyDemoSource)
	msgs := legacyMessages("byname")
	srv, mb := newLegacyServer(t, msgs)
	host, port, err := net.SplitHostPort(srv.Addr())
	require.NoError(t, err)
	require.Equal(t, "127.0.0.1", host)

	cmd := exec.Command(bin)
	cmd.Env = append(os.Environ(), "POP3_SERVER_NAME=localhost", "POP3_SERVER_PORT="+port, "POP3_DELETE=1")
	b, err := cmd.CombinedOutput()
	out := string(b)
	require.Contains(t, out, "resolved localhost to 127.0.0.1")
	requireDemoOutput(t, out, err, msgs)
	require.Empty(t, mb.Messages())

	out, err = runLegacyDemo(t, bin, srv.Addr(), "POP3_SERVER_NAME=no-such-host.invalid")
	require.Contains(t, out, "DNS lookup of no-such-host.invalid failed: 0xa3; using 192.168.1.10")
	requireDemoOutput(t, out, err, nil)
}
