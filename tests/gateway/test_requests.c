/*
 * tests/gateway/test_requests.c — gateway/requests*.c with a real SQLite
 * store in a scratch directory, the real loop and the fake SIP side
 * (fake_sipgw.c): create and commit order, a request's whole life, the
 * transition rules, evidence, scheduling and expiry, cancel in every
 * state, limits, draining, recovery after a restart, what listeners get.
 * Every wait on the clock is bounded.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE     /* nftw */
#endif
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <sqlite3.h>

#include "tests/pint/test_common.h"
#include "tests/gateway/fake_sipgw.h"
#include "gateway/requests.h"
#include "gateway/store_int.h"
#include "web/json.h"

#define MAXREC 64
#define TEXT 320

static const char conf_text[] =
	"[pintgw]\n"
	"state_dir = /tmp/pintgw-reqs\n"
	"max_pending = %u\n"
	"[sip]\n"
	"listen = udp:127.0.0.1:5060\n"
	"ring_timeout = 30\n"
	"[gateway %s]\n"
	"address = udp:192.0.2.7\n"
	"[key shop]\n"
	"hash = sha256:401FE3CCB9F5FFB678ECD700EB48039250D139152A40C65A83ECCC706B997819\n"
	"from = +44 20 7946 0018\n"
	"[key other]\n"
	"hash = sha256:0000000000000000000000000000000000000000000000000000000000000001\n";

struct pub_rec {
	char id[GW_REQ_ID_SIZE];
	unsigned seq;
	char status[16];
	char info[TEXT];
	char sip[TEXT];
	char row_status[16];
	char outcome[TEXT];
	unsigned last_seq;
	unsigned order;
};

struct can_rec {
	int err;
	bool row;
	char status[16];
	char info[TEXT];
};

/* The committed state of a request when the fake SIP side was asked to
 * start its call, and whether the call came with those identities. */
struct peek {
	unsigned starts;
	char status[16];
	char events[128];
	char call_id[FAKE_SIP_ID_SIZE];
	char from_tag[FAKE_SIP_ID_SIZE];
	char sess_id[FAKE_SIP_ID_SIZE];
	char branch[FAKE_SIP_ID_SIZE + 1];
	uint32_t cseq;
	uint32_t attempt;
	bool resume;            /* p->resume given */
	bool same;              /* ... naming the stored ones, CSeq - 1 */
	bool same_branch;       /* ... and the stored branch */
};

struct fx {
	char dir[128];
	struct gw_loop *loop;
	struct gw_store *store;
	struct gw_conf *conf;
	struct gw_sip *sip;
	struct gw_reqs *r;
	unsigned order;
	/* created callbacks */
	size_t ncreated;
	int created_err[MAXREC];
	char created_id[MAXREC][GW_REQ_ID_SIZE];
	unsigned created_order[MAXREC];
	bool created_durable[MAXREC];   /* row + event 1 readable inside */
	/* published hook */
	size_t npub;
	struct pub_rec pub[MAXREC];
	/* cancel answers */
	size_t ncan;
	struct can_rec can[MAXREC];
	/* start_peek_h */
	char peek_id[GW_REQ_ID_SIZE];   /* "" = the last created */
	struct peek peek;
};

static void copy(char *dst, size_t size, const char *s)
{
	snprintf(dst, size, "%s", s ? s : "");
}

/* ---- scratch directory ------------------------------------------------- */

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void make_dir(struct fx *f)
{
	const char *base = getenv("TMPDIR");

	snprintf(f->dir, sizeof(f->dir), "%s/pintgw-reqs-XXXXXX",
		 base && base[0] ? base : "/tmp");
	assert_non_null(mkdtemp(f->dir));
}

/* ---- callbacks --------------------------------------------------------- */

static void event_list(struct fx *f, const char *id, char *buf, size_t size);

static void created_h(int err, const struct gw_store_req *row, void *arg)
{
	struct fx *f = arg;
	struct gw_store_events evs;
	struct gw_store_req got;
	size_t i = f->ncreated++;

	assert_true(i < MAXREC);
	f->created_err[i] = err;
	f->created_order[i] = ++f->order;
	if (err) {
		assert_null(row);
		return;
	}
	assert_non_null(row);
	copy(f->created_id[i], sizeof(f->created_id[i]), row->id);
	assert_string_equal(row->status, "queued");
	assert_int_equal(row->last_seq, 1);
	/* the 201 goes out only once the row and event 1 are on disk */
	memset(&got, 0, sizeof(got));
	if (!gw_store_get_request(f->store, row->id, row->owner, &got) &&
	    !gw_store_events(f->store, row->id, 0, 10, &evs)) {
		f->created_durable[i] = evs.n >= 1 && evs.v[0].seq == 1 &&
					!strcmp(evs.v[0].status, "queued");
		gw_store_events_clear(&evs);
	}
	gw_store_req_clear(&got);
}

static void published_h(const struct gw_store_req *row,
			const struct gw_store_event *ev, const char *outcome, void *arg)
{
	struct fx *f = arg;
	struct pub_rec *p;
	char code[64];

	assert_true(f->npub < MAXREC);
	p = &f->pub[f->npub++];
	copy(p->id, sizeof(p->id), ev->request_id);
	p->seq = ev->seq;
	copy(p->status, sizeof(p->status), ev->status);
	copy(p->info, sizeof(p->info), ev->info);
	copy(p->sip, sizeof(p->sip), ev->sip);
	copy(p->row_status, sizeof(p->row_status), row->status);
	copy(p->outcome, sizeof(p->outcome), row->outcome);
	p->last_seq = row->last_seq;
	p->order = ++f->order;
	/* published rows carry neither the spec nor the SDP */
	assert_null(row->spec);
	assert_null(row->sdp);
	assert_string_equal(row->id, ev->request_id);
	/* the terminal event names its outcome: the code in the row's */
	assert_int_equal(outcome != NULL, row->outcome != NULL);
	if (outcome) {
		snprintf(code, sizeof(code), "{\"code\":\"%s\"", outcome);
		assert_memory_equal(row->outcome, code, strlen(code));
	}
}

/* fake_sip_start_h: read the store as it is when the INVITE would leave. */
static void start_peek_h(struct gw_sip *s, uint64_t ref,
			 const struct pint_ua_call_params *p, void *arg)
{
	struct fx *f = arg;
	struct peek *k = &f->peek;
	const struct pint_ua_resume *res = p->resume;
	const char *id = f->peek_id[0] ? f->peek_id :
			 f->ncreated ? f->created_id[f->ncreated - 1] : "";
	struct gw_store_req row;
	unsigned starts = k->starts;

	(void)s;
	(void)ref;
	memset(k, 0, sizeof(*k));
	k->starts = starts + 1;
	memset(&row, 0, sizeof(row));
	assert_int_equal(gw_store_get_request(f->store, id, NULL, &row), 0);
	copy(k->status, sizeof(k->status), row.status);
	copy(k->call_id, sizeof(k->call_id), row.call_id);
	copy(k->from_tag, sizeof(k->from_tag), row.from_tag);
	copy(k->sess_id, sizeof(k->sess_id), row.sess_id);
	copy(k->branch, sizeof(k->branch), row.branch);
	k->cseq = row.cseq;
	k->attempt = row.attempt;
	event_list(f, id, k->events, sizeof(k->events));
	k->resume = res != NULL;
	k->same = res && row.call_id && row.from_tag && row.sess_id &&
		  !strcmp(res->call_id, row.call_id) &&
		  !strcmp(res->from_tag, row.from_tag) &&
		  !strcmp(res->sess_id, row.sess_id) && res->cseq + 1 == row.cseq;
	k->same_branch = k->same && res->branch && row.branch &&
			 !strcmp(res->branch, row.branch);
	gw_store_req_clear(&row);
}

static void peek_on(struct fx *f)
{
	f->sip->on_start = start_peek_h;
	f->sip->on_start_arg = f;
}

static void canceled_h(int err, const struct gw_store_req *row,
		       const char *info, void *arg)
{
	struct fx *f = arg;
	struct can_rec *c;

	assert_true(f->ncan < MAXREC);
	c = &f->can[f->ncan++];
	c->err = err;
	c->row = row != NULL;
	copy(c->status, sizeof(c->status), row ? row->status : NULL);
	copy(c->info, sizeof(c->info), info);
}

/* ---- the fixture ------------------------------------------------------- */

/* conf_text with gateway, and more sections after it (extra, may be ""). */
static struct gw_conf *conf_make_ex(unsigned max_pending, const char *gateway,
				    const char *extra)
{
	struct gw_conf_errs errs;
	struct gw_conf *conf = NULL;
	char text[2048];
	int n = snprintf(text, sizeof(text), conf_text, max_pending, gateway);

	assert_true(n > 0 && (size_t)n < sizeof(text));
	n += snprintf(text + n, sizeof(text) - (size_t)n, "%s", extra);
	assert_true((size_t)n < sizeof(text));
	if (gw_conf_parse_string(&conf, text, (size_t)n, "t.conf", &errs) || errs.total)
		fail_msg("conf: %s", errs.n ? errs.msg[0] : "?");
	return conf;
}

static struct gw_conf *conf_make(unsigned max_pending, const char *gateway)
{
	struct gw_conf_errs errs;
	struct gw_conf *conf = NULL;
	char text[2048];
	int n = snprintf(text, sizeof(text), conf_text, max_pending, gateway);

	assert_true(n > 0 && (size_t)n < sizeof(text));
	if (gw_conf_parse_string(&conf, text, (size_t)n, "t.conf", &errs) || errs.total)
		fail_msg("conf: %s", errs.n ? errs.msg[0] : "?");
	return conf;
}

/* A table (and its fake SIP side) on the fixture's store. */
static void table_open(struct fx *f)
{
	struct gw_reqs_hooks hooks = {published_h, f};

	assert_int_equal(gw_reqs_alloc(&f->r, f->loop, f->store, NULL, f->conf, &hooks), 0);
	assert_int_equal(gw_sip_alloc(&f->sip, f->loop, f->conf, gw_reqs_sip_event,
				      NULL, f->r, NULL, 0), 0);
	gw_reqs_set_sip(f->r, f->sip);
}

/* A restart: the SIP side first (its events name the table), then the table. */
static void table_close(struct fx *f)
{
	gw_sip_free(f->sip);
	f->sip = NULL;
	gw_reqs_free(f->r);
	f->r = NULL;
}

static void fx_init(struct fx *f, unsigned max_pending)
{
	struct gw_store_opts o = {.sync = GW_STORE_SYNC_NORMAL};
	char msg[GW_STORE_MSG_MAX];

	memset(f, 0, sizeof(*f));
	log_set_level(LOG_LEVEL_ERR);
	make_dir(f);
	assert_int_equal(gw_loop_alloc(&f->loop), 0);
	if (gw_store_open(&f->store, f->dir, &o, msg, sizeof(msg)))
		fail_msg("store: %s", msg);
	gw_store_attach(f->store, f->loop);
	f->conf = conf_make(max_pending, "gw-a");
	table_open(f);
}

static void fx_done(struct fx *f)
{
	table_close(f);
	gw_store_free(f->store);
	gw_loop_free(f->loop);
	gw_conf_free(f->conf);
	nftw(f->dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
	log_set_output(NULL);
	log_set_level(LOG_LEVEL_INFO);
}

static void stop_h(void *arg)
{
	gw_loop_stop(arg);
}

/* Run a few loop turns: due timers, then the commit and its callbacks. */
static void pump(struct fx *f)
{
	struct gw_timer t;
	int i;

	for (i = 0; i < 3; i++) {
		memset(&t, 0, sizeof(t));
		assert_int_equal(gw_timer_start(f->loop, &t, 0, stop_h, f->loop), 0);
		assert_int_equal(gw_loop_run(f->loop), 0);
		gw_timer_stop(f->loop, &t);
	}
}

typedef bool (pred_h)(struct fx *f);

struct waiter {
	struct fx *f;
	pred_h *pred;
	struct gw_timer t;
	uint64_t deadline;
	bool met;
};

static void poll_h(void *arg)
{
	struct waiter *w = arg;

	w->met = w->pred(w->f);
	if (w->met || gw_loop_now(w->f->loop) >= w->deadline) {
		gw_loop_stop(w->f->loop);
		return;
	}
	assert_int_equal(gw_timer_start(w->f->loop, &w->t, 2, poll_h, w), 0);
}

/* Run the loop until pred holds or max_ms pass; whether it held. */
static bool run_until(struct fx *f, pred_h *pred, unsigned max_ms)
{
	struct waiter w;

	memset(&w, 0, sizeof(w));
	w.f = f;
	w.pred = pred;
	w.deadline = gw_loop_update_time(f->loop) + max_ms;
	assert_int_equal(gw_timer_start(f->loop, &w.t, 0, poll_h, &w), 0);
	assert_int_equal(gw_loop_run(f->loop), 0);
	gw_timer_stop(f->loop, &w.t);
	pump(f);
	return w.met;
}

static struct gw_spec *spec_for(struct fx *f, const char *body, const char *key)
{
	struct web_json_err e;
	struct web_req req;
	struct gw_spec *spec = NULL;

	if (web_req_parse(&req, body, strlen(body), &e))
		fail_msg("body: %s", e.message);
	if (gw_spec_build(&spec, &req, f->conf, gw_conf_key(f->conf, key), &e))
		fail_msg("spec: %s", e.message);
	web_req_reset(&req);
	return spec;
}

/* Create, commit; the id of the new request (index into created_id). */
static const char *create(struct fx *f, const char *body, const char *key)
{
	size_t n = f->ncreated;

	assert_int_equal(gw_reqs_create(f->r, spec_for(f, body, key), created_h, f), 0);
	pump(f);
	assert_int_equal(f->ncreated, n + 1);
	assert_int_equal(f->created_err[n], 0);
	return f->created_id[n];
}

static const char *create_call(struct fx *f)
{
	return create(f, "{\"service\":\"call\",\"to\":\"+1 555 555 0199\"}", "shop");
}

/* The ref of the latest call the SIP side was given. */
static uint64_t last_ref(struct fx *f)
{
	assert_true(f->sip->ncalls > 0);
	return f->sip->calls[f->sip->ncalls - 1].ref;
}

static void emit(struct fx *f, uint64_t ref, enum pint_status status,
		 enum pint_outcome outcome, uint16_t code, const char *info)
{
	struct pint_status_ev ev;

	fake_sip_ev(&ev, status, outcome, code, info);
	fake_sip_emit(f->sip, ref, &ev);
	pump(f);
}

static void get_row(struct fx *f, const char *id, struct gw_store_req *row)
{
	memset(row, 0, sizeof(*row));
	assert_int_equal(gw_store_get_request(f->store, id, NULL, row), 0);
}

static void check_status(struct fx *f, const char *id, const char *status)
{
	struct gw_store_req row;

	get_row(f, id, &row);
	assert_string_equal(row.status, status);
	gw_store_req_clear(&row);
}

/* The statuses of id's stored events, "queued,sending,…". */
static void event_list(struct fx *f, const char *id, char *buf, size_t size)
{
	struct gw_store_events evs;
	size_t i, len = 0;

	buf[0] = '\0';
	assert_int_equal(gw_store_events(f->store, id, 0, GW_STORE_EVENTS_MAX, &evs), 0);
	for (i = 0; i < evs.n; i++) {
		assert_int_equal(evs.v[i].seq, i + 1);
		len += (size_t)snprintf(buf + len, size - len, "%s%s", i ? "," : "",
					evs.v[i].status);
		assert_true(len < size);
	}
	gw_store_events_clear(&evs);
}

static void check_events(struct fx *f, const char *id, const char *want)
{
	char got[512];

	event_list(f, id, got, sizeof(got));
	assert_string_equal(got, want);
}

/* ---- create ------------------------------------------------------------ */

/* Identities as pint/ua makes them: 128 random bits each, Call-ID and
 * tag as 22 URL-safe characters, the session id in decimal, the branch
 * as the RFC 3261 cookie and 22 URL-safe characters. */
static void check_ids(const char *call_id, const char *from_tag, const char *sess_id,
		      const char *branch)
{
	static const char b64u[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
				   "0123456789-_";
	size_t n = strlen(sess_id);

	assert_non_null(branch);
	assert_int_equal(strlen(branch), 7 + 22);
	assert_int_equal(strncmp(branch, "z9hG4bK", 7), 0);
	assert_int_equal(strspn(branch + 7, b64u), 22);
	assert_string_not_equal(branch + 7, call_id);
	assert_string_not_equal(branch + 7, from_tag);

	assert_int_equal(strlen(call_id), 22);
	assert_int_equal(strspn(call_id, b64u), 22);
	assert_int_equal(strlen(from_tag), 22);
	assert_int_equal(strspn(from_tag, b64u), 22);
	assert_true(n >= 1 && n <= 39);
	assert_int_equal(strspn(sess_id, "0123456789"), n);
	assert_string_not_equal(call_id, from_tag);
}

static void test_create_commit_order(void **state)
{
	struct fx f;
	struct gw_store_req row;
	struct fake_call *c;
	const char *id;

	(void)state;
	fx_init(&f, 100);
	peek_on(&f);
	assert_int_equal(gw_reqs_create(f.r, spec_for(&f, "{\"service\":\"call\","
				"\"to\":\"+1 555 555 0199\",\"ring_timeout\":20}", "shop"),
				created_h, &f), 0);
	/* nothing before the commit: no reply, no call */
	assert_int_equal(f.ncreated, 0);
	assert_int_equal(f.sip->starts, 0);
	assert_int_equal(gw_reqs_live(f.r), 1);
	pump(&f);
	assert_int_equal(f.ncreated, 1);
	assert_int_equal(f.created_err[0], 0);
	assert_true(f.created_durable[0]);
	id = f.created_id[0];
	assert_int_equal(strlen(id), GW_REQ_ID_SIZE - 1);
	assert_int_equal(strncmp(id, "rq_", 3), 0);
	assert_int_equal(strspn(id + 3, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
				"abcdefghijklmnopqrstuvwxyz"), GW_REQ_ID_SIZE - 4);

	/* 201 first, then the listeners: queued, then sending */
	assert_int_equal(f.npub, 2);
	assert_true(f.created_order[0] < f.pub[0].order);
	assert_string_equal(f.pub[0].id, id);
	assert_int_equal(f.pub[0].seq, 1);
	assert_string_equal(f.pub[0].status, "queued");
	assert_string_equal(f.pub[0].sip, "");
	assert_int_equal(f.pub[1].seq, 2);
	assert_string_equal(f.pub[1].status, "sending");
	assert_string_equal(f.pub[1].row_status, "sending");

	/* the INVITE left once "sending" and its identities were on disk,
	 * and with exactly those (pint/ua's resume: the CSeq before) */
	assert_int_equal(f.peek.starts, 1);
	assert_string_equal(f.peek.status, "sending");
	assert_string_equal(f.peek.events, "queued,sending");
	assert_int_equal(f.peek.attempt, 1);
	assert_int_equal(f.peek.cseq, 1);
	assert_true(f.peek.resume);
	assert_true(f.peek.same);
	assert_true(f.peek.same_branch);
	check_ids(f.peek.call_id, f.peek.from_tag, f.peek.sess_id, f.peek.branch);

	/* the call got what the spec says */
	c = fake_sip_nth(f.sip, 0);
	assert_non_null(c);
	assert_true(c->resumed);
	assert_string_equal(c->call_id, f.peek.call_id);
	assert_string_equal(c->from_tag, f.peek.from_tag);
	assert_string_equal(c->sess_id, f.peek.sess_id);
	assert_true(c->kept_branch);
	assert_string_equal(c->branch, f.peek.branch);
	assert_int_equal(c->cseq, 1);
	assert_string_equal(c->service, "R2C");
	assert_string_equal(c->to, "+15555550199");
	assert_int_equal(c->ring_timeout_ms, 20000);
	assert_true(c->track);
	assert_string_equal(c->gateway, "");

	/* the row holds what recovery needs */
	get_row(&f, id, &row);
	assert_string_equal(row.owner, "shop");
	assert_string_equal(row.service, "call");
	assert_string_equal(row.status, "sending");
	assert_string_equal(row.to_input, "+1 555 555 0199");
	assert_string_equal(row.to_number, "+15555550199");
	assert_string_equal(row.from_number, "+442079460018");
	assert_string_equal(row.gateway, "gw-a");
	assert_string_equal(row.call_id, c->call_id);
	assert_string_equal(row.from_tag, c->from_tag);
	assert_string_equal(row.sess_id, c->sess_id);
	assert_string_equal(row.branch, c->branch);
	assert_int_equal(row.cseq, 1);
	assert_non_null(row.sdp);
	assert_non_null(strstr(row.sdp, "c=TN RFC2543 +15555550199"));
	assert_non_null(row.spec);
	assert_non_null(strstr(row.spec, "\"ring_timeout\":20"));
	assert_int_equal(row.last_seq, 2);
	assert_int_equal(row.attempt, 1);
	assert_null(row.outcome);
	assert_null(row.webhook);
	assert_null(row.client_state);
	gw_store_req_clear(&row);
	check_events(&f, id, "queued,sending");
	fx_done(&f);
}

/* Ids start with the creation time (base62 Unix ms), so they sort by it;
 * the rest is random. */
static uint64_t id_ms(const char *id)
{
	static const char b62[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
				  "abcdefghijklmnopqrstuvwxyz";
	uint64_t t = 0;

	for (int i = 3; i < 3 + 8; i++)
		t = t * 62 + (uint64_t)(strchr(b62, id[i]) - b62);
	return t;
}

static int64_t wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void test_ids_sort_by_creation(void **state)
{
	struct timespec pause = { 0, 3 * 1000000 };
	int64_t before, after;
	struct fx f;

	(void)state;
	fx_init(&f, 100);
	before = wall_ms();
	assert_int_equal(gw_reqs_create(f.r, spec_for(&f, "{\"service\":\"call\","
				"\"to\":\"+1 555 555 0199\"}", "shop"), created_h, &f), 0);
	after = wall_ms();
	nanosleep(&pause, NULL);
	assert_int_equal(gw_reqs_create(f.r, spec_for(&f, "{\"service\":\"call\","
				"\"to\":\"+1 555 555 0198\"}", "shop"), created_h, &f), 0);
	pump(&f);
	assert_int_equal(f.ncreated, 2);
	assert_int_equal(strlen(f.created_id[0]), 3 + 8 + 17);
	assert_true(id_ms(f.created_id[0]) >= (uint64_t)before);
	assert_true(id_ms(f.created_id[0]) <= (uint64_t)after);
	assert_true(id_ms(f.created_id[1]) >= id_ms(f.created_id[0]) + 3);
	assert_true(strcmp(f.created_id[0], f.created_id[1]) < 0);
	assert_memory_not_equal(f.created_id[0] + 11, f.created_id[1] + 11, 17);
	fx_done(&f);
}

static void test_full_life(void **state)
{
	struct fx f;
	struct gw_store_req row;
	struct gw_reqs_stats st;
	const char *id;
	uint64_t ref;

	(void)state;
	fx_init(&f, 100);
	id = create_call(&f);
	ref = last_ref(&f);
	emit(&f, ref, PINT_STATUS_PROCEEDING, 0, 180, "ringing");
	get_row(&f, id, &row);
	assert_string_equal(row.info, "ringing");
	gw_store_req_clear(&row);
	emit(&f, ref, PINT_STATUS_ACCEPTED, 0, 200, NULL);
	/* "ringing" described proceeding: a new status without text clears it */
	get_row(&f, id, &row);
	assert_null(row.info);
	gw_store_req_clear(&row);
	emit(&f, ref, PINT_STATUS_ACTIVE, 0, 0, "call connected");
	gw_reqs_stats(f.r, &st);
	assert_int_equal(st.live, 1);
	assert_int_equal(st.by_status[PINT_STATUS_ACTIVE], 1);
	emit(&f, ref, PINT_STATUS_COMPLETED, PINT_OUTCOME_OK, 0, "call ended");
	check_events(&f, id, "queued,sending,proceeding,accepted,active,completed");

	/* terminal is final: later news is dropped */
	emit(&f, ref, PINT_STATUS_FAILED, PINT_OUTCOME_ERROR, 500, "late");
	emit(&f, ref, PINT_STATUS_NONE, 0, 0, "late evidence");
	check_events(&f, id, "queued,sending,proceeding,accepted,active,completed");
	assert_int_equal(f.npub, 6);
	assert_int_equal(f.pub[5].seq, 6);
	assert_string_equal(f.pub[5].row_status, "completed");
	assert_string_equal(f.pub[2].sip, "{\"code\":180,\"reason\":null,\"warning\":null}");
	assert_string_equal(f.pub[2].info, "ringing");

	get_row(&f, id, &row);
	assert_string_equal(row.status, "completed");
	assert_string_equal(row.info, "call ended");
	assert_int_equal(row.last_code, 200);
	assert_int_equal(row.last_seq, 6);
	assert_string_equal(row.outcome, "{\"code\":\"ok\",\"sip_code\":null,"
			    "\"reason\":null,\"warning\":null,\"by\":\"pintgw\"}");
	gw_store_req_clear(&row);

	/* the request left memory after its end was committed */
	gw_reqs_stats(f.r, &st);
	assert_int_equal(gw_reqs_live(f.r), 0);
	assert_int_equal(st.live, 0);
	assert_int_equal(st.created, 1);
	assert_int_equal(st.events, 6);
	assert_int_equal(st.by_status[PINT_STATUS_ACTIVE], 0);
	assert_int_equal(st.by_status[PINT_STATUS_COMPLETED], 1);
	assert_int_equal(st.by_outcome[PINT_OUTCOME_OK], 1);
	assert_true(gw_reqs_idle(f.r));
	fx_done(&f);
}

static void test_failure_outcome(void **state)
{
	struct fx f;
	struct pint_status_ev ev;
	struct gw_store_req row;
	const char *id;

	(void)state;
	fx_init(&f, 100);
	id = create(&f, "{\"service\":\"call\",\"to\":\"+15555550199\",\"client_state\":"
		    "\"order-4711\",\"webhook\":{\"url\":\"https://e.com/h\",\"events\":"
		    "[\"failed\"]}}", "shop");
	get_row(&f, id, &row);
	assert_string_equal(row.client_state, "order-4711");
	assert_string_equal(row.webhook, "{\"url\":\"https://e.com/h\",\"events\":[\"failed\"]}");
	gw_store_req_clear(&row);
	fake_sip_ev(&ev, PINT_STATUS_FAILED, PINT_OUTCOME_BUSY, 486, NULL);
	snprintf(ev.reason, sizeof(ev.reason), "Busy Here");
	ev.has_warning = true;
	ev.warning.code = 399;
	snprintf(ev.warning.text, sizeof(ev.warning.text), "line in use");
	fake_sip_emit(f.sip, last_ref(&f), &ev);
	pump(&f);
	check_events(&f, id, "queued,sending,failed");
	assert_string_equal(f.pub[2].sip, "{\"code\":486,\"reason\":\"Busy Here\","
			    "\"warning\":\"399 line in use\"}");
	get_row(&f, id, &row);
	assert_string_equal(row.outcome, "{\"code\":\"busy\",\"sip_code\":486,"
			    "\"reason\":\"Busy Here\",\"warning\":\"399 line in use\","
			    "\"by\":\"gateway\"}");
	assert_string_equal(row.warning, "399 line in use");
	assert_int_equal(row.last_code, 486);
	gw_store_req_clear(&row);
	fx_done(&f);
}

static void test_forward_only(void **state)
{
	struct fx f;
	struct pint_status_ev ev;
	const char *id;
	uint64_t ref;

	(void)state;
	fx_init(&f, 100);
	id = create_call(&f);
	ref = last_ref(&f);
	/* a gateway that answers 200 at once skips proceeding */
	emit(&f, ref, PINT_STATUS_ACCEPTED, 0, 200, NULL);
	/* backwards or the same again: nothing */
	emit(&f, ref, PINT_STATUS_PROCEEDING, 0, 180, NULL);
	emit(&f, ref, PINT_STATUS_SENDING, 0, 0, NULL);
	emit(&f, ref, PINT_STATUS_ACCEPTED, 0, 200, NULL);
	emit(&f, ref, PINT_STATUS_QUEUED, 0, 0, NULL);
	/* stale dialog-info news is dropped whatever it says */
	fake_sip_ev(&ev, PINT_STATUS_ACTIVE, 0, 0, "old news");
	ev.stale = true;
	fake_sip_emit(f.sip, ref, &ev);
	pump(&f);
	check_events(&f, id, "queued,sending,accepted");
	/* forward again */
	emit(&f, ref, PINT_STATUS_ACTIVE, 0, 0, NULL);
	emit(&f, ref, PINT_STATUS_COMPLETED, PINT_OUTCOME_OK, 0, NULL);
	check_events(&f, id, "queued,sending,accepted,active,completed");
	/* an unknown ref: dropped */
	emit(&f, 999999, PINT_STATUS_ACTIVE, 0, 0, NULL);
	assert_int_equal(f.npub, 5);
	fx_done(&f);
}

static void test_evidence(void **state)
{
	struct fx f;
	struct pint_status_ev ev;
	struct gw_store_req row;
	const char *id;
	uint64_t ref;

	(void)state;
	fx_init(&f, 100);
	id = create(&f, "{\"service\":\"fax\",\"to\":\"+15555550199\",\"content\":"
		    "[{\"type\":\"application/pdf\",\"url\":\"https://e.com/a.pdf\"}]}", "shop");
	ref = last_ref(&f);
	emit(&f, ref, PINT_STATUS_ACTIVE, 0, 200, "transmitting");
	emit(&f, ref, PINT_STATUS_NONE, 0, 0, "3 of 5 pages sent");
	/* the same text again, a bare event, a backward one: no trace */
	emit(&f, ref, PINT_STATUS_NONE, 0, 0, "3 of 5 pages sent");
	emit(&f, ref, PINT_STATUS_NONE, 0, 0, NULL);
	emit(&f, ref, PINT_STATUS_PROCEEDING, 0, 183, "3 of 5 pages sent");
	/* a backward status with new text is evidence */
	emit(&f, ref, PINT_STATUS_ACCEPTED, 0, 0, "4 of 5 pages sent");
	/* a new Warning is news too */
	fake_sip_ev(&ev, PINT_STATUS_NONE, 0, 0, NULL);
	ev.has_warning = true;
	snprintf(ev.warning.text, sizeof(ev.warning.text), "paper low");
	fake_sip_emit(f.sip, ref, &ev);
	pump(&f);
	check_events(&f, id, "queued,sending,active,active,active,active");
	assert_string_equal(f.pub[3].info, "3 of 5 pages sent");
	assert_string_equal(f.pub[3].row_status, "active");
	assert_string_equal(f.pub[4].info, "4 of 5 pages sent");
	assert_string_equal(f.pub[5].sip, "{\"code\":null,\"reason\":null,"
			    "\"warning\":\"paper low\"}");
	get_row(&f, id, &row);
	assert_string_equal(row.status, "active");
	assert_string_equal(row.info, "4 of 5 pages sent");
	assert_string_equal(row.warning, "paper low");
	assert_int_equal(row.last_seq, 6);
	gw_store_req_clear(&row);
	fx_done(&f);
}

static void test_start_failures(void **state)
{
	struct fx f;
	struct gw_store_req row;
	const char *id;

	(void)state;
	fx_init(&f, 100);
	/* "sending" is stored before the INVITE: a refused start follows it */
	f.sip->start_err = ENOENT;
	id = create(&f, "{\"service\":\"call\",\"to\":\"+15555550199\",\"gateway\":\"gw-a\"}",
		    "shop");
	check_events(&f, id, "queued,sending,failed");
	get_row(&f, id, &row);
	assert_non_null(strstr(row.outcome, "\"code\":\"unreachable\""));
	assert_non_null(strstr(row.info, "gw-a"));
	gw_store_req_clear(&row);

	f.sip->start_err = ENOMEM;
	id = create_call(&f);
	check_events(&f, id, "queued,sending,failed");
	get_row(&f, id, &row);
	assert_non_null(strstr(row.outcome, "\"code\":\"error\""));
	assert_non_null(strstr(row.outcome, "\"by\":\"pintgw\""));
	gw_store_req_clear(&row);
	assert_int_equal(gw_reqs_live(f.r), 0);

	/* the ua may end a call inside gw_sip_call_start (no gateway) */
	f.sip->start_err = 0;
	f.sip->sync_sending = false;
	id = create_call(&f);
	emit(&f, last_ref(&f), PINT_STATUS_FAILED, PINT_OUTCOME_UNREACHABLE, 0, NULL);
	check_events(&f, id, "queued,sending,failed");
	fx_done(&f);
}

/* ---- schedule ---------------------------------------------------------- */

static bool started(struct fx *f)
{
	return f->sip->starts > 0;
}

static bool pub_ended(struct fx *f)
{
	return f->npub > 0 && (!strcmp(f->pub[f->npub - 1].status, "expired") ||
			       !strcmp(f->pub[f->npub - 1].status, "failed"));
}

static void test_scheduled_start(void **state)
{
	struct fx f;
	struct gw_reqs_stats st;
	char body[256], at[WEB_JSON_TIME_SIZE];
	struct timespec t0, t1;
	const char *id;
	long ms;

	(void)state;
	fx_init(&f, 100);
	clock_gettime(CLOCK_REALTIME, &t0);
	assert_int_equal(web_json_time_format(at, (int64_t)t0.tv_sec * 1000 +
					      t0.tv_nsec / 1000000 + 300), 0);
	snprintf(body, sizeof(body), "{\"service\":\"call\",\"to\":\"+15555550199\","
		 "\"start_at\":\"%s\"}", at);
	id = create(&f, body, "shop");
	assert_int_equal(f.sip->starts, 0);
	check_status(&f, id, "queued");
	gw_reqs_stats(f.r, &st);
	assert_int_equal(st.scheduled, 1);
	assert_int_equal(st.by_status[PINT_STATUS_QUEUED], 1);

	assert_true(run_until(&f, started, 3000));
	clock_gettime(CLOCK_REALTIME, &t1);
	ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
	assert_true(ms >= 250);
	check_events(&f, id, "queued,sending");
	gw_reqs_stats(f.r, &st);
	assert_int_equal(st.scheduled, 0);
	fx_done(&f);
}

static void test_expiry(void **state)
{
	struct fx f;
	struct gw_store_req row;
	char body[256], at[WEB_JSON_TIME_SIZE], stop[WEB_JSON_TIME_SIZE];
	struct timespec t0;
	int64_t now;
	const char *id;

	(void)state;
	fx_init(&f, 100);
	/* stop_at already past: expired without a call */
	clock_gettime(CLOCK_REALTIME, &t0);
	now = (int64_t)t0.tv_sec * 1000 + t0.tv_nsec / 1000000;
	assert_int_equal(web_json_time_format(stop, now - 1000), 0);
	snprintf(body, sizeof(body), "{\"service\":\"call\",\"to\":\"+15555550199\","
		 "\"stop_at\":\"%s\"}", stop);
	id = create(&f, body, "shop");
	check_events(&f, id, "queued,expired");
	get_row(&f, id, &row);
	assert_non_null(strstr(row.outcome, "\"code\":\"expired\""));
	gw_store_req_clear(&row);

	/* due while the gateway is drained: held until stop_at, then expired */
	assert_int_equal(web_json_time_format(at, now + 100), 0);
	assert_int_equal(web_json_time_format(stop, now + 300), 0);
	snprintf(body, sizeof(body), "{\"service\":\"call\",\"to\":\"+15555550199\","
		 "\"start_at\":\"%s\",\"stop_at\":\"%s\"}", at, stop);
	id = create(&f, body, "shop");
	gw_reqs_drain(f.r);
	assert_true(run_until(&f, pub_ended, 3000));
	check_events(&f, id, "queued,expired");
	assert_int_equal(f.sip->starts, 0);
	fx_done(&f);
}

/* ---- cancel ------------------------------------------------------------ */

static void test_cancel_queued(void **state)
{
	struct fx f;
	struct gw_store_req row;
	struct gw_reqs_stats st;
	const char *id;

	(void)state;
	fx_init(&f, 100);
	id = create(&f, "{\"service\":\"call\",\"to\":\"+15555550199\","
		    "\"start_at\":\"2099-01-01T00:00:00Z\"}", "shop");
	assert_int_equal(gw_reqs_cancel(f.r, id, "shop", canceled_h, &f), 0);
	assert_int_equal(f.ncan, 0);            /* never from inside the call */
	pump(&f);
	assert_int_equal(f.ncan, 1);
	assert_int_equal(f.can[0].err, 0);
	assert_true(f.can[0].row);
	assert_string_equal(f.can[0].status, "canceled");
	check_events(&f, id, "queued,canceled");
	get_row(&f, id, &row);
	assert_string_equal(row.outcome, "{\"code\":\"canceled\",\"sip_code\":null,"
			    "\"reason\":null,\"warning\":null,\"by\":\"pintgw\"}");
	gw_store_req_clear(&row);
	gw_reqs_stats(f.r, &st);
	assert_int_equal(st.scheduled, 0);
	assert_int_equal(gw_reqs_live(f.r), 0);
	assert_int_equal(f.sip->starts, 0);

	/* now final */
	assert_int_equal(gw_reqs_cancel(f.r, id, "shop", canceled_h, &f), 0);
	pump(&f);
	assert_int_equal(f.can[1].err, EALREADY);
	assert_string_equal(f.can[1].status, "canceled");
	fx_done(&f);
}

/* The creator cancels from its own callback (a handler may do anything). */
static void cancel_on_create_h(int err, const struct gw_store_req *row, void *arg)
{
	struct fx *f = arg;

	created_h(err, row, arg);
	assert_int_equal(gw_reqs_cancel(f->r, row->id, row->owner, canceled_h, f), 0);
}

static void test_cancel_from_created_handler(void **state)
{
	struct fx f;

	(void)state;
	fx_init(&f, 100);
	assert_int_equal(gw_reqs_create(f.r, spec_for(&f, "{\"service\":\"call\","
				"\"to\":\"+15555550199\"}", "shop"), cancel_on_create_h, &f), 0);
	pump(&f);
	assert_int_equal(f.ncreated, 1);
	assert_int_equal(f.ncan, 1);
	assert_int_equal(f.can[0].err, 0);
	/* canceled while still queued: never sent */
	assert_int_equal(f.sip->starts, 0);
	check_events(&f, f.created_id[0], "queued,canceled");
	assert_int_equal(gw_reqs_live(f.r), 0);
	fx_done(&f);
}

static void test_cancel_in_flight(void **state)
{
	struct fx f;
	struct fake_call *c;
	const char *id;
	uint64_t ref;

	(void)state;
	fx_init(&f, 100);
	id = create_call(&f);
	ref = last_ref(&f);
	emit(&f, ref, PINT_STATUS_PROCEEDING, 0, 180, NULL);
	/* two cancels at once: one CANCEL, one answer for both */
	assert_int_equal(gw_reqs_cancel(f.r, id, "shop", canceled_h, &f), 0);
	assert_int_equal(gw_reqs_cancel(f.r, id, NULL, canceled_h, &f), 0);
	pump(&f);
	c = fake_sip_call(f.sip, ref);
	assert_int_equal(c->cancels, 1);
	assert_int_equal(f.ncan, 0);
	check_status(&f, id, "proceeding");
	emit(&f, ref, PINT_STATUS_CANCELED, PINT_OUTCOME_CANCELED, 487, NULL);
	assert_int_equal(f.ncan, 2);
	assert_int_equal(f.can[0].err, 0);
	assert_int_equal(f.can[1].err, 0);
	assert_string_equal(f.can[0].status, "canceled");
	assert_string_equal(f.can[1].status, "canceled");
	check_events(&f, id, "queued,sending,proceeding,canceled");
	fx_done(&f);
}

static void test_cancel_cannot_abort(void **state)
{
	struct fx f;
	struct pint_status_ev ev;
	const char *id;
	uint64_t ref;

	(void)state;
	fx_init(&f, 100);
	id = create_call(&f);
	ref = last_ref(&f);
	emit(&f, ref, PINT_STATUS_ACCEPTED, 0, 200, NULL);
	assert_int_equal(gw_reqs_cancel(f.r, id, "shop", canceled_h, &f), 0);
	assert_int_equal(gw_reqs_cancel(f.r, id, "shop", canceled_h, &f), 0);
	pump(&f);
	assert_int_equal(f.ncan, 0);
	/* 606 to our BYE: the service goes on */
	fake_sip_ev(&ev, PINT_STATUS_NONE, 0, 606, "fax already on its way");
	ev.cannot_abort = true;
	fake_sip_emit(f.sip, ref, &ev);
	pump(&f);
	assert_int_equal(f.ncan, 2);
	assert_int_equal(f.can[0].err, EBUSY);
	assert_int_equal(f.can[1].err, EBUSY);
	assert_string_equal(f.can[0].info, "fax already on its way");
	assert_string_equal(f.can[0].status, "accepted");
	check_events(&f, id, "queued,sending,accepted,accepted");

	/* the same 606 text again: no event, still an answer */
	assert_int_equal(gw_reqs_cancel(f.r, id, "shop", canceled_h, &f), 0);
	fake_sip_emit(f.sip, ref, &ev);
	pump(&f);
	assert_int_equal(f.ncan, 3);
	assert_int_equal(f.can[2].err, EBUSY);
	assert_string_equal(f.can[2].info, "fax already on its way");
	check_events(&f, id, "queued,sending,accepted,accepted");

	/* a later try that works; then the ua's end without a cancel */
	assert_int_equal(gw_reqs_cancel(f.r, id, "shop", canceled_h, &f), 0);
	emit(&f, ref, PINT_STATUS_CANCELED, PINT_OUTCOME_CANCELED, 200, NULL);
	assert_int_equal(f.ncan, 4);
	assert_int_equal(f.can[3].err, 0);
	assert_int_equal(fake_sip_call(f.sip, ref)->cancels, 3);
	fx_done(&f);
}

static void test_cancel_final_and_foreign(void **state)
{
	struct fx f;
	const char *id, *id2;
	uint64_t ref;

	(void)state;
	fx_init(&f, 100);
	id = create_call(&f);
	emit(&f, last_ref(&f), PINT_STATUS_COMPLETED, PINT_OUTCOME_OK, 0, NULL);
	id2 = create_call(&f);
	ref = last_ref(&f);

	assert_int_equal(gw_reqs_cancel(f.r, id, "shop", canceled_h, &f), 0);
	/* another key's request (live or not) is unknown to it */
	assert_int_equal(gw_reqs_cancel(f.r, id, "other", canceled_h, &f), 0);
	assert_int_equal(gw_reqs_cancel(f.r, id2, "other", canceled_h, &f), 0);
	assert_int_equal(gw_reqs_cancel(f.r, "rq_nosuchrequest00000", "shop",
					canceled_h, &f), 0);
	pump(&f);
	assert_int_equal(f.ncan, 4);
	assert_int_equal(f.can[0].err, EALREADY);
	assert_string_equal(f.can[0].status, "completed");
	assert_int_equal(f.can[1].err, ENOENT);
	assert_int_equal(f.can[2].err, ENOENT);
	assert_int_equal(f.can[3].err, ENOENT);
	assert_int_equal(fake_sip_call(f.sip, ref)->cancels, 0);

	/* canceling while the call ends otherwise: already final */
	assert_int_equal(gw_reqs_cancel(f.r, id2, "shop", canceled_h, &f), 0);
	emit(&f, ref, PINT_STATUS_COMPLETED, PINT_OUTCOME_OK, 0, NULL);
	assert_int_equal(f.ncan, 5);
	assert_int_equal(f.can[4].err, EALREADY);
	assert_string_equal(f.can[4].status, "completed");

	/* gw_sip refusing the cancel */
	id = create_call(&f);
	f.sip->cancel_err = ENOMEM;
	assert_int_equal(gw_reqs_cancel(f.r, id, "shop", canceled_h, &f), 0);
	pump(&f);
	assert_int_equal(f.ncan, 6);
	assert_int_equal(f.can[5].err, ENOMEM);
	check_status(&f, id, "sending");
	assert_int_equal(gw_reqs_cancel(NULL, id, NULL, canceled_h, &f), EINVAL);
	assert_int_equal(gw_reqs_cancel(f.r, id, NULL, NULL, &f), EINVAL);
	fx_done(&f);
}

/* A crash after "sending" was committed, before the INVITE left: the
 * restart sends the INVITE with the identities on disk. */
static void test_crash_before_invite(void **state)
{
	static const char call[] = "{\"service\":\"call\",\"to\":\"+15555550199\"}";
	struct fx f;
	struct gw_store_req row;
	struct fake_call *c;
	char id[GW_REQ_ID_SIZE], msg[128];

	(void)state;
	fx_init(&f, 100);
	assert_int_equal(gw_reqs_create(f.r, spec_for(&f, call, "shop"), created_h, &f), 0);
	/* the create's commit: the reply, and "sending" queued behind it */
	assert_int_equal(gw_store_commit(f.store), 0);
	assert_int_equal(f.ncreated, 1);
	copy(id, sizeof(id), f.created_id[0]);
	check_status(&f, id, "queued");
	/* pintgw stops: what it queued is committed, nothing was sent */
	table_close(&f);
	get_row(&f, id, &row);
	assert_string_equal(row.status, "sending");
	check_ids(row.call_id, row.from_tag, row.sess_id, row.branch);
	assert_int_equal(row.cseq, 1);
	assert_int_equal(row.attempt, 1);
	assert_null(row.gateway);
	check_events(&f, id, "queued,sending");

	table_open(&f);
	peek_on(&f);
	copy(f.peek_id, sizeof(f.peek_id), id);
	assert_int_equal(gw_reqs_recover(f.r, msg, sizeof(msg)), 0);
	assert_string_equal(msg, "1 live: 0 queued, 1 resent, 0 re-watched, 0 interrupted");
	assert_int_equal(f.sip->starts, 0);
	pump(&f);
	/* the resend is on disk before it goes, and goes as stored */
	assert_int_equal(f.sip->starts, 1);
	assert_int_equal(f.peek.starts, 1);
	assert_string_equal(f.peek.events, "queued,sending,sending");
	assert_int_equal(f.peek.attempt, 2);
	assert_true(f.peek.same);
	assert_true(f.peek.same_branch);
	c = fake_sip_nth(f.sip, 0);
	assert_true(c->resumed);
	assert_string_equal(c->call_id, row.call_id);
	assert_string_equal(c->from_tag, row.from_tag);
	assert_string_equal(c->sess_id, row.sess_id);
	assert_true(c->kept_branch);
	assert_string_equal(c->branch, row.branch);
	assert_int_equal(c->cseq, 1);
	assert_string_equal(c->gateway, "");    /* the only one configured */
	gw_store_req_clear(&row);
	/* and lives on as any call */
	emit(&f, c->ref, PINT_STATUS_PROCEEDING, 0, 180, NULL);
	emit(&f, c->ref, PINT_STATUS_COMPLETED, PINT_OUTCOME_OK, 200, NULL);
	check_events(&f, id, "queued,sending,sending,proceeding,completed");
	get_row(&f, id, &row);
	assert_string_equal(row.gateway, "gw-a");
	assert_non_null(row.sdp);
	gw_store_req_clear(&row);
	fx_done(&f);
}

/* The store refuses the batch with "sending": nothing is sent, the
 * request fails when it can be stored, or stays queued on disk. */
static void test_sending_not_stored(void **state)
{
	static const char call[] = "{\"service\":\"call\",\"to\":\"+15555550199\"}";
	struct fx f;
	struct gw_store_req row;
	char id[GW_REQ_ID_SIZE], msg[128];
	FILE *null = fopen("/dev/null", "w");

	(void)state;
	assert_non_null(null);
	fx_init(&f, 100);
	log_set_output(null);
	assert_int_equal(gw_reqs_create(f.r, spec_for(&f, call, "shop"), created_h, &f), 0);
	assert_int_equal(gw_store_commit(f.store), 0);
	copy(id, sizeof(id), f.created_id[0]);
	assert_int_equal(sqlite3_exec(gw_store_db(f.store), "PRAGMA query_only = 1",
				      NULL, NULL, NULL), SQLITE_OK);
	pump(&f);
	assert_int_equal(f.sip->starts, 0);
	assert_int_equal(gw_reqs_live(f.r), 0);
	assert_int_equal(sqlite3_exec(gw_store_db(f.store), "PRAGMA query_only = 0",
				      NULL, NULL, NULL), SQLITE_OK);
	check_events(&f, id, "queued");

	/* the next start sends it as new */
	table_close(&f);
	table_open(&f);
	assert_int_equal(gw_reqs_recover(f.r, msg, sizeof(msg)), 0);
	assert_string_equal(msg, "1 live: 1 queued, 0 resent, 0 re-watched, 0 interrupted");
	pump(&f);
	assert_int_equal(f.sip->starts, 1);
	get_row(&f, id, &row);
	assert_string_equal(row.status, "sending");
	assert_string_equal(row.call_id, fake_sip_nth(f.sip, 0)->call_id);
	gw_store_req_clear(&row);
	fx_done(&f);
	fclose(null);
}

/* Canceled between its "sending" and that commit: never sent. */
static void test_cancel_while_starting(void **state)
{
	struct fx f;
	struct gw_store_req row;
	const char *id;

	(void)state;
	fx_init(&f, 100);
	assert_int_equal(gw_reqs_create(f.r, spec_for(&f, "{\"service\":\"call\","
				"\"to\":\"+15555550199\"}", "shop"), created_h, &f), 0);
	assert_int_equal(gw_store_commit(f.store), 0);
	id = f.created_id[0];
	assert_int_equal(gw_reqs_cancel(f.r, id, "shop", canceled_h, &f), 0);
	pump(&f);
	assert_int_equal(f.sip->starts, 0);
	assert_int_equal(f.ncan, 1);
	assert_int_equal(f.can[0].err, 0);
	assert_string_equal(f.can[0].status, "canceled");
	check_events(&f, id, "queued,sending,canceled");
	get_row(&f, id, &row);
	assert_string_equal(row.info, "canceled before it was sent");
	gw_store_req_clear(&row);
	assert_int_equal(gw_reqs_live(f.r), 0);
	fx_done(&f);
}

/* ---- limits, drain, reload --------------------------------------------- */

static void test_max_pending(void **state)
{
	struct fx f;
	struct gw_conf *bigger;

	(void)state;
	fx_init(&f, 2);
	create_call(&f);
	create_call(&f);
	assert_int_equal(gw_reqs_live(f.r), 2);
	assert_int_equal(gw_reqs_create(f.r, spec_for(&f, "{\"service\":\"call\","
				"\"to\":\"+15555550199\"}", "shop"), created_h, &f), EAGAIN);
	pump(&f);
	assert_int_equal(f.ncreated, 2);
	assert_int_equal(gw_reqs_create(f.r, NULL, created_h, &f), EINVAL);

	/* a reload raises the limit for new requests; live ones stay */
	bigger = conf_make(3, "gw-a");
	gw_reqs_reload(f.r, bigger);
	create_call(&f);
	assert_int_equal(gw_reqs_live(f.r), 3);
	gw_reqs_reload(f.r, f.conf);
	gw_conf_free(bigger);
	fx_done(&f);
}

static void test_drain(void **state)
{
	struct fx f;
	struct pint_mbuf mb;
	uint64_t ref;

	(void)state;
	fx_init(&f, 100);
	create_call(&f);
	ref = last_ref(&f);
	assert_false(gw_reqs_idle(f.r));        /* an INVITE awaits its answer */
	pint_mbuf_init(&mb, 4096);
	assert_int_equal(gw_reqs_debug(f.r, &mb), 0);
	assert_non_null(strstr(mb.buf, "requests: live=1 in_flight=1"));
	assert_non_null(strstr(mb.buf, "status=sending seq=2"));
	pint_mbuf_reset(&mb);
	gw_reqs_drain(f.r);
	assert_int_equal(gw_reqs_create(f.r, spec_for(&f, "{\"service\":\"call\","
				"\"to\":\"+15555550199\"}", "shop"), created_h, &f), EAGAIN);
	emit(&f, ref, PINT_STATUS_PROCEEDING, 0, 180, NULL);
	assert_false(gw_reqs_idle(f.r));
	emit(&f, ref, PINT_STATUS_ACCEPTED, 0, 200, NULL);
	/* accepted services are watched again after a restart */
	assert_true(gw_reqs_idle(f.r));
	assert_int_equal(gw_reqs_live(f.r), 1);
	fx_done(&f);
}

/* ---- recovery ---------------------------------------------------------- */

static const char *put_row(struct fx *f, const char *id, const char *status,
			   const char *body, int64_t start_at, int64_t stop_at,
			   const char *gateway, const char *sdp, uint32_t last_seq)
{
	struct gw_spec *spec = spec_for(f, body, "shop");
	struct gw_store_req r;

	memset(&r, 0, sizeof(r));
	r.id = (char *)(uintptr_t)id;
	r.owner = (char *)(uintptr_t)"shop";
	r.service = spec->service;
	r.status = (char *)(uintptr_t)status;
	r.created_at = 1700000000000ll;
	r.updated_at = r.created_at;
	r.start_at = start_at;
	r.stop_at = stop_at;
	r.to_input = spec->to_input;
	r.to_number = spec->to.e164;
	r.gateway = (char *)(uintptr_t)gateway;
	r.sdp = (char *)(uintptr_t)sdp;
	r.spec = spec->json;
	r.last_seq = last_seq;
	assert_int_equal(gw_store_put_request(f->store, &r, NULL, NULL), 0);
	gw_spec_free(spec);
	return id;
}

static void test_recovery(void **state)
{
	static const char call[] = "{\"service\":\"call\",\"to\":\"+15555550199\"}";
	static const char sdp[] = "v=0\r\no=- 77 77 IN IP4 192.0.2.1\r\ns=R2C\r\n";
	struct fx f;
	char sending[32], proceeding[32], accepted[32], untracked[32], done[32];
	char msg[256], *log_text = NULL;
	size_t log_len = 0;
	struct gw_reqs_stats st;
	struct fake_call *c;
	struct gw_store_req row;
	FILE *log;
	uint64_t ref;
	size_t i;
	int64_t now = wall_ms();

	(void)state;
	fx_init(&f, 100);
	/* life before the restart */
	copy(sending, sizeof(sending), create_call(&f));
	copy(proceeding, sizeof(proceeding), create_call(&f));
	emit(&f, last_ref(&f), PINT_STATUS_PROCEEDING, 0, 180, NULL);
	copy(accepted, sizeof(accepted), create_call(&f));
	emit(&f, last_ref(&f), PINT_STATUS_ACCEPTED, 0, 200, NULL);
	copy(untracked, sizeof(untracked), create(&f, "{\"service\":\"call\","
	     "\"to\":\"+15555550199\",\"track\":false}", "shop"));
	emit(&f, last_ref(&f), PINT_STATUS_ACTIVE, 0, 200, NULL);
	copy(done, sizeof(done), create_call(&f));
	emit(&f, last_ref(&f), PINT_STATUS_FAILED, PINT_OUTCOME_BUSY, 486, NULL);
	/* rows a crash may leave */
	put_row(&f, "rq_due", "queued", call, 0, 0, NULL, NULL, 1);
	put_row(&f, "rq_later", "queued", call, now + 3600000, 0, NULL, NULL, 1);
	put_row(&f, "rq_missed", "queued", call, now - 7200000, now - 3600000,
		NULL, NULL, 1);
	put_row(&f, "rq_nosdp", "active", call, 0, 0, "gw-a", NULL, 4);
	put_row(&f, "rq_badspec", "queued", "{\"service\":\"call\",\"to\":\"+15555550199\","
		"\"gateway\":\"gw-a\"}", 0, 0, NULL, NULL, 1);
	put_row(&f, "rq_watched", "accepted", call, 0, 0, "gw-a", sdp, 3);
	pump(&f);
	table_close(&f);

	/* the restart: [gateway gw-a] is gone from the new configuration */
	log = tmpfile();
	assert_non_null(log);
	log_set_output(log);
	log_set_level(LOG_LEVEL_INFO);
	gw_conf_free(f.conf);
	f.conf = conf_make(100, "gw-b");
	table_open(&f);
	memset(f.pub, 0, sizeof(f.pub));
	f.npub = 0;
	assert_int_equal(gw_reqs_recover(f.r, msg, sizeof(msg)), 0);
	assert_string_equal(msg, "10 live: 4 queued, 1 resent, 2 re-watched, 3 interrupted");
	/* nothing is sent from inside the scan */
	assert_int_equal(f.sip->starts, 0);
	pump(&f);
	fflush(log);
	log_len = (size_t)ftell(log);
	log_text = calloc(1, log_len + 1);
	rewind(log);
	assert_int_equal(fread(log_text, 1, log_len, log), log_len);
	fclose(log);
	log_set_output(NULL);
	log_set_level(LOG_LEVEL_ERR);
	assert_non_null(strstr(log_text, "requests: recovered"));
	assert_non_null(strstr(log_text, "req=rq_missed"));
	free(log_text);

	/* sending: sent again as it was (test_recovery_resend) */
	check_events(&f, sending, "queued,sending,sending");
	check_events(&f, proceeding, "queued,sending,proceeding,failed");
	get_row(&f, proceeding, &row);
	assert_non_null(strstr(row.outcome, "\"code\":\"interrupted\""));
	assert_non_null(strstr(row.info, "never dialled twice"));
	gw_store_req_clear(&row);
	check_events(&f, untracked, "queued,sending,active,failed");
	check_events(&f, done, "queued,sending,failed");
	check_status(&f, "rq_due", "sending");
	check_status(&f, "rq_later", "queued");
	check_status(&f, "rq_missed", "expired");
	check_status(&f, "rq_nosdp", "failed");
	check_status(&f, "rq_watched", "accepted");
	/* stored seq goes on: rq_nosdp was at 4 */
	assert_int_equal(f.npub, 7);
	get_row(&f, "rq_nosdp", &row);
	assert_int_equal(row.last_seq, 5);
	gw_store_req_clear(&row);
	/* a queued spec that no longer resolves fails when it is due */
	check_status(&f, "rq_badspec", "failed");
	get_row(&f, "rq_badspec", &row);
	assert_non_null(strstr(row.info, "no longer valid"));
	gw_store_req_clear(&row);

	/* the accepted ones are watched again with what the row kept */
	assert_int_equal(f.sip->watches, 2);
	c = fake_sip_call(f.sip, fake_sip_nth(f.sip, 0)->ref);
	assert_true(c->watched);
	check_status(&f, accepted, "accepted");
	gw_reqs_stats(f.r, &st);
	assert_int_equal(st.recovered, 7);
	assert_int_equal(st.interrupted, 3);
	assert_int_equal(st.scheduled, 1);
	/* resent, due (sending), later, 2 watched */
	assert_int_equal(gw_reqs_live(f.r), 5);

	/* a watched service cannot be stopped from here (no INVITE dialog) */
	for (i = 0; i < f.sip->ncalls; i++)
		if (f.sip->calls[i].watched && !strcmp(f.sip->calls[i].sdp, sdp))
			break;
	assert_true(i < f.sip->ncalls);
	assert_int_equal(gw_reqs_cancel(f.r, "rq_watched", "shop", canceled_h, &f), 0);
	pump(&f);
	assert_int_equal(f.ncan, 1);
	assert_int_equal(f.can[0].err, EBUSY);
	assert_non_null(strstr(f.can[0].info, "watched"));
	/* its end still comes through the subscription */
	ref = f.sip->calls[i].ref;
	emit(&f, ref, PINT_STATUS_ACTIVE, 0, 0, NULL);
	emit(&f, ref, PINT_STATUS_COMPLETED, PINT_OUTCOME_OK, 0, NULL);
	check_status(&f, "rq_watched", "completed");
	get_row(&f, "rq_watched", &row);
	assert_int_equal(row.last_seq, 5);
	gw_store_req_clear(&row);
	/* a second recovery finds only what is live already */
	assert_int_equal(gw_reqs_recover(f.r, msg, sizeof(msg)), 0);
	assert_string_equal(msg, "0 live: 0 queued, 0 resent, 0 re-watched, 0 interrupted");
	fx_done(&f);
}

static void test_recovery_watch_errors(void **state)
{
	static const char call[] = "{\"service\":\"call\",\"to\":\"+15555550199\"}";
	static const char sdp[] = "v=0\r\ns=R2C\r\n";
	struct fx f;
	struct gw_store_req row;
	char msg[128];

	(void)state;
	fx_init(&f, 100);
	put_row(&f, "rq_a", "accepted", call, 0, 0, "gw-gone", sdp, 3);
	pump(&f);
	f.sip->watch_err = ENOENT;
	assert_int_equal(gw_reqs_recover(f.r, msg, sizeof(msg)), 0);
	pump(&f);
	get_row(&f, "rq_a", &row);
	assert_string_equal(row.status, "failed");
	assert_non_null(strstr(row.outcome, "interrupted"));
	assert_non_null(strstr(row.info, "could not be re-established"));
	gw_store_req_clear(&row);
	fx_done(&f);
}

/* What a "sending" row holds of the INVITE's identities, by the version
 * of pintgw that stored it. */
enum ids_level {
	IDS_V1,         /* the Call-ID only */
	IDS_V2,         /* and From tag, CSeq, session id: no branch */
	IDS_ALL,        /* and the Via branch */
};

#define STORED_BRANCH "z9hG4bKQnJhbmNoLXN0b3JlZC0x"

/* A "sending" row as pintgw (of that version) leaves it. */
static void put_sending(struct fx *f, const char *id, const char *body,
			int64_t updated_at, const char *gateway, enum ids_level ids)
{
	struct gw_spec *spec = spec_for(f, body, "shop");
	struct gw_store_req r;
	char call_id[FAKE_SIP_ID_SIZE];

	snprintf(call_id, sizeof(call_id), "cid-%s", id);
	memset(&r, 0, sizeof(r));
	r.id = (char *)(uintptr_t)id;
	r.owner = (char *)(uintptr_t)"shop";
	r.service = spec->service;
	r.status = (char *)(uintptr_t)"sending";
	r.created_at = updated_at - 1000;
	r.updated_at = updated_at;
	r.to_input = spec->to_input;
	r.to_number = spec->to.e164;
	r.gateway = (char *)(uintptr_t)gateway;
	r.call_id = call_id;
	if (ids >= IDS_V2) {
		r.from_tag = (char *)(uintptr_t)"RnJvbS10YWctc3RvcmVkLQ";
		r.sess_id = (char *)(uintptr_t)"271828182845904523536";
		r.cseq = 1;
	}
	if (ids >= IDS_ALL)
		r.branch = (char *)(uintptr_t)STORED_BRANCH;
	r.spec = spec->json;
	r.last_seq = 2;
	r.attempt = 1;
	assert_int_equal(gw_store_put_request(f->store, &r, NULL, NULL), 0);
	gw_spec_free(spec);
}

static void check_interrupted(struct fx *f, const char *id, const char *why)
{
	struct gw_store_req row;

	get_row(f, id, &row);
	assert_string_equal(row.status, "failed");
	assert_non_null(strstr(row.outcome, "\"code\":\"interrupted\""));
	if (!strstr(row.info, why))
		fail_msg("%s: info '%s' lacks '%s'", id, row.info, why);
	gw_store_req_clear(&row);
}

/* The restart sends "sending" again as the same request, where that is
 * safe, and fails "proceeding" as interrupted. */
static void test_recovery_resend(void **state)
{
	static const char call[] = "{\"service\":\"call\",\"to\":\"+15555550199\"}";
	struct fx f;
	struct gw_store_req row, first;
	struct fake_call *c;
	char sent[GW_REQ_ID_SIZE], ringing[GW_REQ_ID_SIZE], msg[128];
	int64_t now = wall_ms();

	(void)state;
	fx_init(&f, 100);
	copy(sent, sizeof(sent), create_call(&f));
	get_row(&f, sent, &first);
	copy(ringing, sizeof(ringing), create_call(&f));
	emit(&f, last_ref(&f), PINT_STATUS_PROCEEDING, 0, 180, NULL);
	put_sending(&f, "rq_v1", call, now, "gw-a", IDS_V1);
	put_sending(&f, "rq_old", call, now - 600000, "gw-a", IDS_ALL);
	put_sending(&f, "rq_cancel", call, now, "gw-a", IDS_ALL);
	pump(&f);
	table_close(&f);

	table_open(&f);
	peek_on(&f);
	copy(f.peek_id, sizeof(f.peek_id), sent);
	assert_int_equal(gw_reqs_recover(f.r, msg, sizeof(msg)), 0);
	assert_string_equal(msg, "5 live: 0 queued, 2 resent, 0 re-watched, 3 interrupted");
	/* canceled before the resend went: not sent */
	assert_int_equal(gw_reqs_cancel(f.r, "rq_cancel", "shop", canceled_h, &f), 0);
	pump(&f);
	assert_int_equal(f.ncan, 1);
	assert_int_equal(f.can[0].err, 0);
	get_row(&f, "rq_cancel", &row);
	assert_string_equal(row.status, "canceled");
	assert_non_null(strstr(row.info, "after a restart"));
	gw_store_req_clear(&row);

	/* sent again: the same identities, the same gateway, recorded first;
	 * the same branch and CSeq make it a retransmission of the first */
	assert_int_equal(f.sip->starts, 1);
	assert_int_equal(f.peek.starts, 1);
	assert_true(f.peek.same);
	assert_true(f.peek.same_branch);
	assert_string_equal(f.peek.events, "queued,sending,sending");
	c = fake_sip_nth(f.sip, 0);
	assert_true(c->resumed);
	assert_string_equal(c->call_id, first.call_id);
	assert_string_equal(c->from_tag, first.from_tag);
	assert_string_equal(c->sess_id, first.sess_id);
	assert_true(c->kept_branch);
	assert_non_null(first.branch);
	assert_string_equal(c->branch, first.branch);
	assert_int_equal(c->cseq, first.cseq);
	assert_string_equal(c->gateway, first.gateway);
	get_row(&f, sent, &row);
	assert_string_equal(row.status, "sending");
	assert_string_equal(row.call_id, first.call_id);
	assert_string_equal(row.branch, first.branch);
	assert_int_equal(row.cseq, first.cseq);
	assert_int_equal(row.attempt, 2);
	assert_non_null(strstr(row.info, "sent again as the same request"));
	gw_store_req_clear(&row);
	gw_store_req_clear(&first);

	/* a phone may have rung: never twice */
	check_interrupted(&f, ringing, "never dialled twice");
	check_interrupted(&f, "rq_v1", "identities are not stored");
	check_interrupted(&f, "rq_old", "may no longer know");

	/* the gateway answers the retransmission as it did the first */
	emit(&f, c->ref, PINT_STATUS_FAILED, PINT_OUTCOME_BUSY, 486, NULL);
	get_row(&f, sent, &row);
	assert_string_equal(row.status, "failed");
	assert_non_null(strstr(row.outcome, "\"code\":\"busy\""));
	gw_store_req_clear(&row);
	check_events(&f, sent, "queued,sending,sending,failed");
	assert_int_equal(gw_reqs_live(f.r), 0);
	fx_done(&f);
}

/* The fake's call with this Call-ID, which must exist. */
static struct fake_call *call_by_id(struct fx *f, const char *call_id)
{
	size_t i;

	for (i = 0; i < f->sip->ncalls; i++)
		if (!strcmp(f->sip->calls[i].call_id, call_id))
			return &f->sip->calls[i];
	fail_msg("no call %s", call_id);
	/* not reached: fail_msg ends the test; keeps -Wnull-dereference quiet */
	return &f->sip->calls[0];
}

/* A row stored with its branch is resent with it; one an older pintgw
 * stored without goes with a new branch, which is stored, and a 482 to
 * it (the gateway merged it with the first) is an interruption. */
static void test_recovery_resend_branch(void **state)
{
	static const char call[] = "{\"service\":\"call\",\"to\":\"+15555550199\"}";
	struct fx f;
	struct gw_store_req row;
	struct fake_call *c;
	char msg[128];
	int64_t now = wall_ms();

	(void)state;
	fx_init(&f, 100);
	put_sending(&f, "rq_v2", call, now, "gw-a", IDS_V2);
	put_sending(&f, "rq_v3", call, now, "gw-a", IDS_ALL);
	assert_int_equal(gw_store_commit(f.store), 0);
	table_close(&f);
	table_open(&f);
	assert_int_equal(gw_reqs_recover(f.r, msg, sizeof(msg)), 0);
	assert_string_equal(msg, "2 live: 0 queued, 2 resent, 0 re-watched, 0 interrupted");
	pump(&f);
	assert_int_equal(f.sip->starts, 2);

	c = call_by_id(&f, "cid-rq_v3");
	assert_true(c->resumed);
	assert_true(c->kept_branch);
	assert_string_equal(c->branch, STORED_BRANCH);
	assert_int_equal(c->cseq, 1);
	get_row(&f, "rq_v3", &row);
	assert_string_equal(row.branch, STORED_BRANCH);
	gw_store_req_clear(&row);
	emit(&f, c->ref, PINT_STATUS_PROCEEDING, 0, 180, NULL);
	emit(&f, c->ref, PINT_STATUS_COMPLETED, PINT_OUTCOME_OK, 200, NULL);
	check_status(&f, "rq_v3", "completed");

	c = call_by_id(&f, "cid-rq_v2");
	assert_true(c->resumed);
	assert_false(c->kept_branch);
	assert_int_equal(strncmp(c->branch, "z9hG4bK", 7), 0);
	assert_string_not_equal(c->branch, STORED_BRANCH);
	assert_int_equal(c->cseq, 1);
	/* what went out is on disk: a later restart resends it as such */
	get_row(&f, "rq_v2", &row);
	assert_string_equal(row.branch, c->branch);
	assert_string_equal(row.from_tag, "RnJvbS10YWctc3RvcmVkLQ");
	assert_int_equal(row.cseq, 1);
	gw_store_req_clear(&row);
	emit(&f, c->ref, PINT_STATUS_FAILED, PINT_OUTCOME_ERROR, 482, NULL);
	check_interrupted(&f, "rq_v2", "(482)");
	assert_int_equal(gw_reqs_live(f.r), 0);
	fx_done(&f);
}

/*
 * The identities follow the call: an authenticated retry (new CSeq and
 * branch) and a failover (new Call-ID, tag, branch, gateway) reach the
 * row with their events, and a restart resends the latest INVITE as it
 * went (its branch, its CSeq). A watched call (no INVITE, branch "")
 * leaves the stored branch alone.
 */
static void test_identity_changes(void **state)
{
	struct fx f;
	struct gw_store_req row;
	struct fake_call *c;
	char id[GW_REQ_ID_SIZE], msg[128];

	(void)state;
	fx_init(&f, 100);
	copy(id, sizeof(id), create_call(&f));
	c = fake_sip_nth(f.sip, 0);
	get_row(&f, id, &row);
	assert_string_equal(row.branch, c->branch);
	gw_store_req_clear(&row);

	/* a 407 and the retry with credentials: CSeq 2, a new branch */
	c->cseq = 2;
	snprintf(c->branch, sizeof(c->branch), "z9hG4bKYXV0aC1yZXRyeS1icmFuY2g");
	emit(&f, c->ref, PINT_STATUS_NONE, 0, 407, "authenticating");
	get_row(&f, id, &row);
	assert_string_equal(row.status, "sending");
	assert_string_equal(row.branch, "z9hG4bKYXV0aC1yZXRyeS1icmFuY2g");
	assert_int_equal(row.cseq, 2);
	assert_string_equal(row.call_id, c->call_id);
	gw_store_req_clear(&row);

	/* pintgw stops; the restart resends the retry, not the first INVITE */
	table_close(&f);
	table_open(&f);
	peek_on(&f);
	copy(f.peek_id, sizeof(f.peek_id), id);
	assert_int_equal(gw_reqs_recover(f.r, msg, sizeof(msg)), 0);
	assert_string_equal(msg, "1 live: 0 queued, 1 resent, 0 re-watched, 0 interrupted");
	pump(&f);
	assert_true(f.peek.same_branch);
	c = fake_sip_nth(f.sip, 0);
	assert_true(c->kept_branch);
	assert_string_equal(c->branch, "z9hG4bKYXV0aC1yZXRyeS1icmFuY2g");
	assert_int_equal(c->cseq, 2);

	/* a failover: everything new, with its evidence event */
	snprintf(c->call_id, sizeof(c->call_id), "ZmFpbG92ZXItY2FsbC1pZA");
	snprintf(c->from_tag, sizeof(c->from_tag), "ZmFpbG92ZXItdGFn");
	snprintf(c->branch, sizeof(c->branch), "z9hG4bKZmFpbG92ZXItYnJhbmNo");
	snprintf(c->gateway, sizeof(c->gateway), "gw-b");
	c->cseq = 1;
	emit(&f, c->ref, PINT_STATUS_NONE, 0, 503, "gw-a unavailable, trying gw-b");
	get_row(&f, id, &row);
	assert_string_equal(row.call_id, "ZmFpbG92ZXItY2FsbC1pZA");
	assert_string_equal(row.from_tag, "ZmFpbG92ZXItdGFn");
	assert_string_equal(row.branch, "z9hG4bKZmFpbG92ZXItYnJhbmNo");
	assert_string_equal(row.gateway, "gw-b");
	assert_int_equal(row.cseq, 1);
	gw_store_req_clear(&row);

	/* accepted, restarted, watched: its events keep the branch */
	emit(&f, c->ref, PINT_STATUS_ACCEPTED, 0, 200, NULL);
	table_close(&f);
	table_open(&f);
	assert_int_equal(gw_reqs_recover(f.r, msg, sizeof(msg)), 0);
	assert_string_equal(msg, "1 live: 0 queued, 0 resent, 1 re-watched, 0 interrupted");
	c = fake_sip_nth(f.sip, 0);
	assert_true(c->watched);
	assert_string_equal(c->branch, "");
	emit(&f, c->ref, PINT_STATUS_ACTIVE, 0, 0, "connected");
	get_row(&f, id, &row);
	assert_string_equal(row.status, "active");
	assert_string_equal(row.branch, "z9hG4bKZmFpbG92ZXItYnJhbmNo");
	gw_store_req_clear(&row);
	fx_done(&f);
}

/* Among several gateways pint/ua may have failed over (new identities,
 * no event): only a request that names its gateway is sent again. */
static void test_recovery_resend_gateways(void **state)
{
	static const char call[] = "{\"service\":\"call\",\"to\":\"+15555550199\"}";
	static const char to_b[] = "{\"service\":\"call\",\"to\":\"+15555550199\","
				   "\"gateway\":\"gw-b\"}";
	struct fx f;
	char msg[128];
	int64_t now = wall_ms();
	size_t i;

	(void)state;
	fx_init(&f, 100);
	table_close(&f);
	gw_conf_free(f.conf);
	f.conf = conf_make_ex(100, "gw-a", "[gateway gw-b]\naddress = udp:192.0.2.8\n");
	table_open(&f);
	put_sending(&f, "rq_at_a", call, now, "gw-a", IDS_ALL);
	put_sending(&f, "rq_asked_b", to_b, now, NULL, IDS_ALL);
	put_sending(&f, "rq_noted_b", to_b, now, "gw-b", IDS_ALL);
	put_sending(&f, "rq_any", call, now, NULL, IDS_ALL);
	assert_int_equal(gw_store_commit(f.store), 0);
	assert_int_equal(gw_reqs_recover(f.r, msg, sizeof(msg)), 0);
	assert_string_equal(msg, "4 live: 0 queued, 2 resent, 0 re-watched, 2 interrupted");
	pump(&f);
	assert_int_equal(f.sip->ncalls, 2);
	for (i = 0; i < f.sip->ncalls; i++) {
		assert_string_equal(f.sip->calls[i].gateway, "gw-b");
		assert_true(f.sip->calls[i].resumed);
	}
	check_status(&f, "rq_asked_b", "sending");
	check_status(&f, "rq_noted_b", "sending");
	check_interrupted(&f, "rq_at_a", "another gateway");
	check_interrupted(&f, "rq_any", "another gateway");
	fx_done(&f);
}

static int64_t fx_count(struct fx *f, const char *sql)
{
	sqlite3_stmt *st;
	int64_t v = -1;

	assert_int_equal(sqlite3_prepare_v2(gw_store_db(f->store), sql, -1, &st, NULL),
			 SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* Recovery reads live rows only: a big history costs nothing. */
static void test_recovery_scale(void **state)
{
	static const char call[] = "{\"service\":\"call\",\"to\":\"+15555550199\"}";
	struct gw_spec *spec;
	struct gw_store_req r;
	struct timespec t0, t1;
	char id[32], msg[128];
	int64_t later = wall_ms() + 3600000;
	long ms;
	int i;
	struct fx f;

	(void)state;
	fx_init(&f, 200000);
	spec = spec_for(&f, call, "shop");
	memset(&r, 0, sizeof(r));
	r.owner = (char *)(uintptr_t)"shop";
	r.service = spec->service;
	r.spec = spec->json;
	r.to_number = spec->to.e164;
	r.id = id;
	/* the history goes in through SQL: 100 000 puts would be the slow part */
	assert_int_equal(sqlite3_exec(gw_store_db(f.store),
		"WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n"
		" WHERE i < 99999) INSERT INTO requests (id, owner, service, status,"
		" created_at, updated_at, last_seq) SELECT printf('rq_old%06d', i),"
		" 'shop', 'call', CASE i % 2 WHEN 0 THEN 'failed' ELSE 'completed' END,"
		" 1600000000000 + i, 1600000000000 + i, 3 FROM n", NULL, NULL, NULL),
		SQLITE_OK);
	assert_int_equal(fx_count(&f, "SELECT count(*) FROM requests"), 100000);
	for (i = 0; i < 2000; i++) {
		snprintf(id, sizeof(id), "rq_live%06d", i);
		r.status = (char *)(uintptr_t)"queued";
		r.start_at = later + i;
		r.created_at = 1700000000000ll + i;
		r.last_seq = 1;
		assert_int_equal(gw_store_put_request(f.store, &r, NULL, NULL), 0);
	}
	gw_spec_free(spec);
	assert_int_equal(gw_store_commit(f.store), 0);

	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(gw_reqs_recover(f.r, msg, sizeof(msg)), 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
	assert_string_equal(msg, "2000 live: 2000 queued, 0 resent, 0 re-watched, 0 interrupted");
	assert_int_equal(gw_reqs_live(f.r), 2000);
	/* generous for sanitizers: a scan of the 100 000 rows would not fit */
	if (ms > 1500)
		fail_msg("recovery of 2000 live among 102000 rows took %ld ms", ms);
	fx_done(&f);
}


/* Allocation failure anywhere in create, commit, start and record: a
 * clean ENOMEM (or a logged, lost event), never a crash or a leak. */
static void test_alloc_failure(void **state)
{
	struct fx f;
	struct gw_spec *spec;
	unsigned long k, failed;
	long live;
	FILE *null = fopen("/dev/null", "w");
	int err, clean = 0;

	(void)state;
	assert_non_null(null);
	for (k = 1; k < 2000 && clean < 2; k++) {
		live = alloc_live();
		fx_init(&f, 100);
		log_set_output(null);
		spec = spec_for(&f, "{\"service\":\"call\",\"to\":\"+15555550199\"}", "shop");
		pump(&f);       /* the loop's timer heap exists: pump cannot fail */
		failed = alloc_failed();
		alloc_fail_at(k);
		err = gw_reqs_create(f.r, spec, created_h, &f);
		if (!err) {
			pump(&f);
			emit(&f, f.sip->ncalls ? last_ref(&f) : 0, PINT_STATUS_COMPLETED,
			     PINT_OUTCOME_OK, 200, NULL);
		}
		alloc_fail_at(0);
		if (err != 0 && err != ENOMEM)
			fail_msg("allocation %lu: create %d", k, err);
		assert_true(f.ncreated <= 1);
		if (f.ncreated && f.created_err[0] != 0 && f.created_err[0] != ENOMEM)
			fail_msg("allocation %lu: created %d", k, f.created_err[0]);
		clean = alloc_failed() == failed ? clean + 1 : 0;
		fx_done(&f);
		assert_int_equal(alloc_live(), live);
	}
	assert_int_equal(clean, 2);
	fclose(null);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		leakcheck_test(test_create_commit_order),
		leakcheck_test(test_ids_sort_by_creation),
		leakcheck_test(test_full_life),
		leakcheck_test(test_failure_outcome),
		leakcheck_test(test_forward_only),
		leakcheck_test(test_evidence),
		leakcheck_test(test_start_failures),
		leakcheck_test(test_scheduled_start),
		leakcheck_test(test_expiry),
		leakcheck_test(test_cancel_queued),
		leakcheck_test(test_cancel_from_created_handler),
		leakcheck_test(test_cancel_in_flight),
		leakcheck_test(test_cancel_cannot_abort),
		leakcheck_test(test_cancel_final_and_foreign),
		leakcheck_test(test_crash_before_invite),
		leakcheck_test(test_sending_not_stored),
		leakcheck_test(test_cancel_while_starting),
		leakcheck_test(test_max_pending),
		leakcheck_test(test_drain),
		leakcheck_test(test_recovery),
		leakcheck_test(test_recovery_watch_errors),
		leakcheck_test(test_recovery_resend),
		leakcheck_test(test_recovery_resend_gateways),
		leakcheck_test(test_recovery_resend_branch),
		leakcheck_test(test_identity_changes),
		leakcheck_test(test_recovery_scale),
		leakcheck_test(test_alloc_failure),
	};

	return cmocka_run_group_tests_name("gateway/requests", tests, NULL, NULL);
}
