/*
 * state.c - what pop3fetch remembers between runs for "only new mail": the
 * state file (the UIDLs already stored, replaced atomically), the tags in
 * Maildir file names that tell the same after a crash, and the lock that
 * keeps two runs off one state file.
 */
#include "pop3fetch.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define STATE_HEADER "pop3fetch-state 1 "
#define TAG_HEX_MAX 40 /* longer UIDLs are hashed to keep names short */

int strset_add(struct strset *s, const char *str)
{
    char *dup;

    if (s->n == s->cap) {
        size_t cap = s->cap ? 2 * s->cap : 64;
        char **v = realloc(s->v, cap * sizeof *v);
        if (v == NULL) return -1;
        s->v = v;
        s->cap = cap;
    }
    if ((dup = strdup(str)) == NULL) return -1;
    s->v[s->n++] = dup;
    return 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

void strset_sort(struct strset *s)
{
    if (s->n) qsort(s->v, s->n, sizeof *s->v, cmp_str);
}

int strset_has(const struct strset *s, const char *str)
{
    return s->n && bsearch(&str, s->v, s->n, sizeof *s->v, cmp_str) != NULL;
}

void strset_free(struct strset *s)
{
    size_t i;

    for (i = 0; i < s->n; i++) free(s->v[i]);
    free(s->v);
    memset(s, 0, sizeof *s);
}

static uint64_t fnv1a64(const char *s, uint64_t h)
{
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
    return h;
}

/* account_key names the account in tags: 8 hex digits of user@host. */
void account_key(const struct account *a, char out[9])
{
    char acct[512];
    size_t i;

    snprintf(acct, sizeof acct, "%s@%s", a->user, a->host);
    for (i = 0; acct[i]; i++) acct[i] = (char)tolower((unsigned char)acct[i]);
    snprintf(out, 9, "%08x", (unsigned)(fnv1a64(acct, 0xcbf29ce484222325ULL) & 0xffffffffu));
}

/* make_tag builds "<account>-<uid in hex>", or "<account>-h<128-bit hash>"
 * for a UIDL too long for a file name. Hex keeps the name free of '/', ':'
 * and ',' whatever the server sends. */
void make_tag(const char *acct, const char *uid, char *out, size_t size)
{
    size_t n = strlen(uid), i, o;

    o = (size_t)snprintf(out, size, "%s-", acct);
    if (n <= TAG_HEX_MAX) {
        for (i = 0; i < n && o + 3 <= size; i++, o += 2)
            snprintf(out + o, 3, "%02x", (unsigned char)uid[i]);
        out[o] = '\0';
    } else {
        snprintf(out + o, size - o, "h%016llx%016llx",
                 (unsigned long long)fnv1a64(uid, 0xcbf29ce484222325ULL),
                 (unsigned long long)fnv1a64(uid, 0x84222325cbf29ce4ULL));
    }
}

/* tag_of finds our tag in a Maildir file name: ",U=" up to ',', ':' or the
 * end. It returns the length, 0 if there is none. */
static size_t tag_of(const char *name, const char **tag)
{
    const char *p = strstr(name, ",U=");

    if (p == NULL) return 0;
    *tag = p + 3;
    return strcspn(*tag, ",:");
}

/* scan_tags adds the tags of this account found in MAILDIR/sub to tags; in
 * tmp/ it removes them instead: those are deliveries a crashed run left
 * unfinished (we hold the lock, so no run of ours is writing them). */
int scan_tags(const char *maildir, const char *sub, const char *acct, struct strset *tags)
{
    char dir[MAX_PATH], path[MAX_PATH], tag[128];
    DIR *d;
    struct dirent *e;
    size_t alen = strlen(acct);

    if (path_fmt(dir, sizeof dir, "%s/%s", maildir, sub) != 0 || (d = opendir(dir)) == NULL) return -1;
    while ((e = readdir(d)) != NULL) {
        const char *t;
        size_t n = tag_of(e->d_name, &t);
        if (n <= alen || n >= sizeof tag || strncmp(t, acct, alen) != 0 || t[alen] != '-') continue;
        if (tags == NULL) {
            if (path_fmt(path, sizeof path, "%s/%s", dir, e->d_name) == 0) unlink(path);
            continue;
        }
        memcpy(tag, t, n);
        tag[n] = '\0';
        if (strset_add(tags, tag) != 0) {
            closedir(d);
            return -1;
        }
    }
    closedir(d);
    return 0;
}

/* state_lock keeps a second run off this state file until we exit (also
 * by a crash: the kernel drops fcntl locks with the process). The lock
 * file's descriptor stays open for that; it returns -1 after writing why
 * into err. */
int state_lock(const char *state_path, char *err, size_t errsize)
{
    char path[MAX_PATH];
    struct flock fl;
    int fd;

    if (path_fmt(path, sizeof path, "%s.lock", state_path) != 0 || (fd = open(path, O_RDWR | O_CREAT, 0600)) < 0) {
        snprintf(err, errsize, "%s.lock: %s", state_path, strerror(errno));
        return -1;
    }
    memset(&fl, 0, sizeof fl);
    fl.l_type = F_WRLCK;
    fl.l_whence = SEEK_SET;
    if (fcntl(fd, F_SETLK, &fl) != 0) {
        snprintf(err, errsize, "%s is in use by another pop3fetch", path);
        close(fd);
        return -1;
    }
    return fd;
}

/* state_load reads the UIDLs stored by earlier runs. A missing file is an
 * empty state; a file of another account is refused (-2: a configuration
 * error, not a disk one). */
int state_load(const char *path, const char *account, struct strset *uids, char *err, size_t errsize)
{
    FILE *f = fopen(path, "r");
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    int first = 1, rc = 0;

    if (f == NULL) {
        if (errno == ENOENT) return 0;
        snprintf(err, errsize, "%s: %s", path, strerror(errno));
        return -1;
    }
    while (rc == 0 && (n = getline(&line, &cap, f)) >= 0) {
        if (n > 0 && line[n - 1] == '\n') line[--n] = '\0';
        if (first) {
            first = 0;
            if (strncmp(line, STATE_HEADER, strlen(STATE_HEADER)) != 0 ||
                strcmp(line + strlen(STATE_HEADER), account) != 0) {
                snprintf(err, errsize, "%s is not the state of %s (first line: %.80s); "
                         "use --state FILE (config: state) for each account", path, account, line);
                rc = -2;
            }
        } else if (n > 0 && strset_add(uids, line) != 0) {
            snprintf(err, errsize, "%s: %s", path, strerror(errno));
            rc = -1;
        }
    }
    if (rc == 0 && ferror(f)) {
        snprintf(err, errsize, "%s: %s", path, strerror(errno));
        rc = -1;
    }
    free(line);
    fclose(f);
    return rc;
}

/* state_write replaces the state file with uids: written to STATE.tmp,
 * fsync'd, renamed over STATE, and STATE's directory fsync'd, so that a
 * crash leaves either the old or the new file, complete. errno tells why
 * it failed. */
int state_write(const char *path, const char *account, char *const *uids, size_t n)
{
    char tmp[MAX_PATH], dir[MAX_PATH];
    FILE *f;
    size_t i;
    int ok, saved;

    if (path_fmt(tmp, sizeof tmp, "%s.tmp", path) != 0 || (f = fopen(tmp, "w")) == NULL) return -1;
    ok = fprintf(f, "%s%s\n", STATE_HEADER, account) > 0;
    for (i = 0; ok && i < n; i++) ok = fprintf(f, "%s\n", uids[i]) > 0;
    ok = ok && fflush(f) == 0 && fsync(fileno(f)) == 0;
    saved = errno;
    ok = fclose(f) == 0 && ok;
    if (!ok && errno == 0) errno = saved;
    dir_of(path, dir, sizeof dir);
    ok = ok && rename(tmp, path) == 0 && fsync_dir(dir) == 0;
    if (!ok) {
        saved = errno;
        unlink(tmp);
        errno = saved ? saved : EIO;
        return -1;
    }
    return 0;
}
