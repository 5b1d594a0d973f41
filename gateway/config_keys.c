/*
 * gateway/config_keys.c — the keys of [pintgw], [http], [sip], [store],
 * [webhooks], [fetch] and [click]: their tables (name, kind, range, unit,
 * flags), the setters for values that are more than a number or a
 * boolean, the shared setter helpers and all defaults. [policy] is in
 * gateway/config_policy.c, gateway/config_named.c has the named
 * sections. Keep both,
 * etc/pintgw.conf and docs/pintgw.conf.5 in step.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "gateway/config_int.h"
#include "gateway/transport.h"
#include "pint/pl.h"
#include "pint/tel.h"
#include "web/fetch.h"
#include "web/webhook.h"

_Static_assert(GW_CONF_MAX_LISTEN == GW_TP_MAX_LISTENERS, "one per socket");

/* Copy s, NUL-terminated, into *dstp: 0 or ENOMEM. */
int gw_conf_strdup(char **dstp, const char *s)
{
	size_t len = strlen(s);
	char *d = malloc(len + 1);

	if (!d)
		return ENOMEM;
	memcpy(d, s, len + 1);
	*dstp = d;
	return 0;
}

/* Replace the string at kd->off with a copy of val. */
int gw_conf_put_str(void *obj, const struct gw_conf_keydef *kd,
		    const char *val)
{
	char **dst = GW_CONF_FIELD(obj, kd, char *);
	char *s;
	int err = gw_conf_strdup(&s, val);

	if (err)
		return err;
	free(*dst);
	*dst = s;
	return 0;
}

/* Free what an address owns. */
void gw_conf_addr_clear(struct gw_conf_addr *a)
{
	free(a->host);
	a->host = NULL;
}

/* Free a list's strings and array; it is empty again. */
void gw_conf_list_clear(struct gw_conf_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

/* Append a copy of (p, len): 0 or ENOMEM (the list is unchanged). */
int gw_conf_list_add(struct gw_conf_list *l, const char *p, size_t len)
{
	char **v, *s;

	v = realloc(l->v, (l->n + 1) * sizeof(*v));
	if (!v)
		return ENOMEM;
	l->v = v;
	s = malloc(len + 1);
	if (!s)
		return ENOMEM;
	memcpy(s, p, len);
	s[len] = '\0';
	l->v[l->n++] = s;
	return 0;
}

/*
 * Call fn for every blank-separated item of val; every bad item is
 * reported, not only the first. An empty list is an error of its own.
 * 0, EINVAL or ENOMEM.
 */
int gw_conf_each_item(struct gw_conf_parse *ps, void *obj,
		      const struct gw_conf_keydef *kd, const char *val,
		      const char *expected, gw_conf_item_h *fn)
{
	char item[GW_CONF_MAX_STR + 1];
	const char *p = val;
	int err = 0, e;

	if (!*val)
		return gw_conf_bad(ps, kd->name, val, expected);
	while (*p) {
		size_t len;

		p += strspn(p, " \t");
		len = strcspn(p, " \t");
		if (!len)
			break;
		if (len > GW_CONF_MAX_STR)
			len = GW_CONF_MAX_STR;
		memcpy(item, p, len);
		item[len] = '\0';
		p += strcspn(p, " \t");
		e = fn(ps, obj, kd, item, expected);
		if (e == ENOMEM)
			return e;
		err = err ? err : e;
	}
	return err;
}

/* ---- [pintgw] ---------------------------------------------------------- */

static int set_path(struct gw_conf_parse *ps, void *obj,
		    const struct gw_conf_keydef *kd, const char *val)
{
	if (val[0] != '/' || !gw_conf_valid_text(val, GW_CONF_MAX_STR, false))
		return gw_conf_bad(ps, kd->name, val, "an absolute path");
	return gw_conf_put_str(obj, kd, val);
}

static int set_log_level(struct gw_conf_parse *ps, void *obj,
			 const struct gw_conf_keydef *kd, const char *val)
{
	struct gw_conf_main *m = obj;

	if (log_level_parse(val, &m->log_level))
		return gw_conf_bad(ps, kd->name, val,
				   "err, warn, info or debug");
	return 0;
}

static int set_context(struct gw_conf_parse *ps, void *obj,
		       const struct gw_conf_keydef *kd, const char *val)
{
	size_t len = strnlen(val, PINT_TEL_MAX_CONTEXT + 1);

	if (len > PINT_TEL_MAX_CONTEXT || pint_tel_check_context(val, len))
		return gw_conf_bad(ps, kd->name, val,
				   "a phone context: +CC digits, digits or an X- name");
	return gw_conf_put_str(obj, kd, val);
}

/* An SDP e= value: requestor_email here, email in [key NAME]. */
int gw_conf_set_email(struct gw_conf_parse *ps, void *obj,
		      const struct gw_conf_keydef *kd, const char *val)
{
	if (!strchr(val, '@') ||
	    !gw_conf_valid_text(val, PINT_SVC_MAX_TEXT - 1, false))
		return gw_conf_bad(ps, kd->name, val,
				   "an e-mail address (ops@example.com)");
	return gw_conf_put_str(obj, kd, val);
}

/* ---- [http] ------------------------------------------------------------ */

static int set_http_listen(struct gw_conf_parse *ps, void *obj,
			   const struct gw_conf_keydef *kd, const char *val)
{
	struct gw_conf_http *h = obj;
	struct gw_conf_addr a;
	int err;

	err = gw_conf_parse_addr(val, GW_ADDR_NUMERIC | GW_ADDR_NEED_PORT |
				 GW_ADDR_PORT_ZERO, &a);
	if (err == EINVAL)
		return gw_conf_bad(ps, kd->name, val,
				   "HOST:PORT with a numeric host (127.0.0.1:8080, [::1]:8080)");
	if (err)
		return err;
	gw_conf_addr_clear(&h->listen);
	h->listen = a;
	return 0;
}

static int add_origin(struct gw_conf_parse *ps, void *obj,
		      const struct gw_conf_keydef *kd, const char *item,
		      const char *expected)
{
	struct gw_conf_list *l = GW_CONF_FIELD(obj, kd, struct gw_conf_list);
	bool star = strcmp(item, "*") == 0;

	if (!gw_conf_valid_origin(item))
		return gw_conf_bad(ps, kd->name, item, expected);
	if (l->n && (star || strcmp(l->v[0], "*") == 0)) {
		gw_conf_error(ps, ps->line, "%s: '*' must be the only origin",
			      kd->name);
		return EINVAL;
	}
	if (l->n >= GW_CONF_MAX_LIST) {
		gw_conf_error(ps, ps->line, "%s: more than %u origins",
			      kd->name, GW_CONF_MAX_LIST);
		return EINVAL;
	}
	return gw_conf_list_add(l, item, strlen(item));
}

static int set_origins(struct gw_conf_parse *ps, void *obj,
		       const struct gw_conf_keydef *kd, const char *val)
{
	return gw_conf_each_item(ps, obj, kd, val,
				 "origins like https://example.com[:port], or *",
				 add_origin);
}

/* ---- [sip] ------------------------------------------------------------- */

static int add_listen(struct gw_conf_parse *ps, void *obj,
		      const struct gw_conf_keydef *kd, const char *item,
		      const char *expected)
{
	struct gw_conf_sip *s = obj;
	struct gw_conf_addr a;
	size_t i;
	int err;

	err = gw_conf_parse_addr(item, GW_ADDR_SIP | GW_ADDR_NUMERIC |
				 GW_ADDR_PORT_ZERO, &a);
	if (err == EINVAL)
		return gw_conf_bad(ps, kd->name, item, expected);
	if (err)
		return err;
	for (i = 0; i < s->nlisten; i++) {
		const struct gw_conf_addr *o = &s->listen[i];

		if (o->transport == a.transport && o->port == a.port &&
		    o->port != 0 && strcmp(o->host, a.host) == 0) {
			gw_conf_error(ps, ps->line, "%s: '%s' is listed twice",
				      kd->name, item);
			err = EINVAL;
		}
	}
	if (!err && s->nlisten >= GW_CONF_MAX_LISTEN) {
		gw_conf_error(ps, ps->line, "%s: more than %u addresses",
			      kd->name, GW_CONF_MAX_LISTEN);
		err = EINVAL;
	}
	if (err) {
		gw_conf_addr_clear(&a);
		return err;
	}
	s->listen[s->nlisten++] = a;
	return 0;
}

static int set_sip_listen(struct gw_conf_parse *ps, void *obj,
			  const struct gw_conf_keydef *kd, const char *val)
{
	struct gw_conf_sip *s = obj;
	size_t i;

	if (!ps->sip_listen_set) {
		/* the first listen line replaces the default list */
		for (i = 0; i < s->nlisten; i++)
			gw_conf_addr_clear(&s->listen[i]);
		s->nlisten = 0;
		ps->sip_listen_set = true;
		ps->listen_line = ps->line;
	}
	return gw_conf_each_item(ps, obj, kd, val,
				 "udp:HOST[:PORT] or tcp:HOST[:PORT] with a numeric host (udp:0.0.0.0:5060, tcp:[::]:5060)",
				 add_listen);
}

static int set_contact_host(struct gw_conf_parse *ps, void *obj,
			    const struct gw_conf_keydef *kd, const char *val)
{
	struct gw_conf_sip *s = obj;
	size_t len = strnlen(val, GW_CONF_MAX_STR + 1);
	const char *host = val;
	bool v6 = false;
	char *copy;

	ps->contact_seen = true;
	if (len >= 2 && val[0] == '[' && val[len - 1] == ']') {
		host++;
		len -= 2;
		if (!gw_conf_ip_literal(host, len, &v6) || !v6)
			len = 0;
	} else if (!gw_conf_ip_literal(host, len, &v6) &&
		   !gw_conf_valid_hostname(host, len)) {
		len = 0;
	}
	if (len == 0 || len > GW_CONF_MAX_STR)
		return gw_conf_bad(ps, kd->name, val,
				   "a host name or IP address, without port");
	copy = malloc(len + 1);
	if (!copy)
		return ENOMEM;
	memcpy(copy, host, len);
	copy[len] = '\0';
	free(s->contact_host);
	s->contact_host = copy;
	s->contact_ipv6 = v6;
	return 0;
}

static int set_sip_user(struct gw_conf_parse *ps, void *obj,
			const struct gw_conf_keydef *kd, const char *val)
{
	size_t i;

	for (i = 0; val[i]; i++) {
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			    "0123456789-_.~+", val[i]))
			break;
	}
	if (i == 0 || val[i] || i > GW_CONF_MAX_NAME)
		return gw_conf_bad(ps, kd->name, val,
				   "1 to 64 letters, digits or -_.~+");
	return gw_conf_put_str(obj, kd, val);
}

/* ---- [store] ----------------------------------------------------------- */

static int set_sync(struct gw_conf_parse *ps, void *obj,
		    const struct gw_conf_keydef *kd, const char *val)
{
	struct gw_conf_store *s = obj;

	if (strcasecmp(val, "normal") == 0)
		s->synchronous = GW_STORE_SYNC_NORMAL;
	else if (strcasecmp(val, "full") == 0)
		s->synchronous = GW_STORE_SYNC_FULL;
	else
		return gw_conf_bad(ps, kd->name, val, "normal or full");
	return 0;
}

/* ---- [webhooks] -------------------------------------------------------- */

/* CIDRs, several per line and the key repeatable: the lists add up.
 * [webhooks] and [fetch] allow_private. */
static int set_allow_private(struct gw_conf_parse *ps, void *obj,
			     const struct gw_conf_keydef *kd, const char *val)
{
	struct web_urlsafe_allow *allow =
		GW_CONF_FIELD(obj, kd, struct web_urlsafe_allow);
	const char *why = NULL;
	char expected[128];

	if (!web_urlsafe_allow_parse(allow, val, strlen(val), &why) && *val)
		return 0;
	snprintf(expected, sizeof(expected),
		 "networks such as 10.0.0.0/8 or fd00::/8 (at most %u)%s%s",
		 WEB_URLSAFE_ALLOW_MAX, why ? ": " : "", why ? why : "");
	return gw_conf_bad(ps, kd->name, val, expected);
}

/* ---- [click] ----------------------------------------------------------- */

/* A rate: digits, optionally '.' and up to 3 more; 0 to 1000. */
static int set_rate(struct gw_conf_parse *ps, void *obj,
		    const struct gw_conf_keydef *kd, const char *val)
{
	double *dst = GW_CONF_FIELD(obj, kd, double);
	unsigned long whole = 0, frac = 0, scale = 1;
	size_t i = 0;

	for (; val[i] >= '0' && val[i] <= '9' && i < 4; i++)
		whole = whole * 10 + (unsigned long)(val[i] - '0');
	if (i && val[i] == '.' && val[i + 1]) {
		for (i++; val[i] >= '0' && val[i] <= '9' && scale < 1000; i++) {
			frac = frac * 10 + (unsigned long)(val[i] - '0');
			scale *= 10;
		}
	}
	if (!i || val[i] || whole > 1000 || (whole == 1000 && frac))
		return gw_conf_bad(ps, kd->name, val,
				   "a number of clicks per second from 0 to "
				   "1000, at most 3 decimals (0.2)");
	*dst = (double)whole + (double)frac / (double)scale;
	return 0;
}

/* ---- the tables -------------------------------------------------------- */


static const struct gw_conf_keydef main_keys[] = {
	GW_KEY_FN("state_dir", struct gw_conf_main, state_dir, set_path, 0),
	GW_KEY_FN("log_level", struct gw_conf_main, log_level, set_log_level, 0),
	GW_KEY_BOOL(struct gw_conf_main, log_timestamps),
	GW_KEY_BOOL(struct gw_conf_main, mask_numbers),
	GW_KEY_FN("default_context", struct gw_conf_main, default_context,
	   set_context, 0),
	GW_KEY_FN("requestor_email", struct gw_conf_main, requestor_email,
	   gw_conf_set_email, 0),
	GW_KEY_U32(struct gw_conf_main, drain_grace, 0, 3600, "seconds"),
	GW_KEY_U32(struct gw_conf_main, max_pending, 1, 10000000, NULL),
};

static const struct gw_conf_keydef http_keys[] = {
	GW_KEY_FN("listen", struct gw_conf_http, listen, set_http_listen, 0),
	GW_KEY_U32(struct gw_conf_http, max_body, 1024, 64u << 20, "bytes"),
	GW_KEY_U32(struct gw_conf_http, max_connections, 1, 1000000, NULL),
	GW_KEY_U32(struct gw_conf_http, per_ip_connections, 1, 1000000, NULL),
	GW_KEY_U32(struct gw_conf_http, connection_timeout, 1, 3600, "seconds"),
	GW_KEY_FN("cors_origins", struct gw_conf_http, cors_origins, set_origins,
	   GW_KD_REPEAT),
	GW_KEY_U32(struct gw_conf_http, sse_heartbeat, 1, 3600, "seconds"),
};

static const struct gw_conf_keydef sip_keys[] = {
	GW_KEY_FN("listen", struct gw_conf_sip, listen, set_sip_listen, GW_KD_REPEAT),
	GW_KEY_FN("contact_host", struct gw_conf_sip, contact_host, set_contact_host,
	   0),
	GW_KEY_FN("user", struct gw_conf_sip, user, set_sip_user, 0),
	GW_KEY_U32(struct gw_conf_sip, udp_buffer, 65536, 256u << 20, "bytes"),
	GW_KEY_U32(struct gw_conf_sip, tcp_idle_timeout, 1, 86400, "seconds"),
	GW_KEY_U32(struct gw_conf_sip, max_message, GW_TP_MIN_MAX_MSG,
	    PINT_SIP_MAX_MSG, "bytes"),
	GW_KEY_U32(struct gw_conf_sip, t1, 50, 10000, "ms"),
	GW_KEY_U32(struct gw_conf_sip, t2, 100, 60000, "ms"),
	GW_KEY_U32(struct gw_conf_sip, t4, 100, 60000, "ms"),
	GW_KEY_U32(struct gw_conf_sip, ring_timeout, 1, 3600, "seconds"),
	GW_KEY_U32(struct gw_conf_sip, ring_timeout_max, 1, 3600, "seconds"),
	GW_KEY_U32(struct gw_conf_sip, max_redirects, 0, 10, NULL),
};

static const struct gw_conf_keydef store_keys[] = {
	GW_KEY_FN("synchronous", struct gw_conf_store, synchronous, set_sync, 0),
	GW_KEY_U32(struct gw_conf_store, busy_timeout, 1, 600000, "ms"),
	GW_KEY_U32(struct gw_conf_store, commit_interval, 0, 100, "ms"),
};

static const struct gw_conf_keydef webhooks_keys[] = {
	GW_KEY_U32(struct gw_conf_webhooks, attempts, 1, WEB_WEBHOOK_ATTEMPTS_MAX,
	    NULL),
	GW_KEY_U32(struct gw_conf_webhooks, base_delay, 1, 86400, "seconds"),
	GW_KEY_U32(struct gw_conf_webhooks, max_delay, 1, 7 * 86400, "seconds"),
	GW_KEY_U32(struct gw_conf_webhooks, timeout, 1, 300, "seconds"),
	GW_KEY_U32(struct gw_conf_webhooks, max_inflight, 1, 10000, NULL),
	GW_KEY_FN("allow_private", struct gw_conf_webhooks, allow_private,
	   set_allow_private, GW_KD_REPEAT),
};

static const struct gw_conf_keydef fetch_keys[] = {
	GW_KEY_U32(struct gw_conf_fetch, max_bytes, 1, PINT_SIP_MAX_MSG, "bytes"),
	GW_KEY_U32(struct gw_conf_fetch, max_total, 1, PINT_SIP_MAX_MSG, "bytes"),
	GW_KEY_U32(struct gw_conf_fetch, timeout, 1, 300, "seconds"),
	GW_KEY_U32(struct gw_conf_fetch, max_redirects, 0, WEB_FETCH_REDIRS_MAX,
	    NULL),
	GW_KEY_U32(struct gw_conf_fetch, max_inflight, 1, 10000, NULL),
	GW_KEY_FN("allow_private", struct gw_conf_fetch, allow_private,
	   set_allow_private, GW_KD_REPEAT),
};

static const struct gw_conf_keydef click_keys[] = {
	GW_KEY_FN("rate_per_ip", struct gw_conf_click, rate_per_ip, set_rate, 0),
	GW_KEY_U32(struct gw_conf_click, burst_per_ip, 1, 1000000, NULL),
	GW_KEY_U32(struct gw_conf_click, max_ttl, 60, 366u * 86400u, "seconds"),
	GW_KEY_FN("origins", struct gw_conf_click, origins, set_origins,
	   GW_KD_REPEAT),
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

_Static_assert(N(sip_keys) <= GW_CONF_SECT_KEYS, "seen[] too small");

/* The key table of a section kind; NULL for none. */
const struct gw_conf_keydef *gw_conf_keydefs(enum gw_conf_sect sect,
					     size_t *np)
{
	static const struct {
		const struct gw_conf_keydef *keys;
		size_t n;
	} tables[] = {
		[GW_SECT_MAIN] = {main_keys, N(main_keys)},
		[GW_SECT_HTTP] = {http_keys, N(http_keys)},
		[GW_SECT_SIP] = {sip_keys, N(sip_keys)},
		[GW_SECT_STORE] = {store_keys, N(store_keys)},
		[GW_SECT_WEBHOOKS] = {webhooks_keys, N(webhooks_keys)},
		[GW_SECT_FETCH] = {fetch_keys, N(fetch_keys)},
		[GW_SECT_CLICK] = {click_keys, N(click_keys)},
	};

	if (sect == GW_SECT_POLICY) {
		*np = gw_conf_npolicy_keys;
		return gw_conf_policy_keys;
	}
	if (sect == GW_SECT_GATEWAY) {
		*np = gw_conf_ngateway_keys;
		return gw_conf_gateway_keys;
	}
	if (sect == GW_SECT_SERVICE) {
		*np = gw_conf_nservice_keys;
		return gw_conf_service_keys;
	}
	if (sect == GW_SECT_KEY) {
		*np = gw_conf_nkey_keys;
		return gw_conf_key_keys;
	}
	if ((size_t)sect >= N(tables) || !tables[sect].keys) {
		*np = 0;
		return NULL;
	}
	*np = tables[sect].n;
	return tables[sect].keys;
}

/* Set one key of obj from val: 0, EINVAL (reported) or ENOMEM. */
int gw_conf_set(struct gw_conf_parse *ps, void *obj,
		const struct gw_conf_keydef *kd, const char *val)
{
	struct pint_pl pl = pint_pl_str(val);
	unsigned long long v;
	char expected[96];

	switch (kd->kind) {
	case GW_KD_BOOL:
		if (gw_conf_parse_bool(val, GW_CONF_FIELD(obj, kd, bool)))
			return gw_conf_bad(ps, kd->name, val,
					   "true or false (also yes/no, on/off, 1/0)");
		return 0;
	case GW_KD_U32:
		if (pint_pl_u64(&pl, kd->max, &v) || v < kd->min) {
			snprintf(expected, sizeof(expected),
				 "a number%s%s from %u to %u",
				 kd->unit ? " of " : "",
				 kd->unit ? kd->unit : "",
				 (unsigned)kd->min, (unsigned)kd->max);
			return gw_conf_bad(ps, kd->name, val, expected);
		}
		*GW_CONF_FIELD(obj, kd, uint32_t) = (uint32_t)v;
		return 0;
	case GW_KD_FN:
		return kd->set(ps, obj, kd, val);
	}
	return EINVAL;
}

/* ---- defaults ---------------------------------------------------------- */

/* Fill conf (zeroed) with every default of [pintgw] … [click]. */
int gw_conf_defaults(struct gw_conf *conf)
{
	static const char *const sip_listen[] = {"udp:127.0.0.1:5060",
						 "tcp:127.0.0.1:5060"};
	struct gw_conf_main *m = &conf->main;
	struct gw_conf_http *h = &conf->http;
	struct gw_conf_sip *s = &conf->sip;
	size_t i;
	int err;

	m->log_level = LOG_LEVEL_INFO;
	m->log_timestamps = true;
	m->mask_numbers = true;
	m->drain_grace = 10;
	m->max_pending = 100000;
	err = gw_conf_strdup(&m->state_dir, "/var/lib/pintgw");
	if (err)
		return err;

	h->max_body = 1024u * 1024u;
	h->max_connections = 1024;
	h->per_ip_connections = 64;
	h->connection_timeout = 30;
	h->sse_heartbeat = 15;
	err = gw_conf_parse_addr("127.0.0.1:8080", GW_ADDR_NEED_PORT,
				 &h->listen);
	if (err)
		return err;

	for (i = 0; i < N(sip_listen); i++) {
		err = gw_conf_parse_addr(sip_listen[i], GW_ADDR_SIP,
					 &s->listen[i]);
		if (err)
			return err;
		s->nlisten++;
	}
	err = gw_conf_strdup(&s->user, "pintgw");
	if (err)
		return err;
	s->udp_buffer = GW_TP_DEF_SOCKBUF;
	s->tcp_idle_timeout = GW_TP_DEF_IDLE_MS / 1000;
	s->max_message = GW_TP_DEF_MAX_MSG;
	s->t1 = PINT_TSX_T1_MS;
	s->t2 = PINT_TSX_T2_MS;
	s->t4 = PINT_TSX_T4_MS;
	s->ring_timeout = 30;
	s->ring_timeout_max = 300;
	s->max_redirects = 3;

	conf->store.synchronous = GW_STORE_SYNC_NORMAL;
	conf->store.busy_timeout = GW_STORE_BUSY_TIMEOUT_MS;
	conf->store.commit_interval = 1;

	conf->webhooks.attempts = WEB_WEBHOOK_ATTEMPTS;
	conf->webhooks.base_delay = WEB_WEBHOOK_BASE_MS / 1000u;
	conf->webhooks.max_delay = WEB_WEBHOOK_MAX_DELAY_MS / 1000u;
	conf->webhooks.timeout = WEB_FETCH_TIMEOUT_MS / 1000u;
	conf->webhooks.max_inflight = WEB_WEBHOOK_INFLIGHT;
	web_urlsafe_allow_init(&conf->webhooks.allow_private);

	conf->fetch.max_bytes = GW_CONF_FETCH_MAX_BYTES;
	conf->fetch.max_total = GW_CONF_FETCH_MAX_TOTAL;
	conf->fetch.timeout = GW_CONF_FETCH_TIMEOUT;
	conf->fetch.max_inflight = GW_CONF_FETCH_INFLIGHT;
	web_urlsafe_allow_init(&conf->fetch.allow_private);

	conf->click.rate_per_ip = 0.2;
	conf->click.burst_per_ip = 3;
	conf->click.max_ttl = 30u * 86400u;
	return gw_conf_policy_defaults(&conf->policy);
}

/* A new [gateway NAME]'s defaults (name and line are the caller's). */
void gw_conf_gateway_init(struct gw_conf_gateway *gw)
{
	memset(gw, 0, sizeof(*gw));
	gw->keepalive = 30;
	gw->down_after = 3;
	gw->rest_max = 300;
	gw->rest_default = 30;
	gw->status = PINT_GWSET_STATUS_PINT;
	gw->dialog_fallback = true;
	gw->subscribe_expires = 600;
	gw->register_expires = 3600;
}

/* A new [key NAME]'s defaults. */
void gw_conf_key_init(struct gw_conf_key *key)
{
	memset(key, 0, sizeof(*key));
	key->scopes = GW_CONF_SCOPE_ALL;
	key->rate = 10;
	key->burst = 20;
	key->concurrency = 100;
}

