/*
 * tools/pintcall.c — start PINT service calls through gateway/sipgw and
 * print what happens, one JSON object per line: for tests (the tests/it scripts
 * against SIPp) and the benchmark.
 *
 *   pintcall --gateway udp:127.0.0.1:5070 --to +15555550199 \
 *            --from +15555550100 --count 10 --rate 5
 *
 * Every status event is a line {"ref":1,"t_ms":12,"status":"proceeding",
 * "sip_code":180,...}; a cancel issued is {"ref":1,"action":"cancel",...};
 * the last line is the summary. SIGTERM or SIGINT ends the run early
 * (the summary is still printed). Exit status 0 when every call reached
 * exactly one terminal state, 1 otherwise (timeout, start error, a
 * second terminal event), 2 for bad usage.
 */
#include <errno.h>
#include <math.h>
#include <getopt.h>
#include <signal.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gateway/config.h"
#include "gateway/log.h"
#include "gateway/loop.h"
#include "gateway/sipgw.h"
#include "pint/mbuf.h"
#include "pint/sip.h"
#include "pint/tel.h"

#define MAX_GATEWAYS 8
#define MAX_LISTEN 8
#define MAX_COUNT 10000000ul
#define CONF_MAX (64u * 1024u)

struct opts {
	const char *config;
	const char *gateways[MAX_GATEWAYS];
	size_t ngateways;
	const char *listen[MAX_LISTEN];
	size_t nlisten;
	const char *prefer;
	const char *domain;
	const char *service;
	const char *to;
	const char *from;
	const char *context;
	const char *content_text;
	const char *content_url;
	const char *content_type;
	const char *info;
	const char *email;
	const char *user;
	const char *password;
	const char *status_mode;
	int fallback;                   /* -1: the config's default */
	bool track;
	unsigned long count;
	double rate;                    /* calls per second, 0: all at once */
	long cancel_after;              /* ms, -1: never */
	unsigned long ring_timeout;     /* s, 0: the config's */
	unsigned long expires;          /* subscribe_expires, 0: default */
	unsigned long t1;               /* ms, 0: default */
	unsigned long timeout;          /* s, whole run */
	unsigned long linger;           /* ms after the last terminal event */
	bool quiet;
	bool verbose;
};

struct call {
	struct gw_timer cancel;         /* --cancel-after */
	uint8_t terminals;
};

struct run {
	struct opts o;
	struct gw_loop *loop;
	struct gw_sip *sip;
	struct gw_conf *conf;
	struct call *calls;             /* [count], ref = index + 1 */
	struct pint_svc_def def;
	struct pint_tel to, from;
	struct pint_svc_item item;
	struct pint_svc_req req;
	struct pint_ua_call_params params;
	struct gw_timer pace, guard, linger;
	struct gw_signal sigterm, sigint;
	uint64_t t0;
	unsigned long started, start_errors, terminal, duplicates, cancels;
	unsigned long by_status[PINT_STATUS_EXPIRED + 1];
	unsigned long by_outcome[PINT_OUTCOME_ERROR + 1];
	bool timed_out;
};

/* ---- JSON output ----------------------------------------------------------- */

static void jstr(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	fputc('"', f);
	for (; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p < 0x20 || *p == 0x7f)
			fprintf(f, "\\u%04x", *p);
		else
			fputc(*p, f);
	}
	fputc('"', f);
}

static void jkey(FILE *f, const char *k, const char *v)
{
	fprintf(f, ",\"%s\":", k);
	jstr(f, v);
}

static void print_event(struct run *r, uint64_t ref,
			const struct pint_status_ev *ev)
{
	struct pint_ua_call_info ci;
	FILE *f = stdout;

	fprintf(f, "{\"ref\":%" PRIu64 ",\"t_ms\":%" PRIu64, ref,
		gw_loop_now(r->loop) - r->t0);
	jkey(f, "status", pint_status_name(ev->status));
	if (ev->outcome != PINT_OUTCOME_NONE)
		jkey(f, "outcome", pint_outcome_name(ev->outcome));
	if (ev->by != PINT_STATUS_BY_NONE)
		jkey(f, "by", pint_status_by_name(ev->by));
	if (ev->act != PINT_STATUS_ACT_NONE)
		jkey(f, "act", pint_status_act_name(ev->act));
	if (ev->sip_code)
		fprintf(f, ",\"sip_code\":%u", ev->sip_code);
	if (ev->reason[0])
		jkey(f, "reason", ev->reason);
	if (ev->info[0])
		jkey(f, "info", ev->info);
	if (ev->has_warning) {
		fprintf(f, ",\"warning\":{\"code\":%u", ev->warning.code);
		jkey(f, "agent", ev->warning.agent);
		jkey(f, "text", ev->warning.text);
		fputc('}', f);
	}
	if (ev->unsupported[0])
		jkey(f, "unsupported", ev->unsupported);
	if (ev->has_time)
		fprintf(f, ",\"t_start\":%" PRIu64 ",\"t_stop\":%" PRIu64,
			ev->t_start_ntp, ev->t_stop_ntp);
#define FLAG(x) do { if (ev->x) fputs(",\"" #x "\":true", f); } while (0)
	FLAG(cannot_abort);
	FLAG(monitoring);
	FLAG(monitoring_ended);
	FLAG(session_unknown);
	FLAG(resubscribe_needed);
	FLAG(fallback_to_dialog);
	FLAG(body_ignored);
	FLAG(stale);
#undef FLAG
	if (ev->has_expires)
		fprintf(f, ",\"expires\":%u", ev->expires);
	if (ev->has_retention)
		fprintf(f, ",\"retention\":%u", ev->retention);
	if (ev->retry_after)
		fprintf(f, ",\"retry_after\":%u", ev->retry_after);
	if (gw_sip_call_info(r->sip, ref, &ci) == 0) {
		if (ci.gateway)
			jkey(f, "gateway", ci.gateway);
		if (ci.call_id)
			jkey(f, "call_id", ci.call_id);
	}
	fputs("}\n", f);
	fflush(f);
}

static void print_summary(struct run *r)
{
	FILE *f = stdout;
	bool first = true;
	size_t i;

	fprintf(f, "{\"summary\":true,\"count\":%lu,\"started\":%lu,"
		"\"start_errors\":%lu,\"terminal\":%lu,\"duplicates\":%lu,"
		"\"cancels\":%lu,\"timed_out\":%s,\"elapsed_ms\":%" PRIu64
		",\"status\":{", r->o.count, r->started, r->start_errors,
		r->terminal, r->duplicates, r->cancels,
		r->timed_out ? "true" : "false",
		gw_loop_now(r->loop) - r->t0);
	for (i = 0; i < sizeof(r->by_status) / sizeof(r->by_status[0]); i++) {
		if (!r->by_status[i])
			continue;
		fprintf(f, "%s\"%s\":%lu", first ? "" : ",",
			pint_status_name((enum pint_status)i), r->by_status[i]);
		first = false;
	}
	fputs("},\"outcome\":{", f);
	first = true;
	for (i = 0; i < sizeof(r->by_outcome) / sizeof(r->by_outcome[0]); i++) {
		if (!r->by_outcome[i])
			continue;
		fprintf(f, "%s\"%s\":%lu", first ? "" : ",",
			pint_outcome_name((enum pint_outcome)i), r->by_outcome[i]);
		first = false;
	}
	fputs("}", f);
	if (r->sip) {
		struct pint_ua_stats ua;
		struct gw_tp_stats tp;

		gw_sip_stats(r->sip, &ua, &tp);
		fprintf(f, ",\"sip\":{\"invites_sent\":%" PRIu64
			",\"retransmits_sent\":%" PRIu64
			",\"retransmits_absorbed\":%" PRIu64
			",\"failovers\":%" PRIu64 ",\"auth_retries\":%" PRIu64
			",\"cancels_sent\":%" PRIu64 ",\"byes_sent\":%" PRIu64
			",\"subscribes_sent\":%" PRIu64
			",\"notify_accepted\":%" PRIu64
			",\"refused_403\":%" PRIu64 ",\"refused_481\":%" PRIu64
			",\"strays\":%" PRIu64 ",\"udp_in\":%" PRIu64
			",\"udp_out\":%" PRIu64 ",\"tcp_in\":%" PRIu64
			",\"tcp_out\":%" PRIu64 "}",
			ua.invites_sent, ua.tsx.retransmits_sent,
			ua.tsx.retransmits_absorbed, ua.failovers,
			ua.auth_retries, ua.cancels_sent,
			ua.byes_sent, ua.subscribes_sent, ua.notify_accepted,
			ua.refused_403, ua.refused_481, ua.tsx.strays,
			tp.udp_in, tp.udp_out, tp.tcp_in, tp.tcp_out);
	}
	fputs("}\n", f);
	fflush(f);
}

/* ---- the run ----------------------------------------------------------------- */

static void linger_h(void *arg)
{
	struct run *r = arg;

	gw_loop_stop(r->loop);
}

/* SIGTERM/SIGINT: stop now, report, exit as if the time were up. */
static void signal_h(int signo, void *arg)
{
	struct run *r = arg;

	(void)signo;
	gw_loop_stop(r->loop);
}

static void guard_h(void *arg)
{
	struct run *r = arg;

	r->timed_out = true;
	gw_loop_stop(r->loop);
}

static void maybe_done(struct run *r)
{
	if (r->started + r->start_errors < r->o.count ||
	    r->terminal + r->start_errors < r->o.count ||
	    gw_timer_pending(&r->linger))
		return;
	/* a moment for the last ACK, 200 or UNSUBSCRIBE to leave */
	(void)gw_timer_start(r->loop, &r->linger, r->o.linger, linger_h, r);
}

static void event_h(uint64_t ref, const struct pint_status_ev *ev, void *arg)
{
	struct run *r = arg;
	struct call *c;

	if (!r->o.quiet)
		print_event(r, ref, ev);
	if (ref == 0 || ref > r->o.count || !pint_status_is_terminal(ev->status))
		return;
	c = &r->calls[ref - 1];
	if (c->terminals++) {
		r->duplicates++;
		fprintf(stderr, "pintcall: ref %" PRIu64 ": a second terminal event\n",
			ref);
		return;
	}
	r->terminal++;
	r->by_status[ev->status]++;
	if ((size_t)ev->outcome < sizeof(r->by_outcome) / sizeof(r->by_outcome[0]))
		r->by_outcome[ev->outcome]++;
	gw_timer_stop(r->loop, &c->cancel);
	maybe_done(r);
}

static void health_h(const char *gateway, enum pint_gwset_health health,
		     void *arg)
{
	(void)arg;
	if (log_enabled(LOG_LEVEL_DEBUG))
		log_debug("pintcall: gateway %s is %s", gateway,
			  pint_gwset_health_name(health));
}

static struct run *the_run;     /* for the cancel timers: one run per process */

static void cancel_h(void *arg)
{
	struct call *c = arg;
	struct run *r = the_run;
	uint64_t ref = (uint64_t)(c - r->calls) + 1;
	int err;

	err = gw_sip_call_cancel(r->sip, ref);
	r->cancels++;
	if (!r->o.quiet)
		printf("{\"ref\":%" PRIu64 ",\"t_ms\":%" PRIu64
		       ",\"action\":\"cancel\",\"result\":\"%s\"}\n", ref,
		       gw_loop_now(r->loop) - r->t0, err ? strerror(err) : "ok");
	fflush(stdout);
}

static void start_one(struct run *r)
{
	uint64_t ref = r->started + r->start_errors + 1;
	struct call *c = &r->calls[ref - 1];
	int err;

	err = gw_sip_call_start(r->sip, ref, &r->params);
	if (err) {
		r->start_errors++;
		printf("{\"ref\":%" PRIu64 ",\"t_ms\":%" PRIu64
		       ",\"action\":\"start\",\"result\":\"%s\"}\n", ref,
		       gw_loop_now(r->loop) - r->t0, strerror(err));
		fflush(stdout);
		maybe_done(r);
		return;
	}
	r->started++;
	if (r->o.cancel_after >= 0 && !c->terminals)
		(void)gw_timer_start(r->loop, &c->cancel,
				     (uint64_t)r->o.cancel_after, cancel_h, c);
}

/* Start what the rate allows by now; come back for the rest. */
static void pace_h(void *arg)
{
	struct run *r = arg;
	uint64_t now = gw_loop_now(r->loop), due, next;

	if (r->o.rate <= 0)
		due = r->o.count;
	else
		due = (uint64_t)((double)(now - r->t0) * r->o.rate / 1000.0) + 1;
	if (due > r->o.count)
		due = r->o.count;
	while (r->started + r->start_errors < due)
		start_one(r);
	if (r->started + r->start_errors >= r->o.count)
		return;
	/* the next call's due time rounded up: at rates above 1 000/s a
	 * rounded-down time is "now" and the timer would spin the loop */
	next = r->t0 + (uint64_t)ceil((double)(r->started + r->start_errors) *
				      1000.0 / r->o.rate);
	(void)gw_timer_start(r->loop, &r->pace, next > now ? next - now : 1,
			     pace_h, r);
}

/* ---- configuration ------------------------------------------------------------ */

static bool one_line(const char *s)
{
	return s && !strpbrk(s, "\r\n");
}

/* An INI text for the command line's gateways, parsed like pintgw.conf. */
static int conf_from_args(struct run *r, struct gw_conf_errs *errs)
{
	const struct opts *o = &r->o;
	struct pint_mbuf mb;
	size_t i;
	int err;

	pint_mbuf_init(&mb, CONF_MAX);
	err = pint_mbuf_puts(&mb, "[pintgw]\nstate_dir = /tmp\n[sip]\nlisten =");
	for (i = 0; !err && i < o->nlisten; i++)
		err = pint_mbuf_printf(&mb, " %s", o->listen[i]);
	if (!err && !o->nlisten)
		err = pint_mbuf_puts(&mb, " udp:127.0.0.1:0 tcp:127.0.0.1:0");
	if (!err)
		err = pint_mbuf_puts(&mb, "\n");
	if (!err && o->ring_timeout)
		err = pint_mbuf_printf(&mb, "ring_timeout = %lu\n"
				       "ring_timeout_max = %lu\n",
				       o->ring_timeout, o->ring_timeout);
	if (!err && o->t1)
		err = pint_mbuf_printf(&mb, "t1 = %lu\n", o->t1);
	for (i = 0; !err && i < o->ngateways; i++) {
		err = pint_mbuf_printf(&mb, "[gateway gw%zu]\naddress = %s\n"
				       "priority = %zu\nkeepalive = 0\n",
				       i + 1, o->gateways[i], i);
		if (!err && o->domain)
			err = pint_mbuf_printf(&mb, "domain = %s\n", o->domain);
		if (!err && o->status_mode)
			err = pint_mbuf_printf(&mb, "status = %s\n",
					       o->status_mode);
		if (!err && o->fallback >= 0)
			err = pint_mbuf_printf(&mb, "dialog_fallback = %s\n",
					       o->fallback ? "true" : "false");
		if (!err && o->expires)
			err = pint_mbuf_printf(&mb, "subscribe_expires = %lu\n",
					       o->expires);
		if (!err && o->user)
			err = pint_mbuf_printf(&mb, "username = %s\npassword = %s\n",
					       o->user, o->password ? o->password : "");
	}
	if (!err)
		err = gw_conf_parse_string(&r->conf, mb.buf, mb.len,
					   "pintcall", errs);
	pint_mbuf_reset(&mb);
	return err;
}

static int load_conf(struct run *r)
{
	struct gw_conf_errs errs;
	size_t i;
	int err;

	memset(&errs, 0, sizeof(errs));
	if (r->o.config)
		err = gw_conf_load(&r->conf, r->o.config, &errs);
	else
		err = conf_from_args(r, &errs);
	if (err) {
		for (i = 0; i < errs.n; i++)
			fprintf(stderr, "pintcall: %s\n", errs.msg[i]);
		if (!errs.n)
			fprintf(stderr, "pintcall: configuration: %s\n",
				strerror(err));
	}
	return err;
}

/* The service request every call of the run sends. */
static int make_request(struct run *r)
{
	const struct gw_conf_gateway *gw = NULL;
	const struct gw_conf_service *cs;
	const struct pint_svc_def *def;
	struct pint_tel_error why;
	struct opts *o = &r->o;

	if (r->conf->ngateways)
		gw = o->prefer ? gw_conf_gateway(r->conf, o->prefer) :
				 &r->conf->gateways[0];
	cs = gw_conf_service(r->conf, o->service);
	if (cs) {
		gw_conf_svc_def(cs, gw, &r->def);
	} else if ((def = pint_svc_builtin(o->service))) {
		r->def = *def;
		r->def.spellings = gw && gw->nspellings ? gw->spellings : NULL;
		r->def.nspellings = gw ? gw->nspellings : 0;
	} else {
		fprintf(stderr, "pintcall: unknown service %s\n", o->service);
		return EINVAL;
	}
	if (pint_tel_parse(&r->to, o->to, strlen(o->to), o->context, "to",
			   &why)) {
		fprintf(stderr, "pintcall: %s\n", why.msg);
		return EINVAL;
	}
	if (o->from && pint_tel_parse(&r->from, o->from, strlen(o->from),
				      o->context, "from", &why)) {
		fprintf(stderr, "pintcall: %s\n", why.msg);
		return EINVAL;
	}
	if (r->def.a_party && !o->from) {
		fprintf(stderr, "pintcall: service %s needs --from (the A party)\n",
			o->service);
		return EINVAL;
	}
	memset(&r->req, 0, sizeof(r->req));
	r->req.def = &r->def;
	r->req.to = &r->to;
	r->req.from = o->from ? &r->from : NULL;
	r->req.info = o->info;
	r->req.email = o->email ? o->email : "pintcall@example.invalid";
	if (o->content_text) {
		r->item.type = o->content_type ? o->content_type : "text/plain";
		r->item.src = PINT_SVC_INLINE;
		r->item.data = o->content_text;
		r->item.len = strlen(o->content_text);
	} else if (o->content_url) {
		r->item.type = o->content_type ? o->content_type : "image/tiff";
		r->item.src = PINT_SVC_URI;
		r->item.data = o->content_url;
		r->item.len = strlen(o->content_url);
	}
	if (r->item.data) {
		r->req.items = &r->item;
		r->req.nitems = 1;
	}
	memset(&r->params, 0, sizeof(r->params));
	r->params.req = &r->req;
	r->params.gateway = o->prefer;
	r->params.ring_timeout_ms = (uint32_t)(o->ring_timeout * 1000u);
	r->params.track = o->track;
	return 0;
}

/* ---- command line --------------------------------------------------------------- */

static void usage(FILE *f)
{
	fputs("usage: pintcall [options]\n"
	      "  --gateway udp:HOST:PORT|tcp:HOST:PORT  (repeat: priority order)\n"
	      "  --config FILE          pintgw.conf instead of --gateway/--listen\n"
	      "  --listen udp:127.0.0.1:0 (repeat)  --prefer NAME  --domain D\n"
	      "  --service call|fax|content|NAME   --to NUM  --from NUM  --context C\n"
	      "  --content-text TEXT | --content-url URL  [--content-type T]\n"
	      "  --info TEXT  --email ADDR\n"
	      "  --count N  --rate CPS  --track | --no-track  --cancel-after MS\n"
	      "  --ring-timeout S  --status-mode pint|dialog|none\n"
	      "  --fallback | --no-fallback  --expires S  --t1 MS\n"
	      "  --user U --password P  --timeout S  --linger MS  --quiet  -v\n", f);
}

static int num(const char *s, unsigned long max, unsigned long *vp)
{
	char *end;

	errno = 0;
	*vp = strtoul(s, &end, 10);
	return errno || end == s || *end || *vp > max || s[0] == '-' ? EINVAL : 0;
}

enum {
	O_GATEWAY = 256, O_CONFIG, O_LISTEN, O_PREFER, O_DOMAIN, O_SERVICE,
	O_TO, O_FROM, O_CONTEXT, O_TEXT, O_URL, O_CTYPE, O_INFO, O_EMAIL,
	O_COUNT, O_RATE, O_TRACK, O_NOTRACK, O_CANCEL, O_RING, O_MODE,
	O_FALLBACK, O_NOFALLBACK, O_EXPIRES, O_T1, O_USER, O_PASSWORD,
	O_TIMEOUT, O_LINGER, O_QUIET,
};

static int parse_args(struct opts *o, int argc, char **argv)
{
	static const struct option lo[] = {
		{ "gateway", required_argument, NULL, O_GATEWAY },
		{ "config", required_argument, NULL, O_CONFIG },
		{ "listen", required_argument, NULL, O_LISTEN },
		{ "prefer", required_argument, NULL, O_PREFER },
		{ "domain", required_argument, NULL, O_DOMAIN },
		{ "service", required_argument, NULL, O_SERVICE },
		{ "to", required_argument, NULL, O_TO },
		{ "from", required_argument, NULL, O_FROM },
		{ "context", required_argument, NULL, O_CONTEXT },
		{ "content-text", required_argument, NULL, O_TEXT },
		{ "content-url", required_argument, NULL, O_URL },
		{ "content-type", required_argument, NULL, O_CTYPE },
		{ "info", required_argument, NULL, O_INFO },
		{ "email", required_argument, NULL, O_EMAIL },
		{ "count", required_argument, NULL, O_COUNT },
		{ "rate", required_argument, NULL, O_RATE },
		{ "track", no_argument, NULL, O_TRACK },
		{ "no-track", no_argument, NULL, O_NOTRACK },
		{ "cancel-after", required_argument, NULL, O_CANCEL },
		{ "ring-timeout", required_argument, NULL, O_RING },
		{ "status-mode", required_argument, NULL, O_MODE },
		{ "fallback", no_argument, NULL, O_FALLBACK },
		{ "no-fallback", no_argument, NULL, O_NOFALLBACK },
		{ "expires", required_argument, NULL, O_EXPIRES },
		{ "t1", required_argument, NULL, O_T1 },
		{ "user", required_argument, NULL, O_USER },
		{ "password", required_argument, NULL, O_PASSWORD },
		{ "timeout", required_argument, NULL, O_TIMEOUT },
		{ "linger", required_argument, NULL, O_LINGER },
		{ "quiet", no_argument, NULL, O_QUIET },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned long v;
	char *end;
	int c, bad = 0;

	memset(o, 0, sizeof(*o));
	o->service = "call";
	o->track = true;
	o->fallback = -1;
	o->count = 1;
	o->rate = 0;
	o->cancel_after = -1;
	o->timeout = 60;
	o->linger = 300;
	while ((c = getopt_long(argc, argv, "vh", lo, NULL)) != -1) {
		switch (c) {
		case O_GATEWAY:
			if (o->ngateways == MAX_GATEWAYS || !one_line(optarg))
				bad = 1;
			else
				o->gateways[o->ngateways++] = optarg;
			break;
		case O_LISTEN:
			if (o->nlisten == MAX_LISTEN || !one_line(optarg))
				bad = 1;
			else
				o->listen[o->nlisten++] = optarg;
			break;
		case O_CONFIG: o->config = optarg; break;
		case O_PREFER: o->prefer = optarg; break;
		case O_DOMAIN: o->domain = optarg; break;
		case O_SERVICE: o->service = optarg; break;
		case O_TO: o->to = optarg; break;
		case O_FROM: o->from = optarg; break;
		case O_CONTEXT: o->context = optarg; break;
		case O_TEXT: o->content_text = optarg; break;
		case O_URL: o->content_url = optarg; break;
		case O_CTYPE: o->content_type = optarg; break;
		case O_INFO: o->info = optarg; break;
		case O_EMAIL: o->email = optarg; break;
		case O_MODE: o->status_mode = optarg; break;
		case O_USER: o->user = optarg; break;
		case O_PASSWORD: o->password = optarg; break;
		case O_TRACK: o->track = true; break;
		case O_NOTRACK: o->track = false; break;
		case O_FALLBACK: o->fallback = 1; break;
		case O_NOFALLBACK: o->fallback = 0; break;
		case O_QUIET: o->quiet = true; break;
		case 'v': o->verbose = true; break;
		case O_COUNT:
			bad |= num(optarg, MAX_COUNT, &o->count) || !o->count;
			break;
		case O_RATE:
			errno = 0;
			o->rate = strtod(optarg, &end);
			bad |= errno || end == optarg || *end || o->rate < 0;
			break;
		case O_CANCEL:
			bad |= num(optarg, 86400000ul, &v);
			o->cancel_after = (long)v;
			break;
		case O_RING: bad |= num(optarg, 3600, &o->ring_timeout); break;
		case O_EXPIRES: bad |= num(optarg, 86400, &o->expires); break;
		case O_T1: bad |= num(optarg, 10000, &o->t1); break;
		case O_TIMEOUT:
			bad |= num(optarg, 86400, &o->timeout) || !o->timeout;
			break;
		case O_LINGER: bad |= num(optarg, 60000, &o->linger); break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			bad = 1;
		}
	}
	if (optind != argc || !o->to || (!o->config && !o->ngateways) ||
	    (o->config && (o->ngateways || o->nlisten)))
		bad = 1;
	if (!one_line(o->domain ? o->domain : "") ||
	    !one_line(o->status_mode ? o->status_mode : "") ||
	    !one_line(o->user ? o->user : "") ||
	    !one_line(o->password ? o->password : ""))
		bad = 1;
	if (bad)
		usage(stderr);
	return bad ? EINVAL : 0;
}

int main(int argc, char **argv)
{
	static struct run run;
	struct run *r = &run;
	char msg[512];
	int err, rc = 1;

	if (parse_args(&r->o, argc, argv))
		return 2;
	log_set_level(r->o.verbose ? LOG_LEVEL_DEBUG : LOG_LEVEL_WARN);
	log_set_output(stderr);
	the_run = r;
	if (pint_sip_init() || gw_loop_alloc(&r->loop)) {
		fprintf(stderr, "pintcall: out of memory\n");
		return 1;
	}
	if (load_conf(r) || make_request(r))
		goto out;
	r->calls = calloc(r->o.count, sizeof(*r->calls));
	if (!r->calls) {
		fprintf(stderr, "pintcall: out of memory\n");
		goto out;
	}
	err = gw_sip_alloc(&r->sip, r->loop, r->conf, event_h, health_h, r,
			   msg, sizeof(msg));
	if (err) {
		fprintf(stderr, "pintcall: %s\n", msg);
		goto out;
	}
	if (r->o.verbose)
		log_debug("pintcall: listening udp=%u tcp=%u",
			  gw_sip_port(r->sip, false), gw_sip_port(r->sip, true));
	if (gw_loop_signal(r->loop, &r->sigterm, SIGTERM, signal_h, r) ||
	    gw_loop_signal(r->loop, &r->sigint, SIGINT, signal_h, r))
		fprintf(stderr, "pintcall: signals not watched\n");
	r->t0 = gw_loop_now(r->loop);
	(void)gw_timer_start(r->loop, &r->guard, r->o.timeout * 1000u, guard_h, r);
	(void)gw_timer_start(r->loop, &r->pace, 0, pace_h, r);
	err = gw_loop_run(r->loop);
	if (err)
		fprintf(stderr, "pintcall: loop: %s\n", strerror(err));
	print_summary(r);
	rc = !err && !r->timed_out && !r->duplicates && !r->start_errors &&
	     r->terminal == r->o.count ? 0 : 1;
out:
	if (r->calls) {
		unsigned long i;

		for (i = 0; i < r->o.count; i++)
			gw_timer_stop(r->loop, &r->calls[i].cancel);
	}
	gw_timer_stop(r->loop, &r->guard);
	gw_timer_stop(r->loop, &r->pace);
	gw_timer_stop(r->loop, &r->linger);
	/* a second signal (timeout(1) sends one to the process group too)
	 * must not kill us once the watchers unblock it */
	signal(SIGTERM, SIG_IGN);
	signal(SIGINT, SIG_IGN);
	gw_loop_signal_stop(r->loop, &r->sigterm);
	gw_loop_signal_stop(r->loop, &r->sigint);
	gw_sip_free(r->sip);
	gw_conf_free(r->conf);
	free(r->calls);
	gw_loop_free(r->loop);
	return rc;
}
