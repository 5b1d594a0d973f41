/*
 * web/webhook_queue.c — the per-request ordered webhook delivery queue.
 *
 * Ordering: a request's deliveries wait in a list sorted by seq and only
 * its head may be in flight or scheduled, so seq n+1 is not POSTed before
 * seq n was delivered or finally failed. Requests whose head waits sit in
 * a min-heap by next_at (ties in push order); run() starts the due ones
 * up to max_inflight. Every attempt is re-signed with the time it is
 * sent, so a receiver's clock tolerance holds for late retries too.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "web/webhook.h"

#define TAB_INIT 64u

static bool ua_ok(const char *s)
{
	size_t i;

	for (i = 0; s[i]; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f ||
		    i == WEB_WEBHOOK_UA_MAX)
			return false;
	return i > 0;
}

struct dlv {
	struct dlv *next;
	uint64_t seq;
	unsigned attempt;
	int64_t next_at;
	char *url;
	unsigned char *secret;
	size_t secret_len;
	char *body;
	size_t len;
};

struct hreq {
	struct web_webhook *wh;
	struct hreq *hnext;             /* id table chain */
	char id[WEB_WEBHOOK_ID_MAX + 1];
	struct dlv *head;               /* sorted by seq */
	struct dlv *cur;                /* in flight, NULL = none */
	uint64_t xfer;                  /* its transfer id */
	size_t hidx;                    /* heap index + 1; 0 = not waiting */
	uint64_t order;                 /* heap tie-break */
};

struct web_webhook {
	struct web_webhook_conf conf;
	char ua[WEB_WEBHOOK_UA_MAX + 1];
	web_webhook_h *h;
	void *arg;
	struct hreq **tab;
	size_t tab_size, tab_n;
	struct hreq **heap;             /* capacity >= tab_n, always */
	size_t heap_n, heap_cap;
	uint64_t order;
	struct web_webhook_stats st;
};

static int64_t real_clock(void *arg)
{
	struct timespec ts;

	(void)arg;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static uint64_t ossl_rand(void *arg)
{
	uint64_t v = 0;

	(void)arg;
	if (RAND_bytes((unsigned char *)&v, sizeof(v)) != 1)
		v = (uint64_t)real_clock(NULL) * 0x9e3779b97f4a7c15ull;
	return v;
}

static int fetch_send(const char *url, const char *const *hdrs,
		      const char *body, size_t len, web_fetch_h *done,
		      void *done_arg, uint64_t *idp, void *arg)
{
	return web_fetch_post(arg, url, hdrs, body, len, done, done_arg, idp);
}

static int fetch_cancel(uint64_t id, void *arg)
{
	return web_fetch_cancel(arg, id);
}

static int64_t now_ms(const struct web_webhook *wh)
{
	return wh->conf.clock(wh->conf.seam_arg);
}

/* id table */

static size_t tab_slot(const struct web_webhook *wh, const char *id)
{
	uint64_t x = 0xcbf29ce484222325ull;     /* FNV-1a */

	for (; *id; id++)
		x = (x ^ (unsigned char)*id) * 0x100000001b3ull;
	return (size_t)x & (wh->tab_size - 1);
}

static struct hreq *tab_find(const struct web_webhook *wh, const char *id)
{
	struct hreq *r;

	for (r = wh->tab[tab_slot(wh, id)]; r; r = r->hnext)
		if (!strcmp(r->id, id))
			return r;
	return NULL;
}

static void tab_grow(struct web_webhook *wh)
{
	struct hreq **nt, *r, *next, **old = wh->tab;
	size_t i, n = wh->tab_size;

	nt = calloc(n * 2, sizeof(*nt));
	if (!nt)
		return;         /* longer chains, still correct */
	wh->tab = nt;
	wh->tab_size = n * 2;
	for (i = 0; i < n; i++) {
		for (r = old[i]; r; r = next) {
			size_t s = tab_slot(wh, r->id);

			next = r->hnext;
			r->hnext = nt[s];
			nt[s] = r;
		}
	}
	free(old);
}

static void tab_del(struct web_webhook *wh, struct hreq *r)
{
	struct hreq **pp = &wh->tab[tab_slot(wh, r->id)];

	for (; *pp; pp = &(*pp)->hnext) {
		if (*pp == r) {
			*pp = r->hnext;
			wh->tab_n--;
			return;
		}
	}
}

/* heap of waiting requests, by their head's next_at */

static bool heap_less(const struct hreq *a, const struct hreq *b)
{
	if (a->head->next_at != b->head->next_at)
		return a->head->next_at < b->head->next_at;
	return a->order < b->order;
}

static void heap_set(struct web_webhook *wh, size_t i, struct hreq *r)
{
	wh->heap[i] = r;
	r->hidx = i + 1;
}

static void heap_up(struct web_webhook *wh, size_t i)
{
	struct hreq *r = wh->heap[i];

	while (i > 0 && heap_less(r, wh->heap[(i - 1) / 2])) {
		heap_set(wh, i, wh->heap[(i - 1) / 2]);
		i = (i - 1) / 2;
	}
	heap_set(wh, i, r);
}

static void heap_down(struct web_webhook *wh, size_t i)
{
	struct hreq *r = wh->heap[i];

	for (;;) {
		size_t c = 2 * i + 1;

		if (c >= wh->heap_n)
			break;
		if (c + 1 < wh->heap_n && heap_less(wh->heap[c + 1],
						    wh->heap[c]))
			c++;
		if (!heap_less(wh->heap[c], r))
			break;
		heap_set(wh, i, wh->heap[c]);
		i = c;
	}
	heap_set(wh, i, r);
}

/* Never fails: the capacity is reserved when a request is created. */
static void heap_add(struct web_webhook *wh, struct hreq *r)
{
	r->order = wh->order++;
	heap_set(wh, wh->heap_n++, r);
	heap_up(wh, wh->heap_n - 1);
}

static void heap_del(struct web_webhook *wh, struct hreq *r)
{
	size_t i = r->hidx - 1;
	struct hreq *last;

	if (!r->hidx)
		return;
	r->hidx = 0;
	last = wh->heap[--wh->heap_n];
	if (last == r)
		return;
	heap_set(wh, i, last);
	heap_up(wh, i);
	heap_down(wh, last->hidx - 1);
}

static void dlv_free(struct dlv *d)
{
	if (!d)
		return;
	if (d->secret)
		OPENSSL_cleanse(d->secret, d->secret_len);
	free(d->secret);
	free(d->url);
	free(d->body);
	free(d);
}

static void dlv_unlink(struct hreq *r, struct dlv *d)
{
	struct dlv **pp;

	for (pp = &r->head; *pp; pp = &(*pp)->next) {
		if (*pp == d) {
			*pp = d->next;
			return;
		}
	}
}

/* Forget r: cancel its POST, free its deliveries. */
static void hreq_free(struct web_webhook *wh, struct hreq *r)
{
	struct dlv *d, *next;

	if (r->cur) {
		wh->conf.cancel(r->xfer, wh->conf.send_arg);
		wh->st.inflight--;
	}
	heap_del(wh, r);
	tab_del(wh, r);
	for (d = r->head; d; d = next) {
		next = d->next;
		dlv_free(d);
		wh->st.queued--;
	}
	wh->st.requests--;
	free(r);
}

/* Defaults for every field; fetch (or send) must still be set. */
void web_webhook_conf_init(struct web_webhook_conf *conf)
{
	memset(conf, 0, sizeof(*conf));
	conf->attempts = WEB_WEBHOOK_ATTEMPTS;
	conf->base_ms = WEB_WEBHOOK_BASE_MS;
	conf->max_delay_ms = WEB_WEBHOOK_MAX_DELAY_MS;
	conf->max_inflight = WEB_WEBHOOK_INFLIGHT;
}

/*
 * A queue reporting every attempt's end to h. 0, EINVAL (a bad conf: no
 * fetch and no send, limits out of range) or ENOMEM.
 */
int web_webhook_alloc(struct web_webhook **whp,
		      const struct web_webhook_conf *conf, web_webhook_h *h,
		      void *arg)
{
	const struct web_webhook_conf *c = conf;
	struct web_webhook *wh;

	if (!whp || !c || !h)
		return EINVAL;
	*whp = NULL;
	if (!c->attempts || c->attempts > WEB_WEBHOOK_ATTEMPTS_MAX ||
	    !c->base_ms || c->max_delay_ms < c->base_ms || !c->max_inflight ||
	    (!c->send && !c->fetch) || (c->send && !c->cancel) ||
	    (c->user_agent && !ua_ok(c->user_agent)))
		return EINVAL;
	wh = calloc(1, sizeof(*wh));
	if (!wh)
		return ENOMEM;
	wh->conf = *c;
	if (!c->send) {
		wh->conf.send = fetch_send;
		wh->conf.cancel = fetch_cancel;
		wh->conf.send_arg = c->fetch;
	}
	if (!c->clock)
		wh->conf.clock = real_clock;
	if (!c->rand)
		wh->conf.rand = ossl_rand;
	snprintf(wh->ua, sizeof(wh->ua), "%s",
		 c->user_agent ? c->user_agent : WEB_WEBHOOK_UA);
	wh->conf.user_agent = NULL;
	wh->h = h;
	wh->arg = arg;
	wh->tab_size = TAB_INIT;
	wh->tab = calloc(wh->tab_size, sizeof(*wh->tab));
	if (!wh->tab) {
		free(wh);
		return ENOMEM;
	}
	*whp = wh;
	return 0;
}

/* Drop everything; POSTs in flight are cancelled, no results follow. */
void web_webhook_free(struct web_webhook *wh)
{
	size_t i;

	if (!wh)
		return;
	for (i = 0; i < wh->tab_size; i++)
		while (wh->tab[i])
			hreq_free(wh, wh->tab[i]);
	free(wh->tab);
	free(wh->heap);
	free(wh);
}

static int dup_mem(void *dstp, const void *src, size_t len)
{
	char *p = malloc(len + 1);

	if (!p)
		return ENOMEM;
	memcpy(p, src, len);
	p[len] = '\0';
	memcpy(dstp, &p, sizeof(p));
	return 0;
}

static int dlv_new(struct dlv **dp, const struct web_webhook_dlv *d)
{
	struct dlv *n = calloc(1, sizeof(*n));
	int err = ENOMEM;

	if (!n)
		return ENOMEM;
	n->seq = d->seq;
	n->attempt = d->attempt;
	n->next_at = d->next_at;
	n->secret_len = d->secret_len;
	n->len = d->len;
	if (dup_mem(&n->url, d->url, strlen(d->url)) ||
	    dup_mem(&n->secret, d->secret, d->secret_len) ||
	    dup_mem(&n->body, d->body, d->len))
		goto out;
	err = 0;
out:
	if (err) {
		dlv_free(n);
		n = NULL;
	}
	*dp = n;
	return err;
}

static int hreq_get(struct web_webhook *wh, const char *id,
		    struct hreq **rp)
{
	struct hreq *r = tab_find(wh, id);

	if (!r) {
		if (wh->heap_cap < wh->tab_n + 1) {
			size_t cap = wh->heap_cap ? wh->heap_cap * 2 : TAB_INIT;
			struct hreq **nh = realloc(wh->heap,
						   cap * sizeof(*nh));

			if (!nh)
				return ENOMEM;
			wh->heap = nh;
			wh->heap_cap = cap;
		}
		r = calloc(1, sizeof(*r));
		if (!r)
			return ENOMEM;
		r->wh = wh;
		snprintf(r->id, sizeof(r->id), "%s", id);
		if (wh->tab_n >= wh->tab_size)
			tab_grow(wh);
		r->hnext = wh->tab[tab_slot(wh, id)];
		wh->tab[tab_slot(wh, id)] = r;
		wh->tab_n++;
		wh->st.requests++;
	}
	*rp = r;
	return 0;
}

/*
 * Hold a pending delivery (copied) until it ends. Push a request's
 * deliveries in seq order as their events commit, and on start-up every
 * pending row of the store; each gets at least one more attempt. 0,
 * EALREADY (this request id and seq are held: a refill is harmless),
 * EINVAL (bad id, secret, body or URL syntax), ENOMEM.
 */
int web_webhook_push(struct web_webhook *wh, const struct web_webhook_dlv *d)
{
	char ev[WEB_WEBHOOK_EVENT_ID_SIZE];
	struct web_urlsafe_url u;
	struct dlv *n, **pp;
	struct hreq *r;
	bool fresh;
	int err;

	if (!wh || !d || !d->url || !d->secret ||
	    !d->secret_len || d->secret_len > WEB_WEBHOOK_SECRET_MAX ||
	    !d->body || !d->len || d->len > WEB_WEBHOOK_BODY_MAX ||
	    web_urlsafe_parse(&u, d->url, strlen(d->url), NULL) ||
	    web_webhook_event_id(ev, sizeof(ev), d->request_id, d->seq))
		return EINVAL;
	r = tab_find(wh, d->request_id);
	for (n = r ? r->head : NULL; n; n = n->next)
		if (n->seq == d->seq)
			return EALREADY;
	fresh = !r;
	err = hreq_get(wh, d->request_id, &r);
	if (err)
		return err;
	err = dlv_new(&n, d);
	if (err) {
		if (fresh)
			hreq_free(wh, r);
		return err;
	}
	for (pp = &r->head; *pp && (*pp)->seq < n->seq; pp = &(*pp)->next)
		;
	n->next = *pp;
	*pp = n;
	wh->st.queued++;
	if (r->head == n && !r->cur) {
		/* a new head: (re)place the request in the heap */
		heap_del(wh, r);
		heap_add(wh, r);
	}
	return 0;
}

/* Forget a request's deliveries (cancelling its POST). 0 or ENOENT. */
int web_webhook_drop(struct web_webhook *wh, const char *request_id)
{
	struct hreq *r;

	if (!wh || !request_id)
		return ENOENT;
	r = tab_find(wh, request_id);
	if (!r)
		return ENOENT;
	hreq_free(wh, r);
	return 0;
}

static bool permanent(int err)
{
	/* the URL or the secret will not change between attempts */
	return err == EACCES || err == EBADMSG || err == EMSGSIZE ||
	       err == EINVAL;
}

/*
 * An attempt of r's delivery d ended. The queue is updated before the
 * handler runs, so the handler may push or drop anything.
 */
static void attempt_end(struct web_webhook *wh, struct hreq *r,
			struct dlv *d, int err, unsigned status,
			const char *text, bool sync)
{
	char id[WEB_WEBHOOK_ID_MAX + 1];
	struct web_webhook_result res;

	memcpy(id, r->id, sizeof(id));
	memset(&res, 0, sizeof(res));
	res.request_id = id;
	res.seq = d->seq;
	res.attempt = ++d->attempt;
	res.err = err;
	res.status = status;
	res.error = text ? text : "";
	if (!err && status >= 200 && status <= 299) {
		res.state = WEB_WEBHOOK_DELIVERED;
		wh->st.delivered++;
	} else if ((sync && permanent(err)) ||
		   d->attempt >= wh->conf.attempts) {
		res.state = WEB_WEBHOOK_FAILED;
		wh->st.failed++;
	} else {
		res.state = WEB_WEBHOOK_RETRY;
		d->next_at = now_ms(wh) +
			(int64_t)web_webhook_delay_ms(&wh->conf, d->attempt,
				wh->conf.rand(wh->conf.seam_arg));
		res.next_at = d->next_at;
		wh->st.retried++;
	}
	if (res.state != WEB_WEBHOOK_RETRY) {
		dlv_unlink(r, d);
		dlv_free(d);
		wh->st.queued--;
	}
	if (r->head)
		heap_add(wh, r);
	else
		hreq_free(wh, r);
	wh->h(&res, wh->arg);
}

static void on_done(uint64_t id, int err, struct web_fetch_res *res,
		    void *arg)
{
	struct hreq *r = arg;
	struct web_webhook *wh = r->wh;
	struct dlv *d = r->cur;

	(void)id;
	r->cur = NULL;
	r->xfer = 0;
	wh->st.inflight--;
	attempt_end(wh, r, d, err, res->status, res->error, false);
}

static void send_head(struct web_webhook *wh, struct hreq *r, int64_t now)
{
	char ev[WEB_WEBHOOK_EVENT_ID_SIZE];
	struct web_webhook_hdrs hh;
	struct dlv *d = r->head;
	uint64_t xid = 0;
	int err;

	wh->st.attempts++;
	err = web_webhook_event_id(ev, sizeof(ev), r->id, d->seq);
	if (!err)
		err = web_webhook_headers(&hh, wh->ua, ev, d->secret,
					  d->secret_len, now / 1000, d->body,
					  d->len);
	if (!err)
		err = wh->conf.send(d->url, hh.v, d->body, d->len, on_done, r,
				    &xid, wh->conf.send_arg);
	if (!err) {
		r->cur = d;
		r->xfer = xid;
		wh->st.inflight++;
		return;
	}
	attempt_end(wh, r, d, err, 0, strerror(err), true);
}

/*
 * Start every due delivery, up to max_inflight POSTs at once; an attempt
 * that cannot even start (a URL the policy refuses, no memory) ends here,
 * its result reported at once. Call every loop turn. Returns 0.
 */
int web_webhook_run(struct web_webhook *wh)
{
	int64_t now = now_ms(wh);

	while (wh->heap_n && wh->st.inflight < wh->conf.max_inflight) {
		struct hreq *r = wh->heap[0];

		if (r->head->next_at > now)
			break;
		heap_del(wh, r);
		send_head(wh, r, now);
	}
	return 0;
}

/*
 * Milliseconds until web_webhook_run() has something to start, -1 =
 * nothing waits (or the in-flight cap is reached: a POST's end comes
 * through the fetcher's fd).
 */
int64_t web_webhook_timeout_ms(const struct web_webhook *wh)
{
	int64_t d;

	if (!wh->heap_n || wh->st.inflight >= wh->conf.max_inflight)
		return -1;
	d = wh->heap[0]->head->next_at - now_ms(wh);
	return d < 0 ? 0 : d;
}

void web_webhook_stats_get(const struct web_webhook *wh,
			   struct web_webhook_stats *st)
{
	*st = wh->st;
}
