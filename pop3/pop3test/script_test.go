package pop3test

import (
	"bufio"
	"errors"
	"io"
	"net"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func newScripted(t *testing.T, steps ...Step) *Scripted {
	t.Helper()
	s, err := NewScripted(steps...)
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	return s
}

type scriptClient struct {
	t    *testing.T
	conn net.Conn
	r    *bufio.Reader
}

func dialScripted(t *testing.T, s *Scripted) *scriptClient {
	t.Helper()
	c, err := net.Dial("tcp", s.Addr())
	require.NoError(t, err)
	require.NoError(t, c.SetDeadline(time.Now().Add(10*time.Second)))
	t.Cleanup(func() { c.Close() })
	return &scriptClient{t, c, bufio.NewReader(c)}
}

func (c *scriptClient) send(line string) {
	_, err := io.WriteString(c.conn, line+"\r\n")
	require.NoError(c.t, err)
}

func (c *scriptClient) line() string {
	l, err := c.r.ReadString('\n')
	require.NoError(c.t, err)
	return l
}

func TestScriptedEverySessionPlaysTheScript(t *testing.T) {
	s := newScripted(t, SendLine("+OK hi"), Expect("USER a"), SendLine("+OK"), ExpectPrefix("PASS "), SendLine("+OK in"), ExpectAny(), SendLine("+OK bye"))
	for range 2 {
		c := dialScripted(t, s)
		assert.Equal(t, "+OK hi\r\n", c.line())
		c.send("USER a")
		assert.Equal(t, "+OK\r\n", c.line())
		c.send("PASS secret")
		assert.Equal(t, "+OK in\r\n", c.line())
		c.send("WHATEVER")
		assert.Equal(t, "+OK bye\r\n", c.line())
		_, err := c.r.ReadByte()
		assert.ErrorIs(t, err, io.EOF, "the end of the script hangs up")
	}
	require.NoError(t, s.Close())
	assert.Equal(t, 2, s.Sessions())
	assert.Equal(t, []string{"USER a", "PASS secret", "WHATEVER", "USER a", "PASS secret", "WHATEVER"}, s.Lines())
}

func TestScriptedDeviation(t *testing.T) {
	t.Run("other line", func(t *testing.T) {
		s := newScripted(t, Expect("USER a"), SendLine("+OK"))
		c := dialScripted(t, s)
		c.send("USER b")
		_, err := c.r.ReadByte()
		assert.Error(t, err, "a deviation closes the connection")
		var d *Deviation
		require.ErrorAs(t, s.Close(), &d)
		assert.Equal(t, Deviation{Session: 1, Step: 0, Want: `"USER a"`, Got: `"USER b"`}, *d)
	})
	t.Run("hang-up where a line is due", func(t *testing.T) {
		s := newScripted(t, ExpectPrefix("USER "))
		c := dialScripted(t, s)
		c.conn.Close()
		time.Sleep(50 * time.Millisecond) // a Close racing the hang-up would hide it
		var d *Deviation
		require.ErrorAs(t, s.Close(), &d)
		assert.Equal(t, "hang-up", d.Got)
	})
	t.Run("hang-up while the server sends is no deviation", func(t *testing.T) {
		s := newScripted(t, Send(strings.Repeat("x", 8<<20)), Expect("never"))
		c := dialScripted(t, s)
		c.conn.Close()
		time.Sleep(50 * time.Millisecond)
		assert.NoError(t, s.Close())
	})
	t.Run("Close while a line is awaited is no deviation", func(t *testing.T) {
		s := newScripted(t, Expect("USER a"))
		dialScripted(t, s)
		time.Sleep(20 * time.Millisecond)
		assert.NoError(t, s.Close())
	})
}

func TestScriptedRespond(t *testing.T) {
	answers := map[string]string{
		"APOP ":   "+OK apop\r\n",
		"LIST":    "+OK\r\n1 10\r\n.\r\n",
		"LIST 1":  "+OK 1 10\r\n",
		"bXJv*":   "+OK star\r\n",
		"LIST 1 ": "+OK longer prefix\r\n",
	}
	s := newScripted(t, Respond("RETR ", answers), SendLine("+OK retr"), Respond("", answers))
	c := dialScripted(t, s)
	for _, x := range []struct{ send, want string }{
		{"APOP u 0123", "+OK apop\r\n"},
		{"LIST", "+OK\r\n"},
		{"", "1 10\r\n"},
		{"", ".\r\n"},
		{"LIST 1", "+OK 1 10\r\n"},
		{"LIST 1 2", "+OK longer prefix\r\n"},
		{"bXJvc2Ug", "+OK star\r\n"},
		{"RETR 7", "+OK retr\r\n"},
		{"APOP again", "+OK apop\r\n"},
	} {
		if x.send != "" {
			c.send(x.send)
		}
		assert.Equal(t, x.want, c.line())
	}
	c.conn.Close() // a hang-up ends an open-ended Respond normally
	time.Sleep(20 * time.Millisecond)
	require.NoError(t, s.Close())

	s = newScripted(t, Respond("QUIT", answers))
	c = dialScripted(t, s)
	c.send("USER a")
	_, err := c.r.ReadByte()
	assert.Error(t, err)
	var d *Deviation
	require.ErrorAs(t, s.Close(), &d)
	assert.Equal(t, `"USER a"`, d.Got)
}

func TestScriptedReset(t *testing.T) {
	s := newScripted(t, SendLine("+OK"), Expect("QUIT"), Reset())
	c := dialScripted(t, s)
	c.line()
	c.send("QUIT")
	_, err := c.r.ReadByte()
	assert.True(t, errors.Is(err, syscall.ECONNRESET), "want a reset, got %v", err)
	assert.NoError(t, s.Close())
}

func TestScriptedChunksAndSleep(t *testing.T) {
	s := newScripted(t, SendChunks("+OK one byte at a time\r\n", 1, 2*time.Millisecond), Sleep(30*time.Millisecond), SendLine("+OK late"))
	c := dialScripted(t, s)
	start := time.Now()
	assert.Equal(t, "+OK one byte at a time\r\n", c.line())
	assert.Equal(t, "+OK late\r\n", c.line())
	assert.GreaterOrEqual(t, time.Since(start), 70*time.Millisecond)
}

func TestScriptedSendFromAndDrain(t *testing.T) {
	const size = 4 << 20
	s := newScripted(t, SendFrom(func() io.Reader { return io.LimitReader(zeros{}, size) }), Drain())
	for range 2 {
		c := dialScripted(t, s)
		n, err := io.CopyN(io.Discard, c.r, size)
		require.NoError(t, err)
		assert.Equal(t, int64(size), n)
		c.send("ignored")
		c.conn.Close()
	}
	time.Sleep(20 * time.Millisecond)
	assert.NoError(t, s.Close())
}

func TestScriptedCloseCutsSleepShort(t *testing.T) {
	s := newScripted(t, Sleep(time.Hour))
	dialScripted(t, s)
	time.Sleep(20 * time.Millisecond)
	start := time.Now()
	assert.NoError(t, s.Close())
	assert.Less(t, time.Since(start), time.Second)
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// TestScriptedWait: Wait tells a client that followed the whole script from
// one that hung up early and one that stopped short but stayed connected.
func TestScriptedWait(t *testing.T) {
	script := []Step{SendLine("+OK hi"), Expect("QUIT"), SendLine("+OK bye")}
	t.Run("followed", func(t *testing.T) {
		s := newScripted(t, script...)
		c := dialScripted(t, s)
		assert.Equal(t, "+OK hi\r\n", c.line())
		c.send("QUIT")
		assert.Equal(t, "+OK bye\r\n", c.line())
		c.conn.Close()
		require.NoError(t, s.Wait(5*time.Second))
	})
	t.Run("hung up early", func(t *testing.T) {
		s := newScripted(t, script...)
		c := dialScripted(t, s)
		assert.Equal(t, "+OK hi\r\n", c.line())
		c.conn.Close()
		var d *Deviation
		require.ErrorAs(t, s.Wait(5*time.Second), &d)
		assert.Equal(t, "hang-up", d.Got)
		assert.Equal(t, 1, d.Step)
	})
	t.Run("stopped short", func(t *testing.T) {
		s := newScripted(t, script...)
		c := dialScripted(t, s)
		assert.Equal(t, "+OK hi\r\n", c.line())
		err := s.Wait(100 * time.Millisecond)
		require.ErrorContains(t, err, "still running")
	})
}
