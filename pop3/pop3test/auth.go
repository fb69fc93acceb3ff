package pop3test

import (
	"bytes"
	"crypto/hmac"
	"crypto/md5"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/emersion/go-sasl"
)

// errBadCredentials separates a wrong password or token, answered with the
// [AUTH] response code, from a malformed exchange.
var errBadCredentials = errors.New("invalid credentials")

// xoauth2Error is the JSON Gmail sends (base64-encoded, as a continuation)
// when a bearer token is rejected; clients must answer it with an empty
// line before they get -ERR.
const xoauth2Error = `{"status":"401","schemes":"Bearer","scope":"https://mail.google.com/"}`

func supportedMech(m string) bool {
	switch m {
	case "PLAIN", "LOGIN", "CRAM-MD5", "XOAUTH2":
		return true
	}
	return false
}

// newSASLServer returns the server side of mech. On success the
// authenticated user's name is stored in *user.
func (ss *session) newSASLServer(mech string, user *string) sasl.Server {
	checkPassword := func(name, password string) error {
		m := ss.srv.Mailbox(name)
		if m == nil || !m.checkPassword(password) {
			return errBadCredentials
		}
		*user = name
		return nil
	}
	switch mech {
	case "PLAIN":
		return sasl.NewPlainServer(func(identity, name, password string) error {
			// Acting for another user is not something a test server
			// should grant.
			if identity != "" && identity != name {
				return errBadCredentials
			}
			return checkPassword(name, password)
		})
	case "LOGIN":
		return &loginServer{check: checkPassword}
	case "CRAM-MD5":
		return &cramMD5Server{srv: ss.srv, user: user}
	case "XOAUTH2":
		return &xoauth2Server{srv: ss.srv, user: user}
	}
	return nil
}

// loginServer is the server side of the LOGIN mechanism
// (draft-murchison-sasl-login).
type loginServer struct {
	step     int
	username string
	check    func(name, password string) error
}

func (l *loginServer) Next(resp []byte) ([]byte, bool, error) {
	switch l.step {
	case 0:
		if resp == nil {
			l.step = 1
			return []byte("Username:"), false, nil
		}
		// An initial response carries the user name, so the first
		// challenge is skipped.
		l.username = string(resp)
		l.step = 2
		return []byte("Password:"), false, nil
	case 1:
		l.username = string(resp)
		l.step = 2
		return []byte("Password:"), false, nil
	case 2:
		l.step = 3
		return nil, true, l.check(l.username, string(resp))
	}
	return nil, true, sasl.ErrUnexpectedClientResponse
}

// cramMD5Server is the server side of CRAM-MD5 (RFC 2195).
type cramMD5Server struct {
	srv       *Server
	user      *string
	challenge string
}

func (c *cramMD5Server) Next(resp []byte) ([]byte, bool, error) {
	if c.challenge == "" {
		if resp != nil {
			return nil, true, errors.New("CRAM-MD5 takes no initial response")
		}
		var b [8]byte
		rand.Read(b[:])
		c.challenge = fmt.Sprintf("<%x.%d@pop3test>", b, time.Now().UnixNano())
		return []byte(c.challenge), false, nil
	}
	i := bytes.LastIndexByte(resp, ' ')
	if i < 0 {
		return nil, true, errors.New("malformed CRAM-MD5 response")
	}
	name, digest := string(resp[:i]), resp[i+1:]
	m := c.srv.Mailbox(name)
	if m == nil {
		return nil, true, errBadCredentials
	}
	password, _ := m.secret()
	mac := hmac.New(md5.New, []byte(password))
	mac.Write([]byte(c.challenge))
	want := hex.EncodeToString(mac.Sum(nil))
	// RFC 2195 specifies lowercase hex; uppercase is refused so that a
	// client getting it wrong is caught.
	if subtle.ConstantTimeCompare(digest, []byte(want)) != 1 {
		return nil, true, errBadCredentials
	}
	*c.user = name
	return nil, true, nil
}

// xoauth2Server is the server side of Google's XOAUTH2.
type xoauth2Server struct {
	srv    *Server
	user   *string
	asked  bool
	failed bool
}

func (x *xoauth2Server) Next(resp []byte) ([]byte, bool, error) {
	if x.failed {
		return nil, true, errBadCredentials
	}
	if resp == nil && !x.asked {
		x.asked = true
		return []byte{}, false, nil
	}
	name, token, ok := parseXOAUTH2(resp)
	if !ok {
		return nil, true, errors.New("malformed XOAUTH2 response")
	}
	if m := x.srv.Mailbox(name); m != nil {
		if _, want := m.secret(); want != "" && subtle.ConstantTimeCompare([]byte(token), []byte(want)) == 1 {
			*x.user = name
			return nil, true, nil
		}
	}
	x.failed = true
	return []byte(xoauth2Error), false, nil
}

// parseXOAUTH2 splits "user=NAME\x01auth=Bearer TOKEN\x01\x01".
func parseXOAUTH2(resp []byte) (name, token string, ok bool) {
	rest, ok := bytes.CutPrefix(resp, []byte("user="))
	if !ok {
		return "", "", false
	}
	u, rest, ok := bytes.Cut(rest, []byte{1})
	if !ok {
		return "", "", false
	}
	t, rest, ok := bytes.Cut(rest, []byte{1})
	if !ok || !bytes.Equal(rest, []byte{1}) {
		return "", "", false
	}
	tok, ok := bytes.CutPrefix(t, []byte("auth=Bearer "))
	if !ok {
		return "", "", false
	}
	return string(u), string(tok), true
}
