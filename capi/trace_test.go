package main

import (
	"fmt"
	"strings"
	"testing"

	"github.com/nxpop3/nxpop3/internal/ctest"
	"github.com/nxpop3/nxpop3/pop3/pop3test"
	"github.com/stretchr/testify/require"
)

// TestCTrace: nx_pop3_options_debug hands the C callback the dialogue line
// by line (testdata/trace.c checks the context, the line ends and that
// nothing comes after delete), and for each way of logging in the secret
// shows only as "***".
func TestCTrace(t *testing.T) {
	t.Parallel()
	bin := ctest.Program(t, ctest.Plain, "testdata/trace.c")
	srv := pop3test.Start(t, pop3test.Options{Timestamp: testTimestamp})
	mbox := srv.AddUser("demo", "tr4ce-pw", plainMessages()...)
	mbox.SetToken("ya29.tr4ce-token")
	for _, tc := range []struct {
		name string
		auth int // NX_POP3_AUTH_*
		pw   string
		sent string // the masked credential line
	}{
		{"user", 1, "tr4ce-pw", "trace: C: PASS ***"},
		{"apop", 2, "tr4ce-pw", "trace: C: APOP demo ***"},
		{"plain", 3, "tr4ce-pw", "trace: C: AUTH PLAIN ***"},
		{"login", 4, "tr4ce-pw", "trace: C: ***"},
		{"cram-md5", 5, "tr4ce-pw", "trace: C: ***"},
		{"xoauth2", 6, "ya29.tr4ce-token", "trace: C: AUTH XOAUTH2 ***"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := cRun(t, ctest.Plain, bin, srv, []string{fmt.Sprintf("AUTH=%d", tc.auth), "POP3_PASSWORD=" + tc.pw})
			ctest.RequirePassed(t, out, err)
			require.Contains(t, out, "trace: S: +OK")
			require.Contains(t, out, tc.sent)
			require.Contains(t, out, "trace: C: STAT\n")
			require.Contains(t, out, "trace: C: NOOP\n")
			require.Contains(t, out, "trace: C: QUIT\n")
			require.NotContains(t, out, "tr4ce")
			require.Equal(t, 1, strings.Count(out, "trace: C: STAT\n"), "only the traced session shows")
		})
	}
}
