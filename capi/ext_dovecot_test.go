package main

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/nxpop3/nxpop3/build/dovecot"
	"github.com/nxpop3/nxpop3/internal/ctest"
	"github.com/nxpop3/nxpop3/pop3/pop3test"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The extended C API against a real server: Dovecot 2.3 (build/dovecot).
// ext_test.c is the same program as for pop3test.

// extDovecotCorpus makes n messages of varied sizes with dot-stuffed lines,
// long lines and lines of only a dot, avoiding what Dovecot changes (see
// package dovecot): no empty message, no first line starting with a dot,
// CRLF line endings throughout.
func extDovecotCorpus(n int, seed uint64, tag string) [][]byte {
	r := rand.New(rand.NewPCG(seed, 2000))
	msgs := make([][]byte, n)
	for i := range msgs {
		var b strings.Builder
		fmt.Fprintf(&b, "Subject: %s message %d\r\nMessage-ID: <%d.%s@nxpop3>\r\n\r\n", tag, i+1, i+1, tag)
		size := 64 + r.IntN(12000)
		for line := 0; b.Len() < size; line++ {
			switch r.IntN(12) {
			case 0:
				b.WriteString(".\r\n")
			case 1:
				b.WriteString("..double dot\r\n")
			case 2:
				b.WriteString(strings.Repeat("long", 300) + "\r\n")
			case 3:
				b.WriteString("\r\n")
			default:
				fmt.Fprintf(&b, ".%d line %d of message %d %s\r\n", r.IntN(2), line, i+1, strings.Repeat("x", r.IntN(70)))
			}
		}
		msgs[i] = []byte(b.String())
	}
	return msgs
}

// extDovecotRun runs a scenario of ext_test.c against Dovecot's addr as
// user.
func extDovecotRun(t *testing.T, addr, user, password, scenario string, env ...string) string {
	t.Helper()
	env = append([]string{"POP3_SERVER=" + addr, "POP3_USER=" + user, "POP3_PASSWORD=" + password}, env...)
	bin := ctest.Program(t, ctest.Plain, extSource)
	out, err := cRun(t, ctest.Plain, bin, nil, env, scenario)
	ctest.RequirePassed(t, out, err)
	return out
}

func TestExtDovecotLogin(t *testing.T) {
	dc := dovecot.Start(t)
	user, password := dc.NewUser(t)
	msg := []byte("Subject: dovecot login\r\n\r\nbody\r\n")
	dc.Deliver(t, user, msg)
	count := fmt.Sprintf("1 size %d", len(msg))

	// Another CA than the one that signed Dovecot's certificate.
	other, err := pop3test.NewServer(pop3test.Options{})
	require.NoError(t, err)
	otherCA := filepath.Join(t.TempDir(), "other-ca.pem")
	require.NoError(t, os.WriteFile(otherCA, other.CACertPEM(), 0o644))
	other.Close()

	cases := []struct {
		name    string
		addr    string
		env     []string
		want    uint
		errText string
	}{
		{name: "STLS, CA file", addr: dc.Addr(), env: []string{"TLS=starttls", "AUTH=plain", "STRICT=1", "CA_FILE=" + dc.CAFile}},
		{name: "STLS, auto", addr: dc.Addr(), env: []string{"TLS=starttls", "AUTH=auto", "STRICT=1", "CA_FILE=" + dc.CAFile}},
		{name: "implicit, CA file", addr: dc.TLSAddr(), env: []string{"TLS=implicit", "AUTH=user", "STRICT=1", "CA_FILE=" + dc.CAFile}},
		{name: "implicit, host name", addr: dc.TLSAddr(), env: []string{"TLS=implicit", "AUTH=login", "HOST=localhost", "CA_FILE=" + dc.CAFile}},
		{name: "implicit, no verification", addr: dc.TLSAddr(), env: []string{"TLS=implicit", "AUTH=plain", "VERIFY=0"}},
		{name: "implicit, another CA", addr: dc.TLSAddr(), env: []string{"TLS=implicit", "AUTH=plain", "CA_FILE=" + otherCA},
			want: 0xB9, errText: "certificate"},
		{name: "implicit, system roots", addr: dc.TLSAddr(), env: []string{"TLS=implicit", "AUTH=plain"},
			want: 0xB9, errText: "certificate"},
		{name: "STLS, another CA", addr: dc.Addr(), env: []string{"TLS=starttls", "AUTH=plain", "CA_FILE=" + otherCA},
			want: 0xB9, errText: "certificate"},
		{name: "STLS, wrong server name", addr: dc.Addr(), env: []string{"TLS=starttls", "AUTH=plain", "SERVER_NAME=pop.example.com", "CA_FILE=" + dc.CAFile},
			want: 0xB9, errText: "certificate"},
		{name: "PLAIN", addr: dc.Addr(), env: []string{"AUTH=plain"}},
		{name: "LOGIN", addr: dc.Addr(), env: []string{"AUTH=login"}},
		{name: "CRAM-MD5", addr: dc.Addr(), env: []string{"AUTH=cram"}},
		{name: "CRAM-MD5 strict", addr: dc.Addr(), env: []string{"AUTH=cram", "STRICT=1"}},
		{name: "APOP", addr: dc.Addr(), env: []string{"AUTH=apop", "STRICT=1"}},
		{name: "auto in clear text", addr: dc.Addr(), env: []string{"AUTH=auto", "STRICT=1"}},
		{name: "NULL options", addr: dc.Addr(), env: []string{"OPTS_NULL=1"}},
		{name: "strict PLAIN in clear text refused", addr: dc.Addr(), env: []string{"AUTH=plain", "STRICT=1"},
			want: 0xB9, errText: "(?i)tls"},
		{name: "CRAM-MD5 wrong password", addr: dc.Addr(), env: []string{"AUTH=cram", "POP3_PASSWORD=wrong"},
			want: 0xB4, errText: "AUTH"},
	}
	// One session first: concurrent first logins wait seconds for each
	// other while Dovecot builds the new mailbox's index.
	extDovecotRun(t, dc.Addr(), user, password, "login", "AUTH=user")
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			env := append([]string{fmt.Sprintf("WANT=0x%X", tc.want)}, tc.env...)
			out := extDovecotRun(t, tc.addr, user, password, "login", env...)
			if tc.want == 0 {
				assert.Equal(t, count, extFact(t, out, "count"))
				return
			}
			assert.Regexp(t, tc.errText, extFact(t, out, "error_text"))
			if tc.errText == "AUTH" {
				assert.Equal(t, "5", extFact(t, out, "resp_code"))
			}
		})
	}
	assert.Equal(t, [][]byte{msg}, dc.Messages(t, user))
}

func TestExtDovecotServices(t *testing.T) {
	dc := dovecot.Start(t)
	user, password := dc.NewUser(t)
	msgs := extDovecotCorpus(12, 1, "services")
	msgs = append(msgs, []byte("Subject: no body lines\r\n\r\n"), []byte("Subject: short\r\n\r\none\r\n.\r\nthree\r\n"))
	dc.Deliver(t, user, msgs...)

	for _, lines := range []int{0, 3} {
		t.Run(fmt.Sprintf("TOP %d", lines), func(t *testing.T) {
			out := extDovecotRun(t, dc.Addr(), user, password, "services", "AUTH=plain", "TLS=starttls", "CA_FILE="+dc.CAFile,
				fmt.Sprintf("TOP_LINES=%d", lines), "CAPS=UIDL,TOP,PIPELINING,RESP-CODES,X-ABSENT,STLS")
			// CAPA after login: STLS is gone, the rest is there.
			assert.Equal(t, []string{"UIDL=1", "TOP=1", "PIPELINING=1", "RESP-CODES=1", "X-ABSENT=0", "STLS=0"}, extFacts(out, "capa"))
			caplines := extFacts(out, "capline")
			assert.Contains(t, caplines, "PIPELINING")
			assert.Contains(t, caplines, "UIDL")
			assert.NotContains(t, caplines, "STLS")

			// UIDs: %08Xu%08Xv, the UID counting from 1 in delivery order,
			// one UIDVALIDITY; UIDL n and UIDL agree.
			uids := extFacts(out, "uid")
			require.Len(t, uids, len(msgs))
			assert.Equal(t, uids, extFacts(out, "uidl"))
			uidRe := regexp.MustCompile(`^(\d+) ([0-9a-f]{8})([0-9a-f]{8})$`)
			var validity string
			for i, u := range uids {
				m := uidRe.FindStringSubmatch(u)
				require.NotNil(t, m, "%q", u)
				assert.Equal(t, fmt.Sprint(i+1), m[1])
				assert.Equal(t, fmt.Sprintf("%08x", i+1), m[2])
				if validity == "" {
					validity = m[3]
				}
				assert.Equal(t, validity, m[3])
			}
			_, first, _ := strings.Cut(uids[0], " ")
			assert.Equal(t, first, extFact(t, out, "uidafter"))
			assert.Equal(t, first[:2], extFact(t, out, "uidcut"))

			var wantList, wantTop []string
			for i, m := range msgs {
				wantList = append(wantList, fmt.Sprintf("%d %d", i+1, len(m)))
				top := pop3test.Top(m, lines)
				wantTop = append(wantTop, fmt.Sprintf("%d %d %s", i+1, len(top), extFNV(top)))
			}
			assert.Equal(t, wantList, extFacts(out, "list"))
			assert.Equal(t, wantTop, extFacts(out, "top"))
		})
	}
	assert.Equal(t, msgs, dc.Messages(t, user), "nothing deleted")
}

// TestExtDovecotFetch2000 fetches 2000 messages in one pipelined
// mail_items_fetch, deleting each, and compares every message's length and
// FNV-1a hash, computed in C from the packets, with the delivered bytes.
func TestExtDovecotFetch2000(t *testing.T) {
	dc := dovecot.Start(t)
	user, password := dc.NewUser(t)
	msgs := extDovecotCorpus(2000, 2, "fetch")
	dc.Deliver(t, user, msgs...)
	hashes := filepath.Join(t.TempDir(), "hashes")

	out := extDovecotRun(t, dc.Addr(), user, password, "fetch", "AUTH=plain", "TLS=starttls", "CA_FILE="+dc.CAFile,
		"DELETE=1", "HASH_FILE="+hashes)
	assert.Equal(t, "0x00 messages 2000", extFact(t, out, "fetch"))
	got := extHashLines(t, hashes)
	require.Len(t, got, len(msgs))
	bad := 0
	for i, m := range msgs {
		if want := extMsgLine(i+1, m, extCapacity); got[i] != want {
			bad++
			if bad <= 5 {
				assert.Fail(t, "wrong message", "message %d: got %q, want %q", i+1, got[i], want)
			}
		}
	}
	assert.Zero(t, bad, "messages differing")
	assert.Empty(t, dc.Messages(t, user), "every message accepted was deleted at QUIT")
}

// TestCExampleDemoDovecot runs the demo as `make demo` runs it against a
// real server: every message printed, every message still there afterwards;
// POP3_DELETE=1 deletes them.
func TestCExampleDemoDovecot(t *testing.T) {
	dc := dovecot.Start(t)
	user, password := dc.NewUser(t)
	msgs := extDovecotCorpus(5, 12, "demo")
	dc.Deliver(t, user, msgs...)
	bin := ctest.Program(t, ctest.Plain, "../cexamples/demo.c")
	env := []string{"POP3_SERVER=" + dc.Addr(), "POP3_USER=" + user, "POP3_PASSWORD=" + password}

	out, err := cRun(t, ctest.Plain, bin, nil, env)
	require.NoError(t, err, "%s", out)
	for _, m := range msgs {
		require.Contains(t, out, string(m))
	}
	require.Contains(t, out, "kept 5 messages on the server")
	require.Equal(t, msgs, dc.Messages(t, user), "the demo deleted mail without POP3_DELETE=1")

	out, err = cRun(t, ctest.Plain, bin, nil, append(env, "POP3_DELETE=1"))
	require.NoError(t, err, "%s", out)
	require.Contains(t, out, "deleted 5 messages")
	require.Empty(t, dc.Messages(t, user))
}
