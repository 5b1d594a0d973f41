/*
 * gateway/sipgw_obs.c — what the SIP side shows without acting: the INVITE
 * a request would send (?dry_run=1), Prometheus metrics and a debug dump.
 */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gateway/sipgw_int.h"
#include "pint/sip.h"

#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "dev"
#endif

/* ---- preview ------------------------------------------------------------- */

static int preview_gateway(struct gw_sip *s, const char *name, size_t *idxp)
{
	if (name) {
		*idxp = pint_gwset_find(s->gws, name);
		return *idxp == PINT_GWSET_NONE ? ENOENT : 0;
	}
	return pint_gwset_pick(s->gws, NULL, NULL, gw_loop_now(s->loop), idxp);
}

/*
 * The INVITE p would send first, as text (*textp NUL-terminated, free()
 * it), built as the ua builds it but with identities of its own: fresh
 * random ones, or p->resume's (its branch too, when it has one).
 * Nothing is sent or kept. ENOENT when no gateway fits, EINVAL/EMSGSIZE
 * for a request that cannot be encoded, ENOMEM.
 */
int gw_sip_preview(struct gw_sip *s, const struct pint_ua_call_params *p,
		   char **textp, size_t *lenp)
{
	char call_id[SIPGW_TOKEN_SIZE], tag[SIPGW_TOKEN_SIZE];
	char sess[SIPGW_SESS_SIZE], boundary[SIPGW_TOKEN_SIZE + 5];
	char branch[sizeof(PINT_REQ_BRANCH_COOKIE) + SIPGW_TOKEN_SIZE];
	const struct pint_ua_resume *r;
	const struct pint_gwset_conf *gc;
	const struct pint_req_local *loc;
	struct pint_svc_body body;
	struct pint_svc_wire wire;
	struct pint_req_ids ids;
	struct pint_req_tx tx;
	osip_message_t *m = NULL;
	size_t idx;
	int err;

	if (!s || !p || !p->req || !textp || !lenp)
		return EINVAL;
	memset(&body, 0, sizeof(body));
	r = p->resume;
	err = preview_gateway(s, p->gateway, &idx);
	if (err)
		return err;
	gc = pint_gwset_conf(s->gws, idx);
	if (!gc)
		return ENOENT;
	memcpy(branch, PINT_REQ_BRANCH_COOKIE, sizeof(PINT_REQ_BRANCH_COOKIE) - 1);
	memcpy(boundary, "pint-", 5);
	err = gw_sip_token(call_id);
	if (!err)
		err = gw_sip_token(tag);
	if (!err)
		err = gw_sip_sess_id(sess);
	if (!err)
		err = gw_sip_token(branch + sizeof(PINT_REQ_BRANCH_COOKIE) - 1);
	if (!err)
		err = gw_sip_token(boundary + 5);
	if (err)
		return err;
	if (r && (!r->call_id || !r->from_tag || !r->sess_id))
		return EINVAL;
	memset(&wire, 0, sizeof(wire));
	wire.sess_id = r ? r->sess_id : sess;
	wire.origin_addr = s->origin;
	wire.origin_ipv6 = s->origin_ipv6;
	wire.cid_host = s->host;
	wire.boundary = boundary;
	err = pint_svc_encode(&body, p->req, &wire);
	if (err)
		return err;
	loc = &s->loc[body.multipart ? PINT_TSX_TCP : gc->peer.transport ==
		      PINT_TSX_TCP ? PINT_TSX_TCP : PINT_TSX_UDP];
	ids.call_id = r ? r->call_id : call_id;
	ids.from_tag = r ? r->from_tag : tag;
	ids.cseq = r ? r->cseq + 1 : 1;
	memset(&tx, 0, sizeof(tx));
	tx.branch = r && r->branch ? r->branch : branch;
	err = pint_svc_invite(&m, p->req, &body, loc, &ids, &tx, gc->domain,
			      gc->tsp);
	if (!err)
		err = pint_req_add_header(m, "User-Agent", "pintgw/" PACKAGE_VERSION);
	if (!err)
		err = pint_sip_to_str(m, textp, lenp);
	osip_message_free(m);
	pint_svc_body_reset(&body);
	return err;
}

/* ---- metrics ------------------------------------------------------------- */

/* Copies of the ua's and the transport's counters (either may be NULL). */
void gw_sip_stats(const struct gw_sip *s, struct pint_ua_stats *ua,
		  struct gw_tp_stats *tp)
{
	if (ua)
		pint_ua_stats(s->ua, ua);
	if (tp)
		gw_tp_stats(s->tp, tp);
}

struct metric {
	const char *name;       /* after "pintgw_sip_" */
	const char *type;       /* counter, gauge */
	const char *help;
	uint64_t v;
};

static int put(struct pint_mbuf *mb, const struct metric *m)
{
	return pint_mbuf_printf(mb,
		"# HELP pintgw_sip_%s %s\n# TYPE pintgw_sip_%s %s\n"
		"pintgw_sip_%s %llu\n", m->name, m->help, m->name, m->type,
		m->name, (unsigned long long)m->v);
}

/* One family with a label: HELP and TYPE once, then a line per value. */
static int put_labeled(struct pint_mbuf *mb, const char *name,
		       const char *type, const char *help, const char *label,
		       const char *const *values, const uint64_t *v, size_t n)
{
	size_t i;
	int err;

	err = pint_mbuf_printf(mb, "# HELP pintgw_sip_%s %s\n"
			       "# TYPE pintgw_sip_%s %s\n", name, help, name,
			       type);
	for (i = 0; !err && i < n; i++)
		err = pint_mbuf_printf(mb, "pintgw_sip_%s{%s=\"%s\"} %llu\n",
				       name, label, values[i],
				       (unsigned long long)v[i]);
	return err;
}

static int ua_metrics(const struct gw_sip *s, struct pint_mbuf *mb)
{
	static const char *const dirs[] = { "client", "server" };
	static const char *const codes[] = { "403", "405", "481", "500" };
	const char *states[PINT_UA_NSTATES];
	struct pint_ua_stats st;
	uint64_t v[4];
	size_t i;
	int err = 0;

	pint_ua_stats(s->ua, &st);
	{
		const struct metric ms[] = {
		{ "calls_live", "gauge",
		  "Service calls in memory.",
		  st.calls_live },
		{ "subscriptions_live", "gauge",
		  "Status subscriptions in memory.",
		  st.subs_live },
		{ "calls_started_total", "counter",
		  "Service calls started.",
		  st.calls_started },
		{ "events_total", "counter",
		  "Status events reported.",
		  st.events },
		{ "terminal_events_total", "counter",
		  "Terminal status events reported.",
		  st.terminal_events },
		{ "invites_sent_total", "counter",
		  "INVITE attempts sent.",
		  st.invites_sent },
		{ "retries_total", "counter",
		  "INVITE attempts after the first of a call.",
		  st.retries },
		{ "redirects_total", "counter",
		  "3xx redirects followed.",
		  st.redirects },
		{ "auth_retries_total", "counter",
		  "Requests repeated with digest credentials.",
		  st.auth_retries },
		{ "failovers_total", "counter",
		  "Calls moved to another gateway.",
		  st.failovers },
		{ "cancels_sent_total", "counter",
		  "CANCEL requests sent.",
		  st.cancels_sent },
		{ "byes_sent_total", "counter",
		  "BYE requests sent.",
		  st.byes_sent },
		{ "subscribes_sent_total", "counter",
		  "SUBSCRIBE requests sent.",
		  st.subscribes_sent },
		{ "unsubscribes_sent_total", "counter",
		  "UNSUBSCRIBE requests sent.",
		  st.unsubscribes_sent },
		{ "fallbacks_total", "counter",
		  "Subscriptions moved from PINT to dialog mode.",
		  st.fallbacks },
		{ "notify_accepted_total", "counter",
		  "NOTIFY requests accepted.",
		  st.notify_accepted },
		{ "gateway_byes_total", "counter",
		  "BYE requests from gateways.",
		  st.gateway_byes },
		{ "gateway_unsubscribes_total", "counter",
		  "UNSUBSCRIBE requests from gateways.",
		  st.gateway_unsubscribes },
		{ "options_answered_total", "counter",
		  "OPTIONS requests answered.",
		  st.options_answered },
		{ "keepalives_sent_total", "counter",
		  "OPTIONS keepalives sent.",
		  st.keepalives_sent },
		{ "keepalives_failed_total", "counter",
		  "OPTIONS keepalives unanswered or refused.",
		  st.keepalives_failed },
		{ "registrations_total", "counter",
		  "REGISTER requests accepted.",
		  st.registrations },
		{ "registration_failures_total", "counter",
		  "REGISTER requests failed.",
		  st.registration_failures },
		{ "retransmits_sent_total", "counter",
		  "Requests, responses and ACKs sent again.",
		  st.tsx.retransmits_sent },
		{ "retransmits_absorbed_total", "counter",
		  "Duplicates received and absorbed.",
		  st.tsx.retransmits_absorbed },
		{ "transaction_timeouts_total", "counter",
		  "Transactions ended by a timer.",
		  st.tsx.timeouts },
		{ "transaction_transport_errors_total", "counter",
		  "Transactions ended by a send error.",
		  st.tsx.transport_errors },
		{ "strays_total", "counter",
		  "Responses and ACKs matching no transaction.",
		  st.tsx.strays },
		};

		for (i = 0; !err && i < sizeof(ms) / sizeof(ms[0]); i++)
			err = put(mb, &ms[i]);
	}
	for (i = 0; i < PINT_UA_NSTATES; i++)
		states[i] = pint_ua_call_state_name((enum pint_ua_call_state)i);
	if (!err)
		err = put_labeled(mb, "calls", "gauge", "Service calls by state.",
				  "state", states, st.calls_by_state,
				  PINT_UA_NSTATES);
	v[0] = st.tsx.live_client;
	v[1] = st.tsx.live_server;
	if (!err)
		err = put_labeled(mb, "transactions_live", "gauge",
				  "Live SIP transactions.", "side", dirs, v, 2);
	v[0] = st.refused_403;
	v[1] = st.requests_405;
	v[2] = st.refused_481;
	v[3] = st.refused_500;
	if (!err)
		err = put_labeled(mb, "requests_refused_total", "counter",
				  "Gateway requests refused, by answer.", "code",
				  codes, v, 4);
	return err;
}

static int tp_metrics(const struct gw_sip *s, struct pint_mbuf *mb)
{
	static const char *const dirs[] = { "in", "out" };
	struct gw_tp_stats t;
	uint64_t v[2];
	size_t i;
	int err = 0;

	gw_tp_stats(s->tp, &t);
	{
		const struct metric ms[] = {
		{ "parse_failures_total", "counter",
		  "Messages refused by the parser.",
		  t.parse_failures },
		{ "stateless_answers_total", "counter",
		  "Refused requests answered statelessly.",
		  t.stateless_answers },
		{ "dropped_total", "counter",
		  "Messages received and dropped.",
		  t.dropped },
		{ "oversize_total", "counter",
		  "Messages over max_message.",
		  t.oversize },
		{ "udp_rx_drops_total", "counter",
		  "Datagrams the kernel dropped (receive buffer full).",
		  t.rx_drops },
		{ "tcp_connections", "gauge",
		  "Open TCP connections.",
		  t.tcp_open },
		{ "tcp_accepted_total", "counter",
		  "TCP connections accepted.",
		  t.tcp_accepted },
		{ "tcp_connects_total", "counter",
		  "TCP connections opened.",
		  t.tcp_connects },
		{ "tcp_closed_total", "counter",
		  "TCP connections closed.",
		  t.tcp_closed },
		{ "tcp_refused_total", "counter",
		  "TCP connections refused (over the limit).",
		  t.tcp_refused },
		{ "tcp_idle_closed_total", "counter",
		  "TCP connections closed when idle.",
		  t.tcp_idle_closed },
		{ "tcp_framing_errors_total", "counter",
		  "TCP streams that could not be framed.",
		  t.tcp_framing_errors },
		{ "send_errors_total", "counter",
		  "Sends that failed.",
		  t.send_errors },
		};

		for (i = 0; !err && i < sizeof(ms) / sizeof(ms[0]); i++)
			err = put(mb, &ms[i]);
	}
	v[0] = t.udp_in;
	v[1] = t.udp_out;
	if (!err)
		err = put_labeled(mb, "udp_datagrams_total", "counter",
				  "UDP datagrams.", "direction", dirs, v, 2);
	v[0] = t.udp_in_bytes;
	v[1] = t.udp_out_bytes;
	if (!err)
		err = put_labeled(mb, "udp_bytes_total", "counter",
				  "UDP bytes.", "direction", dirs, v, 2);
	v[0] = t.tcp_in;
	v[1] = t.tcp_out;
	if (!err)
		err = put_labeled(mb, "tcp_messages_total", "counter",
				  "SIP messages over TCP.", "direction", dirs, v, 2);
	v[0] = t.tcp_in_bytes;
	v[1] = t.tcp_out_bytes;
	if (!err)
		err = put_labeled(mb, "tcp_bytes_total", "counter",
				  "TCP bytes.", "direction", dirs, v, 2);
	return err;
}

/* One pintgw_gateway_* family: a line per gateway of the set. */
static int gw_family(const struct gw_sip *s, struct pint_mbuf *mb,
		     const char *name, const char *type, const char *help,
		     int which)
{
	struct pint_gwset_info gi;
	size_t i, n = pint_gwset_count(s->gws);
	uint64_t v;
	int err;

	err = pint_mbuf_printf(mb, "# HELP pintgw_gateway_%s %s\n"
			       "# TYPE pintgw_gateway_%s %s\n", name, help,
			       name, type);
	for (i = 0; !err && i < n; i++) {
		if (!pint_gwset_conf(s->gws, i))
			continue;
		pint_gwset_info(s->gws, i, &gi);
		v = which == 0 ? gi.health == PINT_GWSET_UP :
		    which == 1 ? gi.resting :
		    which == 2 ? gi.sent :
		    which == 3 ? gi.failed_over : gi.timeouts;
		/* names are SIP tokens: nothing to escape in a label */
		err = pint_mbuf_printf(mb, "pintgw_gateway_%s{gateway=\"%s\"} %llu\n",
				       name, gi.name, (unsigned long long)v);
	}
	return err;
}

/*
 * Prometheus text exposition of the SIP side, appended to mb: the ua's
 * and transactions' counters and gauges (pintgw_sip_*), the transport's,
 * and one line per gateway (pintgw_gateway_up{gateway="…"} and more).
 * 0, or the mbuf's ENOMEM/EMSGSIZE (mb then holds part of it).
 */
int gw_sip_metrics(const struct gw_sip *s, struct pint_mbuf *mb)
{
	int err;

	if (!s || !mb)
		return EINVAL;
	err = ua_metrics(s, mb);
	if (!err)
		err = tp_metrics(s, mb);
	if (!err)
		err = gw_family(s, mb, "up", "gauge",
				"1 when the gateway answers its keepalives.", 0);
	if (!err)
		err = gw_family(s, mb, "resting", "gauge",
				"1 while the gateway rests after a 503.", 1);
	if (!err)
		err = gw_family(s, mb, "invites_total", "counter",
				"Service INVITEs sent to the gateway.", 2);
	if (!err)
		err = gw_family(s, mb, "failovers_total", "counter",
				"Calls moved away from the gateway.", 3);
	if (!err)
		err = gw_family(s, mb, "timeouts_total", "counter",
				"Requests the gateway never answered.", 4);
	return err;
}

/* ---- debug --------------------------------------------------------------- */

/*
 * A dump for operators (SIGUSR1 and tests), appended to mb: the bound
 * ports, each gateway's state, then the ua's line per live call.
 */
int gw_sip_debug(const struct gw_sip *s, struct pint_mbuf *mb)
{
	struct pint_gwset_info gi;
	size_t i, n;
	int err;

	if (!s || !mb)
		return EINVAL;
	err = pint_mbuf_printf(mb, "sip: contact %s udp=%u tcp=%u\n", s->host,
			       gw_sip_port(s, false), gw_sip_port(s, true));
	n = pint_gwset_count(s->gws);
	for (i = 0; !err && i < n; i++) {
		const struct pint_gwset_conf *gc = pint_gwset_conf(s->gws, i);

		if (!gc)
			continue;
		pint_gwset_info(s->gws, i, &gi);
		err = pint_mbuf_printf(mb,
			"gateway %s %s:%s:%u health=%s%s mode=%s sent=%llu "
			"failed_over=%llu timeouts=%llu\n", gi.name,
			gc->peer.transport == PINT_TSX_TCP ? "tcp" : "udp",
			gc->peer.addr, gc->peer.port,
			pint_gwset_health_name(gi.health),
			gi.resting ? " resting" : "",
			gi.status_mode == PINT_GWSET_STATUS_DIALOG ? "dialog" :
			gi.status_mode == PINT_GWSET_STATUS_NONE ? "none" : "pint",
			(unsigned long long)gi.sent,
			(unsigned long long)gi.failed_over,
			(unsigned long long)gi.timeouts);
	}
	if (!err)
		err = pint_ua_debug(s->ua, mb);
	return err;
}
