package pop3

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/nxpop3/nxpop3/pop3/pop3test"
)

// OAUTHBEARER defines one challenge, the JSON error (RFC 7628 §3.2.3); a
// second one is cancelled rather than answered again.
func TestOAuthBearerSecondChallengeCancelled(t *testing.T) {
	js := b64(`{"status":"invalid_token"}`)
	s := pop3test.StartScripted(t, greet(), C("AUTH OAUTHBEARER "+b64(bearerIR)), S("+ "+js),
		C("AQ=="), S("+ "+js), C("*"), S("-ERR cancelled"), C("QUIT"), S("+OK"))
	c := dial(t, s, nil)
	err := c.Login(t.Context(), "bob@example.com", "tok3n", &LoginOptions{Method: AuthOAuthBearer})
	var pe *ProtocolError
	require.ErrorAs(t, err, &pe)
	require.NoError(t, c.Quit(t.Context()))
	require.NoError(t, s.Wait(5*time.Second))
}

// SCRAM defines two challenges, server-first and server-final (RFC 5802
// §3); a third after the verified server-final is cancelled.
func TestScramThirdChallengeCancelled(t *testing.T) {
	v := scramVectors[1]
	s := pop3test.StartScripted(t, greet(),
		C("AUTH "+v.mech+" "+b64(v.clientFirst)), S("+ "+b64(v.serverFirst)),
		C(b64(v.clientFinal)), S("+ "+b64(v.serverFinal)),
		C(""), S("+ "+b64(v.serverFinal)),
		C("*"), S("-ERR cancelled"), C("QUIT"), S("+OK"))
	c := dial(t, s, nil)
	err := c.Auth(t.Context(), rfcScram(v.mech, v.hash, v.nonce))
	var pe *ProtocolError
	require.ErrorAs(t, err, &pe)
	require.NoError(t, c.Quit(t.Context()))
	require.NoError(t, s.Wait(5*time.Second))
}
