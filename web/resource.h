/*
 * web/resource.h — JSON the API sends: the request resource, request and
 * event lists, SSE frames, webhook payloads and the click's view (API.md).
 *
 * Input structs are plain data the gateway fills; every pointer in them is
 * borrowed for the call only and NULL means JSON null. Output text is the
 * caller's (free()). Text that is not UTF-8 is cleaned, never refused.
 */
#ifndef WEB_RESOURCE_H
#define WEB_RESOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct web_req;

/* Request statuses (API.md); NONE is "no status", never encoded. */
enum web_status {
	WEB_STATUS_NONE = 0,
	WEB_STATUS_QUEUED,
	WEB_STATUS_SENDING,
	WEB_STATUS_PROCEEDING,
	WEB_STATUS_ACCEPTED,
	WEB_STATUS_ACTIVE,
	WEB_STATUS_COMPLETED,
	WEB_STATUS_FAILED,
	WEB_STATUS_CANCELED,
	WEB_STATUS_EXPIRED,
	WEB_STATUS_COUNT
};

/* Outcome codes of a terminal event; NONE encodes "outcome": null. */
enum web_outcome {
	WEB_OUTCOME_NONE = 0,
	WEB_OUTCOME_OK,
	WEB_OUTCOME_BUSY,
	WEB_OUTCOME_NO_ANSWER,
	WEB_OUTCOME_REJECTED,
	WEB_OUTCOME_UNSUPPORTED,
	WEB_OUTCOME_NOT_FOUND,
	WEB_OUTCOME_UNREACHABLE,
	WEB_OUTCOME_AUTH_FAILED,
	WEB_OUTCOME_INTERRUPTED,
	WEB_OUTCOME_CANCELED,
	WEB_OUTCOME_EXPIRED,
	WEB_OUTCOME_ERROR,
	WEB_OUTCOME_CONTENT_FETCH_FAILED,
	WEB_OUTCOME_COUNT
};

/* Who ended the request; NONE encodes "by": null. */
enum web_by {
	WEB_BY_NONE = 0,
	WEB_BY_GATEWAY,
	WEB_BY_PINTGW,
};

#define WEB_RESOURCE_ID_MAX 64u     /* [A-Za-z0-9_-], used in links */

/* The SSE keep-alive: a comment line and the blank line ending it. */
#define WEB_RESOURCE_SSE_HEARTBEAT ": keep-alive\n\n"

/* "to" / "from": input NULL encodes the whole party as null. */
struct web_resource_party {
	const char *input;
	const char *number;     /* normalised E.164, NULL = null */
};

/* "outcome": code NONE encodes null; sip_code 0 encodes null. */
struct web_resource_outcome {
	enum web_outcome code;
	int sip_code;
	const char *reason;
	const char *warning;
	enum web_by by;
};

/* "sip": set false encodes null; last_code 0 encodes null. */
struct web_resource_sip {
	bool set;
	const char *gateway;
	const char *call_id;
	int last_code;
	const char *warning;
};

struct web_resource {
	const char *id;                 /* required */
	const char *service;            /* required */
	enum web_status status;         /* required */
	struct web_resource_party to;
	struct web_resource_party from;
	int64_t created_at;             /* Unix ms */
	int64_t updated_at;
	bool has_start_at;
	bool has_stop_at;
	int64_t start_at;
	int64_t stop_at;
	const char *info;
	struct web_resource_outcome outcome;
	struct web_resource_sip sip;
	uint64_t last_seq;
	const char *client_state;
	const char *base;               /* links prefix, NULL = "/v1/requests" */
};

/* One stored event, as listed, streamed and (with more) POSTed. */
struct web_resource_event {
	uint64_t seq;                   /* 1, 2, 3 … */
	int64_t at;                     /* Unix ms */
	enum web_status status;
	const char *info;
	struct web_resource_sip sip;
};

/* Webhook payload. */
struct web_resource_webhook {
	const char *event_id;           /* required */
	const char *request_id;         /* required */
	uint64_t seq;
	enum web_status status;
	int64_t at;
	const char *info;
	struct web_resource_outcome outcome;
	const char *client_state;
};

/*
 * The click's view of a request: the resource's id, service, status,
 * created_at, updated_at, info, outcome and last_seq, then these.
 */
struct web_resource_click {
	const char *to;                 /* the number dialled, masked */
	const char *self;               /* "links", with the view token */
	const char *events_link;
	const struct web_resource_event *ev;    /* written without "sip" */
	size_t n;
	bool with_token;                /* "view_token" (a click's 201) */
	const char *view_token;
};

/* Names. */
const char *web_resource_status_name(enum web_status s);
int web_resource_status_parse(enum web_status *sp, const char *p, size_t len);
bool web_resource_status_final(enum web_status s);
const char *web_resource_outcome_name(enum web_outcome o);

/*
 * Encoders: 0, EINVAL (required field missing, bad id or enum), ERANGE
 * (a time outside years 0000–9999, a number past INT64_MAX) or ENOMEM.
 */
int web_resource_encode(char **bodyp, size_t *lenp,
			const struct web_resource *r);
int web_resource_list(char **bodyp, size_t *lenp,
		      const struct web_resource *r, size_t n,
		      const char *next_cursor);
int web_resource_events(char **bodyp, size_t *lenp,
			const struct web_resource_event *ev, size_t n);
int web_resource_sse(char **framep, size_t *lenp,
		     const struct web_resource_event *ev);
int web_resource_webhook(char **bodyp, size_t *lenp,
			 const struct web_resource_webhook *w);
int web_resource_click(char **bodyp, size_t *lenp,
		       const struct web_resource *r,
		       const struct web_resource_click *c);

/* A validated request (web/req.h) back as JSON: ?dry_run, the stored spec. */
int web_resource_req_encode(char **bodyp, size_t *lenp,
			    const struct web_req *req);
int web_resource_req_webhook(char **bodyp, size_t *lenp,
			     const struct web_req *req);

#endif
