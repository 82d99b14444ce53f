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
 * relay.c — the proxy relay's state machine, without sockets.
 *
 * While a mailbox is selected, a frontend passes the client's commands of a verb set to the
 * backend and the backend's responses to the client as received. The relay decides, byte for
 * byte, what goes where; the loop (ring.c) or a test moves the bytes. It behaves as the
 * pure-Swift relay (Proxy, FrontendSession+Relay.swift) and must give identical output:
 *
 *  client -> backend
 *   - A command whose verb is in cfg.verbs (or "UID" with the next word in cfg.uid_verbs,
 *     case-insensitively) is forwarded, its tag recorded as outstanding. A synchronising
 *     literal announced by one of its lines ({n} or ~{n}) is forwarded as {n+} / ~{n+} and
 *     the relay itself answers the client "+ Ready for literal data\r\n"; that answer is put
 *     into the client's stream only between two backend responses, never inside one.
 *   - A line is forwarded only once complete (its LF seen). A line that straddles two inputs
 *     is kept in the relay (MC_RELAY_HOLD bytes); a first line longer than that, a tag longer
 *     than MC_RELAY_MAX_TAG, a full tag table, any command outside the set, and any first
 *     line the scanner refuses (INVALID or CLOSE: too long, NUL, literal too large) are
 *     "intercepted": the relay stops taking client bytes at the first byte of that command
 *     and, once every outstanding command has been answered, stops with MC_RELAY_INTERCEPT.
 *     The caller gets the command's bytes back (mc_relay_held() plus what step did not
 *     consume) for the session to handle.
 *   - A continuation line that cannot be kept, or that the scanner refuses, stops the relay
 *     with MC_RELAY_CLIENT_CLOSE (the command was partly forwarded: the session cannot go on).
 *   - "tag IDLE" (when IDLE is in the set) is forwarded; the next client line, whatever it is
 *     ("DONE"), is forwarded verbatim and ends the client's IDLE.
 *  backend -> client
 *   - Every response is forwarded as received (lines progressively, literal bodies as they
 *     come), except: an untagged BYE, which is not forwarded and stops the relay with
 *     MC_RELAY_BACKEND_BYE (bytes after it stay unconsumed); a "+" continuation while no
 *     relayed IDLE is outstanding (the frontend sends literals non-synchronising); and a
 *     tagged response whose tag is not outstanding. A tagged response retires its tag.
 *   - A response the scanner refuses stops the relay with MC_RELAY_BACKEND_INVALID.
 *  Deciding what a response is needs its tag and first word: up to MC_RELAY_HOLD bytes of a
 *  first line are kept across inputs for that.
 *
 * Outputs of mc_relay_step() point into that call's input, into the relay (held bytes) or at
 * constant strings. They stay valid until the next mc_relay_step() for the same direction,
 * which must not come before every output of this one was sent. No allocation, no syscalls.
 * -------------------------------------------------------------------------------------- */

enum {
    MC_RELAY_FROM_CLIENT = 0,
    MC_RELAY_FROM_BACKEND = 1,
};

enum {
    MC_RELAY_TO_BACKEND = 0,
    MC_RELAY_TO_CLIENT = 1,
};

/* Verbs (and words after UID) a relay can pass through: bits of mc_relay_config. */
enum {
    MC_VERB_FETCH = 1u << 0,
    MC_VERB_STORE = 1u << 1,
    MC_VERB_SEARCH = 1u << 2,
    MC_VERB_SORT = 1u << 3,
    MC_VERB_THREAD = 1u << 4,
    MC_VERB_EXPUNGE = 1u << 5,
    MC_VERB_CHECK = 1u << 6,
    MC_VERB_NOOP = 1u << 7,
    MC_VERB_IDLE = 1u << 8,
    MC_VERB_COPY = 1u << 9,
    MC_VERB_MOVE = 1u << 10,
};

/* Why a relay stopped. */
enum {
    MC_RELAY_RUNNING = 0,
    MC_RELAY_INTERCEPT = 1,        /* a command for the session; every earlier one answered */
    MC_RELAY_CLIENT_EOF = 2,       /* set by the loop */
    MC_RELAY_BACKEND_EOF = 3,      /* set by the loop */
    MC_RELAY_BACKEND_BYE = 4,      /* the backend said BYE (not forwarded) */
    MC_RELAY_CLIENT_CLOSE = 5,     /* the client's stream cannot be resynchronised */
    MC_RELAY_BACKEND_INVALID = 6,  /* the backend sent what the scanner refuses */
    MC_RELAY_TIMEOUT = 7,          /* set by the loop: the client sent nothing for idle_ns */
    MC_RELAY_SHUTDOWN = 8,         /* set by the loop: mc_loop_relay_stop() */
    MC_RELAY_CLIENT_ERROR = 9,     /* set by the loop: a socket error on the client side */
    MC_RELAY_BACKEND_ERROR = 10,   /* set by the loop: a socket error on the backend side */
};

enum {
    /* Small on purpose: a relay lives as long as its session idles in it, and a frontend
     * holds tens of thousands of them (DESIGN.md: 50,000 idle sessions under 1 GiB). */
    MC_RELAY_HOLD = 512,       /* bytes of a client line kept across inputs */
    MC_RELAY_MAX_TAG = 32,     /* longest tag the relay records */
    MC_RELAY_MAX_TAGS = 32,    /* outstanding commands at once; more waits (not intercepted) */
};

/* Where an output's bytes are. */
enum {
    MC_RELAY_OUT_INPUT = 0,    /* bytes [off, off + len) of this step's input */
    MC_RELAY_OUT_BYTES = 1,    /* `len` bytes at `bytes` (held bytes, or a constant) */
};

typedef struct mc_relay_out {
    uint32_t to;               /* MC_RELAY_TO_* */
    uint32_t kind;             /* MC_RELAY_OUT_* */
    uint64_t off;              /* MC_RELAY_OUT_INPUT */
    uint64_t len;
    const void *bytes;         /* MC_RELAY_OUT_BYTES */
} mc_relay_out;

typedef struct mc_relay_config {
    uint32_t verbs;            /* MC_VERB_* relayed as a command's verb */
    uint32_t uid_verbs;        /* MC_VERB_* relayed as the word after UID */
    mc_scan_limits client;     /* the client's stream (literal bound: the string bound) */
    mc_scan_limits backend;    /* the backend's stream */
} mc_relay_config;

/* Opaque; the caller allocates mc_relay_size() bytes, aligned to 16. */
typedef struct mc_relay mc_relay;
size_t mc_relay_size(void);

/* Prepares a relay with no outstanding command. Returns 0 or -EINVAL. */
int mc_relay_init(mc_relay *r, const mc_relay_config *cfg);

/* The MC_VERB_* bit of an upper- or lower-case verb, 0 if the relay knows no such verb. */
uint32_t mc_relay_verb_bit(const void *word, size_t len);

/* Takes bytes received from `from` (MC_RELAY_FROM_*), writes at most max_out outputs and
 * their count into *n_out, returns the bytes consumed (>= 0) or -EINVAL. Consumes less than
 * len when the outputs are full, when the client direction is paused (an intercepted command
 * waits, or the tag table is full), or when the relay stopped; call again with the rest once
 * the outputs were sent. Never consumes client bytes after an intercepted command's start. */
int64_t mc_relay_step(mc_relay *r, uint32_t from, const void *buf, size_t len,
                      mc_relay_out *out, uint32_t max_out, uint32_t *n_out);

/* MC_RELAY_RUNNING or why the relay stopped. */
uint32_t mc_relay_stop_reason(const mc_relay *r);

/* Sets a stop reason from outside (the loop's EOF, errors, timeout, shutdown); the first
 * reason set wins. */
void mc_relay_stop(mc_relay *r, uint32_t reason);

/* Whether step would take no client bytes now (an intercepted command waits for earlier
 * answers, or the tag table is full) — the loop then stops reading the client. */
int mc_relay_client_paused(const mc_relay *r);

/* Commands forwarded and not yet answered. */
uint32_t mc_relay_outstanding(const mc_relay *r);

/* Whether part of a relayed command went to the backend and the rest (a literal's bytes, a
 * continuation line) has not: anything else sent to the backend now would be read as part
 * of that command, so a client gone at this point means closing the backend connection. */
int mc_relay_client_mid_command(const mc_relay *r);

/* Bytes of `from` taken by step but neither forwarded nor dropped: the start of an
 * intercepted command (client), or of a response after a BYE (backend). Valid until the
 * next step or init. Returns the length. */
size_t mc_relay_held(const mc_relay *r, uint32_t from, const void **bytes);

/* Body bytes of the literal being forwarded from `from` that may bypass step (be spliced):
 * 0 unless step is inside a literal body that is forwarded (not dropped). */
uint64_t mc_relay_literal_left(const mc_relay *r, uint32_t from);

/* Tells the relay that n (<= mc_relay_literal_left) body bytes of `from` were moved without
 * step. Returns 0 or -EINVAL. */
int mc_relay_literal_moved(mc_relay *r, uint32_t from, uint64_t n);

/* Bytes a relay forwarded so far, by direction and path: through step's outputs (copied) or
 * reported by mc_relay_literal_moved (spliced). Constants and dropped bytes do not count. */
typedef struct mc_relay_stats {
    uint64_t copied[2];   /* by MC_RELAY_FROM_* */
    uint64_t spliced[2];
} mc_relay_stats;
void mc_relay_stats_get(const mc_relay *r, mc_relay_stats *out);

/* ------------------------------------------------------------------------------------------
 * ring.c — the io_uring event loop: one ring per loop thread, Linux only.
 *
 * Swift runs each loop on its own thread: it calls mc_loop_poll() in a loop and resumes the
 * continuations of the events it returns. Every function but mc_loop_wake() must be called
 * on that thread only (the ring is SINGLE_ISSUER). Other threads queue their requests on the
 * Swift side and call mc_loop_wake(), which makes a waiting mc_loop_poll() return.
 *
 * A connection is a slot holding a non-blocking socket (mc_loop_attach). It has at most one
 * recv, one send (or sendfile) and one connect in flight. Every operation started with a
 * token ends in exactly one event carrying that token, except multishot accept, which gives
 * one event per accepted socket (more = 1) and a last one (more = 0).
 *
 * Receives take a buffer from the loop's pool (a provided-buffer ring, so an idle connection
 * holds no buffer); an event's data stays valid until the next mc_loop_poll() call.
 *
 * mc_loop_relay() hands two connections to relay.c until it stops: bytes move between them
 * inside the loop without returning to Swift. Response literal bodies of at least splice_min
 * bytes go socket -> pipe -> socket with non-blocking splice(2) issued by the loop thread
 * when a poll says the socket is ready (IORING_OP_SPLICE on sockets runs on io-wq workers:
 * see DESIGN.md); shorter ones are copied through the pool's buffers.
 * -------------------------------------------------------------------------------------- */

/* Event kinds (mc_loop_event.kind). */
enum {
    MC_EV_RECV = 1,     /* res: bytes (data, len), 0 at end of stream, or -errno:
                           -ETIME after timeout_ns, -ECANCELED after mc_loop_cancel_recv */
    MC_EV_SEND = 2,     /* res: 0 when every byte was handed to the socket, or -errno */
    MC_EV_SENDFILE = 3, /* res: 0 when every byte was sent, or -errno */
    MC_EV_ACCEPT = 4,   /* res: the accepted socket's fd (not attached), or -errno; more */
    MC_EV_CONNECT = 5,  /* res: 0, or -errno (-ETIME after timeout_ns) */
    MC_EV_CLOSE = 6,    /* res: 0; the slot is free */
    MC_EV_RELAY = 7,    /* res: the stop reason (MC_RELAY_*); leftovers: mc_loop_relay_leftover */
};

typedef struct mc_loop_event {
    uint64_t token;
    uint32_t kind;
    int32_t res;
    const void *data;   /* MC_EV_RECV */
    uint64_t len;
    uint32_t more;      /* MC_EV_ACCEPT: more events will follow for this token */
    uint32_t _reserved;
} mc_loop_event;

typedef struct mc_loop_config {
    uint32_t entries;     /* submission queue entries, e.g. 4096 */
    uint32_t max_conns;   /* connection slots */
    uint32_t buf_size;    /* bytes of each pool buffer, e.g. 65536 */
    uint32_t buf_count;   /* pool buffers, a power of two <= 32768 */
    uint32_t pipe_size;   /* bytes of a splice pipe (F_SETPIPE_SZ), e.g. 65536 */
    uint32_t splice_min;  /* response literal bodies this long or longer are spliced; 0 = never */
    uint32_t head_read;   /* with splicing on, a relay's backend read outside a literal asks at
                             most this many bytes, so a long body after a response line is
                             mostly spliced rather than copied; 0 or more than buf_size =
                             buf_size */
} mc_loop_config;

/* Probe flags. */
enum {
    MC_PROBE_FORCE_FAIL = 1u << 0, /* report io_uring as missing (tests of the fallback) */
};

/* Whether this kernel lets the process run a loop: creates and destroys a ring with the
 * setup flags mc_loop_init uses and checks every operation the loop needs. Returns 0, or a
 * negative errno and a sentence naming what is missing in why (NUL-terminated, truncated to
 * len): "io_uring_setup: Operation not permitted (kernel.io_uring_disabled = 2?)", "the
 * kernel lacks IORING_OP_SEND", "forced off". Not Linux: -ENOSYS. */
int mc_ring_probe(uint32_t flags, char *why, size_t len);

/* Opaque; the caller allocates mc_loop_size() bytes, aligned to 16. */
typedef struct mc_loop mc_loop;
size_t mc_loop_size(void);

/* Sets up the ring, the buffer pool, the slot table and the wake-up eventfd (allocating them:
 * this is not the byte path). Returns 0 or -errno. */
int mc_loop_init(mc_loop *l, const mc_loop_config *cfg);

/* Closes every attached socket and frees what init took. No events follow. */
void mc_loop_destroy(mc_loop *l);

/* Any thread: makes a waiting mc_loop_poll() return. Returns 0 or -errno. */
int mc_loop_wake(mc_loop *l);

/* Submits what is queued, waits until at least one event is ready, a wake-up came or wait_ns
 * passed (-1: no limit, 0: do not wait), handles completions (relays run here), and writes up
 * to max events. Returns their count (>= 0) or -errno. */
int mc_loop_poll(mc_loop *l, mc_loop_event *events, uint32_t max, int64_t wait_ns);

/* Puts a socket in a slot (making it non-blocking). Returns the connection id (>= 0), or
 * -EMFILE when every slot is taken. */
int mc_loop_attach(mc_loop *l, int fd);

/* Takes the socket out of its slot without closing it (no operation may be in flight), for
 * a move to another loop. Returns the fd or -errno (-EBUSY while something is in flight). */
int mc_loop_detach(mc_loop *l, int conn);

/* Multishot accept on a listening socket (not attached). */
int mc_loop_accept(mc_loop *l, int listen_fd, uint64_t token);

/* Ends the multishot accept on listen_fd: its last event (more = 0, res -ECANCELED) follows. */
int mc_loop_accept_cancel(mc_loop *l, int listen_fd);

/* Connects the connection's socket to addr; timeout_ns < 0: none. */
int mc_loop_connect(mc_loop *l, int conn, const void *addr, uint32_t addrlen, int64_t timeout_ns,
                    uint64_t token);

/* Receives once into a pool buffer; timeout_ns < 0: none. -ENOBUFS from the kernel is not an
 * error: the loop retries when a buffer comes back. */
int mc_loop_recv(mc_loop *l, int conn, int64_t timeout_ns, uint64_t token);

/* Ends the connection's recv early: its event follows (with data if it had completed). */
int mc_loop_recv_cancel(mc_loop *l, int conn);

/* Sends every byte of [buf, buf + len); the memory must stay valid until the event. */
int mc_loop_send(mc_loop *l, int conn, const void *buf, size_t len, uint64_t token);

/* Sends len bytes of file_fd from offset without copying them through user space. The fd
 * stays the caller's; it must stay open until the event. */
int mc_loop_sendfile(mc_loop *l, int conn, int file_fd, uint64_t offset, uint64_t len,
                     uint64_t token);

/* Cancels what is in flight on the connection (those events come first, -ECANCELED), closes
 * the socket and frees the slot; MC_EV_CLOSE follows. */
int mc_loop_close(mc_loop *l, int conn, uint64_t token);

/* Relays between two connections of this loop (nothing in flight on either) until r stops;
 * MC_EV_RELAY carries the reason. client_bytes / backend_bytes are bytes already read from
 * each side and not yet handled (copied at once). idle_ns: stop with MC_RELAY_TIMEOUT after
 * the client sent nothing that long (< 0: never). r must have been set up by mc_relay_init and
 * stay valid until the event. */
int mc_loop_relay(mc_loop *l, int client, int backend, mc_relay *r,
                  const void *client_bytes, size_t client_len,
                  const void *backend_bytes, size_t backend_len,
                  int64_t idle_ns, uint64_t token);

/* Asks the relay on `client` to stop (MC_RELAY_SHUTDOWN); its event follows. */
int mc_loop_relay_stop(mc_loop *l, int client);

/* Send queues of this loop's relays: `held` by relays (pieces queued or a send in flight),
 * `pooled` for reuse. A relay that has sent everything (an idle IMAP session) holds none. */
void mc_loop_relay_queues(const mc_loop *l, uint32_t *held, uint32_t *pooled);

/* After MC_EV_RELAY: the bytes of `from` read but not relayed, in at most two pieces (held
 * bytes first), valid until the next mc_loop_poll(). Returns the total length. */
size_t mc_loop_relay_leftover(mc_loop *l, mc_relay *r, uint32_t from,
                              const void **p1, size_t *n1, const void **p2, size_t *n2);

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
