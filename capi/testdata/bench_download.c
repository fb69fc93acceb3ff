/*
 * bench_download.c - times the download of message 1 through
 * nx_pop3_client_mail_item_message_get, for bench_test.go.
 *
 * Build (bench_test.go does this):
 *   gcc -std=c99 -Wall -Wextra -Werror -O2 -I../include \
 *       testdata/bench_download.c libnxpop3.a -lpthread -o bench_download
 * Usage: POP3_SERVER=127.0.0.1:port POP3_USER=demo POP3_PASSWORD=secret \
 *            ./bench_download PAYLOAD ROUNDS
 * Prints "bytes B seconds S": message bytes over all rounds and the time
 * spent from RETR to the final packet, login excluded.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "nx_api.h"
#include "nx_pop3_client.h"
#include "testenv.h"


int main(int argc, char **argv)
{
    static NX_PACKET_POOL pool;
    static NX_IP ip;
    static NX_POP3_CLIENT client;
    static ULONG ip_memory[256];
    const char *server = getenv("POP3_SERVER");
    ULONG payload = argc > 1 ? strtoul(argv[1], NULL, 10) : 1460;
    long rounds = argc > 2 ? strtol(argv[2], NULL, 10) : 1, r;
    size_t size = 16 * (payload + sizeof(NX_PACKET) + 16);
    void *memory = malloc(size);
    unsigned a, b, c, d, port;
    unsigned long long total = 0;
    double seconds = 0;
    UINT status, items;
    ULONG octets;

    if (memory == NULL || server == NULL || sscanf(server, "%u.%u.%u.%u:%u", &a, &b, &c, &d, &port) != 5)
        return 2;
    nx_system_initialize();
    nx_packet_pool_create(&pool, "bench", payload, memory, size);
    nx_ip_create(&ip, "bench", IP_ADDRESS(127, 0, 0, 1), 0xFF000000UL, &pool, _nx_ram_network_driver,
                 ip_memory, sizeof ip_memory, 1);
    nx_tcp_enable(&ip);
    status = nx_pop3_client_create(&client, NX_FALSE, &ip, &pool, IP_ADDRESS(a, b, c, d), port,
                                   getenv("POP3_USER"), getenv("POP3_PASSWORD"));
    if (status == NX_SUCCESS)
        status = nx_pop3_client_mail_items_get(&client, &items, &octets);
    for (r = 0; r < rounds && status == NX_SUCCESS; r++)
    {
        UINT final = NX_FALSE;
        double start = now_s();

        status = nx_pop3_client_mail_item_get(&client, 1, &octets);
        while (status == NX_SUCCESS && !final)
        {
            NX_PACKET *packet;
            ULONG bytes;

            status = nx_pop3_client_mail_item_message_get(&client, &packet, &bytes, &final);
            if (status == NX_SUCCESS)
            {
                total += bytes;
                nx_packet_release(packet);
            }
        }
        seconds += now_s() - start;
    }
    if (status != NX_SUCCESS)
    {
        printf("failed with status 0x%02X\n", status);
        return 1;
    }
    nx_pop3_client_quit(&client);
    nx_pop3_client_delete(&client);
    printf("bytes %llu seconds %.6f\n", total, seconds);
    return 0;
}
