/*
 * pop3fetch.h - what the files of pop3fetch share: an account as the
 * command line and the config file describe it, one run of an account, and
 * the calls between arguments (config.c), delivery (deliver.c), state
 * (state.c) and the session (fetch.c).
 */
#ifndef POP3FETCH_H
#define POP3FETCH_H

#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <sys/types.h>

#include "nx_api.h"
#include "nx_pop3_client.h"

/* Exit codes: the sysexits(3) convention, as mpop uses it, so that a
 * script can tell "try again later" from "fix the configuration". */
#define PF_EX_OK          0
#define PF_EX_USAGE       64 /* bad command line */
#define PF_EX_NOHOST      68 /* the server's name is unknown */
#define PF_EX_UNAVAILABLE 69 /* TLS or certificate failure */
#define PF_EX_SOFTWARE    70 /* an internal error */
#define PF_EX_IOERR       74 /* local delivery or disk failure */
#define PF_EX_TEMPFAIL    75 /* connection refused, timed out or lost; mailbox busy */
#define PF_EX_PROTOCOL    76 /* the server refused a command after login */
#define PF_EX_NOPERM      77 /* authentication refused */
#define PF_EX_CONFIG      78 /* bad configuration file, password source or state file */

#define MAX_SECRET (64 * 1024) /* OAuth tokens are long; the library's limit */
#define MAX_PATH 4096

enum delivery_kind { DELIVER_NONE, DELIVER_MAILDIR, DELIVER_MBOX, DELIVER_MDA };

/* An account: one mailbox and where its mail goes. Strings are allocated
 * once and live as long as the process. */
struct account {
    char name[128];             /* the config's account name; "" on the command line */
    char host[256];             /* server host: a name or an address literal */
    int have_server, host_is_name;
    NXD_ADDRESS addr;           /* the literal, when not a name */
    ULONG port;                 /* 0: 110, or 995 with TLS */
    char *user;
    char *password_env, *password_file, *passwordeval;
    char *ca_file, *server_name;
    char *tls_cert, *tls_key, *tls_fingerprint;
    UINT tls_min_version;       /* 0: the library's default (TLS 1.2) */
    UINT tls, auth, strict, insecure, insecure_auth;
    int auth_given;
    unsigned long timeout;      /* seconds; 0: the library's defaults */
    int delivery;
    char *dest;                 /* the Maildir, the mbox file or the MDA command */
    char *state_path;           /* NULL: the default for the delivery */
    int only_new, delete_msgs, keep_crlf;
    unsigned long long max_size, kill_size; /* 0: no limit */
};

/* Settings of the whole run. */
struct globals {
    int quiet, debug;
};

extern const char *progname;

/* config.c */
int load_accounts(int argc, char **argv, struct account **accts, size_t *n, struct globals *g);
int load_secret(const struct account *a, char *buf, size_t size);
const char *account_label(const struct account *a);

/* util (deliver.c) */
int path_fmt(char *buf, size_t size, const char *fmt, ...);
int write_all(int fd, const void *data, size_t len);
int fsync_dir(const char *dir);
void dir_of(const char *path, char *buf, size_t size);
long long now_ms(void);
int mkdir_parents(const char *path);

/* One message's worth of delivery, and the batch of messages that are
 * written but not yet durable. */
struct delivery;
void deliver_reserve_fds(void);
struct delivery *deliver_new(const struct account *a, char *errbuf, size_t errsize);
int deliver_prepare(struct delivery *d);
int deliver_begin(struct delivery *d, UINT item, const char *tag);
int deliver_write(struct delivery *d, const void *data, size_t len);
int deliver_end(struct delivery *d);
int deliver_batch_full(const struct delivery *d);
int deliver_flush(struct delivery *d, void (*stored)(UINT item, void *ctx), void *ctx);
void deliver_cancel(struct delivery *d);
void deliver_abort(struct delivery *d);
void deliver_free(struct delivery *d);
int deliver_is_immediate(const struct delivery *d);

/* state.c */
struct strset {
    char **v;
    size_t n, cap;
};
int strset_add(struct strset *s, const char *str);
void strset_sort(struct strset *s);
int strset_has(const struct strset *s, const char *str);
void strset_free(struct strset *s);
void account_key(const struct account *a, char out[9]);
void make_tag(const char *acct, const char *uid, char *out, size_t size);
int state_lock(const char *state_path, char *err, size_t errsize);
int state_load(const char *path, const char *account, struct strset *uids, char *err, size_t errsize);
int scan_tags(const char *maildir, const char *sub, const char *acct, struct strset *tags);
int state_write(const char *path, const char *account, char *const *uids, size_t n);

/* fetch.c */
void session_init(void);
int run_account(const struct account *a, const struct globals *g);

#endif
