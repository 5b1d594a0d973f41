/*
 * gateway/spec.h — a create request as pintgw keeps it: the validated JSON
 * body (web/req.h) resolved against the configuration and the caller's
 * key into numbers, a service definition and PINT items.
 *
 * A gw_spec owns all of its memory (one gw_spec_free) and is compact:
 * it is what a pending call keeps in memory, and what pint/ua borrows
 * through gw_spec_svc_req for the call's life. Its JSON form (the
 * normalised web_req with defaults that came from the key written in,
 * gw_spec.json) is what the store keeps, so recovery after a restart
 * rebuilds the same spec with gw_spec_recover, even once the key is gone.
 *
 * Items with "fetch": true stay url items (items[i].src URI) until their
 * body is downloaded and handed over with gw_spec_set_fetched: then they
 * are inline items and the spec owns the body. The stored JSON keeps the
 * url, so a recovered spec has to fetch again.
 */
#ifndef GW_SPEC_H
#define GW_SPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gateway/config.h"
#include "pint/service.h"
#include "pint/tel.h"
#include "web/json.h"
#include "web/req.h"

#define GW_SPEC_FETCH_MAX 4u    /* items with "fetch": true per request */
/* Parts beside the SDP of a multipart body: text, data and fetched items. */
#define GW_SPEC_INLINE_ITEMS_MAX (PINT_SIP_MAX_PARTS - 1u)
/* The body of a fetched item's part before it is fetched (dry runs). */
#define GW_SPEC_FETCH_PLACEHOLDER "(content fetched from the item's url " \
	"when the request is sent)"

struct gw_spec {
	char *owner;                    /* the key's name */
	char *service;                  /* API name: call, fax, content, custom */
	struct pint_svc_def def;        /* copied, spellings included */
	char *def_name;                 /* def.name's memory (custom services) */
	struct pint_svc_spelling *spellings;  /* one block, strings inside */
	struct pint_tel to;
	struct pint_tel from;           /* kind NONE when the service has no A party */
	char *to_input;
	char *from_input;
	char *phone_context;            /* asked for; NULL = none */
	struct pint_svc_item *items;    /* one block, types and data inside */
	size_t nitems;
	char *lang;
	enum pint_sdp_clir clir;
	char **require;                 /* one block, strings inside */
	size_t nrequire;
	int64_t start_at;               /* Unix ms, 0 = now */
	int64_t stop_at;                /* Unix ms, 0 = open */
	uint32_t ring_timeout_ms;       /* asked (≤ max) or the config's; 0 = ua default */
	bool track;
	char *webhook_url;              /* NULL = none */
	uint32_t webhook_events;        /* WEB_REQ_EVENT_BIT set */
	char *webhook_json;             /* {"url","events"} as in the body; NULL = none */
	char *client_state;             /* NULL = none */
	char *gateway;                  /* preferred gateway; NULL = any */
	char *email;                    /* SDP e= */
	char *json;                     /* the normalised request (store spec);
					 * NULL once a create queued it */
	size_t json_len;
	bool fetch;                     /* some item has fetch: true */
	uint32_t fetch_left;            /* bit i: items[i] still to be fetched */
	char *fetched[PINT_SVC_MAX_ITEMS];  /* fetched bodies (items' data) */
};

int gw_spec_build(struct gw_spec **specp, const struct web_req *req,
		  const struct gw_conf *conf, const struct gw_conf_key *key,
		  struct web_json_err *e);
int gw_spec_from_json(struct gw_spec **specp, const char *json, size_t len,
		      const struct gw_conf *conf, const struct gw_conf_key *key,
		      struct web_json_err *e);
int gw_spec_recover(struct gw_spec **specp, const char *json, size_t len,
		    const struct gw_conf *conf, const char *owner,
		    struct web_json_err *e);
void gw_spec_svc_req(const struct gw_spec *spec, struct pint_svc_req *out);
void gw_spec_free(struct gw_spec *spec);

/* Fetched content */
int gw_spec_set_fetched(struct gw_spec *spec, size_t idx, char *body,
			size_t len);
void gw_spec_svc_preview(const struct gw_spec *spec,
			 struct pint_svc_item items[PINT_SVC_MAX_ITEMS],
			 struct pint_svc_req *out);

#endif
