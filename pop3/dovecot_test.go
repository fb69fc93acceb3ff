package pop3_test

// Integration tests of the pop3 package against a real server: the private
// Dovecot of build/dovecot, shared by all tests of this binary (TestMain in
// dovecot_main_test.go stops it). Every test creates its own users, so they
// all run in parallel. Without Dovecot they skip, except under CI=true, where
// dovecot.Start fails them.

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/nxpop3/nxpop3/build/dovecot"
	"github.com/nxpop3/nxpop3/internal/testenv"
	"github.com/nxpop3/nxpop3/pop3"
)

// syncBuffer collects a session's DebugWriter trace.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// dvCtx bounds a test's network work.
func dvCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), 45*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// dvDial dials addr with d, tracing the session; the client is closed when
// the test ends.
func dvDial(t *testing.T, addr string, d pop3.Dialer) (*pop3.Client, *syncBuffer) {
	t.Helper()
	trace := &syncBuffer{}
	if d.Options.DebugWriter == nil {
		d.Options.DebugWriter = trace
	}
	// A real server on a busy machine: longer than DialForTest's defaults.
	if d.Timeout == 0 {
		d.Timeout = 20 * time.Second
	}
	if d.Options.ReplyTimeout == 0 {
		d.Options.ReplyTimeout = 20 * time.Second
	}
	return pop3.DialForTest(t, d, addr), trace
}

// dvLogin dials the clear-text port and logs in with USER/PASS.
func dvLogin(t *testing.T, s *dovecot.Server, user, pass string) *pop3.Client {
	t.Helper()
	c, _ := dvDial(t, s.Addr(), pop3.Dialer{})
	require.NoError(t, c.Login(dvCtx(t), user, pass, &pop3.LoginOptions{Method: pop3.AuthUser}))
	return c
}

func sum(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// readSum reads r to its end and returns its length and SHA-256.
func readSum(r io.Reader) (int64, string, error) {
	h := sha256.New()
	n, err := io.Copy(h, r)
	return n, hex.EncodeToString(h.Sum(nil)), err
}

// requireSame compares bytes by length and SHA-256 (a 100 KB diff is no
// use), showing where they first differ.
func requireSame(t *testing.T, want, got []byte, msgAndArgs ...any) {
	t.Helper()
	if bytes.Equal(want, got) {
		return
	}
	i := 0
	for i < len(want) && i < len(got) && want[i] == got[i] {
		i++
	}
	clip := func(b []byte) []byte { return b[min(i, len(b)):min(i+40, len(b))] }
	require.Fail(t, "message data differs",
		"%s\nwant %d octets (sha256 %s), got %d (sha256 %s); first difference at %d: want %q, got %q",
		fmt.Sprint(msgAndArgs...), len(want), sum(want), len(got), sum(got), i, clip(want), clip(got))
}

// dvRetr retrieves message n and reads it to the end, failing the test on
// an error; it returns the size the server announced and the data.
func dvRetr(t *testing.T, ctx context.Context, c *pop3.Client, n int, msgAndArgs ...any) (int64, []byte) {
	t.Helper()
	m, err := c.Retr(ctx, n)
	require.NoError(t, err, msgAndArgs...)
	got, err := io.ReadAll(m)
	require.NoError(t, err, msgAndArgs...)
	return m.Size, got
}

// mail builds a message with CRLF line ends.
func mail(subject string, body ...string) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "From: nxpop3 test <test@example.com>\r\nSubject: %s\r\n\r\n", subject)
	for _, l := range body {
		b.WriteString(l)
		b.WriteString("\r\n")
	}
	return []byte(b.String())
}

func TestDovecotLogin(t *testing.T) {
	t.Parallel()
	s := dovecot.Start(t)
	t.Logf("dovecot %s in %s (started in %v)", s.Version, s.Dir, s.StartDuration)

	// Each method, asked for explicitly, must log in with that very method
	// (the trace shows the command, never the secret) as the right user.
	methods := []struct {
		method pop3.AuthMethod
		tls    bool
		sent   string // the command line the trace must show
	}{
		{pop3.AuthUser, false, "C: PASS ***"},
		{pop3.AuthAPOP, false, "C: APOP %s ***"},
		{pop3.AuthPlain, false, "C: AUTH PLAIN ***"},
		// go-sasl's LOGIN sends the name as an initial response.
		{pop3.AuthLogin, false, "C: AUTH LOGIN ***"},
		{pop3.AuthCramMD5, false, "C: AUTH CRAM-MD5"},
		// Auto picks CRAM-MD5 in clear text (Dovecot offers it), PLAIN over TLS.
		{pop3.AuthAuto, false, "C: AUTH CRAM-MD5"},
		{pop3.AuthAuto, true, "C: AUTH PLAIN ***"},
	}
	for _, m := range methods {
		name := m.method.String()
		if m.tls {
			name += "-stls"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			user, pass := s.NewUser(t)
			body := mail("for "+user, "hello "+user)
			s.Deliver(t, user, body)
			d := pop3.Dialer{}
			if m.tls {
				d = pop3.Dialer{TLS: pop3.TLSStartTLS, TLSConfig: s.ClientTLSConfig()}
			}
			c, trace := dvDial(t, s.Addr(), d)
			ctx := dvCtx(t)
			if m.method == pop3.AuthAPOP {
				require.NotEmpty(t, c.Timestamp(), "Dovecot with the apop mechanism sends an APOP timestamp: %q", c.Greeting())
			}
			require.NoError(t, c.Login(ctx, user, pass, &pop3.LoginOptions{Method: m.method}))
			assert.Equal(t, pop3.StateTransaction, c.State())
			n, size, err := c.Stat(ctx)
			require.NoError(t, err)
			assert.Equal(t, 1, n)
			assert.Equal(t, int64(len(body)), size)
			_, got := dvRetr(t, ctx, c, 1)
			assert.Equal(t, string(body), string(got), "logged in as someone else?")
			require.NoError(t, c.Quit(ctx))

			tr := trace.String()
			want := m.sent
			if strings.Contains(want, "%s") {
				want = fmt.Sprintf(want, user)
			}
			assert.Contains(t, tr, want+"\n", "trace:\n%s", tr)
			assert.NotContains(t, tr, pass, "the trace shows the secret")
			if m.method != pop3.AuthUser {
				assert.NotContains(t, tr, "C: PASS", "fell back to USER/PASS:\n%s", tr)
			}
		})
	}

	// A wrong secret gives a *ResponseError whose text holds no secret,
	// whatever the method, and the session stays in AUTHORIZATION so that a
	// second attempt with the right one works.
	for _, method := range []pop3.AuthMethod{pop3.AuthUser, pop3.AuthAPOP, pop3.AuthPlain, pop3.AuthLogin, pop3.AuthCramMD5, pop3.AuthAuto} {
		t.Run("wrong-password-"+method.String(), func(t *testing.T) {
			t.Parallel()
			user, pass := s.NewUser(t)
			wrong := "wrong-" + pass
			c, trace := dvDial(t, s.Addr(), pop3.Dialer{})
			ctx := dvCtx(t)
			// Strict: no fallback from APOP to USER/PASS, so the error is APOP's.
			err := c.Login(ctx, user, wrong, &pop3.LoginOptions{Method: method, Strict: method == pop3.AuthAPOP})
			require.Error(t, err)
			var re *pop3.ResponseError
			require.True(t, errors.As(err, &re), "want *pop3.ResponseError, got %T: %v", err, err)
			assert.NotContains(t, err.Error(), wrong)
			assert.NotContains(t, re.Text, wrong)
			assert.NotContains(t, trace.String(), wrong)
			// Dovecot: "-ERR [AUTH] Authentication failed."
			assert.Equal(t, "AUTH", re.Code, "%v", err)
			assert.False(t, re.Temporary())
			assert.Equal(t, pop3.StateAuthorization, c.State())
			t.Logf("%v", err)

			require.NoError(t, c.Login(ctx, user, pass, &pop3.LoginOptions{Method: method}))
			_, _, err = c.Stat(ctx)
			require.NoError(t, err)
			require.NoError(t, c.Quit(ctx))
		})
	}

	t.Run("unknown-user", func(t *testing.T) {
		t.Parallel()
		c, _ := dvDial(t, s.Addr(), pop3.Dialer{})
		err := c.Login(dvCtx(t), "nobody-here", "secret-xyz", &pop3.LoginOptions{Method: pop3.AuthUser})
		var re *pop3.ResponseError
		require.True(t, errors.As(err, &re), "want *pop3.ResponseError, got %T: %v", err, err)
		assert.NotContains(t, err.Error(), "secret-xyz")
	})

	// Strict refuses every clear-text secret before sending it; CRAM-MD5
	// and APOP send none, so they still work.
	t.Run("strict", func(t *testing.T) {
		t.Parallel()
		user, pass := s.NewUser(t)
		c, trace := dvDial(t, s.Addr(), pop3.Dialer{})
		ctx := dvCtx(t)
		for _, m := range []pop3.AuthMethod{pop3.AuthUser, pop3.AuthPlain, pop3.AuthLogin} {
			err := c.Login(ctx, user, pass, &pop3.LoginOptions{Method: m, Strict: true})
			require.ErrorIs(t, err, pop3.ErrTLSRequired, "%v", m)
		}
		assert.NotContains(t, trace.String(), "C: USER")
		assert.NotContains(t, trace.String(), "C: AUTH")
		require.NoError(t, c.Login(ctx, user, pass, &pop3.LoginOptions{Method: pop3.AuthAuto, Strict: true}))
		assert.Contains(t, trace.String(), "C: AUTH CRAM-MD5\n")
		require.NoError(t, c.Quit(ctx))
	})
}

func TestDovecotTLS(t *testing.T) {
	t.Parallel()
	s := dovecot.Start(t)

	t.Run("stls", func(t *testing.T) {
		t.Parallel()
		user, pass := s.NewUser(t)
		c, trace := dvDial(t, s.Addr(), pop3.Dialer{TLS: pop3.TLSStartTLS, TLSConfig: s.ClientTLSConfig()})
		ctx := dvCtx(t)
		require.True(t, c.IsTLS())
		tc, ok := c.Conn().(*tls.Conn)
		require.True(t, ok, "Conn() is a %T", c.Conn())
		st := tc.ConnectionState()
		require.NotEmpty(t, st.VerifiedChains, "certificate not verified")
		assert.Equal(t, "nxpop3 test CA", st.VerifiedChains[0][len(st.VerifiedChains[0])-1].Subject.CommonName)
		capa, err := c.Capa(ctx)
		require.NoError(t, err)
		assert.False(t, capa.Has("STLS"), "STLS still offered over TLS: %v", capa)
		assert.True(t, capa.HasSASL(pop3.MechPlain), "%v", capa)
		// The capabilities were asked again after the handshake.
		assert.Equal(t, 2, strings.Count(trace.String(), "C: CAPA\n"), trace.String())
		require.NoError(t, c.Login(ctx, user, pass, &pop3.LoginOptions{Strict: true}))
		assert.Contains(t, trace.String(), "C: AUTH PLAIN ***\n")
		_, _, err = c.Stat(ctx)
		require.NoError(t, err)
		require.NoError(t, c.Quit(ctx))
	})

	t.Run("implicit", func(t *testing.T) {
		t.Parallel()
		user, pass := s.NewUser(t)
		body := mail("pop3s", "over TLS")
		s.Deliver(t, user, body)
		c, trace := dvDial(t, s.TLSAddr(), pop3.Dialer{TLS: pop3.TLSImplicit, TLSConfig: s.ClientTLSConfig()})
		ctx := dvCtx(t)
		require.True(t, c.IsTLS())
		tc, ok := c.Conn().(*tls.Conn)
		require.True(t, ok, "Conn() is a %T", c.Conn())
		require.NotEmpty(t, tc.ConnectionState().VerifiedChains)
		capa, err := c.Capa(ctx)
		require.NoError(t, err)
		assert.False(t, capa.Has("STLS"), "%v", capa)
		assert.NotContains(t, trace.String(), "C: STLS")
		require.NoError(t, c.Login(ctx, user, pass, &pop3.LoginOptions{Method: pop3.AuthUser, Strict: true}))
		_, got := dvRetr(t, ctx, c, 1)
		requireSame(t, body, got)
		require.NoError(t, c.Quit(ctx))
	})

	// With no ServerName the client verifies the address dialed: the
	// certificate has IP SANs 127.0.0.1 and ::1.
	t.Run("verify-ip", func(t *testing.T) {
		t.Parallel()
		cfg := s.ClientTLSConfig()
		cfg.ServerName = ""
		c, _ := dvDial(t, s.TLSAddr(), pop3.Dialer{TLS: pop3.TLSImplicit, TLSConfig: cfg})
		require.True(t, c.IsTLS())
		require.NoError(t, c.Quit(dvCtx(t)))
	})

	// The CA is unknown: Dial fails on the certificate, before any login.
	for _, mode := range []struct {
		name string
		tls  pop3.TLSMode
		addr string
	}{{"stls", pop3.TLSStartTLS, s.Addr()}, {"implicit", pop3.TLSImplicit, s.TLSAddr()}} {
		t.Run("unknown-ca-"+mode.name, func(t *testing.T) {
			t.Parallel()
			trace := &syncBuffer{}
			d := pop3.Dialer{TLS: mode.tls, TLSConfig: &tls.Config{ServerName: "localhost"},
				Options: pop3.Options{DebugWriter: trace}}
			c, err := d.Dial(dvCtx(t), mode.addr)
			require.Error(t, err)
			require.Nil(t, c)
			assert.ErrorIs(t, err, pop3.ErrTLS)
			tr := trace.String()
			for _, cmd := range []string{"USER", "PASS", "APOP", "AUTH"} {
				assert.NotContains(t, tr, "C: "+cmd, "login attempted:\n%s", tr)
			}
			t.Logf("%v", err)
		})
	}

	t.Run("wrong-name", func(t *testing.T) {
		t.Parallel()
		cfg := s.ClientTLSConfig()
		cfg.ServerName = "pop.example.com"
		d := pop3.Dialer{TLS: pop3.TLSImplicit, TLSConfig: cfg}
		_, err := d.Dial(dvCtx(t), s.TLSAddr())
		require.ErrorIs(t, err, pop3.ErrTLS)
		var he x509.HostnameError
		require.ErrorAs(t, err, &he)
	})

	// RequireTLS on a clear-text session: every method refuses before
	// sending anything, and the session is still usable.
	t.Run("require-tls", func(t *testing.T) {
		t.Parallel()
		user, pass := s.NewUser(t)
		c, trace := dvDial(t, s.Addr(), pop3.Dialer{Options: pop3.Options{RequireTLS: true}})
		ctx := dvCtx(t)
		for _, m := range []pop3.AuthMethod{pop3.AuthAuto, pop3.AuthUser, pop3.AuthAPOP, pop3.AuthPlain, pop3.AuthLogin, pop3.AuthCramMD5, pop3.AuthXOAuth2} {
			err := c.Login(ctx, user, pass, &pop3.LoginOptions{Method: m})
			require.ErrorIs(t, err, pop3.ErrTLSRequired, "method %v", m)
		}
		tr := trace.String()
		for _, cmd := range []string{"USER", "PASS", "APOP", "AUTH"} {
			assert.NotContains(t, tr, "C: "+cmd, "credentials sent:\n%s", tr)
		}
		assert.Equal(t, pop3.StateAuthorization, c.State())
		// The session is still in step.
		require.NoError(t, c.Quit(ctx))
	})

	// RequireTLS is satisfied by STLS.
	t.Run("require-tls-stls", func(t *testing.T) {
		t.Parallel()
		user, pass := s.NewUser(t)
		c, _ := dvDial(t, s.Addr(), pop3.Dialer{TLS: pop3.TLSStartTLS, TLSConfig: s.ClientTLSConfig(),
			Options: pop3.Options{RequireTLS: true}})
		ctx := dvCtx(t)
		require.NoError(t, c.Login(ctx, user, pass, &pop3.LoginOptions{Method: pop3.AuthUser}))
		require.NoError(t, c.Quit(ctx))
	})
}

// uidls returns the unique-ids in message order.
func uidls(t *testing.T, c *pop3.Client) []string {
	t.Helper()
	list, err := c.UIDL(dvCtx(t))
	require.NoError(t, err)
	uids := make([]string, len(list))
	for i, u := range list {
		require.Equal(t, i+1, u.ID)
		uids[i] = u.UID
	}
	return uids
}

func TestDovecotCommands(t *testing.T) {
	t.Parallel()
	s := dovecot.Start(t)
	user, pass := s.NewUser(t)
	msgs := [][]byte{
		mail("top", "line 1", "line 2", "line 3", ".dot line 4", "line 5"),
		mail("second", "x"),
		mail("third", strings.Repeat("y", 1000)),
	}
	s.Deliver(t, user, msgs...)
	var total int64
	for _, m := range msgs {
		total += int64(len(m))
	}

	c, trace := dvDial(t, s.Addr(), pop3.Dialer{})
	ctx := dvCtx(t)

	// Before login, Dovecot 2.3 lists exactly these.
	capa, err := c.Capa(ctx)
	require.NoError(t, err)
	t.Logf("CAPA before login: %v", capa)
	for _, name := range []string{"CAPA", "TOP", "UIDL", "RESP-CODES", "PIPELINING", "AUTH-RESP-CODE", "STLS", "USER", "SASL"} {
		assert.True(t, capa.Has(name), "CAPA lacks %s: %v", name, capa)
	}
	// auth_mechanisms = plain login cram-md5 apop: APOP is no SASL mechanism.
	assert.ElementsMatch(t, []string{"PLAIN", "LOGIN", "CRAM-MD5"}, capa.SASL())
	assert.Len(t, capa, 9, "%v", capa)
	require.NotEmpty(t, c.Timestamp())

	require.NoError(t, c.Login(ctx, user, pass, &pop3.LoginOptions{Method: pop3.AuthUser}))

	// After login: no STLS, USER or SASL any more.
	capa, err = c.Capa(ctx)
	require.NoError(t, err)
	t.Logf("CAPA after login: %v", capa)
	for _, name := range []string{"CAPA", "TOP", "UIDL", "RESP-CODES", "PIPELINING", "AUTH-RESP-CODE"} {
		assert.True(t, capa.Has(name), "CAPA lacks %s: %v", name, capa)
	}
	for _, name := range []string{"STLS", "USER", "SASL"} {
		assert.False(t, capa.Has(name), "CAPA after login still lists %s: %v", name, capa)
	}
	assert.Equal(t, 2, strings.Count(trace.String(), "C: CAPA\n"), "CAPA not asked again after login")

	n, size, err := c.Stat(ctx)
	require.NoError(t, err)
	assert.Equal(t, len(msgs), n)
	assert.Equal(t, total, size)

	list, err := c.List(ctx)
	require.NoError(t, err)
	require.Len(t, list, len(msgs))
	for i, m := range msgs {
		assert.Equal(t, pop3.MessageInfo{ID: i + 1, Size: int64(len(m))}, list[i])
		one, err := c.ListOne(ctx, i+1)
		require.NoError(t, err)
		assert.Equal(t, list[i], one)
	}
	_, err = c.ListOne(ctx, len(msgs)+1)
	var re *pop3.ResponseError
	require.True(t, errors.As(err, &re), "LIST of a missing message: %T %v", err, err)

	uids := uidls(t, c)
	require.Len(t, uids, len(msgs))
	for i, u := range uids {
		// pop3_uidl_format = %08Xu%08Xv: UID, then UIDVALIDITY.
		assert.Regexp(t, `^[0-9a-f]{16}$`, u)
		assert.Equal(t, fmt.Sprintf("%08x", i+1), u[:8])
		one, err := c.UIDLOne(ctx, i+1)
		require.NoError(t, err)
		assert.Equal(t, pop3.UIDInfo{ID: i + 1, UID: u}, one)
	}

	top := func(id, lines int) string {
		t.Helper()
		m, err := c.Top(ctx, id, lines)
		require.NoError(t, err)
		assert.Equal(t, int64(-1), m.Size)
		b, err := io.ReadAll(m)
		require.NoError(t, err)
		return string(b)
	}
	header := "From: nxpop3 test <test@example.com>\r\nSubject: top\r\n\r\n"
	assert.Equal(t, header, top(1, 0))
	assert.Equal(t, header+"line 1\r\nline 2\r\n", top(1, 2))
	assert.Equal(t, header+"line 1\r\nline 2\r\nline 3\r\n.dot line 4\r\n", top(1, 4))
	assert.Equal(t, string(msgs[0]), top(1, 100))
	_, err = c.Top(ctx, 9, 0)
	require.True(t, errors.As(err, &re), "TOP of a missing message: %T %v", err, err)

	// A Message not read to its end is drained by the next command.
	m, err := c.Retr(ctx, 3)
	require.NoError(t, err)
	assert.Equal(t, int64(len(msgs[2])), m.Size)
	buf := make([]byte, 10)
	_, err = io.ReadFull(m, buf)
	require.NoError(t, err)
	require.NoError(t, c.Noop(ctx))

	require.NoError(t, c.Dele(ctx, 2))
	n, _, err = c.Stat(ctx)
	require.NoError(t, err)
	assert.Equal(t, 2, n)
	_, err = c.Retr(ctx, 2)
	require.True(t, errors.As(err, &re), "RETR of a deleted message: %T %v", err, err)
	require.NoError(t, c.Rset(ctx))
	n, size, err = c.Stat(ctx)
	require.NoError(t, err)
	assert.Equal(t, len(msgs), n)
	assert.Equal(t, total, size)
	require.NoError(t, c.Noop(ctx))
	require.NoError(t, c.Quit(ctx))
	require.ErrorIs(t, c.Noop(ctx), pop3.ErrClosed)

	// UIDLs are the same in a second session.
	c2 := dvLogin(t, s, user, pass)
	assert.Equal(t, uids, uidls(t, c2))
	for i := range msgs {
		one, err := c2.UIDLOne(ctx, i+1)
		require.NoError(t, err)
		assert.Equal(t, uids[i], one.UID)
	}
	require.NoError(t, c2.Quit(ctx))
}

func TestDovecotIPv6(t *testing.T) {
	t.Parallel()
	s := dovecot.Start(t)
	if !s.IPv6 {
		testenv.IPv6.Unavailable(t, "dovecot listens on IPv4 only: this machine has no ::1")
	}
	user, pass := s.NewUser(t)
	body := mail("v6", "over IPv6")
	s.Deliver(t, user, body)

	t.Run("clear", func(t *testing.T) {
		c, _ := dvDial(t, s.Addr6(), pop3.Dialer{})
		ctx := dvCtx(t)
		assert.Contains(t, c.Conn().RemoteAddr().String(), "[::1]:")
		require.NoError(t, c.Login(ctx, user, pass, &pop3.LoginOptions{Method: pop3.AuthCramMD5}))
		_, got := dvRetr(t, ctx, c, 1)
		requireSame(t, body, got)
		require.NoError(t, c.Quit(ctx))
	})
	// STLS verified against the ::1 IP SAN (no ServerName).
	t.Run("stls-ip", func(t *testing.T) {
		cfg := s.ClientTLSConfig()
		cfg.ServerName = ""
		c, _ := dvDial(t, s.Addr6(), pop3.Dialer{TLS: pop3.TLSStartTLS, TLSConfig: cfg})
		ctx := dvCtx(t)
		require.True(t, c.IsTLS())
		require.NoError(t, c.Login(ctx, user, pass, nil))
		require.NoError(t, c.Quit(ctx))
	})
}

// genMessages makes n varied messages (some lines dot-stuffed on the wire).
func genMessages(n int, seed uint64) [][]byte {
	r := rand.New(rand.NewPCG(seed, 0))
	const alpha = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,-"
	text := make([]byte, 64*1024)
	for i := range text {
		text[i] = alpha[r.IntN(len(alpha))]
	}
	msgs := make([][]byte, n)
	for i := range msgs {
		var b bytes.Buffer
		fmt.Fprintf(&b, "Message-ID: <%d.%d@nxpop3.test>\r\nSubject: message %d\r\n\r\n", seed, i, i+1)
		for l := r.IntN(60); l >= 0; l-- {
			switch r.IntN(10) {
			case 0:
				b.WriteString(".")
			case 1:
				b.WriteString("..")
			}
			k := r.IntN(len(text) - 80)
			b.Write(text[k : k+r.IntN(78)])
			b.WriteString("\r\n")
		}
		msgs[i] = b.Bytes()
	}
	return msgs
}

// fetchAll retrieves every message with Fetch and checks each against want
// by SHA-256 and length.
func fetchAll(t *testing.T, c *pop3.Client, want [][]byte, opts *pop3.FetchOptions) time.Duration {
	t.Helper()
	ids := make([]int, len(want))
	for i := range ids {
		ids[i] = i + 1
	}
	sums := make([]string, len(want))
	for i, m := range want {
		sums[i] = sum(m)
	}
	next := 1
	start := time.Now()
	err := c.Fetch(dvCtx(t), ids, opts, func(m *pop3.Message) error {
		if m.ID != next {
			return fmt.Errorf("got message %d, want %d", m.ID, next)
		}
		next++
		n, h, err := readSum(m)
		if err != nil {
			return err
		}
		w := want[m.ID-1]
		if n != int64(len(w)) || h != sums[m.ID-1] {
			return fmt.Errorf("message %d: got %d octets (sha256 %s), want %d (sha256 %s)", m.ID, n, h, len(w), sums[m.ID-1])
		}
		if m.Size != int64(len(w)) {
			return fmt.Errorf("message %d: +OK announced %d octets, want %d", m.ID, m.Size, len(w))
		}
		return nil
	})
	elapsed := time.Since(start)
	require.NoError(t, err)
	require.Equal(t, len(want)+1, next, "not every message was handed over")
	return elapsed
}

func TestDovecotFetch2000(t *testing.T) {
	t.Parallel()
	s := dovecot.Start(t)
	start := time.Now()
	user, pass := s.NewUser(t)
	msgs := genMessages(2000, 1)
	var total int
	for _, m := range msgs {
		total += len(m)
	}
	generated := time.Since(start)
	t0 := time.Now()
	s.Deliver(t, user, msgs...)
	delivered := time.Since(t0)

	t0 = time.Now()
	c, trace := dvDial(t, s.Addr(), pop3.Dialer{})
	ctx := dvCtx(t)
	// Dovecot reads every message at login to compute the sizes
	// (pop3_fast_size_lookups = no).
	require.NoError(t, c.Login(ctx, user, pass, &pop3.LoginOptions{Method: pop3.AuthUser}))
	loggedIn := time.Since(t0)
	capa, err := c.Capa(ctx)
	require.NoError(t, err)
	require.True(t, capa.Has("PIPELINING"), "Dovecot advertises PIPELINING: %v", capa)
	n, size, err := c.Stat(ctx)
	require.NoError(t, err)
	require.Equal(t, len(msgs), n)
	require.Equal(t, int64(total), size)

	// Pipelined first, then one at a time, then pipelined again, so that
	// neither gains from a cache warmed by the other alone.
	piped := fetchAll(t, c, msgs, nil)
	seq := fetchAll(t, c, msgs, &pop3.FetchOptions{NoPipelining: true})
	piped2 := fetchAll(t, c, msgs, nil)
	small := fetchAll(t, c, msgs, &pop3.FetchOptions{Window: 4})
	require.NoError(t, c.Quit(ctx))
	t.Logf("%d messages, %d octets: pipelined (window %d) %v and %v, window 4 %v, one at a time (NoPipelining) %v",
		len(msgs), total, pop3.DefaultWindow, piped, piped2, small, seq)
	t.Logf("setup: generating %v, delivering %v, dial and login %v", generated, delivered, loggedIn)

	// The session really pipelined: the trace shows commands sent ahead of
	// their replies.
	tr := trace.String()
	i := strings.Index(tr, "C: RETR 1\n")
	require.GreaterOrEqual(t, i, 0)
	j := strings.Index(tr[i:], "S: +OK")
	require.Greater(t, j, 0)
	assert.Contains(t, tr[i:i+j], "C: RETR 2\n", "RETR 2 was not sent before the reply to RETR 1")

	// Nothing was deleted.
	t0 = time.Now()
	c = dvLogin(t, s, user, pass)
	n, _, err = c.Stat(ctx)
	require.NoError(t, err)
	assert.Equal(t, len(msgs), n)
	require.NoError(t, c.Quit(ctx))
	t.Logf("second session %v; whole test %v", time.Since(t0), time.Since(start))
}

// integrityCase is a stored message and what RETR must deliver for it.
type integrityCase struct {
	name   string
	stored []byte
	want   []byte // nil: the stored bytes
}

func integrityCases() []integrityCase {
	var high bytes.Buffer
	for b := 0x80; b <= 0xff; b++ {
		high.WriteByte(byte(b))
		if b%32 == 31 {
			high.WriteString("\r\n")
		}
	}
	long := bytes.Repeat([]byte("0123456789abcdef"), 100*1024/16)
	longDots := append([]byte("."), bytes.Repeat([]byte("."), 100*1024)...)
	return []integrityCase{
		{name: "dots", stored: mail("dots", ".leading", ".", "..", "...", "x.", ". ", ".\t", "mid.dle", "", ".", "")},
		{name: "body-only-dot-lines", stored: []byte("Subject: dots\r\n\r\n.\r\n.\r\n.\r\n")},
		{name: "dot-dot-crlf-dot-crlf", stored: []byte("X-A: b\r\n\r\n..\r\n.\r\n..\r\n")},
		{name: "ends-with-dot-line", stored: mail("end", "text", ".")},
		{name: "long-line", stored: append(append([]byte("Subject: long\r\n\r\n"), long...), "\r\n"...)},
		{name: "long-dot-line", stored: append(append([]byte("Subject: long dots\r\n\r\n"), longDots...), "\r\n"...)},
		{name: "long-line-then-dots", stored: append(append(append([]byte("Subject: long\r\n\r\n"), long...), "\r\n.."...), "\r\n"...)},
		{name: "8bit", stored: append(append([]byte("Subject: 8bit\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"), high.Bytes()...), ".\xff\r\n\xe9t\xe9\r\n"...)},
		{name: "header-only", stored: []byte("Subject: no body\r\n\r\n")},
		{name: "no-header-no-body-one-crlf", stored: []byte("\r\n")},
		{name: "single-line", stored: []byte("x\r\n")},
		// Dovecot appends the missing CRLF to a message that does not end
		// with one (not counted by LIST): an empty message comes back as one
		// empty line.
		{name: "empty", stored: []byte{}, want: []byte("\r\n")},
		{name: "no-final-crlf", stored: []byte("Subject: x\r\n\r\nlast line"), want: []byte("Subject: x\r\n\r\nlast line\r\n")},
		{name: "no-final-crlf-dot", stored: []byte("Subject: x\r\n\r\n."), want: []byte("Subject: x\r\n\r\n.\r\n")},
	}
}

func TestDovecotDataIntegrity(t *testing.T) {
	t.Parallel()
	s := dovecot.Start(t)
	user, pass := s.NewUser(t)
	cases := integrityCases()
	stored := make([][]byte, len(cases))
	want := make([][]byte, len(cases))
	for i, tc := range cases {
		stored[i] = tc.stored
		want[i] = tc.want
		if want[i] == nil {
			want[i] = tc.stored
		}
	}
	s.Deliver(t, user, stored...)
	// Dovecot keeps the files as delivered.
	for i, m := range s.Messages(t, user) {
		requireSame(t, stored[i], m, cases[i].name, " (stored)")
	}

	c := dvLogin(t, s, user, pass)
	ctx := dvCtx(t)
	list, err := c.List(ctx)
	require.NoError(t, err)
	require.Len(t, list, len(cases))
	for i, tc := range cases {
		// LIST counts the stored bytes, not the CRLF Dovecot appends.
		assert.Equal(t, int64(len(tc.stored)), list[i].Size, tc.name)
	}

	t.Run("retr", func(t *testing.T) {
		for i, tc := range cases {
			size, got := dvRetr(t, ctx, c, i+1, tc.name)
			assert.Equal(t, int64(len(tc.stored)), size, tc.name)
			requireSame(t, want[i], got, tc.name)
		}
	})
	t.Run("retr-small-reads", func(t *testing.T) {
		// One byte at a time through Read, to cross every boundary.
		for i, tc := range cases {
			m, err := c.Retr(ctx, i+1)
			require.NoError(t, err, tc.name)
			got, err := io.ReadAll(struct{ io.Reader }{oneByte{m}})
			require.NoError(t, err, tc.name)
			requireSame(t, want[i], got, tc.name)
		}
	})
	// Fetch hands the caller the data through WriteTo (io.Copy), Retr
	// with io.ReadAll through Read: both paths are checked. Fetch is not
	// fetchAll here, as the +OK octet count of the cases without a final
	// CRLF is one line short of the data.
	ids := make([]int, len(cases))
	for i := range ids {
		ids[i] = i + 1
	}
	fetch := func(t *testing.T, c *pop3.Client, opts *pop3.FetchOptions) {
		next := 0
		err := c.Fetch(ctx, ids, opts, func(m *pop3.Message) error {
			n, h, err := readSum(m)
			require.NoError(t, err)
			assert.Equal(t, int64(len(want[next])), n, cases[next].name)
			assert.Equal(t, sum(want[next]), h, cases[next].name)
			next++
			return nil
		})
		require.NoError(t, err)
		require.Equal(t, len(cases), next)
	}
	t.Run("fetch", func(t *testing.T) { fetch(t, c, nil) })
	t.Run("fetch-no-pipelining", func(t *testing.T) { fetch(t, c, &pop3.FetchOptions{NoPipelining: true}) })
	require.NoError(t, c.Quit(ctx))

	// The same over TLS, where data arrives in TLS records instead.
	t.Run("fetch-tls", func(t *testing.T) {
		c, _ := dvDial(t, s.TLSAddr(), pop3.Dialer{TLS: pop3.TLSImplicit, TLSConfig: s.ClientTLSConfig()})
		require.NoError(t, c.Login(ctx, user, pass, nil))
		fetch(t, c, nil)
		for i := range cases {
			_, got := dvRetr(t, ctx, c, i+1)
			requireSame(t, want[i], got, cases[i].name)
		}
		require.NoError(t, c.Quit(ctx))
	})
}

// oneByte reads at most one byte per call.
type oneByte struct{ r io.Reader }

func (o oneByte) Read(p []byte) (int, error) {
	if len(p) > 1 {
		p = p[:1]
	}
	return o.r.Read(p)
}

// NUL bytes: documents what Dovecot 2.3 does with a stored NUL, which RFC
// 5322 forbids in a message. The file keeps it, LIST counts it, and RETR
// sends it unchanged: Dovecot replaces NUL by 0x80 only with
// pop3_client_workarounds = outlook-no-nuls, which this server does not set.
// The client passes it through like any other byte.
func TestDovecotNUL(t *testing.T) {
	t.Parallel()
	s := dovecot.Start(t)
	user, pass := s.NewUser(t)
	stored := []byte("Subject: nul\r\n\r\na\x00b\r\n\x00\r\n\x00.\r\n")
	s.Deliver(t, user, stored)
	requireSame(t, stored, s.Messages(t, user)[0], "stored")

	c := dvLogin(t, s, user, pass)
	ctx := dvCtx(t)
	li, err := c.ListOne(ctx, 1)
	require.NoError(t, err)
	assert.Equal(t, int64(len(stored)), li.Size)
	size, got := dvRetr(t, ctx, c, 1)
	assert.Equal(t, int64(len(stored)), size)
	requireSame(t, stored, got)
	require.NoError(t, c.Quit(ctx))
}

// A Dovecot 2.3.19 quirk, not a client bug: RETR and TOP dot-stuff every
// line that starts with a dot except the first line of the message, because
// the stuffing state (fetch_context.last) starts as NUL rather than LF. A
// message beginning with "." (legal: a header field name may start with a
// dot) thus reaches the client without its first dot, and a message
// beginning with ".\r\n" reads as an empty message followed by garbage.
// The test accepts a fixed server too, and says which it saw.
func TestDovecotLeadingDot(t *testing.T) {
	t.Parallel()
	s := dovecot.Start(t)
	user, pass := s.NewUser(t)
	stored := []byte(".X-Dot: y\r\nSubject: leading dot\r\n\r\n.body\r\n")
	s.Deliver(t, user, stored, mail("after", "next"))

	c := dvLogin(t, s, user, pass)
	ctx := dvCtx(t)
	size, got := dvRetr(t, ctx, c, 1)
	switch {
	case bytes.Equal(got, stored):
		t.Logf("Dovecot %s dot-stuffs the first line: message intact", s.Version)
	case bytes.Equal(got, stored[1:]):
		// The +OK line announced the stored size; the data is one short.
		assert.Equal(t, int64(len(stored)), size)
		t.Logf("Dovecot %s does not dot-stuff the first line: the client got %d octets of the %d announced (first dot lost)",
			s.Version, len(got), size)
	default:
		requireSame(t, stored, got)
	}
	// Either way the session stays in step.
	_, got = dvRetr(t, ctx, c, 2)
	requireSame(t, mail("after", "next"), got)
	require.NoError(t, c.Quit(ctx))
}

func TestDovecotDeletion(t *testing.T) {
	t.Parallel()
	s := dovecot.Start(t)
	msgs := [][]byte{mail("one", "1"), mail("two", "2"), mail("three", "3")}

	// setup gives a user the three messages and returns their UIDLs.
	setup := func(t *testing.T) (user, pass string, uids []string) {
		user, pass = s.NewUser(t)
		s.Deliver(t, user, msgs...)
		c := dvLogin(t, s, user, pass)
		uids = uidls(t, c)
		require.Len(t, uids, 3)
		require.NoError(t, c.Quit(dvCtx(t)))
		return user, pass, uids
	}
	// expect checks the maildrop as stored and as a new session sees it.
	expect := func(t *testing.T, user, pass string, keep []int, uids []string) {
		t.Helper()
		var wantMsgs [][]byte
		var wantUIDs []string
		var total int64
		for _, k := range keep {
			wantMsgs = append(wantMsgs, msgs[k])
			wantUIDs = append(wantUIDs, uids[k])
			total += int64(len(msgs[k]))
		}
		got := s.Messages(t, user)
		require.Len(t, got, len(keep))
		for i := range got {
			requireSame(t, wantMsgs[i], got[i])
		}
		c := dvLogin(t, s, user, pass)
		ctx := dvCtx(t)
		n, size, err := c.Stat(ctx)
		require.NoError(t, err)
		assert.Equal(t, len(keep), n)
		assert.Equal(t, total, size)
		if len(keep) > 0 {
			assert.Equal(t, wantUIDs, uidls(t, c))
		} else {
			assert.Empty(t, uidls(t, c))
		}
		require.NoError(t, c.Quit(ctx))
	}

	t.Run("dele-quit", func(t *testing.T) {
		t.Parallel()
		user, pass, uids := setup(t)
		c := dvLogin(t, s, user, pass)
		ctx := dvCtx(t)
		require.NoError(t, c.Dele(ctx, 2))
		var re *pop3.ResponseError
		require.True(t, errors.As(c.Dele(ctx, 2), &re), "second DELE of the same message")
		list, err := c.List(ctx)
		require.NoError(t, err)
		assert.Equal(t, []pop3.MessageInfo{{1, int64(len(msgs[0]))}, {3, int64(len(msgs[2]))}}, list)
		require.NoError(t, c.Quit(ctx))
		assert.Equal(t, pop3.StateUpdate, c.State())
		expect(t, user, pass, []int{0, 2}, uids)
	})
	t.Run("dele-rset-quit", func(t *testing.T) {
		t.Parallel()
		user, pass, uids := setup(t)
		c := dvLogin(t, s, user, pass)
		ctx := dvCtx(t)
		require.NoError(t, c.Dele(ctx, 1))
		require.NoError(t, c.Dele(ctx, 3))
		require.NoError(t, c.Rset(ctx))
		require.NoError(t, c.Quit(ctx))
		expect(t, user, pass, []int{0, 1, 2}, uids)
	})
	t.Run("dele-close", func(t *testing.T) {
		t.Parallel()
		user, pass, uids := setup(t)
		c := dvLogin(t, s, user, pass)
		ctx := dvCtx(t)
		require.NoError(t, c.Dele(ctx, 1))
		require.NoError(t, c.Dele(ctx, 2))
		require.NoError(t, c.Dele(ctx, 3))
		require.NoError(t, c.Close())
		require.Error(t, c.Noop(ctx))
		// Dovecot notices the disconnection on its own; give it no QUIT.
		expect(t, user, pass, []int{0, 1, 2}, uids)
	})
	t.Run("fetch-delete-quit", func(t *testing.T) {
		t.Parallel()
		user, pass, uids := setup(t)
		c := dvLogin(t, s, user, pass)
		ctx := dvCtx(t)
		// Only what was fetched (and read to its end) is deleted.
		err := c.Fetch(ctx, []int{1, 3}, &pop3.FetchOptions{Delete: true}, func(m *pop3.Message) error {
			_, err := io.Copy(io.Discard, m)
			return err
		})
		require.NoError(t, err)
		require.NoError(t, c.Quit(ctx))
		expect(t, user, pass, []int{1}, uids)
	})
	t.Run("fetch-delete-all", func(t *testing.T) {
		t.Parallel()
		user, pass, uids := setup(t)
		c := dvLogin(t, s, user, pass)
		ctx := dvCtx(t)
		err := c.Fetch(ctx, []int{1, 2, 3}, &pop3.FetchOptions{Delete: true, NoPipelining: true}, func(m *pop3.Message) error {
			_, err := io.Copy(io.Discard, m)
			return err
		})
		require.NoError(t, err)
		require.NoError(t, c.Quit(ctx))
		expect(t, user, pass, nil, uids)
	})
	t.Run("fetch-error-keeps", func(t *testing.T) {
		t.Parallel()
		user, pass, uids := setup(t)
		c := dvLogin(t, s, user, pass)
		ctx := dvCtx(t)
		boom := errors.New("disk full")
		err := c.Fetch(ctx, []int{1, 2, 3}, &pop3.FetchOptions{Delete: true}, func(m *pop3.Message) error {
			if m.ID == 2 {
				return boom
			}
			_, err := io.Copy(io.Discard, m)
			return err
		})
		require.ErrorIs(t, err, boom)
		// The session is still in step after the aborted fetch.
		n, _, err := c.Stat(ctx)
		require.NoError(t, err)
		assert.Equal(t, 2, n, "only message 1 was marked deleted")
		require.NoError(t, c.Quit(ctx))
		expect(t, user, pass, []int{1, 2}, uids)
	})
}

func TestDovecotConcurrent(t *testing.T) {
	t.Parallel()
	s := dovecot.Start(t)
	const clients = 20

	// Twenty clients at once, each with its own user and messages.
	t.Run("own-users", func(t *testing.T) {
		t.Parallel()
		type account struct {
			user, pass string
			msgs       [][]byte
		}
		accounts := make([]account, clients)
		for i := range accounts {
			a := &accounts[i]
			a.user, a.pass = s.NewUser(t)
			a.msgs = genMessages(20+i, uint64(100+i))
			// One large message each, to keep the sessions overlapping.
			a.msgs = append(a.msgs, append(mail("big "+a.user), bytes.Repeat([]byte(a.user+" big body line\r\n"), 20000)...))
			s.Deliver(t, a.user, a.msgs...)
		}
		ctx := dvCtx(t)
		errs := make([]error, clients)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range accounts {
			wg.Go(func() {
				<-start
				errs[i] = checkAccount(ctx, s, accounts[i].user, accounts[i].pass, accounts[i].msgs, i%2 == 0)
			})
		}
		close(start)
		wg.Wait()
		for i, err := range errs {
			assert.NoError(t, err, "client %d (%s)", i, accounts[i].user)
		}
	})

	// Twenty clients at once on the same maildrop. RFC 1939 lets a server
	// refuse a maildrop in use ([IN-USE]); Dovecot 2.3 with its default
	// pop3_lock_session = no (this server's config) lets every session in.
	t.Run("same-user", func(t *testing.T) {
		t.Parallel()
		user, pass := s.NewUser(t)
		msgs := genMessages(50, 7)
		s.Deliver(t, user, msgs...)
		ctx := dvCtx(t)
		errs := make([]error, clients)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range errs {
			wg.Go(func() {
				<-start
				errs[i] = checkAccount(ctx, s, user, pass, msgs, i%2 == 0)
			})
		}
		close(start)
		wg.Wait()
		ok, inUse := 0, 0
		for i, err := range errs {
			var re *pop3.ResponseError
			switch {
			case err == nil:
				ok++
			case errors.As(err, &re) && re.Code == "IN-USE":
				assert.True(t, re.Temporary())
				inUse++
			default:
				t.Errorf("client %d: %v", i, err)
			}
		}
		t.Logf("%d clients on one maildrop: %d in, %d refused with [IN-USE]", clients, ok, inUse)
		assert.Equal(t, clients, ok, "Dovecot (pop3_lock_session = no) lets every session in")
		assert.Len(t, s.Messages(t, user), len(msgs))
	})
}

// checkAccount logs in, checks STAT, LIST and UIDL, retrieves every message
// (with Fetch or with Retr) comparing SHA-256, and quits. It runs in its
// own goroutine, so it returns errors instead of failing the test.
func checkAccount(ctx context.Context, s *dovecot.Server, user, pass string, msgs [][]byte, useFetch bool) error {
	d := pop3.Dialer{Options: pop3.Options{ReplyTimeout: 20 * time.Second}}
	c, err := d.Dial(ctx, s.Addr())
	if err != nil {
		return err
	}
	defer c.Close()
	if err := c.Login(ctx, user, pass, &pop3.LoginOptions{Method: pop3.AuthCramMD5}); err != nil {
		return err
	}
	var total int64
	for _, m := range msgs {
		total += int64(len(m))
	}
	n, size, err := c.Stat(ctx)
	if err != nil {
		return err
	}
	if n != len(msgs) || size != total {
		return fmt.Errorf("STAT %d %d, want %d %d", n, size, len(msgs), total)
	}
	uids, err := c.UIDL(ctx)
	if err != nil {
		return err
	}
	if len(uids) != len(msgs) {
		return fmt.Errorf("UIDL lists %d messages, want %d", len(uids), len(msgs))
	}
	check := func(m *pop3.Message) error {
		n, h, err := readSum(m)
		if err != nil {
			return fmt.Errorf("message %d: %w", m.ID, err)
		}
		w := msgs[m.ID-1]
		if n != int64(len(w)) || h != sum(w) {
			return fmt.Errorf("message %d: %d octets (sha256 %s), want %d (sha256 %s)", m.ID, n, h, len(w), sum(w))
		}
		return nil
	}
	if useFetch {
		ids := make([]int, len(msgs))
		for i := range ids {
			ids[i] = i + 1
		}
		if err := c.Fetch(ctx, ids, nil, check); err != nil {
			return err
		}
	} else {
		for id := 1; id <= len(msgs); id++ {
			m, err := c.Retr(ctx, id)
			if err != nil {
				return err
			}
			if err := check(m); err != nil {
				return err
			}
		}
	}
	return c.Quit(ctx)
}
