/*
 * zstream.c — raw DEFLATE (RFC 1951) streams for COMPRESS=DEFLATE (RFC 4978) and MUPDATE's
 * COMPRESS "DEFLATE": zlib with no header (windowBits -15), one stream per direction, each
 * call bounded by the caller's buffers. Input to inflate comes from the network and is
 * fuzzed (fuzz/system_fuzz.c).
 */
#include "murder_system.h"

#include <limits.h>
#include <stdlib.h>
#include <zlib.h>

struct mc_sys_zstream {
    z_stream z;
    int deflating;
};

static mc_sys_zstream *zstream_alloc(int deflating) {
    mc_sys_zstream *s = calloc(1, sizeof *s);
    if (s == NULL) return NULL;
    s->deflating = deflating;
    int r = deflating ? deflateInit2(&s->z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY)
                      : inflateInit2(&s->z, -15);
    if (r != Z_OK) {
        free(s);
        return NULL;
    }
    return s;
}

mc_sys_zstream *mc_sys_deflate_new(void) { return zstream_alloc(1); }

mc_sys_zstream *mc_sys_inflate_new(void) { return zstream_alloc(0); }

void mc_sys_zstream_free(mc_sys_zstream *s) {
    if (s == NULL) return;
    if (s->deflating) {
        deflateEnd(&s->z);
    } else {
        inflateEnd(&s->z);
    }
    free(s);
}

int mc_sys_zstream_run(mc_sys_zstream *s, const void *in, size_t inlen, size_t *consumed, void *out, size_t outcap,
                       size_t *produced) {
    *consumed = 0;
    *produced = 0;
    if (s == NULL || (inlen > 0 && in == NULL) || out == NULL || outcap == 0) return MC_SYS_Z_ERROR;
    /* zlib counts in uInt: stay below it. */
    if (inlen > UINT_MAX / 2) inlen = UINT_MAX / 2;
    if (outcap > UINT_MAX / 2) outcap = UINT_MAX / 2;
    s->z.next_in = (Bytef *)(uintptr_t)in;
    s->z.avail_in = (uInt)inlen;
    s->z.next_out = (Bytef *)out;
    s->z.avail_out = (uInt)outcap;
    int r = s->deflating ? deflate(&s->z, Z_SYNC_FLUSH) : inflate(&s->z, Z_SYNC_FLUSH);
    *consumed = inlen - s->z.avail_in;
    *produced = outcap - s->z.avail_out;
    s->z.next_in = NULL;
    s->z.next_out = NULL;
    switch (r) {
    case Z_OK:
        return MC_SYS_Z_OK;
    case Z_BUF_ERROR: /* no progress possible: needs more input or more room */
        return MC_SYS_Z_OK;
    case Z_STREAM_END:
        return MC_SYS_Z_END;
    default:
        return MC_SYS_Z_ERROR;
    }
}
