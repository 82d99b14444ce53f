/*
 * system_check.c — replays the fuzz/system_fuzz.c entry point under AddressSanitizer and
 * UndefinedBehaviorSanitizer in `make test`: the seed corpus, then generated inputs (every
 * mechanism, random responses split into steps, a valid PLAIN and LOGIN exchange).
 */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "murder_system.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint64_t state = 0x9E3779B97F4A7C15ull;
static uint32_t next(void) {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return (uint32_t)state;
}

static int replay_dir(const char *dir) {
    DIR *d = opendir(dir);
    if (d == NULL) return 0;
    int n = 0;
    struct dirent *e;
    static uint8_t buf[1 << 16];
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.') continue;
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        FILE *f = fopen(path, "rb");
        if (f == NULL) continue;
        size_t len = fread(buf, 1, sizeof buf, f);
        fclose(f);
        LLVMFuzzerTestOneInput(buf, len);
        n++;
    }
    closedir(d);
    return n;
}

/* mc_sys_start_writeback: a range of a real file starts, bad arguments are refused. */
static void check_writeback(void) {
    char path[] = "/tmp/system_check_XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0) { perror("mkstemp"); exit(1); }
    unlink(path);
    static char block[1 << 16];
    memset(block, 'x', sizeof block);
    if (write(fd, block, sizeof block) != (ssize_t)sizeof block) { perror("write"); exit(1); }
    if (mc_sys_start_writeback(fd, 0, sizeof block) != 0) { fprintf(stderr, "writeback of a file failed\n"); exit(1); }
    if (mc_sys_start_writeback(fd, -1, 10) != -EINVAL) { fprintf(stderr, "negative offset accepted\n"); exit(1); }
    if (mc_sys_start_writeback(-1, 0, 10) != -EINVAL) { fprintf(stderr, "bad fd accepted\n"); exit(1); }
    close(fd);
    if (mc_sys_start_writeback(fd, 0, 10) != -EBADF) { fprintf(stderr, "closed fd accepted\n"); exit(1); }
}

int main(int argc, char **argv) {
    check_writeback();
    int replayed = argc > 1 ? replay_dir(argv[1]) : 0;
    static const uint8_t plain[] = "\x00\x00" "alice\x00secret";
    LLVMFuzzerTestOneInput(plain, sizeof plain - 1);
    static const uint8_t login[] = "\x01\xff" "alice\xff" "secret";
    LLVMFuzzerTestOneInput(login, sizeof login - 1);
    uint8_t buf[2048];
    int generated = 0;
    for (int i = 0; i < 3000; i++) {
        size_t len = next() % sizeof buf;
        for (size_t j = 0; j < len; j++) {
            uint32_t r = next();
            buf[j] = (r % 7 == 0) ? 0xFF : (r % 11 == 0) ? 0 : (uint8_t)(r >> 8);
        }
        LLVMFuzzerTestOneInput(buf, len);
        generated++;
    }
    printf("system_check: %d corpus inputs, %d generated inputs, no sanitizer report\n", replayed, generated);
    return 0;
}
