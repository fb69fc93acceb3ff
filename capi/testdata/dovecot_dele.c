/*
 * dovecot_dele.c - marks every message deleted, then ends the session as
 * MODE says: "quit" (QUIT commits), "reset" (RSET then QUIT keeps all),
 * "drop" (nx_pop3_client_delete without QUIT keeps all). Prints
 * "N passed, M failed".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nx_api.h"
#include "nx_pop3_client.h"

#define CHECK_EQ_REPORT(line, what, got, want) \
    printf("FAIL line %d: %s = 0x%02X, want 0x%02X\n", line, what, (UINT)(got), (UINT)(want))
#include "check.h"

int main(void)
{
    static UCHAR pool_memory[8 * (1460 + sizeof(NX_PACKET) + 16)];
    static ULONG ip_memory[256];
    static NX_PACKET_POOL pool;
    static NX_IP ip;
    static NX_POP3_CLIENT client;
    const char *server = getenv("POP3_SERVER"), *mode = getenv("MODE");
    unsigned a, b, c, d, port;
    UINT items, i;
    ULONG total;

    if (!server || !mode || sscanf(server, "%u.%u.%u.%u:%u", &a, &b, &c, &d, &port) != 5)
        return 2;
    nx_system_initialize();
    CHECK_EQ(nx_packet_pool_create(&pool, "pool", 1460, pool_memory, sizeof pool_memory), NX_SUCCESS);
    CHECK_EQ(nx_ip_create(&ip, "ip", IP_ADDRESS(127, 0, 0, 1), 0xFF000000UL, &pool, _nx_ram_network_driver,
                          ip_memory, sizeof ip_memory, 1), NX_SUCCESS);
    CHECK_EQ(nx_tcp_enable(&ip), NX_SUCCESS);
    CHECK_EQ(nx_pop3_client_create(&client, NX_TRUE, &ip, &pool, IP_ADDRESS(a, b, c, d), port,
                                   getenv("POP3_USER"), getenv("POP3_PASSWORD")), NX_SUCCESS);
    CHECK_EQ(nx_pop3_client_mail_items_get(&client, &items, &total), NX_SUCCESS);
    for (i = 1; i <= items; i++)
        CHECK_EQ(nx_pop3_client_mail_item_delete(&client, i), NX_SUCCESS);
    if (strcmp(mode, "reset") == 0)
        CHECK_EQ(nx_pop3_client_reset(&client), NX_SUCCESS);
    if (strcmp(mode, "drop") != 0)
        CHECK_EQ(nx_pop3_client_quit(&client), NX_SUCCESS);
    CHECK_EQ(nx_pop3_client_delete(&client), NX_SUCCESS);
    printf("items %u\n", items);
    return check_summary();
}
