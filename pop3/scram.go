package pop3

import (
	"errors"
	"fmt"
	"strings"

	"github.com/emersion/go-sasl"
	"github.com/xdg-go/scram"
)

// SCRAM mechanism names (RFC 5802, RFC 7677).
const (
	MechScramSHA1   = "SCRAM-SHA-1"
	MechScramSHA256 = "SCRAM-SHA-256"
)

// ErrServerSignature reports a SCRAM server that did not prove it knows
// the password: its final message was missing, malformed or signed wrong.
// Login then fails even if the server said +OK, and the connection is
// closed without another command, since the peer is not the server the
// password belongs to.
var ErrServerSignature = errors.New("pop3: server did not prove it knows the password")

// The SCRAM arithmetic is github.com/xdg-go/scram's (the MongoDB Go
// driver's), so no hand-written key derivation or proof: it does SASLprep,
// PBKDF2, the client proof, and checks the server's signature.

type scramClient struct {
	mech string
	conv *scram.ClientConversation
	next int   // challenges answered
	err  error // from NewClient: a password SASLprep refuses
}

// NewScramSHA256Client returns a SCRAM-SHA-256 (RFC 7677) SASL client. The
// password is never sent, and the server must prove it knows the password
// too: a wrong or missing server signature fails the login with
// ErrServerSignature.
func NewScramSHA256Client(username, password string) sasl.Client {
	return newScram(MechScramSHA256, scram.SHA256, username, password, nil)
}

// NewScramSHA1Client returns a SCRAM-SHA-1 (RFC 5802) SASL client, as
// NewScramSHA256Client.
func NewScramSHA1Client(username, password string) sasl.Client {
	return newScram(MechScramSHA1, scram.SHA1, username, password, nil)
}

// newScram makes a SCRAM client; nonce, when not nil, replaces the random
// client nonce so that tests can replay the RFCs' example exchanges.
func newScram(mech string, h scram.HashGeneratorFcn, username, password string, nonce func() string) *scramClient {
	c, err := h.NewClient(username, password, "")
	if err != nil {
		return &scramClient{mech: mech, err: fmt.Errorf("%w: %s: %w", ErrInvalidArgument, mech, err)}
	}
	if nonce != nil {
		c = c.WithNonceGenerator(nonce)
	}
	return &scramClient{mech: mech, conv: c.NewConversation()}
}

func (a *scramClient) Start() (string, []byte, error) {
	if a.err != nil {
		return "", nil, a.err
	}
	first, err := a.conv.Step("")
	if err != nil {
		return "", nil, err
	}
	return a.mech, []byte(first), nil
}

// Next answers the server-first message with the client proof, and checks
// the server-final message's signature, answering it with the empty
// response RFC 5034 asks for.
func (a *scramClient) Next(challenge []byte) ([]byte, error) {
	if a.conv.Done() {
		return nil, sasl.ErrUnexpectedServerChallenge
	}
	a.next++
	final := a.next == 2
	resp, err := a.conv.Step(string(challenge))
	if err != nil {
		if final {
			if e, ok := strings.CutPrefix(string(challenge), "e="); ok {
				return nil, fmt.Errorf("server error %q", e)
			}
			return nil, fmt.Errorf("%w: %s: %w", ErrServerSignature, a.mech, err)
		}
		return nil, err
	}
	return []byte(resp), nil
}

// outcome makes a +OK without a verified server signature a failure: a
// server that skips its final message proves nothing.
func (a *scramClient) outcome(err error) error {
	if err == nil && (a.conv == nil || !a.conv.Valid()) {
		return fmt.Errorf("%w: %s: +OK without a verified server signature", ErrServerSignature, a.mech)
	}
	return err
}
