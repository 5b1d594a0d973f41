/*
 * tests/web/test_resource_jansson.c — web/resource.c writes its JSON
 * straight to text; every body here is held against the same content
 * built as a jansson tree and dumped by json_dumps(), the oracle.
 * Thousands of varied inputs: every status and outcome, absent parts,
 * hostile and broken text, extreme numbers, times back to year 0000, and
 * invalid ones, whose error must be the one the tree's build returns.
 * The click's view is the whole resource's tree with members taken out.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/pint/test_common.h"
#include "tests/fakes/oracle.h"
#include "web/json.h"
#include "web/resource.h"

#define ROUNDS 4000u
#define LIST_MAX 4u

/* ---- the oracle: the content as a jansson tree ---- */

static int o_set(json_t *obj, const char *key, json_t *v)
{
	return web_json_set_new(obj, key, v);
}

static int o_code(json_t *obj, const char *key, int code)
{
	return o_set(obj, key, code ? json_integer(code) : json_null());
}

static int o_u64(json_t *obj, const char *key, uint64_t v)
{
	if (v > INT64_MAX)
		return ERANGE;
	return o_set(obj, key, json_integer((json_int_t)v));
}

static int o_status(json_t *obj, const char *key, enum web_status s)
{
	const char *name = web_resource_status_name(s);

	return name ? web_json_set_str(obj, key, name) : EINVAL;
}

static int o_time(json_t *obj, const char *key, bool has, int64_t ms)
{
	return has ? web_json_set_time(obj, key, ms) : o_set(obj, key, json_null());
}

static int o_party(json_t *obj, const char *key,
		   const struct web_resource_party *pa)
{
	json_t *v;
	int err;

	if (!pa->input)
		return o_set(obj, key, json_null());
	v = json_object();
	err = o_set(obj, key, v);
	if (!err)
		err = web_json_set_str(v, "input", pa->input);
	if (!err)
		err = web_json_set_str(v, "number", pa->number);
	return err;
}

static int o_outcome(json_t *obj, const char *key,
		     const struct web_resource_outcome *o)
{
	static const char *const by[] = {NULL, "gateway", "pintgw"};
	const char *code = web_resource_outcome_name(o->code);
	json_t *v;
	int err;

	if (o->code == WEB_OUTCOME_NONE)
		return o_set(obj, key, json_null());
	if (!code || (unsigned)o->by > WEB_BY_PINTGW)
		return EINVAL;
	v = json_object();
	err = o_set(obj, key, v);
	if (!err)
		err = web_json_set_str(v, "code", code);
	if (!err)
		err = o_code(v, "sip_code", o->sip_code);
	if (!err)
		err = web_json_set_str(v, "reason", o->reason);
	if (!err)
		err = web_json_set_str(v, "warning", o->warning);
	if (!err)
		err = web_json_set_str(v, "by", by[o->by]);
	return err;
}

static int o_sip(json_t *obj, const char *key, const struct web_resource_sip *s)
{
	json_t *v;
	int err;

	if (!s->set)
		return o_set(obj, key, json_null());
	v = json_object();
	err = o_set(obj, key, v);
	if (!err)
		err = web_json_set_str(v, "gateway", s->gateway);
	if (!err)
		err = web_json_set_str(v, "call_id", s->call_id);
	if (!err)
		err = o_code(v, "last_code", s->last_code);
	if (!err)
		err = web_json_set_str(v, "warning", s->warning);
	return err;
}

static bool o_id_ok(const char *id)
{
	size_t len = id ? strlen(id) : 0;

	return len && len <= WEB_RESOURCE_ID_MAX &&
	       strspn(id, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			  "0123456789_-") == len;
}

static int o_links(json_t *obj, const struct web_resource *r)
{
	const char *base = r->base ? r->base : "/v1/requests";
	char link[512];
	json_t *v;
	int err;

	if (strlen(base) > 128)
		return EINVAL;
	v = json_object();
	err = o_set(obj, "links", v);
	snprintf(link, sizeof(link), "%s/%s", base, r->id);
	if (!err)
		err = web_json_set_str(v, "self", link);
	snprintf(link, sizeof(link), "%s/%s/events", base, r->id);
	if (!err)
		err = web_json_set_str(v, "events", link);
	return err;
}

static int o_resource(json_t **objp, const struct web_resource *r)
{
	json_t *obj;
	int err;

	if (!o_id_ok(r->id) || !r->service || !web_resource_status_name(r->status))
		return EINVAL;
	obj = json_object();
	err = web_json_set_str(obj, "id", r->id);
	if (!err)
		err = web_json_set_str(obj, "service", r->service);
	if (!err)
		err = o_status(obj, "status", r->status);
	if (!err)
		err = o_party(obj, "to", &r->to);
	if (!err)
		err = o_party(obj, "from", &r->from);
	if (!err)
		err = o_time(obj, "created_at", true, r->created_at);
	if (!err)
		err = o_time(obj, "updated_at", true, r->updated_at);
	if (!err)
		err = o_time(obj, "start_at", r->has_start_at, r->start_at);
	if (!err)
		err = o_time(obj, "stop_at", r->has_stop_at, r->stop_at);
	if (!err)
		err = web_json_set_str(obj, "info", r->info);
	if (!err)
		err = o_outcome(obj, "outcome", &r->outcome);
	if (!err)
		err = o_sip(obj, "sip", &r->sip);
	if (!err)
		err = o_u64(obj, "last_seq", r->last_seq);
	if (!err)
		err = web_json_set_str(obj, "client_state", r->client_state);
	if (!err)
		err = o_links(obj, r);
	if (err)
		json_decref(obj);
	else
		*objp = obj;
	return err;
}

static int o_event(json_t **objp, const struct web_resource_event *ev)
{
	json_t *obj;
	int err;

	if (!web_resource_status_name(ev->status))
		return EINVAL;
	obj = json_object();
	err = o_u64(obj, "seq", ev->seq);
	if (!err)
		err = o_time(obj, "at", true, ev->at);
	if (!err)
		err = o_status(obj, "status", ev->status);
	if (!err)
		err = web_json_set_str(obj, "info", ev->info);
	if (!err)
		err = o_sip(obj, "sip", &ev->sip);
	if (err)
		json_decref(obj);
	else
		*objp = obj;
	return err;
}

static int o_webhook(json_t **objp, const struct web_resource_webhook *w)
{
	json_t *obj;
	int err;

	if (!w->event_id || !o_id_ok(w->request_id) ||
	    !web_resource_status_name(w->status))
		return EINVAL;
	obj = json_object();
	err = web_json_set_str(obj, "event_id", w->event_id);
	if (!err)
		err = web_json_set_str(obj, "request_id", w->request_id);
	if (!err)
		err = o_u64(obj, "seq", w->seq);
	if (!err)
		err = o_status(obj, "status", w->status);
	if (!err)
		err = o_time(obj, "at", true, w->at);
	if (!err)
		err = web_json_set_str(obj, "info", w->info);
	if (!err)
		err = o_outcome(obj, "outcome", &w->outcome);
	if (!err)
		err = web_json_set_str(obj, "client_state", w->client_state);
	if (err)
		json_decref(obj);
	else
		*objp = obj;
	return err;
}

/*
 * The click's view as the gateway made it with jansson: the whole
 * resource, the kept members copied out, then to, links, the events
 * without "sip" and the view token.
 */
static int o_click(json_t **objp, const struct web_resource *r,
		   const struct web_resource_click *c)
{
	static const char *const kept[] = {
		"id", "service", "status", "created_at", "updated_at", "info",
		"outcome", "last_seq",
	};
	json_t *full = NULL, *obj, *links, *evs, *one = NULL;
	size_t i;
	int err;

	err = o_resource(&full, r);
	if (err)
		return err;
	obj = json_object();
	for (i = 0; !err && i < sizeof(kept) / sizeof(kept[0]); i++)
		if (json_object_set(obj, kept[i], json_object_get(full, kept[i])))
			err = ENOMEM;
	json_decref(full);
	if (!err)
		err = web_json_set_str(obj, "to", c->to);
	links = json_object();
	if (!err)
		err = web_json_set_str(links, "self", c->self);
	if (!err)
		err = web_json_set_str(links, "events", c->events_link);
	if (!err)
		err = o_set(obj, "links", json_incref(links));
	json_decref(links);
	evs = json_array();
	if (!err)
		err = o_set(obj, "events", json_incref(evs));
	for (i = 0; !err && i < c->n; i++) {
		err = o_event(&one, &c->ev[i]);
		if (!err && json_object_del(one, "sip"))
			err = EINVAL;
		if (!err && json_array_append_new(evs, one))
			err = ENOMEM;
	}
	json_decref(evs);
	if (!err && c->with_token)
		err = web_json_set_str(obj, "view_token", c->view_token);
	if (err)
		json_decref(obj);
	else
		*objp = obj;
	return err;
}

/* The text of obj (taken; NULL after an error), or NULL after one. */
static char *o_dump(int err, json_t *obj, size_t flags)
{
	char *out = NULL;

	if (!err)
		assert_int_equal(web_json_dump(&out, NULL, obj, flags), 0);
	json_decref(obj);
	return out;
}

/* ---- varied inputs ---- */

/* the same inputs on every run */
static uint64_t seed = 0x2545f4914f6cdd1dULL;

static uint64_t rnd(void)
{
	return test_rand(&seed);
}

static bool one_in(unsigned n)
{
	return test_one_in(&seed, n);
}

static char long_base[130];      /* 129 bytes; from +1 the longest base */

static const char *text(void)
{
	return test_text(&seed);
}

static const char *text_set(void)
{
	const char *s = text();

	return s ? s : "x";
}

/* An id of the link alphabet, or now and then one that is refused. */
static const char *id(char *buf)
{
	static const char abc[] =
		"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-";
	size_t i, len = 1 + rnd() % WEB_RESOURCE_ID_MAX;

	if (one_in(40))
		return one_in(2) ? NULL : "bad id";
	if (one_in(40))
		len = WEB_RESOURCE_ID_MAX + 1;
	for (i = 0; i < len; i++)
		buf[i] = abc[rnd() % (sizeof(abc) - 1)];
	buf[len] = '\0';
	return buf;
}

static int64_t when(void)
{
	return test_when(&seed);
}

static int sip_code(void)
{
	return test_sip_code(&seed);
}

static uint64_t seq(void)
{
	if (one_in(60))
		return one_in(2) ? (uint64_t)INT64_MAX + 1 : UINT64_MAX;
	switch (rnd() % 4) {
	case 0:
		return 0;
	case 1:
		return INT64_MAX;
	default:
		return rnd() >> (1 + rnd() % 63);
	}
}

static enum web_status status(void)
{
	if (one_in(50))
		return one_in(2) ? WEB_STATUS_NONE : WEB_STATUS_COUNT;
	return (enum web_status)(1 + rnd() % (WEB_STATUS_COUNT - 1));
}

static void outcome(struct web_resource_outcome *o)
{
	o->code = (enum web_outcome)(rnd() % (WEB_OUTCOME_COUNT + (one_in(30) ? 1 : 0)));
	o->sip_code = sip_code();
	o->reason = text();
	o->warning = text();
	o->by = (enum web_by)(rnd() % (3 + (one_in(30) ? 1 : 0)));
}

static void sip(struct web_resource_sip *s)
{
	s->set = one_in(2);
	s->gateway = text();
	s->call_id = text();
	s->last_code = sip_code();
	s->warning = text();
}

static void resource(struct web_resource *r, char *idbuf)
{
	static const char *const bases[] = {
		NULL, "/v1/click", "", "/x\"y\\z", "/caf\xc3\xa9", "/bad\xff",
		long_base + 1,
	};

	memset(r, 0, sizeof(*r));
	r->id = id(idbuf);
	r->service = one_in(50) ? NULL : text_set();
	r->status = status();
	r->to.input = text();
	r->to.number = text();
	r->from.input = text();
	r->from.number = text();
	r->created_at = when();
	r->updated_at = when();
	r->has_start_at = one_in(2);
	r->start_at = when();
	r->has_stop_at = one_in(2);
	r->stop_at = when();
	r->info = text();
	outcome(&r->outcome);
	sip(&r->sip);
	r->last_seq = seq();
	r->client_state = text();
	r->base = bases[rnd() % (sizeof(bases) / sizeof(bases[0]))];
	if (one_in(50))
		r->base = long_base;    /* one byte too long: EINVAL */
}

static void event(struct web_resource_event *ev)
{
	memset(ev, 0, sizeof(*ev));
	ev->seq = seq();
	ev->at = when();
	ev->status = status();
	ev->info = text();
	sip(&ev->sip);
}

static void webhook(struct web_resource_webhook *w, char *idbuf)
{
	memset(w, 0, sizeof(*w));
	w->event_id = one_in(50) ? NULL : text_set();
	w->request_id = id(idbuf);
	w->seq = seq();
	w->status = status();
	w->at = when();
	w->info = text();
	outcome(&w->outcome);
	w->client_state = text();
}

static int setup(void **state)
{
	memset(long_base, 'b', sizeof(long_base) - 1);
	long_base[1] = '/';
	long_base[sizeof(long_base) - 1] = '\0';
	return alloc_setup(state);
}

/*
 * Ours (err, got) against jansson's (want_err, its tree obj, dumped with
 * flags): the same error, or the same text, which parses. Both taken.
 */
static void same(int err, char *got, int want_err, json_t *obj, size_t flags)
{
	char *want = o_dump(want_err, obj, flags);

	assert_int_equal(err, want_err);
	if (err) {
		assert_null(got);
		assert_null(want);
		return;
	}
	test_same_json(got, want);
}

/*
 * A click's view of r: its hidden members made valid (the gateway's rows
 * always are; jansson's build checked them too), events and texts drawn.
 */
static void click(struct web_resource_click *c, struct web_resource *r,
		  struct web_resource_event ev[6])
{
	size_t i;

	r->has_start_at = r->has_stop_at = false;
	r->base = NULL;
	memset(c, 0, sizeof(*c));
	c->to = text();
	c->self = text_set();
	c->events_link = text_set();
	c->n = rnd() % 7;
	for (i = 0; i < c->n; i++)
		event(&ev[i]);
	c->ev = ev;
	c->with_token = one_in(2);
	c->view_token = text();
}

/*
 * The resource, the click's view of it and a webhook, ROUNDS times. An
 * o_*() that fails leaves obj as it was: NULL is passed on then.
 */
static void test_bodies_vs_jansson(void **state)
{
	char idbuf[WEB_RESOURCE_ID_MAX + 2];
	struct web_resource_event ev[6];
	struct web_resource_webhook w;
	struct web_resource_click c;
	struct web_resource r;
	json_t *obj;
	char *got;
	unsigned n;
	int err, want_err;

	(void)state;
	for (n = 0; n < ROUNDS; n++) {
		resource(&r, idbuf);
		got = NULL;
		err = web_resource_encode(&got, NULL, &r);
		want_err = o_resource(&obj, &r);
		same(err, got, want_err, want_err ? NULL : obj, 0);

		click(&c, &r, ev);
		got = NULL;
		err = web_resource_click(&got, NULL, &r, &c);
		want_err = o_click(&obj, &r, &c);
		same(err, got, want_err, want_err ? NULL : obj, 0);

		webhook(&w, idbuf);
		got = NULL;
		err = web_resource_webhook(&got, NULL, &w);
		want_err = o_webhook(&obj, &w);
		same(err, got, want_err, want_err ? NULL : obj, JSON_COMPACT);
	}
}

static void test_list_vs_jansson(void **state)
{
	char idbuf[LIST_MAX][WEB_RESOURCE_ID_MAX + 2];
	struct web_resource r[LIST_MAX];
	json_t *root, *arr, *one = NULL;
	const char *cursor;
	char *got;
	size_t i, k;
	unsigned n;
	int err, want_err;

	(void)state;
	for (n = 0; n < ROUNDS / 4; n++) {
		k = rnd() % (LIST_MAX + 1);
		for (i = 0; i < k; i++)
			resource(&r[i], idbuf[i]);
		cursor = text();
		got = NULL;
		err = web_resource_list(&got, NULL, r, k, cursor);

		root = json_object();
		arr = json_array();
		want_err = o_set(root, "requests", arr);
		for (i = 0; !want_err && i < k; i++) {
			want_err = o_resource(&one, &r[i]);
			if (!want_err)
				assert_int_equal(json_array_append_new(arr, one), 0);
		}
		if (!want_err)
			want_err = web_json_set_str(root, "next_cursor", cursor);
		same(err, got, want_err, root, 0);
	}
}

static void test_events_vs_jansson(void **state)
{
	struct web_resource_event ev[6];
	json_t *root, *arr, *one = NULL;
	char *got, *want, *data;
	size_t i, k;
	unsigned n;
	int err, want_err, len;

	(void)state;
	for (n = 0; n < ROUNDS; n++) {
		k = rnd() % 7;
		for (i = 0; i < k; i++)
			event(&ev[i]);
		got = NULL;
		err = web_resource_events(&got, NULL, ev, k);
		root = json_object();
		arr = json_array();
		want_err = o_set(root, "events", arr);
		for (i = 0; !want_err && i < k; i++) {
			want_err = o_event(&one, &ev[i]);
			if (!want_err)
				assert_int_equal(json_array_append_new(arr, one), 0);
		}
		same(err, got, want_err, root, 0);

		if (!k)
			continue;
		/* the first one as an SSE frame: the compact event as data */
		got = NULL;
		err = web_resource_sse(&got, NULL, &ev[0]);
		one = NULL;
		want_err = o_event(&one, &ev[0]);
		data = o_dump(want_err, one, JSON_COMPACT);
		assert_int_equal(err, want_err);
		if (err) {
			assert_null(got);
			continue;
		}
		len = snprintf(NULL, 0, "id: %" PRIu64 "\nevent: %s\ndata: %s\n\n",
			       ev[0].seq, web_resource_status_name(ev[0].status), data);
		want = malloc((size_t)len + 1);
		assert_non_null(want);
		snprintf(want, (size_t)len + 1, "id: %" PRIu64 "\nevent: %s\ndata: %s\n\n",
			 ev[0].seq, web_resource_status_name(ev[0].status), data);
		assert_string_equal(got, want);
		free(got);
		free(want);
		free(data);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_bodies_vs_jansson, setup, alloc_teardown),
		cmocka_unit_test_setup_teardown(test_list_vs_jansson, setup, alloc_teardown),
		cmocka_unit_test_setup_teardown(test_events_vs_jansson, setup, alloc_teardown),
	};

	return cmocka_run_group_tests_name("web_resource_jansson", tests, NULL, NULL);
}
