/*
 * tests/gateway/test_api.c — gateway/api*.c and gateway/metrics.c below
 * the HTTP server: the route table, header and id syntax, scopes of
 * services, idempotency rules, stored rows rendered as resources and
 * events, the published hook's counters (live requests included), and
 * the Prometheus text. The policy itself: test_policy.c. The routes on
 * the wire: tests/it/http_*.sh.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "tests/pint/test_common.h"
#include "gateway/api_int.h"
#include "gateway/metrics.h"

static char *S(const char *s)
{
	return (char *)(uintptr_t)s;
}

/* ---- a small api on a real loop, store and configuration ---- */

static const char conf_text[] =
	"[pintgw]\n"
	"state_dir = /tmp\n"
	"[gateway g]\n"
	"address = udp:127.0.0.1:5070\n"
	"[service faxback]\n"
	"proto = fax\n"
	"content = optional\n"
	"[service speak]\n"
	"proto = voice\n"
	"content = none\n"
	"[service beep]\n"
	"proto = pager\n"
	"content = required\n"
	"[key k]\n"
	"hash = sha256:401fe3ccb9f5ffb678ecd700eb48039250d139152a40c65a83eccc706b997819\n"
	"rate = 2\n"
	"burst = 3\n"
	"allow = +1 +44\n"
	"deny = +1900\n";

struct env {
	char dir[64];
	struct gw_loop *loop;
	struct gw_conf *conf;
	struct gw_auth *auth;
	struct gw_store *store;
	struct gw_api_deps deps;
	struct gw_api *api;
};

static void env_open(struct env *e)
{
	struct gw_conf_errs errs;
	char msg[GW_STORE_MSG_MAX];

	memset(e, 0, sizeof(*e));
	snprintf(e->dir, sizeof(e->dir), "/tmp/pintgw-test-api.XXXXXX");
	assert_non_null(mkdtemp(e->dir));
	assert_int_equal(gw_loop_alloc(&e->loop), 0);
	assert_int_equal(gw_conf_parse_string(&e->conf, conf_text,
					      sizeof(conf_text) - 1, "t.conf",
					      &errs), 0);
	assert_int_equal(gw_auth_alloc(&e->auth, e->conf), 0);
	assert_int_equal(gw_store_open(&e->store, e->dir, NULL, msg,
				       sizeof(msg)), 0);
	e->deps.loop = e->loop;
	e->deps.store = e->store;
	e->deps.conf = e->conf;
	e->deps.auth = e->auth;
	assert_int_equal(gw_api_alloc(&e->api, &e->deps), 0);
}

static void env_close(struct env *e)
{
	static const char *const files[] = {"pintgw.db", "pintgw.db-wal",
					    "pintgw.db-shm"};
	char path[128];
	size_t i;

	gw_api_free(e->api);
	gw_store_free(e->store);
	gw_auth_free(e->auth);
	gw_conf_free(e->conf);
	gw_loop_free(e->loop);
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", e->dir, files[i]);
		unlink(path);
	}
	rmdir(e->dir);
}

/* ---- routes ---- */

static void test_match(void **state)
{
	static const struct {
		const char *method, *path;
		enum api_route route;
		enum api_op op;
		const char *allow;
		bool id_ok;
	} t[] = {
		{"GET", "/v1/requests", ROUTE_COLLECTION, OP_LIST, "GET, POST", false},
		{"POST", "/v1/requests", ROUTE_COLLECTION, OP_CREATE, "GET, POST", false},
		{"DELETE", "/v1/requests", ROUTE_COLLECTION, OP_NONE, "GET, POST", false},
		{"GET", "/v1/requests/rq_5Jm0x8YtQ2Kb7Cq1", ROUTE_ITEM, OP_GET, "GET, DELETE", true},
		{"DELETE", "/v1/requests/rq_5Jm0x8YtQ2Kb7Cq1", ROUTE_ITEM, OP_CANCEL, "GET, DELETE", true},
		{"PUT", "/v1/requests/rq_5Jm0x8YtQ2Kb7Cq1", ROUTE_ITEM, OP_NONE, "GET, DELETE", true},
		{"GET", "/v1/requests/rq_5Jm0x8YtQ2Kb7Cq1/events", ROUTE_EVENTS, OP_EVENTS, "GET", true},
		{"POST", "/v1/requests/rq_5Jm0x8YtQ2Kb7Cq1/events", ROUTE_EVENTS, OP_NONE, "GET", true},
		{"GET", "/v1/requests/nope", ROUTE_ITEM, OP_GET, "GET, DELETE", false},
		{"GET", "/v1/requests/rq_a/events/x", ROUTE_NONE, OP_NONE, NULL, false},
		{"GET", "/v1/requests/rq_a/", ROUTE_NONE, OP_NONE, NULL, false},
		{"GET", "/v1/requests/", ROUTE_NONE, OP_NONE, NULL, false},
		{"GET", "/v1/requests//events", ROUTE_NONE, OP_NONE, NULL, false},
		{"GET", "/v1/requestsx", ROUTE_NONE, OP_NONE, NULL, false},
		{"GET", "/v1", ROUTE_NONE, OP_NONE, NULL, false},
		{"GET", "/", ROUTE_NONE, OP_NONE, NULL, false},
		{"GET", "/healthz", ROUTE_HEALTHZ, OP_HEALTHZ, "GET", false},
		{"HEAD", "/healthz", ROUTE_HEALTHZ, OP_NONE, "GET", false},
		{"GET", "/readyz", ROUTE_READYZ, OP_READYZ, "GET", false},
		{"GET", "/metrics", ROUTE_METRICS, OP_METRICS, "GET", false},
		{"GET", "/metrics/", ROUTE_NONE, OP_NONE, NULL, false},
		{"get", "/v1/requests", ROUTE_COLLECTION, OP_NONE, "GET, POST", false},
	};
	struct api_match m;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		api_match(&m, t[i].method, t[i].path);
		assert_int_equal(m.route, t[i].route);
		assert_int_equal(m.op, t[i].op);
		if (t[i].allow)
			assert_string_equal(m.allow, t[i].allow);
		assert_int_equal(m.id_ok, t[i].id_ok);
		if (m.id_ok)
			assert_string_equal(m.id, "rq_5Jm0x8YtQ2Kb7Cq1");
	}
}

static void test_id_syntax(void **state)
{
	static const struct {
		const char *id;
		bool ok;
	} t[] = {
		{"rq_0oPAzJ1w5Jm0x8YtQ2Kb7Cq1a", true},  /* 25 after rq_: time + random */
		{"rq_5Jm0x8YtQ2Kb7Cq1abcd", true},      /* 20: ids of earlier versions */
		{"rq_a", true},
		{"rq_a-b_c", true},
		{"rq_0oPAzJ1w5Jm0x8YtQ2Kb7Cq1ab", false},       /* 26 */
		{"rq_", false},
		{"rq", false},
		{"RQ_abc", false},
		{"xx_abc", false},
		{"rq_a b", false},
		{"rq_a'--", false},
		{"rq_a%20", false},
		{"rq_\xc3\xa9", false},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		assert_int_equal(api_id_ok(t[i].id, strlen(t[i].id)), t[i].ok);
	/* bounded: only len bytes are read */
	assert_true(api_id_ok("rq_abcXYZ", 6));
	assert_false(api_id_ok("rq_abcXYZ", 3));
}

static void test_content_type(void **state)
{
	static const struct {
		const char *ct;
		bool ok;
	} t[] = {
		{"application/json", true},
		{"Application/JSON", true},
		{"  application/json  ", true},
		{"application/json; charset=utf-8", true},
		{"application/json;charset=UTF-8", true},
		{"application/json; charset=\"utf-8\"", true},
		{"application/json; version=2; charset=utf-8", true},
		{"application/json; charset=latin1", false},
		{"application/json; charset=\"utf-16\"", false},
		{"application/json; charset=", false},
		{"application/json; charset", false},
		{"application/json; =x", false},
		{"application/json; charset=\"utf-8", false},
		{"application/json x", false},
		{"application/jsonx", false},
		{"application/json-seq", false},
		{"application/x-www-form-urlencoded", false},
		{"text/json", false},
		{"", false},
		{NULL, false},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		assert_int_equal(api_ctype_json(t[i].ct), t[i].ok);
}

static void test_idem_key(void **state)
{
	char k[API_IDEM_KEY_MAX + 2];

	(void)state;
	assert_true(api_idem_key_ok("a"));
	assert_true(api_idem_key_ok("order-4711:retry.2_x"));
	assert_false(api_idem_key_ok(""));
	assert_false(api_idem_key_ok("has space"));
	assert_false(api_idem_key_ok("slash/no"));
	assert_false(api_idem_key_ok("caf\xc3\xa9"));
	memset(k, 'k', API_IDEM_KEY_MAX);
	k[API_IDEM_KEY_MAX] = '\0';
	assert_true(api_idem_key_ok(k));
	k[API_IDEM_KEY_MAX] = 'k';
	k[API_IDEM_KEY_MAX + 1] = '\0';
	assert_false(api_idem_key_ok(k));
}

static void test_idem_check(void **state)
{
	struct gw_store_idem idem;
	uint8_t h[GW_STORE_HASH_LEN];

	(void)state;
	memset(&idem, 0, sizeof(idem));
	memset(idem.body_hash, 0xab, sizeof(idem.body_hash));
	memset(h, 0xab, sizeof(h));
	assert_int_equal(api_idem_check(&idem, h), 0);
	h[GW_STORE_HASH_LEN - 1] ^= 1;
	assert_int_equal(api_idem_check(&idem, h), EEXIST);
}

/* ---- keys: scopes, live counts ---- */

static void test_service_scope(void **state)
{
	struct env e;

	(void)state;
	env_open(&e);
	assert_string_equal(api_service_scope(e.conf, "call"), "call");
	assert_string_equal(api_service_scope(e.conf, "fax"), "fax");
	assert_string_equal(api_service_scope(e.conf, "content"), "content");
	assert_string_equal(api_service_scope(e.conf, "speak"), "call");
	assert_string_equal(api_service_scope(e.conf, "faxback"), "fax");
	assert_string_equal(api_service_scope(e.conf, "beep"), "content");
	assert_null(api_service_scope(e.conf, "telepathy"));
	assert_null(api_service_scope(e.conf, ""));
	env_close(&e);
}

static uint64_t live(struct gw_api *api, const char *name)
{
	return gw_policy_live_of(api->policy, name);
}

/* ---- rendering ---- */

static void row_fill(struct gw_store_req *row)
{
	memset(row, 0, sizeof(*row));
	row->id = S("rq_5Jm0x8YtQ2Kb7Cq1");
	row->owner = S("k");
	row->service = S("call");
	row->status = S("failed");
	row->created_at = 1795269598000LL;
	row->updated_at = 1795269604000LL;
	row->to_input = S("+1 555 555 0199");
	row->to_number = S("+15555550199");
	row->outcome = S("{\"code\":\"busy\",\"sip_code\":486,"
			 "\"reason\":\"Busy Here\",\"warning\":null,"
			 "\"by\":\"gateway\"}");
	row->gateway = S("pint-east");
	row->call_id = S("abc@pintgw");
	row->last_code = 486;
	row->last_seq = 4;
	row->client_state = S("order-4711");
}

static void test_render(void **state)
{
	struct gw_store_req row;
	json_t *j, *o;
	char *body = NULL;
	size_t len = 0;

	(void)state;
	row_fill(&row);
	assert_int_equal(api_render(&body, &len, &row), 0);
	j = json_loadb(body, len, 0, NULL);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "status")),
			    "failed");
	assert_true(json_is_null(json_object_get(j, "from")));
	assert_true(json_is_null(json_object_get(j, "start_at")));
	o = json_object_get(j, "outcome");
	assert_string_equal(json_string_value(json_object_get(o, "code")), "busy");
	assert_int_equal(json_integer_value(json_object_get(o, "sip_code")), 486);
	assert_string_equal(json_string_value(json_object_get(o, "by")),
			    "gateway");
	o = json_object_get(j, "sip");
	assert_string_equal(json_string_value(json_object_get(o, "gateway")),
			    "pint-east");
	assert_int_equal(json_integer_value(json_object_get(o, "last_code")), 486);
	assert_int_equal(json_integer_value(json_object_get(j, "last_seq")), 4);
	o = json_object_get(j, "links");
	assert_string_equal(json_string_value(json_object_get(o, "events")),
			    "/v1/requests/rq_5Jm0x8YtQ2Kb7Cq1/events");
	json_decref(j);
	free(body);

	/* no SIP yet, an unreadable outcome: both null, never an error */
	row.status = S("queued");
	row.gateway = NULL;
	row.call_id = NULL;
	row.last_code = 0;
	row.outcome = S("{not json");
	row.start_at = 1795269700000LL;
	assert_int_equal(api_render(&body, &len, &row), 0);
	j = json_loadb(body, len, 0, NULL);
	assert_true(json_is_null(json_object_get(j, "sip")));
	assert_true(json_is_null(json_object_get(j, "outcome")));
	assert_string_equal(json_string_value(json_object_get(j, "start_at")),
			    "2026-11-21T14:01:40Z");
	json_decref(j);
	free(body);

	/* a status the API does not know is refused, not shown */
	row.status = S("ringing");
	assert_int_equal(api_render(&body, &len, &row), EINVAL);
	row.status = NULL;
	assert_int_equal(api_render(&body, &len, &row), EINVAL);
}

static void test_event_fill(void **state)
{
	struct gw_store_event row;
	struct web_resource_event ev;
	json_t *sip = NULL;

	(void)state;
	memset(&row, 0, sizeof(row));
	row.request_id = S("rq_a");
	row.seq = 3;
	row.at = 1795269600000LL;
	row.status = S("proceeding");
	row.info = S("Ringing");
	row.sip = S("{\"code\":180,\"reason\":\"Ringing\",\"warning\":\"399 gw x\"}");
	assert_int_equal(api_event_fill(&ev, &sip, &row), 0);
	assert_int_equal(ev.seq, 3);
	assert_int_equal(ev.status, WEB_STATUS_PROCEEDING);
	assert_true(ev.sip.set);
	assert_int_equal(ev.sip.last_code, 180);
	assert_string_equal(ev.sip.warning, "399 gw x");
	assert_null(ev.sip.gateway);
	json_decref(sip);

	row.sip = S("{\"code\":99999}");   /* not a SIP code: null */
	assert_int_equal(api_event_fill(&ev, &sip, &row), 0);
	assert_int_equal(ev.sip.last_code, 0);
	json_decref(sip);
	row.sip = S("[1]");
	assert_int_equal(api_event_fill(&ev, &sip, &row), 0);
	assert_false(ev.sip.set);
	assert_null(sip);
	row.status = S("bogus");
	assert_int_equal(api_event_fill(&ev, &sip, &row), EINVAL);
}

/* The published hook counts by service, status and outcome. */
static void test_published_counts(void **state)
{
	const struct gw_metrics_counters *c;
	struct gw_store_event ev;
	struct gw_store_req row;
	struct env e;

	(void)state;
	env_open(&e);
	row_fill(&row);
	memset(&ev, 0, sizeof(ev));
	ev.request_id = row.id;
	ev.seq = 1;
	ev.status = S("queued");
	gw_policy_live_add(e.api->policy, "k", 1);
	row.status = S("queued");
	gw_api_published(&row, &ev, NULL, e.api);
	ev.seq = 4;
	ev.status = S("failed");
	row.status = S("failed");
	gw_api_published(&row, &ev, "busy", e.api);
	gw_api_published(NULL, &ev, "busy", e.api);     /* ignored */
	c = gw_api_counters(e.api);
	assert_int_equal(c->nsvc, 1);
	assert_string_equal(c->svc[0].name, "call");
	assert_int_equal(c->svc[0].events[WEB_STATUS_QUEUED], 1);
	assert_int_equal(c->svc[0].events[WEB_STATUS_FAILED], 1);
	assert_int_equal(c->svc[0].outcomes[WEB_OUTCOME_BUSY], 1);
	assert_int_equal(live(e.api, "k"), 0);
	assert_int_equal(gw_api_waiting(e.api), 0);
	env_close(&e);
}

/* ---- metrics ---- */

static void test_metrics_counters(void **state)
{
	struct gw_metrics_counters c;
	char name[16];
	int i;

	(void)state;
	memset(&c, 0, sizeof(c));
	gw_metrics_created(&c, "call");
	gw_metrics_created(&c, "call");
	gw_metrics_created(&c, NULL);
	gw_metrics_event(&c, "fax", WEB_STATUS_FAILED, WEB_OUTCOME_BUSY);
	gw_metrics_event(&c, "fax", WEB_STATUS_COUNT, WEB_OUTCOME_COUNT);
	assert_int_equal(c.nsvc, 2);
	assert_int_equal(c.svc[0].created, 2);
	assert_int_equal(c.other.created, 1);
	assert_int_equal(c.svc[1].events[WEB_STATUS_FAILED], 1);
	assert_int_equal(c.svc[1].outcomes[WEB_OUTCOME_BUSY], 1);
	/* bounded: past the table, services share "other" */
	for (i = 0; i < 100; i++) {
		snprintf(name, sizeof(name), "svc%d", i);
		gw_metrics_created(&c, name);
	}
	assert_int_equal(c.nsvc, GW_METRICS_SERVICES_MAX);
	assert_int_equal(c.other.created, 1 + 100 - (GW_METRICS_SERVICES_MAX - 2));
}

static void test_metrics_render(void **state)
{
	struct gw_metrics_counters c;
	struct gw_metrics_src src;
	struct web_http_stats hs;
	struct gw_store_stats ss;
	struct gw_reqs_stats rs;
	struct gw_loop_stats ls;
	struct gw_policy_stats ps;
	struct pint_mbuf mb;
	const char *p;
	unsigned i;

	(void)state;
	memset(&ps, 0, sizeof(ps));
	ps.refusals[GW_POLICY_PREMIUM_RATE] = 3;
	ps.refusals[GW_POLICY_DEST_COOLDOWN] = 1;
	ps.destinations = 12;
	memset(&c, 0, sizeof(c));
	memset(&hs, 0, sizeof(hs));
	memset(&ss, 0, sizeof(ss));
	memset(&rs, 0, sizeof(rs));
	memset(&ls, 0, sizeof(ls));
	gw_metrics_created(&c, "call");
	gw_metrics_event(&c, "a\"b\\c", WEB_STATUS_COMPLETED, WEB_OUTCOME_OK);
	hs.requests[2] = 7;
	hs.requests[4] = 2;
	hs.lat_count = 3;
	hs.lat_sum_us = 1234500;
	for (i = 0; i < WEB_HTTP_LAT_BUCKETS; i++)
		hs.lat_le[i] = i < 2 ? 1 : 3;
	ss.commits = 11;
	ss.pending = 2;
	ss.folded = 6;
	ss.checkpoints = 3;
	ss.checkpoints_busy = 1;
	rs.live = 4;
	rs.scheduled = 1;
	rs.by_status[WEB_STATUS_QUEUED] = 1;
	ls.turns = 99;
	memset(&src, 0, sizeof(src));
	src.api = &c;
	src.http = &hs;
	src.store = &ss;
	src.reqs = &rs;
	src.loop = &ls;
	src.policy = &ps;
	src.waiting = 5;
	src.ready = true;
	pint_mbuf_init(&mb, 0);
	assert_int_equal(gw_metrics_render(&mb, &src), 0);
	p = mb.buf;
	assert_non_null(strstr(p, "# TYPE pintgw_requests_created_total counter\n"
				  "pintgw_requests_created_total{service=\"call\"} 1\n"));
	assert_non_null(strstr(p, "pintgw_request_events_total{service=\"a\\\"b\\\\c\","
				  "status=\"completed\"} 1\n"));
	assert_non_null(strstr(p, "pintgw_request_outcomes_total{service=\"call\","
				  "outcome=\"busy\"} 0\n"));
	assert_non_null(strstr(p, "pintgw_http_requests_total{code=\"2xx\"} 7\n"));
	assert_non_null(strstr(p, "# TYPE pintgw_http_request_duration_seconds histogram\n"));
	assert_non_null(strstr(p, "pintgw_http_request_duration_seconds_bucket{le=\"0.0005\"} 1\n"));
	assert_non_null(strstr(p, "pintgw_http_request_duration_seconds_bucket{le=\"5\"} 3\n"));
	assert_non_null(strstr(p, "pintgw_http_request_duration_seconds_bucket{le=\"+Inf\"} 3\n"
				  "pintgw_http_request_duration_seconds_sum 1.234500\n"
				  "pintgw_http_request_duration_seconds_count 3\n"));
	assert_non_null(strstr(p, "pintgw_store_commits_total 11\n"));
	assert_non_null(strstr(p, "pintgw_store_queue_depth 2\n"));
	assert_non_null(strstr(p, "pintgw_store_writes_folded_total 6\n"));
	assert_non_null(strstr(p, "pintgw_store_checkpoints_total 3\n"));
	assert_non_null(strstr(p, "pintgw_store_checkpoints_busy_total 1\n"));
	assert_non_null(strstr(p, "pintgw_requests_live 4\n"));
	assert_non_null(strstr(p, "pintgw_table_requests_by_status{status=\"queued\"} 1\n"));
	assert_non_null(strstr(p, "pintgw_longpoll_waiting 5\n"));
	assert_non_null(strstr(p, "pintgw_ready 1\n"));
	assert_non_null(strstr(p, "pintgw_loop_turns_total 99\n"));
	assert_non_null(strstr(p, "# TYPE pintgw_policy_refusals_total counter\n"
				  "pintgw_policy_refusals_total{rule=\"rate_limit\"} 0\n"));
	assert_non_null(strstr(p, "pintgw_policy_refusals_total{rule=\"premium_rate\"} 3\n"));
	assert_non_null(strstr(p, "pintgw_policy_refusals_total{rule=\"destination_cooldown\"} 1\n"));
	assert_non_null(strstr(p, "pintgw_policy_refusals_total{rule=\"concurrency\"} 0\n"));
	assert_null(strstr(p, "rule=\"allow\""));
	assert_non_null(strstr(p, "pintgw_policy_destinations 12\n"));
	assert_int_equal(p[mb.len - 1], '\n');
	pint_mbuf_reset(&mb);

	/* families without a source are left out; a full buffer is EMSGSIZE */
	src.http = NULL;
	src.store = NULL;
	assert_int_equal(gw_metrics_render(&mb, &src), 0);
	assert_null(strstr(mb.buf, "pintgw_http_"));
	assert_null(strstr(mb.buf, "pintgw_store_"));
	pint_mbuf_reset(&mb);
	pint_mbuf_init(&mb, 200);
	assert_int_equal(gw_metrics_render(&mb, &src), EMSGSIZE);
	pint_mbuf_reset(&mb);
	assert_int_equal(gw_metrics_render(NULL, &src), EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		leakcheck_test(test_match),
		leakcheck_test(test_id_syntax),
		leakcheck_test(test_content_type),
		leakcheck_test(test_idem_key),
		leakcheck_test(test_idem_check),
		leakcheck_test(test_service_scope),
		leakcheck_test(test_render),
		leakcheck_test(test_event_fill),
		leakcheck_test(test_published_counts),
		leakcheck_test(test_metrics_counters),
		leakcheck_test(test_metrics_render),
	};

	return cmocka_run_group_tests_name("gateway_api", tests, NULL, NULL);
}
