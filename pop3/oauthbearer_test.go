package pop3

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/nxpop3/nxpop3/pop3/pop3test"
)

const bearerIR = "n,a=bob@example.com,\x01auth=Bearer tok3n\x01\x01"

// The initial response is RFC 7628 §3.1's: gs2 header with the
// authorization identity, then auth=Bearer between ^A separators.
func TestOAuthBearerLogin(t *testing.T) {
	s := pop3test.StartScripted(t, greet(), C("AUTH OAUTHBEARER "+b64(bearerIR)), S("+OK welcome"), C("QUIT"), S("+OK"))
	c := dial(t, s, nil)
	require.NoError(t, c.Login(t.Context(), "bob@example.com", "tok3n", &LoginOptions{Method: AuthOAuthBearer}))
	require.NoError(t, c.Quit(t.Context()))
	require.NoError(t, s.Wait(5*time.Second))
}

// The server's JSON error is answered by a single ^A ("AQ==", RFC 7628
// §3.2.3), and the -ERR that follows is reported with the JSON's status and
// scope; the session stays usable. Seen failing with an empty response
// (what XOAUTH2 sends), which the script refuses.
func TestOAuthBearerErrorChallenge(t *testing.T) {
	js := `{"status":"invalid_token","scope":"https://mail.example.com/pop","openid-configuration":"https://example.com/.well-known/openid-configuration"}`
	s := pop3test.StartScripted(t, greet(), C("AUTH OAUTHBEARER "+b64(bearerIR)), S("+ "+b64(js)),
		C("AQ=="), S("-ERR [AUTH] token refused"), C("QUIT"), S("+OK"))
	c := dial(t, s, nil)
	err := c.Login(t.Context(), "bob@example.com", "tok3n", &LoginOptions{Method: AuthOAuthBearer})
	var oe *OAuthError
	require.ErrorAs(t, err, &oe)
	assert.Equal(t, "invalid_token", oe.Status)
	assert.Equal(t, "https://mail.example.com/pop", oe.Scope)
	var re *ResponseError
	require.ErrorAs(t, err, &re)
	assert.Equal(t, "AUTH", re.Code)
	assert.Contains(t, err.Error(), `status "invalid_token"`)
	assert.Contains(t, err.Error(), `scope "https://mail.example.com/pop"`)
	assert.NotContains(t, err.Error(), "tok3n")
	require.NoError(t, c.Quit(t.Context()))
	require.NoError(t, s.Wait(5*time.Second))
}

// A challenge that is not JSON is not RFC 7628's error: the exchange is
// cancelled with "*".
func TestOAuthBearerBadChallenge(t *testing.T) {
	s := pop3test.StartScripted(t, greet(), C("AUTH OAUTHBEARER "+b64(bearerIR)), S("+ "+b64("not json")),
		C("*"), S("-ERR cancelled"), Hangup())
	c := dial(t, s, nil)
	err := c.Login(t.Context(), "bob@example.com", "tok3n", &LoginOptions{Method: AuthOAuthBearer})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "RFC 7628")
	require.NoError(t, s.Wait(5*time.Second))
}

// Strict refuses to send a bearer token in clear text: it is as good as a
// password to whoever reads it.
func TestOAuthBearerStrictNeedsTLS(t *testing.T) {
	s := pop3test.StartScripted(t, greet(), C("QUIT"), S("+OK"))
	c := dial(t, s, nil)
	err := c.Login(t.Context(), "bob", "tok3n", &LoginOptions{Method: AuthOAuthBearer, Strict: true})
	require.ErrorIs(t, err, ErrTLSRequired)
	require.NoError(t, c.Quit(t.Context()))
	require.NoError(t, s.Wait(5*time.Second))
}

// An OAuthError made by hand, without the -ERR, still has a text.
func TestOAuthErrorWithoutCause(t *testing.T) {
	assert.Equal(t, `pop3: AUTH OAUTHBEARER refused (OAUTHBEARER status "invalid_token")`, (&OAuthError{Status: "invalid_token"}).Error())
}
