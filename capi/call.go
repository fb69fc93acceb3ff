package main

/*
#include "capi_internal.h"
*/
import "C"

import (
	"errors"
	"fmt"

	"github.com/nxpop3/nxpop3/pop3"
)

// statusError is a failure found by capi itself, with its NetX status.
type statusError struct {
	status C.UINT
	msg    string
}

func (e *statusError) Error() string { return e.msg }

func fail(status C.UINT, format string, args ...any) error {
	return &statusError{status, fmt.Sprintf(format, args...)}
}

// status maps any error of a call to its NetX status.
func status(err error) C.UINT {
	if err == nil {
		return nxSuccess // before the errors.As targets, which escape to the heap
	}
	var se *statusError
	if errors.As(err, &se) {
		return se.status
	}
	return statusOf(err)
}

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

// setError records a failure in the struct, where the error-text and
// response-code services find it, even after a failed create.
func setError(p *C.NX_POP3_CLIENT, err error) {
	setCString(&p.nx_pop3_client_error_text[0], C.NX_POP3_ERROR_TEXT_SIZE, err.Error())
	var re *pop3.ResponseError
	p.nx_pop3_client_response_code = C.NX_POP3_RESP_NONE
	if errors.As(err, &re) {
		p.nx_pop3_client_response_code = respCode(re.Code)
	}
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
