package pop3test

import (
	"crypto/tls"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/nxpop3/nxpop3/internal/rawpop"
)

// rawClient speaks POP3 by hand so that the tests see exactly what is on
// the wire, independent of the pop3 package.
type rawClient = rawpop.Conn

// dial connects without reading the greeting.
func dial(t *testing.T, s *Server) *rawClient {
	t.Helper()
	return rawpop.Dial(t, s.Addr())
}

func dialTLS(t *testing.T, s *Server) *rawClient {
	t.Helper()
	c, err := tls.Dial("tcp", s.Addr(), s.ClientTLSConfig())
	require.NoError(t, err)
	return rawpop.Wrap(t, c)
}

// connect dials and returns the greeting line.
func connect(t *testing.T, s *Server) (*rawClient, string) {
	t.Helper()
	c := dial(t, s)
	return c, c.Line()
}

// login logs in with USER/PASS, as pop3test answers them.
func login(t *testing.T, c *rawClient, user, pass string) {
	t.Helper()
	require.Equal(t, "+OK send PASS", c.Cmd("USER "+user))
	require.Regexp(t, `^\+OK `, c.Cmd("PASS "+pass))
}
