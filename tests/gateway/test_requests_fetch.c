/*
 * tests/gateway/test_requests_fetch.c — gateway/requests_fetch.c: items
 * with "fetch": true through the request table, with a real SQLite store,
 * the real loop, the fake SIP side (fake_sipgw.c, which records the items
 * each call was given) and a real gw_fetch against content_server.c on
 * 127.0.0.1. The fetch while queued, the body inline in the call, every
 * failure ending content_fetch_failed without a call, the limits, cancel
 * during a fetch, draining, and restarts during and after a fetch.
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
#include <curl/curl.h>

#include "tests/pint/test_common.h"
#include "tests/gateway/content_server.h"
#include "tests/gateway/fake_sipgw.h"
#include "gateway/fetch.h"
#include "gateway/requests.h"

#define TEXT 320
#define EVENTS 16

static const char conf_text[] =
	"[pintgw]\n"
	"state_dir = /tmp/pintgw-reqs\n"
	"[sip]\n"
	"listen = udp:127.0.0.1:5060\n"
	"[gateway gw-a]\n"
	"address = udp:192.0.2.7\n"
	"[key shop]\n"
	"hash = sha256:401FE3CCB9F5FFB678ECD700EB48039250D139152A40C65A83ECCC706B997819\n"
	"[fetch]\n"
	"max_bytes = 1000\n"
	"timeout = 5\n"
	"allow_private = 127.0.0.1/32\n"
	"%s";

struct fx {
	char dir[128];
	struct gw_loop *loop;
	struct gw_store *store;
	struct gw_conf *conf;
	struct gw_sip *sip;
	struct gw_fetch *fetch;
	struct gw_reqs *r;
	size_t ncreated;
	char id[GW_REQ_ID_SIZE];        /* the last created */
	int can_err;
	unsigned ncan;
	char can_status[16];
};

/* ---- fixture ------------------------------------------------------------- */

static int rm_entry(const char *path, const struct stat *sb, int flag,
		    struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void created_h(int err, const struct gw_store_req *row, void *arg)
{
	struct fx *f = arg;

	assert_int_equal(err, 0);
	snprintf(f->id, sizeof(f->id), "%s", row->id);
	f->ncreated++;
}

static void canceled_h(int err, const struct gw_store_req *row,
		       const char *info, void *arg)
{
	struct fx *f = arg;

	(void)info;
	f->ncan++;
	f->can_err = err;
	snprintf(f->can_status, sizeof(f->can_status), "%s",
		 row ? row->status : "");
}

/* The table, its fake SIP side and (with_fetch) the fetcher. */
static void table_open(struct fx *f, bool with_fetch)
{
	char msg[128] = "";

	assert_int_equal(gw_reqs_alloc(&f->r, f->loop, f->store, NULL, f->conf,
				       NULL), 0);
	assert_int_equal(gw_sip_alloc(&f->sip, f->loop, f->conf,
				      gw_reqs_sip_event, NULL, f->r, NULL, 0), 0);
	gw_reqs_set_sip(f->r, f->sip);
	if (with_fetch) {
		assert_int_equal(gw_fetch_alloc(&f->fetch, f->loop,
						&f->conf->fetch, msg,
						sizeof(msg)), 0);
		gw_reqs_set_fetch(f->r, f->fetch);
	}
}

/* A restart's order: the SIP side, the table, then the fetcher. */
static void table_close(struct fx *f)
{
	gw_sip_free(f->sip);
	f->sip = NULL;
	gw_reqs_free(f->r);
	f->r = NULL;
	gw_fetch_free(f->fetch);
	f->fetch = NULL;
}

static void fx_init_ex(struct fx *f, const char *extra, bool with_fetch)
{
	struct gw_store_opts o = {.sync = GW_STORE_SYNC_NORMAL};
	char msg[GW_STORE_MSG_MAX], text[2048];
	const char *base = getenv("TMPDIR");
	struct gw_conf_errs errs;
	int n;

	memset(f, 0, sizeof(*f));
	log_set_level(getenv("RQF_DEBUG") ? LOG_LEVEL_DEBUG : LOG_LEVEL_ERR);
	snprintf(f->dir, sizeof(f->dir), "%s/pintgw-rqf-XXXXXX",
		 base && base[0] ? base : "/tmp");
	assert_non_null(mkdtemp(f->dir));
	assert_int_equal(gw_loop_alloc(&f->loop), 0);
	if (gw_store_open(&f->store, f->dir, &o, msg, sizeof(msg)))
		fail_msg("store: %s", msg);
	gw_store_attach(f->store, f->loop);
	n = snprintf(text, sizeof(text), conf_text, extra);
	assert_true(n > 0 && (size_t)n < sizeof(text));
	if (gw_conf_parse_string(&f->conf, text, (size_t)n, "t.conf", &errs) ||
	    errs.total)
		fail_msg("conf: %s", errs.n ? errs.msg[0] : "?");
	content_server_reset();
	table_open(f, with_fetch);
}

static void fx_init(struct fx *f)
{
	fx_init_ex(f, "", true);
}

static void fx_done(struct fx *f)
{
	table_close(f);
	gw_store_free(f->store);
	gw_loop_free(f->loop);
	gw_conf_free(f->conf);
	nftw(f->dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
	log_set_level(LOG_LEVEL_INFO);
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

	w->met = w->pred && w->pred(w->f);
	if (w->met || gw_loop_now(w->f->loop) >= w->deadline) {
		gw_loop_stop(w->f->loop);
		return;
	}
	assert_int_equal(gw_timer_start(w->f->loop, &w->t, 2, poll_h, w), 0);
}

/* Run the loop until pred holds (NULL: never) or max_ms pass. */
static bool run_until(struct fx *f, pred_h *pred, unsigned max_ms)
{
	struct waiter w;
	bool met;
	int i;

	memset(&w, 0, sizeof(w));
	w.f = f;
	w.pred = pred;
	w.deadline = gw_loop_update_time(f->loop) + max_ms;
	assert_int_equal(gw_timer_start(f->loop, &w.t, 0, poll_h, &w), 0);
	assert_int_equal(gw_loop_run(f->loop), 0);
	gw_timer_stop(f->loop, &w.t);
	met = w.met;
	/* a few more turns: commits and their callbacks */
	for (i = 0; i < 3; i++) {
		w.pred = NULL;
		w.deadline = 0;
		assert_int_equal(gw_timer_start(f->loop, &w.t, 0, poll_h, &w), 0);
		assert_int_equal(gw_loop_run(f->loop), 0);
		gw_timer_stop(f->loop, &w.t);
	}
	return met;
}

static void pump(struct fx *f)
{
	run_until(f, NULL, 0);
}

/* Create a fax of content items (JSON array text); its id in f->id. */
static void create(struct fx *f, const char *items)
{
	struct web_json_err e;
	struct web_req req;
	struct gw_spec *spec = NULL;
	char body[1024];
	size_t n = f->ncreated;
	int len;

	len = snprintf(body, sizeof(body), "{\"service\":\"fax\",\"to\":"
		       "\"+15555550199\",\"content\":%s}", items);
	assert_true(len > 0 && (size_t)len < sizeof(body));
	if (web_req_parse(&req, body, (size_t)len, &e))
		fail_msg("body: %s", e.message);
	if (gw_spec_build(&spec, &req, f->conf, gw_conf_key(f->conf, "shop"), &e))
		fail_msg("spec: %s", e.message);
	web_req_reset(&req);
	assert_int_equal(gw_reqs_create(f->r, spec, created_h, f), 0);
	pump(f);
	assert_int_equal(f->ncreated, n + 1);
}

/* [{"type":TYPE,"url":"http://127.0.0.1:PORT/PATH","fetch":true}] */
static const char *item(char *buf, size_t size, const char *type,
			const char *path)
{
	snprintf(buf, size, "[{\"type\":\"%s\",\"url\":\"http://127.0.0.1:%u%s\","
		 "\"fetch\":true}]", type, (unsigned)content_server_port(), path);
	return buf;
}

static void create_one(struct fx *f, const char *type, const char *path)
{
	char items[256];

	create(f, item(items, sizeof(items), type, path));
}

struct evs {
	size_t n;
	char status[EVENTS][16];
	char info[EVENTS][TEXT];
};

static void events(struct fx *f, const char *id, struct evs *out)
{
	struct gw_store_events evs;
	size_t i;

	memset(out, 0, sizeof(*out));
	assert_int_equal(gw_store_events(f->store, id, 0, EVENTS, &evs), 0);
	out->n = evs.n;
	for (i = 0; i < evs.n && i < EVENTS; i++) {
		snprintf(out->status[i], sizeof(out->status[i]), "%s",
			 evs.v[i].status);
		snprintf(out->info[i], sizeof(out->info[i]), "%s",
			 evs.v[i].info ? evs.v[i].info : "");
	}
	gw_store_events_clear(&evs);
}

static void check_events(struct fx *f, const char *id, const char *want)
{
	char got[256] = "";
	struct evs e;
	size_t i, len = 0;

	events(f, id, &e);
	for (i = 0; i < e.n; i++)
		len += (size_t)snprintf(got + len, sizeof(got) - len, "%s%s",
					i ? "," : "", e.status[i]);
	assert_string_equal(got, want);
}

static void row_of(struct fx *f, const char *id, struct gw_store_req *row)
{
	memset(row, 0, sizeof(*row));
	assert_int_equal(gw_store_get_request(f->store, id, NULL, row), 0);
}

/* id ended failed with outcome code and reason, info containing text. */
static void check_failed(struct fx *f, const char *id, const char *code,
			 const char *reason, const char *text)
{
	struct gw_store_req row;
	char want[96];

	row_of(f, id, &row);
	assert_string_equal(row.status, "failed");
	snprintf(want, sizeof(want), "\"code\":\"%s\"", code);
	if (!strstr(row.outcome, want))
		fail_msg("%s: outcome %s", id, row.outcome);
	snprintf(want, sizeof(want), "\"reason\":\"%s\"", reason);
	if (!strstr(row.outcome, want))
		fail_msg("%s: outcome %s", id, row.outcome);
	assert_non_null(strstr(row.outcome, "\"by\":\"pintgw\""));
	if (!row.info || !strstr(row.info, text))
		fail_msg("%s: info '%s' lacks '%s'", id, row.info, text);
	gw_store_req_clear(&row);
}

static bool started(struct fx *f)
{
	return f->sip->starts > 0;
}

static bool ended(struct fx *f)
{
	return gw_reqs_live(f->r) == 0;
}

static bool hang_asked(struct fx *f)
{
	(void)f;
	return content_server_hits("/hang") + content_server_hits("/hang-once") +
	       content_server_hits("/then-hang") >= 1;
}

static bool refetch_asked(struct fx *f)
{
	(void)f;
	return content_server_hits("/then-hang") >= 2;
}

static unsigned running(struct fx *f)
{
	struct gw_fetch_stats st;

	gw_fetch_stats(f->fetch, &st);
	return st.running;
}

/* ---- tests --------------------------------------------------------------- */

/* Fetched while queued, then sent with the body inline; the other items
 * as they were. */
static void test_fetch_then_send(void **state)
{
	char items[512];
	struct fake_call *c;
	struct evs e;
	struct fx f;

	(void)state;
	fx_init(&f);
	snprintf(items, sizeof(items), "[{\"type\":\"text/plain\",\"text\":\"cover\"},"
		 "{\"type\":\"text/plain\",\"url\":\"http://127.0.0.1:%u/doc\","
		 "\"fetch\":true},{\"type\":\"image/tiff\",\"url\":"
		 "\"https://example.com/q.tif\"},{\"type\":\"text/plain\",\"url\":"
		 "\"http://127.0.0.1:%u/doc2\",\"fetch\":true}]",
		 (unsigned)content_server_port(), (unsigned)content_server_port());
	create(&f, items);
	assert_true(run_until(&f, started, 5000));
	assert_int_equal(f.sip->starts, 1);
	c = fake_sip_nth(f.sip, 0);
	assert_int_equal(c->inline_items, 3);
	assert_int_equal(c->uri_items, 1);
	assert_string_equal(c->content[0], "cover");
	assert_string_equal(c->content[1], CONTENT_DOC);
	assert_string_equal(c->content[2], CONTENT_DOC2);
	check_events(&f, f.id, "queued,queued,sending");
	events(&f, f.id, &e);
	assert_string_equal(e.info[1], "fetching content: 2 items");
	assert_string_equal(e.info[2], "content fetched: 2 items, 51 bytes inline");
	assert_int_equal(content_server_hits("/doc"), 1);
	assert_int_equal(content_server_hits("/doc2"), 1);
	assert_int_equal(running(&f), 0);
	fx_done(&f);
}

/* Every failure ends the request before SIP: content_fetch_failed. */
static void test_failures(void **state)
{
	static const struct {
		const char *type;
		const char *path;       /* NULL: the 127.0.0.2 one */
		const char *reason;
		const char *text;
	} t[] = {
		{"text/plain", "/big", "too_large", "over 1000 bytes"},
		{"application/pdf", "/html", "wrong_type", "text/html, not application/pdf"},
		{"text/plain", "/missing", "http_status", "HTTP 404"},
		{"text/plain", "/redir", "redirect", "HTTP 302"},
		{"text/plain", "/empty", "empty", "empty body"},
		{"text/plain", NULL, "refused_address", "127.0.0.2 (loopback)"},
	};
	char ids[6][GW_REQ_ID_SIZE], want[64];
	struct fx f;
	size_t i;

	(void)state;
	fx_init(&f);
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		if (t[i].path)
			create_one(&f, t[i].type, t[i].path);
		else
			create(&f, "[{\"type\":\"text/plain\",\"url\":"
			       "\"http://127.0.0.2:9/doc\",\"fetch\":true}]");
		snprintf(ids[i], sizeof(ids[i]), "%s", f.id);
	}
	assert_true(run_until(&f, ended, 5000));
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		snprintf(want, sizeof(want), "content[0] not fetched (%s): ",
			 t[i].reason);
		check_failed(&f, ids[i], "content_fetch_failed", t[i].reason,
			     t[i].text);
		check_failed(&f, ids[i], "content_fetch_failed", t[i].reason, want);
		check_events(&f, ids[i], "queued,queued,failed");
	}
	assert_int_equal(f.sip->starts, 0);
	assert_int_equal(content_server_hits("/doc"), 0);      /* no redirect */
	fx_done(&f);
}

/* The first failure ends the request and stops its other transfers. */
static void test_first_failure_stops_the_rest(void **state)
{
	char items[256];
	struct fx f;

	(void)state;
	fx_init(&f);
	snprintf(items, sizeof(items), "[{\"type\":\"text/plain\",\"url\":"
		 "\"http://127.0.0.1:%u/hang\",\"fetch\":true},{\"type\":"
		 "\"text/plain\",\"url\":\"http://127.0.0.1:%u/missing\","
		 "\"fetch\":true}]", (unsigned)content_server_port(),
		 (unsigned)content_server_port());
	create(&f, items);
	assert_true(run_until(&f, ended, 3000));
	check_failed(&f, f.id, "content_fetch_failed", "http_status",
		     "content[1] not fetched");
	assert_int_equal(running(&f), 0);
	assert_int_equal(f.sip->starts, 0);
	fx_done(&f);
}

/* [fetch] max_total over the items, [sip] max_message over the INVITE. */
static void test_limits(void **state)
{
	char items[256];
	struct fx f;

	(void)state;
	fx_init_ex(&f, "max_total = 40\n", true);
	snprintf(items, sizeof(items), "[{\"type\":\"text/plain\",\"url\":"
		 "\"http://127.0.0.1:%u/doc\",\"fetch\":true},{\"type\":"
		 "\"text/plain\",\"url\":\"http://127.0.0.1:%u/doc2\","
		 "\"fetch\":true}]", (unsigned)content_server_port(),
		 (unsigned)content_server_port());
	create(&f, items);
	assert_true(run_until(&f, ended, 3000));
	check_failed(&f, f.id, "content_fetch_failed", "too_large",
		     "passes [fetch] max_total (40 bytes)");
	fx_done(&f);

	fx_init(&f);
	f.sip->preview_len = f.conf->sip.max_message + 1;
	create_one(&f, "text/plain", "/doc");
	assert_true(run_until(&f, ended, 3000));
	check_failed(&f, f.id, "content_fetch_failed", "too_large",
		     "would pass [sip] max_message (65535 bytes)");
	assert_int_equal(f.sip->starts, 0);
	fx_done(&f);
}

/* Without a fetcher nothing can be fetched, so nothing is sent. */
static void test_no_fetcher(void **state)
{
	struct fx f;

	(void)state;
	fx_init_ex(&f, "", false);
	create_one(&f, "text/plain", "/doc");
	assert_true(run_until(&f, ended, 1000));
	check_failed(&f, f.id, "content_fetch_failed", "internal",
		     "no content fetcher");
	assert_int_equal(f.sip->starts, 0);
	fx_done(&f);
}

/* A cancel during the fetch ends it at once, transfers too. */
static void test_cancel_while_fetching(void **state)
{
	struct gw_store_req row;
	struct fx f;

	(void)state;
	fx_init(&f);
	create_one(&f, "text/plain", "/hang");
	assert_true(run_until(&f, hang_asked, 3000));
	assert_int_equal(running(&f), 1);
	assert_int_equal(gw_reqs_cancel(f.r, f.id, "shop", canceled_h, &f), 0);
	pump(&f);
	assert_int_equal(f.ncan, 1);
	assert_int_equal(f.can_err, 0);
	assert_string_equal(f.can_status, "canceled");
	row_of(&f, f.id, &row);
	assert_string_equal(row.info, "canceled before it was sent");
	gw_store_req_clear(&row);
	check_events(&f, f.id, "queued,queued,canceled");
	assert_int_equal(running(&f), 0);
	assert_int_equal(f.sip->starts, 0);
	assert_int_equal(f.sip->cancels, 0);
	fx_done(&f);
}

static bool slow_running(struct fx *f)
{
	return running(f) == 1;
}

static bool slow_fetched(struct fx *f)
{
	return content_server_hits("/slow") >= 1 && running(f) == 0;
}

/* Draining: a fetch that ends then does not send; the request waits.
 * The server takes 300 ms, so the drain comes while it is in flight. */
static void test_drain(void **state)
{
	struct fx f;

	(void)state;
	fx_init(&f);
	create_one(&f, "text/plain", "/slow");
	assert_true(run_until(&f, slow_running, 5000));
	gw_reqs_drain(f.r);
	assert_true(run_until(&f, slow_fetched, 10000));
	run_until(&f, NULL, 100);
	assert_int_equal(content_server_hits("/slow"), 1);
	assert_int_equal(f.sip->starts, 0);
	assert_int_equal(gw_reqs_live(f.r), 1);
	assert_true(gw_reqs_idle(f.r));
	check_events(&f, f.id, "queued,queued");
	fx_done(&f);
}

/* A restart during the fetch: the queued request fetches again. */
static void test_restart_while_fetching(void **state)
{
	char msg[128], id[GW_REQ_ID_SIZE];
	struct fake_call *c;
	struct evs e;
	struct fx f;

	(void)state;
	fx_init(&f);
	create_one(&f, "text/plain", "/hang-once");
	snprintf(id, sizeof(id), "%s", f.id);
	assert_true(run_until(&f, hang_asked, 3000));
	table_close(&f);
	table_open(&f, true);
	assert_int_equal(gw_reqs_recover(f.r, msg, sizeof(msg)), 0);
	assert_string_equal(msg, "1 live: 1 queued, 0 resent, 0 re-watched, "
			    "0 interrupted");
	assert_true(run_until(&f, started, 5000));
	c = fake_sip_nth(f.sip, 0);
	assert_int_equal(c->inline_items, 1);
	assert_string_equal(c->content[0], CONTENT_DOC2);
	assert_int_equal(content_server_hits("/hang-once"), 2);
	check_events(&f, id, "queued,queued,queued,sending");
	events(&f, id, &e);
	assert_string_equal(e.info[2], "fetching content: 1 item");
	fx_done(&f);
}

/* A restart after the INVITE: fetched again, then resent as the same
 * request (the stored identities); a failure then is interrupted. */
static void test_restart_after_send(void **state)
{
	char msg[128], sent[GW_REQ_ID_SIZE], gone[GW_REQ_ID_SIZE];
	struct gw_store_req first;
	struct fake_call *c;
	struct evs e;
	struct fx f;

	(void)state;
	fx_init(&f);
	create_one(&f, "text/plain", "/then-404");
	snprintf(gone, sizeof(gone), "%s", f.id);
	create_one(&f, "text/plain", "/doc");
	snprintf(sent, sizeof(sent), "%s", f.id);
	assert_true(run_until(&f, started, 5000));
	run_until(&f, NULL, 200);
	assert_int_equal(f.sip->starts, 2);
	row_of(&f, sent, &first);
	assert_non_null(first.call_id);
	table_close(&f);

	table_open(&f, true);
	assert_int_equal(gw_reqs_recover(f.r, msg, sizeof(msg)), 0);
	assert_string_equal(msg, "2 live: 0 queued, 2 resent, 0 re-watched, "
			    "0 interrupted");
	assert_true(run_until(&f, started, 5000));
	run_until(&f, NULL, 200);
	assert_int_equal(f.sip->starts, 1);
	c = fake_sip_nth(f.sip, 0);
	assert_true(c->resumed);
	assert_true(c->kept_branch);
	assert_string_equal(c->call_id, first.call_id);
	assert_string_equal(c->branch, first.branch);
	gw_store_req_clear(&first);
	assert_int_equal(c->inline_items, 1);
	assert_string_equal(c->content[0], CONTENT_DOC);
	assert_int_equal(content_server_hits("/doc"), 2);
	check_events(&f, sent, "queued,queued,sending,sending,sending");
	events(&f, sent, &e);
	assert_string_equal(e.info[3], "pintgw restarted before the gateway "
			    "answered; fetching content again: 1 item");
	assert_non_null(strstr(e.info[4], "sent again as the same request"));

	/* the first fetch got /doc, the second a 404 */
	check_failed(&f, gone, "interrupted", "http_status",
		     "pintgw restarted before the gateway answered; content[0] "
		     "not fetched (http_status): HTTP 404");
	check_events(&f, gone, "queued,queued,sending,sending,failed");
	fx_done(&f);
}

/* A resend waiting for its content again is canceled at once: nothing of
 * it is on the wire, no SIP CANCEL. */
static void test_cancel_refetch(void **state)
{
	struct gw_store_req row;
	char msg[128];
	struct fx f;

	(void)state;
	fx_init(&f);
	create_one(&f, "text/plain", "/then-hang");
	assert_true(run_until(&f, started, 5000));
	table_close(&f);
	table_open(&f, true);
	assert_int_equal(gw_reqs_recover(f.r, msg, sizeof(msg)), 0);
	assert_true(run_until(&f, refetch_asked, 3000));
	assert_int_equal(running(&f), 1);
	assert_int_equal(gw_reqs_cancel(f.r, f.id, "shop", canceled_h, &f), 0);
	pump(&f);
	assert_int_equal(f.ncan, 1);
	assert_int_equal(f.can_err, 0);
	row_of(&f, f.id, &row);
	assert_string_equal(row.status, "canceled");
	assert_string_equal(row.info, "canceled after a restart, before it was "
			    "sent again");
	gw_store_req_clear(&row);
	assert_int_equal(f.sip->starts, 0);
	assert_int_equal(f.sip->cancels, 0);
	assert_int_equal(running(&f), 0);
	fx_done(&f);
}

static char *count_strdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = __wrap_malloc(n);

	if (p)
		memcpy(p, s, n);
	return p;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		leakcheck_test(test_fetch_then_send),
		leakcheck_test(test_failures),
		leakcheck_test(test_first_failure_stops_the_rest),
		leakcheck_test(test_limits),
		leakcheck_test(test_no_fetcher),
		leakcheck_test(test_cancel_while_fetching),
		leakcheck_test(test_drain),
		leakcheck_test(test_restart_while_fetching),
		leakcheck_test(test_restart_after_send),
		leakcheck_test(test_cancel_refetch),
	};
	int rc;

	if (curl_global_init_mem(CURL_GLOBAL_DEFAULT, __wrap_malloc,
				 __wrap_free, __wrap_realloc, count_strdup,
				 __wrap_calloc) != CURLE_OK)
		return 99;
	rc = cmocka_run_group_tests_name("gw_requests_fetch", tests,
					 content_server_start,
					 content_server_stop);
	curl_global_cleanup();
	return rc;
}
