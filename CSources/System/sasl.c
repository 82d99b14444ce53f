/*
 * sasl.c — Cyrus libsasl2 behind a small per-connection interface (see murder_system.h).
 *
 * Why C: libsasl2 is configured through tables of C callbacks whose contexts must outlive the
 * connection, some of them variadic in spirit (the callback union is a bare function pointer),
 * and its output buffers live inside the connection. Here each connection owns its callback
 * table and copies of its option strings, so the Swift side only sees plain calls.
 */
#include "murder_system.h"

#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <sasl/sasl.h>

_Static_assert(MC_SYS_SASL_OK == SASL_OK && MC_SYS_SASL_CONTINUE == SASL_CONTINUE, "result codes");
_Static_assert(MC_SYS_SASL_BADAUTH == SASL_BADAUTH && MC_SYS_SASL_NOAUTHZ == SASL_NOAUTHZ, "result codes");
_Static_assert(MC_SYS_SASL_NOUSER == SASL_NOUSER && MC_SYS_SASL_WEAKPASS == SASL_WEAKPASS, "result codes");
_Static_assert(MC_SYS_SASL_SET_CREATE == SASL_SET_CREATE && MC_SYS_SASL_SET_DISABLE == SASL_SET_DISABLE, "flags");

/* One lock for every libsasl2 call: see the header. */
/* libsasl2 stores every callback as `int (*)(void)`; the detour through `void (*)(void)` tells the
 * compiler the cast is deliberate (-Wcast-function-type). */
#define MC_SASL_PROC(f) ((int (*)(void))(void (*)(void))(f))

static pthread_mutex_t sasl_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t sasl_once = PTHREAD_ONCE_INIT;
static int sasl_init_result = SASL_NOTINIT;

/* ---- process-wide callbacks ------------------------------------------------------------------ */

/* Messages logged without a connection (plugin loading) are dropped; the default would be syslog. */
static int global_log(void *context, int level, const char *message) {
    (void)context;
    (void)level;
    (void)message;
    return SASL_OK;
}

/*
 * libsasl2 asks before reading a configuration file (/etc/sasl2/<app>.conf): SASL_CONTINUE
 * skips it, so a node's behaviour never depends on system files. Plugins and the sasldb are
 * allowed.
 */
static int global_verifyfile(void *context, const char *file, sasl_verify_type_t type) {
    (void)context;
    (void)file;
    return type == SASL_VRFY_CONF ? SASL_CONTINUE : SASL_OK;
}

static sasl_callback_t global_callbacks[] = {
    {SASL_CB_LOG, MC_SASL_PROC(global_log), NULL},
    {SASL_CB_VERIFYFILE, MC_SASL_PROC(global_verifyfile), NULL},
    {SASL_CB_LIST_END, NULL, NULL},
};

static void sasl_init_once(void) {
    int r = sasl_server_init(global_callbacks, "murder");
    if (r == SASL_OK) r = sasl_client_init(global_callbacks);
    sasl_init_result = r;
}

int mc_sys_sasl_init(void) {
    pthread_once(&sasl_once, sasl_init_once);
    return sasl_init_result;
}

/* Duplicates an optional string; *ok becomes 0 when memory ran out. */
static char *dup_optional(const char *s, int *ok) {
    if (s == NULL) return NULL;
    char *d = strdup(s);
    if (d == NULL) *ok = 0;
    return d;
}

/* No security layer: IMAP here runs over TLS or not at all, and the relay never wraps bytes. */
static int set_no_security_layer(sasl_conn_t *conn) {
    sasl_security_properties_t props;
    memset(&props, 0, sizeof props);
    props.min_ssf = 0;
    props.max_ssf = 0;
    props.maxbufsize = 0;
    props.security_flags = SASL_SEC_NOANONYMOUS;
    return sasl_setprop(conn, SASL_SEC_PROPS, &props);
}

/* ---- server ------------------------------------------------------------------------------- */

struct mc_sys_sasl_server {
    sasl_conn_t *conn;
    char *service, *server_fqdn, *user_realm, *local_ip, *remote_ip, *sasldb_path, *mech_list;
    mc_sys_sasl_log_fn log;
    void *log_context;
    sasl_callback_t callbacks[4];
};

/*
 * The connection's option table. Answering every option a plugin reads for authentication here
 * keeps the global configuration out of the picture: pwcheck_method=auxprop with the sasldb
 * auxprop plugin, reading this node's sasldb file.
 */
static int server_getopt(void *context, const char *plugin_name, const char *option, const char **result,
                         unsigned *len) {
    (void)plugin_name;
    const struct mc_sys_sasl_server *s = context;
    const char *value = NULL;
    if (strcmp(option, "sasldb_path") == 0) value = s->sasldb_path;
    else if (strcmp(option, "pwcheck_method") == 0) value = "auxprop";
    else if (strcmp(option, "auxprop_plugin") == 0) value = "sasldb";
    else if (strcmp(option, "canon_user_plugin") == 0) value = "INTERNAL";
    else if (strcmp(option, "mech_list") == 0) value = s->mech_list;
    if (value == NULL) return SASL_FAIL;
    *result = value;
    if (len != NULL) *len = (unsigned)strlen(value);
    return SASL_OK;
}

static int server_log(void *context, int level, const char *message) {
    const struct mc_sys_sasl_server *s = context;
    if (s->log != NULL && level >= SASL_LOG_ERR && level <= SASL_LOG_TRACE && message != NULL)
        s->log(s->log_context, level, message);
    return SASL_OK;
}

/* Allows every authorisation id; the caller applies its policy after success (see the header). */
static int server_proxy_policy(sasl_conn_t *conn, void *context, const char *requested_user, unsigned rlen,
                               const char *auth_identity, unsigned alen, const char *def_realm, unsigned urlen,
                               struct propctx *propctx) {
    (void)conn;
    (void)context;
    (void)requested_user;
    (void)rlen;
    (void)auth_identity;
    (void)alen;
    (void)def_realm;
    (void)urlen;
    (void)propctx;
    return SASL_OK;
}

/* Makes s->conn from the stored options. Called with the lock held. */
static int server_open(struct mc_sys_sasl_server *s) {
    sasl_conn_t *conn = NULL;
    int r = sasl_server_new(s->service, s->server_fqdn, s->user_realm, s->local_ip, s->remote_ip, s->callbacks, 0,
                            &conn);
    if (r != SASL_OK) {
        if (conn != NULL) sasl_dispose(&conn);
        return r;
    }
    r = set_no_security_layer(conn);
    if (r != SASL_OK) {
        sasl_dispose(&conn);
        return r;
    }
    s->conn = conn;
    return SASL_OK;
}

static void server_free_strings(struct mc_sys_sasl_server *s) {
    free(s->service);
    free(s->server_fqdn);
    free(s->user_realm);
    free(s->local_ip);
    free(s->remote_ip);
    free(s->sasldb_path);
    free(s->mech_list);
}

int mc_sys_sasl_server_new(const mc_sys_sasl_server_options *options, mc_sys_sasl_server **out) {
    *out = NULL;
    int r = mc_sys_sasl_init();
    if (r != SASL_OK) return r;
    if (options->service == NULL || options->sasldb_path == NULL) return SASL_BADPARAM;
    struct mc_sys_sasl_server *s = calloc(1, sizeof *s);
    if (s == NULL) return SASL_NOMEM;
    int ok = 1;
    s->service = dup_optional(options->service, &ok);
    s->server_fqdn = dup_optional(options->server_fqdn, &ok);
    s->user_realm = dup_optional(options->user_realm, &ok);
    s->local_ip = dup_optional(options->local_ip, &ok);
    s->remote_ip = dup_optional(options->remote_ip, &ok);
    s->sasldb_path = dup_optional(options->sasldb_path, &ok);
    s->mech_list = dup_optional(options->mech_list, &ok);
    if (!ok) {
        server_free_strings(s);
        free(s);
        return SASL_NOMEM;
    }
    s->log = options->log;
    s->log_context = options->log_context;
    s->callbacks[0] = (sasl_callback_t){SASL_CB_GETOPT, MC_SASL_PROC(server_getopt), s};
    s->callbacks[1] = (sasl_callback_t){SASL_CB_LOG, MC_SASL_PROC(server_log), s};
    s->callbacks[2] = (sasl_callback_t){SASL_CB_PROXY_POLICY, MC_SASL_PROC(server_proxy_policy), s};
    s->callbacks[3] = (sasl_callback_t){SASL_CB_LIST_END, NULL, NULL};

    pthread_mutex_lock(&sasl_lock);
    r = server_open(s);
    pthread_mutex_unlock(&sasl_lock);
    if (r != SASL_OK) {
        server_free_strings(s);
        free(s);
        return r;
    }
    *out = s;
    return SASL_OK;
}

int mc_sys_sasl_server_reset(mc_sys_sasl_server *s) {
    pthread_mutex_lock(&sasl_lock);
    if (s->conn != NULL) sasl_dispose(&s->conn);
    s->conn = NULL;
    int r = server_open(s);
    pthread_mutex_unlock(&sasl_lock);
    return r;
}

void mc_sys_sasl_server_free(mc_sys_sasl_server *s) {
    if (s == NULL) return;
    pthread_mutex_lock(&sasl_lock);
    if (s->conn != NULL) sasl_dispose(&s->conn);
    pthread_mutex_unlock(&sasl_lock);
    server_free_strings(s);
    free(s);
}

int mc_sys_sasl_server_listmech(mc_sys_sasl_server *s, const char **out) {
    *out = "";
    if (s->conn == NULL) return SASL_NOTINIT;
    const char *list = NULL;
    unsigned len = 0;
    int count = 0;
    pthread_mutex_lock(&sasl_lock);
    int r = sasl_listmech(s->conn, NULL, "", " ", "", &list, &len, &count);
    pthread_mutex_unlock(&sasl_lock);
    if (r == SASL_OK && list != NULL) *out = list;
    return r;
}

int mc_sys_sasl_server_start(mc_sys_sasl_server *s, const char *mechanism, const void *input, size_t inputlen,
                             int has_input, const void **out, size_t *outlen) {
    *out = NULL;
    *outlen = 0;
    if (s->conn == NULL) return SASL_NOTINIT;
    if (inputlen > UINT_MAX) return SASL_BADPARAM;
    const char *in = has_input ? (input != NULL ? input : "") : NULL;
    const char *serverout = NULL;
    unsigned serveroutlen = 0;
    pthread_mutex_lock(&sasl_lock);
    int r = sasl_server_start(s->conn, mechanism, in, (unsigned)inputlen, &serverout, &serveroutlen);
    pthread_mutex_unlock(&sasl_lock);
    if (serverout != NULL) {
        *out = serverout;
        *outlen = serveroutlen;
    }
    return r;
}

int mc_sys_sasl_server_step(mc_sys_sasl_server *s, const void *input, size_t inputlen, const void **out,
                            size_t *outlen) {
    *out = NULL;
    *outlen = 0;
    if (s->conn == NULL) return SASL_NOTINIT;
    if (inputlen > UINT_MAX) return SASL_BADPARAM;
    const char *serverout = NULL;
    unsigned serveroutlen = 0;
    pthread_mutex_lock(&sasl_lock);
    int r = sasl_server_step(s->conn, input != NULL ? input : "", (unsigned)inputlen, &serverout, &serveroutlen);
    pthread_mutex_unlock(&sasl_lock);
    if (serverout != NULL) {
        *out = serverout;
        *outlen = serveroutlen;
    }
    return r;
}

int mc_sys_sasl_server_checkpass(mc_sys_sasl_server *s, const char *user, const void *password,
                                 size_t passwordlen) {
    if (s->conn == NULL) return SASL_NOTINIT;
    if (passwordlen == 0 || passwordlen > UINT_MAX || user == NULL || *user == 0) return SASL_BADAUTH;
    pthread_mutex_lock(&sasl_lock);
    int r = sasl_checkpass(s->conn, user, (unsigned)strlen(user), password, (unsigned)passwordlen);
    pthread_mutex_unlock(&sasl_lock);
    return r;
}

/* Reads a string property; NULL when the exchange has not produced it. Lock held by caller. */
static const char *string_property(sasl_conn_t *conn, int property) {
    const void *value = NULL;
    if (conn == NULL || sasl_getprop(conn, property, &value) != SASL_OK) return NULL;
    return value;
}

const char *mc_sys_sasl_server_username(mc_sys_sasl_server *s) {
    pthread_mutex_lock(&sasl_lock);
    const char *v = string_property(s->conn, SASL_USERNAME);
    pthread_mutex_unlock(&sasl_lock);
    return v;
}

const char *mc_sys_sasl_server_authuser(mc_sys_sasl_server *s) {
    pthread_mutex_lock(&sasl_lock);
    const char *v = string_property(s->conn, SASL_AUTHUSER);
    pthread_mutex_unlock(&sasl_lock);
    return v;
}

const char *mc_sys_sasl_server_errdetail(mc_sys_sasl_server *s) {
    if (s->conn == NULL) return "no connection";
    pthread_mutex_lock(&sasl_lock);
    const char *v = sasl_errdetail(s->conn);
    pthread_mutex_unlock(&sasl_lock);
    return v != NULL ? v : "";
}

int mc_sys_sasl_server_setpass(mc_sys_sasl_server *s, const char *user, const void *password, size_t passwordlen,
                               int flags) {
    if (s->conn == NULL) return SASL_NOTINIT;
    if (user == NULL || *user == 0 || passwordlen > UINT_MAX) return SASL_BADPARAM;
    int sasl_flags = 0;
    if (flags & MC_SYS_SASL_SET_CREATE) sasl_flags |= SASL_SET_CREATE;
    if (flags & MC_SYS_SASL_SET_DISABLE) sasl_flags |= SASL_SET_DISABLE;
    const char *pass = password;
    unsigned passlen = (unsigned)passwordlen;
    if (sasl_flags & SASL_SET_DISABLE) {
        pass = NULL;
        passlen = 0;
    } else if (pass == NULL || passlen == 0) {
        return SASL_BADPARAM;
    }
    pthread_mutex_lock(&sasl_lock);
    int r = sasl_setpass(s->conn, user, pass, passlen, NULL, 0, (unsigned)sasl_flags);
    pthread_mutex_unlock(&sasl_lock);
    return r;
}

int mc_sys_sasl_server_user_exists(mc_sys_sasl_server *s, const char *user) {
    if (s->conn == NULL) return SASL_NOTINIT;
    if (user == NULL || *user == 0) return SASL_NOUSER;
    pthread_mutex_lock(&sasl_lock);
    int r = sasl_user_exists(s->conn, NULL, s->user_realm, user);
    pthread_mutex_unlock(&sasl_lock);
    return r;
}

/* ---- client ------------------------------------------------------------------------------- */

struct mc_sys_sasl_client {
    sasl_conn_t *conn;
    char *authcid, *authzid;
    sasl_secret_t *secret;
    size_t secret_size;
    sasl_callback_t callbacks[6];
};

/* The client reads no options: an empty table keeps system configuration out. */
static int client_getopt(void *context, const char *plugin_name, const char *option, const char **result,
                         unsigned *len) {
    (void)context;
    (void)plugin_name;
    (void)option;
    (void)result;
    (void)len;
    return SASL_FAIL;
}

static int client_simple(void *context, int id, const char **result, unsigned *len) {
    const struct mc_sys_sasl_client *c = context;
    const char *value = id == SASL_CB_AUTHNAME ? c->authcid : id == SASL_CB_USER ? c->authzid : NULL;
    if (value == NULL) value = "";
    *result = value;
    if (len != NULL) *len = (unsigned)strlen(value);
    return SASL_OK;
}

static int client_password(sasl_conn_t *conn, void *context, int id, sasl_secret_t **psecret) {
    (void)conn;
    const struct mc_sys_sasl_client *c = context;
    if (id != SASL_CB_PASS || c->secret == NULL) return SASL_BADPARAM;
    *psecret = c->secret;
    return SASL_OK;
}

static void client_release(struct mc_sys_sasl_client *c) {
    free(c->authcid);
    free(c->authzid);
    if (c->secret != NULL) {
        memset(c->secret, 0, c->secret_size);
        free(c->secret);
    }
    free(c);
}

int mc_sys_sasl_client_new(const mc_sys_sasl_client_options *options, mc_sys_sasl_client **out) {
    *out = NULL;
    int r = mc_sys_sasl_init();
    if (r != SASL_OK) return r;
    if (options->service == NULL || options->authcid == NULL || options->passwordlen > UINT_MAX) return SASL_BADPARAM;
    struct mc_sys_sasl_client *c = calloc(1, sizeof *c);
    if (c == NULL) return SASL_NOMEM;
    int ok = 1;
    c->authcid = dup_optional(options->authcid, &ok);
    c->authzid = dup_optional(options->authzid != NULL && *options->authzid != 0 ? options->authzid : NULL, &ok);
    c->secret_size = sizeof(sasl_secret_t) + options->passwordlen + 1;
    c->secret = calloc(1, c->secret_size);
    if (!ok || c->secret == NULL) {
        client_release(c);
        return SASL_NOMEM;
    }
    c->secret->len = (unsigned long)options->passwordlen;
    if (options->passwordlen > 0) memcpy(c->secret->data, options->password, options->passwordlen);
    int n = 0;
    c->callbacks[n++] = (sasl_callback_t){SASL_CB_GETOPT, MC_SASL_PROC(client_getopt), c};
    c->callbacks[n++] = (sasl_callback_t){SASL_CB_LOG, MC_SASL_PROC(global_log), c};
    c->callbacks[n++] = (sasl_callback_t){SASL_CB_AUTHNAME, MC_SASL_PROC(client_simple), c};
    c->callbacks[n++] = (sasl_callback_t){SASL_CB_USER, MC_SASL_PROC(client_simple), c};
    c->callbacks[n++] = (sasl_callback_t){SASL_CB_PASS, MC_SASL_PROC(client_password), c};
    c->callbacks[n] = (sasl_callback_t){SASL_CB_LIST_END, NULL, NULL};

    pthread_mutex_lock(&sasl_lock);
    r = sasl_client_new(options->service, options->server_fqdn, NULL, NULL, c->callbacks, 0, &c->conn);
    if (r == SASL_OK) r = set_no_security_layer(c->conn);
    if (r != SASL_OK && c->conn != NULL) sasl_dispose(&c->conn);
    pthread_mutex_unlock(&sasl_lock);
    if (r != SASL_OK) {
        client_release(c);
        return r;
    }
    *out = c;
    return SASL_OK;
}

void mc_sys_sasl_client_free(mc_sys_sasl_client *c) {
    if (c == NULL) return;
    pthread_mutex_lock(&sasl_lock);
    if (c->conn != NULL) sasl_dispose(&c->conn);
    pthread_mutex_unlock(&sasl_lock);
    client_release(c);
}

int mc_sys_sasl_client_start(mc_sys_sasl_client *c, const char *mechlist, const char **mechanism,
                             const void **out, size_t *outlen, int *has_output) {
    *mechanism = NULL;
    *out = NULL;
    *outlen = 0;
    *has_output = 0;
    if (c->conn == NULL || mechlist == NULL) return SASL_BADPARAM;
    const char *clientout = NULL;
    unsigned clientoutlen = 0;
    const char *mech = NULL;
    sasl_interact_t *prompts = NULL;
    pthread_mutex_lock(&sasl_lock);
    int r = sasl_client_start(c->conn, mechlist, &prompts, &clientout, &clientoutlen, &mech);
    pthread_mutex_unlock(&sasl_lock);
    /* Every answer comes from callbacks; a prompt means a credential is missing. */
    if (r == SASL_INTERACT) return SASL_BADPARAM;
    *mechanism = mech;
    if (clientout != NULL) {
        *out = clientout;
        *outlen = clientoutlen;
        *has_output = 1;
    }
    return r;
}

int mc_sys_sasl_client_step(mc_sys_sasl_client *c, const void *input, size_t inputlen, const void **out,
                            size_t *outlen) {
    *out = NULL;
    *outlen = 0;
    if (c->conn == NULL) return SASL_BADPARAM;
    if (inputlen > UINT_MAX) return SASL_BADPARAM;
    const char *clientout = NULL;
    unsigned clientoutlen = 0;
    sasl_interact_t *prompts = NULL;
    pthread_mutex_lock(&sasl_lock);
    int r = sasl_client_step(c->conn, input != NULL ? input : "", (unsigned)inputlen, &prompts, &clientout,
                             &clientoutlen);
    pthread_mutex_unlock(&sasl_lock);
    if (r == SASL_INTERACT) return SASL_BADPARAM;
    if (clientout != NULL) {
        *out = clientout;
        *outlen = clientoutlen;
    }
    return r;
}

const char *mc_sys_sasl_client_errdetail(mc_sys_sasl_client *c) {
    if (c->conn == NULL) return "no connection";
    pthread_mutex_lock(&sasl_lock);
    const char *v = sasl_errdetail(c->conn);
    pthread_mutex_unlock(&sasl_lock);
    return v != NULL ? v : "";
}
