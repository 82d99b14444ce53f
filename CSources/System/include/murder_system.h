/*
 * murder_system.h — thin wrappers over system libraries (OpenSSL digests, libsasl2) that Swift
 * cannot call cleanly: incremental hashing contexts behind an opaque struct the caller owns,
 * and libsasl2's callback tables. Not the hot path; the C core (murder_core.h) is separate.
 *
 * Conventions as in murder_core.h: byte ranges are `const void *` plus a length; results are a
 * count (>= 0) or a negative value on failure.
 */
#ifndef MURDER_SYSTEM_H
#define MURDER_SYSTEM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- digests (OpenSSL EVP) ---------------------------------------------------------------- */

/* An incremental SHA-1 (the message GUID, as Cyrus computes it) or SHA-256 context. */
typedef struct mc_sys_digest mc_sys_digest;

enum { MC_SYS_SHA1 = 1, MC_SYS_SHA256 = 2 };

/* Returns a new context, or NULL when OpenSSL cannot make one. Free with mc_sys_digest_free. */
mc_sys_digest *mc_sys_digest_new(int algorithm);
/* Adds bytes; returns 0, or -1 on failure. */
int mc_sys_digest_update(mc_sys_digest *d, const void *bytes, size_t len);
/* Writes the digest (20 or 32 bytes) to out (room for outcap); returns its length or -1. */
int mc_sys_digest_final(mc_sys_digest *d, void *out, size_t outcap);
void mc_sys_digest_free(mc_sys_digest *d);

#ifdef __cplusplus
}
#endif

#endif
