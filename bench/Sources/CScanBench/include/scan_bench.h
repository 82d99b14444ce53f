/*
 * scan_bench.h — the C loops of scanbench: scan.c over a buffer, read by read, and the plain
 * memchr pass that is the physical limit it is compared to.
 */
#ifndef SCAN_BENCH_H
#define SCAN_BENCH_H

#include <stddef.h>
#include <stdint.h>

/* What a pass over a stream found; equal counts show that two scanners framed it alike. */
typedef struct scan_bench_counts {
    uint64_t lines;         /* LINE events */
    uint64_t literal_bytes; /* bytes of LITERAL events */
    uint64_t other;         /* INVALID and CLOSE events */
} scan_bench_counts;

/* Scans len bytes with mc_scan_step, `chunk` bytes per read, as a recv loop would hand them
 * over. mode is MC_SCAN_COMMANDS or MC_SCAN_RESPONSES, with that mode's default limits. */
scan_bench_counts scan_bench_c(const void *buf, size_t len, size_t chunk, uint32_t mode);

/* Counts the LF bytes of buf with memchr: the least any framing pass must do. */
uint64_t scan_bench_memchr(const void *buf, size_t len);

#endif /* SCAN_BENCH_H */
