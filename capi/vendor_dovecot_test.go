package main

import (
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/nxpop3/nxpop3/build/dovecot"
	"github.com/nxpop3/nxpop3/internal/ctest"
)

// The vendor API against a real server: the vendor flow with APOP and with
// USER/PASS, deletion semantics, and 20 threads at once, against Dovecot.

func dovecotEnv(dc *dovecot.Server, user, pass string, more ...string) []string {
	return append([]string{"POP3_SERVER=" + dc.Addr(), "POP3_USER=" + user, "POP3_PASSWORD=" + pass}, more...)
}

func TestCVendorFlowDovecot(t *testing.T) {
	dc := dovecot.Start(t)
	for _, tc := range []struct {
		name         string
		apop, delete bool
	}{{"apop-delete", true, true}, {"user-pass-keep", false, false}} {
		t.Run(tc.name, func(t *testing.T) {
			user, pass := dc.NewUser(t)
			msgs := plainMessages()
			dc.Deliver(t, user, msgs...)
			dir := t.TempDir()
			bin := ctest.Program(t, ctest.Plain, "testdata/pop3_client_test.c")
			out, err := cRun(t, ctest.Plain, bin, nil, dovecotEnv(dc, user, pass, "OUT_DIR="+dir,
				"APOP="+map[bool]string{true: "1", false: "0"}[tc.apop],
				"DELETE="+map[bool]string{true: "1", false: "0"}[tc.delete]), "flow")
			ctest.RequirePassed(t, out, err)
			checkDownload(t, out, dir, msgs, tcpPacketRoom(1460))
			if tc.delete {
				require.Empty(t, dc.Messages(t, user), "QUIT must commit the deletions")
			} else {
				require.Equal(t, msgs, dc.Messages(t, user))
			}
		})
	}
}

func TestCDeletionDovecot(t *testing.T) {
	dc := dovecot.Start(t)
	bin := ctest.Program(t, ctest.Plain, "testdata/dovecot_dele.c")
	for _, tc := range []struct {
		mode string
		kept bool
	}{{"quit", false}, {"reset", true}, {"drop", true}} {
		t.Run(tc.mode, func(t *testing.T) {
			user, pass := dc.NewUser(t)
			msgs := plainMessages()
			dc.Deliver(t, user, msgs...)
			out, err := cRun(t, ctest.Plain, bin, nil, dovecotEnv(dc, user, pass, "MODE="+tc.mode))
			ctest.RequirePassed(t, out, err)
			require.Contains(t, out, fmt.Sprintf("items %d", len(msgs)))
			if tc.kept {
				require.Equal(t, msgs, dc.Messages(t, user), "nothing may be deleted without an acknowledged QUIT")
			} else {
				require.Empty(t, dc.Messages(t, user))
			}
		})
	}
}

// Dovecot lets sessions of one user run at once (pop3_lock_session = no),
// so 20 threads share one account and must each get all of its mail.
func TestCThreadsDovecot(t *testing.T) {
	dc := dovecot.Start(t)
	user, pass := dc.NewUser(t)
	// Not edgeMessages: Dovecot changes an empty message and a first line
	// that starts with a dot (see build/dovecot).
	msgs := append(plainMessages(), []byte("Subject: big\r\n\r\n"+strings.Repeat("0123456789abcdef..\r\n", 5000)))
	var total int
	for _, m := range msgs {
		total += len(m)
	}
	dc.Deliver(t, user, msgs...)
	bin := ctest.Program(t, ctest.Plain, "../cexamples/threads.c")
	out, err := cRun(t, ctest.Plain, bin, nil, dovecotEnv(dc, user, pass), "-n", "20")
	require.NoError(t, err, "%s", out)
	want := ": " + strconv.Itoa(len(msgs)) + " messages, " + strconv.Itoa(total) + " bytes\n"
	require.Equal(t, 20, strings.Count(out, want), "%s", out)
	require.Contains(t, out, "all 20 threads got the same mail")
	require.Equal(t, msgs, dc.Messages(t, user), "threads keep the mail")
}
