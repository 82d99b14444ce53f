/*
 * file.c — file calls Swift's Glibc module does not expose (they need _GNU_SOURCE).
 */
#define _GNU_SOURCE
#include "murder_system.h"

#include <errno.h>
#include <fcntl.h>

int mc_sys_start_writeback(int fd, int64_t offset, int64_t len) {
    if (fd < 0 || offset < 0 || len < 0) return -EINVAL;
    return sync_file_range(fd, (off_t)offset, (off_t)len, SYNC_FILE_RANGE_WRITE) == 0 ? 0 : -errno;
}
