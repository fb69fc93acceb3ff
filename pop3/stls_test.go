package pop3

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/nxpop3/nxpop3/pop3/pop3test"
)

func dialSTLS(t *testing.T, s *pop3test.Scripted) error {
	d := Dialer{TLS: TLSStartTLS, Timeout: 3 * time.Second, Options: Options{ReplyTimeout: 500 * time.Millisecond}}
	c, err := d.Dial(t.Context(), s.Addr())
	if c != nil {
		c.Close()
	}
	return err
}

// CVE-2021-22946: when TLS is required and cannot be had, nothing else is
// sent, least of all a credential.
func TestSTLSRequiredButUnavailable(t *testing.T) {
	t.Run("not in CAPA", func(t *testing.T) {
		s := pop3test.StartScripted(t, greet(), C("CAPA"), S("+OK"), Raw("USER\r\n.\r\n"), Hangup())
		assert.ErrorIs(t, dialSTLS(t, s), ErrTLSRequired)
	})
	t.Run("CAPA refused", func(t *testing.T) {
		s := pop3test.StartScripted(t, greet(), C("CAPA"), S("-ERR no"), Hangup())
		assert.ErrorIs(t, dialSTLS(t, s), ErrTLSRequired)
	})
	t.Run("STLS refused", func(t *testing.T) {
		s := pop3test.StartScripted(t, greet(), C("CAPA"), S("+OK"), Raw("STLS\r\n.\r\n"), C("STLS"), S("-ERR not now"), Hangup())
		assert.ErrorIs(t, dialSTLS(t, s), ErrTLSRequired)
	})
}

// CVE-2021-22947: replies injected in clear text after the STLS +OK must not
// be taken as replies of the TLS session.
func TestSTLSInjectedReplies(t *testing.T) {
	s := pop3test.StartScripted(t, greet(), C("CAPA"), S("+OK"), Raw("STLS\r\n.\r\n"), C("STLS"),
		Raw("+OK begin TLS\r\n+OK 1 10\r\n"), Hangup())
	err := dialSTLS(t, s)
	var pe *ProtocolError
	require.ErrorAs(t, err, &pe)
	assert.Contains(t, pe.Msg, "before the TLS handshake")
}

func TestSTLSAcknowledgedThenSilence(t *testing.T) {
	s := pop3test.StartScripted(t, greet(), C("CAPA"), S("+OK"), Raw("STLS\r\n.\r\n"), C("STLS"), S("+OK"), Sleep(1500*time.Millisecond), Hangup())
	start := time.Now()
	err := dialSTLS(t, s)
	require.Error(t, err)
	assert.Less(t, time.Since(start), 3500*time.Millisecond, "bounded by the connect timeout")
}
