/*
 * web/fetch.h — outbound HTTP(S) for webhooks and content fetch: libcurl's
 * multi interface on the daemon's loop, every connection checked against
 * web/urlsafe.h first. struct web_fetch owns its transfers, which are
 * named by uint64_t id; each ends in exactly one callback from
 * web_fetch_run() unless cancelled or freed first. Bodies, headers, URLs
 * and the config are copied; a response body may be taken by the callback.
 */
#ifndef WEB_FETCH_H
#define WEB_FETCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "web/urlsafe.h"

struct web_fetch;

/* Defaults filled in by web_fetch_conf_init(). */
#define WEB_FETCH_CONNECT_MS    5000u
#define WEB_FETCH_TIMEOUT_MS    10000u          /* whole transfer */
#define WEB_FETCH_LOW_SPEED     64u             /* bytes/s, under it ... */
#define WEB_FETCH_LOW_SPEED_S   10u             /* ... this long: abort */
#define WEB_FETCH_MAX_BYTES     (64u * 1024u)   /* response body */
#define WEB_FETCH_MAX_CONNS     64u
#define WEB_FETCH_HOST_CONNS    8u

/* Hard limits. */
#define WEB_FETCH_REDIRS_MAX    10u             /* max_redirects */
#define WEB_FETCH_BYTES_MAX     (64u * 1024u * 1024u)  /* any body */
#define WEB_FETCH_HEADERS_MAX   32u             /* POST header lines */
#define WEB_FETCH_HEADER_LEN    1024u           /* bytes of one line */
#define WEB_FETCH_RESOLVE_MAX   16u             /* conf->resolve pins */
#define WEB_FETCH_TYPE_LEN      127u            /* accept_type bytes */
#define WEB_FETCH_ERROR_SIZE    192u            /* res->error, NUL in */

struct web_fetch_conf {
	uint32_t connect_timeout_ms;    /* > 0 */
	uint32_t timeout_ms;            /* > 0: the whole transfer */
	uint32_t low_speed_bytes;       /* 0 = no low-speed abort */
	uint32_t low_speed_s;
	size_t max_bytes;               /* response body cap, > 0 */
	unsigned max_redirects;         /* 0 = 3xx is returned, not followed */
	unsigned max_conns;             /* 0 = unlimited */
	unsigned max_host_conns;        /* 0 = unlimited */
	const struct web_urlsafe_allow *allow;  /* NULL = nothing extra */
	const char *user_agent;         /* NULL = no User-Agent */
	/* "host:port:address" pins (curl's --resolve), NULL-terminated:
	 * tests and split-horizon setups; the address is still judged. */
	const char *const *resolve;
};

/*
 * A finished exchange. status is the last HTTP status (0: none); body is
 * NUL-terminated, given only when err is 0 (else NULL, len 0), and the
 * callback may take it by setting res->body to NULL, then free() it. The
 * rest is borrowed for the call.
 */
struct web_fetch_res {
	unsigned status;
	char *body;
	size_t len;
	const char *ctype;              /* Content-Type; NULL = none */
	const char *addr;               /* IP connected to; "" = none */
	unsigned redirects;             /* followed */
	uint32_t total_ms;
	const char *error;              /* short text; "" when err is 0 */
};

/*
 * err 0: an HTTP response arrived (any status: a 500 or an unfollowed
 * 302 is data). Else EACCES (every address refused by policy, or a
 * redirect to another scheme), ETIMEDOUT (connect, total or low-speed
 * timeout), EMSGSIZE (body over the cap), ENOTSUP (a 2xx GET of another
 * Content-Type than asked), ECONNREFUSED, EHOSTUNREACH (name did not
 * resolve), ECONNRESET (closed early or mid-body), ELOOP (too many
 * redirects), EPROTO (TLS or a broken reply), ENOMEM, EIO.
 */
typedef void (web_fetch_h)(uint64_t id, int err, struct web_fetch_res *res,
			   void *arg);

struct web_fetch_stats {
	uint64_t started;
	uint64_t ok;                    /* err 0, any status */
	uint64_t failed;                /* any other err */
	uint64_t refused;               /* EACCES, before or at connect */
	uint64_t timeouts;
	uint64_t too_large;
	uint32_t running;
};

/*
 * Process-wide libcurl set-up: once in main() before any thread, and the
 * cleanup at exit. Name resolution must be curl's threaded resolver
 * (web_fetch_alloc() refuses a build without it with ENOTSUP): a slow
 * DNS server must not block the loop.
 */
int web_fetch_global_init(void);
void web_fetch_global_cleanup(void);

/*
 * Life cycle and the loop's hooks, as web/http.h: watch web_fetch_fd()
 * for EPOLLIN, sleep at most web_fetch_timeout_ms() and call
 * web_fetch_run() every turn. Completion callbacks run inside
 * web_fetch_run(); they may start and cancel transfers, not run or free f.
 */
void web_fetch_conf_init(struct web_fetch_conf *conf);
int web_fetch_alloc(struct web_fetch **fp, const struct web_fetch_conf *conf);
void web_fetch_free(struct web_fetch *f);
int web_fetch_fd(const struct web_fetch *f);
int web_fetch_run(struct web_fetch *f);
int64_t web_fetch_timeout_ms(const struct web_fetch *f);
void web_fetch_stats_get(const struct web_fetch *f,
			 struct web_fetch_stats *st);

/* Transfers. */
int web_fetch_post(struct web_fetch *f, const char *url,
		   const char *const *headers, const void *body, size_t len,
		   web_fetch_h *h, void *arg, uint64_t *idp);
int web_fetch_get(struct web_fetch *f, const char *url, size_t max_bytes,
		  const char *accept_type, web_fetch_h *h, void *arg,
		  uint64_t *idp);
int web_fetch_cancel(struct web_fetch *f, uint64_t id);
bool web_fetch_type_match(const char *ctype, const char *want);

#endif
