//go:build linux

package main

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nxpop3/nxpop3/build/dovecot"
	"github.com/nxpop3/nxpop3/pop3/pop3test"
	"github.com/stretchr/testify/require"
)

// pop3fetch as mpop and fetchmail users run it: accounts from a config
// file, mbox and MDA delivery, the sysexits exit codes, --debug.

// fromMessages are messages whose lines an mbox must quote (mboxrd): "From "
// at a line start, already quoted ones, and look-alikes it must leave.
func fromMessages(tag string, n int) [][]byte {
	msgs := pfMessages(tag, n, 600)
	for i := range msgs {
		msgs[i] = append(msgs[i], []byte("From the start of a line\r\n>From quoted once\r\n>>From twice\r\nFrom\r\n"+
			">From\r\n From indented\r\n>>>not From\r\nlast line\r\n")...)
	}
	return msgs
}

// mboxrd quotes a message as an mboxrd file holds it: LF line ends, one
// more '>' on each line that matches ">*From ".
func mboxrd(msg []byte) []byte {
	lines := strings.SplitAfter(string(bytes.ReplaceAll(msg, []byte("\r\n"), []byte("\n"))), "\n")
	var b strings.Builder
	for _, l := range lines {
		if strings.HasPrefix(strings.TrimLeft(l, ">"), "From ") {
			b.WriteByte('>')
		}
		b.WriteString(l)
	}
	return []byte(b.String())
}

var fromLine = regexp.MustCompile(`(?m)^From MAILER-DAEMON [A-Z][a-z]{2} [A-Z][a-z]{2} [ 0-9][0-9] [0-9:]{8} [0-9]{4}\n`)

// requireMbox: the mbox file holds exactly msgs, in order, each after a
// From_ line and followed by an empty line, quoted as mboxrd.
func requireMbox(t *testing.T, path string, msgs [][]byte) {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	seps := fromLine.FindAllIndex(data, -1)
	require.Len(t, seps, len(msgs), "From_ lines in %s", path)
	for i, sep := range seps {
		require.Equal(t, sep[0] == 0, i == 0, "the mbox starts with a From_ line")
		end := len(data)
		if i+1 < len(seps) {
			end = seps[i+1][0]
		}
		require.Equal(t, string(mboxrd(msgs[i]))+"\n", string(data[sep[1]:end]), "message %d of %s", i+1, path)
	}
}

// mdaFiles returns what the MDA test command stored in dir, sorted.
func mdaFiles(t *testing.T, dir string) [][]byte {
	t.Helper()
	got := maildirFiles(t, dir)
	slices.SortFunc(got, bytes.Compare)
	return got
}

func sortedCopy(msgs [][]byte) [][]byte {
	out := slices.Clone(msgs)
	slices.SortFunc(out, bytes.Compare)
	return out
}

// mdaCommand stores each message it reads in a file of its own in dir.
func mdaCommand(dir string) string {
	return fmt.Sprintf(`f=$(mktemp "%s/m.XXXXXX") && cat > "$f"`, dir)
}

// writeConfig writes a config file of mode 0600 and returns its path.
func writeConfig(t *testing.T, lines ...string) string {
	t.Helper()
	return writeFile(t, "config", []byte(strings.Join(lines, "\n")+"\n"))
}

// TestPop3fetchAccountsDovecot: one run of a config file with defaults and
// three accounts of Dovecot fetches all three, into a Maildir (LF), an mbox
// and an MDA, each byte for byte; the password comes from a file, a
// command and the environment; a rerun fetches only new mail; naming an
// account fetches only it; --delete on the command line applies to each.
func TestPop3fetchAccountsDovecot(t *testing.T) {
	dc := dovecot.Start(t)
	t.Parallel()
	dir := t.TempDir()
	u1, p1 := dc.NewUser(t)
	u2, p2 := dc.NewUser(t)
	u3, p3 := dc.NewUser(t)
	m1, m2, m3 := fromMessages("acct-one", 6), fromMessages("acct-two", 5), fromMessages("acct-three", 4)
	dc.Deliver(t, u1, m1...)
	dc.Deliver(t, u2, m2...)
	dc.Deliver(t, u3, m3...)
	pw1 := writeFile(t, "pw1", []byte(p1+"\n"))
	pw2 := writeFile(t, "pw2", []byte(p2+"\n"))
	md, mbox, mdaDir := filepath.Join(dir, "Maildir"), filepath.Join(dir, "mbox"), filepath.Join(dir, "mda")
	require.NoError(t, os.Mkdir(mdaDir, 0o700))
	host, port, _ := net.SplitHostPort(dc.Addr())
	cfg := writeConfig(t,
		"# pop3fetch config",
		"defaults",
		"host "+host,
		"port "+port,
		"auth user",
		"only_new on",
		"",
		"account one",
		"user "+u1,
		"password_file "+pw1,
		"maildir "+md,
		"account two",
		"user "+u2,
		`passwordeval "cat `+pw2+`"`,
		"mbox "+mbox,
		"account three",
		"user "+u3,
		"password_env THREE_PW",
		"mda "+mdaCommand(mdaDir),
	)
	env := []string{"THREE_PW=" + p3, "POP3_PASSWORD=", "XDG_STATE_HOME=" + filepath.Join(dir, "state")}

	out := pfOK(t, env, "--config", cfg)
	require.Contains(t, out, "one: 6 stored")
	require.Contains(t, out, "two: 5 stored")
	require.Contains(t, out, "three: 4 stored")
	requireExactlyOnce(t, md, m1)
	requireMbox(t, mbox, m2)
	require.Equal(t, sortedCopy(toLF(m3)), mdaFiles(t, mdaDir))
	for _, u := range []string{u1, u2, u3} {
		require.NotEmpty(t, dc.Messages(t, u), "keep is the default")
	}
	fi, err := os.Stat(mbox)
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), fi.Mode().Perm())

	// Only new mail: nothing the second time, then just the new message.
	out = pfOK(t, env, "--config", cfg)
	require.Equal(t, 3, strings.Count(out, ": 0 stored"), "%s", out)
	more := fromMessages("acct-two-more", 1)
	dc.Deliver(t, u2, more...)
	out = pfOK(t, env, "--config", cfg, "two")
	require.Contains(t, out, "two: 1 stored")
	require.NotContains(t, out, "one:")
	requireMbox(t, mbox, append(slices.Clone(m2), more...))

	// The command line's settings apply over each account.
	out = pfOK(t, env, "--config", cfg, "--delete", "one", "three")
	require.Contains(t, out, "one: 0 stored")
	require.Contains(t, out, "6 deleted on the server")
	require.Contains(t, out, "4 deleted on the server")
	require.Empty(t, dc.Messages(t, u1))
	require.Empty(t, dc.Messages(t, u3))
	require.Len(t, dc.Messages(t, u2), len(m2)+1)
	requireExactlyOnce(t, md, m1)
	require.Len(t, mdaFiles(t, mdaDir), len(m3))

	// --debug: the dialogue, labelled by account, without the passwords.
	out = pfOK(t, env, "--config", cfg, "--debug", "two")
	require.Contains(t, out, "two: C: USER "+u2)
	require.Contains(t, out, "two: C: PASS ***")
	require.Contains(t, out, "two: S: +OK")
	require.Contains(t, out, "two: C: UIDL")
	require.Contains(t, out, "two: C: QUIT")
	for _, p := range []string{p1, p2, p3} {
		require.NotContains(t, out, p)
	}
}

// TestPop3fetchDeliveriesDovecot: LF Maildir by default and the wire form
// with --keep-crlf; mbox and MDA with --delete delete exactly what was
// delivered; an MDA that fails stops the run (74) and what it refused
// stays on the server.
func TestPop3fetchDeliveriesDovecot(t *testing.T) {
	dc := dovecot.Start(t)
	t.Parallel()
	run := func(t *testing.T, msgs [][]byte, args ...string) (user, out string, code int) {
		user, password := dc.NewUser(t)
		dc.Deliver(t, user, msgs...)
		out, code = pfRun(t, []string{"POP3_PASSWORD=" + password},
			append([]string{"--server", dc.Addr(), "--user", user, "--auth", "user"}, args...)...)
		return user, out, code
	}

	t.Run("maildir", func(t *testing.T) {
		t.Parallel()
		msgs := fromMessages("lf", 8)
		md := filepath.Join(t.TempDir(), "Maildir")
		_, out, code := run(t, msgs, md)
		require.Zero(t, code, "%s", out)
		requireExactlyOnce(t, md, msgs)
		for _, m := range pfMaildir(t, md) {
			require.NotContains(t, string(m), "\r", "LF line ends by default")
		}
		wire := filepath.Join(t.TempDir(), "Maildir")
		_, out, code = run(t, msgs, "--keep-crlf", wire)
		require.Zero(t, code, "%s", out)
		requireExactlyOnceAs(t, wire, msgs)
	})

	t.Run("mbox delete", func(t *testing.T) {
		t.Parallel()
		msgs := fromMessages("mbox", 12)
		mbox := filepath.Join(t.TempDir(), "mbox")
		// An existing mbox is appended to, not replaced.
		old := fromMessages("old", 1)
		require.NoError(t, os.WriteFile(mbox, append([]byte("From MAILER-DAEMON Thu Jan  1 00:00:00 1970\n"), append(mboxrd(old[0]), '\n')...), 0o600))
		user, out, code := run(t, msgs, "--mbox", mbox, "--delete")
		require.Zero(t, code, "%s", out)
		requireMbox(t, mbox, append(old, msgs...))
		require.Empty(t, dc.Messages(t, user))
	})

	t.Run("mda delete", func(t *testing.T) {
		t.Parallel()
		msgs := fromMessages("mda", 7)
		dir := t.TempDir()
		user, out, code := run(t, msgs, "--mda", mdaCommand(dir), "--delete")
		require.Zero(t, code, "%s", out)
		require.Equal(t, sortedCopy(toLF(msgs)), mdaFiles(t, dir))
		require.Empty(t, dc.Messages(t, user))
	})

	t.Run("mda fails", func(t *testing.T) {
		t.Parallel()
		msgs := fromMessages("mdafail", 6)
		dir := t.TempDir()
		counter := filepath.Join(t.TempDir(), "n")
		// Delivers two messages, then exits 3 without delivering.
		cmd := fmt.Sprintf(`n=$(cat %[1]s 2>/dev/null || echo 0); n=$((n+1)); echo $n > %[1]s; [ $n -le 2 ] || exit 3; cat > %[2]s/m$n`, counter, dir)
		user, out, code := run(t, msgs, "--mda", cmd, "--delete")
		require.Equal(t, 74, code, "%s", out)
		require.Contains(t, out, "exited with status 3: message 3 not delivered")
		require.Equal(t, sortedCopy(toLF(msgs[:2])), mdaFiles(t, dir))
		require.Equal(t, 1, strings.Count(out, "exited with status"), "said once:\n%s", out)
		require.Len(t, dc.Messages(t, user), len(msgs)-2, "only the two delivered are deleted")
	})
}

// TestPop3fetchExitCodes: each sysexits code for what causes it, one line
// saying why, with the server's words, and no Maildir when the server was
// not reached.
func TestPop3fetchExitCodes(t *testing.T) {
	t.Parallel()
	msgs := pfMessages("exit", 3, 500)
	srv := pop3test.Start(t, pop3test.Options{})
	srv.AddUser("demo", "secret", msgs...)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	closed := ln.Addr().String()
	ln.Close()
	failSTAT := pop3test.Start(t, pop3test.Options{Faults: &pop3test.Faults{
		Reply: func(cmd string) (string, bool, bool) {
			if cmd == "STAT" {
				return "-ERR [SYS/PERM] maildrop is damaged\r\n", false, true
			}
			return "", false, false
		},
	}})
	failSTAT.AddUser("demo", "secret", msgs...)
	inUse := pop3test.Start(t, pop3test.Options{Faults: &pop3test.Faults{
		Reply: func(cmd string) (string, bool, bool) {
			if strings.HasPrefix(cmd, "PASS") {
				return "-ERR [IN-USE] another session is open\r\n", false, true
			}
			return "", false, false
		},
	}})
	inUse.AddUser("demo", "secret", msgs...)
	tlsSrv := pop3test.Start(t, pop3test.Options{ImplicitTLS: true})
	tlsSrv.AddUser("demo", "secret", msgs...)
	file := writeFile(t, "not-a-dir", []byte("x"))
	open := writeFile(t, "config-open", []byte("account a\n"))
	require.NoError(t, os.Chmod(open, 0o644))

	cases := []struct {
		name   string
		env    []string
		args   []string
		code   int
		text   []string
		noMail bool // the Maildir must not exist afterwards
	}{
		{name: "usage", args: []string{"--server", srv.Addr(), "--bogus"}, code: 64, text: []string{"usage:"}},
		{name: "no config", args: []string{}, code: 64, text: []string{"no config file", "usage:"}},
		{name: "unknown host", args: []string{"--server", "no-such-host.invalid", "--user", "demo"}, code: 68,
			text: []string{"cannot connect to no-such-host.invalid:110", "NX_NOT_FOUND, 0x4E"}, noMail: true},
		{name: "tls", args: []string{"--server", tlsSrv.Addr(), "--tls", "--user", "demo"}, code: 69,
			text: []string{"TLS with " + tlsSrv.Addr() + " failed", "certificate", "NX_POP3_TLS_ERROR, 0xB9"}, noMail: true},
		{name: "local", args: []string{"--server", srv.Addr(), "--user", "demo", filepath.Join(file, "Maildir")}, code: 74,
			text: []string{"not-a-dir/Maildir: Not a directory"}},
		{name: "connect refused", args: []string{"--server", closed, "--user", "demo"}, code: 75,
			text: []string{"cannot connect to " + closed + ":", "connection refused", "NX_NOT_CONNECTED, 0x38"}, noMail: true},
		{name: "mailbox in use", args: []string{"--server", inUse.Addr(), "--user", "demo", "--auth", "user"}, code: 75,
			text: []string{"refused: ", "another session is open", "NX_POP3_SERVER_ERROR_STATUS, 0xB4"}, noMail: true},
		{name: "STAT refused", args: []string{"--server", failSTAT.Addr(), "--user", "demo"}, code: 76,
			text: []string{"STAT: ", "maildrop is damaged (NX_POP3_SERVER_ERROR_STATUS, 0xB4)"}},
		{name: "auth", env: []string{"POP3_PASSWORD=wrong"}, args: []string{"--server", srv.Addr(), "--user", "demo", "--auth", "user"}, code: 77,
			text: []string{"login as demo at " + srv.Addr() + " refused", "NX_POP3_SERVER_ERROR_STATUS, 0xB4"}, noMail: true},
		{name: "config mode", args: []string{"--config", open}, code: 78, text: []string{"may be read by others (mode 0644)"}},
		{name: "config missing", args: []string{"--config", "/nonexistent/config"}, code: 78, text: []string{"/nonexistent/config: No such file"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			md := filepath.Join(t.TempDir(), "Maildir")
			args := tc.args
			if len(args) > 0 && args[0] == "--server" && !slices.ContainsFunc(args, func(a string) bool { return strings.Contains(a, "Maildir") }) {
				args = append(slices.Clone(args), md)
			}
			out, code := pfRun(t, tc.env, args...)
			require.Equal(t, tc.code, code, "%s", out)
			for _, want := range tc.text {
				require.Contains(t, out, want)
			}
			require.NotContains(t, out, "status 0x", "words, not a bare status")
			if tc.code != 64 {
				// One line says why: no repeat, no usage text.
				require.Equal(t, 1, strings.Count(strings.TrimSpace(out), "\n")+1, "%s", out)
			}
			if tc.noMail {
				require.NoDirExists(t, md)
			}
		})
	}

	t.Run("help lists them", func(t *testing.T) {
		t.Parallel()
		out := pfOK(t, nil, "--help")
		for _, c := range []int{64, 68, 69, 74, 75, 76, 77, 78} {
			require.Contains(t, out, strconv.Itoa(c)+" ")
		}
	})

	t.Run("version", func(t *testing.T) {
		t.Parallel()
		out := pfOK(t, nil, "--version")
		require.Regexp(t, `^pop3fetch [0-9]+\.[0-9]+\.[0-9]+ \(nxpop3 library [0-9]+\.[0-9]+\.[0-9]+\)\n$`, out)
	})
}

// TestPop3fetchExitCodesDovecot: the codes a script meets most, against
// Dovecot: wrong password 77, certificate not trusted 69, nothing
// listening 75; no Maildir made for any.
func TestPop3fetchExitCodesDovecot(t *testing.T) {
	dc := dovecot.Start(t)
	t.Parallel()
	user, password := dc.NewUser(t)
	dc.Deliver(t, user, pfMessages("dv-exit", 2, 300)...)
	other := writeFile(t, "other-ca.pem", pop3test.Start(t, pop3test.Options{ImplicitTLS: true}).CACertPEM())
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	closed := ln.Addr().String()
	ln.Close()
	for _, tc := range []struct {
		name string
		pw   string
		args []string
		code int
	}{
		{"auth", "not-" + password, []string{"--server", dc.Addr(), "--auth", "user"}, 77},
		{"tls", password, []string{"--server", dc.TLSAddr(), "--tls", "--ca-file", other}, 69},
		{"starttls", password, []string{"--server", dc.Addr(), "--starttls", "--ca-file", other}, 69},
		{"refused", password, []string{"--server", closed}, 75},
		{"ok", password, []string{"--server", dc.TLSAddr(), "--tls", "--ca-file", dc.CAFile}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			md := filepath.Join(t.TempDir(), "Maildir")
			out, code := pfRun(t, []string{"POP3_PASSWORD=" + tc.pw}, append(tc.args, "--user", user, md)...)
			require.Equal(t, tc.code, code, "%s", out)
			require.NotContains(t, out, tc.pw)
			if tc.code != 0 {
				require.NoDirExists(t, md)
			}
		})
	}
}

// TestPop3fetchConfigErrors: a config file or password source that is
// wrong stops with 78 and says where; a password never comes from the
// config file or the command line.
func TestPop3fetchConfigErrors(t *testing.T) {
	t.Parallel()
	srv := pop3test.Start(t, pop3test.Options{})
	srv.AddUser("demo", "secret", pfMessages("cfg", 2, 300)...)
	md := filepath.Join(t.TempDir(), "Maildir")
	openPW := writeFile(t, "pw-open", []byte("secret\n"))
	require.NoError(t, os.Chmod(openPW, 0o640))
	acct := []string{"account a", "server " + srv.Addr(), "user demo", "maildir " + md}
	for _, tc := range []struct {
		name  string
		lines []string
		code  int
		text  string
	}{
		{"unknown key", append(slices.Clone(acct), "colour blue"), 78, "config:5: unknown key colour"},
		{"password in config", append(slices.Clone(acct), "password secret"), 78, "refusing a password"},
		{"bad flag", append(slices.Clone(acct), "delete maybe"), 78, "config:5: delete: maybe is neither on nor off"},
		{"no host", []string{"account a", "user demo", "maildir " + md}, 78, "account a: no host"},
		{"no delivery", []string{"account a", "server " + srv.Addr(), "user demo"}, 78, "account a: no maildir, mbox or mda"},
		{"twice", append(slices.Clone(acct), "account a"), 78, "account a defined twice"},
		{"password file open", append(slices.Clone(acct), "password_file "+openPW), 78, "may be read by others (mode 0640)"},
		{"passwordeval fails", append(slices.Clone(acct), "passwordeval exit 5"), 78, "passwordeval command failed (status 5)"},
		{"no password", append(slices.Clone(acct), "password_env NO_SUCH_VAR"), 78, "no password"},
		{"no account", []string{"# nothing"}, 78, "no account"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			out, code := pfRun(t, nil, "--config", writeConfig(t, tc.lines...))
			require.Equal(t, tc.code, code, "%s", out)
			require.Contains(t, out, tc.text)
			require.NotContains(t, out, "secret")
		})
	}
	t.Run("unknown account", func(t *testing.T) {
		t.Parallel()
		out, code := pfRun(t, nil, "--config", writeConfig(t, acct...), "b")
		require.Equal(t, 64, code, "%s", out)
		require.Contains(t, out, "no account b")
	})
	t.Run("default path", func(t *testing.T) {
		t.Parallel()
		// $XDG_CONFIG_HOME/pop3fetch/config, when there is no --server.
		home := t.TempDir()
		require.NoError(t, os.Mkdir(filepath.Join(home, "pop3fetch"), 0o700))
		require.NoError(t, os.WriteFile(filepath.Join(home, "pop3fetch", "config"), []byte(strings.Join(acct, "\n")), 0o600))
		out := pfOK(t, []string{"XDG_CONFIG_HOME=" + home})
		require.Contains(t, out, "a: 2 stored")
	})
	require.Zero(t, countCmd(srv.Commands(), "PASS"), "no password went out for a broken config")
}

// TestPop3fetchDebug: --debug shows the dialogue for every way of logging
// in, and never the password, token or a digest of it.
func TestPop3fetchDebug(t *testing.T) {
	t.Parallel()
	srv := pop3test.Start(t, pop3test.Options{Timestamp: testTimestamp})
	mbox := srv.AddUser("demo", "s3cr3t-pw", pfMessages("debug", 2, 300)...)
	mbox.SetToken("ya29.s3cr3t-token")
	for _, auth := range []string{"user", "apop", "plain", "login", "cram-md5", "xoauth2"} {
		t.Run(auth, func(t *testing.T) {
			env := []string{"POP3_PASSWORD=s3cr3t-pw", "POP3_TOKEN=ya29.s3cr3t-token"}
			out := pfOK(t, env, "--server", srv.Addr(), "--user", "demo", "--auth", auth, "--debug", "--only-new",
				filepath.Join(t.TempDir(), "Maildir"))
			require.Contains(t, out, "S: +OK")
			require.Contains(t, out, "C: STAT")
			require.Contains(t, out, "C: RETR 1")
			require.Contains(t, out, "C: QUIT")
			require.Contains(t, out, "***", "the secret's place is shown masked")
			require.NotContains(t, out, "s3cr3t")
			require.NotContains(t, out, apopLine("demo", testTimestamp, "s3cr3t-pw")[5:])
		})
	}
}

// TestPop3fetchKillSize: --kill-size deletes larger messages unread, also
// with --keep; --max-size leaves them; one summary line says how many.
func TestPop3fetchKillSize(t *testing.T) {
	t.Parallel()
	small := pfMessages("ks-small", 3, 300)
	big := pfMessages("ks-big", 2, 20000)
	msgs := [][]byte{small[0], big[0], small[1], big[1], small[2]}
	srv := pop3test.Start(t, pop3test.Options{Pipelining: true})
	mbox := srv.AddUser("demo", "secret", msgs...)
	md := filepath.Join(t.TempDir(), "Maildir")
	out := pfOK(t, nil, "--server", srv.Addr(), "--user", "demo", "--kill-size", "10K", md)
	requireExactlyOnce(t, md, small)
	require.Contains(t, out, "3 stored")
	require.Contains(t, out, "2 over --kill-size 10240 deleted unread")
	require.Equal(t, 1, strings.Count(out, "\n"), "one line:\n%s", out)
	require.Equal(t, small, mbox.Messages(), "the big ones are gone, the rest kept")
	require.NotContains(t, srv.Commands(), "RETR 2")
	require.NotContains(t, srv.Commands(), "RETR 4")
}

// TestPop3fetchFlushFails: when the batch cannot be made durable (here new/
// is not a directory, so the renames fail), the messages the pipelined
// fetch had marked for deletion are unmarked (RSET) before QUIT: nothing
// is deleted, nothing is left in tmp/, and the run says why once (74).
func TestPop3fetchFlushFails(t *testing.T) {
	t.Parallel()
	msgs := pfMessages("flush", 6, 2000)
	srv := pop3test.Start(t, pop3test.Options{Pipelining: true})
	mbox := srv.AddUser("demo", "secret", msgs...)
	md := filepath.Join(t.TempDir(), "Maildir")
	for _, d := range []string{"", "tmp", "cur"} {
		require.NoError(t, os.MkdirAll(filepath.Join(md, d), 0o700))
	}
	require.NoError(t, os.WriteFile(filepath.Join(md, "new"), nil, 0o600))
	out, code := pfRun(t, nil, "--server", srv.Addr(), "--user", "demo", "--delete", md)
	require.Equal(t, 74, code, "%s", out)
	require.Contains(t, out, "Not a directory")
	require.Equal(t, 1, strings.Count(out, "Not a directory"), "said once:\n%s", out)
	require.Equal(t, msgs, mbox.Messages(), "nothing deleted")
	require.Contains(t, srv.Commands(), "RSET")
	require.Equal(t, "QUIT", srv.Commands()[len(srv.Commands())-1])
	require.Empty(t, maildirFiles(t, filepath.Join(md, "tmp")))
}

// TestPop3fetchPrompt: with no other password source and a terminal on
// standard input, the password is asked for there, without echo.
func TestPop3fetchPrompt(t *testing.T) {
	t.Parallel()
	msgs := pfMessages("prompt", 2, 300)
	srv := pop3test.Start(t, pop3test.Options{})
	srv.AddUser("demo", "typed secret", msgs...)
	md := filepath.Join(t.TempDir(), "Maildir")
	master, slave := testPTY(t)
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, pop3fetchBin(t), "--server", srv.Addr(), "--user", "demo", "--auth", "user", md)
	cmd.Env = append(os.Environ(), "POP3_PASSWORD=", "XDG_CONFIG_HOME="+t.TempDir())
	var stdout bytes.Buffer
	cmd.Stdin, cmd.Stdout, cmd.Stderr = slave, &stdout, slave
	require.NoError(t, cmd.Start())
	slave.Close()
	tty := make(chan string, 1) // buffered: the reader must not block once a failed test has moved on
	go func() {
		var seen []byte
		buf := make([]byte, 256)
		sent := false
		for {
			n, err := master.Read(buf)
			seen = append(seen, buf[:n]...)
			if !sent && bytes.Contains(seen, []byte("password for demo@127.0.0.1: ")) {
				master.Write([]byte("typed secret\n"))
				sent = true
			}
			if err != nil { // EIO once the child is gone
				tty <- string(seen)
				return
			}
		}
	}()
	require.NoError(t, cmd.Wait(), "%s", stdout.String())
	got := <-tty
	require.NotContains(t, got, "typed secret", "no echo")
	require.Contains(t, stdout.String(), "2 stored")
	requireExactlyOnce(t, md, msgs)
}

// TestPop3fetchCutShort: when the connection breaks inside a message, the
// messages before it are stored and the partial one is not: no file left
// in tmp/, nothing of it in the mbox; nothing is deleted (no QUIT).
func TestPop3fetchCutShort(t *testing.T) {
	t.Parallel()
	msgs := pfMessages("cut", 6, 20000)
	for _, mode := range []string{"maildir", "mbox"} {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			srv := pop3test.Start(t, pop3test.Options{Pipelining: true, Faults: &pop3test.Faults{CloseAfterBytes: 50000}})
			mbox := srv.AddUser("demo", "secret", msgs...)
			dest := filepath.Join(t.TempDir(), mode)
			args := []string{"--server", srv.Addr(), "--user", "demo", "--delete", dest}
			if mode == "mbox" {
				args = []string{"--server", srv.Addr(), "--user", "demo", "--delete", "--mbox", dest}
			}
			out, code := pfRun(t, nil, args...)
			require.Equal(t, 75, code, "%s", out)
			n := storedCount(t, out)
			require.Positive(t, n, "%s", out)
			require.Less(t, n, len(msgs))
			if mode == "mbox" {
				requireMbox(t, dest, msgs[:n])
			} else {
				requireExactlyOnce(t, dest, msgs[:n])
			}
			require.Equal(t, msgs, mbox.Messages())
		})
	}
}

// TestPop3fetchInsecureAuth: to a server off this host without TLS, a
// readable password is refused (69, nothing sent, no Maildir) unless
// --insecure-auth or the config's insecure_auth allows it; APOP works.
func TestPop3fetchInsecureAuth(t *testing.T) {
	t.Parallel()
	msgs := pfMessages("insecure", 2, 300)
	srv := startOffLoopback(t, pop3test.Options{NoTimestamp: true})
	srv.AddUser("demo", "secret", msgs...)
	md := filepath.Join(t.TempDir(), "Maildir")
	base := []string{"--server", srv.Addr(), "--user", "demo"}

	for _, auth := range []string{"user", "plain", "login"} {
		out, code := pfRun(t, nil, append(slices.Clone(base), "--auth", auth, md)...)
		require.Equal(t, 69, code, "%s", out)
		require.Contains(t, out, "not attempted")
		require.Contains(t, out, "clear text")
		require.NoDirExists(t, md)
	}
	require.NotContains(t, strings.Join(srv.Commands(), "\n"), "secret")
	require.Zero(t, countCmd(srv.Commands(), "PASS"))

	out := pfOK(t, nil, append(slices.Clone(base), "--auth", "user", "--insecure-auth", md)...)
	require.Contains(t, out, "2 stored")
	requireExactlyOnce(t, md, msgs)
	require.Contains(t, srv.Commands(), "PASS secret")

	cfg := writeConfig(t, "account off", "server "+srv.Addr(), "user demo", "auth plain", "insecure_auth on",
		"maildir "+filepath.Join(t.TempDir(), "Maildir"))
	out = pfOK(t, nil, "--config", cfg)
	require.Contains(t, out, "off: 2 stored")

	timestamped := startOffLoopback(t, pop3test.Options{Timestamp: testTimestamp})
	timestamped.AddUser("demo", "secret", msgs...)
	out = pfOK(t, nil, "--server", timestamped.Addr(), "--user", "demo", "--auth", "apop", filepath.Join(t.TempDir(), "Maildir"))
	require.Contains(t, out, "2 stored", "APOP sends no readable password")
}

// TestPop3fetchModernAuthDovecot: --auth scram-sha-256, scram-sha-1 and
// oauthbearer, and --tls-fingerprint (pin instead of a CA; a wrong pin
// refused, 69) and --tls-min-version, against a Dovecot configured for
// them; the config keys alike.
func TestPop3fetchModernAuthDovecot(t *testing.T) {
	dc, oauth := dovecot.StartSASL(t)
	user, password := dc.NewUser(t)
	msgs := pfMessages("modern", 2, 400)
	dc.Deliver(t, user, msgs...)
	token := "tok-" + user
	oauth.AddToken(token, user)
	certFP, keyFP := dovecotFingerprints(t, dc)
	for _, tc := range []struct {
		name string
		env  []string
		args []string
		code int
	}{
		{"scram-sha-256", nil, []string{"--server", dc.Addr(), "--auth", "scram-sha-256", "--strict"}, 0},
		{"scram-sha-1", nil, []string{"--server", dc.Addr(), "--auth", "scram-sha-1", "--strict"}, 0},
		{"scram wrong password", []string{"POP3_PASSWORD=wrong"}, []string{"--server", dc.Addr(), "--auth", "scram-sha-256"}, 77},
		{"oauthbearer", []string{"POP3_TOKEN=" + token}, []string{"--server", dc.Addr(), "--starttls", "--ca-file", dc.CAFile, "--auth", "oauthbearer"}, 0},
		{"certificate pin", nil, []string{"--server", dc.TLSAddr(), "--tls", "--auth", "plain", "--tls-fingerprint", certFP}, 0},
		{"key pin and CA", nil, []string{"--server", dc.TLSAddr(), "--tls", "--auth", "plain", "--ca-file", dc.CAFile, "--tls-fingerprint", keyFP}, 0},
		{"wrong pin", nil, []string{"--server", dc.Addr(), "--starttls", "--auth", "plain", "--tls-fingerprint", strings.Repeat("0", 64)}, 69},
		{"TLS 1.3", nil, []string{"--server", dc.TLSAddr(), "--tls", "--auth", "plain", "--ca-file", dc.CAFile, "--tls-min-version", "1.3"}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			md := filepath.Join(t.TempDir(), "Maildir")
			env := append([]string{"POP3_PASSWORD=" + password}, tc.env...)
			out, code := pfRun(t, env, append(tc.args, "--user", user, "--debug", md)...)
			require.Equal(t, tc.code, code, "%s", out)
			require.NotContains(t, out, password)
			require.NotContains(t, out, token)
			if tc.code == 0 {
				requireExactlyOnce(t, md, msgs)
			} else {
				require.NoDirExists(t, md)
			}
		})
	}
	t.Run("config keys", func(t *testing.T) {
		md := filepath.Join(t.TempDir(), "Maildir")
		cfg := writeConfig(t, "account pinned", "server "+dc.TLSAddr(), "tls on", "tls_fingerprint "+certFP,
			"tls_min_version 1.2", "auth scram-sha-256", "user "+user, "maildir "+md)
		out := pfOK(t, []string{"POP3_PASSWORD=" + password}, "--config", cfg)
		require.Contains(t, out, "pinned: 2 stored")
	})
	t.Run("usage", func(t *testing.T) {
		out, code := pfRun(t, nil, "--server", dc.Addr(), "--user", user, "--tls-fingerprint", certFP, "md")
		require.Equal(t, 64, code, "%s", out)
		require.Contains(t, out, "need --tls or --starttls")
		out, code = pfRun(t, nil, "--server", dc.Addr(), "--tls", "--user", user, "--tls-min-version", "1.4", "md")
		require.Equal(t, 64, code, "%s", out)
		require.Contains(t, out, "bad tls-min-version 1.4")
	})
}

// TestPop3fetchClientCertDovecot: --tls-cert and --tls-key against a
// Dovecot that requires a client certificate; without one, refused.
func TestPop3fetchClientCertDovecot(t *testing.T) {
	dir := t.TempDir()
	good := dovecot.NewClientPKI(t, dir, "good")
	dc := dovecot.StartClientCert(t, good.CAFile)
	user, password := dc.NewUser(t)
	msgs := pfMessages("clientcert", 2, 400)
	dc.Deliver(t, user, msgs...)
	env := []string{"POP3_PASSWORD=" + password}
	base := []string{"--server", dc.Addr(), "--starttls", "--ca-file", dc.CAFile, "--auth", "user", "--user", user}

	md := filepath.Join(t.TempDir(), "Maildir")
	out := pfOK(t, env, append(slices.Clone(base), "--tls-cert", good.CertFile, "--tls-key", good.KeyFile, md)...)
	require.Contains(t, out, "2 stored")
	requireExactlyOnce(t, md, msgs)

	out, code := pfRun(t, env, append(slices.Clone(base), filepath.Join(t.TempDir(), "Maildir"))...)
	require.Equal(t, 77, code, "%s", out)
	require.Contains(t, out, "valid SSL certificate")
}

// TestPop3fetchMboxBareLF: lines a server ends with a bare LF are lines
// too: "From " after one is quoted in an mbox, and lone CRs are kept,
// whichever packet each byte arrives in (long lines span packets).
func TestPop3fetchMboxBareLF(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("x", 20000)
	msg := []byte("Subject: bare\r\n\r\nbody\nFrom after a bare LF\n>From quoted\nlone\rCR\r\n" + long + "\nFrom x\r\nend\r\n")
	srv := pop3test.Start(t, pop3test.Options{})
	srv.AddUser("demo", "secret", msg)
	mbox := filepath.Join(t.TempDir(), "mbox")
	out, code := pfRun(t, nil, "--server", srv.Addr(), "--user", "demo", "--mbox", mbox)
	require.Zero(t, code, "%s", out)
	requireMbox(t, mbox, [][]byte{msg})
	data, err := os.ReadFile(mbox)
	require.NoError(t, err)
	require.Contains(t, string(data), "\n>From after a bare LF\n>>From quoted\nlone\rCR\n"+long+"\n>From x\n")
}

// TestPop3fetchBatches: more messages than one batch holds (256): every
// message is stored exactly once, reported, deleted, and nothing is left
// in tmp/.
func TestPop3fetchBatches(t *testing.T) {
	t.Parallel()
	msgs := pfMessages("batch", 600, 300)
	srv := pop3test.Start(t, pop3test.Options{Pipelining: true})
	mbox := srv.AddUser("demo", "secret", msgs...)
	md := filepath.Join(t.TempDir(), "Maildir")
	out := pfOK(t, nil, "--server", srv.Addr(), "--user", "demo", "--delete", md)
	require.Contains(t, out, "600 stored")
	requireExactlyOnce(t, md, msgs)
	require.Empty(t, mbox.Messages(), "all deleted")
	require.Empty(t, maildirFiles(t, filepath.Join(md, "tmp")))
}

// TestPop3fetchFullBatchFails: a full batch (of 600 messages) that cannot
// be made durable stops the run there: nothing is deleted, nothing is
// left in tmp/, and the run says why once (74).
func TestPop3fetchFullBatchFails(t *testing.T) {
	t.Parallel()
	msgs := pfMessages("bgflush", 600, 300)
	srv := pop3test.Start(t, pop3test.Options{Pipelining: true})
	mbox := srv.AddUser("demo", "secret", msgs...)
	md := filepath.Join(t.TempDir(), "Maildir")
	for _, d := range []string{"", "tmp", "cur"} {
		require.NoError(t, os.MkdirAll(filepath.Join(md, d), 0o700))
	}
	require.NoError(t, os.WriteFile(filepath.Join(md, "new"), nil, 0o600))
	out, code := pfRun(t, nil, "--server", srv.Addr(), "--user", "demo", "--delete", md)
	require.Equal(t, 74, code, "%s", out)
	require.Equal(t, 1, strings.Count(out, "Not a directory"), "said once:\n%s", out)
	require.Equal(t, msgs, mbox.Messages(), "nothing deleted")
	require.Equal(t, "QUIT", srv.Commands()[len(srv.Commands())-1])
	require.Empty(t, maildirFiles(t, filepath.Join(md, "tmp")))
}
