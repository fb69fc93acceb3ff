// Package rawpop speaks POP3 by hand for tests that must see exactly what a
// server sends, independent of package pop3: the tests of the pop3test
// server and of the Dovecot harness. Every failure fails the test.
package rawpop

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// Conn is a POP3 connection driven line by line.
type Conn struct {
	t    testing.TB
	conn net.Conn
	r    *bufio.Reader
}

// Dial connects to addr without reading the greeting.
func Dial(t testing.TB, addr string) *Conn {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	require.NoError(t, err)
	return Wrap(t, c)
}

// Wrap drives c, which is closed when the test ends; the whole exchange
// must be over within 20 seconds.
func Wrap(t testing.TB, c net.Conn) *Conn {
	t.Helper()
	require.NoError(t, c.SetDeadline(time.Now().Add(20*time.Second)))
	t.Cleanup(func() { c.Close() })
	return &Conn{t: t, conn: c, r: bufio.NewReader(c)}
}

// NetConn is the connection, for tests that write or close it themselves.
func (c *Conn) NetConn() net.Conn { return c.conn }

// Reader is the buffered reader of the connection, for tests that read
// past what the other methods read.
func (c *Conn) Reader() *bufio.Reader { return c.r }

// Send writes lines, each with CRLF.
func (c *Conn) Send(lines ...string) {
	c.t.Helper()
	_, err := io.WriteString(c.conn, strings.Join(lines, "\r\n")+"\r\n")
	require.NoError(c.t, err)
}

// Line reads one line, which must end in CRLF, and returns it without.
func (c *Conn) Line() string {
	c.t.Helper()
	l, err := c.r.ReadString('\n')
	require.NoError(c.t, err, "partial line %q", l)
	require.True(c.t, strings.HasSuffix(l, "\r\n"), "line %q lacks CRLF", l)
	return strings.TrimSuffix(l, "\r\n")
}

// Cmd sends line and returns the reply's status line.
func (c *Conn) Cmd(line string) string {
	c.t.Helper()
	c.Send(line)
	return c.Line()
}

// Cmdf is Cmd for the command format makes.
func (c *Conn) Cmdf(format string, args ...any) string {
	c.t.Helper()
	return c.Cmd(fmt.Sprintf(format, args...))
}

// OK sends the command format makes and requires a +OK status line, which
// it returns.
func (c *Conn) OK(format string, args ...any) string {
	c.t.Helper()
	cmd := fmt.Sprintf(format, args...)
	r := c.Cmd(cmd)
	require.True(c.t, strings.HasPrefix(r, "+OK"), "%s: %s", cmd, r)
	return r
}

// Multi reads the lines of a multi-line body up to, not including, the
// terminator, without undoing dot-stuffing.
func (c *Conn) Multi() []string {
	c.t.Helper()
	var out []string
	for {
		l := c.Line()
		if l == "." {
			return out
		}
		out = append(out, l)
	}
}

// RawBody reads the bytes of a multi-line body up to and including the
// terminator, exactly as sent.
func (c *Conn) RawBody() []byte {
	c.t.Helper()
	var buf []byte
	for {
		l, err := c.r.ReadBytes('\n')
		require.NoError(c.t, err)
		buf = append(buf, l...)
		if bytes.Equal(l, []byte(".\r\n")) && (len(buf) == 3 || bytes.HasSuffix(buf[:len(buf)-3], []byte("\n"))) {
			return buf
		}
	}
}

// Body reads a multi-line body up to the terminating line, dot-stuffing
// undone, line endings kept as sent.
func (c *Conn) Body() []byte {
	c.t.Helper()
	var body []byte
	for {
		l, err := c.r.ReadBytes('\n')
		require.NoError(c.t, err)
		if string(l) == ".\r\n" {
			return body
		}
		body = append(body, bytes.TrimPrefix(l, []byte("."))...)
	}
}

// ExpectEOF requires the server to close the connection without sending
// anything more.
func (c *Conn) ExpectEOF() {
	c.t.Helper()
	rest, err := io.ReadAll(c.r)
	require.NoError(c.t, err)
	require.Empty(c.t, string(rest))
}
