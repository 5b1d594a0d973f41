/*
 * tests/pint/test_service.c — pint/service.c: service request → SDP,
 * body and INVITE, against the digest's example bodies.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tests/pint/test_common.h"
#include "pint/service.h"
#include "pint/sip.h"

static const struct pint_req_local local = {
	.host = "192.0.2.10", .port = 5060, .transport = "UDP",
	.user = "pintgw", .domain = NULL, .display = NULL,
};
static const struct pint_req_ids ids = {
	.call_id = "5f1e9c2a@gw.example.com", .from_tag = "a71c", .cseq = 1,
};
static const struct pint_req_tx tx = {.branch = "z9hG4bK-r2c-1"};

static const struct pint_svc_def r2fb = {
	"R2FB", PINT_SDP_PROTO_FAX, PINT_SVC_MAY_CONTENT, true, NULL, 0,
};
static const struct pint_svc_def r2p = {
	"R2P", PINT_SDP_PROTO_PAGER, PINT_SVC_NEEDS_CONTENT, false, NULL, 0,
};
static const struct pint_svc_spelling tif = {"image/tiff", "tif"};
static const struct pint_svc_def r2f_tif = {
	"R2F", PINT_SDP_PROTO_FAX, PINT_SVC_NEEDS_CONTENT, false, &tif, 1,
};

static void tel(struct pint_tel *t, const char *in, const char *ctx)
{
	struct pint_tel_error why;

	assert_int_equal(pint_tel_parse(t, in, strlen(in), ctx, "to", &why), 0);
}

static struct pint_svc_wire wire_for(const char *sess_id)
{
	struct pint_svc_wire w = {
		.sess_id = sess_id, .origin_addr = "192.0.2.10",
		.origin_ipv6 = false, .cid_host = "gw.example.com",
		.boundary = "pint-b1",
	};
	return w;
}

/* Encode req and compare its SDP with tests/data/service/<fixture>. */
static void expect_sdp(struct pint_svc_body *body, const struct pint_svc_req *req,
		       const char *sess_id, const char *fixture)
{
	struct pint_svc_wire w = wire_for(sess_id);
	char *want;
	size_t len;

	assert_int_equal(pint_svc_encode(body, req, &w), 0);
	want = test_read_file(fixture, &len);
	assert_int_equal(body->sdp_len, len);
	assert_memory_equal(body->sdp, want, len);
	free(want);
}

static osip_message_t *to_msg(const struct pint_svc_req *req,
			      const struct pint_svc_body *body, const char *tsp)
{
	osip_message_t *m = NULL, *back = NULL;
	struct pint_sip_error why;
	char *s;
	size_t len;

	assert_int_equal(pint_svc_invite(&m, req, body, &local, &ids, &tx,
					 "pint.example.net", tsp), 0);
	assert_int_equal(pint_sip_to_str(m, &s, &len), 0);
	osip_message_free(m);
	assert_int_equal(pint_sip_parse(&back, s, len, &why), 0);
	free(s);
	return back;
}

static char *ruri(osip_message_t *m)
{
	char *s = NULL;

	assert_int_equal(osip_uri_to_str(m->req_uri, &s), 0);
	return s;
}

static void test_r2c(void **state)
{
	struct pint_tel to, from;
	struct pint_svc_req req = {0};
	struct pint_svc_body body;
	osip_message_t *m;
	struct pint_pl v;
	char *s;

	(void)state;
	tel(&to, "+1 555 555 0199", NULL);
	tel(&from, "+1-555-555-0100", NULL);
	req.def = pint_svc_builtin("call");
	req.to = &to;
	req.from = &from;
	req.email = "callback@example.com";
	expect_sdp(&body, &req, "8423016647712093", "service/r2c.sdp");
	assert_false(body.multipart);
	assert_false(body.require_sdp);
	assert_string_equal(body.ctype, "application/sdp");
	assert_int_equal(body.body_len, body.sdp_len);

	m = to_msg(&req, &body, NULL);
	s = ruri(m);
	assert_string_equal(s, "sip:R2C@pint.example.net");
	osip_free(s);
	assert_int_equal(osip_uri_to_str(m->to->url, &s), 0);
	assert_string_equal(s, "sip:+15555550100@pint.example.net;user=phone");
	osip_free(s);
	assert_non_null(m->content_type);
	assert_string_equal(m->content_type->type, "application");
	assert_string_equal(m->content_type->subtype, "sdp");
	assert_int_not_equal(pint_sip_header(m, "Require", 0, &v), 0);
	assert_int_equal(pint_sip_body(m, &v), 0);
	assert_int_equal(v.l, body.sdp_len);
	assert_memory_equal(v.p, body.sdp, v.l);
	osip_message_free(m);
	pint_svc_body_reset(&body);
}

static void test_r2c_local_strict(void **state)
{
	static const char *const require[] = {"phone-context", "clir"};
	struct pint_tel to, from;
	struct pint_svc_req req = {0};
	struct pint_svc_body body;
	osip_message_t *m;
	struct pint_pl v;

	(void)state;
	tel(&to, "0201 555 0142", "+44");
	tel(&from, "+44 20 5555 0100", NULL);
	req.def = pint_svc_builtin("call");
	req.to = &to;
	req.from = &from;
	req.phone_context = "+44";
	req.require = require;
	req.nrequire = 2;
	req.clir = PINT_SDP_CLIR_TRUE;
	req.email = "callback@example.com";
	expect_sdp(&body, &req, "5510239987766112", "service/r2c-local-strict.sdp");
	assert_true(body.require_sdp);

	m = to_msg(&req, &body, NULL);
	assert_int_equal(pint_sip_header(m, "Require", 0, &v), 0);
	assert_true(pint_pl_eq(&v, "org.ietf.sdp.require"));
	osip_message_free(m);
	pint_svc_body_reset(&body);
}

/* A national number with no context asked for goes out in E.164. */
static void test_national_goes_global(void **state)
{
	struct pint_tel to, from;
	struct pint_svc_req req = {0};
	struct pint_svc_body body;
	struct pint_svc_wire w = wire_for("1");

	(void)state;
	tel(&to, "(555) 555-0199", "+1");
	tel(&from, "+15555550100", NULL);
	req.def = pint_svc_builtin("call");
	req.to = &to;
	req.from = &from;
	req.email = "a@example.com";
	assert_int_equal(pint_svc_encode(&body, &req, &w), 0);
	assert_non_null(strstr(body.sdp, "\r\nc=TN RFC2543 +1-5555550199\r\n"));
	assert_null(strstr(body.sdp, "phone-context"));
	pint_svc_body_reset(&body);

	/* Only meaningful inside its context: local form + phone-context. */
	tel(&to, "123", "+97252");
	assert_int_equal(pint_svc_encode(&body, &req, &w), 0);
	assert_non_null(strstr(body.sdp, "\r\nc=TN RFC2543 123\r\n"));
	assert_non_null(strstr(body.sdp, "\r\na=phone-context:+97252\r\n"));
	pint_svc_body_reset(&body);
}

static void test_r2f_urls_scheduled(void **state)
{
	static const char tif_url[] = "https://docs.example.com/quotes/q-4711.tif";
	static const char pdf_url[] = "https://docs.example.com/quotes/q-4711.pdf";
	const struct pint_svc_item items[] = {
		{"image/tiff", PINT_SVC_URI, tif_url, sizeof(tif_url) - 1},
		{"Application/PDF", PINT_SVC_URI, pdf_url, sizeof(pdf_url) - 1},
	};
	struct pint_tel to;
	struct pint_svc_req req = {0};
	struct pint_svc_body body;
	osip_message_t *m;
	char *s;

	(void)state;
	tel(&to, "+44 20 5555 0177", NULL);
	req.def = &r2f_tif;
	req.to = &to;
	req.items = items;
	req.nitems = 2;
	req.start = 1735704000;         /* 2025-01-01T04:00:00Z */
	req.stop = 1735704000 + 86400;
	req.info = "quote 4711";
	req.email = "sales@example.com";
	expect_sdp(&body, &req, "7100332211009988", "service/r2f-urls.sdp");
	assert_false(body.multipart);

	m = to_msg(&req, &body, "telco.example.org");
	s = ruri(m);
	assert_string_equal(s, "sip:R2F@pint.example.net;tsp=telco.example.org");
	osip_free(s);
	/* R2F: To repeats the Request-URI. */
	assert_int_equal(osip_uri_to_str(m->to->url, &s), 0);
	assert_string_equal(s, "sip:R2F@pint.example.net;tsp=telco.example.org");
	osip_free(s);
	osip_message_free(m);
	pint_svc_body_reset(&body);
}

static void test_r2f_inline_multipart(void **state)
{
	static const char text[] = "Please find our price list below ...";
	const struct pint_svc_item item = {
		"text/plain; charset=us-ascii", PINT_SVC_INLINE, text, sizeof(text) - 1,
	};
	struct pint_sip_part parts[4];
	struct pint_tel to;
	struct pint_svc_req req = {0};
	struct pint_svc_body body;
	osip_message_t *m;
	struct pint_pl type;
	char boundary[PINT_SIP_MAX_BOUNDARY + 1];
	size_t n;

	(void)state;
	tel(&to, "+1 555 555 0123", NULL);
	req.def = pint_svc_builtin("fax");
	req.to = &to;
	req.items = &item;
	req.nitems = 1;
	req.email = "sales@example.com";
	expect_sdp(&body, &req, "3001", "service/r2f-inline.sdp");
	assert_true(body.multipart);
	assert_string_equal(body.ctype,
		"multipart/related;type=\"application/sdp\";boundary=\"pint-b1\"");

	assert_int_equal(pint_sip_multipart_decode(body.body, body.body_len,
						   "pint-b1", parts, 4, &n), 0);
	assert_int_equal(n, 2);
	assert_true(pint_pl_caseeq(&parts[0].type, "application/sdp"));
	assert_int_equal(parts[0].data.l, body.sdp_len);
	assert_memory_equal(parts[0].data.p, body.sdp, body.sdp_len);
	assert_true(pint_pl_eq(&parts[1].type, "text/plain; charset=us-ascii"));
	assert_true(pint_pl_eq(&parts[1].id, "1.3001@gw.example.com"));
	assert_int_equal(parts[1].data.l, sizeof(text) - 1);
	assert_memory_equal(parts[1].data.p, text, sizeof(text) - 1);

	m = to_msg(&req, &body, NULL);
	assert_int_equal(pint_sip_multipart_boundary(m, boundary, &type), 0);
	assert_string_equal(boundary, "pint-b1");
	assert_true(pint_pl_eq(&type, "application/sdp"));
	assert_string_equal(m->content_type->type, "multipart");
	assert_string_equal(m->content_type->subtype, "related");
	osip_message_free(m);
	pint_svc_body_reset(&body);
}

static void test_r2fb(void **state)
{
	static const char doc[] = "DOC-2231";
	const struct pint_svc_item item = {
		"text/plain", PINT_SVC_OPAQUE, doc, sizeof(doc) - 1,
	};
	struct pint_tel to, store;
	struct pint_svc_req req = {0};
	struct pint_svc_body body;
	osip_message_t *m;
	char *s;

	(void)state;
	tel(&to, "+1 555 555 0124", NULL);
	tel(&store, "800 555 0111", "+1");
	req.def = &r2fb;
	req.to = &to;
	req.from = &store;
	req.email = "info@example.com";
	expect_sdp(&body, &req, "3002", "service/r2fb.sdp");
	m = to_msg(&req, &body, NULL);
	assert_int_equal(osip_uri_to_str(m->to->url, &s), 0);
	assert_string_equal(s, "sip:+18005550111@pint.example.net;user=phone");
	osip_free(s);
	s = ruri(m);
	assert_string_equal(s, "sip:R2FB@pint.example.net");
	osip_free(s);
	osip_message_free(m);
	pint_svc_body_reset(&body);

	req.items = &item;
	req.nitems = 1;
	expect_sdp(&body, &req, "3002", "service/r2fb-doc.sdp");
	pint_svc_body_reset(&body);
}

static void test_r2hc_two_items_and_pager(void **state)
{
	static const char greeting[] = "Hello from Example.";
	static const char url[] = "https://www.example.com/alerts/today.html";
	const struct pint_svc_item items[] = {
		{"text/plain", PINT_SVC_INLINE, greeting, sizeof(greeting) - 1},
		{"text/html", PINT_SVC_URI, url, sizeof(url) - 1},
	};
	static const char page[] = "Server room 3 is too hot.";
	const struct pint_svc_item page_item = {
		"text/plain", PINT_SVC_INLINE, page, sizeof(page) - 1,
	};
	struct pint_tel to;
	struct pint_svc_req req = {0};
	struct pint_svc_body body;

	(void)state;
	tel(&to, "+1 555 555 0188", NULL);
	req.def = pint_svc_builtin("content");
	req.to = &to;
	req.items = items;
	req.nitems = 2;
	req.lang = "en";
	req.email = "news@example.com";
	expect_sdp(&body, &req, "3004", "service/r2hc-two.sdp");
	assert_true(body.multipart);
	pint_svc_body_reset(&body);

	tel(&to, "+1 555 555 0155", NULL);
	memset(&req, 0, sizeof(req));
	req.def = &r2p;
	req.to = &to;
	req.items = &page_item;
	req.nitems = 1;
	req.email = "ops@example.com";
	expect_sdp(&body, &req, "3005", "service/r2p.sdp");
	pint_svc_body_reset(&body);
}

/* The SDP we emit decodes to what we asked for. */
static void test_sdp_decodes_back(void **state)
{
	static const char url[] = "https://docs.example.com/a.pdf";
	const struct pint_svc_item item = {
		"application/pdf", PINT_SVC_URI, url, sizeof(url) - 1,
	};
	struct pint_tel to;
	struct pint_svc_req req = {0};
	struct pint_svc_body body;
	struct pint_svc_wire w = wire_for("99");
	struct pint_sdp *sdp;

	(void)state;
	tel(&to, "+49 30 5555 0199", NULL);
	req.def = pint_svc_builtin("fax");
	req.to = &to;
	req.items = &item;
	req.nitems = 1;
	req.email = "x@example.com";
	req.start = 1800000000;
	assert_int_equal(pint_svc_encode(&body, &req, &w), 0);

	sdp = malloc(sizeof(*sdp));
	assert_non_null(sdp);
	assert_int_equal(pint_sdp_decode(sdp, body.sdp, body.sdp_len), 0);
	assert_true(pint_pl_eq(&sdp->conn.addr, "+49-3055550199"));
	assert_true(pint_pl_eq(&sdp->origin.sess_id, "99"));
	assert_true(sdp->start == 1800000000ull + PINT_SDP_NTP_OFFSET);
	assert_int_equal(sdp->nmedia, 1);
	assert_int_equal(sdp->media[0].proto, PINT_SDP_PROTO_FAX);
	assert_int_equal(sdp->media[0].type, PINT_SDP_MEDIA_APPLICATION);
	assert_int_equal(sdp->media[0].fmtp[0].res[0].kind, PINT_SDP_RES_URI);
	assert_true(pint_pl_eq(&sdp->media[0].fmtp[0].res[0].value, url));
	free(sdp);
	pint_svc_body_reset(&body);
}

struct reject {
	const char *what;
	const char *service;          /* builtin name */
	struct pint_svc_item item;
	size_t nitems;
	uint64_t start, stop;
	const char *info;
	const char *email;
	int want;
};

static void test_rejections(void **state)
{
	static const char ok_url[] = "https://example.com/x.pdf";
	static const char text[] = "hello";
	const struct reject table[] = {
		{"content for R2C", "call", {"text/plain", PINT_SVC_INLINE, text, 5}, 1, 0, 0, NULL, "a@b", EINVAL},
		{"fax without content", "fax", {NULL, 0, NULL, 0}, 0, 0, 0, NULL, "a@b", EINVAL},
		{"video type", "fax", {"video/mp4", PINT_SVC_URI, ok_url, 25}, 1, 0, 0, NULL, "a@b", EINVAL},
		{"type without subtype", "fax", {"text", PINT_SVC_URI, ok_url, 25}, 1, 0, 0, NULL, "a@b", EINVAL},
		{"CRLF in type", "fax", {"text/plain\r\nX: y", PINT_SVC_URI, ok_url, 25}, 1, 0, 0, NULL, "a@b", EINVAL},
		{"relative URI", "fax", {"text/plain", PINT_SVC_URI, "/x.pdf", 6}, 1, 0, 0, NULL, "a@b", EINVAL},
		{"space in URI", "fax", {"text/plain", PINT_SVC_URI, "http://a b", 10}, 1, 0, 0, NULL, "a@b", EINVAL},
		{"CR in URI", "fax", {"text/plain", PINT_SVC_URI, "http://a\rb", 10}, 1, 0, 0, NULL, "a@b", EINVAL},
		{"empty inline", "fax", {"text/plain", PINT_SVC_INLINE, text, 0}, 1, 0, 0, NULL, "a@b", EINVAL},
		{"stop before start", "fax", {"text/plain", PINT_SVC_URI, ok_url, 25}, 1, 2000, 1000, NULL, "a@b", EINVAL},
		{"newline in i=", "fax", {"text/plain", PINT_SVC_URI, ok_url, 25}, 1, 0, 0, "a\nb", "a@b", EINVAL},
		{"no e=", "fax", {"text/plain", PINT_SVC_URI, ok_url, 25}, 1, 0, 0, NULL, NULL, EINVAL},
		{"space in opr:", "fax", {"text/plain", PINT_SVC_OPAQUE, "a b", 3}, 1, 0, 0, NULL, "a@b", EINVAL},
	};
	struct pint_tel to, from;
	struct pint_svc_wire w = wire_for("1");
	struct pint_svc_body body;
	size_t i;

	(void)state;
	tel(&to, "+15555550199", NULL);
	tel(&from, "+15555550100", NULL);
	for (i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		struct pint_svc_req req = {0};
		int err;

		req.def = pint_svc_builtin(table[i].service);
		req.to = &to;
		req.from = &from;
		req.items = &table[i].item;
		req.nitems = table[i].nitems;
		req.start = table[i].start;
		req.stop = table[i].stop;
		req.info = table[i].info;
		req.email = table[i].email;
		err = pint_svc_encode(&body, &req, &w);
		if (err != table[i].want)
			fail_msg("%s: got %d, want %d", table[i].what, err, table[i].want);
		assert_null(body.sdp);
		assert_null(body.body);
	}
}

static void test_limits(void **state)
{
	struct pint_svc_item items[PINT_SVC_MAX_ITEMS + 1];
	struct pint_tel to;
	struct pint_svc_req req = {0};
	struct pint_svc_body body;
	struct pint_svc_wire w = wire_for("1");
	char *big;
	size_t i;

	(void)state;
	tel(&to, "+15555550199", NULL);
	for (i = 0; i < PINT_SVC_MAX_ITEMS + 1; i++) {
		items[i].type = "text/plain";
		items[i].src = PINT_SVC_URI;
		items[i].data = "https://example.com/x";
		items[i].len = strlen(items[i].data);
	}
	req.def = pint_svc_builtin("content");
	req.to = &to;
	req.items = items;
	req.email = "a@b";
	req.nitems = PINT_SVC_MAX_ITEMS;
	assert_int_equal(pint_svc_encode(&body, &req, &w), 0);
	pint_svc_body_reset(&body);
	req.nitems = PINT_SVC_MAX_ITEMS + 1;
	assert_int_equal(pint_svc_encode(&body, &req, &w), EMSGSIZE);

	big = malloc(PINT_SVC_MAX_INLINE + 1);
	assert_non_null(big);
	memset(big, 'x', PINT_SVC_MAX_INLINE + 1);
	items[0].src = PINT_SVC_INLINE;
	items[0].data = big;
	items[0].len = PINT_SVC_MAX_INLINE;
	req.nitems = 1;
	assert_int_equal(pint_svc_encode(&body, &req, &w), 0);
	assert_true(body.body_len > PINT_SVC_MAX_INLINE);
	pint_svc_body_reset(&body);
	items[0].len = PINT_SVC_MAX_INLINE + 1;
	assert_int_equal(pint_svc_encode(&body, &req, &w), EMSGSIZE);

	/* Inline data holding the boundary line would split the body. */
	memcpy(big, "\r\n--pint-b1\r\n", 13);
	items[0].len = 64;
	assert_int_equal(pint_svc_encode(&body, &req, &w), EINVAL);
	free(big);
}

static void test_builtins_and_defs(void **state)
{
	static const struct pint_svc_spelling bad = {"image", "tif"};
	struct pint_svc_def def = r2fb;

	(void)state;
	assert_string_equal(pint_svc_builtin("call")->name, "R2C");
	assert_string_equal(pint_svc_builtin("fax")->name, "R2F");
	assert_string_equal(pint_svc_builtin("content")->name, "R2HC");
	assert_null(pint_svc_builtin("R2C"));
	assert_null(pint_svc_builtin(NULL));
	assert_int_equal(pint_svc_check_def(&def), 0);
	assert_int_equal(pint_svc_check_def(&r2f_tif), 0);
	def.name = "R2 FB";
	assert_int_equal(pint_svc_check_def(&def), EINVAL);
	def.name = "R2FB";
	def.spellings = &bad;
	def.nspellings = 1;
	assert_int_equal(pint_svc_check_def(&def), EINVAL);
	def.nspellings = 0;
	def.proto = PINT_SDP_PROTO_OTHER;
	assert_int_equal(pint_svc_check_def(&def), EINVAL);
}

static int group_setup(void **state)
{
	(void)state;
	return pint_sip_init();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		leakcheck_test(test_r2c),
		leakcheck_test(test_r2c_local_strict),
		leakcheck_test(test_national_goes_global),
		leakcheck_test(test_r2f_urls_scheduled),
		leakcheck_test(test_r2f_inline_multipart),
		leakcheck_test(test_r2fb),
		leakcheck_test(test_r2hc_two_items_and_pager),
		leakcheck_test(test_sdp_decodes_back),
		leakcheck_test(test_rejections),
		leakcheck_test(test_limits),
		leakcheck_test(test_builtins_and_defs),
	};

	return cmocka_run_group_tests_name("pint_service", tests, group_setup, NULL);
}
