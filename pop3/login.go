package pop3

import (
	"context"
	"errors"
	"fmt"

	"github.com/emersion/go-sasl"
)

// AuthMethod selects how Login authenticates.
type AuthMethod int

// Authentication methods.
const (
	// AuthAuto picks the best method the server offers (CAPA): first
	// SCRAM-SHA-256, then SCRAM-SHA-1 (the password is never sent and the
	// server proves it knows it); then over TLS, SASL PLAIN, then
	// USER/PASS; in clear text, CRAM-MD5, then APOP, then SASL PLAIN or
	// USER/PASS where a readable password may be sent (see
	// Options.InsecureAuth; never when Strict).
	AuthAuto AuthMethod = iota
	// AuthUser is USER/PASS.
	AuthUser
	// AuthAPOP is APOP, falling back to USER/PASS, as NetX does, when the
	// greeting has no timestamp or the server refuses APOP, where a
	// readable password may be sent (see Options.InsecureAuth; never when
	// Strict).
	AuthAPOP
	// AuthPlain is SASL PLAIN.
	AuthPlain
	// AuthLogin is SASL LOGIN.
	AuthLogin
	// AuthCramMD5 is SASL CRAM-MD5.
	AuthCramMD5
	// AuthXOAuth2 is SASL XOAUTH2; the secret is an OAuth 2.0 access token.
	AuthXOAuth2
	// AuthScramSHA256 is SASL SCRAM-SHA-256 (RFC 7677). Strict allows it
	// without TLS: the password never crosses the network.
	AuthScramSHA256
	// AuthScramSHA1 is SASL SCRAM-SHA-1 (RFC 5802), as AuthScramSHA256.
	AuthScramSHA1
	// AuthOAuthBearer is SASL OAUTHBEARER (RFC 7628); the secret is an
	// OAuth 2.0 access token.
	AuthOAuthBearer
)

var authNames = [...]string{"auto", "user", "apop", "plain", "login", "cram-md5", "xoauth2", "scram-sha-256", "scram-sha-1", "oauthbearer"}

// String returns the method's name as ParseAuthMethod takes it.
func (m AuthMethod) String() string {
	if m >= 0 && int(m) < len(authNames) {
		return authNames[m]
	}
	return fmt.Sprintf("AuthMethod(%d)", int(m))
}

// ParseAuthMethod returns the method named as String names it.
func ParseAuthMethod(s string) (AuthMethod, error) {
	for i, n := range authNames {
		if n == s {
			return AuthMethod(i), nil
		}
	}
	return 0, fmt.Errorf("%w: unknown authentication method %q", ErrInvalidArgument, s)
}

// LoginOptions tune Login. The zero value is AuthAuto, not strict.
type LoginOptions struct {
	Method AuthMethod
	// Strict never sends a password that an eavesdropper could read: no
	// USER/PASS, PLAIN, LOGIN, XOAUTH2 or OAUTHBEARER unless the session is
	// TLS, even to a loopback address or with Options.InsecureAuth, and so
	// no fallback from APOP to USER/PASS. CRAM-MD5, APOP and SCRAM are
	// allowed: they send no password.
	Strict bool
}

// Login authenticates with the method opts selects (nil means AuthAuto).
// Credentials holding CR, LF or NUL are refused before anything is sent.
//
// A password readable on the wire (USER/PASS, SASL PLAIN, LOGIN, XOAUTH2)
// is sent only over TLS, to a server on a loopback address, or with
// Options.InsecureAuth; otherwise Login fails with ErrInsecureAuth before
// sending it. APOP and CRAM-MD5 are always allowed.
func (c *Client) Login(ctx context.Context, username, secret string, opts *LoginOptions) error {
	var o LoginOptions
	if opts != nil {
		o = *opts
	}
	if err := c.checkCredentials(username, secret); err != nil {
		return err
	}
	cleartextOK := c.isTLS || (!o.Strict && c.cleartextAllowed())
	refuse := func(what string) error {
		if !o.Strict {
			return c.checkCleartext(what)
		}
		return fmt.Errorf("%w: strict login will not send a %s password without TLS", ErrTLSRequired, what)
	}
	switch o.Method {
	case AuthUser:
		if !cleartextOK {
			return refuse("USER/PASS")
		}
		return c.User(ctx, username, secret)
	case AuthAPOP:
		err := c.APOP(ctx, username, secret)
		var re *ResponseError
		if err == nil || !(errors.Is(err, ErrNoTimestamp) || errors.As(err, &re)) {
			return err
		}
		if !cleartextOK {
			if o.Strict {
				return err
			}
			return fmt.Errorf("%w (APOP failed first: %w)", refuse("USER/PASS"), err)
		}
		return c.User(ctx, username, secret)
	case AuthPlain:
		if !cleartextOK {
			return refuse("PLAIN")
		}
		return c.Auth(ctx, sasl.NewPlainClient("", username, secret))
	case AuthLogin:
		if !cleartextOK {
			return refuse("LOGIN")
		}
		return c.Auth(ctx, sasl.NewLoginClient(username, secret))
	case AuthCramMD5:
		return c.Auth(ctx, NewCramMD5Client(username, secret))
	case AuthXOAuth2:
		if !cleartextOK {
			return refuse("XOAUTH2")
		}
		return c.Auth(ctx, NewXOAuth2Client(username, secret))
	case AuthOAuthBearer:
		if !cleartextOK {
			return refuse("OAUTHBEARER")
		}
		return c.Auth(ctx, NewOAuthBearerClient(username, secret))
	case AuthScramSHA256:
		return c.Auth(ctx, NewScramSHA256Client(username, secret))
	case AuthScramSHA1:
		return c.Auth(ctx, NewScramSHA1Client(username, secret))
	case AuthAuto:
		return c.loginAuto(ctx, username, secret, o.Strict)
	}
	return fmt.Errorf("%w: authentication method %v", ErrInvalidArgument, o.Method)
}

func (c *Client) loginAuto(ctx context.Context, username, secret string, strict bool) error {
	capa, err := c.Capa(ctx)
	if err != nil {
		var re *ResponseError
		if !errors.As(err, &re) {
			return err
		}
		capa = Capabilities{} // a server without CAPA: RFC 1939 methods only
	}
	plain := &LoginOptions{Strict: strict}
	switch {
	case capa.HasSASL(MechScramSHA256):
		return c.Auth(ctx, NewScramSHA256Client(username, secret))
	case capa.HasSASL(MechScramSHA1):
		return c.Auth(ctx, NewScramSHA1Client(username, secret))
	}
	if c.isTLS {
		if capa.HasSASL(MechPlain) {
			plain.Method = AuthPlain
			return c.Login(ctx, username, secret, plain)
		}
		plain.Method = AuthUser
		return c.Login(ctx, username, secret, plain)
	}
	switch {
	case capa.HasSASL(MechCramMD5):
		return c.Auth(ctx, NewCramMD5Client(username, secret))
	case c.timestamp != "":
		plain.Method = AuthAPOP
	case capa.HasSASL(MechPlain):
		plain.Method = AuthPlain
	default:
		plain.Method = AuthUser
	}
	return c.Login(ctx, username, secret, plain)
}
