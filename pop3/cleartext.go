package pop3

import (
	"fmt"
	"net"
	"strings"
)

// When a password may cross the network readable.
//
// USER/PASS, SASL PLAIN, LOGIN, XOAUTH2 and OAUTHBEARER put the password or
// bearer token on the wire as it is (base64 is no protection). The client
// sends them only over TLS, to a server on a loopback address (the bytes
// never leave the host), or when the caller opted in with
// Options.InsecureAuth, as net/smtp's PlainAuth and mpop do. APOP and
// CRAM-MD5 send a digest, never the password, and stay allowed.

// cleartextMechs are the SASL mechanisms whose exchange carries the secret
// readable by anyone who sees the bytes.
var cleartextMechs = map[string]bool{"PLAIN": true, "LOGIN": true, "XOAUTH2": true, "OAUTHBEARER": true}

// isLoopback reports whether a connection's remote address cannot be
// reached off the host: a loopback IP, a Unix socket, or net.Pipe.
func isLoopback(a net.Addr) bool {
	switch a := a.(type) {
	case *net.TCPAddr:
		return a != nil && a.IP.IsLoopback()
	case nil:
		return false
	}
	switch a.Network() {
	case "unix", "unixpacket", "pipe":
		return true
	}
	return false
}

// cleartextAllowed reports whether a readable password may be sent on this
// session.
func (c *Client) cleartextAllowed() bool {
	return c.isTLS || c.loopback || c.opts.InsecureAuth
}

// checkCleartext refuses, before anything is sent, to send what (a command
// or mechanism name) with a readable password when cleartextAllowed is
// false. The error wraps ErrInsecureAuth, and so ErrTLSRequired.
func (c *Client) checkCleartext(what string) error {
	if c.cleartextAllowed() {
		return nil
	}
	return fmt.Errorf("%w: %s to %s would send the password in clear text; use TLS (TLSImplicit or TLSStartTLS), APOP or CRAM-MD5, or set Options.InsecureAuth",
		ErrInsecureAuth, what, c.conn.RemoteAddr())
}

// checkCleartextMech is checkCleartext for a SASL mechanism.
func (c *Client) checkCleartextMech(mech string) error {
	if !cleartextMechs[strings.ToUpper(mech)] {
		return nil
	}
	return c.checkCleartext("AUTH " + mech)
}
