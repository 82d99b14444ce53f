/*
 * ring.c — the io_uring event loop: one ring per loop thread (see murder_core.h, "ring.c").
 *
 * Shape (after axboe/liburing examples/proxy.c and io-uring-udp.c, liburing 2.3 API):
 *  - the ring is SINGLE_ISSUER | DEFER_TASKRUN, created disabled and enabled by the first call
 *    on the loop thread, so Swift may create the loop on any thread;
 *  - every completion names its op, slot and the slot's generation in user_data; a batch of
 *    completions is handled, then the CQ is advanced once;
 *  - receives pick a buffer from one provided-buffer ring; a buffer handed to Swift goes back
 *    at the start of the next mc_loop_poll(); -ENOBUFS parks the receive until one comes back;
 *  - timeouts of recv and connect are linked timeouts (the cancelled op reports -ETIME);
 *  - a blocking eventfd with a read kept armed turns mc_loop_wake() into a completion;
 *  - sendfile(2) runs on the loop thread, with a POLLOUT poll when the socket is full.
 * The relay driver lives in ring_relay.c.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* splice, pipe2, F_SETPIPE_SZ */
#endif
#include "murder_core.h"

#include <errno.h>

#ifdef __linux__

#include "ring_internal.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

enum { RING_BGID = 0 };

#define RING_SETUP_FAST (IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN)

/* ---------------------------------------------------------------------------------------- */
/* Small services shared with ring_relay.c                                                   */

uint64_t ring_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void ns_to_ts(int64_t ns, struct __kernel_timespec *ts)
{
    if (ns < 0)
        ns = 0;
    ts->tv_sec = ns / 1000000000;
    ts->tv_nsec = ns % 1000000000;
}

/* sendfile(2) and splice(2) to a socket whose peer is gone raise SIGPIPE (only send calls take
 * MSG_NOSIGNAL). The loop thread keeps SIGPIPE blocked; after an EPIPE the pending signal is
 * taken off the thread here so that it never reaches the process. */
static _Thread_local int sigpipe_blocked;

static void block_sigpipe(void)
{
    if (sigpipe_blocked)
        return;
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    sigpipe_blocked = 1;
}

void ring_eat_sigpipe(void)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGPIPE);
    struct timespec zero = {0, 0};
    int saved = errno;
    while (sigtimedwait(&set, NULL, &zero) == SIGPIPE) {
    }
    errno = saved;
}

/* An SQE, submitting what is queued first when the SQ is full. NULL only if the kernel
 * refuses the submission outright (the ring is broken). */
struct io_uring_sqe *ring_sqe(struct mc_loop *l)
{
    struct io_uring_sqe *sqe = io_uring_get_sqe(&l->ring);
    if (sqe == NULL) {
        io_uring_submit(&l->ring);
        sqe = io_uring_get_sqe(&l->ring);
    }
    if (sqe != NULL)
        io_uring_sqe_set_data64(sqe, RING_UD(RING_OP_IGNORE, 0, 0));
    return sqe;
}

/* Linked SQEs must sit in one submission: make room for n of them. */
void ring_ensure_sqes(struct mc_loop *l, unsigned n)
{
    if (io_uring_sq_space_left(&l->ring) < n)
        io_uring_submit(&l->ring);
}

uint8_t *ring_buf_addr(struct mc_loop *l, int32_t bid)
{
    return l->bufs + (size_t)bid * l->cfg.buf_size;
}

/* Gives a pool buffer back to the kernel at once. */
void ring_buf_give_back(struct mc_loop *l, int32_t bid)
{
    if (bid < 0 || (uint32_t)bid >= l->cfg.buf_count)
        return;
    io_uring_buf_ring_add(l->br, ring_buf_addr(l, bid), l->cfg.buf_size, (unsigned short)bid,
                          io_uring_buf_ring_mask(l->cfg.buf_count), 0);
    io_uring_buf_ring_advance(l->br, 1);
    if (l->bufs_out > 0)
        l->bufs_out--;
}

void ring_cancel(struct mc_loop *l, uint64_t user_data)
{
    struct io_uring_sqe *sqe = ring_sqe(l);
    if (sqe == NULL)
        return;
    io_uring_prep_cancel64(sqe, user_data, 0);
    io_uring_sqe_set_data64(sqe, RING_UD(RING_OP_IGNORE, 0, 0));
}

/* Queues an event for the next mc_loop_poll() return. The queue holds at most four events per
 * connection (recv, send or sendfile, connect, close) plus one relay event per relay, because
 * each operation ends in one event and Swift starts the next one only after it saw that event;
 * accept events are bounded by leaving completions in the CQ (see reap). */
void ring_push_event(struct mc_loop *l, uint64_t token, uint32_t kind, int32_t res, const void *data,
                     uint64_t len, uint32_t more, int32_t bid, struct ring_relay *rl)
{
    if (l->evq_count == l->evq_cap) {
        /* Cannot happen by the bound above; never overwrite, give the buffer back. */
        ring_buf_give_back(l, bid);
        return;
    }
    struct ring_event *e = &l->evq[(l->evq_head + l->evq_count) % l->evq_cap];
    memset(e, 0, sizeof *e);
    e->ev.token = token;
    e->ev.kind = kind;
    e->ev.res = res;
    e->ev.data = data;
    e->ev.len = len;
    e->ev.more = more;
    e->bid = bid;
    e->rl = rl;
    l->evq_count++;
    if (kind == MC_EV_ACCEPT)
        l->accept_queued++;
}

void ring_park(struct mc_loop *l, uint32_t slot)
{
    if (l->n_parked < l->cfg.max_conns) {
        l->parked[l->n_parked].slot = slot;
        l->parked[l->n_parked].gen = l->conns[slot].gen;
        l->n_parked++;
    }
}

/* ---------------------------------------------------------------------------------------- */
/* Probe                                                                                     */

static int ring_setup(struct io_uring *ring, uint32_t entries, uint32_t *flags_out)
{
    struct io_uring_params p;
    memset(&p, 0, sizeof p);
    p.flags = RING_SETUP_FAST | IORING_SETUP_R_DISABLED;
    int rc = io_uring_queue_init_params(entries, ring, &p);
    if (rc == -EINVAL) {
        /* Kernels before 6.1 refuse DEFER_TASKRUN: the plain ring works, a little slower. */
        memset(&p, 0, sizeof p);
        rc = io_uring_queue_init_params(entries, ring, &p);
        if (rc == 0)
            *flags_out = 0;
        return rc;
    }
    if (rc == 0)
        *flags_out = p.flags;
    return rc;
}

static int ring_enable(struct io_uring *ring, uint32_t flags)
{
    if (!(flags & IORING_SETUP_R_DISABLED))
        return 0;
    /* liburing 2.3 declares io_uring_enable_rings() but does not export it. */
    long rc = syscall(__NR_io_uring_register, ring->ring_fd, IORING_REGISTER_ENABLE_RINGS, NULL, 0);
    return rc < 0 ? -errno : 0;
}

static int buf_ring_map(uint32_t count, struct io_uring_buf_ring **out, size_t *bytes)
{
    size_t len = (size_t)count * sizeof(struct io_uring_buf);
    long page = sysconf(_SC_PAGESIZE);
    if (page <= 0)
        page = 4096;
    len = (len + (size_t)page - 1) & ~((size_t)page - 1);
    void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_ANONYMOUS | MAP_PRIVATE, -1, 0);
    if (p == MAP_FAILED)
        return -errno;
    *out = p;
    *bytes = len;
    io_uring_buf_ring_init(*out);
    return 0;
}

static int buf_ring_register(struct io_uring *ring, struct io_uring_buf_ring *br, uint32_t count)
{
    struct io_uring_buf_reg reg;
    memset(&reg, 0, sizeof reg);
    reg.ring_addr = (uint64_t)(uintptr_t)br;
    reg.ring_entries = count;
    reg.bgid = RING_BGID;
    return io_uring_register_buf_ring(ring, &reg, 0);
}

int mc_ring_probe(uint32_t flags, char *why, size_t len)
{
    if (why != NULL && len > 0)
        why[0] = 0;
    if (flags & MC_PROBE_FORCE_FAIL) {
        if (why != NULL && len > 0)
            snprintf(why, len, "forced off");
        return -ENOSYS;
    }
    struct io_uring ring;
    uint32_t setup = 0;
    int rc = ring_setup(&ring, 8, &setup);
    if (rc < 0) {
        if (why != NULL && len > 0) {
            if (rc == -EPERM)
                snprintf(why, len,
                         "io_uring_setup: %s (kernel.io_uring_disabled = 2 in "
                         "/proc/sys/kernel/io_uring_disabled, or a seccomp filter?)",
                         strerror(-rc));
            else
                snprintf(why, len, "io_uring_setup: %s", strerror(-rc));
        }
        return rc;
    }
    rc = ring_enable(&ring, setup);
    if (rc < 0) {
        if (why != NULL && len > 0)
            snprintf(why, len, "io_uring_register(ENABLE_RINGS): %s", strerror(-rc));
        io_uring_queue_exit(&ring);
        return rc;
    }
    struct io_uring_probe *probe = io_uring_get_probe_ring(&ring);
    if (probe == NULL) {
        if (why != NULL && len > 0)
            snprintf(why, len, "the kernel cannot list its io_uring operations (IORING_REGISTER_PROBE)");
        io_uring_queue_exit(&ring);
        return -ENOSYS;
    }
    static const struct {
        int op;
        const char *name;
    } needed[] = {
        {IORING_OP_RECV, "IORING_OP_RECV"},
        {IORING_OP_SEND, "IORING_OP_SEND"},
        {IORING_OP_SENDMSG, "IORING_OP_SENDMSG"},
        {IORING_OP_ACCEPT, "IORING_OP_ACCEPT"},
        {IORING_OP_CONNECT, "IORING_OP_CONNECT"},
        {IORING_OP_POLL_ADD, "IORING_OP_POLL_ADD"},
        {IORING_OP_POLL_REMOVE, "IORING_OP_POLL_REMOVE"},
        {IORING_OP_ASYNC_CANCEL, "IORING_OP_ASYNC_CANCEL"},
        {IORING_OP_LINK_TIMEOUT, "IORING_OP_LINK_TIMEOUT"},
        {IORING_OP_TIMEOUT, "IORING_OP_TIMEOUT"},
        {IORING_OP_READ, "IORING_OP_READ"},
    };
    for (size_t i = 0; i < sizeof needed / sizeof needed[0]; i++) {
        if (!io_uring_opcode_supported(probe, needed[i].op)) {
            if (why != NULL && len > 0)
                snprintf(why, len, "the kernel lacks %s", needed[i].name);
            io_uring_free_probe(probe);
            io_uring_queue_exit(&ring);
            return -ENOSYS;
        }
    }
    io_uring_free_probe(probe);
    struct io_uring_buf_ring *br = NULL;
    size_t br_bytes = 0;
    rc = buf_ring_map(8, &br, &br_bytes);
    if (rc == 0) {
        rc = buf_ring_register(&ring, br, 8);
        if (rc == 0)
            io_uring_unregister_buf_ring(&ring, RING_BGID);
        munmap(br, br_bytes);
    }
    io_uring_queue_exit(&ring);
    if (rc < 0) {
        if (why != NULL && len > 0)
            snprintf(why, len, "the kernel lacks provided buffer rings (IORING_REGISTER_PBUF_RING): %s",
                     strerror(-rc));
        return rc;
    }
    return 0;
}

/* ---------------------------------------------------------------------------------------- */
/* Init and teardown                                                                         */

size_t mc_loop_size(void)
{
    return (sizeof(struct mc_loop) + 15) & ~(size_t)15;
}

static void loop_free(struct mc_loop *l)
{
    ring_relay_free_all(l);
    if (l->ring_ok)
        io_uring_queue_exit(&l->ring);
    if (l->br != NULL)
        munmap(l->br, l->br_bytes);
    if (l->bufs != NULL)
        munmap(l->bufs, l->bufs_bytes);
    if (l->evfd >= 0)
        close(l->evfd);
    free(l->conns);
    free(l->evq);
    free(l->parked);
    free(l->recycle);
    memset(l, 0, sizeof *l);
    l->evfd = -1;
}

int mc_loop_init(mc_loop *l, const mc_loop_config *cfg)
{
    if (l == NULL || cfg == NULL)
        return -EINVAL;
    memset(l, 0, sizeof *l);
    l->evfd = -1;
    if (cfg->entries < 8 || cfg->entries > 32768 || cfg->max_conns == 0 || cfg->max_conns >= RING_MAX_SLOTS ||
        cfg->buf_size < 64 || cfg->buf_size > (1u << 30) || cfg->buf_count == 0 || cfg->buf_count > 32768 ||
        (cfg->buf_count & (cfg->buf_count - 1)) != 0)
        return -EINVAL;
    if ((uint64_t)cfg->buf_size * cfg->buf_count > (1ull << 40))
        return -EINVAL;
    l->cfg = *cfg;
    if (l->cfg.pipe_size == 0)
        l->cfg.pipe_size = 65536;

    int rc = ring_setup(&l->ring, cfg->entries, &l->setup_flags);
    if (rc < 0)
        return rc;
    l->ring_ok = 1;

    rc = buf_ring_map(cfg->buf_count, &l->br, &l->br_bytes);
    if (rc < 0)
        goto fail;
    l->bufs_bytes = (size_t)cfg->buf_size * cfg->buf_count;
    void *bufs = mmap(NULL, l->bufs_bytes, PROT_READ | PROT_WRITE, MAP_ANONYMOUS | MAP_PRIVATE, -1, 0);
    if (bufs == MAP_FAILED) {
        rc = -errno;
        l->bufs_bytes = 0;
        goto fail;
    }
    l->bufs = bufs;
    int mask = io_uring_buf_ring_mask(cfg->buf_count);
    for (uint32_t i = 0; i < cfg->buf_count; i++)
        io_uring_buf_ring_add(l->br, ring_buf_addr(l, (int32_t)i), cfg->buf_size, (unsigned short)i, mask,
                              (int)i);
    io_uring_buf_ring_advance(l->br, (int)cfg->buf_count);
    rc = buf_ring_register(&l->ring, l->br, cfg->buf_count);
    if (rc < 0)
        goto fail;

    l->conns = calloc(cfg->max_conns, sizeof *l->conns);
    l->evq_cap = 5 * cfg->max_conns + RING_ACCEPT_ROOM + 8;
    l->evq = calloc(l->evq_cap, sizeof *l->evq);
    l->parked = calloc(cfg->max_conns, sizeof *l->parked);
    l->recycle = calloc(cfg->buf_count, sizeof *l->recycle);
    if (l->conns == NULL || l->evq == NULL || l->parked == NULL || l->recycle == NULL) {
        rc = -ENOMEM;
        goto fail;
    }
    for (uint32_t i = 0; i < cfg->max_conns; i++) {
        l->conns[i].fd = -1;
        l->conns[i].next_free = i + 1;
    }
    l->free_head = 0;

    l->evfd = eventfd(0, EFD_CLOEXEC);
    if (l->evfd < 0) {
        rc = -errno;
        goto fail;
    }
    return 0;
fail:
    loop_free(l);
    return rc;
}

void mc_loop_destroy(mc_loop *l)
{
    if (l == NULL)
        return;
    if (l->conns != NULL)
        for (uint32_t i = 0; i < l->cfg.max_conns; i++)
            if (l->conns[i].used && l->conns[i].fd >= 0)
                close(l->conns[i].fd);
    loop_free(l);
}

static void arm_wake(struct mc_loop *l)
{
    struct io_uring_sqe *sqe = ring_sqe(l);
    if (sqe == NULL)
        return;
    io_uring_prep_read(sqe, l->evfd, &l->wake_buf, sizeof l->wake_buf, 0);
    io_uring_sqe_set_data64(sqe, RING_UD(RING_OP_WAKE, 0, 0));
}

/* Every loop-thread entry point starts here: the first one enables the ring (binding it to this
 * thread, SINGLE_ISSUER) and arms the wake-up read. */
int ring_enter(struct mc_loop *l)
{
    if (l == NULL || !l->ring_ok)
        return -EINVAL;
    if (l->enabled)
        return 0;
    int rc = ring_enable(&l->ring, l->setup_flags);
    if (rc < 0)
        return rc;
    l->enabled = 1;
    block_sigpipe();
    arm_wake(l);
    return 0;
}

int mc_loop_wake(mc_loop *l)
{
    if (l == NULL || l->evfd < 0)
        return -EINVAL;
    uint64_t one = 1;
    for (;;) {
        ssize_t n = write(l->evfd, &one, sizeof one);
        if (n == (ssize_t)sizeof one)
            return 0;
        if (n < 0 && errno == EINTR)
            continue;
        return n < 0 ? -errno : -EIO;
    }
}

/* ---------------------------------------------------------------------------------------- */
/* Slots                                                                                     */

static struct ring_conn *conn_get(struct mc_loop *l, int conn)
{
    if (conn < 0 || (uint32_t)conn >= l->cfg.max_conns || !l->conns[conn].used)
        return NULL;
    return &l->conns[conn];
}

/* The start of every entry point that starts an operation on a connection: enter the ring,
 * then a slot in use and not being closed (-EBADF otherwise). */
static int enter_open(struct mc_loop *l, int conn, struct ring_conn **out)
{
    int rc = ring_enter(l);
    if (rc < 0)
        return rc;
    struct ring_conn *c = conn_get(l, conn);
    if (c == NULL || c->closing)
        return -EBADF;
    *out = c;
    return 0;
}

int mc_loop_attach(mc_loop *l, int fd)
{
    int rc = ring_enter(l);
    if (rc < 0)
        return rc;
    if (fd < 0)
        return -EBADF;
    if (l->free_head >= l->cfg.max_conns)
        return -EMFILE;
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
        return -errno;
    uint32_t slot = l->free_head;
    struct ring_conn *c = &l->conns[slot];
    l->free_head = c->next_free;
    uint32_t gen = c->gen + 1;
    memset(c, 0, sizeof *c);
    c->gen = gen;
    c->fd = fd;
    c->used = 1;
    c->sf_fd = -1;
    return (int)slot;
}

static void slot_free(struct mc_loop *l, uint32_t slot)
{
    struct ring_conn *c = &l->conns[slot];
    c->used = 0;
    c->fd = -1;
    c->gen++;
    c->next_free = l->free_head;
    l->free_head = slot;
}

static int conn_busy(const struct ring_conn *c)
{
    return c->inflight > 0 || c->recv_state != RECV_IDLE || c->send_state != SEND_IDLE || c->connecting ||
           c->role != ROLE_NONE || c->closing;
}

int mc_loop_detach(mc_loop *l, int conn)
{
    int rc = ring_enter(l);
    if (rc < 0)
        return rc;
    struct ring_conn *c = conn_get(l, conn);
    if (c == NULL)
        return -EBADF;
    if (conn_busy(c))
        return -EBUSY;
    int fd = c->fd;
    slot_free(l, (uint32_t)conn);
    return fd;
}

/* Frees the slot once nothing of the connection is in the kernel; MC_EV_CLOSE comes after
 * every event of the cancelled operations. */
static void close_finish(struct mc_loop *l, uint32_t slot)
{
    struct ring_conn *c = &l->conns[slot];
    if (!c->closing || c->inflight > 0 || c->role != ROLE_NONE)
        return;
    close(c->fd);
    ring_push_event(l, c->close_token, MC_EV_CLOSE, 0, NULL, 0, 0, -1, NULL);
    slot_free(l, slot);
}

/* ---------------------------------------------------------------------------------------- */
/* Accept                                                                                    */

static void accept_submit(struct mc_loop *l, uint32_t i)
{
    struct io_uring_sqe *sqe = ring_sqe(l);
    if (sqe == NULL)
        return;
    io_uring_prep_multishot_accept(sqe, l->acc[i].fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    io_uring_sqe_set_data64(sqe, RING_UD(RING_OP_ACCEPT, i, l->acc[i].gen));
}

int mc_loop_accept(mc_loop *l, int listen_fd, uint64_t token)
{
    int rc = ring_enter(l);
    if (rc < 0)
        return rc;
    if (listen_fd < 0)
        return -EBADF;
    int free_i = -1;
    for (int i = 0; i < RING_MAX_ACCEPTS; i++) {
        if (l->acc[i].used && l->acc[i].fd == listen_fd)
            return -EBUSY;
        if (!l->acc[i].used && free_i < 0)
            free_i = i;
    }
    if (free_i < 0)
        return -ENOSPC;
    struct ring_accept *a = &l->acc[free_i];
    a->used = 1;
    a->cancelled = 0;
    a->fd = listen_fd;
    a->gen++;
    a->token = token;
    accept_submit(l, (uint32_t)free_i);
    return 0;
}

int mc_loop_accept_cancel(mc_loop *l, int listen_fd)
{
    int rc = ring_enter(l);
    if (rc < 0)
        return rc;
    for (uint32_t i = 0; i < RING_MAX_ACCEPTS; i++) {
        struct ring_accept *a = &l->acc[i];
        if (a->used && a->fd == listen_fd) {
            if (a->cancelled)
                return -EALREADY;
            a->cancelled = 1;
            ring_cancel(l, RING_UD(RING_OP_ACCEPT, i, a->gen));
            return 0;
        }
    }
    return -ENOENT;
}

/* A multishot accept that ends by itself after a success (CQ overflow) is re-armed, so that
 * only an error or mc_loop_accept_cancel ends the token's events. */
static void accept_cqe(struct mc_loop *l, uint32_t i, const struct io_uring_cqe *cqe)
{
    struct ring_accept *a = &l->acc[i];
    int more = (cqe->flags & IORING_CQE_F_MORE) != 0;
    if (cqe->res >= 0) {
        ring_push_event(l, a->token, MC_EV_ACCEPT, cqe->res, NULL, 0, 1, -1, NULL);
        if (!more) {
            if (a->cancelled) {
                ring_push_event(l, a->token, MC_EV_ACCEPT, -ECANCELED, NULL, 0, 0, -1, NULL);
                a->used = 0;
            } else {
                accept_submit(l, i);
            }
        }
        return;
    }
    if (more) {
        ring_push_event(l, a->token, MC_EV_ACCEPT, cqe->res, NULL, 0, 1, -1, NULL);
        return;
    }
    ring_push_event(l, a->token, MC_EV_ACCEPT, a->cancelled ? -ECANCELED : cqe->res, NULL, 0, 0, -1, NULL);
    a->used = 0;
}

/* ---------------------------------------------------------------------------------------- */
/* Recv                                                                                      */

/* Puts the Swift-side recv into the kernel, with what is left of its timeout. */

/*
 * Links a timeout to the operation just prepared in `sqe` (its completion then says -ECANCELED
 * and the timeout's -ETIME). The kernel reads `ts` at submission, so it lives in the
 * connection. Without a free SQE the operation goes without a timeout rather than failing.
 */
static void link_timeout(struct mc_loop *l, struct io_uring_sqe *sqe, int64_t ns, struct __kernel_timespec *ts)
{
    sqe->flags |= IOSQE_IO_LINK;
    ns_to_ts(ns, ts);
    struct io_uring_sqe *t = ring_sqe(l);
    if (t != NULL)
        io_uring_prep_link_timeout(t, ts, 0);
    else
        sqe->flags &= (uint8_t)~IOSQE_IO_LINK;
}

static void recv_submit(struct mc_loop *l, uint32_t slot)
{
    struct ring_conn *c = &l->conns[slot];
    int64_t left = -1;
    if (c->recv_deadline != 0) {
        uint64_t now = ring_now_ns();
        left = c->recv_deadline > now ? (int64_t)(c->recv_deadline - now) : 0;
    }
    ring_ensure_sqes(l, 2);
    struct io_uring_sqe *sqe = ring_sqe(l);
    if (sqe == NULL) {
        c->recv_state = RECV_IDLE;
        ring_push_event(l, c->recv_token, MC_EV_RECV, -EAGAIN, NULL, 0, 0, -1, NULL);
        return;
    }
    io_uring_prep_recv(sqe, c->fd, NULL, l->cfg.buf_size, 0);
    sqe->flags |= IOSQE_BUFFER_SELECT;
    sqe->buf_group = RING_BGID;
    io_uring_sqe_set_data64(sqe, RING_UD(RING_OP_RECV, slot, c->gen));
    c->recv_state = RECV_KERNEL;
    c->inflight++;
    if (left >= 0)
        link_timeout(l, sqe, left, &c->recv_ts);
}

int mc_loop_recv(mc_loop *l, int conn, int64_t timeout_ns, uint64_t token)
{
    struct ring_conn *c;
    int rc = enter_open(l, conn, &c);
    if (rc < 0)
        return rc;
    if (c->role != ROLE_NONE || c->recv_state != RECV_IDLE)
        return -EBUSY;
    c->recv_token = token;
    c->recv_cancel = 0;
    c->recv_deadline = timeout_ns >= 0 ? ring_now_ns() + (uint64_t)timeout_ns : 0;
    if (c->recv_deadline == 0 && timeout_ns >= 0)
        c->recv_deadline = 1;
    recv_submit(l, (uint32_t)conn);
    return 0;
}

static void unpark(struct mc_loop *l, uint32_t slot)
{
    for (uint32_t i = 0; i < l->n_parked; i++) {
        if (l->parked[i].slot == slot) {
            l->parked[i] = l->parked[--l->n_parked];
            return;
        }
    }
}

int mc_loop_recv_cancel(mc_loop *l, int conn)
{
    int rc = ring_enter(l);
    if (rc < 0)
        return rc;
    struct ring_conn *c = conn_get(l, conn);
    if (c == NULL)
        return -EBADF;
    if (c->recv_state == RECV_PARKED) {
        unpark(l, (uint32_t)conn);
        c->recv_state = RECV_IDLE;
        ring_push_event(l, c->recv_token, MC_EV_RECV, -ECANCELED, NULL, 0, 0, -1, NULL);
        return 0;
    }
    if (c->recv_state != RECV_KERNEL)
        return -ENOENT;
    if (!c->recv_cancel) {
        c->recv_cancel = 1;
        ring_cancel(l, RING_UD(RING_OP_RECV, (uint32_t)conn, c->gen));
    }
    return 0;
}

static void recv_cqe(struct mc_loop *l, uint32_t slot, const struct io_uring_cqe *cqe)
{
    struct ring_conn *c = &l->conns[slot];
    c->inflight--;
    int32_t bid = (cqe->flags & IORING_CQE_F_BUFFER) ? (int32_t)(cqe->flags >> IORING_CQE_BUFFER_SHIFT) : -1;
    if (bid >= 0)
        l->bufs_out++;
    int res = cqe->res;
    if (res == -ENOBUFS && !c->closing && !c->recv_cancel) {
        c->recv_state = RECV_PARKED;
        ring_park(l, slot);
        return;
    }
    if (res == -ECANCELED && !c->closing && !c->recv_cancel)
        res = -ETIME; /* the linked timeout fired */
    c->recv_state = RECV_IDLE;
    if (res > 0 && bid >= 0) {
        ring_push_event(l, c->recv_token, MC_EV_RECV, res, ring_buf_addr(l, bid), (uint64_t)res, 0, bid, NULL);
    } else {
        ring_buf_give_back(l, bid);
        ring_push_event(l, c->recv_token, MC_EV_RECV, res > 0 ? -EIO : res, NULL, 0, 0, -1, NULL);
    }
    close_finish(l, slot);
}

/* Retries parked receives, as many as there are free buffers. A parked Swift recv whose
 * deadline passed ends in -ETIME here. Returns the nearest parked deadline (0 = none). */
static uint64_t retry_parked(struct mc_loop *l)
{
    uint64_t nearest = 0, now = 0;
    uint32_t i = 0;
    while (i < l->n_parked) {
        struct ring_parked p = l->parked[i];
        struct ring_conn *c = &l->conns[p.slot];
        int gone = !c->used || c->gen != p.gen;
        if (gone) {
            l->parked[i] = l->parked[--l->n_parked];
            continue;
        }
        if (c->role != ROLE_NONE) {
            if (l->bufs_out < l->cfg.buf_count) {
                l->parked[i] = l->parked[--l->n_parked];
                ring_relay_retry_recv(l, c, p.slot);
                continue;
            }
            i++;
            continue;
        }
        if (c->recv_state != RECV_PARKED) {
            l->parked[i] = l->parked[--l->n_parked];
            continue;
        }
        if (c->recv_deadline != 0) {
            if (now == 0)
                now = ring_now_ns();
            if (now >= c->recv_deadline) {
                l->parked[i] = l->parked[--l->n_parked];
                c->recv_state = RECV_IDLE;
                ring_push_event(l, c->recv_token, MC_EV_RECV, -ETIME, NULL, 0, 0, -1, NULL);
                continue;
            }
        }
        if (l->bufs_out < l->cfg.buf_count) {
            l->parked[i] = l->parked[--l->n_parked];
            recv_submit(l, p.slot);
            continue;
        }
        if (c->recv_deadline != 0 && (nearest == 0 || c->recv_deadline < nearest))
            nearest = c->recv_deadline;
        i++;
    }
    return nearest;
}

/* ---------------------------------------------------------------------------------------- */
/* Send and sendfile                                                                         */

static void send_submit(struct mc_loop *l, uint32_t slot)
{
    struct ring_conn *c = &l->conns[slot];
    uint64_t left = c->send_len - c->send_off;
    struct io_uring_sqe *sqe = ring_sqe(l);
    if (sqe == NULL) {
        c->send_state = SEND_IDLE;
        ring_push_event(l, c->send_token, MC_EV_SEND, -EAGAIN, NULL, 0, 0, -1, NULL);
        return;
    }
    io_uring_prep_send(sqe, c->fd, c->send_buf + c->send_off, left > RING_CHUNK ? RING_CHUNK : left,
                       MSG_NOSIGNAL);
    io_uring_sqe_set_data64(sqe, RING_UD(RING_OP_SEND, slot, c->gen));
    c->send_state = SEND_KERNEL;
    c->inflight++;
}

int mc_loop_send(mc_loop *l, int conn, const void *buf, size_t len, uint64_t token)
{
    struct ring_conn *c;
    int rc = enter_open(l, conn, &c);
    if (rc < 0)
        return rc;
    if (buf == NULL && len > 0)
        return -EINVAL;
    if (c->role != ROLE_NONE || c->send_state != SEND_IDLE)
        return -EBUSY;
    c->send_token = token;
    c->send_kind = MC_EV_SEND;
    if (len == 0) {
        ring_push_event(l, token, MC_EV_SEND, 0, NULL, 0, 0, -1, NULL);
        return 0;
    }
    c->send_buf = buf;
    c->send_len = len;
    c->send_off = 0;
    send_submit(l, (uint32_t)conn);
    return 0;
}

/* Resubmits the rest after a partial send, so that the event reports all or nothing. */
static void send_cqe(struct mc_loop *l, uint32_t slot, const struct io_uring_cqe *cqe)
{
    struct ring_conn *c = &l->conns[slot];
    c->inflight--;
    int res = cqe->res;
    if (res > 0) {
        c->send_off += (uint64_t)res;
        if (c->send_off >= c->send_len) {
            c->send_state = SEND_IDLE;
            ring_push_event(l, c->send_token, MC_EV_SEND, 0, NULL, 0, 0, -1, NULL);
        } else if (c->closing) {
            c->send_state = SEND_IDLE;
            ring_push_event(l, c->send_token, MC_EV_SEND, -ECANCELED, NULL, 0, 0, -1, NULL);
        } else {
            send_submit(l, slot);
        }
    } else {
        c->send_state = SEND_IDLE;
        ring_push_event(l, c->send_token, MC_EV_SEND, res == 0 ? -EIO : res, NULL, 0, 0, -1, NULL);
    }
    close_finish(l, slot);
}

static void sendfile_poll(struct mc_loop *l, uint32_t slot)
{
    struct ring_conn *c = &l->conns[slot];
    struct io_uring_sqe *sqe = ring_sqe(l);
    if (sqe == NULL) {
        c->send_state = SEND_IDLE;
        ring_push_event(l, c->send_token, MC_EV_SENDFILE, -EAGAIN, NULL, 0, 0, -1, NULL);
        return;
    }
    io_uring_prep_poll_add(sqe, c->fd, POLLOUT);
    io_uring_sqe_set_data64(sqe, RING_UD(RING_OP_SFPOLL, slot, c->gen));
    c->send_state = SEND_FILE_POLL;
    c->inflight++;
}

/* Non-blocking sendfile(2) until done or the socket is full (then a POLLOUT poll resumes it).
 * A bounded number of calls per turn, so that one large file does not starve the loop. */
static void sendfile_pump(struct mc_loop *l, uint32_t slot)
{
    struct ring_conn *c = &l->conns[slot];
    for (int turn = 0; turn < 64 && c->sf_left > 0; turn++) {
        off_t off = (off_t)c->sf_off;
        size_t want = c->sf_left > RING_CHUNK ? RING_CHUNK : (size_t)c->sf_left;
        ssize_t n = sendfile(c->fd, c->sf_fd, &off, want);
        if (n > 0) {
            c->sf_off = (int64_t)off;
            c->sf_left -= (uint64_t)n;
            continue;
        }
        int err = n == 0 ? EIO : errno; /* 0: the file is shorter than asked */
        if (err == EINTR)
            continue;
        if (err == EAGAIN) {
            sendfile_poll(l, slot);
            return;
        }
        if (err == EPIPE)
            ring_eat_sigpipe();
        c->send_state = SEND_IDLE;
        ring_push_event(l, c->send_token, MC_EV_SENDFILE, -err, NULL, 0, 0, -1, NULL);
        return;
    }
    if (c->sf_left > 0) {
        sendfile_poll(l, slot);
        return;
    }
    c->send_state = SEND_IDLE;
    ring_push_event(l, c->send_token, MC_EV_SENDFILE, 0, NULL, 0, 0, -1, NULL);
}

int mc_loop_sendfile(mc_loop *l, int conn, int file_fd, uint64_t offset, uint64_t len, uint64_t token)
{
    struct ring_conn *c;
    int rc = enter_open(l, conn, &c);
    if (rc < 0)
        return rc;
    if (file_fd < 0 || offset > (uint64_t)INT64_MAX || len > (uint64_t)INT64_MAX - offset)
        return -EINVAL;
    if (c->role != ROLE_NONE || c->send_state != SEND_IDLE)
        return -EBUSY;
    c->send_token = token;
    c->send_kind = MC_EV_SENDFILE;
    c->sf_fd = file_fd;
    c->sf_off = (int64_t)offset;
    c->sf_left = len;
    c->send_state = SEND_FILE_POLL; /* busy while pumping */
    sendfile_pump(l, (uint32_t)conn);
    return 0;
}

static void sfpoll_cqe(struct mc_loop *l, uint32_t slot, const struct io_uring_cqe *cqe)
{
    struct ring_conn *c = &l->conns[slot];
    c->inflight--;
    if (c->closing || cqe->res < 0) {
        c->send_state = SEND_IDLE;
        ring_push_event(l, c->send_token, MC_EV_SENDFILE, c->closing ? -ECANCELED : cqe->res, NULL, 0, 0, -1,
                        NULL);
        close_finish(l, slot);
        return;
    }
    sendfile_pump(l, slot);
}

/* ---------------------------------------------------------------------------------------- */
/* Connect and close                                                                         */

int mc_loop_connect(mc_loop *l, int conn, const void *addr, uint32_t addrlen, int64_t timeout_ns,
                    uint64_t token)
{
    struct ring_conn *c;
    int rc = enter_open(l, conn, &c);
    if (rc < 0)
        return rc;
    if (addr == NULL || addrlen == 0 || addrlen > sizeof c->addr)
        return -EINVAL;
    if (c->role != ROLE_NONE || c->connecting)
        return -EBUSY;
    memcpy(&c->addr, addr, addrlen);
    c->addrlen = addrlen;
    c->connect_token = token;
    c->connect_cancel = 0;
    ring_ensure_sqes(l, 2);
    struct io_uring_sqe *sqe = ring_sqe(l);
    if (sqe == NULL)
        return -EAGAIN;
    io_uring_prep_connect(sqe, c->fd, (const struct sockaddr *)&c->addr, c->addrlen);
    io_uring_sqe_set_data64(sqe, RING_UD(RING_OP_CONNECT, (uint32_t)conn, c->gen));
    c->connecting = 1;
    c->inflight++;
    if (timeout_ns >= 0)
        link_timeout(l, sqe, timeout_ns, &c->connect_ts);
    return 0;
}

static void connect_cqe(struct mc_loop *l, uint32_t slot, const struct io_uring_cqe *cqe)
{
    struct ring_conn *c = &l->conns[slot];
    c->inflight--;
    c->connecting = 0;
    int res = cqe->res;
    if (res == -ECANCELED && !c->closing)
        res = -ETIME;
    ring_push_event(l, c->connect_token, MC_EV_CONNECT, res > 0 ? 0 : res, NULL, 0, 0, -1, NULL);
    close_finish(l, slot);
}

int mc_loop_close(mc_loop *l, int conn, uint64_t token)
{
    int rc = ring_enter(l);
    if (rc < 0)
        return rc;
    struct ring_conn *c = conn_get(l, conn);
    if (c == NULL)
        return -EBADF;
    if (c->closing)
        return -EALREADY;
    if (c->role != ROLE_NONE)
        return -EBUSY;
    c->closing = 1;
    c->close_token = token;
    uint32_t slot = (uint32_t)conn;
    if (c->recv_state == RECV_PARKED) {
        unpark(l, slot);
        c->recv_state = RECV_IDLE;
        ring_push_event(l, c->recv_token, MC_EV_RECV, -ECANCELED, NULL, 0, 0, -1, NULL);
    } else if (c->recv_state == RECV_KERNEL) {
        ring_cancel(l, RING_UD(RING_OP_RECV, slot, c->gen));
    }
    if (c->send_state == SEND_KERNEL)
        ring_cancel(l, RING_UD(RING_OP_SEND, slot, c->gen));
    else if (c->send_state == SEND_FILE_POLL)
        ring_cancel(l, RING_UD(RING_OP_SFPOLL, slot, c->gen));
    if (c->connecting)
        ring_cancel(l, RING_UD(RING_OP_CONNECT, slot, c->gen));
    close_finish(l, slot);
    return 0;
}

/* ---------------------------------------------------------------------------------------- */
/* Poll                                                                                      */

static void handle_cqe(struct mc_loop *l, const struct io_uring_cqe *cqe)
{
    uint64_t ud = cqe->user_data;
    uint32_t op = RING_UD_OP(ud), slot = RING_UD_SLOT(ud), gen = RING_UD_GEN(ud);
    if (op == RING_OP_IGNORE)
        return;
    if (op == RING_OP_WAKE) {
        l->woke = 1;
        arm_wake(l);
        return;
    }
    if (op == RING_OP_ACCEPT) {
        if (slot < RING_MAX_ACCEPTS && l->acc[slot].used && l->acc[slot].gen == gen)
            accept_cqe(l, slot, cqe);
        else if (cqe->res >= 0)
            close(cqe->res); /* a socket accepted for a token that is gone */
        return;
    }
    if (slot >= l->cfg.max_conns || !l->conns[slot].used || l->conns[slot].gen != gen) {
        /* A completion for an earlier user of the slot: give its buffer back, drop it. */
        if (cqe->flags & IORING_CQE_F_BUFFER) {
            l->bufs_out++;
            ring_buf_give_back(l, (int32_t)(cqe->flags >> IORING_CQE_BUFFER_SHIFT));
        }
        return;
    }
    struct ring_conn *c = &l->conns[slot];
    switch (op) {
    case RING_OP_RECV:
        recv_cqe(l, slot, cqe);
        break;
    case RING_OP_SEND:
        send_cqe(l, slot, cqe);
        break;
    case RING_OP_CONNECT:
        connect_cqe(l, slot, cqe);
        break;
    case RING_OP_SFPOLL:
        sfpoll_cqe(l, slot, cqe);
        break;
    default:
        ring_relay_cqe(l, c, slot, op, cqe);
        break;
    }
}

/* Handles every completion ready, then advances the CQ once. Accept completions stay in the CQ
 * while RING_ACCEPT_ROOM accept events wait to be returned (the event queue's bound). */
static void reap(struct mc_loop *l)
{
    struct io_uring_cqe *cqe;
    unsigned head, seen = 0;
    io_uring_for_each_cqe(&l->ring, head, cqe)
    {
        if (RING_UD_OP(cqe->user_data) == RING_OP_ACCEPT && l->accept_queued >= RING_ACCEPT_ROOM)
            break;
        handle_cqe(l, cqe);
        seen++;
    }
    if (seen > 0)
        io_uring_cq_advance(&l->ring, seen);
}

/* Start of a poll: what the previous poll returned is no longer the caller's. */
static void release_returned(struct mc_loop *l)
{
    for (uint32_t i = 0; i < l->n_recycle; i++)
        ring_buf_give_back(l, l->recycle[i]);
    l->n_recycle = 0;
    while (l->relay_returned != NULL) {
        struct ring_relay *rl = l->relay_returned;
        l->relay_returned = rl->next;
        ring_relay_release(l, rl);
    }
}

static int wait_cqe(struct mc_loop *l, int64_t wait_ns)
{
    if (wait_ns == 0)
        return io_uring_submit_and_get_events(&l->ring);
    struct io_uring_cqe *cqe = NULL;
    struct __kernel_timespec ts;
    ns_to_ts(wait_ns, &ts);
    int rc = io_uring_submit_and_wait_timeout(&l->ring, &cqe, 1, wait_ns < 0 ? NULL : &ts, NULL);
    if (rc == -ETIME || rc == -EINTR || rc == -EAGAIN || rc == -EBUSY)
        return 0;
    return rc;
}

int mc_loop_poll(mc_loop *l, mc_loop_event *events, uint32_t max, int64_t wait_ns)
{
    int rc = ring_enter(l);
    if (rc < 0)
        return rc;
    if (events == NULL && max > 0)
        return -EINVAL;
    release_returned(l);
    l->woke = 0;
    uint64_t deadline = wait_ns > 0 ? ring_now_ns() + (uint64_t)wait_ns : 0;
    for (;;) {
        uint64_t parked_deadline = l->n_parked > 0 ? retry_parked(l) : 0;
        int64_t wait = wait_ns;
        uint64_t now = (deadline != 0 || parked_deadline != 0) ? ring_now_ns() : 0;
        if (deadline != 0)
            wait = deadline > now ? (int64_t)(deadline - now) : 0;
        if (parked_deadline != 0) {
            int64_t p = parked_deadline > now ? (int64_t)(parked_deadline - now) : 0;
            if (wait < 0 || p < wait)
                wait = p;
        }
        if (l->evq_count > 0)
            wait = 0;
        rc = wait_cqe(l, wait);
        if (rc < 0)
            return rc;
        reap(l);
        /* Resubmissions made while handling (partial sends, relay steps) go out at once. */
        for (int round = 0; round < 4 && io_uring_sq_ready(&l->ring) > 0; round++) {
            rc = io_uring_submit_and_get_events(&l->ring);
            if (rc < 0)
                return rc;
            reap(l);
        }
        if (l->evq_count > 0 || l->woke || wait_ns == 0)
            break;
        if (deadline != 0 && ring_now_ns() >= deadline)
            break;
    }
    uint32_t n = 0;
    while (n < max && l->evq_count > 0) {
        struct ring_event *e = &l->evq[l->evq_head];
        events[n++] = e->ev;
        if (e->bid >= 0 && l->n_recycle < l->cfg.buf_count)
            l->recycle[l->n_recycle++] = e->bid;
        if (e->rl != NULL) {
            e->rl->next = l->relay_returned;
            l->relay_returned = e->rl;
        }
        if (e->ev.kind == MC_EV_ACCEPT && l->accept_queued > 0)
            l->accept_queued--;
        l->evq_head = (l->evq_head + 1) % l->evq_cap;
        l->evq_count--;
    }
    return (int)n;
}

#else /* !__linux__ */

int mc_ring_probe(uint32_t flags, char *why, size_t len)
{
    (void)flags;
    if (why != NULL && len > 0) {
        const char *m = "io_uring is Linux only";
        size_t i = 0;
        for (; i + 1 < len && m[i]; i++)
            why[i] = m[i];
        why[i] = 0;
    }
    return -ENOSYS;
}
size_t mc_loop_size(void) { return 16; }
int mc_loop_init(mc_loop *l, const mc_loop_config *cfg) { (void)l; (void)cfg; return -ENOSYS; }
void mc_loop_destroy(mc_loop *l) { (void)l; }
int mc_loop_wake(mc_loop *l) { (void)l; return -ENOSYS; }
int mc_loop_poll(mc_loop *l, mc_loop_event *events, uint32_t max, int64_t wait_ns)
{
    (void)l; (void)events; (void)max; (void)wait_ns;
    return -ENOSYS;
}
int mc_loop_attach(mc_loop *l, int fd) { (void)l; (void)fd; return -ENOSYS; }
int mc_loop_detach(mc_loop *l, int conn) { (void)l; (void)conn; return -ENOSYS; }
int mc_loop_accept(mc_loop *l, int listen_fd, uint64_t token) { (void)l; (void)listen_fd; (void)token; return -ENOSYS; }
int mc_loop_accept_cancel(mc_loop *l, int listen_fd) { (void)l; (void)listen_fd; return -ENOSYS; }
int mc_loop_connect(mc_loop *l, int conn, const void *addr, uint32_t addrlen, int64_t timeout_ns, uint64_t token)
{
    (void)l; (void)conn; (void)addr; (void)addrlen; (void)timeout_ns; (void)token;
    return -ENOSYS;
}
int mc_loop_recv(mc_loop *l, int conn, int64_t timeout_ns, uint64_t token)
{
    (void)l; (void)conn; (void)timeout_ns; (void)token;
    return -ENOSYS;
}
int mc_loop_recv_cancel(mc_loop *l, int conn) { (void)l; (void)conn; return -ENOSYS; }
int mc_loop_send(mc_loop *l, int conn, const void *buf, size_t len, uint64_t token)
{
    (void)l; (void)conn; (void)buf; (void)len; (void)token;
    return -ENOSYS;
}
int mc_loop_sendfile(mc_loop *l, int conn, int file_fd, uint64_t offset, uint64_t len, uint64_t token)
{
    (void)l; (void)conn; (void)file_fd; (void)offset; (void)len; (void)token;
    return -ENOSYS;
}
int mc_loop_close(mc_loop *l, int conn, uint64_t token) { (void)l; (void)conn; (void)token; return -ENOSYS; }

#endif /* __linux__ */
