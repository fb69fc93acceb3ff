// How every service runs: one call at a time per client, panics contained,
// failures recorded.

package main

/*
#include "capi_internal.h"
*/
import "C"

import "fmt"

// call runs fn for the live client of p, one call at a time per client. A
// struct that is not a live client gets NX_PTR_ERROR; a Go panic becomes
// NX_NOT_SUCCESSFUL instead of taking the C program down. Failures are
// recorded for nx_pop3_client_error_text.
func call(p *C.NX_POP3_CLIENT, fn func(c *client) error) (st C.UINT) {
	defer func() {
		if r := recover(); r != nil {
			st = nxNotSuccessful
			if isLive(p) {
				setError(p, fmt.Errorf("internal error: %v", r))
			}
		}
	}()
	c := lookup(p)
	if c == nil {
		return nxPtrError
	}
	if c.isCallbackThread() {
		// Waiting for the lock this thread already holds would deadlock.
		setError(p, fail(nxCallerError, "called from this client's own callback"))
		return nxCallerError
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if lookup(p) != c {
		return nxPtrError // deleted while this call waited
	}
	err := fn(c)
	if err != nil {
		setError(p, err)
	}
	return status(err)
}

// guard is call for entry points that have no live client yet.
func guard(fn func() C.UINT) (st C.UINT) {
	defer func() {
		if r := recover(); r != nil {
			st = nxNotSuccessful
		}
	}()
	return fn()
}

// inCallbacks runs fn, which calls the caller's C callbacks, marking this
// thread so that a service called from a callback on the same client is
// refused instead of deadlocking. Other threads just wait their turn.
func (c *client) inCallbacks(fn func()) {
	c.cbThread.Store(uint64(C.pthread_self()))
	defer c.cbThread.Store(0)
	fn()
}

func (c *client) isCallbackThread() bool {
	t := c.cbThread.Load()
	return t != 0 && C.pthread_equal(C.pthread_t(t), C.pthread_self()) != 0
}
