/*
 * gateway/sipgw.c — pintgw's SIP side on the loop: the [sip] sockets, the
 * [gateway] set (host names resolved here, once per load) and the PINT
 * user agent, wired together. Messages from the transport (parsed there,
 * once) go to the ua; the ua's bytes go out through the transport; the
 * ua's deadline is the loop's through a prepare hook, and a check hook
 * ticks it when due. Preview, metrics and debug dumps are in
 * gateway/sipgw_obs.c.
 */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/random.h>
#include <sys/socket.h>

#include "gateway/log.h"
#include "gateway/sipgw_int.h"

#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "dev"
#endif

/* ---- identifiers --------------------------------------------------------- */

static int os_rand(uint8_t *buf, size_t len)
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

/*
 * The ua's rand handler (arg: the gw_sip, or NULL): the OS RNG, whole or
 * an errno. With a gw_sip, small requests are served from its pool of
 * bytes read ahead, each byte handed out once and then wiped.
 */
int gw_sip_rand(uint8_t *buf, size_t len, void *arg)
{
	struct gw_sip *s = arg;
	uint8_t *p;
	int err;

	if (!s || len > sizeof(s->rpool) / 4)
		return os_rand(buf, len);
	if (s->rleft < len) {
		err = os_rand(s->rpool, sizeof(s->rpool));
		if (err)
			return err;
		s->rleft = sizeof(s->rpool);
	}
	p = s->rpool + sizeof(s->rpool) - s->rleft;
	memcpy(buf, p, len);
	memset(p, 0, len);
	s->rleft -= len;
	return 0;
}

/* 128 random bits as 22 base64url characters (Call-IDs, tags, branches). */
int gw_sip_token(char buf[SIPGW_TOKEN_SIZE])
{
	uint8_t r[PINT_UA_RAND_BYTES];
	int err;

	err = gw_sip_rand(r, sizeof(r), NULL);
	if (!err)
		pint_ua_token(buf, r);
	return err;
}

/* 128 random bits in decimal: an SDP o= session id. */
int gw_sip_sess_id(char buf[SIPGW_SESS_SIZE])
{
	uint8_t r[PINT_UA_RAND_BYTES];
	int err;

	err = gw_sip_rand(r, sizeof(r), NULL);
	if (!err)
		pint_ua_decimal(buf, r);
	return err;
}

/* The loop's time for the ua, with the wall clock brought up to date. */
uint64_t gw_sip_now(struct gw_sip *s)
{
	uint64_t now = gw_loop_now(s->loop);
	struct timespec ts;

	if (s->ua && clock_gettime(CLOCK_REALTIME, &ts) == 0 && ts.tv_sec > 0)
		pint_ua_set_wallclock(s->ua, now, (uint64_t)ts.tv_sec);
	return now;
}

/* ---- wiring: transport <-> ua -------------------------------------------- */

/* The first line of a message, for debug logs. */
static int line_len(const char *buf, size_t len)
{
	const char *e = memchr(buf, '\r', len < 200 ? len : 200);

	return e ? (int)(e - buf) : (int)(len < 200 ? len : 200);
}

static uint16_t port_of(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)ss)->sin6_port);
	return ntohs(((const struct sockaddr_in *)ss)->sin_port);
}

static bool same_host(const struct sockaddr_storage *a,
		      const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family)
		return false;
	if (a->ss_family == AF_INET)
		return ((const struct sockaddr_in *)a)->sin_addr.s_addr ==
		       ((const struct sockaddr_in *)b)->sin_addr.s_addr;
	return a->ss_family == AF_INET6 &&
	       ((const struct sockaddr_in6 *)a)->sin6_scope_id ==
	       ((const struct sockaddr_in6 *)b)->sin6_scope_id &&
	       memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr,
		      &((const struct sockaddr_in6 *)b)->sin6_addr,
		      sizeof(struct in6_addr)) == 0;
}

/*
 * The source address as text, and its port. Most messages come from the
 * same gateway as the one before: its text is kept (inet_ntop costs more
 * than a message's whole Via check).
 */
static int source_ip(struct gw_sip *s, const struct gw_tp_peer *from,
		     char ip[INET6_ADDRSTRLEN], uint16_t *portp)
{
	int err;

	if (s->src_ip[0] && same_host(&s->src, &from->addr)) {
		memcpy(ip, s->src_ip, sizeof(s->src_ip));
		*portp = port_of(&from->addr);
		return 0;
	}
	err = gw_tp_peer_ip(from, ip, INET6_ADDRSTRLEN, portp);
	if (!err) {
		s->src = from->addr;
		memcpy(s->src_ip, ip, sizeof(s->src_ip));
	}
	return err;
}

/*
 * A message from the transport, parsed and checked once there (with the
 * top Via's received/rport set): the ua works on that message, and on
 * the raw bytes for what it copies as text.
 */
static void recv_h(osip_message_t *msg, const char *raw, size_t len,
		   const struct gw_tp_peer *from, void *arg)
{
	struct gw_sip *s = arg;
	char ip[INET6_ADDRSTRLEN], ps[GW_TP_PEER_STRLEN];
	struct pint_tsx_peer src;
	uint16_t port;
	int err;

	if (source_ip(s, from, ip, &port) != 0) {
		osip_message_free(msg);
		return;
	}
	if (log_enabled(LOG_LEVEL_DEBUG) &&
	    gw_tp_peer_str(from, ps, sizeof(ps)) == 0)
		log_debug("sip: in %s %.*s", ps, line_len(raw, len), raw);
	src.transport = from->proto == GW_TP_TCP ? PINT_TSX_TCP : PINT_TSX_UDP;
	src.addr = ip;
	src.port = port;
	err = pint_ua_recv_msg(s->ua, msg, raw, len, &src, gw_sip_now(s));
	osip_message_free(msg);
	if (err && log_enabled(LOG_LEVEL_DEBUG))
		log_debug("sip: message from %s:%u dropped: %s", ip, port,
			  strerror(err));
}

/* A lost TCP connection: the transaction layer times out on its own. */
static void tp_err_h(const struct gw_tp_peer *peer, int err, void *arg)
{
	char ps[GW_TP_PEER_STRLEN];

	(void)arg;
	if (log_enabled(LOG_LEVEL_DEBUG) &&
	    gw_tp_peer_str(peer, ps, sizeof(ps)) == 0)
		log_debug("sip: connection %s lost: %s", ps, strerror(err));
}

/*
 * The ua's send handler. TCP peers carry no connection id: the transport
 * finds the open connection to that address (an accepted one included),
 * so answers to a gateway's requests go back on its connection.
 */
static int send_h(const char *buf, size_t len, const struct pint_tsx_peer *peer,
		  void *arg)
{
	struct gw_sip *s = arg;
	char ps[GW_TP_PEER_STRLEN];
	struct gw_tp_peer to;
	int err;

	err = gw_tp_peer_from_str(&to, peer->transport == PINT_TSX_TCP ?
				  "tcp" : "udp", peer->addr, peer->port);
	if (err)
		return err;
	if (log_enabled(LOG_LEVEL_DEBUG) &&
	    gw_tp_peer_str(&to, ps, sizeof(ps)) == 0)
		log_debug("sip: out %s %.*s", ps, line_len(buf, len), buf);
	err = gw_tp_send(s->tp, &to, buf, len);
	if (err && log_enabled(LOG_LEVEL_DEBUG))
		log_debug("sip: send to %s:%u failed: %s", peer->addr,
			  peer->port, strerror(err));
	return err;
}

static void event_h(uint64_t ref, const struct pint_status_ev *ev, void *arg)
{
	struct gw_sip *s = arg;

	if (s->evh)
		s->evh(ref, ev, s->arg);
}

static void gateway_h(size_t idx, enum pint_gwset_health health, void *arg)
{
	struct gw_sip *s = arg;
	const struct pint_gwset_conf *gc = pint_gwset_conf(s->gws, idx);

	if (!gc)
		return;
	log_info("sip: gateway %s %s", gc->name, pint_gwset_health_name(health));
	if (s->hh)
		s->hh(gc->name, health, s->arg);
}

/* ---- wiring: ua deadlines <-> loop --------------------------------------- */

static int prepare_h(void *arg)
{
	struct gw_sip *s = arg;
	uint64_t d = pint_ua_next_deadline(s->ua), now = gw_loop_now(s->loop);

	if (d == PINT_UA_NEVER)
		return -1;
	if (d <= now)
		/* a deadline a tick did not move must not spin the loop */
		return s->spin ? 1 : 0;
	return d - now > INT_MAX ? INT_MAX : (int)(d - now);
}

static void check_h(void *arg)
{
	struct gw_sip *s = arg;
	uint64_t now = gw_sip_now(s);

	if (pint_ua_next_deadline(s->ua) > now) {
		s->spin = false;
		return;
	}
	pint_ua_tick(s->ua, now);
	s->spin = pint_ua_next_deadline(s->ua) <= now;
}

/* ---- [sip]: sockets and local identities --------------------------------- */

static int open_tp(struct gw_sip *s, const struct gw_conf_sip *sc, char *msg,
		   size_t msgsize)
{
	struct gw_tp_listen_cfg lc[GW_TP_MAX_LISTENERS];
	struct gw_tp_local lp;
	struct gw_tp_cfg cfg;
	size_t n = 0, i, j, failed = SIZE_MAX;
	int err;

	memset(lc, 0, sizeof(lc));
	/* udp:H:P and tcp:H:P are one listener: the same port for both */
	for (i = 0; i < sc->nlisten; i++) {
		const struct gw_conf_addr *a = &sc->listen[i];

		for (j = 0; j < n; j++)
			if (strcmp(lc[j].addr, a->host) == 0 &&
			    lc[j].port == a->port)
				break;
		if (j == n) {
			if (n == GW_TP_MAX_LISTENERS) {
				snprintf(msg, msgsize,
					 "[sip] listen: more than %u addresses",
					 GW_TP_MAX_LISTENERS);
				return EINVAL;
			}
			lc[n].addr = a->host;
			lc[n].port = a->port;
			n++;
		}
		if (a->transport == PINT_TSX_TCP)
			lc[j].tcp = true;
		else
			lc[j].udp = true;
	}
	memset(&cfg, 0, sizeof(cfg));
	cfg.listen = lc;
	cfg.nlisten = n;
	cfg.udp_rcvbuf = sc->udp_buffer;
	cfg.udp_sndbuf = sc->udp_buffer;
	cfg.max_msg = sc->max_message;
	cfg.tcp_idle_ms = sc->tcp_idle_timeout > UINT32_MAX / 1000u ?
			  UINT32_MAX : sc->tcp_idle_timeout * 1000u;
	cfg.recv_h = recv_h;
	cfg.err_h = tp_err_h;
	cfg.arg = s;
	err = gw_tp_alloc(&s->tp, s->loop, &cfg, &failed);
	if (err) {
		if (failed < n)
			snprintf(msg, msgsize, "[sip] listen %s port %u: %s",
				 lc[failed].addr, lc[failed].port, strerror(err));
		else
			snprintf(msg, msgsize, "[sip] listen: %s", strerror(err));
		return err;
	}
	s->udp_ls = s->tcp_ls = -1;
	for (i = 0; i < n; i++) {
		if (gw_tp_local(s->tp, i, &lp) != 0)
			continue;
		if (lp.udp && s->udp_ls < 0) {
			s->udp_ls = (int)i;
			s->udp_port = port_of(&lp.addr);
		}
		if (lp.tcp && s->tcp_ls < 0) {
			s->tcp_ls = (int)i;
			s->tcp_port = port_of(&lp.addr);
		}
	}
	return 0;
}

/* Via/Contact/From for each transport (the port of its listener). */
static int set_locals(struct gw_sip *s, const struct gw_conf_sip *sc,
		      char *msg, size_t msgsize)
{
	const char *ch = sc->contact_host;
	size_t i;
	int n;

	if (!ch || !sc->user || strlen(sc->user) >= sizeof(s->user)) {
		snprintf(msg, msgsize, "[sip] user: longer than %u bytes",
			 PINT_REQ_MAX_TOKEN);
		return EINVAL;
	}
	n = snprintf(s->host, sizeof(s->host), sc->contact_ipv6 ? "[%s]" : "%s",
		     ch);
	if (n < 0 || (size_t)n >= sizeof(s->host) ||
	    strlen(ch) >= sizeof(s->origin)) {
		snprintf(msg, msgsize, "[sip] contact_host: too long");
		return EINVAL;
	}
	memcpy(s->origin, ch, strlen(ch) + 1);
	s->origin_ipv6 = sc->contact_ipv6;
	memcpy(s->user, sc->user, strlen(sc->user) + 1);
	for (i = 0; i < 2; i++) {
		struct pint_req_local *l = &s->loc[i];
		bool tcp = i == PINT_TSX_TCP;

		memset(l, 0, sizeof(*l));
		l->host = s->host;
		l->user = s->user;
		l->transport = tcp ? "TCP" : "UDP";
		/* a missing transport borrows the other's port */
		if (tcp)
			l->port = s->tcp_ls >= 0 ? s->tcp_port : s->udp_port;
		else
			l->port = s->udp_ls >= 0 ? s->udp_port : s->tcp_port;
	}
	return 0;
}

/* ---- [gateway NAME]: the set --------------------------------------------- */

struct gws_build {
	struct pint_gwset_conf confs[GW_CONF_MAX_GATEWAYS];
	char addr[GW_CONF_MAX_GATEWAYS][1 + PINT_GWSET_MAX_ADDRS][INET6_ADDRSTRLEN];
};

/* The families pintgw has listeners for (UDP needs one to send from). */
static void families(const struct gw_sip *s, bool *v4, bool *v6)
{
	struct gw_tp_local lp;
	size_t i;

	*v4 = *v6 = false;
	for (i = 0; s->tp && gw_tp_local(s->tp, i, &lp) == 0; i++) {
		if (lp.addr.ss_family == AF_INET)
			*v4 = true;
		else if (lp.addr.ss_family == AF_INET6)
			*v6 = true;
	}
}

/*
 * host as the canonical numeric text the transport reports sources in
 * (so that address checks compare like with like). Literals go straight
 * through; a name is resolved once, preferring a family we listen on.
 */
static int canon_addr(const struct gw_sip *s, const char *host, bool stream,
		      char out[INET6_ADDRSTRLEN], const char **whyp)
{
	struct addrinfo hints, *res = NULL, *ai, *pick = NULL;
	unsigned char bin[sizeof(struct in6_addr)];
	bool v4, v6;
	int rc;

	*whyp = NULL;
	if (inet_pton(AF_INET, host, bin) == 1)
		return inet_ntop(AF_INET, bin, out, INET6_ADDRSTRLEN) ? 0 : EINVAL;
	if (inet_pton(AF_INET6, host, bin) == 1)
		return inet_ntop(AF_INET6, bin, out, INET6_ADDRSTRLEN) ? 0 : EINVAL;
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = stream ? SOCK_STREAM : SOCK_DGRAM;
	rc = getaddrinfo(host, NULL, &hints, &res);
	if (rc != 0) {
		*whyp = gai_strerror(rc);
		return ENOENT;
	}
	families(s, &v4, &v6);
	for (ai = res; ai; ai = ai->ai_next) {
		if (ai->ai_family != AF_INET && ai->ai_family != AF_INET6)
			continue;
		if (!pick)
			pick = ai;
		if ((ai->ai_family == AF_INET && v4) ||
		    (ai->ai_family == AF_INET6 && v6)) {
			pick = ai;
			break;
		}
	}
	rc = ENOENT;
	if (!pick)
		*whyp = "no IPv4 or IPv6 address";
	else if (pick->ai_family == AF_INET &&
		 inet_ntop(AF_INET, &((struct sockaddr_in *)pick->ai_addr)->sin_addr,
			   out, INET6_ADDRSTRLEN))
		rc = 0;
	else if (pick->ai_family == AF_INET6 &&
		 inet_ntop(AF_INET6, &((struct sockaddr_in6 *)pick->ai_addr)->sin6_addr,
			   out, INET6_ADDRSTRLEN))
		rc = 0;
	freeaddrinfo(res);
	return rc;
}

/* b->confs[0..conf->ngateways) for pint_gwset, addresses in b->addr. */
static int build_gws(const struct gw_sip *s, const struct gw_conf *conf,
		     struct gws_build *b, char *msg, size_t msgsize)
{
	const char *why, *field = NULL;
	size_t i, j, bad = 0;
	int err;

	if (conf->ngateways > GW_CONF_MAX_GATEWAYS) {
		snprintf(msg, msgsize, "more than %u gateways", GW_CONF_MAX_GATEWAYS);
		return EINVAL;
	}
	for (i = 0; i < conf->ngateways; i++) {
		const struct gw_conf_gateway *gw = &conf->gateways[i];
		struct pint_gwset_conf *gc = &b->confs[i];

		err = canon_addr(s, gw->peer.host, gw->peer.transport == PINT_TSX_TCP,
				 b->addr[i][0], &why);
		if (err) {
			snprintf(msg, msgsize, "[gateway %s] address %s: %s",
				 gw->name, gw->peer.host,
				 why ? why : "not an address");
			return err;
		}
		err = gw_conf_gwset(gw, b->addr[i][0], gc);
		if (err) {
			snprintf(msg, msgsize, "[gateway %s]: %s", gw->name,
				 strerror(err));
			return err;
		}
		for (j = 0; j < gc->naddrs && j < PINT_GWSET_MAX_ADDRS; j++) {
			err = canon_addr(s, gc->addrs[j], false, b->addr[i][1 + j],
					 &why);
			if (err) {
				snprintf(msg, msgsize, "[gateway %s] allow_from %s: %s",
					 gw->name, gc->addrs[j],
					 why ? why : "not an address");
				return err;
			}
			gc->addrs[j] = b->addr[i][1 + j];
		}
	}
	err = pint_gwset_check(b->confs, conf->ngateways, &bad, &field);
	if (err) {
		if (err == EINVAL && bad < conf->ngateways)
			snprintf(msg, msgsize, "[gateway %s] %s: not usable",
				 conf->gateways[bad].name, field ? field : "?");
		else
			snprintf(msg, msgsize, "gateways: %s", strerror(err));
	}
	return err;
}

static int make_gws(struct gw_sip *s, const struct gw_conf *conf, bool replace,
		    char *msg, size_t msgsize)
{
	struct gws_build *b;
	int err;

	b = calloc(1, sizeof(*b));
	if (!b) {
		snprintf(msg, msgsize, "gateways: %s", strerror(ENOMEM));
		return ENOMEM;
	}
	err = build_gws(s, conf, b, msg, msgsize);
	if (!err) {
		err = replace ? pint_gwset_replace(s->gws, b->confs, conf->ngateways) :
				pint_gwset_alloc(&s->gws, b->confs, conf->ngateways);
		if (err)
			snprintf(msg, msgsize, "gateways: %s", strerror(err));
	}
	free(b);
	return err;
}

/* ---- lifetime ------------------------------------------------------------ */

static int make_ua(struct gw_sip *s, const struct gw_conf_sip *sc, char *msg,
		   size_t msgsize)
{
	struct pint_ua_handlers h;
	struct pint_ua_conf uc;
	int err;

	memset(&uc, 0, sizeof(uc));
	uc.udp = s->loc[PINT_TSX_UDP];
	uc.tcp = s->loc[PINT_TSX_TCP];
	uc.tsx.t1_ms = sc->t1;
	uc.tsx.t2_ms = sc->t2;
	uc.tsx.t4_ms = sc->t4;
	uc.user_agent = "pintgw/" PACKAGE_VERSION;
	uc.gwset = s->gws;
	uc.origin_addr = s->origin;
	uc.origin_ipv6 = s->origin_ipv6;
	uc.cid_host = s->host;          /* "[v6]": a valid Content-ID right side */
	uc.ring_timeout_ms = sc->ring_timeout > UINT32_MAX / 1000u ?
			     UINT32_MAX : sc->ring_timeout * 1000u;
	uc.max_redirects = sc->max_redirects > PINT_UA_MAX_REDIRECTS ?
			   PINT_UA_MAX_REDIRECTS : sc->max_redirects;
	uc.max_duration_ms = GW_SIP_MAX_DURATION_MS;
	memset(&h, 0, sizeof(h));
	h.send = send_h;
	h.event = event_h;
	h.gateway = gateway_h;
	h.rand = gw_sip_rand;
	h.arg = s;
	err = pint_ua_alloc(&s->ua, &uc, &h);
	if (err)
		snprintf(msg, msgsize, "sip: user agent: %s", strerror(err));
	return err;
}

/*
 * The SIP side for conf (copied where kept): bind [sip] listen, resolve
 * and load the [gateway] sections, start the ua and hook it to loop.
 * pint_sip_init() must have run. evh gets every call's events and hh
 * health changes (either may be NULL), both with arg. On error msg says
 * what, for the operator, and nothing is left behind: EINVAL (a setting),
 * ENOENT (a gateway name that does not resolve), a bind errno, ENOMEM.
 */
int gw_sip_alloc(struct gw_sip **sp, struct gw_loop *loop,
		 const struct gw_conf *conf, gw_sip_event_h *evh,
		 gw_sip_health_h *hh, void *arg, char *msg, size_t msgsize)
{
	struct gw_sip *s;
	char dummy[1];
	int err;

	if (!msg || !msgsize) {
		msg = dummy;
		msgsize = sizeof(dummy);
	}
	msg[0] = '\0';
	if (!sp || !loop || !conf) {
		snprintf(msg, msgsize, "sip: %s", strerror(EINVAL));
		return EINVAL;
	}
	s = calloc(1, sizeof(*s));
	if (!s) {
		snprintf(msg, msgsize, "sip: %s", strerror(ENOMEM));
		return ENOMEM;
	}
	s->loop = loop;
	s->evh = evh;
	s->hh = hh;
	s->arg = arg;
	s->udp_ls = s->tcp_ls = -1;
	err = open_tp(s, &conf->sip, msg, msgsize);
	if (!err)
		err = set_locals(s, &conf->sip, msg, msgsize);
	if (!err)
		err = make_gws(s, conf, false, msg, msgsize);
	if (!err)
		err = make_ua(s, &conf->sip, msg, msgsize);
	if (err) {
		gw_sip_free(s);
		return err;
	}
	gw_loop_add_prepare(loop, &s->prep, prepare_h, s);
	gw_loop_add_check(loop, &s->chk, check_h, s);
	s->hooked = true;
	/* every message parsed and printed reuses osip's small blocks */
	pint_sip_cache_use(true);
	*sp = s;
	return 0;
}

/*
 * Apply conf's [gateway] sections (resolved again); calls in progress go
 * on, gateways whose names survive keep their health and rest. Sockets,
 * identities and timers stay as they were (gw_conf_needs_restart says
 * which changes need a restart). On error nothing changed and msg says why.
 */
int gw_sip_reload(struct gw_sip *s, const struct gw_conf *conf,
		  char *msg, size_t msgsize)
{
	char dummy[1];
	int err;

	if (!msg || !msgsize) {
		msg = dummy;
		msgsize = sizeof(dummy);
	}
	msg[0] = '\0';
	if (!s || !conf)
		return EINVAL;
	err = make_gws(s, conf, true, msg, msgsize);
	if (err)
		return err;
	pint_ua_gateways_changed(s->ua);
	return 0;
}

/*
 * Close the sockets and free everything, calls included, without events
 * and without sending anything (NULL-safe). Not from inside a handler.
 */
void gw_sip_free(struct gw_sip *s)
{
	if (!s)
		return;
	if (s->hooked) {
		gw_loop_del_prepare(s->loop, &s->prep);
		gw_loop_del_check(s->loop, &s->chk);
	}
	pint_ua_free(s->ua);
	gw_tp_free(s->tp);
	pint_gwset_free(s->gws);
	if (s->hooked)
		pint_sip_cache_use(false);
	explicit_bzero(s->rpool, sizeof(s->rpool));
	free(s);
}

/* ---- calls --------------------------------------------------------------- */

/* pint_ua_call_start at the loop's time; the same errors. */
int gw_sip_call_start(struct gw_sip *s, uint64_t ref,
		      const struct pint_ua_call_params *p)
{
	if (!s || !p)
		return EINVAL;
	return pint_ua_call_start(s->ua, ref, p, gw_sip_now(s));
}

/* pint_ua_call_cancel at the loop's time; the same errors. */
int gw_sip_call_cancel(struct gw_sip *s, uint64_t ref)
{
	if (!s)
		return EINVAL;
	return pint_ua_call_cancel(s->ua, ref, gw_sip_now(s));
}

/* pint_ua_call_info: views valid until the next gw_sip_* call. */
int gw_sip_call_info(const struct gw_sip *s, uint64_t ref,
		     struct pint_ua_call_info *info)
{
	if (!s)
		return EINVAL;
	return pint_ua_call_info(s->ua, ref, info);
}

/* pint_ua_watch at the loop's time: re-subscribe after a restart. */
int gw_sip_watch(struct gw_sip *s, uint64_t ref, const char *gateway,
		 const char *sdp, size_t sdp_len)
{
	if (!s)
		return EINVAL;
	return pint_ua_watch(s->ua, ref, gateway, sdp, sdp_len, gw_sip_now(s));
}

/* ---- state --------------------------------------------------------------- */

/* Ready for /readyz: at least one gateway answers its keepalives. */
bool gw_sip_ready(const struct gw_sip *s)
{
	return s && pint_gwset_any_up(s->gws);
}

/* The bound port of the first UDP (tcp false) or TCP listener, 0: none. */
uint16_t gw_sip_port(const struct gw_sip *s, bool tcp)
{
	if (!s)
		return 0;
	if (tcp)
		return s->tcp_ls >= 0 ? s->tcp_port : 0;
	return s->udp_ls >= 0 ? s->udp_port : 0;
}
