package pop3

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net"
)

// DefaultMinTLSVersion is the oldest TLS version a session accepts when the
// caller's tls.Config does not say: TLS 1.0 and 1.1 are deprecated (RFC 8996).
const DefaultMinTLSVersion = tls.VersionTLS12

// LoadClientCertificate reads a TLS client certificate and its private key
// from PEM files, for tls.Config.Certificates. keyFile may be empty when the
// key is in certFile too. The certificate file may hold the chain after the
// certificate. The error names the file, never the key's contents.
func LoadClientCertificate(certFile, keyFile string) (tls.Certificate, error) {
	if keyFile == "" {
		keyFile = certFile
	}
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("%w: client certificate %s, key %s: %w", ErrInvalidArgument, certFile, keyFile, err)
	}
	return cert, nil
}

// ParseTLSVersion returns the crypto/tls version constant for "1.0", "1.1",
// "1.2" or "1.3" (a "TLS" or "TLSv" prefix is allowed, as mpop and OpenSSL
// write them).
func ParseTLSVersion(s string) (uint16, error) {
	v := s
	for _, p := range []string{"TLSv", "tlsv", "TLS", "tls"} {
		if len(v) > len(p) && v[:len(p)] == p {
			v = v[len(p):]
			break
		}
	}
	switch v {
	case "1.0":
		return tls.VersionTLS10, nil
	case "1.1":
		return tls.VersionTLS11, nil
	case "1.2":
		return tls.VersionTLS12, nil
	case "1.3":
		return tls.VersionTLS13, nil
	}
	return 0, fmt.Errorf("%w: TLS version %q (want 1.0, 1.1, 1.2 or 1.3)", ErrInvalidArgument, s)
}

// isTLSAlert reports whether err is an alert the peer sent. In TLS 1.3 the
// client's handshake is over before the server has checked the client's
// certificate, so a refused certificate arrives as an alert on the first
// read (the greeting, or CAPA after STLS), not from Handshake.
func isTLSAlert(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "remote error"
}
