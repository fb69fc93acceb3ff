package pop3

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"syscall"
	"time"
)

// TLSMode says how a Dialer secures the connection.
type TLSMode int

// TLS modes.
const (
	// TLSNone speaks POP3 in clear text, as NetX does.
	TLSNone TLSMode = iota
	// TLSImplicit speaks TLS from the first byte (pop3s, port 995, RFC 8314).
	TLSImplicit
	// TLSStartTLS upgrades with STLS (RFC 2595) before anything else is
	// sent. If the server does not offer STLS, refuses it, or CAPA fails,
	// Dial fails with ErrTLSRequired and no credential is ever sent.
	TLSStartTLS
)

// Dialer connects to POP3 servers. The zero value dials in clear text with
// the default timeouts.
type Dialer struct {
	// Timeout bounds the TCP connection and TLS handshake. Zero means
	// DefaultConnectTimeout.
	Timeout time.Duration
	// TLS selects clear text, implicit TLS or STLS.
	TLS TLSMode
	// TLSConfig is used for both TLS modes. Nil means a default config; the
	// server name, when missing, is taken from the address dialed.
	// Certificates are verified unless the config says otherwise, and
	// MinVersion, when zero, is DefaultMinTLSVersion. A client certificate
	// goes in Certificates (LoadClientCertificate reads PEM files).
	TLSConfig *tls.Config
	// CAFile names a PEM file of the CA certificates to trust for the
	// server's certificate, in place of the system's roots (a private or
	// corporate CA); CAPEM holds such certificates in memory. Both may be
	// set; their certificates are trusted together. With either set,
	// TLSConfig must not set RootCAs. Dial reads them before connecting and
	// fails with ErrInvalidArgument when the file cannot be read or holds
	// no certificate.
	CAFile string
	CAPEM  []byte
	// Fingerprints pin the server's certificate: each is the SHA-256 of
	// the certificate or of its public key as 64 hex digits (colons
	// allowed, as mpop's tls_fingerprint and openssl print them), or
	// "sha256//" and the base64 of the public key's SHA-256 (curl's
	// --pinnedpubkey). The server must match one. With
	// TLSConfig.InsecureSkipVerify the pin replaces CA verification (a
	// self-signed server); otherwise both must pass. A mismatch fails Dial
	// with ErrTLS wrapping a *PinError naming what the server showed,
	// before any credential is sent. Pins need a TLS mode.
	Fingerprints []string
	// Options configure the Client.
	Options Options
	// NetDialer, if set, makes the TCP connection (e.g. to set a local
	// address).
	NetDialer *net.Dialer
}

// Dial connects to addr ("host:port"; IPv6 literals in brackets) in clear
// text with default options and reads the greeting.
func Dial(ctx context.Context, addr string) (*Client, error) {
	var d Dialer
	return d.Dial(ctx, addr)
}

// Dial connects to addr and returns a client ready to log in: greeting read
// and, for TLSStartTLS, the session upgraded with its capabilities asked
// again over TLS.
func (d *Dialer) Dial(ctx context.Context, addr string) (*Client, error) {
	if ctx == nil {
		ctx = context.Background()
	}
	cfg, err := d.tlsConfig(addr)
	if err != nil {
		return nil, err
	}
	timeout := d.Timeout
	if timeout <= 0 {
		timeout = DefaultConnectTimeout
	}
	dctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	nd := d.NetDialer
	if nd == nil {
		nd = &net.Dialer{}
	}
	conn, err := nd.DialContext(dctx, "tcp", addr)
	if err != nil {
		return nil, &connectError{addr: addr, err: err}
	}
	if d.Options.WaitInThread {
		conn = waitInThread(conn)
	}
	if d.TLS == TLSImplicit {
		tc := tls.Client(conn, cfg)
		if err := tc.HandshakeContext(dctx); err != nil {
			conn.Close()
			return nil, tlsFailure("handshake with "+addr, err)
		}
		conn = tc
	}
	c, err := newClient(dctx, conn, &d.Options)
	if err != nil {
		return nil, err
	}
	c.isTLS = d.TLS == TLSImplicit
	if d.TLS == TLSStartTLS {
		if err := c.startTLS(dctx, cfg); err != nil {
			c.Close()
			return nil, err
		}
	}
	// The connect deadline must not outlive Dial.
	if err := c.begin(ctx); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

// connectError is a failed TCP connection. Its text names the address
// once and then only the cause, where net's own text would repeat the
// operation at each layer ("dial tcp ...: connect: connection refused");
// Unwrap still gives net's error, for errors.As and errors.Is.
type connectError struct {
	addr string
	err  error
}

func (e *connectError) Error() string {
	cause := e.err
	var op *net.OpError
	if errors.As(cause, &op) {
		cause = op.Err
	}
	var se *os.SyscallError
	if errors.As(cause, &se) {
		cause = se.Err
	}
	return "pop3: connect " + e.addr + ": " + cause.Error()
}

func (e *connectError) Unwrap() error { return e.err }

// tlsFailure wraps a failed handshake: in ErrTLS when TLS itself failed,
// as a plain network error when the connection timed out, was cancelled or
// closed, so that a caller can tell a refused certificate from a dead link.
func tlsFailure(what string, err error) error {
	var ne net.Error
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) ||
		errors.Is(err, os.ErrDeadlineExceeded) || errors.Is(err, net.ErrClosed) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) ||
		(errors.As(err, &ne) && ne.Timeout()) {
		return fmt.Errorf("pop3: TLS %s: %w", what, err)
	}
	return fmt.Errorf("%w: %s: %w", ErrTLS, what, err)
}

// tlsConfig is the config both TLS modes use: TLSConfig with the server
// name taken from addr when missing, RootCAs from CAFile and CAPEM, and the
// pins of Fingerprints.
func (d *Dialer) tlsConfig(addr string) (*tls.Config, error) {
	cfg, err := d.caConfig(tlsConfigFor(d.TLSConfig, addr))
	if err != nil || len(d.Fingerprints) == 0 {
		return cfg, err
	}
	if d.TLS == TLSNone {
		return nil, fmt.Errorf("%w: certificate fingerprints given without TLS", ErrInvalidArgument)
	}
	return PinTLSConfig(cfg, d.Fingerprints...)
}

// caConfig sets cfg.RootCAs from CAFile and CAPEM.
func (d *Dialer) caConfig(cfg *tls.Config) (*tls.Config, error) {
	if d.CAFile == "" && d.CAPEM == nil {
		return cfg, nil
	}
	if cfg.RootCAs != nil {
		return nil, fmt.Errorf("%w: Dialer.CAFile or CAPEM together with TLSConfig.RootCAs", ErrInvalidArgument)
	}
	pool := x509.NewCertPool()
	if d.CAFile != "" {
		pem, err := os.ReadFile(d.CAFile)
		if err != nil {
			return nil, fmt.Errorf("%w: CA file: %w", ErrInvalidArgument, err)
		}
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("%w: CA file %s holds no PEM certificate", ErrInvalidArgument, d.CAFile)
		}
	}
	if d.CAPEM != nil && !pool.AppendCertsFromPEM(d.CAPEM) {
		return nil, fmt.Errorf("%w: CAPEM holds no PEM certificate", ErrInvalidArgument)
	}
	cfg.RootCAs = pool
	return cfg, nil
}

func tlsConfigFor(cfg *tls.Config, addr string) *tls.Config {
	if cfg == nil {
		cfg = &tls.Config{}
	} else {
		cfg = cfg.Clone()
	}
	if cfg.MinVersion == 0 {
		cfg.MinVersion = DefaultMinTLSVersion
	}
	if cfg.ServerName == "" {
		if host, _, err := net.SplitHostPort(addr); err == nil {
			cfg.ServerName = host
		}
	}
	return cfg
}

// StartTLS upgrades the session with STLS (RFC 2595) and asks CAPA again,
// since capabilities seen before TLS may have been forged. cfg may be nil;
// its ServerName must then be set on the Dialer path or verification fails.
func (c *Client) StartTLS(ctx context.Context, cfg *tls.Config) error {
	if cfg == nil {
		cfg = &tls.Config{}
	}
	if cfg.ServerName == "" && !cfg.InsecureSkipVerify {
		cfg = tlsConfigFor(cfg, c.conn.RemoteAddr().String())
	} else if cfg.MinVersion == 0 {
		cfg = cfg.Clone()
		cfg.MinVersion = DefaultMinTLSVersion
	}
	return c.startTLS(ctx, cfg)
}

func (c *Client) startTLS(ctx context.Context, cfg *tls.Config) error {
	if c.isTLS {
		return fmt.Errorf("%w: session is already TLS", ErrInvalidArgument)
	}
	capa, err := c.Capa(ctx)
	if err != nil {
		var re *ResponseError
		if errors.As(err, &re) {
			return fmt.Errorf("%w: CAPA failed, so STLS cannot be confirmed: %w", ErrTLSRequired, err)
		}
		return err
	}
	if !capa.Has("STLS") {
		return fmt.Errorf("%w: server does not offer STLS", ErrTLSRequired)
	}
	if _, err := c.cmd(ctx, "STLS"); err != nil {
		var re *ResponseError
		if errors.As(err, &re) {
			return fmt.Errorf("%w: %w", ErrTLSRequired, err)
		}
		return err
	}
	// Anything already buffered was sent before the handshake, in clear
	// text, and an attacker could have injected it (CVE-2021-22947).
	if n := c.buffered(); n > 0 {
		return c.fail(&ProtocolError{Cmd: "STLS", Msg: fmt.Sprintf("%d octets received after +OK and before the TLS handshake", n)})
	}
	// Nor may any wait on the socket: a server speaks TLS only after the
	// ClientHello, which is not sent yet.
	if waitingOnSocket(c.conn) {
		return c.fail(&ProtocolError{Cmd: "STLS", Msg: "octets received after +OK and before the TLS handshake"})
	}
	tc := tls.Client(c.conn, cfg)
	if err := tc.HandshakeContext(ctx); err != nil {
		return c.fail(tlsFailure("STLS handshake", err))
	}
	c.dl.Lock()
	c.setConn(tc)
	c.dl.Unlock()
	c.isTLS = true
	c.capa = nil
	if _, err := c.Capa(ctx); err != nil {
		var re *ResponseError
		if !errors.As(err, &re) {
			return err
		}
	}
	return nil
}
