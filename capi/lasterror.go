// The last failure of a client: its text and RFC 2449 response code.

package main

/*
#include "capi_internal.h"
*/
import "C"

import (
	"errors"
	"strings"
	"sync"

	"github.com/nxpop3/nxpop3/pop3"
)

// nx_pop3_client_error_text copies the text of the client's last failure
// (the server's -ERR text, or the network or TLS error) into buffer, always
// NUL-terminated: the whole text when buffer holds it, however long (the
// struct's own field keeps its first NX_POP3_ERROR_TEXT_SIZE - 1
// characters), else cut to size. It never holds the password. It works
// after a failed create too, until the struct is reused or deleted.
//
// Status: NX_SUCCESS; NX_PTR_ERROR (NULL pointer, or a struct that is
// neither a client nor a failed create); NX_SIZE_ERROR (size 0, or the text
// was cut to fit).
//
//export nx_pop3_client_error_text
func nx_pop3_client_error_text(client_ptr *C.NX_POP3_CLIENT, buffer *C.CHAR, size C.UINT) C.UINT {
	return guard(func() C.UINT {
		if client_ptr == nil || buffer == nil {
			return nxPtrError
		}
		if size == 0 {
			return nxSizeError
		}
		copyText := func() C.UINT {
			text := errorText(client_ptr)
			setCString(buffer, int(size), text)
			if len(text) >= int(size) {
				return nxSizeError
			}
			return nxSuccess
		}
		if client_ptr.nx_pop3_client_id == idFailed {
			return copyText()
		}
		st := nxSuccess
		if s := call(client_ptr, func(*client) error { st = copyText(); return nil }); s != nxSuccess {
			return s
		}
		return st
	})
}

// nx_pop3_client_response_code_get tells which RFC 2449 response code the
// server gave with its last -ERR, so a caller can tell a locked mailbox
// (NX_POP3_RESP_IN_USE) or a login delay from wrong credentials
// (NX_POP3_RESP_AUTH). NX_POP3_RESP_NONE after a failure without one. It
// works after a failed create too.
//
// Status: NX_SUCCESS; NX_PTR_ERROR (NULL, or a struct that is neither a
// client nor a failed create).
//
//export nx_pop3_client_response_code_get
func nx_pop3_client_response_code_get(client_ptr *C.NX_POP3_CLIENT, response_code *C.UINT) C.UINT {
	return guard(func() C.UINT {
		if client_ptr == nil || response_code == nil {
			return nxPtrError
		}
		if client_ptr.nx_pop3_client_id == idFailed {
			*response_code = client_ptr.nx_pop3_client_response_code
			return nxSuccess
		}
		return call(client_ptr, func(c *client) error {
			*response_code = client_ptr.nx_pop3_client_response_code
			return nil
		})
	})
}

// longErrors holds the whole text of the last error of each struct whose
// text does not fit its NX_POP3_ERROR_TEXT_SIZE field (a certificate
// error, a long -ERR), so that nx_pop3_client_error_text can return all of
// it to a caller with a larger buffer. Only texts that do not fit are
// kept, and at most maxLongErrors of them: a caller that never deletes its
// failed structs cannot grow it without bound.
var longErrors = struct {
	sync.Mutex
	text map[*C.NX_POP3_CLIENT]string
}{text: map[*C.NX_POP3_CLIENT]string{}}

const maxLongErrors = 1024

// setLongError keeps text for p when the struct's field cannot hold it,
// and forgets p's earlier text otherwise (text "": p is deleted).
func setLongError(p *C.NX_POP3_CLIENT, text string) {
	longErrors.Lock()
	defer longErrors.Unlock()
	if len(text) < C.NX_POP3_ERROR_TEXT_SIZE {
		delete(longErrors.text, p)
		return
	}
	if _, ok := longErrors.text[p]; !ok && len(longErrors.text) >= maxLongErrors {
		for k := range longErrors.text {
			delete(longErrors.text, k) // any one: a bound, not a cache policy
			break
		}
	}
	longErrors.text[p] = text
}

// errorText returns the text of p's last error: the whole of it when the
// struct's field holds its beginning, else what the field holds (the
// struct was written over by other code since).
func errorText(p *C.NX_POP3_CLIENT) string {
	field := &p.nx_pop3_client_error_text[0]
	text := C.GoStringN(field, C.int(C.strnlen(field, C.NX_POP3_ERROR_TEXT_SIZE)))
	longErrors.Lock()
	defer longErrors.Unlock()
	if whole, ok := longErrors.text[p]; ok && len(text) == C.NX_POP3_ERROR_TEXT_SIZE-1 && strings.HasPrefix(whole, text) {
		return whole
	}
	return text
}

// setError records a failure in the struct, where the error-text and
// response-code services find it, even after a failed create.
func setError(p *C.NX_POP3_CLIENT, err error) {
	text := err.Error()
	setCString(&p.nx_pop3_client_error_text[0], C.NX_POP3_ERROR_TEXT_SIZE, text)
	setLongError(p, text)
	var re *pop3.ResponseError
	p.nx_pop3_client_response_code = C.NX_POP3_RESP_NONE
	if errors.As(err, &re) {
		p.nx_pop3_client_response_code = respCode(re.Code)
	}
}

// respCode maps an RFC 2449 response code to its NX_POP3_RESP_ value.
func respCode(code string) C.UINT {
	switch code {
	case "":
		return C.NX_POP3_RESP_NONE
	case "IN-USE":
		return C.NX_POP3_RESP_IN_USE
	case "LOGIN-DELAY":
		return C.NX_POP3_RESP_LOGIN_DELAY
	case "SYS/TEMP":
		return C.NX_POP3_RESP_SYS_TEMP
	case "SYS/PERM":
		return C.NX_POP3_RESP_SYS_PERM
	case "AUTH":
		return C.NX_POP3_RESP_AUTH
	}
	return C.NX_POP3_RESP_OTHER
}
