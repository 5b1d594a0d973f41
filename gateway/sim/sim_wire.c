/*
 * gateway/sim/sim_wire.c — the simulator's side of the wire: small
 * services (time, randomness, table keys, local identities, where a
 * request goes), the trace of every message in and out, and the helpers
 * that build and send responses and requests.
 */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <sys/random.h>

#include "gateway/log.h"
#include "gateway/sim/sim_int.h"

#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "dev"
#endif

#define SIM_SERVER "pintsim/" PACKAGE_VERSION
#define SIM_ALLOW "INVITE, ACK, CANCEL, BYE, OPTIONS, SUBSCRIBE, UNSUBSCRIBE"
#define SIM_ACCEPT "application/sdp, multipart/related, multipart/mixed"

/* ---- small services ----------------------------------------------------- */

/* The loop's monotonic clock, ms. */
uint64_t sim_now(const struct gw_sim *sim)
{
	return gw_loop_now(sim->loop);
}

/* NTP seconds now (SDP t=), from the wall clock. */
uint64_t sim_ntp_now(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_REALTIME, &ts) != 0 || ts.tv_sec < 0)
		return PINT_SDP_NTP_OFFSET;
	return (uint64_t)ts.tv_sec + PINT_SDP_NTP_OFFSET;
}

/* A simulated duration at the configured speed, at least 1 ms. */
uint64_t sim_scaled(const struct gw_sim *sim, uint64_t ms)
{
	double v = (double)ms / sim->speed;

	return v < 1.0 ? 1 : (uint64_t)v;
}

/* len bytes from the OS RNG, or an errno. */
int sim_rand(uint8_t *buf, size_t len)
{
	size_t got = 0;
	ssize_t n;

	while (got < len) {
		n = getrandom(buf + got, len - got, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return errno;
		}
		got += (size_t)n;
	}
	return 0;
}

/* 128 random bits as 22 base64url characters (tags). */
int sim_token(char buf[SIM_TOKEN_SIZE])
{
	static const char b64u[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
				   "abcdefghijklmnopqrstuvwxyz0123456789-_";
	uint8_t r[16];
	size_t i, o = 0;
	uint32_t v;
	int err;

	err = sim_rand(r, sizeof(r));
	if (err)
		return err;
	for (i = 0; i + 3 <= sizeof(r); i += 3) {
		v = (uint32_t)r[i] << 16 | (uint32_t)r[i + 1] << 8 | r[i + 2];
		buf[o++] = b64u[v >> 18 & 63];
		buf[o++] = b64u[v >> 12 & 63];
		buf[o++] = b64u[v >> 6 & 63];
		buf[o++] = b64u[v & 63];
	}
	buf[o++] = b64u[r[15] >> 2];
	buf[o++] = b64u[(r[15] & 3) << 4];
	buf[o] = '\0';
	return 0;
}

/* A Via branch: the RFC 3261 cookie and 128 random bits. */
int sim_branch(char buf[SIM_BRANCH_SIZE])
{
	size_t n = sizeof(PINT_REQ_BRANCH_COOKIE) - 1;

	memcpy(buf, PINT_REQ_BRANCH_COOKIE, n);
	return sim_token(buf + n);
}

/* A heap copy of s (NULL gives ""); free() it. */
int sim_dupstr(char **dstp, const char *s)
{
	struct pint_pl pl = pint_pl_str(s ? s : "");

	return pint_pl_strdup(dstp, &pl);
}

/* Keys of the tables: two strings (Call-ID and a tag, say). */
uint64_t sim_key_hash(const struct gw_sim *sim, const char *a, const char *b)
{
	char buf[PINT_SIP_MAX_CALLID + PINT_SIP_MAX_TAG + 2];
	int n = snprintf(buf, sizeof(buf), "%s%c%s", a, '\0', b ? b : "");

	if (n < 0 || (size_t)n >= sizeof(buf))
		n = (int)sizeof(buf) - 1;
	return pint_hash_sip(sim->sipkey, buf, (size_t)n);
}

/* Two keys of sim_key_hash equal (a NULL second part is ""). */
bool sim_key_eq(const char *a1, const char *b1, const char *a2,
		const char *b2)
{
	return !strcmp(a1, a2) && !strcmp(b1 ? b1 : "", b2 ? b2 : "");
}

/* Our Via/Contact identity for a transport. */
const struct pint_req_local *sim_loc(const struct gw_sim *sim,
				     enum pint_tsx_transport tp)
{
	return &sim->loc[tp == PINT_TSX_TCP ? 1 : 0];
}

/* A copy of where a request came from. */
void sim_peer_of(const struct pint_tsx_peer *src, struct sim_peer *p)
{
	memset(p, 0, sizeof(*p));
	p->tp = src->transport;
	snprintf(p->addr, sizeof(p->addr), "%s", src->addr);
	p->port = src->port;
}

/*
 * Where a request to uri goes: its host when numeric, its port (5060
 * when none), its transport parameter. A name we would have to resolve,
 * or anything unreadable, falls back to where the dialog came from.
 */
void sim_peer_target(const char *uri, const struct sim_peer *fallback,
		     struct sim_peer *p)
{
	struct gw_tp_peer tp;
	char host[INET6_ADDRSTRLEN];
	const char *s = uri, *h, *e;
	unsigned long port = 5060;
	size_t n;

	*p = *fallback;
	if (!s || strncasecmp(s, "sip:", 4))
		return;
	s += 4;
	h = strchr(s, '@');
	if (h && (!strchr(s, ';') || h < strchr(s, ';')))
		s = h + 1;
	if (*s == '[') {
		e = strchr(++s, ']');
		if (!e)
			return;
		n = (size_t)(e - s);
		e++;
	} else {
		n = strcspn(s, ":;?>");
		e = s + n;
	}
	if (!n || n >= sizeof(host))
		return;
	memcpy(host, s, n);
	host[n] = '\0';
	if (*e == ':') {
		char *end;

		port = strtoul(e + 1, &end, 10);
		if (end == e + 1 || port == 0 || port > 65535)
			return;
	}
	p->tp = strcasestr(e, ";transport=tcp") ? PINT_TSX_TCP : PINT_TSX_UDP;
	if (gw_tp_peer_from_str(&tp, "udp", host, (uint16_t)port) != 0) {
		*p = *fallback;
		return;
	}
	snprintf(p->addr, sizeof(p->addr), "%s", host);
	p->port = (uint16_t)port;
}

/* The transaction id's ctx no longer points anywhere: callbacks find NULL. */
void sim_detach(struct gw_sim *sim, uint64_t *idp)
{
	struct pint_tsx *tsx = *idp ? pint_tsx_find(sim->tsx, *idp) : NULL;

	if (tsx)
		pint_tsx_set_ctx(tsx, NULL);
	*idp = 0;
}

/* ---- trace --------------------------------------------------------------- */

static size_t first_line(const char *buf, size_t len)
{
	size_t n = 0;

	while (n < len && buf[n] != '\r' && buf[n] != '\n')
		n++;
	return n;
}

/* The Call-ID header's value in raw SIP text (long or compact form). */
static struct pint_pl raw_call_id(const char *buf, size_t len)
{
	struct pint_pl none = PINT_PL_INIT;
	size_t i = 0, n;

	for (;;) {
		const char *l, *colon;

		/* past this line and its CRLF (or LF) */
		i += first_line(buf + i, len - i);
		if (i < len && buf[i] == '\r')
			i++;
		if (i < len && buf[i] == '\n')
			i++;
		if (i >= len)
			return none;
		l = buf + i;
		n = first_line(l, len - i);
		if (n == 0)
			return none;    /* the blank line: the body follows */
		colon = memchr(l, ':', n);
		if (!colon)
			continue;
		if (((size_t)(colon - l) == 7 &&
		     !strncasecmp(l, "call-id", 7)) ||
		    (colon == l + 1 && (l[0] == 'i' || l[0] == 'I')))
			return pint_pl_trim((struct pint_pl){colon + 1,
					    n - (size_t)(colon + 1 - l)});
	}
}

/* A message in or out: counted, logged at debug level, traced. */
void sim_trace_msg(struct gw_sim *sim, bool out, bool absorbed,
		   const struct gw_tp_peer *peer, const char *buf, size_t len)
{
	char ps[GW_TP_PEER_STRLEN];
	struct gw_sim_trace t;

	if (out)
		sim->st.msgs_out++;
	else
		sim->st.msgs_in++;
	if (log_enabled(LOG_LEVEL_DEBUG) || sim->trace) {
		if (gw_tp_peer_str(peer, ps, sizeof(ps)) != 0)
			snprintf(ps, sizeof(ps), "?");
		log_debug("sim: %s %s %.*s%s", out ? "out" : "in", ps,
			  (int)first_line(buf, len), buf,
			  absorbed ? " (absorbed)" : "");
	}
	if (!sim->trace)
		return;
	memset(&t, 0, sizeof(t));
	t.out = out;
	t.absorbed = absorbed;
	t.t_ms = sim_now(sim);
	t.peer = ps;
	t.first = (struct pint_pl){buf, first_line(buf, len)};
	t.call_id = raw_call_id(buf, len);
	t.text = buf;
	t.len = len;
	sim->trace(&t, sim->trace_arg);
}

/* ---- sending ------------------------------------------------------------- */

/* The transaction layer's send handler: the transport, traced. */
int sim_tsx_send(const char *buf, size_t len, const struct pint_tsx_peer *peer,
		 void *arg)
{
	struct gw_sim *sim = arg;
	struct gw_tp_peer to;
	int err;

	err = gw_tp_peer_from_str(&to, peer->transport == PINT_TSX_TCP ?
				  "tcp" : "udp", peer->addr, peer->port);
	if (err)
		return err;
	sim_trace_msg(sim, true, false, &to, buf, len);
	err = gw_tp_send(sim->tp, &to, buf, len);
	if (err)
		log_debug("sim: send to %s:%u failed: %s", peer->addr,
			  peer->port, strerror(err));
	return err;
}

/*
 * Answer req on tsx with r: the standard fields from req, r's extras,
 * Server. ENOMEM, EINVAL for a value the builders refuse, or the layer's
 * error (EPROTO after a final response).
 */
int sim_reply(struct gw_sim *sim, struct pint_tsx *tsx,
	      const osip_message_t *req, const struct sim_resp *r)
{
	enum pint_tsx_transport tp = PINT_TSX_UDP;
	const struct pint_req_local *loc;
	struct pint_req_local alt;
	struct pint_sip_via via;
	osip_message_t *m = NULL;
	char *buf = NULL;
	size_t len = 0, i;
	int err;

	if (!tsx)
		return ENOENT;
	err = pint_sip_response(&m, req, r->code, r->reason, r->to_tag);
	if (err)
		return err;
	/* our Contact in the request's transport */
	if (pint_sip_top_via(req, &via) == 0 &&
	    pint_pl_caseeq(&via.transport, "TCP"))
		tp = PINT_TSX_TCP;
	loc = sim_loc(sim, tp);
	if (r->contact) {
		alt = *loc;
		if (r->contact_user)
			alt.user = r->contact_user;
		err = pint_req_add_contact(m, &alt, -1);
	}
	if (!err && r->expires >= 0)
		err = pint_req_add_expires(m, (uint32_t)r->expires);
	if (!err && r->warn_code)
		err = pint_sip_add_warning(m, r->warn_code, sim->agent,
					   r->warn_text ? r->warn_text : "");
	for (i = 0; !err && i < r->nh; i++)
		err = pint_req_add_header(m, r->hname[i], r->hvalue[i]);
	if (!err)
		err = pint_req_add_header(m, "Server", SIM_SERVER);
	if (!err && r->body && r->body_len)
		err = pint_req_add_body(m, r->ctype, r->body, r->body_len);
	if (!err)
		err = pint_sip_to_str(m, &buf, &len);
	if (!err)
		err = pint_tsx_respond_buf(tsx, buf, len, sim_now(sim));
	if (err)
		log_warn("sim: %d to %s not sent: %s", r->code, req->sip_method,
			 strerror(err));
	free(buf);
	osip_message_free(m);
	return err;
}

/* A plain answer with the standard extras of its code. */
int sim_reply_code(struct gw_sim *sim, struct pint_tsx *tsx,
		   const osip_message_t *req, int code)
{
	struct sim_resp r;

	memset(&r, 0, sizeof(r));
	r.code = code;
	r.expires = -1;
	if (code == 405 || code == 200) {
		r.hname[r.nh] = "Allow";
		r.hvalue[r.nh++] = SIM_ALLOW;
	}
	if (code == 415 || code == 200) {
		r.hname[r.nh] = "Accept";
		r.hvalue[r.nh++] = SIM_ACCEPT;
	}
	return sim_reply(sim, tsx, req, &r);
}

/*
 * Send request m (borrowed) to `to` on a new client transaction whose
 * ctx is ctx; its id goes to *idp. An error means nothing is out.
 */
int sim_send(struct gw_sim *sim, osip_message_t *m, const struct sim_peer *to,
	     void *ctx, uint64_t *idp)
{
	struct pint_tsx_peer peer = { to->tp, to->addr, to->port };
	char *buf = NULL;
	size_t len = 0;
	int err;

	err = pint_sip_to_str(m, &buf, &len);
	if (!err)
		err = pint_tsx_start_buf(idp, sim->tsx, buf, len, &peer, ctx,
					 sim_now(sim));
	free(buf);
	if (err)
		log_warn("sim: %s to %s:%u not sent: %s", m->sip_method,
			 to->addr, to->port, strerror(err));
	return err;
}
