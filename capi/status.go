// The one table from errors to NetX status codes.

package main

/*
#include "capi_internal.h"
*/
import "C"

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"syscall"

	"github.com/nxpop3/nxpop3/pop3"
)

// Status codes as Go values, for the table below.
const (
	nxSuccess       = C.UINT(C.NX_SUCCESS)
	nxNoPacket      = C.UINT(C.NX_NO_PACKET)
	nxPtrError      = C.UINT(C.NX_PTR_ERROR)
	nxSizeError     = C.UINT(C.NX_SIZE_ERROR)
	nxCallerError   = C.UINT(C.NX_CALLER_ERROR)
	nxNotEnabled    = C.UINT(C.NX_NOT_ENABLED)
	nxNoResponse    = C.UINT(C.NX_NO_RESPONSE)
	nxNotConnected  = C.UINT(C.NX_NOT_CONNECTED)
	nxNotSuccessful = C.UINT(C.NX_NOT_SUCCESSFUL)
	nxNotFound      = C.UINT(C.NX_NOT_FOUND)
	nxWaitAborted   = C.UINT(C.NX_WAIT_ABORTED)
	nxParamError    = C.UINT(C.NX_POP3_PARAM_ERROR)
	nxInvalidItem   = C.UINT(C.NX_POP3_INVALID_MAIL_ITEM)
	nxServerError   = C.UINT(C.NX_POP3_SERVER_ERROR_STATUS)
	nxPayload       = C.UINT(C.NX_POP3_INSUFFICIENT_PACKET_PAYLOAD)
	nxInvalidState  = C.UINT(C.NX_POP3_CLIENT_INVALID_STATE)
	nxInvalidIndex  = C.UINT(C.NX_POP3_CLIENT_INVALID_INDEX)
	nxTLSError      = C.UINT(C.NX_POP3_TLS_ERROR)
)

// statusError is a failure found by capi itself, with its NetX status.
type statusError struct {
	status C.UINT
	msg    string
}

func (e *statusError) Error() string { return e.msg }

// statusErrorf makes a failure capi found itself, with the NetX status it
// returns. (pop3's Client.fail is another thing: it ends a session.)
func statusErrorf(status C.UINT, format string, args ...any) error {
	return &statusError{status, fmt.Sprintf(format, args...)}
}

// errConnect marks failures to establish the TCP connection, so that a
// connect timeout maps to NX_NOT_CONNECTED rather than NX_NO_RESPONSE.
var errConnect = errors.New("connect failed")

// connectFailed is a failure to connect, marked errConnect without adding
// to its text, which already says it.
type connectFailed struct{ error }

func (e connectFailed) Unwrap() error        { return e.error }
func (e connectFailed) Is(target error) bool { return target == errConnect }

// status maps any error of a call to its NetX status: the one table from Go
// errors to NetX codes. The README's table is this function in prose; keep
// them together. The order matters where an error matches several rows.
func status(err error) C.UINT {
	if err == nil {
		return nxSuccess // before the errors.As targets, which escape to the heap
	}
	var (
		se  *statusError
		re  *pop3.ResponseError
		pe  *pop3.ProtocolError
		dns *net.DNSError
	)
	switch {
	case errors.As(err, &se):
		return se.status
	case errors.Is(err, pop3.ErrClosed):
		return nxNotConnected
	case errors.Is(err, context.Canceled):
		return nxWaitAborted
	case errors.Is(err, pop3.ErrInvalidArgument):
		return nxParamError
	case errors.Is(err, pop3.ErrTLSRequired), errors.Is(err, pop3.ErrTLS):
		return nxTLSError
	case errors.As(err, &re), errors.As(err, &pe), errors.Is(err, pop3.ErrNoTimestamp),
		errors.Is(err, pop3.ErrServerSignature):
		return nxServerError
	case errors.As(err, &dns):
		return nxNotFound
	case errors.Is(err, errConnect):
		return nxNotConnected
	case errors.Is(err, os.ErrDeadlineExceeded), errors.Is(err, context.DeadlineExceeded):
		return nxNoResponse
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF),
		errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE),
		errors.Is(err, net.ErrClosed):
		return nxNotConnected
	}
	return nxNotSuccessful
}
