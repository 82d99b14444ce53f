/*
 * relay.c — the proxy relay's state machine, without sockets (contract: murder_core.h).
 *
 * Design. Each direction runs its own mc_scan (client: MC_SCAN_COMMANDS, backend:
 * MC_SCAN_RESPONSES); every scanner event is one unit of work that becomes at most
 * MC_RELAY_MIN_OUT outputs, so step checks for that much room before each unit and stops
 * early (consuming less) when the output array is full. Outputs point into the input, into
 * a hold buffer of the direction, or at constant strings; nothing is allocated or copied
 * except the few held bytes below.
 *
 * What is held, and why:
 *  - Client: a line is forwarded only once complete, because the first line's tag, verb and
 *    the word after UID decide whether the command is relayed at all, and because a line
 *    announcing a synchronising literal is rewritten ({n} -> {n+}) at its end. A line that
 *    straddles inputs is copied into the hold buffer (at most MC_RELAY_HOLD bytes). A line
 *    longer than that is judged the same way however it was split: a first line is
 *    intercepted, any other line closes the client (MC_RELAY_CLIENT_CLOSE).
 *  - Backend: lines are forwarded as they come, except the start of a message's first line
 *    until its tag (and, for "*", the word after it) says what it is: at most
 *    MC_RELAY_MAX_TAG + 6 bytes are held for that. Literal bodies are never held.
 *  - Each direction has two hold buffers: held bytes sent as an output must stay valid until
 *    the outputs are sent, while the same step may already be holding the next line.
 *
 * Pause rules for the client direction (step takes no client bytes, client_paused() says 1):
 *  - an intercepted command waits at its first byte (its held bytes stay in the relay) until
 *    every outstanding command is answered and the backend is at a message boundary; then
 *    the relay stops with MC_RELAY_INTERCEPT;
 *  - at the first byte of a command while MC_RELAY_MAX_TAGS tags are outstanding;
 *  - at the first byte of a command or continuation line while MC_RELAY_MAX_CONTS
 *    continuation requests wait for the backend to finish the response it is sending
 *    ("+ Ready for literal data" only goes between two backend responses).
 * The line after a relayed IDLE is never paused: the IDLE's answer needs it.
 */
#include "relay_internal.h"

#include <errno.h>
#include <string.h>

#define CONT_TEXT "+ Ready for literal data\r\n"
#define CONT_LEN (sizeof CONT_TEXT - 1)

/* MC_RELAY_MAX_CONTS continuation requests back to back: any number of them is one output. */
static const char conts[] = CONT_TEXT CONT_TEXT CONT_TEXT CONT_TEXT CONT_TEXT CONT_TEXT
    CONT_TEXT CONT_TEXT CONT_TEXT CONT_TEXT CONT_TEXT CONT_TEXT CONT_TEXT CONT_TEXT CONT_TEXT
    CONT_TEXT;
_Static_assert(sizeof conts - 1 == CONT_LEN * MC_RELAY_MAX_CONTS, "one request per pending");

/* Ends of a rewritten synchronising announcement: "...{n" + this. */
static const char suffix_crlf[] = "+}\r\n";
static const char suffix_lf[] = "+}\n";

/* The backend classifier's phases and decisions. */
enum { CLS_TAG = 0, CLS_VERB };
enum { DEC_NONE = 0, DEC_FORWARD, DEC_DROP, DEC_BYE };

static const struct {
    const char *name;
    uint32_t len, bit;
} verb_table[] = {
    {"FETCH", 5, MC_VERB_FETCH},     {"STORE", 5, MC_VERB_STORE}, {"SEARCH", 6, MC_VERB_SEARCH},
    {"SORT", 4, MC_VERB_SORT},       {"THREAD", 6, MC_VERB_THREAD},
    {"EXPUNGE", 7, MC_VERB_EXPUNGE}, {"CHECK", 5, MC_VERB_CHECK}, {"NOOP", 4, MC_VERB_NOOP},
    {"IDLE", 4, MC_VERB_IDLE},       {"COPY", 4, MC_VERB_COPY},   {"MOVE", 4, MC_VERB_MOVE},
};
#define ALL_VERBS ((MC_VERB_MOVE << 1) - 1u)

/* The outputs of one step call. */
typedef struct outs {
    mc_relay_out *v;
    uint32_t n, max;
} outs;

static unsigned char upper(unsigned char c) { return (c >= 'a' && c <= 'z') ? (unsigned char)(c - 32) : c; }

size_t mc_relay_size(void) { return sizeof(struct mc_relay); }

uint32_t mc_relay_verb_bit(const void *word, size_t len)
{
    const unsigned char *w = word;
    if (w == NULL)
        return 0;
    for (size_t i = 0; i < sizeof verb_table / sizeof verb_table[0]; i++) {
        if (verb_table[i].len != len)
            continue;
        size_t k = 0;
        while (k < len && upper(w[k]) == (unsigned char)verb_table[i].name[k])
            k++;
        if (k == len)
            return verb_table[i].bit;
    }
    return 0;
}

/* Back to the start of a backend first line: nothing of the tag read yet. */
static void cls_reset(mc_relay *r)
{
    r->cls_phase = CLS_TAG;
    r->cls_tag_len = 0;
    r->cls_verb_len = 0;
}

int mc_relay_init(mc_relay *r, const mc_relay_config *cfg)
{
    if (r == NULL || cfg == NULL)
        return -EINVAL;
    if ((cfg->verbs & ~ALL_VERBS) != 0 || (cfg->uid_verbs & ~ALL_VERBS) != 0)
        return -EINVAL;
    mc_scan probe;
    if (mc_scan_init(&probe, MC_SCAN_COMMANDS, &cfg->client) != 0 ||
        mc_scan_init(&probe, MC_SCAN_RESPONSES, &cfg->backend) != 0)
        return -EINVAL;
    memset(r, 0, sizeof *r);
    r->verbs = cfg->verbs;
    r->uid_verbs = cfg->uid_verbs;
    mc_scan_init(&r->dir[MC_RELAY_FROM_CLIENT].scan, MC_SCAN_COMMANDS, &cfg->client);
    mc_scan_init(&r->dir[MC_RELAY_FROM_BACKEND].scan, MC_SCAN_RESPONSES, &cfg->backend);
    r->dir[MC_RELAY_FROM_CLIENT].state = MC_RC_START;
    r->dir[MC_RELAY_FROM_BACKEND].state = MC_RB_CLASSIFY;
    cls_reset(r);
    return 0;
}

uint32_t mc_relay_stop_reason(const mc_relay *r) { return r ? r->stop : MC_RELAY_RUNNING; }

void mc_relay_stop(mc_relay *r, uint32_t reason)
{
    if (r != NULL && r->stop == MC_RELAY_RUNNING)
        r->stop = reason;
}

uint32_t mc_relay_outstanding(const mc_relay *r) { return r ? r->n_tags : 0; }

/*
 * Whether the client direction must wait at the start of its next segment (see the pause
 * rules at the top). Only at a segment's first byte: a line once started is always taken.
 */
static int client_waits(const mc_relay *r)
{
    const mc_relay_dir *d = &r->dir[MC_RELAY_FROM_CLIENT];
    if (d->hold_len != 0 || d->in_literal)
        return 0;
    if (d->state == MC_RC_START && r->n_tags >= MC_RELAY_MAX_TAGS)
        return 1;
    return (d->state == MC_RC_START || d->state == MC_RC_RELAY) &&
           r->pending_conts >= MC_RELAY_MAX_CONTS;
}

int mc_relay_client_paused(const mc_relay *r)
{
    if (r == NULL)
        return 1;
    return r->stop != MC_RELAY_RUNNING || r->intercept || client_waits(r);
}

size_t mc_relay_held(const mc_relay *r, uint32_t from, const void **bytes)
{
    if (r == NULL || from > MC_RELAY_FROM_BACKEND) {
        if (bytes)
            *bytes = NULL;
        return 0;
    }
    const mc_relay_dir *d = &r->dir[from];
    if (bytes)
        *bytes = d->hold[d->hold_buf];
    return d->hold_len;
}

uint64_t mc_relay_literal_left(const mc_relay *r, uint32_t from)
{
    if (r == NULL || from > MC_RELAY_FROM_BACKEND || r->stop != MC_RELAY_RUNNING)
        return 0;
    const mc_relay_dir *d = &r->dir[from];
    if (!d->in_literal)
        return 0;
    if (from == MC_RELAY_FROM_CLIENT)
        return (d->state == MC_RC_RELAY && !r->intercept) ? d->literal_left : 0;
    return d->state == MC_RB_FORWARD ? d->literal_left : 0;
}

/*
 * Spliced bytes never pass through step, yet the scanner must count them. In a literal body
 * the scanner looks at no byte, only at the count: all but the last byte are taken off its
 * count directly, and the last one is stepped (from a dummy byte) so that the scanner itself
 * moves on to the continuation segment exactly as if it had read the body.
 */
int mc_relay_literal_moved(mc_relay *r, uint32_t from, uint64_t n)
{
    if (r == NULL || from > MC_RELAY_FROM_BACKEND || n > mc_relay_literal_left(r, from))
        return -EINVAL;
    if (n == 0)
        return 0;
    mc_relay_dir *d = &r->dir[from];
    static const uint8_t dummy = 0;
    mc_scan_event ev;
    d->scan.literal_left -= n - 1;
    d->scan.offset += n - 1;
    if (mc_scan_step(&d->scan, &dummy, 1, &ev) != 1 || ev.kind != MC_SCAN_LITERAL)
        return -EINVAL; /* cannot happen: literal_left() said the scanner is in a body */
    d->literal_left = ev.literal_left;
    d->in_literal = ev.literal_left != 0;
    r->stats.spliced[from] += n;
    return 0;
}

void mc_relay_stats_get(const mc_relay *r, mc_relay_stats *out)
{
    if (out == NULL)
        return;
    if (r == NULL)
        memset(out, 0, sizeof *out);
    else
        *out = r->stats;
}

/* ---- outputs ---- */

/* Bytes [off, off + len) of the input; joined to the previous output when contiguous. */
static void out_input(outs *o, uint32_t to, uint64_t off, uint64_t len)
{
    if (len == 0)
        return;
    if (o->n > 0) {
        mc_relay_out *last = &o->v[o->n - 1];
        if (last->kind == MC_RELAY_OUT_INPUT && last->to == to && last->off + last->len == off) {
            last->len += len;
            return;
        }
    }
    mc_relay_out *x = &o->v[o->n++];
    x->to = to;
    x->kind = MC_RELAY_OUT_INPUT;
    x->off = off;
    x->len = len;
    x->bytes = NULL;
}

static void out_bytes(outs *o, uint32_t to, const void *p, uint64_t len)
{
    if (len == 0)
        return;
    mc_relay_out *x = &o->v[o->n++];
    x->to = to;
    x->kind = MC_RELAY_OUT_BYTES;
    x->off = 0;
    x->len = len;
    x->bytes = p;
}

/*
 * The continuation requests owed to the client, sent now unless the backend is in the middle
 * of a response it forwards (the client would read them inside that response).
 */
static void flush_conts(mc_relay *r, outs *o)
{
    if (r->pending_conts == 0 || r->dir[MC_RELAY_FROM_BACKEND].state == MC_RB_FORWARD ||
        o->n >= o->max)
        return;
    out_bytes(o, MC_RELAY_TO_CLIENT, conts, (uint64_t)r->pending_conts * CONT_LEN);
    r->pending_conts = 0;
}

/* A synchronising literal of a relayed command: the relay answers the client itself. */
static void request_cont(mc_relay *r, outs *o)
{
    r->pending_conts++;
    flush_conts(r, o);
}

/* The relay stops for an intercepted command once nothing more is owed to the client. */
static void maybe_finish(mc_relay *r)
{
    if (r->stop == MC_RELAY_RUNNING && r->intercept && r->n_tags == 0 &&
        r->dir[MC_RELAY_FROM_BACKEND].state == MC_RB_CLASSIFY && r->pending_conts == 0)
        r->stop = MC_RELAY_INTERCEPT;
}

/*
 * Copies bytes of an unfinished line into the direction's hold buffer. When this step already
 * sent held bytes as an output, the other buffer is used so that those stay intact.
 */
static void hold_append(mc_relay_dir *d, const uint8_t *p, size_t n, int *hold_sent)
{
    if (d->hold_len == 0 && *hold_sent) {
        d->hold_buf ^= 1u;
        *hold_sent = 0;
    }
    memcpy(d->hold[d->hold_buf] + d->hold_len, p, n);
    d->hold_len += (uint32_t)n;
}

/* ---- client -> backend ---- */

/* Remembers the tag of a relayed command (the caller checked that there is room). */
static void tag_add(mc_relay *r, const uint8_t *tag, uint32_t len)
{
    mc_relay_tag *t = &r->tags[r->n_tags++];
    t->len = len;
    memcpy(t->bytes, tag, len);
}

/*
 * A tagged response arrived: forgets the first outstanding tag equal to it, byte for byte.
 * Answering a relayed IDLE ends it: the backend's "+" is no longer forwarded, and a client
 * line not yet complete is read as a command again, not as IDLE's "DONE".
 */
static int tag_retire(mc_relay *r, const uint8_t *tag, uint32_t len)
{
    for (uint32_t i = 0; i < r->n_tags; i++) {
        mc_relay_tag *t = &r->tags[i];
        if (t->len != len || memcmp(t->bytes, tag, len) != 0)
            continue;
        r->tags[i] = r->tags[--r->n_tags];
        if (r->idle_active && r->idle_len == len && memcmp(r->idle_tag, tag, len) == 0) {
            r->idle_active = 0;
            if (r->dir[MC_RELAY_FROM_CLIENT].state == MC_RC_IDLE_LINE)
                r->dir[MC_RELAY_FROM_CLIENT].state = MC_RC_START;
        }
        return 1;
    }
    return 0;
}

/*
 * Whether a complete first line is a command the relay passes through: a tag it can record
 * (1..MC_RELAY_MAX_TAG ASCII bytes) and a verb of cfg.verbs, or "UID" and a word of
 * cfg.uid_verbs (PassthroughVerbs.matches). `head` holds the line's first head_len bytes.
 * *is_idle says the verb is IDLE itself.
 */
static int client_relays(const mc_relay *r, const uint8_t *head, size_t head_len,
                         size_t line_len, const mc_scan_event *ev, int *is_idle)
{
    *is_idle = 0;
    if (ev->tag_len == 0 || ev->tag_len > MC_RELAY_MAX_TAG)
        return 0;
    for (uint32_t i = 0; i < ev->tag_len; i++)
        if (head[i] >= 0x80)
            return 0;
    if (ev->verb_len == 0 || ev->verb_len > 8)
        return 0;
    const uint8_t *verb = head + ev->verb_off;
    if (ev->verb_len == 3 && upper(verb[0]) == 'U' && upper(verb[1]) == 'I' &&
        upper(verb[2]) == 'D') {
        size_t start = (size_t)ev->verb_off + 3;
        if (start >= head_len || head[start] != ' ')
            return 0;
        size_t end = ++start;
        while (end < head_len && head[end] != ' ' && head[end] != '\r' && head[end] != '\n')
            end++;
        if (end == head_len && head_len < line_len)
            return 0; /* a word longer than any verb */
        return (mc_relay_verb_bit(head + start, end - start) & r->uid_verbs) != 0;
    }
    uint32_t bit = mc_relay_verb_bit(verb, ev->verb_len) & r->verbs;
    *is_idle = bit == MC_VERB_IDLE;
    return bit != 0;
}

/*
 * Sends a complete line (held bytes, then `c` bytes of the input at `pos`) to `to`. With
 * `rewrite`, the line ends in a synchronising announcement "{n}" CRLF or LF, sent as "{n+}":
 * everything before the closing brace as it came, then a constant "+}" CRLF or LF.
 */
static void emit_line(mc_relay *r, uint32_t from, outs *o, size_t pos, size_t c,
                      const mc_scan_event *ev, int rewrite, int *hold_sent)
{
    mc_relay_dir *d = &r->dir[from];
    uint32_t to = from == MC_RELAY_FROM_CLIENT ? MC_RELAY_TO_BACKEND : MC_RELAY_TO_CLIENT;
    size_t h = d->hold_len, total = h + c;
    size_t keep = rewrite ? total - (ev->has_cr ? 3 : 2) : total;
    if (h != 0) {
        out_bytes(o, to, d->hold[d->hold_buf], h < keep ? h : keep);
        *hold_sent = 1;
    }
    if (keep > h)
        out_input(o, to, pos, keep - h);
    if (rewrite) {
        if (ev->has_cr)
            out_bytes(o, to, suffix_crlf, sizeof suffix_crlf - 1);
        else
            out_bytes(o, to, suffix_lf, sizeof suffix_lf - 1);
    }
    d->hold_len = 0;
    r->stats.copied[from] += total;
}

/* The client's current line cannot be relayed: a first line is intercepted (kept for the
 * session), any other ends the relay (part of its command already went to the backend). */
static void client_refuse(mc_relay *r)
{
    if (r->dir[MC_RELAY_FROM_CLIENT].state == MC_RC_START) {
        r->intercept = 1;
        maybe_finish(r);
    } else {
        r->stop = MC_RELAY_CLIENT_CLOSE;
    }
}

/* Literal bookkeeping after a LINE event: a body follows when the line announced n > 0. */
static void after_line(mc_relay_dir *d, const mc_scan_event *ev)
{
    d->in_literal = ev->literal_kind != MC_LIT_NONE && ev->literal_len > 0;
    d->literal_left = d->in_literal ? ev->literal_len : 0;
}

/*
 * A complete client line (LINE event of c input bytes at pos, plus held bytes). Returns 0 when
 * it was consumed, -1 when the client stops here (intercepted or closed: not consumed).
 */
static int client_line(mc_relay *r, outs *o, const uint8_t *in, size_t pos, size_t c,
                       const mc_scan_event *ev, int *hold_sent)
{
    mc_relay_dir *d = &r->dir[MC_RELAY_FROM_CLIENT];
    int has_literal = ev->literal_kind != MC_LIT_NONE;

    if (d->state == MC_RC_DROP) {
        d->dropped += c;
        if (!has_literal)
            d->state = MC_RC_START;
        after_line(d, ev);
        return 0;
    }
    if (ev->line_len > MC_RELAY_HOLD || d->hold_len + c != ev->line_len) {
        client_refuse(r);
        return -1;
    }
    if (d->state == MC_RC_IDLE_LINE) {
        /* IDLE's "DONE", verbatim; the rest of its message, if it announced a literal, is
         * dropped as the Swift decoder skips it. */
        emit_line(r, MC_RELAY_FROM_CLIENT, o, pos, c, ev, 0, hold_sent);
        d->state = has_literal ? MC_RC_DROP : MC_RC_START;
        after_line(d, ev);
        return 0;
    }
    int is_idle = 0;
    if (d->state == MC_RC_START) {
        uint8_t head[128];
        size_t h = d->hold_len, head_len = ev->line_len < sizeof head ? ev->line_len : sizeof head;
        size_t from_hold = h < head_len ? h : head_len;
        memcpy(head, d->hold[d->hold_buf], from_hold);
        memcpy(head + from_hold, in + pos, head_len - from_hold);
        if (!client_relays(r, head, head_len, ev->line_len, ev, &is_idle) ||
            r->n_tags >= MC_RELAY_MAX_TAGS || (is_idle && has_literal)) {
            client_refuse(r);
            return -1;
        }
        tag_add(r, head, ev->tag_len);
        if (is_idle) {
            r->idle_active = 1;
            r->idle_len = ev->tag_len;
            memcpy(r->idle_tag, head, ev->tag_len);
        }
    }
    int sync = ev->literal_kind == MC_LIT_SYNC || ev->literal_kind == MC_LIT_BINARY;
    emit_line(r, MC_RELAY_FROM_CLIENT, o, pos, c, ev, sync, hold_sent);
    if (sync)
        request_cont(r, o);
    if (has_literal)
        d->state = MC_RC_RELAY;
    else
        d->state = is_idle ? MC_RC_IDLE_LINE : MC_RC_START;
    after_line(d, ev);
    return 0;
}

static size_t client_step(mc_relay *r, const uint8_t *in, size_t len, outs *o)
{
    mc_relay_dir *d = &r->dir[MC_RELAY_FROM_CLIENT];
    size_t pos = 0;
    int hold_sent = 0;

    while (pos < len && r->stop == MC_RELAY_RUNNING && !r->intercept) {
        if (o->n + MC_RELAY_MIN_OUT > o->max || client_waits(r))
            break;
        mc_scan_event ev;
        size_t c = (size_t)mc_scan_step(&d->scan, in + pos, len - pos, &ev);
        switch (ev.kind) {
        case MC_SCAN_LITERAL:
            d->literal_left = ev.literal_left;
            d->in_literal = ev.literal_left != 0;
            if (d->state == MC_RC_RELAY) {
                out_input(o, MC_RELAY_TO_BACKEND, pos, c);
                r->stats.copied[MC_RELAY_FROM_CLIENT] += c;
            } else {
                d->dropped += c;
            }
            pos += c;
            break;
        case MC_SCAN_NEED_MORE:
            if (d->state == MC_RC_DROP) {
                d->dropped += c;
                pos += c;
                break;
            }
            if (d->hold_len + c > MC_RELAY_HOLD) {
                client_refuse(r);
                return pos;
            }
            hold_append(d, in + pos, c, &hold_sent);
            pos += c;
            break;
        case MC_SCAN_LINE:
            if (client_line(r, o, in, pos, c, &ev, &hold_sent) != 0)
                return pos;
            pos += c;
            break;
        default: /* INVALID, CLOSE */
            client_refuse(r);
            return pos;
        }
    }
    return pos;
}

/* ---- backend -> client ---- */

/*
 * Reads bytes of a backend first line until it is clear what the response is: its tag ends
 * (SP, CR or LF) and, after "* ", the next word is or is not BYE. A tagged response retires
 * its tag here (it is forwarded) or is dropped (no relayed command has that tag); "+" goes
 * through only while a relayed IDLE is outstanding. Returns DEC_NONE while undecided.
 */
static int classify(mc_relay *r, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        uint8_t c = p[i];
        int end = c == ' ' || c == '\r' || c == '\n';
        if (r->cls_phase == CLS_TAG) {
            if (!end) {
                if (r->cls_tag_len == MC_RELAY_MAX_TAG)
                    return DEC_DROP; /* longer than any tag the relay records */
                r->cls_tag[r->cls_tag_len++] = c;
                continue;
            }
            uint32_t t = r->cls_tag_len;
            if (t == 0)
                return DEC_FORWARD; /* no tag: not a response the relay judges */
            if (t == 1 && r->cls_tag[0] == '+')
                return r->idle_active ? DEC_FORWARD : DEC_DROP;
            if (t == 1 && r->cls_tag[0] == '*') {
                if (c != ' ')
                    return DEC_FORWARD;
                r->cls_phase = CLS_VERB;
                continue;
            }
            return tag_retire(r, r->cls_tag, t) ? DEC_FORWARD : DEC_DROP;
        }
        if (end)
            return r->cls_verb_len == 3 ? DEC_BYE : DEC_FORWARD;
        if (r->cls_verb_len == 3 || upper(c) != (uint8_t)"BYE"[r->cls_verb_len])
            return DEC_FORWARD;
        r->cls_verb[r->cls_verb_len++] = c;
    }
    return DEC_NONE;
}

static size_t backend_step(mc_relay *r, const uint8_t *in, size_t len, outs *o)
{
    mc_relay_dir *d = &r->dir[MC_RELAY_FROM_BACKEND];
    size_t pos = 0;
    int hold_sent = 0;

    while (pos < len && r->stop == MC_RELAY_RUNNING) {
        if (o->n + MC_RELAY_MIN_OUT > o->max)
            break;
        flush_conts(r, o);
        mc_scan_event ev;
        size_t c = (size_t)mc_scan_step(&d->scan, in + pos, len - pos, &ev);
        if (ev.kind == MC_SCAN_INVALID || ev.kind == MC_SCAN_CLOSE) {
            r->stop = MC_RELAY_BACKEND_INVALID;
            break;
        }
        if (ev.kind == MC_SCAN_LITERAL) {
            d->literal_left = ev.literal_left;
            d->in_literal = ev.literal_left != 0;
        } else if (d->state == MC_RB_CLASSIFY) {
            int dec = classify(r, in + pos, c);
            if (dec == DEC_NONE && ev.kind == MC_SCAN_NEED_MORE) {
                hold_append(d, in + pos, c, &hold_sent);
                pos += c;
                continue;
            }
            if (dec == DEC_FORWARD || dec == DEC_NONE) {
                if (d->hold_len != 0) {
                    out_bytes(o, MC_RELAY_TO_CLIENT, d->hold[d->hold_buf], d->hold_len);
                    r->stats.copied[MC_RELAY_FROM_BACKEND] += d->hold_len;
                    hold_sent = 1;
                }
                d->state = MC_RB_FORWARD;
            } else {
                d->dropped += d->hold_len;
                d->state = dec == DEC_BYE ? MC_RB_BYE : MC_RB_DROP;
            }
            d->hold_len = 0;
        }
        if (d->state == MC_RB_FORWARD) {
            out_input(o, MC_RELAY_TO_CLIENT, pos, c);
            r->stats.copied[MC_RELAY_FROM_BACKEND] += c;
        } else {
            d->dropped += c;
        }
        pos += c;
        if (ev.kind != MC_SCAN_LINE)
            continue;
        if (d->state == MC_RB_BYE) {
            r->stop = MC_RELAY_BACKEND_BYE;
            break;
        }
        after_line(d, &ev);
        if (ev.literal_kind == MC_LIT_NONE) {
            d->state = MC_RB_CLASSIFY;
            cls_reset(r);
        }
        flush_conts(r, o);
        maybe_finish(r);
    }
    flush_conts(r, o);
    maybe_finish(r);
    return pos;
}

int64_t mc_relay_step(mc_relay *r, uint32_t from, const void *buf, size_t len,
                      mc_relay_out *out, uint32_t max_out, uint32_t *n_out)
{
    if (n_out != NULL)
        *n_out = 0;
    if (r == NULL || n_out == NULL || from > MC_RELAY_FROM_BACKEND || (buf == NULL && len != 0) ||
        out == NULL || max_out < MC_RELAY_MIN_OUT)
        return -EINVAL;
    if (r->stop != MC_RELAY_RUNNING || len == 0)
        return 0;
    if (len > (size_t)INT64_MAX)
        len = (size_t)INT64_MAX;
    outs o = {out, 0, max_out};
    size_t used = from == MC_RELAY_FROM_CLIENT ? client_step(r, buf, len, &o)
                                               : backend_step(r, buf, len, &o);
    *n_out = o.n;
    return (int64_t)used;
}
