// Package pop3 is a POP3 client (RFC 1939) with the extensions mail servers
// speak today: CAPA and PIPELINING (RFC 2449), SASL AUTH (RFC 5034), STLS and
// implicit TLS (RFC 2595, RFC 8314).
package pop3
