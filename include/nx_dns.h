/*
 * nx_dns.h - the name NetX gives the DNS client header. The API is NetX
 * Duo's, in nxd_dns.h, which this includes.
 */
#ifndef NX_DNS_H
#define NX_DNS_H

#include "nxd_dns.h"

#endif /* NX_DNS_H */
