package pop3test

import (
	"errors"
	"io"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const fixedGreeting = "+OK nxpop3 test server ready <1@x>\r\n"

func TestFaultWriteChunk(t *testing.T) {
	const delay = 20 * time.Millisecond
	s := Start(t, Options{Timestamp: "<1@x>", Faults: &Faults{WriteChunk: 5, ChunkDelay: delay}})
	start := time.Now()
	c := dial(t, s)
	buf := make([]byte, 100)
	n, err := c.NetConn().Read(buf)
	require.NoError(t, err)
	assert.LessOrEqual(t, n, 5, "first read sees only the first chunk")
	rest, err := c.Reader().ReadString('\n')
	require.NoError(t, err)
	assert.Equal(t, fixedGreeting, string(buf[:n])+rest)
	chunks := (len(fixedGreeting) + 4) / 5
	assert.GreaterOrEqual(t, time.Since(start), time.Duration(chunks-1)*delay)
}

func TestFaultWriteChunkByteByByte(t *testing.T) {
	s := Start(t, Options{Faults: &Faults{WriteChunk: 1}})
	s.AddUser("u", "p", []byte(".a\r\n.\r\nb\r\n"))
	c, _ := connect(t, s)
	login(t, c, "u", "p")
	c.Cmd("RETR 1")
	assert.Equal(t, "..a\r\n..\r\nb\r\n.\r\n", string(c.RawBody()))
}

func TestFaultCloseAfterBytes(t *testing.T) {
	s := Start(t, Options{Timestamp: "<1@x>", Faults: &Faults{CloseAfterBytes: 10}})
	c := dial(t, s)
	got, err := io.ReadAll(c.NetConn())
	require.NoError(t, err, "orderly close")
	assert.Equal(t, fixedGreeting[:10], string(got))
}

func TestFaultCloseAfterBytesInMessage(t *testing.T) {
	msg := []byte(strings.Repeat("x", 1000) + "\r\n")
	greeting := "+OK nxpop3 test server ready <1@x>\r\n"
	login := "+OK send PASS\r\n+OK u's maildrop has 1 messages (1002 octets)\r\n+OK 1002 octets\r\n"
	limit := int64(len(greeting) + len(login) + 500)
	s := Start(t, Options{Timestamp: "<1@x>", Faults: &Faults{CloseAfterBytes: limit}})
	s.AddUser("u", "p", msg)
	c := dial(t, s)
	c.Send("USER u", "PASS p", "RETR 1")
	got, err := io.ReadAll(c.NetConn())
	require.NoError(t, err)
	assert.Equal(t, greeting+login+string(msg[:500]), string(got))
}

func TestFaultResetAfterBytes(t *testing.T) {
	// The reset comes after the greeting: one that beats the client's
	// connect() would be reported by Dial instead.
	limit := int64(len(fixedGreeting) + 10)
	s := Start(t, Options{Timestamp: "<1@x>", Faults: &Faults{ResetAfterBytes: limit, CloseAfterBytes: limit + 1}})
	c := dial(t, s)
	assert.Equal(t, fixedGreeting, c.Line()+"\r\n")
	c.Send("CAPA")
	got, err := io.ReadAll(c.Reader())
	require.Error(t, err)
	assert.True(t, errors.Is(err, syscall.ECONNRESET), "want RST, got %v", err)
	// A reset may discard data the client had not read yet.
	assert.True(t, strings.HasPrefix("+OK capability list follows\r\n"[:10], string(got)), "got %q", got)
}

func TestFaultGreeting(t *testing.T) {
	s := Start(t, Options{Faults: &Faults{Greeting: "-ERR busy\r\n", CloseAfterGreeting: true}})
	c := dial(t, s)
	assert.Equal(t, "-ERR busy", c.Line())
	c.ExpectEOF()

	s = Start(t, Options{Faults: &Faults{Greeting: "+OK no crlf"}})
	c = dial(t, s)
	c.Send("NOOP")
	assert.Equal(t, "+OK no crlf-ERR command not valid before login", c.Line(), "session goes on")
}

func TestFaultNoGreeting(t *testing.T) {
	s := Start(t, Options{Faults: &Faults{NoGreeting: true}})
	c := dial(t, s)
	require.NoError(t, c.NetConn().SetReadDeadline(time.Now().Add(100*time.Millisecond)))
	_, err := c.Reader().ReadByte()
	require.Error(t, err)
	assert.ErrorIs(t, err, os.ErrDeadlineExceeded)
	require.NoError(t, c.NetConn().SetReadDeadline(time.Now().Add(10*time.Second)))
	assert.Equal(t, "-ERR command not valid before login", c.Cmd("NOOP"))
}

func TestFaultReply(t *testing.T) {
	var seen []string
	s := Start(t, Options{Faults: &Faults{Reply: func(cmd string) (string, bool, bool) {
		seen = append(seen, cmd)
		switch cmd {
		case "STAT":
			return "+OK 1 2\r\n+OK extra\r\ngarbage", false, true
		case "DELE 1":
			return "", false, true
		case "UIDL 1":
			return "-ERR nope\r\n", true, true
		}
		return "", false, false
	}}})
	m := s.AddUser("u", "p", []byte("m\r\n"))
	c, _ := connect(t, s)
	login(t, c, "u", "p")
	assert.Equal(t, "+OK 1 2", c.Cmd("STAT"))
	assert.Equal(t, "+OK extra", c.Line())
	c.Send("DELE 1") // swallowed: not executed and not answered
	assert.Equal(t, "garbage+OK 1 3", c.Cmd("LIST 1"))
	assert.Equal(t, "-ERR nope", c.Cmd("UIDL 1"))
	c.ExpectEOF()
	require.Eventually(t, func() bool { return !m.Locked() }, 5*time.Second, time.Millisecond)
	assert.Equal(t, []string{"USER u", "PASS p", "STAT", "DELE 1", "LIST 1", "UIDL 1"}, seen)
}

func TestFaultReplyDuringSASL(t *testing.T) {
	s := Start(t, Options{Faults: &Faults{Reply: func(cmd string) (string, bool, bool) {
		if cmd == "*" {
			return "+OK not really\r\n", false, true
		}
		return "", false, false
	}}})
	s.AddUser("u", "p")
	c, _ := connect(t, s)
	c.Send("AUTH LOGIN")
	c.Line()
	assert.Equal(t, "+OK not really", c.Cmd("*"))
	assert.Equal(t, "-ERR command not valid before login", c.Cmd("STAT"), "exchange abandoned, not logged in")
}

func TestFaultDropBeforeQuitReply(t *testing.T) {
	s := Start(t, Options{Faults: &Faults{DropBeforeQuitReply: true}})
	m := s.AddUser("u", "p", []byte("m\r\n"))
	c, _ := connect(t, s)
	login(t, c, "u", "p")
	assert.Equal(t, "+OK message 1 deleted", c.Cmd("DELE 1"))
	c.Send("QUIT")
	c.ExpectEOF()
	require.Eventually(t, func() bool { return !m.Locked() }, 5*time.Second, time.Millisecond)
	assert.Len(t, m.Messages(), 1, "nothing committed")
}

func TestReplyDelayPerBatch(t *testing.T) {
	const delay = 30 * time.Millisecond
	s := Start(t, Options{ReplyDelay: delay})
	s.AddUser("u", "p")
	c, _ := connect(t, s)
	login(t, c, "u", "p")

	start := time.Now()
	for range 4 {
		assert.Equal(t, "+OK", c.Cmd("NOOP"))
	}
	assert.GreaterOrEqual(t, time.Since(start), 4*delay, "one delay per round trip")

	start = time.Now()
	c.Send("NOOP", "NOOP", "NOOP", "NOOP", "NOOP", "NOOP", "NOOP", "NOOP", "NOOP", "NOOP")
	for range 10 {
		assert.Equal(t, "+OK", c.Line())
	}
	assert.GreaterOrEqual(t, time.Since(start), delay)
	assert.Less(t, time.Since(start), 8*delay, "a pipelined batch pays the delay about once")
}
