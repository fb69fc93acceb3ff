/*
 * nx_dns_test.c - the NetX Duo DNS Client (nxd_dns.h) as an application
 * uses it, from a ThreadX thread: create, the server list, lookups of IPv4
 * and IPv6 addresses. Expectations come from the DNS Client's service
 * reference (chapter 3): each service's return values; lookups are served
 * by the host's resolver, so their answers are compared with getaddrinfo's.
 *
 * Prints one line per failure and "N passed, M failed" last.
 */
#define _POSIX_C_SOURCE 200809L

#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "nx_dns.h"
#include "tx_api.h"

#define CHECK_OUT stderr
#include "check.h"

static TX_THREAD      thread;
static UCHAR          stack[16384];
static NX_PACKET_POOL pool;
static NX_IP          ip;
static NX_DNS         dns;
static ULONG          pool_memory[8192 / sizeof(ULONG)];
static UCHAR          ip_stack[2048];

/* The first IPv6 address getaddrinfo gives for name (AF_INET6, no mapped
 * IPv4), as four host-order words; 0 if none. */
static int host_ipv6(const char *name, ULONG v6[4])
{
    struct addrinfo hints, *res, *ai;
    int w;

    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_INET6;
    hints.ai_socktype = SOCK_STREAM;
    if (getaddrinfo(name, NULL, &hints, &res) != 0)
        return 0;
    for (ai = res; ai != NULL; ai = ai->ai_next)
    {
        if (ai->ai_family == AF_INET6)
        {
            const UCHAR *b = ((const struct sockaddr_in6 *)(const void *)ai->ai_addr)->sin6_addr.s6_addr;
            for (w = 0; w < 4; w++)
                v6[w] = IP_ADDRESS(b[4 * w], b[4 * w + 1], b[4 * w + 2], b[4 * w + 3]);
            freeaddrinfo(res);
            return 1;
        }
    }
    freeaddrinfo(res);
    return 0;
}

static void test_servers(void)
{
    NXD_ADDRESS a, got;
    ULONG v4;
    UINT size, i;
    NX_DNS never;

    memset(&never, 0, sizeof never);
    CHECK_EQ(nx_dns_get_serverlist_size(&dns, &size), NX_SUCCESS);
    CHECK_EQ(size, 0);
    CHECK_EQ(nx_dns_server_add(&dns, 0), NX_DNS_BAD_ADDRESS_ERROR);
    CHECK_EQ(nx_dns_server_add(NX_NULL, IP_ADDRESS(1, 1, 1, 1)), NX_PTR_ERROR);
    CHECK_EQ(nx_dns_server_add(&never, IP_ADDRESS(1, 1, 1, 1)), NX_PTR_ERROR);
    /* The reference's example server. */
    CHECK_EQ(nx_dns_server_add(&dns, IP_ADDRESS(202, 2, 2, 13)), NX_SUCCESS);
    CHECK_EQ(nx_dns_server_add(&dns, IP_ADDRESS(202, 2, 2, 13)), NX_DNS_DUPLICATE_ENTRY);
    memset(&a, 0, sizeof a);
    a.nxd_ip_version = NX_IP_VERSION_V6;
    a.nxd_ip_address.v6[0] = 0x20010db8;
    a.nxd_ip_address.v6[2] = 0xf101;
    a.nxd_ip_address.v6[3] = 0x108;
    CHECK_EQ(nxd_dns_server_add(&dns, &a), NX_SUCCESS);
    CHECK_EQ(nxd_dns_server_add(&dns, NX_NULL), NX_PTR_ERROR);
    CHECK_EQ(nx_dns_get_serverlist_size(&dns, &size), NX_SUCCESS);
    CHECK_EQ(size, 2);
    CHECK_EQ(nx_dns_get_serverlist_size(&dns, NX_NULL), NX_PTR_ERROR);

    CHECK_EQ(nx_dns_server_get(&dns, 0, &v4), NX_SUCCESS);
    CHECK_EQ(v4, IP_ADDRESS(202, 2, 2, 13));
    CHECK_EQ(nx_dns_server_get(&dns, 1, &v4), NX_DNS_INVALID_ADDRESS_TYPE);
    CHECK_EQ(nxd_dns_server_get(&dns, 1, &got), NX_SUCCESS);
    CHECK_EQ(got.nxd_ip_version, NX_IP_VERSION_V6);
    CHECK(memcmp(got.nxd_ip_address.v6, a.nxd_ip_address.v6, sizeof a.nxd_ip_address.v6) == 0);
    CHECK_EQ(nxd_dns_server_get(&dns, 2, &got), NX_DNS_SERVER_NOT_FOUND);
    CHECK_EQ(nxd_dns_server_get(&dns, NX_DNS_MAX_SERVERS, &got), NX_DNS_PARAM_ERROR);

    /* Removing the first moves the rest down one place. */
    CHECK_EQ(nx_dns_server_remove(&dns, IP_ADDRESS(9, 9, 9, 9)), NX_DNS_SERVER_NOT_FOUND);
    CHECK_EQ(nx_dns_server_remove(&dns, 0), NX_DNS_BAD_ADDRESS_ERROR);
    CHECK_EQ(nx_dns_server_remove(&dns, IP_ADDRESS(202, 2, 2, 13)), NX_SUCCESS);
    CHECK_EQ(nxd_dns_server_get(&dns, 0, &got), NX_SUCCESS);
    CHECK_EQ(got.nxd_ip_version, NX_IP_VERSION_V6);
    CHECK_EQ(nxd_dns_server_remove(&dns, &a), NX_SUCCESS);
    CHECK_EQ(nx_dns_get_serverlist_size(&dns, &size), NX_SUCCESS);
    CHECK_EQ(size, 0);

    /* The list is full at NX_DNS_MAX_SERVERS. */
    for (i = 0; i < NX_DNS_MAX_SERVERS; i++)
        CHECK_EQ(nx_dns_server_add(&dns, IP_ADDRESS(10, 0, 0, 1 + i)), NX_SUCCESS);
    CHECK_EQ(nx_dns_server_add(&dns, IP_ADDRESS(10, 0, 1, 1)), NX_NO_MORE_ENTRIES);
    CHECK_EQ(nx_dns_server_remove_all(&dns), NX_SUCCESS);
    CHECK_EQ(nx_dns_get_serverlist_size(&dns, &size), NX_SUCCESS);
    CHECK_EQ(size, 0);
}

static void test_lookups(void)
{
    ULONG v4 = 0, records[8], v6[4];
    NX_DNS_IPV6_ADDRESS records6[4];
    NXD_ADDRESS a;
    UINT count;

    /* No server: NX_DNS_NO_SERVER, as on the target. */
    CHECK_EQ(nx_dns_host_by_name_get(&dns, (UCHAR *)"localhost", &v4, 400), NX_DNS_NO_SERVER);
    CHECK_EQ(nx_dns_server_add(&dns, IP_ADDRESS(192, 168, 1, 1)), NX_SUCCESS);

    CHECK_EQ(nx_dns_host_by_name_get(&dns, (UCHAR *)"localhost", &v4, 400), NX_SUCCESS);
    CHECK_EQ(v4, IP_ADDRESS(127, 0, 0, 1));
    CHECK_EQ(nx_dns_host_by_name_get(&dns, (UCHAR *)"192.0.2.55", &v4, 400), NX_SUCCESS);
    CHECK_EQ(v4, IP_ADDRESS(192, 0, 2, 55));
    CHECK_EQ(nx_dns_host_by_name_get(&dns, (UCHAR *)"no-such-host.invalid", &v4, 400), NX_DNS_QUERY_FAILED);
    CHECK_EQ(nx_dns_host_by_name_get(&dns, (UCHAR *)"", &v4, 400), NX_DNS_PARAM_ERROR);
    CHECK_EQ(nx_dns_host_by_name_get(&dns, NX_NULL, &v4, 400), NX_PTR_ERROR);
    CHECK_EQ(nx_dns_host_by_name_get(&dns, (UCHAR *)"localhost", NX_NULL, 400), NX_PTR_ERROR);
    CHECK_EQ(nx_dns_host_by_name_get(NX_NULL, (UCHAR *)"localhost", &v4, 400), NX_PTR_ERROR);

    /* nxd_: A and AAAA lookups. */
    memset(&a, 0, sizeof a);
    CHECK_EQ(nxd_dns_host_by_name_get(&dns, (UCHAR *)"localhost", &a, 400, NX_IP_VERSION_V4), NX_SUCCESS);
    CHECK_EQ(a.nxd_ip_version, NX_IP_VERSION_V4);
    CHECK_EQ(a.nxd_ip_address.v4, IP_ADDRESS(127, 0, 0, 1));
    memset(&a, 0, sizeof a);
    CHECK_EQ(nxd_dns_host_by_name_get(&dns, (UCHAR *)"::1", &a, 400, NX_IP_VERSION_V6), NX_SUCCESS);
    CHECK_EQ(a.nxd_ip_version, NX_IP_VERSION_V6);
    CHECK_EQ(a.nxd_ip_address.v6[0], 0);
    CHECK_EQ(a.nxd_ip_address.v6[1], 0);
    CHECK_EQ(a.nxd_ip_address.v6[2], 0);
    CHECK_EQ(a.nxd_ip_address.v6[3], 1);
    memset(&a, 0, sizeof a);
    CHECK_EQ(nxd_dns_host_by_name_get(&dns, (UCHAR *)"2001:db8::f101:0:108", &a, 400, NX_IP_VERSION_V6),
             NX_SUCCESS);
    CHECK_EQ(a.nxd_ip_address.v6[0], 0x20010db8);
    CHECK_EQ(a.nxd_ip_address.v6[1], 0x0);
    CHECK_EQ(a.nxd_ip_address.v6[2], 0xf101);
    CHECK_EQ(a.nxd_ip_address.v6[3], 0x108);
    /* A name's AAAA answer is the host resolver's: an IPv6 address, never
     * an IPv4 one mapped into IPv6. */
    memset(&a, 0, sizeof a);
    if (host_ipv6("localhost", v6))
    {
        CHECK_EQ(nxd_dns_host_by_name_get(&dns, (UCHAR *)"localhost", &a, 400, NX_IP_VERSION_V6), NX_SUCCESS);
        CHECK(memcmp(a.nxd_ip_address.v6, v6, sizeof v6) == 0);
    }
    else
    {
        CHECK_EQ(nxd_dns_host_by_name_get(&dns, (UCHAR *)"localhost", &a, 400, NX_IP_VERSION_V6),
                 NX_DNS_QUERY_FAILED);
    }
    /* An IPv4 literal has no AAAA answer. */
    CHECK_EQ(nxd_dns_host_by_name_get(&dns, (UCHAR *)"192.0.2.55", &a, 400, NX_IP_VERSION_V6), NX_DNS_QUERY_FAILED);
    CHECK_EQ(nxd_dns_host_by_name_get(&dns, (UCHAR *)"localhost", &a, 400, 5), NX_DNS_PARAM_ERROR);
    CHECK_EQ(nxd_dns_host_by_name_get(&dns, (UCHAR *)"localhost", NX_NULL, 400, NX_IP_VERSION_V4), NX_PTR_ERROR);

    /* Record lookups. */
    count = 99;
    CHECK_EQ(nx_dns_ipv4_address_by_name_get(&dns, (UCHAR *)"localhost", records, sizeof records, &count, 400),
             NX_SUCCESS);
    CHECK(count >= 1 && count <= 8);
    CHECK_EQ(records[0], IP_ADDRESS(127, 0, 0, 1));
    CHECK_EQ(nx_dns_ipv4_address_by_name_get(&dns, (UCHAR *)"localhost", records, 1, &count, 400),
             NX_DNS_PARAM_ERROR);
    CHECK_EQ(nxd_dns_ipv6_address_by_name_get(&dns, (UCHAR *)"::1", records6, sizeof records6, &count, 400),
             NX_SUCCESS);
    CHECK_EQ(count, 1);
    CHECK_EQ(records6[0].ipv6_address[3], 1);
    CHECK_EQ(nx_dns_ipv4_address_by_name_get(&dns, (UCHAR *)"localhost", records, sizeof records, NX_NULL, 400),
             NX_PTR_ERROR);
}

static void entry(ULONG input)
{
    NX_DNS other;

    (void)input;
    CHECK_EQ(nx_dns_create(&dns, &ip, (UCHAR *)"My DNS"), NX_SUCCESS);
    CHECK_EQ(nx_dns_create(&dns, &ip, (UCHAR *)"My DNS"), NX_DNS_ERROR);
    memset(&other, 0, sizeof other);
    CHECK_EQ(nx_dns_create(&other, NX_NULL, (UCHAR *)"x"), NX_PTR_ERROR);
    CHECK_EQ(nx_dns_create(NX_NULL, &ip, (UCHAR *)"x"), NX_PTR_ERROR);
    CHECK_EQ(nx_dns_packet_pool_set(&dns, &pool), NX_SUCCESS);
    test_servers();
    test_lookups();
    CHECK_EQ(nx_dns_delete(&dns), NX_SUCCESS);
    CHECK_EQ(nx_dns_delete(&dns), NX_PTR_ERROR);
    CHECK_EQ(nx_dns_server_add(&dns, IP_ADDRESS(1, 2, 3, 4)), NX_PTR_ERROR);
    {
        ULONG v4;
        CHECK_EQ(nx_dns_host_by_name_get(&dns, (UCHAR *)"localhost", &v4, 400), NX_PTR_ERROR);
    }
}

void tx_application_define(void *first_unused_memory)
{
    NX_DNS early;

    (void)first_unused_memory;
    nx_system_initialize();
    CHECK_EQ(nx_packet_pool_create(&pool, "pool", NX_DNS_PACKET_PAYLOAD, pool_memory, sizeof pool_memory), NX_SUCCESS);
    CHECK_EQ(nx_ip_create(&ip, "ip", IP_ADDRESS(192, 168, 1, 2), 0xFFFFFF00UL, &pool, _nx_ram_network_driver,
                          ip_stack, sizeof ip_stack, 1),
             NX_SUCCESS);
    CHECK_EQ(nx_udp_enable(&ip), NX_SUCCESS);
    /* The DNS Client is for threads. */
    memset(&early, 0, sizeof early);
    CHECK_EQ(nx_dns_create(&early, &ip, (UCHAR *)"early"), NX_CALLER_ERROR);
    CHECK_EQ(tx_thread_create(&thread, "dns", entry, 0, stack, sizeof stack, 5, 5, TX_NO_TIME_SLICE, TX_AUTO_START),
             TX_SUCCESS);
}

int main(void)
{
    CHECK_EQ(NX_DNS_NO_SERVER, 0xA1);
    CHECK_EQ(NX_DNS_QUERY_FAILED, 0xA3);
    CHECK_EQ(NX_DNS_BAD_ADDRESS_ERROR, 0xA4);
    CHECK_EQ(NX_DNS_PARAM_ERROR, 0xA8);
    CHECK_EQ(NX_DNS_SERVER_NOT_FOUND, 0xA9);
    CHECK_EQ(NX_DNS_INVALID_ADDRESS_TYPE, 0xB2);
    tx_kernel_enter();
    return check_summary();
}
