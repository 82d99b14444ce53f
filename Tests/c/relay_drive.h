/*
 * relay_drive.h — drives an mc_relay the way the loop does, without sockets: bytes "received"
 * from each side wait in a pending buffer, step takes what it can, the outputs are "sent"
 * (appended to a buffer per destination) at once, and bytes left over are offered again after
 * the other direction made progress. Literal bodies can be moved around step (the splice
 * path) with mc_relay_literal_moved().
 *
 * Every call's invariants are checked (outputs inside the consumed input, counts, the stop
 * reason sticky, held bytes bounded, every consumed byte forwarded, dropped or held, no call
 * that takes nothing unless the relay is stopped or paused); a broken one prints and aborts.
 * Shared by Tests/c/relay_check.c and fuzz/relay_fuzz.c.
 */
#ifndef RELAY_DRIVE_H
#define RELAY_DRIVE_H

#include "murder_core.h"
#include "relay_internal.h"

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct dbuf {
    uint8_t *p;
    size_t n, cap;
} dbuf;

static inline void dbuf_put(dbuf *b, const void *src, size_t n)
{
    if (n == 0)
        return;
    if (b->n + n > b->cap) {
        while (b->n + n > b->cap)
            b->cap = b->cap ? b->cap * 2 : 4096;
        b->p = realloc(b->p, b->cap);
        if (b->p == NULL)
            abort();
    }
    memcpy(b->p + b->n, src, n);
    b->n += n;
}

static inline void dbuf_drop_front(dbuf *b, size_t n)
{
    memmove(b->p, b->p + n, b->n - n);
    b->n -= n;
}

typedef struct drive {
    mc_relay *r;
    uint32_t max_out;
    int splice;           /* move literal bodies around step, half of what is there at a time */
    dbuf pending[2];      /* by MC_RELAY_FROM_*: given to the relay, not consumed yet */
    dbuf all[2];          /* everything given, by MC_RELAY_FROM_* */
    dbuf to[2];           /* by MC_RELAY_TO_*: what the relay sent */
    uint64_t consumed[2]; /* by MC_RELAY_FROM_*: taken by step or moved */
    uint64_t calls;
} drive;

static inline void drive_fail(const drive *dv, const char *what)
{
    fprintf(stderr, "relay invariant broken: %s (stop %u, outstanding %u, consumed %" PRIu64
                    "/%" PRIu64 ")\n",
            what, mc_relay_stop_reason(dv->r), mc_relay_outstanding(dv->r), dv->consumed[0],
            dv->consumed[1]);
    abort();
}

#define DRIVE_CHECK(dv, cond)                                                                \
    do {                                                                                     \
        if (!(cond))                                                                         \
            drive_fail(dv, #cond);                                                           \
    } while (0)

static inline void drive_init(drive *dv, const mc_relay_config *cfg, uint32_t max_out, int splice)
{
    static _Alignas(16) unsigned char mem[sizeof(struct mc_relay)];
    memset(dv, 0, sizeof *dv);
    if (mc_relay_size() > sizeof mem)
        abort();
    dv->r = (mc_relay *)(void *)mem;
    dv->max_out = max_out;
    dv->splice = splice;
    if (mc_relay_init(dv->r, cfg) != 0)
        abort();
}

static inline void drive_free(drive *dv)
{
    for (int i = 0; i < 2; i++) {
        free(dv->pending[i].p);
        free(dv->all[i].p);
        free(dv->to[i].p);
    }
    memset(dv, 0, sizeof *dv);
}

/* Everything consumed is accounted for: forwarded (copied or spliced), dropped or held. */
static inline void drive_check_accounts(const drive *dv)
{
    mc_relay_stats st;
    mc_relay_stats_get(dv->r, &st);
    for (uint32_t f = 0; f < 2; f++) {
        const void *h;
        size_t held = mc_relay_held(dv->r, f, &h);
        DRIVE_CHECK(dv, held <= MC_RELAY_HOLD);
        DRIVE_CHECK(dv, st.copied[f] + st.spliced[f] + dv->r->dir[f].dropped + held ==
                            dv->consumed[f]);
    }
}

/* Moves part of a literal body of `from` around step, as the loop's splice does. */
static inline int drive_splice(drive *dv, uint32_t from)
{
    uint64_t left = mc_relay_literal_left(dv->r, from);
    dbuf *p = &dv->pending[from];
    if (!dv->splice || left == 0 || p->n == 0)
        return 0;
    uint64_t n = left < p->n ? left : p->n;
    n = n > 1 ? (n + 1) / 2 : n;
    dbuf_put(&dv->to[from == MC_RELAY_FROM_CLIENT ? MC_RELAY_TO_BACKEND : MC_RELAY_TO_CLIENT],
             p->p, (size_t)n);
    DRIVE_CHECK(dv, mc_relay_literal_moved(dv->r, from, n) == 0);
    dbuf_drop_front(p, (size_t)n);
    dv->consumed[from] += n;
    drive_check_accounts(dv);
    return 1;
}

/* One step call over the pending bytes of `from`, checked; returns the bytes consumed. */
static inline size_t drive_step(drive *dv, uint32_t from)
{
    mc_relay_out out[64];
    uint32_t n_out = 999;
    dbuf *p = &dv->pending[from];
    uint32_t stop_before = mc_relay_stop_reason(dv->r);
    uint32_t max_out = dv->max_out > 64 ? 64 : dv->max_out;

    int64_t rc = mc_relay_step(dv->r, from, p->p, p->n, out, max_out, &n_out);
    dv->calls++;
    DRIVE_CHECK(dv, rc >= 0 && (uint64_t)rc <= p->n);
    DRIVE_CHECK(dv, n_out <= max_out);
    if (stop_before != MC_RELAY_RUNNING) {
        DRIVE_CHECK(dv, rc == 0 && n_out == 0);
        DRIVE_CHECK(dv, mc_relay_stop_reason(dv->r) == stop_before);
    }
    for (uint32_t i = 0; i < n_out; i++) {
        DRIVE_CHECK(dv, out[i].to <= MC_RELAY_TO_CLIENT && out[i].len > 0);
        if (from == MC_RELAY_FROM_BACKEND)
            DRIVE_CHECK(dv, out[i].to == MC_RELAY_TO_CLIENT);
        if (out[i].kind == MC_RELAY_OUT_INPUT) {
            DRIVE_CHECK(dv, out[i].off + out[i].len <= (uint64_t)rc);
            DRIVE_CHECK(dv, out[i].to == (from == MC_RELAY_FROM_CLIENT ? MC_RELAY_TO_BACKEND
                                                                        : MC_RELAY_TO_CLIENT));
            dbuf_put(&dv->to[out[i].to], p->p + out[i].off, (size_t)out[i].len);
        } else {
            DRIVE_CHECK(dv, out[i].kind == MC_RELAY_OUT_BYTES && out[i].bytes != NULL);
            DRIVE_CHECK(dv, out[i].len <= MC_RELAY_HOLD);
            dbuf_put(&dv->to[out[i].to], out[i].bytes, (size_t)out[i].len);
        }
    }
    dv->consumed[from] += (uint64_t)rc;
    dbuf_drop_front(p, (size_t)rc);
    if (rc == 0 && stop_before == MC_RELAY_RUNNING && dv->pending[from].n > 0) {
        /* No progress is only allowed when the relay cannot take these bytes now. */
        DRIVE_CHECK(dv, mc_relay_stop_reason(dv->r) != MC_RELAY_RUNNING ||
                            (from == MC_RELAY_FROM_CLIENT && mc_relay_client_paused(dv->r)));
    }
    if (from == MC_RELAY_FROM_CLIENT && mc_relay_client_paused(dv->r) &&
        mc_relay_stop_reason(dv->r) == MC_RELAY_RUNNING) {
        /* A paused client is taken no further. */
        mc_relay_out o2[8];
        uint32_t n2;
        if (p->n > 0) {
            DRIVE_CHECK(dv, mc_relay_step(dv->r, from, p->p, p->n, o2, 8, &n2) == 0);
            DRIVE_CHECK(dv, n2 == 0);
        }
    }
    drive_check_accounts(dv);
    return (size_t)rc;
}

/* Offers the pending bytes of both directions until neither makes progress. */
static inline void drive_pump(drive *dv)
{
    for (int progress = 1; progress;) {
        progress = 0;
        for (uint32_t f = 0; f < 2; f++) {
            while (dv->pending[f].n > 0) {
                if (drive_splice(dv, f)) {
                    progress = 1;
                    continue;
                }
                if (drive_step(dv, f) == 0)
                    break;
                progress = 1;
            }
        }
    }
}

/* The loop received n bytes from `from`. */
static inline void drive_feed(drive *dv, uint32_t from, const void *bytes, size_t n)
{
    dbuf_put(&dv->pending[from], bytes, n);
    dbuf_put(&dv->all[from], bytes, n);
    drive_pump(dv);
}

/* What the session gets back for `from`: held bytes, then the pending ones. */
static inline void drive_leftover(const drive *dv, uint32_t from, dbuf *out)
{
    const void *h;
    size_t n = mc_relay_held(dv->r, from, &h);
    out->n = 0;
    dbuf_put(out, h, n);
    dbuf_put(out, dv->pending[from].p, dv->pending[from].n);
}

/*
 * The client stream [0, n) as the backend must get it when every command in it is relayed:
 * as it came, but each synchronising announcement {n} / ~{n} sent as {n+} / ~{n+}. Found with
 * a scanner of its own, so it does not share relay.c's bookkeeping.
 */
static inline void drive_expected_backend(const uint8_t *s, size_t n, const mc_scan_limits *lim,
                                   dbuf *out)
{
    mc_scan sc;
    mc_scan_event ev;
    size_t pos = 0, seg = 0;
    out->n = 0;
    mc_scan_init(&sc, MC_SCAN_COMMANDS, lim);
    while (pos < n) {
        size_t c = (size_t)mc_scan_step(&sc, s + pos, n - pos, &ev);
        if (ev.kind == MC_SCAN_LITERAL) {
            dbuf_put(out, s + pos, c);
            seg = pos + c;
        } else if (ev.kind == MC_SCAN_LINE) {
            size_t end = pos + c;
            if (ev.literal_kind == MC_LIT_SYNC || ev.literal_kind == MC_LIT_BINARY) {
                size_t close = end - (ev.has_cr ? 3 : 2);
                dbuf_put(out, s + seg, close - seg);
                dbuf_put(out, "+", 1);
                dbuf_put(out, s + close, end - close);
            } else {
                dbuf_put(out, s + seg, end - seg);
            }
            seg = end;
        } else if (ev.kind == MC_SCAN_NEED_MORE) {
            dbuf_put(out, s + seg, pos + c - seg);
        } else {
            return;
        }
        pos += c;
    }
}

#endif /* RELAY_DRIVE_H */
