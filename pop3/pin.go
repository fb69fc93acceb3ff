package pop3

import (
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
)

// PinError reports that the server's certificate matched none of the
// pinned fingerprints. It names what the server showed, in forms
// Dialer.Fingerprints accepts, so that a changed certificate can be told
// from an attack by comparing with a trusted copy. Dial wraps it in ErrTLS.
type PinError struct {
	Certificate string // SHA-256 of the server's certificate (DER), hex with colons
	PublicKey   string // SHA-256 of its SubjectPublicKeyInfo, "sha256//" and base64
}

var _ error = (*PinError)(nil)

// Error names the fingerprints seen (short enough for the C API's
// 256-octet error text).
func (e *PinError) Error() string {
	if e.Certificate == "" {
		return "pop3: pin mismatch: server sent no certificate"
	}
	return fmt.Sprintf("pop3: pin mismatch: certificate SHA-256 %s, public key %s", e.Certificate, e.PublicKey)
}

// Fingerprint returns the SHA-256 fingerprints of a certificate, as hex
// bytes joined by colons (the form of mpop's tls_fingerprint and of openssl
// x509 -fingerprint -sha256), and of its public key (SubjectPublicKeyInfo),
// as "sha256//" and base64 (curl's --pinnedpubkey). Both are pins
// Dialer.Fingerprints takes.
func Fingerprint(cert *x509.Certificate) (certificate, publicKey string) {
	c := sha256.Sum256(cert.Raw)
	k := sha256.Sum256(cert.RawSubjectPublicKeyInfo)
	return colonHex(c[:]), "sha256//" + base64.StdEncoding.EncodeToString(k[:])
}

func colonHex(b []byte) string {
	s := strings.ToUpper(hex.EncodeToString(b))
	var out strings.Builder
	for i := 0; i < len(s); i += 2 {
		if i > 0 {
			out.WriteByte(':')
		}
		out.WriteString(s[i : i+2])
	}
	return out.String()
}

// pin is one pinned SHA-256 digest; spkiOnly when given in curl's
// "sha256//" form, which pins the public key only.
type pin struct {
	sum      [sha256.Size]byte
	spkiOnly bool
}

// parsePins reads fingerprints: 64 hex digits, colons allowed (mpop,
// OpenSSL), matching the certificate or its public key; or "sha256//" and
// base64 (curl's --pinnedpubkey), matching the public key.
func parsePins(fps []string) ([]pin, error) {
	pins := make([]pin, 0, len(fps))
	for _, fp := range fps {
		fp = strings.TrimSpace(fp)
		var p pin
		var b []byte
		var err error
		if rest, ok := strings.CutPrefix(fp, "sha256//"); ok {
			p.spkiOnly = true
			b, err = base64.StdEncoding.DecodeString(rest)
		} else {
			b, err = hex.DecodeString(strings.ReplaceAll(fp, ":", ""))
		}
		if err != nil || len(b) != sha256.Size {
			return nil, fmt.Errorf("%w: fingerprint %q is not a SHA-256 digest (64 hex digits, or sha256// and base64)", ErrInvalidArgument, fp)
		}
		copy(p.sum[:], b)
		pins = append(pins, p)
	}
	return pins, nil
}

// PinTLSConfig returns a copy of cfg that also requires the server's
// certificate or its public key to match one of fingerprints (see
// Dialer.Fingerprints for the forms). With cfg.InsecureSkipVerify the pin
// replaces CA verification; otherwise both must pass. A mismatch fails the
// handshake with a *PinError, so no credential is ever sent.
func PinTLSConfig(cfg *tls.Config, fingerprints ...string) (*tls.Config, error) {
	pins, err := parsePins(fingerprints)
	if err != nil {
		return nil, err
	}
	if cfg == nil {
		cfg = &tls.Config{}
	} else {
		cfg = cfg.Clone()
	}
	if len(pins) == 0 {
		return cfg, nil
	}
	prev := cfg.VerifyConnection
	cfg.VerifyConnection = func(cs tls.ConnectionState) error {
		if prev != nil {
			if err := prev(cs); err != nil {
				return err
			}
		}
		return checkPins(pins, cs.PeerCertificates)
	}
	return cfg, nil
}

func checkPins(pins []pin, certs []*x509.Certificate) error {
	if len(certs) == 0 {
		return &PinError{}
	}
	leaf := certs[0]
	c := sha256.Sum256(leaf.Raw)
	k := sha256.Sum256(leaf.RawSubjectPublicKeyInfo)
	for _, p := range pins {
		if p.sum == k || (!p.spkiOnly && p.sum == c) {
			return nil
		}
	}
	e := &PinError{}
	e.Certificate, e.PublicKey = Fingerprint(leaf)
	return e
}
