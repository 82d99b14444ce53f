/*
 * splice-relay: the physical limit of a relay, for the frontend benchmark. It accepts on
 * 127.0.0.1, connects each client to one backend and moves the bytes both ways with
 * splice(2) socket -> pipe -> socket: no user-space copy, no parsing, no login of its own
 * (the client logs in at the backend through it). One process, one thread, one epoll loop,
 * so its CPU compares with a frontend's process.
 *
 *     splice-relay BACKEND_PORT [LISTEN_PORT]      (LISTEN_PORT 0 or absent: any free port)
 *
 * Prints "listening <port>" on stdout once it accepts; runs until SIGTERM/SIGINT.
 * Build: cc -O2 -o splice-relay bench/splice-relay.c
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#define PIPE_SIZE (1 << 20)
#define CHUNK (1 << 20)

/* One direction: bytes read from `from` wait in the pipe until written to `to`. */
struct flow {
    int from, to;
    int pipe[2];
    size_t queued; /* bytes in the pipe */
    size_t cap;    /* the pipe's capacity */
    int eof;
};

/* A client and its backend connection; one epoll registration per socket (struct end). */
struct pair;
struct end {
    struct pair *pair;
    int fd;
};
struct pair {
    struct flow up, down; /* client -> backend, backend -> client */
    struct end client, backend;
    int closed;
};

static int ep;
static struct sockaddr_in backend_addr;
static volatile sig_atomic_t stopping;

static void on_signal(int sig) {
    (void)sig;
    stopping = 1;
}

static int flow_open(struct flow *f, int from, int to) {
    memset(f, 0, sizeof *f);
    f->from = from;
    f->to = to;
    if (pipe2(f->pipe, O_NONBLOCK | O_CLOEXEC) < 0) return -1;
    fcntl(f->pipe[1], F_SETPIPE_SZ, PIPE_SIZE); /* best effort: pipe-max-size may be lower */
    int cap = fcntl(f->pipe[1], F_GETPIPE_SZ);
    f->cap = cap > 0 ? (size_t)cap : 65536;
    return 0;
}

static void pair_close(struct pair *p) {
    if (p->closed) return;
    p->closed = 1;
    close(p->client.fd);
    close(p->backend.fd);
    close(p->up.pipe[0]);
    close(p->up.pipe[1]);
    close(p->down.pipe[0]);
    close(p->down.pipe[1]);
}

/* Moves what it can; 0 while the flow lives, -1 once the pair must close. */
static int flow_pump(struct flow *f) {
    for (;;) {
        int progress = 0;
        if (!f->eof) {
            ssize_t n = splice(f->from, NULL, f->pipe[1], NULL, CHUNK, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
            if (n > 0) {
                f->queued += (size_t)n;
                progress = 1;
            } else if (n == 0) {
                f->eof = 1;
            } else if (errno != EAGAIN && errno != EINTR) {
                return -1;
            }
        }
        if (f->queued > 0) {
            ssize_t n = splice(f->pipe[0], NULL, f->to, NULL, f->queued, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
            if (n > 0) {
                f->queued -= (size_t)n;
                progress = 1;
            } else if (n < 0 && errno != EAGAIN && errno != EINTR) {
                return -1;
            }
        }
        if (f->eof && f->queued == 0) return -1;
        if (!progress) return 0;
    }
}

static void accept_one(int lfd) {
    int c = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (c < 0) return;
    int b = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (b < 0 || connect(b, (struct sockaddr *)&backend_addr, sizeof backend_addr) < 0) {
        if (b >= 0) close(b);
        close(c);
        return;
    }
    fcntl(b, F_SETFL, fcntl(b, F_GETFL) | O_NONBLOCK);
    int one = 1;
    setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    setsockopt(b, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    struct pair *p = calloc(1, sizeof *p);
    if (p == NULL || flow_open(&p->up, c, b) < 0 || flow_open(&p->down, b, c) < 0) {
        close(c);
        close(b);
        free(p);
        return;
    }
    p->client = (struct end){p, c};
    p->backend = (struct end){p, b};
    /* Edge-triggered both ways: a pump moves bytes until neither half of a flow progresses,
     * so a flow stops either on an empty source (the next bytes raise EPOLLIN) or on a full
     * pipe behind a full destination (its drain raises EPOLLOUT). */
    struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET, .data.ptr = &p->client};
    epoll_ctl(ep, EPOLL_CTL_ADD, c, &ev);
    ev.data.ptr = &p->backend;
    epoll_ctl(ep, EPOLL_CTL_ADD, b, &ev);
}

int main(int argc, char **argv) {
    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: %s BACKEND_PORT [LISTEN_PORT]\n", argv[0]);
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    signal(SIGTERM, on_signal);
    signal(SIGINT, on_signal);
    backend_addr.sin_family = AF_INET;
    backend_addr.sin_port = htons((unsigned short)atoi(argv[1]));
    backend_addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);

    int lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int one = 1;
    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    addr.sin_port = htons(argc == 3 ? (unsigned short)atoi(argv[2]) : 0);
    socklen_t len = sizeof addr;
    if (bind(lfd, (struct sockaddr *)&addr, sizeof addr) < 0 || listen(lfd, 4096) < 0 ||
        getsockname(lfd, (struct sockaddr *)&addr, &len) < 0) {
        perror("splice-relay: listen");
        return 1;
    }
    ep = epoll_create1(EPOLL_CLOEXEC);
    struct epoll_event lev = {.events = EPOLLIN, .data.ptr = NULL};
    epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &lev);
    printf("listening %d\n", ntohs(addr.sin_port));
    fflush(stdout);

    struct epoll_event events[256];
    struct pair *dead[256];
    while (!stopping) {
        int n = epoll_wait(ep, events, 256, 500);
        int ndead = 0;
        for (int i = 0; i < n; i++) {
            struct end *e = events[i].data.ptr;
            if (e == NULL) {
                for (int k = 0; k < 64; k++) accept_one(lfd);
                continue;
            }
            struct pair *p = e->pair;
            if (p->closed) continue;
            if (flow_pump(&p->up) < 0 || flow_pump(&p->down) < 0) {
                pair_close(p);
                dead[ndead++] = p;
                continue;
            }
        }
        for (int i = 0; i < ndead; i++) free(dead[i]);
    }
    return 0;
}
