/*
 * tx_app_test.c - a ThreadX application of eight threads and a timer using
 * every service group at once, as firmware around a POP3 client does: a
 * producer hands blocks from a block pool to a consumer through a message
 * queue (an urgent sender uses the front of it), the consumer signals a
 * semaphore, whose taker raises event flags that a fourth thread waits for;
 * two threads share a priority-inheriting mutex over byte-pool memory; a
 * controller sleeps, suspends and resumes, changes priorities,
 * preemption-thresholds and time slices, and enters critical sections with
 * tx_interrupt_control; a periodic application timer sets event flags and
 * puts the semaphore.
 *
 * It runs TX_APP_SECONDS (default 3) seconds, then every thread must have
 * made progress, the data passed through the queue must be intact, the
 * mutex must have excluded, and every block and byte must be back in its
 * pool. Prints one line per failure and "N passed, M failed" last.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "tx_api.h"
#include "testenv.h"

#include "check.h"

#define STACK     2048
#define THREADS   8
#define BLOCK     64
#define BLOCKS    16
#define MIN_LOOPS 5

enum { PRODUCER, CONSUMER, SEM_TAKER, EVENT_WAITER, MUTEX_A, MUTEX_B, CONTROLLER, URGENT };
static const char *const names[THREADS] = {"producer", "consumer", "sem_taker", "event_waiter",
                                           "mutex_a", "mutex_b", "controller", "urgent"};

static TX_THREAD            threads[THREADS];
static TX_QUEUE             queue;
static TX_SEMAPHORE         sem;
static TX_EVENT_FLAGS_GROUP events;
static TX_MUTEX             mutex;
static TX_BLOCK_POOL        blocks;
static TX_BYTE_POOL         bytes;
static TX_TIMER             timer;

static ULONG loops[THREADS];
static ULONG produced, consumed, urgent_sent, urgent_received, bad_messages, timer_runs;
static ULONG shared_counter, exclusion_broken, critical_broken, clock_backwards;
static int   stop, senders_done;
static int   in_mutex, in_critical;
static ULONG block_total, bytes_available;

static int  stopping(void) { return __atomic_load_n(&stop, __ATOMIC_SEQ_CST); }
static void bump(ULONG *p) { __atomic_add_fetch(p, 1, __ATOMIC_SEQ_CST); }
static ULONG get(ULONG *p) { return __atomic_load_n(p, __ATOMIC_SEQ_CST); }

/* A message: the block holding the payload and the payload's sequence. */
static void fill(UCHAR *blk, ULONG seq)
{
    memset(blk, (int)(seq & 0xFF), BLOCK);
    memcpy(blk, &seq, sizeof seq);
}

static int intact(const UCHAR *blk)
{
    ULONG seq;
    int i;

    memcpy(&seq, blk, sizeof seq);
    for (i = (int)sizeof seq; i < BLOCK; i++)
        if (blk[i] != (UCHAR)(seq & 0xFF))
            return 0;
    return 1;
}

static void producer(ULONG id)
{
    ULONG seq = 0;

    while (!stopping())
    {
        VOID *blk;
        ULONG msg[2];

        if (tx_block_allocate(&blocks, &blk, 10) != TX_SUCCESS)
            continue;
        fill((UCHAR *)blk, ++seq);
        msg[0] = (ULONG)(uintptr_t)blk;
        msg[1] = 0;
        if (tx_queue_send(&queue, msg, 10) != TX_SUCCESS)
        {
            tx_block_release(blk);
            continue;
        }
        bump(&produced);
        bump(&loops[id]);
    }
    __atomic_add_fetch(&senders_done, 1, __ATOMIC_SEQ_CST);
}

static void urgent(ULONG id)
{
    while (!stopping())
    {
        VOID *blk;
        ULONG msg[2];

        tx_thread_sleep(3);
        if (tx_block_allocate(&blocks, &blk, TX_NO_WAIT) != TX_SUCCESS)
            continue;
        fill((UCHAR *)blk, 0xFFFF);
        msg[0] = (ULONG)(uintptr_t)blk;
        msg[1] = 1;
        if (tx_queue_front_send(&queue, msg, 5) != TX_SUCCESS)
        {
            tx_block_release(blk);
            continue;
        }
        bump(&urgent_sent);
        tx_event_flags_set(&events, 0x2, TX_OR);
        bump(&loops[id]);
    }
    __atomic_add_fetch(&senders_done, 1, __ATOMIC_SEQ_CST);
}

static void consumer(ULONG id)
{
    for (;;)
    {
        ULONG msg[2];
        UINT  status = tx_queue_receive(&queue, msg, 10);

        if (status == TX_QUEUE_EMPTY)
        {
            if (__atomic_load_n(&senders_done, __ATOMIC_SEQ_CST) == 2)
                break;
            continue;
        }
        CHECK_EQ(status, TX_SUCCESS);
        if (!intact((UCHAR *)(uintptr_t)msg[0]))
            bump(&bad_messages);
        if (msg[1] == 1)
            bump(&urgent_received);
        else
            bump(&consumed);
        CHECK_EQ(tx_block_release((VOID *)(uintptr_t)msg[0]), TX_SUCCESS);
        tx_semaphore_put(&sem);
        bump(&loops[id]);
    }
}

static void sem_taker(ULONG id)
{
    while (!stopping())
    {
        UINT status = tx_semaphore_get(&sem, 10);

        if (status == TX_NO_INSTANCE)
            continue;
        CHECK_EQ(status, TX_SUCCESS);
        tx_event_flags_set(&events, 0x1, TX_OR);
        bump(&loops[id]);
    }
}

static void event_waiter(ULONG id)
{
    while (!stopping())
    {
        ULONG actual = 0;
        UINT  status = tx_event_flags_get(&events, 0x3, TX_OR_CLEAR, &actual, 10);

        if (status == TX_NO_EVENTS)
            continue;
        CHECK_EQ(status, TX_SUCCESS);
        CHECK(actual & 0x3);
        bump(&loops[id]);
    }
}

/* Mutual exclusion over byte-pool memory. */
static void mutex_user(ULONG id)
{
    ULONG n = 0;

    while (!stopping())
    {
        VOID *mem;
        ULONG size = 16 + (n++ * 37) % 700;

        if (tx_mutex_get(&mutex, 20) != TX_SUCCESS)
            continue;
        if (__atomic_exchange_n(&in_mutex, 1, __ATOMIC_SEQ_CST))
            bump(&exclusion_broken);
        /* Nested ownership, as library code under an application lock has. */
        CHECK_EQ(tx_mutex_get(&mutex, TX_NO_WAIT), TX_SUCCESS);
        if (tx_byte_allocate(&bytes, &mem, size, 5) == TX_SUCCESS)
        {
            memset(mem, (int)id, size);
            shared_counter++;
            if (id == MUTEX_B)
                tx_thread_relinquish();
            CHECK(((UCHAR *)mem)[size - 1] == (UCHAR)id);
            CHECK_EQ(tx_byte_release(mem), TX_SUCCESS);
        }
        CHECK_EQ(tx_mutex_put(&mutex), TX_SUCCESS);
        __atomic_store_n(&in_mutex, 0, __ATOMIC_SEQ_CST);
        CHECK_EQ(tx_mutex_put(&mutex), TX_SUCCESS);
        bump(&loops[id]);
        tx_thread_sleep(1);
    }
}

static void controller(ULONG id)
{
    ULONG start = tx_time_get(), last = start, seconds = env_ulong("TX_APP_SECONDS", 3);
    ULONG n = 0;

    while (tx_time_get() - start < seconds * TX_TIMER_TICKS_PER_SECOND)
    {
        UINT  old, old_thresh, posture;
        ULONG old_slice, now;

        CHECK_EQ(tx_thread_sleep(2), TX_SUCCESS);
        now = tx_time_get();
        if (now < last)
            bump(&clock_backwards);
        last = now;

        /* Suspend a mutex user for a moment. */
        CHECK_EQ(tx_thread_suspend(&threads[MUTEX_B]), TX_SUCCESS);
        tx_thread_sleep(1);
        old = tx_thread_resume(&threads[MUTEX_B]);
        CHECK(old == TX_SUCCESS || old == TX_SUSPEND_LIFTED);

        CHECK_EQ(tx_thread_priority_change(&threads[MUTEX_A], (n & 1) ? 10 : 12, &old), TX_SUCCESS);
        CHECK_EQ(tx_thread_preemption_change(&threads[MUTEX_A], (n & 1) ? 9 : 11, &old_thresh), TX_SUCCESS);
        CHECK_EQ(tx_thread_time_slice_change(&threads[PRODUCER], (n & 1) ? 4 : TX_NO_TIME_SLICE, &old_slice),
                 TX_SUCCESS);

        posture = tx_interrupt_control(TX_INT_DISABLE);
        if (__atomic_exchange_n(&in_critical, 1, __ATOMIC_SEQ_CST))
            bump(&critical_broken);
        __atomic_store_n(&in_critical, 0, __ATOMIC_SEQ_CST);
        tx_interrupt_control(posture);

        n++;
        bump(&loops[id]);
    }
    __atomic_store_n(&stop, 1, __ATOMIC_SEQ_CST);
    CHECK_EQ(tx_timer_deactivate(&timer), TX_SUCCESS);
}

static void timer_expired(ULONG input)
{
    UINT posture;

    CHECK_EQ(input, 0xC0FFEE);
    tx_event_flags_set(&events, 0x2, TX_OR);
    tx_semaphore_put(&sem);
    /* The timer too excludes other critical sections. */
    posture = tx_interrupt_control(TX_INT_DISABLE);
    if (__atomic_exchange_n(&in_critical, 1, __ATOMIC_SEQ_CST))
        bump(&critical_broken);
    __atomic_store_n(&in_critical, 0, __ATOMIC_SEQ_CST);
    tx_interrupt_control(posture);
    bump(&timer_runs);
}

static VOID (*const entries[THREADS])(ULONG) = {producer, consumer, sem_taker, event_waiter,
                                                mutex_user, mutex_user, controller, urgent};
static const UINT priorities[THREADS] = {10, 10, 11, 11, 12, 13, 5, 9};

void tx_application_define(void *first_unused_memory)
{
    UCHAR *mem = (UCHAR *)first_unused_memory;
    ULONG  avail;
    int    i;

    /* Memory carved from first_unused_memory, as an application does. */
    CHECK_EQ(tx_byte_pool_create(&bytes, "app bytes", mem, 64 * 1024), TX_SUCCESS);
    mem += 64 * 1024;
    CHECK_EQ(tx_block_pool_create(&blocks, "app blocks", BLOCK, mem, BLOCKS * (BLOCK + sizeof(void *))), TX_SUCCESS);
    mem += BLOCKS * (BLOCK + sizeof(void *));
    CHECK_EQ(tx_block_pool_info_get(&blocks, NULL, NULL, &block_total, NULL, NULL, NULL), TX_SUCCESS);
    CHECK_EQ(block_total, BLOCKS);
    CHECK_EQ(tx_queue_create(&queue, "app queue", TX_2_ULONG, mem, 8 * 2 * sizeof(ULONG)), TX_SUCCESS);
    mem += 8 * 2 * sizeof(ULONG);
    CHECK_EQ(tx_semaphore_create(&sem, "app sem", 0), TX_SUCCESS);
    CHECK_EQ(tx_event_flags_create(&events, "app events"), TX_SUCCESS);
    CHECK_EQ(tx_mutex_create(&mutex, "app mutex", TX_INHERIT), TX_SUCCESS);
    CHECK_EQ(tx_timer_create(&timer, "app timer", timer_expired, 0xC0FFEE, 2, 2, TX_AUTO_ACTIVATE), TX_SUCCESS);
    for (i = 0; i < THREADS; i++)
    {
        CHECK_EQ(tx_thread_create(&threads[i], (CHAR *)names[i], entries[i], (ULONG)i, mem, STACK, priorities[i],
                                  priorities[i], i == PRODUCER ? 4 : TX_NO_TIME_SLICE, TX_AUTO_START),
                 TX_SUCCESS);
        mem += STACK;
    }
    CHECK_EQ(tx_byte_pool_info_get(&bytes, NULL, &avail, NULL, NULL, NULL, NULL), TX_SUCCESS);
    bytes_available = avail;
}

int main(void)
{
    ULONG avail, enqueued;
    UINT  state;
    int   i;

    tx_kernel_enter();

    for (i = 0; i < THREADS; i++)
    {
        CHECK_EQ(tx_thread_info_get(&threads[i], NULL, &state, NULL, NULL, NULL, NULL, NULL, NULL), TX_SUCCESS);
        CHECK_EQ(state, TX_COMPLETED);
        printf("%-13s %lu\n", names[i], get(&loops[i]));
        if (get(&loops[i]) < MIN_LOOPS)
            printf("FAIL: thread %s made no progress (%lu loops)\n", names[i], get(&loops[i]));
        CHECK(get(&loops[i]) >= MIN_LOOPS);
    }
    printf("produced %lu consumed %lu urgent %lu/%lu timer %lu mutex sections %lu\n", get(&produced),
           get(&consumed), get(&urgent_received), get(&urgent_sent), get(&timer_runs), shared_counter);
    CHECK(get(&timer_runs) >= MIN_LOOPS);
    CHECK_EQ(get(&bad_messages), 0);
    CHECK_EQ(get(&exclusion_broken), 0);
    CHECK_EQ(get(&critical_broken), 0);
    CHECK_EQ(get(&clock_backwards), 0);
    CHECK(shared_counter >= MIN_LOOPS && shared_counter <= get(&loops[MUTEX_A]) + get(&loops[MUTEX_B]));
    /* Everything sent was received: the consumer drains before it stops. */
    CHECK_EQ(tx_queue_info_get(&queue, NULL, &enqueued, NULL, NULL, NULL, NULL), TX_SUCCESS);
    CHECK_EQ(enqueued, 0);
    CHECK_EQ(get(&consumed), get(&produced));
    CHECK_EQ(get(&urgent_received), get(&urgent_sent));
    /* Every block and byte back. */
    CHECK_EQ(tx_block_pool_info_get(&blocks, NULL, &avail, NULL, NULL, NULL, NULL), TX_SUCCESS);
    CHECK_EQ(avail, block_total);
    CHECK_EQ(tx_byte_pool_info_get(&bytes, NULL, &avail, NULL, NULL, NULL, NULL), TX_SUCCESS);
    CHECK(avail <= bytes_available);
    /* Free blocks merge again: the whole pool is one allocation. */
    {
        VOID *all;
        CHECK_EQ(tx_byte_allocate(&bytes, &all, bytes_available, TX_NO_WAIT), TX_SUCCESS);
    }
    CHECK_EQ(tx_mutex_info_get(&mutex, NULL, &avail, NULL, NULL, NULL, NULL), TX_SUCCESS);
    CHECK_EQ(avail, 0);
    return check_summary();
}
