package pop3

import (
	"crypto/hmac"
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/nxpop3/nxpop3/pop3/pop3test"
)

// The tests of this package that must see the exact bytes the client
// writes play a pop3test.Scripted server (pop3test.StartScripted), as
// net/smtp's tests do. The
// steps have short names here because the tables use one on every line.
var (
	S      = pop3test.SendLine // a line the server sends (CRLF added)
	Raw    = pop3test.Send     // bytes the server sends as they are
	C      = pop3test.Expect   // a line the client must send
	Hangup = pop3test.Hangup
	Sleep  = pop3test.Sleep
	// Flood sends bytes the client is expected to refuse part-way; a
	// scripted server takes a hang-up while it sends as the client's right.
	Flood = pop3test.Send
)

func greet() pop3test.Step { return S("+OK ready <1896.697170952@dbc.mtview.ca.us>") }

// DialForTest connects a client to addr for a test, with d's settings and
// a 5-second connect and reply timeout where d leaves them zero, and closes
// it when the test ends. Exported for the package's external tests; the one
// dial helper of this package's tests.
func DialForTest(t testing.TB, d Dialer, addr string) *Client {
	t.Helper()
	if d.Timeout == 0 {
		d.Timeout = 5 * time.Second
	}
	if d.Options.ReplyTimeout == 0 {
		d.Options.ReplyTimeout = 5 * time.Second
	}
	c, err := d.Dial(t.Context(), addr)
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	return c
}

// dial connects a client to a scripted server (see DialForTest).
func dial(t *testing.T, s *pop3test.Scripted, opts *Options) *Client {
	t.Helper()
	var d Dialer
	if opts != nil {
		d.Options = *opts
	}
	return DialForTest(t, d, s.Addr())
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

func hmacHex(key, msg string) string {
	h := hmac.New(md5.New, []byte(key))
	h.Write([]byte(msg))
	return hex.EncodeToString(h.Sum(nil))
}
