/*
 * murder_core.h — the whole public API of the C core (target CMurderCore).
 *
 * The C core knows bytes, sockets and framing; never mailboxes or users. Every exported
 * symbol starts with mc_ and its subsystem. Callers allocate every struct; byte ranges are
 * passed as const void * plus a length; results are a count (>= 0) or a negative errno.
 */
#ifndef MURDER_CORE_H
#define MURDER_CORE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------------------------
 * scan.c — the IMAP framing scanner.
 *
 * Splits a byte stream into line segments and literal bodies. A "message" (one command or one
 * response) is a first line segment, then, for every literal announced at the end of a segment
 * ({n}, {n+}, ~{n}, ~{n+} followed by CRLF), the literal's n bytes and a further segment.
 * A LF ends a segment (a CR before it is optional and reported). Quoted strings are tracked
 * so that a "{5}" inside quotes announces nothing; a quoted string cannot span lines.
 *
 * The state lives in the caller's struct; mc_scan_step() resumes at any byte boundary and
 * never looks back at bytes of earlier calls (the caller keeps the current segment's bytes if
 * it wants them: span offsets are relative to the start of the segment).
 *
 * Precisely:
 *  - An announcement is "{" 1*DIGIT ["+"] "}", optionally preceded by "~", as the last bytes
 *    before the segment's LF or CRLF, outside quotes. A '"' outside quotes opens a quoted
 *    string, a backslash inside one escapes the next byte, the next unescaped '"' closes it;
 *    a segment that ends inside a quote announces nothing. "{}" or "{12a}" is plain text.
 *  - Each segment ends in exactly one event at its LF: LINE, INVALID or CLOSE; a segment
 *    that passes max_line ends in INVALID at the byte that passes it instead.
 *  - Content errors are reported at the LF, ranked: LINE_TOO_LONG (the LF itself was byte
 *    max_line + 1), NUL, LITERAL_TOO_LARGE (length > max_literal, or overflowed: reported as
 *    UINT64_MAX), TOO_MANY_LITERALS (the message's announcements exceed max_literals). If the
 *    refused segment announced a literal whose bytes come unasked — a non-synchronising one
 *    ({n+}, ~{n+}), or any literal in a response stream, since servers never wait — the event
 *    is CLOSE; otherwise INVALID, and the next segment starts a new message.
 *  - A segment longer than max_line is refused with INVALID(LINE_TOO_LONG) at the byte that
 *    passes the bound (consumed includes it; line_len is max_line + 1; tag and verb spans are
 *    those read so far). The scanner then discards up to the LF, returning NEED_MORE; at that
 *    LF it reports CLOSE(LINE_TOO_LONG) if the discarded segment announced a literal that comes
 *    unasked (as above), and otherwise goes on silently with a new message.
 *  - A LINE that announces n > 0 bytes is followed by LITERAL events, each consuming
 *    min(available, left) bytes; then a continuation segment (first = 0, no spans). For
 *    n = 0 there is no LITERAL event and the continuation segment starts at once.
 *  - First segment: tag = bytes up to the first SP, CR or LF; verb = the bytes after that SP
 *    up to the next SP, CR or LF (none if the tag ended at CR or LF). In a response stream,
 *    tag "*" is UNTAGGED, "+" CONTINUATION, any other non-empty tag TAGGED (an empty tag gives
 *    MC_RESP_NONE); status is OK/NO/BAD/PREAUTH/BYE matched case-insensitively on the whole
 *    verb for tagged and untagged responses. In a command stream both stay NONE.
 *  - INVALID and CLOSE events carry what is known of the refused segment (line fields as for
 *    LINE); the CLOSE at the end of a discarded segment carries only reason and the literal;
 *    the CLOSE repeated by later calls carries only the reason.
 * -------------------------------------------------------------------------------------- */

/* Which side's stream is being scanned. */
enum {
    MC_SCAN_COMMANDS = 0,  /* client -> server: "tag SP verb ..." */
    MC_SCAN_RESPONSES = 1, /* server -> client: "* ...", "+ ...", "tag OK|NO|BAD ..." */
};

/* Event kinds returned by mc_scan_step() in mc_scan_event.kind. */
enum {
    MC_SCAN_NEED_MORE = 0, /* every given byte consumed; the current segment is not complete */
    MC_SCAN_LINE = 1,      /* a line segment ended (its LF was the last consumed byte) */
    MC_SCAN_LITERAL = 2,   /* `consumed` bytes of a literal body; `literal_left` still to come */
    MC_SCAN_INVALID = 3,   /* the current segment is refused (see reason); the message ends */
    MC_SCAN_CLOSE = 4,     /* the stream cannot be resynchronised: close the connection */
};

/* Literal forms announced at the end of a segment (mc_scan_event.literal_kind). */
enum {
    MC_LIT_NONE = 0,
    MC_LIT_SYNC = 1,           /* {n}    the receiver must answer "+" before the bytes come */
    MC_LIT_NONSYNC = 2,        /* {n+}   bytes follow at once (RFC 7888) */
    MC_LIT_BINARY = 3,         /* ~{n}   literal8 (RFC 3516), synchronising */
    MC_LIT_BINARY_NONSYNC = 4, /* ~{n+}  literal8, non-synchronising */
};

/* Why a segment was refused (mc_scan_event.reason). */
enum {
    MC_SCAN_OK = 0,
    MC_SCAN_ERR_LINE_TOO_LONG = 1,    /* more than max_line bytes before the LF */
    MC_SCAN_ERR_LITERAL_TOO_LARGE = 2, /* announced length > max_literal, or overflowed */
    MC_SCAN_ERR_TOO_MANY_LITERALS = 3, /* more than max_literals literals in one message */
    MC_SCAN_ERR_NUL = 4,               /* a NUL byte in a line segment */
};

/* Response status of a first segment in a response stream (mc_scan_event.status). */
enum {
    MC_STATUS_NONE = 0,    /* command stream, continuation segment, or not a status response */
    MC_STATUS_OK = 1,
    MC_STATUS_NO = 2,
    MC_STATUS_BAD = 3,
    MC_STATUS_PREAUTH = 4,
    MC_STATUS_BYE = 5,
};

/* Shape of a first segment in a response stream (mc_scan_event.response_kind). */
enum {
    MC_RESP_NONE = 0,         /* command stream or continuation segment */
    MC_RESP_TAGGED = 1,       /* "tag SP ..." */
    MC_RESP_UNTAGGED = 2,     /* "* ..." */
    MC_RESP_CONTINUATION = 3, /* "+ ..." or "+" */
};

typedef struct mc_scan_limits {
    uint32_t max_line;     /* bytes of one segment, LF included; 64 .. UINT32_MAX - 1 */
    uint64_t max_literal;  /* largest announced literal */
    uint32_t max_literals; /* literals in one message */
} mc_scan_limits;

/* Scanner state. Treat as opaque; allocated by the caller, set up by mc_scan_init(). */
typedef struct mc_scan {
    mc_scan_limits limits;
    uint32_t mode;
    uint32_t state;         /* line segment, literal body, discarding to the LF, or closed */
    uint32_t seg_len;       /* bytes of the current segment so far */
    uint32_t literals;      /* literals announced so far in the current message */
    uint32_t first;         /* current segment is the first of its message */
    uint32_t token;         /* which token of the first segment is being read: tag, verb, done */
    uint32_t tag_len, verb_off, verb_len;
    uint32_t tag_first;     /* first byte of the tag ("*" and "+" shape a response) */
    uint32_t tail;          /* literal-announcement tail recogniser state */
    uint32_t tail_kind;     /* MC_LIT_* of the announcement being recognised */
    uint32_t tail_overflow; /* its length overflowed 64 bits */
    uint32_t saw_nul;       /* a NUL byte in this segment, reported at its LF */
    uint32_t in_quote, quote_escape;
    uint32_t has_cr;        /* the last byte of the segment so far was CR */
    uint32_t close_reason;  /* MC_SCAN_ERR_* repeated by every call after CLOSE */
    uint64_t status_word;   /* first eight bytes of the verb, upper-cased, packed */
    uint64_t tail_len;      /* the announced length read so far */
    uint64_t literal_left;  /* bytes of the literal body still to come */
    uint64_t literal_total;
    uint32_t literal_kind;
    uint32_t _reserved;
    uint64_t offset;        /* bytes consumed since init: stream position */
} mc_scan;

typedef struct mc_scan_event {
    uint32_t kind;          /* MC_SCAN_* event kind */
    uint32_t reason;        /* MC_SCAN_ERR_* for INVALID and CLOSE */
    uint64_t consumed;      /* bytes of this call's input consumed (also the return value) */
    /* MC_SCAN_LINE: */
    uint32_t line_len;      /* bytes of the whole segment, across calls, LF included */
    uint32_t first;         /* 1 if the first segment of a message */
    uint32_t has_cr;        /* 1 if the segment ended with CRLF, 0 for a bare LF */
    uint32_t tag_off, tag_len;   /* first segment: the tag ("*", "+" or a tag); 0,0 if none */
    uint32_t verb_off, verb_len; /* first segment: the next token (verb, status word, number);
                                    0,0 if none or empty */
    uint32_t response_kind; /* MC_RESP_* */
    uint32_t status;        /* MC_STATUS_* */
    uint32_t literal_kind;  /* MC_LIT_*: the literal this segment announces, if any
                               (MC_SCAN_LITERAL: the literal being read) */
    uint64_t literal_len;   /* its announced length (UINT64_MAX if it overflowed) */
    /* MC_SCAN_LITERAL: */
    uint64_t literal_left;  /* bytes of the body still to come after this event */
} mc_scan_event;

/* Prepares a scanner. Returns 0, or -EINVAL for a bad mode or limits. */
int mc_scan_init(mc_scan *s, uint32_t mode, const mc_scan_limits *limits);

/* Consumes bytes from buf until one event is complete or the input runs out, fills *ev and
 * returns the number of bytes consumed (>= 0; 0 only when len is 0). Call again with the rest.
 * After MC_SCAN_CLOSE every further call returns MC_SCAN_CLOSE and consumes nothing. */
int64_t mc_scan_step(mc_scan *s, const void *buf, size_t len, mc_scan_event *ev);

/* The receiver refused the synchronising literal just announced (it answered a tagged NO or
 * BAD instead of "+"), so its bytes will not come: the next byte starts a new message. Does
 * nothing unless the scanner is waiting for a literal's body. */
void mc_scan_abandon_literal(mc_scan *s);

/* Default limits (commands: 8192-byte lines, 64 MiB literals, 1000 literals per message;
 * responses: 1 MiB lines, 1 GiB literals, 100000 literals per message), as IMAPWire's
 * Limits.commands and Limits.responses. */
void mc_scan_default_limits(uint32_t mode, mc_scan_limits *out);

/* ------------------------------------------------------------------------------------------
 * core.c — build facts.
 * -------------------------------------------------------------------------------------- */

/* Writes a one-line description of the linked libraries (liburing, OpenSSL, zlib, libsasl2)
 * into buf (NUL-terminated, truncated to len). Returns the length it wanted, or -EINVAL. */
int mc_core_versions(char *buf, size_t len);

#ifdef __cplusplus
}
#endif

#endif /* MURDER_CORE_H */
