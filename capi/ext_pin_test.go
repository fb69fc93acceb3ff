package main

import (
	"crypto/tls"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/nxpop3/nxpop3/pop3"
	"github.com/nxpop3/nxpop3/pop3/pop3test"
)

// serverFingerprints returns the SHA-256 fingerprints of the certificate
// srv shows, as pop3.Fingerprint prints them.
func serverFingerprints(t *testing.T, srv *pop3test.Server) (cert, key string) {
	t.Helper()
	d := pop3.Dialer{TLS: pop3.TLSStartTLS, TLSConfig: srv.ClientTLSConfig(), Timeout: 5 * time.Second}
	c, err := d.Dial(t.Context(), srv.Addr())
	require.NoError(t, err)
	defer c.Close()
	return pop3.Fingerprint(c.Conn().(*tls.Conn).ConnectionState().PeerCertificates[0])
}

// The TLS fields appended to NX_POP3_CLIENT_OPTIONS: fingerprint pins
// (alone with verify off, with the CA with verify on), the minimum TLS
// version and the client certificate files, and what is refused before
// connecting.
func TestExtTLSPins(t *testing.T) {
	stls := pop3test.Start(t, pop3test.Options{STLS: true})
	stls.AddUser("demo", "secret", []byte("Subject: x\r\n\r\nbody\r\n"))
	ca := extCAFile(t, stls)
	certFP, keyFP := serverFingerprints(t, stls)
	wrong := strings.Repeat("AB:", 31) + "AB"

	cases := []struct {
		name    string
		env     []string
		want    uint
		errText string
		cmds    []string // exact dialogue before STAT (nil: not checked)
	}{
		{name: "certificate pin instead of a CA", env: []string{"TLS=starttls", "VERIFY=0", "TLS_FINGERPRINT=" + certFP}},
		{name: "key pin and CA", env: []string{"TLS=starttls", "CA_FILE=" + ca, "TLS_FINGERPRINT=" + wrong + "," + keyFP}},
		{name: "TLS 1.3 at least", env: []string{"TLS=starttls", "CA_FILE=" + ca, "TLS_MIN_VERSION=0x0304"}},
		{name: "pin mismatch", env: []string{"TLS=starttls", "VERIFY=0", "TLS_FINGERPRINT=" + wrong},
			want: 0xB9, errText: regexp.QuoteMeta(certFP), cmds: []string{"CAPA", "STLS"}},
		{name: "pin mismatch with CA", env: []string{"TLS=starttls", "CA_FILE=" + ca, "TLS_FINGERPRINT=" + wrong},
			want: 0xB9, errText: regexp.QuoteMeta(keyFP), cmds: []string{"CAPA", "STLS"}},
		{name: "pin without TLS", env: []string{"TLS=none", "TLS_FINGERPRINT=" + certFP},
			want: 0xB1, errText: "needs a TLS mode", cmds: []string{}},
		{name: "pin not SHA-256", env: []string{"TLS=starttls", "TLS_FINGERPRINT=AB:CD"},
			want: 0xB1, errText: "SHA-256", cmds: []string{}},
		{name: "unknown TLS version", env: []string{"TLS=starttls", "CA_FILE=" + ca, "TLS_MIN_VERSION=0x0305"},
			want: 0xB1, errText: "TLS version", cmds: []string{}},
		{name: "missing certificate file", env: []string{"TLS=starttls", "CA_FILE=" + ca, "TLS_CERT_FILE=" + filepath.Join(t.TempDir(), "none.pem")},
			want: 0xB1, errText: "client certificate", cmds: []string{}},
		{name: "key without certificate", env: []string{"TLS=starttls", "CA_FILE=" + ca, "TLS_KEY_FILE=" + ca},
			want: 0xB1, errText: "key file", cmds: []string{}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			n := len(stls.Commands())
			env := append([]string{fmt.Sprintf("WANT=0x%X", tc.want), "AUTH=user"}, tc.env...)
			out := extRun(t, stls, "login", env...)
			cmds := stls.Commands()[n:]
			if tc.want == 0 {
				assert.Equal(t, []string{"STAT", "QUIT"}, cmds[len(cmds)-2:])
				return
			}
			assert.Regexp(t, tc.errText, extFact(t, out, "error_text"))
			extNoSecret(t, cmds, "secret")
			if tc.cmds != nil {
				assert.Equal(t, tc.cmds, append([]string{}, cmds...), "dialogue")
			}
		})
	}
}
