/*
 * system_fuzz.c — libFuzzer harness for the C wrappers in CSources/System that take client
 * input: the SASL server exchange (mechanism choice, initial response, further steps,
 * checkpass), the incremental digests, and raw DEFLATE decompression (the input inflated in
 * pieces through a small buffer, what came out compressed again and checked to round-trip). Input layout: byte 0 picks the mechanism, the rest
 * is split at 0xFF bytes into the initial response and the following client responses.
 * The same entry point is replayed under ASan + UBSan by Tests/c/system_check.c in `make test`.
 */
#include "murder_system.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *mechanisms[] = {"PLAIN", "LOGIN", "SCRAM-SHA-1", "SCRAM-SHA-256", "CRAM-MD5", "DIGEST-MD5", "NOPE"};
static char sasldb[256];

static void setup(void) {
    if (sasldb[0] != 0) return;
    snprintf(sasldb, sizeof sasldb, "/tmp/murder-system-fuzz-%d.db", (int)getpid());
    mc_sys_sasl_init();
    mc_sys_sasl_server_options o = {
        .service = "imap", .server_fqdn = "fuzz.example", .user_realm = NULL, .local_ip = "127.0.0.1;143",
        .remote_ip = "127.0.0.1;5555", .sasldb_path = sasldb, .mech_list = NULL, .log = NULL, .log_context = NULL,
    };
    mc_sys_sasl_server *s = NULL;
    if (mc_sys_sasl_server_new(&o, &s) == MC_SYS_SASL_OK) {
        mc_sys_sasl_server_setpass(s, "alice", "secret", 6, 1);
        mc_sys_sasl_server_free(s);
    }
}

/* Inflates `data` in pieces of at most 37 bytes through a 61-byte buffer (at most 64 KiB kept),
 * then deflates what came out and inflates that again: it must give the same bytes. */
static void fuzz_zstream(const uint8_t *data, size_t size) {
    mc_sys_zstream *in = mc_sys_inflate_new();
    if (in == NULL) return;
    static uint8_t plain[65536];
    size_t kept = 0;
    size_t at = 0;
    int r = MC_SYS_Z_OK;
    while (r == MC_SYS_Z_OK && kept < sizeof plain) {
        size_t piece = size - at < 37 ? size - at : 37;
        size_t consumed = 0, produced = 0;
        uint8_t out[61];
        r = mc_sys_zstream_run(in, data + at, piece, &consumed, out, sizeof out, &produced);
        size_t room = sizeof plain - kept;
        size_t n = produced < room ? produced : room;
        memcpy(plain + kept, out, n);
        kept += n;
        at += consumed;
        if (consumed == 0 && produced == 0) break;
    }
    mc_sys_zstream_free(in);
    if (kept == 0) return;
    mc_sys_zstream *def = mc_sys_deflate_new();
    mc_sys_zstream *inf = mc_sys_inflate_new();
    static uint8_t packed[70000];
    static uint8_t back[65536];
    size_t packedlen = 0, used = 0, backlen = 0;
    if (def != NULL && inf != NULL) {
        while (used < kept || packedlen == 0) {
            size_t consumed = 0, produced = 0;
            if (mc_sys_zstream_run(def, plain + used, kept - used, &consumed, packed + packedlen,
                                   sizeof packed - packedlen, &produced) != MC_SYS_Z_OK)
                abort();
            used += consumed;
            packedlen += produced;
            if (consumed == 0 && produced == 0) break;
        }
        size_t off = 0;
        while (off < packedlen) {
            size_t consumed = 0, produced = 0;
            if (mc_sys_zstream_run(inf, packed + off, packedlen - off, &consumed, back + backlen, sizeof back - backlen,
                                   &produced) == MC_SYS_Z_ERROR)
                abort();
            off += consumed;
            backlen += produced;
            if (consumed == 0 && produced == 0) break;
        }
        if (backlen != kept || memcmp(back, plain, kept) != 0) abort();
    }
    mc_sys_zstream_free(def);
    mc_sys_zstream_free(inf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    setup();
    fuzz_zstream(data, size);
    /* Digests over the whole input, in two pieces. */
    mc_sys_digest *d = mc_sys_digest_new(size % 2 ? MC_SYS_SHA1 : MC_SYS_SHA256);
    if (d != NULL) {
        uint8_t out[64];
        mc_sys_digest_update(d, data, size / 2);
        mc_sys_digest_update(d, data + size / 2, size - size / 2);
        mc_sys_digest_final(d, out, sizeof out);
        mc_sys_digest_free(d);
    }
    if (size == 0) return 0;
    mc_sys_sasl_server_options o = {
        .service = "imap", .server_fqdn = "fuzz.example", .user_realm = NULL, .local_ip = "127.0.0.1;143",
        .remote_ip = "127.0.0.1;5555", .sasldb_path = sasldb, .mech_list = NULL, .log = NULL, .log_context = NULL,
    };
    mc_sys_sasl_server *s = NULL;
    if (mc_sys_sasl_server_new(&o, &s) != MC_SYS_SASL_OK) return 0;
    const char *mech = mechanisms[data[0] % (sizeof mechanisms / sizeof mechanisms[0])];
    const uint8_t *p = data + 1;
    const uint8_t *end = data + size;
    const uint8_t *cut = memchr(p, 0xFF, (size_t)(end - p));
    size_t len = (size_t)((cut ? cut : end) - p);
    const void *out = NULL;
    size_t outlen = 0;
    int r = mc_sys_sasl_server_start(s, mech, p, len, data[0] & 0x80 ? 0 : 1, &out, &outlen);
    p = cut ? cut + 1 : end;
    for (int steps = 0; r == MC_SYS_SASL_CONTINUE && p <= end && steps < 8; steps++) {
        cut = memchr(p, 0xFF, (size_t)(end - p));
        len = (size_t)((cut ? cut : end) - p);
        r = mc_sys_sasl_server_step(s, p, len, &out, &outlen);
        p = cut ? cut + 1 : end + 1;
    }
    (void)mc_sys_sasl_server_username(s);
    (void)mc_sys_sasl_server_authuser(s);
    /* LOGIN's password check with the same bytes (user taken up to the first NUL). */
    char user[64];
    size_t ulen = strnlen((const char *)data + 1, size - 1 < sizeof user - 1 ? size - 1 : sizeof user - 1);
    memcpy(user, data + 1, ulen);
    user[ulen] = 0;
    mc_sys_sasl_server_checkpass(s, user, data, size);
    mc_sys_sasl_server_free(s);
    return 0;
}
