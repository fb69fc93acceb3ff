package pop3

import (
	"bytes"
	"github.com/nxpop3/nxpop3/pop3/pop3test"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// An idle session must not keep its 64 KiB read buffer: after a large
// message, a listing or a status reply it holds none, and the next command
// still reads its reply.
func TestIdleSessionHoldsNoReadBuffer(t *testing.T) {
	big := strings.Repeat("0123456789 the quick brown fox jumps over the lazy dog 0123456\r\n", 4096) // 256 KiB
	s := pop3test.StartScripted(t, greet(),
		C("RETR 1"), S("+OK 262144 octets"), Raw(big+".\r\n"),
		C("LIST"), S("+OK"), Raw("1 262144\r\n2 10\r\n.\r\n"),
		C("NOOP"), S("+OK"),
		C("RETR 2"), S("+OK 10 octets"), Raw("abcdefgh\r\n.\r\n"), Hangup())
	c := dial(t, s, nil)
	ctx := t.Context()
	assert.Nil(t, c.br, "after the greeting")

	m, err := c.Retr(ctx, 1)
	require.NoError(t, err)
	var got bytes.Buffer
	_, err = io.Copy(&got, m)
	require.NoError(t, err)
	assert.Equal(t, big, got.String())
	assert.Nil(t, c.br, "after a 256 KiB message read to its end")

	list, err := c.List(ctx)
	require.NoError(t, err)
	assert.Len(t, list, 2)
	assert.Nil(t, c.br, "after a listing")

	require.NoError(t, c.Noop(ctx))
	assert.Nil(t, c.br, "after a status reply")

	m, err = c.Retr(ctx, 2)
	require.NoError(t, err)
	data, err := io.ReadAll(m)
	require.NoError(t, err)
	assert.Equal(t, "abcdefgh\r\n", string(data))
}

// Bytes of a next reply already received when a message ends must stay
// with the session (a pipelined fetch depends on it).
func TestReadBufferKeptWhileBytesWait(t *testing.T) {
	s := pop3test.StartScripted(t, greet(),
		C("RETR 1"), S("+OK 3 octets"), Raw("a\r\n.\r\n+OK 3 octets\r\nb\r\n.\r\n"), Hangup())
	c := dial(t, s, nil)
	ctx := t.Context()
	m, err := c.Retr(ctx, 1)
	require.NoError(t, err)
	// Reading the first message brings the second reply in with it.
	for c.buffered() < len("+OK 3 octets\r\nb\r\n.\r\n") {
		_, err := c.br.Peek(c.br.Buffered() + 1)
		require.NoError(t, err)
	}
	data, err := io.ReadAll(m)
	require.NoError(t, err)
	assert.Equal(t, "a\r\n", string(data))
	assert.NotNil(t, c.br)
	text, err := c.readStatus("RETR")
	require.NoError(t, err)
	assert.Equal(t, "3 octets", text)
}
