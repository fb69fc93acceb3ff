/*
 * tx_host_test.c - unit test of the host ThreadX shim (tx_api.h). Built by
 * nxhost/nxhost_test.go against include/ and the archive (or, under
 * ThreadSanitizer, straight from nxhost/tx_host.c and nxhost/nx_host.c). Prints
 * one line per failure and "N passed, M failed" last; exits 0 only if all
 * passed.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <pthread.h>

#include "tx_api.h"
#include "nx_api.h"
#include "testenv.h"

#define CHECK_REPORT(line, what) printf("FAIL line %d: %s\n", line, what)
#define CHECK_EQ_REPORT(line, what, got, want) printf("FAIL line %d: %s = 0x%lx, want 0x%lx\n", line, what, got, want)
#include "check.h"


static int get_flag(int *p) { return __atomic_load_n(p, __ATOMIC_SEQ_CST); }
static void set_flag(int *p, int v) { __atomic_store_n(p, v, __ATOMIC_SEQ_CST); }
static UINT thread_state(TX_THREAD *t) { return __atomic_load_n(&t->tx_thread_state, __ATOMIC_SEQ_CST); }


static void host_sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Waits up to 5 s for a thread to reach a state. */
static int wait_state(TX_THREAD *t, UINT state)
{
    int i;
    for (i = 0; i < 500; i++) {
        if (thread_state(t) == state)
            return 1;
        host_sleep_ms(10);
    }
    return 0;
}

#define STACK 1024

static TX_THREAD main_thread, waiter, spinner, sleeper, forever, aborted, self_term,
    mem_waiter, mem_deleted, mtx_deleted, owner_exits, never_started, wrong;
static TX_BYTE_POOL byte_pool, doomed_pool;
static TX_MUTEX mutex, doomed_mutex;
static NX_PACKET_POOL packet_pool;
static UCHAR doomed_pool_memory[512];

static int spinner_count, spinner_stop;
static int forever_after_sleep, self_term_after;
static int waiter_got;
static UINT aborted_status, mem_waiter_status, mem_deleted_status, mtx_deleted_status;
static VOID *mem_waiter_ptr;
static int main_done;

static void waiter_entry(ULONG input)
{
    CHECK_EQ(input, 7);
    /* main_thread holds the mutex. */
    CHECK_EQ(tx_mutex_get(&mutex, TX_NO_WAIT), TX_NOT_AVAILABLE);
    {
        double t0 = now_s();
        CHECK_EQ(tx_mutex_get(&mutex, 10), TX_NOT_AVAILABLE);
        CHECK(now_s() - t0 >= 0.09);
    }
    CHECK_EQ(tx_mutex_get(&mutex, TX_WAIT_FOREVER), TX_SUCCESS);
    set_flag(&waiter_got, 1);
    CHECK_EQ(tx_mutex_put(&mutex), TX_SUCCESS);
}

static void spinner_entry(ULONG input)
{
    (void)input;
    while (!get_flag(&spinner_stop)) {
        __atomic_add_fetch(&spinner_count, 1, __ATOMIC_SEQ_CST);
        tx_thread_relinquish();
    }
}

static void sleeper_entry(ULONG input)
{
    (void)input;
    tx_thread_sleep(50);
}

static void forever_entry(ULONG input)
{
    (void)input;
    tx_thread_sleep(TX_WAIT_FOREVER);
    set_flag(&forever_after_sleep, 1);
}

static void aborted_entry(ULONG input)
{
    (void)input;
    aborted_status = tx_thread_sleep(10 * TX_TIMER_TICKS_PER_SECOND);
}

static void self_term_entry(ULONG input)
{
    (void)input;
    tx_thread_terminate(tx_thread_identify());
    set_flag(&self_term_after, 1);
}

static void mem_waiter_entry(ULONG input)
{
    (void)input;
    mem_waiter_status = tx_byte_allocate(&byte_pool, &mem_waiter_ptr, 100, TX_WAIT_FOREVER);
}

static void mem_deleted_entry(ULONG input)
{
    VOID *p;
    (void)input;
    mem_deleted_status = tx_byte_allocate(&doomed_pool, &p, 400, TX_WAIT_FOREVER);
}

static void mtx_deleted_entry(ULONG input)
{
    (void)input;
    mtx_deleted_status = tx_mutex_get(&doomed_mutex, TX_WAIT_FOREVER);
}

static void owner_exits_entry(ULONG input)
{
    (void)input;
    CHECK_EQ(tx_mutex_get(&mutex, TX_NO_WAIT), TX_SUCCESS);
    /* Returns still owning it. */
}

static void never_entry(ULONG input)
{
    (void)input;
    CHECK(0 && "a thread never resumed ran");
}

static UCHAR *stack_of(UCHAR **carve)
{
    UCHAR *s = *carve;
    *carve += STACK;
    return s;
}

static void main_entry(ULONG input)
{
    static UCHAR stacks[12 * STACK];
    UCHAR *carve = stacks;
    VOID *blocks[64];
    VOID *p, *q;
    ULONG t0, avail0;
    double w0;
    int n, i, c0;

    CHECK_EQ(input, 42);
    CHECK(tx_thread_identify() == &main_thread);
    CHECK_EQ(main_thread.tx_thread_run_count, 1);

    /* Sleep: ticks of 10 ms, and tx_time_get counts them. */
    t0 = tx_time_get();
    w0 = now_s();
    CHECK_EQ(tx_thread_sleep(20), TX_SUCCESS);
    CHECK(now_s() - w0 >= 0.19);
    CHECK(tx_time_get() - t0 >= 19);
    CHECK_EQ(tx_thread_sleep(0), TX_SUCCESS);
    tx_time_set(1000);
    CHECK(tx_time_get() >= 1000 && tx_time_get() < 1100);

    /* Mutex: recursive, owned. */
    CHECK_EQ(tx_mutex_get(&mutex, TX_NO_WAIT), TX_SUCCESS);
    CHECK_EQ(tx_mutex_get(&mutex, TX_WAIT_FOREVER), TX_SUCCESS);
    CHECK_EQ(mutex.tx_mutex_ownership_count, 2);
    CHECK(mutex.tx_mutex_owner == &main_thread);
    CHECK_EQ(main_thread.tx_thread_owned_mutex_count, 1);
    CHECK_EQ(tx_mutex_put(&mutex), TX_SUCCESS);

    /* A thread created TX_DONT_START runs once resumed, then waits for the mutex. */
    CHECK_EQ(thread_state(&waiter), TX_SUSPENDED);
    CHECK_EQ(tx_thread_resume(&waiter), TX_SUCCESS);
    CHECK(wait_state(&waiter, TX_MUTEX_SUSP));
    host_sleep_ms(150); /* its timed attempt fails, then it waits forever */
    CHECK(wait_state(&waiter, TX_MUTEX_SUSP));
    CHECK(!get_flag(&waiter_got));
    CHECK_EQ(tx_mutex_put(&mutex), TX_SUCCESS);
    CHECK_EQ(tx_mutex_put(&mutex), TX_NOT_OWNED);
    CHECK(wait_state(&waiter, TX_COMPLETED));
    CHECK(get_flag(&waiter_got));
    CHECK_EQ(tx_thread_resume(&waiter), TX_RESUME_ERROR);
    CHECK_EQ(tx_thread_suspend(&waiter), TX_SUSPEND_ERROR);

    /* Suspend and resume a running thread: it stops at its next ThreadX call. */
    CHECK_EQ(tx_thread_create(&spinner, "spinner", spinner_entry, 0, stack_of(&carve), STACK, 16, 16, TX_NO_TIME_SLICE, TX_AUTO_START), TX_SUCCESS);
    while (get_flag(&spinner_count) < 10)
        host_sleep_ms(1);
    CHECK_EQ(tx_thread_resume(&spinner), TX_RESUME_ERROR);
    CHECK_EQ(tx_thread_suspend(&spinner), TX_SUCCESS);
    CHECK_EQ(thread_state(&spinner), TX_SUSPENDED);
    CHECK_EQ(tx_thread_suspend(&spinner), TX_SUCCESS);
    host_sleep_ms(50);
    c0 = get_flag(&spinner_count);
    host_sleep_ms(100);
    CHECK_EQ(get_flag(&spinner_count), c0);
    CHECK_EQ(tx_thread_resume(&spinner), TX_SUCCESS);
    while (get_flag(&spinner_count) < c0 + 10)
        host_sleep_ms(1);
    set_flag(&spinner_stop, 1);
    CHECK(wait_state(&spinner, TX_COMPLETED));

    /* Suspending a sleeping thread is delayed; resuming lifts it. */
    CHECK_EQ(tx_thread_create(&sleeper, "sleeper", sleeper_entry, 0, stack_of(&carve), STACK, 16, 16, TX_NO_TIME_SLICE, TX_AUTO_START), TX_SUCCESS);
    CHECK(wait_state(&sleeper, TX_SLEEP));
    CHECK_EQ(tx_thread_suspend(&sleeper), TX_SUCCESS);
    CHECK_EQ(sleeper.tx_thread_delayed_suspend, TX_TRUE);
    CHECK_EQ(tx_thread_resume(&sleeper), TX_SUSPEND_LIFTED);
    CHECK(wait_state(&sleeper, TX_COMPLETED));

    /* Terminate a thread sleeping forever: it never runs again. */
    CHECK_EQ(tx_thread_create(&forever, "forever", forever_entry, 0, stack_of(&carve), STACK, 16, 16, TX_NO_TIME_SLICE, TX_AUTO_START), TX_SUCCESS);
    CHECK(wait_state(&forever, TX_SLEEP));
    CHECK_EQ(tx_thread_delete(&forever), TX_DELETE_ERROR);
    CHECK_EQ(tx_thread_terminate(&forever), TX_SUCCESS);
    CHECK_EQ(thread_state(&forever), TX_TERMINATED);
    CHECK_EQ(tx_thread_terminate(&forever), TX_SUCCESS);
    CHECK_EQ(tx_thread_delete(&forever), TX_SUCCESS);
    CHECK_EQ(forever.tx_thread_id, 0);
    CHECK_EQ(tx_thread_delete(&forever), TX_THREAD_ERROR);
    CHECK_EQ(tx_thread_terminate(&forever), TX_THREAD_ERROR);
    /* The control block may be reused at once. */
    CHECK_EQ(tx_thread_create(&forever, "forever again", sleeper_entry, 0, stack_of(&carve), STACK, 16, 16, TX_NO_TIME_SLICE, TX_AUTO_START), TX_SUCCESS);
    CHECK(wait_state(&forever, TX_COMPLETED));
    CHECK_EQ(tx_thread_delete(&forever), TX_SUCCESS);

    /* Wait abort. */
    CHECK_EQ(tx_thread_create(&aborted, "aborted", aborted_entry, 0, stack_of(&carve), STACK, 16, 16, TX_NO_TIME_SLICE, TX_AUTO_START), TX_SUCCESS);
    CHECK(wait_state(&aborted, TX_SLEEP));
    CHECK_EQ(tx_thread_wait_abort(&aborted), TX_SUCCESS);
    CHECK(wait_state(&aborted, TX_COMPLETED));
    CHECK_EQ(aborted_status, TX_WAIT_ABORTED);
    CHECK_EQ(tx_thread_wait_abort(&aborted), TX_WAIT_ABORT_ERROR);

    /* A thread terminating itself stops at once. */
    CHECK_EQ(tx_thread_create(&self_term, "self", self_term_entry, 0, stack_of(&carve), STACK, 16, 16, TX_NO_TIME_SLICE, TX_AUTO_START), TX_SUCCESS);
    CHECK(wait_state(&self_term, TX_TERMINATED));
    host_sleep_ms(50);
    CHECK(!get_flag(&self_term_after));
    CHECK_EQ(tx_thread_delete(&self_term), TX_SUCCESS);
    CHECK_EQ(tx_thread_delete(tx_thread_identify()), TX_DELETE_ERROR);

    /* A thread that ends owning a mutex gives it up. */
    CHECK_EQ(tx_thread_create(&owner_exits, "owner", owner_exits_entry, 0, stack_of(&carve), STACK, 16, 16, TX_NO_TIME_SLICE, TX_AUTO_START), TX_SUCCESS);
    CHECK(wait_state(&owner_exits, TX_COMPLETED));
    host_sleep_ms(20);
    CHECK_EQ(tx_mutex_get(&mutex, TX_NO_WAIT), TX_SUCCESS);
    CHECK_EQ(tx_mutex_put(&mutex), TX_SUCCESS);

    /* Byte pool: argument checks, exhaustion, release, merging. */
    CHECK_EQ(tx_byte_allocate(TX_NULL, &p, 16, TX_NO_WAIT), TX_POOL_ERROR);
    CHECK_EQ(tx_byte_allocate(&doomed_pool, &p, 16, TX_NO_WAIT), TX_POOL_ERROR); /* not created yet */
    CHECK_EQ(tx_byte_allocate(&byte_pool, TX_NULL, 16, TX_NO_WAIT), TX_PTR_ERROR);
    CHECK_EQ(tx_byte_allocate(&byte_pool, &p, 0, TX_NO_WAIT), TX_SIZE_ERROR);
    CHECK_EQ(tx_byte_allocate(&byte_pool, &p, byte_pool.tx_byte_pool_size + 1, TX_NO_WAIT), TX_SIZE_ERROR);
    avail0 = byte_pool.tx_byte_pool_available;
    for (n = 0; n < 64; n++) {
        if (tx_byte_allocate(&byte_pool, &blocks[n], 100, TX_NO_WAIT) != TX_SUCCESS)
            break;
        memset(blocks[n], 0xA5, 100);
        CHECK_EQ((unsigned long)blocks[n] % 16, 0);
    }
    CHECK(n > 3 && n < 64);
    CHECK_EQ(tx_byte_allocate(&byte_pool, &p, 100, TX_NO_WAIT), TX_NO_MEMORY);
    CHECK(p == TX_NULL);
    w0 = now_s();
    CHECK_EQ(tx_byte_allocate(&byte_pool, &p, 100, 10), TX_NO_MEMORY);
    CHECK(now_s() - w0 >= 0.09);
    CHECK_EQ(tx_byte_release((UCHAR *)blocks[0] + 1), TX_PTR_ERROR);
    CHECK_EQ(tx_byte_release(TX_NULL), TX_PTR_ERROR);
    CHECK_EQ(tx_byte_release(&n), TX_PTR_ERROR);

    /* A thread waiting for memory gets it when a block is released. */
    CHECK_EQ(tx_thread_create(&mem_waiter, "mem", mem_waiter_entry, 0, stack_of(&carve), STACK, 16, 16, TX_NO_TIME_SLICE, TX_AUTO_START), TX_SUCCESS);
    CHECK(wait_state(&mem_waiter, TX_BYTE_MEMORY));
    CHECK_EQ(tx_byte_release(blocks[n - 1]), TX_SUCCESS);
    CHECK(wait_state(&mem_waiter, TX_COMPLETED));
    CHECK_EQ(mem_waiter_status, TX_SUCCESS);
    CHECK(mem_waiter_ptr == blocks[n - 1]);
    blocks[n - 1] = mem_waiter_ptr;
    for (i = 0; i < n; i++)
        CHECK_EQ(tx_byte_release(blocks[i]), TX_SUCCESS);
    /* Everything merges back: one large block fits again. */
    CHECK_EQ(tx_byte_allocate(&byte_pool, &p, avail0, TX_NO_WAIT), TX_SUCCESS);
    CHECK_EQ(tx_byte_release(p), TX_SUCCESS);
    CHECK(byte_pool.tx_byte_pool_available >= avail0);

    /* Deleting a pool wakes its waiters with TX_DELETED. */
    CHECK_EQ(tx_byte_pool_create(&doomed_pool, "doomed", doomed_pool_memory, sizeof doomed_pool_memory), TX_SUCCESS);
    CHECK_EQ(tx_byte_allocate(&doomed_pool, &q, 400, TX_NO_WAIT), TX_SUCCESS);
    CHECK_EQ(tx_thread_create(&mem_deleted, "memdel", mem_deleted_entry, 0, stack_of(&carve), STACK, 16, 16, TX_NO_TIME_SLICE, TX_AUTO_START), TX_SUCCESS);
    CHECK(wait_state(&mem_deleted, TX_BYTE_MEMORY));
    CHECK_EQ(tx_byte_pool_delete(&doomed_pool), TX_SUCCESS);
    CHECK(wait_state(&mem_deleted, TX_COMPLETED));
    CHECK_EQ(mem_deleted_status, TX_DELETED);
    CHECK_EQ(tx_byte_pool_delete(&doomed_pool), TX_POOL_ERROR);
    CHECK_EQ(tx_byte_release(q), TX_PTR_ERROR);

    /* Deleting a mutex wakes its waiters with TX_DELETED. */
    CHECK_EQ(tx_mutex_create(&doomed_mutex, "doomed", TX_INHERIT), TX_SUCCESS);
    CHECK_EQ(tx_mutex_get(&doomed_mutex, TX_NO_WAIT), TX_SUCCESS);
    CHECK_EQ(tx_thread_create(&mtx_deleted, "mtxdel", mtx_deleted_entry, 0, stack_of(&carve), STACK, 16, 16, TX_NO_TIME_SLICE, TX_AUTO_START), TX_SUCCESS);
    CHECK(wait_state(&mtx_deleted, TX_MUTEX_SUSP));
    CHECK_EQ(tx_mutex_delete(&doomed_mutex), TX_SUCCESS);
    CHECK(wait_state(&mtx_deleted, TX_COMPLETED));
    CHECK_EQ(mtx_deleted_status, TX_DELETED);
    CHECK_EQ(tx_mutex_delete(&doomed_mutex), TX_MUTEX_ERROR);
    CHECK_EQ(tx_mutex_get(&doomed_mutex, TX_NO_WAIT), TX_MUTEX_ERROR);
    CHECK_EQ(tx_mutex_put(&doomed_mutex), TX_MUTEX_ERROR);
    CHECK_EQ(tx_mutex_delete(TX_NULL), TX_MUTEX_ERROR);

    /* Thread services on things that are not threads. */
    CHECK_EQ(tx_thread_suspend(TX_NULL), TX_THREAD_ERROR);
    CHECK_EQ(tx_thread_resume(&wrong), TX_THREAD_ERROR);
    CHECK_EQ(tx_thread_wait_abort(&wrong), TX_THREAD_ERROR);

    set_flag(&main_done, 1);
}

void tx_application_define(void *first_unused_memory)
{
    static UCHAR stacks[4 * STACK];
    UCHAR *mem = (UCHAR *)first_unused_memory;
    ULONG size = tx_host_first_unused_memory_size();
    const char *env = getenv("NXPOP3_TX_MEMORY");
    NX_PACKET *pkt;
    VOID *p;

    CHECK(mem != NULL);
    CHECK_EQ(size, env != NULL && strcmp(env, "2M") == 0 ? 2UL * 1024 * 1024 : TX_HOST_FIRST_UNUSED_MEMORY_SIZE);
    CHECK_EQ((unsigned long)mem % 16, 0);
    /* The whole region is ours (ASan and valgrind watch this). */
    memset(mem, 0x5A, size);
    CHECK(tx_thread_identify() == TX_NULL);
    CHECK_EQ(tx_thread_sleep(1), TX_CALLER_ERROR);

    /* tx_thread_create's checks, in ThreadX's order. */
    CHECK_EQ(tx_thread_create(TX_NULL, "x", never_entry, 0, mem, STACK, 1, 1, TX_NO_TIME_SLICE, TX_AUTO_START), TX_THREAD_ERROR);
    CHECK_EQ(tx_thread_create(&wrong, "x", never_entry, 0, TX_NULL, STACK, 1, 1, TX_NO_TIME_SLICE, TX_AUTO_START), TX_PTR_ERROR);
    CHECK_EQ(tx_thread_create(&wrong, "x", TX_NULL, 0, mem, STACK, 1, 1, TX_NO_TIME_SLICE, TX_AUTO_START), TX_PTR_ERROR);
    CHECK_EQ(tx_thread_create(&wrong, "x", never_entry, 0, mem, TX_MINIMUM_STACK - 1, 1, 1, TX_NO_TIME_SLICE, TX_AUTO_START), TX_SIZE_ERROR);
    CHECK_EQ(tx_thread_create(&wrong, "x", never_entry, 0, mem, STACK, TX_MAX_PRIORITIES, 1, TX_NO_TIME_SLICE, TX_AUTO_START), TX_PRIORITY_ERROR);
    CHECK_EQ(tx_thread_create(&wrong, "x", never_entry, 0, mem, STACK, 5, 6, TX_NO_TIME_SLICE, TX_AUTO_START), TX_THRESH_ERROR);
    CHECK_EQ(tx_thread_create(&wrong, "x", never_entry, 0, mem, STACK, 5, 5, TX_NO_TIME_SLICE, 2), TX_START_ERROR);
    CHECK_EQ(TX_THREAD_STACK_MIN, TX_MINIMUM_STACK);

    /* The main test thread, with its stack carved from the region. */
    CHECK_EQ(tx_thread_create(&main_thread, "main", main_entry, 42, mem, STACK, 1, 1, TX_NO_TIME_SLICE, TX_AUTO_START), TX_SUCCESS);
    CHECK_EQ(main_thread.tx_thread_id, TX_THREAD_ID);
    CHECK_EQ(main_thread.tx_thread_state, TX_READY);
    CHECK_EQ(tx_thread_create(&main_thread, "again", main_entry, 42, stacks, STACK, 1, 1, TX_NO_TIME_SLICE, TX_AUTO_START), TX_THREAD_ERROR);
    CHECK_EQ(tx_thread_create(&wrong, "overlap", never_entry, 0, mem + STACK / 2, STACK, 1, 1, TX_NO_TIME_SLICE, TX_AUTO_START), TX_PTR_ERROR);
    mem += STACK;

    CHECK_EQ(tx_thread_create(&waiter, "waiter", waiter_entry, 7, stacks, STACK, 2, 2, 4, TX_DONT_START), TX_SUCCESS);
    CHECK_EQ(tx_thread_create(&never_started, "never", never_entry, 0, stacks + STACK, STACK, 3, 3, TX_NO_TIME_SLICE, TX_DONT_START), TX_SUCCESS);

    /* Byte pool over the region. */
    CHECK_EQ(tx_byte_pool_create(TX_NULL, "bp", mem, 4096), TX_POOL_ERROR);
    CHECK_EQ(tx_byte_pool_create(&byte_pool, "bp", TX_NULL, 4096), TX_PTR_ERROR);
    CHECK_EQ(tx_byte_pool_create(&byte_pool, "bp", mem, TX_BYTE_POOL_MIN - 1), TX_SIZE_ERROR);
    CHECK_EQ(tx_byte_pool_create(&byte_pool, "bp", mem, 4096), TX_SUCCESS);
    CHECK_EQ(tx_byte_pool_create(&byte_pool, "bp", mem, 4096), TX_POOL_ERROR);
    CHECK_EQ(tx_byte_allocate(&byte_pool, &p, 64, TX_WAIT_FOREVER), TX_WAIT_ERROR);
    CHECK_EQ(tx_byte_allocate(&byte_pool, &p, 64, TX_NO_WAIT), TX_SUCCESS);
    CHECK_EQ(tx_byte_release(p), TX_SUCCESS);
    CHECK_EQ(tx_byte_release(p), TX_PTR_ERROR);
    CHECK_EQ(tx_byte_pool_delete(&byte_pool), TX_CALLER_ERROR);
    mem += 4096;

    /* Mutexes. */
    CHECK_EQ(tx_mutex_create(TX_NULL, "m", TX_NO_INHERIT), TX_MUTEX_ERROR);
    CHECK_EQ(tx_mutex_create(&mutex, "m", 2), TX_INHERIT_ERROR);
    CHECK_EQ(tx_mutex_create(&mutex, "m", TX_NO_INHERIT), TX_SUCCESS);
    CHECK_EQ(tx_mutex_create(&mutex, "m", TX_NO_INHERIT), TX_MUTEX_ERROR);
    CHECK_EQ(tx_mutex_get(&mutex, 5), TX_WAIT_ERROR);
    CHECK_EQ(tx_mutex_get(&mutex, TX_NO_WAIT), TX_SUCCESS);
    CHECK(mutex.tx_mutex_owner == TX_NULL);
    CHECK_EQ(tx_mutex_put(&mutex), TX_SUCCESS);
    CHECK_EQ(tx_mutex_delete(&mutex), TX_CALLER_ERROR);

    /* A packet carved from the region, filled to the brim, still reads as a
     * C string of its own length. */
    nx_system_initialize();
    CHECK_EQ(nx_packet_pool_create(&packet_pool, "pp", 256, mem, 4 * (256 + 128)), NX_SUCCESS);
    mem += 4 * (256 + 128);
    CHECK_EQ(nx_packet_allocate(&packet_pool, &pkt, NX_RECEIVE_PACKET, NX_NO_WAIT), NX_SUCCESS);
    memset(pkt->nx_packet_prepend_ptr, 'x', (size_t)(pkt->nx_packet_data_end - pkt->nx_packet_prepend_ptr));
    CHECK_EQ(strlen((char *)pkt->nx_packet_prepend_ptr), (unsigned long)(pkt->nx_packet_data_end - pkt->nx_packet_prepend_ptr));
    CHECK_EQ(nx_packet_release(pkt), NX_SUCCESS);

    /* Threads created here have not started yet. */
    host_sleep_ms(50);
    CHECK_EQ(main_thread.tx_thread_run_count, 0);
}

int main(void)
{
    double t0;

    /* Constants as ThreadX defines them. */
    CHECK_EQ(TX_SUCCESS, 0x00);
    CHECK_EQ(TX_DELETED, 0x01);
    CHECK_EQ(TX_POOL_ERROR, 0x02);
    CHECK_EQ(TX_PTR_ERROR, 0x03);
    CHECK_EQ(TX_WAIT_ERROR, 0x04);
    CHECK_EQ(TX_SIZE_ERROR, 0x05);
    CHECK_EQ(TX_NO_MEMORY, 0x10);
    CHECK_EQ(TX_THREAD_ERROR, 0x0E);
    CHECK_EQ(TX_PRIORITY_ERROR, 0x0F);
    CHECK_EQ(TX_DELETE_ERROR, 0x11);
    CHECK_EQ(TX_RESUME_ERROR, 0x12);
    CHECK_EQ(TX_CALLER_ERROR, 0x13);
    CHECK_EQ(TX_SUSPEND_ERROR, 0x14);
    CHECK_EQ(TX_THRESH_ERROR, 0x18);
    CHECK_EQ(TX_SUSPEND_LIFTED, 0x19);
    CHECK_EQ(TX_WAIT_ABORTED, 0x1A);
    CHECK_EQ(TX_MUTEX_ERROR, 0x1C);
    CHECK_EQ(TX_NOT_AVAILABLE, 0x1D);
    CHECK_EQ(TX_NOT_OWNED, 0x1E);
    CHECK_EQ(TX_INHERIT_ERROR, 0x1F);
    CHECK_EQ(TX_TIMER_TICKS_PER_SECOND, 100);
    CHECK_EQ(TX_MAX_PRIORITIES, 32);
    CHECK_EQ(TX_WAIT_FOREVER, 0xFFFFFFFFUL);
    CHECK_EQ(TX_NO_WAIT, 0);
    CHECK_EQ(TX_AUTO_START, 1);
    CHECK_EQ(TX_DONT_START, 0);
    CHECK_EQ(TX_NO_TIME_SLICE, 0);
    CHECK(tx_thread_identify() == TX_NULL);

    t0 = now_s();
    tx_kernel_enter();
    /* Returns once no thread can run: never_started stays suspended. */
    CHECK(get_flag(&main_done));
    CHECK_EQ(thread_state(&main_thread), TX_COMPLETED);
    CHECK_EQ(thread_state(&never_started), TX_SUSPENDED);
    CHECK(now_s() - t0 < 30);
    CHECK(!get_flag(&forever_after_sleep));
    CHECK_EQ(tx_thread_delete(&main_thread), TX_SUCCESS);
    CHECK_EQ(tx_thread_terminate(&never_started), TX_SUCCESS);
    CHECK_EQ(tx_thread_delete(&never_started), TX_SUCCESS);
    CHECK_EQ(tx_thread_delete(&waiter), TX_SUCCESS);

    /* A host thread that is not a ThreadX thread may sleep too. */
    t0 = now_s();
    CHECK_EQ(tx_thread_sleep(5), TX_SUCCESS);
    CHECK(now_s() - t0 >= 0.04);

    return check_summary();
}
