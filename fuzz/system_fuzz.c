/*
 * system_fuzz.c — libFuzzer harness for the C wrappers in CSources/System that take client
 * input: the SASL server exchange (mechanism choice, initial response, further steps,
 * checkpass) and the incremental digests. Input layout: byte 0 picks the mechanism, the rest
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    setup();
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
