/*
 * scan_replay.h — feeds a byte stream through mc_scan_step() in pieces of given sizes,
 * checking the scanner's invariants on every call, and records the events in a normal form
 * that does not depend on how the stream was split (literal chunks merged, NEED_MORE
 * dropped, each event tagged with the stream offset where it ended). Shared by
 * Tests/c/scan_check.c (sanitizer replay) and fuzz/scan_fuzz.c (libFuzzer harness).
 *
 * On a broken invariant it prints what and where, then aborts, so that both the sanitizer
 * run and the fuzzer stop on it with the input that caused it.
 */
#ifndef SCAN_REPLAY_H
#define SCAN_REPLAY_H

#include "murder_core.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct replay_event {
    mc_scan_event ev; /* consumed and literal_left normalised: see replay_record() */
    uint64_t end;     /* stream offset just after the event's last byte */
} replay_event;

_Static_assert(sizeof(mc_scan_event) == 72, "mc_scan_event has no padding: memcmp compares it");

typedef struct replay_list {
    replay_event *v;
    size_t n, cap;
} replay_list;

static void replay_fail(const char *what, uint64_t at)
{
    fprintf(stderr, "scan invariant broken: %s (stream offset %" PRIu64 ")\n", what, at);
    abort();
}

#define REPLAY_CHECK(cond, at)                                                               \
    do {                                                                                     \
        if (!(cond))                                                                         \
            replay_fail(#cond, (at));                                                        \
    } while (0)

static void replay_push(replay_list *l, const mc_scan_event *ev, uint64_t end)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 64;
        l->v = realloc(l->v, l->cap * sizeof *l->v);
        if (l->v == NULL)
            abort();
    }
    memset(&l->v[l->n], 0, sizeof l->v[l->n]);
    l->v[l->n].ev = *ev;
    l->v[l->n].end = end;
    l->n++;
}

/* Appends an event in normal form: a literal chunk extends the previous literal record. */
static void replay_record(replay_list *l, const mc_scan_event *ev, uint64_t end)
{
    mc_scan_event e = *ev;
    if (e.kind == MC_SCAN_NEED_MORE)
        return;
    if (e.kind != MC_SCAN_LITERAL)
        e.consumed = 0; /* how much of a segment came in its last piece depends on the split */
    if (e.kind == MC_SCAN_LITERAL && l->n > 0 && l->v[l->n - 1].ev.kind == MC_SCAN_LITERAL &&
        l->v[l->n - 1].ev.literal_left != 0) {
        replay_event *last = &l->v[l->n - 1];
        last->ev.consumed += e.consumed;
        last->ev.literal_left = e.literal_left;
        last->end = end;
        return;
    }
    replay_push(l, &e, end);
}

/*
 * Feeds data[0..len) in pieces whose sizes cycle through sizes[0..nsizes) (0 means "the
 * rest"), calling mc_scan_step until each piece is consumed or the scanner closes. Records
 * the normalised events in *out and checks, on every call: the return value, progress,
 * NEED_MORE consuming everything, LINE ending at a LF with line_len equal to the bytes of the
 * segment, spans inside the segment, limits respected, literal accounting, sticky CLOSE.
 */
static void replay(const uint8_t *data, size_t len, uint32_t mode, const mc_scan_limits *lim,
                   const size_t *sizes, size_t nsizes, replay_list *out)
{
    mc_scan s;
    mc_scan_event ev;
    uint64_t pos = 0, seg_start = 0, lit_left = 0;
    size_t piece = 0;
    int in_literal = 0, discarding = 0;

    if (mc_scan_init(&s, mode, lim) != 0)
        replay_fail("mc_scan_init refused valid limits", 0);
    out->n = 0;
    while (pos < len) {
        size_t want = nsizes ? sizes[piece++ % nsizes] : 0;
        size_t avail = len - (size_t)pos;
        if (want != 0 && want < avail)
            avail = want;
        const uint8_t *p = data + pos;
        while (avail > 0) {
            memset(&ev, 0xA5, sizeof ev); /* every field must be written */
            int64_t r = mc_scan_step(&s, p, avail, &ev);
            REPLAY_CHECK(r >= 0 && (uint64_t)r == ev.consumed, pos);
            REPLAY_CHECK((size_t)r <= avail, pos);
            REPLAY_CHECK(ev.kind <= MC_SCAN_CLOSE, pos);
            if (ev.kind == MC_SCAN_CLOSE) {
                /* The CLOSE may end a segment at its LF; nothing after it is consumed. */
                REPLAY_CHECK(ev.reason >= MC_SCAN_ERR_LINE_TOO_LONG &&
                                 ev.reason <= MC_SCAN_ERR_NUL, pos);
                if (r > 0)
                    REPLAY_CHECK(p[r - 1] == '\n', pos + (uint64_t)r);
                pos += (uint64_t)r;
                replay_record(out, &ev, pos);
                mc_scan_event again;
                REPLAY_CHECK(mc_scan_step(&s, p + r, avail - (size_t)r, &again) == 0, pos);
                REPLAY_CHECK(again.kind == MC_SCAN_CLOSE && again.reason == ev.reason, pos);
                REPLAY_CHECK(s.offset == pos, pos);
                return;
            }
            REPLAY_CHECK(r > 0, pos); /* progress */
            if (discarding) {
                /* A discarded segment ends silently at its first LF, within this call. */
                const uint8_t *lf = memchr(p, '\n', (size_t)r);
                if (lf != NULL) {
                    discarding = 0;
                    seg_start = pos + (uint64_t)(lf - p) + 1;
                } else {
                    REPLAY_CHECK(ev.kind == MC_SCAN_NEED_MORE, pos);
                }
            }
            switch (ev.kind) {
            case MC_SCAN_NEED_MORE:
                REPLAY_CHECK((size_t)r == avail, pos);
                if (in_literal)
                    replay_fail("NEED_MORE inside a literal", pos);
                break;
            case MC_SCAN_LITERAL:
                REPLAY_CHECK(in_literal && !discarding, pos);
                REPLAY_CHECK((uint64_t)r <= lit_left, pos);
                REPLAY_CHECK(ev.literal_left == lit_left - (uint64_t)r, pos);
                REPLAY_CHECK((uint64_t)r == lit_left || (size_t)r == avail, pos);
                lit_left = ev.literal_left;
                if (lit_left == 0) {
                    in_literal = 0;
                    seg_start = pos + (uint64_t)r;
                }
                break;
            case MC_SCAN_LINE:
            case MC_SCAN_INVALID: {
                uint64_t seg = pos + (uint64_t)r - seg_start;
                REPLAY_CHECK(!in_literal && !discarding, pos);
                REPLAY_CHECK(ev.reason <= MC_SCAN_ERR_NUL, pos);
                REPLAY_CHECK((ev.kind == MC_SCAN_LINE) == (ev.reason == MC_SCAN_OK), pos);
                REPLAY_CHECK(ev.line_len == seg, pos + (uint64_t)r);
                REPLAY_CHECK(ev.tag_off == 0 && ev.tag_len <= ev.line_len, pos);
                REPLAY_CHECK((uint64_t)ev.verb_off + ev.verb_len <= ev.line_len, pos);
                REPLAY_CHECK(ev.first || (ev.tag_len == 0 && ev.verb_len == 0), pos);
                REPLAY_CHECK(mode == MC_SCAN_RESPONSES || (ev.response_kind == MC_RESP_NONE &&
                                                           ev.status == MC_STATUS_NONE), pos);
                int at_lf = p[r - 1] == '\n';
                if (ev.kind == MC_SCAN_LINE) {
                    REPLAY_CHECK(at_lf && ev.line_len <= lim->max_line, pos);
                    if (ev.literal_kind != MC_LIT_NONE) {
                        REPLAY_CHECK(ev.literal_len <= lim->max_literal, pos);
                        if (ev.literal_len > 0) {
                            in_literal = 1;
                            lit_left = ev.literal_len;
                        }
                    }
                } else if (!at_lf || ev.line_len > lim->max_line) {
                    /* Refused for its length, at the byte that passed the bound. */
                    REPLAY_CHECK(ev.reason == MC_SCAN_ERR_LINE_TOO_LONG, pos);
                    REPLAY_CHECK(ev.line_len == lim->max_line + 1, pos);
                    if (!at_lf)
                        discarding = 1;
                }
                if (!at_lf || ev.line_len == 1)
                    REPLAY_CHECK(ev.has_cr == 0, pos);
                else if (r >= 2)
                    REPLAY_CHECK(ev.has_cr == (p[r - 2] == '\r'), pos);
                seg_start = pos + (uint64_t)r;
                break;
            }
            default:
                replay_fail("unknown event kind", pos);
            }
            pos += (uint64_t)r;
            p += r;
            avail -= (size_t)r;
            replay_record(out, &ev, pos);
            REPLAY_CHECK(s.offset == pos, pos);
        }
    }
}

/* Returns the index of the first difference between two normalised lists, or -1. */
static long replay_diff(const replay_list *a, const replay_list *b)
{
    size_t n = a->n < b->n ? a->n : b->n;
    for (size_t i = 0; i < n; i++) {
        if (a->v[i].end != b->v[i].end || memcmp(&a->v[i].ev, &b->v[i].ev, sizeof a->v[i].ev) != 0)
            return (long)i;
    }
    return a->n == b->n ? -1 : (long)n;
}

static void replay_print(FILE *f, const replay_list *l)
{
    for (size_t i = 0; i < l->n; i++) {
        const mc_scan_event *e = &l->v[i].ev;
        fprintf(f,
                "  end=%" PRIu64 " kind=%u reason=%u consumed=%" PRIu64 " len=%u first=%u cr=%u"
                " tag=%u+%u verb=%u+%u resp=%u status=%u lit=%u/%" PRIu64 " left=%" PRIu64 "\n",
                l->v[i].end, e->kind, e->reason, e->consumed, e->line_len, e->first, e->has_cr,
                e->tag_off, e->tag_len, e->verb_off, e->verb_len, e->response_kind, e->status,
                e->literal_kind, e->literal_len, e->literal_left);
    }
}

#endif /* SCAN_REPLAY_H */
