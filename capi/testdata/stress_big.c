/*
 * stress_big.c - one session that downloads message 1 (1 GiB in the stress
 * test) packet by packet through nx_pop3_client_mail_item_message_get,
 * hashing the data (FNV-1a 64) instead of keeping it, and prints:
 *
 *   create 0x00
 *   data <octets> fnv <16 hex digits> packets <n>
 *   quit 0x00
 *   maxrss_kb before <kB> after <kB>
 *   pool free X/Y
 *
 * Usage: stress_big port. Built and run by stress_test.go.
 */
#define _DEFAULT_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>

#include "nx_api.h"
#include "nx_pop3_client.h"
#include "check.h"


static UCHAR pool_memory[FLOW_POOL_SIZE(32)];
static NX_PACKET_POOL pool;
static NX_IP ip;
static NX_POP3_CLIENT client;

static long maxrss_kb(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

int main(int argc, char **argv)
{
    UINT status, items, final = NX_FALSE;
    ULONG total, size, packets = 0;
    unsigned long long octets = 0, fnv = 14695981039346656037ULL;
    long before;

    if (argc != 2) {
        fprintf(stderr, "usage: %s port\n", argv[0]);
        return 2;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    loopback_start(&pool, "big pool", pool_memory, sizeof pool_memory, &ip, "big IP");

    status = nx_pop3_client_create(&client, NX_TRUE, &ip, &pool, IP_ADDRESS(127, 0, 0, 1),
                                   strtoul(argv[1], NULL, 10), (CHAR *)"mrose", (CHAR *)"tanstaaf");
    printf("create 0x%02X\n", status);
    if (status != NX_SUCCESS)
        return 1;
    status = nx_pop3_client_mail_items_get(&client, &items, &total);
    printf("items 0x%02X %u %lu\n", status, items, total);
    before = maxrss_kb();
    status = nx_pop3_client_mail_item_get(&client, 1, &size);
    printf("item_get 0x%02X %lu\n", status, size);
    if (status != NX_SUCCESS)
        return 1;
    while (!final) {
        NX_PACKET *packet;
        ULONG bytes, i;
        UCHAR *p;
        status = nx_pop3_client_mail_item_message_get(&client, &packet, &bytes, &final);
        if (status != NX_SUCCESS) {
            printf("message_get 0x%02X after %llu octets\n", status, octets);
            return 1;
        }
        p = packet->nx_packet_prepend_ptr;
        for (i = 0; i < bytes; i++) {
            fnv ^= p[i];
            fnv *= 1099511628211ULL;
        }
        octets += bytes;
        packets++;
        nx_packet_release(packet);
    }
    printf("data %llu fnv %016llx packets %lu\n", octets, fnv, packets);
    printf("quit 0x%02X\n", nx_pop3_client_quit(&client));
    nx_pop3_client_delete(&client);
    printf("maxrss_kb before %ld after %ld\n", before, maxrss_kb());
    print_pool_free(&pool);
    return 0;
}
