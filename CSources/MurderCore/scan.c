/*
 * scan.c — the IMAP framing scanner.
 *
 * Splits a byte stream into line segments and literal bodies without copying or allocating,
 * so that the relay can forward commands and responses while knowing where each one ends,
 * which tag and verb it carries and how many literal bytes follow it. The grammar is left
 * to the Swift parser; this file only finds the frame.
 *
 * The scanner is a resumable state machine whose whole state lives in the caller's
 * struct mc_scan: a call may stop at any byte and the next call carries on. Within a call,
 * the bytes of a line segment are handled a run at a time: one vector pass finds the first
 * LF, quote, backslash or NUL, and the literal announcement is recognised from the tail of
 * the last run outside quotes. Literal bodies are skipped by count, never looked at.
 *
 * Model: ngx_mail_imap_parse_command in nginx's src/mail/ngx_mail_parse.c (states as enum
 * constants, literal lengths checked before each digit, resynchronisation at the next LF).
 */
#include "murder_core.h"

#include <errno.h>
#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/* Scanner states (mc_scan.state). */
enum {
    ST_LINE = 0, /* reading a line segment */
    ST_LITERAL,  /* reading a literal body: literal_left bytes to skip */
    ST_DISCARD,  /* a segment was refused before its LF: discarding up to it */
    ST_CLOSED,   /* the stream cannot be resynchronised */
};

/* Literal-announcement recogniser states (mc_scan.tail), fed with bytes outside quotes. */
enum {
    TAIL_NONE = 0, /* the bytes so far end with nothing announcing a literal */
    TAIL_TILDE,    /* ... "~" */
    TAIL_OPEN,     /* ... "{" or "~{" */
    TAIL_DIGITS,   /* ... "{" 1*DIGIT */
    TAIL_PLUS,     /* ... "{" 1*DIGIT "+" */
    TAIL_CLOSE,    /* ... a complete "{n}" or "{n+}" */
    TAIL_CLOSE_CR, /* ... the same followed by CR */
};

/* Token states of a first segment (mc_scan.token). */
enum {
    TOK_TAG = 0, /* reading the tag: bytes up to the first SP, CR or LF */
    TOK_VERB,    /* reading the token after the tag's SP */
    TOK_DONE,    /* both spans known, or not a first segment */
};

/* Up to eight upper-cased verb bytes packed little-endian, as mc_scan.status_word holds them. */
#define WORD2(a, b) ((uint64_t)(a) | (uint64_t)(b) << 8)
#define WORD3(a, b, c) (WORD2(a, b) | (uint64_t)(c) << 16)
#define WORD7(a, b, c, d, e, f, g)                                                           \
    (WORD3(a, b, c) | (uint64_t)(d) << 24 | (uint64_t)(e) << 32 | (uint64_t)(f) << 40 |     \
     (uint64_t)(g) << 48)

int mc_scan_init(mc_scan *s, uint32_t mode, const mc_scan_limits *limits)
{
    if (s == NULL || limits == NULL)
        return -EINVAL;
    if (mode != MC_SCAN_COMMANDS && mode != MC_SCAN_RESPONSES)
        return -EINVAL;
    /* max_line + 1 must still fit the 32-bit segment counter. */
    if (limits->max_line < 64 || limits->max_line == UINT32_MAX)
        return -EINVAL;
    memset(s, 0, sizeof *s);
    s->limits = *limits;
    s->mode = mode;
    s->state = ST_LINE;
    s->first = 1;
    s->token = TOK_TAG;
    return 0;
}

void mc_scan_default_limits(uint32_t mode, mc_scan_limits *out)
{
    if (out == NULL)
        return;
    if (mode == MC_SCAN_RESPONSES) {
        out->max_line = 1u << 20;
        out->max_literal = 1ull << 30;
        out->max_literals = 100000;
    } else {
        out->max_line = 8192;
        out->max_literal = 64ull << 20;
        out->max_literals = 1000;
    }
}

/*
 * Resets the per-segment state before the first byte of a segment. `first` says whether the
 * segment opens a new message (and so carries a tag and a verb) or follows a literal.
 */
static void segment_begin(mc_scan *s, uint32_t first)
{
    s->seg_len = 0;
    s->first = first;
    s->token = first ? TOK_TAG : TOK_DONE;
    s->tag_len = 0;
    s->tag_first = 0;
    s->verb_off = 0;
    s->verb_len = 0;
    s->status_word = 0;
    s->tail = TAIL_NONE;
    s->tail_kind = MC_LIT_NONE;
    s->tail_len = 0;
    s->tail_overflow = 0;
    s->saw_nul = 0;
    s->in_quote = 0;
    s->quote_escape = 0;
    s->has_cr = 0;
    if (first)
        s->literals = 0;
}

/*
 * A receiver that refuses a synchronising literal (a tagged NO or BAD instead of "+") knows
 * the sender will not send its bytes: the next byte starts a new message. Without this the
 * scanner would take the next command for the literal's body.
 */
void mc_scan_abandon_literal(mc_scan *s)
{
    if (s == NULL || s->state != ST_LITERAL)
        return;
    s->literal_left = 0;
    s->state = ST_LINE;
    segment_begin(s, 1);
}

/*
 * Finds the first byte in [p, lim) that the segment loop must look at: LF (end of segment),
 * '"' (quote state), '\\' (escape inside quotes) or NUL (refused). Returns lim if none.
 * Sixteen bytes at a time where SSE2 is there (every x86-64), a byte at a time elsewhere.
 */
static const unsigned char *find_special(const unsigned char *p, const unsigned char *lim)
{
#if defined(__SSE2__)
    const __m128i lf = _mm_set1_epi8('\n'), dq = _mm_set1_epi8('"');
    const __m128i bs = _mm_set1_epi8('\\'), nul = _mm_setzero_si128();
    while (lim - p >= 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
        __m128i m = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, lf), _mm_cmpeq_epi8(v, dq)),
                                 _mm_or_si128(_mm_cmpeq_epi8(v, bs), _mm_cmpeq_epi8(v, nul)));
        unsigned mask = (unsigned)_mm_movemask_epi8(m);
        if (mask != 0)
            return p + __builtin_ctz(mask);
        p += 16;
    }
#endif
    for (; p < lim; p++) {
        unsigned char c = *p;
        if (c == '\n' || c == '"' || c == '\\' || c == 0)
            return p;
    }
    return lim;
}

/* Bytes that can be part of an announcement "~{n+}" or the CR after it. */
static int is_tail_byte(unsigned char c)
{
    return (c >= '0' && c <= '9') || c == '{' || c == '}' || c == '~' || c == '+' || c == '\r';
}

/*
 * Feeds one byte outside quotes to the announcement recogniser. The length is checked for
 * overflow before each digit is added; an overflowed length is kept as "too large".
 */
static void tail_step(mc_scan *s, unsigned char c)
{
    switch (c) {
    case '{':
        s->tail_kind = s->tail == TAIL_TILDE ? MC_LIT_BINARY : MC_LIT_SYNC;
        s->tail_len = 0;
        s->tail_overflow = 0;
        s->tail = TAIL_OPEN;
        return;
    case '~':
        s->tail = TAIL_TILDE;
        return;
    case '+':
        if (s->tail == TAIL_DIGITS) {
            s->tail_kind += 1; /* SYNC -> NONSYNC, BINARY -> BINARY_NONSYNC */
            s->tail = TAIL_PLUS;
        } else {
            s->tail = TAIL_NONE;
        }
        return;
    case '}':
        s->tail = (s->tail == TAIL_DIGITS || s->tail == TAIL_PLUS) ? TAIL_CLOSE : TAIL_NONE;
        return;
    case '\r':
        s->tail = s->tail == TAIL_CLOSE ? TAIL_CLOSE_CR : TAIL_NONE;
        return;
    default:
        if (c >= '0' && c <= '9' && (s->tail == TAIL_OPEN || s->tail == TAIL_DIGITS)) {
            uint64_t d = (uint64_t)(c - '0');
            if (s->tail_overflow || s->tail_len > (UINT64_MAX - d) / 10)
                s->tail_overflow = 1;
            else
                s->tail_len = s->tail_len * 10 + d;
            s->tail = TAIL_DIGITS;
        } else {
            s->tail = TAIL_NONE;
        }
        return;
    }
}

/*
 * Brings the recogniser up to date with a run [a, b) of bytes outside quotes. Only the run's
 * suffix made of announcement bytes can matter: any other byte resets the recogniser, so the
 * run is walked back to the last such byte and only what follows it is fed forward. Lines
 * rarely end in digits or braces, so this usually costs one or two byte reads.
 */
static void tail_run(mc_scan *s, const unsigned char *a, const unsigned char *b)
{
    const unsigned char *k = b;
    while (k > a && is_tail_byte(k[-1]))
        k--;
    if (k > a)
        s->tail = TAIL_NONE;
    for (; k < b; k++)
        tail_step(s, *k);
}

/*
 * Follows the tag and verb spans of a first segment over [p, lim), where *p is byte seg_len
 * of the segment. Stops at the end of the verb or at the first CR or LF, so never reads past
 * the segment's end. The verb's first eight bytes are kept upper-cased for the status word.
 * The state is worked on in locals: stores through s could alias the bytes being read, which
 * would make the compiler reload every field on every byte.
 */
static void scan_tokens(mc_scan *s, const unsigned char *p, const unsigned char *lim)
{
    uint32_t pos = s->seg_len, token = s->token;
    uint32_t tag_len = s->tag_len, verb_len = s->verb_len, verb_off = s->verb_off;
    uint64_t word = s->status_word;

    if (token == TOK_TAG && p < lim && tag_len == 0)
        s->tag_first = *p;
#if defined(__SSE2__)
    /* Common case: tag and verb both end within the segment's first sixteen bytes. */
    if (token == TOK_TAG && tag_len == 0 && lim - p >= 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
        __m128i m = _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8(' ')),
                                 _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('\r')),
                                              _mm_cmpeq_epi8(v, _mm_set1_epi8('\n'))));
        unsigned ends = (unsigned)_mm_movemask_epi8(m);
        if (ends != 0) {
            unsigned t = (unsigned)__builtin_ctz(ends);
            unsigned after = ends & ~((2u << t) - 1);
            if (p[t] != ' ' || after != 0) {
                tag_len = t;
                if (p[t] == ' ') {
                    unsigned e = (unsigned)__builtin_ctz(after);
                    verb_off = pos + t + 1;
                    verb_len = e - t - 1;
                    for (unsigned i = 0; i < verb_len && i < 8; i++) {
                        unsigned char c = p[t + 1 + i];
                        unsigned char u = (c >= 'a' && c <= 'z') ? (unsigned char)(c - 32) : c;
                        word |= (uint64_t)u << (8 * i);
                    }
                }
                token = TOK_DONE;
            }
        }
    }
#endif
    for (; token == TOK_TAG && p < lim; p++, pos++) {
        unsigned char c = *p;
        if (c == ' ') {
            token = TOK_VERB;
            verb_off = pos + 1;
        } else if (c == '\r' || c == '\n') {
            token = TOK_DONE;
        } else {
            tag_len++;
        }
    }
    for (; token == TOK_VERB && p < lim; p++) {
        unsigned char c = *p;
        if (c == ' ' || c == '\r' || c == '\n') {
            token = TOK_DONE;
        } else {
            if (verb_len < 8) {
                unsigned char u = (c >= 'a' && c <= 'z') ? (unsigned char)(c - 32) : c;
                word |= (uint64_t)u << (8 * verb_len);
            }
            verb_len++;
        }
    }
    s->token = token;
    s->tag_len = tag_len;
    s->verb_off = verb_off;
    s->verb_len = verb_len;
    s->status_word = word;
}

/*
 * Runs the quote tracker, the NUL check and the announcement recogniser over the current
 * segment's bytes from p up to the first LF or lim. Returns the LF's position, or lim if
 * there is none. Escapes only count inside quotes; a LF ends the segment even inside a quote
 * or right after a backslash (a quote never spans lines).
 */
static const unsigned char *scan_content(mc_scan *s, const unsigned char *p,
                                          const unsigned char *lim)
{
    const unsigned char *q = p, *run = p, *lf = lim;
    uint32_t in_quote = s->in_quote, escape = s->quote_escape, saw_nul = s->saw_nul;

    for (;;) {
        if (escape) {
            if (q == lim)
                break;
            if (*q == '\n') {
                lf = q;
                break;
            }
            if (*q == 0)
                saw_nul = 1;
            escape = 0;
            q++;
            continue;
        }
        const unsigned char *r = find_special(q, lim);
        if (r == lim)
            break;
        switch (*r) {
        case '\n':
            lf = r;
            goto out;
        case 0:
            saw_nul = 1;
            break;
        case '\\':
            if (in_quote)
                escape = 1;
            break;
        default: /* '"' */
            if (in_quote) {
                in_quote = 0;
                run = r + 1; /* the recogniser was reset when the quote opened */
            } else {
                in_quote = 1;
                s->tail = TAIL_NONE;
            }
            break;
        }
        q = r + 1;
    }
out:
    s->in_quote = in_quote;
    s->quote_escape = escape;
    s->saw_nul = saw_nul;
    if (!in_quote)
        tail_run(s, run, lf);
    if (lf > p)
        s->has_cr = lf[-1] == '\r';
    return lf;
}

/* The status word of a response's verb, matched case-insensitively. */
static uint32_t status_of(const mc_scan *s)
{
    uint64_t w = s->status_word;
    switch (s->verb_len) {
    case 2:
        return w == WORD2('O', 'K') ? MC_STATUS_OK : w == WORD2('N', 'O') ? MC_STATUS_NO
                                                                          : MC_STATUS_NONE;
    case 3:
        return w == WORD3('B', 'A', 'D') ? MC_STATUS_BAD
               : w == WORD3('B', 'Y', 'E') ? MC_STATUS_BYE
                                           : MC_STATUS_NONE;
    case 7:
        return w == WORD7('P', 'R', 'E', 'A', 'U', 'T', 'H') ? MC_STATUS_PREAUTH
                                                              : MC_STATUS_NONE;
    default:
        return MC_STATUS_NONE;
    }
}

/*
 * Copies what is known about the current segment into an event: its length so far, the tag
 * and verb spans (empty spans are reported as 0,0), the response shape and status, and the
 * literal it announces (a length that overflowed is reported as UINT64_MAX).
 */
static void fill_segment(const mc_scan *s, mc_scan_event *ev, int at_lf)
{
    ev->line_len = s->seg_len;
    ev->first = s->first;
    ev->has_cr = at_lf ? s->has_cr : 0;
    if (s->first) {
        if (s->tag_len != 0)
            ev->tag_len = s->tag_len;
        if (s->verb_len != 0) {
            ev->verb_off = s->verb_off;
            ev->verb_len = s->verb_len;
        }
        if (s->mode == MC_SCAN_RESPONSES && s->tag_len != 0) {
            if (s->tag_len == 1 && s->tag_first == '*')
                ev->response_kind = MC_RESP_UNTAGGED;
            else if (s->tag_len == 1 && s->tag_first == '+')
                ev->response_kind = MC_RESP_CONTINUATION;
            else
                ev->response_kind = MC_RESP_TAGGED;
            if (ev->response_kind != MC_RESP_CONTINUATION)
                ev->status = status_of(s);
        }
    }
    if (at_lf && (s->tail == TAIL_CLOSE || s->tail == TAIL_CLOSE_CR)) {
        ev->literal_kind = s->tail_kind;
        ev->literal_len = s->tail_overflow ? UINT64_MAX : s->tail_len;
    }
}

/*
 * Whether a literal's bytes come without the receiver asking: a non-synchronising literal, or
 * any literal in a response stream (servers never wait for a continuation). Refusing the line
 * that announced such a literal cannot resynchronise the stream.
 */
static int arrives_unasked(const mc_scan *s, uint32_t kind)
{
    return kind == MC_LIT_NONSYNC || kind == MC_LIT_BINARY_NONSYNC ||
           (kind != MC_LIT_NONE && s->mode == MC_SCAN_RESPONSES);
}

/* Makes the stream unusable: this and every later call report CLOSE with this reason. */
static void scan_close(mc_scan *s, mc_scan_event *ev, uint32_t reason)
{
    s->state = ST_CLOSED;
    s->close_reason = reason;
    ev->kind = MC_SCAN_CLOSE;
    ev->reason = reason;
}

/*
 * Decides what a segment whose LF was just consumed means: a LINE (perhaps announcing a
 * literal), an INVALID that ends the message, or a CLOSE when the refused segment announced
 * a non-synchronising literal whose bytes will come anyway. Sets up the next segment.
 * Errors rank: line too long (the LF itself passed the bound), NUL, literal too large, too
 * many literals.
 */
static void segment_end(mc_scan *s, mc_scan_event *ev)
{
    uint32_t reason = MC_SCAN_OK;

    fill_segment(s, ev, 1);
    uint32_t kind = ev->literal_kind;
    if (s->seg_len > s->limits.max_line)
        reason = MC_SCAN_ERR_LINE_TOO_LONG;
    else if (s->saw_nul)
        reason = MC_SCAN_ERR_NUL;
    else if (kind != MC_LIT_NONE && (s->tail_overflow || s->tail_len > s->limits.max_literal))
        reason = MC_SCAN_ERR_LITERAL_TOO_LARGE;
    else if (kind != MC_LIT_NONE && ++s->literals > s->limits.max_literals)
        reason = MC_SCAN_ERR_TOO_MANY_LITERALS;

    if (reason != MC_SCAN_OK) {
        ev->reason = reason;
        if (arrives_unasked(s, kind)) {
            scan_close(s, ev, reason);
            return;
        }
        ev->kind = MC_SCAN_INVALID;
        segment_begin(s, 1);
        return;
    }
    ev->kind = MC_SCAN_LINE;
    if (kind == MC_LIT_NONE) {
        segment_begin(s, 1);
    } else if (s->tail_len == 0) {
        segment_begin(s, 0); /* an empty literal: the next segment follows at once */
    } else {
        s->literal_kind = kind;
        s->literal_total = s->tail_len;
        s->literal_left = s->tail_len;
        s->state = ST_LITERAL;
    }
}

/*
 * One event per call (see murder_core.h): a literal chunk, the end of a segment, a refusal
 * at the byte that makes a segment too long, or NEED_MORE when the bytes run out first.
 * The end of a discarded segment is no event, so the loop goes on within the same call.
 */
int64_t mc_scan_step(mc_scan *s, const void *buf, size_t len, mc_scan_event *ev)
{
    const unsigned char *start = buf, *p = start, *end;

    memset(ev, 0, sizeof *ev);
    if (s->state == ST_CLOSED) {
        ev->kind = MC_SCAN_CLOSE;
        ev->reason = s->close_reason;
        return 0;
    }
    if (len > (size_t)INT64_MAX)
        len = (size_t)INT64_MAX;
    end = start + len;

    while (p < end) {
        if (s->state == ST_LITERAL) {
            uint64_t n = (uint64_t)(end - p);
            if (n > s->literal_left)
                n = s->literal_left;
            p += n;
            s->literal_left -= n;
            ev->kind = MC_SCAN_LITERAL;
            ev->literal_kind = s->literal_kind;
            ev->literal_len = s->literal_total;
            ev->literal_left = s->literal_left;
            if (s->literal_left == 0) {
                s->state = ST_LINE;
                segment_begin(s, 0);
            }
            goto done;
        }

        if (s->state == ST_DISCARD) {
            const unsigned char *lf = scan_content(s, p, end);
            if (lf == end) {
                p = end;
                break;
            }
            p = lf + 1;
            if (s->tail == TAIL_CLOSE || s->tail == TAIL_CLOSE_CR) {
                if (arrives_unasked(s, s->tail_kind)) {
                    ev->literal_kind = s->tail_kind;
                    ev->literal_len = s->tail_overflow ? UINT64_MAX : s->tail_len;
                    scan_close(s, ev, MC_SCAN_ERR_LINE_TOO_LONG);
                    goto done;
                }
            }
            s->state = ST_LINE;
            segment_begin(s, 1);
            continue;
        }

        /* ST_LINE: at most max_line bytes are allowed; the one after them is looked at too,
         * so that the refusal comes at the byte that passes the bound. */
        size_t allowed = (size_t)(s->limits.max_line - s->seg_len);
        const unsigned char *lim = (size_t)(end - p) > allowed ? p + allowed + 1 : end;
        if (s->token != TOK_DONE)
            scan_tokens(s, p, lim);
        const unsigned char *lf = scan_content(s, p, lim);
        if (lf < lim) {
            s->seg_len += (uint32_t)(lf + 1 - p);
            p = lf + 1;
            segment_end(s, ev);
            goto done;
        }
        s->seg_len += (uint32_t)(lim - p);
        p = lim;
        if (s->seg_len > s->limits.max_line) {
            fill_segment(s, ev, 0);
            ev->kind = MC_SCAN_INVALID;
            ev->reason = MC_SCAN_ERR_LINE_TOO_LONG;
            s->state = ST_DISCARD;
            goto done;
        }
    }
    ev->kind = MC_SCAN_NEED_MORE;
done:
    ev->consumed = (uint64_t)(p - start);
    s->offset += ev->consumed;
    return (int64_t)ev->consumed;
}
