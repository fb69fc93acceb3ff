// Package hostile is the project's catalogue of misbehaving POP3 servers,
// each with the safe outcome a correct client must reach: Cases. Each case
// starts a server of its own per run (Case.Start returns a Run: address,
// stop, and the client TLS configuration that trusts that server), so one
// catalogue serves parallel runs. pop3/hostile_test.go plays it against
// the Go core, capi/hostile_test.go against the C API; the README's table
// is generated from it (TestREADMETable).
//
// The scripted servers are pop3test's: this package holds only the cases.
package hostile
