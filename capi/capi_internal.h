/* What the Go files of capi see of C: the public API and the shim's
 * internal services. Declarations only, as cgo requires of files that
 * export functions. */
#ifndef NXPOP3_CAPI_INTERNAL_H
#define NXPOP3_CAPI_INTERNAL_H
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include "../include/nx_pop3_client.h"
#include "../nxhost/nx_host_internal.h"

/* callbacks.c */
UINT nxpop3_call_fetch(NX_POP3_FETCH_CALLBACK cb, NX_POP3_CLIENT *client_ptr, UINT mail_item, NX_PACKET *packet_ptr, UINT final_packet, VOID *context);
VOID nxpop3_call_uid(NX_POP3_UID_CALLBACK cb, NX_POP3_CLIENT *client_ptr, UINT mail_item, CHAR *uid, VOID *context);
VOID nxpop3_call_size(NX_POP3_SIZE_CALLBACK cb, NX_POP3_CLIENT *client_ptr, UINT mail_item, ULONG size, VOID *context);
VOID nxpop3_call_debug(NX_POP3_DEBUG_CALLBACK cb, CHAR *line, VOID *context);
#endif
