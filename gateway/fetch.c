/*
 * gateway/fetch.c — content fetch on the loop: web/fetch (libcurl multi,
 * every connect checked by web/urlsafe) set up from [fetch], the loop's
 * hooks for it (as gateway/hooks.c does for webhooks), and the judgement
 * of each result: a body the request can send, or why not.
 *
 * A transfer's context (struct job) holds the caller's (ref, idx); the
 * callback gets those, never a pointer into the request table, so a
 * request that is gone by then is simply not found (STYLE.md rule 8).
 * Jobs are few (a handful per request being fetched), so cancel walks
 * the list.
 */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>

#include "gateway/fetch.h"
#include "gateway/log.h"

#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "dev"
#endif

struct job {
	struct job *prev, *next;
	struct gw_fetch *f;
	uint64_t id;                    /* web/fetch's */
	uint64_t ref;
	unsigned idx;
	gw_fetch_h *h;
	void *arg;
};

struct gw_fetch {
	struct gw_loop *loop;
	struct web_fetch *wf;
	struct web_urlsafe_allow allow;
	unsigned max_redirects;
	struct job *jobs;
	struct gw_fd fd;
	struct gw_prepare prep;
	struct gw_check check;
	bool hooked;
	struct gw_fetch_stats st;
};

static const char *const why_names[GW_FETCH_WHY_COUNT] = {
	[GW_FETCH_OK] = "ok",
	[GW_FETCH_TOO_LARGE] = "too_large",
	[GW_FETCH_TIMEOUT] = "timeout",
	[GW_FETCH_REFUSED] = "refused_address",
	[GW_FETCH_WRONG_TYPE] = "wrong_type",
	[GW_FETCH_HTTP_STATUS] = "http_status",
	[GW_FETCH_REDIRECT] = "redirect",
	[GW_FETCH_EMPTY] = "empty",
	[GW_FETCH_BAD_URL] = "bad_url",
	[GW_FETCH_NETWORK] = "network",
	[GW_FETCH_INTERNAL] = "internal",
};

/* ---- pure parts ---- */

/* The stable name of why (docs/api.md); "?" outside the enum. */
const char *gw_fetch_why_name(enum gw_fetch_why why)
{
	if ((unsigned)why >= GW_FETCH_WHY_COUNT)
		return "?";
	return why_names[why];
}

/*
 * The web/fetch settings of a [fetch] section. The allow-list is not
 * set (out->allow NULL): it must outlive the fetcher, its owner sets it.
 */
void gw_fetch_conf(const struct gw_conf_fetch *c, struct web_fetch_conf *out)
{
	web_fetch_conf_init(out);
	out->timeout_ms = c->timeout * 1000u;
	if (out->connect_timeout_ms > out->timeout_ms)
		out->connect_timeout_ms = out->timeout_ms;
	out->max_bytes = c->max_bytes;
	out->max_redirects = c->max_redirects;
	out->max_conns = c->max_inflight;
	out->user_agent = "pintgw/" PACKAGE_VERSION;
}

/*
 * The media type of a content item's type ("type/subtype", parameters
 * and blanks dropped, lower case) into out, for the Accept header and
 * the Content-Type check. 0, EINVAL (no type/subtype), EMSGSIZE.
 */
int gw_fetch_media_type(const char *type, char *out, size_t size)
{
	size_t n, i;

	if (!type || !out || !size)
		return EINVAL;
	while (*type == ' ' || *type == '\t')
		type++;
	n = strcspn(type, "; \t");
	if (!n || !memchr(type, '/', n) || type[0] == '/' || type[n - 1] == '/')
		return EINVAL;
	if (n >= size || n > WEB_FETCH_TYPE_LEN)
		return EMSGSIZE;
	for (i = 0; i < n; i++) {
		char c = type[i];

		if ((unsigned char)c <= 0x20 || (unsigned char)c >= 0x7f ||
		    c == ',' || c == '"')
			return EINVAL;
		out[i] = c >= 'A' && c <= 'Z' ? (char)(c + 32) : c;
	}
	out[n] = '\0';
	return 0;
}

/*
 * What a transfer's end means for the request: GW_FETCH_OK only for a
 * 2xx with a body. res NULL: web_fetch_get refused to start (err is its
 * errno). text gets a short sentence for the request's event.
 */
enum gw_fetch_why gw_fetch_judge(int err, const struct web_fetch_res *res,
				 unsigned max_redirects, char *text,
				 size_t size)
{
	const char *e = res && res->error && res->error[0] ? res->error : NULL;
	unsigned st = res ? res->status : 0;

	if (!res) {
		switch (err) {
		case EACCES:
			snprintf(text, size, "the url's address is refused by "
				 "policy");
			return GW_FETCH_REFUSED;
		case ENOMEM:
			snprintf(text, size, "out of memory");
			return GW_FETCH_INTERNAL;
		default:
			snprintf(text, size, "the url cannot be fetched (%s)",
				 strerror(err));
			return GW_FETCH_BAD_URL;
		}
	}
	switch (err) {
	case 0:
		break;
	case EMSGSIZE:
		snprintf(text, size, "%s", e ? e : "the body is too large");
		return GW_FETCH_TOO_LARGE;
	case ETIMEDOUT:
		snprintf(text, size, "%.*s", 200, e ? e : "timed out");
		return GW_FETCH_TIMEOUT;
	case EACCES:
		snprintf(text, size, "%s", e ? e : "address refused");
		return GW_FETCH_REFUSED;
	case ENOTSUP:
		snprintf(text, size, "%s", e ? e : "wrong content type");
		return GW_FETCH_WRONG_TYPE;
	case ELOOP:
		snprintf(text, size, "more than %u redirects", max_redirects);
		return GW_FETCH_REDIRECT;
	case ENOMEM:
		snprintf(text, size, "out of memory");
		return GW_FETCH_INTERNAL;
	default:
		snprintf(text, size, "%.*s", 200, e ? e : strerror(err));
		return GW_FETCH_NETWORK;
	}
	if (st >= 300 && st <= 399) {
		snprintf(text, size, "HTTP %u: a redirect, not followed "
			 "([fetch] max_redirects is %u)", st, max_redirects);
		return GW_FETCH_REDIRECT;
	}
	if (st < 200 || st > 299) {
		snprintf(text, size, "HTTP %u from the content server", st);
		return GW_FETCH_HTTP_STATUS;
	}
	if (!res->body || !res->len) {
		snprintf(text, size, "HTTP %u with an empty body", st);
		return GW_FETCH_EMPTY;
	}
	snprintf(text, size, "%zu bytes", res->len);
	return GW_FETCH_OK;
}

/* ---- transfers ---- */

static void job_unlink(struct gw_fetch *f, struct job *j)
{
	if (j->prev)
		j->prev->next = j->next;
	else
		f->jobs = j->next;
	if (j->next)
		j->next->prev = j->prev;
	j->prev = j->next = NULL;
}

/* web_fetch_h: the end of one transfer. */
static void on_done(uint64_t id, int err, struct web_fetch_res *wres,
		    void *arg)
{
	struct job *j = arg;
	struct gw_fetch *f = j->f;
	char text[GW_FETCH_TEXT_SIZE];
	struct gw_fetch_result res;

	(void)id;
	job_unlink(f, j);
	memset(&res, 0, sizeof(res));
	res.why = gw_fetch_judge(err, wres, f->max_redirects, text,
				 sizeof(text));
	res.status = wres->status;
	res.total_ms = wres->total_ms;
	res.text = text;
	if (res.why == GW_FETCH_OK) {
		res.body = wres->body;
		res.len = wres->len;
		f->st.bytes += res.len;
	}
	f->st.ended[res.why]++;
	if (j->h)
		j->h(j->ref, j->idx, &res, j->arg);
	/* untaken, the body stays web/fetch's, which frees it */
	if (res.why == GW_FETCH_OK && !res.body)
		wres->body = NULL;
	free(j);
}

/*
 * GET url for (ref, idx), keeping at most max_bytes of body, the answer
 * to be of media type type (an item's "type"). 0 and *idp: h runs once
 * from the loop, unless gw_fetch_cancel(*idp) comes first. Else nothing
 * started: EINVAL, ENOMEM, or web_fetch_get's EBADMSG/EMSGSIZE (a URL it
 * cannot take) and EACCES (an address the policy refuses): give that
 * errno to gw_fetch_judge with res NULL for the text.
 */
int gw_fetch_get(struct gw_fetch *f, const char *url, const char *type,
		 size_t max_bytes, uint64_t ref, unsigned idx, gw_fetch_h *h,
		 void *arg, uint64_t *idp)
{
	char media[WEB_FETCH_TYPE_LEN + 1];
	struct job *j;
	int err;

	if (!f || !url || !type || !h || !idp || !max_bytes ||
	    max_bytes > WEB_FETCH_BYTES_MAX)
		return EINVAL;
	err = gw_fetch_media_type(type, media, sizeof(media));
	if (err)
		return EINVAL;
	j = calloc(1, sizeof(*j));
	if (!j)
		return ENOMEM;
	j->f = f;
	j->ref = ref;
	j->idx = idx;
	j->h = h;
	j->arg = arg;
	err = web_fetch_get(f->wf, url, max_bytes, media, on_done, j, &j->id);
	if (err) {
		free(j);
		return err;
	}
	j->next = f->jobs;
	if (f->jobs)
		f->jobs->prev = j;
	f->jobs = j;
	f->st.started++;
	*idp = j->id;
	return 0;
}

/*
 * Why gw_fetch_get(url) refused to start with err, as gw_fetch_judge
 * says it, the refused address or the URL's fault named in text.
 */
enum gw_fetch_why gw_fetch_start_error(const struct gw_fetch *f,
				       const char *url, int err, char *text,
				       size_t size)
{
	enum web_urlsafe_class cls = WEB_URLSAFE_PUBLIC;
	struct web_urlsafe_url u;
	const char *why = NULL;

	if (err != EACCES && err != EBADMSG && err != EMSGSIZE)
		return gw_fetch_judge(err, NULL, 0, text, size);
	if (web_urlsafe_parse(&u, url, strlen(url), &why)) {
		snprintf(text, size, "the url cannot be fetched: %s",
			 why ? why : "not a plain http(s) URL");
		return GW_FETCH_BAD_URL;
	}
	if (f && web_urlsafe_check(&u, &f->allow, &cls) == EACCES) {
		snprintf(text, size, "address refused: %.64s (%s)", u.host,
			 web_urlsafe_class_name(cls));
		return GW_FETCH_REFUSED;
	}
	return gw_fetch_judge(err, NULL, 0, text, size);
}

/* Stop transfer id; its callback will not run. 0 or ENOENT (unknown,
 * ended, or the one whose callback is running). */
int gw_fetch_cancel(struct gw_fetch *f, uint64_t id)
{
	struct job *j;

	for (j = f ? f->jobs : NULL; j; j = j->next) {
		if (j->id != id)
			continue;
		job_unlink(f, j);
		web_fetch_cancel(f->wf, id);
		free(j);
		return 0;
	}
	return ENOENT;
}

/* ---- observability ---- */

void gw_fetch_stats(const struct gw_fetch *f, struct gw_fetch_stats *st)
{
	const struct job *j;

	*st = f->st;
	st->running = 0;
	for (j = f->jobs; j; j = j->next)
		st->running++;
}

/* Append the pintgw_fetch_* families: 0, ENOMEM or EMSGSIZE. */
int gw_fetch_metrics(const struct gw_fetch *f, struct pint_mbuf *mb)
{
	struct gw_fetch_stats st;
	unsigned i;
	int err;

	gw_fetch_stats(f, &st);
	err = pint_mbuf_printf(mb,
		"# HELP pintgw_fetch_started_total Content fetches started.\n"
		"# TYPE pintgw_fetch_started_total counter\n"
		"pintgw_fetch_started_total %llu\n"
		"# HELP pintgw_fetch_ended_total Content fetches ended, by "
		"result.\n"
		"# TYPE pintgw_fetch_ended_total counter\n",
		(unsigned long long)st.started);
	for (i = 0; i < GW_FETCH_WHY_COUNT && !err; i++)
		err = pint_mbuf_printf(mb, "pintgw_fetch_ended_total"
				       "{result=\"%s\"} %llu\n",
				       why_names[i],
				       (unsigned long long)st.ended[i]);
	if (!err)
		err = pint_mbuf_printf(mb,
			"# HELP pintgw_fetch_bytes_total Bytes of fetched "
			"content kept for sending.\n"
			"# TYPE pintgw_fetch_bytes_total counter\n"
			"pintgw_fetch_bytes_total %llu\n"
			"# HELP pintgw_fetch_running Content fetches in "
			"flight.\n"
			"# TYPE pintgw_fetch_running gauge\n"
			"pintgw_fetch_running %u\n",
			(unsigned long long)st.bytes, (unsigned)st.running);
	return err;
}

/* ---- the loop ---- */

static void fd_h(int fd, uint32_t events, void *arg)
{
	(void)fd;
	(void)events;
	(void)arg;              /* the check hook does the work */
}

static int prepare_h(void *arg)
{
	struct gw_fetch *f = arg;
	int64_t ms = web_fetch_timeout_ms(f->wf);

	return ms > INT_MAX ? INT_MAX : (int)ms;
}

static void check_h(void *arg)
{
	struct gw_fetch *f = arg;

	if (web_fetch_run(f->wf))
		log_debug("fetch: run failed");
}

/* ---- life cycle ---- */

/* See fetch.h. */
int gw_fetch_alloc(struct gw_fetch **fp, struct gw_loop *loop,
		   const struct gw_conf_fetch *conf, char *msg,
		   size_t msgsize)
{
	struct web_fetch_conf fc;
	struct gw_fetch *f;
	int err;

	if (!fp || !loop || !conf)
		return EINVAL;
	*fp = NULL;
	f = calloc(1, sizeof(*f));
	if (!f)
		return ENOMEM;
	f->loop = loop;
	f->allow = conf->allow_private;
	f->max_redirects = conf->max_redirects;
	gw_fetch_conf(conf, &fc);
	fc.allow = &f->allow;
	err = web_fetch_alloc(&f->wf, &fc);
	if (!err)
		err = gw_fd_watch(loop, &f->fd, web_fetch_fd(f->wf), EPOLLIN,
				  fd_h, f);
	if (err) {
		if (msg && msgsize)
			snprintf(msg, msgsize, "fetch: %s%s", strerror(err),
				 err == ENOTSUP ? " (libcurl lacks its "
				 "threaded resolver)" : "");
		gw_fetch_free(f);
		return err;
	}
	gw_loop_add_prepare(loop, &f->prep, prepare_h, f);
	gw_loop_add_check(loop, &f->check, check_h, f);
	f->hooked = true;
	*fp = f;
	return 0;
}

/* Drop every transfer (no callbacks) and the fetcher. NULL-safe. */
void gw_fetch_free(struct gw_fetch *f)
{
	struct job *j, *next;

	if (!f)
		return;
	if (f->hooked) {
		gw_fd_unwatch(f->loop, &f->fd);
		gw_loop_del_prepare(f->loop, &f->prep);
		gw_loop_del_check(f->loop, &f->check);
	}
	web_fetch_free(f->wf);
	for (j = f->jobs; j; j = next) {
		next = j->next;
		free(j);
	}
	free(f);
}
