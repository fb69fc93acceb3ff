package pop3

import (
	"context"
	"strings"
)

// Capabilities is the reply to CAPA (RFC 2449): capability names in upper
// case, each with its arguments.
type Capabilities map[string][]string

// Has reports whether the server announced the capability name.
func (c Capabilities) Has(name string) bool {
	_, ok := c[strings.ToUpper(name)]
	return ok
}

// SASL returns the SASL mechanisms the server offers, in upper case.
func (c Capabilities) SASL() []string {
	var mechs []string
	for _, m := range c["SASL"] {
		mechs = append(mechs, strings.ToUpper(m))
	}
	return mechs
}

// HasSASL reports whether the server offers the SASL mechanism mech.
func (c Capabilities) HasSASL(mech string) bool {
	for _, m := range c["SASL"] {
		if strings.EqualFold(m, mech) {
			return true
		}
	}
	return false
}

// Capa asks the server for its capabilities. The answer is remembered until
// the session changes (STLS, login), when the next call asks again.
func (c *Client) Capa(ctx context.Context) (Capabilities, error) {
	if c.capa != nil {
		return c.capa, c.start(ctx)
	}
	if _, err := c.cmd(ctx, "CAPA"); err != nil {
		return nil, err
	}
	capa := Capabilities{}
	err := c.readLines("CAPA", func(line []byte) error {
		f := strings.Fields(string(line))
		if len(f) > 0 {
			capa[strings.ToUpper(f[0])] = f[1:]
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	c.capa = capa
	return capa, nil
}

// readLines reads the lines of a multi-line reply up to its terminating
// ".", undoing dot-stuffing, and hands each to fn. A line longer than
// MaxLineLength ends the session.
func (c *Client) readLines(cmd string, fn func(line []byte) error) error {
	var ferr error
	for {
		line, err := c.readLine(cmd)
		if err != nil {
			return err
		}
		if len(line) > 0 && line[0] == '.' {
			if len(line) == 1 {
				c.releaseReader()
				return ferr
			}
			line = line[1:]
		}
		if ferr == nil {
			// Keep reading after a bad line so the session stays in step.
			ferr = fn(line)
		}
	}
}
