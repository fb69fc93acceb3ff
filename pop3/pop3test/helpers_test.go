package pop3test

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// rawClient speaks POP3 by hand so that the tests see exactly what is on
// the wire, independent of the pop3 package.
type rawClient struct {
	t    *testing.T
	conn net.Conn
	r    *bufio.Reader
}

// dial connects without reading the greeting.
func dial(t *testing.T, s *Server) *rawClient {
	t.Helper()
	c, err := net.Dial("tcp", s.Addr())
	require.NoError(t, err)
	return wrap(t, c)
}

func dialTLS(t *testing.T, s *Server) *rawClient {
	t.Helper()
	c, err := tls.Dial("tcp", s.Addr(), s.ClientTLSConfig())
	require.NoError(t, err)
	return wrap(t, c)
}

func wrap(t *testing.T, c net.Conn) *rawClient {
	require.NoError(t, c.SetDeadline(time.Now().Add(20*time.Second)))
	t.Cleanup(func() { c.Close() })
	return &rawClient{t: t, conn: c, r: bufio.NewReader(c)}
}

// connect dials and returns the greeting line.
func connect(t *testing.T, s *Server) (*rawClient, string) {
	t.Helper()
	c := dial(t, s)
	return c, c.line()
}

func (c *rawClient) send(lines ...string) {
	c.t.Helper()
	_, err := io.WriteString(c.conn, strings.Join(lines, "\r\n")+"\r\n")
	require.NoError(c.t, err)
}

// line reads one line and checks that it ends in CRLF.
func (c *rawClient) line() string {
	c.t.Helper()
	l, err := c.r.ReadString('\n')
	require.NoError(c.t, err, "partial line %q", l)
	require.True(c.t, strings.HasSuffix(l, "\r\n"), "line %q lacks CRLF", l)
	return strings.TrimSuffix(l, "\r\n")
}

func (c *rawClient) cmd(line string) string {
	c.t.Helper()
	c.send(line)
	return c.line()
}

// multi reads the lines of a multi-line body up to, not including, the
// terminator, without undoing dot-stuffing.
func (c *rawClient) multi() []string {
	c.t.Helper()
	var out []string
	for {
		l := c.line()
		if l == "." {
			return out
		}
		out = append(out, l)
	}
}

// rawBody reads the bytes of a multi-line body up to and including the
// terminator, exactly as sent.
func (c *rawClient) rawBody() []byte {
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

func (c *rawClient) login(user, pass string) {
	c.t.Helper()
	require.Equal(c.t, "+OK send PASS", c.cmd("USER "+user))
	require.Regexp(c.t, `^\+OK `, c.cmd("PASS "+pass))
}

// expectEOF checks that the server closed the connection without sending
// anything more.
func (c *rawClient) expectEOF() {
	c.t.Helper()
	rest, err := io.ReadAll(c.r)
	require.NoError(c.t, err)
	require.Empty(c.t, string(rest))
}
