package main

import (
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/nxpop3/nxpop3/build/dovecot"
	"github.com/nxpop3/nxpop3/pop3"
)

// dovecotFingerprints reads the fingerprints of a Dovecot's certificate
// from its server.pem.
func dovecotFingerprints(t *testing.T, dc *dovecot.Server) (cert, key string) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dc.Dir, "server.pem"))
	require.NoError(t, err)
	block, _ := pem.Decode(b)
	require.NotNil(t, block)
	c, err := x509.ParseCertificate(block.Bytes)
	require.NoError(t, err)
	return pop3.Fingerprint(c)
}

type extAuthCase struct {
	name    string
	addr    string
	env     []string
	want    uint
	errText string
}

func runExtAuthCases(t *testing.T, user, password, count string, cases []extAuthCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			env := append([]string{fmt.Sprintf("WANT=0x%X", tc.want)}, tc.env...)
			out := extDovecotRun(t, tc.addr, user, password, "login", env...)
			if tc.want == 0 {
				assert.Equal(t, count, extFact(t, out, "count"))
				return
			}
			assert.Regexp(t, tc.errText, extFact(t, out, "error_text"))
		})
	}
}

// SCRAM, OAUTHBEARER and XOAUTH2 through NX_POP3_CLIENT_OPTIONS against a
// Dovecot configured for them (dovecot.StartSASL), and certificate pins
// against its certificate.
func TestExtDovecotSASL(t *testing.T) {
	dc, oauth := dovecot.StartSASL(t)
	user, password := dc.NewUser(t)
	msg := []byte("Subject: sasl\r\n\r\nbody\r\n")
	dc.Deliver(t, user, msg)
	token := "tok-" + user
	oauth.AddToken(token, user)
	certFP, keyFP := dovecotFingerprints(t, dc)
	stls := []string{"TLS=starttls", "CA_FILE=" + dc.CAFile}

	extDovecotRun(t, dc.Addr(), user, password, "login", "AUTH=user") // the mailbox's index, once
	runExtAuthCases(t, user, password, fmt.Sprintf("1 size %d", len(msg)), []extAuthCase{
		{name: "SCRAM-SHA-256 strict in clear text", addr: dc.Addr(), env: []string{"AUTH=scram256", "STRICT=1"}},
		{name: "SCRAM-SHA-1 strict in clear text", addr: dc.Addr(), env: []string{"AUTH=scram1", "STRICT=1"}},
		{name: "auto strict in clear text", addr: dc.Addr(), env: []string{"AUTH=auto", "STRICT=1"}},
		{name: "SCRAM-SHA-256 wrong password", addr: dc.Addr(), env: []string{"AUTH=scram256", "POP3_PASSWORD=wrong"},
			want: 0xB4, errText: "AUTH"},
		{name: "OAUTHBEARER", addr: dc.Addr(), env: append([]string{"AUTH=oauthbearer", "STRICT=1", "POP3_PASSWORD=" + token}, stls...)},
		{name: "XOAUTH2", addr: dc.Addr(), env: append([]string{"AUTH=xoauth2", "STRICT=1", "POP3_PASSWORD=" + token}, stls...)},
		{name: "OAUTHBEARER refused token", addr: dc.Addr(), env: append([]string{"AUTH=oauthbearer", "POP3_PASSWORD=expired"}, stls...),
			want: 0xB4, errText: `status "invalid_token"`},
		{name: "OAUTHBEARER strict in clear text", addr: dc.Addr(), env: []string{"AUTH=oauthbearer", "STRICT=1", "POP3_PASSWORD=" + token},
			want: 0xB9, errText: "(?i)tls"},
		{name: "pinned certificate instead of a CA", addr: dc.TLSAddr(), env: []string{"TLS=implicit", "AUTH=plain", "VERIFY=0", "TLS_FINGERPRINT=" + certFP}},
		{name: "pinned key and CA", addr: dc.TLSAddr(), env: []string{"TLS=implicit", "AUTH=plain", "CA_FILE=" + dc.CAFile, "TLS_FINGERPRINT=" + keyFP}},
		{name: "pin mismatch", addr: dc.Addr(), env: []string{"TLS=starttls", "AUTH=plain", "VERIFY=0", "TLS_FINGERPRINT=" + strings.Repeat("0", 64)},
			want: 0xB9, errText: strings.ReplaceAll(certFP, ":", ".")},
		{name: "TLS 1.3 at least", addr: dc.TLSAddr(), env: []string{"TLS=implicit", "AUTH=plain", "CA_FILE=" + dc.CAFile, "TLS_MIN_VERSION=0x0304"}},
	})
	assert.Positive(t, oauth.Calls())
	assert.Equal(t, [][]byte{msg}, dc.Messages(t, user))
}

// Client certificates from the options' PEM files, against a Dovecot that
// requires them (dovecot.StartClientCert).
func TestExtDovecotClientCertificate(t *testing.T) {
	dir := t.TempDir()
	good := dovecot.NewClientPKI(t, dir, "good")
	other := dovecot.NewClientPKI(t, dir, "other")
	dc := dovecot.StartClientCert(t, good.CAFile)
	user, password := dc.NewUser(t)
	msg := []byte("Subject: cert\r\n\r\nbody\r\n")
	dc.Deliver(t, user, msg)
	stls := []string{"TLS=starttls", "CA_FILE=" + dc.CAFile, "AUTH=user"}

	runExtAuthCases(t, user, password, fmt.Sprintf("1 size %d", len(msg)), []extAuthCase{
		{name: "STLS with certificate", addr: dc.Addr(), env: append([]string{"TLS_CERT_FILE=" + good.CertFile, "TLS_KEY_FILE=" + good.KeyFile}, stls...)},
		{name: "implicit with certificate", addr: dc.TLSAddr(), env: []string{"TLS=implicit", "CA_FILE=" + dc.CAFile, "AUTH=plain", "TLS_CERT_FILE=" + good.CertFile, "TLS_KEY_FILE=" + good.KeyFile}},
		{name: "no certificate", addr: dc.Addr(), env: stls, want: 0xB4, errText: "valid SSL certificate"},
		{name: "another CA's certificate", addr: dc.Addr(), env: append([]string{"TLS_CERT_FILE=" + other.CertFile, "TLS_KEY_FILE=" + other.KeyFile}, stls...),
			want: 0xB4, errText: "valid SSL certificate"},
	})
}
