package pop3

import (
	"crypto/hmac"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"fmt"

	"github.com/emersion/go-sasl"
)

// SASL mechanism names.
const (
	MechPlain   = "PLAIN"
	MechLogin   = "LOGIN"
	MechCramMD5 = "CRAM-MD5"
	MechXOAuth2 = "XOAUTH2"
)

// go-sasl provides PLAIN and LOGIN but neither CRAM-MD5 (RFC 2195), which
// Dovecot and many appliances offer, nor XOAUTH2, which Gmail and Microsoft
// 365 require, so those two are here, behind the same interface.

type cramMD5Client struct{ username, secret string }

// NewCramMD5Client returns a CRAM-MD5 (RFC 2195) SASL client: the secret is
// used as an HMAC-MD5 key over the server's challenge and never sent.
func NewCramMD5Client(username, secret string) sasl.Client {
	return &cramMD5Client{username, secret}
}

func (a *cramMD5Client) Start() (string, []byte, error) { return MechCramMD5, nil, nil }

func (a *cramMD5Client) Next(challenge []byte) ([]byte, error) {
	h := hmac.New(md5.New, []byte(a.secret))
	h.Write(challenge)
	return []byte(a.username + " " + hex.EncodeToString(h.Sum(nil))), nil
}

type xoauth2Client struct {
	username, token string
	failed          bool
}

// NewXOAuth2Client returns an XOAUTH2 SASL client, the OAuth 2.0 bearer
// token mechanism of Gmail and Microsoft 365. The token is the access token
// itself (without "Bearer ").
func NewXOAuth2Client(username, token string) sasl.Client {
	return &xoauth2Client{username: username, token: token}
}

func (a *xoauth2Client) Start() (string, []byte, error) {
	return MechXOAuth2, []byte("user=" + a.username + "\x01auth=Bearer " + a.token + "\x01\x01"), nil
}

// Next answers the server's error challenge (a JSON status) with the empty
// response the mechanism requires, after which the server sends -ERR.
func (a *xoauth2Client) Next(challenge []byte) ([]byte, error) {
	if a.failed {
		return nil, sasl.ErrUnexpectedServerChallenge
	}
	a.failed = true
	var status struct {
		Status string `json:"status"`
	}
	if json.Unmarshal(challenge, &status) != nil {
		return nil, fmt.Errorf("pop3: XOAUTH2: unexpected challenge")
	}
	return []byte{}, nil
}
