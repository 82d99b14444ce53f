/*
 * relay_check.c — exact-bytes tests of relay.c under AddressSanitizer and UBSan.
 *
 * Each case is a script of receptions (client or backend bytes, in order) and the bytes each
 * side must have received at the end, the stop reason and what the session gets back. Every
 * case runs with each reception whole, split at every offset, and a byte at a time; with
 * output arrays of 4 and 64 entries; with and without literal bodies moved around step
 * (mc_relay_literal_moved). relay_drive.h checks every call's invariants. Then the files of
 * the corpus folders given on the command line are replayed through the fuzz harness.
 * Built and run by `make relay-asan` (mk/relay.mk).
 */
#include "murder_core.h"
#include "relay_drive.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define C(s) {MC_RELAY_FROM_CLIENT, s, sizeof s - 1}
#define B(s) {MC_RELAY_FROM_BACKEND, s, sizeof s - 1}
#define END {0, NULL, 0}

typedef struct step {
    uint32_t from;
    const char *s;
    size_t n;
} step;

typedef struct expect {
    const char *to_backend, *to_client;
    uint32_t stop;
    const char *left_client, *left_backend; /* NULL: "" */
    uint32_t outstanding;
    int client_prefix; /* to_client only needs to be a prefix of what is given (split-dependent) */
} expect;

static int failures;

static void config(mc_relay_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->verbs = MC_VERB_FETCH | MC_VERB_STORE | MC_VERB_SEARCH | MC_VERB_SORT | MC_VERB_THREAD |
                 MC_VERB_EXPUNGE | MC_VERB_CHECK | MC_VERB_NOOP | MC_VERB_IDLE;
    cfg->uid_verbs = MC_VERB_FETCH | MC_VERB_STORE | MC_VERB_SEARCH | MC_VERB_SORT |
                     MC_VERB_THREAD | MC_VERB_EXPUNGE;
    mc_scan_default_limits(MC_SCAN_COMMANDS, &cfg->client);
    mc_scan_default_limits(MC_SCAN_RESPONSES, &cfg->backend);
}

static int same(const dbuf *b, const char *want)
{
    size_t n = want ? strlen(want) : 0;
    return b->n == n && (n == 0 || memcmp(b->p, want, n) == 0);
}

static void show(const char *label, const void *p, size_t n)
{
    fprintf(stderr, "  %s (%zu): \"", label, n);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = ((const unsigned char *)p)[i];
        if (c == '\r')
            fputs("\\r", stderr);
        else if (c == '\n')
            fputs("\\n", stderr);
        else if (c < 32 || c > 126)
            fprintf(stderr, "\\x%02x", c);
        else
            fputc(c, stderr);
    }
    fputs("\"\n", stderr);
}

/* Runs one script with every reception split at `split` (0: whole; 1: a byte at a time
 * when bytewise) and compares the result. */
static void run_one(const char *name, const step *script, const expect *e, size_t split,
                    int bytewise, uint32_t max_out, int splice, const mc_relay_config *cfgp)
{
    mc_relay_config cfg;
    drive dv;
    dbuf left = {0};
    if (cfgp)
        cfg = *cfgp;
    else
        config(&cfg);
    drive_init(&dv, &cfg, max_out, splice);
    for (const step *s = script; s->s != NULL; s++) {
        if (bytewise) {
            for (size_t i = 0; i < s->n; i++)
                drive_feed(&dv, s->from, s->s + i, 1);
        } else if (split > 0 && split < s->n) {
            drive_feed(&dv, s->from, s->s, split);
            drive_feed(&dv, s->from, s->s + split, s->n - split);
        } else {
            drive_feed(&dv, s->from, s->s, s->n);
        }
    }
    int ok = same(&dv.to[MC_RELAY_TO_BACKEND], e->to_backend);
    if (e->client_prefix) {
        size_t n = e->to_client ? strlen(e->to_client) : 0;
        ok = ok && dv.to[MC_RELAY_TO_CLIENT].n <= n &&
             memcmp(dv.to[MC_RELAY_TO_CLIENT].p ? (const void *)dv.to[MC_RELAY_TO_CLIENT].p : "",
                    e->to_client, dv.to[MC_RELAY_TO_CLIENT].n) == 0;
    } else {
        ok = ok && same(&dv.to[MC_RELAY_TO_CLIENT], e->to_client);
    }
    ok = ok && mc_relay_stop_reason(dv.r) == e->stop && mc_relay_outstanding(dv.r) == e->outstanding;
    drive_leftover(&dv, MC_RELAY_FROM_CLIENT, &left);
    int left_ok = same(&left, e->left_client);
    if (!e->client_prefix) {
        dbuf lb = {0};
        drive_leftover(&dv, MC_RELAY_FROM_BACKEND, &lb);
        left_ok = left_ok && same(&lb, e->left_backend);
        if (!left_ok)
            show("backend leftover", lb.p, lb.n);
        free(lb.p);
    }
    if (!ok || !left_ok) {
        if (++failures > 3) {
            fprintf(stderr, "FAIL %s (split %zu, bytewise %d, max_out %u, splice %d)\n", name,
                    split, bytewise, max_out, splice);
            free(left.p);
            drive_free(&dv);
            return;
        }
        fprintf(stderr, "FAIL %s (split %zu, bytewise %d, max_out %u, splice %d)\n", name, split,
                bytewise, max_out, splice);
        show("to backend", dv.to[0].p, dv.to[0].n);
        show("to client", dv.to[1].p, dv.to[1].n);
        show("client leftover", left.p, left.n);
        fprintf(stderr, "  stop %u outstanding %u\n", mc_relay_stop_reason(dv.r),
                mc_relay_outstanding(dv.r));
    }
    free(left.p);
    drive_free(&dv);
}

static void run_cfg(const char *name, const step *script, const expect *e,
                    const mc_relay_config *cfg)
{
    static const uint32_t outs[2] = {4, 64};
    size_t longest = 0;
    for (const step *s = script; s->s != NULL; s++)
        longest = s->n > longest ? s->n : longest;
    for (int o = 0; o < 2; o++) {
        for (int splice = 0; splice < 2; splice++) {
            run_one(name, script, e, 0, 0, outs[o], splice, cfg);
            run_one(name, script, e, 0, 1, outs[o], splice, cfg);
            for (size_t k = 1; k < longest; k++)
                run_one(name, script, e, k, 0, outs[o], splice, cfg);
        }
    }
}

static void run(const char *name, const step *script, const expect *e)
{
    run_cfg(name, script, e, NULL);
}

#define READY "+ Ready for literal data\r\n"

static void test_basic(void)
{
    step s[] = {C("a1 FETCH 1:2 (FLAGS)\r\n"), B("* 1 FETCH (FLAGS (\\Seen))\r\na1 OK done\r\n"),
                END};
    expect e = {"a1 FETCH 1:2 (FLAGS)\r\n", "* 1 FETCH (FLAGS (\\Seen))\r\na1 OK done\r\n",
                MC_RELAY_RUNNING, NULL, NULL, 0, 0};
    run("basic", s, &e);

    step s2[] = {C("a2 uid fetch 1:* flags\r\nA3 Uid Search unseen\r\n"),
                 B("a2 OK f\r\n* SEARCH 4\r\nA3 OK s\r\n"), END};
    expect e2 = {"a2 uid fetch 1:* flags\r\nA3 Uid Search unseen\r\n",
                 "a2 OK f\r\n* SEARCH 4\r\nA3 OK s\r\n", MC_RELAY_RUNNING, NULL, NULL, 0, 0};
    run("case-insensitive verbs, UID", s2, &e2);

    /* UID COPY is not in the UID set; plain CHECK and NOOP are in the verb set. */
    step s3[] = {C("a1 CHECK\r\na2 UID COPY 1 Archive\r\n"), B("a1 OK\r\n"), END};
    expect e3 = {"a1 CHECK\r\n", "a1 OK\r\n", MC_RELAY_INTERCEPT, "a2 UID COPY 1 Archive\r\n",
                 NULL, 0, 0};
    run("UID with a word outside the set", s3, &e3);

    /* "UID" alone, "UIDFETCH", an empty tag: intercepted. */
    step s4[] = {C("a1 UID\r\n"), END};
    expect e4 = {"", "", MC_RELAY_INTERCEPT, "a1 UID\r\n", NULL, 0, 0};
    run("UID without a word", s4, &e4);
    step s5[] = {C(" FETCH 1 FLAGS\r\n"), END};
    expect e5 = {"", "", MC_RELAY_INTERCEPT, " FETCH 1 FLAGS\r\n", NULL, 0, 0};
    run("empty tag", s5, &e5);
}

static void test_pipelined_intercept(void)
{
    step s[] = {C("a1 FETCH 1 FLAGS\r\na2 NOOP\r\na3 UID SEARCH ALL\r\na4 LIST \"\" *\r\na5 NOOP\r\n"),
                B("* 1 FETCH (FLAGS ())\r\na1 OK f\r\n"), B("a2 OK n\r\n"),
                B("* SEARCH 1\r\na3 OK s\r\n* 2 EXISTS\r\n"), END};
    expect e = {"a1 FETCH 1 FLAGS\r\na2 NOOP\r\na3 UID SEARCH ALL\r\n",
                "* 1 FETCH (FLAGS ())\r\na1 OK f\r\na2 OK n\r\n* SEARCH 1\r\na3 OK s\r\n",
                MC_RELAY_INTERCEPT, "a4 LIST \"\" *\r\na5 NOOP\r\n", "* 2 EXISTS\r\n", 0, 0};
    run("three pipelined, then an intercept", s, &e);

    /* Step by step: paused, still relaying, stopping only after the third answer. */
    mc_relay_config cfg;
    drive dv;
    config(&cfg);
    drive_init(&dv, &cfg, 64, 0);
    const char *cmds = "a1 FETCH 1 FLAGS\r\na2 NOOP\r\na3 NOOP\r\na4 LIST \"\" *\r\n";
    drive_feed(&dv, MC_RELAY_FROM_CLIENT, cmds, strlen(cmds));
    int ok = mc_relay_client_paused(dv.r) && mc_relay_outstanding(dv.r) == 3 &&
             mc_relay_stop_reason(dv.r) == MC_RELAY_RUNNING &&
             dv.pending[0].n == strlen("a4 LIST \"\" *\r\n");
    drive_feed(&dv, MC_RELAY_FROM_BACKEND, "a1 OK\r\na2 OK\r\n", 14);
    ok = ok && mc_relay_stop_reason(dv.r) == MC_RELAY_RUNNING && mc_relay_client_paused(dv.r);
    drive_feed(&dv, MC_RELAY_FROM_BACKEND, "a3 OK", 5);
    ok = ok && mc_relay_stop_reason(dv.r) == MC_RELAY_RUNNING;
    drive_feed(&dv, MC_RELAY_FROM_BACKEND, "\r\n", 2);
    ok = ok && mc_relay_stop_reason(dv.r) == MC_RELAY_INTERCEPT && same(&dv.to[1], "a1 OK\r\na2 OK\r\na3 OK\r\n");
    if (!ok) {
        failures++;
        fprintf(stderr, "FAIL intercept step by step\n");
    }
    drive_free(&dv);

    /* An unsolicited response in progress when the last answer came: the relay stops after it. */
    step s2[] = {C("a1 NOOP\r\nb1 LOGOUT\r\n"), B("a1 OK\r\n* 1 FETCH (BODY[] {3}\r\nabc)\r\n* 3 EXISTS\r\n"),
                 END};
    expect e2 = {"a1 NOOP\r\n", "a1 OK\r\n", MC_RELAY_INTERCEPT, "b1 LOGOUT\r\n",
                 "* 1 FETCH (BODY[] {3}\r\nabc)\r\n* 3 EXISTS\r\n", 0, 0};
    run("intercept stops at the tagged answer's end", s2, &e2);
}

static void test_literals(void)
{
    step s[] = {C("a1 FETCH 1 BODY[]\r\n"),
                B("* 1 FETCH (BODY[] {14}\r\n* BYE inside\r\n UID 7)\r\na1 OK done\r\n"), END};
    expect e = {"a1 FETCH 1 BODY[]\r\n", "* 1 FETCH (BODY[] {14}\r\n* BYE inside\r\n UID 7)\r\na1 OK done\r\n",
                MC_RELAY_RUNNING, NULL, NULL, 0, 0};
    run("response literal; BYE inside a body is body", s, &e);

    step s2[] = {C("a1 FETCH 1:2 BODY[]\r\n"),
                 B("* 1 FETCH (BODY[] {123456789}\r\n"), END};
    expect e2 = {"a1 FETCH 1:2 BODY[]\r\n", "* 1 FETCH (BODY[] {123456789}\r\n",
                 MC_RELAY_RUNNING, NULL, NULL, 1, 0};
    run("literal length digits split", s2, &e2);

    step s3[] = {C("a1 FETCH 1 (BODY[1] BINARY[2])\r\n"),
                 B("* 1 FETCH (BODY[1] {0}\r\n BINARY[2] ~{5}\r\n\1\2\3\4\5)\r\na1 OK\r\n"), END};
    expect e3 = {"a1 FETCH 1 (BODY[1] BINARY[2])\r\n",
                 "* 1 FETCH (BODY[1] {0}\r\n BINARY[2] ~{5}\r\n\1\2\3\4\5)\r\na1 OK\r\n",
                 MC_RELAY_RUNNING, NULL, NULL, 0, 0};
    run("empty and binary literals", s3, &e3);

    /* Client literals of a relayed command: synchronising ones rewritten and answered. */
    step s4[] = {C("a1 SEARCH CHARSET {5}\r\n"), C("UTF-8 TEXT {3}\r\nfoo\r\n"),
                 B("* SEARCH 2\r\na1 OK\r\n"), END};
    expect e4 = {"a1 SEARCH CHARSET {5+}\r\nUTF-8 TEXT {3+}\r\nfoo\r\n",
                 READY READY "* SEARCH 2\r\na1 OK\r\n", MC_RELAY_RUNNING, NULL, NULL, 0, 0};
    run("client sync literals", s4, &e4);

    step s5[] = {C("a1 SEARCH CHARSET ~{5}\nUTF-8 TEXT {3+}\nfoo X {0}\n\n"), B("a1 OK\n"), END};
    expect e5 = {"a1 SEARCH CHARSET ~{5+}\nUTF-8 TEXT {3+}\nfoo X {0+}\n\n", READY READY "a1 OK\n",
                 MC_RELAY_RUNNING, NULL, NULL, 0, 0};
    run("binary, non-synchronising, empty literals, bare LF", s5, &e5);

    /* The "+" goes between backend responses, never inside one. */
    step s6[] = {C("a1 FETCH 1 BODY[]\r\n"), B("* 1 FETCH (BODY[] {10}\r\n01234"),
                 C("a2 SEARCH CHARSET {5}\r\n"), B("56789)\r\n"), C("UTF-8 ALL\r\n"),
                 B("a1 OK\r\n* SEARCH\r\na2 OK\r\n"), END};
    expect e6 = {"a1 FETCH 1 BODY[]\r\na2 SEARCH CHARSET {5+}\r\nUTF-8 ALL\r\n",
                 "* 1 FETCH (BODY[] {10}\r\n0123456789)\r\n" READY "a1 OK\r\n* SEARCH\r\na2 OK\r\n",
                 MC_RELAY_RUNNING, NULL, NULL, 0, 0};
    run("deferred continuation request", s6, &e6);
}

static void test_bye(void)
{
    step s[] = {C("a1 NOOP\r\n"), B("* 3 EXISTS\r\n* BYE shutting down\r\n* 4 EXISTS\r\n"), END};
    expect e = {"a1 NOOP\r\n", "* 3 EXISTS\r\n", MC_RELAY_BACKEND_BYE, NULL, "* 4 EXISTS\r\n", 1, 0};
    run("backend BYE", s, &e);

    step s2[] = {B("* bye\r\n"), END};
    expect e2 = {"", "", MC_RELAY_BACKEND_BYE, NULL, NULL, 0, 0};
    run("lower-case BYE", s2, &e2);

    step s3[] = {B("* BYEBYE x\r\n* BYE\r\n"), END};
    expect e3 = {"", "* BYEBYE x\r\n", MC_RELAY_BACKEND_BYE, NULL, NULL, 0, 0};
    run("BYEBYE is not BYE", s3, &e3);
}

static void test_dropping(void)
{
    step s[] = {C("a1 NOOP\r\n"), B("+ go ahead\r\nzz OK not ours\r\nA1 OK case\r\n* OK hi\r\n\r\n"), END};
    expect e = {"a1 NOOP\r\n", "* OK hi\r\n\r\n", MC_RELAY_RUNNING, NULL, NULL, 1, 0};
    run("continuations and unknown tags dropped, tags byte-exact", s, &e);

    char longtag[200];
    memset(longtag, 'x', 100);
    strcpy(longtag + 100, " OK long\r\n* 1 EXISTS\r\n");
    step s2[] = {{MC_RELAY_FROM_BACKEND, longtag, strlen(longtag)}, END};
    expect e2 = {"", "* 1 EXISTS\r\n", MC_RELAY_RUNNING, NULL, NULL, 0, 0};
    run("over-long backend tag dropped", s2, &e2);

    /* A dropped response's literal body is dropped with it. */
    step s3[] = {B("zz OK {4}\r\nab\r\n\r\n* 1 EXISTS\r\n"), END};
    expect e3 = {"", "* 1 EXISTS\r\n", MC_RELAY_RUNNING, NULL, NULL, 0, 0};
    run("dropped literal", s3, &e3);
}

static void test_idle(void)
{
    step s[] = {C("a1 IDLE\r\n"), B("+ idling\r\n* 3 EXISTS\r\n"), C("DONE\r\n"),
                B("a1 OK IDLE done\r\n+ stray\r\n"), END};
    expect e = {"a1 IDLE\r\nDONE\r\n", "+ idling\r\n* 3 EXISTS\r\na1 OK IDLE done\r\n",
                MC_RELAY_RUNNING, NULL, NULL, 0, 0};
    run("IDLE", s, &e);

    step s2[] = {C("a1 idle\r\nb1 LIST \"\" *\r\n"), B("+ idling\r\na1 OK\r\n"), END};
    expect e2 = {"a1 idle\r\nb1 LIST \"\" *\r\n", "+ idling\r\na1 OK\r\n", MC_RELAY_RUNNING,
                 NULL, NULL, 0, 0};
    run("the line after IDLE is forwarded whatever it is", s2, &e2);

    step s3[] = {C("a1 IDLE\r\n"), B("a1 NO no idle\r\n"), C("a2 NOOP\r\n"), B("a2 OK\r\n"), END};
    expect e3 = {"a1 IDLE\r\na2 NOOP\r\n", "a1 NO no idle\r\na2 OK\r\n", MC_RELAY_RUNNING, NULL,
                 NULL, 0, 0};
    run("IDLE answered before DONE", s3, &e3);

    step s4[] = {C("a1 IDLE\r\nDONE {3}\r\nabc\r\na2 NOOP\r\n"), B("a1 OK\r\na2 OK\r\n"), END};
    expect e4 = {"a1 IDLE\r\nDONE {3}\r\na2 NOOP\r\n", "a1 OK\r\na2 OK\r\n", MC_RELAY_RUNNING,
                 NULL, NULL, 0, 0};
    run("a literal after IDLE is skipped", s4, &e4);

    step s5[] = {C("a1 IDLE {3}\r\nabc\r\n"), END};
    expect e5 = {"", "", MC_RELAY_INTERCEPT, "a1 IDLE {3}\r\nabc\r\n", NULL, 0, 0};
    run("IDLE with a literal is intercepted", s5, &e5);
}

static void test_tag_table(void)
{
    static char cmds[64 * 16 + 32], answers[64 * 16 + 32], want_client[64 * 16 + 32];
    size_t n = 0, m = 0;
    for (int i = 0; i < MC_RELAY_MAX_TAGS + 1; i++)
        n += (size_t)sprintf(cmds + n, "t%d NOOP\r\n", i);
    for (int i = 0; i < MC_RELAY_MAX_TAGS; i++)
        m += (size_t)sprintf(answers + m, "t%d OK\r\n", i);
    strcpy(want_client, answers);
    strcat(want_client, "t64 OK\r\n");

    /* Step by step: the 65th command waits, unconsumed, until an answer comes. */
    mc_relay_config cfg;
    drive dv;
    config(&cfg);
    drive_init(&dv, &cfg, 64, 0);
    drive_feed(&dv, MC_RELAY_FROM_CLIENT, cmds, n);
    int ok = mc_relay_client_paused(dv.r) && mc_relay_outstanding(dv.r) == MC_RELAY_MAX_TAGS &&
             mc_relay_stop_reason(dv.r) == MC_RELAY_RUNNING && same(&dv.pending[0], "t64 NOOP\r\n");
    drive_feed(&dv, MC_RELAY_FROM_BACKEND, "t0 OK\r\n", 7);
    ok = ok && dv.pending[0].n == 0 &&
         mc_relay_outstanding(dv.r) == MC_RELAY_MAX_TAGS && dv.to[0].n == n;
    if (!ok) {
        failures++;
        fprintf(stderr, "FAIL tag table step by step\n");
    }
    drive_free(&dv);

    step s[] = {{MC_RELAY_FROM_CLIENT, cmds, n}, {MC_RELAY_FROM_BACKEND, answers, m},
                B("t64 OK\r\n"), END};
    expect e = {cmds, want_client, MC_RELAY_RUNNING, NULL, NULL, 0, 0};
    run("tag table full", s, &e);
}

static void test_refused(void)
{
    step s1[] = {C("a1 NOOP\r\n"), C("a2 FETCH {99999999999}\r\n"), B("a1 OK\r\n"), END};
    expect e1 = {"a1 NOOP\r\n", "a1 OK\r\n", MC_RELAY_INTERCEPT, "a2 FETCH {99999999999}\r\n",
                 NULL, 0, 0};
    run("first line refused (literal too large): intercepted", s1, &e1);

    step s2[] = {C("a2 FETCH {99999999999+}\r\nabc\r\n"), END};
    expect e2 = {"", "", MC_RELAY_INTERCEPT, "a2 FETCH {99999999999+}\r\nabc\r\n", NULL, 0, 0};
    run("first line closes the scanner: intercepted", s2, &e2);

    step s3[] = {C("a1 SEARCH CHARSET {5+}\r\nUTF-8 X {99999999999}\r\n"), END};
    expect e3 = {"a1 SEARCH CHARSET {5+}\r\nUTF-8", "", MC_RELAY_CLIENT_CLOSE,
                 " X {99999999999}\r\n", NULL, 1, 0};
    run("continuation line refused: client closed", s3, &e3);

    step s4[] = {C("a1 NOOP\r\n"), B("* 1 FETCH (FLAGS {99999999999}\r\n* 2 EXISTS\r\n"), END};
    expect e4 = {"a1 NOOP\r\n", "* 1 FETCH (FLAGS {99999999999}\r\n", MC_RELAY_BACKEND_INVALID,
                 NULL, NULL, 1, 1};
    run("backend line refused", s4, &e4);

    /* Lines longer than the hold buffer. */
    static char big[3000], bigc[3100], bigwant[3100];
    memcpy(big, "a1 FETCH 1 (", 12);
    memset(big + 12, 'x', 2100);
    strcpy(big + 2112, ")\r\n");
    step s5[] = {C("a0 NOOP\r\n"), {MC_RELAY_FROM_CLIENT, big, strlen(big)}, B("a0 OK\r\n"), END};
    expect e5 = {"a0 NOOP\r\n", "a0 OK\r\n", MC_RELAY_INTERCEPT, big, NULL, 0, 0};
    run("first line longer than the hold: intercepted", s5, &e5);

    strcpy(bigc, "a1 SEARCH CHARSET {5+}\r\nUTF-8 ");
    size_t k = strlen(bigc);
    memset(bigc + k, 'y', 2100);
    strcpy(bigc + k + 2100, "\r\n");
    step s6[] = {{MC_RELAY_FROM_CLIENT, bigc, strlen(bigc)}, END};
    strcpy(bigwant, "a1 SEARCH CHARSET {5+}\r\nUTF-8");
    expect e6 = {bigwant, "", MC_RELAY_CLIENT_CLOSE, bigc + strlen(bigwant), NULL, 1, 1};
    run("continuation longer than the hold: client closed", s6, &e6);

    /* A long backend line is forwarded progressively. */
    static char bigb[3000];
    strcpy(bigb, "* 1 FETCH (X ");
    memset(bigb + 13, 'z', 2500);
    strcpy(bigb + 2513, ")\r\n");
    step s7[] = {{MC_RELAY_FROM_BACKEND, bigb, strlen(bigb)}, END};
    expect e7 = {"", bigb, MC_RELAY_RUNNING, NULL, NULL, 0, 0};
    run("long backend line", s7, &e7);

    /* NUL in a first line: intercepted, bytes untouched (checked by hand: strlen). */
    mc_relay_config cfg;
    drive dv;
    config(&cfg);
    static const char nul[] = "a2 FETCH 1 X\0Y\r\n";
    for (size_t split = 0; split < sizeof nul - 1; split++) {
        drive_init(&dv, &cfg, 4, 0);
        if (split)
            drive_feed(&dv, MC_RELAY_FROM_CLIENT, nul, split);
        drive_feed(&dv, MC_RELAY_FROM_CLIENT, nul + split, sizeof nul - 1 - split);
        dbuf left = {0};
        drive_leftover(&dv, MC_RELAY_FROM_CLIENT, &left);
        if (mc_relay_stop_reason(dv.r) != MC_RELAY_INTERCEPT || left.n != sizeof nul - 1 ||
            memcmp(left.p, nul, left.n) != 0 || dv.to[0].n != 0) {
            failures++;
            fprintf(stderr, "FAIL NUL in a first line (split %zu)\n", split);
        }
        free(left.p);
        drive_free(&dv);
    }
}

/* A tiny scanner bound: the scanner's own refusal comes before the hold's. */
static void test_tight_limits(void)
{
    mc_relay_config cfg;
    config(&cfg);
    cfg.client.max_line = 64;
    step s[] = {C("a1 FETCH 1 (BODY[HEADER.FIELDS (SUBJECT FROM TO CC DATE MESSAGE-ID)])\r\n"), END};
    expect e = {"", "", MC_RELAY_INTERCEPT,
                "a1 FETCH 1 (BODY[HEADER.FIELDS (SUBJECT FROM TO CC DATE MESSAGE-ID)])\r\n", NULL, 0, 0};
    run_cfg("line past max_line: intercepted", s, &e, &cfg);
}

static void test_api(void)
{
    mc_relay_config cfg;
    drive dv;
    mc_relay_out out[4];
    uint32_t n;
    config(&cfg);
    drive_init(&dv, &cfg, 4, 0);
    int ok = mc_relay_step(dv.r, 0, "a", 1, out, 3, &n) == -EINVAL;
    ok = ok && mc_relay_step(dv.r, 2, "a", 1, out, 4, &n) == -EINVAL;
    ok = ok && mc_relay_verb_bit("fetch", 5) == MC_VERB_FETCH && mc_relay_verb_bit("Move", 4) == MC_VERB_MOVE;
    ok = ok && mc_relay_verb_bit("FETCHX", 6) == 0 && mc_relay_verb_bit("UID", 3) == 0;
    ok = ok && mc_relay_literal_moved(dv.r, 1, 1) == -EINVAL;
    mc_relay_stop(dv.r, MC_RELAY_TIMEOUT);
    mc_relay_stop(dv.r, MC_RELAY_SHUTDOWN);
    ok = ok && mc_relay_stop_reason(dv.r) == MC_RELAY_TIMEOUT;
    ok = ok && mc_relay_step(dv.r, 0, "a1 NOOP\r\n", 9, out, 4, &n) == 0 && n == 0;
    cfg.verbs |= 1u << 20;
    ok = ok && mc_relay_init(dv.r, &cfg) == -EINVAL;
    drive_free(&dv);

    /* Stats: copied vs spliced. */
    config(&cfg);
    drive_init(&dv, &cfg, 64, 1);
    drive_feed(&dv, 0, "a1 FETCH 1 BODY[]\r\n", 19);
    drive_feed(&dv, 1, "* 1 FETCH (BODY[] {8}\r\n", 23);
    drive_feed(&dv, 1, "12345678)\r\na1 OK\r\n", 18);
    mc_relay_stats st;
    mc_relay_stats_get(dv.r, &st);
    ok = ok && st.copied[0] == 19 && st.spliced[1] == 8 && st.copied[1] == 23 + 10;
    drive_free(&dv);
    if (!ok) {
        failures++;
        fprintf(stderr, "FAIL api\n");
    }
}

static void replay_dir(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    int files = 0;
    if (d == NULL) {
        fprintf(stderr, "relay_check: cannot open %s\n", dir);
        failures++;
        return;
    }
    while ((de = readdir(d)) != NULL) {
        char path[4096];
        if (de->d_name[0] == '.')
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        FILE *f = fopen(path, "rb");
        if (f == NULL)
            continue;
        static uint8_t data[1 << 20];
        size_t n = fread(data, 1, sizeof data, f);
        fclose(f);
        LLVMFuzzerTestOneInput(data, n);
        files++;
    }
    closedir(d);
    printf("relay_check: replayed %d files of %s\n", files, dir);
}

int main(int argc, char **argv)
{
    test_basic();
    test_pipelined_intercept();
    test_literals();
    test_bye();
    test_dropping();
    test_idle();
    test_tag_table();
    test_refused();
    test_tight_limits();
    test_api();
    for (int i = 1; i < argc; i++)
        replay_dir(argv[i]);
    if (failures) {
        fprintf(stderr, "relay_check: %d failures\n", failures);
        return 1;
    }
    printf("relay_check: all cases passed\n");
    return 0;
}
