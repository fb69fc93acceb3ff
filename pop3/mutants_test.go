package pop3

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/nxpop3/nxpop3/pop3/pop3test"
)

// A server's line quoted in an error is kept whole up to 80 octets and cut
// with "..." beyond (kills gremlins' conn.go clip `len(b) > max` to `>=`).
func TestClipEightyOctets(t *testing.T) {
	at := strings.Repeat("x", 80)
	assert.Equal(t, at, clip([]byte(at)))
	assert.Equal(t, at+"...", clip([]byte(at+"y")))
}

// Dial with a nil context dials as with context.Background, as the
// standard library's dialers do (kills gremlins' dial.go `ctx == nil`
// negated or dropped, which panics).
func TestDialNilContext(t *testing.T) {
	s := pop3test.StartScripted(t, greet(), C("QUIT"), S("+OK"))
	var ctx context.Context // nil
	c, err := (&Dialer{}).Dial(ctx, s.Addr())
	require.NoError(t, err)
	require.NoError(t, c.Quit(t.Context()))
}
