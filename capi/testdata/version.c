/*
 * version.c - nx_pop3_client_version_get reports the header's version
 * macros (the library and the header come from one build here), the
 * derived macros agree with the three numbers, and a NULL pointer gets
 * NX_PTR_ERROR with nothing written.
 */
#include <stdio.h>
#include <string.h>

#include "nx_api.h"
#include "nx_pop3_client.h"
#include "check.h"

int main(void)
{
    UINT major = 99, minor = 99, patch = 99;
    char want[64];

    CHECK_EQ(nx_pop3_client_version_get(&major, &minor, &patch), NX_SUCCESS);
    CHECK_EQ(major, NXPOP3_VERSION_MAJOR);
    CHECK_EQ(minor, NXPOP3_VERSION_MINOR);
    CHECK_EQ(patch, NXPOP3_VERSION_PATCH);
    CHECK_EQ(NXPOP3_VERSION_NUMBER, (major << 16) | (minor << 8) | patch);
    snprintf(want, sizeof want, "%u.%u.%u", major, minor, patch);
    CHECK(strcmp(NXPOP3_VERSION_STRING, want) == 0);
    printf("version %s\n", NXPOP3_VERSION_STRING);

    major = minor = patch = 99;
    CHECK_EQ(nx_pop3_client_version_get(NX_NULL, &minor, &patch), NX_PTR_ERROR);
    CHECK_EQ(nx_pop3_client_version_get(&major, NX_NULL, &patch), NX_PTR_ERROR);
    CHECK_EQ(nx_pop3_client_version_get(&major, &minor, NX_NULL), NX_PTR_ERROR);
    CHECK_EQ(major, 99);
    CHECK_EQ(minor, 99);
    CHECK_EQ(patch, 99);
    return check_summary();
}
