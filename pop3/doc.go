// Package pop3 is a POP3 client (RFC 1939) with the extensions mail servers
// speak today: CAPA and PIPELINING (RFC 2449), SASL AUTH (RFC 5034) with
// SCRAM (RFC 5802, RFC 7677) and OAUTHBEARER (RFC 7628) among its
// mechanisms, STLS and implicit TLS (RFC 2595, RFC 8314) with client
// certificates and certificate pinning.
//
// A Dialer connects and reads the greeting (dial.go); Client.Login
// authenticates (login.go, auth.go, sasl.go, scram.go, oauthbearer.go);
// tlsconfig.go and pin.go hold the TLS extras. The Client's methods are
// named for the command they send, as the RFCs spell it with Go's
// initialisms: Stat, List, UIDL, Retr, Top, Dele, Noop, Rset, Quit, Capa
// (mailbox.go, retr.go, capa.go); the types are named for what they hold
// (Capabilities, MessageInfo, Message). A Message streams its data with
// dot-stuffing removed (dot.go); Fetch pipelines RETR and DELE
// (pipeline.go). Errors are typed where callers branch (errors.go):
// ResponseError, ProtocolError, and sentinels such as ErrTLS and
// ErrTLSRequired. Package pop3test is the server for tests.
package pop3
