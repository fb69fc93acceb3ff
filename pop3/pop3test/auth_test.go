package pop3test

import (
	"crypto/hmac"
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The expected values below are computed independently of the server code.

func apopDigest(timestamp, password string) string {
	sum := md5.Sum([]byte(timestamp + password))
	return hex.EncodeToString(sum[:])
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

func unb64(t *testing.T, s string) string {
	t.Helper()
	b, err := base64.StdEncoding.DecodeString(s)
	require.NoError(t, err)
	return string(b)
}

// challenge reads a "+ " continuation and returns it decoded.
func challenge(t *testing.T, c *rawClient) string {
	t.Helper()
	l := c.Line()
	require.True(t, strings.HasPrefix(l, "+ "), "want continuation, got %q", l)
	return unb64(t, l[2:])
}

func authServer(t *testing.T, opts Options) (*Server, *rawClient) {
	t.Helper()
	s := Start(t, opts)
	s.AddUser("tim", "tanstaaftanstaaf", []byte("m\r\n")).SetToken("ya29.tok")
	c, _ := connect(t, s)
	return s, c
}

const authOK = "+OK tim's maildrop has 1 messages (3 octets)"

func TestAPOPDigestHelper(t *testing.T) {
	// The RFC 1939 section 7 example, so the helper itself is trusted.
	assert.Equal(t, "c4c9334bac560ecc979e58001b3e22fb", apopDigest("<1896.697170952@dbc.mtview.ca.us>", "tanstaaf"))
}

func TestAuthPLAIN(t *testing.T) {
	t.Run("initial response", func(t *testing.T) {
		_, c := authServer(t, Options{})
		assert.Equal(t, "-ERR [AUTH] invalid credentials", c.Cmd("AUTH PLAIN "+b64("\x00tim\x00wrong")))
		assert.Equal(t, "-ERR [AUTH] invalid credentials", c.Cmd("AUTH PLAIN "+b64("other\x00tim\x00tanstaaftanstaaf")))
		assert.Equal(t, authOK, c.Cmd("AUTH plain "+b64("tim\x00tim\x00tanstaaftanstaaf")))
	})
	t.Run("continuation", func(t *testing.T) {
		_, c := authServer(t, Options{})
		c.Send("AUTH PLAIN")
		assert.Equal(t, "", challenge(t, c))
		assert.Equal(t, authOK, c.Cmd(b64("\x00tim\x00tanstaaftanstaaf")))
	})
	t.Run("empty initial response", func(t *testing.T) {
		_, c := authServer(t, Options{})
		assert.Regexp(t, `^-ERR authentication failed`, c.Cmd("AUTH PLAIN ="))
	})
	t.Run("bad base64", func(t *testing.T) {
		_, c := authServer(t, Options{})
		assert.Equal(t, "-ERR invalid base64", c.Cmd("AUTH PLAIN !!!"))
	})
}

func TestAuthLOGIN(t *testing.T) {
	t.Run("challenges", func(t *testing.T) {
		_, c := authServer(t, Options{})
		c.Send("AUTH LOGIN")
		assert.Equal(t, "Username:", challenge(t, c))
		c.Send(b64("tim"))
		assert.Equal(t, "Password:", challenge(t, c))
		assert.Equal(t, authOK, c.Cmd(b64("tanstaaftanstaaf")))
	})
	t.Run("initial response skips Username", func(t *testing.T) {
		_, c := authServer(t, Options{})
		c.Send("AUTH LOGIN " + b64("tim"))
		assert.Equal(t, "Password:", challenge(t, c))
		assert.Equal(t, "-ERR [AUTH] invalid credentials", c.Cmd(b64("nope")))
	})
}

func TestAuthCRAMMD5(t *testing.T) {
	_, c := authServer(t, Options{})
	c.Send("AUTH CRAM-MD5")
	ch := challenge(t, c)
	assert.Regexp(t, `^<[0-9a-f]+\.\d+@pop3test>$`, ch)
	mac := hmac.New(md5.New, []byte("tanstaaftanstaaf"))
	mac.Write([]byte(ch))
	digest := hex.EncodeToString(mac.Sum(nil))
	assert.Equal(t, authOK, c.Cmd(b64("tim "+digest)))

	_, c = authServer(t, Options{})
	c.Send("AUTH CRAM-MD5")
	challenge(t, c)
	assert.Equal(t, "-ERR [AUTH] invalid credentials", c.Cmd(b64("tim "+strings.Repeat("0", 32))), "digest over a different challenge")

	_, c = authServer(t, Options{})
	assert.Regexp(t, `^-ERR`, c.Cmd("AUTH CRAM-MD5 "+b64("tim x")), "no initial response allowed")
}

func xoauth2(user, token string) string {
	return b64("user=" + user + "\x01auth=Bearer " + token + "\x01\x01")
}

func TestAuthXOAUTH2(t *testing.T) {
	t.Run("initial response", func(t *testing.T) {
		_, c := authServer(t, Options{})
		assert.Equal(t, authOK, c.Cmd("AUTH XOAUTH2 "+xoauth2("tim", "ya29.tok")))
	})
	t.Run("continuation", func(t *testing.T) {
		_, c := authServer(t, Options{})
		c.Send("AUTH XOAUTH2")
		assert.Equal(t, "", challenge(t, c))
		assert.Equal(t, authOK, c.Cmd(xoauth2("tim", "ya29.tok")))
	})
	t.Run("bad token", func(t *testing.T) {
		_, c := authServer(t, Options{})
		c.Send("AUTH XOAUTH2 " + xoauth2("tim", "expired"))
		assert.JSONEq(t, `{"status":"401","schemes":"Bearer","scope":"https://mail.google.com/"}`, challenge(t, c))
		assert.Equal(t, "-ERR [AUTH] invalid credentials", c.Cmd(""))
		assert.Regexp(t, `^\+OK `, c.Cmd("CAPA"), "session still usable")
	})
	t.Run("no token set", func(t *testing.T) {
		s, c := authServer(t, Options{})
		s.AddUser("notoken", "pw")
		c.Send("AUTH XOAUTH2 " + xoauth2("notoken", ""))
		challenge(t, c)
		assert.Equal(t, "-ERR [AUTH] invalid credentials", c.Cmd(""))
	})
	t.Run("malformed", func(t *testing.T) {
		_, c := authServer(t, Options{})
		assert.Regexp(t, `^-ERR`, c.Cmd("AUTH XOAUTH2 "+b64("user=tim\x01auth=Bearer ya29.tok")))
	})
}

func TestAuthLongInitialResponse(t *testing.T) {
	s, c := authServer(t, Options{})
	long := strings.Repeat("t", 3000)
	s.Mailbox("tim").SetToken(long)
	assert.Equal(t, authOK, c.Cmd("AUTH XOAUTH2 "+xoauth2("tim", long)), "AUTH lines may exceed 512 octets")
}

func TestAuthCancelAndErrors(t *testing.T) {
	s, c := authServer(t, Options{SASL: []string{"LOGIN"}})
	c.Send("AUTH LOGIN")
	challenge(t, c)
	assert.Equal(t, "-ERR authentication cancelled", c.Cmd("*"))
	assert.Equal(t, "-ERR unsupported SASL mechanism", c.Cmd("AUTH PLAIN "+b64("\x00tim\x00tanstaaftanstaaf")))
	c.Send("AUTH")
	assert.Equal(t, "+OK", c.Line())
	assert.Equal(t, []string{"LOGIN"}, c.Multi())
	c.Send("AUTH LOGIN")
	challenge(t, c)
	assert.Equal(t, "-ERR invalid base64", c.Cmd("%%%"))
	assert.Equal(t, []string{"AUTH LOGIN", "*", "AUTH PLAIN " + b64("\x00tim\x00tanstaaftanstaaf"), "AUTH", "AUTH LOGIN", "%%%"}, s.Commands())
}

func TestAuthInUse(t *testing.T) {
	s, c := authServer(t, Options{})
	login(t, c, "tim", "tanstaaftanstaaf")
	c2, _ := connect(t, s)
	assert.Equal(t, "-ERR [IN-USE] mailbox locked", c2.Cmd("AUTH XOAUTH2 "+xoauth2("tim", "ya29.tok")))
}

func TestRequireTLSForAuthPlaintext(t *testing.T) {
	_, c := authServer(t, Options{RequireTLSForAuth: true, Timestamp: "<t@x>"})
	assert.Equal(t, "-ERR [AUTH] TLS required for authentication", c.Cmd("USER tim"))
	assert.Equal(t, "-ERR [AUTH] TLS required for authentication", c.Cmd("PASS tanstaaftanstaaf"))
	assert.Equal(t, "-ERR [AUTH] TLS required for authentication", c.Cmd("AUTH PLAIN "+b64("\x00tim\x00tanstaaftanstaaf")))
	assert.Equal(t, authOK, c.Cmd("APOP tim "+apopDigest("<t@x>", "tanstaaftanstaaf")), "APOP never sends the password")
}
