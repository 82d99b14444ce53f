/*
 * scan_bench.c — the C loops of scanbench (see include/scan_bench.h). Kept in C so that the
 * C scanner is measured the way relay.c will call it, without a Swift frame per event.
 */
#include "scan_bench.h"

#include <string.h>

#include "murder_core.h"

scan_bench_counts scan_bench_c(const void *buf, size_t len, size_t chunk, uint32_t mode)
{
    scan_bench_counts counts = {0, 0, 0};
    const unsigned char *p = buf;
    mc_scan_limits lim;
    mc_scan s;
    mc_scan_event ev;

    mc_scan_default_limits(mode, &lim);
    if (mc_scan_init(&s, mode, &lim) != 0)
        return counts;
    for (size_t pos = 0; pos < len;) {
        size_t end = len - pos > chunk ? pos + chunk : len;
        while (pos < end) {
            int64_t n = mc_scan_step(&s, p + pos, end - pos, &ev);
            pos += (size_t)n;
            if (ev.kind == MC_SCAN_LINE)
                counts.lines++;
            else if (ev.kind == MC_SCAN_LITERAL)
                counts.literal_bytes += ev.consumed;
            else if (ev.kind != MC_SCAN_NEED_MORE)
                counts.other++;
            if (ev.kind == MC_SCAN_CLOSE)
                return counts;
        }
    }
    return counts;
}

uint64_t scan_bench_memchr(const void *buf, size_t len)
{
    const unsigned char *p = buf, *end = p + len;
    uint64_t lines = 0;
    while (p < end) {
        const unsigned char *lf = memchr(p, '\n', (size_t)(end - p));
        if (lf == NULL)
            break;
        lines++;
        p = lf + 1;
    }
    return lines;
}
