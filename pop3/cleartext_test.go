package pop3

import (
	"crypto/tls"
	"errors"
	"net"
	"testing"

	"github.com/emersion/go-sasl"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/nxpop3/nxpop3/pop3/pop3test"
)

// remoteConn is a connection to a local test server that reports the
// address of a server elsewhere (TEST-NET-3), as a connection across the
// network would.
type remoteConn struct{ net.Conn }

func (remoteConn) RemoteAddr() net.Addr {
	return &net.TCPAddr{IP: net.IPv4(203, 0, 113, 5), Port: 110}
}

// dialRemote connects to s as if s were a server off this host.
func dialRemote(t *testing.T, s *pop3test.Scripted, opts *Options) *Client {
	t.Helper()
	conn, err := net.Dial("tcp", s.Addr())
	require.NoError(t, err)
	c, err := NewClient(remoteConn{conn}, opts)
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	return c
}

// requireInsecure checks a refusal to send a readable password: typed so
// callers can branch on it, and free of the password.
func requireInsecure(t *testing.T, err error) {
	t.Helper()
	require.ErrorIs(t, err, ErrInsecureAuth)
	require.ErrorIs(t, err, ErrTLSRequired)
	require.NotContains(t, err.Error(), "s3cret")
	require.Contains(t, err.Error(), "InsecureAuth")
}

// TestCleartextRefusedOffHost: a password readable on the wire (USER/PASS,
// PLAIN, LOGIN, XOAUTH2) is not sent to a server off this host over a
// connection without TLS, whichever way the caller asks; the scripted
// server fails the test if any such command arrives.
func TestCleartextRefusedOffHost(t *testing.T) {
	noAPOP := S("+OK ready")
	cases := []struct {
		name  string
		steps []pop3test.Step
		call  func(c *Client) error
	}{
		{"Login nil (auto) without SASL or APOP", []pop3test.Step{noAPOP, C("CAPA"), S("+OK"), Raw("USER\r\n.\r\n")},
			func(c *Client) error { return c.Login(t.Context(), "bob", "s3cret", nil) }},
		{"Login auto with SASL PLAIN", []pop3test.Step{noAPOP, C("CAPA"), S("+OK"), Raw("SASL PLAIN LOGIN\r\n.\r\n")},
			func(c *Client) error { return c.Login(t.Context(), "bob", "s3cret", nil) }},
		{"Login AuthUser", []pop3test.Step{greet()},
			func(c *Client) error { return c.Login(t.Context(), "bob", "s3cret", &LoginOptions{Method: AuthUser}) }},
		{"Login AuthPlain", []pop3test.Step{greet()},
			func(c *Client) error { return c.Login(t.Context(), "bob", "s3cret", &LoginOptions{Method: AuthPlain}) }},
		{"Login AuthLogin", []pop3test.Step{greet()},
			func(c *Client) error { return c.Login(t.Context(), "bob", "s3cret", &LoginOptions{Method: AuthLogin}) }},
		{"Login AuthXOAuth2", []pop3test.Step{greet()},
			func(c *Client) error {
				return c.Login(t.Context(), "bob", "s3cret", &LoginOptions{Method: AuthXOAuth2})
			}},
		{"Login AuthAPOP without a timestamp", []pop3test.Step{noAPOP},
			func(c *Client) error { return c.Login(t.Context(), "bob", "s3cret", &LoginOptions{Method: AuthAPOP}) }},
		{"User", []pop3test.Step{greet()},
			func(c *Client) error { return c.User(t.Context(), "bob", "s3cret") }},
		{"Auth PLAIN", []pop3test.Step{greet()},
			func(c *Client) error { return c.Auth(t.Context(), sasl.NewPlainClient("", "bob", "s3cret")) }},
		{"Auth XOAUTH2", []pop3test.Step{greet()},
			func(c *Client) error { return c.Auth(t.Context(), NewXOAuth2Client("bob", "s3cret")) }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := pop3test.StartScripted(t, append(tc.steps, Hangup())...)
			requireInsecure(t, tc.call(dialRemote(t, s, nil)))
		})
	}

	t.Run("APOP refused, no fallback to USER/PASS", func(t *testing.T) {
		s := pop3test.StartScripted(t, greet(), C("APOP bob "+APOPDigest("<1896.697170952@dbc.mtview.ca.us>", "s3cret")),
			S("-ERR [AUTH] no APOP for you"), Hangup())
		err := dialRemote(t, s, nil).Login(t.Context(), "bob", "s3cret", &LoginOptions{Method: AuthAPOP})
		requireInsecure(t, err)
		var re *ResponseError
		require.ErrorAs(t, err, &re, "the server's refusal stays reachable")
		assert.Equal(t, "AUTH", re.Code)
	})
}

// TestCleartextAllowed: APOP and CRAM-MD5 never send the password and go
// through off-host; InsecureAuth opts in to the rest; TLS and loopback
// servers need no opt-in.
func TestCleartextAllowed(t *testing.T) {
	t.Run("APOP off-host", func(t *testing.T) {
		s := pop3test.StartScripted(t, greet(), C("APOP mrose c4c9334bac560ecc979e58001b3e22fb"), S("+OK"), Hangup())
		require.NoError(t, dialRemote(t, s, nil).Login(t.Context(), "mrose", "tanstaaf", &LoginOptions{Method: AuthAPOP}))
	})
	t.Run("auto picks CRAM-MD5 off-host", func(t *testing.T) {
		s := pop3test.StartScripted(t, greet(), C("CAPA"), S("+OK"), Raw("USER\r\nSASL PLAIN CRAM-MD5\r\n.\r\n"),
			C("AUTH CRAM-MD5"), S("+ PDE+"), C(b64("bob "+hmacHex("pw", "<1>"))), S("+OK"), Hangup())
		require.NoError(t, dialRemote(t, s, nil).Login(t.Context(), "bob", "pw", nil))
	})
	t.Run("InsecureAuth: USER/PASS off-host", func(t *testing.T) {
		s := pop3test.StartScripted(t, S("+OK ready"), C("CAPA"), S("+OK"), Raw("USER\r\n.\r\n"),
			C("USER bob"), S("+OK"), C("PASS s3cret"), S("+OK"), Hangup())
		require.NoError(t, dialRemote(t, s, &Options{InsecureAuth: true}).Login(t.Context(), "bob", "s3cret", nil))
	})
	t.Run("InsecureAuth: APOP falls back to USER/PASS off-host", func(t *testing.T) {
		s := pop3test.StartScripted(t, S("+OK ready"), C("USER bob"), S("+OK"), C("PASS s3cret"), S("+OK"), Hangup())
		require.NoError(t, dialRemote(t, s, &Options{InsecureAuth: true}).Login(t.Context(), "bob", "s3cret", &LoginOptions{Method: AuthAPOP}))
	})
	t.Run("InsecureAuth: PLAIN off-host", func(t *testing.T) {
		s := pop3test.StartScripted(t, greet(), C("AUTH PLAIN "+b64("\x00bob\x00s3cret")), S("+OK"), Hangup())
		require.NoError(t, dialRemote(t, s, &Options{InsecureAuth: true}).Login(t.Context(), "bob", "s3cret", &LoginOptions{Method: AuthPlain}))
	})
	t.Run("strict wins over InsecureAuth", func(t *testing.T) {
		s := pop3test.StartScripted(t, greet(), Hangup())
		err := dialRemote(t, s, &Options{InsecureAuth: true}).Login(t.Context(), "bob", "s3cret", &LoginOptions{Method: AuthUser, Strict: true})
		require.ErrorIs(t, err, ErrTLSRequired)
	})
	t.Run("loopback server: USER/PASS without opt-in", func(t *testing.T) {
		s := pop3test.StartScripted(t, greet(), C("USER bob"), S("+OK"), C("PASS s3cret"), S("+OK"), Hangup())
		require.NoError(t, dial(t, s, nil).Login(t.Context(), "bob", "s3cret", &LoginOptions{Method: AuthUser}))
	})
}

// TestCleartextOverTLS: over TLS nothing needs an opt-in, also off-host
// (the connection is TLS from the first byte, so its address does not
// matter).
func TestCleartextOverTLS(t *testing.T) {
	srv := pop3test.Start(t, pop3test.Options{ImplicitTLS: true, NoTimestamp: true, SASL: []string{}})
	srv.AddUser("bob", "s3cret", []byte("Subject: x\r\n\r\nx\r\n"))
	conn, err := net.Dial("tcp", srv.Addr())
	require.NoError(t, err)
	cfg := srv.ClientTLSConfig()
	tc := tls.Client(remoteConn{conn}, cfg)
	c, err := NewClient(tc, nil)
	require.NoError(t, err)
	defer c.Close()
	require.True(t, c.IsTLS(), "NewClient on a *tls.Conn is a TLS session")
	require.NoError(t, c.Login(t.Context(), "bob", "s3cret", nil))
}

func TestIsLoopback(t *testing.T) {
	for _, tc := range []struct {
		addr net.Addr
		want bool
	}{
		{&net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)}, true},
		{&net.TCPAddr{IP: net.IPv4(127, 1, 2, 3)}, true},
		{&net.TCPAddr{IP: net.IPv6loopback}, true},
		{&net.TCPAddr{IP: net.ParseIP("::ffff:127.0.0.1")}, true},
		{&net.TCPAddr{IP: net.IPv4(192, 0, 2, 1)}, false},
		{&net.TCPAddr{IP: net.ParseIP("fd00::2")}, false},
		{&net.TCPAddr{IP: net.IPv4zero}, false},
		{&net.UnixAddr{Name: "/run/pop3.sock", Net: "unix"}, true},
		{nil, false},
	} {
		assert.Equal(t, tc.want, isLoopback(tc.addr), "%v", tc.addr)
	}
	var nilTCP *net.TCPAddr
	assert.False(t, isLoopback(nilTCP), "a nil *TCPAddr")
	assert.False(t, errors.Is(ErrTLSRequired, ErrInsecureAuth), "ErrInsecureAuth is the narrower error")
}
