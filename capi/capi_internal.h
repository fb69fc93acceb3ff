/* What the Go files of capi see of C: the public API and the shim's
 * internal services. Declarations only, as cgo requires of files that
 * export functions. */
#ifndef NXPOP3_CAPI_INTERNAL_H
#define NXPOP3_CAPI_INTERNAL_H
#include <stdlib.h>
#include <string.h>
#include "../include/nx_pop3_client.h"
#include "nx_host_internal.h"
#endif
