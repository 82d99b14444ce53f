/*
 * relay_fuzz.c — libFuzzer harness for relay.c (mc_relay_step and the splice calls).
 *
 * Input: one knob byte, then records. Knob bits: 0 IDLE relayed, 1-2 the output array size
 * (4, 5, 8 or 64), 3 tight limits (64-byte client lines, 16-byte literals, 3 literals per
 * message; backend lines of 96 bytes), 4 splice literal bodies. A record is a header byte h
 * then its bytes: h & 1 is the side (0 client, 1 backend), h >> 1 the length - 1 (1..128).
 *
 * relay_drive.h checks every call's invariants. At the end, when nothing was intercepted,
 * closed or dropped on the client side and IDLE is not relayed, every client byte taken must
 * have reached the backend exactly, with {n} rewritten to {n+}.
 * Built and run by `make fuzz-relay` (mk/relay.mk); replayed by Tests/c/relay_check.c.
 */
#include "murder_core.h"
#include "relay_drive.h"

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint32_t outs[4] = {4, 5, 8, 64};
    mc_relay_config cfg;
    drive dv;

    if (size < 1)
        return 0;
    uint8_t knob = data[0];
    data++;
    size--;

    memset(&cfg, 0, sizeof cfg);
    cfg.verbs = MC_VERB_FETCH | MC_VERB_STORE | MC_VERB_SEARCH | MC_VERB_SORT | MC_VERB_THREAD |
                MC_VERB_EXPUNGE | MC_VERB_CHECK | MC_VERB_NOOP | ((knob & 1u) ? MC_VERB_IDLE : 0);
    cfg.uid_verbs = MC_VERB_FETCH | MC_VERB_STORE | MC_VERB_SEARCH | MC_VERB_SORT |
                    MC_VERB_THREAD | MC_VERB_EXPUNGE;
    mc_scan_default_limits(MC_SCAN_COMMANDS, &cfg.client);
    mc_scan_default_limits(MC_SCAN_RESPONSES, &cfg.backend);
    if (knob & 8u) {
        cfg.client.max_line = 64;
        cfg.client.max_literal = 16;
        cfg.client.max_literals = 3;
        cfg.backend.max_line = 96;
        cfg.backend.max_literal = 16;
        cfg.backend.max_literals = 3;
    }
    drive_init(&dv, &cfg, outs[(knob >> 1) & 3u], (knob & 16u) != 0);

    while (size > 0) {
        uint8_t h = data[0];
        size_t n = (size_t)(h >> 1) + 1;
        data++;
        size--;
        if (n > size)
            n = size;
        drive_feed(&dv, h & 1u, data, n);
        data += n;
        size -= n;
    }

    uint32_t stop = mc_relay_stop_reason(dv.r);
    if (!(knob & 1u) && !dv.r->intercept && stop != MC_RELAY_INTERCEPT &&
        stop != MC_RELAY_CLIENT_CLOSE && dv.r->dir[MC_RELAY_FROM_CLIENT].dropped == 0) {
        dbuf want = {0};
        const void *h;
        size_t taken = (size_t)dv.consumed[MC_RELAY_FROM_CLIENT] -
                       mc_relay_held(dv.r, MC_RELAY_FROM_CLIENT, &h);
        drive_expected_backend(dv.all[MC_RELAY_FROM_CLIENT].p, taken, &cfg.client, &want);
        if (want.n != dv.to[MC_RELAY_TO_BACKEND].n ||
            (want.n != 0 && memcmp(want.p, dv.to[MC_RELAY_TO_BACKEND].p, want.n) != 0)) {
            fprintf(stderr, "relay_fuzz: the backend got other bytes than the client sent\n");
            fprintf(stderr, "want %zu: %.*s\ngot %zu: %.*s\n", want.n, (int)want.n,
                    want.p ? (const char *)want.p : "", dv.to[0].n, (int)dv.to[0].n,
                    dv.to[0].p ? (const char *)dv.to[0].p : "");
            abort();
        }
        free(want.p);
    }
    drive_free(&dv);
    return 0;
}
