package pop3test

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var (
	msg1 = []byte("Subject: one\r\n\r\nbody 1\r\n")
	msg2 = []byte("Subject: two\r\nX: y\r\n\r\nl1\r\n.l2\r\nl3\r\n")
	msg3 = []byte("three\r\n")
)

func loggedIn(t *testing.T, opts Options, msgs ...[]byte) (*Server, *Mailbox, *rawClient) {
	t.Helper()
	s := Start(t, opts)
	m := s.AddUser("u", "p", msgs...)
	c, _ := connect(t, s)
	login(t, c, "u", "p")
	return s, m, c
}

func TestSTATLISTUIDL(t *testing.T) {
	_, _, c := loggedIn(t, Options{}, msg1, msg2, msg3)
	assert.Equal(t, fmt.Sprintf("+OK 3 %d", len(msg1)+len(msg2)+len(msg3)), c.Cmd("STAT"))

	assert.Equal(t, "+OK 3 messages (66 octets)", c.Cmd("LIST"))
	assert.Equal(t, []string{"1 24", "2 35", "3 7"}, c.Multi())
	assert.Equal(t, "+OK 2 35", c.Cmd("LIST 2"))
	assert.Equal(t, "-ERR no such message", c.Cmd("LIST 4"))
	assert.Equal(t, "-ERR no such message", c.Cmd("LIST 0"))
	assert.Equal(t, "-ERR invalid message number", c.Cmd("LIST +1"))
	assert.Equal(t, "-ERR invalid message number", c.Cmd("LIST x"))

	assert.Equal(t, "+OK 3 messages (66 octets)", c.Cmd("UIDL"))
	assert.Equal(t, []string{"1 uid-1", "2 uid-2", "3 uid-3"}, c.Multi())
	assert.Equal(t, "+OK 3 uid-3", c.Cmd("UIDL 3"))
}

func TestRETRDotStuffing(t *testing.T) {
	msg := []byte(".starts\r\nmid.dle\r\n.\r\n..two\r\nend\r\n")
	_, _, c := loggedIn(t, Options{}, msg)
	assert.Equal(t, fmt.Sprintf("+OK %d octets", len(msg)), c.Cmd("RETR 1"))
	assert.Equal(t, "..starts\r\nmid.dle\r\n..\r\n...two\r\nend\r\n.\r\n", string(c.RawBody()))
	assert.Equal(t, "+OK", c.Cmd("NOOP"), "nothing stray after the terminator")
}

func TestRETRLineEndings(t *testing.T) {
	_, _, c := loggedIn(t, Options{}, []byte("no newline"), []byte{}, []byte(".x\n.y\n"), []byte("\r\n"))
	assert.Equal(t, "+OK 10 octets", c.Cmd("RETR 1"))
	assert.Equal(t, "no newline\r\n.\r\n", string(c.RawBody()), "CRLF appended on the wire")
	assert.Equal(t, "+OK 0 octets", c.Cmd("RETR 2"))
	assert.Equal(t, ".\r\n", string(c.RawBody()), "empty message: terminator only")
	assert.Equal(t, "+OK 6 octets", c.Cmd("RETR 3"))
	// Bare LFs are sent as stored; stuffing still applies after each.
	assert.Equal(t, "..x\n..y\n\r\n.\r\n", string(c.RawBody()))
	assert.Equal(t, "+OK 2 octets", c.Cmd("RETR 4"))
	assert.Equal(t, "\r\n.\r\n", string(c.RawBody()))
}

func TestTOP(t *testing.T) {
	_, _, c := loggedIn(t, Options{}, msg2, []byte("Only: header\r\n"), []byte("H: 1\r\n\r\nline\r\nlast no crlf"))
	assert.Equal(t, "+OK top of message follows", c.Cmd("TOP 2 0"))
	assert.Equal(t, "Only: header\r\n.\r\n", string(c.RawBody()))
	c.Cmd("TOP 1 0")
	assert.Equal(t, []string{"Subject: two", "X: y", ""}, c.Multi())
	c.Cmd("TOP 1 2")
	assert.Equal(t, []string{"Subject: two", "X: y", "", "l1", "..l2"}, c.Multi())
	c.Cmd("TOP 1 100")
	assert.Equal(t, []string{"Subject: two", "X: y", "", "l1", "..l2", "l3"}, c.Multi())
	c.Cmd("TOP 3 5")
	assert.Equal(t, []string{"H: 1", "", "line", "last no crlf"}, c.Multi())
	assert.Equal(t, "-ERR usage: TOP msg lines", c.Cmd("TOP 1 -1"))
	assert.Equal(t, "-ERR usage: TOP msg lines", c.Cmd("TOP 1"))
	assert.Equal(t, "-ERR no such message", c.Cmd("TOP 9 1"))
}

func TestDELEAndRSET(t *testing.T) {
	_, m, c := loggedIn(t, Options{}, msg1, msg2, msg3)
	assert.Equal(t, "+OK message 2 deleted", c.Cmd("DELE 2"))
	assert.Equal(t, "-ERR no such message", c.Cmd("DELE 2"))
	assert.Equal(t, "-ERR no such message", c.Cmd("RETR 2"))
	assert.Equal(t, "-ERR no such message", c.Cmd("TOP 2 0"))
	assert.Equal(t, "-ERR no such message", c.Cmd("LIST 2"))
	assert.Equal(t, "-ERR no such message", c.Cmd("UIDL 2"))
	assert.Equal(t, "+OK 2 31", c.Cmd("STAT"))
	c.Cmd("LIST")
	assert.Equal(t, []string{"1 24", "3 7"}, c.Multi(), "numbers do not shift")
	c.Cmd("UIDL")
	assert.Equal(t, []string{"1 uid-1", "3 uid-3"}, c.Multi())

	assert.Equal(t, "+OK maildrop has 3 messages (66 octets)", c.Cmd("RSET"))
	assert.Equal(t, "+OK 2 35", c.Cmd("LIST 2"))
	assert.Len(t, m.Messages(), 3)
}

func TestDeletionCommittedOnQuit(t *testing.T) {
	s, m, c := loggedIn(t, Options{}, msg1, msg2, msg3)
	c.Cmd("DELE 1")
	c.Cmd("DELE 3")
	m.Add([]byte("late\r\n"))
	assert.Len(t, m.Messages(), 4, "nothing committed before QUIT")
	assert.Equal(t, "+OK bye", c.Cmd("QUIT"))
	c.ExpectEOF()
	assert.Equal(t, [][]byte{msg2, []byte("late\r\n")}, m.Messages(), "a message added during the session survives")
	assert.Equal(t, []string{"uid-2", "uid-4"}, m.UIDs())

	c, _ = connect(t, s)
	login(t, c, "u", "p")
	c.Cmd("UIDL")
	assert.Equal(t, []string{"1 uid-2", "2 uid-4"}, c.Multi())
}

func TestDroppedConnectionCommitsNothing(t *testing.T) {
	s, m, c := loggedIn(t, Options{}, msg1, msg2)
	c.Cmd("DELE 1")
	c.NetConn().Close()
	require.Eventually(t, func() bool { return !m.Locked() }, 5*time.Second, time.Millisecond)
	assert.Len(t, m.Messages(), 2)

	c, _ = connect(t, s)
	login(t, c, "u", "p")
	assert.Equal(t, "+OK 2 59", c.Cmd("STAT"))
}

func TestQuitInAuthorization(t *testing.T) {
	s := Start(t, Options{})
	c, _ := connect(t, s)
	assert.Equal(t, "+OK bye", c.Cmd("QUIT"))
	c.ExpectEOF()
}

func TestPipelining(t *testing.T) {
	_, m, c := loggedIn(t, Options{Pipelining: true}, msg1, msg2, msg3)
	// Everything in one write; the replies must come back in order.
	c.Send("STAT", "RETR 1", "LIST 2", "DELE 1", "RETR 1", "TOP 2 1", "UIDL", "QUIT")
	assert.Equal(t, "+OK 3 66", c.Line())
	c.Line()
	assert.Equal(t, string(msg1)+".\r\n", string(c.RawBody()))
	assert.Equal(t, "+OK 2 35", c.Line())
	assert.Equal(t, "+OK message 1 deleted", c.Line())
	assert.Equal(t, "-ERR no such message", c.Line())
	c.Line()
	assert.Equal(t, []string{"Subject: two", "X: y", "", "l1"}, c.Multi())
	c.Line()
	assert.Equal(t, []string{"2 uid-2", "3 uid-3"}, c.Multi())
	assert.Equal(t, "+OK bye", c.Line())
	c.ExpectEOF()
	assert.Len(t, m.Messages(), 2)
}

// TestPipelinedRepliesBeforeReading sends many commands before reading any
// reply: the server must keep going while the client is not reading.
func TestPipelinedRepliesBeforeReading(t *testing.T) {
	big := bytes.Repeat([]byte("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcd\r\n"), 16<<10)
	_, _, c := loggedIn(t, Options{}, big)
	const n = 20
	done := make(chan error, 1)
	go func() {
		_, err := io.WriteString(c.NetConn(), strings.Repeat("RETR 1\r\n", n))
		done <- err
	}()
	for range n {
		require.Equal(t, fmt.Sprintf("+OK %d octets", len(big)), c.Line())
		require.Equal(t, len(big)+3, len(c.RawBody()))
	}
	require.NoError(t, <-done)
}

func TestLargeMessage(t *testing.T) {
	line := []byte(".dotted line that needs stuffing......................................\r\n")
	big := bytes.Repeat(line, (8<<20)/len(line))
	_, _, c := loggedIn(t, Options{}, big)
	assert.Equal(t, fmt.Sprintf("+OK %d octets", len(big)), c.Cmd("RETR 1"))
	body := c.RawBody()
	assert.Equal(t, len(big)+len(big)/len(line)+3, len(body))
	assert.Equal(t, "."+string(line), string(body[:len(line)+1]))
}

func BenchmarkRETR64MiB(b *testing.B) {
	line := []byte("Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod\r\n")
	big := bytes.Repeat(line, (64<<20)/len(line))
	s, err := NewServer(Options{})
	require.NoError(b, err)
	defer s.Close()
	s.AddUser("u", "p", big)
	conn, err := net.Dial("tcp", s.Addr())
	require.NoError(b, err)
	defer conn.Close()
	buf := make([]byte, 256<<10)
	readUntil := func(suffix string) {
		var tail []byte
		for {
			n, err := conn.Read(buf)
			require.NoError(b, err)
			tail = append(tail, buf[:n]...)
			if len(tail) > 16 {
				tail = tail[len(tail)-16:]
			}
			if bytes.HasSuffix(tail, []byte(suffix)) {
				return
			}
		}
	}
	readUntil("\r\n")
	io.WriteString(conn, "USER u\r\nPASS p\r\n")
	readUntil("octets)\r\n")
	b.SetBytes(int64(len(big)))
	b.ResetTimer()
	for b.Loop() {
		io.WriteString(conn, "RETR 1\r\n")
		readUntil("\r\n.\r\n")
	}
}

// TestStuff: the stuffer a Script's replies use is the one Server sends
// with, so both follow the same rule for every line ending, including a
// message that ends in a bare LF (CRLF added: RFC 1939's terminator is
// CRLF "." CRLF).
func TestStuff(t *testing.T) {
	cases := []struct{ msg, want string }{
		{"", ".\r\n"},
		{"a\r\n", "a\r\n.\r\n"},
		{"no newline", "no newline\r\n.\r\n"},
		{".x\n.y\n", "..x\n..y\n\r\n.\r\n"},
		{".\r\n..\r\nmid.dle\r\n", "..\r\n...\r\nmid.dle\r\n.\r\n"},
	}
	msgs := make([][]byte, len(cases))
	for i, c := range cases {
		msgs[i] = []byte(c.msg)
		assert.Equal(t, c.want, Stuff([]byte(c.msg)), "%q", c.msg)
	}
	_, _, c := loggedIn(t, Options{}, msgs...)
	for i, tc := range cases {
		c.Cmd(fmt.Sprintf("RETR %d", i+1))
		assert.Equal(t, tc.want, string(c.RawBody()), "Server sends %q as Stuff does", tc.msg)
	}
}

func TestTopOf(t *testing.T) {
	msg := []byte("A: 1\r\nB: 2\r\n\r\nl1\r\nl2\r\n")
	assert.Equal(t, "A: 1\r\nB: 2\r\n\r\n", string(Top(msg, 0)))
	assert.Equal(t, "A: 1\r\nB: 2\r\n\r\nl1\r\n", string(Top(msg, 1)))
	assert.Equal(t, string(msg), string(Top(msg, 9)))
	assert.Equal(t, "only header\r\n", string(Top([]byte("only header\r\n"), 3)))
}
