/*
 * scan_check.c — replays byte streams through scan.c under AddressSanitizer and UBSan.
 *
 * Every file of the corpus folders given on the command line (fuzzer inputs: 8 knob bytes,
 * then the stream, of which only the stream is used here), and 20,000 generated streams, are fed to mc_scan_step() whole, a byte at a time, and at random splits, in both
 * modes and under default and tight limits. scan_replay.h checks the invariants of every
 * call; here the normalised events of each split must equal those of the one-shot feed.
 * Built and run by `make scan-asan` (mk/scan.mk).
 */
#include "murder_core.h"
#include "scan_replay.h"

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;

/* splitmix64: small, seedable, the same sequence everywhere. */
static uint64_t rnd(void)
{
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static size_t below(size_t n) { return n ? (size_t)(rnd() % n) : 0; }

typedef struct buf {
    uint8_t *p;
    size_t n, cap;
} buf;

static void put(buf *b, const void *src, size_t n)
{
    if (n == 0)
        return;
    if (b->n + n > b->cap) {
        while (b->n + n > b->cap)
            b->cap = b->cap ? b->cap * 2 : 1024;
        b->p = realloc(b->p, b->cap);
        if (b->p == NULL)
            abort();
    }
    memcpy(b->p + b->n, src, n);
    b->n += n;
}

static void puts_(buf *b, const char *s) { put(b, s, strlen(s)); }

static void put_random(buf *b, size_t n)
{
    static const char alphabet[] = "{}~+0123456789\"\\ \r\n\0abcXYZ()[]*";
    for (size_t i = 0; i < n; i++) {
        uint8_t c = below(4) == 0 ? (uint8_t)rnd() : (uint8_t)alphabet[below(sizeof alphabet - 1)];
        put(b, &c, 1);
    }
}

/*
 * Appends one generated message: a first segment with a tag, a verb and arguments (atoms,
 * quoted strings with escapes and braces, an unterminated quote now and then), ending in a
 * literal announcement of any form (or a near miss), then the literal's bytes and more
 * segments; sometimes garbage, NUL bytes, over-long lines or absurd lengths.
 */
static void gen_message(buf *b)
{
    static const char *tags[] = {"a1", "*", "+", "A003", "", "tag.with.dots", "x"};
    static const char *verbs[] = {"OK", "ok", "No", "BAD", "bye", "PREAUTH", "FETCH", "LOGIN",
                                  "APPEND", "OKAY", "", "3", "PREAUTHX"};
    static const char *args[] = {" INBOX", " \"quoted {5}\"", " \"esc \\\" {3}\"", " \"\\\\\"",
                                 " (\\Seen)", " \"open {4}", " {}", " {12a}", " BODY[]",
                                 " \"a\\\"", " ~", " {", " 123", " \"\"", " NIL"};
    static const char *ends[] = {"\r\n", "\r\n", "\n", "\r\r\n", "\r"};
    int segments = 1 + (int)below(3);

    puts_(b, tags[below(sizeof tags / sizeof *tags)]);
    if (below(8) != 0) {
        puts_(b, " ");
        puts_(b, verbs[below(sizeof verbs / sizeof *verbs)]);
    }
    for (int seg = 0; seg < segments; seg++) {
        size_t nargs = below(4);
        for (size_t i = 0; i < nargs; i++)
            puts_(b, args[below(sizeof args / sizeof *args)]);
        switch (below(12)) {
        case 0:
            put_random(b, below(40));
            break;
        case 1: {
            size_t n = 40 + below(200);
            for (size_t i = 0; i < n; i++)
                puts_(b, "x");
            break;
        }
        case 2:
            put(b, "\0", 1);
            break;
        default:
            break;
        }
        uint64_t len = below(3) == 0 ? below(300) : below(20);
        char ann[64];
        int announce = 1;
        switch (below(10)) {
        case 0:
            snprintf(ann, sizeof ann, " {%" PRIu64 "}", len);
            break;
        case 1:
            snprintf(ann, sizeof ann, " {%" PRIu64 "+}", len);
            break;
        case 2:
            snprintf(ann, sizeof ann, " ~{%" PRIu64 "}", len);
            break;
        case 3:
            snprintf(ann, sizeof ann, " ~{%" PRIu64 "+}", len);
            break;
        case 4:
            snprintf(ann, sizeof ann, " {%s%s}", below(2) ? "18446744073709551616" : "99999999999",
                     below(2) ? "+" : "");
            announce = 0;
            break;
        case 5:
            snprintf(ann, sizeof ann, " {00%" PRIu64 "}", len);
            break;
        default:
            ann[0] = 0;
            announce = 0;
            break;
        }
        puts_(b, ann);
        puts_(b, ends[below(sizeof ends / sizeof *ends)]);
        if (announce) {
            if (below(10) == 0)
                len = below(len + 1);
            put_random(b, (size_t)len);
        } else {
            break;
        }
    }
}

static void read_file(const char *path, buf *b)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        fprintf(stderr, "scan_check: %s: %s\n", path, strerror(errno));
        exit(1);
    }
    b->n = 0;
    uint8_t chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        put(b, chunk, n);
    fclose(f);
}

/* The one-shot feed, a byte at a time, and `splits` random splittings must agree. */
static void check_stream(const char *name, const uint8_t *data, size_t len, uint32_t mode,
                         const mc_scan_limits *lim, int splits, int bytewise)
{
    static replay_list whole, split;
    size_t sizes[16];

    replay(data, len, mode, lim, NULL, 0, &whole);
    for (int i = -1; i < splits; i++) {
        size_t nsizes;
        if (i < 0) {
            if (!bytewise)
                continue;
            sizes[0] = 1;
            nsizes = 1;
        } else {
            nsizes = 1 + below(16);
            for (size_t k = 0; k < nsizes; k++)
                sizes[k] = 1 + below(below(2) ? 8 : 200);
        }
        replay(data, len, mode, lim, sizes, nsizes, &split);
        long d = replay_diff(&whole, &split);
        if (d >= 0) {
            fprintf(stderr, "scan_check: %s (mode %u, max_line %u): split feed differs at event %ld\n",
                    name, mode, lim->max_line, d);
            fprintf(stderr, "one-shot:\n");
            replay_print(stderr, &whole);
            fprintf(stderr, "split:\n");
            replay_print(stderr, &split);
            abort();
        }
    }
}

static void tight_limits(mc_scan_limits *lim)
{
    lim->max_line = 64 + (uint32_t)below(100);
    lim->max_literal = below(4) == 0 ? UINT64_MAX : below(300);
    lim->max_literals = (uint32_t)below(5);
}

int main(int argc, char **argv)
{
    buf b = {0};
    size_t files = 0, streams = 0, bytes = 0;
    mc_scan_limits lim;
    mc_scan s;

    /* mc_scan_init refuses what the header says it refuses. */
    mc_scan_default_limits(MC_SCAN_COMMANDS, &lim);
    if (mc_scan_init(&s, 2, &lim) != -EINVAL || mc_scan_init(NULL, 0, &lim) != -EINVAL ||
        mc_scan_init(&s, 0, NULL) != -EINVAL) {
        fprintf(stderr, "scan_check: mc_scan_init accepted bad arguments\n");
        return 1;
    }
    lim.max_line = 63;
    if (mc_scan_init(&s, 0, &lim) != -EINVAL) {
        fprintf(stderr, "scan_check: mc_scan_init accepted max_line 63\n");
        return 1;
    }

    for (int a = 1; a < argc; a++) {
        DIR *dir = opendir(argv[a]);
        if (dir == NULL) {
            fprintf(stderr, "scan_check: %s: %s\n", argv[a], strerror(errno));
            return 1;
        }
        struct dirent *de;
        while ((de = readdir(dir)) != NULL) {
            if (de->d_name[0] == '.')
                continue;
            char path[4096];
            snprintf(path, sizeof path, "%s/%s", argv[a], de->d_name);
            read_file(path, &b);
            const uint8_t *stream = b.n > 8 ? b.p + 8 : b.p;
            size_t n = b.n > 8 ? b.n - 8 : 0;
            for (uint32_t mode = 0; mode <= 1; mode++) {
                mc_scan_default_limits(mode, &lim);
                check_stream(path, stream, n, mode, &lim, 20, 1);
                for (int t = 0; t < 10; t++) {
                    tight_limits(&lim);
                    check_stream(path, stream, n, mode, &lim, 10, t == 0);
                }
            }
            files++;
            bytes += b.n;
        }
        closedir(dir);
    }

    for (int i = 0; i < 20000; i++) {
        char name[32];
        b.n = 0;
        int messages = 1 + (int)below(8);
        for (int m = 0; m < messages; m++)
            gen_message(&b);
        snprintf(name, sizeof name, "generated #%d", i);
        uint32_t mode = (uint32_t)below(2);
        if (below(3) == 0)
            mc_scan_default_limits(mode, &lim);
        else
            tight_limits(&lim);
        check_stream(name, b.p, b.n, mode, &lim, 8, i % 10 == 0);
        streams++;
        bytes += b.n;
    }

    printf("scan_check: %zu corpus files and %zu generated streams (%zu bytes) agree at every "
           "split\n", files, streams, bytes);
    free(b.p);
    return 0;
}
