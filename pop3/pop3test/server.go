package pop3test

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"slices"
	"sync"
	"time"
)

// DefaultGreeting is the greeting text used when Options.Greeting is empty.
const DefaultGreeting = "nxpop3 test server ready"

// DefaultSASL returns the SASL mechanisms offered when Options.SASL is nil.
func DefaultSASL() []string { return []string{"PLAIN", "LOGIN", "CRAM-MD5", "XOAUTH2"} }

// Options configure a Server. The zero value is a plain-text server offering
// USER/PASS, APOP, CAPA and every supported SASL mechanism.
type Options struct {
	// Greeting is the text after "+OK " in the greeting; empty means
	// DefaultGreeting. The APOP timestamp is appended unless NoTimestamp.
	Greeting string
	// Timestamp is the APOP timestamp, angle brackets included. Empty means
	// a fresh "<pid.nanotime@pop3test>" for every session, as RFC 1939 asks.
	Timestamp string
	// NoTimestamp leaves the timestamp out of the greeting, which makes
	// APOP unavailable.
	NoTimestamp bool
	// DisableAPOP answers APOP with -ERR even though a timestamp is sent,
	// so a client's fallback to USER/PASS can be tested.
	DisableAPOP bool
	// DisableUser answers USER and PASS with -ERR and drops USER from CAPA.
	DisableUser bool
	// Pipelining advertises PIPELINING in CAPA. Commands are processed in
	// order whether or not it is set, so it only changes what a client
	// believes it may do.
	Pipelining bool
	// NoCAPA answers CAPA with -ERR, like a strict RFC 1939 server.
	NoCAPA bool
	// SASL lists the mechanisms offered in CAPA and accepted by AUTH, in
	// that order. Nil means DefaultSASL(); an empty non-nil slice offers
	// none. Supported: PLAIN, LOGIN, CRAM-MD5, XOAUTH2.
	SASL []string
	// STLS offers and accepts STLS, using a certificate generated for the
	// server (see ClientTLSConfig).
	STLS bool
	// ImplicitTLS makes the listener speak TLS from the first byte (pop3s).
	ImplicitTLS bool
	// MaxTLSVersion, when set, is the newest TLS version the server speaks
	// (tls.VersionTLS12, say); below TLS 1.2 it also accepts TLS 1.0, so a
	// client's minimum version can be tested against an old server.
	MaxTLSVersion uint16
	// ClientCAs, when set, makes the TLS handshake require a client
	// certificate signed by one of them (tls.RequireAndVerifyClientCert), so
	// a client without one, or with another, gets the TLS alert.
	ClientCAs *x509.CertPool
	// RequireTLSForAuth answers USER, PASS and AUTH with "-ERR [AUTH] ..."
	// on a connection that is not TLS. APOP stays allowed because it never
	// sends the password.
	RequireTLSForAuth bool
	// ReplyDelay models network latency: the server sleeps this long before
	// sending each batch of replies, that is each time it has answered every
	// command received so far. A client waiting for every reply pays it per
	// command, a pipelining client once per batch, which is what a
	// pipelining benchmark wants to show (1ms is a good value).
	ReplyDelay time.Duration
	// Faults injects misbehaviour; nil means none.
	Faults *Faults
	// Logf, if set, receives a debug log of the traffic (status lines only,
	// not message data). It is called from several goroutines.
	Logf func(format string, args ...any)
}

// Server is a POP3 server listening on a local address. Create it with
// NewServer or NewServerOn and stop it with Close.
type Server struct {
	opts  Options
	mechs []string
	tls   *tlsMaterial
	*acceptor

	mu       sync.Mutex
	users    map[string]*Mailbox
	commands []string
}

// NewServer starts a server on an ephemeral port of 127.0.0.1.
func NewServer(opts Options) (*Server, error) {
	return NewServerOn("tcp", "127.0.0.1:0", opts)
}

// NewServerOn starts a server listening on addr, e.g. NewServerOn("tcp6",
// "[::1]:0", opts). The certificate covers localhost, 127.0.0.1 and ::1
// only.
func NewServerOn(network, addr string, opts Options) (*Server, error) {
	mechs := opts.SASL
	if mechs == nil {
		mechs = DefaultSASL()
	}
	for _, m := range mechs {
		if !supportedMech(m) {
			return nil, fmt.Errorf("pop3test: unsupported SASL mechanism %q", m)
		}
	}
	tm, err := newTLSMaterial()
	if err != nil {
		return nil, err
	}
	if opts.MaxTLSVersion != 0 {
		tm.server.MaxVersion = opts.MaxTLSVersion
		if opts.MaxTLSVersion < tm.server.MinVersion {
			tm.server.MinVersion = tls.VersionTLS10
		}
	}
	if opts.ClientCAs != nil {
		tm.server.ClientCAs = opts.ClientCAs
		tm.server.ClientAuth = tls.RequireAndVerifyClientCert
	}
	ln, err := net.Listen(network, addr)
	if err != nil {
		return nil, fmt.Errorf("pop3test: %w", err)
	}
	s := &Server{
		opts:     opts,
		mechs:    slices.Clone(mechs),
		tls:      tm,
		acceptor: newAcceptor(ln),
		users:    make(map[string]*Mailbox),
	}
	s.serve(s.handle, s.logf)
	return s, nil
}

// Addr returns the listening address as host:port.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Close stops the listener, closes every session without committing its
// deletions, and waits until all of the server's goroutines have returned.
func (s *Server) Close() error { return s.stop() }

// AddUser creates the mailbox of user name with the given password and
// messages, and returns it. If the user exists already, its password is
// replaced and the messages are appended. The message slices are kept, not
// copied, so that large benchmark messages are not duplicated; do not modify
// them afterwards.
func (s *Server) AddUser(name, password string, msgs ...[]byte) *Mailbox {
	s.mu.Lock()
	m := s.users[name]
	if m == nil {
		m = &Mailbox{name: name}
		s.users[name] = m
	}
	s.mu.Unlock()
	m.mu.Lock()
	m.password = password
	m.mu.Unlock()
	for _, msg := range msgs {
		m.Add(msg)
	}
	return m
}

// Mailbox returns the mailbox of user name, or nil if there is none.
func (s *Server) Mailbox(name string) *Mailbox {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.users[name]
}

// Commands returns every line the server received from clients, in order of
// arrival across all sessions, without the line terminator. SASL responses
// are included, and passwords are kept as sent so that tests can assert
// them.
func (s *Server) Commands() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.commands)
}

// Sessions returns the number of connections accepted so far.
func (s *Server) Sessions() int { return s.count() }

// ClientTLSConfig returns a fresh client configuration that trusts the
// server's generated CA and expects the name "localhost".
func (s *Server) ClientTLSConfig() *tls.Config {
	return &tls.Config{
		RootCAs:    s.tls.pool,
		ServerName: "localhost",
		MinVersion: tls.VersionTLS12,
	}
}

// CACertPEM returns the PEM encoding of the CA that signed the server's
// certificate, for clients that take a CA file.
func (s *Server) CACertPEM() []byte { return slices.Clone(s.tls.caPEM) }

func (s *Server) handle(c net.Conn, _ int) {
	ss := newSession(s, c)
	ss.run()
	ss.end()
}

func (s *Server) record(line string) {
	s.mu.Lock()
	s.commands = append(s.commands, line)
	s.mu.Unlock()
}

func (s *Server) logf(format string, args ...any) {
	if s.opts.Logf != nil {
		s.opts.Logf(format, args...)
	}
}
