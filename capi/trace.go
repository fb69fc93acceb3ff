// The protocol trace of nx_pop3_options_debug: the Go core's DebugWriter,
// handed to a C callback line by line.

package main

/*
#include "capi_internal.h"
*/
import "C"

import (
	"bytes"
	"sync"
	"unsafe"
)

// traceWriter passes each line the core writes to the caller's
// NX_POP3_DEBUG_CALLBACK, without its line end. The core writes whole
// lines, but from the session's reader and writer alike during a pipelined
// fetch, so the writes are serialised here: the callback sees one line at a
// time. The core masks credentials before they reach it.
type traceWriter struct {
	mu      sync.Mutex
	cb      C.NX_POP3_DEBUG_CALLBACK
	context unsafe.Pointer
	partial []byte
}

func (w *traceWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	n := len(p)
	for len(p) > 0 {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			w.partial = append(w.partial, p...)
			break
		}
		line := append(w.partial, p[:i]...)
		w.partial = w.partial[:0]
		p = p[i+1:]
		cs := C.CString(string(bytes.TrimSuffix(line, []byte{'\r'})))
		C.nxpop3_call_debug(w.cb, cs, w.context)
		C.free(unsafe.Pointer(cs))
	}
	return n, nil
}
