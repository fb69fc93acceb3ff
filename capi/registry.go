// The handles that tie a C struct to its Go session.

package main

/*
#include "capi_internal.h"
*/
import "C"

import (
	"context"
	"sync"
	"sync/atomic"

	"github.com/nxpop3/nxpop3/pop3"
)

// A client is the Go side of one NX_POP3_CLIENT. C holds only its handle,
// a number, never a Go pointer; the registry maps it back and checks that
// the struct presenting it is the one it was given to.
type client struct {
	mu   sync.Mutex // serialises calls on one client from several C threads
	cptr *C.NX_POP3_CLIENT
	pool *C.NX_PACKET_POOL

	ctx    context.Context // cancelled by nx_pop3_client_delete
	cancel context.CancelFunc
	pc     *pop3.Client

	password []byte // wiped on delete
	count    int    // messages in the maildrop at the last STAT; -1 before

	msg      *pop3.Message // message being downloaded by message_get
	ahead    [1]byte       // a byte read ahead to see whether the data ended
	hasAhead bool

	packetWait C.ULONG // ticks message_get waits for a packet
	fetchBytes C.ULONG // mail_items_fetch's budget of reply bytes in flight; 0: the default

	cbThread atomic.Uint64 // the C thread running this client's callbacks, or 0
}

// registry is the process-wide table of live clients. It is the one piece of
// global state: C code refers to clients by handle from any thread.
var registry = struct {
	sync.Mutex
	next    C.ULONG
	clients map[C.ULONG]*client
	structs map[*C.NX_POP3_CLIENT]*client // the same clients, by struct
}{clients: map[C.ULONG]*client{}, structs: map[*C.NX_POP3_CLIENT]*client{}}

func register(c *client) {
	registry.Lock()
	defer registry.Unlock()
	registry.next++
	h := registry.next
	registry.clients[h] = c
	registry.structs[c.cptr] = c
	c.cptr.nx_pop3_client_handle = h
	c.cptr.nx_pop3_client_id = C.NX_POP3_CLIENT_ID
}

// holdsClient reports whether the struct at p is a live client's, without
// reading it: create is given structs that hold garbage (an uninitialised
// stack variable), and must not branch on it.
func holdsClient(p *C.NX_POP3_CLIENT) bool {
	registry.Lock()
	defer registry.Unlock()
	return registry.structs[p] != nil
}

// lookup returns the client of a struct, or nil for a struct that was never
// created, was deleted, holds garbage, or is a copy of a live one.
func lookup(p *C.NX_POP3_CLIENT) *client {
	if p == nil || p.nx_pop3_client_id != C.NX_POP3_CLIENT_ID {
		return nil
	}
	registry.Lock()
	defer registry.Unlock()
	c := registry.clients[p.nx_pop3_client_handle]
	if c == nil || c.cptr != p {
		return nil
	}
	return c
}

// isLive reports whether p is the struct of a live client.
func isLive(p *C.NX_POP3_CLIENT) bool { return lookup(p) != nil }

func unregister(c *client) {
	registry.Lock()
	defer registry.Unlock()
	delete(registry.clients, c.cptr.nx_pop3_client_handle)
	delete(registry.structs, c.cptr)
}

// liveClients is the number of registered clients; tests check it returns
// to zero.
func liveClients() int {
	registry.Lock()
	defer registry.Unlock()
	return len(registry.clients)
}
