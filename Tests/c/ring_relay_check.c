/*
 * ring_relay_check.c — the loop's relay driver (ring_relay.c over relay.c) with real sockets:
 * the test plays the client and the backend on the far ends and checks the exact bytes each
 * side gets, the stop reason and the leftovers.
 */
#define _GNU_SOURCE
#include "murder_core.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ring_check.h"

enum { SINK = 4 << 20 };

/* A relay between two loop connections; cpeer / bpeer are the test's ends. */
struct rig {
    mc_loop *l;
    mc_relay *r;
    int c, b, cpeer, bpeer;
    uint8_t *at_client, *at_backend; /* what each far end received */
    size_t n_client, n_backend;
    int done;
    int32_t reason;
};

static void rig_open(struct rig *g, mc_loop *l, int tcp)
{
    memset(g, 0, sizeof *g);
    g->l = l;
    int sv[2];
    if (tcp)
        tcp_pair(sv);
    else
        socket_pair(sv);
    g->c = mc_loop_attach(l, sv[0]);
    g->cpeer = sv[1];
    if (tcp)
        tcp_pair(sv);
    else
        socket_pair(sv);
    g->b = mc_loop_attach(l, sv[0]);
    g->bpeer = sv[1];
    fcntl(g->cpeer, F_SETFL, O_NONBLOCK);
    fcntl(g->bpeer, F_SETFL, O_NONBLOCK);
    g->at_client = malloc(SINK);
    g->at_backend = malloc(SINK);
    g->r = aligned_alloc(16, (mc_relay_size() + 15) & ~(size_t)15);
    mc_relay_config cfg = {
        .verbs = MC_VERB_FETCH | MC_VERB_STORE | MC_VERB_SEARCH | MC_VERB_NOOP | MC_VERB_IDLE | MC_VERB_CHECK |
                 MC_VERB_EXPUNGE,
        .uid_verbs = MC_VERB_FETCH | MC_VERB_STORE | MC_VERB_SEARCH,
    };
    mc_scan_default_limits(MC_SCAN_COMMANDS, &cfg.client);
    mc_scan_default_limits(MC_SCAN_RESPONSES, &cfg.backend);
    if (mc_relay_init(g->r, &cfg) != 0) {
        fprintf(stderr, "mc_relay_init failed\n");
        exit(1);
    }
}

static int rig_start(struct rig *g, const char *cbytes, const char *bbytes, int64_t idle_ns)
{
    return mc_loop_relay(g->l, g->c, g->b, g->r, cbytes, cbytes ? strlen(cbytes) : 0, bbytes,
                         bbytes ? strlen(bbytes) : 0, idle_ns, 42);
}

static void drain(int fd, uint8_t *buf, size_t *n)
{
    for (;;) {
        if (*n >= SINK)
            return;
        ssize_t r = read(fd, buf + *n, SINK - *n);
        if (r <= 0)
            return;
        *n += (size_t)r;
    }
}

/* Runs the loop and empties both far ends until cond holds or ms pass. */
static int rig_pump(struct rig *g, int ms, int (*cond)(struct rig *, const void *), const void *arg)
{
    uint64_t end = now_ms() + (uint64_t)ms;
    for (;;) {
        drain(g->cpeer, g->at_client, &g->n_client);
        drain(g->bpeer, g->at_backend, &g->n_backend);
        if (cond(g, arg))
            return 1;
        if (now_ms() >= end)
            return 0;
        mc_loop_event ev;
        if (next_event(g->l, &ev, 5)) {
            if (ev.kind == MC_EV_RELAY && ev.token == 42) {
                g->done = 1;
                g->reason = ev.res;
            } else {
                CHECK(0, "unexpected event token %llu kind %u res %d", (unsigned long long)ev.token, ev.kind,
                      ev.res);
            }
        }
    }
}

static int client_has(struct rig *g, const void *arg) { return g->n_client >= strlen(arg); }
static int backend_has(struct rig *g, const void *arg) { return g->n_backend >= strlen(arg); }
static int client_has_n(struct rig *g, const void *arg) { return g->n_client >= *(const size_t *)arg; }
static int relay_done(struct rig *g, const void *arg)
{
    (void)arg;
    return g->done;
}

#define EXPECT_CLIENT(g, s)                                                                                  \
    do {                                                                                                     \
        rig_pump(g, 2000, client_has, s);                                                                    \
        CHECK((g)->n_client == strlen(s) && memcmp((g)->at_client, s, strlen(s)) == 0,                       \
              "client got %zu bytes '%.*s', wanted '%s'", (g)->n_client, (int)(g)->n_client, (g)->at_client, \
              s);                                                                                            \
        (g)->n_client = 0;                                                                                   \
    } while (0)

#define EXPECT_BACKEND(g, s)                                                                                   \
    do {                                                                                                       \
        rig_pump(g, 2000, backend_has, s);                                                                     \
        CHECK((g)->n_backend == strlen(s) && memcmp((g)->at_backend, s, strlen(s)) == 0,                       \
              "backend got %zu bytes '%.*s', wanted '%s'", (g)->n_backend, (int)(g)->n_backend, (g)->at_backend, \
              s);                                                                                              \
        (g)->n_backend = 0;                                                                                    \
    } while (0)

static void expect_stop(struct rig *g, int32_t reason, int ms)
{
    rig_pump(g, ms, relay_done, NULL);
    CHECK(g->done && g->reason == reason, "relay done %d reason %d, wanted %d", g->done, g->reason, reason);
}

static void rig_close(struct rig *g)
{
    mc_loop_close(g->l, g->c, 900);
    mc_loop_close(g->l, g->b, 901);
    mc_loop_event ev;
    int closed = 0;
    while (closed < 2 && next_event(g->l, &ev, 1000))
        closed += ev.kind == MC_EV_CLOSE;
    CHECK(closed == 2, "relay connections closed: %d", closed);
    close(g->cpeer);
    close(g->bpeer);
    free(g->at_client);
    free(g->at_backend);
    free(g->r);
}

static void test_pipelined(void)
{
    current = "relay: pipelined FETCH with literals, then relay_stop";
    mc_loop *l = loop_new(4096, 16, 65536);
    struct rig g;
    rig_open(&g, l, 0);
    CHECK(rig_start(&g, "a0 NOOP\r\n", NULL, -1) == 0, "relay");
    CHECK(mc_loop_recv(l, g.c, -1, 1) == -EBUSY, "Swift recv on a relayed connection");
    CHECK(mc_loop_close(l, g.b, 1) == -EBUSY, "close of a relayed connection");
    EXPECT_BACKEND(&g, "a0 NOOP\r\n");
    write_all(g.cpeer, "a1 FETCH 1 BODY[]\r\na2 UID FETCH 2 BODY[]\r\n", 42);
    EXPECT_BACKEND(&g, "a1 FETCH 1 BODY[]\r\na2 UID FETCH 2 BODY[]\r\n");
    const char *resp = "a0 OK NOOP done\r\n* 1 FETCH (BODY[] {5}\r\nhello)\r\na1 OK done\r\n"
                       "* 2 FETCH (UID 2 BODY[] {12}\r\nab\r\ncd\r\nef\r\n)\r\na2 OK done\r\n";
    /* in small pieces: lines and literals straddle reads */
    for (size_t i = 0; i < strlen(resp); i += 7) {
        size_t n = strlen(resp) - i < 7 ? strlen(resp) - i : 7;
        write_all(g.bpeer, resp + i, n);
        rig_pump(&g, 5, relay_done, NULL);
    }
    EXPECT_CLIENT(&g, resp);
    CHECK(mc_relay_outstanding(g.r) == 0, "outstanding %u", mc_relay_outstanding(g.r));
    /* a synchronising literal: the relay answers "+" and sends {n+} on */
    write_all(g.cpeer, "a3 SEARCH TEXT {3}\r\n", 20);
    EXPECT_CLIENT(&g, "+ Ready for literal data\r\n");
    write_all(g.cpeer, "foo\r\n", 5);
    EXPECT_BACKEND(&g, "a3 SEARCH TEXT {3+}\r\nfoo\r\n");
    CHECK(mc_loop_relay_stop(l, g.c) == 0, "relay_stop");
    CHECK(mc_loop_relay_stop(l, g.b) == -ENOENT, "relay_stop on the backend");
    expect_stop(&g, MC_RELAY_SHUTDOWN, 1000);
    const void *p1, *p2;
    size_t n1, n2;
    CHECK(mc_loop_relay_leftover(l, g.r, MC_RELAY_FROM_CLIENT, &p1, &n1, &p2, &n2) == 0, "no leftover");
    rig_close(&g);
    loop_free(l);
}

struct writer {
    int fd;
    const uint8_t *p;
    size_t n;
};

static void *write_thread(void *arg)
{
    struct writer *w = arg;
    write_all(w->fd, w->p, w->n);
    return NULL;
}

/* The backend's end sends `total` bytes of resp (the first `first` before the loop runs, the
 * rest from a thread while it runs); the client must receive exactly them. */
static void backend_answers(struct rig *g, const uint8_t *resp, size_t total, size_t first, mc_relay_stats *st)
{
    write_all(g->bpeer, resp, first);
    struct writer w = {.fd = g->bpeer, .p = resp + first, .n = total - first};
    pthread_t th;
    pthread_create(&th, NULL, write_thread, &w);
    rig_pump(g, 10000, client_has_n, &total);
    pthread_join(th, NULL);
    CHECK(g->n_client == total && memcmp(g->at_client, resp, total) == 0, "client got %zu of %zu bytes", g->n_client,
          total);
    mc_relay_stats_get(g->r, st);
}

static void test_splice(void)
{
    current = "relay: 1 MiB literal spliced through a 64 KiB pipe";
    mc_loop *l = loop_new(16384, 16, 65536);
    struct rig g;
    rig_open(&g, l, 1);
    CHECK(rig_start(&g, NULL, NULL, -1) == 0, "relay");
    write_all(g.cpeer, "a1 FETCH 1 BODY[]\r\n", 19);
    EXPECT_BACKEND(&g, "a1 FETCH 1 BODY[]\r\n");
    enum { LIT = 1 << 20 };
    const char *head = "* 1 FETCH (BODY[] {1048576}\r\n";
    const char *tail = ")\r\na1 OK FETCH done\r\n";
    size_t total = strlen(head) + LIT + strlen(tail);
    uint8_t *resp = malloc(total);
    memcpy(resp, head, strlen(head));
    fill_pattern(resp + strlen(head), LIT, 99);
    memcpy(resp + strlen(head) + LIT, tail, strlen(tail));
    mc_relay_stats st;
    backend_answers(&g, resp, total, 0, &st);
    CHECK(st.spliced[MC_RELAY_FROM_BACKEND] >= LIT - 16384 && st.spliced[MC_RELAY_FROM_BACKEND] <= LIT,
          "spliced %llu bytes", (unsigned long long)st.spliced[MC_RELAY_FROM_BACKEND]);
    CHECK(st.copied[MC_RELAY_FROM_BACKEND] + st.spliced[MC_RELAY_FROM_BACKEND] == total, "copied %llu + spliced %llu",
          (unsigned long long)st.copied[MC_RELAY_FROM_BACKEND], (unsigned long long)st.spliced[MC_RELAY_FROM_BACKEND]);
    /* the relay goes on after the spliced body */
    g.n_client = 0;
    write_all(g.cpeer, "a2 NOOP\r\n", 9);
    EXPECT_BACKEND(&g, "a2 NOOP\r\n");
    write_all(g.bpeer, "a2 OK\r\n", 7);
    EXPECT_CLIENT(&g, "a2 OK\r\n");
    mc_loop_relay_stop(l, g.c);
    expect_stop(&g, MC_RELAY_SHUTDOWN, 1000);
    free(resp);
    rig_close(&g);
    loop_free(l);
}

static void test_intercept(void)
{
    current = "relay: intercept behind three passthrough commands";
    mc_loop *l = loop_new(4096, 16, 65536);
    struct rig g;
    rig_open(&g, l, 1);
    CHECK(rig_start(&g, NULL, NULL, -1) == 0, "relay");
    const char *cmds = "a1 NOOP\r\na2 FETCH 1 FLAGS\r\na3 NOOP\r\na4 SELECT other\r\na5 NOOP\r\n";
    write_all(g.cpeer, cmds, strlen(cmds));
    EXPECT_BACKEND(&g, "a1 NOOP\r\na2 FETCH 1 FLAGS\r\na3 NOOP\r\n");
    const char *answers = "a1 OK\r\n* 1 FETCH (FLAGS (\\Seen))\r\na2 OK\r\n";
    write_all(g.bpeer, answers, strlen(answers));
    EXPECT_CLIENT(&g, answers);
    CHECK(!g.done, "stopped before a3 was answered");
    write_all(g.bpeer, "a3 OK\r\n", 7);
    expect_stop(&g, MC_RELAY_INTERCEPT, 2000);
    EXPECT_CLIENT(&g, "a3 OK\r\n");
    const void *p1, *p2;
    size_t n1, n2;
    size_t n = mc_loop_relay_leftover(l, g.r, MC_RELAY_FROM_CLIENT, &p1, &n1, &p2, &n2);
    char got[128] = {0};
    if (n < sizeof got) {
        if (n1 > 0)
            memcpy(got, p1, n1);
        if (n2 > 0)
            memcpy(got + n1, p2, n2);
    }
    CHECK(n == n1 + n2 && strcmp(got, "a4 SELECT other\r\na5 NOOP\r\n") == 0, "leftover '%s' (%zu+%zu)", got, n1, n2);
    CHECK(mc_loop_relay_leftover(l, g.r, MC_RELAY_FROM_BACKEND, &p1, &n1, &p2, &n2) == 0, "backend leftover");
    /* the connections are Swift's again */
    CHECK(mc_loop_send(l, g.c, "* OK\r\n", 6, 5) == 0, "send after the relay");
    CHECK(expect_event(l, 5, MC_EV_SEND, NULL, 1000, __LINE__) == 0, "send event");
    EXPECT_CLIENT(&g, "* OK\r\n");
    /* and a relay can start again on them, with the held bytes handed back */
    struct rig again = g;
    again.done = 0;
    mc_relay_config cfg = {.verbs = MC_VERB_NOOP};
    mc_scan_default_limits(MC_SCAN_COMMANDS, &cfg.client);
    mc_scan_default_limits(MC_SCAN_RESPONSES, &cfg.backend);
    mc_relay_init(again.r, &cfg);
    CHECK(rig_start(&again, "a5 NOOP\r\n", NULL, -1) == 0, "relay again");
    EXPECT_BACKEND(&again, "a5 NOOP\r\n");
    mc_loop_relay_stop(l, again.c);
    expect_stop(&again, MC_RELAY_SHUTDOWN, 1000);
    rig_close(&again);
    loop_free(l);
}

static int no_queue_held(struct rig *g, const void *arg)
{
    (void)arg;
    uint32_t held = 1;
    mc_loop_relay_queues(g->l, &held, NULL);
    return held == 0;
}

static void test_idle(void)
{
    current = "relay: IDLE ... DONE";
    mc_loop *l = loop_new(4096, 16, 65536);
    struct rig g;
    rig_open(&g, l, 0);
    CHECK(rig_start(&g, NULL, NULL, -1) == 0, "relay");
    CHECK(no_queue_held(&g, NULL), "a relay that has sent nothing holds a send queue");
    write_all(g.cpeer, "i1 IDLE\r\n", 9);
    EXPECT_BACKEND(&g, "i1 IDLE\r\n");
    write_all(g.bpeer, "+ idling\r\n", 10);
    EXPECT_CLIENT(&g, "+ idling\r\n");
    write_all(g.bpeer, "* 4 EXISTS\r\n", 12);
    EXPECT_CLIENT(&g, "* 4 EXISTS\r\n");
    /* Idling: everything sent, so both send queues are back in the loop's pool. */
    CHECK(rig_pump(&g, 2000, no_queue_held, NULL), "an idle relay still holds a send queue");
    uint32_t pooled = 0;
    mc_loop_relay_queues(l, NULL, &pooled);
    CHECK(pooled >= 1 && pooled <= 2, "send queues pooled: %u", pooled);
    write_all(g.cpeer, "DONE\r\n", 6);
    EXPECT_BACKEND(&g, "DONE\r\n");
    write_all(g.bpeer, "i1 OK IDLE terminated\r\n", 23);
    EXPECT_CLIENT(&g, "i1 OK IDLE terminated\r\n");
    /* a "+" outside IDLE is not forwarded */
    write_all(g.bpeer, "+ stray\r\n* 5 EXISTS\r\n", 21);
    EXPECT_CLIENT(&g, "* 5 EXISTS\r\n");
    mc_loop_relay_stop(l, g.c);
    expect_stop(&g, MC_RELAY_SHUTDOWN, 1000);
    rig_close(&g);
    loop_free(l);
}

static void test_bye(void)
{
    current = "relay: backend BYE mid-stream";
    mc_loop *l = loop_new(4096, 16, 65536);
    struct rig g;
    rig_open(&g, l, 0);
    CHECK(rig_start(&g, NULL, NULL, -1) == 0, "relay");
    write_all(g.cpeer, "a1 FETCH 1:* FLAGS\r\n", 20);
    EXPECT_BACKEND(&g, "a1 FETCH 1:* FLAGS\r\n");
    const char *s = "* 1 FETCH (FLAGS ())\r\n* BYE going down\r\n* 2 FETCH";
    write_all(g.bpeer, s, strlen(s));
    expect_stop(&g, MC_RELAY_BACKEND_BYE, 2000);
    EXPECT_CLIENT(&g, "* 1 FETCH (FLAGS ())\r\n");
    const void *p1, *p2;
    size_t n1, n2;
    size_t n = mc_loop_relay_leftover(l, g.r, MC_RELAY_FROM_BACKEND, &p1, &n1, &p2, &n2);
    char got[64] = {0};
    if (n < sizeof got) {
        if (n1 > 0)
            memcpy(got, p1, n1);
        if (n2 > 0)
            memcpy(got + n1, p2, n2);
    }
    CHECK(strcmp(got, "* 2 FETCH") == 0, "backend leftover '%s'", got);
    rig_close(&g);
    loop_free(l);
}

static void test_client_eof(void)
{
    current = "relay: client EOF mid-literal";
    mc_loop *l = loop_new(4096, 16, 65536);
    struct rig g;
    rig_open(&g, l, 1);
    CHECK(rig_start(&g, NULL, NULL, -1) == 0, "relay");
    write_all(g.cpeer, "a1 STORE 1 FLAGS {10+}\r\nabc", 27);
    EXPECT_BACKEND(&g, "a1 STORE 1 FLAGS {10+}\r\nabc");
    shutdown(g.cpeer, SHUT_WR);
    expect_stop(&g, MC_RELAY_CLIENT_EOF, 2000);
    rig_close(&g);
    loop_free(l);
}

static void test_backend_eof(void)
{
    current = "relay: backend EOF";
    mc_loop *l = loop_new(4096, 16, 65536);
    struct rig g;
    rig_open(&g, l, 1);
    CHECK(rig_start(&g, NULL, "* 3 EXISTS\r\n", -1) == 0, "relay");
    EXPECT_CLIENT(&g, "* 3 EXISTS\r\n");
    write_all(g.cpeer, "a1 NOOP\r\n", 9);
    EXPECT_BACKEND(&g, "a1 NOOP\r\n");
    shutdown(g.bpeer, SHUT_WR);
    expect_stop(&g, MC_RELAY_BACKEND_EOF, 2000);
    rig_close(&g);
    loop_free(l);
}

static void test_idle_timeout(void)
{
    current = "relay: idle timeout counts from the client's last bytes";
    mc_loop *l = loop_new(4096, 16, 65536);
    struct rig g;
    rig_open(&g, l, 0);
    uint64_t t0 = now_ms();
    CHECK(rig_start(&g, NULL, NULL, 150 * 1000000ll) == 0, "relay");
    rig_pump(&g, 80, relay_done, NULL);
    write_all(g.cpeer, "a1 NOOP\r\n", 9);
    EXPECT_BACKEND(&g, "a1 NOOP\r\n");
    expect_stop(&g, MC_RELAY_TIMEOUT, 2000);
    uint64_t took = now_ms() - t0;
    CHECK(took >= 220 && took < 1500, "timed out after %llu ms", (unsigned long long)took);
    rig_close(&g);
    loop_free(l);
}

static void test_client_gone_while_splicing(void)
{
    current = "relay: client gone while a literal is spliced";
    mc_loop *l = loop_new(16384, 16, 65536);
    struct rig g;
    rig_open(&g, l, 1);
    CHECK(rig_start(&g, NULL, NULL, -1) == 0, "relay");
    write_all(g.cpeer, "a1 FETCH 1 BODY[]\r\n", 19);
    EXPECT_BACKEND(&g, "a1 FETCH 1 BODY[]\r\n");
    const char *head = "* 1 FETCH (BODY[] {4000000}\r\n";
    write_all(g.bpeer, head, strlen(head));
    static uint8_t chunk[200000];
    write_all(g.bpeer, chunk, sizeof chunk);
    rig_pump(&g, 100, relay_done, NULL);
    close(g.cpeer); /* the client vanishes mid-body: SIGPIPE must not kill the process */
    g.cpeer = open("/dev/null", O_RDONLY);
    write_all(g.bpeer, chunk, sizeof chunk);
    rig_pump(&g, 3000, relay_done, NULL);
    CHECK(g.done && (g.reason == MC_RELAY_CLIENT_ERROR || g.reason == MC_RELAY_CLIENT_EOF), "reason %d",
          g.reason);
    rig_close(&g);
    loop_free(l);
}

/* A response of two 100 KB bodies and a 200 KB line, its first 70,000 bytes waiting in the
 * backend's socket when the relay reads. With head_read = 4096 a read between literals asks
 * 4 KiB, so each body is spliced but for the few KiB read with its response line, and the long
 * line is read in growing pieces. With head_read = 0 every read asks a whole 64 KiB buffer,
 * and the first body's first 64 KiB are copied. The client gets the same bytes either way. */
static void head_read_case(uint32_t head_read, uint64_t *copied, uint64_t *spliced)
{
    mc_loop *l = loop_new_head(65536, 16, 65536, head_read);
    struct rig g;
    rig_open(&g, l, 1);
    CHECK(rig_start(&g, NULL, NULL, -1) == 0, "relay");
    write_all(g.cpeer, "a1 FETCH 1:2 BODY[]\r\n", 21);
    EXPECT_BACKEND(&g, "a1 FETCH 1:2 BODY[]\r\n");
    enum { LIT = 100000, LINE = 200000, FIRST = 70000 };
    const char *h1 = "* 1 FETCH (BODY[] {100000}\r\n", *h2 = ")\r\n* 2 FETCH (BODY[] {100000}\r\n";
    const char *h3 = ")\r\n* SEARCH", *t = "\r\na1 OK FETCH done\r\n";
    uint8_t *resp = malloc(2 * LIT + LINE + 256);
    size_t total = 0;
    memcpy(resp, h1, strlen(h1)), total += strlen(h1);
    fill_pattern(resp + total, LIT, 7), total += LIT;
    memcpy(resp + total, h2, strlen(h2)), total += strlen(h2);
    fill_pattern(resp + total, LIT, 8), total += LIT;
    memcpy(resp + total, h3, strlen(h3)), total += strlen(h3);
    for (size_t i = 0; i < LINE; i += 2)
        memcpy(resp + total + i, " 7", 2);
    total += LINE;
    memcpy(resp + total, t, strlen(t)), total += strlen(t);
    /* The first 70,000 bytes wait in the socket before the loop runs (DEFER_TASKRUN: the
     * posted read runs only inside mc_loop_poll), so the first read asks exactly what it may. */
    mc_relay_stats st;
    backend_answers(&g, resp, total, FIRST, &st);
    *copied = st.copied[MC_RELAY_FROM_BACKEND];
    *spliced = st.spliced[MC_RELAY_FROM_BACKEND];
    CHECK(*copied + *spliced == total, "copied %llu + spliced %llu", (unsigned long long)*copied,
          (unsigned long long)*spliced);
    mc_loop_relay_stop(l, g.c);
    expect_stop(&g, MC_RELAY_SHUTDOWN, 1000);
    free(resp);
    rig_close(&g);
    loop_free(l);
}

static void test_head_read(void)
{
    uint64_t copied, spliced;
    current = "relay: short reads between literals, so a long body is spliced from near its start";
    head_read_case(4096, &copied, &spliced);
    CHECK(spliced >= 2 * (100000 - 4096), "spliced %llu bytes", (unsigned long long)spliced);
    current = "relay: whole-buffer reads between literals when head_read is 0";
    head_read_case(0, &copied, &spliced);
    CHECK(spliced <= 200000 - 65536 + 4096, "spliced %llu bytes", (unsigned long long)spliced);
}

void relay_tests(void)
{
    test_pipelined();
    test_splice();
    test_head_read();
    test_intercept();
    test_idle();
    test_bye();
    test_client_eof();
    test_backend_eof();
    test_idle_timeout();
    test_client_gone_while_splicing();
}
