/*
 * gateway/hooks.c — webhook deliveries from published events to the
 * receiver and back into the deliveries table. A delivery is queued
 * (web_webhook_push) only after its row is committed, so every POST a
 * receiver sees has a row that a restart finds again; a row whose write
 * failed is still delivered (the result rewrites it). The payload is
 * rebuilt from the request and event rows, never stored: it depends only
 * on what is immutable once the event exists.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <jansson.h>

#include "gateway/hooks.h"
#include "gateway/log.h"
#include "gateway/secrets.h"

/* A delivery row waiting for its commit before it is queued. */
struct pend {
	struct pend *prev, *next;
	struct gw_hooks *h;
	char id[GW_STORE_ID_MAX + 1];
	uint32_t seq;
	int64_t next_at;
	char *url;
	char *owner;
	char *body;
	size_t len;
};

_Static_assert(GW_SECRET_MAX <= WEB_WEBHOOK_SECRET_MAX,
	       "every loaded secret can sign");

struct gw_hooks {
	struct gw_loop *loop;
	struct gw_store *store;
	struct web_fetch *fetch;
	struct web_webhook *wh;
	struct web_urlsafe_allow allow;
	struct gw_secrets *secrets;     /* as the environment had them */
	struct pend *pends;
	struct gw_fd fd;
	struct gw_prepare prep;
	struct gw_check check;
	bool hooked;
	web_webhook_clock_h *clock;
	void *seam_arg;
	struct gw_hooks_stats st;
};

static int64_t wall_ms(const struct gw_hooks *h)
{
	struct timespec ts;

	if (h->clock)
		return h->clock(h->seam_arg);
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int dup_str(char **dstp, const char *s)
{
	size_t n = strlen(s) + 1;

	*dstp = malloc(n);
	if (!*dstp)
		return ENOMEM;
	memcpy(*dstp, s, n);
	return 0;
}

/* ---- pure parts ---- */

/*
 * The URL of a request's webhook column ({"url", "events"}, web/req's
 * normal form) and whether status passes its events filter (absent,
 * null or "*" = every status). EBADMSG for a column that is not that.
 */
int gw_hooks_target(const char *webhook_json, enum web_status status,
		    char *url, size_t urlsize, bool *passp)
{
	json_t *j, *ev, *it;
	const char *u, *s;
	enum web_status st;
	size_t i, n;
	int err = EBADMSG;

	*passp = false;
	if (!webhook_json)
		return EINVAL;
	j = json_loads(webhook_json, 0, NULL);
	u = json_string_value(json_object_get(j, "url"));
	if (!json_is_object(j) || !u || !*u)
		goto out;
	n = strlen(u);
	if (n >= urlsize) {
		err = EMSGSIZE;
		goto out;
	}
	memcpy(url, u, n + 1);
	ev = json_object_get(j, "events");
	if (!ev || json_is_null(ev)) {
		*passp = true;
		err = 0;
		goto out;
	}
	if (!json_is_array(ev))
		goto out;
	json_array_foreach(ev, i, it) {
		s = json_string_value(it);
		if (!s)
			goto out;
		if (!strcmp(s, "*") ||
		    (!web_resource_status_parse(&st, s, strlen(s)) &&
		     st == status))
			*passp = true;
	}
	err = 0;
out:
	json_decref(j);
	return err;
}

static enum web_outcome outcome_code(const char *s)
{
	unsigned i;

	for (i = 1; s && i < WEB_OUTCOME_COUNT; i++)
		if (!strcmp(s, web_resource_outcome_name(i)))
			return i;
	return WEB_OUTCOME_NONE;
}

/*
 * The POST body of event ev of request row (docs/webhooks.md). outcome
 * only on a terminal event; everything else comes from the event or
 * from what never changes once set, so a restart rebuilds the same bytes.
 */
int gw_hooks_payload(char **bodyp, size_t *lenp,
		     const struct gw_store_req *row,
		     const struct gw_store_event *ev)
{
	char eid[WEB_WEBHOOK_EVENT_ID_SIZE];
	struct web_resource_webhook w;
	json_t *o = NULL, *v;
	const char *by;
	int err;

	memset(&w, 0, sizeof(w));
	if (!row || !ev || !row->id || !ev->status ||
	    web_resource_status_parse(&w.status, ev->status,
				      strlen(ev->status)))
		return EINVAL;
	err = web_webhook_event_id(eid, sizeof(eid), row->id, ev->seq);
	if (err)
		return err;
	w.event_id = eid;
	w.request_id = row->id;
	w.seq = ev->seq;
	w.at = ev->at;
	w.info = ev->info;
	w.client_state = row->client_state;
	if (web_resource_status_final(w.status) && row->outcome)
		o = json_loads(row->outcome, 0, NULL);
	if (json_is_object(o)) {
		w.outcome.code = outcome_code(json_string_value(
			json_object_get(o, "code")));
		v = json_object_get(o, "sip_code");
		if (json_is_integer(v) && json_integer_value(v) > 0 &&
		    json_integer_value(v) < 1000)
			w.outcome.sip_code = (int)json_integer_value(v);
		w.outcome.reason = json_string_value(json_object_get(o,
								     "reason"));
		w.outcome.warning = json_string_value(json_object_get(o,
								      "warning"));
		by = json_string_value(json_object_get(o, "by"));
		w.outcome.by = by && !strcmp(by, "gateway") ? WEB_BY_GATEWAY :
			by && !strcmp(by, "pintgw") ? WEB_BY_PINTGW :
			WEB_BY_NONE;
	}
	err = web_webhook_payload(bodyp, lenp, &w);
	json_decref(o);
	return err;
}

/* The API's name of a row's state: pending, retry, delivered, failed. */
const char *gw_hooks_state_name(const struct gw_store_delivery *dlv)
{
	switch (dlv->state) {
	case GW_STORE_DLV_PENDING:
		return dlv->attempt ? "retry" : "pending";
	case GW_STORE_DLV_DONE:
		return "delivered";
	default:
		return "failed";
	}
}

/*
 * Whether owner's key had a usable secret at the last load or reload:
 * without one its deliveries could only fail (GW_HOOKS_NO_SECRET), so a
 * create with a webhook is refused up front.
 */
bool gw_hooks_has_secret(const struct gw_hooks *h, const char *owner)
{
	const uint8_t *v;
	size_t len;

	return owner && !gw_secrets_get(h->secrets, owner, &v, &len);
}

/* ---- rows ---- */

static void row_done(int err, void *arg)
{
	struct gw_hooks *h = arg;

	if (err) {
		h->st.store_errors++;
		log_warn("webhooks: cannot store a delivery: %s",
			 strerror(err));
	}
}

static void put_row(struct gw_hooks *h, const char *id, uint32_t seq,
		    enum gw_store_dlv_state state, unsigned attempt,
		    int64_t next_at, unsigned code, const char *error)
{
	struct gw_store_delivery d;
	int err;

	memset(&d, 0, sizeof(d));
	d.request_id = (char *)(uintptr_t)id;   /* copied by the store */
	d.seq = seq;
	d.attempt = attempt;
	d.state = state;
	d.next_at = next_at;
	d.last_code = (int)code;
	d.last_error = error && *error ? (char *)(uintptr_t)error : NULL;
	d.updated_at = wall_ms(h);
	err = gw_store_put_delivery(h->store, &d, row_done, h);
	if (err)
		row_done(err, h);
}

/* Queue a delivery whose row exists; failures end it in the row. */
static void start(struct gw_hooks *h, const char *id, uint32_t seq,
		  const char *url, const char *owner, const char *body,
		  size_t len, unsigned attempt, int64_t next_at)
{
	struct web_webhook_dlv d;
	const uint8_t *sec;
	size_t slen;
	int err;

	if (gw_secrets_get(h->secrets, owner, &sec, &slen)) {
		h->st.no_secret++;
		h->st.failed++;
		log_warn("webhooks: %s:%u: key %s has no secret: delivery "
			 "failed", id, seq, owner ? owner : "-");
		put_row(h, id, seq, GW_STORE_DLV_FAILED, attempt, next_at, 0,
			GW_HOOKS_NO_SECRET);
		return;
	}
	memset(&d, 0, sizeof(d));
	d.request_id = id;
	d.seq = seq;
	d.url = url;
	d.secret = sec;
	d.secret_len = slen;
	d.body = body;
	d.len = len;
	d.attempt = attempt;
	d.next_at = next_at;
	err = web_webhook_push(h->wh, &d);
	if (!err || err == EALREADY)
		return;
	if (err == ENOMEM) {
		/* the row stays pending: the next start queues it again */
		log_warn("webhooks: %s:%u: %s", id, seq, strerror(err));
		return;
	}
	h->st.failed++;
	put_row(h, id, seq, GW_STORE_DLV_FAILED, attempt, next_at, 0,
		GW_HOOKS_BAD_DLV);
}

/* web_webhook_h: an attempt ended. */
static void on_result(const struct web_webhook_result *r, void *arg)
{
	struct gw_hooks *h = arg;
	enum gw_store_dlv_state state;
	char err[96];
	const char *text = r->error;

	if (r->err && (!text || !*text)) {
		snprintf(err, sizeof(err), "%s", strerror(r->err));
		text = err;
	}
	switch (r->state) {
	case WEB_WEBHOOK_DELIVERED:
		state = GW_STORE_DLV_DONE;
		text = NULL;
		break;
	case WEB_WEBHOOK_RETRY:
		state = GW_STORE_DLV_PENDING;
		break;
	default:
		state = GW_STORE_DLV_FAILED;
		log_info("webhooks: %s:%llu: given up after %u attempts (%s)",
			 r->request_id, (unsigned long long)r->seq, r->attempt,
			 text && *text ? text : "HTTP status");
		break;
	}
	if (!r->err && r->status && !(r->status >= 200 && r->status <= 299) &&
	    (!text || !*text)) {
		snprintf(err, sizeof(err), "HTTP %u", r->status);
		text = err;
	}
	put_row(h, r->request_id, (uint32_t)r->seq, state, r->attempt,
		state == GW_STORE_DLV_PENDING ? r->next_at : 0,
		r->status, text);
}

/* ---- published events ---- */

static void pend_free(struct pend *p)
{
	free(p->url);
	free(p->owner);
	free(p->body);
	free(p);
}

static void pend_unlink(struct gw_hooks *h, struct pend *p)
{
	if (p->prev)
		p->prev->next = p->next;
	else
		h->pends = p->next;
	if (p->next)
		p->next->prev = p->prev;
}

static void pend_committed(int err, void *arg)
{
	struct pend *p = arg;
	struct gw_hooks *h = p->h;

	pend_unlink(h, p);
	if (err)
		row_done(err, h);
	start(h, p->id, p->seq, p->url, p->owner, p->body, p->len, 0,
	      p->next_at);
	pend_free(p);
}

/* The fan-out point: a delivery for ev if its request wants it. */
void gw_hooks_published(const struct gw_store_req *row,
			const struct gw_store_event *ev, void *arg)
{
	struct gw_hooks *h = arg;
	char url[WEB_URLSAFE_URL_MAX + 1];
	struct gw_store_delivery d;
	enum web_status status;
	struct pend *p;
	bool pass;
	int err;

	if (!h || !row || !ev || !row->webhook || !ev->status ||
	    web_resource_status_parse(&status, ev->status, strlen(ev->status)))
		return;
	err = gw_hooks_target(row->webhook, status, url, sizeof(url), &pass);
	if (err || !pass) {
		if (err)
			log_warn("webhooks: %s: unreadable webhook column",
				 row->id);
		return;
	}
	h->st.created++;
	p = calloc(1, sizeof(*p));
	err = p ? 0 : ENOMEM;
	if (!err && strlen(row->id) > GW_STORE_ID_MAX)
		err = EINVAL;
	if (!err) {
		p->h = h;
		memcpy(p->id, row->id, strlen(row->id) + 1);
		p->seq = ev->seq;
		p->next_at = wall_ms(h);
		err = dup_str(&p->url, url);
	}
	if (!err && row->owner)
		err = dup_str(&p->owner, row->owner);
	if (!err)
		err = gw_hooks_payload(&p->body, &p->len, row, ev);
	if (!err) {
		memset(&d, 0, sizeof(d));
		d.request_id = p->id;
		d.seq = p->seq;
		d.state = GW_STORE_DLV_PENDING;
		d.next_at = p->next_at;
		d.updated_at = p->next_at;
		err = gw_store_put_delivery(h->store, &d, pend_committed, p);
	}
	if (err) {
		h->st.store_errors++;
		log_warn("webhooks: %s:%u: delivery not queued: %s", row->id,
			 ev->seq, strerror(err));
		if (p)
			pend_free(p);
		return;
	}
	p->next = h->pends;
	if (h->pends)
		h->pends->prev = p;
	h->pends = p;
}

/* ---- start-up: the pending rows ---- */

struct due {
	char id[GW_STORE_ID_MAX + 1];
	uint32_t seq;
	uint32_t attempt;
	int64_t next_at;
};

struct due_list {
	struct due *v;
	size_t n, cap;
};

static int collect(struct gw_store_delivery *dlv, void *arg)
{
	struct due_list *l = arg;
	struct due *nv;

	if (!dlv->request_id || strlen(dlv->request_id) > GW_STORE_ID_MAX)
		return 0;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;

		nv = realloc(l->v, cap * sizeof(*nv));
		if (!nv)
			return ENOMEM;
		l->v = nv;
		l->cap = cap;
	}
	memcpy(l->v[l->n].id, dlv->request_id, strlen(dlv->request_id) + 1);
	l->v[l->n].seq = dlv->seq;
	l->v[l->n].attempt = dlv->attempt;
	l->v[l->n].next_at = dlv->next_at;
	l->n++;
	return 0;
}

static int due_cmp(const void *a, const void *b)
{
	const struct due *x = a, *y = b;
	int c = strcmp(x->id, y->id);

	if (c)
		return c;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* One pending row back into the queue. */
static int recover_one(struct gw_hooks *h, const struct due *d)
{
	char url[WEB_URLSAFE_URL_MAX + 1];
	struct gw_store_events evs;
	struct gw_store_req row;
	char *body = NULL;
	size_t len = 0;
	bool pass;
	int err;

	memset(&row, 0, sizeof(row));
	memset(&evs, 0, sizeof(evs));
	err = gw_store_get_request(h->store, d->id, NULL, &row);
	if (!err)
		err = gw_store_events(h->store, d->id, d->seq - 1, 1, &evs);
	if (!err && (evs.n != 1 || evs.v[0].seq != d->seq || !row.webhook))
		err = ENOENT;
	if (!err)
		err = gw_hooks_target(row.webhook, WEB_STATUS_NONE, url,
				      sizeof(url), &pass);
	if (!err)
		err = gw_hooks_payload(&body, &len, &row, &evs.v[0]);
	if (!err) {
		start(h, d->id, d->seq, url, row.owner, body, len, d->attempt,
		      d->next_at);
		h->st.recovered++;
	} else if (err != ENOMEM) {
		/* nothing left to send it from: end the row */
		h->st.failed++;
		put_row(h, d->id, d->seq, GW_STORE_DLV_FAILED, d->attempt,
			d->next_at, 0, GW_HOOKS_BAD_DLV);
		err = 0;
	}
	free(body);
	gw_store_events_clear(&evs);
	gw_store_req_clear(&row);
	return err;
}

/*
 * Queue every pending delivery of the store again, in (request, seq)
 * order; each gets at least one more attempt. 0, ENOMEM or the store's
 * errno (msg says which).
 */
int gw_hooks_recover(struct gw_hooks *h, char *msg, size_t msgsize)
{
	struct due_list l;
	size_t i;
	int err;

	memset(&l, 0, sizeof(l));
	err = gw_store_due_deliveries(h->store, INT64_MAX,
				      GW_HOOKS_RECOVER_MAX, collect, &l);
	if (err) {
		snprintf(msg, msgsize, "webhooks: reading deliveries: %s",
			 strerror(err));
		goto out;
	}
	if (l.n)
		qsort(l.v, l.n, sizeof(*l.v), due_cmp);
	for (i = 0; !err && i < l.n; i++)
		err = recover_one(h, &l.v[i]);
	if (err)
		snprintf(msg, msgsize, "webhooks: %s", strerror(err));
	else if (l.n)
		log_info("webhooks: %zu pending deliveries queued again", l.n);
out:
	free(l.v);
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
	struct gw_hooks *h = arg;
	int64_t a = web_fetch_timeout_ms(h->fetch);
	int64_t b = web_webhook_timeout_ms(h->wh);
	int64_t ms = a < 0 ? b : b < 0 ? a : a < b ? a : b;

	return ms > INT_MAX ? INT_MAX : (int)ms;
}

static void check_h(void *arg)
{
	struct gw_hooks *h = arg;

	if (web_fetch_run(h->fetch))
		log_debug("webhooks: fetch run failed");
	web_webhook_run(h->wh);
}

/* ---- life cycle ---- */

static int make_queue(struct gw_hooks *h, const struct gw_conf *conf,
		      const struct gw_hooks_seams *seams)
{
	const struct gw_conf_webhooks *wc = &conf->webhooks;
	struct web_webhook_conf qc;
	struct web_fetch_conf fc;
	int err;

	h->allow = wc->allow_private;
	web_fetch_conf_init(&fc);
	fc.timeout_ms = wc->timeout * 1000u;
	if (fc.connect_timeout_ms > fc.timeout_ms)
		fc.connect_timeout_ms = fc.timeout_ms;
	fc.max_redirects = 0;           /* a 3xx is a failed attempt */
	fc.max_conns = wc->max_inflight;
	fc.allow = &h->allow;
	err = web_fetch_alloc(&h->fetch, &fc);
	if (err)
		return err;
	web_webhook_conf_init(&qc);
	qc.attempts = wc->attempts;
	qc.base_ms = wc->base_delay * 1000u;
	qc.max_delay_ms = wc->max_delay * 1000u;
	qc.max_inflight = wc->max_inflight;
	qc.fetch = h->fetch;
	if (seams) {
		qc.send = seams->send;
		qc.cancel = seams->cancel;
		qc.send_arg = seams->send_arg;
		qc.clock = seams->clock;
		qc.rand = seams->rand;
		qc.seam_arg = seams->seam_arg;
		h->clock = seams->clock;
		h->seam_arg = seams->seam_arg;
	}
	return web_webhook_alloc(&h->wh, &qc, on_result, h);
}

/* See hooks.h. */
int gw_hooks_alloc(struct gw_hooks **hp, struct gw_loop *loop,
		   struct gw_store *store, const struct gw_conf *conf,
		   const struct gw_hooks_seams *seams, char *msg,
		   size_t msgsize)
{
	struct gw_hooks *h;
	int err;

	if (!hp || !loop || !store || !conf)
		return EINVAL;
	*hp = NULL;
	h = calloc(1, sizeof(*h));
	if (!h)
		return ENOMEM;
	h->loop = loop;
	h->store = store;
	err = gw_secrets_load(&h->secrets, conf);
	if (!err)
		err = make_queue(h, conf, seams);
	if (!err)
		err = gw_fd_watch(loop, &h->fd, web_fetch_fd(h->fetch),
				  EPOLLIN, fd_h, h);
	if (err) {
		snprintf(msg, msgsize, "webhooks: %s%s", strerror(err),
			 err == ENOTSUP ? " (libcurl lacks its threaded "
			 "resolver)" : "");
		gw_hooks_free(h);
		return err;
	}
	gw_loop_add_prepare(loop, &h->prep, prepare_h, h);
	gw_loop_add_check(loop, &h->check, check_h, h);
	h->hooked = true;
	*hp = h;
	return 0;
}

/*
 * Drop everything (POSTs in flight are cancelled: their rows stay
 * pending and are sent again at the next start). NULL-safe.
 */
void gw_hooks_free(struct gw_hooks *h)
{
	struct pend *p, *next;

	if (!h)
		return;
	if (h->hooked) {
		gw_fd_unwatch(h->loop, &h->fd);
		gw_loop_del_prepare(h->loop, &h->prep);
		gw_loop_del_check(h->loop, &h->check);
	}
	web_webhook_free(h->wh);
	web_fetch_free(h->fetch);
	for (p = h->pends; p; p = next) {
		next = p->next;
		pend_free(p);
	}
	gw_secrets_free(h->secrets);
	free(h);
}

/*
 * Read the secrets again (SIGHUP): deliveries queued from now on use
 * them; queued ones keep the secret they were queued with. [webhooks]
 * limits need a restart. 0 or ENOMEM (the old secrets stay).
 */
int gw_hooks_reload(struct gw_hooks *h, const struct gw_conf *conf)
{
	struct gw_secrets *s;
	int err;

	err = gw_secrets_load(&s, conf);
	if (err)
		return err;
	gw_secrets_free(h->secrets);
	h->secrets = s;
	return 0;
}

void gw_hooks_stats(const struct gw_hooks *h, struct gw_hooks_stats *st)
{
	struct web_webhook_stats ws;

	*st = h->st;
	web_webhook_stats_get(h->wh, &ws);
	st->attempts = ws.attempts;
	st->delivered = ws.delivered;
	st->retried = ws.retried;
	st->failed += ws.failed;
	st->depth = ws.queued;
	st->inflight = ws.inflight;
	st->requests = ws.requests;
}
