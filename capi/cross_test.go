package main

import (
	"context"
	"net"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/nxpop3/nxpop3/internal/ctest"
	"github.com/nxpop3/nxpop3/pop3/pop3test"
)

// crossRun runs a cross-built C program under qemu-user with cRun's
// environment (the account demo/secret, POP3_SERVER when srv is given).
func crossRun(t *testing.T, tg ctest.Target, bin string, srv *pop3test.Server, env []string, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := tg.Command(ctx, bin, args...)
	cmd.Dir = t.TempDir()
	cmd.Env = append(os.Environ(), "POP3_USER=demo", "POP3_PASSWORD=secret")
	if srv != nil {
		cmd.Env = append(cmd.Env, "POP3_SERVER="+srv.Addr())
	}
	cmd.Env = append(cmd.Env, env...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// TestCrossVendorFlow runs the vendor's flow (TestCVendorFlow's APOP case:
// create, count, per item size, get and message_get, delete, quit) from the
// C test program cross-built for each embedded Linux target, under
// qemu-user against pop3test: the same bytes on the wire, every message
// byte-identical in the packets.
func TestCrossVendorFlow(t *testing.T) {
	ctest.ForEachTarget(t, func(t *testing.T, tg ctest.Target) {
		bin := tg.Program(t, "testdata/pop3_client_test.c")
		srv := pop3test.Start(t, pop3test.Options{Timestamp: testTimestamp})
		msgs := plainMessages()
		mbox := srv.AddUser("demo", "secret", msgs...)
		dir := t.TempDir()
		out, err := crossRun(t, tg, bin, srv, []string{"OUT_DIR=" + dir, "APOP=1", "DELETE=1"}, "flow")
		ctest.RequirePassed(t, out, err)
		checkDownload(t, out, dir, msgs, tcpPacketRoom(1460))
		want := append([]string{apopLine("demo", testTimestamp, "secret")}, transaction(len(msgs), true)...)
		require.Equal(t, want, srv.Commands())
		require.Empty(t, mbox.Messages(), "QUIT must commit the deletions")
	})
}

// TestCrossLegacyDemo runs cexamples/legacy_demo.c cross-built for each
// target under qemu-user: ThreadX threads, the DNS client resolving the
// server's name (so it connects only if the name resolved), the download
// printed packet by packet.
func TestCrossLegacyDemo(t *testing.T) {
	ctest.ForEachTarget(t, func(t *testing.T, tg ctest.Target) {
		bin := tg.Program(t, legacyDemoSource)
		msgs := legacyMessages("cross-" + tg.Name)
		srv, mb := newLegacyServer(t, msgs)
		_, port, err := net.SplitHostPort(srv.Addr())
		require.NoError(t, err)
		out, err := crossRun(t, tg, bin, nil, []string{"POP3_USER=" + legacyUser, "POP3_PASSWORD=" + legacyPassword,
			"POP3_SERVER_NAME=localhost", "POP3_SERVER_PORT=" + port, "POP3_DELETE=1"})
		require.Contains(t, out, "resolved localhost to 127.0.0.1")
		requireDemoOutput(t, out, err, msgs)
		requireAPOP(t, srv)
		require.Empty(t, mb.Messages())
	})
}
