package pop3test

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"net"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/nxpop3/nxpop3/internal/rawpop"
)

func TestSTLS(t *testing.T) {
	s := Start(t, Options{STLS: true, RequireTLSForAuth: true})
	s.AddUser("u", "p", []byte("secret mail\r\n"))
	c, _ := connect(t, s)
	c.Cmd("CAPA")
	assert.Contains(t, c.Multi(), "STLS")

	assert.Equal(t, "+OK begin TLS negotiation", c.Cmd("STLS"))
	tc := tls.Client(c.NetConn(), s.ClientTLSConfig())
	require.NoError(t, tc.Handshake())
	assert.Equal(t, "localhost", tc.ConnectionState().PeerCertificates[0].Subject.CommonName)
	c = rawpop.Wrap(t, tc)

	c.Cmd("CAPA")
	assert.NotContains(t, c.Multi(), "STLS", "STLS is not offered twice")
	assert.Equal(t, "-ERR STLS not available", c.Cmd("STLS"))
	login(t, c, "u", "p")
	c.Cmd("RETR 1")
	assert.Equal(t, "secret mail\r\n.\r\n", string(c.RawBody()))
}

func TestSTLSNotOffered(t *testing.T) {
	s := Start(t, Options{})
	c, _ := connect(t, s)
	c.Cmd("CAPA")
	assert.NotContains(t, c.Multi(), "STLS")
	assert.Equal(t, "-ERR STLS not available", c.Cmd("STLS"))
}

func TestSTLSOnlyInAuthorization(t *testing.T) {
	s := Start(t, Options{STLS: true})
	s.AddUser("u", "p")
	c, _ := connect(t, s)
	login(t, c, "u", "p")
	assert.Equal(t, "-ERR already logged in", c.Cmd("STLS"))
}

func TestSTLSDiscardsPlaintextAfterCommand(t *testing.T) {
	s := Start(t, Options{STLS: true})
	s.AddUser("u", "p")
	c, _ := connect(t, s)
	// A command injected behind STLS must not be executed over TLS.
	c.Send("STLS", "USER u")
	assert.Equal(t, "+OK begin TLS negotiation", c.Line())
	tc := tls.Client(c.NetConn(), s.ClientTLSConfig())
	err := tc.Handshake()
	if err == nil {
		c = rawpop.Wrap(t, tc)
		assert.Equal(t, "-ERR PASS must follow USER", c.Cmd("PASS p"))
	}
}

func TestImplicitTLS(t *testing.T) {
	s := Start(t, Options{ImplicitTLS: true, STLS: true, RequireTLSForAuth: true})
	s.AddUser("u", "p", []byte("x\r\n"))
	c := dialTLS(t, s)
	assert.Regexp(t, `^\+OK `, c.Line())
	c.Cmd("CAPA")
	assert.NotContains(t, c.Multi(), "STLS", "already TLS")
	login(t, c, "u", "p")
	assert.Equal(t, "+OK 1 3", c.Cmd("STAT"))

	// A plain-text client gets no greeting it can read.
	raw, err := net.Dial("tcp", s.Addr())
	require.NoError(t, err)
	defer raw.Close()
	_, err = raw.Write([]byte("CAPA\r\n"))
	require.NoError(t, err)
	buf := make([]byte, 64)
	n, _ := raw.Read(buf)
	assert.NotContains(t, string(buf[:n]), "+OK")
}

func TestCertificate(t *testing.T) {
	s := Start(t, Options{ImplicitTLS: true})
	block, _ := pem.Decode(s.CACertPEM())
	require.NotNil(t, block)
	ca, err := x509.ParseCertificate(block.Bytes)
	require.NoError(t, err)
	assert.True(t, ca.IsCA)

	for _, name := range []string{"localhost", "127.0.0.1"} {
		cfg := s.ClientTLSConfig()
		cfg.ServerName = name
		c, err := tls.Dial("tcp", s.Addr(), cfg)
		require.NoError(t, err, name)
		leaf := c.ConnectionState().PeerCertificates[0]
		assert.NoError(t, leaf.VerifyHostname("::1"))
		c.Close()
	}

	cfg := s.ClientTLSConfig()
	cfg.ServerName = "example.com"
	_, err = tls.Dial("tcp", s.Addr(), cfg)
	assert.Error(t, err, "host name is verified")

	_, err = tls.Dial("tcp", s.Addr(), &tls.Config{ServerName: "localhost"})
	assert.Error(t, err, "not trusted without the CA")

	// Each server has its own CA.
	s2 := Start(t, Options{})
	assert.NotEqual(t, s.CACertPEM(), s2.CACertPEM())
}
