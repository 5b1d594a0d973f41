/*
 * web/req.c — POST /v1/requests and /v1/click bodies, and the query
 * parameters of the request endpoints, checked against API.md.
 *
 * Order of checks, so the error a client sees is deterministic: unknown
 * keys of an object first (document order), then each field in the order
 * of API.md's table (type, then value), recursing into content items and
 * webhook; 422 rules (a body that is well-formed but makes no sense) are
 * remembered and reported only when no field had a 400 problem.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "web/req.h"

struct ctx {
	struct web_json_err *e;
	struct web_json_err late;   /* first 422 seen */
	bool has_late;
	size_t inline_total;        /* text + decoded data so far */
};

static const char *const root_keys[] = {
	"service", "to", "from", "phone_context", "content", "language",
	"clir", "require", "start_at", "stop_at", "ring_timeout", "track",
	"webhook", "client_state", "gateway", NULL,
};
static const char *const item_keys[] = {
	"type", "text", "data", "url", "fetch", NULL,
};
static const char *const webhook_keys[] = {"url", "events", NULL};
static const char *const click_keys[] = {"token", "to", NULL};

/* Errors. */

static int fail(struct ctx *c, const char *code, const char *path,
		const char *what)
{
	web_json_err_set(c->e, 400, code, path, "%s", what);
	return EBADMSG;
}

static int missing(struct ctx *c, const char *path)
{
	return fail(c, "missing_field", path, "required field missing");
}

static int bad_type(struct ctx *c, const char *path, const char *want,
		    const json_t *v)
{
	web_json_err_set(c->e, 400, "invalid_field", path, "expected %s, got %s",
			 want, web_json_type_name(v));
	return EBADMSG;
}

/* A bad value, quoted: "<path>: '<value>' <what>". */
static int bad_value(struct ctx *c, const char *path, const char *s,
		     size_t len, const char *what)
{
	char q[WEB_JSON_QUOTE_MAX + 8];

	web_json_quote(q, sizeof(q), s, len);
	web_json_err_set(c->e, 400, "invalid_field", path, "%s %s", q, what);
	return EBADMSG;
}

/* Remember the first 422; parsing goes on to find any 400. */
static void late(struct ctx *c, const char *code, const char *path,
		 const char *what)
{
	if (c->has_late)
		return;
	web_json_err_set(&c->late, 422, code, path, "%s", what);
	c->has_late = true;
}

static void path_join(char *dst, size_t size, const char *prefix,
		      const char *key, size_t klen)
{
	char k[WEB_JSON_FIELD_SIZE];

	web_json_clean(k, sizeof(k), key, klen);
	if (snprintf(dst, size, "%s%s%s", prefix, *prefix ? "." : "", k) < 0)
		dst[0] = '\0';
}

/* The first key of obj (document order) that is not in known. */
static int check_keys(struct ctx *c, const json_t *obj, const char *prefix,
		      const char *const *known)
{
	/* jansson's iterator API is not const-correct; nothing is changed. */
	json_t *o = (json_t *)obj;
	char path[WEB_JSON_FIELD_SIZE];
	const char *const *k;
	void *it;

	for (it = json_object_iter(o); it; it = json_object_iter_next(o, it)) {
		const char *key = json_object_iter_key(it);
		size_t klen = json_object_iter_key_len(it);

		for (k = known; *k; k++)
			if (strlen(*k) == klen && !memcmp(*k, key, klen))
				break;
		if (!*k) {
			path_join(path, sizeof(path), prefix, key, klen);
			return fail(c, "unknown_field", path, "unknown field");
		}
	}
	return 0;
}

/* obj[key], NULL when absent or null (null = not given). */
static json_t *field(const json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);

	return v && !json_is_null(v) ? v : NULL;
}

/* A string of 1..max bytes (0..max with allow_empty). */
static int get_str(struct ctx *c, const json_t *v, const char *path,
		   size_t max, bool allow_empty, const char **sp, size_t *lenp)
{
	char what[64];

	if (!json_is_string(v))
		return bad_type(c, path, "string", v);
	*sp = json_string_value(v);
	*lenp = json_string_length(v);
	if (!*lenp && !allow_empty)
		return fail(c, "invalid_field", path, "must not be empty");
	if (*lenp > max) {
		snprintf(what, sizeof(what), "is longer than %zu bytes", max);
		return bad_value(c, path, *sp, *lenp, what);
	}
	return 0;
}

/* Copy a checked string into an inline field of max + 1 bytes. */
static void put(char *dst, const char *s, size_t len)
{
	memcpy(dst, s, len);
	dst[len] = '\0';
}

/* An optional token field (service when required). */
static int get_token(struct ctx *c, const json_t *obj, const char *key,
		     bool required, char *dst)
{
	const char *s;
	size_t len;
	json_t *v = field(obj, key);
	int err;

	if (!v)
		return required ? missing(c, key) : 0;
	err = get_str(c, v, key, WEB_REQ_TOKEN_MAX, false, &s, &len);
	if (err)
		return err;
	if (!web_json_token_ok(s, len))
		return bad_value(c, key, s, len, "is not a valid name");
	put(dst, s, len);
	return 0;
}

/* to / from: syntax is the number module's job; here size and controls. */
static int get_number(struct ctx *c, const json_t *obj, const char *key,
		      bool required, char *dst)
{
	const char *s;
	size_t len;
	json_t *v = field(obj, key);
	int err;

	if (!v)
		return required ? missing(c, key) : 0;
	err = get_str(c, v, key, WEB_REQ_NUMBER_MAX, false, &s, &len);
	if (err)
		return err;
	if (web_json_has_ctl(s, len))
		return bad_value(c, key, s, len, "contains control characters");
	put(dst, s, len);
	return 0;
}

static int get_bool(struct ctx *c, const json_t *obj, const char *key,
		    const char *path, bool *has, bool *dst)
{
	json_t *v = field(obj, key);

	if (!v)
		return 0;
	if (!json_is_boolean(v))
		return bad_type(c, path, "boolean", v);
	if (has)
		*has = true;
	*dst = json_is_true(v);
	return 0;
}

static int get_time(struct ctx *c, const json_t *obj, const char *key,
		    bool *has, int64_t *dst)
{
	const char *s;
	size_t len;
	json_t *v = field(obj, key);
	int err;

	if (!v)
		return 0;
	err = get_str(c, v, key, WEB_REQ_TIME_TEXT_MAX, false, &s, &len);
	if (err)
		return err;
	err = web_json_time_parse(dst, s, len);
	if (err == ERANGE)
		return bad_value(c, key, s, len, "is outside years 0000-9999");
	if (err)
		return bad_value(c, key, s, len, "is not an RFC 3339 time");
	*has = true;
	return 0;
}

/* Syntax of the three sources; nothing stored. */
static int check_sources(struct ctx *c, const char *prefix, const json_t *text,
			 const json_t *data, const json_t *url,
			 const json_t *fetch, size_t *dlenp)
{
	char path[WEB_JSON_FIELD_SIZE];
	const char *s;
	size_t len;
	int err;

	if (text && !json_is_string(text)) {
		snprintf(path, sizeof(path), "%s.text", prefix);
		return bad_type(c, path, "string", text);
	}
	if (data) {
		snprintf(path, sizeof(path), "%s.data", prefix);
		if (!json_is_string(data))
			return bad_type(c, path, "string", data);
		if (!web_json_b64_check(json_string_value(data),
					json_string_length(data), dlenp))
			return fail(c, "invalid_field", path, "is not valid base64");
	}
	if (url) {
		snprintf(path, sizeof(path), "%s.url", prefix);
		err = get_str(c, url, path, WEB_REQ_URL_MAX, false, &s, &len);
		if (err)
			return err;
		if (!web_json_url_ok(s, len))
			return bad_value(c, path, s, len, "is not an absolute http(s) URL");
	}
	if (fetch && !json_is_boolean(fetch)) {
		snprintf(path, sizeof(path), "%s.fetch", prefix);
		return bad_type(c, path, "boolean", fetch);
	}
	return 0;
}

/* One content item; stored in ct only when it is also sensible. */
static int parse_item(struct ctx *c, const json_t *item, size_t idx,
		      struct web_req_content *ct, bool *stored)
{
	char prefix[48], path[WEB_JSON_FIELD_SIZE];
	const json_t *v, *text, *data, *url, *fetch;
	const char *s;
	size_t len, dlen = 0, i;
	int err, nsrc;

	snprintf(prefix, sizeof(prefix), "content[%zu]", idx);
	if (!json_is_object(item))
		return bad_type(c, prefix, "object", item);
	err = check_keys(c, item, prefix, item_keys);
	if (err)
		return err;

	snprintf(path, sizeof(path), "%s.type", prefix);
	v = field(item, "type");
	if (!v)
		return missing(c, path);
	err = get_str(c, v, path, WEB_REQ_TYPE_MAX, false, &s, &len);
	if (err)
		return err;
	if (!web_json_mime_ok(s, len))
		return bad_value(c, path, s, len, "is not a MIME type/subtype");

	text = field(item, "text");
	data = field(item, "data");
	url = field(item, "url");
	fetch = field(item, "fetch");
	err = check_sources(c, prefix, text, data, url, fetch, &dlen);
	if (err)
		return err;
	nsrc = !!text + !!data + !!url;
	if (nsrc != 1) {
		late(c, "invalid_content", prefix, nsrc ?
		     "give only one of text, data or url" :
		     "needs one of text, data or url");
		return 0;
	}
	if (fetch && !url) {
		snprintf(path, sizeof(path), "%s.fetch", prefix);
		late(c, "invalid_content", path, "only a url item can be fetched");
		return 0;
	}

	for (i = 0; i < len; i++)
		ct->type[i] = (char)(s[i] >= 'A' && s[i] <= 'Z' ? s[i] + 32 : s[i]);
	ct->type[len] = '\0';
	if (url) {
		ct->src = WEB_REQ_URL;
		s = json_string_value(url);
		len = json_string_length(url);
		ct->fetch = fetch && json_is_true(fetch);
	} else {
		ct->src = text ? WEB_REQ_TEXT : WEB_REQ_DATA;
		len = text ? json_string_length(text) : dlen;
		snprintf(path, sizeof(path), "%s.%s", prefix, text ? "text" : "data");
		if (len > WEB_REQ_INLINE_MAX - c->inline_total) {
			web_json_err_set(c->e, 400, "invalid_field", path,
					 "inline content over %u bytes in total",
					 WEB_REQ_INLINE_MAX);
			return EBADMSG;
		}
		c->inline_total += len;
		s = text ? json_string_value(text) : NULL;
	}
	ct->body = malloc(len + 1);
	if (!ct->body)
		return ENOMEM;
	if (s)
		memcpy(ct->body, s, len);
	else
		web_json_b64_decode((unsigned char *)ct->body,
				    json_string_value(data), json_string_length(data));
	ct->body[len] = '\0';
	ct->len = len;
	*stored = true;
	return 0;
}

static int parse_content(struct ctx *c, struct web_req *req, const json_t *root)
{
	json_t *arr = field(root, "content");
	char what[64];
	bool stored;
	size_t i;
	int err;

	if (!arr)
		return 0;
	if (!json_is_array(arr))
		return bad_type(c, "content", "array", arr);
	if (json_array_size(arr) > WEB_REQ_CONTENT_MAX) {
		snprintf(what, sizeof(what), "at most %u items, got %zu",
			 WEB_REQ_CONTENT_MAX, json_array_size(arr));
		return fail(c, "invalid_field", "content", what);
	}
	for (i = 0; i < json_array_size(arr); i++) {
		stored = false;
		err = parse_item(c, json_array_get(arr, i), i,
				 &req->content[req->content_count], &stored);
		if (stored)
			req->content_count++;
		if (err)
			return err;
	}
	return 0;
}

static int parse_require(struct ctx *c, struct web_req *req, const json_t *root)
{
	json_t *arr = field(root, "require"), *v;
	char path[WEB_JSON_FIELD_SIZE], what[64];
	const char *s;
	size_t i, len;
	int err;

	if (!arr)
		return 0;
	if (!json_is_array(arr))
		return bad_type(c, "require", "array", arr);
	if (json_array_size(arr) > WEB_REQ_REQUIRE_MAX) {
		snprintf(what, sizeof(what), "at most %u items, got %zu",
			 WEB_REQ_REQUIRE_MAX, json_array_size(arr));
		return fail(c, "invalid_field", "require", what);
	}
	json_array_foreach(arr, i, v) {
		snprintf(path, sizeof(path), "require[%zu]", i);
		err = get_str(c, v, path, WEB_REQ_TOKEN_MAX, false, &s, &len);
		if (err)
			return err;
		if (!web_json_token_ok(s, len))
			return bad_value(c, path, s, len, "is not a valid name");
		put(req->require[req->require_count++], s, len);
	}
	return 0;
}

static int parse_webhook(struct ctx *c, struct web_req *req, const json_t *root)
{
	json_t *wh = field(root, "webhook"), *v, *ev;
	char path[WEB_JSON_FIELD_SIZE], what[64];
	enum web_status st;
	const char *s;
	size_t i, len;
	int err;

	if (!wh)
		return 0;
	if (!json_is_object(wh))
		return bad_type(c, "webhook", "object", wh);
	err = check_keys(c, wh, "webhook", webhook_keys);
	if (err)
		return err;
	v = field(wh, "url");
	if (!v)
		return missing(c, "webhook.url");
	err = get_str(c, v, "webhook.url", WEB_REQ_URL_MAX, false, &s, &len);
	if (err)
		return err;
	if (!web_json_url_ok(s, len))
		return bad_value(c, "webhook.url", s, len, "is not an absolute http(s) URL");
	put(req->webhook_url, s, len);

	req->webhook_events = WEB_REQ_EVENTS_ALL;
	v = field(wh, "events");
	if (v) {
		if (!json_is_array(v))
			return bad_type(c, "webhook.events", "array", v);
		if (!json_array_size(v))
			return fail(c, "invalid_field", "webhook.events",
				    "must name at least one status or \"*\"");
		if (json_array_size(v) > WEB_REQ_EVENTS_MAX) {
			snprintf(what, sizeof(what), "at most %u items, got %zu",
				 WEB_REQ_EVENTS_MAX, json_array_size(v));
			return fail(c, "invalid_field", "webhook.events", what);
		}
		req->webhook_events = 0;
		json_array_foreach(v, i, ev) {
			snprintf(path, sizeof(path), "webhook.events[%zu]", i);
			err = get_str(c, ev, path, 32, false, &s, &len);
			if (err)
				return err;
			if (len == 1 && s[0] == '*')
				req->webhook_events = WEB_REQ_EVENTS_ALL;
			else if (!web_resource_status_parse(&st, s, len))
				req->webhook_events |= WEB_REQ_EVENT_BIT(st);
			else
				return bad_value(c, path, s, len, "is not a status name or \"*\"");
		}
	}
	req->has_webhook = true;
	return 0;
}

/* Fields after content, in API.md order. */
static int parse_options(struct ctx *c, struct web_req *req, const json_t *root)
{
	const char *s;
	size_t len;
	json_t *v;
	int err;

	if ((v = field(root, "language"))) {
		err = get_str(c, v, "language", WEB_REQ_LANG_MAX, false, &s, &len);
		if (err)
			return err;
		if (!web_json_lang_ok(s, len))
			return bad_value(c, "language", s, len, "is not a language tag");
		put(req->language, s, len);
	}
	err = get_bool(c, root, "clir", "clir", &req->has_clir, &req->clir);
	if (!err)
		err = parse_require(c, req, root);
	if (!err)
		err = get_time(c, root, "start_at", &req->has_start_at, &req->start_at);
	if (!err)
		err = get_time(c, root, "stop_at", &req->has_stop_at, &req->stop_at);
	if (err)
		return err;
	if ((v = field(root, "ring_timeout"))) {
		if (!json_is_integer(v))
			return bad_type(c, "ring_timeout", "integer", v);
		if (json_integer_value(v) < WEB_REQ_RING_MIN ||
		    json_integer_value(v) > WEB_REQ_RING_MAX) {
			web_json_err_set(c->e, 400, "invalid_field", "ring_timeout",
					 "%" JSON_INTEGER_FORMAT " is out of range %d..%d seconds",
					 json_integer_value(v), WEB_REQ_RING_MIN, WEB_REQ_RING_MAX);
			return EBADMSG;
		}
		req->has_ring_timeout = true;
		req->ring_timeout = (unsigned)json_integer_value(v);
	}
	err = get_bool(c, root, "track", "track", NULL, &req->track);
	if (!err)
		err = parse_webhook(c, req, root);
	if (err)
		return err;
	if ((v = field(root, "client_state"))) {
		err = get_str(c, v, "client_state", WEB_REQ_CLIENT_STATE_MAX, true,
			      &s, &len);
		if (err)
			return err;
		put(req->client_state, s, len);
		req->has_client_state = true;
	}
	return get_token(c, root, "gateway", false, req->gateway);
}

/* 422 rules over the whole request. */
static void check_sense(struct ctx *c, const struct web_req *req)
{
	if (!strcmp(req->service, "call") && req->content_count)
		late(c, "content_not_allowed", "content", "a call takes no content");
	if ((!strcmp(req->service, "fax") || !strcmp(req->service, "content")) &&
	    !req->content_count)
		late(c, "content_required", "content", "this service needs content");
	if (req->has_start_at && req->has_stop_at && req->stop_at <= req->start_at)
		late(c, "invalid_schedule", "stop_at", "must be after start_at");
}

/*
 * Validate an already loaded POST /v1/requests body into req (all of req
 * is overwritten). 0, EBADMSG with e filled, or ENOMEM.
 */
int web_req_from_json(struct web_req *req, const json_t *root,
		      struct web_json_err *e)
{
	struct ctx c = {.e = e};
	int err;

	memset(req, 0, sizeof(*req));
	req->track = true;
	if (!json_is_object(root)) {
		web_json_err_set(e, 400, "invalid_body", NULL,
				 "request body must be a JSON object, got %s",
				 web_json_type_name(root));
		return EBADMSG;
	}
	err = check_keys(&c, root, "", root_keys);
	if (!err)
		err = get_token(&c, root, "service", true, req->service);
	if (!err)
		err = get_number(&c, root, "to", true, req->to);
	if (!err)
		err = get_number(&c, root, "from", false, req->from);
	if (!err && field(root, "phone_context")) {
		const char *s;
		size_t len;

		err = get_str(&c, field(root, "phone_context"), "phone_context",
			      WEB_REQ_CONTEXT_MAX, false, &s, &len);
		if (!err && !web_json_context_ok(s, len))
			err = bad_value(&c, "phone_context", s, len,
					"is not a phone number prefix or domain");
		if (!err)
			put(req->phone_context, s, len);
	}
	if (!err)
		err = parse_content(&c, req, root);
	if (!err)
		err = parse_options(&c, req, root);
	if (!err) {
		check_sense(&c, req);
		if (c.has_late) {
			*e = c.late;
			err = EBADMSG;
		}
	}
	if (err)
		web_req_reset(req);
	return err;
}

/* Load and validate a POST /v1/requests body. See web_req_from_json(). */
int web_req_parse(struct web_req *req, const char *p, size_t len,
		  struct web_json_err *e)
{
	json_t *root = NULL;
	int err;

	memset(req, 0, sizeof(*req));
	err = web_json_load(&root, p, len, e);
	if (!err)
		err = web_req_from_json(req, root, e);
	json_decref(root);
	return err;
}

/* Free the content bodies; req is empty (and may be parsed into) after. */
void web_req_reset(struct web_req *req)
{
	size_t i;

	for (i = 0; i < req->content_count && i < WEB_REQ_CONTENT_MAX; i++)
		free(req->content[i].body);
	memset(req, 0, sizeof(*req));
}

/* POST /v1/click: {"token", "to"}, both required. */
int web_req_click_parse(struct web_req_click *ck, const char *p, size_t len,
			struct web_json_err *e)
{
	struct ctx c = {.e = e};
	json_t *root = NULL, *v = NULL;
	const char *s = NULL;
	size_t n = 0, i;
	int err;

	memset(ck, 0, sizeof(*ck));
	err = web_json_load(&root, p, len, e);
	if (!err)
		err = check_keys(&c, root, "", click_keys);
	if (!err && !(v = field(root, "token")))
		err = missing(&c, "token");
	if (!err)
		err = get_str(&c, v, "token", WEB_REQ_CLICK_TOKEN_MAX, false, &s, &n);
	for (i = 0; !err && i < n; i++)
		if (s[i] <= 0x20 || s[i] >= 0x7f)
			err = fail(&c, "invalid_field", "token", "is not a click token");
	if (!err) {
		put(ck->token, s, n);
		err = get_number(&c, root, "to", true, ck->to);
	}
	json_decref(root);
	if (err)
		memset(ck, 0, sizeof(*ck));
	return err;
}

/* Query parameters. */

/* Decimal digits only (no sign, no space), value at most max. */
static int dec_u64(const char *p, size_t len, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (!len || len > 20)
		return EBADMSG;
	for (i = 0; i < len; i++) {
		unsigned d = (unsigned)(p[i] - '0');

		if (p[i] < '0' || p[i] > '9')
			return EBADMSG;
		if (v > (max - d) / 10)
			return ERANGE;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

/* A Last-Event-ID header or an ?after= value: 0 .. INT64_MAX. */
int web_req_seq_parse(uint64_t *seqp, const char *p, size_t len)
{
	return dec_u64(p, len, INT64_MAX, seqp);
}

static int bad_param(struct web_json_err *e, const char *key, const char *v,
		     const char *what)
{
	char q[WEB_JSON_QUOTE_MAX + 8];

	web_json_quote(q, sizeof(q), v, strlen(v));
	web_json_err_set(e, 400, "invalid_parameter", key, "%s %s", q, what);
	return EBADMSG;
}

static int unknown_param(struct web_json_err *e, const char *key)
{
	web_json_err_set(e, 400, "unknown_parameter", key,
			 "unknown query parameter");
	return ENOENT;
}

/*
 * A time in a query string. A '+' of the offset that the client did not
 * percent-encode arrives as a space: read it back as '+'.
 */
static int query_time(const char *v, size_t len, bool *has, int64_t *ms)
{
	char buf[WEB_REQ_TIME_TEXT_MAX + 1];
	size_t i;

	if (!len) {
		*has = false;
		return 0;
	}
	if (len > WEB_REQ_TIME_TEXT_MAX)
		return EBADMSG;
	memcpy(buf, v, len);
	for (i = 19; i < len; i++)
		if (buf[i] == ' ')
			buf[i] = '+';
	if (web_json_time_parse(ms, buf, len))
		return EBADMSG;
	*has = true;
	return 0;
}

/* status=a,b,… (repeatable): a set of statuses; empty items ignored. */
static int query_statuses(struct web_req_query *q, const char *v,
			  struct web_json_err *e)
{
	enum web_status st;
	const char *p = v, *comma;
	size_t n;

	while (*p) {
		comma = strchr(p, ',');
		n = comma ? (size_t)(comma - p) : strlen(p);
		if (n && web_resource_status_parse(&st, p, n))
			return bad_param(e, "status", v, "is not a list of status names");
		if (n)
			q->statuses |= WEB_REQ_EVENT_BIT(st);
		p += n + (comma ? 1 : 0);
	}
	return 0;
}

/* Defaults of GET /v1/requests: no filter, limit 50, first page. */
void web_req_query_init(struct web_req_query *q)
{
	memset(q, 0, sizeof(*q));
	q->limit = WEB_REQ_LIMIT_DEFAULT;
}

/*
 * One GET /v1/requests parameter: status, service, to, created_after,
 * created_before, limit (1..200), cursor (opaque, ≤ 256 visible ASCII).
 * An empty value clears a filter.
 */
int web_req_query_set(struct web_req_query *q, const char *key,
		      const char *value, struct web_json_err *e)
{
	const char *v = value ? value : "";
	size_t i, len = strlen(v);
	uint64_t n;

	if (!strcmp(key, "status"))
		return query_statuses(q, v, e);
	if (!strcmp(key, "service")) {
		if (len && (len > WEB_REQ_TOKEN_MAX || !web_json_token_ok(v, len)))
			return bad_param(e, key, v, "is not a valid name");
		put(q->service, v, len);
	} else if (!strcmp(key, "to")) {
		if (len > WEB_REQ_NUMBER_MAX || web_json_has_ctl(v, len))
			return bad_param(e, key, v, "is not a number");
		put(q->to, v, len);
	} else if (!strcmp(key, "created_after")) {
		if (query_time(v, len, &q->has_created_after, &q->created_after))
			return bad_param(e, key, v, "is not an RFC 3339 time");
	} else if (!strcmp(key, "created_before")) {
		if (query_time(v, len, &q->has_created_before, &q->created_before))
			return bad_param(e, key, v, "is not an RFC 3339 time");
	} else if (!strcmp(key, "limit")) {
		if (dec_u64(v, len, WEB_REQ_LIMIT_MAX, &n) || !n)
			return bad_param(e, key, v, "is not a number 1..200");
		q->limit = (unsigned)n;
	} else if (!strcmp(key, "cursor")) {
		if (len > WEB_REQ_CURSOR_MAX)
			return bad_param(e, key, v, "is not a cursor from this API");
		for (i = 0; i < len; i++)
			if ((unsigned char)v[i] <= 0x20 || (unsigned char)v[i] >= 0x7f)
				return bad_param(e, key, v, "is not a cursor from this API");
		put(q->cursor, v, len);
	} else {
		return unknown_param(e, key);
	}
	return 0;
}

/* Defaults of GET /v1/requests/{id}: no wait. */
void web_req_wait_init(struct web_req_wait *w)
{
	memset(w, 0, sizeof(*w));
}

/* wait=S (0..60 seconds), after=N (event seq, 0..INT64_MAX). */
int web_req_wait_set(struct web_req_wait *w, const char *key,
		     const char *value, struct web_json_err *e)
{
	const char *v = value ? value : "";
	uint64_t n;

	if (!strcmp(key, "wait")) {
		if (dec_u64(v, strlen(v), WEB_REQ_WAIT_MAX, &n))
			return bad_param(e, key, v, "is not a number of seconds 0..60");
		w->wait = (unsigned)n;
	} else if (!strcmp(key, "after")) {
		if (web_req_seq_parse(&w->after, v, strlen(v)))
			return bad_param(e, key, v, "is not an event number");
		w->has_after = true;
	} else {
		return unknown_param(e, key);
	}
	return 0;
}

/* POST /v1/requests?dry_run=1: "", 1, true → true; 0, false → false. */
int web_req_create_set(bool *dry_run, const char *key, const char *value,
		       struct web_json_err *e)
{
	const char *v = value ? value : "";

	if (strcmp(key, "dry_run"))
		return unknown_param(e, key);
	if (!*v || !strcmp(v, "1") || !strcmp(v, "true"))
		*dry_run = true;
	else if (!strcmp(v, "0") || !strcmp(v, "false"))
		*dry_run = false;
	else
		return bad_param(e, key, v, "is not 1 or 0");
	return 0;
}
