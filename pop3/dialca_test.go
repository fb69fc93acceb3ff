package pop3

import (
	"crypto/x509"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/nxpop3/nxpop3/pop3/pop3test"
)

// TestDialerCA: CAFile and CAPEM trust a private CA without a hand-built
// pool, for both TLS modes; a bad one fails before any connection.
func TestDialerCA(t *testing.T) {
	srv := pop3test.Start(t, pop3test.Options{STLS: true})
	srv.AddUser("u", "p")
	implicit := pop3test.Start(t, pop3test.Options{ImplicitTLS: true})
	other := pop3test.Start(t, pop3test.Options{})
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	require.NoError(t, os.WriteFile(caFile, srv.CACertPEM(), 0o644))
	implicitCA := filepath.Join(t.TempDir(), "implicit-ca.pem")
	require.NoError(t, os.WriteFile(implicitCA, implicit.CACertPEM(), 0o644))

	for name, d := range map[string]Dialer{
		"STLS CAFile":         {TLS: TLSStartTLS, CAFile: caFile},
		"STLS CAPEM":          {TLS: TLSStartTLS, CAPEM: srv.CACertPEM()},
		"STLS both, one fits": {TLS: TLSStartTLS, CAFile: caFile, CAPEM: other.CACertPEM()},
		"implicit CAFile":     {TLS: TLSImplicit, CAFile: implicitCA},
	} {
		t.Run(name, func(t *testing.T) {
			addr := srv.Addr()
			if d.TLS == TLSImplicit {
				addr = implicit.Addr()
			}
			c := DialForTest(t, d, addr)
			assert.True(t, c.IsTLS())
		})
	}

	t.Run("another CA refused", func(t *testing.T) {
		d := Dialer{TLS: TLSStartTLS, CAPEM: other.CACertPEM(), Timeout: 5 * time.Second}
		_, err := d.Dial(t.Context(), srv.Addr())
		require.ErrorIs(t, err, ErrTLS)
		var ua x509.UnknownAuthorityError
		assert.ErrorAs(t, err, &ua)
	})

	junk := filepath.Join(t.TempDir(), "junk.pem")
	require.NoError(t, os.WriteFile(junk, []byte("not a certificate\n"), 0o644))
	before := srv.Sessions()
	for name, d := range map[string]Dialer{
		"missing file":        {TLS: TLSStartTLS, CAFile: filepath.Join(t.TempDir(), "none.pem")},
		"file without a PEM":  {TLS: TLSStartTLS, CAFile: junk},
		"CAPEM without a PEM": {TLS: TLSStartTLS, CAPEM: []byte("junk")},
		"with RootCAs too":    {TLS: TLSStartTLS, CAPEM: srv.CACertPEM(), TLSConfig: srv.ClientTLSConfig()},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := d.Dial(t.Context(), srv.Addr())
			require.ErrorIs(t, err, ErrInvalidArgument)
		})
	}
	assert.Equal(t, before, srv.Sessions(), "a bad CA must fail before connecting")
}
