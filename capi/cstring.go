// Strings across the boundary: read with a bound, written NUL-terminated.

package main

/*
#include "capi_internal.h"
*/
import "C"

import "unsafe"

// maxCredential bounds a name or password read from C, so an unterminated
// buffer cannot be read without end. OAuth tokens fit with room to spare.
const maxCredential = 64 * 1024

// cString reads a C string of at most maxCredential bytes.
func cString(s *C.CHAR, what string) (string, error) {
	n := C.strnlen(s, maxCredential+1)
	if n > maxCredential {
		return "", fail(nxParamError, "%s longer than %d bytes", what, maxCredential)
	}
	return C.GoStringN(s, C.int(n)), nil
}

// setCString copies s into a fixed C array of size n, cut to fit and always
// NUL-terminated.
func setCString(dst *C.CHAR, n int, s string) {
	b := unsafe.Slice((*byte)(unsafe.Pointer(dst)), n)
	k := copy(b[:n-1], s)
	clear(b[k:])
}

// copyOut copies s into a caller's buffer, NUL-terminated, and reports a
// cut as NX_SIZE_ERROR.
func copyOut(buffer *C.CHAR, size C.UINT, s, what string) error {
	setCString(buffer, int(size), s)
	if len(s) >= int(size) {
		return fail(nxSizeError, "%s of %d bytes cut to fit a buffer of %d", what, len(s), size)
	}
	return nil
}
