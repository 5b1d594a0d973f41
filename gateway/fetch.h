/*
 * gateway/fetch.h — content fetch for items with "fetch": true (API.md,
 * docs/api.md "Fetched content"): a web/fetch client of its own on the
 * daemon's loop, set up from [fetch]: http and https only, no proxy,
 * every connection judged by web/urlsafe against [fetch] allow_private,
 * redirects only as far as [fetch] max_redirects (each hop judged again),
 * a size and a time cap, and the item's declared media type.
 *
 * A transfer is named by the id gw_fetch_get gives and carries the
 * caller's (ref, idx); it ends in exactly one callback on the loop, or in
 * none once cancelled. gw_fetch owns its fetcher and its transfers and
 * borrows the loop; the configuration is copied.
 */
#ifndef GW_FETCH_H
#define GW_FETCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gateway/config.h"
#include "gateway/loop.h"
#include "pint/mbuf.h"
#include "web/fetch.h"

struct gw_fetch;

#define GW_FETCH_TEXT_SIZE 224u         /* a result's text, NUL included */

/* Why a fetch ended; the names (gw_fetch_why_name) are the outcome
 * reasons of a request that failed with content_fetch_failed. */
enum gw_fetch_why {
	GW_FETCH_OK = 0,
	GW_FETCH_TOO_LARGE,     /* the body passed the size cap */
	GW_FETCH_TIMEOUT,       /* connect, whole transfer or low speed */
	GW_FETCH_REFUSED,       /* an address or scheme the policy refuses */
	GW_FETCH_WRONG_TYPE,    /* a 2xx of another Content-Type */
	GW_FETCH_HTTP_STATUS,   /* an answer that is not 2xx or 3xx */
	GW_FETCH_REDIRECT,      /* a 3xx not followed, or too many */
	GW_FETCH_EMPTY,         /* a 2xx without a body */
	GW_FETCH_BAD_URL,       /* refused before any connection */
	GW_FETCH_NETWORK,       /* name, connection, TLS, a broken answer */
	GW_FETCH_INTERNAL,      /* out of memory, the fetcher failed */
	GW_FETCH_WHY_COUNT
};

/*
 * How a transfer ended. body (why OK only, len > 0) is NUL-terminated
 * after len; the callback may take it (set res->body to NULL, free() it
 * later). text says what happened, in a few words; both are borrowed for
 * the call.
 */
struct gw_fetch_result {
	enum gw_fetch_why why;
	char *body;
	size_t len;
	unsigned status;                /* the last HTTP status, 0: none */
	uint32_t total_ms;
	const char *text;
};

typedef void (gw_fetch_h)(uint64_t ref, unsigned idx,
			  struct gw_fetch_result *res, void *arg);

/* Counters since start (for /metrics). */
struct gw_fetch_stats {
	uint64_t started;
	uint64_t ended[GW_FETCH_WHY_COUNT];     /* by why, OK included */
	uint64_t bytes;                 /* bodies fetched (why OK) */
	uint32_t running;
};

/* Lifetime: the fetcher's fd and deadlines are hooked into loop here.
 * 0, EINVAL, ENOMEM, ENOTSUP (libcurl without its threaded resolver);
 * msg says which. */
int gw_fetch_alloc(struct gw_fetch **fp, struct gw_loop *loop,
		   const struct gw_conf_fetch *conf, char *msg,
		   size_t msgsize);
void gw_fetch_free(struct gw_fetch *f);

/* Transfers */
int gw_fetch_get(struct gw_fetch *f, const char *url, const char *type,
		 size_t max_bytes, uint64_t ref, unsigned idx, gw_fetch_h *h,
		 void *arg, uint64_t *idp);
int gw_fetch_cancel(struct gw_fetch *f, uint64_t id);
enum gw_fetch_why gw_fetch_start_error(const struct gw_fetch *f,
				       const char *url, int err, char *text,
				       size_t size);

/* Observability */
void gw_fetch_stats(const struct gw_fetch *f, struct gw_fetch_stats *st);
int gw_fetch_metrics(const struct gw_fetch *f, struct pint_mbuf *mb);

/* Pure parts (tests) */
void gw_fetch_conf(const struct gw_conf_fetch *c, struct web_fetch_conf *out);
enum gw_fetch_why gw_fetch_judge(int err, const struct web_fetch_res *res,
				 unsigned max_redirects, char *text,
				 size_t size);
const char *gw_fetch_why_name(enum gw_fetch_why why);
int gw_fetch_media_type(const char *type, char *out, size_t size);

#endif
