package main

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/nxpop3/nxpop3/internal/ctest"
	"github.com/nxpop3/nxpop3/pop3/pop3test"
)

// TestCLongCredentials: a 112-character name with a 200-byte password logs
// in with USER/PASS and with APOP, and with a 10 000-byte OAuth token over
// XOAUTH2; over 64 KiB, empty names and CR/LF are refused before anything
// is sent.
func TestCLongCredentials(t *testing.T) {
	t.Parallel()
	srv := pop3test.Start(t, pop3test.Options{})
	name := strings.Repeat("n", 100) + "@example.com"
	password := strings.Repeat("p", 200)
	token := strings.Repeat("t", 10000)
	srv.AddUser(name, password, plainMessages()[:1]...).SetToken(token)
	out, err := cRun(t, ctest.Plain, ctest.Program(t, ctest.Plain, "testdata/long_credentials.c"), srv,
		[]string{"LONG_NAME=" + name, "LONG_PASSWORD=" + password, "TOKEN=" + token})
	ctest.RequirePassed(t, out, err)
	require.Contains(t, out, "pool free 8/8")
	require.Equal(t, 4, srv.Sessions(), "the refused creates never connected (three logins and the empty password)")
	for _, cmd := range srv.Commands() {
		require.NotContains(t, cmd, "DELE")
	}
}
