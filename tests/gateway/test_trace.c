/*
 * tests/gateway/test_trace.c — gateway/trace.c: messages grouped by the
 * INVITE's Call-ID, the subscription joined through the SDP session id,
 * strays dropped, both rings' bounds, and the JSON the demo page reads.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "tests/pint/test_common.h"
#include "tests/fakes/alloc.h"
#include "gateway/trace.h"

#define INVITE(cid, sess) \
	"INVITE sip:R2C@127.0.0.1 SIP/2.0\r\nCall-ID: " cid "\r\n" \
	"Content-Type: application/sdp\r\n\r\nv=0\r\n" \
	"o=- " sess " 1 IN IP4 127.0.0.1\r\ns=-\r\n"
#define SUBSCRIBE(cid, sess) \
	"SUBSCRIBE sip:R2C@127.0.0.1 SIP/2.0\r\nCall-ID: " cid "\r\n\r\n" \
	"v=0\r\no=- " sess " 1 IN IP4 127.0.0.1\r\n"
#define REPLY(code, cid) \
	"SIP/2.0 " code "\r\nCall-ID: " cid "\r\n\r\n"

static void add(struct gw_trace *t, bool out, const char *cid,
		const char *text)
{
	struct gw_trace_msg m;

	memset(&m, 0, sizeof(m));
	m.out = out;
	m.at_ms = 1795000000123LL;
	m.peer = "udp:127.0.0.1:5070";
	m.text = text;
	m.len = strlen(text);
	m.call_id.p = cid;
	m.call_id.l = cid ? strlen(cid) : 0;
	assert_int_equal(gw_trace_add(t, &m), 0);
}

/* The group's messages as parsed JSON; the caller json_decref()s. */
static json_t *group(struct gw_trace *t, const char *cid)
{
	json_error_t jerr;
	char *body = NULL;
	size_t len = 0;
	json_t *root;

	assert_int_equal(gw_trace_json(t, "rq_x", cid, &body, &len), 0);
	assert_int_equal(strlen(body), len);
	root = json_loadb(body, len, 0, &jerr);
	free(body);
	assert_non_null(root);
	return root;
}

static const char *msg_str(json_t *root, size_t i, const char *key)
{
	json_t *m = json_array_get(json_object_get(root, "messages"), i);

	assert_non_null(m);
	return json_string_value(json_object_get(m, key));
}

static size_t nmsgs(json_t *root)
{
	return json_array_size(json_object_get(root, "messages"));
}

static void test_groups(void **state)
{
	struct gw_trace *t = NULL;
	json_t *a, *b;

	(void)state;
	assert_int_equal(gw_trace_alloc(&t, 64, 1 << 16, 16), 0);
	/* a keepalive before anything: no INVITE, not kept */
	add(t, true, "ka1", "OPTIONS sip:127.0.0.1 SIP/2.0\r\nCall-ID: ka1\r\n\r\n");
	add(t, true, "c1", INVITE("c1", "111"));
	add(t, false, "c1", REPLY("180 Ringing", "c1"));
	add(t, true, "c2", INVITE("c2", "222"));
	add(t, false, "c1", REPLY("200 OK", "c1"));
	/* the subscription: its own Call-ID, the INVITE's o= session id */
	add(t, true, "s1", SUBSCRIBE("s1", "111"));
	add(t, false, "s1", REPLY("200 OK", "s1"));
	add(t, false, "s1", "NOTIFY sip:pintgw@127.0.0.1 SIP/2.0\r\n"
	    "Call-ID: s1\r\n\r\n");
	add(t, false, "ka1", REPLY("200 OK", "ka1"));
	add(t, false, NULL, "garbage without a Call-ID");

	a = group(t, "c1");
	assert_string_equal(json_string_value(json_object_get(a, "call_id")),
			    "c1");
	assert_string_equal(json_string_value(json_object_get(a,
							      "request_id")),
			    "rq_x");
	assert_int_equal(nmsgs(a), 6);
	assert_string_equal(msg_str(a, 0, "first"),
			    "INVITE sip:R2C@127.0.0.1 SIP/2.0");
	assert_string_equal(msg_str(a, 0, "dir"), "out");
	assert_string_equal(msg_str(a, 1, "first"), "SIP/2.0 180 Ringing");
	assert_string_equal(msg_str(a, 1, "dir"), "in");
	assert_string_equal(msg_str(a, 3, "first"),
			    "SUBSCRIBE sip:R2C@127.0.0.1 SIP/2.0");
	assert_string_equal(msg_str(a, 5, "first"),
			    "NOTIFY sip:pintgw@127.0.0.1 SIP/2.0");
	assert_string_equal(msg_str(a, 0, "peer"), "udp:127.0.0.1:5070");
	assert_string_equal(msg_str(a, 0, "at"), "2026-11-18T11:06:40.123Z");
	assert_non_null(strstr(msg_str(a, 0, "text"), "o=- 111 1"));
	b = group(t, "c2");
	assert_int_equal(nmsgs(b), 1);
	json_decref(a);
	json_decref(b);
	/* no Call-ID yet (never sent), or an unknown one: an empty list */
	a = group(t, NULL);
	assert_int_equal(nmsgs(a), 0);
	assert_true(json_is_null(json_object_get(a, "call_id")));
	json_decref(a);
	a = group(t, "ka1");
	assert_int_equal(nmsgs(a), 0);
	json_decref(a);
	gw_trace_free(t);
}

static void test_bounds(void **state)
{
	struct gw_trace *t = NULL;
	char cid[160], text[512];
	size_t msgs, bytes, i;
	json_t *a;

	(void)state;
	assert_int_equal(gw_trace_alloc(&t, 0, 1, 1), EINVAL);
	assert_int_equal(gw_trace_alloc(&t, 1, 0, 1), EINVAL);
	assert_int_equal(gw_trace_alloc(&t, 1, 1, 0), EINVAL);
	assert_int_equal(gw_trace_alloc(&t, 4, 300, 2), 0);

	/* count: the oldest go first */
	add(t, true, "c1", INVITE("c1", "1"));
	for (i = 0; i < 5; i++)
		add(t, false, "c1", REPLY("180 Ringing", "c1"));
	gw_trace_usage(t, &msgs, &bytes);
	assert_int_equal(msgs, 4);
	a = group(t, "c1");
	assert_int_equal(nmsgs(a), 4);
	assert_string_equal(msg_str(a, 0, "first"), "SIP/2.0 180 Ringing");
	json_decref(a);

	/* bytes: a big message pushes out the rest; too big is not kept */
	memset(text, 'x', sizeof(text));
	memcpy(text, "SIP/2.0 200 OK\r\n", 16);
	text[250] = '\0';
	add(t, false, "c1", text);
	gw_trace_usage(t, &msgs, &bytes);
	assert_true(bytes <= 300);
	assert_int_equal(msgs, 2);
	text[250] = 'x';
	text[400] = '\0';
	add(t, false, "c1", text);
	gw_trace_usage(t, &msgs, &bytes);
	assert_int_equal(msgs, 2);

	/* links: two fit; a third INVITE forgets the first group */
	add(t, true, "c2", INVITE("c2", "2"));
	add(t, true, "c3", INVITE("c3", "3"));
	add(t, false, "c1", REPLY("200 OK", "c1"));     /* c1 forgotten */
	gw_trace_usage(t, &msgs, &bytes);
	assert_int_equal(msgs, 2);
	a = group(t, "c3");
	assert_int_equal(nmsgs(a), 1);
	json_decref(a);
	a = group(t, "c1");
	assert_int_equal(nmsgs(a), 0);
	json_decref(a);

	/* Call-IDs longer than the trace keeps are not traced */
	memset(cid, 'a', sizeof(cid) - 1);
	cid[sizeof(cid) - 1] = '\0';
	snprintf(text, sizeof(text), "INVITE sip:x SIP/2.0\r\nCall-ID: %s\r\n\r\n",
		 cid);
	add(t, true, cid, text);
	a = group(t, cid);
	assert_int_equal(nmsgs(a), 0);
	json_decref(a);
	gw_trace_free(t);
	gw_trace_free(NULL);
}

/* Bytes off the wire that are not UTF-8 still make valid JSON. */
static void test_unclean(void **state)
{
	struct gw_trace *t = NULL;
	json_t *a;

	(void)state;
	assert_int_equal(gw_trace_alloc(&t, 8, 4096, 8), 0);
	add(t, true, "c1", "INVITE sip:\xff\xfe SIP/2.0\r\nCall-ID: c1\r\n\r\n");
	a = group(t, "c1");
	assert_int_equal(nmsgs(a), 1);
	assert_non_null(msg_str(a, 0, "first"));
	assert_non_null(msg_str(a, 0, "text"));
	json_decref(a);
	gw_trace_free(t);
}

/* Every allocation failing in turn: ENOMEM or success, never a leak. */
static void test_oom(void **state)
{
	struct gw_trace *t = NULL;
	char *body = NULL;
	size_t len, k;
	int err;

	(void)state;
	for (k = 1; k < 64; k++) {
		t = NULL;
		alloc_fail_at(k);
		err = gw_trace_alloc(&t, 8, 4096, 8);
		if (!err) {
			struct gw_trace_msg m;
			const char *inv = INVITE("c1", "1");

			memset(&m, 0, sizeof(m));
			m.text = inv;
			m.len = strlen(inv);
			m.call_id.p = "c1";
			m.call_id.l = 2;
			err = gw_trace_add(t, &m);
			if (!err)
				err = gw_trace_json(t, "rq_x", "c1", &body,
						    &len);
		}
		alloc_fail_at(0);
		assert_true(err == 0 || err == ENOMEM);
		if (!err)
			free(body);
		body = NULL;
		gw_trace_free(t);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		leakcheck_test(test_groups),
		leakcheck_test(test_bounds),
		leakcheck_test(test_unclean),
		leakcheck_test(test_oom),
	};

	return cmocka_run_group_tests_name("gateway/trace", tests, NULL, NULL);
}
