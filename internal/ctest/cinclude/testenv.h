/*
 * testenv.h - the clock and environment helpers the C test and benchmark
 * programs share. Define _POSIX_C_SOURCE (for clock_gettime) before
 * including it.
 */
#ifndef NXPOP3_TESTDATA_TESTENV_H
#define NXPOP3_TESTDATA_TESTENV_H

#include <stdlib.h>
#include <time.h>

#include "nx_api.h"

/* now_s is a monotonic clock in seconds, for timing calls. */
static inline double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* env returns the variable's value, or dflt when it is unset or empty. */
static inline const char *env(const char *name, const char *dflt)
{
    const char *v = getenv(name);
    return v != NULL && *v != '\0' ? v : dflt;
}

/* env_ulong reads a number in C notation (decimal, or 0x... hex). */
static inline ULONG env_ulong(const char *name, ULONG dflt)
{
    const char *v = getenv(name);
    return v != NULL && *v != '\0' ? strtoul(v, NULL, 0) : dflt;
}

#endif /* NXPOP3_TESTDATA_TESTENV_H */
