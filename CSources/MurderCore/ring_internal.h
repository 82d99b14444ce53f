/*
 * ring_internal.h — state shared by ring.c (the io_uring loop) and ring_relay.c (the relay
 * driver that moves bytes between two connections of a loop). Not part of the public API.
 */
#ifndef MURDER_RING_INTERNAL_H
#define MURDER_RING_INTERNAL_H

#ifdef __linux__

#include "murder_core.h"

#include <liburing.h>
#include <sys/socket.h>
#include <sys/uio.h>

/* What a completion belongs to: the low byte of user_data. */
enum {
    RING_OP_IGNORE = 0,  /* cancel requests and linked timeouts: nothing to do */
    RING_OP_WAKE = 1,    /* the eventfd read kept armed for mc_loop_wake() */
    RING_OP_ACCEPT = 2,  /* multishot accept; slot = accept table index */
    RING_OP_RECV = 3,    /* a Swift-side recv */
    RING_OP_SEND = 4,    /* a Swift-side send */
    RING_OP_CONNECT = 5,
    RING_OP_SFPOLL = 6,  /* POLLOUT wait of a sendfile that found the socket full */
    RING_OP_RRECV = 7,   /* a relay direction's recv */
    RING_OP_RSEND = 8,   /* a relay send queue's send */
    RING_OP_RPOLL = 9,   /* readiness wait of a relay's splice */
    RING_OP_RTIMER = 10, /* a relay's idle timer */
};

/* user_data = generation (32 bits) | slot (24 bits) | op (8 bits). A completion whose
 * generation is not the slot's current one belongs to an earlier user of the slot. */
#define RING_UD(op, slot, gen) (((uint64_t)(gen) << 32) | ((uint64_t)(slot) << 8) | (uint64_t)(op))
#define RING_UD_OP(ud) ((uint32_t)((ud) & 0xff))
#define RING_UD_SLOT(ud) ((uint32_t)(((ud) >> 8) & 0xffffff))
#define RING_UD_GEN(ud) ((uint32_t)((ud) >> 32))

enum {
    RING_MAX_SLOTS = 1 << 24,
    RING_MAX_ACCEPTS = 64,    /* listening sockets with a multishot accept at once */
    RING_ACCEPT_ROOM = 256,   /* accept events queued before completions are left in the CQ */
    RING_RELAY_OUTS = 16,     /* outputs of one relay step */
    RING_QUEUE_CAP = 48,      /* a relay send queue: two steps' outputs fit */
    RING_IOV_MAX = 32,        /* iovecs of one relay sendmsg */
    RING_CHUNK = 1 << 30,     /* largest length handed to one send or sendfile call */
};

/* Swift-side recv state of a connection. */
enum { RECV_IDLE = 0, RECV_KERNEL = 1, RECV_PARKED = 2 };
/* Swift-side send state of a connection. */
enum { SEND_IDLE = 0, SEND_KERNEL = 1, SEND_FILE_POLL = 2 };
/* A connection's part in a relay. */
enum { ROLE_NONE = 0, ROLE_CLIENT = 1, ROLE_BACKEND = 2 };

struct ring_relay;

struct ring_conn {
    int fd;
    uint32_t gen;
    uint8_t used, closing, role;
    uint8_t recv_state, recv_cancel;
    uint8_t send_state;
    uint8_t connecting, connect_cancel;
    uint32_t inflight;            /* operations in the kernel whose completion is awaited */
    uint32_t next_free;
    struct ring_relay *rl;        /* the relay this connection is part of */
    uint64_t close_token;
    /* recv */
    uint64_t recv_token;
    uint64_t recv_deadline;       /* CLOCK_MONOTONIC ns, 0 = none */
    struct __kernel_timespec recv_ts;
    /* send / sendfile */
    uint64_t send_token;
    const uint8_t *send_buf;
    uint64_t send_len, send_off;
    int sf_fd;
    uint32_t send_kind;           /* MC_EV_SEND or MC_EV_SENDFILE */
    int64_t sf_off;
    uint64_t sf_left;
    /* connect */
    uint64_t connect_token;
    struct __kernel_timespec connect_ts;
    struct sockaddr_storage addr;
    uint32_t addrlen;
};

/* A queued event and the pool buffer (or finished relay) it pins until the next poll. */
struct ring_event {
    mc_loop_event ev;
    int32_t bid;                  /* pool buffer to recycle once returned, -1 none */
    struct ring_relay *rl;        /* MC_EV_RELAY: leftovers stay valid until the next poll */
};

struct ring_accept {
    int fd;
    uint8_t used, cancelled;
    uint32_t gen;
    uint64_t token;
};

/* A parked receive: the kernel had no pool buffer; retried when one comes back. */
struct ring_parked {
    uint32_t slot, gen;
};

/* One queued relay output: bytes bound for one side, from a step of direction `from`. */
struct ring_out {
    const uint8_t *p;
    uint64_t len;
    uint32_t from;
};

/* A relay's queue of pieces for one socket. Taken from the loop's pool when a step has
 * something to send and given back once empty with no send in flight, so an idle relay (an
 * IMAP client in IDLE for hours) holds none: ~1.7 KiB each. */
struct ring_sendq {
    struct ring_out item[RING_QUEUE_CAP];
    uint32_t head, count;
    uint64_t head_off;            /* bytes of item[head] already sent */
    uint8_t inflight;
    struct iovec iov[RING_IOV_MAX];
    struct msghdr msg;
    struct ring_sendq *next_free; /* the loop's pool */
    struct ring_sendq *all_next;  /* every queue allocated, for destroy */
};

/* One direction of a relay: the bytes read from one side and not yet stepped. */
struct ring_dir {
    int32_t bid;                  /* pool buffer holding data, -1 none */
    uint8_t *initial;             /* copy of the caller's bytes (data points into it), or NULL */
    const uint8_t *data;
    uint64_t len, off;            /* off: bytes stepped */
    uint32_t pending;             /* outputs of the last step not yet sent */
    uint32_t head;                /* backend: what a read between literals asks (0: head_read) */
    uint32_t asked;               /* what the read in flight asked */
    uint8_t recv_inflight, parked;
};

struct ring_relay {
    mc_relay *r;
    uint64_t token;
    uint32_t slot[2];             /* by MC_RELAY_FROM_*: the client's and the backend's slot */
    uint32_t gen[2];
    int64_t idle_ns;
    uint64_t last_active;         /* CLOCK_MONOTONIC ns of the client's last bytes */
    struct ring_dir dir[2];       /* by MC_RELAY_FROM_* */
    struct ring_sendq *q[2];      /* by MC_RELAY_TO_*: NULL while nothing is queued or sent */
    int pipe_r, pipe_w;
    uint64_t pipe_cap, in_pipe;
    uint8_t splicing, spoll;      /* spoll: 0 none, else the RING_DIR slot index + 1 polled */
    uint8_t timer, stopping, drop_sends, done;
    struct __kernel_timespec timer_ts;
    struct ring_relay *next;      /* free list / returned list */
    struct ring_relay *all_next;  /* every relay allocated, for destroy */
};

struct mc_loop {
    struct io_uring ring;
    mc_loop_config cfg;
    uint32_t setup_flags;
    uint8_t enabled, woke, ring_ok;
    /* pool */
    struct io_uring_buf_ring *br;
    size_t br_bytes;
    uint8_t *bufs;
    size_t bufs_bytes;
    uint32_t bufs_out;            /* buffers handed out by the kernel, not yet given back */
    int32_t *recycle;             /* buffers of returned events, given back at the next poll */
    uint32_t n_recycle;
    /* slots */
    struct ring_conn *conns;
    uint32_t free_head;
    /* events */
    struct ring_event *evq;
    uint32_t evq_cap, evq_head, evq_count, accept_queued;
    /* parked receives */
    struct ring_parked *parked;
    uint32_t n_parked;
    /* accepts */
    struct ring_accept acc[RING_MAX_ACCEPTS];
    /* wake-up */
    int evfd;
    uint64_t wake_buf;
    /* relays */
    struct ring_relay *relay_free, *relay_all, *relay_returned;
    struct ring_sendq *sendq_free, *sendq_all;
    uint32_t sendq_count, sendq_pooled;
};

/* ring.c services used by the relay driver. */
int ring_enter(struct mc_loop *l);
struct io_uring_sqe *ring_sqe(struct mc_loop *l);
void ring_ensure_sqes(struct mc_loop *l, unsigned n);
void ring_buf_give_back(struct mc_loop *l, int32_t bid);
uint8_t *ring_buf_addr(struct mc_loop *l, int32_t bid);
void ring_push_event(struct mc_loop *l, uint64_t token, uint32_t kind, int32_t res, const void *data,
                     uint64_t len, uint32_t more, int32_t bid, struct ring_relay *rl);
void ring_park(struct mc_loop *l, uint32_t slot);
void ring_cancel(struct mc_loop *l, uint64_t user_data);
uint64_t ring_now_ns(void);
void ring_eat_sigpipe(void);

/* ring_relay.c entry points used by ring.c. */
void ring_relay_cqe(struct mc_loop *l, struct ring_conn *c, uint32_t slot, uint32_t op,
                    const struct io_uring_cqe *cqe);
void ring_relay_retry_recv(struct mc_loop *l, struct ring_conn *c, uint32_t slot);
void ring_relay_release(struct mc_loop *l, struct ring_relay *rl);
void ring_relay_free_all(struct mc_loop *l);

#endif /* __linux__ */
#endif /* MURDER_RING_INTERNAL_H */
