package pop3

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/emersion/go-sasl"
)

// MechOAuthBearer is RFC 7628's OAuth 2.0 bearer token mechanism.
const MechOAuthBearer = "OAUTHBEARER"

// OAuthError is a refused OAUTHBEARER login: the server's -ERR, with what
// its JSON error challenge said (RFC 7628 §3.2.2), so that an expired
// token (status "invalid_token") can be told from a missing scope.
type OAuthError struct {
	Status string // e.g. "invalid_token", "insufficient_scope" or an HTTP status
	Scope  string // the scope the server wants, if it said
	Err    error  // the *ResponseError of the -ERR, or the failure
}

var _ error = (*OAuthError)(nil)

// Error gives the server's -ERR and its status and scope.
func (e *OAuthError) Error() string {
	s := "pop3: AUTH OAUTHBEARER refused"
	if e.Err != nil {
		s = e.Err.Error()
	}
	s += " (OAUTHBEARER status " + quoteOrNone(e.Status)
	if e.Scope != "" {
		s += ", scope " + quoteOrNone(e.Scope)
	}
	return s + ")"
}

// Unwrap returns the -ERR, so errors.As finds the *ResponseError.
func (e *OAuthError) Unwrap() error { return e.Err }

func quoteOrNone(s string) string {
	if s == "" {
		return "none given"
	}
	return fmt.Sprintf("%q", s)
}

type oauthBearerClient struct {
	username, token string
	failure         *OAuthError // set by the server's error challenge
}

// NewOAuthBearerClient returns an OAUTHBEARER (RFC 7628) SASL client. The
// token is the OAuth 2.0 access token itself (without "Bearer "); username
// becomes the authorization identity (the gs2 "a=" field) unless empty.
func NewOAuthBearerClient(username, token string) sasl.Client {
	return &oauthBearerClient{username: username, token: token}
}

func (a *oauthBearerClient) Start() (string, []byte, error) {
	gs2 := "n,,"
	if a.username != "" {
		// RFC 5801 saslname: "," and "=" are escaped.
		gs2 = "n,a=" + strings.NewReplacer("=", "=3D", ",", "=2C").Replace(a.username) + ","
	}
	return MechOAuthBearer, []byte(gs2 + "\x01auth=Bearer " + a.token + "\x01\x01"), nil
}

// Next answers the server's error challenge, a JSON object, with the
// single ^A RFC 7628 §3.2.3 requires; the server then sends -ERR.
func (a *oauthBearerClient) Next(challenge []byte) ([]byte, error) {
	if a.failure != nil {
		return nil, sasl.ErrUnexpectedServerChallenge
	}
	var js struct {
		Status string `json:"status"`
		Scope  string `json:"scope"`
	}
	if err := json.Unmarshal(challenge, &js); err != nil {
		return nil, errors.New("OAUTHBEARER challenge is not the JSON error of RFC 7628")
	}
	a.failure = &OAuthError{Status: js.Status, Scope: js.Scope}
	return []byte{0x01}, nil
}

// outcome adds the JSON error's status and scope to the -ERR that follows
// it. A +OK after an error challenge is not a login.
func (a *oauthBearerClient) outcome(err error) error {
	if a.failure == nil {
		return err
	}
	if err == nil {
		err = &ProtocolError{Cmd: "AUTH", Msg: "+OK after the OAUTHBEARER error challenge"}
	}
	f := *a.failure
	f.Err = err
	return &f
}
