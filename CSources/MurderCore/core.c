/*
 * core.c — build facts about the C core: which versions of the system libraries it links.
 * `murder version` prints them, so an operator can tell which liburing, OpenSSL, zlib and
 * libsasl2 a node runs on when a kernel or package upgrade changes behaviour.
 */
#include "murder_core.h"

#include <errno.h>
#include <stdio.h>

#include <liburing.h>
#include <openssl/crypto.h>
#include <sasl/sasl.h>
#include <zlib.h>

int mc_core_versions(char *buf, size_t len)
{
    if (buf == NULL && len != 0)
        return -EINVAL;
    const char *sasl_impl = NULL, *sasl_ver = NULL;
    sasl_version_info(&sasl_impl, &sasl_ver, NULL, NULL, NULL, NULL);
#ifdef IO_URING_VERSION_MAJOR
    char uring[32];
    snprintf(uring, sizeof uring, "%d.%d", IO_URING_VERSION_MAJOR, IO_URING_VERSION_MINOR);
#else
    /* liburing before 2.4 (Debian 12 ships 2.3) has no version macros. */
    const char *uring = "2.3 or older";
#endif
    int n = snprintf(buf, len, "liburing %s, %s, zlib %s, libsasl2 %s", uring,
                     OpenSSL_version(OPENSSL_VERSION), zlibVersion(),
                     sasl_ver ? sasl_ver : "unknown");
    return n < 0 ? -EINVAL : n;
}
