// Package pop3 is a POP3 client (RFC 1939) with the extensions mail servers
// speak today: CAPA and PIPELINING (RFC 2449), SASL AUTH (RFC 5034) with
// SCRAM (RFC 5802, RFC 7677) and OAUTHBEARER (RFC 7628) among its
// mechanisms, STLS and implicit TLS (RFC 2595, RFC 8314) with client
// certificates and certificate pinning.
//
// # Connecting
//
// A Dialer connects and reads the greeting. TLSImplicit speaks TLS from the
// first byte (pop3s, port 995); TLSStartTLS upgrades with STLS before
// anything else is sent and fails with ErrTLSRequired, before any
// credential, when the server cannot; TLSNone is clear text. Certificates
// are verified against the system's roots, or against a private CA given
// as a file (Dialer.CAFile) or PEM bytes (Dialer.CAPEM), or as TLSConfig
// says:
//
//	d := pop3.Dialer{TLS: pop3.TLSImplicit}
//	c, err := d.Dial(ctx, "pop.example.com:995")
//
// Dialer.Fingerprints pins the server's certificate or public key by
// SHA-256, alone (TLSConfig.InsecureSkipVerify) or besides CA verification;
// a mismatch is ErrTLS wrapping a *PinError naming what the server showed. A
// client certificate goes in TLSConfig.Certificates (LoadClientCertificate
// reads PEM files); TLS 1.2 is the oldest version accepted unless
// TLSConfig.MinVersion says otherwise.
//
// # Logging in
//
// Client.Login picks a method (AuthAuto asks CAPA: SCRAM-SHA-256, then
// SCRAM-SHA-1; PLAIN over TLS, else CRAM-MD5, APOP, then PLAIN or
// USER/PASS) or uses the one asked for. A SCRAM server must prove it knows
// the password: one that does not fails the login with ErrServerSignature,
// even after +OK. A password readable on the wire (USER/PASS, PLAIN,
// LOGIN, XOAUTH2, OAUTHBEARER) is sent only over TLS, to a server on a
// loopback address, or with
// Options.InsecureAuth; otherwise Login fails with ErrInsecureAuth before
// sending it, as net/smtp's PlainAuth does. APOP, CRAM-MD5 and SCRAM never
// send the password. LoginOptions.Strict forbids a readable password without
// TLS even then; Options.RequireTLS forbids every credential without TLS.
// Credentials holding CR, LF or NUL are refused.
//
// # Reading and deleting mail
//
// The Client's methods are named for the command they send: Stat, List,
// UIDL, Retr, Top, Dele, Noop, Rset, Quit, Capa. Retr and Top return a
// Message, an io.Reader of exactly the stored bytes (dot-stuffing and the
// terminator removed) that streams, so memory does not grow with the
// message. Fetch retrieves many messages, pipelined when the server offers
// PIPELINING, and with FetchOptions.Delete deletes each one its callback
// accepted. The server applies deletions only at QUIT (RFC 1939), and
// only a nil error from Quit says it did; Close sends no QUIT, so a session
// closed or broken before it deletes nothing.
//
// # Errors and timeouts
//
// A -ERR reply is a *ResponseError (with the RFC 2449 response code in
// Code), a malformed reply a *ProtocolError; sentinels such as ErrTLS,
// ErrTLSRequired, ErrInsecureAuth and ErrLineTooLong are tested with
// errors.Is. Network failures keep their cause. Every call takes a
// context.Context; Options.ReplyTimeout (10 s by default) bounds each wait
// for the server, so a silent server fails in bounded time. Passwords
// never appear in errors or in the DebugWriter trace.
//
// # Testing
//
// Package pop3test is an in-memory server for tests: pop3test.Start(t,
// opts) starts one for a test and closes it when the test ends, as
// net/http/httptest does for HTTP; the examples here run against it.
package pop3
