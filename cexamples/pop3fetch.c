/*
 * pop3fetch.c - download a POP3 maildrop into a Maildir.
 *
 * Build: gcc -std=c99 -Wall -Wextra -Werror -Iinclude cexamples/pop3fetch.c \
 *            build/libnxpop3.a -lpthread -o build/bin/pop3fetch
 * Usage: POP3_PASSWORD=... pop3fetch --server 192.0.2.1:110 --user NAME [--apop]
 *            [--keep | --delete] [--password-file FILE] MAILDIR
 *        (--server [2001:db8::1]:110 for IPv6)
 *
 * The password never comes from the command line, where ps(1) shows it.
 */
#define _POSIX_C_SOURCE 200809L

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "nx_api.h"
#include "nx_pop3_client.h"

#define PAYLOAD 1460
#define POOL_SIZE (16 * (PAYLOAD + sizeof(NX_PACKET) + 16))

struct options {
    NXD_ADDRESS server;
    ULONG port;
    const char *user, *maildir;
    char password[512];
    int apop, delete_after;
};

static UCHAR pool_memory[POOL_SIZE];
static ULONG ip_memory[256];
static NX_PACKET_POOL pool;
static NX_IP ip;
static NX_POP3_CLIENT client;

static int usage(int code)
{
    fprintf(code ? stderr : stdout, "usage: POP3_PASSWORD=... pop3fetch --server ADDR:PORT --user NAME "
            "[--apop] [--keep|--delete] [--password-file FILE] MAILDIR\n");
    return code;
}

/* NXD_ADDRESS is in host byte order, v6[0] the most significant word. */
static int parse_server(const char *s, struct options *o)
{
    char host[64];
    unsigned char b[16];
    const char *colon = strrchr(s, ':');
    size_t n = colon ? (size_t)(colon - s) : 0;
    int i;

    if (n >= 2 && s[0] == '[' && s[n - 1] == ']') s++, n -= 2;
    if (colon == NULL || n == 0 || n >= sizeof host) return -1;
    memcpy(host, s, n);
    host[n] = '\0';
    o->port = strtoul(colon + 1, NULL, 10);
    if (inet_pton(AF_INET, host, b) == 1) {
        o->server.nxd_ip_version = NX_IP_VERSION_V4;
        o->server.nxd_ip_address.v4 = IP_ADDRESS(b[0], b[1], b[2], b[3]);
        return 0;
    }
    if (inet_pton(AF_INET6, host, b) != 1) return -1;
    o->server.nxd_ip_version = NX_IP_VERSION_V6;
    for (i = 0; i < 4; i++)
        o->server.nxd_ip_address.v6[i] = IP_ADDRESS(b[4 * i], b[4 * i + 1], b[4 * i + 2], b[4 * i + 3]);
    return 0;
}

static int read_password(const char *file, char *buf, size_t size)
{
    FILE *f = fopen(file, "r");
    int ok = f != NULL && fgets(buf, (int)size, f) != NULL;

    if (f) fclose(f);
    buf[ok ? strcspn(buf, "\r\n") : 0] = '\0';
    return ok ? 0 : -1;
}

static int parse_args(int argc, char **argv, struct options *o)
{
    const char *env = getenv("POP3_PASSWORD");
    int i;

    for (i = 1; i < argc; i++) {
        const char *a = argv[i], *next = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--help") == 0) exit(usage(0));
        else if (strcmp(a, "--apop") == 0) o->apop = 1;
        else if (strcmp(a, "--keep") == 0) o->delete_after = 0;
        else if (strcmp(a, "--delete") == 0) o->delete_after = 1;
        else if (strcmp(a, "--server") == 0 && next && parse_server(next, o) == 0) i++;
        else if (strcmp(a, "--user") == 0 && next) o->user = argv[++i];
        else if (strcmp(a, "--password-file") == 0 && next) {
            if (read_password(argv[++i], o->password, sizeof o->password) != 0) {
                fprintf(stderr, "pop3fetch: cannot read %s\n", argv[i]);
                return -1;
            }
        } else if (a[0] != '-' && o->maildir == NULL) o->maildir = a;
        else return -1;
    }
    if (o->password[0] == '\0' && env != NULL) snprintf(o->password, sizeof o->password, "%s", env);
    return o->server.nxd_ip_version && o->user && o->maildir && o->password[0] ? 0 : -1;
}

static int fail(const char *what, UINT status)
{
    CHAR text[NX_POP3_ERROR_TEXT_SIZE] = "";
    nx_pop3_client_error_text(&client, text, sizeof text);
    fprintf(stderr, "pop3fetch: %s: status 0x%02X: %s\n", what, status, text);
    return 1;
}

/* Maildir delivery: the message appears in new/ whole or not at all, and is
 * on disk before the caller may ask the server to delete it. */
static UINT fetch_one(const char *maildir, UINT item, int *io_error)
{
    static unsigned seq;
    char name[128], tmp[4096], dst[4096], host[64] = "localhost";
    UINT status, final = NX_FALSE;
    ULONG size;
    int fd, dirfd = -1;

    gethostname(host, sizeof host - 1);
    snprintf(name, sizeof name, "%ld.P%ldQ%u.%s", (long)time(NULL), (long)getpid(), ++seq, host);
    snprintf(tmp, sizeof tmp, "%s/tmp/%s", maildir, name);
    snprintf(dst, sizeof dst, "%s/new/%s", maildir, name);
    if ((status = nx_pop3_client_mail_item_get(&client, item, &size)) != NX_SUCCESS) return status;
    if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL, 0600)) < 0) { *io_error = errno; return NX_NOT_SUCCESSFUL; }
    while (!final && status == NX_SUCCESS && !*io_error) {
        NX_PACKET *packet;
        ULONG bytes;
        if ((status = nx_pop3_client_mail_item_message_get(&client, &packet, &bytes, &final)) != NX_SUCCESS) break;
        if (write(fd, packet->nx_packet_prepend_ptr, bytes) != (ssize_t)bytes) *io_error = errno ? errno : EIO;
        nx_packet_release(packet);
    }
    if (status == NX_SUCCESS && !*io_error && fsync(fd) != 0) *io_error = errno;
    close(fd);
    if (status == NX_SUCCESS && !*io_error && rename(tmp, dst) != 0) *io_error = errno;
    if (status != NX_SUCCESS || *io_error) { unlink(tmp); return status == NX_SUCCESS ? NX_NOT_SUCCESSFUL : status; }
    /* The rename itself must reach the disk too before a DELE. */
    snprintf(tmp, sizeof tmp, "%s/new", maildir);
    if ((dirfd = open(tmp, O_RDONLY)) < 0 || fsync(dirfd) != 0) *io_error = errno;
    if (dirfd >= 0) close(dirfd);
    return *io_error ? NX_NOT_SUCCESSFUL : NX_SUCCESS;
}

int main(int argc, char **argv)
{
    struct options o = {.delete_after = 0};
    const char *sub[] = {"", "/tmp", "/new", "/cur"};
    char path[4096];
    UINT status, items, i;
    ULONG total;
    int k;

    if (parse_args(argc, argv, &o) != 0) return usage(2);
    for (k = 0; k < 4; k++) {
        snprintf(path, sizeof path, "%s%s", o.maildir, sub[k]);
        if (mkdir(path, 0700) != 0 && errno != EEXIST) { perror(path); return 1; }
    }
    nx_system_initialize();
    nx_packet_pool_create(&pool, "pop3fetch", PAYLOAD, pool_memory, sizeof pool_memory);
    nx_ip_create(&ip, "pop3fetch", IP_ADDRESS(0, 0, 0, 0), 0, &pool, _nx_ram_network_driver, ip_memory, sizeof ip_memory, 1);
    nx_tcp_enable(&ip);

    status = nxd_pop3_client_create(&client, o.apop ? NX_TRUE : NX_FALSE, &ip, &pool, &o.server, o.port,
                                    (CHAR *)o.user, o.password);
    memset(o.password, 0, sizeof o.password);
    if (status != NX_SUCCESS) return fail("login", status);
    if ((status = nx_pop3_client_mail_items_get(&client, &items, &total)) != NX_SUCCESS) return fail("STAT", status);
    for (i = 1; i <= items; i++) {
        int io_error = 0;
        if ((status = fetch_one(o.maildir, i, &io_error)) != NX_SUCCESS) {
            if (io_error) fprintf(stderr, "pop3fetch: message %u: %s\n", i, strerror(io_error));
            return io_error ? 1 : fail("RETR", status);
        }
        if (o.delete_after && (status = nx_pop3_client_mail_item_delete(&client, i)) != NX_SUCCESS)
            return fail("DELE", status);
    }
    /* Deletions count only once QUIT is acknowledged. */
    if ((status = nx_pop3_client_quit(&client)) != NX_SUCCESS) return fail("QUIT", status);
    nx_pop3_client_delete(&client);
    printf("%u messages, %lu octets\n", items, total);
    return 0;
}
