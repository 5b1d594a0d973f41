/*
 * web/req.h — validation of POST /v1/requests and POST /v1/click bodies
 * and of the query parameters of the request endpoints (API.md).
 *
 * The parsed structs are caller-owned; short fields are inline arrays, the
 * content bodies are heap copies released by web_req_reset(). Nothing is
 * borrowed from the JSON text. On any error the struct is left empty (no
 * allocation held) and the struct web_json_err says what to reply.
 * web/resource.h encodes a struct web_req back (dry_run, round trips).
 */
#ifndef WEB_REQ_H
#define WEB_REQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "web/json.h"
#include "web/resource.h"

/* Hard limits (bytes unless said otherwise). */
#define WEB_REQ_TOKEN_MAX        64u    /* service, gateway, require items */
#define WEB_REQ_NUMBER_MAX       64u    /* to, from */
#define WEB_REQ_CONTEXT_MAX      128u   /* phone_context */
#define WEB_REQ_LANG_MAX         35u    /* BCP 47 tag */
#define WEB_REQ_TYPE_MAX         127u   /* content MIME type/subtype */
#define WEB_REQ_URL_MAX          2048u
#define WEB_REQ_CONTENT_MAX      8u     /* content items */
#define WEB_REQ_INLINE_MAX       (768u * 1024u) /* text + decoded data, total */
#define WEB_REQ_REQUIRE_MAX      16u    /* require items */
#define WEB_REQ_EVENTS_MAX       16u    /* webhook.events items */
#define WEB_REQ_CLIENT_STATE_MAX 1024u
#define WEB_REQ_TIME_TEXT_MAX    64u    /* start_at / stop_at strings */
#define WEB_REQ_RING_MIN         5      /* ring_timeout, seconds */
#define WEB_REQ_RING_MAX         3600
#define WEB_REQ_CLICK_TOKEN_MAX  2048u
#define WEB_REQ_CURSOR_MAX       256u
#define WEB_REQ_LIMIT_DEFAULT    50u
#define WEB_REQ_LIMIT_MAX        200u
#define WEB_REQ_WAIT_MAX         60u    /* ?wait=, seconds */

/* webhook.events as a set: bit (1u << enum web_status). */
#define WEB_REQ_EVENT_BIT(s)     (1u << (unsigned)(s))
#define WEB_REQ_EVENTS_ALL       (((1u << WEB_STATUS_COUNT) - 1u) & ~1u)

enum web_req_src {
	WEB_REQ_TEXT = 1,
	WEB_REQ_DATA,
	WEB_REQ_URL,
};

/* One content item; exactly one source. */
struct web_req_content {
	char type[WEB_REQ_TYPE_MAX + 1];  /* "type/subtype", lower case */
	enum web_req_src src;
	char *body;     /* owned, NUL-terminated: the text, data or URL */
	size_t len;     /* bytes in body (decoded bytes for data) */
	bool fetch;     /* URL items: download and inline */
};

/*
 * A validated, normalised POST /v1/requests body. "" or has_* false means
 * the field was absent or null: null for an optional field is the same as
 * leaving it out (so a client may send a fixed template).
 */
struct web_req {
	char service[WEB_REQ_TOKEN_MAX + 1];
	char to[WEB_REQ_NUMBER_MAX + 1];
	char from[WEB_REQ_NUMBER_MAX + 1];
	char phone_context[WEB_REQ_CONTEXT_MAX + 1];
	struct web_req_content content[WEB_REQ_CONTENT_MAX];
	size_t content_count;
	char language[WEB_REQ_LANG_MAX + 1];
	bool has_clir;
	bool clir;
	char require[WEB_REQ_REQUIRE_MAX][WEB_REQ_TOKEN_MAX + 1];
	size_t require_count;
	bool has_start_at;
	bool has_stop_at;
	int64_t start_at;       /* Unix ms */
	int64_t stop_at;
	bool has_ring_timeout;
	unsigned ring_timeout;  /* WEB_REQ_RING_MIN..MAX */
	bool track;             /* default true */
	bool has_webhook;
	char webhook_url[WEB_REQ_URL_MAX + 1];
	uint32_t webhook_events;  /* default (absent or null): all */
	bool has_client_state;
	char client_state[WEB_REQ_CLIENT_STATE_MAX + 1];
	char gateway[WEB_REQ_TOKEN_MAX + 1];
};

/* A validated POST /v1/click body. */
struct web_req_click {
	char token[WEB_REQ_CLICK_TOKEN_MAX + 1];
	char to[WEB_REQ_NUMBER_MAX + 1];
};

/* GET /v1/requests filters. */
struct web_req_query {
	uint32_t statuses;      /* WEB_REQ_EVENT_BIT set; 0 = any */
	char service[WEB_REQ_TOKEN_MAX + 1];
	char to[WEB_REQ_NUMBER_MAX + 1];
	bool has_created_after;
	bool has_created_before;
	int64_t created_after;  /* Unix ms */
	int64_t created_before;
	unsigned limit;         /* 1..WEB_REQ_LIMIT_MAX */
	char cursor[WEB_REQ_CURSOR_MAX + 1];
};

/* GET /v1/requests/{id}?wait=S&after=N (long-poll). */
struct web_req_wait {
	unsigned wait;          /* seconds, 0 = answer now */
	bool has_after;
	uint64_t after;
};

/* Bodies: 0, EBADMSG (e filled: reply e->status) or ENOMEM. */
int web_req_parse(struct web_req *req, const char *p, size_t len,
		  struct web_json_err *e);
int web_req_from_json(struct web_req *req, const json_t *root,
		      struct web_json_err *e);
void web_req_reset(struct web_req *req);
int web_req_click_parse(struct web_req_click *c, const char *p, size_t len,
			struct web_json_err *e);

/*
 * Query parameters, one key/value at a time (value NULL = "?key" alone).
 * 0; EBADMSG with e = 400 invalid_parameter; ENOENT with e = 400
 * unknown_parameter when the key is not one of the function's.
 */
void web_req_query_init(struct web_req_query *q);
int web_req_query_set(struct web_req_query *q, const char *key,
		      const char *value, struct web_json_err *e);
void web_req_wait_init(struct web_req_wait *w);
int web_req_wait_set(struct web_req_wait *w, const char *key,
		     const char *value, struct web_json_err *e);
int web_req_create_set(bool *dry_run, const char *key, const char *value,
		       struct web_json_err *e);
int web_req_seq_parse(uint64_t *seqp, const char *p, size_t len);

#endif
