/*
 * splice-relay.c — the benchmark's reference row: the plainest relay this machine can run.
 * Listens on a port; for each accepted connection connects to the target and moves bytes
 * both ways socket -> pipe -> socket with blocking splice(2), one thread per direction. No
 * framing, no io_uring, no copies through user space: the physical limit of relaying here.
 *
 * Build:  /opt/swift/usr/bin/clang -O2 -Wall -Wextra -fuse-ld=lld -o bench/.build/splice-relay \
 *             bench/splice-relay.c -lpthread
 * Usage:  splice-relay LISTEN_PORT TARGET_HOST TARGET_PORT [PIPE_BYTES]
 *         e.g. splice-relay 14300 127.0.0.1 14301 65536
 * Listens on 127.0.0.1 only; stop it with SIGINT or SIGTERM.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static struct addrinfo *target;
static int pipe_bytes = 65536;

struct half {
    int from, to;
    struct pair *pair;
};

/* One connection: two directions; the last one to finish closes both sockets. */
struct pair {
    struct half dir[2];
    pthread_mutex_t lock;
    int live;
};

static void pair_release(struct pair *p)
{
    pthread_mutex_lock(&p->lock);
    int last = --p->live == 0;
    pthread_mutex_unlock(&p->lock);
    if (last) {
        close(p->dir[0].from);
        close(p->dir[0].to);
        pthread_mutex_destroy(&p->lock);
        free(p);
    }
}

/* from -> pipe -> to until EOF or an error, then half-closes `to` so the peer sees the EOF. */
static void *pump(void *arg)
{
    struct half *h = arg;
    int pfd[2];
    if (pipe2(pfd, O_CLOEXEC) == 0) {
        (void)fcntl(pfd[1], F_SETPIPE_SZ, pipe_bytes);
        for (;;) {
            ssize_t n = splice(h->from, NULL, pfd[1], NULL, (size_t)pipe_bytes, SPLICE_F_MOVE | SPLICE_F_MORE);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0)
                break;
            while (n > 0) {
                /* No SPLICE_F_MORE here: on a TCP socket it corks (MSG_MORE), and the last
                 * segment of a response waits for the 200 ms cork timer. */
                ssize_t m = splice(pfd[0], NULL, h->to, NULL, (size_t)n, SPLICE_F_MOVE);
                if (m < 0 && errno == EINTR)
                    continue;
                if (m <= 0)
                    goto out;
                n -= m;
            }
        }
    out:
        close(pfd[0]);
        close(pfd[1]);
    }
    shutdown(h->to, SHUT_WR);
    shutdown(h->from, SHUT_RD);
    pair_release(h->pair);
    return NULL;
}

static void start(int client)
{
    int backend = socket(target->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (backend < 0 || connect(backend, target->ai_addr, target->ai_addrlen) != 0) {
        perror("connect to target");
        if (backend >= 0)
            close(backend);
        close(client);
        return;
    }
    int one = 1;
    setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    setsockopt(backend, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    struct pair *p = calloc(1, sizeof *p);
    if (p == NULL) {
        close(client);
        close(backend);
        return;
    }
    pthread_mutex_init(&p->lock, NULL);
    p->live = 2;
    p->dir[0] = (struct half){.from = client, .to = backend, .pair = p};
    p->dir[1] = (struct half){.from = backend, .to = client, .pair = p};
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_attr_setstacksize(&attr, 64 * 1024);
    for (int i = 0; i < 2; i++) {
        pthread_t th;
        if (pthread_create(&th, &attr, pump, &p->dir[i]) != 0) {
            /* the other direction (if started) still releases its half */
            shutdown(client, SHUT_RDWR);
            shutdown(backend, SHUT_RDWR);
            pair_release(p);
            if (i == 0)
                pair_release(p);
            break;
        }
    }
    pthread_attr_destroy(&attr);
}

int main(int argc, char **argv)
{
    if (argc < 4 || argc > 5) {
        fprintf(stderr, "usage: %s LISTEN_PORT TARGET_HOST TARGET_PORT [PIPE_BYTES]\n", argv[0]);
        return 2;
    }
    if (argc == 5)
        pipe_bytes = atoi(argv[4]);
    if (pipe_bytes < 4096 || pipe_bytes > (1 << 24)) {
        fprintf(stderr, "PIPE_BYTES must be 4096 .. 16777216\n");
        return 2;
    }
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
    int rc = getaddrinfo(argv[2], argv[3], &hints, &target);
    if (rc != 0) {
        fprintf(stderr, "%s:%s: %s\n", argv[2], argv[3], gai_strerror(rc));
        return 1;
    }
    signal(SIGPIPE, SIG_IGN);
    int lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(argv[1])),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    if (bind(lfd, (struct sockaddr *)&a, sizeof a) != 0 || listen(lfd, 1024) != 0) {
        perror("listen");
        return 1;
    }
    fprintf(stderr, "splice-relay: 127.0.0.1:%s -> %s:%s, pipes of %d bytes\n", argv[1], argv[2], argv[3],
            pipe_bytes);
    for (;;) {
        int c = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
        if (c < 0) {
            if (errno == EINTR || errno == ECONNABORTED || errno == EMFILE || errno == ENFILE) {
                if (errno == EMFILE || errno == ENFILE)
                    usleep(10000);
                continue;
            }
            perror("accept");
            return 1;
        }
        start(c);
    }
}
