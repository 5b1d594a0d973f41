/*
 * tests/gateway/test_hooks.c — the webhook pipeline (gateway/hooks.c):
 * the filter and payload, then a real store and loop with the POST
 * replaced by a recorder: rows written before a delivery is queued,
 * results rewriting them, keys without a secret, and pending rows
 * queued again by a new pipeline (a restart).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tests/pint/test_common.h"
#include "tests/gateway/store_fixture.h"
#include "gateway/hooks.h"

#define ID "rq_5Jm0x8YtQ2Kb7Cq1"
#define SECRET_ENV "PINTGW_TEST_HOOK_SECRET"

/* ---- pure parts ---- */

static void test_target(void **state)
{
	static const struct {
		const char *json;
		enum web_status st;
		int err;
		bool pass;
	} cases[] = {
		{"{\"url\":\"https://h/x\",\"events\":[\"*\"]}", WEB_STATUS_QUEUED, 0, true},
		{"{\"url\":\"https://h/x\"}", WEB_STATUS_ACTIVE, 0, true},
		{"{\"url\":\"https://h/x\",\"events\":null}", WEB_STATUS_ACTIVE, 0, true},
		{"{\"url\":\"https://h/x\",\"events\":[\"completed\",\"failed\"]}",
		 WEB_STATUS_FAILED, 0, true},
		{"{\"url\":\"https://h/x\",\"events\":[\"completed\"]}",
		 WEB_STATUS_ACTIVE, 0, false},
		{"{\"url\":\"https://h/x\",\"events\":[]}", WEB_STATUS_ACTIVE, 0, false},
		{"{\"url\":\"https://h/x\",\"events\":[1]}", WEB_STATUS_ACTIVE, EBADMSG, false},
		{"{\"url\":\"https://h/x\",\"events\":\"*\"}", WEB_STATUS_ACTIVE, EBADMSG, false},
		{"{\"events\":[\"*\"]}", WEB_STATUS_ACTIVE, EBADMSG, false},
		{"[1]", WEB_STATUS_ACTIVE, EBADMSG, false},
		{"not json", WEB_STATUS_ACTIVE, EBADMSG, false},
	};
	char url[64];
	bool pass;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(gw_hooks_target(cases[i].json, cases[i].st, url,
						 sizeof(url), &pass),
				 cases[i].err);
		assert_int_equal(pass, cases[i].pass);
		if (!cases[i].err)
			assert_string_equal(url, "https://h/x");
	}
	assert_int_equal(gw_hooks_target("{\"url\":\"https://h/x\"}",
					 WEB_STATUS_ACTIVE, url, 5, &pass),
			 EMSGSIZE);
	assert_int_equal(gw_hooks_target(NULL, WEB_STATUS_ACTIVE, url,
					 sizeof(url), &pass), EINVAL);
}

static void fill(struct gw_store_req *row, struct gw_store_event *ev,
		 const char *status)
{
	fx_req(row, ID, "k", status, T0);
	row->client_state = S("order-4711");
	row->outcome = S("{\"code\":\"busy\",\"sip_code\":486,"
			 "\"reason\":\"Busy Here\",\"warning\":null,"
			 "\"by\":\"gateway\"}");
	row->webhook = S("{\"url\":\"http://127.0.0.1:9/h\",\"events\":[\"*\"]}");
	memset(ev, 0, sizeof(*ev));
	ev->request_id = S(ID);
	ev->seq = 3;
	ev->at = 1700000000000ll;
	ev->status = S(status);
	ev->info = S("call connected");
}

/* The docs' test vector body; an outcome only on a terminal event. */
static void test_payload(void **state)
{
	static const char want[] =
		"{\"event_id\":\"" ID ":3\",\"request_id\":\"" ID "\","
		"\"seq\":3,\"status\":\"active\",\"at\":\"2023-11-14T22:13:20Z\","
		"\"info\":\"call connected\",\"outcome\":null,"
		"\"client_state\":\"order-4711\"}";
	struct gw_store_event ev;
	struct gw_store_req row;
	char *body = NULL;
	size_t len = 0;

	(void)state;
	fill(&row, &ev, "active");
	assert_int_equal(gw_hooks_payload(&body, &len, &row, &ev), 0);
	assert_int_equal(len, 192);
	assert_string_equal(body, want);
	free(body);

	fill(&row, &ev, "failed");
	assert_int_equal(gw_hooks_payload(&body, &len, &row, &ev), 0);
	assert_non_null(strstr(body, "\"outcome\":{\"code\":\"busy\","
			       "\"sip_code\":486,\"reason\":\"Busy Here\""));
	free(body);

	ev.status = S("bogus");
	assert_int_equal(gw_hooks_payload(&body, &len, &row, &ev), EINVAL);
}

static void test_state_names(void **state)
{
	struct gw_store_delivery d;

	(void)state;
	memset(&d, 0, sizeof(d));
	assert_string_equal(gw_hooks_state_name(&d), "pending");
	d.attempt = 1;
	assert_string_equal(gw_hooks_state_name(&d), "retry");
	d.state = GW_STORE_DLV_DONE;
	assert_string_equal(gw_hooks_state_name(&d), "delivered");
	d.state = GW_STORE_DLV_FAILED;
	assert_string_equal(gw_hooks_state_name(&d), "failed");
}

/* ---- the pipeline ---- */

#define SENT_MAX 16

struct sent {
	char url[128];
	char sig[128];
	char eid[64];
	char *body;
	web_fetch_h *done;
	void *done_arg;
	uint64_t id;
	bool open;
};

struct env {
	struct gw_loop *loop;
	struct gw_store *store;
	struct gw_hooks *hooks;
	struct gw_conf *conf;
	struct gw_timer stop;
	struct sent sent[SENT_MAX];
	size_t nsent;
	size_t cancels;
};

static int fake_send(const char *url, const char *const *hdrs,
		     const char *body, size_t len, web_fetch_h *done,
		     void *done_arg, uint64_t *idp, void *arg)
{
	struct env *e = arg;
	struct sent *s;
	size_t i;

	assert_true(e->nsent < SENT_MAX);
	s = &e->sent[e->nsent++];
	memset(s, 0, sizeof(*s));
	snprintf(s->url, sizeof(s->url), "%s", url);
	for (i = 0; hdrs[i]; i++) {
		if (!strncmp(hdrs[i], "Pintgw-Signature: ", 18))
			snprintf(s->sig, sizeof(s->sig), "%s", hdrs[i] + 18);
		if (!strncmp(hdrs[i], "Pintgw-Event-Id: ", 17))
			snprintf(s->eid, sizeof(s->eid), "%s", hdrs[i] + 17);
	}
	s->body = malloc(len + 1);
	assert_non_null(s->body);
	memcpy(s->body, body, len);
	s->body[len] = '\0';
	s->done = done;
	s->done_arg = done_arg;
	s->id = e->nsent;
	s->open = true;
	*idp = s->id;
	return 0;
}

static int fake_cancel(uint64_t id, void *arg)
{
	struct env *e = arg;

	e->sent[id - 1].open = false;
	e->cancels++;
	return 0;
}

static int64_t fake_clock(void *arg)
{
	(void)arg;
	return T0;
}

static uint64_t fake_rand(void *arg)
{
	(void)arg;
	return 0;               /* every retry at once */
}

static void stop_h(void *arg)
{
	struct env *e = arg;

	gw_loop_stop(e->loop);
}

/* A few loop turns: the store commits, the queue runs. */
static void spin(struct env *e)
{
	assert_int_equal(gw_store_commit(e->store), 0);
	assert_int_equal(gw_timer_start(e->loop, &e->stop, 20, stop_h, e), 0);
	assert_int_equal(gw_loop_run(e->loop), 0);
	assert_int_equal(gw_store_commit(e->store), 0);
}

static void answer(struct env *e, size_t i, int err, unsigned status)
{
	struct web_fetch_res res;

	assert_true(i < e->nsent && e->sent[i].open);
	memset(&res, 0, sizeof(res));
	res.status = status;
	res.error = err ? "refused" : "";
	res.addr = "";
	e->sent[i].open = false;
	e->sent[i].done(e->sent[i].id, err, &res, e->sent[i].done_arg);
	spin(e);
}

static void new_hooks(struct env *e)
{
	struct gw_hooks_seams sm = {
		.send = fake_send, .cancel = fake_cancel, .send_arg = e,
		.clock = fake_clock, .rand = fake_rand,
	};
	char msg[128] = "";

	assert_int_equal(gw_hooks_alloc(&e->hooks, e->loop, e->store, e->conf,
					&sm, msg, sizeof(msg)), 0);
}

static void env_open(struct env *e)
{
	static const char conf[] =
		"[key k]\nhash = sha256:"
		"1111111111111111111111111111111111111111111111111111111111111111\n"
		"secret_env = " SECRET_ENV "\n"
		"[key nosecret]\nhash = sha256:"
		"2222222222222222222222222222222222222222222222222222222222222222\n"
		"[webhooks]\nattempts = 3\nbase_delay = 1\nmax_delay = 1\n";
	struct gw_conf_errs errs;

	memset(e, 0, sizeof(*e));
	assert_int_equal(setenv(SECRET_ENV, "whsec_test_secret", 1), 0);
	assert_int_equal(gw_conf_parse_string(&e->conf, conf, strlen(conf),
					      "t.conf", &errs), 0);
	assert_int_equal(gw_loop_alloc(&e->loop), 0);
	e->store = fx_open(fx_tmp_dir(), GW_STORE_SYNC_NORMAL);
	gw_store_attach(e->store, e->loop);
	new_hooks(e);
}

static void env_close(struct env *e)
{
	size_t i;

	gw_timer_stop(e->loop, &e->stop);
	gw_store_free(e->store);
	gw_hooks_free(e->hooks);
	gw_loop_free(e->loop);
	gw_conf_free(e->conf);
	for (i = 0; i < e->nsent; i++)
		free(e->sent[i].body);
	unsetenv(SECRET_ENV);
}

/* Store request id (owner) and its events 1..n, as the table would. */
static void put_events(struct env *e, const char *id, const char *owner,
		       const char *webhook, unsigned n)
{
	static const char *const st[] = {"queued", "sending", "proceeding",
					 "accepted", "active", "completed"};
	struct gw_store_event ev;
	struct gw_store_req row;
	unsigned i;

	fx_req(&row, id, owner, st[n - 1], T0);
	row.webhook = S(webhook);
	row.last_seq = n;
	assert_int_equal(gw_store_put_request(e->store, &row, NULL, NULL), 0);
	for (i = 1; i <= n; i++) {
		memset(&ev, 0, sizeof(ev));
		ev.request_id = S(id);
		ev.seq = i;
		ev.at = T0 + i;
		ev.status = S(st[i - 1]);
		assert_int_equal(gw_store_append_event(e->store, &ev, NULL,
						       NULL), 0);
	}
	assert_int_equal(gw_store_commit(e->store), 0);
	for (i = 1; i <= n; i++) {
		memset(&ev, 0, sizeof(ev));
		ev.request_id = S(id);
		ev.seq = i;
		ev.at = T0 + i;
		ev.status = S(st[i - 1]);
		row.status = S(st[i - 1]);
		gw_hooks_published(&row, &ev, e->hooks);
	}
}

static struct gw_store_delivery *row_of(struct gw_store_deliveries *ds,
					struct env *e, const char *id,
					uint32_t seq)
{
	size_t i;

	gw_store_deliveries_clear(ds);
	assert_int_equal(gw_store_deliveries(e->store, id, 0, 100, ds), 0);
	for (i = 0; i < ds->n; i++)
		if (ds->v[i].seq == seq)
			return &ds->v[i];
	return NULL;
}

static void test_pipeline(void **state)
{
	struct gw_store_deliveries ds;
	struct gw_store_delivery *d;
	struct gw_hooks_stats st;
	struct env e;

	(void)state;
	memset(&ds, 0, sizeof(ds));
	env_open(&e);
	/* events 1..3: queued and proceeding pass the filter, sending not */
	put_events(&e, ID, "k", "{\"url\":\"http://127.0.0.1:9/h\","
		   "\"events\":[\"queued\",\"proceeding\"]}", 3);
	/* nothing is sent before the rows are committed */
	assert_int_equal(e.nsent, 0);
	spin(&e);
	assert_int_equal(e.nsent, 1);           /* seq 1; seq 3 waits */
	assert_string_equal(e.sent[0].eid, ID ":1");
	assert_string_equal(e.sent[0].url, "http://127.0.0.1:9/h");
	assert_int_equal(web_webhook_verify(e.sent[0].sig,
					    strlen(e.sent[0].sig),
					    "whsec_test_secret", 17,
					    e.sent[0].body,
					    strlen(e.sent[0].body),
					    T0 / 1000, 300), 0);
	d = row_of(&ds, &e, ID, 1);
	assert_non_null(d);
	assert_int_equal(d->state, GW_STORE_DLV_PENDING);
	assert_int_equal(d->attempt, 0);
	assert_null(row_of(&ds, &e, ID, 2));    /* filtered out */
	assert_non_null(row_of(&ds, &e, ID, 3));

	/* a 500: retry, row rewritten; then a 2xx */
	answer(&e, 0, 0, 500);
	d = row_of(&ds, &e, ID, 1);
	assert_int_equal(d->state, GW_STORE_DLV_PENDING);
	assert_int_equal(d->attempt, 1);
	assert_int_equal(d->last_code, 500);
	assert_string_equal(d->last_error, "HTTP 500");
	assert_string_equal(gw_hooks_state_name(d), "retry");
	assert_int_equal(e.nsent, 2);
	assert_string_equal(e.sent[1].eid, ID ":1");
	answer(&e, 1, 0, 204);
	d = row_of(&ds, &e, ID, 1);
	assert_int_equal(d->state, GW_STORE_DLV_DONE);
	assert_int_equal(d->attempt, 2);
	assert_null(d->last_error);
	/* now seq 3, in order */
	assert_int_equal(e.nsent, 3);
	assert_string_equal(e.sent[2].eid, ID ":3");
	/* refused at connect, three times: given up */
	answer(&e, 2, ECONNREFUSED, 0);
	answer(&e, 3, ECONNREFUSED, 0);
	answer(&e, 4, ECONNREFUSED, 0);
	d = row_of(&ds, &e, ID, 3);
	assert_int_equal(d->state, GW_STORE_DLV_FAILED);
	assert_int_equal(d->attempt, 3);
	assert_string_equal(d->last_error, "refused");
	assert_int_equal(e.nsent, 5);

	gw_hooks_stats(e.hooks, &st);
	assert_int_equal(st.created, 2);
	assert_int_equal(st.delivered, 1);
	assert_int_equal(st.retried, 3);
	assert_int_equal(st.failed, 1);
	assert_int_equal(st.depth, 0);
	gw_store_deliveries_clear(&ds);
	env_close(&e);
}

static void test_no_secret(void **state)
{
	static const char late[] =
		"[key nosecret]\nhash = sha256:"
		"2222222222222222222222222222222222222222222222222222222222222222\n"
		"secret_env = PINTGW_TEST_LATE\n";
	struct gw_conf_errs errs;
	struct gw_conf *c2 = NULL;
	struct gw_store_deliveries ds;
	struct gw_store_delivery *d;
	struct gw_hooks_stats st;
	struct env e;

	(void)state;
	memset(&ds, 0, sizeof(ds));
	env_open(&e);
	put_events(&e, ID, "nosecret", "{\"url\":\"http://127.0.0.1:9/h\"}", 2);
	spin(&e);
	assert_int_equal(e.nsent, 0);
	d = row_of(&ds, &e, ID, 2);
	assert_non_null(d);
	assert_int_equal(d->state, GW_STORE_DLV_FAILED);
	assert_string_equal(d->last_error, GW_HOOKS_NO_SECRET);
	gw_hooks_stats(e.hooks, &st);
	assert_int_equal(st.no_secret, 2);
	assert_int_equal(st.failed, 2);
	/* what a create asks before it accepts a webhook */
	assert_false(gw_hooks_has_secret(e.hooks, "nosecret"));
	assert_false(gw_hooks_has_secret(e.hooks, "unknown"));
	assert_false(gw_hooks_has_secret(e.hooks, NULL));
	assert_true(gw_hooks_has_secret(e.hooks, "k"));

	/* the secret appears; a reload reads it for new deliveries */
	assert_int_equal(setenv("PINTGW_TEST_LATE", "late", 1), 0);
	assert_int_equal(gw_conf_parse_string(&c2, late, strlen(late), "t.conf",
					      &errs), 0);
	assert_int_equal(gw_hooks_reload(e.hooks, c2), 0);
	gw_conf_free(c2);       /* the secrets are copies */
	assert_true(gw_hooks_has_secret(e.hooks, "nosecret"));
	put_events(&e, "rq_late", "nosecret", "{\"url\":\"http://127.0.0.1:9/h\"}", 1);
	spin(&e);
	assert_int_equal(e.nsent, 1);
	unsetenv("PINTGW_TEST_LATE");
	gw_store_deliveries_clear(&ds);
	env_close(&e);
}

/* A refused URL (a loopback literal without allow_private) fails at once. */
static void test_bad_url(void **state)
{
	struct gw_store_deliveries ds;
	struct gw_store_delivery *d;
	struct env e;

	(void)state;
	memset(&ds, 0, sizeof(ds));
	env_open(&e);
	put_events(&e, ID, "k", "{\"url\":\"ftp://h/x\"}", 1);
	spin(&e);
	assert_int_equal(e.nsent, 0);
	d = row_of(&ds, &e, ID, 1);
	assert_int_equal(d->state, GW_STORE_DLV_FAILED);
	assert_string_equal(d->last_error, GW_HOOKS_BAD_DLV);
	gw_store_deliveries_clear(&ds);
	env_close(&e);
}

/* Pending rows outlive the pipeline: a new one sends them again. */
static void test_recover(void **state)
{
	char *first;
	struct gw_hooks_stats st;
	char msg[128] = "";
	struct env e;

	(void)state;
	env_open(&e);
	put_events(&e, ID, "k", "{\"url\":\"http://127.0.0.1:9/h\"}", 2);
	put_events(&e, "rq_other", "k", "{\"url\":\"http://127.0.0.1:9/o\"}", 1);
	spin(&e);
	assert_int_equal(e.nsent, 2);           /* ID:1 and rq_other:1 */
	first = e.sent[0].body;
	answer(&e, 1, 0, 200);                  /* rq_other done */
	/* "restart": the in-flight POST is cancelled, no result follows */
	gw_hooks_free(e.hooks);
	assert_int_equal(e.cancels, 1);
	new_hooks(&e);
	assert_int_equal(gw_hooks_recover(e.hooks, msg, sizeof(msg)), 0);
	spin(&e);
	assert_int_equal(e.nsent, 3);
	assert_string_equal(e.sent[2].eid, ID ":1");
	assert_string_equal(e.sent[2].body, first);     /* the same bytes */
	answer(&e, 2, 0, 200);
	assert_int_equal(e.nsent, 4);
	assert_string_equal(e.sent[3].eid, ID ":2");
	answer(&e, 3, 0, 200);
	gw_hooks_stats(e.hooks, &st);
	assert_int_equal(st.recovered, 2);
	assert_int_equal(st.delivered, 2);
	assert_int_equal(st.depth, 0);
	env_close(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		leakcheck_test(test_target),
		leakcheck_test(test_payload),
		leakcheck_test(test_state_names),
		leakcheck_test(test_pipeline),
		leakcheck_test(test_no_secret),
		leakcheck_test(test_bad_url),
		leakcheck_test(test_recover),
	};

	return cmocka_run_group_tests_name("gateway/hooks", tests, NULL,
					   fx_remove_dirs);
}
