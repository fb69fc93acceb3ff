//go:build linux

package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
	"unsafe"

	"github.com/nxpop3/nxpop3/build/dovecot"
	"github.com/nxpop3/nxpop3/internal/ctest"
	"github.com/nxpop3/nxpop3/internal/testenv"
	"github.com/nxpop3/nxpop3/pop3/pop3test"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// cexamples/pop3fetch as a user runs it: every option against pop3test,
// --only-new against Dovecot, and runs killed with SIGKILL at several
// points, after which a rerun neither loses nor duplicates a message.

// pop3fetchSources are cexamples/pop3fetch's files besides main.c.
var pop3fetchSources = []string{"../cexamples/pop3fetch/config.c", "../cexamples/pop3fetch/deliver.c",
	"../cexamples/pop3fetch/fetch.c", "../cexamples/pop3fetch/state.c"}

// pop3fetchProgram builds pop3fetch for v, once per test binary.
func pop3fetchProgram(t testing.TB, v ctest.Variant) string {
	t.Helper()
	return ctest.Program(t, v, "../cexamples/pop3fetch/main.c", pop3fetchSources...)
}

func pop3fetchBin(t *testing.T) string {
	t.Helper()
	return pop3fetchProgram(t, ctest.Plain)
}

// pfRun runs pop3fetch with the default account demo/secret in the
// environment (cRun's), plus env, and returns its output and exit code.
func pfRun(t *testing.T, env []string, args ...string) (string, int) {
	t.Helper()
	out, err := cRun(t, ctest.Plain, pop3fetchBin(t), nil, pfEnv(t, env), args...)
	var ee *exec.ExitError
	switch {
	case err == nil:
		return out, 0
	case errors.As(err, &ee):
		return out, ee.ExitCode()
	}
	t.Fatalf("pop3fetch: %v\n%s", err, out)
	return "", -1
}

// pfEnv is env after a config and state directory of the test's own, so
// that no config file or state of the user running the tests counts.
func pfEnv(t *testing.T, env []string) []string {
	return append([]string{"XDG_CONFIG_HOME=" + t.TempDir(), "XDG_STATE_HOME=" + t.TempDir()}, env...)
}

// pfOK runs pop3fetch and requires exit status 0.
func pfOK(t *testing.T, env []string, args ...string) string {
	t.Helper()
	out, code := pfRun(t, env, args...)
	require.Equal(t, 0, code, "%s", out)
	return out
}

// pfMessages makes n distinct messages of about size bytes, with CRLF
// line endings and dot-stuffed lines, as Dovecot returns them unchanged.
func pfMessages(tag string, n, size int) [][]byte {
	msgs := make([][]byte, n)
	for i := range msgs {
		var b strings.Builder
		fmt.Fprintf(&b, "Subject: %s %d\r\nMessage-ID: <%d.%s@pop3fetch>\r\n\r\n", tag, i+1, i+1, tag)
		for line := 0; b.Len() < size; line++ {
			if line%7 == 3 {
				b.WriteString(".dot-stuffed line\r\n")
			} else {
				fmt.Fprintf(&b, "line %d of %s message %d\r\n", line, tag, i+1)
			}
		}
		msgs[i] = []byte(b.String())
	}
	return msgs
}

// pfMaildir returns the messages in new/ and cur/ of md, sorted by
// content, and requires tmp/ to be empty.
func pfMaildir(t *testing.T, md string) [][]byte {
	t.Helper()
	var got [][]byte
	for _, sub := range []string{"new", "cur"} {
		got = append(got, maildirFiles(t, filepath.Join(md, sub))...)
	}
	require.Empty(t, maildirFiles(t, filepath.Join(md, "tmp")), "tmp/ of %s", md)
	slices.SortFunc(got, bytes.Compare)
	return got
}

// toLF is msgs as pop3fetch stores them by default: CRLF made LF (a lone
// CR or LF stays as it is).
func toLF(msgs [][]byte) [][]byte {
	out := make([][]byte, len(msgs))
	for i, m := range msgs {
		out[i] = bytes.ReplaceAll(m, []byte("\r\n"), []byte("\n"))
	}
	return out
}

// requireExactlyOnce: the Maildir holds each of msgs once, with LF line
// ends, and nothing else.
func requireExactlyOnce(t *testing.T, md string, msgs [][]byte) {
	t.Helper()
	requireExactlyOnceAs(t, md, toLF(msgs))
}

// requireExactlyOnceAs: the Maildir holds each of msgs once, byte for
// byte, and nothing else.
func requireExactlyOnceAs(t *testing.T, md string, msgs [][]byte) {
	t.Helper()
	want := slices.Clone(msgs)
	slices.SortFunc(want, bytes.Compare)
	got := pfMaildir(t, md)
	if !slices.EqualFunc(got, want, bytes.Equal) {
		seen := map[string]int{}
		for _, m := range got {
			seen[string(m)]++
		}
		var missing, dup int
		for _, m := range want {
			switch seen[string(m)] {
			case 0:
				missing++
			case 1:
			default:
				dup++
			}
		}
		t.Fatalf("Maildir %s: %d files, want %d: %d missing, %d duplicated", md, len(got), len(want), missing, dup)
	}
}

func writeFile(t *testing.T, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(path, data, 0o600))
	return path
}

func countCmd(cmds []string, prefix string) int {
	n := 0
	for _, c := range cmds {
		if strings.HasPrefix(c, prefix) {
			n++
		}
	}
	return n
}

var storedLine = regexp.MustCompile(`(?m)^([0-9]+) stored \(`)

// storedCount reads the summary line's count of stored messages.
func storedCount(t *testing.T, out string) int {
	t.Helper()
	m := storedLine.FindStringSubmatch(out)
	require.NotNil(t, m, "no summary in:\n%s", out)
	n, _ := strconv.Atoi(m[1])
	return n
}

// TestPop3fetchLogin: each --auth method, the secret from the environment,
// a named variable or a file (a token for XOAUTH2), and never from argv.
func TestPop3fetchLogin(t *testing.T) {
	t.Parallel()
	msgs := append(plainMessages(), edgeMessages(tcpPacketRoom(8192))...)
	pwFile := writeFile(t, "pw", []byte("file secret\n"))
	tokenFile := writeFile(t, "token", []byte("ya29.token-from-file\r\n"))

	cases := []struct {
		name string
		opts pop3test.Options
		env  []string
		args []string
		sent string // the start of a line the server must have received
	}{
		{name: "default apop", opts: pop3test.Options{Timestamp: testTimestamp}, sent: apopLine("demo", testTimestamp, "secret")},
		{name: "default apop without timestamp falls back", opts: pop3test.Options{NoTimestamp: true}, sent: "PASS secret"},
		{name: "user", args: []string{"--auth", "user"}, sent: "USER demo"},
		{name: "plain", args: []string{"--auth", "plain"}, sent: "AUTH PLAIN"},
		{name: "login", args: []string{"--auth", "login"}, sent: "AUTH LOGIN"},
		{name: "cram-md5", args: []string{"--auth", "cram-md5", "--strict"}, sent: "AUTH CRAM-MD5"},
		{name: "auto", args: []string{"--auth", "auto"}, sent: "AUTH CRAM-MD5"},
		{name: "password-env", env: []string{"MY_PW=other secret"}, args: []string{"--auth", "user", "--password-env", "MY_PW"}, sent: "PASS other secret"},
		{name: "password-file", env: []string{"POP3_PASSWORD="}, args: []string{"--auth", "user", "--password-file", pwFile}, sent: "PASS file secret"},
		{name: "xoauth2 token-file", args: []string{"--auth", "xoauth2", "--token-file", tokenFile}, sent: "AUTH XOAUTH2"},
		{name: "xoauth2 POP3_TOKEN", env: []string{"POP3_TOKEN=ya29.token-from-file"}, args: []string{"--auth", "xoauth2"}, sent: "AUTH XOAUTH2"},
		{name: "xoauth2 token-env", env: []string{"TOK=ya29.token-from-file"}, args: []string{"--auth", "xoauth2", "--token-env", "TOK"}, sent: "AUTH XOAUTH2"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := pop3test.Start(t, tc.opts)
			password := "secret"
			if strings.Contains(tc.name, "password-env") {
				password = "other secret"
			} else if strings.Contains(tc.name, "password-file") {
				password = "file secret"
			}
			mbox := srv.AddUser("demo", password, msgs...)
			mbox.SetToken("ya29.token-from-file")
			md := filepath.Join(t.TempDir(), "Maildir")
			args := append([]string{"--server", srv.Addr(), "--user", "demo"}, tc.args...)
			out := pfOK(t, tc.env, append(args, md)...)
			requireExactlyOnce(t, md, msgs)
			require.Positive(t, countCmd(srv.Commands(), tc.sent), "%q not sent: %q\n%s", tc.sent, srv.Commands(), out)
			require.Equal(t, msgs, mbox.Messages(), "--keep is the default")
			require.Zero(t, countCmd(srv.Commands(), "DELE"))
			require.Contains(t, out, fmt.Sprintf("%d stored", len(msgs)))
			// Not a terminal: no progress line.
			require.NotContains(t, out, "\r")
			require.NotContains(t, out, "fetching")
		})
	}

	t.Run("refused", func(t *testing.T) {
		t.Parallel()
		srv := pop3test.Start(t, pop3test.Options{})
		srv.AddUser("demo", "secret", msgs...)
		md := filepath.Join(t.TempDir(), "Maildir")
		base := []string{"--server", srv.Addr(), "--user", "demo"}

		for _, flag := range []string{"--password", "--token", "--password=secret"} {
			args := append(slices.Clone(base), flag)
			if !strings.Contains(flag, "=") {
				args = append(args, "secret")
			}
			out, code := pfRun(t, nil, append(args, md)...)
			require.Equal(t, 64, code, "%s", out)
			require.Contains(t, out, "refusing a password")
		}
		out, code := pfRun(t, []string{"POP3_PASSWORD="}, append(base, md)...)
		require.Equal(t, 64, code, "%s", out)
		require.Contains(t, out, "no password")
		out, code = pfRun(t, nil, append(base, "--password-file", "/nonexistent/pw", md)...)
		require.Equal(t, 78, code, "%s", out)
		require.Zero(t, srv.Sessions(), "nothing may be sent without a usable secret")

		// --strict never sends a password in clear text.
		out, code = pfRun(t, nil, append(base, "--auth", "user", "--strict", md)...)
		require.Equal(t, 69, code, "%s", out)
		require.Contains(t, out, "(NX_POP3_TLS_ERROR, 0xB9)")
		require.NotContains(t, strings.Join(srv.Commands(), "\n"), "secret")

		// A wrong password: the server's text, never the password.
		out, code = pfRun(t, []string{"POP3_PASSWORD=wrong-pw"}, append(base, "--auth", "plain", md)...)
		require.Equal(t, 77, code, "%s", out)
		require.Contains(t, out, "(NX_POP3_SERVER_ERROR_STATUS, 0xB4)")
		require.Contains(t, out, "invalid credentials")
		require.NotContains(t, out, "wrong-pw")
		// A wrong token.
		out, code = pfRun(t, []string{"POP3_TOKEN=bad"}, append(base, "--auth", "xoauth2", md)...)
		require.Equal(t, 77, code, "%s", out)
		require.Contains(t, out, "(NX_POP3_SERVER_ERROR_STATUS, 0xB4)")
	})

	t.Run("usage", func(t *testing.T) {
		t.Parallel()
		out, code := pfRun(t, nil, "--help")
		require.Equal(t, 0, code)
		for _, want := range []string{"usage", "pop.gmail.com:995", "https://mail.google.com/", "outlook.office365.com:995",
			"POP.AccessAsUser.All", "--auth xoauth2", "--token-file", "app password", "device"} {
			require.Contains(t, out, want)
		}
		for _, args := range [][]string{
			{},
			{"--server", "127.0.0.1:1", "--user", "demo"},                              // no MAILDIR
			{"--server", "127.0.0.1:1", "md"},                                          // no user
			{"--user", "demo", "md"},                                                   // no server
			{"--server", "127.0.0.1:99999", "--user", "demo", "md"},                    // bad port
			{"--server", "[::1", "--user", "demo", "md"},                               // bad literal
			{"--server", "127.0.0.1:1", "--user", "demo", "--auth", "kerberos", "md"},  // unknown method
			{"--server", "127.0.0.1:1", "--user", "demo", "--ca-file", "ca.pem", "md"}, // CA without TLS
			{"--server", "127.0.0.1:1", "--user", "demo", "--max-size", "12X", "md"},   // bad size
			{"--server", "127.0.0.1:1", "--user", "demo", "--bogus", "md"},             // unknown option
			{"--server", "127.0.0.1:1", "--user", "demo", "md", "another"},             // two Maildirs
		} {
			out, code := pfRun(t, nil, args...)
			require.Equal(t, 64, code, "%q: %s", args, out)
			require.Contains(t, out, "usage:", "%q", args)
		}
	})
}

// TestPop3fetchTLS: pop3s and STLS, verified with --ca-file, by address and
// by host name; refused without the CA, or when STLS is missing.
func TestPop3fetchTLS(t *testing.T) {
	t.Parallel()
	msgs := plainMessages()

	implicit := pop3test.Start(t, pop3test.Options{ImplicitTLS: true, Pipelining: true})
	implicit.AddUser("demo", "secret", msgs...)
	stls := pop3test.Start(t, pop3test.Options{STLS: true, RequireTLSForAuth: true})
	stls.AddUser("demo", "secret", msgs...)
	noSTLS := pop3test.Start(t, pop3test.Options{})
	noSTLS.AddUser("demo", "secret", msgs...)
	ca := writeFile(t, "ca.pem", implicit.CACertPEM())
	stlsCA := writeFile(t, "stls-ca.pem", stls.CACertPEM())
	port := func(s *pop3test.Server) string { return s.Addr()[strings.LastIndex(s.Addr(), ":")+1:] }

	cases := []struct {
		name string
		args []string
		code int
		text string
	}{
		{name: "implicit by address", args: []string{"--server", implicit.Addr(), "--tls", "--ca-file", ca}},
		{name: "implicit by name", args: []string{"--server", "localhost:" + port(implicit), "--tls", "--ca-file", ca, "--auth", "plain", "--strict"}},
		{name: "implicit, server name", args: []string{"--server", implicit.Addr(), "--tls", "--ca-file", ca, "--server-name", "localhost"}},
		{name: "implicit, wrong server name", args: []string{"--server", implicit.Addr(), "--tls", "--ca-file", ca, "--server-name", "pop.example.com"}, code: 69, text: "(NX_POP3_TLS_ERROR, 0xB9)"},
		{name: "implicit, system roots", args: []string{"--server", implicit.Addr(), "--tls"}, code: 69, text: "(NX_POP3_TLS_ERROR, 0xB9)"},
		{name: "implicit, another CA", args: []string{"--server", implicit.Addr(), "--tls", "--ca-file", stlsCA}, code: 69, text: "(NX_POP3_TLS_ERROR, 0xB9)"},
		{name: "implicit, insecure", args: []string{"--server", implicit.Addr(), "--tls", "--insecure"}, text: "warning: --insecure"},
		{name: "starttls", args: []string{"--server", stls.Addr(), "--starttls", "--ca-file", stlsCA, "--auth", "user", "--strict"}},
		{name: "starttls, xoauth2", args: []string{"--server", stls.Addr(), "--starttls", "--ca-file", stlsCA, "--auth", "xoauth2"}},
		{name: "starttls missing", args: []string{"--server", noSTLS.Addr(), "--starttls", "--ca-file", ca}, code: 69, text: "(NX_POP3_TLS_ERROR, 0xB9)"},
		{name: "clear text refused by server", args: []string{"--server", stls.Addr(), "--auth", "user"}, code: 77, text: "(NX_POP3_SERVER_ERROR_STATUS, 0xB4)"},
	}
	for _, s := range []*pop3test.Server{implicit, stls, noSTLS} {
		s.Mailbox("demo").SetToken("tok")
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			md := filepath.Join(t.TempDir(), "Maildir")
			out, code := pfRun(t, []string{"POP3_TOKEN=tok"}, append(append(tc.args, "--user", "demo"), md)...)
			require.Equal(t, tc.code, code, "%s", out)
			require.Contains(t, out, tc.text)
			if tc.code == 0 {
				requireExactlyOnce(t, md, msgs)
			} else {
				require.NoDirExists(t, md, "no Maildir when the login failed")
			}
		})
	}
	require.Contains(t, stls.Commands(), "STLS")
	require.NotContains(t, noSTLS.Commands(), "PASS secret", "no password may go out when STLS is missing")
	require.Zero(t, countCmd(noSTLS.Commands(), "USER"))
}

// TestPop3fetchDeleteAndMaxSize: --delete deletes exactly what was stored:
// not what --max-size left, not what came after a failure, and nothing at
// all when QUIT fails.
func TestPop3fetchDeleteAndMaxSize(t *testing.T) {
	t.Parallel()
	small := pfMessages("small", 4, 300)
	big := pfMessages("big", 2, 20000)
	msgs := [][]byte{small[0], big[0], small[1], small[2], big[1], small[3]}

	t.Run("max-size keep", func(t *testing.T) {
		t.Parallel()
		srv := pop3test.Start(t, pop3test.Options{Pipelining: true})
		mbox := srv.AddUser("demo", "secret", msgs...)
		md := filepath.Join(t.TempDir(), "Maildir")
		out := pfOK(t, nil, "--server", srv.Addr(), "--user", "demo", "--max-size", "10K", md)
		requireExactlyOnce(t, md, small)
		require.Contains(t, out, "4 stored")
		require.Contains(t, out, "2 over --max-size 10240 left on the server")
		require.Equal(t, 1, strings.Count(out, "max-size"), "one summary line, not one per message:\n%s", out)
		require.Equal(t, msgs, mbox.Messages())
		require.Contains(t, srv.Commands(), "LIST")
		require.NotContains(t, srv.Commands(), "RETR 2")
	})

	t.Run("max-size delete", func(t *testing.T) {
		t.Parallel()
		srv := pop3test.Start(t, pop3test.Options{Pipelining: true})
		mbox := srv.AddUser("demo", "secret", msgs...)
		md := filepath.Join(t.TempDir(), "Maildir")
		out := pfOK(t, nil, "--server", srv.Addr(), "--user", "demo", "--max-size", "10000", "--delete", md)
		requireExactlyOnce(t, md, small)
		require.Equal(t, big, mbox.Messages())
		require.Contains(t, out, "4 deleted on the server")
		require.Equal(t, "QUIT", srv.Commands()[len(srv.Commands())-1])
	})

	t.Run("keep after delete", func(t *testing.T) {
		t.Parallel()
		srv := pop3test.Start(t, pop3test.Options{})
		mbox := srv.AddUser("demo", "secret", msgs...)
		md := filepath.Join(t.TempDir(), "Maildir")
		pfOK(t, nil, "--server", srv.Addr(), "--user", "demo", "--delete", "--keep", md)
		require.Equal(t, msgs, mbox.Messages(), "the last of --delete and --keep counts")
		requireExactlyOnce(t, md, msgs)
	})

	t.Run("error stops before the failed message", func(t *testing.T) {
		t.Parallel()
		srv := pop3test.Start(t, pop3test.Options{Pipelining: true, Faults: &pop3test.Faults{
			Reply: func(cmd string) (string, bool, bool) {
				if cmd == "RETR 4" {
					return "-ERR [SYS/TEMP] cannot read message\r\n", false, true
				}
				return "", false, false
			},
		}})
		mbox := srv.AddUser("demo", "secret", msgs...)
		md := filepath.Join(t.TempDir(), "Maildir")
		out, code := pfRun(t, nil, "--server", srv.Addr(), "--user", "demo", "--delete", md)
		require.Equal(t, 75, code, "%s", out)
		require.Contains(t, out, "cannot read message")
		requireExactlyOnce(t, md, msgs[:3])
		// The three stored ones are deleted (QUIT succeeded), nothing else.
		require.Equal(t, msgs[3:], mbox.Messages())
	})

	t.Run("broken connection deletes nothing", func(t *testing.T) {
		t.Parallel()
		srv := pop3test.Start(t, pop3test.Options{Pipelining: true, Faults: &pop3test.Faults{CloseAfterBytes: 25000}})
		mbox := srv.AddUser("demo", "secret", msgs...)
		md := filepath.Join(t.TempDir(), "Maildir")
		out, code := pfRun(t, nil, "--server", srv.Addr(), "--user", "demo", "--delete", md)
		require.Equal(t, 75, code, "%s", out)
		require.Contains(t, out, "(NX_NOT_CONNECTED, 0x38)")
		got := pfMaildir(t, md)
		require.NotEmpty(t, got)
		require.Less(t, len(got), len(msgs))
		require.Equal(t, msgs, mbox.Messages())
	})

	t.Run("quit fails deletes nothing", func(t *testing.T) {
		t.Parallel()
		srv := pop3test.Start(t, pop3test.Options{Faults: &pop3test.Faults{DropBeforeQuitReply: true}})
		mbox := srv.AddUser("demo", "secret", msgs...)
		md := filepath.Join(t.TempDir(), "Maildir")
		out, code := pfRun(t, nil, "--server", srv.Addr(), "--user", "demo", "--delete", md)
		require.Equal(t, 75, code, "%s", out)
		require.Contains(t, out, "QUIT: ")
		require.Contains(t, out, "nothing was deleted")
		requireExactlyOnce(t, md, msgs)
		require.Equal(t, msgs, mbox.Messages())
	})
}

// TestPop3fetchOnlyNew against pop3test: the state file, new mail only,
// and recovery from the Maildir names when the state file is behind.
func TestPop3fetchOnlyNew(t *testing.T) {
	t.Parallel()
	srv := pop3test.Start(t, pop3test.Options{Pipelining: true})
	first := pfMessages("first", 5, 2000)
	mbox := srv.AddUser("demo", "secret", first...)
	md := filepath.Join(t.TempDir(), "Maildir")
	args := []string{"--server", srv.Addr(), "--user", "demo", "--only-new", md}

	out := pfOK(t, nil, args...)
	require.Equal(t, 5, storedCount(t, out))
	requireExactlyOnce(t, md, first)
	state, err := os.ReadFile(filepath.Join(md, ".pop3fetch-state"))
	require.NoError(t, err)
	require.Equal(t, "pop3fetch-state 1 demo@127.0.0.1\n"+strings.Join(mbox.UIDs(), "\n")+"\n", string(state))

	out = pfOK(t, nil, args...)
	require.Equal(t, 0, storedCount(t, out))
	require.Contains(t, out, "5 already fetched")

	second := pfMessages("second", 3, 1000)
	for _, m := range second {
		mbox.Add(m)
	}
	out = pfOK(t, nil, args...)
	require.Equal(t, 3, storedCount(t, out))
	requireExactlyOnce(t, md, append(slices.Clone(first), second...))

	// A state file that is behind (the run died before writing it): the
	// tags in the Maildir names still tell what is stored, in new/ and in
	// cur/ where a mail reader moves and flags it.
	require.NoError(t, os.Remove(filepath.Join(md, ".pop3fetch-state")))
	ents, err := os.ReadDir(filepath.Join(md, "new"))
	require.NoError(t, err)
	for _, e := range ents[:4] {
		require.NoError(t, os.Rename(filepath.Join(md, "new", e.Name()), filepath.Join(md, "cur", e.Name()+":2,S")))
	}
	out = pfOK(t, nil, args...)
	require.Equal(t, 0, storedCount(t, out), "%s", out)
	state, err = os.ReadFile(filepath.Join(md, ".pop3fetch-state"))
	require.NoError(t, err)
	require.Len(t, strings.Split(strings.TrimSpace(string(state)), "\n"), 1+8)

	// With --delete, the messages stored earlier are deleted too.
	out = pfOK(t, nil, append([]string{"--delete"}, args...)...)
	require.Equal(t, 0, storedCount(t, out))
	require.Contains(t, out, "8 deleted on the server")
	require.Empty(t, mbox.Messages())
	requireExactlyOnce(t, md, append(slices.Clone(first), second...))
	// The state forgets what the server no longer has.
	pfOK(t, nil, args...)
	state, err = os.ReadFile(filepath.Join(md, ".pop3fetch-state"))
	require.NoError(t, err)
	require.Equal(t, "pop3fetch-state 1 demo@127.0.0.1\n", string(state))

	// Another account's run refuses this state file; with --state it works.
	srv.AddUser("other", "secret", pfMessages("other", 2, 500)...)
	out, code := pfRun(t, nil, "--server", srv.Addr(), "--user", "other", "--only-new", md)
	require.Equal(t, 78, code, "%s", out)
	require.Contains(t, out, "use --state")
	out = pfOK(t, nil, "--server", srv.Addr(), "--user", "other", "--state", filepath.Join(md, ".other-state"), md)
	require.Equal(t, 2, storedCount(t, out))

	// No stray temporary files.
	for _, name := range []string{".pop3fetch-state.tmp", ".other-state.tmp"} {
		_, err := os.Stat(filepath.Join(md, name))
		require.ErrorIs(t, err, os.ErrNotExist)
	}
}

// killPoint says when killRuns kills a run: once it has written at least
// written messages (in new/, durable, or in tmp/, in the batch being
// written), after wait more: at once is inside a batch, before its syncs
// and renames; 55 ms later is amid writing a big message to tmp/.
type killPoint struct {
	written int
	wait    time.Duration
}

var killPoints = []killPoint{{3, 55 * time.Millisecond}, {15, 0}, {30, 55 * time.Millisecond}}

// crashMessages are 40 messages of ~3 KB, except that the 4th and the 31st
// are ~24 KB: several packets, so that the kills 55 ms after the 3rd and
// the 30th message land while one is half written to tmp/.
func crashMessages(tag string) [][]byte {
	msgs := pfMessages(tag, 40, 3000)
	big := pfMessages(tag+"-big", 40, 24000)
	msgs[3], msgs[30] = big[3], big[30]
	return msgs
}

// killRuns runs pop3fetch once per kill point and kills it with SIGKILL
// there; after each death it calls settled, which waits until the server
// has dropped the session and checks that nothing was deleted. It returns
// how many files the killed runs left in tmp/: messages written but not
// yet durable, the batch a kill interrupted.
func killRuns(t *testing.T, md string, env, args []string, settled func()) (inTmp int) {
	t.Helper()
	names := func(sub string) []string {
		ents, _ := os.ReadDir(filepath.Join(md, sub))
		var n []string
		for _, e := range ents {
			n = append(n, e.Name())
		}
		return n
	}
	newCount := func() int { return len(names("new")) }
	for _, kp := range killPoints {
		// What an earlier killed run left in tmp/ is not this run's.
		stale := names("tmp")
		written := func() int {
			n := newCount()
			for _, name := range names("tmp") {
				if !slices.Contains(stale, name) {
					n++
				}
			}
			return n
		}
		cmd := exec.Command(pop3fetchBin(t), args...)
		cmd.Env = append(os.Environ(), env...)
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		require.NoError(t, cmd.Start())
		deadline := time.Now().Add(30 * time.Second)
		for written() < kp.written && time.Now().Before(deadline) {
			time.Sleep(200 * time.Microsecond)
		}
		time.Sleep(kp.wait)
		require.NoError(t, cmd.Process.Signal(syscall.SIGKILL))
		cmd.Wait()
		ws, _ := cmd.ProcessState.Sys().(syscall.WaitStatus)
		require.True(t, ws.Signaled(), "the run ended before the kill at %d: %s: %s", kp.written, cmd.ProcessState, out.String())
		tmp, _ := os.ReadDir(filepath.Join(md, "tmp"))
		t.Logf("killed at %d+%v: %d in new/, %d left in tmp/", kp.written, kp.wait, newCount(), len(tmp))
		inTmp += len(tmp)
		settled()
	}
	return inTmp
}

// TestPop3fetchCrash kills pop3fetch --only-new with SIGKILL at three
// points of a slow download, then lets a last run finish: every message is
// in the Maildir exactly once, and with --delete the server ends empty.
func TestPop3fetchCrash(t *testing.T) {
	t.Parallel()
	for _, del := range []bool{false, true} {
		name := "keep"
		if del {
			name = "delete"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			// In 512-byte writes 2 ms apart: about 12 ms for a small
			// message, 100 ms for a big one, so the kills land mid-run.
			srv := pop3test.Start(t, pop3test.Options{Pipelining: true,
				Faults: &pop3test.Faults{WriteChunk: 512, ChunkDelay: 2 * time.Millisecond}})
			msgs := crashMessages("crash-" + name)
			mbox := srv.AddUser("demo", "secret", msgs...)
			md := filepath.Join(t.TempDir(), "Maildir")
			args := []string{"--server", srv.Addr(), "--user", "demo", "--only-new"}
			if del {
				args = append(args, "--delete")
			}
			args = append(args, md)

			inTmp := killRuns(t, md, []string{"POP3_PASSWORD=secret"}, args, func() {
				// The server notices the dead connection and unlocks the
				// maildrop without committing anything.
				require.Eventually(t, func() bool { return !mbox.Locked() }, 10*time.Second, 5*time.Millisecond)
				require.Len(t, mbox.Messages(), len(msgs), "a killed run must delete nothing")
			})
			// A kill 55 ms after a batch became durable lands amid the
			// next one: written to tmp/, not yet synced or renamed, and
			// (with --delete) already marked for deletion.
			require.Positive(t, inTmp, "no kill landed inside a batch")
			out := pfOK(t, nil, args...)
			requireExactlyOnce(t, md, msgs)
			require.Less(t, storedCount(t, out), len(msgs), "what the killed runs made durable counts: %s", out)
			if del {
				require.Empty(t, mbox.Messages())
			} else {
				require.Equal(t, msgs, mbox.Messages())
			}
			// And a further run has nothing to do.
			out = pfOK(t, nil, args...)
			require.Equal(t, 0, storedCount(t, out))
			requireExactlyOnce(t, md, msgs)
		})
	}
}

// slowProxy forwards TCP connections to target, passing what the server
// sends in chunks of at most chunk bytes, delay apart: a slow link to a
// server that cannot be slowed itself. TLS passes through untouched.
func slowProxy(t *testing.T, target string, chunk int, delay time.Duration) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				s, err := net.Dial("tcp", target)
				if err != nil {
					return
				}
				defer s.Close()
				go func() {
					io.Copy(s, c) // the client's commands; ends when it dies
					s.Close()
				}()
				buf := make([]byte, chunk)
				for {
					n, err := s.Read(buf)
					if n > 0 {
						if _, werr := c.Write(buf[:n]); werr != nil {
							return
						}
					}
					if err != nil {
						return
					}
					time.Sleep(delay)
				}
			}()
		}
	}()
	return ln.Addr().String()
}

// TestPop3fetchProgress: on a terminal, stderr shows the progress line.
func TestPop3fetchProgress(t *testing.T) {
	t.Parallel()
	srv := pop3test.Start(t, pop3test.Options{Pipelining: true})
	msgs := pfMessages("progress", 12, 100000)
	srv.AddUser("demo", "secret", msgs...)
	md := filepath.Join(t.TempDir(), "Maildir")

	master, slave := testPTY(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, pop3fetchBin(t), "--server", srv.Addr(), "--user", "demo", md)
	cmd.Env = append(os.Environ(), "POP3_PASSWORD=secret")
	var stdout bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, slave
	require.NoError(t, cmd.Start())
	slave.Close()
	tty := make(chan []byte)
	go func() {
		b, _ := io.ReadAll(master) // ends with EIO once the child is gone
		tty <- b
	}()
	require.NoError(t, cmd.Wait(), "%s", stdout.String())
	got := string(<-tty)
	assert.Regexp(t, `\rfetching [0-9]+/12 \([0-9.]+ MB\)`, got)
	assert.Contains(t, got, "fetching 12/12 (1.")
	assert.NotContains(t, stdout.String(), "fetching")
	require.Contains(t, stdout.String(), "12 stored")
	requireExactlyOnce(t, md, msgs)

	// --quiet: nothing at all.
	out := pfOK(t, nil, "--server", srv.Addr(), "--user", "demo", "-q", filepath.Join(t.TempDir(), "md"))
	require.Empty(t, out)
}

// openPTY opens a pseudo-terminal pair (Linux /dev/ptmx).
// testPTY opens a pseudo-terminal for a test (testenv.PTY's policy when
// there is none); the master is closed when the test ends.
func testPTY(t *testing.T) (master, slave *os.File) {
	t.Helper()
	master, slave, err := openPTY()
	if err != nil {
		testenv.PTY.Unavailable(t, "no pseudo-terminal: %v", err)
	}
	t.Cleanup(func() { master.Close() })
	return master, slave
}

func openPTY() (master, slave *os.File, err error) {
	master, err = os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		return nil, nil, err
	}
	var unlock int32
	var n uint32
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, master.Fd(), syscall.TIOCSPTLCK, uintptr(unsafe.Pointer(&unlock))); e != 0 {
		master.Close()
		return nil, nil, e
	}
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, master.Fd(), syscall.TIOCGPTN, uintptr(unsafe.Pointer(&n))); e != 0 {
		master.Close()
		return nil, nil, e
	}
	slave, err = os.OpenFile("/dev/pts/"+strconv.Itoa(int(n)), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		master.Close()
		return nil, nil, err
	}
	return master, slave, nil
}

// TestPop3fetchDovecot: --only-new twice against Dovecot stores every
// message once, byte for byte, then nothing; new mail is fetched alone;
// the same over STLS and pop3s with Dovecot's CA; --delete empties the
// mailbox.
func TestPop3fetchDovecot(t *testing.T) {
	dc := dovecot.Start(t)
	t.Parallel()
	// Dovecot returns CRLF messages that end in CRLF unchanged (see
	// package dovecot); pfMessages makes only such messages.
	cases := []struct {
		name string
		args []string
	}{
		{name: "clear", args: []string{"--server", dc.Addr()}},
		{name: "starttls", args: []string{"--server", dc.Addr(), "--starttls", "--ca-file", dc.CAFile, "--strict"}},
		{name: "pop3s", args: []string{"--server", dc.TLSAddr(), "--tls", "--ca-file", dc.CAFile, "--auth", "plain", "--strict"}},
		{name: "pop3s by name", args: []string{"--server", "localhost:" + strconv.Itoa(dc.TLSPort), "--tls", "--ca-file", dc.CAFile}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			user, password := dc.NewUser(t)
			first := pfMessages("dovecot-"+tc.name, 25, 6000)
			dc.Deliver(t, user, first...)
			md := filepath.Join(t.TempDir(), "Maildir")
			env := []string{"POP3_PASSWORD=" + password}
			args := append(append(slices.Clone(tc.args), "--user", user, "--only-new"), md)

			out := pfOK(t, env, args...)
			require.Equal(t, len(first), storedCount(t, out))
			requireExactlyOnce(t, md, first)
			out = pfOK(t, env, args...)
			require.Equal(t, 0, storedCount(t, out), "%s", out)
			require.Contains(t, out, fmt.Sprintf("%d already fetched", len(first)))
			requireExactlyOnce(t, md, first)

			more := pfMessages("dovecot-more-"+tc.name, 4, 3000)
			dc.Deliver(t, user, more...)
			out = pfOK(t, env, args...)
			require.Equal(t, len(more), storedCount(t, out), "%s", out)
			all := append(slices.Clone(first), more...)
			requireExactlyOnce(t, md, all)
			require.Len(t, dc.Messages(t, user), len(all), "--keep leaves the mail on the server")

			out = pfOK(t, env, append([]string{"--delete"}, args...)...)
			require.Equal(t, 0, storedCount(t, out))
			require.Contains(t, out, fmt.Sprintf("%d deleted on the server", len(all)))
			require.Empty(t, dc.Messages(t, user))
			requireExactlyOnce(t, md, all)
		})
	}
}

// TestPop3fetchDovecotCrash: pop3fetch --only-new --delete over pop3s to
// Dovecot, through a slow link, killed at three points and rerun: every
// message once in the Maildir, the mailbox empty at the end.
func TestPop3fetchDovecotCrash(t *testing.T) {
	dc := dovecot.Start(t)
	t.Parallel()
	user, password := dc.NewUser(t)
	msgs := crashMessages("dovecot-crash")
	dc.Deliver(t, user, msgs...)
	proxy := slowProxy(t, dc.TLSAddr(), 1024, 3*time.Millisecond)
	md := filepath.Join(t.TempDir(), "Maildir")
	env := []string{"POP3_PASSWORD=" + password}
	args := []string{"--server", proxy, "--tls", "--ca-file", dc.CAFile, "--user", user, "--only-new", "--delete", md}

	killRuns(t, md, env, args, func() {
		require.Len(t, dc.Messages(t, user), len(msgs), "a killed run must delete nothing")
	})
	out := pfOK(t, env, args...)
	require.Less(t, storedCount(t, out), len(msgs), "what the killed runs made durable counts: %s", out)
	requireExactlyOnce(t, md, msgs)
	require.Empty(t, dc.Messages(t, user))
}

// TestPop3fetchASan: the whole --only-new path (state file, tags, tmp/
// cleanup, LIST, UIDL, pipelined fetch, several batches, deletions) under
// AddressSanitizer.
func TestPop3fetchASan(t *testing.T) {
	t.Parallel()
	bin := pop3fetchProgram(t, ctest.ASan)
	srv := pop3test.Start(t, pop3test.Options{Pipelining: true})
	msgs := append(edgeMessages(tcpPacketRoom(8192)), pfMessages("asan", 20, 5000)...)
	msgs = append(msgs, pfMessages("asanbatch", 600, 300)...) // more than two batches
	mbox := srv.AddUser("demo", "secret", msgs...)
	md := filepath.Join(t.TempDir(), "Maildir")
	args := []string{"--server", srv.Addr(), "--user", "demo", "--only-new", "--max-size", "50K", md}
	out, err := cRun(t, ctest.ASan, bin, srv, nil, args...)
	require.NoError(t, err, "%s", out)
	var small [][]byte
	for _, m := range msgs {
		if len(m) <= 50*1024 {
			small = append(small, m)
		}
	}
	requireExactlyOnce(t, md, small)
	require.NoError(t, os.Remove(filepath.Join(md, ".pop3fetch-state")))
	out, err = cRun(t, ctest.ASan, bin, srv, nil, append([]string{"--delete"}, args...)...)
	require.NoError(t, err, "%s", out)
	require.Equal(t, 0, storedCount(t, out))
	require.Len(t, mbox.Messages(), len(msgs)-len(small))
	requireExactlyOnce(t, md, small)
}
