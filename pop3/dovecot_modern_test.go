package pop3_test

// SCRAM, OAUTHBEARER and XOAUTH2, and TLS client certificates, against
// Dovecot instances of their own (dovecot.StartPrivate): the shared one
// offers none of these, and its other tests expect it not to.

import (
	"crypto/tls"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/nxpop3/nxpop3/build/dovecot"
	"github.com/nxpop3/nxpop3/pop3"
)

func TestDovecotScram(t *testing.T) {
	s, _ := dovecot.StartSASL(t)
	user, pass := s.NewUser(t)
	msg := mail("scram", "body")
	s.Deliver(t, user, msg)

	for _, tc := range []struct {
		name   string
		method pop3.AuthMethod
		want   string
	}{
		{"SCRAM-SHA-256", pop3.AuthScramSHA256, "AUTH SCRAM-SHA-256 "},
		{"SCRAM-SHA-1", pop3.AuthScramSHA1, "AUTH SCRAM-SHA-1 "},
		{"auto prefers SCRAM-SHA-256", pop3.AuthAuto, "AUTH SCRAM-SHA-256 "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, trace := dvDial(t, s.Addr(), pop3.Dialer{})
			// Strict in clear text: SCRAM sends no password.
			require.NoError(t, c.Login(dvCtx(t), user, pass, &pop3.LoginOptions{Method: tc.method, Strict: true}))
			n, _, err := c.Stat(dvCtx(t))
			require.NoError(t, err)
			assert.Equal(t, 1, n)
			require.NoError(t, c.Quit(dvCtx(t)))
			assert.Contains(t, trace.String(), "C: "+tc.want)
			assert.NotContains(t, trace.String(), pass)
		})
	}
	t.Run("wrong password", func(t *testing.T) {
		c, _ := dvDial(t, s.Addr(), pop3.Dialer{})
		err := c.Login(dvCtx(t), user, "wrong", &pop3.LoginOptions{Method: pop3.AuthScramSHA256})
		var re *pop3.ResponseError
		require.ErrorAs(t, err, &re)
		assert.NotErrorIs(t, err, pop3.ErrServerSignature)
	})
	assert.Equal(t, [][]byte{msg}, s.Messages(t, user))
}

func TestDovecotOAuth(t *testing.T) {
	s, oauth := dovecot.StartSASL(t)
	user, _ := s.NewUser(t)
	msg := mail("oauth", "body")
	s.Deliver(t, user, msg)
	token := "tok-" + user
	oauth.AddToken(token, user)
	tlsDial := pop3.Dialer{TLS: pop3.TLSStartTLS, TLSConfig: s.ClientTLSConfig()}

	for _, method := range []pop3.AuthMethod{pop3.AuthOAuthBearer, pop3.AuthXOAuth2} {
		t.Run(method.String(), func(t *testing.T) {
			c, trace := dvDial(t, s.Addr(), tlsDial)
			require.NoError(t, c.Login(dvCtx(t), user, token, &pop3.LoginOptions{Method: method, Strict: true}))
			n, _, err := c.Stat(dvCtx(t))
			require.NoError(t, err)
			assert.Equal(t, 1, n)
			require.NoError(t, c.Quit(dvCtx(t)))
			assert.Contains(t, trace.String(), "C: AUTH "+strings.ToUpper(method.String()))
		})
	}
	t.Run("OAUTHBEARER refused token", func(t *testing.T) {
		c, trace := dvDial(t, s.Addr(), tlsDial)
		err := c.Login(dvCtx(t), user, "expired-token", &pop3.LoginOptions{Method: pop3.AuthOAuthBearer})
		var oe *pop3.OAuthError
		require.ErrorAs(t, err, &oe, "%v\n%s", err, trace)
		// Dovecot 2.3.19 sends {"status":"invalid_token"} alone, without
		// the scope (pop3's scripted tests cover one).
		assert.Equal(t, "invalid_token", oe.Status)
		assert.Contains(t, err.Error(), `status "invalid_token"`)
		var re *pop3.ResponseError
		require.ErrorAs(t, err, &re)
		// The ^A answer to the JSON error, then the session goes on.
		assert.Contains(t, trace.String(), "C: ***")
		require.NoError(t, c.Quit(dvCtx(t)))
	})
	t.Run("XOAUTH2 refused token", func(t *testing.T) {
		c, _ := dvDial(t, s.Addr(), tlsDial)
		err := c.Login(dvCtx(t), user, "expired-token", &pop3.LoginOptions{Method: pop3.AuthXOAuth2})
		var re *pop3.ResponseError
		require.ErrorAs(t, err, &re)
		require.NoError(t, c.Quit(dvCtx(t)))
	})
	assert.Equal(t, [][]byte{msg}, s.Messages(t, user))
	assert.Positive(t, oauth.Calls(), "Dovecot asked the introspection endpoint")
}

// A Dovecot that requires client certificates signed by its client CA
// (ssl_verify_client_cert, auth_ssl_require_client_cert): a client with
// one logs in, over STLS and implicit TLS; without one, or with one from
// another CA, it does not. A server that refuses the certificate in the
// handshake instead is TestClientCertificateRefused.
func TestDovecotClientCertificate(t *testing.T) {
	dir := t.TempDir()
	good := dovecot.NewClientPKI(t, dir, "good")
	other := dovecot.NewClientPKI(t, dir, "other")
	s := dovecot.StartClientCert(t, good.CAFile)
	user, pass := s.NewUser(t)
	s.Deliver(t, user, mail("cert", "body"))

	dialer := func(t *testing.T, mode pop3.TLSMode, p *dovecot.ClientPKI) pop3.Dialer {
		cfg := s.ClientTLSConfig()
		if p != nil {
			cert, err := pop3.LoadClientCertificate(p.CertFile, p.KeyFile)
			require.NoError(t, err)
			cfg.Certificates = []tls.Certificate{cert}
		}
		return pop3.Dialer{TLS: mode, TLSConfig: cfg, Timeout: 20 * time.Second, Options: pop3.Options{ReplyTimeout: 20 * time.Second}}
	}
	for _, mode := range []pop3.TLSMode{pop3.TLSStartTLS, pop3.TLSImplicit} {
		addr := map[pop3.TLSMode]string{pop3.TLSStartTLS: s.Addr(), pop3.TLSImplicit: s.TLSAddr()}[mode]
		t.Run(fmt.Sprintf("mode %d good certificate", mode), func(t *testing.T) {
			c, _ := dvDial(t, addr, dialer(t, mode, &good))
			require.NoError(t, c.Login(dvCtx(t), user, pass, &pop3.LoginOptions{Method: pop3.AuthUser, Strict: true}))
			n, _, err := c.Stat(dvCtx(t))
			require.NoError(t, err)
			assert.Equal(t, 1, n)
			require.NoError(t, c.Quit(dvCtx(t)))
		})
		for name, p := range map[string]*dovecot.ClientPKI{"no certificate": nil, "another CA's certificate": &other} {
			t.Run(fmt.Sprintf("mode %d %s", mode, name), func(t *testing.T) {
				d := dialer(t, mode, p)
				c, err := d.Dial(dvCtx(t), addr)
				if err == nil {
					err = c.Login(dvCtx(t), user, pass, &pop3.LoginOptions{Method: pop3.AuthUser, Strict: true})
					c.Close()
				}
				// Dovecot takes the connection and refuses the login, after
				// the password went to it over TLS (no TLS alert).
				var re *pop3.ResponseError
				require.ErrorAs(t, err, &re)
				assert.Contains(t, re.Text, "valid SSL certificate")
			})
		}
	}
}
