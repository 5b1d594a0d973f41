/*
 * gateway/api_demo.c — the routes outside /v1: the files compiled in from
 * web/static (the demo page at "/", /widget.js …) with ETag revalidation,
 * and in demo mode /demo/config (the key, a fresh click token for the
 * page's call button and the outcome table, to loopback clients only) and
 * /demo/trace/{id} (the SIP messages of a request, for its owner).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "gateway/api_int.h"
#include "gateway/demo.h"
#include "gateway/log.h"
#include "web/static.h"

#define TRACE_PREFIX "/demo/trace/"
#define DEMO_TOKEN_TTL 86400u   /* seconds; the page asks at each load */

/* The page's own script and styles, and the widget's injected <style>. */
#define PAGE_CSP "default-src 'self'; style-src 'self' 'unsafe-inline'; " \
	"img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; " \
	"form-action 'self'"

static bool get_or_head(const char *method)
{
	return !strcmp(method, "GET") || !strcmp(method, "HEAD");
}

/* A static file: 304 when the client has this version, else the bytes. */
static void serve_file(struct web_http_req *req,
		       const struct web_static_file *f)
{
	const char *inm = web_http_req_header(req, "If-None-Match");
	bool html = !strncmp(f->ctype, "text/html", 9);
	int err;

	err = web_http_add_header(req, "ETag", f->etag);
	if (!err)
		err = web_http_add_header(req, "Cache-Control", "no-cache");
	if (!err)
		err = web_http_add_header(req, "X-Content-Type-Options",
					  "nosniff");
	if (!err && html)
		err = web_http_add_header(req, "Content-Security-Policy",
					  PAGE_CSP);
	if (!err && html)
		err = web_http_add_header(req, "Referrer-Policy",
					  "no-referrer");
	if (err) {
		web_http_reply_json(req, 503, API_E503);
		return;
	}
	if (web_static_fresh(f, inm))
		web_http_reply(req, 304, NULL, NULL, 0);
	else
		web_http_reply(req, 200, f->ctype, f->data, f->len);
}

static bool loopback(const char *client)
{
	return client && (!strncmp(client, "127.", 4) ||
			  !strcmp(client, "::1") ||
			  !strncmp(client, "::ffff:127.", 11));
}

static void reply_body(struct web_http_req *req, int err, char *body,
		       size_t len)
{
	if (err)
		api_reply_code(req, 503, "unavailable", "",
			       "cannot build the reply: %s", strerror(err));
	else
		web_http_reply(req, 200, WEB_HTTP_CT_JSON, body, len);
	free(body);
}

/*
 * A click token of the demo key for the page's call button: a call to
 * any number, from the key's A party, without a use limit, valid a day
 * (at most [click] max_ttl).
 */
static int demo_token(struct gw_api *api, char *buf, size_t size)
{
	uint32_t ttl = api->d->conf->click.max_ttl;
	uint8_t r[GW_CLICK_JTI_BYTES];
	const uint8_t *secret;
	struct gw_click c;
	size_t slen;
	int err;

	err = gw_secrets_get(api->d->secrets, GW_DEMO_KEY_NAME, &secret,
			     &slen);
	if (err)
		return err;
	if (getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r))
		return errno ? errno : EIO;
	memset(&c, 0, sizeof(c));
	memcpy(c.key, GW_DEMO_KEY_NAME, sizeof(GW_DEMO_KEY_NAME));
	memcpy(c.service, "call", sizeof("call"));
	c.exp = api_wall_ms() / 1000 + (ttl < DEMO_TOKEN_TTL ? ttl :
					 DEMO_TOKEN_TTL);
	gw_click_jti(c.jti, r);
	return gw_click_mint(buf, size, NULL, &c, secret, slen);
}

static void demo_config(struct gw_api *api, struct web_http_req *req)
{
	char token[GW_CLICK_TOKEN_MAX + 1];
	char *body = NULL;
	size_t len = 0;
	int err;

	if (!loopback(web_http_req_client(req))) {
		api_reply_code(req, 403, "forbidden", "",
			       "the demo configuration is given to loopback "
			       "clients only");
		return;
	}
	err = demo_token(api, token, sizeof(token));
	if (err)
		log_warn("demo: no click token for the page: %s",
			 strerror(err));
	err = gw_demo_config_json(api->d->demo, err ? NULL : token, &body,
				  &len);
	reply_body(req, err, body, len);
}

static void demo_trace(struct gw_api *api, struct web_http_req *req,
		       const char *id)
{
	const struct gw_auth_key *key;
	struct gw_store_req row;
	char *body = NULL;
	size_t len = 0;
	int err;

	key = api_auth(api, req);
	if (!key || !api_scope(req, key, "read"))
		return;
	if (!api_id_ok(id, strlen(id))) {
		api_reply_code(req, 404, "not_found", "", "no such request");
		return;
	}
	if (!api_load_row(api, req, id, key->name, &row))
		return;
	err = gw_demo_trace_json(api->d->demo, row.id, row.call_id, &body,
				 &len);
	gw_store_req_clear(&row);
	reply_body(req, err, body, len);
}

/*
 * Handle req when its path is a static file or, in demo mode, a /demo/
 * route; false (nothing done) for every other path.
 */
bool api_demo_route(struct gw_api *api, struct web_http_req *req)
{
	const char *path = web_http_req_path(req);
	const char *method = web_http_req_method(req);
	const struct web_static_file *f = web_static_find(path);
	bool demo = api->d->demo != NULL;

	if (!f && !(demo && (!strcmp(path, "/demo/config") ||
			     !strncmp(path, TRACE_PREFIX,
				      sizeof(TRACE_PREFIX) - 1))))
		return false;
	if (!get_or_head(method)) {
		web_http_add_header(req, "Allow", "GET, HEAD");
		api_reply_code(req, 405, "method_not_allowed", "",
			       "%s is not allowed here (allowed: GET, HEAD)",
			       method);
		return true;
	}
	if (f)
		serve_file(req, f);
	else if (!strcmp(path, "/demo/config"))
		demo_config(api, req);
	else
		demo_trace(api, req, path + sizeof(TRACE_PREFIX) - 1);
	return true;
}
