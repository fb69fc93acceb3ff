package pop3

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/nxpop3/nxpop3/pop3/pop3test"
)

// The single-message forms check the number they answer for and the id's
// characters; the listings check their numbers against each other and the
// last STAT (the whole-listing cases are in the hostile catalogue).
func TestListingChecks(t *testing.T) {
	for _, tc := range []struct {
		name  string
		reply string
		call  func(c *Client) error
	}{
		{"UIDL n for another number", "+OK 2 uid-2", func(c *Client) error { _, err := c.UIDLOne(t.Context(), 1); return err }},
		{"UIDL n id with NUL", "+OK 1 uid\x00x", func(c *Client) error { _, err := c.UIDLOne(t.Context(), 1); return err }},
		{"UIDL n id with DEL", "+OK 1 uid\x7fx", func(c *Client) error { _, err := c.UIDLOne(t.Context(), 1); return err }},
		{"UIDL n id with 8-bit", "+OK 1 uid\x80x", func(c *Client) error { _, err := c.UIDLOne(t.Context(), 1); return err }},
		{"LIST n for another number", "+OK 2 10", func(c *Client) error { _, err := c.ListOne(t.Context(), 1); return err }},
		{"LIST message 0", "+OK\r\n0 10\r\n.", func(c *Client) error { _, err := c.List(t.Context()); return err }},
		{"UIDL message 0", "+OK\r\n0 a\r\n.", func(c *Client) error { _, err := c.UIDL(t.Context()); return err }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := pop3test.StartScripted(t, greet(), C("STAT"), S("+OK 1 10"), pop3test.ExpectAny(), S(tc.reply), Hangup())
			c := dial(t, s, nil)
			_, _, err := c.Stat(t.Context())
			require.NoError(t, err)
			var pe *ProtocolError
			require.ErrorAs(t, tc.call(c), &pe)
		})
	}
	t.Run("UIDL 0x21 and 0x7E accepted", func(t *testing.T) {
		s := pop3test.StartScripted(t, greet(), C("UIDL 1"), S("+OK 1 !uid~"), Hangup())
		u, err := dial(t, s, nil).UIDLOne(t.Context(), 1)
		require.NoError(t, err)
		assert.Equal(t, "!uid~", u.UID)
	})
	t.Run("without STAT any number is accepted once", func(t *testing.T) {
		s := pop3test.StartScripted(t, greet(), C("UIDL"), S("+OK\r\n7 a\r\n9 b\r\n."), Hangup())
		l, err := dial(t, s, nil).UIDL(t.Context())
		require.NoError(t, err)
		assert.Equal(t, []UIDInfo{{7, "a"}, {9, "b"}}, l)
	})
}
