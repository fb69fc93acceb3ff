package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/nxpop3/nxpop3/pop3"
)

// TestStatusTable checks every row of status(), the one table from Go
// errors to NetX codes, and the rows whose order decides an error that
// matches several: a hand-made mutation of the table (a row dropped, two
// rows swapped, a code changed) fails here, without building a C program
// (README, "Mutation testing").
func TestStatusTable(t *testing.T) {
	wrap := func(err error) error { return fmt.Errorf("pop3: RETR: %w", err) }
	cases := []struct {
		name string
		err  error
		want uint
	}{
		{"nil", nil, uint(nxSuccess)},
		{"capi's own failure", wrap(statusErrorf(nxInvalidIndex, "index 0")), uint(nxInvalidIndex)},
		{"capi's own failure inside ErrClosed", fmt.Errorf("%w: %w", pop3.ErrClosed, statusErrorf(nxPayload, "x")), uint(nxPayload)},
		{"session closed", wrap(pop3.ErrClosed), uint(nxNotConnected)},
		{"session closed by a protocol error", fmt.Errorf("%w: %w", pop3.ErrClosed, &pop3.ProtocolError{Cmd: "STAT"}), uint(nxNotConnected)},
		{"session closed by a cancel", fmt.Errorf("%w: %w", pop3.ErrClosed, context.Canceled), uint(nxNotConnected)},
		{"cancelled", wrap(context.Canceled), uint(nxWaitAborted)},
		{"cancelled during a timeout", fmt.Errorf("%w: %w", context.Canceled, os.ErrDeadlineExceeded), uint(nxWaitAborted)},
		{"invalid argument", wrap(pop3.ErrInvalidArgument), uint(nxParamError)},
		{"invalid argument and a server error", fmt.Errorf("%w: %w", pop3.ErrInvalidArgument, &pop3.ResponseError{}), uint(nxParamError)},
		{"TLS required", wrap(pop3.ErrTLSRequired), uint(nxTLSError)},
		{"TLS failed", wrap(pop3.ErrTLS), uint(nxTLSError)},
		{"TLS failed by a timeout", fmt.Errorf("%w: %w", pop3.ErrTLS, os.ErrDeadlineExceeded), uint(nxTLSError)},
		{"TLS refused by -ERR", fmt.Errorf("%w: %w", pop3.ErrTLSRequired, &pop3.ResponseError{Cmd: "STLS"}), uint(nxTLSError)},
		{"-ERR", wrap(&pop3.ResponseError{Cmd: "RETR", Text: "no such message"}), uint(nxServerError)},
		{"protocol error", wrap(&pop3.ProtocolError{Cmd: "STAT"}), uint(nxServerError)},
		{"line too long", &pop3.ProtocolError{Cmd: "STAT", Err: pop3.ErrLineTooLong}, uint(nxServerError)},
		{"no APOP timestamp", wrap(pop3.ErrNoTimestamp), uint(nxServerError)},
		{"SCRAM server signature wrong", wrap(pop3.ErrServerSignature), uint(nxServerError)},
		{"OAUTHBEARER refused", &pop3.OAuthError{Status: "invalid_token", Err: &pop3.ResponseError{Cmd: "AUTH"}}, uint(nxServerError)},
		{"pin mismatch", fmt.Errorf("%w: %w", pop3.ErrTLS, &pop3.PinError{}), uint(nxTLSError)},
		{"-ERR and a DNS error", fmt.Errorf("%w: %w", &pop3.ResponseError{}, &net.DNSError{}), uint(nxServerError)},
		{"host not found", wrap(&net.DNSError{Err: "no such host", Name: "nowhere.invalid", IsNotFound: true}), uint(nxNotFound)},
		{"host not found while connecting", fmt.Errorf("%w: %w", errConnect, &net.DNSError{IsNotFound: true}), uint(nxNotFound)},
		{"connect refused", fmt.Errorf("%w: %w", errConnect, syscall.ECONNREFUSED), uint(nxNotConnected)},
		{"connect timed out", fmt.Errorf("%w: %w", errConnect, os.ErrDeadlineExceeded), uint(nxNotConnected)},
		{"reply timeout", wrap(os.ErrDeadlineExceeded), uint(nxNoResponse)},
		{"context deadline", wrap(context.DeadlineExceeded), uint(nxNoResponse)},
		{"timeout then EOF", fmt.Errorf("%w: %w", os.ErrDeadlineExceeded, io.EOF), uint(nxNoResponse)},
		{"cut short", wrap(io.ErrUnexpectedEOF), uint(nxNotConnected)},
		{"EOF", wrap(io.EOF), uint(nxNotConnected)},
		{"reset", wrap(syscall.ECONNRESET), uint(nxNotConnected)},
		{"broken pipe", wrap(syscall.EPIPE), uint(nxNotConnected)},
		{"closed connection", wrap(net.ErrClosed), uint(nxNotConnected)},
		{"anything else", errors.New("disk full"), uint(nxNotSuccessful)},
		{"connection refused outside connect", wrap(syscall.ECONNREFUSED), uint(nxNotSuccessful)},
	}
	for _, tc := range cases {
		assert.Equal(t, fmt.Sprintf("0x%02X", tc.want), fmt.Sprintf("0x%02X", uint(status(tc.err))), tc.name)
	}
}
