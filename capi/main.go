// Command capi is built with -buildmode=c-archive into libnxpop3.a: the
// NetX Duo POP3 Client API for C programs, served by the pure-Go client in
// package pop3.
//
// capi checks arguments, turns results into NetX status codes and moves
// message data into packets of the caller's pool; it holds no protocol
// logic. Each file holds one concern: create.go the create calls and their
// options, vendor.go the vendor's other services, message.go message data
// in packets, listing.go capabilities and listings, fetch.go the pipelined
// fetch, lasterror.go the error text and response code, status.go the one
// table from errors to NetX status codes, call.go how every service runs,
// registry.go the handles that tie a C struct to its Go session, cstring.go
// C strings. The NetX and ThreadX host emulation (packet pools, IP
// instances, threads) is package nxhost.
package main

import (
	"C"

	// The NetX and ThreadX host emulation, compiled into the same archive.
	_ "github.com/nxpop3/nxpop3/nxhost"
)

// main is required by -buildmode=c-archive and never runs.
func main() {}
