/*
 * tx_block.c - ThreadX memory pools on a POSIX host: byte pools (first fit
 * over the caller's memory, as in ThreadX) and block pools (fixed-size
 * blocks, one pointer of overhead each, as in ThreadX).
 *
 * Locking, waits and argument checks as in tx_host.c.
 */

/* For clock_gettime under -std=c99. */
#define _POSIX_C_SOURCE 200809L

#include <stdint.h>
#include <string.h>

#include "tx_host_internal.h"

/* Byte pool blocks: two pointer-sized words in front of each block, as in
 * ThreadX; sizes and blocks are kept on a 16-byte boundary so an allocation
 * suits any type, as malloc's does. */
#define TXHOST_BYTE_ALIGN ((uintptr_t)16)
#define TXHOST_BYTE_FREE  ((uintptr_t)0xFFFFEEEEUL)

typedef struct txhost_block
{
    UCHAR     *next;  /* the next block; NULL for the pool's end marker */
    uintptr_t  owner; /* TXHOST_BYTE_FREE, or the owning pool */
} txhost_block;

#define TXHOST_BYTE_HEADER ((ULONG)((sizeof(txhost_block) + TXHOST_BYTE_ALIGN - 1) / TXHOST_BYTE_ALIGN * TXHOST_BYTE_ALIGN))

static TX_BYTE_POOL  *txhost_byte_pools;
static TX_BLOCK_POOL *txhost_block_pools;

/* ---- byte pools ---- */


static int txhost_byte_pool_registered(const TX_BYTE_POOL *pool_ptr)
{
    const TX_BYTE_POOL *p;

    for (p = txhost_byte_pools; p != NULL; p = p->tx_byte_pool_created_next)
    {
        if (p == pool_ptr)
        {
            return p->tx_byte_pool_id == TX_BYTE_POOL_ID;
        }
    }
    return 0;
}

UINT tx_byte_pool_create(TX_BYTE_POOL *pool_ptr, CHAR *name_ptr, VOID *pool_start, ULONG pool_size)
{
    uintptr_t     start, skew;
    ULONG         usable;
    txhost_block *first, *last;

    if (pool_ptr == NULL)
    {
        return TX_POOL_ERROR;
    }
    txhost_enter();
    if (txhost_byte_pool_registered(pool_ptr))
    {
        txhost_leave();
        return TX_POOL_ERROR;
    }
    if (pool_start == NULL)
    {
        txhost_leave();
        return TX_PTR_ERROR;
    }
    if (pool_size < TX_BYTE_POOL_MIN || pool_size > UINTPTR_MAX - (uintptr_t)pool_start)
    {
        txhost_leave();
        return TX_SIZE_ERROR;
    }
    start = ((uintptr_t)pool_start + TXHOST_BYTE_ALIGN - 1) / TXHOST_BYTE_ALIGN * TXHOST_BYTE_ALIGN;
    skew = start - (uintptr_t)pool_start;
    usable = (ULONG)((pool_size - skew) / TXHOST_BYTE_ALIGN * TXHOST_BYTE_ALIGN);
    if (usable < 3 * TXHOST_BYTE_HEADER)
    {
        txhost_leave();
        return TX_SIZE_ERROR;
    }
    if (txhost_in_timer)
    {
        txhost_leave();
        return TX_CALLER_ERROR;
    }

    /* One free block, then a permanently allocated end marker. */
    first = (txhost_block *)start;
    last = (txhost_block *)(start + usable - TXHOST_BYTE_HEADER);
    first->next = (UCHAR *)last;
    first->owner = TXHOST_BYTE_FREE;
    last->next = NULL;
    last->owner = (uintptr_t)pool_ptr;

    memset(pool_ptr, 0, sizeof(*pool_ptr));
    pool_ptr->tx_byte_pool_name = name_ptr;
    pool_ptr->tx_byte_pool_available = usable - 2 * TXHOST_BYTE_HEADER;
    pool_ptr->tx_byte_pool_fragments = 2;
    pool_ptr->tx_byte_pool_list = (UCHAR *)start;
    pool_ptr->tx_byte_pool_search = (UCHAR *)start;
    pool_ptr->tx_byte_pool_start = (UCHAR *)start;
    pool_ptr->tx_byte_pool_size = usable;
    pool_ptr->tx_byte_pool_id = TX_BYTE_POOL_ID;
    pool_ptr->tx_byte_pool_created_next = txhost_byte_pools;
    txhost_byte_pools = pool_ptr;
    txhost_leave();
    return TX_SUCCESS;
}

/* Lock held. First fit, merging free neighbours on the way, splitting what
 * is left over when it can hold a block of its own. */
static VOID *txhost_byte_search(TX_BYTE_POOL *pool_ptr, ULONG size)
{
    UCHAR *blk;

    for (blk = pool_ptr->tx_byte_pool_start; blk != NULL; blk = ((txhost_block *)blk)->next)
    {
        txhost_block *h = (txhost_block *)blk;
        ULONG         avail;

        if (h->owner != TXHOST_BYTE_FREE)
        {
            continue;
        }
        while (((txhost_block *)h->next)->owner == TXHOST_BYTE_FREE)
        {
            h->next = ((txhost_block *)h->next)->next;
            pool_ptr->tx_byte_pool_fragments--;
            pool_ptr->tx_byte_pool_available += TXHOST_BYTE_HEADER;
        }
        avail = (ULONG)(h->next - blk) - TXHOST_BYTE_HEADER;
        if (avail < size)
        {
            continue;
        }
        if (avail - size >= TXHOST_BYTE_HEADER + TX_BYTE_BLOCK_MIN)
        {
            txhost_block *rest = (txhost_block *)(blk + TXHOST_BYTE_HEADER + size);

            rest->next = h->next;
            rest->owner = TXHOST_BYTE_FREE;
            h->next = (UCHAR *)rest;
            pool_ptr->tx_byte_pool_fragments++;
            pool_ptr->tx_byte_pool_available -= TXHOST_BYTE_HEADER;
        }
        h->owner = (uintptr_t)pool_ptr;
        pool_ptr->tx_byte_pool_available -= (ULONG)(h->next - blk) - TXHOST_BYTE_HEADER;
        pool_ptr->tx_byte_pool_search = h->next;
        return blk + TXHOST_BYTE_HEADER;
    }
    return NULL;
}

UINT tx_byte_allocate(TX_BYTE_POOL *pool_ptr, VOID **memory_ptr, ULONG memory_size, ULONG wait_option)
{
    txhost_waiter  w;
    VOID          *mem;
    UINT           status;

    txhost_enter();
    if (pool_ptr == NULL || !txhost_byte_pool_registered(pool_ptr))
    {
        txhost_leave();
        return TX_POOL_ERROR;
    }
    if (memory_ptr == NULL)
    {
        txhost_leave();
        return TX_PTR_ERROR;
    }
    if (memory_size == 0 || memory_size > pool_ptr->tx_byte_pool_size)
    {
        txhost_leave();
        return TX_SIZE_ERROR;
    }
    if (wait_option != TX_NO_WAIT && txhost_nonthread())
    {
        txhost_leave();
        return TX_WAIT_ERROR;
    }
    /* Byte pools are for initialization and threads: their search takes
     * too long for a timer. */
    if (txhost_in_timer)
    {
        txhost_leave();
        return TX_CALLER_ERROR;
    }
    memory_size = (ULONG)((memory_size + TXHOST_BYTE_ALIGN - 1) / TXHOST_BYTE_ALIGN * TXHOST_BYTE_ALIGN);
    txhost_waiter_start(&w, wait_option, &pool_ptr->tx_byte_pool_suspended_count);
    *memory_ptr = NULL;
    for (;;)
    {
        mem = txhost_waiter_turn(&w) ? txhost_byte_search(pool_ptr, memory_size) : NULL;
        if (mem != NULL)
        {
            *memory_ptr = mem;
            status = TX_SUCCESS;
            break;
        }
        if (!txhost_waiter_suspend(&w, TX_BYTE_MEMORY, &pool_ptr->tx_byte_pool_host_deleted, TX_NO_MEMORY, &status))
        {
            break;
        }
    }
    txhost_waiter_end(&w);
    txhost_leave();
    return status;
}

UINT tx_byte_release(VOID *memory_ptr)
{
    TX_BYTE_POOL *p;
    UCHAR        *blk;

    if (memory_ptr == NULL)
    {
        return TX_PTR_ERROR;
    }
    txhost_enter();
    for (p = txhost_byte_pools; p != NULL; p = p->tx_byte_pool_created_next)
    {
        if ((UCHAR *)memory_ptr < p->tx_byte_pool_start || (UCHAR *)memory_ptr >= p->tx_byte_pool_start + p->tx_byte_pool_size)
        {
            continue;
        }
        /* Only the start of an allocated block is accepted, never a stray
         * pointer or a second release. */
        for (blk = p->tx_byte_pool_start; blk != NULL; blk = ((txhost_block *)blk)->next)
        {
            txhost_block *h = (txhost_block *)blk;

            if (blk + TXHOST_BYTE_HEADER == (UCHAR *)memory_ptr && h->next != NULL && h->owner == (uintptr_t)p)
            {
                h->owner = TXHOST_BYTE_FREE;
                p->tx_byte_pool_available += (ULONG)(h->next - blk) - TXHOST_BYTE_HEADER;
                txhost_changed();
                txhost_leave();
                return TX_SUCCESS;
            }
        }
        break;
    }
    txhost_leave();
    return TX_PTR_ERROR;
}

UINT tx_byte_pool_delete(TX_BYTE_POOL *pool_ptr)
{
    TX_BYTE_POOL **link;

    txhost_enter();
    if (pool_ptr == NULL || !txhost_byte_pool_registered(pool_ptr))
    {
        txhost_leave();
        return TX_POOL_ERROR;
    }
    if (txhost_nonthread())
    {
        txhost_leave();
        return TX_CALLER_ERROR;
    }
    for (link = &txhost_byte_pools; *link != pool_ptr; link = &(*link)->tx_byte_pool_created_next)
    {
    }
    *link = pool_ptr->tx_byte_pool_created_next;
    pool_ptr->tx_byte_pool_created_next = NULL;
    pool_ptr->tx_byte_pool_id = TX_CLEAR_ID;
    txhost_waiters_dismiss(&pool_ptr->tx_byte_pool_host_deleted, &pool_ptr->tx_byte_pool_suspended_count);
    txhost_leave();
    return TX_SUCCESS;
}


UINT tx_byte_pool_info_get(TX_BYTE_POOL *pool_ptr, CHAR **name, ULONG *available_bytes, ULONG *fragments,
                           TX_THREAD **first_suspended, ULONG *suspended_count, TX_BYTE_POOL **next_pool)
{
    txhost_enter();
    if (pool_ptr == NULL || !txhost_byte_pool_registered(pool_ptr))
    {
        txhost_leave();
        return TX_POOL_ERROR;
    }
    if (name != NULL)
    {
        *name = pool_ptr->tx_byte_pool_name;
    }
    if (available_bytes != NULL)
    {
        *available_bytes = pool_ptr->tx_byte_pool_available;
    }
    if (fragments != NULL)
    {
        *fragments = pool_ptr->tx_byte_pool_fragments;
    }
    if (first_suspended != NULL)
    {
        *first_suspended = txhost_first_suspended(&pool_ptr->tx_byte_pool_suspended_count);
    }
    if (suspended_count != NULL)
    {
        *suspended_count = pool_ptr->tx_byte_pool_suspended_count;
    }
    if (next_pool != NULL)
    {
        TXHOST_NEXT_CREATED(TX_BYTE_POOL, txhost_byte_pools, pool_ptr, tx_byte_pool_created_next, next_pool);
    }
    txhost_leave();
    return TX_SUCCESS;
}

UINT tx_byte_pool_prioritize(TX_BYTE_POOL *pool_ptr)
{
    txhost_enter();
    if (pool_ptr == NULL || !txhost_byte_pool_registered(pool_ptr))
    {
        txhost_leave();
        return TX_POOL_ERROR;
    }
    txhost_prioritize(&pool_ptr->tx_byte_pool_suspended_count);
    txhost_leave();
    return TX_SUCCESS;
}

/* ---- block pools ---- */

/* Each block is preceded by one pointer: the next free block while free,
 * the owning pool while allocated (ThreadX's layout). */
#define TXHOST_BLOCK_OVERHEAD ((ULONG)sizeof(UCHAR *))

static int txhost_block_pool_registered(const TX_BLOCK_POOL *pool_ptr)
{
    const TX_BLOCK_POOL *p;

    for (p = txhost_block_pools; p != NULL; p = p->tx_block_pool_created_next)
    {
        if (p == pool_ptr)
        {
            return p->tx_block_pool_id == TX_BLOCK_POOL_ID;
        }
    }
    return 0;
}

UINT tx_block_pool_create(TX_BLOCK_POOL *pool_ptr, CHAR *name_ptr, ULONG block_size, VOID *pool_start, ULONG pool_size)
{
    UCHAR *blk, *prev = NULL;
    ULONG  n, i, each;

    if (pool_ptr == NULL)
    {
        return TX_POOL_ERROR;
    }
    txhost_enter();
    if (txhost_block_pool_registered(pool_ptr))
    {
        txhost_leave();
        return TX_POOL_ERROR;
    }
    if (pool_start == NULL)
    {
        txhost_leave();
        return TX_PTR_ERROR;
    }
    /* Blocks stay pointer-aligned: the size rounds up to a pointer's. */
    block_size = (block_size + TXHOST_BLOCK_OVERHEAD - 1) / TXHOST_BLOCK_OVERHEAD * TXHOST_BLOCK_OVERHEAD;
    each = block_size + TXHOST_BLOCK_OVERHEAD;
    if (block_size == 0 || pool_size < each || pool_size > UINTPTR_MAX - (uintptr_t)pool_start)
    {
        txhost_leave();
        return TX_SIZE_ERROR;
    }
    if (txhost_in_timer)
    {
        txhost_leave();
        return TX_CALLER_ERROR;
    }
    n = pool_size / each;
    memset(pool_ptr, 0, sizeof(*pool_ptr));
    for (i = n; i-- > 0;)
    {
        blk = (UCHAR *)pool_start + i * each;
        *(UCHAR **)(void *)blk = prev;
        prev = blk;
    }
    pool_ptr->tx_block_pool_name = name_ptr;
    pool_ptr->tx_block_pool_available = n;
    pool_ptr->tx_block_pool_total = n;
    pool_ptr->tx_block_pool_available_list = prev;
    pool_ptr->tx_block_pool_start = (UCHAR *)pool_start;
    pool_ptr->tx_block_pool_size = n * each;
    pool_ptr->tx_block_pool_block_size = block_size;
    pool_ptr->tx_block_pool_id = TX_BLOCK_POOL_ID;
    pool_ptr->tx_block_pool_created_next = txhost_block_pools;
    txhost_block_pools = pool_ptr;
    txhost_leave();
    return TX_SUCCESS;
}

UINT tx_block_allocate(TX_BLOCK_POOL *pool_ptr, VOID **block_ptr, ULONG wait_option)
{
    txhost_waiter w;
    UINT          status;

    txhost_enter();
    if (pool_ptr == NULL || !txhost_block_pool_registered(pool_ptr))
    {
        txhost_leave();
        return TX_POOL_ERROR;
    }
    if (block_ptr == NULL)
    {
        txhost_leave();
        return TX_PTR_ERROR;
    }
    if (wait_option != TX_NO_WAIT && txhost_nonthread())
    {
        txhost_leave();
        return TX_WAIT_ERROR;
    }
    txhost_waiter_start(&w, wait_option, &pool_ptr->tx_block_pool_suspended_count);
    for (;;)
    {
        UCHAR *blk = pool_ptr->tx_block_pool_available_list;

        if (blk != NULL && txhost_waiter_turn(&w))
        {
            pool_ptr->tx_block_pool_available_list = *(UCHAR **)(void *)blk;
            *(UCHAR **)(void *)blk = (UCHAR *)pool_ptr;
            pool_ptr->tx_block_pool_available--;
            *block_ptr = blk + TXHOST_BLOCK_OVERHEAD;
            status = TX_SUCCESS;
            break;
        }
        if (!txhost_waiter_suspend(&w, TX_BLOCK_MEMORY, &pool_ptr->tx_block_pool_host_deleted, TX_NO_MEMORY, &status))
        {
            break;
        }
    }
    txhost_waiter_end(&w);
    txhost_leave();
    return status;
}

UINT tx_block_release(VOID *block_ptr)
{
    TX_BLOCK_POOL *p;
    UCHAR         *blk;
    ULONG          each;

    if (block_ptr == NULL)
    {
        return TX_PTR_ERROR;
    }
    txhost_enter();
    blk = (UCHAR *)block_ptr - TXHOST_BLOCK_OVERHEAD;
    for (p = txhost_block_pools; p != NULL; p = p->tx_block_pool_created_next)
    {
        if (blk < p->tx_block_pool_start || blk >= p->tx_block_pool_start + p->tx_block_pool_size)
        {
            continue;
        }
        /* Only the start of a block that is allocated: never a stray
         * pointer or a second release. */
        each = p->tx_block_pool_block_size + TXHOST_BLOCK_OVERHEAD;
        if ((ULONG)(blk - p->tx_block_pool_start) % each != 0 || *(UCHAR **)(void *)blk != (UCHAR *)p)
        {
            break;
        }
        *(UCHAR **)(void *)blk = p->tx_block_pool_available_list;
        p->tx_block_pool_available_list = blk;
        p->tx_block_pool_available++;
        txhost_changed();
        txhost_leave();
        return TX_SUCCESS;
    }
    txhost_leave();
    return TX_PTR_ERROR;
}

UINT tx_block_pool_delete(TX_BLOCK_POOL *pool_ptr)
{
    TX_BLOCK_POOL **link;

    txhost_enter();
    if (pool_ptr == NULL || !txhost_block_pool_registered(pool_ptr))
    {
        txhost_leave();
        return TX_POOL_ERROR;
    }
    if (txhost_nonthread())
    {
        txhost_leave();
        return TX_CALLER_ERROR;
    }
    for (link = &txhost_block_pools; *link != pool_ptr; link = &(*link)->tx_block_pool_created_next)
    {
    }
    *link = pool_ptr->tx_block_pool_created_next;
    pool_ptr->tx_block_pool_created_next = NULL;
    pool_ptr->tx_block_pool_id = TX_CLEAR_ID;
    txhost_waiters_dismiss(&pool_ptr->tx_block_pool_host_deleted, &pool_ptr->tx_block_pool_suspended_count);
    txhost_leave();
    return TX_SUCCESS;
}

UINT tx_block_pool_info_get(TX_BLOCK_POOL *pool_ptr, CHAR **name, ULONG *available_blocks, ULONG *total_blocks,
                            TX_THREAD **first_suspended, ULONG *suspended_count, TX_BLOCK_POOL **next_pool)
{
    txhost_enter();
    if (pool_ptr == NULL || !txhost_block_pool_registered(pool_ptr))
    {
        txhost_leave();
        return TX_POOL_ERROR;
    }
    if (name != NULL)
    {
        *name = pool_ptr->tx_block_pool_name;
    }
    if (available_blocks != NULL)
    {
        *available_blocks = pool_ptr->tx_block_pool_available;
    }
    if (total_blocks != NULL)
    {
        *total_blocks = pool_ptr->tx_block_pool_total;
    }
    if (first_suspended != NULL)
    {
        *first_suspended = txhost_first_suspended(&pool_ptr->tx_block_pool_suspended_count);
    }
    if (suspended_count != NULL)
    {
        *suspended_count = pool_ptr->tx_block_pool_suspended_count;
    }
    if (next_pool != NULL)
    {
        TXHOST_NEXT_CREATED(TX_BLOCK_POOL, txhost_block_pools, pool_ptr, tx_block_pool_created_next, next_pool);
    }
    txhost_leave();
    return TX_SUCCESS;
}

UINT tx_block_pool_prioritize(TX_BLOCK_POOL *pool_ptr)
{
    txhost_enter();
    if (pool_ptr == NULL || !txhost_block_pool_registered(pool_ptr))
    {
        txhost_leave();
        return TX_POOL_ERROR;
    }
    txhost_prioritize(&pool_ptr->tx_block_pool_suspended_count);
    txhost_leave();
    return TX_SUCCESS;
}
