/*
 * gateway/config_use.c — what the rest of the daemon does with a parsed
 * gw_conf: free it, look sections up, hand settings to pint/gwset and
 * pint/service, and tell a reload from a restart.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "gateway/config_int.h"

static void free_gateway(struct gw_conf_gateway *gw)
{
	size_t i;

	free(gw->name);
	free(gw->address);
	gw_conf_addr_clear(&gw->peer);
	free(gw->domain);
	free(gw->tsp);
	free(gw->username);
	free(gw->password);
	free(gw->register_aor);
	for (i = 0; i < gw->nallow_from; i++)
		free(gw->allow_from[i]);
	for (i = 0; i < gw->nspellings; i++)
		free(gw->spell_mem[i]);
}

/* Free conf and everything in it; NULL is fine. */
void gw_conf_free(struct gw_conf *conf)
{
	size_t i;

	if (!conf)
		return;
	free(conf->main.state_dir);
	free(conf->main.default_context);
	free(conf->main.requestor_email);
	gw_conf_addr_clear(&conf->http.listen);
	gw_conf_list_clear(&conf->http.cors_origins);
	gw_conf_list_clear(&conf->click.origins);
	for (i = 0; i < conf->sip.nlisten; i++)
		gw_conf_addr_clear(&conf->sip.listen[i]);
	free(conf->sip.contact_host);
	free(conf->sip.user);
	gw_conf_policy_clear(&conf->policy);
	for (i = 0; i < conf->ngateways; i++)
		free_gateway(&conf->gateways[i]);
	free(conf->gateways);
	for (i = 0; i < conf->nservices; i++) {
		free(conf->services[i].name);
		free(conf->services[i].uri_user);
	}
	free(conf->services);
	for (i = 0; i < conf->nkeys; i++) {
		struct gw_conf_key *k = &conf->keys[i];

		free(k->name);
		free(k->from);
		free(k->email);
		gw_conf_list_clear(&k->allow);
		gw_conf_list_clear(&k->deny);
		free(k->secret_env);
	}
	free(conf->keys);
	free(conf);
}

/* ---- lookup and hand-over ---------------------------------------------- */

/* The [gateway NAME] section called name, or NULL. */
const struct gw_conf_gateway *gw_conf_gateway(const struct gw_conf *conf,
					      const char *name)
{
	size_t i;

	for (i = 0; conf && name && i < conf->ngateways; i++) {
		if (strcmp(conf->gateways[i].name, name) == 0)
			return &conf->gateways[i];
	}
	return NULL;
}

/* The custom [service NAME] called name, or NULL (built-ins too). */
const struct gw_conf_service *gw_conf_service(const struct gw_conf *conf,
					      const char *name)
{
	size_t i;

	for (i = 0; conf && name && i < conf->nservices; i++) {
		if (strcmp(conf->services[i].name, name) == 0)
			return &conf->services[i];
	}
	return NULL;
}

/* The [key NAME] section called name, or NULL. */
const struct gw_conf_key *gw_conf_key(const struct gw_conf *conf,
				      const char *name)
{
	size_t i;

	for (i = 0; conf && name && i < conf->nkeys; i++) {
		if (strcmp(conf->keys[i].name, name) == 0)
			return &conf->keys[i];
	}
	return NULL;
}

/* GW_CONF_SCOPE_* of a scope name ("call"), 0 for anything else. */
unsigned gw_conf_scope_bit(const char *name)
{
	static const char *const names[] = {"call", "fax", "content", "read",
					    "cancel"};
	size_t i;

	for (i = 0; name && i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcmp(name, names[i]) == 0)
			return 1u << i;
	}
	return 0;
}

/*
 * A pint/gwset entry for gw, every string borrowed from gw (and from
 * peer_addr: the numeric address the daemon resolved the host to, or NULL
 * when the address in the file is numeric already). Times become ms.
 * 0, or EINVAL when gw names a host and peer_addr is NULL.
 */
int gw_conf_gwset(const struct gw_conf_gateway *gw, const char *peer_addr,
		  struct pint_gwset_conf *out)
{
	size_t i;

	if (!gw || !out)
		return EINVAL;
	if (!peer_addr) {
		if (!gw->peer.numeric)
			return EINVAL;
		peer_addr = gw->peer.host;
	}
	memset(out, 0, sizeof(*out));
	out->name = gw->name;
	out->peer.transport = gw->peer.transport;
	out->peer.addr = peer_addr;
	out->peer.port = gw->peer.port;
	out->domain = gw->domain;
	out->tsp = gw->tsp;
	for (i = 0; i < gw->nallow_from; i++)
		out->addrs[i] = gw->allow_from[i];
	out->naddrs = gw->nallow_from;
	out->priority = gw->priority;
	out->keepalive_ms = gw->keepalive * 1000u;
	out->down_after = gw->down_after;
	out->rest_max_ms = gw->rest_max * 1000u;
	out->rest_default_ms = gw->rest_default * 1000u;
	out->status_mode = gw->status;
	out->dialog_fallback = gw->dialog_fallback;
	out->subscribe_expires = gw->subscribe_expires;
	out->username = gw->username;
	out->password = gw->password;
	out->register_aor = gw->register_aor;
	out->register_expires = gw->register_expires;
	return 0;
}

/*
 * The pint/service definition of a custom service as sent to gw (whose
 * subtype spellings it borrows; gw may be NULL). For call, fax and
 * content start from pint_svc_builtin() and set the spellings alike.
 */
void gw_conf_svc_def(const struct gw_conf_service *svc,
		     const struct gw_conf_gateway *gw, struct pint_svc_def *out)
{
	out->name = svc->uri_user;
	out->proto = svc->proto;
	out->content = svc->content;
	out->a_party = svc->a_party;
	out->spellings = gw && gw->nspellings ? gw->spellings : NULL;
	out->nspellings = gw ? gw->nspellings : 0;
}

static bool str_differ(const char *a, const char *b)
{
	return (!a != !b) || (a && strcmp(a, b) != 0);
}

static bool addr_differ(const struct gw_conf_addr *a,
			const struct gw_conf_addr *b)
{
	return a->transport != b->transport || a->port != b->port ||
	       str_differ(a->host, b->host);
}

static bool webhooks_differ(const struct gw_conf_webhooks *a,
			    const struct gw_conf_webhooks *b)
{
	return a->attempts != b->attempts || a->base_delay != b->base_delay ||
	       a->max_delay != b->max_delay || a->timeout != b->timeout ||
	       a->max_inflight != b->max_inflight ||
	       a->allow_private.n != b->allow_private.n ||
	       memcmp(a->allow_private.v, b->allow_private.v,
		      a->allow_private.n * sizeof(a->allow_private.v[0]));
}

static bool fetch_differ(const struct gw_conf_fetch *a,
			 const struct gw_conf_fetch *b)
{
	return a->max_bytes != b->max_bytes || a->max_total != b->max_total ||
	       a->timeout != b->timeout ||
	       a->max_redirects != b->max_redirects ||
	       a->max_inflight != b->max_inflight ||
	       a->allow_private.n != b->allow_private.n ||
	       memcmp(a->allow_private.v, b->allow_private.v,
		      a->allow_private.n * sizeof(a->allow_private.v[0]));
}

/*
 * Whether going from old to cur changes a setting that a reload cannot
 * apply (sockets, store, timers fixed at start: docs/pintgw.conf.5,
 * RELOADING). *keyp (may be NULL) names the first one ("[sip] listen").
 */
bool gw_conf_needs_restart(const struct gw_conf *old,
			   const struct gw_conf *cur, const char **keyp)
{
	const struct gw_conf_http *oh = &old->http, *ch = &cur->http;
	const struct gw_conf_sip *os = &old->sip, *cs = &cur->sip;
	const char *key = NULL;
	size_t i;

#define DIFF(cond, name) do { if (!key && (cond)) key = (name); } while (0)
	DIFF(str_differ(old->main.state_dir, cur->main.state_dir),
	     "[pintgw] state_dir");
	DIFF(addr_differ(&oh->listen, &ch->listen), "[http] listen");
	DIFF(oh->max_body != ch->max_body, "[http] max_body");
	DIFF(oh->max_connections != ch->max_connections,
	     "[http] max_connections");
	DIFF(oh->per_ip_connections != ch->per_ip_connections,
	     "[http] per_ip_connections");
	DIFF(oh->connection_timeout != ch->connection_timeout,
	     "[http] connection_timeout");
	DIFF(os->nlisten != cs->nlisten, "[sip] listen");
	for (i = 0; i < os->nlisten && i < cs->nlisten; i++)
		DIFF(addr_differ(&os->listen[i], &cs->listen[i]),
		     "[sip] listen");
	DIFF(str_differ(os->contact_host, cs->contact_host),
	     "[sip] contact_host");
	DIFF(str_differ(os->user, cs->user), "[sip] user");
	DIFF(os->udp_buffer != cs->udp_buffer, "[sip] udp_buffer");
	DIFF(os->tcp_idle_timeout != cs->tcp_idle_timeout,
	     "[sip] tcp_idle_timeout");
	DIFF(os->max_message != cs->max_message, "[sip] max_message");
	DIFF(os->t1 != cs->t1, "[sip] t1");
	DIFF(os->t2 != cs->t2, "[sip] t2");
	DIFF(os->t4 != cs->t4, "[sip] t4");
	DIFF(old->store.synchronous != cur->store.synchronous,
	     "[store] synchronous");
	DIFF(old->store.busy_timeout != cur->store.busy_timeout,
	     "[store] busy_timeout");
	DIFF(old->store.commit_interval != cur->store.commit_interval,
	     "[store] commit_interval");
	DIFF(webhooks_differ(&old->webhooks, &cur->webhooks), "[webhooks]");
	DIFF(fetch_differ(&old->fetch, &cur->fetch), "[fetch]");
#undef DIFF
	if (keyp)
		*keyp = key;
	return key != NULL;
}
