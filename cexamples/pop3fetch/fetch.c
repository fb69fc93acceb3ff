/*
 * fetch.c - one account's session: log in, decide what to fetch, fetch it
 * in one pipelined call into the delivery, delete, QUIT; and the one line
 * that says why, with the server's own words, when something fails.
 *
 * Guarantees, and why they hold:
 *
 *  - A message counts as stored only once its batch is durable (see
 *    deliver.c): fsync'd and renamed into new/ with new/ fsync'd, fsync'd
 *    in the mbox, or accepted by the MDA (exit status 0).
 *
 *  - Nothing is deleted unless it is stored. The pipelined fetch marks a
 *    message for deletion (DELE) as soon as it is written, before its batch
 *    is durable; but RFC 1939 deletes nothing until the server acknowledges
 *    QUIT, and QUIT is sent only once every marked message is stored and
 *    the state file records it. After a failure that leaves marked messages
 *    not stored, RSET unmarks them all and only the stored ones are marked
 *    again; if RSET fails, QUIT is not sent at all. A run that dies at any
 *    point before QUIT therefore deletes nothing, and the pipeline keeps
 *    its speed: no round trip per DELE.
 *
 *  - With --only-new, no message is stored twice, even across SIGKILL or a
 *    power cut. Each Maildir file's name carries a tag derived from the
 *    account and the message's UIDL (",U=<account>-<uid>"); the state file
 *    lists the UIDLs already stored and is replaced atomically. At start, a
 *    run takes the UIDLs in the state file and also those whose tag is in
 *    new/ or cur/: a message stored after the state file was last written
 *    is recognised by its file name. Files a killed run left in tmp/ were
 *    never stored and are removed. An mbox or an MDA has no such names: the
 *    state file is written after each batch (mbox) or message (MDA), so a
 *    crash between delivery and that write can deliver a message twice,
 *    never lose one.
 *
 *  - The state file belongs to one account: its first line names it, and a
 *    run for another account refuses it. A lock (STATE.lock, fcntl) keeps
 *    two runs off the same state file.
 */
#include "pop3fetch.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Packets are released by the fetch callback as soon as they are written,
 * so a few suffice; a larger payload means fewer callbacks per message. */
#define PAYLOAD 8192
#define PACKETS 16
#define POOL_SIZE (PACKETS * (PAYLOAD + sizeof(NX_PACKET) + 32))
#define STATE_SAVE_INTERVAL_MS 1000

static UCHAR pool_memory[POOL_SIZE];
static ULONG ip_memory[256];
static NX_PACKET_POOL pool;
static NX_IP ip;
static NX_POP3_CLIENT client;

void session_init(void)
{
    nx_system_initialize();
    nx_packet_pool_create(&pool, "pop3fetch", PAYLOAD, pool_memory, sizeof pool_memory);
    nx_ip_create(&ip, "pop3fetch", IP_ADDRESS(0, 0, 0, 0), 0, &pool, _nx_ram_network_driver, ip_memory,
                 sizeof ip_memory, 1);
    nx_tcp_enable(&ip);
}

struct item {
    char *uid;          /* NULL unless --only-new */
    ULONG size;         /* from LIST */
    unsigned char known, fetch, too_big, kill;
    unsigned char accepted; /* the fetch may have marked it for deletion */
    unsigned char stored;   /* durable */
};

struct run {
    const struct account *a;
    const struct globals *g;
    char label[160];    /* "NAME: " for a config account */
    char server[300];   /* host:port, for messages */
    char account[512];  /* user@host, in the state file's first line */
    char acct_key[9];
    UINT count;
    struct item *items; /* 1-based */
    struct delivery *d;
    char derr[MAX_PATH + 256];
    int in_msg, local_failed, state_failed;

    /* Progress and totals. */
    int progress;
    UINT todo, started;
    unsigned long long bytes;
    long long last_draw_ms, last_save_ms;
    UINT n_stored, n_known, n_too_big, n_kill, n_deleted;
};

static void say(const struct run *r, const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "%s: %s", progname, r->label);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

/* status_words names a status of the library in words. */
static const char *status_words(UINT status, const char **name)
{
    static const struct { UINT status; const char *name, *words; } table[] = {
        {NX_NOT_CONNECTED, "NX_NOT_CONNECTED", "connection failed or lost"},
        {NX_NO_RESPONSE, "NX_NO_RESPONSE", "no reply in time"},
        {NX_NOT_FOUND, "NX_NOT_FOUND", "host not found"},
        {NX_POP3_TLS_ERROR, "NX_POP3_TLS_ERROR", "TLS failure"},
        {NX_POP3_SERVER_ERROR_STATUS, "NX_POP3_SERVER_ERROR_STATUS", "refused by the server"},
        {NX_POP3_PARAM_ERROR, "NX_POP3_PARAM_ERROR", "bad parameter"},
        {NX_POP3_INVALID_MAIL_ITEM, "NX_POP3_INVALID_MAIL_ITEM", "no such message"},
        {NX_NO_PACKET, "NX_NO_PACKET", "out of packets"},
        {NX_WAIT_ABORTED, "NX_WAIT_ABORTED", "aborted"},
        {NX_PTR_ERROR, "NX_PTR_ERROR", "bad pointer"},
        {NX_CALLER_ERROR, "NX_CALLER_ERROR", "called from the wrong place"},
        {NX_NOT_SUCCESSFUL, "NX_NOT_SUCCESSFUL", "failed"},
    };
    size_t i;

    for (i = 0; i < sizeof table / sizeof table[0]; i++) {
        if (table[i].status == status) {
            *name = table[i].name;
            return table[i].words;
        }
    }
    *name = "status";
    return "failed";
}

/* exit_code turns a failed call into the sysexits code a script acts on. */
static int exit_code(UINT status, int at_login)
{
    UINT code = NX_POP3_RESP_NONE;

    switch (status) {
    case NX_POP3_TLS_ERROR: return PF_EX_UNAVAILABLE;
    case NX_NOT_FOUND: return PF_EX_NOHOST;
    case NX_NOT_CONNECTED: case NX_NO_RESPONSE: case NX_WAIT_ABORTED: return PF_EX_TEMPFAIL;
    case NX_POP3_PARAM_ERROR: return at_login ? PF_EX_CONFIG : PF_EX_SOFTWARE;
    case NX_POP3_SERVER_ERROR_STATUS:
        nx_pop3_client_response_code_get(&client, &code);
        if (code == NX_POP3_RESP_IN_USE || code == NX_POP3_RESP_LOGIN_DELAY || code == NX_POP3_RESP_SYS_TEMP)
            return PF_EX_TEMPFAIL;
        return at_login ? PF_EX_NOPERM : PF_EX_PROTOCOL;
    }
    return PF_EX_SOFTWARE;
}

/* session_error prints one line for a failed call, with the client's
 * error text (the server's -ERR text, or the network or TLS error), read
 * while the client still holds it, and returns the exit code. */
static int session_error(const struct run *r, const char *what, UINT status, int at_login)
{
    CHAR text[NX_POP3_ERROR_TEXT_SIZE] = "";
    const char *name, *words = status_words(status, &name);

    nx_pop3_client_error_text(&client, text, sizeof text);
    if (text[0] == '\0') snprintf(text, sizeof text, "%s", words);
    else if (strstr(text, words) == NULL && status != NX_POP3_SERVER_ERROR_STATUS) {
        size_t n = strlen(text);
        snprintf(text + n, sizeof text - n, ": %s", words);
    }
    say(r, "%s: %s (%s, 0x%02X)", what, text, name, status);
    return exit_code(status, at_login);
}

static void on_debug(CHAR *line, VOID *context)
{
    fprintf(stderr, "%s%s\n", (const char *)context, line);
}

/* connect_and_login creates the client: TLS, authentication and timeouts
 * from the account. The secret is wiped as soon as the library has its
 * own copy. */
static UINT connect_and_login(struct run *r, char *secret)
{
    const struct account *a = r->a;
    NX_POP3_CLIENT_OPTIONS opt;
    UINT status;

    nx_pop3_client_options_init(&opt);
    opt.nx_pop3_options_tls = a->tls;
    /* A pin replaces the CAs (as mpop's tls_fingerprint does), unless a
     * CA file is given too: then both must hold. */
    opt.nx_pop3_options_verify = a->insecure || (a->tls_fingerprint && !a->ca_file) ? NX_FALSE : NX_TRUE;
    opt.nx_pop3_options_tls_fingerprint = a->tls_fingerprint;
    opt.nx_pop3_options_tls_cert_file = a->tls_cert;
    opt.nx_pop3_options_tls_key_file = a->tls_key;
    opt.nx_pop3_options_tls_min_version = a->tls_min_version;
    opt.nx_pop3_options_ca_file = a->ca_file;
    opt.nx_pop3_options_server_name = a->server_name;
    opt.nx_pop3_options_host = a->host_is_name ? (CHAR *)a->host : NX_NULL;
    opt.nx_pop3_options_auth = a->auth;
    opt.nx_pop3_options_strict = a->strict;
    opt.nx_pop3_options_insecure_auth = a->insecure_auth;
    if (a->timeout) {
        opt.nx_pop3_options_connect_timeout = a->timeout * NX_IP_PERIODIC_RATE;
        opt.nx_pop3_options_reply_timeout = a->timeout * NX_IP_PERIODIC_RATE;
    }
    if (r->g->debug) {
        opt.nx_pop3_options_debug = on_debug;
        opt.nx_pop3_options_debug_context = r->label;
    }
    status = nxd_pop3_client_create_ex(&client, &ip, &pool, a->host_is_name ? NX_NULL : (NXD_ADDRESS *)&a->addr,
                                       a->port, a->user, secret, &opt);
    memset(secret, 0, MAX_SECRET);
    return status;
}

/* login_error labels a failed create by what failed: the connection, TLS,
 * or the login itself. */
static int login_error(const struct run *r, UINT status)
{
    char what[400];

    switch (status) {
    case NX_NOT_CONNECTED: case NX_NOT_FOUND:
        snprintf(what, sizeof what, "cannot connect to %s", r->server);
        break;
    case NX_POP3_TLS_ERROR:
        /* Without TLS, this is the refusal to send a readable password. */
        if (r->a->tls == NX_POP3_TLS_NONE)
            snprintf(what, sizeof what, "login as %s at %s not attempted", r->a->user, r->server);
        else
            snprintf(what, sizeof what, "TLS with %s failed", r->server);
        break;
    case NX_NO_RESPONSE:
        snprintf(what, sizeof what, "no reply from %s", r->server);
        break;
    case NX_POP3_SERVER_ERROR_STATUS:
        snprintf(what, sizeof what, "login as %s at %s refused", r->a->user, r->server);
        break;
    default:
        snprintf(what, sizeof what, "login as %s at %s failed", r->a->user, r->server);
    }
    return session_error(r, what, status, 1);
}

/* state_save replaces the state file with the UIDLs stored so far that
 * the server still has. UIDLs gone from the server are dropped: RFC 1939
 * never reuses them, and the file stays small. A failure is said once. */
static int state_save(struct run *r)
{
    char **uids;
    size_t n = 0;
    UINT i;
    int rc;

    if ((uids = malloc(((size_t)r->count + 1) * sizeof *uids)) == NULL) return -1;
    for (i = 1; i <= r->count; i++)
        if (r->items[i].uid && (r->items[i].known || r->items[i].stored)) uids[n++] = r->items[i].uid;
    rc = state_write(r->a->state_path, r->account, uids, n);
    free(uids);
    if (rc != 0) {
        if (!r->state_failed) say(r, "writing the state file %s: %s", r->a->state_path, strerror(errno));
        r->state_failed = 1;
        return -1;
    }
    r->last_save_ms = now_ms();
    return 0;
}

/* progress draws "fetching 12/340 (1.2 MB)" over itself, at most ten times
 * a second, and only when stderr is a terminal. */
static void progress(struct run *r, int force)
{
    long long now;

    if (!r->progress) return;
    now = now_ms();
    if (!force && now - r->last_draw_ms < 100) return;
    r->last_draw_ms = now;
    fprintf(stderr, "\rfetching %u/%u (%.1f MB)   ", r->started, r->todo, (double)r->bytes / 1e6);
    fflush(stderr);
}

static void progress_end(struct run *r)
{
    if (!r->progress) return;
    fprintf(stderr, "\r%60s\r", "");
    fflush(stderr);
}

static void on_stored(UINT item, void *context)
{
    struct run *r = context;

    r->items[item].stored = 1;
    r->n_stored++;
}

/* after_stored writes the state when it is due: a Maildir's tags cover
 * the gap, so once a second; an mbox or MDA has none, so each time. */
static int after_stored(struct run *r)
{
    if (!r->a->only_new) return 0;
    if (r->a->delivery == DELIVER_MAILDIR && now_ms() - r->last_save_ms < STATE_SAVE_INTERVAL_MS) return 0;
    return state_save(r);
}

/* on_packet is the fetch callback: it writes each packet of a message to
 * the delivery and, at the final one, ends the message and flushes the
 * batch when it is full. Returning anything but NX_SUCCESS stops the fetch
 * before this message is marked for deletion. */
static UINT on_packet(NX_POP3_CLIENT *client_ptr, UINT item, NX_PACKET *packet, UINT final, VOID *context)
{
    struct run *r = context;
    ULONG len = packet->nx_packet_length;
    char tag[128];
    int ok = 1;

    (void)client_ptr;
    if (item < 1 || item > r->count || r->local_failed) {
        nx_packet_release(packet);
        return NX_NOT_SUCCESSFUL;
    }
    if (!r->in_msg) {
        r->started++;
        r->in_msg = 1;
        if (r->items[item].uid) make_tag(r->acct_key, r->items[item].uid, tag, sizeof tag);
        ok = deliver_begin(r->d, item, r->items[item].uid ? tag : NULL) == 0;
    }
    ok = ok && deliver_write(r->d, packet->nx_packet_prepend_ptr, len) == 0;
    nx_packet_release(packet);
    r->bytes += len;
    progress(r, final && r->started == r->todo); /* always show the end */
    if (ok && final) {
        r->in_msg = 0;
        ok = deliver_end(r->d) == 0;
        if (ok && deliver_is_immediate(r->d)) {
            on_stored(item, r);
            ok = after_stored(r) == 0;
        } else if (ok && deliver_batch_full(r->d)) {
            ok = deliver_flush(r->d, on_stored, r) == 0 && after_stored(r) == 0;
        }
    }
    if (!ok) {
        r->local_failed = 1;
        deliver_abort(r->d);
        return NX_NOT_SUCCESSFUL;
    }
    if (final) r->items[item].accepted = 1;
    return NX_SUCCESS;
}

static void on_uid(NX_POP3_CLIENT *client_ptr, UINT item, CHAR *uid, VOID *context)
{
    struct run *r = context;

    (void)client_ptr;
    if (item >= 1 && item <= r->count && r->items[item].uid == NULL) r->items[item].uid = strdup(uid);
}

static void on_size(NX_POP3_CLIENT *client_ptr, UINT item, ULONG size, VOID *context)
{
    struct run *r = context;

    (void)client_ptr;
    if (item >= 1 && item <= r->count) r->items[item].size = size;
}

/* plan reads what the server holds (STAT, LIST, and UIDL for --only-new)
 * and decides, per message, whether to fetch it, skip it as already stored,
 * leave it as too large, or delete it unread. */
static UINT plan(struct run *r, const struct strset *known_uids, const struct strset *tags, const char **what)
{
    const struct account *a = r->a;
    ULONG total;
    UINT status, i;
    char tag[128];

    *what = "STAT";
    if ((status = nx_pop3_client_mail_items_get(&client, &r->count, &total)) != NX_SUCCESS) return status;
    if ((r->items = calloc((size_t)r->count + 1, sizeof *r->items)) == NULL) return NX_NOT_SUCCESSFUL;
    *what = "LIST";
    if ((status = nx_pop3_client_mail_items_size_list(&client, on_size, r)) != NX_SUCCESS) return status;
    *what = "UIDL";
    if (a->only_new && (status = nx_pop3_client_mail_items_uid_list(&client, on_uid, r)) != NX_SUCCESS) return status;
    for (i = 1; i <= r->count; i++) {
        struct item *it = &r->items[i];
        if (a->only_new) {
            if (it->uid == NULL) {
                say(r, "UIDL did not list message %u", i);
                return NX_POP3_SERVER_ERROR_STATUS;
            }
            make_tag(r->acct_key, it->uid, tag, sizeof tag);
            it->known = strset_has(known_uids, it->uid) || strset_has(tags, tag);
        }
        if (it->known) {
            r->n_known++;
        } else if (a->kill_size && it->size > a->kill_size) {
            it->kill = 1;
            r->n_kill++;
        } else if (a->max_size && it->size > a->max_size) {
            it->too_big = 1;
            r->n_too_big++;
        } else {
            it->fetch = 1;
            r->todo++;
        }
    }
    return NX_SUCCESS;
}

/* prepare_state takes the lock, reads the state file and the tags in the
 * Maildir, and removes deliveries a crashed run left in tmp/. It returns
 * 0 or an exit code. */
static int prepare_state(struct run *r, struct strset *uids, struct strset *tags)
{
    const struct account *a = r->a;
    char err[MAX_PATH + 256];
    int rc;

    if (a->delivery != DELIVER_MAILDIR && mkdir_parents(a->state_path) != 0) {
        say(r, "%s: %s", a->state_path, strerror(errno));
        return PF_EX_IOERR;
    }
    if (state_lock(a->state_path, err, sizeof err) < 0) {
        say(r, "%s", err);
        return errno == EACCES || errno == EAGAIN ? PF_EX_TEMPFAIL : PF_EX_IOERR;
    }
    if ((rc = state_load(a->state_path, r->account, uids, err, sizeof err)) != 0) {
        say(r, "%s", err);
        return rc == -2 ? PF_EX_CONFIG : PF_EX_IOERR;
    }
    if (a->delivery == DELIVER_MAILDIR) {
        char path[MAX_PATH];
        if (scan_tags(a->dest, "new", r->acct_key, tags) != 0 || scan_tags(a->dest, "cur", r->acct_key, tags) != 0 ||
            scan_tags(a->dest, "tmp", r->acct_key, NULL) != 0) {
            say(r, "reading %s: %s", a->dest, strerror(errno));
            return PF_EX_IOERR;
        }
        /* A run killed between its renames and its fsync of new/ left
         * files that are visible but perhaps not yet durable; they count
         * as stored from now on (state file, --delete), so make their
         * directory entries durable first. */
        if (path_fmt(path, sizeof path, "%s/new", a->dest) != 0 || fsync_dir(path) != 0 ||
            path_fmt(path, sizeof path, "%s/cur", a->dest) != 0 || fsync_dir(path) != 0) {
            say(r, "fsync %s: %s", path, strerror(errno));
            return PF_EX_IOERR;
        }
    }
    strset_sort(uids);
    strset_sort(tags);
    return 0;
}

/* fetch_new downloads the planned messages in one pipelined call; with
 * --delete the library marks each for deletion once on_packet took it. */
static UINT fetch_new(struct run *r)
{
    UINT *list, n = 0, i, status;

    if (r->todo == 0) return NX_SUCCESS;
    if ((list = malloc((size_t)r->todo * sizeof *list)) == NULL) return NX_NOT_SUCCESSFUL;
    for (i = 1; i <= r->count; i++)
        if (r->items[i].fetch) list[n++] = i;
    progress(r, 1);
    status = nx_pop3_client_mail_items_fetch(&client, list, n, r->a->delete_msgs ? NX_TRUE : NX_FALSE, on_packet, r);
    progress_end(r);
    free(list);
    return status;
}

/* settle_deletions keeps "deleted only if stored": when a marked message
 * did not become durable, RSET unmarks everything and the stored ones are
 * marked again. It returns 0, or -1 when QUIT must not be sent. */
static int settle_deletions(struct run *r, int *code)
{
    UINT i, status;
    int need = 0;

    for (i = 1; i <= r->count; i++)
        if (r->items[i].accepted && !r->items[i].stored) need = 1;
    if (!need) return 0;
    if ((status = nx_pop3_client_reset(&client)) != NX_SUCCESS) {
        int c = session_error(r, "RSET", status, 0);
        if (*code == 0) *code = c;
        return -1;
    }
    for (i = 1; i <= r->count; i++) {
        if (!r->items[i].stored) continue;
        if ((status = nx_pop3_client_mail_item_delete(&client, i)) != NX_SUCCESS) {
            int c = session_error(r, "DELE", status, 0);
            if (*code == 0) *code = c;
            return -1;
        }
    }
    return 0;
}

/* delete_more marks for deletion the messages an earlier run stored (by
 * the state file or a tag in the Maildir), which must not stay on the
 * server because a run died between storing and QUIT, and those over the
 * kill size. */
static UINT delete_more(struct run *r)
{
    UINT i, status;

    for (i = 1; i <= r->count; i++) {
        if (!((r->items[i].known && r->a->delete_msgs) || r->items[i].kill)) continue;
        if ((status = nx_pop3_client_mail_item_delete(&client, i)) != NX_SUCCESS) return status;
        r->n_deleted++;
    }
    return NX_SUCCESS;
}

static void summary(const struct run *r, int quit_ok)
{
    UINT deleted = 0, i;

    if (r->g->quiet) return;
    for (i = 1; i <= r->count; i++)
        if (r->items[i].stored && r->a->delete_msgs) deleted++;
    printf("%s%u stored (%llu bytes)", r->label, r->n_stored, r->bytes);
    if (r->a->only_new) printf(", %u already fetched", r->n_known);
    if (r->n_too_big) printf(", %u over --max-size %llu left on the server", r->n_too_big, r->a->max_size);
    if (r->n_kill)
        printf(", %u over --kill-size %llu %s", r->n_kill, r->a->kill_size, quit_ok ? "deleted unread" : "not deleted");
    if (r->a->delete_msgs) printf(", %u deleted on the server", quit_ok ? deleted + r->n_deleted - r->n_kill : 0);
    printf(" (%u on the server)\n", r->count);
}

int run_account(const struct account *a, const struct globals *g)
{
    static char secret[MAX_SECRET];
    struct strset uids = {0}, tags = {0};
    struct run r;
    UINT status, quit_status = NX_NOT_SUCCESSFUL, i;
    const char *what;
    int code = 0, send_quit = 1;

    memset(&r, 0, sizeof r);
    r.a = a;
    r.g = g;
    snprintf(r.label, sizeof r.label, "%s", account_label(a));
    snprintf(r.server, sizeof r.server, strchr(a->host, ':') ? "[%s]:%lu" : "%s:%lu", a->host, (unsigned long)a->port);
    snprintf(r.account, sizeof r.account, "%s@%s", a->user, a->host);
    account_key(a, r.acct_key);
    r.progress = !g->quiet && isatty(STDERR_FILENO);

    if ((code = load_secret(a, secret, sizeof secret)) != 0) return code;
    if (a->insecure)
        say(&r, "warning: --insecure: the server's certificate is not checked; "
                "anyone on the path can read the password and the mail");
    if ((status = connect_and_login(&r, secret)) != NX_SUCCESS) {
        code = login_error(&r, status);
        nx_pop3_client_delete(&client);
        return code;
    }
    /* Logged in: from here on, every way out goes through QUIT and delete. */
    if ((r.d = deliver_new(a, r.derr, sizeof r.derr)) == NULL) {
        code = PF_EX_SOFTWARE;
        goto quit;
    }
    if (deliver_prepare(r.d) != 0) {
        say(&r, "%s", r.derr);
        code = PF_EX_IOERR;
        goto quit;
    }
    if (a->only_new && (code = prepare_state(&r, &uids, &tags)) != 0) goto quit;
    status = plan(&r, &uids, &tags, &what);
    strset_free(&uids);
    strset_free(&tags);
    if (status != NX_SUCCESS) {
        code = session_error(&r, what, status, 0);
        goto quit;
    }

    status = fetch_new(&r);
    /* What was written before a server failure is still good, but for a
     * message cut short: make it durable. After a local failure the batch
     * is already undone. */
    if (r.in_msg) deliver_cancel(r.d);
    if (!r.local_failed && deliver_flush(r.d, on_stored, &r) != 0) r.local_failed = 1;
    if (r.local_failed) {
        if (r.derr[0]) say(&r, "%s", r.derr);
        code = PF_EX_IOERR;
    } else if (status != NX_SUCCESS) {
        code = session_error(&r, "fetching", status, 0);
    } else if ((status = delete_more(&r)) != NX_SUCCESS) {
        code = session_error(&r, "DELE", status, 0);
    }
    if (a->delete_msgs && settle_deletions(&r, &code) != 0) send_quit = 0;
    /* Before QUIT: whatever QUIT does, the state must list what is stored. */
    if (a->only_new && state_save(&r) != 0 && code == 0) code = PF_EX_IOERR;

quit:
    /* Deletions take effect only once the server acknowledges QUIT; it is
     * sent even after a failure, so that what was stored is deleted. */
    if (send_quit) quit_status = nx_pop3_client_quit(&client);
    if (quit_status != NX_SUCCESS && send_quit && code == 0) {
        code = session_error(&r, "QUIT", quit_status, 0);
        if (a->delete_msgs) say(&r, "nothing was deleted on the server");
    }
    nx_pop3_client_delete(&client);
    if (r.items) summary(&r, quit_status == NX_SUCCESS);
    deliver_free(r.d);
    for (i = 1; r.items && i <= r.count; i++) free(r.items[i].uid);
    free(r.items);
    return code;
}
