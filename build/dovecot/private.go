package dovecot

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// OAuth is the OAuth 2.0 token-introspection endpoint (RFC 7662) that a
// StartSASL server's oauth2 passdb asks: POST token=..., answered with the
// token's user while it is known, {"active":false} otherwise.
type OAuth struct {
	mu     sync.Mutex
	tokens map[string]string // token -> user
	calls  int
}

func (o *OAuth) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	o.mu.Lock()
	o.calls++
	user, ok := o.tokens[r.Form.Get("token")]
	o.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	if !ok {
		json.NewEncoder(w).Encode(map[string]any{"active": false})
		return
	}
	json.NewEncoder(w).Encode(map[string]any{"active": true, "username": user, "scope": OAuthScope})
}

// OAuthScope is the scope a StartSASL server's oauth2 passdb asks for.
const OAuthScope = "mail.pop"

// AddToken makes token a valid access token of user.
func (o *OAuth) AddToken(token, user string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.tokens[token] = user
}

// Calls returns how many introspection requests Dovecot made.
func (o *OAuth) Calls() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.calls
}

// StartSASL starts a private Dovecot (StartPrivate) that offers
// SCRAM-SHA-1, SCRAM-SHA-256, OAUTHBEARER and XOAUTH2 besides the shared
// server's mechanisms: SCRAM from the plaintext passdb, the OAuth
// mechanisms through the oauth2 passdb and an introspection endpoint
// served for the test.
func StartSASL(t testing.TB) (*Server, *OAuth) {
	t.Helper()
	o := &OAuth{tokens: map[string]string{}}
	hs := httptest.NewServer(o)
	t.Cleanup(hs.Close)
	s := StartPrivate(t, func(dir string) error {
		conf := filepath.Join(dir, "oauth2.conf.ext")
		text := "introspection_mode = post\nintrospection_url = " + hs.URL + "/introspect\n" +
			"username_attribute = username\nactive_attribute = active\nactive_value = true\nscope = " + OAuthScope + "\n"
		if err := os.WriteFile(conf, []byte(text), 0o644); err != nil {
			return err
		}
		extra := "auth_mechanisms = plain login cram-md5 apop scram-sha-1 scram-sha-256 oauthbearer xoauth2\n" +
			"passdb {\n  driver = oauth2\n  mechanisms = oauthbearer xoauth2\n  args = " + conf + "\n}\n"
		return os.WriteFile(filepath.Join(dir, "extra.conf"), []byte(extra), 0o644)
	})
	return s, o
}

// StartClientCert starts a private Dovecot that requires a TLS client
// certificate signed by the CA in caFile (ssl_verify_client_cert,
// auth_ssl_require_client_cert; no CRL). Dovecot 2.3.19 completes the
// handshake without one and refuses the login: "-ERR [AUTH] Client didn't
// present valid SSL certificate".
func StartClientCert(t testing.TB, caFile string) *Server {
	t.Helper()
	return StartPrivate(t, func(dir string) error {
		ca, err := os.ReadFile(caFile)
		if err != nil {
			return err
		}
		path := filepath.Join(dir, "client-ca.pem")
		if err := os.WriteFile(path, ca, 0o644); err != nil {
			return err
		}
		extra := "ssl_ca = <" + path + "\nssl_verify_client_cert = yes\nssl_require_crl = no\nauth_ssl_require_client_cert = yes\n"
		return os.WriteFile(filepath.Join(dir, "extra.conf"), []byte(extra), 0o644)
	})
}

// ClientPKI is a CA made for a test and a client certificate it signed, in
// PEM files.
type ClientPKI struct {
	CAFile, CertFile, KeyFile string
}

// NewClientPKI writes a fresh CA and a client certificate for name (ECDSA
// P-256, valid for a day) to dir.
func NewClientPKI(t testing.TB, dir, name string) ClientPKI {
	t.Helper()
	now := time.Now()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	caTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: name + " client CA"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, err := x509.ParseCertificate(caDER)
	if err != nil {
		t.Fatal(err)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: name},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	p := ClientPKI{
		CAFile:   filepath.Join(dir, name+"-ca.pem"),
		CertFile: filepath.Join(dir, name+"-cert.pem"),
		KeyFile:  filepath.Join(dir, name+"-key.pem"),
	}
	for file, b := range map[string]*pem.Block{
		p.CAFile:   {Type: "CERTIFICATE", Bytes: caDER},
		p.CertFile: {Type: "CERTIFICATE", Bytes: der},
		p.KeyFile:  {Type: "PRIVATE KEY", Bytes: keyDER},
	} {
		if err := os.WriteFile(file, pem.EncodeToMemory(b), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Chmod(p.KeyFile, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}
