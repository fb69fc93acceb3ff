/*
 * demo.c - the vendor's POP3 client demo flow, unchanged in shape: create a
 * client with APOP requested, count the mail, download each item packet by
 * packet, quit, delete the client.
 *
 * Server and account come from POP3_SERVER (a.b.c.d:port), POP3_USER and
 * POP3_PASSWORD; 'make demo' sets them. The vendor's demo deletes every
 * item it downloads; this one deletes only with POP3_DELETE=1, because run
 * against a real account it would otherwise empty the mailbox.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nx_api.h"
#include "nx_pop3_client.h"

#define PAYLOAD 1460
#define POOL_SIZE (16 * (PAYLOAD + 128))

static UCHAR pool_memory[POOL_SIZE];
static ULONG ip_memory[1024];
static NX_PACKET_POOL pool;
static NX_IP ip;
static NX_POP3_CLIENT client;

static UINT fail(const char *what, UINT status)
{
    CHAR text[256];
    if (nx_pop3_client_error_text(&client, text, sizeof text) != NX_PTR_ERROR)
        fprintf(stderr, "%s failed: 0x%02X (%s)\n", what, status, text);
    else
        fprintf(stderr, "%s failed: 0x%02X\n", what, status);
    return 1;
}

int main(void)
{
    const char *server = getenv("POP3_SERVER");
    const char *user = getenv("POP3_USER");
    const char *password = getenv("POP3_PASSWORD");
    const char *delete_env = getenv("POP3_DELETE");
    UINT delete_items = delete_env != NULL && strcmp(delete_env, "1") == 0;
    unsigned a, b, c, d, port;
    UINT status, items, i;
    ULONG total, size;

    if (!server || !user || !password ||
        sscanf(server, "%u.%u.%u.%u:%u", &a, &b, &c, &d, &port) != 5) {
        fprintf(stderr, "set POP3_SERVER=a.b.c.d:port, POP3_USER and POP3_PASSWORD\n");
        return 2;
    }

    nx_system_initialize();
    nx_packet_pool_create(&pool, "POP3 pool", PAYLOAD, pool_memory, POOL_SIZE);
    nx_ip_create(&ip, "POP3 IP", IP_ADDRESS(192, 168, 0, 2), 0xFFFFFF00UL, &pool,
                 _nx_ram_network_driver, ip_memory, sizeof ip_memory, 1);
    nx_tcp_enable(&ip);

    status = nx_pop3_client_create(&client, NX_TRUE, &ip, &pool, IP_ADDRESS(a, b, c, d),
                                   port, (CHAR *)user, (CHAR *)password);
    if (status != NX_SUCCESS)
        return fail("create", status);

    status = nx_pop3_client_mail_items_get(&client, &items, &total);
    if (status != NX_SUCCESS)
        return fail("mail_items_get", status);
    printf("%u messages, %lu octets\n", items, total);

    for (i = 1; i <= items; i++) {
        UINT final = NX_FALSE;
        status = nx_pop3_client_mail_item_get(&client, i, &size);
        if (status != NX_SUCCESS)
            return fail("mail_item_get", status);
        printf("--- message %u (%lu octets)\n", i, size);
        while (!final) {
            NX_PACKET *packet;
            ULONG bytes;
            status = nx_pop3_client_mail_item_message_get(&client, &packet, &bytes, &final);
            if (status != NX_SUCCESS)
                return fail("message_get", status);
            fwrite(packet->nx_packet_prepend_ptr, 1, bytes, stdout);
            nx_packet_release(packet);
        }
        if (delete_items) {
            status = nx_pop3_client_mail_item_delete(&client, i);
            if (status != NX_SUCCESS)
                return fail("mail_item_delete", status);
        }
    }

    status = nx_pop3_client_quit(&client);
    if (status != NX_SUCCESS)
        return fail("quit", status);
    nx_pop3_client_delete(&client);
    if (delete_items)
        printf("--- deleted %u messages\n", items);
    else
        printf("--- kept %u messages on the server (POP3_DELETE=1 deletes them)\n", items);
    printf("--- done\n");
    return 0;
}
