package pop3_test

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/nxpop3/nxpop3/pop3"
	"github.com/nxpop3/nxpop3/pop3/pop3test"
)

func sized(n, size int) [][]byte {
	out := make([][]byte, n)
	for i := range out {
		line := bytes.Repeat([]byte{'a' + byte(i%26)}, 62)
		out[i] = bytes.Repeat(append(line, '\r', '\n'), size/64)
	}
	return out
}

// retrsAfterStop fetches every message of a fresh maildrop, stopping in
// the callback of the first, and returns how many RETRs the server got:
// the commands that were in flight when the fetch stopped.
func retrsAfterStop(t *testing.T, mail [][]byte, opts *pop3.FetchOptions) int {
	t.Helper()
	srv := pop3test.Start(t, pop3test.Options{Pipelining: true})
	srv.AddUser("alice", "secret", mail...)
	c := pop3.DialForTest(t, pop3.Dialer{}, srv.Addr())
	require.NoError(t, c.Login(t.Context(), "alice", "secret", &pop3.LoginOptions{Method: pop3.AuthUser}))
	ids := make([]int, len(mail))
	for i := range ids {
		ids[i] = i + 1
	}
	stop := errors.New("stop")
	err := c.Fetch(t.Context(), ids, opts, func(m *pop3.Message) error { return stop })
	require.ErrorIs(t, err, stop)
	require.NoError(t, c.Noop(t.Context()), "the session stays in step")
	n := 0
	for _, cmd := range srv.Commands() {
		if strings.HasPrefix(cmd, "RETR ") {
			n++
		}
	}
	return n
}

// The window follows the bytes LIST announces: RETRs are sent while the
// replies asked for fit the budget, and at least one is always in flight.
func TestFetchWindowFollowsListedSizes(t *testing.T) {
	mail := sized(50, 1024) // 1024 + 64 bytes of budget each
	assert.Equal(t, 2, retrsAfterStop(t, mail, &pop3.FetchOptions{MaxInFlight: 3000}))
	assert.Equal(t, 1, retrsAfterStop(t, mail, &pop3.FetchOptions{MaxInFlight: 100}), "a message over the budget is still asked for")
	assert.Equal(t, 50, retrsAfterStop(t, mail, &pop3.FetchOptions{MaxInFlight: -1}), "no budget: the command window alone")
	assert.Equal(t, 5, retrsAfterStop(t, mail, &pop3.FetchOptions{MaxInFlight: -1, Window: 5}))
}

// By default a fetch of small messages keeps many in flight (the path's
// round trip is hidden), and one of large messages a bounded number.
func TestFetchDefaultWindow(t *testing.T) {
	assert.Equal(t, 300, retrsAfterStop(t, msgs(300), nil))
	big := sized(80, 256<<10)
	want := int(pop3.DefaultMaxInFlight / (256<<10 + 64))
	assert.Equal(t, want, retrsAfterStop(t, big, nil))
}

// Large replies pipelined do not deadlock the client and the server (each
// side writing while the other does not read) and arrive intact.
func TestFetchPipelinedLargeMessages(t *testing.T) {
	mail := sized(3, 64<<20)
	mail[1] = append(mail[1], "..\r\n.x\r\n"...)
	sums := make([][32]byte, len(mail))
	for i, m := range mail {
		sums[i] = sha256.Sum256(m)
	}
	for _, opts := range []*pop3.FetchOptions{nil, {MaxInFlight: -1}} {
		srv := pop3test.Start(t, pop3test.Options{Pipelining: true})
		srv.AddUser("alice", "secret", mail...)
		c := pop3.DialForTest(t, pop3.Dialer{}, srv.Addr())
		require.NoError(t, c.Login(t.Context(), "alice", "secret", &pop3.LoginOptions{Method: pop3.AuthUser}))
		got := 0
		err := c.Fetch(t.Context(), []int{1, 2, 3}, opts, func(m *pop3.Message) error {
			h := sha256.New()
			if _, err := io.Copy(h, m); err != nil {
				return err
			}
			assert.Equal(t, sums[m.ID-1][:], h.Sum(nil), "message %d", m.ID)
			got++
			return nil
		})
		require.NoError(t, err)
		assert.Equal(t, 3, got)
		require.NoError(t, c.Quit(t.Context()))
	}
}

// A RETR whose reply exactly fills what is left of the budget is sent;
// one octet less of budget and it waits (gremlins: pipeline.go send,
// flight+cost > budget to >=).
func TestFetchBudgetExact(t *testing.T) {
	mail := sized(10, 1024) // 1024 + 64 bytes of budget each
	assert.Equal(t, 2, retrsAfterStop(t, mail, &pop3.FetchOptions{MaxInFlight: 2 * (1024 + 64)}))
	assert.Equal(t, 1, retrsAfterStop(t, mail, &pop3.FetchOptions{MaxInFlight: 2*(1024+64) - 1}))
}

// A fetch after the caller's own LIST takes the sizes from it instead of
// asking again (one round trip less), and its window still follows them.
func TestFetchUsesEarlierList(t *testing.T) {
	srv := pop3test.Start(t, pop3test.Options{Pipelining: true})
	srv.AddUser("alice", "secret", sized(50, 1024)...)
	c := pop3.DialForTest(t, pop3.Dialer{}, srv.Addr())
	require.NoError(t, c.Login(t.Context(), "alice", "secret", &pop3.LoginOptions{Method: pop3.AuthUser}))
	list, err := c.List(t.Context())
	require.NoError(t, err)
	require.Len(t, list, 50)
	stop := errors.New("stop")
	err = c.Fetch(t.Context(), []int{1, 2, 3, 4, 5}, &pop3.FetchOptions{MaxInFlight: 3000}, func(m *pop3.Message) error { return stop })
	require.ErrorIs(t, err, stop)
	require.NoError(t, c.Noop(t.Context()))
	lists, retrs := 0, 0
	for _, cmd := range srv.Commands() {
		switch {
		case cmd == "LIST":
			lists++
		case strings.HasPrefix(cmd, "RETR "):
			retrs++
		}
	}
	assert.Equal(t, 1, lists, "LIST asked once")
	assert.Equal(t, 2, retrs, "the window follows the remembered sizes")
}

// The window is topped up in batches, once half of it has been read (in
// commands or in announced bytes), not after every reply: the writer then
// wakes once per batch instead of once per message.
func TestFetchRefillsInBatches(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts pop3.FetchOptions
	}{
		{"commands", pop3.FetchOptions{Window: 4, MaxInFlight: -1}},
		{"bytes", pop3.FetchOptions{MaxInFlight: 4 * (1024 + 64)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := pop3test.Start(t, pop3test.Options{Pipelining: true})
			srv.AddUser("alice", "secret", sized(12, 1024)...)
			var trace strings.Builder // written only by the goroutine calling Fetch
			c := pop3.DialForTest(t, pop3.Dialer{Options: pop3.Options{DebugWriter: &trace}}, srv.Addr())
			require.NoError(t, c.Login(t.Context(), "alice", "secret", &pop3.LoginOptions{Method: pop3.AuthUser}))
			var sent []int
			ids := []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}
			err := c.Fetch(t.Context(), ids, &tc.opts, func(m *pop3.Message) error {
				sent = append(sent, strings.Count(trace.String(), "C: RETR "))
				return nil
			})
			require.NoError(t, err)
			assert.Equal(t, []int{4, 4, 6, 6, 8, 8, 10, 10, 12, 12, 12, 12}, sent, "RETRs sent when each message was handed over")
		})
	}
}
