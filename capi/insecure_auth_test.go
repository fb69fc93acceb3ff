package main

import (
	"net"
	"testing"

	"github.com/nxpop3/nxpop3/internal/ctest"
	"github.com/nxpop3/nxpop3/internal/testenv"
	"github.com/nxpop3/nxpop3/pop3/pop3test"
	"github.com/stretchr/testify/require"
)

// startOffLoopback starts a pop3test server on an address of this host
// that is not loopback, so that the client treats it as a server across
// the network (no readable password without TLS or an opt-in).
func startOffLoopback(t *testing.T, opts pop3test.Options) *pop3test.Server {
	t.Helper()
	ip := nonLoopbackIP(t)
	srv, err := pop3test.NewServerOn("tcp", net.JoinHostPort(ip.String(), "0"), opts)
	require.NoError(t, err)
	t.Cleanup(func() { srv.Close() })
	return srv
}

// nonLoopbackIP returns an IPv4 address of this host's interfaces that is
// neither loopback nor link-local.
func nonLoopbackIP(t *testing.T) net.IP {
	t.Helper()
	addrs, err := net.InterfaceAddrs()
	require.NoError(t, err)
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok {
			if ip := n.IP.To4(); ip != nil && !ip.IsLoopback() && !ip.IsLinkLocalUnicast() {
				return ip
			}
		}
	}
	testenv.OffHostAddress.Unavailable(t, "no IPv4 address other than loopback on this host")
	return nil
}

// TestVendorCreateInsecureAuth: the vendor's nx_pop3_client_create keeps the
// vendor's behaviour off the loopback address too: APOP requested, no
// timestamp in the greeting, USER/PASS in clear text (firmware relies on
// it). nxd_pop3_client_create_ex refuses the same (TestExtLogin, off-host).
func TestVendorCreateInsecureAuth(t *testing.T) {
	t.Parallel()
	srv := startOffLoopback(t, pop3test.Options{NoTimestamp: true})
	msgs := plainMessages()
	srv.AddUser("demo", "secret", msgs...)
	out, err := cRun(t, ctest.Plain, ctest.Program(t, ctest.Plain, "../cexamples/demo.c"), srv, nil)
	require.NoError(t, err, "%s", out)
	require.Contains(t, out, string(msgs[0]))
	require.Equal(t, []string{"USER demo", "PASS secret"}, srv.Commands()[:2])
}
