package main

/*
#include "capi_internal.h"
*/
import "C"

// nx_pop3_client_version_get tells the version of the library in use,
// which for a shared library can differ from the header the caller was
// compiled with (NXPOP3_VERSION_MAJOR and its siblings). The numbers are
// the header's macros, compiled in, so the version is set in one place.
//
// Status: NX_SUCCESS; NX_PTR_ERROR (a NULL pointer; nothing is written).
//
//export nx_pop3_client_version_get
func nx_pop3_client_version_get(major, minor, patch *C.UINT) C.UINT {
	if major == nil || minor == nil || patch == nil {
		return C.NX_PTR_ERROR
	}
	*major = C.NXPOP3_VERSION_MAJOR
	*minor = C.NXPOP3_VERSION_MINOR
	*patch = C.NXPOP3_VERSION_PATCH
	return C.NX_SUCCESS
}
