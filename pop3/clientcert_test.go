package pop3_test

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/nxpop3/nxpop3/build/dovecot"
	"github.com/nxpop3/nxpop3/pop3"
	"github.com/nxpop3/nxpop3/pop3/pop3test"
)

// A server that refuses the client certificate in the handshake (Go's
// RequireAndVerifyClientCert: no certificate, or one from another CA) fails
// Dial with ErrTLS naming the server's alert, in TLS 1.3, where the alert
// arrives only with the first read after the client's handshake is over,
// and in TLS 1.2, where the handshake itself fails. Nothing is sent. Seen
// failing, for TLS 1.3, without the alert check in netErr (a plain network
// error). A certificate from the right CA logs in.
func TestClientCertificateRefused(t *testing.T) {
	dir := t.TempDir()
	good := dovecot.NewClientPKI(t, dir, "good")
	other := dovecot.NewClientPKI(t, dir, "other")
	pool := x509.NewCertPool()
	caPEM, err := os.ReadFile(good.CAFile)
	require.NoError(t, err)
	require.True(t, pool.AppendCertsFromPEM(caPEM))
	s := pop3test.Start(t, pop3test.Options{ImplicitTLS: true, ClientCAs: pool})
	s.AddUser("bob", "secret", []byte("Subject: x\r\n\r\nhi\r\n"))
	stls := pop3test.Start(t, pop3test.Options{STLS: true, ClientCAs: pool})

	for _, version := range []uint16{tls.VersionTLS13, tls.VersionTLS12} {
		for name, p := range map[string]*dovecot.ClientPKI{"no certificate": nil, "another CA": &other} {
			for mode, srv := range map[pop3.TLSMode]*pop3test.Server{pop3.TLSImplicit: s, pop3.TLSStartTLS: stls} {
				t.Run(fmt.Sprintf("%s mode %d %s", tls.VersionName(version), mode, name), func(t *testing.T) {
					cfg := srv.ClientTLSConfig()
					cfg.MaxVersion = version
					if p != nil {
						cert, err := pop3.LoadClientCertificate(p.CertFile, p.KeyFile)
						require.NoError(t, err)
						cfg.Certificates = []tls.Certificate{cert}
					}
					d := pop3.Dialer{TLS: mode, TLSConfig: cfg, Timeout: 5 * time.Second, Options: pop3.Options{ReplyTimeout: 5 * time.Second}}
					c, err := d.Dial(t.Context(), srv.Addr())
					if c != nil {
						c.Close()
					}
					require.ErrorIs(t, err, pop3.ErrTLS)
					// The server's alert: certificate required, bad
					// certificate, unknown CA, or (Go in TLS 1.2) handshake
					// failure.
					assert.Regexp(t, `remote error: tls: [a-z ]+$`, err.Error())
				})
			}
		}
	}
	cfg := s.ClientTLSConfig()
	cert, err := pop3.LoadClientCertificate(good.CertFile, good.KeyFile)
	require.NoError(t, err)
	cfg.Certificates = []tls.Certificate{cert}
	c := pop3.DialForTest(t, pop3.Dialer{TLS: pop3.TLSImplicit, TLSConfig: cfg}, s.Addr())
	require.NoError(t, c.Login(t.Context(), "bob", "secret", &pop3.LoginOptions{Method: pop3.AuthUser}))
	require.NoError(t, c.Quit(t.Context()))
	assert.Equal(t, []string{"USER bob", "PASS secret", "QUIT"}, s.Commands(), "only the good certificate's session sent anything")
	for _, cmd := range stls.Commands() {
		assert.Contains(t, []string{"CAPA", "STLS"}, cmd, "nothing after a refused STLS handshake")
	}
}

// The key may be in the certificate's file; a missing file is
// ErrInvalidArgument naming it.
func TestLoadClientCertificate(t *testing.T) {
	dir := t.TempDir()
	p := dovecot.NewClientPKI(t, dir, "one")
	both := filepath.Join(dir, "both.pem")
	cert, err := os.ReadFile(p.CertFile)
	require.NoError(t, err)
	key, err := os.ReadFile(p.KeyFile)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(both, append(cert, key...), 0o600))
	_, err = pop3.LoadClientCertificate(both, "")
	require.NoError(t, err)
	_, err = pop3.LoadClientCertificate(filepath.Join(dir, "none.pem"), "")
	require.ErrorIs(t, err, pop3.ErrInvalidArgument)
	assert.Contains(t, err.Error(), "none.pem")
}
