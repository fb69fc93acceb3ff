/*
 * nx_host_test.c - tests the host NetX base services through the C API, as
 * an application would use them, linked against libnxpop3.a.
 *
 * Build (nxhost_test.go does this):
 *   gcc -std=c99 -Wall -Wextra -Werror -I../include -I../internal/ctest/cinclude testdata/nx_host_test.c \
 *       libnxpop3.a -lpthread -o nx_host_test
 *
 * Prints "N passed, 0 failed" and exits non-zero if any check failed.
 */
#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "nx_api.h"
#include "../nx_host_internal.h"

#define CHECK_OUT stderr
#include "check.h"

static double now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

static void sleep_ms(long ms)
{
    struct timespec ts;

    ts.tv_sec = ms / 1000;
    ts.tv_nsec = (ms % 1000) * 1000000L;
    nanosleep(&ts, NX_NULL);
}

/* Pool memory aligned as an application's static array of ULONG would be. */
#define PAYLOAD   256
#define NPACKETS  8
static ULONG pool_memory[(NPACKETS * (PAYLOAD + sizeof(NX_PACKET))) / sizeof(ULONG)];
static ULONG other_memory[4096 / sizeof(ULONG)];
static UCHAR ip_stack[2048];
static UCHAR arp_cache[1024];

static ULONG free_count(NX_PACKET_POOL *pool)
{
    ULONG free_packets = 0;

    if (nx_packet_pool_info_get(pool, NX_NULL, &free_packets, NX_NULL, NX_NULL, NX_NULL) != NX_SUCCESS)
    {
        return (ULONG)-1;
    }
    return free_packets;
}

static void test_types_and_macros(void)
{
    NXD_ADDRESS addr;

    CHECK_EQ(sizeof(UCHAR), 1);
    CHECK_EQ(sizeof(CHAR), 1);
    CHECK_EQ(sizeof(USHORT), sizeof(short));
    CHECK_EQ(sizeof(UINT), sizeof(int));
    CHECK_EQ(sizeof(ULONG), sizeof(long));
    CHECK((ULONG)-1 > 0);
    CHECK_EQ(IP_ADDRESS(192, 168, 1, 2), 0xC0A80102UL);
    CHECK_EQ(IP_ADDRESS(127, 0, 0, 1), 0x7F000001UL);
    CHECK_EQ(NX_WAIT_FOREVER, 0xFFFFFFFFUL);
    CHECK_EQ(NX_NO_WAIT, 0);
    CHECK_EQ(NX_IP_PERIODIC_RATE, 100);
    CHECK_EQ(NX_IPv4_TCP_PACKET, 56);
    CHECK_EQ(NX_IPv6_TCP_PACKET, 76);
    CHECK_EQ(NX_PTR_ERROR, 0x07);
    CHECK_EQ(NX_NOT_FOUND, 0x4E);
    CHECK_EQ(NX_POOL_DELETED, 0x30);
    CHECK_EQ(NX_PACKET_OFFSET_ERROR, 0x53);
    addr.nxd_ip_version = NX_IP_VERSION_V6;
    addr.nxd_ip_address.v6[0] = 0x20010DB8UL;
    CHECK_EQ(addr.nxd_ip_address.v6[0], 0x20010DB8UL);
    addr.nxd_ip_address.v4 = IP_ADDRESS(10, 0, 0, 1);
    CHECK_EQ(addr.nxd_ip_address.v4, 0x0A000001UL);
    NX_PARAMETER_NOT_USED(addr);
}

static void test_pool_create(void)
{
    NX_PACKET_POOL pool, other, never;
    ULONG          total = 0, free_packets = 0, requests = 9, suspensions = 9, invalid = 9;

    memset(&never, 0, sizeof(never));

    CHECK_EQ(nx_packet_pool_create(NX_NULL, "p", PAYLOAD, pool_memory, sizeof(pool_memory)), NX_PTR_ERROR);
    CHECK_EQ(nx_packet_pool_create(&pool, "p", PAYLOAD, NX_NULL, sizeof(pool_memory)), NX_PTR_ERROR);
    CHECK_EQ(nx_packet_pool_create(&pool, "p", 0, pool_memory, sizeof(pool_memory)), NX_SIZE_ERROR);
    CHECK_EQ(nx_packet_pool_create(&pool, "p", PAYLOAD, pool_memory, PAYLOAD), NX_SIZE_ERROR);
    CHECK_EQ(nx_packet_pool_create(&pool, "p", PAYLOAD, pool_memory, 0), NX_SIZE_ERROR);

    CHECK_EQ(nx_packet_pool_create(&pool, "p", PAYLOAD, pool_memory, sizeof(pool_memory)), NX_SUCCESS);
    CHECK_EQ(pool.nx_packet_pool_id, NX_PACKET_POOL_ID);
    CHECK(strcmp(pool.nx_packet_pool_name, "p") == 0);
    CHECK_EQ(pool.nx_packet_pool_payload_size, PAYLOAD);
    CHECK(nxhost_pool_valid(&pool));
    CHECK_EQ(pool.nx_packet_pool_payload_size, PAYLOAD);

    /* Memory sized as NetX documents it holds exactly that many packets. */
    CHECK_EQ(nx_packet_pool_info_get(&pool, &total, &free_packets, &requests, &suspensions, &invalid), NX_SUCCESS);
    CHECK_EQ(total, NPACKETS);
    CHECK_EQ(free_packets, NPACKETS);
    CHECK_EQ(requests, 0);
    CHECK_EQ(suspensions, 0);
    CHECK_EQ(invalid, 0);
    CHECK_EQ(nx_packet_pool_info_get(&pool, NX_NULL, NX_NULL, NX_NULL, NX_NULL, NX_NULL), NX_SUCCESS);

    /* Twice, or over memory another pool holds. */
    CHECK_EQ(nx_packet_pool_create(&pool, "p", PAYLOAD, other_memory, sizeof(other_memory)), NX_PTR_ERROR);
    CHECK_EQ(nx_packet_pool_create(&other, "o", PAYLOAD, (UCHAR *)pool_memory + 100, 2000), NX_PTR_ERROR);
    CHECK(nxhost_pool_valid(&pool));

    /* Never created, or created by accident: the id alone proves nothing. */
    CHECK_EQ(nx_packet_pool_info_get(NX_NULL, &total, NX_NULL, NX_NULL, NX_NULL, NX_NULL), NX_PTR_ERROR);
    CHECK_EQ(nx_packet_pool_info_get(&never, &total, NX_NULL, NX_NULL, NX_NULL, NX_NULL), NX_PTR_ERROR);
    never.nx_packet_pool_id = NX_PACKET_POOL_ID;
    CHECK_EQ(nx_packet_pool_info_get(&never, &total, NX_NULL, NX_NULL, NX_NULL, NX_NULL), NX_PTR_ERROR);
    CHECK(!nxhost_pool_valid(&never));
    CHECK(!nxhost_pool_valid(NX_NULL));
    CHECK(!nxhost_pool_valid(&never));

    /* Unaligned memory and payload still give in-bounds packets. */
    CHECK_EQ(nx_packet_pool_create(&other, "o", 13, (UCHAR *)other_memory + 3, 1000), NX_SUCCESS);
    CHECK_EQ(nx_packet_pool_info_get(&other, &total, NX_NULL, NX_NULL, NX_NULL, NX_NULL), NX_SUCCESS);
    CHECK(total >= 1);
    CHECK(total * (13 + sizeof(NX_PACKET)) <= 1000);
    CHECK_EQ(nx_packet_pool_delete(&other), NX_SUCCESS);

    CHECK_EQ(nx_packet_pool_delete(&pool), NX_SUCCESS);
    CHECK_EQ(nx_packet_pool_delete(&pool), NX_PTR_ERROR);
    CHECK_EQ(nx_packet_pool_delete(NX_NULL), NX_PTR_ERROR);
    CHECK_EQ(pool.nx_packet_pool_id, 0);
    CHECK(!nxhost_pool_valid(&pool));
}

static void test_allocate_release(void)
{
    NX_PACKET_POOL pool;
    NX_PACKET     *pkts[NPACKETS + 1];
    NX_PACKET     *pkt = NX_NULL, *again = NX_NULL;
    NX_PACKET      fake;
    ULONG          total, free_packets, requests, suspensions, invalid, len = 99;
    int            i, j, distinct;
    double         t0, elapsed;

    CHECK_EQ(nx_packet_pool_create(&pool, "p", PAYLOAD, pool_memory, sizeof(pool_memory)), NX_SUCCESS);

    CHECK_EQ(nx_packet_allocate(NX_NULL, &pkt, 0, NX_NO_WAIT), NX_PTR_ERROR);
    CHECK_EQ(nx_packet_allocate(&pool, NX_NULL, 0, NX_NO_WAIT), NX_PTR_ERROR);
    CHECK_EQ(nx_packet_allocate(&pool, &pkt, 2, NX_NO_WAIT), NX_OPTION_ERROR);
    CHECK_EQ(nx_packet_allocate(&pool, &pkt, PAYLOAD + 4, NX_NO_WAIT), NX_INVALID_PARAMETERS);
    CHECK_EQ(free_count(&pool), NPACKETS);

    CHECK_EQ(nx_packet_allocate(&pool, &pkt, NX_IPv4_TCP_PACKET, NX_NO_WAIT), NX_SUCCESS);
    CHECK(pkt != NX_NULL);
    if (pkt == NX_NULL)
    {
        return;
    }
    CHECK(pkt->nx_packet_pool_owner == &pool);
    CHECK(pkt->nx_packet_prepend_ptr == pkt->nx_packet_data_start + NX_IPv4_TCP_PACKET);
    CHECK(pkt->nx_packet_append_ptr == pkt->nx_packet_prepend_ptr);
    CHECK_EQ(pkt->nx_packet_length, 0);
    CHECK(pkt->nx_packet_next == NX_NULL);
    CHECK_EQ(pkt->nx_packet_data_end - pkt->nx_packet_data_start, PAYLOAD);
    CHECK_EQ(strlen((char *)pkt->nx_packet_prepend_ptr), 0);
    CHECK((UCHAR *)pkt->nx_packet_data_start >= (UCHAR *)pool_memory);
    CHECK((UCHAR *)(pkt + 1) <= (UCHAR *)pool_memory + sizeof(pool_memory));
    CHECK_EQ(pkt->nx_packet_data_end - pkt->nx_packet_prepend_ptr, PAYLOAD - NX_IPv4_TCP_PACKET);
    CHECK_EQ(free_count(&pool), NPACKETS - 1);
    CHECK_EQ(nx_packet_length_get(pkt, &len), NX_SUCCESS);
    CHECK_EQ(len, 0);
    CHECK_EQ(nx_packet_length_get(NX_NULL, &len), NX_PTR_ERROR);
    CHECK_EQ(nx_packet_length_get(pkt, NX_NULL), NX_PTR_ERROR);

    /* A packet's fields are reset however the last user left them. */
    pkt->nx_packet_prepend_ptr += 8;
    pkt->nx_packet_append_ptr = pkt->nx_packet_prepend_ptr + 20;
    pkt->nx_packet_length = 20;
    CHECK_EQ(nx_packet_release(pkt), NX_SUCCESS);
    CHECK_EQ(free_count(&pool), NPACKETS);
    CHECK_EQ(nx_packet_allocate(&pool, &again, 0, NX_NO_WAIT), NX_SUCCESS);
    CHECK(again == pkt);
    CHECK(again->nx_packet_prepend_ptr == again->nx_packet_data_start);
    CHECK(again->nx_packet_append_ptr == again->nx_packet_data_start);
    CHECK_EQ(again->nx_packet_length, 0);
    CHECK_EQ(nx_packet_release(again), NX_SUCCESS);

    /* Releasing twice is refused and counted, and the free list survives. */
    CHECK_EQ(nx_packet_release(pkt), NX_PTR_ERROR);
    CHECK_EQ(nx_packet_release(pkt), NX_PTR_ERROR);
    CHECK_EQ(nx_packet_release(NX_NULL), NX_PTR_ERROR);
    CHECK_EQ(nx_packet_pool_info_get(&pool, NX_NULL, &free_packets, NX_NULL, NX_NULL, &invalid), NX_SUCCESS);
    CHECK_EQ(free_packets, NPACKETS);
    CHECK_EQ(invalid, 2);

    /* Something that only looks like one of the pool's packets. */
    memcpy(&fake, pkt, sizeof(fake));
    CHECK_EQ(nx_packet_release(&fake), NX_PTR_ERROR);
    CHECK_EQ(nx_packet_release((NX_PACKET *)(void *)((UCHAR *)pkt + sizeof(ULONG))), NX_PTR_ERROR);
    CHECK_EQ(free_count(&pool), NPACKETS);

    for (i = 0; i < NPACKETS; i++)
    {
        pkts[i] = NX_NULL;
        CHECK_EQ(nx_packet_allocate(&pool, &pkts[i], 0, NX_NO_WAIT), NX_SUCCESS);
    }
    distinct = 1;
    for (i = 0; i < NPACKETS; i++)
    {
        for (j = i + 1; j < NPACKETS; j++)
        {
            if (pkts[i] == pkts[j])
            {
                distinct = 0;
            }
        }
    }
    CHECK(distinct);

    /* Empty pool: NX_NO_WAIT fails at once, a timeout after it expires. */
    pkts[NPACKETS] = pkt;
    t0 = now_ms();
    CHECK_EQ(nx_packet_allocate(&pool, &pkts[NPACKETS], 0, NX_NO_WAIT), NX_NO_PACKET);
    elapsed = now_ms() - t0;
    CHECK(elapsed < 50.0);
    CHECK(pkts[NPACKETS] == NX_NULL);

    t0 = now_ms();
    CHECK_EQ(nx_packet_allocate(&pool, &pkts[NPACKETS], 0, 10), NX_NO_PACKET);
    elapsed = now_ms() - t0;
    /* 10 ticks are 100 ms; allow for clock granularity, bound nothing above. */
    CHECK(elapsed >= 90.0);
    if (elapsed < 90.0)
    {
        fprintf(stderr, "10-tick wait took %.1f ms\n", elapsed);
    }

    CHECK_EQ(nx_packet_pool_info_get(&pool, &total, &free_packets, &requests, &suspensions, &invalid), NX_SUCCESS);
    CHECK_EQ(total, NPACKETS);
    CHECK_EQ(free_packets, 0);
    CHECK_EQ(requests, 2);
    CHECK_EQ(suspensions, 1);
    CHECK_EQ(invalid, 2);

    for (i = 0; i < NPACKETS; i++)
    {
        CHECK_EQ(nx_packet_release(pkts[i]), NX_SUCCESS);
    }
    CHECK_EQ(free_count(&pool), NPACKETS);
    CHECK_EQ(nx_packet_pool_delete(&pool), NX_SUCCESS);
}

/* fill puts data in an allocated packet the way capi does (in place at
 * nx_packet_prepend_ptr, lengths set, a NUL after the data), refusing more
 * than the packet holds. */
static UINT fill(NX_PACKET *pkt, const void *data, ULONG length)
{
    if (length > (ULONG)(pkt->nx_packet_data_end - pkt->nx_packet_prepend_ptr))
    {
        return NX_SIZE_ERROR;
    }
    if (length > 0)
    {
        memcpy(pkt->nx_packet_prepend_ptr, data, length);
    }
    pkt->nx_packet_append_ptr = pkt->nx_packet_prepend_ptr + length;
    pkt->nx_packet_length = length;
    *pkt->nx_packet_append_ptr = 0;
    return NX_SUCCESS;
}

static void test_fill_and_nul(void)
{
    NX_PACKET_POOL pool;
    NX_PACKET     *pkt = NX_NULL;
    UCHAR          data[PAYLOAD + 1];
    char           line[64];

    memset(data, 'x', sizeof(data));
    CHECK_EQ(nx_packet_pool_create(&pool, "p", PAYLOAD, pool_memory, sizeof(pool_memory)), NX_SUCCESS);

    /* Every packet: the terminator must not be clobbered by a neighbour. */
    CHECK_EQ(nx_packet_allocate(&pool, &pkt, 0, NX_NO_WAIT), NX_SUCCESS);
    if (pkt == NX_NULL)
    {
        return;
    }
    CHECK_EQ(fill(pkt, data, PAYLOAD + 1), NX_SIZE_ERROR);
    CHECK_EQ(pkt->nx_packet_length, 0);
    CHECK_EQ(fill(pkt, data, PAYLOAD), NX_SUCCESS);
    CHECK_EQ(pkt->nx_packet_length, PAYLOAD);
    CHECK(pkt->nx_packet_append_ptr == pkt->nx_packet_data_end);
    CHECK_EQ(*pkt->nx_packet_data_end, 0);
    CHECK_EQ(strlen((char *)pkt->nx_packet_prepend_ptr), PAYLOAD);

    snprintf(line, sizeof(line), "+OK 2 320\r\n");
    CHECK_EQ(fill(pkt, line, (ULONG)strlen(line)), NX_SUCCESS);
    CHECK(strcmp((char *)pkt->nx_packet_prepend_ptr, "+OK 2 320\r\n") == 0);
    CHECK_EQ(fill(pkt, NX_NULL, 0), NX_SUCCESS);
    CHECK_EQ(pkt->nx_packet_length, 0);
    CHECK_EQ(strlen((char *)pkt->nx_packet_prepend_ptr), 0);

    CHECK_EQ(nx_packet_release(pkt), NX_SUCCESS);

    /* With a header reserved, the room shrinks accordingly. */
    CHECK_EQ(nx_packet_allocate(&pool, &pkt, NX_IPv4_TCP_PACKET, NX_NO_WAIT), NX_SUCCESS);
    CHECK_EQ(fill(pkt, data, PAYLOAD - NX_IPv4_TCP_PACKET + 1), NX_SIZE_ERROR);
    CHECK_EQ(fill(pkt, data, PAYLOAD - NX_IPv4_TCP_PACKET), NX_SUCCESS);
    CHECK_EQ(strlen((char *)pkt->nx_packet_prepend_ptr), PAYLOAD - NX_IPv4_TCP_PACKET);
    CHECK_EQ(nx_packet_release(pkt), NX_SUCCESS);

    /* Fill all packets to the brim, then check every one still ends. */
    {
        NX_PACKET *all[NPACKETS];
        int        i;

        for (i = 0; i < NPACKETS; i++)
        {
            all[i] = NX_NULL;
            CHECK_EQ(nx_packet_allocate(&pool, &all[i], 0, NX_NO_WAIT), NX_SUCCESS);
            CHECK_EQ(fill(all[i], data, PAYLOAD), NX_SUCCESS);
        }
        for (i = 0; i < NPACKETS; i++)
        {
            CHECK_EQ(strlen((char *)all[i]->nx_packet_prepend_ptr), PAYLOAD);
            CHECK_EQ(nx_packet_release(all[i]), NX_SUCCESS);
        }
    }
    CHECK_EQ(nx_packet_pool_delete(&pool), NX_SUCCESS);
}

static void test_chain_and_data(void)
{
    NX_PACKET_POOL pool;
    NX_PACKET     *a = NX_NULL, *b = NX_NULL, *c = NX_NULL;
    UCHAR          buf[64];
    ULONG          copied = 99;

    CHECK_EQ(nx_packet_pool_create(&pool, "p", PAYLOAD, pool_memory, sizeof(pool_memory)), NX_SUCCESS);
    CHECK_EQ(nx_packet_allocate(&pool, &a, 0, NX_NO_WAIT), NX_SUCCESS);
    CHECK_EQ(nx_packet_allocate(&pool, &b, 0, NX_NO_WAIT), NX_SUCCESS);
    CHECK_EQ(nx_packet_allocate(&pool, &c, 0, NX_NO_WAIT), NX_SUCCESS);
    if (a == NX_NULL || b == NX_NULL || c == NX_NULL)
    {
        return;
    }

    /* Empty packet. */
    CHECK_EQ(nx_packet_data_retrieve(a, buf, &copied), NX_SUCCESS);
    CHECK_EQ(copied, 0);
    copied = 99;
    CHECK_EQ(nx_packet_data_extract_offset(a, 0, buf, sizeof(buf), &copied), NX_SUCCESS);
    CHECK_EQ(copied, 0);
    CHECK_EQ(nx_packet_data_extract_offset(a, 1, buf, sizeof(buf), &copied), NX_PACKET_OFFSET_ERROR);

    /* "Hello, " + "POP3" + " world" as a chain, as a driver would build it. */
    memcpy(a->nx_packet_prepend_ptr, "Hello, ", 7);
    a->nx_packet_append_ptr = a->nx_packet_prepend_ptr + 7;
    memcpy(b->nx_packet_prepend_ptr, "POP3", 4);
    b->nx_packet_append_ptr = b->nx_packet_prepend_ptr + 4;
    memcpy(c->nx_packet_prepend_ptr, " world", 6);
    c->nx_packet_append_ptr = c->nx_packet_prepend_ptr + 6;
    a->nx_packet_next = b;
    b->nx_packet_next = c;
    a->nx_packet_last = c;
    a->nx_packet_length = 17;

    memset(buf, 0, sizeof(buf));
    CHECK_EQ(nx_packet_data_retrieve(a, buf, &copied), NX_SUCCESS);
    CHECK_EQ(copied, 17);
    CHECK(memcmp(buf, "Hello, POP3 world", 17) == 0);
    CHECK_EQ(buf[17], 0);
    CHECK_EQ(nx_packet_data_retrieve(NX_NULL, buf, &copied), NX_PTR_ERROR);
    CHECK_EQ(nx_packet_data_retrieve(a, NX_NULL, &copied), NX_PTR_ERROR);
    CHECK_EQ(nx_packet_data_retrieve(a, buf, NX_NULL), NX_PTR_ERROR);

    /* Offsets within the first, middle and last fragment. */
    memset(buf, 0, sizeof(buf));
    CHECK_EQ(nx_packet_data_extract_offset(a, 0, buf, sizeof(buf), &copied), NX_SUCCESS);
    CHECK_EQ(copied, 17);
    CHECK(memcmp(buf, "Hello, POP3 world", 17) == 0);
    memset(buf, 0, sizeof(buf));
    CHECK_EQ(nx_packet_data_extract_offset(a, 5, buf, 4, &copied), NX_SUCCESS);
    CHECK_EQ(copied, 4);
    CHECK(memcmp(buf, ", PO", 4) == 0);
    CHECK_EQ(buf[4], 0);
    memset(buf, 0, sizeof(buf));
    CHECK_EQ(nx_packet_data_extract_offset(a, 7, buf, sizeof(buf), &copied), NX_SUCCESS);
    CHECK_EQ(copied, 10);
    CHECK(memcmp(buf, "POP3 world", 10) == 0);
    memset(buf, 0, sizeof(buf));
    CHECK_EQ(nx_packet_data_extract_offset(a, 16, buf, sizeof(buf), &copied), NX_SUCCESS);
    CHECK_EQ(copied, 1);
    CHECK_EQ(buf[0], 'd');
    CHECK_EQ(nx_packet_data_extract_offset(a, 17, buf, sizeof(buf), &copied), NX_PACKET_OFFSET_ERROR);
    CHECK_EQ(nx_packet_data_extract_offset(a, 3, buf, 0, &copied), NX_SUCCESS);
    CHECK_EQ(copied, 0);
    CHECK_EQ(nx_packet_data_extract_offset(NX_NULL, 0, buf, 1, &copied), NX_PTR_ERROR);
    CHECK_EQ(nx_packet_data_extract_offset(a, 0, NX_NULL, 1, &copied), NX_PTR_ERROR);
    CHECK_EQ(nx_packet_data_extract_offset(a, 0, buf, 1, NX_NULL), NX_PTR_ERROR);

    /* nx_packet_length larger than the fragments: never overrun, report it. */
    a->nx_packet_length = 20;
    CHECK_EQ(nx_packet_data_retrieve(a, buf, &copied), NX_INVALID_PACKET);
    CHECK_EQ(copied, 17);
    a->nx_packet_length = 17;

    /* A chain that loops is refused, not walked forever; nothing is freed. */
    c->nx_packet_next = a;
    CHECK_EQ(nx_packet_data_retrieve(a, buf, &copied), NX_INVALID_PACKET);
    CHECK_EQ(nx_packet_release(a), NX_PTR_ERROR);
    CHECK_EQ(free_count(&pool), NPACKETS - 3);
    c->nx_packet_next = NX_NULL;

    /* A chain with a freed packet in it is refused as a whole. */
    CHECK_EQ(nx_packet_release(c), NX_SUCCESS);
    CHECK_EQ(nx_packet_release(a), NX_PTR_ERROR);
    CHECK_EQ(free_count(&pool), NPACKETS - 2);
    c = NX_NULL;
    CHECK_EQ(nx_packet_allocate(&pool, &c, 0, NX_NO_WAIT), NX_SUCCESS);
    b->nx_packet_next = c;

    /* Releasing the head releases the chain. */
    CHECK_EQ(nx_packet_release(a), NX_SUCCESS);
    CHECK_EQ(free_count(&pool), NPACKETS);
    CHECK_EQ(nx_packet_release(b), NX_PTR_ERROR);
    CHECK_EQ(nx_packet_release(c), NX_PTR_ERROR);
    CHECK_EQ(free_count(&pool), NPACKETS);

    /* A corrupted packet is refused with NetX's codes. */
    a = NX_NULL;
    CHECK_EQ(nx_packet_allocate(&pool, &a, 0, NX_NO_WAIT), NX_SUCCESS);
    a->nx_packet_prepend_ptr = a->nx_packet_data_start - 1;
    CHECK_EQ(nx_packet_release(a), NX_UNDERFLOW);
    a->nx_packet_prepend_ptr = a->nx_packet_data_start;
    a->nx_packet_append_ptr = a->nx_packet_data_end + 1;
    CHECK_EQ(nx_packet_release(a), NX_OVERFLOW);
    a->nx_packet_append_ptr = a->nx_packet_data_end;
    CHECK_EQ(nx_packet_release(a), NX_SUCCESS);
    CHECK_EQ(free_count(&pool), NPACKETS);
    CHECK_EQ(nx_packet_pool_delete(&pool), NX_SUCCESS);
}

struct waiter
{
    NX_PACKET_POOL *pool;
    ULONG           wait_option;
    NX_PACKET      *pkt;
    UINT            status;
    double          elapsed_ms;
};

static void *waiter_main(void *arg)
{
    struct waiter *w = (struct waiter *)arg;
    double         t0 = now_ms();

    w->status = nx_packet_allocate(w->pool, &w->pkt, 0, w->wait_option);
    w->elapsed_ms = now_ms() - t0;
    return NX_NULL;
}

/* Until the pool has counted n threads going to sleep on it. */
static void wait_for_suspensions(NX_PACKET_POOL *pool, ULONG n)
{
    ULONG suspensions = 0;
    int   i;

    for (i = 0; i < 5000; i++)
    {
        nx_packet_pool_info_get(pool, NX_NULL, NX_NULL, NX_NULL, &suspensions, NX_NULL);
        if (suspensions >= n)
        {
            return;
        }
        sleep_ms(1);
    }
}

#define STRESS_THREADS    8
#define STRESS_ITERATIONS 2000

static void *stress_main(void *arg)
{
    NX_PACKET_POOL *pool = (NX_PACKET_POOL *)arg;
    NX_PACKET      *pkt;
    int             i;
    long            errors = 0;
    UCHAR           byte;

    for (i = 0; i < STRESS_ITERATIONS; i++)
    {
        pkt = NX_NULL;
        if (nx_packet_allocate(pool, &pkt, 0, (i % 2) ? NX_WAIT_FOREVER : 500) != NX_SUCCESS)
        {
            errors++;
            continue;
        }
        byte = (UCHAR)i;
        if (fill(pkt, &byte, 1) != NX_SUCCESS || pkt->nx_packet_prepend_ptr[0] != byte)
        {
            errors++;
        }
        if (nx_packet_release(pkt) != NX_SUCCESS)
        {
            errors++;
        }
    }
    return (void *)(intptr_t)errors;
}

static void test_threads(void)
{
    NX_PACKET_POOL pool;
    NX_PACKET     *pkts[NPACKETS];
    pthread_t      th, ths[STRESS_THREADS];
    struct waiter  w;
    ULONG          total, free_packets, invalid;
    void          *ret;
    long           errors = 0;
    int            i;

    CHECK_EQ(nx_packet_pool_create(&pool, "p", PAYLOAD, pool_memory, sizeof(pool_memory)), NX_SUCCESS);
    for (i = 0; i < NPACKETS; i++)
    {
        pkts[i] = NX_NULL;
        CHECK_EQ(nx_packet_allocate(&pool, &pkts[i], 0, NX_NO_WAIT), NX_SUCCESS);
    }

    /* A release on another thread wakes a thread waiting forever. */
    memset(&w, 0, sizeof(w));
    w.pool = &pool;
    w.wait_option = NX_WAIT_FOREVER;
    CHECK_EQ(pthread_create(&th, NX_NULL, waiter_main, &w), 0);
    wait_for_suspensions(&pool, 1);
    sleep_ms(20);
    CHECK_EQ(nx_packet_release(pkts[0]), NX_SUCCESS);
    pthread_join(th, NX_NULL);
    CHECK_EQ(w.status, NX_SUCCESS);
    CHECK(w.pkt == pkts[0]);
    CHECK_EQ(free_count(&pool), 0);

    /* ...and one waiting with a long timeout, well before it expires. */
    memset(&w, 0, sizeof(w));
    w.pool = &pool;
    w.wait_option = 10 * NX_IP_PERIODIC_RATE;
    CHECK_EQ(pthread_create(&th, NX_NULL, waiter_main, &w), 0);
    wait_for_suspensions(&pool, 2);
    sleep_ms(20);
    CHECK_EQ(nx_packet_release(pkts[1]), NX_SUCCESS);
    pthread_join(th, NX_NULL);
    CHECK_EQ(w.status, NX_SUCCESS);
    CHECK(w.pkt == pkts[1]);
    CHECK(w.elapsed_ms < 5000.0);

    for (i = 0; i < NPACKETS; i++)
    {
        CHECK_EQ(nx_packet_release(pkts[i]), NX_SUCCESS);
    }
    CHECK_EQ(free_count(&pool), NPACKETS);

    /* Many threads contending for fewer packets than there are threads. */
    for (i = 0; i < STRESS_THREADS; i++)
    {
        CHECK_EQ(pthread_create(&ths[i], NX_NULL, stress_main, &pool), 0);
    }
    for (i = 0; i < STRESS_THREADS; i++)
    {
        pthread_join(ths[i], &ret);
        errors += (long)(intptr_t)ret;
    }
    CHECK_EQ(errors, 0);
    CHECK_EQ(nx_packet_pool_info_get(&pool, &total, &free_packets, NX_NULL, NX_NULL, &invalid), NX_SUCCESS);
    CHECK_EQ(total, NPACKETS);
    CHECK_EQ(free_packets, total);
    CHECK_EQ(invalid, 0);
    CHECK_EQ(nx_packet_pool_delete(&pool), NX_SUCCESS);
}

static void test_pool_delete(void)
{
    NX_PACKET_POOL pool;
    NX_PACKET     *pkts[NPACKETS];
    NX_PACKET     *pkt = NX_NULL;
    pthread_t      th[2];
    struct waiter  w[2];
    int            i;

    CHECK_EQ(nx_packet_pool_create(&pool, "p", PAYLOAD, pool_memory, sizeof(pool_memory)), NX_SUCCESS);
    for (i = 0; i < NPACKETS; i++)
    {
        pkts[i] = NX_NULL;
        CHECK_EQ(nx_packet_allocate(&pool, &pkts[i], 0, NX_NO_WAIT), NX_SUCCESS);
    }

    /* Waiters are woken with NX_POOL_DELETED, as NetX resumes them. */
    for (i = 0; i < 2; i++)
    {
        memset(&w[i], 0, sizeof(w[i]));
        w[i].pool = &pool;
        w[i].wait_option = (i == 0) ? NX_WAIT_FOREVER : 30 * NX_IP_PERIODIC_RATE;
        CHECK_EQ(pthread_create(&th[i], NX_NULL, waiter_main, &w[i]), 0);
    }
    wait_for_suspensions(&pool, 2);
    sleep_ms(20);

    /* Deleting with packets outstanding is allowed... */
    CHECK_EQ(nx_packet_pool_delete(&pool), NX_SUCCESS);
    for (i = 0; i < 2; i++)
    {
        pthread_join(th[i], NX_NULL);
        CHECK_EQ(w[i].status, NX_POOL_DELETED);
        CHECK(w[i].pkt == NX_NULL);
        CHECK(w[i].elapsed_ms < 10000.0);
    }

    /* ...but the pool and its packets are dead afterwards. */
    CHECK_EQ(nx_packet_allocate(&pool, &pkt, 0, NX_NO_WAIT), NX_PTR_ERROR);
    CHECK_EQ(nx_packet_pool_info_get(&pool, NX_NULL, NX_NULL, NX_NULL, NX_NULL, NX_NULL), NX_PTR_ERROR);
    CHECK_EQ(nx_packet_release(pkts[0]), NX_PTR_ERROR);
    CHECK_EQ(nx_packet_pool_delete(&pool), NX_PTR_ERROR);

    /* The same control block and memory can make a new pool. */
    CHECK_EQ(nx_packet_pool_create(&pool, "again", PAYLOAD, pool_memory, sizeof(pool_memory)), NX_SUCCESS);
    CHECK_EQ(free_count(&pool), NPACKETS);
    CHECK_EQ(nx_packet_pool_delete(&pool), NX_SUCCESS);
}

static VOID user_driver(struct NX_IP_DRIVER_STRUCT *req)
{
    req->nx_ip_driver_status = NX_SUCCESS;
}

static void test_ip(void)
{
    NX_PACKET_POOL pool, dead;
    NX_IP          ip, ip2, never;
    UCHAR          stack2[1024];

    memset(&never, 0, sizeof(never));
    memset(&dead, 0, sizeof(dead));
    CHECK_EQ(nx_packet_pool_create(&pool, "p", PAYLOAD, pool_memory, sizeof(pool_memory)), NX_SUCCESS);

    CHECK_EQ(nx_ip_create(NX_NULL, "ip", IP_ADDRESS(192, 168, 1, 2), 0xFFFFFF00UL, &pool, _nx_ram_network_driver, ip_stack, sizeof(ip_stack), 1), NX_PTR_ERROR);
    CHECK_EQ(nx_ip_create(&ip, "ip", IP_ADDRESS(192, 168, 1, 2), 0xFFFFFF00UL, NX_NULL, _nx_ram_network_driver, ip_stack, sizeof(ip_stack), 1), NX_PTR_ERROR);
    CHECK_EQ(nx_ip_create(&ip, "ip", IP_ADDRESS(192, 168, 1, 2), 0xFFFFFF00UL, &dead, _nx_ram_network_driver, ip_stack, sizeof(ip_stack), 1), NX_PTR_ERROR);
    CHECK_EQ(nx_ip_create(&ip, "ip", IP_ADDRESS(192, 168, 1, 2), 0xFFFFFF00UL, &pool, NX_NULL, ip_stack, sizeof(ip_stack), 1), NX_PTR_ERROR);
    CHECK_EQ(nx_ip_create(&ip, "ip", IP_ADDRESS(192, 168, 1, 2), 0xFFFFFF00UL, &pool, _nx_ram_network_driver, NX_NULL, sizeof(ip_stack), 1), NX_PTR_ERROR);
    CHECK_EQ(nx_ip_create(&ip, "ip", IP_ADDRESS(192, 168, 1, 2), 0xFFFFFF00UL, &pool, _nx_ram_network_driver, ip_stack, 100, 1), NX_SIZE_ERROR);
    CHECK_EQ(nx_ip_create(&ip, "ip", IP_ADDRESS(192, 168, 1, 2), 0xFFFFFF00UL, &pool, _nx_ram_network_driver, ip_stack, sizeof(ip_stack), 32), NX_OPTION_ERROR);
    CHECK_EQ(nx_ip_create(&ip, "ip", IP_ADDRESS(224, 0, 0, 1), 0xFFFFFF00UL, &pool, _nx_ram_network_driver, ip_stack, sizeof(ip_stack), 1), NX_IP_ADDRESS_ERROR);
    CHECK(!nxhost_ip_valid(&ip));

    CHECK_EQ(nx_ip_create(&ip, "ip", IP_ADDRESS(192, 168, 1, 2), 0xFFFFFF00UL, &pool, _nx_ram_network_driver, ip_stack, sizeof(ip_stack), 1), NX_SUCCESS);
    CHECK_EQ(ip.nx_ip_id, NX_IP_ID);
    CHECK(strcmp(ip.nx_ip_name, "ip") == 0);
    CHECK_EQ(ip.nx_ip_address, 0xC0A80102UL);
    CHECK_EQ(ip.nx_ip_network_mask, 0xFFFFFF00UL);
    CHECK(ip.nx_ip_default_packet_pool == &pool);
    CHECK(nxhost_ip_valid(&ip));
    CHECK(!nxhost_ip_tcp_enabled(&ip));

    /* Twice, or on another instance's memory. */
    CHECK_EQ(nx_ip_create(&ip, "ip", 0, 0, &pool, _nx_ram_network_driver, stack2, sizeof(stack2), 1), NX_PTR_ERROR);
    CHECK_EQ(nx_ip_create(&ip2, "ip2", 0, 0, &pool, user_driver, ip_stack + 512, 512, 1), NX_PTR_ERROR);
    /* Address 0 waits for DHCP: allowed. */
    CHECK_EQ(nx_ip_create(&ip2, "ip2", 0, 0, &pool, user_driver, stack2, sizeof(stack2), 3), NX_SUCCESS);

    CHECK_EQ(nx_arp_enable(NX_NULL, arp_cache, sizeof(arp_cache)), NX_PTR_ERROR);
    CHECK_EQ(nx_arp_enable(&never, arp_cache, sizeof(arp_cache)), NX_PTR_ERROR);
    CHECK_EQ(nx_arp_enable(&ip, NX_NULL, sizeof(arp_cache)), NX_PTR_ERROR);
    CHECK_EQ(nx_arp_enable(&ip, arp_cache, 0), NX_SIZE_ERROR);
    CHECK_EQ(nx_arp_enable(&ip, arp_cache, sizeof(arp_cache)), NX_SUCCESS);
    CHECK_EQ(nx_arp_enable(&ip, arp_cache, sizeof(arp_cache)), NX_ALREADY_ENABLED);
    CHECK(ip.nx_ip_arp_enabled);

    CHECK_EQ(nx_icmp_enable(NX_NULL), NX_PTR_ERROR);
    CHECK_EQ(nx_icmp_enable(&never), NX_PTR_ERROR);
    CHECK_EQ(nx_icmp_enable(&ip), NX_SUCCESS);
    CHECK_EQ(nx_icmp_enable(&ip), NX_ALREADY_ENABLED);
    CHECK(ip.nx_ip_icmp_enabled);

    CHECK_EQ(nx_tcp_enable(NX_NULL), NX_PTR_ERROR);
    CHECK_EQ(nx_tcp_enable(&never), NX_PTR_ERROR);
    CHECK_EQ(nx_tcp_enable(&ip), NX_SUCCESS);
    CHECK_EQ(nx_tcp_enable(&ip), NX_ALREADY_ENABLED);
    CHECK(ip.nx_ip_tcp_enabled);
    CHECK(nxhost_ip_tcp_enabled(&ip));
    CHECK(!nxhost_ip_tcp_enabled(&ip2));

    CHECK_EQ(nx_ip_delete(NX_NULL), NX_PTR_ERROR);
    CHECK_EQ(nx_ip_delete(&never), NX_PTR_ERROR);
    CHECK_EQ(nx_ip_delete(&ip), NX_SUCCESS);
    CHECK_EQ(ip.nx_ip_id, 0);
    CHECK(!nxhost_ip_valid(&ip));
    CHECK(!nxhost_ip_tcp_enabled(&ip));
    CHECK_EQ(nx_ip_delete(&ip), NX_PTR_ERROR);
    CHECK_EQ(nx_tcp_enable(&ip), NX_PTR_ERROR);
    CHECK(nxhost_ip_valid(&ip2));
    CHECK_EQ(nx_ip_delete(&ip2), NX_SUCCESS);

    /* A deleted instance's memory is free again. */
    CHECK_EQ(nx_ip_create(&ip, "ip", IP_ADDRESS(10, 0, 0, 1), 0xFF000000UL, &pool, _nx_ram_network_driver, ip_stack, sizeof(ip_stack), 1), NX_SUCCESS);
    CHECK_EQ(nx_ip_delete(&ip), NX_SUCCESS);
    CHECK_EQ(nx_packet_pool_delete(&pool), NX_SUCCESS);
}

static void test_driver(void)
{
    NX_PACKET_POOL pool;
    NX_IP_DRIVER   req;
    NX_PACKET     *pkt = NX_NULL;
    ULONG          value = 7;

    CHECK_EQ(nx_packet_pool_create(&pool, "p", PAYLOAD, pool_memory, sizeof(pool_memory)), NX_SUCCESS);

    memset(&req, 0, sizeof(req));
    req.nx_ip_driver_command = NX_LINK_INITIALIZE;
    req.nx_ip_driver_status = NX_NOT_SUCCESSFUL;
    _nx_ram_network_driver(&req);
    CHECK_EQ(req.nx_ip_driver_status, NX_SUCCESS);

    req.nx_ip_driver_command = NX_LINK_ENABLE;
    req.nx_ip_driver_status = NX_NOT_SUCCESSFUL;
    _nx_ram_network_driver(&req);
    CHECK_EQ(req.nx_ip_driver_status, NX_SUCCESS);

    /* The driver owns what it is asked to send. */
    CHECK_EQ(nx_packet_allocate(&pool, &pkt, NX_IPv4_TCP_PACKET, NX_NO_WAIT), NX_SUCCESS);
    CHECK_EQ(free_count(&pool), NPACKETS - 1);
    req.nx_ip_driver_command = NX_LINK_PACKET_SEND;
    req.nx_ip_driver_packet = pkt;
    _nx_ram_network_driver(&req);
    CHECK_EQ(req.nx_ip_driver_status, NX_SUCCESS);
    CHECK_EQ(free_count(&pool), NPACKETS);

    req.nx_ip_driver_command = NX_LINK_GET_STATUS;
    req.nx_ip_driver_return_ptr = &value;
    _nx_ram_network_driver(&req);
    CHECK_EQ(req.nx_ip_driver_status, NX_SUCCESS);
    CHECK_EQ(value, NX_TRUE);

    req.nx_ip_driver_command = 99;
    _nx_ram_network_driver(&req);
    CHECK_EQ(req.nx_ip_driver_status, NX_UNHANDLED_COMMAND);

    _nx_ram_network_driver(NX_NULL);
    CHECK_EQ(nx_packet_pool_delete(&pool), NX_SUCCESS);
}

int main(void)
{
    nx_system_initialize();
    nx_system_initialize();

    test_types_and_macros();
    test_pool_create();
    test_allocate_release();
    test_fill_and_nul();
    test_chain_and_data();
    test_threads();
    test_pool_delete();
    test_ip();
    test_driver();

    return check_summary();
}
