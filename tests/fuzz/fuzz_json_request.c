/*
 * tests/fuzz/fuzz_json_request.c — web_req_parse() on arbitrary bytes.
 *
 * A body that validates is re-encoded from the normalised struct
 * (web_resource_req_encode, the ?dry_run form) and validated again: it
 * must pass and give an equal struct, and encoding that gives the same
 * text (normalising is idempotent). A refused body must come with a clean
 * 400/413/422 error that encodes. Nothing fails allocation here, so ENOMEM
 * would mean bad input taken for an allocation failure. The same bytes
 * also go through the click parser, the RFC 3339 parser (format → parse
 * must give the time back) and, split at the first '=', the query helpers.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "web/json.h"
#include "web/req.h"
#include "web/resource.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_err(const struct web_json_err *e)
{
	char *body = NULL;

	if (e->status != 400 && e->status != 413 && e->status != 422)
		abort();
	if (!e->code[0] || !e->message[0] ||
	    !memchr(e->code, '\0', sizeof(e->code)) ||
	    !memchr(e->field, '\0', sizeof(e->field)) ||
	    !memchr(e->message, '\0', sizeof(e->message)))
		abort();
	if (web_json_has_ctl(e->message, strlen(e->message)) ||
	    web_json_has_ctl(e->field, strlen(e->field)))
		abort();
	if (web_json_error_body(&body, NULL, e))
		abort();
	free(body);
}

static bool same_req(const struct web_req *a, const struct web_req *b)
{
	size_t i;

	if (strcmp(a->service, b->service) || strcmp(a->to, b->to) ||
	    strcmp(a->from, b->from) || strcmp(a->phone_context, b->phone_context) ||
	    a->content_count != b->content_count ||
	    strcmp(a->language, b->language) || a->has_clir != b->has_clir ||
	    a->clir != b->clir || a->require_count != b->require_count ||
	    a->has_start_at != b->has_start_at || a->start_at != b->start_at ||
	    a->has_stop_at != b->has_stop_at || a->stop_at != b->stop_at ||
	    a->has_ring_timeout != b->has_ring_timeout ||
	    a->ring_timeout != b->ring_timeout || a->track != b->track ||
	    a->has_webhook != b->has_webhook ||
	    strcmp(a->webhook_url, b->webhook_url) ||
	    a->webhook_events != b->webhook_events ||
	    a->has_client_state != b->has_client_state ||
	    strcmp(a->client_state, b->client_state) ||
	    strcmp(a->gateway, b->gateway))
		return false;
	for (i = 0; i < a->content_count; i++) {
		const struct web_req_content *x = &a->content[i], *y = &b->content[i];

		if (strcmp(x->type, y->type) || x->src != y->src ||
		    x->len != y->len || x->fetch != y->fetch ||
		    memcmp(x->body, y->body, x->len + 1))
			return false;
	}
	for (i = 0; i < a->require_count; i++)
		if (strcmp(a->require[i], b->require[i]))
			return false;
	return true;
}

static void fuzz_request(const char *p, size_t size)
{
	static struct web_req req, back;
	struct web_json_err e;
	char *txt = NULL, *txt2 = NULL;
	size_t len, len2;
	int err;

	err = web_req_parse(&req, p, size, &e);
	if (err == ENOMEM)
		abort();
	if (err) {
		if (err != EBADMSG || req.content_count)
			abort();
		check_err(&e);
		return;
	}
	if (web_resource_req_encode(&txt, &len, &req))
		abort();
	err = web_req_parse(&back, txt, len, &e);
	/* only the tightest bodies can grow past the limit ("track" added) */
	if (err && !(e.status == 413 && len > WEB_JSON_BODY_MAX))
		abort();
	if (!err) {
		if (!same_req(&req, &back))
			abort();
		if (web_resource_req_encode(&txt2, &len2, &back))
			abort();
		if (len2 != len || memcmp(txt, txt2, len))
			abort();
		free(txt2);
		web_req_reset(&back);
	}
	free(txt);
	web_req_reset(&req);
}

static void fuzz_click(const char *p, size_t size)
{
	struct web_req_click ck;
	struct web_json_err e;
	int err;

	err = web_req_click_parse(&ck, p, size, &e);
	if (err == ENOMEM)
		abort();
	if (err)
		check_err(&e);
	else if (!ck.token[0] || !ck.to[0])
		abort();
}

static void fuzz_time(const char *p, size_t size)
{
	char buf[WEB_JSON_TIME_SIZE];
	int64_t ms, back;

	if (web_json_time_parse(&ms, p, size < 64 ? size : 64))
		return;
	if (web_json_time_format(buf, ms) ||
	    web_json_time_parse(&back, buf, strlen(buf)) || back != ms)
		abort();
}

static void fuzz_query(const char *p, size_t size)
{
	struct web_req_query q;
	struct web_req_wait w;
	struct web_json_err e;
	char *key, *value;
	const char *eq = memchr(p, '=', size);
	size_t klen;
	bool dry = false;
	int err;

	if (!eq || size > 4096)
		return;
	klen = (size_t)(eq - p);
	key = malloc(size + 1);
	if (!key)
		return;
	memcpy(key, p, size);
	key[size] = '\0';
	key[klen] = '\0';
	value = key + klen + 1;

	web_req_query_init(&q);
	err = web_req_query_set(&q, key, value, &e);
	if (err && err != EBADMSG && err != ENOENT)
		abort();
	if (err)
		check_err(&e);
	if (q.limit < 1 || q.limit > WEB_REQ_LIMIT_MAX)
		abort();
	web_req_wait_init(&w);
	err = web_req_wait_set(&w, key, value, &e);
	if (err)
		check_err(&e);
	if (w.wait > WEB_REQ_WAIT_MAX || w.after > INT64_MAX)
		abort();
	err = web_req_create_set(&dry, key, value, &e);
	if (err)
		check_err(&e);
	free(key);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data;

	fuzz_request(p, size);
	fuzz_click(p, size);
	fuzz_time(p, size);
	fuzz_query(p, size);
	return 0;
}
