package pop3

import "github.com/emersion/go-sasl"

// outcomer is a SASL client with a say in how the exchange ended: SCRAM
// refuses a +OK from a server that did not prove itself, OAUTHBEARER adds
// the server's JSON error to a -ERR.
type outcomer interface {
	// outcome gets nil for +OK or the *ResponseError of a -ERR, and
	// returns the error Auth returns.
	outcome(err error) error
}

// saslOutcome returns err as sc's mechanism judges it.
func saslOutcome(sc sasl.Client, err error) error {
	if o, ok := sc.(outcomer); ok {
		return o.outcome(err)
	}
	return err
}
