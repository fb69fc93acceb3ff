/*
 * hostile_flow.c - the vendor's POP3 client flow against one server, printing
 * the status of every call so that hostile_test.go can check it:
 *
 *   create 0x00
 *   items 0x00 1 44
 *   size 0x00 44
 *   item_get 0x00 44
 *   message_get 0x00 packets 1
 *   data 44
 *   dele 0x00
 *   quit 0x00
 *   client_delete 0x00
 *   pool free 16/16
 *
 * The flow stops at the first call that fails (the client is then deleted
 * without QUIT, as an application would). The message data goes to the file
 * named by the second argument.
 *
 * Usage: hostile_flow port data-file
 * Build (hostile_test.go does this):
 *   gcc -std=c99 -Wall -Wextra -Werror -I../include testdata/hostile_flow.c \
 *       -Wl,--whole-archive libnxpop3.a -Wl,--no-whole-archive -lpthread
 *
 * Exits 0 whatever the statuses; only a crash or a bad argument is a
 * non-zero exit.
 */
#include <stdio.h>
#include <stdlib.h>

#include "nx_api.h"
#include "nx_pop3_client.h"
#include "check.h"

static UCHAR pool_memory[FLOW_POOL_SIZE(16)];
static NX_PACKET_POOL pool;
static NX_IP ip;
static NX_POP3_CLIENT client;

static void error_text(void)
{
    CHAR text[NX_POP3_ERROR_TEXT_SIZE];
    if (nx_pop3_client_error_text(&client, text, sizeof text) != NX_PTR_ERROR)
        printf("error %s\n", text);
}

/* flow runs the calls and returns at the first failure. */
static void flow(ULONG port, FILE *out)
{
    UINT status, items = 0, final = NX_FALSE, packets = 0;
    ULONG total = 0, size = 0, data = 0;

    status = nx_pop3_client_create(&client, NX_TRUE, &ip, &pool, IP_ADDRESS(127, 0, 0, 1), port,
                                   (CHAR *)"mrose", (CHAR *)"tanstaaf");
    printf("create 0x%02X\n", status);
    if (status != NX_SUCCESS) {
        error_text();
        return;
    }
    status = nx_pop3_client_mail_items_get(&client, &items, &total);
    printf("items 0x%02X %u %lu\n", status, items, total);
    if (status != NX_SUCCESS)
        goto failed;
    status = nx_pop3_client_mail_item_size_get(&client, 1, &size);
    printf("size 0x%02X %lu\n", status, size);
    if (status != NX_SUCCESS)
        goto failed;
    status = nx_pop3_client_mail_item_get(&client, 1, &size);
    printf("item_get 0x%02X %lu\n", status, size);
    if (status != NX_SUCCESS)
        goto failed;
    while (!final) {
        NX_PACKET *packet = NX_NULL;
        ULONG bytes = 0;
        status = nx_pop3_client_mail_item_message_get(&client, &packet, &bytes, &final);
        if (status != NX_SUCCESS)
            break;
        packets++;
        if (packet->nx_packet_length != bytes) {
            printf("packet length %lu, bytes %lu\n", packet->nx_packet_length, bytes);
        }
        if (bytes > 0 && fwrite(packet->nx_packet_prepend_ptr, 1, bytes, out) != bytes) {
            perror("fwrite");
            exit(2);
        }
        data += bytes;
        nx_packet_release(packet);
    }
    printf("message_get 0x%02X packets %u\n", status, packets);
    printf("data %lu\n", data);
    if (status != NX_SUCCESS)
        goto failed;
    status = nx_pop3_client_mail_item_delete(&client, 1);
    printf("dele 0x%02X\n", status);
    if (status != NX_SUCCESS)
        goto failed;
    status = nx_pop3_client_quit(&client);
    printf("quit 0x%02X\n", status);
    if (status != NX_SUCCESS)
        goto failed;
    return;
failed:
    error_text();
}

int main(int argc, char **argv)
{
    FILE *out;

    if (argc != 3) {
        fprintf(stderr, "usage: %s port data-file\n", argv[0]);
        return 2;
    }
    out = fopen(argv[2], "wb");
    if (!out) {
        perror(argv[2]);
        return 2;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    loopback_start(&pool, "hostile pool", pool_memory, sizeof pool_memory, &ip, "hostile IP");

    flow(strtoul(argv[1], NULL, 10), out);
    fclose(out);

    printf("client_delete 0x%02X\n", nx_pop3_client_delete(&client));
    print_pool_free(&pool);
    return 0;
}
