package pop3

import (
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/nxpop3/nxpop3/pop3/pop3test"
)

// Servers delay the answer to a wrong credential on purpose: that answer
// gets AuthReplyTimeout, not ReplyTimeout, so the user sees -ERR [AUTH]
// rather than a timeout. The delay is six times ReplyTimeout, and far
// below AuthReplyTimeout.
func TestAuthReplyTimeout(t *testing.T) {
	const delay = 600 * time.Millisecond
	opts := &Options{ReplyTimeout: delay / 6, AuthReplyTimeout: 30 * time.Second}
	for _, tc := range []struct {
		name   string
		method AuthMethod
		steps  []pop3test.Step
	}{
		{"PASS", AuthUser, []pop3test.Step{C("USER mrose"), S("+OK"), C("PASS tanstaaf")}},
		{"APOP", AuthAPOP, []pop3test.Step{C("APOP mrose c4c9334bac560ecc979e58001b3e22fb")}},
		{"AUTH", AuthPlain, []pop3test.Step{C("AUTH PLAIN AG1yb3NlAHRhbnN0YWFm")}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			steps := append([]pop3test.Step{greet()}, tc.steps...)
			steps = append(steps, Sleep(delay), S("-ERR [AUTH] wrong password"), C("NOOP"), Sleep(delay), Hangup())
			s := pop3test.StartScripted(t, steps...)
			c := dial(t, s, opts)
			err := c.Login(t.Context(), "mrose", "tanstaaf", &LoginOptions{Method: tc.method, Strict: tc.method == AuthAPOP})
			var re *ResponseError
			require.ErrorAs(t, err, &re)
			assert.Equal(t, "AUTH", re.Code)
			// Every other reply keeps ReplyTimeout.
			require.ErrorIs(t, c.Noop(t.Context()), os.ErrDeadlineExceeded)
		})
	}
}

func TestAuthReplyTimeoutDefault(t *testing.T) {
	for _, tc := range []struct{ reply, auth, want time.Duration }{
		{0, 0, DefaultAuthReplyTimeout},
		{time.Second, 0, DefaultAuthReplyTimeout},
		{2 * time.Minute, 0, 2 * time.Minute},
		{-1, 0, -1},
		{0, 5 * time.Second, 5 * time.Second},
	} {
		s := pop3test.StartScripted(t, greet(), Hangup())
		c := dial(t, s, &Options{ReplyTimeout: tc.reply, AuthReplyTimeout: tc.auth})
		assert.Equal(t, tc.want, c.opts.AuthReplyTimeout, "ReplyTimeout %v, AuthReplyTimeout %v", tc.reply, tc.auth)
	}
}
