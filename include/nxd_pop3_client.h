/*
 * nxd_pop3_client.h - the name NetX Duo gives the POP3 client header. The
 * API is the same as nx_pop3_client.h, which this includes.
 */
#ifndef NXD_POP3_CLIENT_H
#define NXD_POP3_CLIENT_H

#include "nx_pop3_client.h"

#endif /* NXD_POP3_CLIENT_H */
