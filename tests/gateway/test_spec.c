/*
 * tests/gateway/test_spec.c — gateway/spec.c: create bodies resolved
 * against a configuration and a key (services, numbers, defaults,
 * content, options), the refusals and their API errors, the stored JSON
 * and its way back (gw_spec_from_json, gw_spec_recover after the key is
 * gone), copies that outlive the configuration, allocation failure.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/pint/test_common.h"
#include "gateway/spec.h"

static const char conf_text[] =
	"[pintgw]\n"
	"state_dir = /tmp/pintgw-spec\n"
	"default_context = +44\n"
	"requestor_email = ops@example.com\n"
	"[sip]\n"
	"listen = udp:127.0.0.1:5060\n"
	"ring_timeout = 30\n"
	"ring_timeout_max = 45\n"
	"[gateway east]\n"
	"address = udp:192.0.2.7\n"
	"priority = 1\n"
	"subtype.image/tiff = tif\n"
	"[gateway west]\n"
	"address = udp:192.0.2.8\n"
	"priority = 5\n"
	"subtype.image/tiff = TIFF-F\n"
	"[service faxback]\n"
	"uri_user = R2FB\n"
	"proto = fax\n"
	"content = optional\n"
	"a_party = yes\n"
	"[service page]\n"
	"uri_user = R2P\n"
	"proto = pager\n"
	"content = required\n"
	"[key shop]\n"
	"hash = sha256:401FE3CCB9F5FFB678ECD700EB48039250D139152A40C65A83ECCC706B997819\n"
	"from = 020 7946 0018\n"
	"email = shop@example.com\n"
	"[key bare]\n"
	"hash = sha256:0000000000000000000000000000000000000000000000000000000000000001\n";

/* The same without [key shop] and requestor_email: after a reload. */
static const char conf_reloaded[] =
	"[pintgw]\n"
	"state_dir = /tmp/pintgw-spec\n"
	"[sip]\n"
	"listen = udp:127.0.0.1:5060\n"
	"[gateway east]\n"
	"address = udp:192.0.2.7\n"
	"[key bare]\n"
	"hash = sha256:0000000000000000000000000000000000000000000000000000000000000001\n";

static struct gw_conf *conf_parse(const char *text)
{
	struct gw_conf_errs errs;
	struct gw_conf *conf = NULL;
	int err = gw_conf_parse_string(&conf, text, strlen(text), "t.conf", &errs);

	if (err || errs.total)
		fail_msg("conf: err %d, %zu errors, first: %s", err, errs.total,
			 errs.n ? errs.msg[0] : "-");
	return conf;
}

/* Build from a JSON body for key; returns gw_spec_build's result. */
static int build(const char *body, const struct gw_conf *conf, const char *key,
		 struct gw_spec **specp, struct web_json_err *e)
{
	struct web_req req;
	int err;

	memset(e, 0, sizeof(*e));
	err = web_req_parse(&req, body, strlen(body), e);
	if (err)
		fail_msg("body refused by web/req: %s", e->message);
	err = gw_spec_build(specp, &req, conf, gw_conf_key(conf, key), e);
	web_req_reset(&req);
	return err;
}

static struct gw_spec *build_ok(const char *body, const struct gw_conf *conf,
				const char *key)
{
	struct web_json_err e;
	struct gw_spec *spec = NULL;
	int err = build(body, conf, key, &spec, &e);

	if (err)
		fail_msg("%s: err %d %d %s %s", body, err, e.status, e.code, e.message);
	assert_non_null(spec);
	return spec;
}

/* The SDP the call would send, as text (pint_svc_encode). */
static char *encode_sdp(const struct gw_spec *spec)
{
	struct pint_svc_wire w = {
		.sess_id = "42", .origin_addr = "192.0.2.1",
		.cid_host = "pintgw.test", .boundary = "b1",
	};
	struct pint_svc_body b;
	struct pint_svc_req sr;
	char *sdp;

	gw_spec_svc_req(spec, &sr);
	assert_int_equal(pint_svc_encode(&b, &sr, &w), 0);
	sdp = b.sdp;
	b.sdp = NULL;
	pint_svc_body_reset(&b);
	return sdp;
}

/* ---- the call service and its defaults --------------------------------- */

static void test_call_defaults(void **state)
{
	struct gw_conf *conf = conf_parse(conf_text);
	struct gw_spec *spec;
	struct pint_svc_req sr;
	char *sdp;

	(void)state;
	spec = build_ok("{\"service\":\"call\",\"to\":\"+1 555 555 0199\"}", conf, "shop");
	assert_string_equal(spec->owner, "shop");
	assert_string_equal(spec->service, "call");
	assert_string_equal(spec->def.name, "R2C");
	assert_true(spec->def.a_party);
	assert_int_equal(spec->to.kind, PINT_TEL_GLOBAL);
	assert_string_equal(spec->to.e164, "+15555550199");
	assert_string_equal(spec->to_input, "+1 555 555 0199");
	/* from: the key's default, made E.164 with the default context */
	assert_string_equal(spec->from_input, "020 7946 0018");
	assert_int_equal(spec->from.kind, PINT_TEL_NATIONAL);
	assert_string_equal(spec->from.e164, "+442079460018");
	assert_string_equal(spec->email, "shop@example.com");
	assert_int_equal(spec->ring_timeout_ms, 30000);
	assert_true(spec->track);
	assert_int_equal(spec->nitems, 0);
	assert_null(spec->gateway);
	assert_null(spec->webhook_url);
	assert_null(spec->webhook_json);
	assert_null(spec->client_state);
	assert_false(spec->fetch);
	assert_int_equal(spec->start_at, 0);
	assert_int_equal(spec->stop_at, 0);
	/* the stored form carries the defaulted A party, in E.164 */
	assert_non_null(strstr(spec->json, "\"from\":\"+442079460018\""));
	assert_int_equal(spec->json_len, strlen(spec->json));

	gw_spec_svc_req(spec, &sr);
	assert_ptr_equal(sr.def, &spec->def);
	assert_ptr_equal(sr.to, &spec->to);
	assert_ptr_equal(sr.from, &spec->from);
	assert_string_equal(sr.email, "shop@example.com");
	sdp = encode_sdp(spec);
	assert_non_null(strstr(sdp, "c=TN RFC2543 +1-5555550199\r\n"));
	assert_non_null(strstr(sdp, "e=shop@example.com\r\n"));
	free(sdp);
	gw_spec_free(spec);
	gw_conf_free(conf);
}

static void test_numbers_and_context(void **state)
{
	struct gw_conf *conf = conf_parse(conf_text);
	struct gw_spec *spec;

	(void)state;
	/* national number: the default context makes it E.164 */
	spec = build_ok("{\"service\":\"call\",\"to\":\"020 7946 0123\","
			"\"from\":\"+1-555-555-0100\"}", conf, "bare");
	assert_int_equal(spec->to.kind, PINT_TEL_NATIONAL);
	assert_string_equal(spec->to.e164, "+442079460123");
	assert_string_equal(spec->from.e164, "+15555550100");
	assert_null(spec->phone_context);
	/* no key email: the configured requestor address */
	assert_string_equal(spec->email, "ops@example.com");
	assert_null(strstr(spec->json, "0018"));
	/* the default context resolved it: stored in E.164 */
	assert_non_null(strstr(spec->json, "\"to\":\"+442079460123\""));
	assert_null(strstr(spec->json, "phone_context"));
	gw_spec_free(spec);

	/* phone_context given: it applies, and is kept as typed */
	spec = build_ok("{\"service\":\"call\",\"to\":\"555 0142\",\"from\":\"+15555550100\","
			"\"phone_context\":\"X-acme\"}", conf, "bare");
	assert_int_equal(spec->to.kind, PINT_TEL_LOCAL);
	assert_string_equal(spec->phone_context, "X-acme");
	assert_non_null(strstr(spec->json, "\"to\":\"555 0142\""));
	gw_spec_free(spec);
	gw_conf_free(conf);
}

static void test_refusals(void **state)
{
	static const struct {
		const char *body;
		const char *key;
		int status;
		const char *code;
		const char *field;
	} cases[] = {
		{"{\"service\":\"teleport\",\"to\":\"+15555550199\"}", "shop",
		 422, "unknown_service", "service"},
		{"{\"service\":\"call\",\"to\":\"+1-55\"}", "shop",
		 400, "invalid_number", "to"},
		{"{\"service\":\"call\",\"to\":\"+15555550199\",\"from\":\"+1-55\"}", "shop",
		 400, "invalid_number", "from"},
		{"{\"service\":\"call\",\"to\":\"+15555550199\"}", "bare",
		 422, "from_required", "from"},
		{"{\"service\":\"faxback\",\"to\":\"+15555550199\"}", "bare",
		 422, "from_required", "from"},
		{"{\"service\":\"call\",\"to\":\"+15555550199\",\"gateway\":\"north\"}", "shop",
		 422, "unknown_gateway", "gateway"},
		{"{\"service\":\"page\",\"to\":\"+15555550199\"}", "shop",
		 422, "content_required", "content"},
		{"{\"service\":\"fax\",\"to\":\"+15555550199\",\"content\":"
		 "[{\"type\":\"video/mp4\",\"url\":\"https://example.com/a.mp4\"}]}", "shop",
		 422, "invalid_request", "content[0].type"},
	};
	struct gw_conf *conf = conf_parse(conf_text);
	struct web_json_err e;
	struct gw_spec *spec;
	size_t i;
	int err;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		spec = (struct gw_spec *)&e;    /* must be reset to NULL */
		err = build(cases[i].body, conf, cases[i].key, &spec, &e);
		if (err != EBADMSG || e.status != cases[i].status ||
		    strcmp(e.code, cases[i].code) || strcmp(e.field, cases[i].field))
			fail_msg("case %zu: err %d, %d %s %s: %s", i, err, e.status,
				 e.code, e.field, e.message);
		assert_null(spec);
		/* the message starts with the field, as every API error does */
		assert_int_equal(strncmp(e.message, cases[i].field,
					 strlen(cases[i].field)), 0);
	}
	/* pint_tel's reason reaches the client */
	err = build("{\"service\":\"call\",\"to\":\"+1-55\"}", conf, "shop", &spec, &e);
	assert_int_equal(err, EBADMSG);
	assert_non_null(strstr(e.message, "short"));
	gw_conf_free(conf);
}

static void test_too_large(void **state)
{
	struct gw_conf *conf = conf_parse(conf_text);
	struct web_json_err e;
	struct gw_spec *spec = NULL;
	char body[2048], url[1400];

	(void)state;
	/* web/ takes URLs up to 2048 bytes, PINT's uri: up to 1024 */
	memset(url, 'a', sizeof(url) - 1);
	url[sizeof(url) - 1] = '\0';
	snprintf(body, sizeof(body), "{\"service\":\"fax\",\"to\":\"+15555550199\","
		 "\"content\":[{\"type\":\"application/pdf\",\"url\":\"https://e.com/%s\"}]}",
		 url);
	assert_int_equal(build(body, conf, "shop", &spec, &e), EBADMSG);
	assert_null(spec);
	assert_int_equal(e.status, 422);
	assert_string_equal(e.code, "too_large");
	gw_conf_free(conf);
}

/* ---- content, custom services, options --------------------------------- */

static void test_fax_content(void **state)
{
	struct gw_conf *conf = conf_parse(conf_text);
	struct gw_spec *spec;
	char *sdp;

	(void)state;
	spec = build_ok("{\"service\":\"fax\",\"to\":\"+15555550199\",\"content\":["
			"{\"type\":\"text/plain\",\"text\":\"Hello\"},"
			"{\"type\":\"image/tiff\",\"data\":\"AAEC\"},"
			"{\"type\":\"application/pdf\",\"url\":\"https://example.com/q.pdf\","
			"\"fetch\":true}]}", conf, "shop");
	assert_string_equal(spec->def.name, "R2F");
	assert_false(spec->def.a_party);
	/* no A party for a fax: the key's from is not applied */
	assert_int_equal(spec->from.kind, PINT_TEL_NONE);
	assert_null(spec->from_input);
	assert_int_equal(spec->nitems, 3);
	assert_string_equal(spec->items[0].type, "text/plain");
	assert_int_equal(spec->items[0].src, PINT_SVC_INLINE);
	assert_int_equal(spec->items[0].len, 5);
	assert_memory_equal(spec->items[0].data, "Hello", 5);
	assert_int_equal(spec->items[1].src, PINT_SVC_INLINE);
	assert_int_equal(spec->items[1].len, 3);
	assert_memory_equal(spec->items[1].data, "\x00\x01\x02", 3);
	/* a fetch item is a url item until its body is handed over */
	assert_int_equal(spec->items[2].src, PINT_SVC_URI);
	assert_string_equal(spec->items[2].data, "https://example.com/q.pdf");
	assert_true(spec->fetch);
	assert_int_equal(spec->fetch_left, 1u << 2);
	assert_null(strstr(spec->json, "\"from\""));

	/* spellings of the first gateway (lowest priority), copied */
	assert_int_equal(spec->def.nspellings, 1);
	gw_conf_free(conf);
	sdp = encode_sdp(spec);
	assert_non_null(strstr(sdp, "m=image 1 fax tif\r\n"));
	assert_non_null(strstr(sdp, "a=fmtp:pdf uri:https://example.com/q.pdf\r\n"));
	free(sdp);
	gw_spec_free(spec);
}

/* Items with fetch: true: marked, limited, shown as parts to come, and
 * made inline items by gw_spec_set_fetched; the stored JSON keeps the
 * url, so a recovered spec has them to fetch again. */
static void test_fetch_items(void **state)
{
	struct gw_conf *conf = conf_parse(conf_text);
	struct pint_svc_item items[PINT_SVC_MAX_ITEMS];
	struct pint_svc_req sr;
	struct web_json_err e;
	struct gw_spec *spec, *again = NULL;
	char *body;

	(void)state;
	spec = build_ok("{\"service\":\"fax\",\"to\":\"+15555550199\",\"content\":["
			"{\"type\":\"text/plain\",\"url\":\"https://example.com/a.txt\","
			"\"fetch\":true},"
			"{\"type\":\"image/tiff\",\"url\":\"https://example.com/b.tif\"},"
			"{\"type\":\"text/plain\",\"url\":\"https://example.com/c.txt\","
			"\"fetch\":true}]}", conf, "shop");
	assert_true(spec->fetch);
	assert_int_equal(spec->fetch_left, 0x5u);

	/* the preview: the parts they will be, the other item as it is */
	gw_spec_svc_preview(spec, items, &sr);
	assert_ptr_equal(sr.items, items);
	assert_int_equal(items[0].src, PINT_SVC_INLINE);
	assert_string_equal(items[0].data, GW_SPEC_FETCH_PLACEHOLDER);
	assert_int_equal(items[0].len, strlen(GW_SPEC_FETCH_PLACEHOLDER));
	assert_int_equal(items[1].src, PINT_SVC_URI);
	assert_int_equal(items[2].src, PINT_SVC_INLINE);
	assert_int_equal(spec->items[0].src, PINT_SVC_URI);    /* untouched */

	/* handing over: only items still to fetch, never an empty body */
	body = malloc(6);
	assert_non_null(body);
	memcpy(body, "hello", 6);
	assert_int_equal(gw_spec_set_fetched(spec, 1, body, 5), EINVAL);
	assert_int_equal(gw_spec_set_fetched(spec, 7, body, 5), EINVAL);
	assert_int_equal(gw_spec_set_fetched(spec, 0, body, 0), EINVAL);
	assert_int_equal(gw_spec_set_fetched(spec, 0, NULL, 5), EINVAL);
	assert_int_equal(gw_spec_set_fetched(spec, 0, body, 5), 0);
	assert_int_equal(spec->fetch_left, 0x4u);
	assert_int_equal(spec->items[0].src, PINT_SVC_INLINE);
	assert_ptr_equal(spec->items[0].data, body);
	assert_int_equal(spec->items[0].len, 5);
	assert_string_equal(spec->items[0].type, "text/plain");
	assert_int_equal(gw_spec_set_fetched(spec, 0, body, 5), EINVAL);
	gw_spec_svc_req(spec, &sr);
	assert_ptr_equal(sr.items, spec->items);

	/* the stored form still says fetch: a restart fetches again */
	assert_non_null(strstr(spec->json, "\"url\":\"https://example.com/a.txt\","
			       "\"fetch\":true"));
	assert_int_equal(gw_spec_recover(&again, spec->json, spec->json_len, conf,
					 "shop", &e), 0);
	assert_int_equal(again->fetch_left, 0x5u);
	assert_int_equal(again->items[0].src, PINT_SVC_URI);
	gw_spec_free(again);
	gw_spec_free(spec);     /* frees the handed-over body */
	gw_conf_free(conf);
}

/* A fax body of n items, the first nfetch fetched, the rest text. */
static void fax_items(char *body, size_t size, size_t n, size_t nfetch)
{
	size_t len, i;

	len = (size_t)snprintf(body, size, "{\"service\":\"fax\",\"to\":"
			       "\"+15555550199\",\"content\":[");
	for (i = 0; i < n; i++) {
		if (i < nfetch)
			len += (size_t)snprintf(body + len, size - len,
						"%s{\"type\":\"text/plain\",\"url\":"
						"\"https://e.com/%zu\",\"fetch\":true}",
						i ? "," : "", i);
		else
			len += (size_t)snprintf(body + len, size - len,
						"%s{\"type\":\"text/plain\","
						"\"text\":\"t%zu\"}", i ? "," : "", i);
		assert_true(len < size);
	}
	snprintf(body + len, size - len, "]}");
}

/* At most GW_SPEC_FETCH_MAX fetched items, and no more inline parts than
 * a multipart body takes. */
static void test_fetch_limits(void **state)
{
	struct gw_conf *conf = conf_parse(conf_text);
	struct web_json_err e;
	struct gw_spec *spec = NULL;
	char body[2048];

	(void)state;
	fax_items(body, sizeof(body), GW_SPEC_FETCH_MAX + 1, GW_SPEC_FETCH_MAX + 1);
	assert_int_equal(build(body, conf, "shop", &spec, &e), EBADMSG);
	assert_null(spec);
	assert_int_equal(e.status, 422);
	assert_string_equal(e.code, "too_large");
	assert_non_null(strstr(e.message, "at most 4 items with fetch: true"));

	/* 4 fetched and 4 text items: 8 parts beside the SDP */
	fax_items(body, sizeof(body), 8, 4);
	assert_int_equal(build(body, conf, "shop", &spec, &e), EBADMSG);
	assert_null(spec);
	assert_string_equal(e.code, "too_large");
	assert_non_null(strstr(e.message, "at most 7 items sent inline"));

	/* 4 fetched, 3 text: 7 parts, the most there can be */
	fax_items(body, sizeof(body), 7, 4);
	spec = build_ok(body, conf, "shop");
	assert_int_equal(spec->fetch_left, 0xfu);
	gw_spec_free(spec);
	gw_conf_free(conf);
}

static void test_gateway_spellings(void **state)
{
	struct gw_conf *conf = conf_parse(conf_text);
	struct gw_spec *spec;
	char *sdp;

	(void)state;
	spec = build_ok("{\"service\":\"fax\",\"to\":\"+15555550199\",\"gateway\":\"west\","
			"\"content\":[{\"type\":\"image/tiff\",\"url\":\"https://e.com/a.tif\"}]}",
			conf, "shop");
	assert_string_equal(spec->gateway, "west");
	gw_conf_free(conf);
	sdp = encode_sdp(spec);
	assert_non_null(strstr(sdp, "m=image 1 fax TIFF-F\r\n"));
	free(sdp);
	gw_spec_free(spec);
}

static void test_custom_service(void **state)
{
	struct gw_conf *conf = conf_parse(conf_text);
	struct gw_spec *spec;
	char *sdp;

	(void)state;
	spec = build_ok("{\"service\":\"faxback\",\"to\":\"+15555550199\"}", conf, "shop");
	assert_string_equal(spec->service, "faxback");
	assert_string_equal(spec->def.name, "R2FB");
	assert_ptr_equal(spec->def.name, spec->def_name);
	assert_true(spec->def.a_party);
	assert_string_equal(spec->from.e164, "+442079460018");
	/* the configuration may go: the spec keeps its own copies */
	gw_conf_free(conf);
	sdp = encode_sdp(spec);
	assert_non_null(strstr(sdp, "s=R2FB\r\n"));
	assert_non_null(strstr(sdp, "m=text 1 fax -\r\n"));
	free(sdp);
	gw_spec_free(spec);

	conf = conf_parse(conf_text);
	spec = build_ok("{\"service\":\"page\",\"to\":\"+15555550199\",\"content\":"
			"[{\"type\":\"text/plain\",\"text\":\"Ring me\"}]}", conf, "bare");
	assert_string_equal(spec->def.name, "R2P");
	assert_int_equal(spec->def.proto, PINT_SDP_PROTO_PAGER);
	gw_spec_free(spec);
	gw_conf_free(conf);
}

static void test_options(void **state)
{
	struct gw_conf *conf = conf_parse(conf_text);
	struct gw_spec *spec;
	struct pint_svc_req sr;

	(void)state;
	spec = build_ok("{\"service\":\"call\",\"to\":\"+15555550199\",\"language\":\"en\","
			"\"clir\":true,\"require\":[\"phone-context\",\"clir\"],"
			"\"start_at\":\"2030-01-01T10:00:00Z\",\"stop_at\":\"2030-01-01T12:00:00.500Z\","
			"\"ring_timeout\":600,\"track\":false,"
			"\"webhook\":{\"url\":\"https://example.com/h\",\"events\":[\"completed\",\"failed\"]},"
			"\"client_state\":\"order-4711\",\"gateway\":\"east\"}", conf, "shop");
	assert_string_equal(spec->lang, "en");
	assert_int_equal(spec->clir, PINT_SDP_CLIR_TRUE);
	assert_int_equal(spec->nrequire, 2);
	assert_string_equal(spec->require[0], "phone-context");
	assert_string_equal(spec->require[1], "clir");
	assert_int_equal(spec->start_at, 1893492000000ll);
	assert_int_equal(spec->stop_at, 1893499200500ll);
	/* clamped to [sip] ring_timeout_max */
	assert_int_equal(spec->ring_timeout_ms, 45000);
	assert_false(spec->track);
	assert_string_equal(spec->webhook_url, "https://example.com/h");
	assert_int_equal(spec->webhook_events,
			 WEB_REQ_EVENT_BIT(WEB_STATUS_COMPLETED) | WEB_REQ_EVENT_BIT(WEB_STATUS_FAILED));
	assert_string_equal(spec->webhook_json,
			    "{\"url\":\"https://example.com/h\",\"events\":[\"completed\",\"failed\"]}");
	assert_string_equal(spec->client_state, "order-4711");
	assert_string_equal(spec->gateway, "east");
	gw_spec_svc_req(spec, &sr);
	assert_int_equal(sr.start, 1893492000u);
	assert_int_equal(sr.stop, 1893499200u);
	assert_int_equal(sr.nrequire, 2);
	assert_string_equal(sr.lang, "en");
	gw_spec_free(spec);

	spec = build_ok("{\"service\":\"call\",\"to\":\"+15555550199\",\"ring_timeout\":20,"
			"\"clir\":false}", conf, "shop");
	assert_int_equal(spec->ring_timeout_ms, 20000);
	assert_int_equal(spec->clir, PINT_SDP_CLIR_FALSE);
	gw_spec_free(spec);
	gw_conf_free(conf);
}

/* A ring_timeout_max above ten minutes lets a request ring that long: the
 * API's own bound is the config's (3600 s), not a smaller one. */
static void test_long_ring_timeout(void **state)
{
	char text[sizeof(conf_text) + 16];
	const char *at = strstr(conf_text, "ring_timeout_max = 45");
	struct gw_conf *conf;
	struct gw_spec *spec;

	(void)state;
	assert_non_null(at);
	snprintf(text, sizeof(text), "%.*sring_timeout_max = 3600%s", (int)(at - conf_text),
		 conf_text, at + strlen("ring_timeout_max = 45"));
	conf = conf_parse(text);
	spec = build_ok("{\"service\":\"call\",\"to\":\"+15555550199\",\"ring_timeout\":1800}",
			conf, "shop");
	assert_int_equal(spec->ring_timeout_ms, 1800000u);
	gw_spec_free(spec);
	spec = build_ok("{\"service\":\"call\",\"to\":\"+15555550199\",\"ring_timeout\":3600}",
			conf, "shop");
	assert_int_equal(spec->ring_timeout_ms, 3600000u);
	gw_spec_free(spec);
	gw_conf_free(conf);
}

static void test_email_hostname(void **state)
{
	struct gw_conf *conf = conf_parse(conf_reloaded);
	struct gw_spec *spec;
	char host[256], want[300];

	(void)state;
	spec = build_ok("{\"service\":\"fax\",\"to\":\"+15555550199\",\"content\":"
			"[{\"type\":\"text/plain\",\"text\":\"x\"}]}", conf, "bare");
	assert_int_equal(gethostname(host, sizeof(host)), 0);
	host[sizeof(host) - 1] = '\0';
	snprintf(want, sizeof(want), "pintgw@%s", host);
	assert_string_equal(spec->email, want);
	gw_spec_free(spec);
	gw_conf_free(conf);
}

/* ---- the stored form --------------------------------------------------- */

static void same_spec(const struct gw_spec *a, const struct gw_spec *b)
{
	size_t i;

	assert_string_equal(a->service, b->service);
	assert_string_equal(a->def.name, b->def.name);
	assert_string_equal(a->to.e164, b->to.e164);
	assert_string_equal(a->from.e164, b->from.e164);
	assert_string_equal(a->to_input, b->to_input);
	assert_int_equal(a->nitems, b->nitems);
	for (i = 0; i < a->nitems; i++) {
		assert_string_equal(a->items[i].type, b->items[i].type);
		assert_int_equal(a->items[i].src, b->items[i].src);
		assert_int_equal(a->items[i].len, b->items[i].len);
		assert_memory_equal(a->items[i].data, b->items[i].data, a->items[i].len);
	}
	assert_int_equal(a->start_at, b->start_at);
	assert_int_equal(a->stop_at, b->stop_at);
	assert_int_equal(a->ring_timeout_ms, b->ring_timeout_ms);
	assert_int_equal(a->track, b->track);
	assert_string_equal(a->json, b->json);
}

static void test_json_round_trip(void **state)
{
	struct gw_conf *conf = conf_parse(conf_text);
	struct web_json_err e;
	struct gw_spec *a, *b = NULL;

	(void)state;
	a = build_ok("{\"service\":\"faxback\",\"to\":\"+15555550199\",\"content\":["
		     "{\"type\":\"text/plain\",\"text\":\"Menu\"},"
		     "{\"type\":\"image/png\",\"data\":\"iVBORw0K\"}],"
		     "\"start_at\":\"2030-01-01T10:00:00Z\",\"ring_timeout\":40}", conf, "shop");
	assert_int_equal(gw_spec_from_json(&b, a->json, a->json_len, conf,
					   gw_conf_key(conf, "shop"), &e), 0);
	same_spec(a, b);
	assert_string_equal(b->owner, "shop");
	assert_string_equal(b->email, "shop@example.com");
	gw_spec_free(b);

	/* no key: owner unknown to the spec, defaults from the config */
	assert_int_equal(gw_spec_from_json(&b, a->json, a->json_len, conf, NULL, &e), 0);
	assert_null(b->owner);
	assert_string_equal(b->email, "ops@example.com");
	gw_spec_free(b);

	/* text that no longer validates */
	b = a;
	assert_int_equal(gw_spec_from_json(&b, "{\"service\":1}", 13, conf, NULL, &e),
			 EBADMSG);
	assert_null(b);
	assert_int_equal(e.status, 400);
	gw_spec_free(a);
	gw_conf_free(conf);
}

/*
 * The stored form, byte for byte (recovery and the store's spec column
 * read it): numbers made E.164, the key's A party written in, every field
 * in API.md's order; recovering it writes the same text again.
 */
static void test_stored_form(void **state)
{
	struct gw_conf *conf = conf_parse(conf_text);
	struct web_json_err e;
	struct gw_spec *a, *b = NULL;

	(void)state;
	a = build_ok("{\"service\":\"faxback\",\"to\":\"020 7946 0199\",\"content\":["
		     "{\"type\":\"Text/Plain\",\"text\":\"Menu \\\"A\\\"\\n\\u00e9\\u0001\"},"
		     "{\"type\":\"image/png\",\"data\":\"iVBORw0K\"},"
		     "{\"type\":\"application/pdf\",\"url\":\"https://example.com/m.pdf\","
		     "\"fetch\":true}],\"language\":\"en\",\"clir\":false,"
		     "\"require\":[\"clir\"],\"start_at\":\"2030-01-01T10:00:00+01:00\","
		     "\"ring_timeout\":40,\"track\":false,"
		     "\"webhook\":{\"url\":\"https://example.com/h\"},"
		     "\"client_state\":\"order \\\"7\\\"\",\"gateway\":\"east\"}",
		     conf, "shop");
	assert_string_equal(a->json,
		"{\"service\":\"faxback\",\"to\":\"+442079460199\",\"from\":\"+442079460018\","
		"\"content\":[{\"type\":\"text/plain\",\"text\":\"Menu \\\"A\\\"\\n\xc3\xa9\\u0001\"},"
		"{\"type\":\"image/png\",\"data\":\"iVBORw0K\"},"
		"{\"type\":\"application/pdf\",\"url\":\"https://example.com/m.pdf\",\"fetch\":true}],"
		"\"language\":\"en\",\"clir\":false,\"require\":[\"clir\"],"
		"\"start_at\":\"2030-01-01T09:00:00Z\",\"ring_timeout\":40,\"track\":false,"
		"\"webhook\":{\"url\":\"https://example.com/h\",\"events\":[\"*\"]},"
		"\"client_state\":\"order \\\"7\\\"\",\"gateway\":\"east\"}");
	assert_int_equal(a->json_len, strlen(a->json));
	assert_string_equal(a->webhook_json,
			    "{\"url\":\"https://example.com/h\",\"events\":[\"*\"]}");
	assert_int_equal(gw_spec_recover(&b, a->json, a->json_len, conf, "shop", &e), 0);
	assert_string_equal(b->json, a->json);
	assert_string_equal(b->webhook_json, a->webhook_json);
	gw_spec_free(b);
	gw_spec_free(a);
	gw_conf_free(conf);
}

static void test_recover_after_reload(void **state)
{
	struct gw_conf *conf = conf_parse(conf_text), *next;
	struct web_json_err e;
	struct gw_spec *a, *b = NULL;

	(void)state;
	a = build_ok("{\"service\":\"call\",\"to\":\"+15555550199\"}", conf, "shop");
	gw_conf_free(conf);
	/* [key shop] and the requestor address are gone */
	next = conf_parse(conf_reloaded);
	assert_int_equal(gw_spec_recover(&b, a->json, a->json_len, next, "shop", &e), 0);
	assert_string_equal(b->owner, "shop");
	assert_string_equal(b->from_input, "+442079460018");
	assert_string_equal(b->from.e164, "+442079460018");
	/* the default context went with the reload: from still resolves */
	assert_string_equal(b->to.e164, "+15555550199");
	assert_non_null(strstr(b->email, "pintgw@"));
	gw_spec_free(b);

	/* with the key still there its defaults apply */
	assert_int_equal(gw_spec_recover(&b, a->json, a->json_len, next, "bare", &e), 0);
	assert_string_equal(b->owner, "bare");
	gw_spec_free(b);
	assert_int_equal(gw_spec_recover(&b, a->json, a->json_len, next, NULL, &e), EINVAL);
	gw_spec_free(a);

	/* a removed service: the stored request no longer resolves */
	conf = conf_parse(conf_text);
	a = build_ok("{\"service\":\"faxback\",\"to\":\"+15555550199\"}", conf, "shop");
	gw_conf_free(conf);
	assert_int_equal(gw_spec_recover(&b, a->json, a->json_len, next, "shop", &e), EBADMSG);
	assert_string_equal(e.code, "unknown_service");
	gw_spec_free(a);
	gw_conf_free(next);
}

/* ---- allocation failure ------------------------------------------------ */

static void test_alloc_failure(void **state)
{
	static const char body[] =
		"{\"service\":\"fax\",\"to\":\"+15555550199\",\"content\":["
		"{\"type\":\"text/plain\",\"text\":\"Hello\"},"
		"{\"type\":\"image/tiff\",\"url\":\"https://example.com/a.tif\"}],"
		"\"require\":[\"clir\"],\"webhook\":{\"url\":\"https://e.com/h\"},"
		"\"client_state\":\"x\"}";
	struct gw_conf *conf = conf_parse(conf_text);
	struct web_json_err e;
	struct web_req req;
	struct gw_spec *spec, *back;
	unsigned long k;
	long live;
	int err, ok = 0;

	(void)state;
	assert_int_equal(web_req_parse(&req, body, strlen(body), &e), 0);
	for (k = 1; k < 400 && ok < 3; k++) {
		live = alloc_live();
		spec = NULL;
		back = NULL;
		alloc_fail_at(k);
		err = gw_spec_build(&spec, &req, conf, gw_conf_key(conf, "shop"), &e);
		if (!err)
			err = gw_spec_from_json(&back, spec->json, spec->json_len, conf,
						gw_conf_key(conf, "shop"), &e);
		alloc_fail_at(0);
		if (err != 0 && err != ENOMEM)
			fail_msg("allocation %lu: err %d (%s)", k, err, e.message);
		ok += err == 0;
		gw_spec_free(back);
		gw_spec_free(spec);
		assert_int_equal(alloc_live(), live);
	}
	assert_true(ok > 0);
	web_req_reset(&req);
	gw_conf_free(conf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		leakcheck_test(test_call_defaults),
		leakcheck_test(test_numbers_and_context),
		leakcheck_test(test_refusals),
		leakcheck_test(test_too_large),
		leakcheck_test(test_fax_content),
		leakcheck_test(test_fetch_items),
		leakcheck_test(test_fetch_limits),
		leakcheck_test(test_gateway_spellings),
		leakcheck_test(test_custom_service),
		leakcheck_test(test_options),
		leakcheck_test(test_long_ring_timeout),
		leakcheck_test(test_email_hostname),
		leakcheck_test(test_json_round_trip),
		leakcheck_test(test_stored_form),
		leakcheck_test(test_recover_after_reload),
		leakcheck_test(test_alloc_failure),
	};

	return cmocka_run_group_tests_name("gateway/spec", tests, NULL, NULL);
}
