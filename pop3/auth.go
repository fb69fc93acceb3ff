package pop3

import (
	"context"
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/emersion/go-sasl"
)

// maxAuthLine is RFC 5034's limit on the AUTH command line, CRLF included.
// A longer initial response goes in the first continuation instead, which is
// also what Microsoft 365 expects of XOAUTH2.
const maxAuthLine = 255

// User sends USER and PASS (RFC 1939 §7): the password crosses the network
// as it is, so User refuses with ErrInsecureAuth, before sending anything,
// unless the session is TLS, the server is on a loopback address, or
// Options.InsecureAuth is set.
func (c *Client) User(ctx context.Context, name, password string) error {
	if err := c.checkCredentials(name, password); err != nil {
		return err
	}
	if err := c.checkCleartext("USER/PASS"); err != nil {
		return err
	}
	if _, err := c.cmd(ctx, "USER", name); err != nil {
		return err
	}
	if _, err := c.secretCmd(ctx, "PASS", password); err != nil {
		return err
	}
	c.loggedIn()
	return nil
}

// APOP logs in with the MD5 digest of the greeting's timestamp and the
// secret (RFC 1939 §7), so the secret itself is never sent.
func (c *Client) APOP(ctx context.Context, name, secret string) error {
	if err := c.checkCredentials(name, secret); err != nil {
		return err
	}
	if c.timestamp == "" {
		return ErrNoTimestamp
	}
	if _, err := c.secretCmd(ctx, "APOP", name, APOPDigest(c.timestamp, secret)); err != nil {
		return err
	}
	c.loggedIn()
	return nil
}

// APOPDigest returns the APOP digest: MD5 of timestamp (angle brackets
// included) followed by secret, as 32 lowercase hex digits.
func APOPDigest(timestamp, secret string) string {
	sum := md5.Sum([]byte(timestamp + secret))
	return hex.EncodeToString(sum[:])
}

// Auth logs in with a SASL mechanism (AUTH, RFC 5034). The mechanisms of
// github.com/emersion/go-sasl work, as do NewCramMD5Client,
// NewXOAuth2Client, NewOAuthBearerClient and the SCRAM clients. Auth
// refuses, before sending anything, when RequireTLS is set and the session
// is not TLS, and with ErrInsecureAuth for a mechanism that sends the
// secret readable (PLAIN, LOGIN, XOAUTH2, OAUTHBEARER) when User would
// refuse USER/PASS.
func (c *Client) Auth(ctx context.Context, sc sasl.Client) error {
	if c.opts.RequireTLS && !c.isTLS {
		return fmt.Errorf("%w: refusing to authenticate without TLS", ErrTLSRequired)
	}
	mech, ir, err := sc.Start()
	if err != nil {
		return fmt.Errorf("pop3: AUTH: %w", err)
	}
	if mech == "" || strings.ContainsAny(mech, " \r\n\x00") {
		return fmt.Errorf("%w: SASL mechanism %q", ErrInvalidArgument, mech)
	}
	if err := c.checkCleartextMech(mech); err != nil {
		return err
	}
	if err := c.start(ctx); err != nil {
		return err
	}
	line := "AUTH " + mech
	pending := ir // an initial response not yet sent
	if ir != nil {
		enc := "="
		if len(ir) > 0 {
			enc = base64.StdEncoding.EncodeToString(ir)
		}
		if len(line)+1+len(enc)+2 <= maxAuthLine {
			line += " " + enc
			pending = nil
		}
	}
	debug := "AUTH " + mech
	if len(line) > len(debug) {
		debug += " ***"
	}
	if err := c.writeLine("AUTH", line, debug); err != nil {
		return err
	}
	defer c.awaitAuth()()
	rounds := saslRounds(mech)
	if pending != nil {
		rounds++ // the first continuation asks for the initial response
	}
	for {
		raw, err := c.readLine("AUTH")
		if err != nil {
			return err
		}
		if len(raw) == 0 || raw[0] != '+' || (len(raw) > 1 && raw[1] != ' ') {
			if c.opts.DebugWriter != nil {
				fmt.Fprintf(c.opts.DebugWriter, "S: %s\n", raw)
			}
			ok, text, err := parseStatus("AUTH", raw)
			if err != nil {
				return c.fail(err)
			}
			if !ok {
				code, msg := parseRespCode(text)
				return saslOutcome(sc, &ResponseError{Cmd: "AUTH", Code: code, Text: msg})
			}
			if err := saslOutcome(sc, nil); err != nil {
				return c.fail(err) // the server may think we are logged in
			}
			c.loggedIn()
			return nil
		}
		if c.opts.DebugWriter != nil {
			fmt.Fprintf(c.opts.DebugWriter, "S: %s\n", raw)
		}
		if rounds == 0 {
			return c.cancelAuth(&ProtocolError{Cmd: "AUTH", Msg: fmt.Sprintf("%s challenge beyond the rounds the mechanism defines", mech)})
		}
		rounds--
		var resp []byte
		if pending != nil {
			resp, pending = pending, nil
		} else {
			chal, derr := base64.StdEncoding.DecodeString(strings.TrimSpace(string(raw[1:])))
			if derr != nil {
				return c.cancelAuth(&ProtocolError{Cmd: "AUTH", Msg: "SASL challenge is not base64"})
			}
			resp, err = sc.Next(chal)
			if errors.Is(err, ErrServerSignature) {
				return c.fail(err) // nothing more for an impostor
			}
			if err != nil {
				// The mechanism refused the challenge: the server broke
				// the exchange, so it is the server's error, not ours.
				return c.cancelAuth(&ProtocolError{Cmd: "AUTH", Msg: mech + " challenge refused", Err: err})
			}
		}
		if err := c.writeLine("AUTH", base64.StdEncoding.EncodeToString(resp), "***"); err != nil {
			return err
		}
	}
}

// maxSASLRounds bounds the challenges answered for a mechanism this package
// does not know (a caller's sasl.Client).
const maxSASLRounds = 8

// saslRounds is how many server challenges mech defines after its initial
// response: PLAIN none; LOGIN one, the password prompt (the user name is
// the initial response); CRAM-MD5 one, the challenge; XOAUTH2 one, the
// error status, answered with an empty line; OAUTHBEARER one, the JSON
// error, answered with ^A (RFC 7628); SCRAM two, the server-first message
// and the server-final one carrying its signature (RFC 5802, sent as a
// challenge since RFC 5034 has no data on +OK). A server asking for more is
// cancelled rather than given a credential twice (a second HMAC or
// password for a server that has already seen one).
func saslRounds(mech string) int {
	switch strings.ToUpper(mech) {
	case MechPlain:
		return 0
	case MechLogin, MechCramMD5, MechXOAuth2, MechOAuthBearer:
		return 1
	case MechScramSHA1, MechScramSHA256:
		return 2
	}
	return maxSASLRounds
}

// cancelAuth aborts a SASL exchange with "*" and reads the server's answer
// so that the session stays usable for another attempt.
func (c *Client) cancelAuth(cause error) error {
	if err := c.writeLine("AUTH", "*", "*"); err != nil {
		return err
	}
	if _, err := c.readStatus("AUTH"); err != nil {
		var re *ResponseError
		if !errors.As(err, &re) {
			return err
		}
	}
	return cause
}

func (c *Client) loggedIn() {
	c.state = StateTransaction
	c.capa = nil // RFC 2449 §5: capabilities may change after login
}

// checkCredentials refuses what must not be sent: CR, LF or NUL, an empty
// name, and a clear-text secret when TLS is required.
func (c *Client) checkCredentials(name, secret string) error {
	if name == "" {
		return fmt.Errorf("%w: empty user name", ErrInvalidArgument)
	}
	if strings.ContainsAny(name, "\r\n\x00") || strings.ContainsAny(secret, "\r\n\x00") {
		return fmt.Errorf("%w: CR, LF or NUL in a credential", ErrInvalidArgument)
	}
	if c.opts.RequireTLS && !c.isTLS {
		return fmt.Errorf("%w: refusing to send credentials without TLS", ErrTLSRequired)
	}
	return nil
}
