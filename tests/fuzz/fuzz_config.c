/*
 * tests/fuzz/fuzz_config.c — gateway/config*.c: pintgw.conf text from
 * memory (gw_conf_parse_string).
 *
 * A failed parse must explain itself in printable "NAME:" messages. A
 * parse that succeeds must hold the invariants the daemon relies on
 * (every gateway a valid pint/gwset entry, names and hashes unique,
 * cross-key rules, [policy] and [click] values in range), and written
 * back as text (every key explicit, lists one item per line, [webhooks],
 * [fetch], [policy] and [click] included) must parse again to the same
 * configuration.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gateway/config.h"
#include "pint/gwset.h"
#include "pint/mbuf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NAME "f.conf"

static void check(bool ok)
{
	if (!ok)
		abort();
}

static bool str_eq(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static void check_errors(const struct gw_conf_errs *e)
{
	size_t i;

	check(e->total >= 1 && e->n >= 1 && e->n <= GW_CONF_MAX_ERRORS &&
	      e->n <= e->total);
	for (i = 0; i < e->n; i++) {
		const char *s;

		check(strncmp(e->msg[i], NAME ":", sizeof(NAME)) == 0);
		for (s = e->msg[i]; *s; s++)
			check(*s >= 0x20 && *s < 0x7f);
		check(i == 0 || e->line[i - 1] <= e->line[i]);
	}
}

static void check_invariants(const struct gw_conf *c)
{
	struct pint_gwset_conf gc[GW_CONF_MAX_GATEWAYS];
	size_t i, j, bad;
	const char *field;

	check(c->sip.nlisten >= 1 && c->sip.contact_host && c->sip.user);
	check(c->sip.t1 <= c->sip.t2);
	check(c->sip.ring_timeout <= c->sip.ring_timeout_max);
	check(c->http.per_ip_connections <= c->http.max_connections);
	check(c->http.listen.host && c->main.state_dir);

	check(c->ngateways <= GW_CONF_MAX_GATEWAYS);
	for (i = 0; i < c->ngateways; i++) {
		const struct gw_conf_gateway *gw = &c->gateways[i];

		check(gw->name && gw->address && gw->peer.host && gw->domain);
		check(gw->rest_default <= gw->rest_max);
		/* a host name stands in for the address it resolves to */
		check(gw_conf_gwset(gw, gw->peer.numeric ? NULL :
				    (gw->peer.ipv6 ? "2001:db8::1" : "192.0.2.1"),
				    &gc[i]) == 0);
	}
	/* all at once: valid entries and unique names */
	check(pint_gwset_check(gc, c->ngateways, &bad, &field) == 0);

	for (i = 0; i < c->nservices; i++) {
		const struct gw_conf_service *s = &c->services[i];

		check(s->name && s->uri_user);
		check(strcmp(s->name, "call") && strcmp(s->name, "fax") &&
		      strcmp(s->name, "content"));
		check(s->proto == PINT_SDP_PROTO_VOICE ||
		      s->proto == PINT_SDP_PROTO_FAX ||
		      s->proto == PINT_SDP_PROTO_PAGER);
		for (j = 0; j < i; j++)
			check(strcmp(s->name, c->services[j].name) != 0);
	}
	for (i = 0; i < c->nkeys; i++) {
		const struct gw_conf_key *k = &c->keys[i];

		check(k->name && k->scopes && !(k->scopes & ~GW_CONF_SCOPE_ALL));
		for (j = 0; j < i; j++) {
			check(strcmp(k->name, c->keys[j].name) != 0);
			check(memcmp(k->hash, c->keys[j].hash,
				     GW_CONF_HASH_LEN) != 0);
		}
	}

	/* [policy]: what gateway/policy.c takes for granted */
	check(c->policy.deny.n <= GW_CONF_MAX_POLICY_LIST &&
	      c->policy.allow.n <= GW_CONF_MAX_POLICY_LIST);
	check(c->policy.destination_cooldown <= 86400 &&
	      c->policy.destination_daily_cap <= 10000);
	check(!c->policy.quiet ||
	      (c->policy.quiet_start < 1440 && c->policy.quiet_end < 1440 &&
	       c->policy.quiet_start != c->policy.quiet_end));
	check(c->policy.ntz <= GW_CONF_MAX_TZ);
	for (i = 0; i < c->policy.ntz; i++) {
		const struct gw_conf_tz *z = &c->policy.tz[i];

		check(z->prefix[0] == '+' && z->offset >= -12 * 60 &&
		      z->offset <= 14 * 60);
		for (j = 0; j < i; j++)
			check(strcmp(z->prefix, c->policy.tz[j].prefix) != 0);
	}

	/* [click]: what gateway/api_click.c and the token checks rely on */
	check(c->click.rate_per_ip >= 0 && c->click.rate_per_ip <= 1000 &&
	      c->click.burst_per_ip >= 1 && c->click.max_ttl >= 60);
	for (i = 0; i < c->click.origins.n; i++)
		check(strcmp(c->click.origins.v[i], "*") != 0 ||
		      c->click.origins.n == 1);
}

/* ---- writing a configuration back -------------------------------------- */

static void put(struct pint_mbuf *mb, const char *key, const char *val)
{
	if (val)
		check(pint_mbuf_printf(mb, "%s=%s\n", key, val) == 0);
}

static void put_u(struct pint_mbuf *mb, const char *key, unsigned long v)
{
	check(pint_mbuf_printf(mb, "%s=%lu\n", key, v) == 0);
}

static void put_b(struct pint_mbuf *mb, const char *key, bool v)
{
	put(mb, key, v ? "yes" : "no");
}

static void put_addr(struct pint_mbuf *mb, const char *key,
		     const struct gw_conf_addr *a, bool sip)
{
	check(pint_mbuf_printf(mb, "%s=%s%s%s%s:%u\n", key,
			       !sip ? "" : a->transport == PINT_TSX_TCP ?
			       "tcp:" : "udp:", a->ipv6 ? "[" : "", a->host,
			       a->ipv6 ? "]" : "", a->port) == 0);
}

static void put_list(struct pint_mbuf *mb, const char *key,
		     const struct gw_conf_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		put(mb, key, l->v[i]);
}

/* An allow-list, one network per line (the lists add up). */
static void put_allow(struct pint_mbuf *mb, const char *key,
		      const struct web_urlsafe_allow *a)
{
	char ip[INET6_ADDRSTRLEN];
	size_t i;

	for (i = 0; i < a->n; i++) {
		check(inet_ntop(a->v[i].family, a->v[i].addr, ip,
				sizeof(ip)) != NULL);
		check(pint_mbuf_printf(mb, "%s=%s/%u\n", key, ip,
				       (unsigned)a->v[i].bits) == 0);
	}
}

static void write_gateway(struct pint_mbuf *mb, const struct gw_conf_gateway *g)
{
	static const char *const status[] = {"pint", "dialog", "none"};
	size_t i;

	check(pint_mbuf_printf(mb, "[gateway %s]\n", g->name) == 0);
	put(mb, "address", g->address);
	put(mb, "domain", g->domain);
	put(mb, "tsp", g->tsp);
	put_u(mb, "priority", g->priority);
	put_u(mb, "keepalive", g->keepalive);
	put_u(mb, "down_after", g->down_after);
	put_u(mb, "rest_max", g->rest_max);
	put_u(mb, "rest_default", g->rest_default);
	put(mb, "status", status[g->status]);
	put_b(mb, "dialog_fallback", g->dialog_fallback);
	put_u(mb, "subscribe_expires", g->subscribe_expires);
	put(mb, "username", g->username);
	put(mb, "password", g->password);
	put(mb, "register_aor", g->register_aor);
	put_u(mb, "register_expires", g->register_expires);
	for (i = 0; i < g->nallow_from; i++)
		put(mb, "allow_from", g->allow_from[i]);
	for (i = 0; i < g->nspellings; i++)
		check(pint_mbuf_printf(mb, "subtype.%s=%s\n",
				       g->spellings[i].type,
				       g->spellings[i].subtype) == 0);
}

static void write_key(struct pint_mbuf *mb, const struct gw_conf_key *k)
{
	static const char *const scopes[] = {"call", "fax", "content", "read",
					     "cancel"};
	size_t i;

	check(pint_mbuf_printf(mb, "[key %s]\nhash=sha256:", k->name) == 0);
	for (i = 0; i < GW_CONF_HASH_LEN; i++)
		check(pint_mbuf_printf(mb, "%02x", k->hash[i]) == 0);
	check(pint_mbuf_puts(mb, "\nscopes=") == 0);
	for (i = 0; i < 5; i++) {
		if (k->scopes & (1u << i))
			check(pint_mbuf_printf(mb, " %s", scopes[i]) == 0);
	}
	check(pint_mbuf_puts(mb, "\n") == 0);
	put_u(mb, "rate", k->rate);
	put_u(mb, "burst", k->burst);
	put_u(mb, "concurrency", k->concurrency);
	put(mb, "from", k->from);
	put(mb, "email", k->email);
	put_list(mb, "allow", &k->allow);
	put_list(mb, "deny", &k->deny);
	put(mb, "secret_env", k->secret_env);
}

static void write_policy(struct pint_mbuf *mb, const struct gw_conf_policy *p)
{
	size_t i;
	int32_t a;

	check(pint_mbuf_puts(mb, "[policy]\n") == 0);
	put_b(mb, "default_deny", p->default_deny);
	put_list(mb, "deny", &p->deny);
	put_list(mb, "allow", &p->allow);
	put_u(mb, "destination_cooldown", p->destination_cooldown);
	put_u(mb, "destination_daily_cap", p->destination_daily_cap);
	if (p->quiet)
		check(pint_mbuf_printf(mb, "quiet_hours=%02u:%02u-%02u:%02u\n",
				       p->quiet_start / 60u,
				       p->quiet_start % 60u,
				       p->quiet_end / 60u,
				       p->quiet_end % 60u) == 0);
	else
		put(mb, "quiet_hours", "off");
	for (i = 0; i < p->ntz; i++) {
		a = p->tz[i].offset < 0 ? -p->tz[i].offset : p->tz[i].offset;
		check(pint_mbuf_printf(mb, "tz=%s:%c%d:%02d\n",
				       p->tz[i].prefix,
				       p->tz[i].offset < 0 ? '-' : '+',
				       (int)(a / 60), (int)(a % 60)) == 0);
	}
}

static void write_conf(struct pint_mbuf *mb, const struct gw_conf *c)
{
	static const char *const levels[] = {"err", "warn", "info", "debug"};
	static const char *const protos[] = {"?", "voice", "fax", "pager"};
	static const char *const contents[] = {"none", "required", "optional"};
	size_t i;

	put(mb, "[pintgw]\nstate_dir", c->main.state_dir);
	put(mb, "log_level", levels[c->main.log_level]);
	put_b(mb, "log_timestamps", c->main.log_timestamps);
	put_b(mb, "mask_numbers", c->main.mask_numbers);
	put(mb, "default_context", c->main.default_context);
	put(mb, "requestor_email", c->main.requestor_email);
	put_u(mb, "drain_grace", c->main.drain_grace);
	put_u(mb, "max_pending", c->main.max_pending);

	put_addr(mb, "[http]\nlisten", &c->http.listen, false);
	put_u(mb, "max_body", c->http.max_body);
	put_u(mb, "max_connections", c->http.max_connections);
	put_u(mb, "per_ip_connections", c->http.per_ip_connections);
	put_u(mb, "connection_timeout", c->http.connection_timeout);
	put_list(mb, "cors_origins", &c->http.cors_origins);
	put_u(mb, "sse_heartbeat", c->http.sse_heartbeat);

	check(pint_mbuf_puts(mb, "[sip]\n") == 0);
	for (i = 0; i < c->sip.nlisten; i++)
		put_addr(mb, "listen", &c->sip.listen[i], true);
	put(mb, "contact_host", c->sip.contact_host);
	put(mb, "user", c->sip.user);
	put_u(mb, "udp_buffer", c->sip.udp_buffer);
	put_u(mb, "tcp_idle_timeout", c->sip.tcp_idle_timeout);
	put_u(mb, "max_message", c->sip.max_message);
	put_u(mb, "t1", c->sip.t1);
	put_u(mb, "t2", c->sip.t2);
	put_u(mb, "t4", c->sip.t4);
	put_u(mb, "ring_timeout", c->sip.ring_timeout);
	put_u(mb, "ring_timeout_max", c->sip.ring_timeout_max);
	put_u(mb, "max_redirects", c->sip.max_redirects);

	put(mb, "[store]\nsynchronous",
	    c->store.synchronous == GW_STORE_SYNC_FULL ? "full" : "normal");
	put_u(mb, "busy_timeout", c->store.busy_timeout);
	write_policy(mb, &c->policy);

	put_u(mb, "[webhooks]\nattempts", c->webhooks.attempts);
	put_u(mb, "base_delay", c->webhooks.base_delay);
	put_u(mb, "max_delay", c->webhooks.max_delay);
	put_u(mb, "timeout", c->webhooks.timeout);
	put_u(mb, "max_inflight", c->webhooks.max_inflight);
	put_allow(mb, "allow_private", &c->webhooks.allow_private);

	put_u(mb, "[fetch]\nmax_bytes", c->fetch.max_bytes);
	put_u(mb, "max_total", c->fetch.max_total);
	put_u(mb, "timeout", c->fetch.timeout);
	put_u(mb, "max_redirects", c->fetch.max_redirects);
	put_u(mb, "max_inflight", c->fetch.max_inflight);
	put_allow(mb, "allow_private", &c->fetch.allow_private);

	/* 3 decimals at most are taken: "%.3f" is the value exactly */
	check(pint_mbuf_printf(mb, "[click]\nrate_per_ip=%.3f\n",
			       c->click.rate_per_ip) == 0);
	put_u(mb, "burst_per_ip", c->click.burst_per_ip);
	put_u(mb, "max_ttl", c->click.max_ttl);
	put_list(mb, "origins", &c->click.origins);

	for (i = 0; i < c->ngateways; i++)
		write_gateway(mb, &c->gateways[i]);
	for (i = 0; i < c->nservices; i++) {
		const struct gw_conf_service *s = &c->services[i];

		check(pint_mbuf_printf(mb, "[service %s]\n", s->name) == 0);
		put(mb, "uri_user", s->uri_user);
		put(mb, "proto", protos[s->proto]);
		put(mb, "content", contents[s->content]);
		put_b(mb, "a_party", s->a_party);
	}
	for (i = 0; i < c->nkeys; i++)
		write_key(mb, &c->keys[i]);
}

/* ---- comparing two ----------------------------------------------------- */

static bool addr_eq(const struct gw_conf_addr *a, const struct gw_conf_addr *b)
{
	return a->transport == b->transport && a->port == b->port &&
	       a->ipv6 == b->ipv6 && a->numeric == b->numeric &&
	       str_eq(a->host, b->host);
}

static bool list_eq(const struct gw_conf_list *a, const struct gw_conf_list *b)
{
	size_t i;

	if (a->n != b->n)
		return false;
	for (i = 0; i < a->n; i++) {
		if (strcmp(a->v[i], b->v[i]) != 0)
			return false;
	}
	return true;
}

static bool allow_eq(const struct web_urlsafe_allow *a,
		     const struct web_urlsafe_allow *b)
{
	return a->n == b->n &&
	       memcmp(a->v, b->v, a->n * sizeof(a->v[0])) == 0;
}

static void compare_gateway(const struct gw_conf_gateway *a,
			    const struct gw_conf_gateway *b)
{
	size_t i;

	check(str_eq(a->name, b->name) && str_eq(a->address, b->address) &&
	      addr_eq(&a->peer, &b->peer) && str_eq(a->domain, b->domain) &&
	      str_eq(a->tsp, b->tsp) && a->priority == b->priority &&
	      a->keepalive == b->keepalive && a->down_after == b->down_after &&
	      a->rest_max == b->rest_max &&
	      a->rest_default == b->rest_default && a->status == b->status &&
	      a->dialog_fallback == b->dialog_fallback &&
	      a->subscribe_expires == b->subscribe_expires &&
	      str_eq(a->username, b->username) &&
	      str_eq(a->password, b->password) &&
	      str_eq(a->register_aor, b->register_aor) &&
	      a->register_expires == b->register_expires &&
	      a->nallow_from == b->nallow_from &&
	      a->nspellings == b->nspellings);
	for (i = 0; i < a->nallow_from; i++)
		check(str_eq(a->allow_from[i], b->allow_from[i]));
	for (i = 0; i < a->nspellings; i++)
		check(str_eq(a->spellings[i].type, b->spellings[i].type) &&
		      str_eq(a->spellings[i].subtype, b->spellings[i].subtype));
}

static void compare_policy(const struct gw_conf_policy *a,
			   const struct gw_conf_policy *b)
{
	size_t i;

	check(a->default_deny == b->default_deny &&
	      list_eq(&a->deny, &b->deny) && list_eq(&a->allow, &b->allow) &&
	      a->destination_cooldown == b->destination_cooldown &&
	      a->destination_daily_cap == b->destination_daily_cap &&
	      a->quiet == b->quiet && a->ntz == b->ntz);
	check(!a->quiet || (a->quiet_start == b->quiet_start &&
			    a->quiet_end == b->quiet_end));
	for (i = 0; i < a->ntz; i++)
		check(!strcmp(a->tz[i].prefix, b->tz[i].prefix) &&
		      a->tz[i].offset == b->tz[i].offset);
}

static void compare(const struct gw_conf *a, const struct gw_conf *b)
{
	size_t i;

	check(str_eq(a->main.state_dir, b->main.state_dir) &&
	      a->main.log_level == b->main.log_level &&
	      a->main.log_timestamps == b->main.log_timestamps &&
	      a->main.mask_numbers == b->main.mask_numbers &&
	      str_eq(a->main.default_context, b->main.default_context) &&
	      str_eq(a->main.requestor_email, b->main.requestor_email) &&
	      a->main.drain_grace == b->main.drain_grace &&
	      a->main.max_pending == b->main.max_pending);
	check(addr_eq(&a->http.listen, &b->http.listen) &&
	      a->http.max_body == b->http.max_body &&
	      a->http.max_connections == b->http.max_connections &&
	      a->http.per_ip_connections == b->http.per_ip_connections &&
	      a->http.connection_timeout == b->http.connection_timeout &&
	      list_eq(&a->http.cors_origins, &b->http.cors_origins) &&
	      a->http.sse_heartbeat == b->http.sse_heartbeat);
	check(a->sip.nlisten == b->sip.nlisten);
	for (i = 0; i < a->sip.nlisten; i++)
		check(addr_eq(&a->sip.listen[i], &b->sip.listen[i]));
	check(str_eq(a->sip.contact_host, b->sip.contact_host) &&
	      a->sip.contact_ipv6 == b->sip.contact_ipv6 &&
	      str_eq(a->sip.user, b->sip.user) &&
	      a->sip.udp_buffer == b->sip.udp_buffer &&
	      a->sip.tcp_idle_timeout == b->sip.tcp_idle_timeout &&
	      a->sip.max_message == b->sip.max_message &&
	      a->sip.t1 == b->sip.t1 && a->sip.t2 == b->sip.t2 &&
	      a->sip.t4 == b->sip.t4 &&
	      a->sip.ring_timeout == b->sip.ring_timeout &&
	      a->sip.ring_timeout_max == b->sip.ring_timeout_max &&
	      a->sip.max_redirects == b->sip.max_redirects);
	check(a->store.synchronous == b->store.synchronous &&
	      a->store.busy_timeout == b->store.busy_timeout);
	check(a->webhooks.attempts == b->webhooks.attempts &&
	      a->webhooks.base_delay == b->webhooks.base_delay &&
	      a->webhooks.max_delay == b->webhooks.max_delay &&
	      a->webhooks.timeout == b->webhooks.timeout &&
	      a->webhooks.max_inflight == b->webhooks.max_inflight &&
	      allow_eq(&a->webhooks.allow_private, &b->webhooks.allow_private));
	check(a->fetch.max_bytes == b->fetch.max_bytes &&
	      a->fetch.max_total == b->fetch.max_total &&
	      a->fetch.timeout == b->fetch.timeout &&
	      a->fetch.max_redirects == b->fetch.max_redirects &&
	      a->fetch.max_inflight == b->fetch.max_inflight &&
	      allow_eq(&a->fetch.allow_private, &b->fetch.allow_private));
	compare_policy(&a->policy, &b->policy);
	check(a->click.rate_per_ip == b->click.rate_per_ip &&
	      a->click.burst_per_ip == b->click.burst_per_ip &&
	      a->click.max_ttl == b->click.max_ttl &&
	      list_eq(&a->click.origins, &b->click.origins));
	check(a->ngateways == b->ngateways && a->nservices == b->nservices &&
	      a->nkeys == b->nkeys);
	for (i = 0; i < a->ngateways; i++)
		compare_gateway(&a->gateways[i], &b->gateways[i]);
	for (i = 0; i < a->nservices; i++) {
		const struct gw_conf_service *x = &a->services[i];
		const struct gw_conf_service *y = &b->services[i];

		check(str_eq(x->name, y->name) &&
		      str_eq(x->uri_user, y->uri_user) &&
		      x->proto == y->proto && x->content == y->content &&
		      x->a_party == y->a_party);
	}
	for (i = 0; i < a->nkeys; i++) {
		const struct gw_conf_key *x = &a->keys[i], *y = &b->keys[i];

		check(str_eq(x->name, y->name) &&
		      memcmp(x->hash, y->hash, GW_CONF_HASH_LEN) == 0 &&
		      x->scopes == y->scopes && x->rate == y->rate &&
		      x->burst == y->burst &&
		      x->concurrency == y->concurrency &&
		      str_eq(x->from, y->from) && str_eq(x->email, y->email) &&
		      list_eq(&x->allow, &y->allow) &&
		      list_eq(&x->deny, &y->deny) &&
		      str_eq(x->secret_env, y->secret_env));
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gw_conf *conf = NULL, *again = NULL;
	struct gw_conf_errs errs;
	struct pint_mbuf mb;
	int err;

	err = gw_conf_parse_string(&conf, (const char *)data, size, NAME, &errs);
	if (err) {
		check(err == EINVAL && !conf);
		check_errors(&errs);
		return 0;
	}
	check(errs.total == 0);
	check_invariants(conf);

	pint_mbuf_init(&mb, 8u * GW_CONF_MAX_FILE);
	write_conf(&mb, conf);
	err = gw_conf_parse_string(&again, mb.buf, mb.len, NAME, &errs);
	if (err) {
		fprintf(stderr, "written back:\n%s\nfirst error: %s\n", mb.buf,
			errs.n ? errs.msg[0] : "-");
		abort();
	}
	compare(conf, again);
	check(!gw_conf_needs_restart(conf, again, NULL));
	pint_mbuf_reset(&mb);
	gw_conf_free(again);
	gw_conf_free(conf);
	return 0;
}
