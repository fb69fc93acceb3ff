package pop3

import (
	"errors"
	"fmt"
	"strings"
)

// Sentinel errors. Callers test for them with errors.Is.
var (
	// ErrInvalidArgument reports an argument the client refuses to send:
	// one holding CR, LF or NUL, an empty name, or a message number below 1.
	ErrInvalidArgument = errors.New("pop3: invalid argument")

	// ErrLineTooLong reports a server line longer than Options.MaxLineLength.
	ErrLineTooLong = errors.New("pop3: server line too long")

	// ErrTLSRequired reports that a credential would have crossed the network
	// in clear text, or that TLS was required and could not be started. No
	// credential has been sent when it is returned.
	ErrTLSRequired = errors.New("pop3: TLS required")

	// ErrInsecureAuth reports that a login would have sent a password (or
	// bearer token) readable on the wire: USER/PASS, SASL PLAIN, LOGIN or
	// XOAUTH2 over a connection that is neither TLS nor to a loopback
	// address, without Options.InsecureAuth. Nothing was sent. It wraps
	// ErrTLSRequired, so errors.Is(err, ErrTLSRequired) holds too.
	ErrInsecureAuth = fmt.Errorf("%w: password would be sent in clear text", ErrTLSRequired)

	// ErrTLS reports that TLS could not be set up: the handshake failed, the
	// server's certificate was refused, or the server did not speak TLS. It
	// wraps the cause (e.g. x509.UnknownAuthorityError,
	// *tls.CertificateVerificationError, tls.RecordHeaderError), so callers
	// test errors.Is(err, ErrTLS) instead of listing TLS error types. A
	// connection that times out or closes during the handshake is a network
	// failure, not ErrTLS.
	ErrTLS = errors.New("pop3: TLS failed")

	// ErrNoTimestamp reports an APOP login against a greeting without a
	// <timestamp>.
	ErrNoTimestamp = errors.New("pop3: greeting has no APOP timestamp")

	// ErrClosed reports a call on a client whose connection was closed, by
	// Close, Quit, or an earlier network or protocol failure.
	ErrClosed = errors.New("pop3: client closed")
)

// ResponseError is a negative reply (-ERR) from the server.
//
// Cmd is the command verb only (never its arguments, so a password cannot
// leak into the error text). Code is the RFC 2449 response code without its
// brackets ("IN-USE", "SYS/TEMP", "AUTH", "LOGIN-DELAY"), empty if absent.
type ResponseError struct {
	Cmd  string
	Code string
	Text string
}

var _ error = (*ResponseError)(nil)

// Error returns the command and the server's text, with its response code.
func (e *ResponseError) Error() string {
	if e.Code != "" {
		return fmt.Sprintf("pop3: %s: -ERR [%s] %s", e.Cmd, e.Code, e.Text)
	}
	return fmt.Sprintf("pop3: %s: -ERR %s", e.Cmd, e.Text)
}

// Temporary reports whether the server said the failure may pass: a mailbox
// in use, a login delay, or a temporary system error.
func (e *ResponseError) Temporary() bool {
	switch e.Code {
	case "IN-USE", "LOGIN-DELAY", "SYS/TEMP":
		return true
	}
	return false
}

// ProtocolError reports a reply that does not follow the protocol: a status
// line that is neither +OK nor -ERR, a missing or malformed number, data
// where a single line was due, or bytes that must not be there.
type ProtocolError struct {
	Cmd string
	Msg string
	Err error // underlying cause, if any (e.g. ErrLineTooLong)
}

var _ error = (*ProtocolError)(nil)

// Error describes the violation and the command it followed.
func (e *ProtocolError) Error() string {
	s := "pop3: protocol error"
	if e.Cmd != "" {
		s += " after " + e.Cmd
	}
	s += ": " + e.Msg
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns the cause.
func (e *ProtocolError) Unwrap() error { return e.Err }

// closedError is what calls return after a failure ended the session: it
// is ErrClosed and wraps the failure, whose "pop3: " it does not repeat.
type closedError struct{ cause error }

func (e *closedError) Error() string {
	return ErrClosed.Error() + ": " + strings.TrimPrefix(e.cause.Error(), "pop3: ")
}

func (e *closedError) Unwrap() []error { return []error{ErrClosed, e.cause} }
