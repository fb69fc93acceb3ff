/*
 * pop3fetch - fetch POP3 mailboxes into a Maildir, an mbox or an MDA,
 * safely: a replacement for mpop and fetchmail, written against the NetX
 * Duo POP3 Client API as served by nxpop3 (include/nx_pop3_client.h).
 *
 * The files: config.c (command line, config file, accounts, passwords),
 * fetch.c (the session of one account, errors and exit codes), deliver.c
 * (Maildir, mbox, MDA, durable batches), state.c (only-new state, Maildir
 * tags, lock). Run `pop3fetch --help` for the options.
 *
 * Build (as the Makefile does):
 *   gcc -std=c99 -Wall -Wextra -Werror -O2 -Iinclude cexamples/pop3fetch/main.c \
 *       (and the other .c files) build/libnxpop3.a -lpthread -o build/bin/pop3fetch
 */
#include "pop3fetch.h"

#include <stdlib.h>

const char *progname = "pop3fetch";

#ifdef __GNUC__
/* Before the library's own start-up code, which starts threads (see
 * deliver_reserve_fds); any other compiler only loses that speed. */
__attribute__((constructor(101))) static void reserve_fds(void)
{
    deliver_reserve_fds();
}
#endif

int main(int argc, char **argv)
{
    struct account *accts = NULL;
    struct globals g = {0, 0};
    size_t n = 0, i;
    int rc, code = PF_EX_OK;

    if ((rc = load_accounts(argc, argv, &accts, &n, &g)) != 0) return rc < 0 ? PF_EX_OK : rc;
    session_init();
    /* Every account is fetched even after one fails; the exit status is
     * the first failure's. */
    for (i = 0; i < n; i++) {
        rc = run_account(&accts[i], &g);
        fflush(stdout);
        if (rc != 0 && code == PF_EX_OK) code = rc;
    }
    return code;
}
