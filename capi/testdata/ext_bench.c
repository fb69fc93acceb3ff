/*
 * ext_bench.c - times fetching a whole maildrop two ways in one session:
 * nx_pop3_client_mail_items_fetch (pipelined when the server advertises
 * PIPELINING) and the vendor's loop of nx_pop3_client_mail_item_get and
 * nx_pop3_client_mail_item_message_get, one command at a time.
 * fetchbench_test.go runs it.
 *
 * Usage: POP3_SERVER=a.b.c.d:port POP3_USER=.. POP3_PASSWORD=.. \
 *        ./ext_bench MODE ITERATIONS      MODE: pipelined|sequential|both
 * Prints "pipelined SECONDS BYTES" and/or "sequential SECONDS BYTES": the
 * time of ITERATIONS fetches of every message (login not included) and the
 * bytes received, then "0 failed" or the failures.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "nx_api.h"
#include "nx_pop3_client.h"
#include "testenv.h"

static NX_PACKET_POOL pool;
static NX_IP ip;
static ULONG ip_memory[512];
static int failed;


static void fail(const char *what, UINT status)
{
    failed++;
    printf("FAIL: %s: status 0x%02X\n", what, status);
}

struct totals
{
    unsigned long long bytes;
    UINT messages;
};

static UINT on_packet(NX_POP3_CLIENT *client, UINT item, NX_PACKET *packet, UINT final, VOID *context)
{
    struct totals *t = context;

    (void)client, (void)item;
    t->bytes += packet->nx_packet_length;
    if (final)
        t->messages++;
    return nx_packet_release(packet);
}

static void pipelined(NX_POP3_CLIENT *client, UINT count, struct totals *t)
{
    UINT status = nx_pop3_client_mail_items_fetch(client, NX_NULL, count, NX_FALSE, on_packet, t);

    if (status != NX_SUCCESS)
        fail("mail_items_fetch", status);
}

static void sequential(NX_POP3_CLIENT *client, UINT count, struct totals *t)
{
    UINT item;

    for (item = 1; item <= count; item++)
    {
        ULONG size = 0;
        UINT final = NX_FALSE, status = nx_pop3_client_mail_item_get(client, item, &size);

        if (status != NX_SUCCESS)
        {
            fail("mail_item_get", status);
            return;
        }
        while (!final)
        {
            NX_PACKET *packet = NX_NULL;
            ULONG bytes = 0;

            status = nx_pop3_client_mail_item_message_get(client, &packet, &bytes, &final);
            if (status != NX_SUCCESS)
            {
                fail("mail_item_message_get", status);
                return;
            }
            t->bytes += bytes;
            nx_packet_release(packet);
        }
        t->messages++;
    }
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "both";
    long iterations = argc > 2 ? strtol(argv[2], NULL, 10) : 1;
    const char *server = getenv("POP3_SERVER");
    unsigned a, b, c, d, port;
    ULONG payload = 1460, packets = 64, size;
    UCHAR *memory;
    NXD_ADDRESS address;
    NX_POP3_CLIENT client;
    NX_POP3_CLIENT_OPTIONS opt;
    UINT status, count = 0;
    ULONG total = 0;
    int run_pipelined = strcmp(mode, "sequential") != 0, run_sequential = strcmp(mode, "pipelined") != 0;
    double seconds[2] = {0, 0};
    struct totals totals[2];
    long i;

    setvbuf(stdout, NULL, _IOLBF, 0);
    if (server == NULL || sscanf(server, "%u.%u.%u.%u:%u", &a, &b, &c, &d, &port) != 5 || iterations < 1)
    {
        printf("usage: POP3_SERVER=a.b.c.d:port ext_bench pipelined|sequential|both ITERATIONS\n");
        return 2;
    }
    nx_system_initialize();
    size = packets * (payload + sizeof(NX_PACKET) + 16);
    memory = malloc(size);
    if (memory == NULL || nx_packet_pool_create(&pool, "bench", payload, memory, size) != NX_SUCCESS ||
        nx_ip_create(&ip, "bench", IP_ADDRESS(192, 168, 0, 2), 0xFFFFFF00UL, &pool, _nx_ram_network_driver,
                     ip_memory, sizeof ip_memory, 1) != NX_SUCCESS ||
        nx_tcp_enable(&ip) != NX_SUCCESS)
    {
        printf("setup failed\n");
        return 2;
    }
    address.nxd_ip_version = NX_IP_VERSION_V4;
    address.nxd_ip_address.v4 = IP_ADDRESS(a, b, c, d);
    nx_pop3_client_options_init(&opt);
    opt.nx_pop3_options_auth = NX_POP3_AUTH_USER;
    memset(&client, 0, sizeof client);
    status = nxd_pop3_client_create_ex(&client, &ip, &pool, &address, port, getenv("POP3_USER"), getenv("POP3_PASSWORD"), &opt);
    if (status != NX_SUCCESS)
    {
        fail("create", status);
        return 1;
    }
    status = nx_pop3_client_mail_items_get(&client, &count, &total);
    if (status != NX_SUCCESS)
        fail("mail_items_get", status);

    memset(totals, 0, sizeof totals);
    for (i = 0; i < iterations && failed == 0; i++)
    {
        double t0;

        if (run_pipelined)
        {
            t0 = now_s();
            pipelined(&client, count, &totals[0]);
            seconds[0] += now_s() - t0;
        }
        if (run_sequential)
        {
            t0 = now_s();
            sequential(&client, count, &totals[1]);
            seconds[1] += now_s() - t0;
        }
    }
    if (run_pipelined)
        printf("pipelined %.6f %llu %u\n", seconds[0], totals[0].bytes, totals[0].messages);
    if (run_sequential)
        printf("sequential %.6f %llu %u\n", seconds[1], totals[1].bytes, totals[1].messages);
    printf("count %u size %lu\n", count, total);
    status = nx_pop3_client_quit(&client);
    if (status != NX_SUCCESS)
        fail("quit", status);
    nx_pop3_client_delete(&client);
    printf("%d failed\n", failed);
    return failed == 0 ? 0 : 1;
}
