/*
 * tests/web/test_resource.c — web/resource.c: the request resource, lists,
 * events, SSE frames, webhook payloads, the click's view and the
 * normalised request, byte for byte against API.md, plus round trips
 * through jansson and allocation failure.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/pint/test_common.h"
#include "web/json.h"
#include "web/req.h"
#include "web/resource.h"

#define ID "rq_5Jm0x8YtQ2Kb7Cq1"

/* API.md's resource example, with a concrete Call-ID. */
static void example(struct web_resource *r)
{
	memset(r, 0, sizeof(*r));
	r->id = ID;
	r->service = "call";
	r->status = WEB_STATUS_ACTIVE;
	r->to.input = "+1 555 555 0199";
	r->to.number = "+15555550199";
	r->from.input = "+1-555-555-0100";
	r->from.number = "+15555550100";
	r->created_at = 1795269598000LL;   /* 2026-11-21T13:59:58Z */
	r->updated_at = 1795269604000LL;
	r->info = "call connected";
	r->sip.set = true;
	r->sip.gateway = "pint-east";
	r->sip.call_id = "a84b4c76e66710@pintgw";
	r->sip.last_code = 200;
	r->last_seq = 5;
	r->client_state = "order-4711";
}

static const char example_json[] =
	"{\"id\": \"" ID "\", \"service\": \"call\", \"status\": \"active\", "
	"\"to\": {\"input\": \"+1 555 555 0199\", \"number\": \"+15555550199\"}, "
	"\"from\": {\"input\": \"+1-555-555-0100\", \"number\": \"+15555550100\"}, "
	"\"created_at\": \"2026-11-21T13:59:58Z\", \"updated_at\": \"2026-11-21T14:00:04Z\", "
	"\"start_at\": null, \"stop_at\": null, \"info\": \"call connected\", "
	"\"outcome\": null, "
	"\"sip\": {\"gateway\": \"pint-east\", \"call_id\": \"a84b4c76e66710@pintgw\", "
	"\"last_code\": 200, \"warning\": null}, "
	"\"last_seq\": 5, \"client_state\": \"order-4711\", "
	"\"links\": {\"self\": \"/v1/requests/" ID "\", "
	"\"events\": \"/v1/requests/" ID "/events\"}}";

static void test_resource_example(void **state)
{
	struct web_resource r;
	char *body = NULL;
	size_t len;

	(void)state;
	example(&r);
	assert_int_equal(web_resource_encode(&body, &len, &r), 0);
	assert_string_equal(body, example_json);
	assert_int_equal(len, strlen(body));
	free(body);
}

/* Keys of obj in order must be exactly keys[] (NULL-terminated). */
static void assert_keys(const json_t *obj, const char *const *keys)
{
	void *it = json_object_iter((json_t *)obj);

	for (; *keys; keys++, it = json_object_iter_next((json_t *)obj, it)) {
		assert_non_null(it);
		assert_string_equal(json_object_iter_key(it), *keys);
	}
	assert_null(it);
}

/* A terminal request: every optional part set, then parsed back. */
static void test_resource_terminal(void **state)
{
	static const char *const keys[] = {
		"id", "service", "status", "to", "from", "created_at",
		"updated_at", "start_at", "stop_at", "info", "outcome", "sip",
		"last_seq", "client_state", "links", NULL,
	};
	static const char *const okeys[] = {
		"code", "sip_code", "reason", "warning", "by", NULL,
	};
	struct web_resource r;
	json_error_t je;
	json_t *root, *o;
	char *body = NULL;

	(void)state;
	example(&r);
	r.status = WEB_STATUS_FAILED;
	r.from.input = NULL;
	r.to.number = NULL;
	r.has_start_at = true;
	r.start_at = 1795269600000LL;
	r.has_stop_at = true;
	r.stop_at = 1795284000123LL;
	r.info = NULL;
	r.outcome.code = WEB_OUTCOME_BUSY;
	r.outcome.sip_code = 486;
	r.outcome.reason = "Busy Here";
	r.outcome.by = WEB_BY_GATEWAY;
	r.sip.set = false;
	r.client_state = NULL;
	r.base = "/v1/click";
	r.last_seq = INT64_MAX;
	assert_int_equal(web_resource_encode(&body, NULL, &r), 0);

	root = json_loads(body, JSON_REJECT_DUPLICATES, &je);
	assert_non_null(root);
	assert_keys(root, keys);
	assert_string_equal(json_string_value(json_object_get(root, "status")), "failed");
	assert_true(json_is_null(json_object_get(root, "from")));
	assert_true(json_is_null(json_object_get(json_object_get(root, "to"), "number")));
	assert_string_equal(json_string_value(json_object_get(root, "start_at")),
			    "2026-11-21T14:00:00Z");
	assert_string_equal(json_string_value(json_object_get(root, "stop_at")),
			    "2026-11-21T18:00:00.123Z");
	assert_true(json_is_null(json_object_get(root, "info")));
	assert_true(json_is_null(json_object_get(root, "sip")));
	assert_true(json_is_null(json_object_get(root, "client_state")));
	assert_int_equal(json_integer_value(json_object_get(root, "last_seq")), INT64_MAX);
	o = json_object_get(root, "outcome");
	assert_keys(o, okeys);
	assert_string_equal(json_string_value(json_object_get(o, "code")), "busy");
	assert_int_equal(json_integer_value(json_object_get(o, "sip_code")), 486);
	assert_string_equal(json_string_value(json_object_get(o, "reason")), "Busy Here");
	assert_true(json_is_null(json_object_get(o, "warning")));
	assert_string_equal(json_string_value(json_object_get(o, "by")), "gateway");
	o = json_object_get(root, "links");
	assert_string_equal(json_string_value(json_object_get(o, "self")), "/v1/click/" ID);
	assert_string_equal(json_string_value(json_object_get(o, "events")),
			    "/v1/click/" ID "/events");
	json_decref(root);
	free(body);
}

static void test_resource_invalid(void **state)
{
	char base[200];
	struct web_resource r;
	char *body = NULL;

	(void)state;
	example(&r);
	r.id = NULL;
	assert_int_equal(web_resource_encode(&body, NULL, &r), EINVAL);
	r.id = "";
	assert_int_equal(web_resource_encode(&body, NULL, &r), EINVAL);
	r.id = "rq/../x";
	assert_int_equal(web_resource_encode(&body, NULL, &r), EINVAL);
	r.id = "rq_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx";
	assert_int_equal(web_resource_encode(&body, NULL, &r), EINVAL);
	example(&r);
	r.service = NULL;
	assert_int_equal(web_resource_encode(&body, NULL, &r), EINVAL);
	example(&r);
	r.status = WEB_STATUS_NONE;
	assert_int_equal(web_resource_encode(&body, NULL, &r), EINVAL);
	r.status = WEB_STATUS_COUNT;
	assert_int_equal(web_resource_encode(&body, NULL, &r), EINVAL);
	example(&r);
	r.outcome.code = WEB_OUTCOME_COUNT;
	assert_int_equal(web_resource_encode(&body, NULL, &r), EINVAL);
	r.outcome.code = WEB_OUTCOME_OK;
	r.outcome.by = (enum web_by)7;
	assert_int_equal(web_resource_encode(&body, NULL, &r), EINVAL);
	example(&r);
	r.updated_at = WEB_JSON_TIME_MAX + 1;
	assert_int_equal(web_resource_encode(&body, NULL, &r), ERANGE);
	example(&r);
	r.last_seq = (uint64_t)INT64_MAX + 1;
	assert_int_equal(web_resource_encode(&body, NULL, &r), ERANGE);
	example(&r);
	memset(base, 'b', sizeof(base) - 1);
	base[sizeof(base) - 1] = '\0';
	r.base = base;
	assert_int_equal(web_resource_encode(&body, NULL, &r), EINVAL);
	assert_null(body);
}

/* Text from the network is cleaned, control characters escaped. */
static void test_resource_text(void **state)
{
	struct web_resource r;
	char *body = NULL;

	(void)state;
	example(&r);
	r.info = "ringing\xff\xfe";
	r.sip.warning = "399 gw \"line\nbreak\"";
	r.client_state = "caf\xc3\xa9 \xe2\x98\x8e";
	assert_int_equal(web_resource_encode(&body, NULL, &r), 0);
	assert_non_null(strstr(body, "\"info\": \"ringing??\""));
	assert_non_null(strstr(body, "\"warning\": \"399 gw \\\"line\\nbreak\\\"\""));
	assert_non_null(strstr(body, "\"client_state\": \"caf\xc3\xa9 \xe2\x98\x8e\""));
	assert_null(strchr(body, '\n'));
	free(body);
}

/* A request's first two events, the second with its SIP details. */
static void two_events(struct web_resource_event ev[2])
{
	memset(ev, 0, 2 * sizeof(ev[0]));
	ev[0].seq = 1;
	ev[0].at = 1795269598000LL;
	ev[0].status = WEB_STATUS_QUEUED;
	ev[1].seq = 2;
	ev[1].at = 1795269598250LL;
	ev[1].status = WEB_STATUS_PROCEEDING;
	ev[1].info = "ringing";
	ev[1].sip.set = true;
	ev[1].sip.gateway = "pint-east";
	ev[1].sip.call_id = "c1@pintgw";
	ev[1].sip.last_code = 180;
}

static void test_events(void **state)
{
	struct web_resource_event ev[2];
	char *body = NULL;

	(void)state;
	two_events(ev);
	assert_int_equal(web_resource_events(&body, NULL, ev, 2), 0);
	assert_string_equal(body,
		"{\"events\": ["
		"{\"seq\": 1, \"at\": \"2026-11-21T13:59:58Z\", \"status\": \"queued\", "
		"\"info\": null, \"sip\": null}, "
		"{\"seq\": 2, \"at\": \"2026-11-21T13:59:58.250Z\", \"status\": \"proceeding\", "
		"\"info\": \"ringing\", \"sip\": {\"gateway\": \"pint-east\", "
		"\"call_id\": \"c1@pintgw\", \"last_code\": 180, \"warning\": null}}]}");
	free(body);

	assert_int_equal(web_resource_events(&body, NULL, NULL, 0), 0);
	assert_string_equal(body, "{\"events\": []}");
	free(body);
	body = NULL;

	ev[1].status = WEB_STATUS_NONE;
	assert_int_equal(web_resource_events(&body, NULL, ev, 2), EINVAL);
	ev[1].status = WEB_STATUS_COMPLETED;
	ev[1].seq = UINT64_MAX;
	assert_int_equal(web_resource_events(&body, NULL, ev, 2), ERANGE);
	assert_null(body);
}

static void test_sse(void **state)
{
	struct web_resource_event ev;
	char *frame = NULL;
	size_t len;

	(void)state;
	memset(&ev, 0, sizeof(ev));
	ev.seq = 7;
	ev.at = 1795269604000LL;
	ev.status = WEB_STATUS_COMPLETED;
	ev.info = "line one\nline two\r\n";
	assert_int_equal(web_resource_sse(&frame, &len, &ev), 0);
	assert_string_equal(frame,
		"id: 7\nevent: completed\n"
		"data: {\"seq\":7,\"at\":\"2026-11-21T14:00:04Z\",\"status\":\"completed\","
		"\"info\":\"line one\\nline two\\r\\n\",\"sip\":null}\n\n");
	assert_int_equal(len, strlen(frame));
	/* exactly three lines and the blank line that ends the event */
	assert_null(strchr(frame, '\r'));
	assert_non_null(strstr(frame, "\n\n"));
	assert_int_equal(strstr(frame, "\n\n") - frame, (long)len - 2);
	free(frame);
	frame = NULL;

	ev.status = (enum web_status)42;
	assert_int_equal(web_resource_sse(&frame, &len, &ev), EINVAL);
	assert_null(frame);

	assert_string_equal(WEB_RESOURCE_SSE_HEARTBEAT, ": keep-alive\n\n");
}

static void test_webhook(void **state)
{
	struct web_resource_webhook w;
	char *body = NULL;
	size_t len;

	(void)state;
	memset(&w, 0, sizeof(w));
	w.event_id = "ev_" ID "_5";
	w.request_id = ID;
	w.seq = 5;
	w.status = WEB_STATUS_COMPLETED;
	w.at = 1795269604000LL;
	w.info = "call ended";
	w.outcome.code = WEB_OUTCOME_OK;
	w.outcome.sip_code = 200;
	w.outcome.reason = "OK";
	w.outcome.by = WEB_BY_PINTGW;
	w.client_state = "order-4711";
	assert_int_equal(web_resource_webhook(&body, &len, &w), 0);
	assert_string_equal(body,
		"{\"event_id\":\"ev_" ID "_5\",\"request_id\":\"" ID "\",\"seq\":5,"
		"\"status\":\"completed\",\"at\":\"2026-11-21T14:00:04Z\","
		"\"info\":\"call ended\",\"outcome\":{\"code\":\"ok\",\"sip_code\":200,"
		"\"reason\":\"OK\",\"warning\":null,\"by\":\"pintgw\"},"
		"\"client_state\":\"order-4711\"}");
	assert_int_equal(len, strlen(body));
	free(body);

	w.status = WEB_STATUS_PROCEEDING;
	w.outcome.code = WEB_OUTCOME_NONE;
	w.client_state = NULL;
	w.info = NULL;
	assert_int_equal(web_resource_webhook(&body, NULL, &w), 0);
	assert_string_equal(body,
		"{\"event_id\":\"ev_" ID "_5\",\"request_id\":\"" ID "\",\"seq\":5,"
		"\"status\":\"proceeding\",\"at\":\"2026-11-21T14:00:04Z\","
		"\"info\":null,\"outcome\":null,\"client_state\":null}");
	free(body);
	body = NULL;

	w.event_id = NULL;
	assert_int_equal(web_resource_webhook(&body, NULL, &w), EINVAL);
	w.event_id = "e";
	w.request_id = "bad id";
	assert_int_equal(web_resource_webhook(&body, NULL, &w), EINVAL);
	assert_null(body);
}

static void test_list(void **state)
{
	struct web_resource r[2];
	json_error_t je;
	json_t *root, *arr;
	char *body = NULL;

	(void)state;
	example(&r[0]);
	example(&r[1]);
	r[1].id = "rq_2";
	r[1].status = WEB_STATUS_QUEUED;
	assert_int_equal(web_resource_list(&body, NULL, r, 2, "c_next"), 0);
	root = json_loads(body, 0, &je);
	assert_non_null(root);
	arr = json_object_get(root, "requests");
	assert_int_equal(json_array_size(arr), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(arr, 1), "id")), "rq_2");
	assert_string_equal(json_string_value(json_object_get(root, "next_cursor")), "c_next");
	json_decref(root);
	free(body);

	assert_int_equal(web_resource_list(&body, NULL, r, 0, NULL), 0);
	assert_string_equal(body, "{\"requests\": [], \"next_cursor\": null}");
	free(body);
	body = NULL;

	r[1].id = NULL;
	assert_int_equal(web_resource_list(&body, NULL, r, 2, NULL), EINVAL);
	assert_null(body);
}

/* The example request seen by the page that clicked, one event so far. */
static void click_example(struct web_resource *r, struct web_resource_event ev[2],
			  struct web_resource_click *c)
{
	example(r);
	two_events(ev);
	memset(c, 0, sizeof(*c));
	c->to = "+1******0199";
	c->self = "/v1/click/" ID "?view=VMM1HWM0gVyZ_pr9dXN8fQ";
	c->events_link = "/v1/click/" ID "/events?view=VMM1HWM0gVyZ_pr9dXN8fQ";
	c->ev = ev;
	c->n = 1;
	c->with_token = true;
	c->view_token = "VMM1HWM0gVyZ_pr9dXN8fQ";
}

/* Only what API.md lets the page see, in its order. */
static void test_click(void **state)
{
	struct web_resource_event ev[2];
	struct web_resource_click c;
	struct web_resource r;
	char *body = NULL;
	size_t len;

	(void)state;
	click_example(&r, ev, &c);
	assert_int_equal(web_resource_click(&body, &len, &r, &c), 0);
	assert_string_equal(body,
		"{\"id\": \"" ID "\", \"service\": \"call\", \"status\": \"active\", "
		"\"created_at\": \"2026-11-21T13:59:58Z\", \"updated_at\": \"2026-11-21T14:00:04Z\", "
		"\"info\": \"call connected\", \"outcome\": null, \"last_seq\": 5, "
		"\"to\": \"+1******0199\", "
		"\"links\": {\"self\": \"/v1/click/" ID "?view=VMM1HWM0gVyZ_pr9dXN8fQ\", "
		"\"events\": \"/v1/click/" ID "/events?view=VMM1HWM0gVyZ_pr9dXN8fQ\"}, "
		"\"events\": [{\"seq\": 1, \"at\": \"2026-11-21T13:59:58Z\", \"status\": \"queued\", "
		"\"info\": null}], \"view_token\": \"VMM1HWM0gVyZ_pr9dXN8fQ\"}");
	assert_int_equal(len, strlen(body));
	free(body);

	/* a view: no "view_token"; never "sip", even when the event has one */
	c.n = 2;
	c.with_token = false;
	assert_int_equal(web_resource_click(&body, NULL, &r, &c), 0);
	assert_null(strstr(body, "view_token"));
	assert_null(strstr(body, "sip"));
	assert_null(strstr(body, "pint-east"));
	assert_non_null(strstr(body, "{\"seq\": 2, \"at\": \"2026-11-21T13:59:58.250Z\", "
				 "\"status\": \"proceeding\", \"info\": \"ringing\"}]}"));
	free(body);

	/* a 201 without a view token: "view_token": null; "to" null */
	c.with_token = true;
	c.view_token = NULL;
	c.to = NULL;
	assert_int_equal(web_resource_click(&body, NULL, &r, &c), 0);
	assert_non_null(strstr(body, "\"to\": null, "));
	assert_non_null(strstr(body, "}], \"view_token\": null}"));
	free(body);
	body = NULL;

	ev[1].status = WEB_STATUS_NONE;
	assert_int_equal(web_resource_click(&body, NULL, &r, &c), EINVAL);
	ev[1].status = WEB_STATUS_ACTIVE;
	r.id = "bad id";
	assert_int_equal(web_resource_click(&body, NULL, &r, &c), EINVAL);
	assert_null(body);
}

static void test_names(void **state)
{
	static const char *const names[] = {
		"queued", "sending", "proceeding", "accepted", "active",
		"completed", "failed", "canceled", "expired",
	};
	enum web_status s;
	unsigned i;

	(void)state;
	for (i = 0; i < 9; i++) {
		assert_string_equal(web_resource_status_name((enum web_status)(i + 1)), names[i]);
		assert_int_equal(web_resource_status_parse(&s, names[i], strlen(names[i])), 0);
		assert_int_equal(s, i + 1);
		assert_int_equal(web_resource_status_final(s), i >= 5);
	}
	assert_null(web_resource_status_name(WEB_STATUS_NONE));
	assert_null(web_resource_status_name(WEB_STATUS_COUNT));
	assert_int_equal(web_resource_status_parse(&s, "Queued", 6), ENOENT);
	assert_int_equal(web_resource_status_parse(&s, "queuedx", 6), 0);
	assert_int_equal(web_resource_status_parse(&s, "queue", 5), ENOENT);
	assert_int_equal(web_resource_status_parse(&s, "", 0), ENOENT);
	assert_string_equal(web_resource_outcome_name(WEB_OUTCOME_NO_ANSWER), "no_answer");
	assert_string_equal(web_resource_outcome_name(WEB_OUTCOME_AUTH_FAILED), "auth_failed");
	assert_string_equal(web_resource_outcome_name(WEB_OUTCOME_ERROR), "error");
	assert_string_equal(web_resource_outcome_name(WEB_OUTCOME_CONTENT_FETCH_FAILED),
			    "content_fetch_failed");
	assert_null(web_resource_outcome_name(WEB_OUTCOME_NONE));
	assert_null(web_resource_outcome_name(WEB_OUTCOME_COUNT));
}

static void parse_fixture(struct web_req *req, const char *name)
{
	struct web_json_err e;
	char rel[128], *buf;
	size_t len;

	snprintf(rel, sizeof(rel), "web/%s", name);
	buf = test_read_file(rel, &len);
	if (web_req_parse(req, buf, len, &e))
		fail_msg("%s: %s", name, e.message);
	free(buf);
}

/* The normalised request, as ?dry_run shows it. */
static void test_req_encode(void **state)
{
	struct web_req req;
	char *body = NULL;
	size_t len;

	(void)state;
	parse_fixture(&req, "req-ok-fax-full.json");
	assert_int_equal(web_resource_req_encode(&body, &len, &req), 0);
	assert_string_equal(body,
		"{\"service\":\"fax\",\"to\":\"+1 555 555 0199\",\"from\":\"+1-555-555-0100\","
		"\"phone_context\":\"+44\",\"content\":["
		"{\"type\":\"text/plain\",\"text\":\"Your order has shipped.\"},"
		"{\"type\":\"application/pdf\",\"url\":\"https://example.com/q.pdf\",\"fetch\":false}],"
		"\"language\":\"en\",\"clir\":true,\"require\":[\"phone-context\"],"
		"\"start_at\":\"2026-11-21T14:00:00Z\",\"stop_at\":\"2026-11-21T18:00:00Z\","
		"\"ring_timeout\":30,\"track\":true,"
		"\"webhook\":{\"url\":\"https://example.com/hooks/pint\",\"events\":[\"*\"]},"
		"\"client_state\":\"order-4711\",\"gateway\":\"pint-east\"}");
	assert_int_equal(len, strlen(body));
	free(body);
	web_req_reset(&req);

	parse_fixture(&req, "req-ok-data.json");
	assert_int_equal(web_resource_req_encode(&body, NULL, &req), 0);
	assert_string_equal(body,
		"{\"service\":\"fax\",\"to\":\"+15555550199\",\"content\":["
		"{\"type\":\"image/tiff\",\"data\":\"SUkqAAgAAAABAQID\"},"
		"{\"type\":\"application/octet-stream\",\"data\":\"\"},"
		"{\"type\":\"text/plain\",\"data\":\"aGk=\"}],\"track\":true}");
	free(body);
	web_req_reset(&req);

	parse_fixture(&req, "req-ok-webhook-list.json");
	assert_int_equal(web_resource_req_encode(&body, NULL, &req), 0);
	assert_non_null(strstr(body, "\"events\":[\"completed\",\"failed\"]"));
	free(body);
	web_req_reset(&req);

	memset(&req, 0, sizeof(req));
	req.content_count = WEB_REQ_CONTENT_MAX + 1;
	body = NULL;
	assert_int_equal(web_resource_req_encode(&body, NULL, &req), EINVAL);
	assert_null(body);
}

/* Run fn with allocation k failing, k = 1, 2, …: ENOMEM until it works. */
static void oom_loop(int (*fn)(char **out, const void *arg), const void *arg)
{
	unsigned long k;
	char *out;
	long live;
	int err;

	for (k = 1; k < 10000; k++) {
		live = alloc_live();
		out = NULL;
		alloc_fail_at(k);
		err = fn(&out, arg);
		alloc_fail_at(0);
		free(out);
		assert_int_equal(alloc_live(), live);
		if (!err)
			break;
		assert_int_equal(err, ENOMEM);
		assert_null(out);
	}
	assert_true(k > 1 && k < 10000);
}

static int run_resource(char **out, const void *arg)
{
	return web_resource_encode(out, NULL, arg);
}

static int run_list(char **out, const void *arg)
{
	return web_resource_list(out, NULL, arg, 1, "c");
}

static int run_events(char **out, const void *arg)
{
	return web_resource_events(out, NULL, arg, 2);
}

static int run_sse(char **out, const void *arg)
{
	return web_resource_sse(out, NULL, arg);
}

static int run_webhook(char **out, const void *arg)
{
	return web_resource_webhook(out, NULL, arg);
}

static int run_click(char **out, const void *arg)
{
	struct web_resource_event ev[2];
	struct web_resource_click c;
	struct web_resource r;

	(void)arg;
	click_example(&r, ev, &c);
	c.n = 2;
	return web_resource_click(out, NULL, &r, &c);
}

static int run_req(char **out, const void *arg)
{
	return web_resource_req_encode(out, NULL, arg);
}

static void test_oom(void **state)
{
	struct web_resource_event ev[2];
	struct web_resource_webhook w;
	struct web_resource r;
	struct web_req req;

	(void)state;
	example(&r);
	r.outcome.code = WEB_OUTCOME_REJECTED;
	r.outcome.reason = "Declined";
	r.has_start_at = true;
	oom_loop(run_resource, &r);
	oom_loop(run_list, &r);

	memset(ev, 0, sizeof(ev));
	ev[0].seq = 1;
	ev[0].status = WEB_STATUS_QUEUED;
	ev[1].seq = 2;
	ev[1].status = WEB_STATUS_ACTIVE;
	ev[1].info = "bad \xff text";
	ev[1].sip.set = true;
	ev[1].sip.last_code = 200;
	oom_loop(run_events, ev);
	oom_loop(run_sse, &ev[1]);

	memset(&w, 0, sizeof(w));
	w.event_id = "e1";
	w.request_id = ID;
	w.status = WEB_STATUS_FAILED;
	w.outcome.code = WEB_OUTCOME_BUSY;
	oom_loop(run_webhook, &w);
	oom_loop(run_click, NULL);

	parse_fixture(&req, "req-ok-fax-full.json");
	oom_loop(run_req, &req);
	web_req_reset(&req);
	parse_fixture(&req, "req-ok-data.json");
	oom_loop(run_req, &req);
	web_req_reset(&req);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		leakcheck_test(test_resource_example),
		leakcheck_test(test_resource_terminal),
		leakcheck_test(test_resource_invalid),
		leakcheck_test(test_resource_text),
		leakcheck_test(test_events),
		leakcheck_test(test_sse),
		leakcheck_test(test_webhook),
		leakcheck_test(test_list),
		leakcheck_test(test_click),
		leakcheck_test(test_names),
		leakcheck_test(test_req_encode),
		leakcheck_test(test_oom),
	};

	return cmocka_run_group_tests_name("web_resource", tests, NULL, NULL);
}
