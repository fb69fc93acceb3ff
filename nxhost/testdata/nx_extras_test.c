/*
 * nx_extras_test.c - the NetX Duo services an application around a POP3
 * client calls besides packets and IP creation: nx_ip_status_check,
 * nx_ip_address_get/set, nx_ip_fragment_enable, nx_udp_enable, and the
 * packet services nx_packet_data_append, nx_packet_copy and
 * nx_packet_data_retrieve across chained packets. Expectations come from the
 * NetX Duo service reference (chapter 4): each service's return values and
 * semantics.
 *
 * Prints one line per failure and "N passed, M failed" last.
 */
#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "nx_api.h"
#include "testenv.h"

#define CHECK_OUT stderr
#include "check.h"

/* A small payload, so that appends chain packets. */
#define PAYLOAD  100
#define NPACKETS 32
static ULONG pool_memory[(NPACKETS * (PAYLOAD + sizeof(NX_PACKET) + 32)) / sizeof(ULONG)];
static ULONG big_memory[(4 * (1500 + sizeof(NX_PACKET) + 32)) / sizeof(ULONG)];
static UCHAR ip_stack[2048];
static UCHAR arp_cache[1024];

static NX_PACKET_POOL pool, big_pool;
static NX_IP          ip;

static ULONG free_count(NX_PACKET_POOL *p)
{
    ULONG n = 0;
    nx_packet_pool_info_get(p, NX_NULL, &n, NX_NULL, NX_NULL, NX_NULL);
    return n;
}

static void host_sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NX_NULL);
}

static void *enable_udp_later(void *arg)
{
    (void)arg;
    host_sleep_ms(100);
    CHECK_EQ(nx_udp_enable(&ip), NX_SUCCESS);
    return NX_NULL;
}

static void test_ip(void)
{
    ULONG actual, addr, mask;
    double t0;
    pthread_t th;
    NX_IP never;

    /* The link is up at once on a host. The reference's example: */
    actual = 0;
    CHECK_EQ(nx_ip_status_check(&ip, NX_IP_LINK_ENABLED, &actual, 10), NX_SUCCESS);
    CHECK_EQ(actual & NX_IP_LINK_ENABLED, NX_IP_LINK_ENABLED);
    CHECK_EQ(nx_ip_status_check(&ip, NX_IP_INITIALIZE_DONE | NX_IP_ADDRESS_RESOLVED | NX_IP_ARP_ENABLED |
                                         NX_IP_TCP_ENABLED | NX_IP_INTERFACE_LINK_ENABLED,
                                &actual, NX_NO_WAIT),
             NX_SUCCESS);
    CHECK_EQ(actual, NX_IP_INITIALIZE_DONE | NX_IP_ADDRESS_RESOLVED | NX_IP_ARP_ENABLED | NX_IP_TCP_ENABLED |
                         NX_IP_INTERFACE_LINK_ENABLED);

    /* Bad arguments. */
    CHECK_EQ(nx_ip_status_check(&ip, NX_IP_LINK_ENABLED, NX_NULL, NX_NO_WAIT), NX_PTR_ERROR);
    CHECK_EQ(nx_ip_status_check(NX_NULL, NX_IP_LINK_ENABLED, &actual, NX_NO_WAIT), NX_PTR_ERROR);
    memset(&never, 0, sizeof never);
    CHECK_EQ(nx_ip_status_check(&never, NX_IP_LINK_ENABLED, &actual, NX_NO_WAIT), NX_PTR_ERROR);
    CHECK_EQ(nx_ip_status_check(&ip, 0, &actual, NX_NO_WAIT), NX_OPTION_ERROR);
    CHECK_EQ(nx_ip_status_check(&ip, 0x10000, &actual, NX_NO_WAIT), NX_OPTION_ERROR);

    /* UDP not yet enabled: not satisfied, at once or within the timeout;
     * enabled by another thread while waiting: satisfied. */
    CHECK_EQ(nx_ip_status_check(&ip, NX_IP_UDP_ENABLED, &actual, NX_NO_WAIT), NX_NOT_SUCCESSFUL);
    t0 = now_s();
    CHECK_EQ(nx_ip_status_check(&ip, NX_IP_UDP_ENABLED | NX_IP_LINK_ENABLED, &actual, 10), NX_NOT_SUCCESSFUL);
    CHECK(now_s() - t0 >= 0.09);
    CHECK_EQ(actual & NX_IP_UDP_ENABLED, 0);
    CHECK_EQ(pthread_create(&th, NX_NULL, enable_udp_later, NX_NULL), 0);
    CHECK_EQ(nx_ip_status_check(&ip, NX_IP_UDP_ENABLED, &actual, 5 * NX_IP_PERIODIC_RATE), NX_SUCCESS);
    CHECK_EQ(actual & NX_IP_UDP_ENABLED, NX_IP_UDP_ENABLED);
    pthread_join(th, NX_NULL);
    CHECK_EQ(nx_udp_enable(&ip), NX_ALREADY_ENABLED);
    CHECK_EQ(nx_udp_enable(NX_NULL), NX_PTR_ERROR);
    CHECK_EQ(nx_udp_enable(&never), NX_PTR_ERROR);

    /* Address get and set. */
    CHECK_EQ(nx_ip_address_get(&ip, &addr, &mask), NX_SUCCESS);
    CHECK_EQ(addr, IP_ADDRESS(192, 168, 1, 2));
    CHECK_EQ(mask, 0xFFFFFF00UL);
    CHECK_EQ(nx_ip_address_set(&ip, IP_ADDRESS(10, 0, 0, 7), 0xFF000000UL), NX_SUCCESS);
    CHECK_EQ(nx_ip_address_get(&ip, &addr, &mask), NX_SUCCESS);
    CHECK_EQ(addr, IP_ADDRESS(10, 0, 0, 7));
    CHECK_EQ(mask, 0xFF000000UL);
    CHECK_EQ(nx_ip_address_get(&ip, NX_NULL, &mask), NX_PTR_ERROR);
    CHECK_EQ(nx_ip_address_get(&ip, &addr, NX_NULL), NX_PTR_ERROR);
    CHECK_EQ(nx_ip_address_get(&never, &addr, &mask), NX_PTR_ERROR);
    CHECK_EQ(nx_ip_address_set(NX_NULL, 1, 1), NX_PTR_ERROR);
    /* An address of 0 is unresolved. */
    CHECK_EQ(nx_ip_address_set(&ip, 0, 0), NX_SUCCESS);
    CHECK_EQ(nx_ip_status_check(&ip, NX_IP_ADDRESS_RESOLVED, &actual, NX_NO_WAIT), NX_NOT_SUCCESSFUL);
    CHECK_EQ(nx_ip_address_set(&ip, IP_ADDRESS(192, 168, 1, 2), 0xFFFFFF00UL), NX_SUCCESS);

    CHECK_EQ(nx_ip_fragment_enable(&ip), NX_SUCCESS);
    CHECK_EQ(nx_ip_fragment_disable(&ip), NX_SUCCESS);
    CHECK_EQ(nx_ip_fragment_enable(NX_NULL), NX_PTR_ERROR);
    CHECK_EQ(nx_ip_fragment_enable(&never), NX_PTR_ERROR);
}

static void fill(UCHAR *b, ULONG n, ULONG seed)
{
    ULONG i;
    for (i = 0; i < n; i++)
        b[i] = (UCHAR)('A' + (i * 7 + seed) % 26);
}

static ULONG chain_len(NX_PACKET *p)
{
    ULONG n = 0;
    for (; p != NX_NULL; p = p->nx_packet_next)
        n++;
    return n;
}

static void test_packets(void)
{
    static UCHAR data[1000], back[1200];
    NX_PACKET *pkt, *copy, *p2, *held[4 * NPACKETS];
    ULONG total = free_count(&pool), copied, len, n, i;

    fill(data, sizeof data, 3);

    /* The reference's example: "abcd" appended to a packet. */
    CHECK_EQ(nx_packet_allocate(&pool, &pkt, NX_UDP_PACKET, NX_NO_WAIT), NX_SUCCESS);
    CHECK_EQ(nx_packet_data_append(pkt, "abcd", 4, &pool, 5), NX_SUCCESS);
    CHECK_EQ(pkt->nx_packet_length, 4);
    CHECK(memcmp(pkt->nx_packet_prepend_ptr, "abcd", 4) == 0);
    CHECK(strcmp((char *)pkt->nx_packet_prepend_ptr, "abcd") == 0);
    CHECK_EQ(nx_packet_data_append(pkt, "ef", 2, &pool, NX_NO_WAIT), NX_SUCCESS);
    CHECK_EQ(nx_packet_length_get(pkt, &len), NX_SUCCESS);
    CHECK_EQ(len, 6);
    CHECK_EQ(nx_packet_data_retrieve(pkt, back, &copied), NX_SUCCESS);
    CHECK_EQ(copied, 6);
    CHECK(memcmp(back, "abcdef", 6) == 0);

    /* Bad arguments. */
    CHECK_EQ(nx_packet_data_append(NX_NULL, "x", 1, &pool, NX_NO_WAIT), NX_PTR_ERROR);
    CHECK_EQ(nx_packet_data_append(pkt, NX_NULL, 1, &pool, NX_NO_WAIT), NX_PTR_ERROR);
    CHECK_EQ(nx_packet_data_append(pkt, "x", 1, NX_NULL, NX_NO_WAIT), NX_PTR_ERROR);
    CHECK_EQ(nx_packet_data_append(pkt, "x", 0, &pool, NX_NO_WAIT), NX_SIZE_ERROR);
    CHECK_EQ(pkt->nx_packet_length, 6);

    /* More than a packet holds: chained packets, the data whole. */
    CHECK_EQ(nx_packet_data_append(pkt, data, sizeof data, &pool, NX_NO_WAIT), NX_SUCCESS);
    CHECK_EQ(pkt->nx_packet_length, 6 + sizeof data);
    CHECK(chain_len(pkt) >= 1 + (sizeof data - (PAYLOAD - NX_UDP_PACKET - 6)) / PAYLOAD);
    n = chain_len(pkt);
    CHECK_EQ(free_count(&pool), total - n);
    memset(back, 0, sizeof back);
    CHECK_EQ(nx_packet_data_retrieve(pkt, back, &copied), NX_SUCCESS);
    CHECK_EQ(copied, 6 + sizeof data);
    CHECK(memcmp(back, "abcdef", 6) == 0);
    CHECK(memcmp(back + 6, data, sizeof data) == 0);
    /* Every packet of the chain still reads as a string. */
    for (p2 = pkt; p2 != NX_NULL; p2 = p2->nx_packet_next)
        CHECK_EQ(strlen((char *)p2->nx_packet_prepend_ptr),
                 (ULONG)(p2->nx_packet_append_ptr - p2->nx_packet_prepend_ptr));
    /* Extract from the middle, across a packet boundary. */
    CHECK_EQ(nx_packet_data_extract_offset(pkt, 150, back, 300, &copied), NX_SUCCESS);
    CHECK_EQ(copied, 300);
    CHECK(memcmp(back, data + 144, 300) == 0);

    /* A copy: the same data in new packets, independent of the original. */
    CHECK_EQ(nx_packet_copy(pkt, &copy, &pool, NX_NO_WAIT), NX_SUCCESS);
    CHECK(copy != pkt);
    CHECK_EQ(copy->nx_packet_length, pkt->nx_packet_length);
    memset(back, 0, sizeof back);
    CHECK_EQ(nx_packet_data_retrieve(copy, back, &copied), NX_SUCCESS);
    CHECK_EQ(copied, 6 + sizeof data);
    CHECK(memcmp(back + 6, data, sizeof data) == 0);
    for (p2 = copy; p2 != NX_NULL; p2 = p2->nx_packet_next)
    {
        NX_PACKET *q;
        for (q = pkt; q != NX_NULL; q = q->nx_packet_next)
            CHECK(p2 != q);
    }
    CHECK_EQ(nx_packet_release(pkt), NX_SUCCESS);
    memset(back, 0, sizeof back);
    CHECK_EQ(nx_packet_data_retrieve(copy, back, &copied), NX_SUCCESS);
    CHECK(memcmp(back, "abcdef", 6) == 0);
    CHECK(memcmp(back + 6, data, sizeof data) == 0);
    /* A copy into another pool: fewer, larger packets. */
    p2 = NX_NULL;
    CHECK_EQ(nx_packet_copy(copy, &p2, &big_pool, NX_NO_WAIT), NX_SUCCESS);
    if (p2 == NX_NULL)
        return;
    CHECK_EQ(chain_len(p2), 1);
    CHECK_EQ(p2->nx_packet_length, 6 + sizeof data);
    CHECK(memcmp(p2->nx_packet_prepend_ptr + 6, data, sizeof data) == 0);
    CHECK_EQ(nx_packet_release(p2), NX_SUCCESS);
    CHECK_EQ(nx_packet_release(copy), NX_SUCCESS);
    CHECK_EQ(free_count(&pool), total);

    /* Copy: bad arguments, empty source. */
    CHECK_EQ(nx_packet_allocate(&pool, &pkt, NX_TCP_PACKET, NX_NO_WAIT), NX_SUCCESS);
    CHECK_EQ(nx_packet_copy(pkt, &copy, &pool, NX_NO_WAIT), NX_INVALID_PACKET);
    CHECK_EQ(nx_packet_copy(NX_NULL, &copy, &pool, NX_NO_WAIT), NX_PTR_ERROR);
    CHECK_EQ(nx_packet_copy(pkt, NX_NULL, &pool, NX_NO_WAIT), NX_PTR_ERROR);
    CHECK_EQ(nx_packet_copy(pkt, &copy, NX_NULL, NX_NO_WAIT), NX_PTR_ERROR);

    /* The pool runs dry: no packet, and the chain is left as it was. */
    CHECK_EQ(nx_packet_data_append(pkt, "hello", 5, &pool, NX_NO_WAIT), NX_SUCCESS);
    for (i = 0; i < 4 * NPACKETS; i++)
        if (nx_packet_allocate(&pool, &held[i], NX_RECEIVE_PACKET, NX_NO_WAIT) != NX_SUCCESS)
            break;
    CHECK_EQ(free_count(&pool), 0);
    CHECK_EQ(nx_packet_data_append(pkt, data, sizeof data, &pool, NX_NO_WAIT), NX_NO_PACKET);
    CHECK_EQ(pkt->nx_packet_length, 5);
    CHECK_EQ(chain_len(pkt), 1);
    CHECK_EQ(nx_packet_copy(pkt, &copy, &pool, NX_NO_WAIT), NX_NO_PACKET);
    /* Some room but not enough: still nothing appended. */
    CHECK_EQ(nx_packet_release(held[0]), NX_SUCCESS);
    CHECK_EQ(nx_packet_data_append(pkt, data, sizeof data, &pool, NX_NO_WAIT), NX_NO_PACKET);
    CHECK_EQ(pkt->nx_packet_length, 5);
    CHECK_EQ(free_count(&pool), 1);
    /* The copy fits in the one free packet. */
    CHECK_EQ(nx_packet_copy(pkt, &copy, &pool, NX_NO_WAIT), NX_SUCCESS);
    CHECK(strcmp((char *)copy->nx_packet_prepend_ptr, "hello") == 0);
    /* Copy keeps the room in front of the data for the headers. */
    CHECK_EQ(copy->nx_packet_prepend_ptr - copy->nx_packet_data_start,
             pkt->nx_packet_prepend_ptr - pkt->nx_packet_data_start);
    CHECK_EQ(nx_packet_release(copy), NX_SUCCESS);
    for (n = 1; n < i; n++)
        CHECK_EQ(nx_packet_release(held[n]), NX_SUCCESS);
    CHECK_EQ(nx_packet_release(pkt), NX_SUCCESS);
    CHECK_EQ(free_count(&pool), total);
}

int main(void)
{
    CHECK_EQ(NX_IP_INITIALIZE_DONE, 0x0001);
    CHECK_EQ(NX_IP_ADDRESS_RESOLVED, 0x0002);
    CHECK_EQ(NX_IP_LINK_ENABLED, 0x0004);
    CHECK_EQ(NX_IP_ARP_ENABLED, 0x0008);
    CHECK_EQ(NX_IP_UDP_ENABLED, 0x0010);
    CHECK_EQ(NX_IP_TCP_ENABLED, 0x0020);
    CHECK_EQ(NX_IP_INTERFACE_LINK_ENABLED, 0x0100);

    nx_system_initialize();
    CHECK_EQ(nx_packet_pool_create(&pool, "small", PAYLOAD, pool_memory, sizeof pool_memory), NX_SUCCESS);
    CHECK_EQ(nx_packet_pool_create(&big_pool, "big", 1500, big_memory, sizeof big_memory), NX_SUCCESS);
    CHECK(free_count(&pool) >= NPACKETS - 1);
    CHECK_EQ(nx_ip_create(&ip, "ip", IP_ADDRESS(192, 168, 1, 2), 0xFFFFFF00UL, &pool, _nx_ram_network_driver,
                          ip_stack, sizeof ip_stack, 1),
             NX_SUCCESS);
    CHECK_EQ(nx_arp_enable(&ip, arp_cache, sizeof arp_cache), NX_SUCCESS);
    CHECK_EQ(nx_tcp_enable(&ip), NX_SUCCESS);

    test_ip();
    test_packets();

    CHECK_EQ(nx_ip_delete(&ip), NX_SUCCESS);
    {
        ULONG actual;
        CHECK_EQ(nx_ip_status_check(&ip, NX_IP_LINK_ENABLED, &actual, NX_NO_WAIT), NX_PTR_ERROR);
    }
    return check_summary();
}
