// Package nxhost is the host emulation of the NetX Duo and ThreadX services
// that a POP3 application calls besides the POP3 client itself: packet
// pools and packets, IP instances and the stubs around them (nx_api.h), and
// ThreadX threads, byte pools, mutexes and time on POSIX threads (tx_api.h).
//
// It is C only. capi imports it for its side effect: cgo compiles these
// files into the same archive as the POP3 binding, so an application links
// one library. nx_host_internal.h declares the few checks capi makes on the
// caller's pool and IP instance; nothing else here is seen from Go.
package nxhost

// The shims build as strict C99, the standard applications compile against.

// #cgo CFLAGS: -std=c99 -Wall -Wextra -Werror
// #cgo LDFLAGS: -lpthread
import "C"
