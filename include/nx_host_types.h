/*
 * nx_host_types.h - the ThreadX base types, shared by nx_api.h and any
 * tx_api.h of this project so that whichever is included first defines them
 * and the other does not redefine them (C99 forbids repeating a typedef).
 */
#ifndef NX_HOST_TYPES_H
#define NX_HOST_TYPES_H

#ifndef NX_HOST_TYPES_DEFINED
#define NX_HOST_TYPES_DEFINED

/* The spellings are ThreadX's own, so code written against ThreadX compiles
 * unchanged. VOID is a macro there, not a typedef: keep it one. */
#ifndef VOID
#define VOID void
#endif

typedef char           CHAR;
typedef unsigned char  UCHAR;
typedef int            INT;
typedef unsigned int   UINT;
typedef long           LONG;
typedef unsigned long  ULONG;
typedef short          SHORT;
typedef unsigned short USHORT;

#endif /* NX_HOST_TYPES_DEFINED */

#endif /* NX_HOST_TYPES_H */
