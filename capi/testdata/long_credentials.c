/*
 * long_credentials.c - names and passwords beyond the vendor's 40 and 20
 * characters work (OAuth tokens are long), the struct keeps the name cut to
 * its field, and credentials the library refuses get their status before
 * anything is sent. LONG_NAME has the password LONG_PASSWORD (200 bytes,
 * short enough for a PASS line) and the 10 000-byte TOKEN, which only APOP
 * (a digest) and XOAUTH2 (a SASL continuation) can carry.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdlib.h>
#include <string.h>

#include "nx_api.h"
#include "nx_pop3_client.h"
#include "check.h"

static UCHAR pool_memory[8 * (1460 + sizeof(NX_PACKET) + 16)];
static NX_PACKET_POOL pool;
static NX_IP ip;

int main(void)
{
    static NX_POP3_CLIENT client;
    const char *server = getenv("POP3_SERVER");
    CHAR *name = getenv("LONG_NAME"), *password = getenv("LONG_PASSWORD"), *token = getenv("TOKEN");
    NX_POP3_CLIENT_OPTIONS options;
    NXD_ADDRESS address;
    unsigned a, b, c, d, port;
    UINT items;
    ULONG total;
    size_t huge = 70 * 1024;
    CHAR *big = malloc(huge + 1);

    if (!server || !name || !password || !token || !big || sscanf(server, "%u.%u.%u.%u:%u", &a, &b, &c, &d, &port) != 5)
        return 2;
    loopback_start(&pool, "pool", pool_memory, sizeof pool_memory, &ip, "ip");

    /* Long name and password: logged in, vendor field cut to 40. */
    CHECK_EQ(nx_pop3_client_create(&client, NX_FALSE, &ip, &pool, IP_ADDRESS(a, b, c, d), port, name, password), NX_SUCCESS);
    CHECK_EQ(strlen(client.nx_pop3_client_name), NX_POP3_MAX_USERNAME);
    CHECK(strncmp(client.nx_pop3_client_name, name, NX_POP3_MAX_USERNAME) == 0);
    CHECK_EQ(client.nx_pop3_client_password[0], 0);
    CHECK_EQ(nx_pop3_client_mail_items_get(&client, &items, &total), NX_SUCCESS);
    CHECK_EQ(items, 1);
    CHECK_EQ(nx_pop3_client_quit(&client), NX_SUCCESS);
    CHECK_EQ(nx_pop3_client_delete(&client), NX_SUCCESS);

    /* The same with APOP. */
    CHECK_EQ(nx_pop3_client_create(&client, NX_TRUE, &ip, &pool, IP_ADDRESS(a, b, c, d), port, name, password), NX_SUCCESS);
    /* QUIT releases the maildrop lock at once; a bare delete leaves it to
     * the server to notice the hang-up, which the next login could race. */
    CHECK_EQ(nx_pop3_client_quit(&client), NX_SUCCESS);
    CHECK_EQ(nx_pop3_client_delete(&client), NX_SUCCESS);

    /* A 10 000-byte token as XOAUTH2: sent in a continuation line. */
    address.nxd_ip_version = NX_IP_VERSION_V4;
    address.nxd_ip_address.v4 = IP_ADDRESS(a, b, c, d);
    nx_pop3_client_options_init(&options);
    options.nx_pop3_options_auth = NX_POP3_AUTH_XOAUTH2;
    CHECK_EQ(nxd_pop3_client_create_ex(&client, &ip, &pool, &address, port, name, token, &options), NX_SUCCESS);
    CHECK_EQ(nx_pop3_client_mail_items_get(&client, &items, &total), NX_SUCCESS);
    CHECK_EQ(nx_pop3_client_quit(&client), NX_SUCCESS);
    CHECK_EQ(nx_pop3_client_delete(&client), NX_SUCCESS);

    /* Over 64 KiB, empty, or with CR/LF: refused before connecting. */
    memset(big, 'x', huge);
    big[huge] = 0;
    CHECK_EQ(nx_pop3_client_create(&client, NX_FALSE, &ip, &pool, IP_ADDRESS(a, b, c, d), port, big, password), NX_POP3_PARAM_ERROR);
    CHECK_EQ(nx_pop3_client_create(&client, NX_FALSE, &ip, &pool, IP_ADDRESS(a, b, c, d), port, name, big), NX_POP3_PARAM_ERROR);
    CHECK_EQ(nx_pop3_client_create(&client, NX_FALSE, &ip, &pool, IP_ADDRESS(a, b, c, d), port, "", password), NX_POP3_PARAM_ERROR);
    CHECK_EQ(nx_pop3_client_create(&client, NX_FALSE, &ip, &pool, IP_ADDRESS(a, b, c, d), port, name, "pw\r\nDELE 1"), NX_POP3_PARAM_ERROR);
    /* An empty password is the server's to refuse. */
    CHECK_EQ(nx_pop3_client_create(&client, NX_FALSE, &ip, &pool, IP_ADDRESS(a, b, c, d), port, name, ""), NX_POP3_SERVER_ERROR_STATUS);
    free(big);
    print_pool_free(&pool);
    return check_summary();
}
