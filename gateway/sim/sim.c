/*
 * gateway/sim/sim.c — the simulator's lifetime and wiring: its sockets
 * (gateway/transport) feed a transaction layer (pint/tsx) whose deadline
 * is the loop's through a prepare hook; new requests are dispatched by
 * method to sim_invite.c and sim_sub.c; what leaves goes through
 * sim_wire.c, which the trace hook sees. Sessions and subscriptions that
 * end are freed by the reaper at the end of the loop turn.
 */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "gateway/log.h"
#include "gateway/sim/sim_int.h"

/* ---- the reaper ---------------------------------------------------------- */

static void reap_h(void *arg)
{
	struct gw_sim *sim = arg;

	while (sim->dead_calls) {
		struct sim_call *c = sim->dead_calls;

		sim->dead_calls = c->next_dead;
		sim_call_free(sim, c);
	}
	while (sim->dead_subs) {
		struct sim_sub *s = sim->dead_subs;

		sim->dead_subs = s->next_dead;
		sim_sub_free(sim, s);
	}
}

/* Free the dead at the end of this loop turn (never inside a callback). */
void sim_reap_later(struct gw_sim *sim)
{
	if (!gw_defer_pending(&sim->reaper))
		gw_loop_defer(sim->loop, &sim->reaper, reap_h, sim);
}

/* ---- what comes in ------------------------------------------------------- */

static void on_req(struct pint_tsx *tsx, osip_message_t *req,
		   const struct pint_tsx_peer *src, void *arg)
{
	struct gw_sim *sim = arg;
	const char *m = req->sip_method;
	struct pint_pl tag;
	bool tagged = pint_sip_to_tag(req, &tag) == 0;

	if (!strcmp(m, "INVITE")) {
		if (tagged)
			sim_call_reinvite(sim, tsx, req);
		else
			sim_call_invite(sim, tsx, req, src);
	} else if (!strcmp(m, "SUBSCRIBE")) {
		if (tagged)
			sim_sub_in_dialog(sim, tsx, req, false);
		else
			sim_sub_subscribe(sim, tsx, req, src);
	} else if (!strcmp(m, "UNSUBSCRIBE")) {
		sim_sub_in_dialog(sim, tsx, req, true);
	} else if (!strcmp(m, "BYE")) {
		sim_call_bye(sim, tsx, req);
	} else if (!strcmp(m, "OPTIONS")) {
		(void)sim_reply_code(sim, tsx, req, 200);
	} else if (!strcmp(m, "REGISTER")) {
		struct sim_resp r;
		uint32_t secs = 3600;

		memset(&r, 0, sizeof(r));
		r.code = 200;
		(void)pint_sip_expires(req, 3600, &secs);
		r.expires = secs;
		(void)sim_reply(sim, tsx, req, &r);
	} else if (!strcmp(m, "NOTIFY")) {
		/* the simulator subscribes to nothing */
		(void)sim_reply_code(sim, tsx, req, 481);
	} else {
		(void)sim_reply_code(sim, tsx, req, 405);
	}
}

static void on_cancel(struct pint_tsx *ist, osip_message_t *cancel, void *arg)
{
	struct gw_sim *sim = arg;
	uint8_t *k = pint_tsx_ctx(ist);

	(void)cancel;
	if (k && *k == SIM_K_IST)
		sim_call_cancel(sim, SIM_OF(k, struct sim_call, k_ist));
}

static void on_resp(struct pint_tsx *tsx, osip_message_t *resp, void *arg)
{
	struct gw_sim *sim = arg;
	uint8_t *k = pint_tsx_ctx(tsx);

	if (!k || resp->status_code < 200)
		return;
	pint_tsx_set_ctx(tsx, NULL);
	if (*k == SIM_K_SUB) {
		sim_sub_resp(sim, SIM_OF(k, struct sim_sub, kind), resp);
	} else if (*k == SIM_K_BYE) {
		struct sim_call *c = SIM_OF(k, struct sim_call, k_bye);

		c->bye_tsx = 0;
	}
}

static void on_fail(struct pint_tsx *tsx, int err, void *arg)
{
	struct gw_sim *sim = arg;
	uint8_t *k = pint_tsx_ctx(tsx);

	if (!k)
		return;
	pint_tsx_set_ctx(tsx, NULL);
	switch (*k) {
	case SIM_K_IST:
		sim_call_ist_failed(sim, SIM_OF(k, struct sim_call, k_ist),
				    err);
		break;
	case SIM_K_BYE:
		SIM_OF(k, struct sim_call, k_bye)->bye_tsx = 0;
		break;
	case SIM_K_SUB:
		sim_sub_failed(sim, SIM_OF(k, struct sim_sub, kind));
		break;
	default:
		break;
	}
}

static void on_stray(osip_message_t *msg, const struct pint_tsx_peer *src,
		     void *arg)
{
	struct gw_sim *sim = arg;

	(void)src;
	if (MSG_IS_REQUEST(msg) && !strcmp(msg->sip_method, "ACK"))
		sim_call_ack(sim, msg);
}

/*
 * The transport's receive handler. An INVITE the outcome table makes a
 * black hole (0999) is dropped here, before the transaction layer could
 * answer 100; everything else goes to the layer as raw bytes.
 */
static void recv_h(osip_message_t *msg, const char *raw, size_t len,
		   const struct gw_tp_peer *from, void *arg)
{
	struct gw_sim *sim = arg;
	char ip[INET6_ADDRSTRLEN];
	struct pint_tsx_peer src;
	enum gw_sim_outcome o;
	struct pint_pl tag;
	uint16_t port;
	int err;

	if (MSG_IS_REQUEST(msg) && !strcmp(msg->sip_method, "INVITE") &&
	    pint_sip_to_tag(msg, &tag) != 0 &&
	    sim_prefilter_outcome(sim, msg, &o) == 0 &&
	    o == GW_SIM_BLACK_HOLE) {
		sim->st.absorbed++;
		sim_trace_msg(sim, false, true, from, raw, len);
		osip_message_free(msg);
		return;
	}
	osip_message_free(msg);
	sim_trace_msg(sim, false, false, from, raw, len);
	if (gw_tp_peer_ip(from, ip, sizeof(ip), &port) != 0)
		return;
	src.transport = from->proto == GW_TP_TCP ? PINT_TSX_TCP : PINT_TSX_UDP;
	src.addr = ip;
	src.port = port;
	sim->cur_raw = raw;
	sim->cur_len = len;
	err = pint_tsx_recv(sim->tsx, raw, len, &src, sim_now(sim));
	sim->cur_raw = NULL;
	sim->cur_len = 0;
	if (err)
		log_debug("sim: message from %s:%u dropped: %s", ip, port,
			  strerror(err));
}

static void tp_err_h(const struct gw_tp_peer *peer, int err, void *arg)
{
	char ps[GW_TP_PEER_STRLEN];

	(void)arg;
	if (gw_tp_peer_str(peer, ps, sizeof(ps)) == 0)
		log_debug("sim: connection %s lost: %s", ps, strerror(err));
}

/* ---- the layer's deadlines on the loop ----------------------------------- */

static int prepare_h(void *arg)
{
	struct gw_sim *sim = arg;
	uint64_t d = pint_tsx_next_deadline(sim->tsx), now = sim_now(sim);

	if (d == PINT_TSX_NEVER)
		return -1;
	if (d <= now)
		/* a deadline a tick did not move must not spin the loop */
		return sim->spin ? 1 : 0;
	return d - now > INT_MAX ? INT_MAX : (int)(d - now);
}

static void check_h(void *arg)
{
	struct gw_sim *sim = arg;
	uint64_t now = sim_now(sim);

	if (pint_tsx_next_deadline(sim->tsx) > now) {
		sim->spin = false;
		return;
	}
	pint_tsx_tick(sim->tsx, now);
	sim->spin = pint_tsx_next_deadline(sim->tsx) <= now;
}

/* ---- lifetime ------------------------------------------------------------ */

static uint16_t port_of(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)ss)->sin6_port);
	return ntohs(((const struct sockaddr_in *)ss)->sin_port);
}

static int open_tp(struct gw_sim *sim, const struct gw_sim_conf *conf,
		   char *msg, size_t msgsize)
{
	struct gw_tp_local lp;
	struct gw_tp_cfg cfg;
	size_t failed = SIZE_MAX, i;
	int err;

	memset(&cfg, 0, sizeof(cfg));
	cfg.listen = conf->listen;
	cfg.nlisten = conf->nlisten;
	cfg.recv_h = recv_h;
	cfg.err_h = tp_err_h;
	cfg.arg = sim;
	err = gw_tp_alloc(&sim->tp, sim->loop, &cfg, &failed);
	if (err) {
		if (failed < conf->nlisten)
			snprintf(msg, msgsize, "sim: listen %s port %u: %s",
				 conf->listen[failed].addr,
				 conf->listen[failed].port, strerror(err));
		else
			snprintf(msg, msgsize, "sim: listen: %s",
				 strerror(err));
		return err;
	}
	for (i = 0; i < conf->nlisten; i++) {
		if (gw_tp_local(sim->tp, i, &lp) != 0)
			continue;
		if (lp.udp && sim->udp_ls < 0) {
			sim->udp_ls = (int)i;
			sim->udp_port = port_of(&lp.addr);
		}
		if (lp.tcp && sim->tcp_ls < 0) {
			sim->tcp_ls = (int)i;
			sim->tcp_port = port_of(&lp.addr);
		}
	}
	return 0;
}

/* Via/Contact host: the configured one, else the first listen address
 * (a wildcard becomes the loopback address of its family). */
static int set_locals(struct gw_sim *sim, const struct gw_sim_conf *conf,
		      char *msg, size_t msgsize)
{
	const char *h = conf->contact_host ? conf->contact_host :
			conf->listen[0].addr;
	size_t i, n;
	int w;

	if (!strcmp(h, "0.0.0.0"))
		h = "127.0.0.1";
	else if (!strcmp(h, "::") || !strcmp(h, "[::]"))
		h = "::1";
	n = strlen(h);
	if (strchr(h, ':') && h[0] != '[')
		w = snprintf(sim->host, sizeof(sim->host), "[%s]", h);
	else
		w = snprintf(sim->host, sizeof(sim->host), "%s", h);
	if (w < 0 || (size_t)w >= sizeof(sim->host) || !n) {
		snprintf(msg, msgsize, "sim: contact host too long");
		return EINVAL;
	}
	snprintf(sim->user, sizeof(sim->user), "%s",
		 conf->user ? conf->user : "pintsim");
	if (pint_req_check_token(sim->user, PINT_REQ_MAX_TOKEN)) {
		snprintf(msg, msgsize, "sim: user: not a SIP token");
		return EINVAL;
	}
	for (i = 0; i < 2; i++) {
		struct pint_req_local *l = &sim->loc[i];
		bool tcp = i == 1;

		memset(l, 0, sizeof(*l));
		l->host = sim->host;
		l->user = sim->user;
		l->transport = tcp ? "TCP" : "UDP";
		/* a missing transport borrows the other's port */
		if (tcp)
			l->port = sim->tcp_ls >= 0 ? sim->tcp_port :
						     sim->udp_port;
		else
			l->port = sim->udp_ls >= 0 ? sim->udp_port :
						     sim->tcp_port;
	}
	snprintf(sim->agent, sizeof(sim->agent), "%s:%u", sim->host,
		 sim->loc[0].port);
	return 0;
}

/* conf's strings, copied and checked; msg says what is wrong. */
static int copy_conf(struct gw_sim *sim, const struct gw_sim_conf *conf,
		     char *msg, size_t msgsize)
{
	size_t i;
	int err = 0;

	sim->speed = conf->speed > 0 ? conf->speed : 1.0;
	if (sim->speed < GW_SIM_MIN_SPEED || sim->speed > GW_SIM_MAX_SPEED) {
		snprintf(msg, msgsize, "sim: speed %g outside %g .. %g",
			 sim->speed, GW_SIM_MIN_SPEED, GW_SIM_MAX_SPEED);
		return EINVAL;
	}
	sim->mode = conf->mode;
	sim->require_mode = conf->require_mode;
	sim->retention = conf->retention ? conf->retention : GW_SIM_RETENTION;
	sim->max_expires = conf->max_expires ? conf->max_expires :
			   GW_SIM_MAX_EXPIRES;
	sim->trace = conf->trace;
	sim->trace_arg = conf->trace_arg;
	if (conf->outcome) {
		if (gw_sim_outcome_parse(conf->outcome, &sim->force)) {
			snprintf(msg, msgsize,
				 "sim: outcome %s: not in the table",
				 conf->outcome);
			return EINVAL;
		}
		sim->forced = true;
	}
	if (!conf->listen || !conf->nlisten ||
	    conf->nlisten > GW_TP_MAX_LISTENERS) {
		snprintf(msg, msgsize, "sim: 1 to %u listen addresses",
			 GW_TP_MAX_LISTENERS);
		return EINVAL;
	}
	if (conf->nservices > GW_SIM_MAX_SERVICES ||
	    conf->nsubtypes > GW_SIM_MAX_SUBTYPES) {
		snprintf(msg, msgsize, "sim: too many services or subtypes");
		return EINVAL;
	}
	for (i = 0; i < conf->nservices; i++) {
		const char *s = conf->services[i];

		/* room for the redirect suffix in a Contact user */
		if (!s || pint_req_check_token(s, PINT_REQ_MAX_TOKEN -
					       (sizeof(SIM_ALT) - 1))) {
			snprintf(msg, msgsize,
				 "sim: service %s: not a SIP token",
				 s ? s : "(null)");
			return EINVAL;
		}
		err = sim_dupstr(&sim->services[i], s);
		if (err)
			goto nomem;
		sim->nservices++;
	}
	for (i = 0; i < conf->nsubtypes; i++) {
		const struct gw_sim_subtype *st = &conf->subtypes[i];

		if (!st->type || !st->spelling || !strchr(st->type, '/') ||
		    pint_req_check_token(st->spelling, PINT_REQ_MAX_TOKEN)) {
			snprintf(msg, msgsize,
				 "sim: subtype %s=%s: not TYPE/SUB=TOKEN",
				 st->type ? st->type : "",
				 st->spelling ? st->spelling : "");
			return EINVAL;
		}
		err = sim_dupstr(&sim->sub_type[i], st->type);
		if (!err)
			err = sim_dupstr(&sim->sub_spell[i], st->spelling);
		sim->nsubtypes++;
		if (err)
			goto nomem;
	}
	if ((conf->auth_user == NULL) != (conf->auth_password == NULL) ||
	    (conf->auth_user && (strpbrk(conf->auth_user, "\"\\\r\n") ||
				 !*conf->auth_user))) {
		snprintf(msg, msgsize, "sim: auth: user:password, no quotes");
		return EINVAL;
	}
	if (conf->realm && strpbrk(conf->realm, "\"\\\r\n")) {
		snprintf(msg, msgsize, "sim: realm: no quotes or line ends");
		return EINVAL;
	}
	err = sim_dupstr(&sim->realm, conf->realm ? conf->realm : "pintsim");
	if (!err && conf->auth_user)
		err = sim_dupstr(&sim->auth_user, conf->auth_user);
	if (!err && conf->auth_password)
		err = sim_dupstr(&sim->auth_password, conf->auth_password);
	if (!err)
		return 0;
nomem:
	snprintf(msg, msgsize, "sim: %s", strerror(err));
	return err;
}

static int make_tsx(struct gw_sim *sim, char *msg, size_t msgsize)
{
	struct pint_tsx_handlers h;
	struct pint_tsx_config tc;
	int err;

	memset(&tc, 0, sizeof(tc));
	err = sim_rand(tc.hash_key, sizeof(tc.hash_key));
	if (!err)
		err = sim_rand(sim->sipkey, sizeof(sim->sipkey));
	memset(&h, 0, sizeof(h));
	h.send = sim_tsx_send;
	h.resp = on_resp;
	h.fail = on_fail;
	h.req = on_req;
	h.cancel = on_cancel;
	h.stray = on_stray;
	h.arg = sim;
	if (!err)
		err = pint_tsx_layer_alloc(&sim->tsx, &tc, &h);
	if (err)
		snprintf(msg, msgsize, "sim: transactions: %s", strerror(err));
	return err;
}

/*
 * A simulator on loop for conf (copied): bind the listen addresses, set
 * up the transactions, hook them to the loop. pint_sip_init() must have
 * run. On error msg says what and nothing is left: EINVAL (a setting), a
 * bind errno, ENOMEM.
 */
int gw_sim_alloc(struct gw_sim **simp, struct gw_loop *loop,
		 const struct gw_sim_conf *conf, char *msg, size_t msgsize)
{
	struct gw_sim *sim;
	char dummy[1];
	int err;

	if (!msg || !msgsize) {
		msg = dummy;
		msgsize = sizeof(dummy);
	}
	msg[0] = '\0';
	if (!simp || !loop || !conf) {
		snprintf(msg, msgsize, "sim: %s", strerror(EINVAL));
		return EINVAL;
	}
	sim = calloc(1, sizeof(*sim));
	if (!sim) {
		snprintf(msg, msgsize, "sim: %s", strerror(ENOMEM));
		return ENOMEM;
	}
	sim->loop = loop;
	sim->udp_ls = sim->tcp_ls = -1;
	sim_list_init(&sim->calls);
	sim_list_init(&sim->orphans);
	pint_hash_init(&sim->by_cid);
	pint_hash_init(&sim->by_origin);
	pint_hash_init(&sim->by_sub);
	err = copy_conf(sim, conf, msg, msgsize);
	if (!err)
		err = open_tp(sim, conf, msg, msgsize);
	if (!err)
		err = set_locals(sim, conf, msg, msgsize);
	if (!err)
		err = make_tsx(sim, msg, msgsize);
	if (err) {
		gw_sim_free(sim);
		return err;
	}
	gw_loop_add_prepare(loop, &sim->prep, prepare_h, sim);
	gw_loop_add_check(loop, &sim->chk, check_h, sim);
	sim->hooked = true;
	*simp = sim;
	return 0;
}

/*
 * Close the sockets and free every session and subscription without
 * sending anything (NULL-safe). Not from inside one of its callbacks.
 */
void gw_sim_free(struct gw_sim *sim)
{
	size_t i;

	if (!sim)
		return;
	if (sim->hooked) {
		gw_loop_del_prepare(sim->loop, &sim->prep);
		gw_loop_del_check(sim->loop, &sim->chk);
	}
	while (!sim_list_empty(&sim->orphans))
		sim_sub_release(sim, SIM_OF(sim->orphans.next, struct sim_sub,
					    link));
	while (!sim_list_empty(&sim->calls)) {
		struct sim_call *c = SIM_OF(sim->calls.next, struct sim_call,
					    link);

		sim_list_del(&c->link);
		sim_call_free(sim, c);
	}
	reap_h(sim);
	gw_loop_defer_cancel(sim->loop, &sim->reaper);
	pint_tsx_layer_free(sim->tsx);
	gw_tp_free(sim->tp);
	pint_hash_reset(&sim->by_cid, NULL, NULL);
	pint_hash_reset(&sim->by_origin, NULL, NULL);
	pint_hash_reset(&sim->by_sub, NULL, NULL);
	for (i = 0; i < sim->nservices; i++)
		free(sim->services[i]);
	for (i = 0; i < sim->nsubtypes; i++) {
		free(sim->sub_type[i]);
		free(sim->sub_spell[i]);
	}
	free(sim->realm);
	free(sim->auth_user);
	free(sim->auth_password);
	free(sim);
}

/* ---- state --------------------------------------------------------------- */

/* The bound port of the first UDP (tcp false) or TCP listener, 0: none. */
uint16_t gw_sim_port(const struct gw_sim *sim, bool tcp)
{
	if (!sim)
		return 0;
	if (tcp)
		return sim->tcp_ls >= 0 ? sim->tcp_port : 0;
	return sim->udp_ls >= 0 ? sim->udp_port : 0;
}

/* Copy the counters out (all zero for no simulator). */
void gw_sim_stats(const struct gw_sim *sim, struct gw_sim_stats *st)
{
	if (sim)
		*st = sim->st;
	else
		memset(st, 0, sizeof(*st));
}

/* One line per session: id, service, outcome, state, subscriptions. */
int gw_sim_debug(const struct gw_sim *sim, struct pint_mbuf *mb)
{
	const struct gw_link *l;
	int err = 0;

	if (!sim || !mb)
		return EINVAL;
	for (l = sim->calls.next; l != &sim->calls && !err; l = l->next) {
		const struct sim_call *c = SIM_OF(l, struct sim_call, link);
		const struct gw_link *s;
		size_t nsubs = 0;

		for (s = c->subs.next; s != &c->subs; s = s->next)
			nsubs++;
		err = pint_mbuf_printf(mb, "session %llu %s %s %s code=%u "
				       "call-id=%s subs=%zu%s\n",
				       (unsigned long long)c->id, c->service,
				       gw_sim_outcome_name(c->outcome),
				       sim_call_state_name(c->state), c->code,
				       c->call_id, nsubs,
				       c->acked ? " acked" : "");
	}
	if (!err)
		err = pint_tsx_debug(sim->tsx, mb);
	return err;
}
