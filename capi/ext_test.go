package main

import (
	"bufio"
	"bytes"
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"hash/fnv"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nxpop3/nxpop3/internal/ctest"
	"github.com/nxpop3/nxpop3/pop3/pop3test"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The extended C API (nxd_pop3_client_create_ex and its options, CAPA,
// UIDL, LIST, TOP, response codes, the pipelined fetch) against pop3test.
// testdata/ext_test.c does the calls and checks what C alone can check
// (statuses, NUL termination, the pool); it prints what it got ("msg 3 120
// <fnv> 1", "uid 1 uid-1", ...) and these tests compare that with what the
// server stored and saw.

const extSource = "testdata/ext_test.c"

// extCapacity is the data room of a packet of a 1460-byte pool for the
// packet type the library allocates (NX_IPv4_TCP_PACKET = 56).
const extCapacity = 1460 - 56

// extRun runs a scenario of ext_test.c against srv (nil: POP3_SERVER must
// be in env) and requires every check of the C program to pass.
func extRun(t *testing.T, srv *pop3test.Server, scenario string, env ...string) string {
	t.Helper()
	bin := ctest.Program(t, ctest.Plain, extSource)
	out, err := cRun(t, ctest.Plain, bin, srv, env, scenario)
	ctest.RequirePassed(t, out, err)
	return out
}

// extFNV is FNV-1a 64 as the C program prints it.
func extFNV(b []byte) string {
	h := fnv.New64a()
	h.Write(b)
	return fmt.Sprintf("%016x", h.Sum64())
}

// extFacts returns the rest of every output line that starts with
// prefix + " ".
func extFacts(out, prefix string) []string {
	var facts []string
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), prefix+" "); ok {
			facts = append(facts, rest)
		}
	}
	return facts
}

func extFact(t *testing.T, out, prefix string) string {
	t.Helper()
	f := extFacts(out, prefix)
	require.Len(t, f, 1, "want one %q line in:\n%s", prefix, out)
	return f[0]
}

// extPackets is how many packets a message of n bytes takes.
func extPackets(n, capacity int) int {
	return max(1, (n+capacity-1)/capacity)
}

// extMsgLine is what the C program prints for a message it fetched whole.
func extMsgLine(item int, msg []byte, capacity int) string {
	return fmt.Sprintf("%d %d %s %d", item, len(msg), extFNV(msg), extPackets(len(msg), capacity))
}

// extCorpus holds what a client gets wrong: dot-stuffed lines anywhere
// (the first line, ".", "..", ". "), an empty message, messages of exactly
// one packet and one byte more, and one of many packets.
func extCorpus() [][]byte {
	var big bytes.Buffer
	big.WriteString("Subject: big\r\nFrom: a@example.com\r\n\r\n")
	for i := 0; big.Len() < 200_000; i++ {
		if i%7 == 0 {
			big.WriteString(".")
		}
		if i%11 == 0 {
			big.WriteString(".\r\n")
		}
		fmt.Fprintf(&big, "line %06d of the big message, with some padding to fill packets\r\n", i)
	}
	exact := func(n int, tag string) []byte {
		b := []byte("Subject: " + tag + "\r\n\r\n")
		for len(b) < n-2 {
			b = append(b, 'x')
			if len(b)%70 == 0 {
				b = append(b, "\r\n."...)
			}
		}
		b = append(b[:n-2], "\r\n"...)
		return b
	}
	return [][]byte{
		[]byte("Subject: one\r\nFrom: a@example.com\r\n\r\nHello.\r\nSecond line.\r\nThird line.\r\n"),
		[]byte(".Subject: starts with a dot\r\n\r\n.\r\n..\r\n. space\r\n...three\r\nend\r\n"),
		{},
		exact(extCapacity, "one packet"),
		exact(extCapacity+1, "one packet and a byte"),
		big.Bytes(),
		[]byte("Subject: last\r\n\r\nbody line 1\r\n.\r\nbody line 3\r\n\r\n.\r\n"),
	}
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

// extCAFile writes srv's CA to a file and returns its path.
func extCAFile(t *testing.T, srv *pop3test.Server) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "ca.pem")
	require.NoError(t, os.WriteFile(path, srv.CACertPEM(), 0o644))
	return path
}

// extNoSecret checks that no command line carried the password, raw or
// inside base64 (PLAIN, LOGIN, XOAUTH2).
func extNoSecret(t *testing.T, cmds []string, secret string) {
	t.Helper()
	for _, c := range cmds {
		assert.NotContains(t, c, secret, "the password went on the wire")
		verb, arg, _ := strings.Cut(c, " ")
		for _, f := range append(strings.Fields(arg), verb) {
			if raw, err := base64.StdEncoding.DecodeString(f); err == nil {
				assert.NotContains(t, string(raw), secret, "the password went on the wire in %q", c)
			}
		}
	}
}

func TestExtOptions(t *testing.T) {
	srv := pop3test.Start(t, pop3test.Options{})
	srv.AddUser("demo", "secret")
	extRun(t, srv, "options")
	// Every create was refused before connecting.
	assert.Zero(t, srv.Sessions(), "a create with bad options connected: %q", srv.Commands())
}

func TestExtLogin(t *testing.T) {
	apop := func(ts string) string {
		sum := md5.Sum([]byte(ts + "secret"))
		return "APOP demo " + hex.EncodeToString(sum[:])
	}
	cases := []struct {
		name   string
		opts   pop3test.Options
		env    []string
		want   uint // create status
		code   string
		cmds   []string // exact dialogue before STAT (nil: not checked)
		check  func(t *testing.T, cmds []string)
		secret bool // the password may not appear on the wire
		remote bool // the server listens on an address of this host that is not loopback
	}{
		{name: "NULL options: APOP", env: []string{"OPTS_NULL=1"}, opts: pop3test.Options{Timestamp: "<1.2@test>"},
			cmds: []string{apop("<1.2@test>")}},
		{name: "apop", env: []string{"AUTH=apop"}, opts: pop3test.Options{Timestamp: "<3.4@test>"},
			cmds: []string{apop("<3.4@test>")}},
		{name: "apop without timestamp falls back", env: []string{"AUTH=apop"}, opts: pop3test.Options{NoTimestamp: true},
			cmds: []string{"USER demo", "PASS secret"}},
		{name: "user", env: []string{"AUTH=user"}, cmds: []string{"USER demo", "PASS secret"}},
		{name: "plain", env: []string{"AUTH=plain"}, cmds: []string{"AUTH PLAIN " + b64("\x00demo\x00secret")}},
		{name: "login", env: []string{"AUTH=login"}, check: func(t *testing.T, cmds []string) {
			require.GreaterOrEqual(t, len(cmds), 2)
			// The user name goes as the initial response or after the first challenge.
			joined := strings.Join(cmds, "\n")
			assert.True(t, strings.HasPrefix(cmds[0], "AUTH LOGIN"), "%q", cmds)
			assert.Contains(t, joined, b64("demo"))
			assert.Equal(t, b64("secret"), cmds[len(cmds)-1])
		}},
		{name: "cram-md5", env: []string{"AUTH=cram"}, check: func(t *testing.T, cmds []string) {
			require.Len(t, cmds, 2, "%q", cmds)
			assert.Equal(t, "AUTH CRAM-MD5", cmds[0])
			resp, err := base64.StdEncoding.DecodeString(cmds[1])
			require.NoError(t, err)
			name, digest, _ := strings.Cut(string(resp), " ")
			assert.Equal(t, "demo", name)
			assert.Regexp(t, `^[0-9a-f]{32}$`, digest)
		}, secret: true},
		{name: "xoauth2", env: []string{"AUTH=xoauth2", "POP3_PASSWORD=ya29.token-123"},
			cmds: []string{"AUTH XOAUTH2 " + b64("user=demo\x01auth=Bearer ya29.token-123\x01\x01")}},
		{name: "xoauth2 wrong token", env: []string{"AUTH=xoauth2", "POP3_PASSWORD=ya29.wrong"}, want: 0xB4, code: "5"},
		{name: "wrong password", env: []string{"AUTH=user", "POP3_PASSWORD=wrong"}, want: 0xB4, code: "5"},
		{name: "auto picks CRAM-MD5 in clear text", env: []string{"AUTH=auto"}, check: func(t *testing.T, cmds []string) {
			require.Len(t, cmds, 3, "%q", cmds)
			assert.Equal(t, "CAPA", cmds[0])
			assert.Equal(t, "AUTH CRAM-MD5", cmds[1])
		}, secret: true},
		{name: "auto without SASL: APOP", env: []string{"AUTH=auto"}, opts: pop3test.Options{SASL: []string{}, Timestamp: "<5.6@test>"},
			cmds: []string{"CAPA", apop("<5.6@test>")}},
		{name: "strict user refused", env: []string{"AUTH=user", "STRICT=1"}, want: 0xB9, cmds: []string{}, secret: true},
		{name: "strict plain refused", env: []string{"AUTH=plain", "STRICT=1"}, want: 0xB9, cmds: []string{}, secret: true},
		{name: "strict login refused", env: []string{"AUTH=login", "STRICT=1"}, want: 0xB9, cmds: []string{}, secret: true},
		{name: "strict xoauth2 refused", env: []string{"AUTH=xoauth2", "STRICT=1", "POP3_PASSWORD=ya29.token-123"}, want: 0xB9, cmds: []string{},
			check: func(t *testing.T, cmds []string) { extNoSecret(t, cmds, "ya29.token-123") }},
		{name: "strict apop: no fallback to USER/PASS", env: []string{"AUTH=apop", "STRICT=1"}, opts: pop3test.Options{DisableAPOP: true},
			want: 0xB4, secret: true, check: func(t *testing.T, cmds []string) {
				require.Len(t, cmds, 1, "%q", cmds)
				assert.True(t, strings.HasPrefix(cmds[0], "APOP demo "))
			}},
		{name: "strict auto with PLAIN only refused", env: []string{"AUTH=auto", "STRICT=1"},
			opts: pop3test.Options{SASL: []string{"PLAIN"}, NoTimestamp: true}, want: 0xB9, cmds: []string{"CAPA"}, secret: true},
		{name: "strict cram-md5 allowed", env: []string{"AUTH=cram", "STRICT=1"}, secret: true},
		{name: "host name, NULL address", env: []string{"HOST=localhost", "AUTH=user"}, cmds: []string{"USER demo", "PASS secret"}},
		// Off the loopback address, without TLS: no readable password
		// unless nx_pop3_options_insecure_auth, where the vendor's create
		// calls send USER/PASS (TestVendorCreateInsecureAuth).
		{name: "off-host: user refused", remote: true, env: []string{"AUTH=user"}, want: 0xB9, cmds: []string{}, secret: true},
		{name: "off-host: plain refused", remote: true, env: []string{"AUTH=plain"}, want: 0xB9, cmds: []string{}, secret: true},
		{name: "off-host: login refused", remote: true, env: []string{"AUTH=login"}, want: 0xB9, cmds: []string{}, secret: true},
		{name: "off-host: xoauth2 refused", remote: true, env: []string{"AUTH=xoauth2", "POP3_PASSWORD=ya29.token-123"}, want: 0xB9, cmds: []string{},
			check: func(t *testing.T, cmds []string) { extNoSecret(t, cmds, "ya29.token-123") }},
		{name: "off-host: apop without timestamp, no fallback", remote: true, env: []string{"AUTH=apop"},
			opts: pop3test.Options{NoTimestamp: true}, want: 0xB9, cmds: []string{}, secret: true},
		{name: "off-host: NULL options, APOP refused, no fallback", remote: true, env: []string{"OPTS_NULL=1"},
			opts: pop3test.Options{DisableAPOP: true}, want: 0xB9, secret: true, check: func(t *testing.T, cmds []string) {
				require.Len(t, cmds, 1, "%q", cmds)
				assert.True(t, strings.HasPrefix(cmds[0], "APOP demo "))
			}},
		{name: "off-host: auto with PLAIN only refused", remote: true, env: []string{"AUTH=auto"},
			opts: pop3test.Options{SASL: []string{"PLAIN"}, NoTimestamp: true}, want: 0xB9, cmds: []string{"CAPA"}, secret: true},
		{name: "off-host: apop allowed", remote: true, env: []string{"AUTH=apop"}, opts: pop3test.Options{Timestamp: "<9.1@test>"},
			cmds: []string{apop("<9.1@test>")}},
		{name: "off-host: cram-md5 allowed", remote: true, env: []string{"AUTH=cram"}, secret: true},
		{name: "off-host: user with insecure_auth", remote: true, env: []string{"AUTH=user", "INSECURE_AUTH=1"},
			cmds: []string{"USER demo", "PASS secret"}},
		{name: "off-host: apop falls back with insecure_auth", remote: true, env: []string{"AUTH=apop", "INSECURE_AUTH=1"},
			opts: pop3test.Options{NoTimestamp: true}, cmds: []string{"USER demo", "PASS secret"}},
		// An older caller's struct: fields beyond its size hold 0xA5 garbage
		// (pointers, strict, timeouts) that would fail the login if read.
		{name: "older caller, size field only", env: []string{"OLD_SIZE=tls"}, opts: pop3test.Options{Timestamp: "<7.8@test>"},
			cmds: []string{apop("<7.8@test>")}},
		{name: "older caller, up to auth", env: []string{"OLD_SIZE=strict", "AUTH=user"}, cmds: []string{"USER demo", "PASS secret"}},
		{name: "older caller, up to connect timeout", env: []string{"OLD_SIZE=reply_timeout", "AUTH=plain"},
			cmds: []string{"AUTH PLAIN " + b64("\x00demo\x00secret")}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var srv *pop3test.Server
			if tc.remote {
				srv = startOffLoopback(t, tc.opts)
			} else {
				srv = pop3test.Start(t, tc.opts)
			}
			mb := srv.AddUser("demo", "secret", []byte("Subject: x\r\n\r\nbody\r\n"))
			mb.SetToken("ya29.token-123")
			env := append([]string{fmt.Sprintf("WANT=0x%X", tc.want)}, tc.env...)
			out := extRun(t, srv, "login", env...)
			assert.Equal(t, fmt.Sprintf("0x%02X", tc.want), extFact(t, out, "create"))
			cmds := srv.Commands()
			before := cmds
			if i := slices.Index(cmds, "STAT"); i >= 0 {
				before = cmds[:i]
			}
			if tc.want == 0 {
				assert.Equal(t, []string{"STAT", "QUIT"}, cmds[len(before):], "after login")
				assert.Equal(t, "1 size 20", extFact(t, out, "count"))
			} else {
				assert.NotContains(t, cmds, "STAT")
				assert.NotEmpty(t, extFact(t, out, "error_text"))
			}
			if tc.code != "" {
				assert.Equal(t, tc.code, extFact(t, out, "resp_code"))
			}
			if tc.want == 0xB9 {
				// Refused by the client: the error says why.
				assert.Regexp(t, `(?i)tls|strict`, extFact(t, out, "error_text"))
			}
			if tc.cmds != nil {
				assert.Equal(t, tc.cmds, append([]string{}, before...), "dialogue")
			}
			if tc.check != nil {
				tc.check(t, before)
			}
			if tc.secret {
				extNoSecret(t, cmds, "secret")
			}
			assert.Len(t, mb.Messages(), 1, "login alone deletes nothing")
		})
	}
}

func TestExtTLS(t *testing.T) {
	stls := pop3test.Start(t, pop3test.Options{STLS: true})
	stls.AddUser("demo", "secret", []byte("Subject: x\r\n\r\nbody\r\n"))
	implicit := pop3test.Start(t, pop3test.Options{ImplicitTLS: true})
	implicit.AddUser("demo", "secret", []byte("Subject: x\r\n\r\nbody\r\n")).SetToken("ya29.t")
	plain := pop3test.Start(t, pop3test.Options{})
	plain.AddUser("demo", "secret", []byte("Subject: x\r\n\r\nbody\r\n"))
	other := pop3test.Start(t, pop3test.Options{}) // only for its CA, which signed none of the others
	ca := map[*pop3test.Server]string{stls: extCAFile(t, stls), implicit: extCAFile(t, implicit)}
	otherCA := extCAFile(t, other)

	cases := []struct {
		name    string
		srv     *pop3test.Server
		env     []string
		want    uint
		errText string   // regexp the error text must match
		cmds    []string // exact dialogue before STAT (nil: not checked)
	}{
		{name: "STLS", srv: stls, env: []string{"TLS=starttls", "AUTH=user", "CA_FILE=" + ca[stls]},
			cmds: []string{"CAPA", "STLS", "CAPA", "USER demo", "PASS secret"}},
		{name: "STLS strict USER/PASS allowed", srv: stls, env: []string{"TLS=starttls", "AUTH=user", "STRICT=1", "CA_FILE=" + ca[stls]},
			cmds: []string{"CAPA", "STLS", "CAPA", "USER demo", "PASS secret"}},
		{name: "STLS auto: PLAIN", srv: stls, env: []string{"TLS=starttls", "AUTH=auto", "STRICT=1", "CA_FILE=" + ca[stls]},
			cmds: []string{"CAPA", "STLS", "CAPA", "AUTH PLAIN " + b64("\x00demo\x00secret")}},
		{name: "implicit", srv: implicit, env: []string{"TLS=implicit", "AUTH=user", "CA_FILE=" + ca[implicit]},
			cmds: []string{"USER demo", "PASS secret"}},
		{name: "implicit xoauth2 strict", srv: implicit, env: []string{"TLS=implicit", "AUTH=xoauth2", "STRICT=1", "POP3_PASSWORD=ya29.t", "CA_FILE=" + ca[implicit]},
			cmds: []string{"AUTH XOAUTH2 " + b64("user=demo\x01auth=Bearer ya29.t\x01\x01")}},
		{name: "implicit host name", srv: implicit, env: []string{"TLS=implicit", "AUTH=user", "HOST=localhost", "CA_FILE=" + ca[implicit]}},
		{name: "implicit server name", srv: implicit, env: []string{"TLS=implicit", "AUTH=user", "SERVER_NAME=localhost", "CA_FILE=" + ca[implicit]}},
		{name: "no verification", srv: implicit, env: []string{"TLS=implicit", "AUTH=user", "VERIFY=0"}},
		{name: "no verification, wrong name", srv: stls, env: []string{"TLS=starttls", "AUTH=user", "VERIFY=0", "SERVER_NAME=wrong.example"}},

		{name: "implicit, another CA", srv: implicit, env: []string{"TLS=implicit", "AUTH=user", "CA_FILE=" + otherCA},
			want: 0xB9, errText: `certificate`, cmds: []string{}},
		{name: "implicit, system roots", srv: implicit, env: []string{"TLS=implicit", "AUTH=user"},
			want: 0xB9, errText: `certificate`, cmds: []string{}},
		{name: "implicit, wrong server name", srv: implicit, env: []string{"TLS=implicit", "AUTH=user", "SERVER_NAME=wrong.example", "CA_FILE=" + ca[implicit]},
			want: 0xB9, errText: `certificate.*wrong\.example|wrong\.example.*certificate`, cmds: []string{}},
		{name: "STLS, another CA", srv: stls, env: []string{"TLS=starttls", "AUTH=user", "CA_FILE=" + otherCA},
			want: 0xB9, errText: `certificate`, cmds: []string{"CAPA", "STLS"}},
		{name: "STLS, system roots", srv: stls, env: []string{"TLS=starttls", "AUTH=user"},
			want: 0xB9, errText: `certificate`, cmds: []string{"CAPA", "STLS"}},
		{name: "STLS, wrong server name", srv: stls, env: []string{"TLS=starttls", "AUTH=user", "SERVER_NAME=wrong.example", "CA_FILE=" + ca[stls]},
			want: 0xB9, errText: `certificate`, cmds: []string{"CAPA", "STLS"}},
		{name: "STLS not offered", srv: plain, env: []string{"TLS=starttls", "AUTH=user", "VERIFY=0"},
			want: 0xB9, errText: `(?i)tls`},
		// The server sees the ClientHello as garbage lines, nothing else.
		{name: "implicit against clear text", srv: plain, env: []string{"TLS=implicit", "AUTH=user", "VERIFY=0"},
			want: 0xB9, errText: `(?i)tls`},
	}
	// Sequential: the servers are shared and Commands() is per server.
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			n := len(tc.srv.Commands())
			env := append([]string{fmt.Sprintf("WANT=0x%X", tc.want)}, tc.env...)
			out := extRun(t, tc.srv, "login", env...)
			cmds := tc.srv.Commands()[n:]
			before := cmds
			if i := slices.Index(cmds, "STAT"); i >= 0 {
				before = cmds[:i]
			}
			if tc.want == 0 {
				assert.Equal(t, []string{"STAT", "QUIT"}, cmds[len(before):])
			} else {
				assert.NotContains(t, cmds, "STAT")
				text := extFact(t, out, "error_text")
				if tc.errText != "" {
					assert.Regexp(t, tc.errText, text)
				}
				extNoSecret(t, cmds, "secret")
				for _, c := range cmds {
					assert.False(t, strings.HasPrefix(c, "USER") || strings.HasPrefix(c, "AUTH") || strings.HasPrefix(c, "APOP"),
						"a credential command after a TLS failure: %q", cmds)
				}
			}
			if tc.cmds != nil {
				assert.Equal(t, tc.cmds, append([]string{}, before...), "dialogue")
			}
		})
	}
}

func TestExtServices(t *testing.T) {
	msgs := extCorpus()
	for _, lines := range []int{0, 2} {
		t.Run(fmt.Sprintf("TOP %d", lines), func(t *testing.T) {
			t.Parallel()
			srv := pop3test.Start(t, pop3test.Options{Pipelining: true})
			mb := srv.AddUser("demo", "secret", msgs...)
			out := extRun(t, srv, "services", "TOP_LINES="+strconv.Itoa(lines),
				"CAPS=UIDL,uidl,TOP,PIPELINING,SASL CRAM-MD5,sasl xoauth2,SASL GSSAPI,X-ABSENT,STLS")
			// Capabilities.
			assert.Equal(t, []string{"UIDL=1", "uidl=1", "TOP=1", "PIPELINING=1", "SASL CRAM-MD5=1", "sasl xoauth2=1",
				"SASL GSSAPI=0", "X-ABSENT=0", "STLS=0"}, extFacts(out, "capa"))
			assert.Equal(t, []string{"AUTH-RESP-CODE", "IMPLEMENTATION pop3test", "PIPELINING", "RESP-CODES",
				"SASL PLAIN LOGIN CRAM-MD5 XOAUTH2", "TOP", "UIDL", "USER"}, extFacts(out, "capline"))
			// Unique-ids, one by one and listed, and sizes.
			uids := mb.UIDs()
			var wantUID, wantList []string
			for i, u := range uids {
				wantUID = append(wantUID, fmt.Sprintf("%d %s", i+1, u))
				wantList = append(wantList, fmt.Sprintf("%d %d", i+1, len(msgs[i])))
			}
			assert.Equal(t, wantUID, extFacts(out, "uid"))
			assert.Equal(t, wantUID, extFacts(out, "uidl"))
			assert.Equal(t, wantList, extFacts(out, "list"))
			assert.Equal(t, uids[0][:2], extFact(t, out, "uidcut"))
			assert.Equal(t, uids[0], extFact(t, out, "uidafter"))
			// TOP: header and exactly the lines asked for.
			var wantTop []string
			for i, m := range msgs {
				top := pop3test.Top(m, lines)
				wantTop = append(wantTop, fmt.Sprintf("%d %d %s", i+1, len(top), extFNV(top)))
			}
			assert.Equal(t, wantTop, extFacts(out, "top"))
			// CAPA is asked once after login and remembered.
			cmds := srv.Commands()
			assert.Equal(t, 1, strings.Count(strings.Join(cmds, "\n")+"\n", "CAPA\n"), "%q", cmds)
			for i := range msgs {
				assert.Contains(t, cmds, fmt.Sprintf("TOP %d %d", i+1, lines))
				assert.Contains(t, cmds, fmt.Sprintf("UIDL %d", i+1))
			}
			assert.Contains(t, cmds, "UIDL")
			assert.Contains(t, cmds, "LIST")
			assert.Len(t, mb.Messages(), len(msgs))
		})
	}
	t.Run("server without PIPELINING and CRAM-MD5", func(t *testing.T) {
		t.Parallel()
		srv := pop3test.Start(t, pop3test.Options{SASL: []string{"PLAIN"}, DisableUser: true})
		srv.AddUser("demo", "secret", msgs[0])
		out := extRun(t, srv, "services", "AUTH=plain", "CAPS=PIPELINING,SASL CRAM-MD5,SASL PLAIN,USER,UIDL")
		assert.Equal(t, []string{"PIPELINING=0", "SASL CRAM-MD5=0", "SASL PLAIN=1", "USER=0", "UIDL=1"}, extFacts(out, "capa"))
		assert.Equal(t, []string{"AUTH-RESP-CODE", "IMPLEMENTATION pop3test", "RESP-CODES", "SASL PLAIN", "TOP", "UIDL"},
			extFacts(out, "capline"))
	})
}

// extRETRLog records when each RETR reached pop3test, to tell a pipelining
// client (RETRs arrive together) from one waiting for each reply (RETRs
// arrive at least one ReplyDelay apart).
type extRETRLog struct {
	mu    sync.Mutex
	times []time.Time
}

func (l *extRETRLog) logf(format string, args ...any) {
	if format != "C: %s" || len(args) != 1 {
		return
	}
	if s, ok := args[0].(string); ok && strings.HasPrefix(s, "RETR ") {
		l.mu.Lock()
		l.times = append(l.times, time.Now())
		l.mu.Unlock()
	}
}

// closeGaps counts the RETRs that arrived within d of the previous one.
func (l *extRETRLog) closeGaps(d time.Duration) (close, total int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for i := 1; i < len(l.times); i++ {
		if l.times[i].Sub(l.times[i-1]) < d {
			close++
		}
	}
	return close, len(l.times)
}

// extFetched reads the msg lines of a fetch.
func extFetched(t *testing.T, out string) []string {
	t.Helper()
	return extFacts(out, "msg")
}

func TestExtFetch(t *testing.T) {
	msgs := extCorpus()
	want := func(items ...int) []string {
		var lines []string
		for _, i := range items {
			lines = append(lines, extMsgLine(i, msgs[i-1], extCapacity))
		}
		return lines
	}
	all := make([]int, len(msgs))
	for i := range all {
		all[i] = i + 1
	}
	// left is what the mailbox must hold once the given items are deleted.
	left := func(deleted ...int) [][]byte {
		var out [][]byte
		for i, m := range msgs {
			if !slices.Contains(deleted, i+1) {
				out = append(out, m)
			}
		}
		return out
	}

	for _, pipelining := range []bool{true, false} {
		mode := map[bool]string{true: "pipelined", false: "sequential"}[pipelining]
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			server := func(t *testing.T, delay time.Duration, log *extRETRLog) (*pop3test.Server, *pop3test.Mailbox) {
				opts := pop3test.Options{Pipelining: pipelining, ReplyDelay: delay}
				if log != nil {
					opts.Logf = log.logf
				}
				srv := pop3test.Start(t, opts)
				return srv, srv.AddUser("demo", "secret", msgs...)
			}

			t.Run("all, items NULL", func(t *testing.T) {
				const delay = 25 * time.Millisecond
				var log extRETRLog
				srv, mb := server(t, delay, &log)
				out := extRun(t, srv, "fetch")
				assert.Equal(t, want(all...), extFetched(t, out))
				assert.Equal(t, fmt.Sprintf("0x00 messages %d", len(msgs)), extFact(t, out, "fetch"))
				assert.Equal(t, msgs, mb.Messages(), "nothing deleted")
				close, total := log.closeGaps(delay / 2)
				require.Equal(t, len(msgs), total)
				t.Logf("%d of %d RETRs arrived within %v of the previous one", close, total-1, delay/2)
				if pipelining {
					assert.GreaterOrEqual(t, close, total-3, "RETRs were not pipelined")
				} else {
					assert.Zero(t, close, "RETRs were pipelined although the server does not advertise PIPELINING")
				}
				// CAPA once (and LIST for the window, when pipelining), then
				// only RETRs, then NOOP and QUIT.
				cmds := srv.Commands()
				i := slices.Index(cmds, "STAT")
				require.GreaterOrEqual(t, i, 0)
				wantCmds := []string{"STAT", "CAPA"}
				if pipelining {
					wantCmds = append(wantCmds, "LIST")
				}
				for _, n := range all {
					wantCmds = append(wantCmds, fmt.Sprintf("RETR %d", n))
				}
				assert.Equal(t, append(wantCmds, "NOOP", "QUIT"), cmds[i:])
			})

			t.Run("count with items NULL", func(t *testing.T) {
				srv, mb := server(t, 0, nil)
				out := extRun(t, srv, "fetch", "COUNT=3", "DELETE=1")
				assert.Equal(t, want(1, 2, 3), extFetched(t, out))
				assert.Equal(t, left(1, 2, 3), mb.Messages())
			})

			t.Run("list with delete", func(t *testing.T) {
				srv, mb := server(t, 0, nil)
				out := extRun(t, srv, "fetch", "ITEMS=6,1,3", "DELETE=1")
				assert.Equal(t, want(6, 1, 3), extFetched(t, out))
				assert.Equal(t, left(6, 1, 3), mb.Messages())
				cmds := srv.Commands()
				for _, n := range []int{6, 1, 3} {
					assert.Contains(t, cmds, fmt.Sprintf("DELE %d", n))
				}
				assert.Equal(t, 3, countPrefix(cmds, "DELE "), "%q", cmds)
				// Each DELE only after its RETR.
				for _, n := range []int{6, 1, 3} {
					assert.Less(t, slices.Index(cmds, fmt.Sprintf("RETR %d", n)), slices.Index(cmds, fmt.Sprintf("DELE %d", n)))
				}
			})

			t.Run("delete takes effect only at QUIT", func(t *testing.T) {
				srv, mb := server(t, 0, nil)
				out := extRun(t, srv, "fetch", "DELETE=1", "NO_QUIT=1")
				assert.Equal(t, want(all...), extFetched(t, out))
				assert.Equal(t, len(msgs), countPrefix(srv.Commands(), "DELE "))
				require.Eventually(t, func() bool { return !mb.Locked() }, 5*time.Second, 10*time.Millisecond)
				assert.Equal(t, msgs, mb.Messages(), "deleted without QUIT")
			})

			t.Run("callback stops on the first packet", func(t *testing.T) {
				srv, mb := server(t, 0, nil)
				// Item 6 is the big one: the stop comes with more of it pending.
				out := extRun(t, srv, "fetch", "DELETE=1", "STOP_AT=6", "WANT_FETCH=0x43")
				assert.Equal(t, want(1, 2, 3, 4, 5), extFetched(t, out))
				assert.Equal(t, left(1, 2, 3, 4, 5), mb.Messages())
				assert.Equal(t, 5, countPrefix(srv.Commands(), "DELE "), "%q", srv.Commands())
			})

			t.Run("fetch_bytes sets the window", func(t *testing.T) {
				// Stopped in message 1, the fetch has sent the RETRs its
				// window held: every one by default (the maildrop is far
				// under 4 MiB), one when a single message fills the budget.
				retrs := map[bool][]int{true: {len(msgs), 1}, false: {1, 1}}[pipelining]
				for i, bytes := range []string{"0", "1"} {
					srv, _ := server(t, 0, nil)
					out := extRun(t, srv, "fetch", "STOP_AT=1", "WANT_FETCH=0x43", "FETCH_BYTES="+bytes)
					assert.Empty(t, extFetched(t, out))
					assert.Equal(t, retrs[i], countPrefix(srv.Commands(), "RETR "), "FETCH_BYTES=%s: %q", bytes, srv.Commands())
				}
			})

			t.Run("callback stops on the final packet", func(t *testing.T) {
				srv, mb := server(t, 0, nil)
				out := extRun(t, srv, "fetch", "DELETE=1", "ITEMS=2,4,6,7", "STOP_AT=4", "STOP_ON=final", "WANT_FETCH=0x43")
				assert.Equal(t, want(2), extFetched(t, out))
				assert.Equal(t, left(2), mb.Messages(), "only the accepted message is deleted")
				assert.NotContains(t, srv.Commands(), "DELE 4")
			})

			t.Run("pool exhausted by the callback", func(t *testing.T) {
				srv, mb := server(t, 0, nil)
				out := extRun(t, srv, "fetch", "PAYLOAD=256", "PACKETS=4", "PACKET_TIMEOUT=10", "HOLD=1",
					"DELETE=1", "ITEMS=6,1", "WANT_FETCH=0x01")
				assert.Equal(t, "4", extFact(t, out, "held"))
				assert.Empty(t, extFetched(t, out))
				assert.Equal(t, msgs, mb.Messages(), "a message that was not delivered whole was deleted")
				assert.Zero(t, countPrefix(srv.Commands(), "DELE "))
				// 10 ticks, not the default second, per wait for a packet.
				secs, err := strconv.ParseFloat(extFact(t, out, "fetch_seconds"), 64)
				require.NoError(t, err)
				assert.Less(t, secs, 0.8, "the packet_timeout option was not applied")
				assert.GreaterOrEqual(t, secs, 0.09, "no wait for a packet")
			})

			t.Run("callback calling its own client", func(t *testing.T) {
				srv, mb := server(t, 0, nil)
				out := extRun(t, srv, "fetch", "REENTER=1", "DELETE=1")
				assert.Equal(t, want(all...), extFetched(t, out))
				assert.Empty(t, mb.Messages())
				assert.Zero(t, countPrefix(srv.Commands(), "UIDL"), "a refused call reached the server")
			})

			t.Run("small packets", func(t *testing.T) {
				srv, _ := server(t, 0, nil)
				const payload = 128
				out := extRun(t, srv, "fetch", "PAYLOAD="+strconv.Itoa(payload), "PACKETS=8")
				var lines []string
				for _, i := range all {
					lines = append(lines, extMsgLine(i, msgs[i-1], payload-56))
				}
				assert.Equal(t, lines, extFetched(t, out))
			})
		})
	}
}

func countPrefix(lines []string, prefix string) int {
	n := 0
	for _, l := range lines {
		if strings.HasPrefix(l, prefix) {
			n++
		}
	}
	return n
}

func TestExtResponseCodes(t *testing.T) {
	srv := pop3test.Start(t, pop3test.Options{})
	mb := srv.AddUser("demo", "secret", extCorpus()[:3]...)
	out := extRun(t, srv, "inuse")
	assert.Contains(t, extFact(t, out, "error_text"), "IN-USE")
	assert.Equal(t, "1", extFact(t, out, "resp_code"))
	assert.Len(t, mb.Messages(), 3, "RSET undid the deletion")
}

func TestExtChecks(t *testing.T) {
	srv := pop3test.Start(t, pop3test.Options{Pipelining: true})
	mb := srv.AddUser("demo", "secret", extCorpus()[:3]...)
	out := extRun(t, srv, "checks", "AUTH=user", "HUGE_COUNT=0xFFFFFFFF")
	cmds := srv.Commands()
	// Only the one valid fetch reached the server; every refused call was
	// refused before anything was sent.
	assert.Equal(t, []string{"USER demo", "PASS secret", "STAT", "CAPA", "RETR 1", "QUIT"}, cmds, "\n%s", out)
	assert.Len(t, mb.Messages(), 3)
}

// extHashLines reads a HASH_FILE.
func extHashLines(t testing.TB, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	var lines []string
	for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		if l != "" {
			lines = append(lines, strings.TrimPrefix(l, "msg "))
		}
	}
	return lines
}

// TestExtASan runs the scenarios that hand memory across the boundary
// (callbacks with packets and strings, buffers cut to size, structs of
// older callers, garbage structs) with AddressSanitizer on both sides.
func TestExtASan(t *testing.T) {
	if testing.Short() {
		t.Skip("builds an instrumented archive")
	}
	msgs := extCorpus()
	run := func(t *testing.T, srv *pop3test.Server, scenario string, env ...string) string {
		t.Helper()
		bin := ctest.Program(t, ctest.ASan, extSource)
		out, err := cRun(t, ctest.ASan, bin, srv, env, scenario)
		ctest.RequirePassed(t, out, err)
		assert.NotContains(t, out, "AddressSanitizer")
		return out
	}
	for _, sc := range []struct {
		name, scenario string
		env            []string
	}{
		{"options", "options", nil},
		{"older caller", "login", []string{"OLD_SIZE=tls"}},
		{"services", "services", nil},
		{"checks", "checks", []string{"AUTH=user"}},
		{"fetch reentrant", "fetch", []string{"REENTER=1", "DELETE=1"}},
		{"fetch stopped", "fetch", []string{"STOP_AT=6", "WANT_FETCH=0x43", "PAYLOAD=300"}},
		{"fetch pool exhausted", "fetch", []string{"HOLD=1", "PAYLOAD=256", "PACKETS=4", "PACKET_TIMEOUT=5", "WANT_FETCH=0x01"}},
	} {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			srv := pop3test.Start(t, pop3test.Options{Pipelining: true})
			srv.AddUser("demo", "secret", msgs...)
			run(t, srv, sc.scenario, sc.env...)
		})
	}
}
