/*
 * digest.c — incremental SHA-1/SHA-256 over OpenSSL's EVP interface. The spool hashes each
 * message while it streams to disk, so it needs an incremental API it can hold across chunks.
 */
#include "murder_system.h"

#include <openssl/evp.h>

struct mc_sys_digest {
    EVP_MD_CTX *ctx;
};

mc_sys_digest *mc_sys_digest_new(int algorithm) {
    const EVP_MD *md = algorithm == MC_SYS_SHA256 ? EVP_sha256() : algorithm == MC_SYS_SHA1 ? EVP_sha1() : NULL;
    if (md == NULL) return NULL;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    if (ctx == NULL) return NULL;
    if (EVP_DigestInit_ex(ctx, md, NULL) != 1) {
        EVP_MD_CTX_free(ctx);
        return NULL;
    }
    mc_sys_digest *d = OPENSSL_malloc(sizeof *d);
    if (d == NULL) {
        EVP_MD_CTX_free(ctx);
        return NULL;
    }
    d->ctx = ctx;
    return d;
}

int mc_sys_digest_update(mc_sys_digest *d, const void *bytes, size_t len) {
    if (len == 0) return 0;
    return EVP_DigestUpdate(d->ctx, bytes, len) == 1 ? 0 : -1;
}

int mc_sys_digest_final(mc_sys_digest *d, void *out, size_t outcap) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    if (EVP_DigestFinal_ex(d->ctx, md, &n) != 1 || n > outcap) return -1;
    for (unsigned int i = 0; i < n; i++) ((unsigned char *)out)[i] = md[i];
    return (int)n;
}

void mc_sys_digest_free(mc_sys_digest *d) {
    if (d == NULL) return;
    EVP_MD_CTX_free(d->ctx);
    OPENSSL_free(d);
}
