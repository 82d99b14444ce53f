/*
 * ring_check.c — the io_uring loop (ring.c, ring_relay.c) against real sockets, under
 * AddressSanitizer and UndefinedBehaviorSanitizer in `make test` (target ring-asan).
 *
 * Socketpairs (AF_UNIX) and loopback TCP only, every wait bounded. When mc_ring_probe() says
 * io_uring cannot run here, every case prints SKIP with the probe's reason and the program
 * exits 0; any other failure exits 1.
 */
#define _GNU_SOURCE
#include "murder_core.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ring_check.h"

/* ---------------------------------------------------------------------------------------- */
/* Harness                                                                                   */

int failures;
const char *current;

void fail_at(const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "FAIL %s (%s:%d): ", current, file, line);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    failures++;
}

uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static mc_loop_event fifo[1024];
static uint32_t fifo_head, fifo_count;
static uint32_t polls;

mc_loop *loop_new(uint32_t buf_size, uint32_t buf_count, uint32_t splice_min)
{
    return loop_new_head(buf_size, buf_count, splice_min, 0);
}

mc_loop *loop_new_head(uint32_t buf_size, uint32_t buf_count, uint32_t splice_min, uint32_t head_read)
{
    mc_loop *l = aligned_alloc(16, (mc_loop_size() + 15) & ~(size_t)15);
    mc_loop_config cfg = {
        .entries = 256,
        .max_conns = 64,
        .buf_size = buf_size,
        .buf_count = buf_count,
        .pipe_size = 65536,
        .splice_min = splice_min,
        .head_read = head_read,
    };
    int rc = mc_loop_init(l, &cfg);
    if (rc != 0) {
        fprintf(stderr, "mc_loop_init: %s\n", strerror(-rc));
        exit(1);
    }
    fifo_head = fifo_count = 0;
    return l;
}

void loop_free(mc_loop *l)
{
    mc_loop_destroy(l);
    free(l);
    fifo_head = fifo_count = 0;
}

/* The next event, polling (each poll ends the validity of earlier data) only when none is
 * left from the last poll. Returns 0 when nothing came within ms. */
int next_event(mc_loop *l, mc_loop_event *ev, int ms)
{
    uint64_t end = now_ms() + (uint64_t)ms;
    while (fifo_count == 0) {
        uint64_t now = now_ms();
        if (now >= end)
            return 0;
        mc_loop_event batch[64];
        int n = mc_loop_poll(l, batch, 64, (int64_t)(end - now) * 1000000);
        polls++;
        if (n < 0) {
            fprintf(stderr, "mc_loop_poll: %s\n", strerror(-n));
            return 0;
        }
        for (int i = 0; i < n; i++)
            fifo[(fifo_head + fifo_count++) % 1024] = batch[i];
    }
    *ev = fifo[fifo_head];
    fifo_head = (fifo_head + 1) % 1024;
    fifo_count--;
    return 1;
}

/* Expects the next event to be (token, kind); returns its res (or INT32_MIN). */
int expect_event(mc_loop *l, uint64_t token, uint32_t kind, mc_loop_event *out, int ms, int line)
{
    mc_loop_event ev;
    if (!next_event(l, &ev, ms)) {
        fail_at(__FILE__, line, "no event (wanted token %llu kind %u)", (unsigned long long)token, kind);
        return INT32_MIN;
    }
    if (ev.token != token || ev.kind != kind) {
        fail_at(__FILE__, line, "event token %llu kind %u res %d, wanted token %llu kind %u",
                (unsigned long long)ev.token, ev.kind, ev.res, (unsigned long long)token, kind);
        return INT32_MIN;
    }
    if (out != NULL)
        *out = ev;
    return ev.res;
}

void socket_pair(int sv[2])
{
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
        perror("socketpair");
        exit(1);
    }
}

int tcp_listener(uint16_t *port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(fd, (struct sockaddr *)&a, sizeof a) != 0 || listen(fd, 64) != 0) {
        perror("listen");
        exit(1);
    }
    socklen_t len = sizeof a;
    getsockname(fd, (struct sockaddr *)&a, &len);
    *port = ntohs(a.sin_port);
    return fd;
}

int tcp_connect(uint16_t port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        perror("connect");
        exit(1);
    }
    return fd;
}

/* A connected loopback TCP pair. */
void tcp_pair(int sv[2])
{
    uint16_t port;
    int lfd = tcp_listener(&port);
    sv[0] = tcp_connect(port);
    sv[1] = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
    close(lfd);
    int one = 1;
    setsockopt(sv[0], IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    setsockopt(sv[1], IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

void write_all(int fd, const void *p, size_t n)
{
    const uint8_t *b = p;
    while (n > 0) {
        ssize_t w = write(fd, b, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0 && errno == EAGAIN) {
            struct pollfd pf = {.fd = fd, .events = POLLOUT};
            poll(&pf, 1, 1000);
            continue;
        }
        if (w <= 0) {
            perror("write");
            return;
        }
        b += w;
        n -= (size_t)w;
    }
}

/* Reads exactly n bytes within ms (the fd may be non-blocking). Returns bytes read. */
size_t read_exact(int fd, void *p, size_t n, int ms)
{
    uint8_t *b = p;
    size_t got = 0;
    uint64_t end = now_ms() + (uint64_t)ms;
    while (got < n && now_ms() < end) {
        struct pollfd pf = {.fd = fd, .events = POLLIN};
        if (poll(&pf, 1, 50) <= 0)
            continue;
        ssize_t r = read(fd, b + got, n - got);
        if (r == 0)
            break;
        if (r < 0) {
            if (errno == EAGAIN || errno == EINTR)
                continue;
            break;
        }
        got += (size_t)r;
    }
    return got;
}

void fill_pattern(uint8_t *p, size_t n, uint32_t seed)
{
    uint32_t x = seed * 2654435761u + 1;
    for (size_t i = 0; i < n; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        p[i] = (uint8_t)x;
    }
}

/* Collects a stream of RECV events on conn into out until n bytes came. */
static size_t recv_into(mc_loop *l, int conn, uint64_t token, uint8_t *out, size_t n, int ms)
{
    size_t got = 0;
    uint64_t end = now_ms() + (uint64_t)ms;
    while (got < n && now_ms() < end) {
        if (mc_loop_recv(l, conn, -1, token) != 0)
            return got;
        mc_loop_event ev;
        if (expect_event(l, token, MC_EV_RECV, &ev, (int)(end - now_ms()), __LINE__) <= 0)
            return got;
        size_t take = ev.len < n - got ? (size_t)ev.len : n - got;
        memcpy(out + got, ev.data, take);
        got += (size_t)ev.len;
    }
    return got;
}

/* ---------------------------------------------------------------------------------------- */
/* Cases                                                                                     */

static void test_probe(void)
{
    current = "probe";
    char why[256];
    int rc = mc_ring_probe(MC_PROBE_FORCE_FAIL, why, sizeof why);
    CHECK(rc == -ENOSYS && strcmp(why, "forced off") == 0, "forced probe: %d '%s'", rc, why);
    char tiny[4];
    rc = mc_ring_probe(MC_PROBE_FORCE_FAIL, tiny, sizeof tiny);
    CHECK(rc == -ENOSYS && strcmp(tiny, "for") == 0, "truncated why: '%s'", tiny);
    rc = mc_ring_probe(0, why, sizeof why);
    CHECK(rc == 0 && why[0] == 0, "probe: %d '%s'", rc, why);
    mc_loop_config bad = {.entries = 256, .max_conns = 4, .buf_size = 4096, .buf_count = 3};
    mc_loop *l = aligned_alloc(16, (mc_loop_size() + 15) & ~(size_t)15);
    CHECK(mc_loop_init(l, &bad) == -EINVAL, "buf_count 3 accepted");
    free(l);
}

static void echo_case(int sv[2], const char *what)
{
    current = what;
    mc_loop *l = loop_new(4096, 8, 0);
    int a = mc_loop_attach(l, sv[0]);
    CHECK(a >= 0, "attach %d", a);
    /* peer -> loop */
    enum { N = 100000 };
    uint8_t *in = malloc(N), *got = malloc(N);
    fill_pattern(in, N, 7);
    write_all(sv[1], in, 1000);
    size_t n = recv_into(l, a, 1, got, 1000, 2000);
    CHECK(n == 1000 && memcmp(in, got, 1000) == 0, "small recv: %zu bytes", n);
    /* loop -> peer, larger than a socket buffer on AF_UNIX */
    CHECK(mc_loop_send(l, a, in, N, 2) == 0, "send");
    CHECK(mc_loop_send(l, a, in, 1, 3) == -EBUSY, "second send accepted");
    uint8_t *back = malloc(N);
    /* the peer reads while the loop polls: interleave */
    size_t have = 0;
    int sent = 0;
    fcntl(sv[1], F_SETFL, O_NONBLOCK);
    uint64_t end = now_ms() + 5000;
    while ((have < N || !sent) && now_ms() < end) {
        mc_loop_event ev;
        if (!sent && next_event(l, &ev, 10)) {
            CHECK(ev.token == 2 && ev.kind == MC_EV_SEND && ev.res == 0, "send event %llu %u %d",
                  (unsigned long long)ev.token, ev.kind, ev.res);
            sent = 1;
        }
        ssize_t r = read(sv[1], back + have, N - have);
        if (r > 0)
            have += (size_t)r;
    }
    CHECK(sent && have == N && memcmp(in, back, N) == 0, "send: %zu bytes, event %d", have, sent);
    /* end of stream */
    shutdown(sv[1], SHUT_WR);
    CHECK(mc_loop_recv(l, a, -1, 4) == 0, "recv");
    CHECK(expect_event(l, 4, MC_EV_RECV, NULL, 2000, __LINE__) == 0, "EOF gives 0");
    CHECK(mc_loop_send(l, a, in, 0, 5) == 0, "empty send");
    CHECK(expect_event(l, 5, MC_EV_SEND, NULL, 1000, __LINE__) == 0, "empty send event");
    CHECK(mc_loop_close(l, a, 6) == 0, "close");
    CHECK(expect_event(l, 6, MC_EV_CLOSE, NULL, 1000, __LINE__) == 0, "close event");
    close(sv[1]);
    free(in);
    free(got);
    free(back);
    loop_free(l);
}

static void test_echo(void)
{
    int sv[2];
    socket_pair(sv);
    echo_case(sv, "recv/send exact bytes, socketpair");
    tcp_pair(sv);
    echo_case(sv, "recv/send exact bytes, tcp");
}

static void test_recv_timeout(void)
{
    current = "recv timeout loses no byte";
    mc_loop *l = loop_new(4096, 8, 0);
    int sv[2];
    tcp_pair(sv);
    int a = mc_loop_attach(l, sv[0]);
    uint64_t t0 = now_ms();
    CHECK(mc_loop_recv(l, a, 50 * 1000000ll, 1) == 0, "recv");
    CHECK(expect_event(l, 1, MC_EV_RECV, NULL, 2000, __LINE__) == -ETIME, "timeout gives -ETIME");
    uint64_t took = now_ms() - t0;
    CHECK(took >= 45 && took < 1000, "timeout took %llu ms", (unsigned long long)took);
    write_all(sv[1], "hello", 5);
    mc_loop_event ev;
    CHECK(mc_loop_recv(l, a, 1000 * 1000000ll, 2) == 0, "recv");
    CHECK(expect_event(l, 2, MC_EV_RECV, &ev, 2000, __LINE__) == 5 && memcmp(ev.data, "hello", 5) == 0,
          "bytes after the timeout");
    /* a timeout of 0 with data waiting still reads it */
    write_all(sv[1], "x", 1);
    usleep(10000);
    CHECK(mc_loop_recv(l, a, 0, 3) == 0, "recv");
    CHECK(expect_event(l, 3, MC_EV_RECV, &ev, 2000, __LINE__) == 1, "zero timeout with data");
    mc_loop_close(l, a, 9);
    expect_event(l, 9, MC_EV_CLOSE, NULL, 1000, __LINE__);
    close(sv[1]);
    loop_free(l);
}

static void test_recv_cancel(void)
{
    current = "recv_cancel";
    mc_loop *l = loop_new(4096, 8, 0);
    int sv[2];
    socket_pair(sv);
    int a = mc_loop_attach(l, sv[0]);
    CHECK(mc_loop_recv_cancel(l, a) == -ENOENT, "cancel without recv");
    CHECK(mc_loop_recv(l, a, -1, 1) == 0, "recv");
    CHECK(mc_loop_recv(l, a, -1, 1) == -EBUSY, "second recv accepted");
    mc_loop_event ev;
    CHECK(!next_event(l, &ev, 30), "event before any byte");
    CHECK(mc_loop_recv_cancel(l, a) == 0, "cancel");
    CHECK(expect_event(l, 1, MC_EV_RECV, NULL, 1000, __LINE__) == -ECANCELED, "-ECANCELED");
    write_all(sv[1], "abc", 3);
    CHECK(mc_loop_recv(l, a, -1, 2) == 0, "recv");
    CHECK(expect_event(l, 2, MC_EV_RECV, &ev, 1000, __LINE__) == 3 && memcmp(ev.data, "abc", 3) == 0,
          "data after cancel");
    mc_loop_close(l, a, 9);
    expect_event(l, 9, MC_EV_CLOSE, NULL, 1000, __LINE__);
    close(sv[1]);
    loop_free(l);
}

struct slow_reader {
    int fd;
    size_t want, got;
    uint8_t *buf;
};

static void *slow_read(void *arg)
{
    struct slow_reader *s = arg;
    uint64_t end = now_ms() + 20000;
    while (s->got < s->want && now_ms() < end) {
        size_t chunk = s->want - s->got < 65536 ? s->want - s->got : 65536;
        ssize_t r = read(s->fd, s->buf + s->got, chunk);
        if (r <= 0)
            break;
        s->got += (size_t)r;
        if ((s->got / 65536) % 16 == 0)
            usleep(2000);
    }
    return NULL;
}

static void test_big_send(void)
{
    current = "send 8 MiB to a slow reader";
    mc_loop *l = loop_new(4096, 8, 0);
    int sv[2];
    tcp_pair(sv);
    int sz = 65536;
    setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &sz, sizeof sz); /* force partial sends */
    setsockopt(sv[1], SOL_SOCKET, SO_RCVBUF, &sz, sizeof sz);
    enum { N = 8 << 20 };
    uint8_t *data = malloc(N);
    fill_pattern(data, N, 3);
    struct slow_reader s = {.fd = sv[1], .want = N, .buf = malloc(N)};
    pthread_t th;
    pthread_create(&th, NULL, slow_read, &s);
    int a = mc_loop_attach(l, sv[0]);
    CHECK(mc_loop_send(l, a, data, N, 1) == 0, "send");
    CHECK(expect_event(l, 1, MC_EV_SEND, NULL, 20000, __LINE__) == 0, "send event");
    pthread_join(th, NULL);
    CHECK(s.got == N && memcmp(s.buf, data, N) == 0, "peer got %zu bytes", s.got);
    mc_loop_close(l, a, 9);
    expect_event(l, 9, MC_EV_CLOSE, NULL, 1000, __LINE__);
    close(sv[1]);
    free(s.buf);
    free(data);
    loop_free(l);
}

static void test_sendfile(void)
{
    current = "sendfile 5 MiB at an offset";
    mc_loop *l = loop_new(4096, 8, 0);
    char path[] = "/tmp/ring_check_XXXXXX";
    int ffd = mkstemp(path);
    unlink(path);
    enum { FILE_LEN = 6 << 20, OFF = 123457, N = 5 << 20 };
    uint8_t *data = malloc(FILE_LEN);
    fill_pattern(data, FILE_LEN, 11);
    write_all(ffd, data, FILE_LEN);
    int sv[2];
    tcp_pair(sv);
    int sz = 65536;
    setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &sz, sizeof sz);
    struct slow_reader s = {.fd = sv[1], .want = N, .buf = malloc(N)};
    pthread_t th;
    pthread_create(&th, NULL, slow_read, &s);
    int a = mc_loop_attach(l, sv[0]);
    CHECK(mc_loop_sendfile(l, a, ffd, OFF, N, 1) == 0, "sendfile");
    CHECK(expect_event(l, 1, MC_EV_SENDFILE, NULL, 20000, __LINE__) == 0, "sendfile event");
    pthread_join(th, NULL);
    CHECK(s.got == N && memcmp(s.buf, data + OFF, N) == 0, "peer got %zu bytes", s.got);
    /* a file shorter than asked ends in an error, not a hang */
    CHECK(mc_loop_sendfile(l, a, ffd, FILE_LEN - 10, 100, 2) == 0, "sendfile past the end");
    CHECK(expect_event(l, 2, MC_EV_SENDFILE, NULL, 2000, __LINE__) == -EIO, "short file gives -EIO");
    mc_loop_close(l, a, 9);
    expect_event(l, 9, MC_EV_CLOSE, NULL, 1000, __LINE__);
    close(sv[1]);
    close(ffd);
    free(s.buf);
    free(data);
    loop_free(l);
}

static void test_accept(void)
{
    current = "multishot accept, then accept_cancel";
    mc_loop *l = loop_new(4096, 8, 0);
    uint16_t port;
    int lfd = tcp_listener(&port);
    CHECK(mc_loop_accept(l, lfd, 77) == 0, "accept");
    CHECK(mc_loop_accept(l, lfd, 78) == -EBUSY, "second accept on one socket");
    int cs[3], got = 0;
    for (int i = 0; i < 3; i++)
        cs[i] = tcp_connect(port);
    mc_loop_event ev;
    while (got < 3 && next_event(l, &ev, 2000)) {
        CHECK(ev.token == 77 && ev.kind == MC_EV_ACCEPT && ev.res >= 0 && ev.more == 1, "accept event %d more %u",
              ev.res, ev.more);
        if (ev.res >= 0) {
            int a = mc_loop_attach(l, ev.res);
            CHECK(a >= 0, "attach accepted");
            mc_loop_close(l, a, 100 + (uint64_t)got);
        }
        got++;
    }
    CHECK(got == 3, "accepted %d of 3", got);
    for (int i = 0; i < 3; i++)
        expect_event(l, 100 + (uint64_t)i, MC_EV_CLOSE, NULL, 1000, __LINE__);
    CHECK(mc_loop_accept_cancel(l, lfd) == 0, "cancel");
    CHECK(expect_event(l, 77, MC_EV_ACCEPT, &ev, 1000, __LINE__) == -ECANCELED && ev.more == 0,
          "last event -ECANCELED, more 0");
    CHECK(mc_loop_accept_cancel(l, lfd) == -ENOENT, "cancel twice");
    int late = tcp_connect(port);
    CHECK(!next_event(l, &ev, 50), "event after cancel");
    close(late);
    for (int i = 0; i < 3; i++)
        close(cs[i]);
    /* the listener can be accepted on again */
    CHECK(mc_loop_accept(l, lfd, 79) == 0, "accept again");
    mc_loop_accept_cancel(l, lfd);
    /* the connection queued meanwhile is accepted first, then the cancel ends the token */
    int saw_cancel = 0;
    while (next_event(l, &ev, 1000)) {
        if (ev.res >= 0)
            close(ev.res);
        if (ev.more == 0) {
            saw_cancel = ev.res == -ECANCELED;
            break;
        }
    }
    CHECK(saw_cancel, "second cancel");
    close(lfd);
    loop_free(l);
}

static void test_connect(void)
{
    current = "connect: success, refused, timeout";
    mc_loop *l = loop_new(4096, 8, 0);
    uint16_t port;
    int lfd = tcp_listener(&port);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    int c = mc_loop_attach(l, socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    CHECK(mc_loop_connect(l, c, &a, sizeof a, 1000 * 1000000ll, 1) == 0, "connect");
    CHECK(expect_event(l, 1, MC_EV_CONNECT, NULL, 2000, __LINE__) == 0, "connected");
    mc_loop_close(l, c, 2);
    expect_event(l, 2, MC_EV_CLOSE, NULL, 1000, __LINE__);
    close(lfd);

    /* refused: a port nobody listens on any more */
    c = mc_loop_attach(l, socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    CHECK(mc_loop_connect(l, c, &a, sizeof a, -1, 3) == 0, "connect");
    CHECK(expect_event(l, 3, MC_EV_CONNECT, NULL, 2000, __LINE__) == -ECONNREFUSED, "refused");
    mc_loop_close(l, c, 4);
    expect_event(l, 4, MC_EV_CLOSE, NULL, 1000, __LINE__);

    /* timeout: a listener with backlog 0 whose queue is full drops further SYNs */
    lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in b = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t bl = sizeof b;
    bind(lfd, (struct sockaddr *)&b, sizeof b);
    listen(lfd, 0);
    getsockname(lfd, (struct sockaddr *)&b, &bl);
    int filler = tcp_connect(ntohs(b.sin_port));
    c = mc_loop_attach(l, socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    uint64_t t0 = now_ms();
    CHECK(mc_loop_connect(l, c, &b, sizeof b, 100 * 1000000ll, 5) == 0, "connect");
    int res = expect_event(l, 5, MC_EV_CONNECT, NULL, 3000, __LINE__);
    CHECK(res == -ETIME, "timeout gives %d", res);
    CHECK(now_ms() - t0 < 2000, "timeout took too long");
    mc_loop_close(l, c, 6);
    expect_event(l, 6, MC_EV_CLOSE, NULL, 1000, __LINE__);
    close(filler);
    close(lfd);
    loop_free(l);
}

static void test_close_in_flight(void)
{
    current = "close cancels what is in flight, events before MC_EV_CLOSE";
    mc_loop *l = loop_new(4096, 8, 0);
    int sv[2];
    tcp_pair(sv);
    int sz = 65536;
    setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &sz, sizeof sz);
    int a = mc_loop_attach(l, sv[0]);
    enum { N = 16 << 20 };
    uint8_t *big = malloc(N);
    memset(big, 'z', N);
    CHECK(mc_loop_recv(l, a, -1, 1) == 0, "recv");
    CHECK(mc_loop_send(l, a, big, N, 2) == 0, "send"); /* the peer never reads: stays in flight */
    mc_loop_event ev;
    CHECK(!next_event(l, &ev, 50), "event before close");
    CHECK(mc_loop_close(l, a, 3) == 0, "close");
    CHECK(mc_loop_close(l, a, 3) == -EALREADY, "close twice");
    CHECK(mc_loop_recv(l, a, -1, 4) == -EBADF, "recv on a closing connection");
    int seen_recv = 0, seen_send = 0, seen_close = 0, order_ok = 1;
    while (!seen_close && next_event(l, &ev, 2000)) {
        if (ev.token == 1) {
            seen_recv = ev.kind == MC_EV_RECV && ev.res == -ECANCELED;
            order_ok &= !seen_close;
        } else if (ev.token == 2) {
            seen_send = ev.kind == MC_EV_SEND && ev.res == -ECANCELED;
            order_ok &= !seen_close;
        } else if (ev.token == 3) {
            seen_close = ev.kind == MC_EV_CLOSE && ev.res == 0;
        }
    }
    CHECK(seen_recv && seen_send && seen_close && order_ok, "recv %d send %d close %d order %d", seen_recv,
          seen_send, seen_close, order_ok);
    CHECK(!next_event(l, &ev, 50), "event after MC_EV_CLOSE");
    close(sv[1]);
    free(big);
    loop_free(l);
}

struct waker {
    mc_loop *l;
    int rc;
};

static void *wake_later(void *arg)
{
    struct waker *w = arg;
    usleep(50000);
    w->rc = mc_loop_wake(w->l);
    return NULL;
}

static void test_wake(void)
{
    current = "wake from another thread";
    mc_loop *l = loop_new(4096, 8, 0);
    mc_loop_event evs[4];
    CHECK(mc_loop_poll(l, evs, 4, 0) == 0, "idle poll");
    struct waker w = {.l = l};
    pthread_t th;
    pthread_create(&th, NULL, wake_later, &w);
    uint64_t t0 = now_ms();
    int n = mc_loop_poll(l, evs, 4, -1);
    uint64_t took = now_ms() - t0;
    pthread_join(th, NULL);
    CHECK(n == 0 && w.rc == 0, "poll %d wake %d", n, w.rc);
    CHECK(took >= 40 && took < 2000, "woke after %llu ms", (unsigned long long)took);
    /* a wake-up before the poll makes the next poll return at once */
    mc_loop_wake(l);
    t0 = now_ms();
    n = mc_loop_poll(l, evs, 4, 5000 * 1000000ll);
    CHECK(n == 0 && now_ms() - t0 < 1000, "pending wake-up");
    /* a bounded wait without events returns after about that long */
    t0 = now_ms();
    n = mc_loop_poll(l, evs, 4, 30 * 1000000ll);
    took = now_ms() - t0;
    CHECK(n == 0 && took >= 25 && took < 1000, "timed wait %llu ms", (unsigned long long)took);
    loop_free(l);
}

static void test_slot_reuse(void)
{
    current = "slot reuse ignores stale completions";
    mc_loop *l = loop_new(4096, 4, 0);
    int sv[2];
    /* Many rounds of recv-with-timeout then close on one slot: a leaked buffer, a stale event
     * or a stale completion applied to the new connection would show. */
    for (int round = 0; round < 200; round++) {
        socket_pair(sv);
        int a = mc_loop_attach(l, sv[0]);
        if (round % 3 == 0)
            write_all(sv[1], "d", 1);
        mc_loop_recv(l, a, 1000 * 1000000ll, 1000 + (uint64_t)round);
        if (round % 3 == 0) {
            mc_loop_event ev;
            CHECK(expect_event(l, 1000 + (uint64_t)round, MC_EV_RECV, &ev, 1000, __LINE__) == 1, "data");
        }
        mc_loop_close(l, a, 5000 + (uint64_t)round);
        mc_loop_event ev;
        int closed = 0;
        while (!closed && next_event(l, &ev, 1000)) {
            if (ev.kind == MC_EV_CLOSE) {
                CHECK(ev.token == 5000 + (uint64_t)round, "close token %llu", (unsigned long long)ev.token);
                closed = 1;
            } else {
                CHECK(ev.token == 1000 + (uint64_t)round && ev.res == -ECANCELED, "stale event token %llu res %d",
                      (unsigned long long)ev.token, ev.res);
            }
        }
        CHECK(closed, "closed");
        close(sv[1]);
        if (failures)
            break;
    }
    /* The slot is reused and the pool is whole: four receives at once get four buffers. */
    int peers[4], conns[4];
    for (int i = 0; i < 4; i++) {
        socket_pair(sv);
        conns[i] = mc_loop_attach(l, sv[0]);
        peers[i] = sv[1];
        write_all(peers[i], "pool", 4);
        mc_loop_recv(l, conns[i], -1, 10 + (uint64_t)i);
    }
    CHECK(conns[0] == 0, "slot 0 reused (%d)", conns[0]);
    mc_loop_event evs[8];
    int n = 0;
    uint64_t end = now_ms() + 2000;
    while (n < 4 && now_ms() < end) {
        int k = mc_loop_poll(l, evs + n, (uint32_t)(8 - n), 100 * 1000000ll);
        if (k > 0)
            n += k;
    }
    CHECK(n == 4, "four receives in one pool of four: %d", n);
    for (int i = 0; i < n; i++)
        CHECK(evs[i].res == 4 && memcmp(evs[i].data, "pool", 4) == 0, "data %d", i);
    for (int i = 0; i < 4; i++) {
        mc_loop_close(l, conns[i], 20);
        close(peers[i]);
    }
    fifo_head = fifo_count = 0;
    loop_free(l);
}

static void test_enobufs(void)
{
    current = "ENOBUFS with a tiny pool parks, loses nothing";
    mc_loop *l = loop_new(64, 1, 0); /* one buffer of 64 bytes */
    enum { K = 4 };
    int peers[K], conns[K];
    char msg[K][32];
    for (int i = 0; i < K; i++) {
        int sv[2];
        socket_pair(sv);
        conns[i] = mc_loop_attach(l, sv[0]);
        peers[i] = sv[1];
        snprintf(msg[i], sizeof msg[i], "message %d", i);
        write_all(peers[i], msg[i], strlen(msg[i]));
    }
    for (int i = 0; i < K; i++)
        CHECK(mc_loop_recv(l, conns[i], -1, (uint64_t)i) == 0, "recv %d", i);
    int seen[K] = {0};
    int total = 0;
    uint64_t end = now_ms() + 3000;
    while (total < K && now_ms() < end) {
        mc_loop_event evs[8];
        int n = mc_loop_poll(l, evs, 8, 100 * 1000000ll);
        CHECK(n <= 1, "one buffer, yet %d receives in one poll", n);
        for (int i = 0; i < n; i++) {
            uint64_t t = evs[i].token;
            CHECK(t < K && evs[i].kind == MC_EV_RECV && evs[i].res == (int)strlen(msg[t]) &&
                      memcmp(evs[i].data, msg[t], strlen(msg[t])) == 0,
                  "event %llu res %d", (unsigned long long)t, evs[i].res);
            if (t < K)
                seen[t]++;
            total++;
        }
    }
    for (int i = 0; i < K; i++)
        CHECK(seen[i] == 1, "conn %d got %d events", i, seen[i]);
    /* a parked recv is cancelled at once, and times out */
    mc_loop_recv(l, conns[0], -1, 50);
    write_all(peers[0], "x", 1);
    write_all(peers[1], "y", 1);
    usleep(10000);
    mc_loop_event ev;
    CHECK(expect_event(l, 50, MC_EV_RECV, &ev, 1000, __LINE__) == 1, "first takes the buffer");
    /* the buffer is the caller's until the next poll: this recv parks */
    mc_loop_recv(l, conns[1], 40 * 1000000ll, 51);
    int res = expect_event(l, 51, MC_EV_RECV, &ev, 1000, __LINE__);
    CHECK(res == 1 && ev.len == 1 && ((const char *)ev.data)[0] == 'y', "parked recv retried: %d", res);
    for (int i = 0; i < K; i++) {
        mc_loop_close(l, conns[i], 60);
        close(peers[i]);
    }
    fifo_head = fifo_count = 0;
    loop_free(l);
}

static void test_misuse(void)
{
    current = "bad arguments give errors";
    mc_loop *l = loop_new(4096, 8, 0);
    CHECK(mc_loop_recv(l, 5, -1, 1) == -EBADF, "recv on a free slot");
    CHECK(mc_loop_recv(l, -1, -1, 1) == -EBADF, "recv on -1");
    CHECK(mc_loop_send(l, 70, "x", 1, 1) == -EBADF, "send past max_conns");
    CHECK(mc_loop_attach(l, -1) == -EBADF, "attach -1");
    CHECK(mc_loop_close(l, 3, 1) == -EBADF, "close a free slot");
    int sv[2];
    socket_pair(sv);
    int a = mc_loop_attach(l, sv[0]);
    CHECK(mc_loop_connect(l, a, NULL, 0, -1, 1) == -EINVAL, "connect without address");
    CHECK(mc_loop_recv(l, a, -1, 1) == 0, "recv");
    CHECK(mc_loop_detach(l, a) == -EBUSY, "detach with a recv in flight");
    mc_loop_recv_cancel(l, a);
    expect_event(l, 1, MC_EV_RECV, NULL, 1000, __LINE__);
    CHECK(mc_loop_detach(l, a) == sv[0], "detach");
    CHECK(mc_loop_recv(l, a, -1, 1) == -EBADF, "recv after detach");
    close(sv[0]);
    close(sv[1]);
    /* attach runs out of slots */
    int fds[65], n = 0;
    for (; n < 65; n++) {
        fds[n] = socket(AF_UNIX, SOCK_STREAM, 0);
        if (mc_loop_attach(l, fds[n]) < 0)
            break;
    }
    CHECK(n == 64, "attached %d", n);
    for (int i = 0; i <= n && i < 65; i++)
        close(fds[i]);
    loop_free(l);
}

int main(void)
{
    char why[256];
    int rc = mc_ring_probe(0, why, sizeof why);
    if (rc != 0) {
        const char *names[] = {"recv/send", "recv timeout", "recv_cancel", "send 8 MiB", "sendfile",
                               "accept", "connect", "close in flight", "wake", "slot reuse", "ENOBUFS",
                               "relay"};
        for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
            printf("SKIP %s: io_uring unavailable: %s\n", names[i], why);
        return 0;
    }
    test_probe();
    test_misuse();
    test_echo();
    test_recv_timeout();
    test_recv_cancel();
    test_big_send();
    test_sendfile();
    test_accept();
    test_connect();
    test_close_in_flight();
    test_wake();
    test_slot_reuse();
    test_enobufs();
    relay_tests();
    if (failures) {
        printf("ring_check: %d failures\n", failures);
        return 1;
    }
    printf("ring_check: all cases passed (%u polls), no sanitizer report\n", polls);
    return 0;
}
