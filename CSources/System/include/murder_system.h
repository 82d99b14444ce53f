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

/* ---- files ------------------------------------------------------------------------------ */

/* Starts writeback of [offset, offset+len) of fd without waiting for it (sync_file_range(2)
 * with SYNC_FILE_RANGE_WRITE), so a later fsync finds most of a large file already written.
 * Durability still comes from that fsync. Returns 0 or -errno. */
int mc_sys_start_writeback(int fd, int64_t offset, int64_t len);

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


/* ---- SASL (Cyrus libsasl2) ---------------------------------------------------------------- */

/*
 * libsasl2 keeps process-wide state (the loaded plugins), but everything a node configures is
 * given per connection here: each server connection carries its own option table (sasldb path,
 * pwcheck_method=auxprop, auxprop_plugin=sasldb, mech_list), its own log sink and its own proxy
 * policy callback, so several nodes with different sasldbs can share one process. The system
 * configuration (/etc/sasl2/<app>.conf) is never read, and nothing is logged to syslog.
 *
 * Every call into libsasl2 made here is serialised by one process-wide mutex: libsasl2's own
 * locking is a no-op unless the application installs mutex callbacks, and the sasldb plugin keeps
 * global state. Authentication is not the hot path; the lock costs nothing that matters.
 *
 * Results are libsasl2's codes: MC_SYS_SASL_OK (0), MC_SYS_SASL_CONTINUE (1) or a negative
 * MC_SYS_SASL_* failure. Bytes returned through `out` pointers belong to the connection and stay
 * valid until its next call; copy them at once. Memory allocated here is freed here.
 *
 * Proxy authorisation: the server connection's policy callback allows any authorisation id and
 * the caller decides after success from MC_SYS_SASL_USERNAME and _AUTHUSER. The Swift layer
 * (Auth.SASLServerSession) applies ProxyPolicy before it reports success; it is the only caller.
 */
enum {
    MC_SYS_SASL_OK = 0,
    MC_SYS_SASL_CONTINUE = 1,
    MC_SYS_SASL_FAIL = -1,
    MC_SYS_SASL_NOMEM = -2,
    MC_SYS_SASL_BUFOVER = -3,
    MC_SYS_SASL_NOMECH = -4,
    MC_SYS_SASL_BADPROT = -5,
    MC_SYS_SASL_NOTDONE = -6,
    MC_SYS_SASL_BADPARAM = -7,
    MC_SYS_SASL_TRYAGAIN = -8,
    MC_SYS_SASL_BADMAC = -9,
    MC_SYS_SASL_NOTINIT = -12,
    MC_SYS_SASL_BADAUTH = -13,
    MC_SYS_SASL_NOAUTHZ = -14,
    MC_SYS_SASL_TOOWEAK = -15,
    MC_SYS_SASL_ENCRYPT = -16,
    MC_SYS_SASL_TRANS = -17,
    MC_SYS_SASL_EXPIRED = -18,
    MC_SYS_SASL_DISABLED = -19,
    MC_SYS_SASL_NOUSER = -20,
    MC_SYS_SASL_PWLOCK = -21,
    MC_SYS_SASL_NOCHANGE = -22,
    MC_SYS_SASL_UNAVAIL = -24,
    MC_SYS_SASL_NOVERIFY = -26,
    MC_SYS_SASL_WEAKPASS = -27,
};

/* Log levels handed to a log sink (libsasl2's SASL_LOG_ERR … SASL_LOG_TRACE). Password traces
 * (SASL_LOG_PASS) are never forwarded. */
enum {
    MC_SYS_SASL_LOG_ERR = 1,
    MC_SYS_SASL_LOG_FAIL = 2,
    MC_SYS_SASL_LOG_WARN = 3,
    MC_SYS_SASL_LOG_NOTE = 4,
    MC_SYS_SASL_LOG_DEBUG = 5,
    MC_SYS_SASL_LOG_TRACE = 6,
};

/* A log sink: called with the connection's lock held, from inside a libsasl2 call on the same
 * thread. It must not call any mc_sys_sasl_ function. `message` is valid only during the call. */
typedef void (*mc_sys_sasl_log_fn)(void *context, int level, const char *message);

/* Initialises libsasl2's server and client sides once per process (thread-safe, idempotent).
 * Returns MC_SYS_SASL_OK or the failure code of the first attempt, which every later call repeats. */
int mc_sys_sasl_init(void);

/* What a server connection is made with. Strings are copied; NULL means "absent". */
typedef struct {
    const char *service;     /* registered service name, e.g. "imap" */
    const char *server_fqdn; /* this host's name; also the realm when user_realm is NULL */
    const char *user_realm;  /* the realm users are stored under in the sasldb, or NULL */
    const char *local_ip;    /* "a.b.c.d;port" or NULL */
    const char *remote_ip;   /* "a.b.c.d;port" or NULL */
    const char *sasldb_path; /* the sasldb file (Berkeley DB) */
    const char *mech_list;   /* space-separated mechanisms libsasl2 may offer, or NULL for all */
    mc_sys_sasl_log_fn log;  /* NULL: logging off */
    void *log_context;
} mc_sys_sasl_server_options;

typedef struct mc_sys_sasl_server mc_sys_sasl_server;

/* Opens a server connection. Returns MC_SYS_SASL_OK and sets *out, or a failure code. */
int mc_sys_sasl_server_new(const mc_sys_sasl_server_options *options, mc_sys_sasl_server **out);
/* Forgets any exchange in progress or finished, and starts again with a fresh libsasl2
 * connection made from the same options (Cyrus imapd's reset_saslconn). */
int mc_sys_sasl_server_reset(mc_sys_sasl_server *s);
void mc_sys_sasl_server_free(mc_sys_sasl_server *s);

/* Space-separated mechanisms this connection may offer; *out is owned by the connection. */
int mc_sys_sasl_server_listmech(mc_sys_sasl_server *s, const char **out);
/* Starts an exchange. has_input 0 means the client sent no initial response (distinct from an
 * empty one). On MC_SYS_SASL_CONTINUE, *out and *outlen hold the challenge. */
int mc_sys_sasl_server_start(mc_sys_sasl_server *s, const char *mechanism, const void *input, size_t inputlen,
                             int has_input, const void **out, size_t *outlen);
int mc_sys_sasl_server_step(mc_sys_sasl_server *s, const void *input, size_t inputlen, const void **out,
                            size_t *outlen);
/* Checks a plaintext password (IMAP LOGIN) against the sasldb. */
int mc_sys_sasl_server_checkpass(mc_sys_sasl_server *s, const char *user, const void *password,
                                 size_t passwordlen);
/* After success: the authorisation id (SASL_USERNAME) and the authentication id (SASL_AUTHUSER).
 * NULL when not known. Owned by the connection. */
const char *mc_sys_sasl_server_username(mc_sys_sasl_server *s);
const char *mc_sys_sasl_server_authuser(mc_sys_sasl_server *s);
/* libsasl2's detail for the last failure, for logs only (it may name the user). Never NULL. */
const char *mc_sys_sasl_server_errdetail(mc_sys_sasl_server *s);

enum { MC_SYS_SASL_SET_CREATE = 1, MC_SYS_SASL_SET_DISABLE = 2 };
/* Sets a password (what saslpasswd2 does): flags 0 changes it, MC_SYS_SASL_SET_CREATE creates the
 * entry, MC_SYS_SASL_SET_DISABLE (password ignored) deletes the user's secrets. */
int mc_sys_sasl_server_setpass(mc_sys_sasl_server *s, const char *user, const void *password, size_t passwordlen,
                               int flags);
/* MC_SYS_SASL_OK when the user has a password in the sasldb, MC_SYS_SASL_NOUSER when not. */
int mc_sys_sasl_server_user_exists(mc_sys_sasl_server *s, const char *user);

/* What a client connection is made with (a frontend authenticating to a backend). */
typedef struct {
    const char *service;     /* e.g. "imap" */
    const char *server_fqdn; /* the peer's host name */
    const char *authcid;     /* who authenticates */
    const char *authzid;     /* whom to act as; NULL or "" for oneself */
    const void *password;
    size_t passwordlen;
} mc_sys_sasl_client_options;

typedef struct mc_sys_sasl_client mc_sys_sasl_client;

int mc_sys_sasl_client_new(const mc_sys_sasl_client_options *options, mc_sys_sasl_client **out);
void mc_sys_sasl_client_free(mc_sys_sasl_client *c);
/* Picks a mechanism from `mechlist` (space-separated, the server's order does not matter) and
 * produces the initial response. *has_output is 0 when the mechanism has none to send.
 * *mechanism is owned by libsasl2. */
int mc_sys_sasl_client_start(mc_sys_sasl_client *c, const char *mechlist, const char **mechanism,
                             const void **out, size_t *outlen, int *has_output);
int mc_sys_sasl_client_step(mc_sys_sasl_client *c, const void *input, size_t inputlen, const void **out,
                            size_t *outlen);
const char *mc_sys_sasl_client_errdetail(mc_sys_sasl_client *c);

#ifdef __cplusplus
}
#endif


/* ---- Raw DEFLATE streams (zlib, no header: RFC 4978, MUPDATE COMPRESS "DEFLATE") ---- */

typedef struct mc_sys_zstream mc_sys_zstream;

enum { MC_SYS_Z_OK = 0, MC_SYS_Z_END = 1, MC_SYS_Z_ERROR = -1 };

/* A new compressing or decompressing stream, or NULL without memory. Free with mc_sys_zstream_free. */
mc_sys_zstream *mc_sys_deflate_new(void);
mc_sys_zstream *mc_sys_inflate_new(void);
void mc_sys_zstream_free(mc_sys_zstream *s);

/* Runs the stream once with a sync flush: takes up to `inlen` bytes of `in` (*consumed says how
 * many) and writes at most `outcap` bytes to `out` (*produced). Call again while input remains
 * or the output filled up. MC_SYS_Z_END: the compressed stream ended (inflate); MC_SYS_Z_ERROR:
 * corrupt input or bad arguments. Never reads or writes past the given lengths. */
int mc_sys_zstream_run(mc_sys_zstream *s, const void *in, size_t inlen, size_t *consumed, void *out, size_t outcap,
                       size_t *produced);

#endif
