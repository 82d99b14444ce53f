/*
 * scan_fuzz.c — libFuzzer harness for scan.c (mc_scan_step).
 *
 * Input: 8 knob bytes, then the stream. Knob 0 picks tight limits (max_line 64..95, a small,
 * medium or unbounded max_literal, 1 or 3 literals per message); knobs 1..7 are the sizes of
 * successive reads (1..256 bytes, cycled). The stream is scanned in both modes, whole, split
 * by the knobs and a byte at a time; scan_replay.h checks every call's invariants and the
 * three normalised event lists must be identical. Built and run by `make fuzz` (mk/scan.mk).
 */
#include "murder_core.h"
#include "scan_replay.h"

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static replay_list whole, split, bytewise;
    static const uint64_t literal_bounds[4] = {0, 16, 300, UINT64_MAX};
    size_t sizes[7], one = 1;
    mc_scan_limits lim;

    if (size < 8)
        return 0;
    lim.max_line = 64 + (data[0] & 31u);
    lim.max_literal = literal_bounds[(data[0] >> 5) & 3u];
    lim.max_literals = (data[0] & 0x80u) ? 3 : 1;
    for (int i = 0; i < 7; i++)
        sizes[i] = (size_t)data[1 + i] + 1;
    data += 8;
    size -= 8;

    for (uint32_t mode = MC_SCAN_COMMANDS; mode <= MC_SCAN_RESPONSES; mode++) {
        replay(data, size, mode, &lim, NULL, 0, &whole);
        replay(data, size, mode, &lim, sizes, 7, &split);
        replay(data, size, mode, &lim, &one, 1, &bytewise);
        if (replay_diff(&whole, &split) >= 0 || replay_diff(&whole, &bytewise) >= 0) {
            fprintf(stderr, "scan_fuzz: events depend on the split (mode %u, max_line %u)\n", mode,
                    lim.max_line);
            fprintf(stderr, "one-shot:\n");
            replay_print(stderr, &whole);
            fprintf(stderr, "split:\n");
            replay_print(stderr, &split);
            fprintf(stderr, "a byte at a time:\n");
            replay_print(stderr, &bytewise);
            abort();
        }
    }
    return 0;
}
