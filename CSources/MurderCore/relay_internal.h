/*
 * relay_internal.h — the layout of struct mc_relay, private to the C core.
 *
 * Swift sees mc_relay as an opaque type of mc_relay_size() bytes; ring.c and the C tests
 * include this header to look inside (the hold buffers, the counters of dropped bytes).
 * Nothing here is part of the contract of murder_core.h.
 */
#ifndef MURDER_RELAY_INTERNAL_H
#define MURDER_RELAY_INTERNAL_H

#include "murder_core.h"

#include <stdint.h>

enum {
    /* Outputs one unit of work may need: held bytes, an input range, a constant suffix and a
     * continuation request. mc_relay_step() refuses a smaller output array (-EINVAL). */
    MC_RELAY_MIN_OUT = 4,
    /* Continuation requests ("+ Ready for literal data") waiting for the backend to reach a
     * message boundary; a client with this many unanswered waits (pauses) at its next line. */
    MC_RELAY_MAX_CONTS = 16,
};

/* Client direction states (mc_relay_dir.state for MC_RELAY_FROM_CLIENT). */
enum {
    MC_RC_START = 0, /* the next segment is the first line of a command */
    MC_RC_IDLE_LINE, /* the next line follows a relayed IDLE: forwarded verbatim ("DONE") */
    MC_RC_RELAY,     /* inside a relayed command: literal body or continuation line */
    MC_RC_DROP,      /* the rest of a message after an IDLE line that announced a literal */
};

/* Backend direction states (mc_relay_dir.state for MC_RELAY_FROM_BACKEND). */
enum {
    MC_RB_CLASSIFY = 0, /* at a message boundary, or holding a first line not yet judged */
    MC_RB_FORWARD,      /* the current message goes to the client */
    MC_RB_DROP,         /* the current message is dropped ("+", an unknown tag) */
    MC_RB_BYE,          /* an untagged BYE: dropped, the relay stops at its LF */
};

/* A tag of a relayed command that the backend has not answered yet. */
typedef struct mc_relay_tag {
    uint32_t len;
    uint8_t bytes[MC_RELAY_MAX_TAG];
} mc_relay_tag;

/* One direction: its scanner, its held line and where it is in the current message. */
typedef struct mc_relay_dir {
    mc_scan scan;
    uint32_t state;        /* MC_RC_* or MC_RB_* */
    uint32_t hold_len;     /* bytes of the current line taken but not yet forwarded */
    uint32_t hold_buf;     /* which of the two hold buffers holds them */
    uint32_t in_literal;   /* the scanner is inside a literal body */
    uint64_t literal_left; /* its bytes still to come */
    uint64_t dropped;      /* bytes consumed and neither forwarded nor held */
    /* Two buffers: held bytes sent as an output stay valid while a new line is held. */
    uint8_t hold[2][MC_RELAY_HOLD];
} mc_relay_dir;

struct mc_relay {
    uint32_t verbs, uid_verbs;
    uint32_t stop;          /* MC_RELAY_* stop reason, sticky */
    uint32_t intercept;     /* a command for the session waits at the client's position */
    uint32_t pending_conts; /* continuation requests waiting for a backend message boundary */
    uint32_t n_tags;
    /* The backend's first-line classifier: the tag read so far, then "* " and the verb. */
    uint32_t cls_phase, cls_tag_len, cls_verb_len, _pad;
    uint8_t cls_tag[MC_RELAY_MAX_TAG];
    uint8_t cls_verb[4];
    /* The tag of the relayed IDLE still outstanding, if any (the backend's "+" goes through). */
    uint32_t idle_active, idle_len;
    uint8_t idle_tag[MC_RELAY_MAX_TAG];
    mc_relay_stats stats;
    mc_relay_dir dir[2]; /* by MC_RELAY_FROM_* */
    mc_relay_tag tags[MC_RELAY_MAX_TAGS];
};

#endif /* MURDER_RELAY_INTERNAL_H */
