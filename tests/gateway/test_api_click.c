/*
 * tests/gateway/test_api_click.c — gateway/api_click*.c below the HTTP
 * server: the click routes, the per-address limit (its refill, IPv6 /64
 * grouping, the bounded table), the count of a token's uses (with the
 * create, given back on failure, in the request's transaction, seeded
 * again after a restart), the secrets a click may use, and the click's
 * view of a request. The routes on the wire: tests/it/http_click.sh.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "tests/pint/test_common.h"
#include "gateway/api_int.h"

#define SECRET_ENV "PINTGW_TEST_CLICK_SECRET"
#define SECRET "sec-shop-0123456789"
#define ID "rq_5Jm0x8YtQ2Kb7Cq1abcd"
#define JTI "AAECAwQFBgcICQoLDA0ODw"

static char *S(const char *s)
{
	return (char *)(uintptr_t)s;
}

static const char conf_text[] =
	"[pintgw]\n"
	"state_dir = /tmp\n"
	"[click]\n"
	"rate_per_ip = 0.2\n"
	"burst_per_ip = 3\n"
	"[gateway g]\n"
	"address = udp:127.0.0.1:5070\n"
	"[key shop]\n"
	"hash = sha256:401fe3ccb9f5ffb678ecd700eb48039250d139152a40c65a83eccc706b997819\n"
	"secret_env = " SECRET_ENV "\n"
	"[key plain]\n"
	"hash = sha256:1d679eead0bc05471b962fa7ce5c406318a814ea5fe50422be6ce08d63e15a70\n";

struct env {
	char dir[64];
	struct gw_loop *loop;
	struct gw_conf *conf;
	struct gw_auth *auth;
	struct gw_secrets *secrets;
	struct gw_store *store;
	struct gw_api_deps deps;
	struct gw_api *api;
};

static void api_open(struct env *e)
{
	assert_int_equal(gw_api_alloc(&e->api, &e->deps), 0);
}

static void env_open(struct env *e, const char *text)
{
	struct gw_conf_errs errs;
	char msg[GW_STORE_MSG_MAX];

	memset(e, 0, sizeof(*e));
	snprintf(e->dir, sizeof(e->dir), "/tmp/pintgw-test-click.XXXXXX");
	assert_non_null(mkdtemp(e->dir));
	assert_int_equal(setenv(SECRET_ENV, SECRET, 1), 0);
	assert_int_equal(gw_loop_alloc(&e->loop), 0);
	assert_int_equal(gw_conf_parse_string(&e->conf, text, strlen(text),
					      "t.conf", &errs), 0);
	assert_int_equal(gw_auth_alloc(&e->auth, e->conf), 0);
	assert_int_equal(gw_secrets_load(&e->secrets, e->conf), 0);
	assert_int_equal(gw_store_open(&e->store, e->dir, NULL, msg,
				       sizeof(msg)), 0);
	e->deps.loop = e->loop;
	e->deps.store = e->store;
	e->deps.conf = e->conf;
	e->deps.auth = e->auth;
	e->deps.secrets = e->secrets;
	api_open(e);
}

static void env_close(struct env *e)
{
	static const char *const files[] = {"pintgw.db", "pintgw.db-wal",
					    "pintgw.db-shm"};
	char path[128];
	size_t i;

	gw_api_free(e->api);
	gw_store_free(e->store);
	gw_secrets_free(e->secrets);
	gw_auth_free(e->auth);
	gw_conf_free(e->conf);
	gw_loop_free(e->loop);
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", e->dir, files[i]);
		unlink(path);
	}
	rmdir(e->dir);
	unsetenv(SECRET_ENV);
}

/* ---- routes ---- */

static void test_match(void **state)
{
	static const struct {
		const char *method, *path;
		enum api_route route;
		enum api_op op;
		bool id_ok;
	} t[] = {
		{"POST", "/v1/click", ROUTE_CLICK, OP_CLICK, false},
		{"GET", "/v1/click", ROUTE_CLICK, OP_NONE, false},
		{"GET", "/v1/click/" ID, ROUTE_CLICK_ITEM, OP_CLICK_GET, true},
		{"DELETE", "/v1/click/" ID, ROUTE_CLICK_ITEM, OP_NONE, true},
		{"GET", "/v1/click/" ID "/events", ROUTE_CLICK_EVENTS,
		 OP_CLICK_EVENTS, true},
		{"POST", "/v1/click/" ID "/events", ROUTE_CLICK_EVENTS, OP_NONE,
		 true},
		{"GET", "/v1/click/nope", ROUTE_CLICK_ITEM, OP_CLICK_GET, false},
		{"GET", "/v1/click/" ID "/deliveries", ROUTE_NONE, OP_NONE,
		 false},
		{"GET", "/v1/click/", ROUTE_NONE, OP_NONE, false},
		{"GET", "/v1/click//events", ROUTE_NONE, OP_NONE, false},
		{"POST", "/v1/clicks", ROUTE_NONE, OP_NONE, false},
	};
	struct api_match m;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		api_match(&m, t[i].method, t[i].path);
		assert_int_equal(m.route, t[i].route);
		assert_int_equal(m.op, t[i].op);
		assert_int_equal(m.id_ok, t[i].id_ok);
		if (m.id_ok)
			assert_string_equal(m.id, ID);
	}
	api_match(&m, "PUT", "/v1/click");
	assert_string_equal(m.allow, "POST");
	api_match(&m, "POST", "/v1/click/" ID);
	assert_string_equal(m.allow, "GET");
}

/* ---- the per-address limit ---- */

static void test_ip_limit(void **state)
{
	struct env e;
	unsigned retry = 0;
	int i;

	(void)state;
	env_open(&e, conf_text);
	/* burst 3, then one every 5 s */
	for (i = 0; i < 3; i++)
		assert_true(api_click_ip_take(e.api, "192.0.2.1", 1000, &retry));
	assert_false(api_click_ip_take(e.api, "192.0.2.1", 1000, &retry));
	assert_int_equal(retry, 5);
	assert_false(api_click_ip_take(e.api, "192.0.2.1", 4000, &retry));
	assert_int_equal(retry, 2);
	assert_true(api_click_ip_take(e.api, "192.0.2.1", 6000, &retry));
	assert_false(api_click_ip_take(e.api, "192.0.2.1", 6000, &retry));
	/* another address has its own bucket */
	assert_true(api_click_ip_take(e.api, "192.0.2.2", 6000, &retry));
	/* IPv6: one bucket per /64 */
	for (i = 0; i < 3; i++)
		assert_true(api_click_ip_take(e.api, i ? "2001:db8::2" :
					      "2001:db8::1", 0, &retry));
	assert_false(api_click_ip_take(e.api, "2001:db8::ffff:1", 0, &retry));
	assert_true(api_click_ip_take(e.api, "2001:db8:0:1::1", 0, &retry));
	/* an unknown address still counts, as one */
	for (i = 0; i < 3; i++)
		assert_true(api_click_ip_take(e.api, "", 0, &retry));
	assert_false(api_click_ip_take(e.api, NULL, 0, &retry));
	env_close(&e);

	/* rate 0: no limit */
	env_open(&e, "[click]\nrate_per_ip = 0\nburst_per_ip = 1\n");
	for (i = 0; i < 100; i++)
		assert_true(api_click_ip_take(e.api, "192.0.2.1", 0, &retry));
	assert_int_equal(pint_hash_count(&e.api->ips), 0);
	env_close(&e);
}

/* The table holds API_CLICK_IPS_MAX addresses; the idlest goes. */
static void test_ip_table_bound(void **state)
{
	char addr[64];
	unsigned retry = 0, i;
	struct env e;

	(void)state;
	env_open(&e, "[click]\nrate_per_ip = 0.001\nburst_per_ip = 1\n");
	assert_true(api_click_ip_take(e.api, "10.255.255.255", 0, &retry));
	assert_false(api_click_ip_take(e.api, "10.255.255.255", 0, &retry));
	for (i = 1; i < API_CLICK_IPS_MAX; i++) {
		snprintf(addr, sizeof(addr), "10.%u.%u.%u", i >> 16,
			 (i >> 8) & 255, i & 255);
		assert_true(api_click_ip_take(e.api, addr, 0, &retry));
	}
	assert_int_equal(pint_hash_count(&e.api->ips), API_CLICK_IPS_MAX);
	/* used again: the most recent now; 10.0.0.1 is the idlest */
	assert_false(api_click_ip_take(e.api, "10.255.255.255", 0, &retry));
	assert_true(api_click_ip_take(e.api, "192.0.2.1", 0, &retry));
	assert_int_equal(pint_hash_count(&e.api->ips), API_CLICK_IPS_MAX);
	assert_false(api_click_ip_take(e.api, "10.255.255.255", 0, &retry));
	assert_true(api_click_ip_take(e.api, "10.0.0.1", 0, &retry));
	assert_false(api_click_ip_take(e.api, "10.0.0.1", 0, &retry));
	env_close(&e);
}

/* ---- uses of tokens ---- */

static void create_of(struct api_create *c, struct gw_api *api,
		      uint32_t max)
{
	memset(c, 0, sizeof(*c));
	c->api = api;
	snprintf(c->owner, sizeof(c->owner), "shop");
	c->click = true;
	snprintf(c->use.jti, sizeof(c->use.jti), JTI);
	c->use.exp = api_wall_ms() / 1000 + 3600;
	c->use.max = max;
}

static int count_uses(struct gw_store_click_use *u, void *arg)
{
	uint32_t *n = arg;

	assert_string_equal(u->jti, JTI);
	assert_string_equal(u->owner, "shop");
	*n += u->uses;
	return 0;
}

static void test_uses(void **state)
{
	struct api_create c, free_c;
	struct env e;
	uint32_t stored = 0;

	(void)state;
	env_open(&e, conf_text);
	create_of(&c, e.api, 2);
	api_click_started(e.api, &c);
	api_click_started(e.api, &c);
	assert_int_equal(api_click_uses(e.api, JTI), 2);
	/* a token without a limit is neither counted nor stored */
	create_of(&free_c, e.api, 0);
	snprintf(free_c.use.jti, sizeof(free_c.use.jti),
		 "BBECAwQFBgcICQoLDA0ODw");
	api_click_started(e.api, &free_c);
	assert_int_equal(api_click_uses(e.api, free_c.use.jti), 0);
	assert_int_equal(gw_store_commit(e.store), 0);
	assert_int_equal(gw_store_scan_click_uses(e.store, 0, count_uses,
						  &stored), 0);
	assert_int_equal(stored, 2);

	/* a restart: the count comes back from the store */
	gw_api_free(e.api);
	api_open(&e);
	assert_int_equal(api_click_uses(e.api, JTI), 0);
	assert_int_equal(gw_api_seed(e.api), 0);
	assert_int_equal(api_click_uses(e.api, JTI), 2);
	/* a create whose commit fails gives its use back */
	api_click_started(e.api, &c);
	assert_int_equal(api_click_uses(e.api, JTI), 3);
	api_click_failed(e.api, &c);
	assert_int_equal(api_click_uses(e.api, JTI), 2);
	api_click_failed(e.api, &free_c);
	env_close(&e);
}

/* Expired tokens' rows are purged at start and not counted. */
static void test_uses_expired(void **state)
{
	struct gw_store_click_use row;
	struct env e;

	(void)state;
	env_open(&e, conf_text);
	memset(&row, 0, sizeof(row));
	row.jti = S(JTI);
	row.owner = S("shop");
	row.uses = 5;
	row.expires_at = api_wall_ms() / 1000 - 10;
	assert_int_equal(gw_store_add_click_use(e.store, &row, NULL, NULL), 0);
	row.jti = S("BBECAwQFBgcICQoLDA0ODw");
	row.expires_at = api_wall_ms() / 1000 + 100;
	assert_int_equal(gw_store_add_click_use(e.store, &row, NULL, NULL), 0);
	assert_int_equal(gw_store_commit(e.store), 0);
	assert_int_equal(gw_api_seed(e.api), 0);
	assert_int_equal(api_click_uses(e.api, JTI), 0);
	assert_int_equal(api_click_uses(e.api, "BBECAwQFBgcICQoLDA0ODw"), 5);
	env_close(&e);
}

/* ---- secrets ---- */

static void test_secret(void **state)
{
	static const char plain[] = "[key plain]\nhash = sha256:"
		"1d679eead0bc05471b962fa7ce5c406318a814ea5fe50422be6ce08d63e15a70\n";
	struct gw_conf_errs errs;
	struct gw_conf *c2 = NULL;
	struct gw_auth *a2 = NULL;
	const uint8_t *s = NULL;
	size_t n = 0;
	struct env e;

	(void)state;
	env_open(&e, conf_text);
	assert_int_equal(api_click_secret("shop", &s, &n, e.api), 0);
	assert_int_equal(n, strlen(SECRET));
	assert_memory_equal(s, SECRET, n);
	assert_int_equal(api_click_secret("plain", &s, &n, e.api), ENOENT);
	assert_int_equal(api_click_secret("gone", &s, &n, e.api), ENOENT);
	/* a key gone from the table (a reload) signs nothing, even with
	 * its secret still loaded */
	assert_int_equal(gw_conf_parse_string(&c2, plain, sizeof(plain) - 1,
					      "t2.conf", &errs), 0);
	assert_int_equal(gw_auth_alloc(&a2, c2), 0);
	e.deps.auth = a2;
	assert_int_equal(api_click_secret("shop", &s, &n, e.api), ENOENT);
	e.deps.auth = e.auth;
	e.deps.secrets = NULL;
	assert_int_equal(api_click_secret("shop", &s, &n, e.api), ENOENT);
	gw_auth_free(a2);
	gw_conf_free(c2);
	env_close(&e);
}

/* ---- the click's view ---- */

static void put_request(struct env *e, const char *owner)
{
	struct gw_store_event ev;
	struct gw_store_req row;

	memset(&row, 0, sizeof(row));
	row.id = S(ID);
	row.owner = S(owner);
	row.service = S("call");
	row.status = S("proceeding");
	row.created_at = 1795269598000LL;
	row.updated_at = 1795269599000LL;
	row.to_input = S("+1 555 555 0199");
	row.to_number = S("+15555550199");
	row.from_input = S("+1 555 555 0100");
	row.from_number = S("+15555550100");
	row.client_state = S("private");
	row.gateway = S("pint-east");
	row.call_id = S("abc@pintgw");
	row.last_code = 180;
	row.last_seq = 2;
	assert_int_equal(gw_store_put_request(e->store, &row, NULL, NULL), 0);
	memset(&ev, 0, sizeof(ev));
	ev.request_id = S(ID);
	ev.seq = 1;
	ev.at = 1795269598000LL;
	ev.status = S("queued");
	assert_int_equal(gw_store_append_event(e->store, &ev, NULL, NULL), 0);
	ev.seq = 2;
	ev.at = 1795269599000LL;
	ev.status = S("proceeding");
	ev.info = S("Ringing");
	ev.sip = S("{\"code\":180}");
	assert_int_equal(gw_store_append_event(e->store, &ev, NULL, NULL), 0);
	assert_int_equal(gw_store_commit(e->store), 0);
}

static json_t *render(struct env *e, bool with_token)
{
	struct gw_store_req row;
	char *body = NULL;
	size_t len = 0;
	json_t *j;

	memset(&row, 0, sizeof(row));
	assert_int_equal(gw_store_get_request(e->store, ID, NULL, &row), 0);
	assert_int_equal(api_click_render(e->api, &row, with_token, &body,
					  &len), 0);
	j = json_loadb(body, len, 0, NULL);
	assert_non_null(j);
	free(body);
	gw_store_req_clear(&row);
	return j;
}

static void test_view(void **state)
{
	static const char *const hidden[] = {"from", "sip", "client_state",
					     "start_at", "stop_at"};
	char view[GW_CLICK_VIEW_LEN + 1], link[128];
	json_t *j, *evs, *ev;
	struct env e;
	size_t i;

	(void)state;
	env_open(&e, conf_text);
	put_request(&e, "shop");
	assert_int_equal(gw_click_view(view, ID, (const uint8_t *)SECRET,
				       strlen(SECRET)), 0);
	j = render(&e, true);
	assert_string_equal(json_string_value(json_object_get(j, "id")), ID);
	assert_string_equal(json_string_value(json_object_get(j, "status")),
			    "proceeding");
	assert_string_equal(json_string_value(json_object_get(j, "to")),
			    "+1******0199");
	assert_int_equal(json_integer_value(json_object_get(j, "last_seq")), 2);
	assert_string_equal(json_string_value(json_object_get(j,
			    "view_token")), view);
	for (i = 0; i < sizeof(hidden) / sizeof(hidden[0]); i++)
		assert_null(json_object_get(j, hidden[i]));
	snprintf(link, sizeof(link), "/v1/click/" ID "/events?view=%s", view);
	assert_string_equal(json_string_value(json_object_get(
		json_object_get(j, "links"), "events")), link);
	evs = json_object_get(j, "events");
	assert_int_equal(json_array_size(evs), 2);
	ev = json_array_get(evs, 1);
	assert_int_equal(json_integer_value(json_object_get(ev, "seq")), 2);
	assert_string_equal(json_string_value(json_object_get(ev, "info")),
			    "Ringing");
	assert_null(json_object_get(ev, "sip"));
	json_decref(j);
	/* a GET: no view_token field */
	j = render(&e, false);
	assert_null(json_object_get(j, "view_token"));
	json_decref(j);
	env_close(&e);

	/* an owner without a secret: no token anywhere */
	env_open(&e, conf_text);
	put_request(&e, "plain");
	j = render(&e, true);
	assert_true(json_is_null(json_object_get(j, "view_token")));
	assert_string_equal(json_string_value(json_object_get(
		json_object_get(j, "links"), "self")), "/v1/click/" ID);
	json_decref(j);
	env_close(&e);
}

/* ---- metrics ---- */

static void test_metrics(void **state)
{
	struct gw_metrics_counters c;
	struct gw_metrics_src src;
	struct pint_mbuf mb;

	(void)state;
	memset(&c, 0, sizeof(c));
	memset(&src, 0, sizeof(src));
	c.clicks[GW_METRICS_CLICK_ACCEPTED] = 7;
	c.clicks[GW_METRICS_CLICK_USED_UP] = 2;
	c.clicks[GW_METRICS_CLICK_KEY] = 1;
	src.api = &c;
	pint_mbuf_init(&mb, 0);
	assert_int_equal(gw_metrics_render(&mb, &src), 0);
	assert_non_null(strstr(mb.buf, "# TYPE pintgw_click_requests_total "
			       "counter\n"));
	assert_non_null(strstr(mb.buf, "pintgw_click_requests_total"
			       "{result=\"accepted\"} 7\n"));
	assert_non_null(strstr(mb.buf, "pintgw_click_requests_total"
			       "{result=\"token_used_up\"} 2\n"));
	assert_non_null(strstr(mb.buf, "pintgw_click_requests_total"
			       "{result=\"refused_for_key\"} 1\n"));
	assert_non_null(strstr(mb.buf, "pintgw_click_requests_total"
			       "{result=\"rate_limited\"} 0\n"));
	pint_mbuf_reset(&mb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		leakcheck_test(test_match),
		leakcheck_test(test_ip_limit),
		leakcheck_test(test_ip_table_bound),
		leakcheck_test(test_uses),
		leakcheck_test(test_uses_expired),
		leakcheck_test(test_secret),
		leakcheck_test(test_view),
		leakcheck_test(test_metrics),
	};

	return cmocka_run_group_tests_name("gateway/api_click", tests, NULL,
					   NULL);
}
