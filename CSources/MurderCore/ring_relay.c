/*
 * ring_relay.c — the loop's relay driver: moves bytes between a client and a backend connection
 * of one loop, deciding nothing itself (relay.c decides, byte for byte) and returning to Swift
 * only when the relay stops (MC_EV_RELAY).
 *
 * Rules (DESIGN.md, "The hot path: relay"):
 *  - per direction at most one pool buffer: it is stepped through mc_relay_step(), and stepped
 *    again (or given back and a new recv posted) only after every output of the previous step
 *    was sent; outputs bound for the client, whichever direction's step made them, go through
 *    ONE client-bound send queue in step order;
 *  - the client is not read while mc_relay_client_paused();
 *  - a response literal body of at least splice_min bytes, with nothing of the backend buffered
 *    and nothing queued for the client, moves backend -> pipe -> client with non-blocking
 *    splice(2) on the loop thread, driven by POLL_ADD readiness (IORING_OP_SPLICE on sockets
 *    runs on io-wq workers and costs 2-3x the CPU); between literals a backend read asks
 *    only head_read bytes, and the step that reaches such a body writes its outputs (the
 *    response line, the body's start) into the pipe ahead of it rather than sending them;
 *  - on stop: queued sends finish (cancelled for SHUTDOWN and TIMEOUT), everything else in
 *    flight is cancelled, then MC_EV_RELAY; the unstepped bytes stay readable through
 *    mc_loop_relay_leftover() until the next poll.
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
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { D_CLIENT = MC_RELAY_FROM_CLIENT, D_BACKEND = MC_RELAY_FROM_BACKEND };

static void relay_advance(struct mc_loop *l, struct ring_relay *rl, uint32_t d);
static void relay_stop(struct mc_loop *l, struct ring_relay *rl, uint32_t reason);
static void check_finish(struct mc_loop *l, struct ring_relay *rl);
static void splice_pump(struct mc_loop *l, struct ring_relay *rl);
static int splice_open(struct mc_loop *l, struct ring_relay *rl);

/* The connection a send queue writes to: to-backend bytes go to the backend's slot. */
static uint32_t queue_slot(const struct ring_relay *rl, uint32_t to)
{
    return to == MC_RELAY_TO_BACKEND ? rl->slot[D_BACKEND] : rl->slot[D_CLIENT];
}

static struct ring_conn *rconn(struct mc_loop *l, const struct ring_relay *rl, uint32_t d)
{
    return &l->conns[rl->slot[d]];
}

static uint64_t ud(const struct mc_loop *l, const struct ring_relay *rl, uint32_t op, uint32_t slot)
{
    (void)rl;
    return RING_UD(op, slot, l->conns[slot].gen);
}

/* ---------------------------------------------------------------------------------------- */
/* Receives                                                                                  */

/* How much a read of direction d asks. A backend read between literals, with splicing on,
 * asks only `head` bytes (head_read at first), so that the start of a long body after its
 * response line is not read into a buffer, where it would be copied. A head read that comes
 * back full doubles the next one, up to a whole buffer (a long run of lines without a long
 * body, like a SEARCH answer, is read in large pieces again); a splice resets it. A read
 * inside a literal, or from the client, asks a whole buffer. */
static uint32_t recv_len(const struct mc_loop *l, const struct ring_relay *rl, uint32_t d)
{
    uint32_t full = l->cfg.buf_size;
    if (d != D_BACKEND || l->cfg.splice_min == 0 || l->cfg.head_read == 0)
        return full;
    if (mc_relay_literal_left(rl->r, MC_RELAY_FROM_BACKEND) > 0)
        return full;
    uint32_t head = rl->dir[d].head != 0 ? rl->dir[d].head : l->cfg.head_read;
    return head < full ? head : full;
}

static void recv_post(struct mc_loop *l, struct ring_relay *rl, uint32_t d)
{
    struct ring_dir *D = &rl->dir[d];
    struct ring_conn *c = rconn(l, rl, d);
    struct io_uring_sqe *sqe = ring_sqe(l);
    if (sqe == NULL) {
        relay_stop(l, rl, d == D_CLIENT ? MC_RELAY_CLIENT_ERROR : MC_RELAY_BACKEND_ERROR);
        return;
    }
    D->asked = recv_len(l, rl, d);
    io_uring_prep_recv(sqe, c->fd, NULL, D->asked, 0);
    sqe->flags |= IOSQE_BUFFER_SELECT;
    sqe->buf_group = 0;
    io_uring_sqe_set_data64(sqe, ud(l, rl, RING_OP_RRECV, rl->slot[d]));
    D->recv_inflight = 1;
    c->inflight++;
}

void ring_relay_retry_recv(struct mc_loop *l, struct ring_conn *c, uint32_t slot)
{
    struct ring_relay *rl = c->rl;
    if (rl == NULL)
        return;
    uint32_t d = slot == rl->slot[D_CLIENT] ? D_CLIENT : D_BACKEND;
    if (!rl->dir[d].parked)
        return;
    rl->dir[d].parked = 0;
    if (rl->stopping) {
        check_finish(l, rl);
        return;
    }
    recv_post(l, rl, d);
}

static void rrecv_cqe(struct mc_loop *l, struct ring_relay *rl, uint32_t d, const struct io_uring_cqe *cqe)
{
    struct ring_dir *D = &rl->dir[d];
    struct ring_conn *c = rconn(l, rl, d);
    c->inflight--;
    D->recv_inflight = 0;
    int32_t bid = (cqe->flags & IORING_CQE_F_BUFFER) ? (int32_t)(cqe->flags >> IORING_CQE_BUFFER_SHIFT) : -1;
    if (bid >= 0)
        l->bufs_out++;
    int res = cqe->res;
    if (res == -ENOBUFS && !rl->stopping) {
        D->parked = 1;
        ring_park(l, rl->slot[d]);
        return;
    }
    if (res > 0 && bid >= 0) {
        if (d == D_BACKEND && D->asked < l->cfg.buf_size && (uint32_t)res == D->asked)
            D->head = D->asked * 2; /* a full head read: the next asks more */
        /* Kept even after a stop: bytes read and not relayed are leftovers. */
        D->bid = bid;
        D->data = ring_buf_addr(l, bid);
        D->len = (uint64_t)res;
        D->off = 0;
        if (d == D_CLIENT)
            rl->last_active = ring_now_ns();
        if (rl->stopping)
            check_finish(l, rl);
        else
            relay_advance(l, rl, d);
        return;
    }
    ring_buf_give_back(l, bid);
    if (rl->stopping) {
        check_finish(l, rl);
        return;
    }
    if (res == 0)
        relay_stop(l, rl, d == D_CLIENT ? MC_RELAY_CLIENT_EOF : MC_RELAY_BACKEND_EOF);
    else
        relay_stop(l, rl, d == D_CLIENT ? MC_RELAY_CLIENT_ERROR : MC_RELAY_BACKEND_ERROR);
}

/* ---------------------------------------------------------------------------------------- */
/* Send queues                                                                               */

/* The relay's queue toward `to`, taken from the loop's pool when it has none; NULL when out
 * of memory. */
static struct ring_sendq *queue_take(struct mc_loop *l, struct ring_relay *rl, uint32_t to)
{
    if (rl->q[to] != NULL)
        return rl->q[to];
    struct ring_sendq *q = l->sendq_free;
    if (q != NULL) {
        l->sendq_free = q->next_free;
        l->sendq_pooled--;
    } else {
        q = calloc(1, sizeof *q);
        if (q == NULL)
            return NULL;
        q->all_next = l->sendq_all;
        l->sendq_all = q;
        l->sendq_count++;
    }
    q->head = q->count = 0;
    q->head_off = 0;
    q->inflight = 0;
    q->next_free = NULL;
    rl->q[to] = q;
    return q;
}

/* Gives the queue toward `to` back to the pool once it is empty and no send is in flight. */
static void queue_settle(struct mc_loop *l, struct ring_relay *rl, uint32_t to)
{
    struct ring_sendq *q = rl->q[to];
    if (q == NULL || q->inflight || q->count > 0)
        return;
    rl->q[to] = NULL;
    q->next_free = l->sendq_free;
    l->sendq_free = q;
    l->sendq_pooled++;
}

void mc_loop_relay_queues(const mc_loop *l, uint32_t *held, uint32_t *pooled)
{
    if (held != NULL)
        *held = l->sendq_count - l->sendq_pooled;
    if (pooled != NULL)
        *pooled = l->sendq_pooled;
}

static void queue_push(struct ring_sendq *q, const uint8_t *p, uint64_t len, uint32_t from)
{
    struct ring_out *o = &q->item[(q->head + q->count) % RING_QUEUE_CAP];
    o->p = p;
    o->len = len;
    o->from = from;
    q->count++;
}

/* Drops what a queue holds (after a failed or cancelled send): its steps count as sent. */
static void queue_drop(struct ring_relay *rl, struct ring_sendq *q)
{
    while (q->count > 0) {
        struct ring_out *o = &q->item[q->head];
        if (rl->dir[o->from].pending > 0)
            rl->dir[o->from].pending--;
        q->head = (q->head + 1) % RING_QUEUE_CAP;
        q->count--;
    }
    q->head_off = 0;
}

/* Sends what a queue holds: SEND for one piece, SENDMSG with an iovec per piece otherwise. */
static void queue_kick(struct mc_loop *l, struct ring_relay *rl, uint32_t to)
{
    struct ring_sendq *q = rl->q[to];
    if (q == NULL || q->inflight)
        return;
    if (q->count == 0) {
        queue_settle(l, rl, to);
        return;
    }
    if (to == MC_RELAY_TO_CLIENT && rl->splicing)
        return; /* the pipe owns the client's stream until the literal is through */
    if (rl->drop_sends) {
        queue_drop(rl, q);
        queue_settle(l, rl, to);
        return;
    }
    uint32_t slot = queue_slot(rl, to);
    struct ring_conn *c = &l->conns[slot];
    struct io_uring_sqe *sqe = ring_sqe(l);
    if (sqe == NULL) {
        relay_stop(l, rl, to == MC_RELAY_TO_CLIENT ? MC_RELAY_CLIENT_ERROR : MC_RELAY_BACKEND_ERROR);
        return;
    }
    uint32_t n = 0;
    uint64_t total = 0;
    for (uint32_t i = 0; i < q->count && n < RING_IOV_MAX && total < RING_CHUNK; i++) {
        const struct ring_out *o = &q->item[(q->head + i) % RING_QUEUE_CAP];
        uint64_t skip = i == 0 ? q->head_off : 0;
        uint64_t len = o->len - skip;
        if (len > RING_CHUNK - total)
            len = RING_CHUNK - total;
        q->iov[n].iov_base = (void *)(uintptr_t)(o->p + skip);
        q->iov[n].iov_len = len;
        total += len;
        n++;
    }
    if (n == 1) {
        io_uring_prep_send(sqe, c->fd, q->iov[0].iov_base, q->iov[0].iov_len, MSG_NOSIGNAL);
    } else {
        memset(&q->msg, 0, sizeof q->msg);
        q->msg.msg_iov = q->iov;
        q->msg.msg_iovlen = n;
        io_uring_prep_sendmsg(sqe, c->fd, &q->msg, MSG_NOSIGNAL);
    }
    io_uring_sqe_set_data64(sqe, ud(l, rl, RING_OP_RSEND, slot));
    q->inflight = 1;
    c->inflight++;
}

static void rsend_cqe(struct mc_loop *l, struct ring_relay *rl, uint32_t to, const struct io_uring_cqe *cqe)
{
    struct ring_sendq *q = rl->q[to];
    struct ring_conn *c = &l->conns[queue_slot(rl, to)];
    c->inflight--;
    if (q == NULL)
        return; /* cannot happen: a queue stays while its send is in flight */
    q->inflight = 0;
    int res = cqe->res;
    if (res <= 0) {
        queue_drop(rl, q);
        queue_settle(l, rl, to);
        if (!rl->stopping)
            relay_stop(l, rl, to == MC_RELAY_TO_CLIENT ? MC_RELAY_CLIENT_ERROR : MC_RELAY_BACKEND_ERROR);
        else
            check_finish(l, rl);
        return;
    }
    uint64_t sent = (uint64_t)res;
    uint32_t freed = 0; /* bit d: direction d's step is now fully sent */
    while (sent > 0 && q->count > 0) {
        struct ring_out *o = &q->item[q->head];
        uint64_t left = o->len - q->head_off;
        uint64_t take = sent < left ? sent : left;
        q->head_off += take;
        sent -= take;
        if (q->head_off == o->len) {
            struct ring_dir *D = &rl->dir[o->from];
            if (D->pending > 0 && --D->pending == 0)
                freed |= 1u << o->from;
            q->head = (q->head + 1) % RING_QUEUE_CAP;
            q->count--;
            q->head_off = 0;
        }
    }
    queue_kick(l, rl, to);
    if (rl->stopping) {
        check_finish(l, rl);
        return;
    }
    /* The backend first: its step may unpause the client. */
    if (freed & (1u << D_BACKEND))
        relay_advance(l, rl, D_BACKEND);
    if ((freed & (1u << D_CLIENT)) && !rl->stopping)
        relay_advance(l, rl, D_CLIENT);
}

/* ---------------------------------------------------------------------------------------- */
/* Stepping                                                                                  */

/* The direction's buffer is fully stepped and sent: give it back. */
static void dir_release(struct mc_loop *l, struct ring_dir *D)
{
    if (D->bid >= 0)
        ring_buf_give_back(l, D->bid);
    D->bid = -1;
    free(D->initial);
    D->initial = NULL;
    D->data = NULL;
    D->len = D->off = 0;
}

/* Splice the rest of a response literal instead of copying it: only for a long body, with no
 * backend bytes buffered and the client's stream idle (order on the client socket). */
static int splice_wanted(struct mc_loop *l, struct ring_relay *rl)
{
    if (l->cfg.splice_min == 0)
        return 0;
    const struct ring_sendq *q = rl->q[MC_RELAY_TO_CLIENT];
    if (q != NULL && (q->count > 0 || q->inflight))
        return 0;
    return mc_relay_literal_left(rl->r, MC_RELAY_FROM_BACKEND) >= l->cfg.splice_min;
}

static int splice_open(struct mc_loop *l, struct ring_relay *rl)
{
    if (rl->pipe_r >= 0)
        return 0;
    int p[2];
    if (pipe2(p, O_NONBLOCK | O_CLOEXEC) < 0)
        return -errno;
    rl->pipe_r = p[0];
    rl->pipe_w = p[1];
    (void)fcntl(p[1], F_SETPIPE_SZ, (int)l->cfg.pipe_size); /* may be refused: keep the default */
    int sz = fcntl(p[1], F_GETPIPE_SZ);
    rl->pipe_cap = sz > 0 ? (uint64_t)sz : 65536;
    return 0;
}

/* Where an output's bytes are: in the step's input (base, avail bytes) or the relay's own
 * bytes; NULL for an input range outside the step's input. */
static const uint8_t *out_at(const mc_relay_out *o, const uint8_t *base, uint64_t avail)
{
    if (o->kind != MC_RELAY_OUT_INPUT)
        return o->bytes;
    if (o->off > avail || o->len > avail - o->off)
        return NULL;
    return base + o->off;
}

/* When a backend step used its whole buffer and left a body long enough to splice, with the
 * client's stream idle: its outputs (the response line and the body's start) are written into
 * the splice pipe, ahead of the body, instead of being sent from the buffer and waited for.
 * That saves a send and its completion per body. The caller hands the client's stream to the
 * pipe in the same step, so nothing queued after them overtakes them. Returns 1 when written,
 * 0 when the outputs should be queued as usual, -1 when the pipe took only part of them
 * (cannot happen: the pipe is empty and the outputs are at most HEAD_PIPE_MAX bytes, far
 * below its capacity). */
enum { HEAD_PIPE_MAX = 32 * 1024 };

static int head_to_pipe(struct mc_loop *l, struct ring_relay *rl, const uint8_t *base, uint64_t avail,
                        int64_t used, const mc_relay_out *out, uint32_t n)
{
    if ((uint64_t)used != avail || rl->in_pipe != 0 || mc_relay_stop_reason(rl->r) != MC_RELAY_RUNNING ||
        !splice_wanted(l, rl))
        return 0;
    struct iovec iov[RING_RELAY_OUTS];
    uint32_t k = 0;
    uint64_t total = 0;
    for (uint32_t i = 0; i < n; i++) {
        if (out[i].len == 0)
            continue;
        const uint8_t *p = out_at(&out[i], base, avail);
        if (out[i].to != MC_RELAY_TO_CLIENT || p == NULL)
            return 0; /* for the backend, or outside this step's input: the queueing path decides */
        iov[k].iov_base = (void *)(uintptr_t)p;
        iov[k].iov_len = out[i].len;
        total += out[i].len;
        k++;
    }
    if (total == 0 || total > HEAD_PIPE_MAX || splice_open(l, rl) != 0 || rl->pipe_cap < 2 * HEAD_PIPE_MAX)
        return 0;
    ssize_t w = writev(rl->pipe_w, iov, (int)k);
    if (w <= 0)
        return 0; /* nothing written: queue them */
    rl->in_pipe = (uint64_t)w;
    return (uint64_t)w == total ? 1 : -1;
}

/* What direction d does next, once every output of its previous step was sent: step the rest
 * of its buffer, or give the buffer back and read again (or splice). */
static void relay_advance(struct mc_loop *l, struct ring_relay *rl, uint32_t d)
{
    struct ring_dir *D = &rl->dir[d];
    mc_relay_out out[RING_RELAY_OUTS];
    while (!rl->stopping) {
        if (D->pending > 0 || D->recv_inflight || D->parked)
            return;
        if (d == D_BACKEND && rl->splicing)
            return;
        if (D->off >= D->len) {
            dir_release(l, D);
            if (d == D_CLIENT && mc_relay_client_paused(rl->r))
                return; /* read again when the backend's answers unpause it */
            if (d == D_BACKEND && splice_wanted(l, rl)) {
                if (splice_open(l, rl) == 0) {
                    rl->splicing = 1;
                    D->head = 0; /* back to head_read after this body */
                    splice_pump(l, rl);
                    return;
                }
            }
            recv_post(l, rl, d);
            return;
        }
        if (d == D_CLIENT && mc_relay_client_paused(rl->r))
            return;
        uint32_t n = 0;
        const uint8_t *base = D->data + D->off;
        uint64_t avail = D->len - D->off;
        int64_t used = mc_relay_step(rl->r, d, base, (size_t)avail, out, RING_RELAY_OUTS, &n);
        if (used < 0 || (uint64_t)used > avail || n > RING_RELAY_OUTS) {
            relay_stop(l, rl, d == D_CLIENT ? MC_RELAY_CLIENT_CLOSE : MC_RELAY_BACKEND_INVALID);
            return;
        }
        int piped = d == D_BACKEND ? head_to_pipe(l, rl, base, avail, used, out, n) : 0;
        if (piped < 0) {
            relay_stop(l, rl, MC_RELAY_CLIENT_ERROR);
            return;
        }
        D->off += (uint64_t)used;
        uint32_t touched = 0;
        for (uint32_t i = 0; i < n && !piped; i++) {
            if (out[i].len == 0 || out[i].to > MC_RELAY_TO_CLIENT)
                continue;
            const uint8_t *p = out_at(&out[i], base, avail);
            if (p == NULL)
                continue; /* outside this step's input: relay.c's contract forbids it */
            struct ring_sendq *q = queue_take(l, rl, out[i].to);
            if (q == NULL) {
                relay_stop(l, rl, d == D_CLIENT ? MC_RELAY_CLIENT_ERROR : MC_RELAY_BACKEND_ERROR);
                return;
            }
            if (q->count >= RING_QUEUE_CAP)
                continue; /* cannot happen: two steps' outputs fit */
            queue_push(q, p, out[i].len, d);
            D->pending++;
            touched |= 1u << out[i].to;
        }
        if (touched & (1u << MC_RELAY_TO_BACKEND))
            queue_kick(l, rl, MC_RELAY_TO_BACKEND);
        if (touched & (1u << MC_RELAY_TO_CLIENT))
            queue_kick(l, rl, MC_RELAY_TO_CLIENT);
        if (mc_relay_stop_reason(rl->r) != MC_RELAY_RUNNING) {
            relay_stop(l, rl, mc_relay_stop_reason(rl->r));
            return;
        }
        if (piped) {
            /* The pipe holds the body's head and owns the client's stream from now on: what
             * the client direction makes for the client below waits in the queue. */
            dir_release(l, D);
            rl->splicing = 1;
            D->head = 0;
        }
        /* The backend's answers may have unpaused a waiting client direction. */
        if (d == D_BACKEND && rl->dir[D_CLIENT].pending == 0 && !rl->dir[D_CLIENT].recv_inflight &&
            !rl->dir[D_CLIENT].parked && !mc_relay_client_paused(rl->r))
            relay_advance(l, rl, D_CLIENT);
        if (piped) {
            if (!rl->stopping)
                splice_pump(l, rl);
            return;
        }
        if (used == 0 && n == 0) {
            if (d == D_CLIENT && mc_relay_client_paused(rl->r))
                return;
            /* No progress and no reason: relay.c broke its contract; never spin. */
            relay_stop(l, rl, d == D_CLIENT ? MC_RELAY_CLIENT_CLOSE : MC_RELAY_BACKEND_INVALID);
            return;
        }
    }
}

/* ---------------------------------------------------------------------------------------- */
/* Splice                                                                                    */

static void rpoll_arm(struct mc_loop *l, struct ring_relay *rl, uint32_t d, unsigned mask)
{
    struct io_uring_sqe *sqe = ring_sqe(l);
    if (sqe == NULL) {
        relay_stop(l, rl, d == D_CLIENT ? MC_RELAY_CLIENT_ERROR : MC_RELAY_BACKEND_ERROR);
        return;
    }
    io_uring_prep_poll_add(sqe, rconn(l, rl, d)->fd, mask);
    io_uring_sqe_set_data64(sqe, ud(l, rl, RING_OP_RPOLL, rl->slot[d]));
    rl->spoll = (uint8_t)(d + 1);
    rconn(l, rl, d)->inflight++;
}

/* Moves the literal body backend -> pipe -> client until either socket would block (then a
 * poll resumes it) or the body is through (then the backend is stepped again). Bytes are
 * reported to relay.c as they enter the pipe: that is when they leave the backend's stream. */
static void splice_pump(struct mc_loop *l, struct ring_relay *rl)
{
    int bfd = rconn(l, rl, D_BACKEND)->fd, cfd = rconn(l, rl, D_CLIENT)->fd;
    for (int turn = 0; turn < 64; turn++) {
        int progress = 0;
        uint64_t left = mc_relay_literal_left(rl->r, MC_RELAY_FROM_BACKEND);
        if (left > 0 && rl->in_pipe < rl->pipe_cap) {
            uint64_t want = rl->pipe_cap - rl->in_pipe;
            if (want > left)
                want = left;
            ssize_t n = splice(bfd, NULL, rl->pipe_w, NULL, (size_t)want, SPLICE_F_NONBLOCK | SPLICE_F_MOVE);
            if (n > 0) {
                rl->in_pipe += (uint64_t)n;
                mc_relay_literal_moved(rl->r, MC_RELAY_FROM_BACKEND, (uint64_t)n);
                progress = 1;
            } else if (n == 0) {
                relay_stop(l, rl, MC_RELAY_BACKEND_EOF);
                return;
            } else if (errno != EAGAIN && errno != EINTR) {
                relay_stop(l, rl, MC_RELAY_BACKEND_ERROR);
                return;
            }
        }
        if (rl->in_pipe > 0) {
            ssize_t n = splice(rl->pipe_r, NULL, cfd, NULL, (size_t)rl->in_pipe, SPLICE_F_NONBLOCK | SPLICE_F_MOVE);
            if (n > 0) {
                rl->in_pipe -= (uint64_t)n;
                progress = 1;
            } else if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
                /* the client is full: a POLLOUT poll resumes below */
            } else {
                if (n < 0 && errno == EPIPE)
                    ring_eat_sigpipe();
                relay_stop(l, rl, MC_RELAY_CLIENT_ERROR);
                return;
            }
        }
        if (rl->in_pipe == 0 && mc_relay_literal_left(rl->r, MC_RELAY_FROM_BACKEND) == 0) {
            rl->splicing = 0;
            queue_kick(l, rl, MC_RELAY_TO_CLIENT);
            relay_advance(l, rl, D_BACKEND);
            return;
        }
        if (!progress)
            break;
    }
    /* Bytes in the pipe wait for the client (blocked, or the turns ran out); an empty pipe
     * waits for the backend. */
    if (rl->in_pipe > 0)
        rpoll_arm(l, rl, D_CLIENT, POLLOUT);
    else
        rpoll_arm(l, rl, D_BACKEND, POLLIN);
}

static void rpoll_cqe(struct mc_loop *l, struct ring_relay *rl, uint32_t d, const struct io_uring_cqe *cqe)
{
    rconn(l, rl, d)->inflight--;
    rl->spoll = 0;
    if (rl->stopping) {
        check_finish(l, rl);
        return;
    }
    if (cqe->res < 0) {
        relay_stop(l, rl, d == D_CLIENT ? MC_RELAY_CLIENT_ERROR : MC_RELAY_BACKEND_ERROR);
        return;
    }
    splice_pump(l, rl);
}

/* ---------------------------------------------------------------------------------------- */
/* Idle timer                                                                                */

static void timer_arm(struct mc_loop *l, struct ring_relay *rl, int64_t ns)
{
    struct io_uring_sqe *sqe = ring_sqe(l);
    if (sqe == NULL)
        return;
    if (ns < 0)
        ns = 0;
    rl->timer_ts.tv_sec = ns / 1000000000;
    rl->timer_ts.tv_nsec = ns % 1000000000;
    io_uring_prep_timeout(sqe, &rl->timer_ts, 0, 0);
    io_uring_sqe_set_data64(sqe, ud(l, rl, RING_OP_RTIMER, rl->slot[D_CLIENT]));
    rl->timer = 1;
    rconn(l, rl, D_CLIENT)->inflight++;
}

/* One timer per relay, re-armed for what is left since the client's last bytes. */
static void rtimer_cqe(struct mc_loop *l, struct ring_relay *rl, const struct io_uring_cqe *cqe)
{
    rconn(l, rl, D_CLIENT)->inflight--;
    rl->timer = 0;
    if (rl->stopping) {
        check_finish(l, rl);
        return;
    }
    (void)cqe;
    uint64_t now = ring_now_ns(), idle = (uint64_t)rl->idle_ns;
    if (now - rl->last_active >= idle) {
        relay_stop(l, rl, MC_RELAY_TIMEOUT);
        return;
    }
    timer_arm(l, rl, (int64_t)(idle - (now - rl->last_active)));
}

/* ---------------------------------------------------------------------------------------- */
/* Stop                                                                                      */

/* The one stop path: records the reason (the first one wins in relay.c), cancels reads, polls
 * and the timer, lets queued sends finish (or drops them for SHUTDOWN and TIMEOUT). */
static void relay_stop(struct mc_loop *l, struct ring_relay *rl, uint32_t reason)
{
    mc_relay_stop(rl->r, reason);
    if (rl->stopping)
        return;
    rl->stopping = 1;
    uint32_t why = mc_relay_stop_reason(rl->r);
    for (uint32_t d = 0; d < 2; d++) {
        if (rl->dir[d].recv_inflight)
            ring_cancel(l, ud(l, rl, RING_OP_RRECV, rl->slot[d]));
        rl->dir[d].parked = 0;
    }
    if (rl->spoll)
        ring_cancel(l, ud(l, rl, RING_OP_RPOLL, rl->slot[rl->spoll - 1]));
    if (rl->timer)
        ring_cancel(l, ud(l, rl, RING_OP_RTIMER, rl->slot[D_CLIENT]));
    rl->splicing = 0;
    if (why == MC_RELAY_SHUTDOWN || why == MC_RELAY_TIMEOUT) {
        rl->drop_sends = 1;
        for (uint32_t t = 0; t < 2; t++) {
            if (rl->q[t] == NULL)
                continue;
            if (rl->q[t]->inflight) {
                ring_cancel(l, ud(l, rl, RING_OP_RSEND, queue_slot(rl, t)));
            } else {
                queue_drop(rl, rl->q[t]);
                queue_settle(l, rl, t);
            }
        }
    }
    check_finish(l, rl);
}

/* Delivers MC_EV_RELAY once nothing of the relay is in the kernel and no send is queued. */
static void check_finish(struct mc_loop *l, struct ring_relay *rl)
{
    if (!rl->stopping || rl->done)
        return;
    for (uint32_t d = 0; d < 2; d++)
        if (rl->dir[d].recv_inflight)
            return;
    if (rl->spoll || rl->timer)
        return;
    for (uint32_t t = 0; t < 2; t++) {
        if (rl->q[t] == NULL)
            continue;
        if (rl->q[t]->inflight)
            return;
        if (rl->q[t]->count > 0) {
            queue_kick(l, rl, t);
            if (rl->q[t] != NULL && (rl->q[t]->inflight || rl->q[t]->count > 0))
                return;
        }
    }
    rl->done = 1;
    for (uint32_t d = 0; d < 2; d++) {
        struct ring_conn *c = rconn(l, rl, d);
        c->role = ROLE_NONE;
        c->rl = NULL;
    }
    ring_push_event(l, rl->token, MC_EV_RELAY, (int32_t)mc_relay_stop_reason(rl->r), NULL, 0, 0, -1, rl);
}

/* ---------------------------------------------------------------------------------------- */
/* Entry points                                                                              */

void ring_relay_cqe(struct mc_loop *l, struct ring_conn *c, uint32_t slot, uint32_t op,
                    const struct io_uring_cqe *cqe)
{
    struct ring_relay *rl = c->rl;
    if (rl == NULL) {
        /* The relay already finished: nothing should be left in flight; keep counts sane. */
        if (c->inflight > 0)
            c->inflight--;
        if (cqe->flags & IORING_CQE_F_BUFFER) {
            l->bufs_out++;
            ring_buf_give_back(l, (int32_t)(cqe->flags >> IORING_CQE_BUFFER_SHIFT));
        }
        return;
    }
    uint32_t d = slot == rl->slot[D_CLIENT] ? D_CLIENT : D_BACKEND;
    switch (op) {
    case RING_OP_RRECV:
        rrecv_cqe(l, rl, d, cqe);
        break;
    case RING_OP_RSEND:
        rsend_cqe(l, rl, d == D_CLIENT ? MC_RELAY_TO_CLIENT : MC_RELAY_TO_BACKEND, cqe);
        break;
    case RING_OP_RPOLL:
        rpoll_cqe(l, rl, d, cqe);
        break;
    case RING_OP_RTIMER:
        rtimer_cqe(l, rl, cqe);
        break;
    default:
        break;
    }
}

static struct ring_relay *relay_alloc(struct mc_loop *l)
{
    struct ring_relay *rl = l->relay_free;
    if (rl != NULL) {
        l->relay_free = rl->next;
    } else {
        rl = malloc(sizeof *rl);
        if (rl == NULL)
            return NULL;
        memset(rl, 0, sizeof *rl);
        rl->all_next = l->relay_all;
        l->relay_all = rl;
    }
    struct ring_relay *keep = rl->all_next;
    memset(rl, 0, sizeof *rl);
    rl->all_next = keep;
    rl->pipe_r = rl->pipe_w = -1;
    rl->dir[0].bid = rl->dir[1].bid = -1;
    return rl;
}

/* After the relay's event was returned and the next poll began: buffers, copies and the pipe
 * go back. */
void ring_relay_release(struct mc_loop *l, struct ring_relay *rl)
{
    for (uint32_t d = 0; d < 2; d++) {
        dir_release(l, &rl->dir[d]);
        if (rl->q[d] != NULL) {
            /* Finished relays have nothing queued or in flight (check_finish). */
            rl->q[d]->count = 0;
            rl->q[d]->inflight = 0;
            queue_settle(l, rl, d);
        }
    }
    if (rl->pipe_r >= 0)
        close(rl->pipe_r);
    if (rl->pipe_w >= 0)
        close(rl->pipe_w);
    rl->pipe_r = rl->pipe_w = -1;
    rl->r = NULL;
    rl->next = l->relay_free;
    l->relay_free = rl;
}

void ring_relay_free_all(struct mc_loop *l)
{
    struct ring_relay *rl = l->relay_all;
    while (rl != NULL) {
        struct ring_relay *next = rl->all_next;
        free(rl->dir[0].initial);
        free(rl->dir[1].initial);
        if (rl->pipe_r >= 0)
            close(rl->pipe_r);
        if (rl->pipe_w >= 0)
            close(rl->pipe_w);
        free(rl);
        rl = next;
    }
    l->relay_all = l->relay_free = l->relay_returned = NULL;
    struct ring_sendq *q = l->sendq_all;
    while (q != NULL) {
        struct ring_sendq *next = q->all_next;
        free(q);
        q = next;
    }
    l->sendq_all = l->sendq_free = NULL;
    l->sendq_count = l->sendq_pooled = 0;
}

static int conn_idle(const struct ring_conn *c)
{
    return c->used && !c->closing && c->inflight == 0 && c->recv_state == RECV_IDLE &&
           c->send_state == SEND_IDLE && !c->connecting && c->role == ROLE_NONE;
}

static int dir_seed(struct ring_dir *D, const void *bytes, size_t len)
{
    if (len == 0)
        return 0;
    if (bytes == NULL)
        return -EINVAL;
    D->initial = malloc(len);
    if (D->initial == NULL)
        return -ENOMEM;
    memcpy(D->initial, bytes, len);
    D->data = D->initial;
    D->len = len;
    D->off = 0;
    return 0;
}

int mc_loop_relay(mc_loop *l, int client, int backend, mc_relay *r, const void *client_bytes, size_t client_len,
                  const void *backend_bytes, size_t backend_len, int64_t idle_ns, uint64_t token)
{
    if (l == NULL || r == NULL)
        return -EINVAL;
    int rc = ring_enter(l);
    if (rc < 0)
        return rc;
    if (client < 0 || backend < 0 || (uint32_t)client >= l->cfg.max_conns ||
        (uint32_t)backend >= l->cfg.max_conns || client == backend)
        return -EBADF;
    struct ring_conn *cc = &l->conns[client], *bc = &l->conns[backend];
    if (!cc->used || !bc->used)
        return -EBADF;
    if (!conn_idle(cc) || !conn_idle(bc))
        return -EBUSY;
    if (mc_relay_stop_reason(r) != MC_RELAY_RUNNING)
        return -EINVAL;
    struct ring_relay *rl = relay_alloc(l);
    if (rl == NULL)
        return -ENOMEM;
    rl->r = r;
    rl->token = token;
    rl->slot[D_CLIENT] = (uint32_t)client;
    rl->slot[D_BACKEND] = (uint32_t)backend;
    rl->idle_ns = idle_ns;
    rl->last_active = ring_now_ns();
    rc = dir_seed(&rl->dir[D_CLIENT], client_bytes, client_len);
    if (rc == 0)
        rc = dir_seed(&rl->dir[D_BACKEND], backend_bytes, backend_len);
    if (rc < 0) {
        ring_relay_release(l, rl);
        return rc;
    }
    cc->role = ROLE_CLIENT;
    bc->role = ROLE_BACKEND;
    cc->rl = bc->rl = rl;
    if (idle_ns >= 0)
        timer_arm(l, rl, idle_ns);
    relay_advance(l, rl, D_BACKEND);
    if (!rl->stopping)
        relay_advance(l, rl, D_CLIENT);
    return 0;
}

int mc_loop_relay_stop(mc_loop *l, int client)
{
    int rc = ring_enter(l);
    if (rc < 0)
        return rc;
    if (client < 0 || (uint32_t)client >= l->cfg.max_conns || !l->conns[client].used)
        return -EBADF;
    struct ring_conn *c = &l->conns[client];
    if (c->role != ROLE_CLIENT || c->rl == NULL)
        return -ENOENT;
    relay_stop(l, c->rl, MC_RELAY_SHUTDOWN);
    return 0;
}

size_t mc_loop_relay_leftover(mc_loop *l, mc_relay *r, uint32_t from, const void **p1, size_t *n1,
                              const void **p2, size_t *n2)
{
    const void *a = NULL, *b = NULL;
    size_t na = 0, nb = 0;
    if (l != NULL && r != NULL && from <= MC_RELAY_FROM_BACKEND) {
        for (struct ring_relay *rl = l->relay_returned; rl != NULL; rl = rl->next) {
            if (rl->r != r)
                continue;
            na = mc_relay_held(r, from, &a);
            if (na == 0)
                a = NULL;
            const struct ring_dir *D = &rl->dir[from];
            if (D->data != NULL && D->off < D->len) {
                b = D->data + D->off;
                nb = (size_t)(D->len - D->off);
            }
            break;
        }
    }
    if (p1 != NULL)
        *p1 = a;
    if (n1 != NULL)
        *n1 = na;
    if (p2 != NULL)
        *p2 = b;
    if (n2 != NULL)
        *n2 = nb;
    return na + nb;
}

#else /* !__linux__ */

#include <stddef.h>

int mc_loop_relay(mc_loop *l, int client, int backend, mc_relay *r, const void *client_bytes, size_t client_len,
                  const void *backend_bytes, size_t backend_len, int64_t idle_ns, uint64_t token)
{
    (void)l; (void)client; (void)backend; (void)r; (void)client_bytes; (void)client_len;
    (void)backend_bytes; (void)backend_len; (void)idle_ns; (void)token;
    return -ENOSYS;
}
int mc_loop_relay_stop(mc_loop *l, int client) { (void)l; (void)client; return -ENOSYS; }
size_t mc_loop_relay_leftover(mc_loop *l, mc_relay *r, uint32_t from, const void **p1, size_t *n1,
                              const void **p2, size_t *n2)
{
    (void)l; (void)r; (void)from;
    if (p1) *p1 = NULL;
    if (n1) *n1 = 0;
    if (p2) *p2 = NULL;
    if (n2) *n2 = 0;
    return 0;
}

#endif /* __linux__ */
