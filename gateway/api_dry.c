/*
 * gateway/api_dry.c — POST /v1/requests?dry_run=1 (and a dry run of any
 * create api_create_run() checked): the request as it would be stored,
 * the policy's decision, the INVITE that would be sent and what would be
 * fetched first. Nothing is stored, sent, fetched or counted against a
 * limit.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "gateway/api_int.h"
#include "gateway/log.h"
#include "gateway/spec.h"

/* [{"content": i, "url", "type", "max_bytes"}]: what a send would fetch
 * first (nothing is fetched in a dry run); NULL when nothing. */
static int dry_fetch(json_t **outp, const struct gw_spec *spec,
		     const struct gw_conf_fetch *fc)
{
	size_t i, cap = fc->max_bytes < fc->max_total ? fc->max_bytes :
			fc->max_total;
	json_t *arr, *o;
	int err = 0;

	*outp = NULL;
	if (!spec->fetch_left)
		return 0;
	arr = json_array();
	if (!arr)
		return ENOMEM;
	for (i = 0; i < spec->nitems && i < PINT_SVC_MAX_ITEMS && !err; i++) {
		if (!(spec->fetch_left & (1u << i)))
			continue;
		o = json_object();
		err = o ? 0 : ENOMEM;
		if (!err)
			err = web_json_set_new(o, "content",
					       json_integer((json_int_t)i));
		if (!err)
			err = web_json_set_str(o, "url", spec->items[i].data);
		if (!err)
			err = web_json_set_str(o, "type", spec->items[i].type);
		if (!err)
			err = web_json_set_new(o, "max_bytes",
					       json_integer((json_int_t)cap));
		if (!err && json_array_append_new(arr, o))
			err = ENOMEM;
		else if (err)
			json_decref(o);
	}
	if (err) {
		json_decref(arr);
		return err;
	}
	*outp = arr;
	return 0;
}

/* The policy's decision as the dry run shows it. */
static int dry_policy(json_t **outp, const struct gw_policy_verdict *v)
{
	json_t *o = json_object();
	bool no = v->rule != GW_POLICY_ALLOW;
	int err = o ? 0 : ENOMEM;

	if (!err)
		err = web_json_set_str(o, "decision", no ? "refuse" : "allow");
	if (!err)
		err = web_json_set_str(o, "rule", no ?
				       gw_policy_rule_name(v->rule) : NULL);
	if (!err)
		err = web_json_set_str(o, "code", no ? v->code : NULL);
	if (!err)
		err = web_json_set_new(o, "status", no ?
				       json_integer(v->status) : json_null());
	if (!err)
		err = web_json_set_str(o, "field", no && v->field[0] ?
				       v->field : NULL);
	if (!err)
		err = web_json_set_str(o, "message", no ? v->message : NULL);
	if (!err)
		err = web_json_set_new(o, "retry_after", no && v->retry_s ?
				       json_integer(v->retry_s) : json_null());
	if (err) {
		json_decref(o);
		return err;
	}
	*outp = o;
	return 0;
}

/*
 * {"request": …, then rest's members}: the request as web/resource writes
 * it, its one list of fields, spliced in front of rest, the compact text
 * of an object ("{" and members, or "{}"). *bodyp is the caller's.
 */
static int request_first(char **bodyp, size_t *lenp, const char *req,
			 size_t reqlen, const char *rest, size_t restlen)
{
	static const char head[] = "{\"request\":";
	size_t hlen = sizeof(head) - 1, comma = restlen > 2 ? 1 : 0;
	size_t len = hlen + reqlen + comma + restlen - 1;
	char *p = malloc(len + 1);

	if (!p)
		return ENOMEM;
	memcpy(p, head, hlen);
	memcpy(p + hlen, req, reqlen);
	if (comma)
		p[hlen + reqlen] = ',';
	memcpy(p + hlen + reqlen + comma, rest + 1, restlen);   /* and its NUL */
	*bodyp = p;
	*lenp = len;
	return 0;
}

/*
 * "sip": the INVITE as text; null when none would be sent. An INVITE
 * with bytes that are not UTF-8 (a fax's inline binary data) is no JSON
 * string: then "sip" is null and "sip_base64" has its exact bytes.
 */
static int dry_sip(json_t *root, const char *sip, size_t siplen)
{
	char *b64 = NULL;
	size_t b64len = 0;
	int err;

	if (!sip || web_json_utf8_valid(sip, siplen))
		return web_json_set_new(root, "sip", sip ? json_stringn(sip, siplen)
						    : json_null());
	err = web_json_set_new(root, "sip", json_null());
	if (!err)
		err = web_json_b64_encode(&b64, &b64len, sip, siplen);
	if (!err)
		err = web_json_set_new(root, "sip_base64",
				       json_stringn(b64, b64len));
	free(b64);
	return err;
}

static int dry_body(char **bodyp, size_t *lenp, const struct web_req *wreq,
		    const struct gw_spec *spec, const struct gw_auth_key *key,
		    const char *scope, const struct gw_policy_verdict *v,
		    const char *sip, size_t siplen,
		    const struct gw_conf_fetch *fc)
{
	json_t *root = json_object(), *dec = json_object();
	json_t *fetch = NULL, *pol = NULL;
	char *req = NULL, *rest = NULL;
	size_t reqlen = 0, restlen = 0;
	int err = root && dec ? 0 : ENOMEM;

	if (!err)
		err = json_object_set_new(dec, "allowed",
					  json_boolean(!v->rule)) ? ENOMEM : 0;
	if (!err)
		err = web_json_set_str(dec, "key", key->name);
	if (!err)
		err = web_json_set_str(dec, "scope", scope);
	if (!err)
		err = web_json_set_str(dec, "to", spec->to.e164[0] ?
				       spec->to.e164 : NULL);
	if (!err)
		err = web_json_set_str(dec, "from", spec->from.e164[0] ?
				       spec->from.e164 : NULL);
	if (!err)
		err = web_json_set_str(dec, "gateway", spec->gateway);
	if (!err)
		err = spec->start_at ?
		      web_json_set_time(dec, "start_at", spec->start_at) :
		      web_json_set_str(dec, "start_at", NULL);
	if (!err) {
		err = web_json_set_new(root, "decision", dec);
		dec = NULL;
	}
	if (!err)
		err = dry_policy(&pol, v);
	if (!err)
		err = web_json_set_new(root, "policy", pol);
	if (!err)
		err = dry_sip(root, sip, siplen);
	if (!err)
		err = dry_fetch(&fetch, spec, fc);
	if (!err && fetch)
		err = web_json_set_new(root, "fetch", fetch);
	if (!err)
		err = web_json_dump(&rest, &restlen, root, JSON_COMPACT);
	if (!err)
		err = web_resource_req_encode(&req, &reqlen, wreq);
	if (!err)
		err = request_first(bodyp, lenp, req, reqlen, rest, restlen);
	free(req);
	free(rest);
	json_decref(dec);
	json_decref(root);
	return err;
}

/*
 * 200 with the request as it would be stored, the policy's decision and
 * the INVITE that would be sent; a refused request gets its decision and
 * no INVITE (sip: null), since none would ever be built.
 */
void api_dry_run(struct gw_api *api, struct web_http_req *req,
		 const struct web_req *wreq, const struct gw_spec *spec,
		 const struct gw_auth_key *key, const char *scope,
		 const struct gw_policy_verdict *v)
{
	struct pint_svc_item items[PINT_SVC_MAX_ITEMS];
	struct pint_svc_req sr;
	struct pint_ua_call_params p;
	char *sip = NULL, *body = NULL;
	size_t siplen = 0, len = 0;
	int err = 0;

	api->counters.dry_runs++;
	if (!api->d->sip) {
		api_reply_code(req, 503, "unavailable", "",
			       "the SIP side is not running");
		return;
	}
	if (!v->rule) {
		/* items to fetch appear as the inline parts they will be sent as */
		gw_spec_svc_preview(spec, items, &sr);
		memset(&p, 0, sizeof(p));
		p.req = &sr;
		p.gateway = spec->gateway;
		p.ring_timeout_ms = spec->ring_timeout_ms;
		p.track = spec->track;
		err = gw_sip_preview(api->d->sip, &p, &sip, &siplen);
	}
	if (err == ENOENT) {
		api_reply_code(req, 422, "no_gateway", "gateway",
			       "gateway: no configured gateway can take it");
		goto out;
	}
	if (err == EMSGSIZE) {
		api_reply_code(req, 422, "too_large_for_sip", "content",
			       "content: the INVITE would exceed the SIP "
			       "message limit");
		goto out;
	}
	if (!err)
		err = dry_body(&body, &len, wreq, spec, key, scope, v, sip,
			       siplen, &api->d->conf->fetch);
	if (err) {
		log_warn("api: dry run: %s", strerror(err));
		api_reply_code(req, 503, "unavailable", "",
			       "the INVITE could not be built now");
		goto out;
	}
	web_http_reply(req, 200, WEB_HTTP_CT_JSON, body, len);
out:
	free(sip);
	free(body);
}
