/*
 * tx_api.h - the ThreadX API that applications use, reproduced for a hosted
 * (POSIX) system: kernel entry, threads, message queues, counting
 * semaphores, mutexes, event flags, block and byte pools, application
 * timers, time and interrupt control.
 *
 * Names, prototypes, constants and status values follow ThreadX 6.x
 * (eclipse-threadx common/inc/tx_api.h), so that an application written for
 * the target - main() calling tx_kernel_enter(), tx_application_define()
 * carving its memory, threads created with tx_thread_create() - recompiles
 * unchanged. What differs underneath:
 *
 *  - Every ThreadX thread is a host thread (pthreads). Threads created while
 *    tx_application_define runs start once it has returned, as on the target.
 *    Priority, preemption threshold and time slice are checked as ThreadX
 *    checks them, stored, and otherwise ignored: the host schedules.
 *  - The stack memory given to tx_thread_create is checked (not NULL, at
 *    least TX_MINIMUM_STACK bytes, not overlapping another thread's stack)
 *    and recorded, but never used or written: the host thread runs on a stack
 *    the host allocates, at least the system's default size, because the C
 *    library and the POP3 client need more than target-sized stacks.
 *  - tx_kernel_enter returns. It calls tx_application_define in the calling
 *    thread with a real memory region (see TX_HOST_FIRST_UNUSED_MEMORY_SIZE),
 *    starts the threads created there, and returns once none of them can run
 *    any more: every thread completed (its entry function returned), was
 *    terminated or deleted, or is suspended. main() then carries on, so a
 *    host program ends. On the target tx_kernel_enter never returns.
 *  - A thread cannot be stopped from outside at an arbitrary instruction.
 *    tx_thread_suspend and tx_thread_terminate of another thread take effect
 *    at once in its state, and the thread itself stops at its next ThreadX
 *    call that waits or yields (tx_thread_sleep, tx_thread_relinquish, a
 *    get, receive or allocate; waking it if it is waiting in one), or when
 *    its entry function returns.
 *    A thread suspending or terminating itself stops at once.
 *  - Calls from interrupt context do not exist on a host; "initialization"
 *    is the thread running tx_application_define, with ThreadX's rules
 *    (no waiting there: TX_WAIT_ERROR / TX_CALLER_ERROR), and so is the
 *    library's timer thread while it runs an expiration function.
 *  - Threads waiting for an object are served in the order they began to
 *    wait (ThreadX's FIFO suspension lists); tx_*_prioritize moves the
 *    highest-priority waiter to the front, and *_info_get reports the first
 *    waiter. Priorities otherwise order nothing: the host schedules.
 *
 * All services are safe to call from any thread.
 */
#ifndef TX_API_H
#define TX_API_H

#include "nx_host_types.h"

#ifdef __cplusplus
extern "C" {
#endif

#ifndef TX_PARAMETER_NOT_USED
#define TX_PARAMETER_NOT_USED(p) ((void)(p))
#endif

#define AZURE_RTOS_THREADX
#define THREADX_MAJOR_VERSION           6
#define THREADX_MINOR_VERSION           4
#define THREADX_PATCH_VERSION           2

/* The region handed to tx_application_define: 1 MiB by default, allocated
 * by the library on the first tx_kernel_enter and kept for the life of the
 * process. The environment variable NXPOP3_TX_MEMORY changes the size at run
 * time: a number of bytes, optionally followed by K or M (e.g. 4M). The
 * region is zero-filled and aligned for any type. This macro documents the
 * default; redefining it changes nothing, because the library allocates. */
#define TX_HOST_FIRST_UNUSED_MEMORY_SIZE (1024UL * 1024UL)

/* The size of the region tx_kernel_enter hands out (or will hand out): the
 * default or NXPOP3_TX_MEMORY. Not a ThreadX service. */
ULONG tx_host_first_unused_memory_size(VOID);

/* API input parameters and general constants. */
#define TX_NO_WAIT                      ((ULONG)  0)
#define TX_WAIT_FOREVER                 ((ULONG)  0xFFFFFFFFUL)
#define TX_AND                          ((UINT)   2)
#define TX_AND_CLEAR                    ((UINT)   3)
#define TX_OR                           ((UINT)   0)
#define TX_OR_CLEAR                     ((UINT)   1)
#define TX_NO_TIME_SLICE                ((ULONG)  0)
#define TX_AUTO_START                   ((UINT)   1)
#define TX_DONT_START                   ((UINT)   0)
#define TX_AUTO_ACTIVATE                ((UINT)   1)
#define TX_NO_ACTIVATE                  ((UINT)   0)
#define TX_TRUE                         ((UINT)   1)
#define TX_FALSE                        ((UINT)   0)
#ifdef __cplusplus
#define TX_NULL                         0
#else
#define TX_NULL                         ((void *) 0)
#endif
#define TX_INHERIT                      ((UINT)   1)
#define TX_NO_INHERIT                   ((UINT)   0)
#define TX_THREAD_ENTRY                 ((UINT)   0)
#define TX_THREAD_EXIT                  ((UINT)   1)
#define TX_NO_SUSPENSIONS               ((UINT)   0)
#define TX_NO_MESSAGES                  ((UINT)   0)
#define TX_EMPTY                        ((ULONG)  0)
#define TX_CLEAR_ID                     ((ULONG)  0)
#define TX_STACK_FILL                   ((ULONG)  0xEFEFEFEFUL)

/* The tick: 100 per second, ThreadX's default and NX_IP_PERIODIC_RATE. */
#ifndef TX_TIMER_TICKS_PER_SECOND
#define TX_TIMER_TICKS_PER_SECOND       (100UL)
#endif

/* Port limits, as in ThreadX's generic ports. TX_THREAD_STACK_MIN is an
 * alias some code uses for TX_MINIMUM_STACK. */
#define TX_MAX_PRIORITIES               32
#define TX_MINIMUM_STACK                200
#define TX_THREAD_STACK_MIN             TX_MINIMUM_STACK
#define TX_BYTE_POOL_MIN                ((ULONG) 100)
#define TX_BYTE_BLOCK_MIN               ((ULONG) 20)

/* Thread execution states (tx_thread_state). */
#define TX_READY                        ((UINT) 0)
#define TX_COMPLETED                    ((UINT) 1)
#define TX_TERMINATED                   ((UINT) 2)
#define TX_SUSPENDED                    ((UINT) 3)
#define TX_SLEEP                        ((UINT) 4)
#define TX_QUEUE_SUSP                   ((UINT) 5)
#define TX_SEMAPHORE_SUSP               ((UINT) 6)
#define TX_EVENT_FLAG                   ((UINT) 7)
#define TX_BLOCK_MEMORY                 ((UINT) 8)
#define TX_BYTE_MEMORY                  ((UINT) 9)
#define TX_IO_DRIVER                    ((UINT) 10)
#define TX_FILE                         ((UINT) 11)
#define TX_TCP_IP                       ((UINT) 12)
#define TX_MUTEX_SUSP                   ((UINT) 13)
#define TX_PRIORITY_CHANGE              ((UINT) 14)

/* API return values. */
#define TX_SUCCESS                      ((UINT) 0x00)
#define TX_DELETED                      ((UINT) 0x01)
#define TX_POOL_ERROR                   ((UINT) 0x02)
#define TX_PTR_ERROR                    ((UINT) 0x03)
#define TX_WAIT_ERROR                   ((UINT) 0x04)
#define TX_SIZE_ERROR                   ((UINT) 0x05)
#define TX_GROUP_ERROR                  ((UINT) 0x06)
#define TX_NO_EVENTS                    ((UINT) 0x07)
#define TX_OPTION_ERROR                 ((UINT) 0x08)
#define TX_QUEUE_ERROR                  ((UINT) 0x09)
#define TX_QUEUE_EMPTY                  ((UINT) 0x0A)
#define TX_QUEUE_FULL                   ((UINT) 0x0B)
#define TX_SEMAPHORE_ERROR              ((UINT) 0x0C)
#define TX_NO_INSTANCE                  ((UINT) 0x0D)
#define TX_THREAD_ERROR                 ((UINT) 0x0E)
#define TX_PRIORITY_ERROR               ((UINT) 0x0F)
#define TX_NO_MEMORY                    ((UINT) 0x10)
#define TX_START_ERROR                  ((UINT) 0x10)
#define TX_DELETE_ERROR                 ((UINT) 0x11)
#define TX_RESUME_ERROR                 ((UINT) 0x12)
#define TX_CALLER_ERROR                 ((UINT) 0x13)
#define TX_SUSPEND_ERROR                ((UINT) 0x14)
#define TX_TIMER_ERROR                  ((UINT) 0x15)
#define TX_TICK_ERROR                   ((UINT) 0x16)
#define TX_ACTIVATE_ERROR               ((UINT) 0x17)
#define TX_THRESH_ERROR                 ((UINT) 0x18)
#define TX_SUSPEND_LIFTED               ((UINT) 0x19)
#define TX_WAIT_ABORTED                 ((UINT) 0x1A)
#define TX_WAIT_ABORT_ERROR             ((UINT) 0x1B)
#define TX_MUTEX_ERROR                  ((UINT) 0x1C)
#define TX_NOT_AVAILABLE                ((UINT) 0x1D)
#define TX_NOT_OWNED                    ((UINT) 0x1E)
#define TX_INHERIT_ERROR                ((UINT) 0x1F)
#define TX_NOT_DONE                     ((UINT) 0x20)
#define TX_CEILING_EXCEEDED             ((UINT) 0x21)
#define TX_INVALID_CEILING              ((UINT) 0x22)
#define TX_FEATURE_NOT_ENABLED          ((UINT) 0xFF)

/* Control block ids: a created object carries its id, a deleted one has it
 * cleared. The values are ThreadX's. */
#define TX_THREAD_ID                    ((ULONG) 0x54485244)
#define TX_BYTE_POOL_ID                 ((ULONG) 0x42595445)
#define TX_MUTEX_ID                     ((ULONG) 0x4D555445)
#define TX_SEMAPHORE_ID                 ((ULONG) 0x53454D41)
#define TX_QUEUE_ID                     ((ULONG) 0x51554555)
#define TX_EVENT_FLAGS_ID               ((ULONG) 0x4456444E)
#define TX_BLOCK_POOL_ID                ((ULONG) 0x424C4F43)
#define TX_TIMER_ID                     ((ULONG) 0x4154494D)

/* Message sizes of tx_queue_create, in 32-bit words. */
#define TX_1_ULONG                      ((UINT) 1)
#define TX_2_ULONG                      ((UINT) 2)
#define TX_4_ULONG                      ((UINT) 4)
#define TX_8_ULONG                      ((UINT) 8)
#define TX_16_ULONG                     ((UINT) 16)

/* tx_interrupt_control postures, as in ThreadX's Linux port. */
#define TX_INT_DISABLE                  ((UINT) 1)
#define TX_INT_ENABLE                   ((UINT) 0)

/*
 * A thread. Applications read the vendor's fields; the library keeps them
 * current under its lock. tx_thread_host belongs to the library: it links
 * the control block to its host thread, which outlives a tx_thread_delete
 * of a thread that was terminated while running.
 */
typedef struct TX_THREAD_STRUCT
{
    ULONG                    tx_thread_id;
    ULONG                    tx_thread_run_count;
    VOID                    *tx_thread_stack_ptr;
    VOID                    *tx_thread_stack_start;
    VOID                    *tx_thread_stack_end;
    ULONG                    tx_thread_stack_size;
    ULONG                    tx_thread_time_slice;
    ULONG                    tx_thread_new_time_slice;
    CHAR                    *tx_thread_name;
    UINT                     tx_thread_priority;
    UINT                     tx_thread_state;
    UINT                     tx_thread_delayed_suspend;
    UINT                     tx_thread_suspending;
    UINT                     tx_thread_preempt_threshold;
    VOID                   (*tx_thread_entry)(ULONG id);
    ULONG                    tx_thread_entry_parameter;
    UINT                     tx_thread_user_priority;
    UINT                     tx_thread_user_preempt_threshold;
    UINT                     tx_thread_owned_mutex_count;
    VOID                    *tx_thread_host;
} TX_THREAD;

/* A byte pool: a first-fit allocator over the caller's memory, as in
 * ThreadX (each block is preceded by two pointer-sized words). */
typedef struct TX_BYTE_POOL_STRUCT
{
    ULONG                    tx_byte_pool_id;
    CHAR                    *tx_byte_pool_name;
    ULONG                    tx_byte_pool_available;
    UINT                     tx_byte_pool_fragments;
    UCHAR                   *tx_byte_pool_list;
    UCHAR                   *tx_byte_pool_search;
    UCHAR                   *tx_byte_pool_start;
    ULONG                    tx_byte_pool_size;
    UINT                     tx_byte_pool_suspended_count;
    struct TX_BYTE_POOL_STRUCT *tx_byte_pool_created_next;
    UINT                     tx_byte_pool_host_deleted;
} TX_BYTE_POOL;

/* A mutex: recursive, owned by a thread, as in ThreadX. Priority
 * inheritance is accepted and recorded; the host schedules. */
typedef struct TX_MUTEX_STRUCT
{
    ULONG                    tx_mutex_id;
    CHAR                    *tx_mutex_name;
    UINT                     tx_mutex_ownership_count;
    TX_THREAD               *tx_mutex_owner;
    UINT                     tx_mutex_inherit;
    UINT                     tx_mutex_original_priority;
    UINT                     tx_mutex_suspended_count;
    struct TX_MUTEX_STRUCT  *tx_mutex_created_next;
    VOID                    *tx_mutex_host_owner;
    UINT                     tx_mutex_host_deleted;
} TX_MUTEX;

/* A counting semaphore. Waiters are served first come, first served. */
typedef struct TX_SEMAPHORE_STRUCT
{
    ULONG                    tx_semaphore_id;
    CHAR                    *tx_semaphore_name;
    ULONG                    tx_semaphore_count;
    UINT                     tx_semaphore_suspended_count;
    struct TX_SEMAPHORE_STRUCT *tx_semaphore_created_next;
    VOID                   (*tx_semaphore_put_notify)(struct TX_SEMAPHORE_STRUCT *semaphore_ptr);
    UINT                     tx_semaphore_host_deleted;
} TX_SEMAPHORE;

/* A message queue: messages of 1 to 16 ULONGs in the caller's memory. On a
 * host whose ULONG is 64 bits, a message word is a ULONG (8 bytes), so a
 * queue_size computed with sizeof(ULONG) holds the messages it should. */
typedef struct TX_QUEUE_STRUCT
{
    ULONG                    tx_queue_id;
    CHAR                    *tx_queue_name;
    UINT                     tx_queue_message_size;
    UINT                     tx_queue_capacity;
    UINT                     tx_queue_enqueued;
    UINT                     tx_queue_available_storage;
    ULONG                   *tx_queue_start;
    ULONG                   *tx_queue_end;
    ULONG                   *tx_queue_read;
    ULONG                   *tx_queue_write;
    UINT                     tx_queue_suspended_count;
    struct TX_QUEUE_STRUCT  *tx_queue_created_next;
    VOID                   (*tx_queue_send_notify)(struct TX_QUEUE_STRUCT *queue_ptr);
    UINT                     tx_queue_host_senders;
    UINT                     tx_queue_host_deleted;
    ULONG                    tx_queue_host_flushes;
} TX_QUEUE;

/* An event flags group: 32 flags. */
typedef struct TX_EVENT_FLAGS_GROUP_STRUCT
{
    ULONG                    tx_event_flags_group_id;
    CHAR                    *tx_event_flags_group_name;
    ULONG                    tx_event_flags_group_current;
    UINT                     tx_event_flags_group_suspended_count;
    struct TX_EVENT_FLAGS_GROUP_STRUCT *tx_event_flags_group_created_next;
    VOID                   (*tx_event_flags_group_set_notify)(struct TX_EVENT_FLAGS_GROUP_STRUCT *group_ptr);
    UINT                     tx_event_flags_group_host_deleted;
} TX_EVENT_FLAGS_GROUP;

/* A block pool: fixed-size blocks with one pointer of overhead each, as in
 * ThreadX (total blocks = pool_size / (block_size + sizeof(void *)), the
 * block size rounded up to a multiple of sizeof(void *)). */
typedef struct TX_BLOCK_POOL_STRUCT
{
    ULONG                    tx_block_pool_id;
    CHAR                    *tx_block_pool_name;
    ULONG                    tx_block_pool_available;
    ULONG                    tx_block_pool_total;
    UCHAR                   *tx_block_pool_available_list;
    UCHAR                   *tx_block_pool_start;
    ULONG                    tx_block_pool_size;
    ULONG                    tx_block_pool_block_size;
    UINT                     tx_block_pool_suspended_count;
    struct TX_BLOCK_POOL_STRUCT *tx_block_pool_created_next;
    UINT                     tx_block_pool_host_deleted;
} TX_BLOCK_POOL;

/* An application timer. Expiration functions run one at a time on a timer
 * thread of the library, as ThreadX runs them from its timer thread: they
 * may call services with TX_NO_WAIT only (else TX_WAIT_ERROR). */
typedef struct TX_TIMER_STRUCT
{
    ULONG                    tx_timer_id;
    CHAR                    *tx_timer_name;
    VOID                   (*tx_timer_expiration_function)(ULONG input);
    ULONG                    tx_timer_expiration_input;
    ULONG                    tx_timer_initial_ticks;
    ULONG                    tx_timer_reschedule_ticks;
    UINT                     tx_timer_active;
    UINT                     tx_timer_expired;
    unsigned long long       tx_timer_host_expiry;
    long long                tx_timer_host_order;
    struct TX_TIMER_STRUCT  *tx_timer_created_next;
} TX_TIMER;

/* Kernel entry and the application's definition function. */
VOID      tx_kernel_enter(VOID);
VOID      tx_application_define(VOID *first_unused_memory);

/* Threads. */
UINT      tx_thread_create(TX_THREAD *thread_ptr, CHAR *name_ptr,
                           VOID (*entry_function)(ULONG entry_input), ULONG entry_input,
                           VOID *stack_start, ULONG stack_size,
                           UINT priority, UINT preempt_threshold,
                           ULONG time_slice, UINT auto_start);
UINT      tx_thread_delete(TX_THREAD *thread_ptr);
TX_THREAD *tx_thread_identify(VOID);
VOID      tx_thread_relinquish(VOID);
UINT      tx_thread_resume(TX_THREAD *thread_ptr);
UINT      tx_thread_sleep(ULONG timer_ticks);
UINT      tx_thread_suspend(TX_THREAD *thread_ptr);
UINT      tx_thread_terminate(TX_THREAD *thread_ptr);
UINT      tx_thread_wait_abort(TX_THREAD *thread_ptr);

/* Time, in ticks of 1/TX_TIMER_TICKS_PER_SECOND s since the first
 * tx_kernel_enter (or the first ThreadX call), wrapping at 32 bits. */
ULONG     tx_time_get(VOID);
VOID      tx_time_set(ULONG new_time);

/* Byte pools. */
UINT      tx_byte_allocate(TX_BYTE_POOL *pool_ptr, VOID **memory_ptr, ULONG memory_size, ULONG wait_option);
UINT      tx_byte_pool_create(TX_BYTE_POOL *pool_ptr, CHAR *name_ptr, VOID *pool_start, ULONG pool_size);
UINT      tx_byte_pool_delete(TX_BYTE_POOL *pool_ptr);
UINT      tx_byte_release(VOID *memory_ptr);

/* Mutexes. */
UINT      tx_mutex_create(TX_MUTEX *mutex_ptr, CHAR *name_ptr, UINT inherit);
UINT      tx_mutex_delete(TX_MUTEX *mutex_ptr);
UINT      tx_mutex_get(TX_MUTEX *mutex_ptr, ULONG wait_option);
UINT      tx_mutex_put(TX_MUTEX *mutex_ptr);
UINT      tx_mutex_info_get(TX_MUTEX *mutex_ptr, CHAR **name, ULONG *count, TX_THREAD **owner,
                            TX_THREAD **first_suspended, ULONG *suspended_count, TX_MUTEX **next_mutex);
UINT      tx_mutex_prioritize(TX_MUTEX *mutex_ptr);

/* More thread services. */
UINT      tx_thread_info_get(TX_THREAD *thread_ptr, CHAR **name, UINT *state, ULONG *run_count,
                             UINT *priority, UINT *preemption_threshold, ULONG *time_slice,
                             TX_THREAD **next_thread, TX_THREAD **next_suspended_thread);
UINT      tx_thread_preemption_change(TX_THREAD *thread_ptr, UINT new_threshold, UINT *old_threshold);
UINT      tx_thread_priority_change(TX_THREAD *thread_ptr, UINT new_priority, UINT *old_priority);
UINT      tx_thread_reset(TX_THREAD *thread_ptr);
UINT      tx_thread_time_slice_change(TX_THREAD *thread_ptr, ULONG new_time_slice, ULONG *old_time_slice);

/* Interrupt posture: returns the previous one. On a host, TX_INT_DISABLE
 * holds a process-wide lock until the same thread sets TX_INT_ENABLE, so
 * critical sections of different threads exclude each other. */
UINT      tx_interrupt_control(UINT new_posture);

/* Byte pools: information and prioritize. */
UINT      tx_byte_pool_info_get(TX_BYTE_POOL *pool_ptr, CHAR **name, ULONG *available_bytes, ULONG *fragments,
                                TX_THREAD **first_suspended, ULONG *suspended_count, TX_BYTE_POOL **next_pool);
UINT      tx_byte_pool_prioritize(TX_BYTE_POOL *pool_ptr);

/* Block pools. */
UINT      tx_block_allocate(TX_BLOCK_POOL *pool_ptr, VOID **block_ptr, ULONG wait_option);
UINT      tx_block_pool_create(TX_BLOCK_POOL *pool_ptr, CHAR *name_ptr, ULONG block_size,
                               VOID *pool_start, ULONG pool_size);
UINT      tx_block_pool_delete(TX_BLOCK_POOL *pool_ptr);
UINT      tx_block_pool_info_get(TX_BLOCK_POOL *pool_ptr, CHAR **name, ULONG *available_blocks, ULONG *total_blocks,
                                 TX_THREAD **first_suspended, ULONG *suspended_count, TX_BLOCK_POOL **next_pool);
UINT      tx_block_pool_prioritize(TX_BLOCK_POOL *pool_ptr);
UINT      tx_block_release(VOID *block_ptr);

/* Counting semaphores. */
UINT      tx_semaphore_ceiling_put(TX_SEMAPHORE *semaphore_ptr, ULONG ceiling);
UINT      tx_semaphore_create(TX_SEMAPHORE *semaphore_ptr, CHAR *name_ptr, ULONG initial_count);
UINT      tx_semaphore_delete(TX_SEMAPHORE *semaphore_ptr);
UINT      tx_semaphore_get(TX_SEMAPHORE *semaphore_ptr, ULONG wait_option);
UINT      tx_semaphore_info_get(TX_SEMAPHORE *semaphore_ptr, CHAR **name, ULONG *current_value,
                                TX_THREAD **first_suspended, ULONG *suspended_count, TX_SEMAPHORE **next_semaphore);
UINT      tx_semaphore_prioritize(TX_SEMAPHORE *semaphore_ptr);
UINT      tx_semaphore_put(TX_SEMAPHORE *semaphore_ptr);
UINT      tx_semaphore_put_notify(TX_SEMAPHORE *semaphore_ptr, VOID (*semaphore_put_notify)(TX_SEMAPHORE *notify_semaphore_ptr));

/* Event flags. */
UINT      tx_event_flags_create(TX_EVENT_FLAGS_GROUP *group_ptr, CHAR *name_ptr);
UINT      tx_event_flags_delete(TX_EVENT_FLAGS_GROUP *group_ptr);
UINT      tx_event_flags_get(TX_EVENT_FLAGS_GROUP *group_ptr, ULONG requested_flags, UINT get_option,
                             ULONG *actual_flags_ptr, ULONG wait_option);
UINT      tx_event_flags_info_get(TX_EVENT_FLAGS_GROUP *group_ptr, CHAR **name, ULONG *current_flags,
                                  TX_THREAD **first_suspended, ULONG *suspended_count,
                                  TX_EVENT_FLAGS_GROUP **next_group);
UINT      tx_event_flags_set(TX_EVENT_FLAGS_GROUP *group_ptr, ULONG flags_to_set, UINT set_option);
UINT      tx_event_flags_set_notify(TX_EVENT_FLAGS_GROUP *group_ptr,
                                    VOID (*events_set_notify)(TX_EVENT_FLAGS_GROUP *notify_group_ptr));

/* Message queues. */
UINT      tx_queue_create(TX_QUEUE *queue_ptr, CHAR *name_ptr, UINT message_size,
                          VOID *queue_start, ULONG queue_size);
UINT      tx_queue_delete(TX_QUEUE *queue_ptr);
UINT      tx_queue_flush(TX_QUEUE *queue_ptr);
UINT      tx_queue_front_send(TX_QUEUE *queue_ptr, VOID *source_ptr, ULONG wait_option);
UINT      tx_queue_info_get(TX_QUEUE *queue_ptr, CHAR **name, ULONG *enqueued, ULONG *available_storage,
                            TX_THREAD **first_suspended, ULONG *suspended_count, TX_QUEUE **next_queue);
UINT      tx_queue_prioritize(TX_QUEUE *queue_ptr);
UINT      tx_queue_receive(TX_QUEUE *queue_ptr, VOID *destination_ptr, ULONG wait_option);
UINT      tx_queue_send(TX_QUEUE *queue_ptr, VOID *source_ptr, ULONG wait_option);
UINT      tx_queue_send_notify(TX_QUEUE *queue_ptr, VOID (*queue_send_notify)(TX_QUEUE *notify_queue_ptr));

/* Application timers. */
UINT      tx_timer_activate(TX_TIMER *timer_ptr);
UINT      tx_timer_change(TX_TIMER *timer_ptr, ULONG initial_ticks, ULONG reschedule_ticks);
UINT      tx_timer_create(TX_TIMER *timer_ptr, CHAR *name_ptr,
                          VOID (*expiration_function)(ULONG input), ULONG expiration_input,
                          ULONG initial_ticks, ULONG reschedule_ticks, UINT auto_activate);
UINT      tx_timer_deactivate(TX_TIMER *timer_ptr);
UINT      tx_timer_delete(TX_TIMER *timer_ptr);
UINT      tx_timer_info_get(TX_TIMER *timer_ptr, CHAR **name, UINT *active, ULONG *remaining_ticks,
                            ULONG *reschedule_ticks, TX_TIMER **next_timer);

#ifdef __cplusplus
}
#endif

#endif /* TX_API_H */
