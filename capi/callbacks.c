/*
 * Go cannot call a C function pointer directly; these trampolines do it for
 * the callbacks of the extended services.
 */
#include "capi_internal.h"

UINT nxpop3_call_fetch(NX_POP3_FETCH_CALLBACK cb, NX_POP3_CLIENT *client_ptr, UINT mail_item, NX_PACKET *packet_ptr, UINT final_packet, VOID *context)
{
    return cb(client_ptr, mail_item, packet_ptr, final_packet, context);
}

VOID nxpop3_call_uid(NX_POP3_UID_CALLBACK cb, NX_POP3_CLIENT *client_ptr, UINT mail_item, CHAR *uid, VOID *context)
{
    cb(client_ptr, mail_item, uid, context);
}

VOID nxpop3_call_size(NX_POP3_SIZE_CALLBACK cb, NX_POP3_CLIENT *client_ptr, UINT mail_item, ULONG size, VOID *context)
{
    cb(client_ptr, mail_item, size, context);
}

VOID nxpop3_call_debug(NX_POP3_DEBUG_CALLBACK cb, CHAR *line, VOID *context)
{
    cb(line, context);
}
