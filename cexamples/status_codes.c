/*
 * status_codes.c - every status the POP3 client services return, what it
 * means and what a program should do about it.
 *
 * Build: gcc -std=c99 -Wall -Wextra -Werror -Iinclude cexamples/status_codes.c \
 *            build/libnxpop3.a -lpthread -o build/bin/status_codes
 * Usage: status_codes --list
 *        POP3_SERVER=a.b.c.d:port POP3_USER=name POP3_PASSWORD=... status_codes
 *        (provokes a few of them against the server and describes them)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nx_api.h"
#include "nx_pop3_client.h"

struct status_info {
    UINT code;
    const char *name, *meaning, *action;
};

static const struct status_info statuses[] = {
    {NX_SUCCESS, "NX_SUCCESS", "done", "go on"},
    {NX_PTR_ERROR, "NX_PTR_ERROR", "a NULL pointer, or a struct that is not a live client (never created, deleted, copied)", "fix the program"},
    {NX_POP3_PARAM_ERROR, "NX_POP3_PARAM_ERROR", "address or port 0, IP instance not created, empty name, CR/LF in a credential", "fix the configuration"},
    {NX_NOT_ENABLED, "NX_NOT_ENABLED", "nx_tcp_enable was not called on the IP instance", "call it before creating the client"},
    {NX_POP3_CLIENT_INVALID_INDEX, "NX_POP3_CLIENT_INVALID_INDEX", "mail item 0: items count from 1", "fix the loop"},
    {NX_POP3_INVALID_MAIL_ITEM, "NX_POP3_INVALID_MAIL_ITEM", "item above the count of the last mail_items_get", "call mail_items_get first; stay within its count"},
    {NX_POP3_CLIENT_INVALID_STATE, "NX_POP3_CLIENT_INVALID_STATE", "message_get with no message started, or create on a live client", "call mail_item_get first; delete a client before re-creating it"},
    {NX_POP3_SERVER_ERROR_STATUS, "NX_POP3_SERVER_ERROR_STATUS", "the server said -ERR (wrong password, no such message, locked maildrop) or sent a malformed reply", "log nx_pop3_client_error_text; the session goes on except after a failed create"},
    {NX_NO_PACKET, "NX_NO_PACKET", "the pool stayed empty for 1 s while packets are held", "release packets and call message_get again: nothing was lost"},
    {NX_POP3_INSUFFICIENT_PACKET_PAYLOAD, "NX_POP3_INSUFFICIENT_PACKET_PAYLOAD", "the pool's packets have no room for data", "create the pool with a larger payload"},
    {NX_NOT_CONNECTED, "NX_NOT_CONNECTED", "connection refused or closed (also after quit, or mid-message)", "delete the client; create again later"},
    {NX_NO_RESPONSE, "NX_NO_RESPONSE", "no reply within 10 s", "delete the client; retry later"},
    {NX_NOT_FOUND, "NX_NOT_FOUND", "host name unknown", "fix the configuration"},
    {NX_WAIT_ABORTED, "NX_WAIT_ABORTED", "another thread deleted the client during the call", "stop using the client"},
    {NX_SIZE_ERROR, "NX_SIZE_ERROR", "error_text: buffer size 0, or text cut to fit (still NUL-terminated)", "use NX_POP3_ERROR_TEXT_SIZE bytes"},
    {NX_POP3_TLS_ERROR, "NX_POP3_TLS_ERROR", "TLS could not be set up, or the certificate was refused", "check the CA and the server name"},
    {NX_NOT_SUCCESSFUL, "NX_NOT_SUCCESSFUL", "an internal error", "log nx_pop3_client_error_text; delete the client"},
    {NX_POP3_APOP_FAILED_MD5_DIGEST, "NX_POP3_APOP_FAILED_MD5_DIGEST", "vendor only: nxpop3 never returns it", "keep handling it for the vendor library"},
    {NX_POP3_MAIL_BUFFER_OVERFLOW, "NX_POP3_MAIL_BUFFER_OVERFLOW", "vendor only: nxpop3 never returns it", "keep handling it for the vendor library"},
};

/* Copy this into real code: one line for the log, whatever the status. */
const char *describe(UINT status)
{
    static char unknown[64];
    size_t i;

    for (i = 0; i < sizeof statuses / sizeof statuses[0]; i++)
        if (statuses[i].code == status)
            return statuses[i].name;
    snprintf(unknown, sizeof unknown, "status 0x%02X", status);
    return unknown;
}

static const struct status_info *info(UINT status)
{
    size_t i;

    for (i = 0; i < sizeof statuses / sizeof statuses[0]; i++)
        if (statuses[i].code == status)
            return &statuses[i];
    return NULL;
}

static void show(const char *call, UINT status, NX_POP3_CLIENT *client)
{
    const struct status_info *s = info(status);
    CHAR text[NX_POP3_ERROR_TEXT_SIZE] = "";

    if (status != NX_SUCCESS)
        nx_pop3_client_error_text(client, text, sizeof text);
    printf("%-32s -> 0x%02X %s: %s\n", call, status, describe(status), s ? s->action : "?");
    if (text[0] != '\0')
        printf("%-32s    error text: %s\n", "", text);
}

static UCHAR pool_memory[8 * (1460 + sizeof(NX_PACKET) + 16)];
static ULONG ip_memory[256];

int main(int argc, char **argv)
{
    const char *server = getenv("POP3_SERVER"), *user = getenv("POP3_USER"), *password = getenv("POP3_PASSWORD");
    NX_PACKET_POOL pool;
    NX_IP ip;
    NX_POP3_CLIENT client, other;
    NX_PACKET *packet;
    unsigned a, b, c, d, port;
    UINT items = 0, final;
    ULONG total, size, bytes;
    size_t i;

    if (argc == 2 && strcmp(argv[1], "--list") == 0) {
        for (i = 0; i < sizeof statuses / sizeof statuses[0]; i++)
            printf("0x%02X  %-36s %s\n      what to do: %s\n", statuses[i].code, statuses[i].name,
                   statuses[i].meaning, statuses[i].action);
        return 0;
    }
    if (argc != 1 || !server || !user || !password || sscanf(server, "%u.%u.%u.%u:%u", &a, &b, &c, &d, &port) != 5) {
        fprintf(stderr, "usage: status_codes --list\n"
                        "       POP3_SERVER=a.b.c.d:port POP3_USER=name POP3_PASSWORD=... status_codes\n");
        return 2;
    }
    nx_system_initialize();
    nx_packet_pool_create(&pool, "status", 1460, pool_memory, sizeof pool_memory);
    nx_ip_create(&ip, "status", IP_ADDRESS(0, 0, 0, 0), 0, &pool, _nx_ram_network_driver, ip_memory, sizeof ip_memory, 1);
    nx_tcp_enable(&ip);

    memset(&other, 0, sizeof other);
    show("create (wrong password)", nx_pop3_client_create(&other, NX_FALSE, &ip, &pool, IP_ADDRESS(a, b, c, d), port,
                                                          (CHAR *)user, "not-the-password"), &other);
    nx_pop3_client_delete(&other);
    show("create", nx_pop3_client_create(&client, NX_TRUE, &ip, &pool, IP_ADDRESS(a, b, c, d), port,
                                         (CHAR *)user, (CHAR *)password), &client);
    show("message_get before item_get", nx_pop3_client_mail_item_message_get(&client, &packet, &bytes, &final), &client);
    show("mail_items_get", nx_pop3_client_mail_items_get(&client, &items, &total), &client);
    show("mail_item_get(0)", nx_pop3_client_mail_item_get(&client, 0, &size), &client);
    show("mail_item_get(items + 1)", nx_pop3_client_mail_item_get(&client, items + 1, &size), &client);
    show("quit", nx_pop3_client_quit(&client), &client);
    show("quit again", nx_pop3_client_quit(&client), &client);
    show("delete", nx_pop3_client_delete(&client), &client);
    show("delete again", nx_pop3_client_delete(&client), &client);
    return 0;
}
