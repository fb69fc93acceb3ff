/*
 * check.h - what the C test programs in testdata share. Include it after
 * nx_api.h.
 *
 * Checks (nx_host_test.c, tx_host_test.c, pop3_client_test.c, ext_test.c,
 * dovecot_dele.c): CHECK(cond) and CHECK_EQ(got, want) count a check in
 * passed or failed, printing a line for each failure; checks may run on
 * several threads. check_summary() prints "N passed, M failed", the line
 * the Go tests look for, and returns the exit status: 0 only if every
 * check passed. Before including this file a program may define
 * CHECK_OUT, the stream of the failure lines (stdout unless defined), or
 * its own failure lines: CHECK_REPORT(line, what) and
 * CHECK_EQ_REPORT(line, what, got, want), got and want unsigned long.
 *
 * Flows (hostile_flow.c, stress_*.c): loopback_start() sets up NetX over
 * 127.0.0.1, print_pool_free() prints the "pool free X/Y" line.
 */
#ifndef NXPOP3_TESTDATA_CHECK_H
#define NXPOP3_TESTDATA_CHECK_H

#include <pthread.h>
#include <stdio.h>

#include "nx_api.h"

#ifndef CHECK_OUT
#define CHECK_OUT stdout
#endif

#ifndef CHECK_REPORT
#define CHECK_REPORT(line, what) fprintf(CHECK_OUT, "line %d: FAIL: %s\n", line, what)
#endif

#ifndef CHECK_EQ_REPORT
#define CHECK_EQ_REPORT(line, what, got, want) \
    fprintf(CHECK_OUT, "line %d: FAIL: %s = %lu (0x%lx), want %lu (0x%lx)\n", line, what, got, got, want, want)
#endif

#define CHECK(cond) check((cond), #cond, __LINE__)
#define CHECK_EQ(got, want) check_eq((unsigned long)(got), (unsigned long)(want), #got, __LINE__)

static pthread_mutex_t check_lock = PTHREAD_MUTEX_INITIALIZER;
static int passed, failed;

static inline void check(int ok, const char *what, int line)
{
    pthread_mutex_lock(&check_lock);
    if (ok)
        passed++;
    else {
        failed++;
        CHECK_REPORT(line, what);
    }
    pthread_mutex_unlock(&check_lock);
}

static inline void check_eq(unsigned long got, unsigned long want, const char *what, int line)
{
    pthread_mutex_lock(&check_lock);
    if (got == want)
        passed++;
    else {
        failed++;
        CHECK_EQ_REPORT(line, what, got, want);
    }
    pthread_mutex_unlock(&check_lock);
}

static inline int check_summary(void)
{
    printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}

/* The flows' packets: FLOW_POOL_SIZE(n) bytes of pool memory hold n. */
#define FLOW_PAYLOAD 1460
#define FLOW_POOL_SIZE(packets) ((packets) * (FLOW_PAYLOAD + 256))

/* Initialises NetX, creates pool over memory and ip on 127.0.0.1 with TCP.
 * NetX keeps the names. */
static inline void loopback_start(NX_PACKET_POOL *pool, CHAR *pool_name, VOID *memory, ULONG size,
                                  NX_IP *ip, CHAR *ip_name)
{
    static ULONG ip_memory[1024];

    nx_system_initialize();
    nx_packet_pool_create(pool, pool_name, FLOW_PAYLOAD, memory, size);
    nx_ip_create(ip, ip_name, IP_ADDRESS(127, 0, 0, 1), 0xFF000000UL, pool,
                 _nx_ram_network_driver, ip_memory, sizeof ip_memory, 1);
    nx_tcp_enable(ip);
}

/* Prints "pool free FREE/TOTAL": the Go tests require every packet back. */
static inline void print_pool_free(NX_PACKET_POOL *pool)
{
    ULONG total_packets = 0, free_packets = 0, x;

    nx_packet_pool_info_get(pool, &total_packets, &free_packets, &x, &x, &x);
    printf("pool free %lu/%lu\n", free_packets, total_packets);
}

#endif
