/*
 * tests/gateway/test_requests_event.c — the JSON gateway/requests_event.c
 * stores with each recorded event: the event's "sip" column and the
 * row's "outcome" column, written straight to text. Each is held
 * against the same content built as a jansson tree and dumped by
 * json_dumps(JSON_COMPACT), the oracle: every outcome and "by" (and
 * values past them), SIP codes to the ends of int, absent, empty,
 * hostile and broken text. Allocation failure: ENOMEM, nothing kept.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tests/pint/test_common.h"
#include "tests/fakes/oracle.h"
#include "gateway/requests_int.h"
#include "web/json.h"

#define ROUNDS 5000u

/* ---- the oracle: the columns as jansson trees ---- */

static json_t *o_code(int code)
{
	return code ? json_integer(code) : json_null();
}

static const char *o_text(const char *s)
{
	return s && s[0] ? s : NULL;
}

static char *o_dump(json_t *obj)
{
	char *out = NULL;

	assert_int_equal(web_json_dump(&out, NULL, obj, JSON_COMPACT), 0);
	json_decref(obj);
	return out;
}

static char *o_sip(const struct gw_rq_change *c)
{
	json_t *o = json_object();

	assert_int_equal(web_json_set_new(o, "code", o_code(c->sip_code)), 0);
	assert_int_equal(web_json_set_str(o, "reason", o_text(c->reason)), 0);
	assert_int_equal(web_json_set_str(o, "warning", c->warning), 0);
	return o_dump(o);
}

static char *o_outcome(const struct gw_rq_change *c)
{
	json_t *o = json_object();

	assert_int_equal(web_json_set_str(o, "code", pint_outcome_name(c->outcome)), 0);
	assert_int_equal(web_json_set_new(o, "sip_code", o_code(c->sip_code)), 0);
	assert_int_equal(web_json_set_str(o, "reason", o_text(c->reason)), 0);
	assert_int_equal(web_json_set_str(o, "warning", c->warning), 0);
	assert_int_equal(web_json_set_str(o, "by", c->by == PINT_STATUS_BY_NONE ?
					  NULL : pint_status_by_name(c->by)), 0);
	return o_dump(o);
}

/* ---- varied changes ---- */

/* the same inputs on every run */
static uint64_t seed = 0xbb67ae8584caa73bULL;

static uint64_t rnd(void)
{
	return test_rand(&seed);
}

static void change(struct gw_rq_change *c)
{
	memset(c, 0, sizeof(*c));
	/* one past the last of each enum: its name is "?" or "none" */
	c->outcome = (enum pint_outcome)(rnd() % (PINT_OUTCOME_CONTENT_FETCH_FAILED + 2));
	c->by = (enum pint_status_by)(rnd() % (PINT_STATUS_BY_PINTGW + 2));
	c->sip_code = test_sip_code(&seed);
	c->reason = test_text(&seed);
	c->warning = test_text(&seed);
	c->has_sip = true;
}

static void test_columns_vs_jansson(void **state)
{
	struct gw_rq_change c;
	char *got;
	unsigned n;

	(void)state;
	for (n = 0; n < ROUNDS; n++) {
		change(&c);
		got = NULL;
		assert_int_equal(gw_rq_sip_json(&got, &c), 0);
		test_same_json(got, o_sip(&c));
		got = NULL;
		assert_int_equal(gw_rq_outcome_json(&got, &c), 0);
		test_same_json(got, o_outcome(&c));
	}
}

/* Two columns as API.md shows them, spelt out. */
static void test_columns_spelt_out(void **state)
{
	struct gw_rq_change c = {
		.outcome = PINT_OUTCOME_BUSY, .by = PINT_STATUS_BY_GATEWAY,
		.sip_code = 486, .reason = "Busy Here", .warning = NULL,
	};
	char *got = NULL;

	(void)state;
	assert_int_equal(gw_rq_outcome_json(&got, &c), 0);
	assert_string_equal(got, "{\"code\":\"busy\",\"sip_code\":486,"
			    "\"reason\":\"Busy Here\",\"warning\":null,\"by\":\"gateway\"}");
	free(got);
	c.sip_code = 0;
	c.reason = "";
	c.warning = "399 gw \"x\"";
	assert_int_equal(gw_rq_sip_json(&got, &c), 0);
	assert_string_equal(got, "{\"code\":null,\"reason\":null,"
			    "\"warning\":\"399 gw \\\"x\\\"\"}");
	free(got);
}

/* Allocation k failing, k = 1, 2, …: ENOMEM, *outp NULL, nothing kept. */
static void test_oom(void **state)
{
	static char long_text[1500];
	struct gw_rq_change c = {
		.outcome = PINT_OUTCOME_REJECTED, .by = PINT_STATUS_BY_PINTGW,
		.sip_code = 603, .reason = "bad\xff", .warning = long_text,
	};
	int (*const fns[])(char **, const struct gw_rq_change *) = {
		gw_rq_sip_json, gw_rq_outcome_json,
	};
	unsigned long k;
	size_t i;
	char *got;
	long live;
	int err;

	(void)state;
	test_escaped_text(long_text, sizeof(long_text));
	for (i = 0; i < sizeof(fns) / sizeof(fns[0]); i++) {
		for (k = 1; k < 100; k++) {
			live = alloc_live();
			got = (char *)&live;
			alloc_fail_at(k);
			err = fns[i](&got, &c);
			alloc_fail_at(0);
			if (!err)
				break;
			assert_int_equal(err, ENOMEM);
			assert_null(got);
			assert_int_equal(alloc_live(), live);
		}
		assert_true(k > 1 && k < 100);
		free(got);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		leakcheck_test(test_columns_vs_jansson),
		leakcheck_test(test_columns_spelt_out),
		leakcheck_test(test_oom),
	};

	return cmocka_run_group_tests_name("gateway_requests_event", tests, NULL, NULL);
}
