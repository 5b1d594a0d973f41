/*
 * tools/pintsim.c — the built-in PINT server (gateway/sim) on its own:
 * a PINT gateway for tests and demos that plays the outcome table of
 * pintsim(1) by the dialled number.
 *
 *   pintsim --listen udp:127.0.0.1:5070 --listen tcp:127.0.0.1:5070 \
 *           --speed 10 --trace /tmp/sip.jsonl
 *
 * stdout gets one JSON line when the sockets are up ({"listening":…})
 * and one with the counters when it exits; --trace - adds one line per
 * SIP message in or out. SIGTERM or SIGINT ends it. Exit status 0, 1 on
 * a start-up error, 2 for bad usage.
 */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gateway/log.h"
#include "gateway/loop.h"
#include "gateway/sim/sim.h"
#include "pint/sip.h"

#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "dev"
#endif

#define MAX_LISTEN 8

struct opts {
	struct gw_tp_listen_cfg listen[MAX_LISTEN];
	char hosts[MAX_LISTEN][64];
	size_t nlisten;
	struct gw_sim_conf conf;
	const char *services[GW_SIM_MAX_SERVICES];
	struct gw_sim_subtype subtypes[GW_SIM_MAX_SUBTYPES];
	char *auth;                     /* "user:password", split in place */
	const char *trace_file;
	bool verbose;
};

struct run {
	struct gw_loop *loop;
	struct gw_sim *sim;
	struct gw_signal sigterm, sigint;
	FILE *trace;
	uint64_t t0;
};

/* ---- JSON ---------------------------------------------------------------- */

static void jbytes(FILE *f, const char *p, size_t len)
{
	size_t i;

	fputc('"', f);
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)p[i];

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c == '\r')
			fputs("\\r", f);
		else if (c == '\n')
			fputs("\\n", f);
		else if (c == '\t')
			fputs("\\t", f);
		else if (c < 0x20 || c == 0x7f)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

static void trace_h(const struct gw_sim_trace *t, void *arg)
{
	struct run *r = arg;
	FILE *f = r->trace;

	fprintf(f, "{\"t_ms\":%" PRIu64 ",\"dir\":\"%s\"", t->t_ms - r->t0,
		t->out ? "out" : "in");
	fputs(",\"peer\":", f);
	jbytes(f, t->peer, strlen(t->peer));
	fputs(",\"first\":", f);
	jbytes(f, t->first.p, t->first.l);
	if (t->call_id.p) {
		fputs(",\"call_id\":", f);
		jbytes(f, t->call_id.p, t->call_id.l);
	}
	if (t->absorbed)
		fputs(",\"absorbed\":true", f);
	fputs(",\"text\":", f);
	jbytes(f, t->text, t->len);
	fputs("}\n", f);
	fflush(f);
}

static void print_stats(const struct run *r)
{
	struct gw_sim_stats st;

	gw_sim_stats(r->sim, &st);
	printf("{\"summary\":true,\"msgs_in\":%" PRIu64 ",\"msgs_out\":%" PRIu64
	       ",\"invites\":%" PRIu64 ",\"absorbed\":%" PRIu64
	       ",\"challenges\":%" PRIu64 ",\"auth_failures\":%" PRIu64
	       ",\"refused\":%" PRIu64 ",\"sessions\":%" PRIu64
	       ",\"sessions_live\":%" PRIu64 ",\"answered\":%" PRIu64
	       ",\"completed\":%" PRIu64 ",\"aborted\":%" PRIu64
	       ",\"no_abort\":%" PRIu64 ",\"canceled\":%" PRIu64
	       ",\"subscribes\":%" PRIu64 ",\"subs_live\":%" PRIu64
	       ",\"notifies\":%" PRIu64 ",\"byes\":%" PRIu64
	       ",\"unsubscribes\":%" PRIu64 "}\n",
	       st.msgs_in, st.msgs_out, st.invites, st.absorbed, st.challenges,
	       st.auth_failures, st.refused, st.sessions, st.sessions_live,
	       st.answered, st.completed, st.aborted, st.no_abort, st.canceled,
	       st.subscribes, st.subs_live, st.notifies, st.byes,
	       st.unsubscribes);
	fflush(stdout);
}

/* ---- command line -------------------------------------------------------- */

static void usage(FILE *f)
{
	fputs("usage: pintsim [options]\n"
	      "  --listen udp:HOST:PORT|tcp:HOST:PORT  (repeat; default\n"
	      "           udp:127.0.0.1:5070 and tcp:127.0.0.1:5070)\n"
	      "  --speed FACTOR         simulated times divided by it (1)\n"
	      "  --mode pint|dialog     status monitoring offered (pint)\n"
	      "  --auth USER:PASSWORD   challenge INVITE and SUBSCRIBE (401)\n"
	      "  --realm REALM          digest realm (pintsim)\n"
	      "  --service NAME         serve a custom service too (repeat)\n"
	      "  --subtype TYPE=SPELLING  a subtype spelling, image/tiff=tif\n"
	      "  --outcome DIGITS|NAME  play this outcome for every number\n"
	      "  --require-mode 420|400 answer to an unknown a=require (420)\n"
	      "  --retention S          session kept after its end (300)\n"
	      "  --max-expires S        longest subscription granted (3600)\n"
	      "  --contact-host HOST    Via/Contact host (first --listen)\n"
	      "  --trace FILE           a JSON line per message (- = stdout)\n"
	      "  -v, --verbose  --version  --help\n", f);
}

static int num(const char *s, unsigned long max, unsigned long *vp)
{
	char *end;

	errno = 0;
	*vp = strtoul(s, &end, 10);
	return errno || end == s || *end || *vp > max || s[0] == '-' ?
	       EINVAL : 0;
}

/* udp:HOST:PORT, tcp:HOST:PORT; a HOST:PORT seen before gets both. */
static int add_listen(struct opts *o, const char *spec)
{
	const char *host, *colon;
	unsigned long port;
	bool tcp;
	size_t n, i;

	if (!strncmp(spec, "udp:", 4))
		tcp = false;
	else if (!strncmp(spec, "tcp:", 4))
		tcp = true;
	else
		return EINVAL;
	host = spec + 4;
	colon = strrchr(host, ':');
	if (!colon || num(colon + 1, 65535, &port))
		return EINVAL;
	n = (size_t)(colon - host);
	if (n >= 2 && host[0] == '[' && host[n - 1] == ']') {
		host++;
		n -= 2;
	}
	if (!n || n >= sizeof(o->hosts[0]))
		return EINVAL;
	for (i = 0; i < o->nlisten; i++)
		if (strlen(o->hosts[i]) == n &&
		    !strncmp(o->hosts[i], host, n) &&
		    o->listen[i].port == port)
			break;
	if (i == o->nlisten) {
		if (o->nlisten == MAX_LISTEN)
			return EINVAL;
		memcpy(o->hosts[i], host, n);
		o->hosts[i][n] = '\0';
		o->listen[i].addr = o->hosts[i];
		o->listen[i].port = (uint16_t)port;
		o->nlisten++;
	}
	if (tcp)
		o->listen[i].tcp = true;
	else
		o->listen[i].udp = true;
	return 0;
}

static int add_subtype(struct opts *o, char *spec)
{
	char *eq = strchr(spec, '=');
	struct gw_sim_conf *c = &o->conf;

	if (!eq || eq == spec || !eq[1] || c->nsubtypes == GW_SIM_MAX_SUBTYPES)
		return EINVAL;
	*eq = '\0';
	o->subtypes[c->nsubtypes].type = spec;
	o->subtypes[c->nsubtypes].spelling = eq + 1;
	c->nsubtypes++;
	return 0;
}

enum {
	O_LISTEN = 256, O_SPEED, O_MODE, O_AUTH, O_REALM, O_SERVICE,
	O_SUBTYPE, O_OUTCOME, O_REQUIRE, O_RETENTION, O_EXPIRES, O_CONTACT,
	O_TRACE, O_VERSION,
};

static int parse_args(struct opts *o, int argc, char **argv)
{
	static const struct option lo[] = {
		{ "listen", required_argument, NULL, O_LISTEN },
		{ "speed", required_argument, NULL, O_SPEED },
		{ "mode", required_argument, NULL, O_MODE },
		{ "auth", required_argument, NULL, O_AUTH },
		{ "realm", required_argument, NULL, O_REALM },
		{ "service", required_argument, NULL, O_SERVICE },
		{ "subtype", required_argument, NULL, O_SUBTYPE },
		{ "outcome", required_argument, NULL, O_OUTCOME },
		{ "require-mode", required_argument, NULL, O_REQUIRE },
		{ "retention", required_argument, NULL, O_RETENTION },
		{ "max-expires", required_argument, NULL, O_EXPIRES },
		{ "contact-host", required_argument, NULL, O_CONTACT },
		{ "trace", required_argument, NULL, O_TRACE },
		{ "verbose", no_argument, NULL, 'v' },
		{ "version", no_argument, NULL, O_VERSION },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct gw_sim_conf *c = &o->conf;
	enum gw_sim_outcome oc;
	unsigned long v;
	char *end, *colon;
	int ch, bad = 0;

	memset(o, 0, sizeof(*o));
	while ((ch = getopt_long(argc, argv, "vh", lo, NULL)) != -1) {
		switch (ch) {
		case O_LISTEN:
			bad |= add_listen(o, optarg) != 0;
			break;
		case O_SPEED:
			errno = 0;
			c->speed = strtod(optarg, &end);
			bad |= errno || end == optarg || *end ||
			       !(c->speed >= GW_SIM_MIN_SPEED &&
				 c->speed <= GW_SIM_MAX_SPEED);
			break;
		case O_MODE:
			if (!strcmp(optarg, "pint"))
				c->mode = GW_SIM_MODE_PINT;
			else if (!strcmp(optarg, "dialog"))
				c->mode = GW_SIM_MODE_DIALOG;
			else
				bad = 1;
			break;
		case O_AUTH:
			o->auth = optarg;
			colon = strchr(optarg, ':');
			if (!colon || colon == optarg) {
				bad = 1;
				break;
			}
			*colon = '\0';
			c->auth_user = optarg;
			c->auth_password = colon + 1;
			break;
		case O_REALM: c->realm = optarg; break;
		case O_SERVICE:
			if (c->nservices == GW_SIM_MAX_SERVICES)
				bad = 1;
			else
				o->services[c->nservices++] = optarg;
			break;
		case O_SUBTYPE:
			bad |= add_subtype(o, optarg) != 0;
			break;
		case O_OUTCOME:
			bad |= gw_sim_outcome_parse(optarg, &oc) != 0;
			c->outcome = optarg;
			break;
		case O_REQUIRE:
			if (!strcmp(optarg, "420"))
				c->require_mode = GW_SIM_REQUIRE_420;
			else if (!strcmp(optarg, "400"))
				c->require_mode = GW_SIM_REQUIRE_400;
			else
				bad = 1;
			break;
		case O_RETENTION:
			bad |= num(optarg, 86400, &v) || !v;
			c->retention = (uint32_t)v;
			break;
		case O_EXPIRES:
			bad |= num(optarg, 86400, &v) || !v;
			c->max_expires = (uint32_t)v;
			break;
		case O_CONTACT: c->contact_host = optarg; break;
		case O_TRACE: o->trace_file = optarg; break;
		case 'v': o->verbose = true; break;
		case O_VERSION:
			printf("pintsim %s\n", PACKAGE_VERSION);
			exit(0);
		case 'h':
			usage(stdout);
			exit(0);
		default:
			bad = 1;
		}
	}
	if (optind != argc)
		bad = 1;
	if (!bad && !o->nlisten)
		bad = add_listen(o, "udp:127.0.0.1:5070") ||
		      add_listen(o, "tcp:127.0.0.1:5070");
	c->listen = o->listen;
	c->nlisten = o->nlisten;
	c->services = o->services;
	c->subtypes = o->subtypes;
	if (bad)
		usage(stderr);
	return bad ? EINVAL : 0;
}

static void signal_h(int signo, void *arg)
{
	struct run *r = arg;

	(void)signo;
	gw_loop_stop(r->loop);
}

int main(int argc, char **argv)
{
	static struct opts o;
	static struct run run;
	struct run *r = &run;
	char msg[512];
	int err, rc = 1;

	if (parse_args(&o, argc, argv))
		return 2;
	log_set_level(o.verbose ? LOG_LEVEL_DEBUG : LOG_LEVEL_WARN);
	log_set_output(stderr);
	if (pint_sip_init() || gw_loop_alloc(&r->loop)) {
		fprintf(stderr, "pintsim: out of memory\n");
		return 1;
	}
	if (o.trace_file) {
		r->trace = strcmp(o.trace_file, "-") ?
			   fopen(o.trace_file, "w") : stdout;
		if (!r->trace) {
			fprintf(stderr, "pintsim: %s: %s\n", o.trace_file,
				strerror(errno));
			goto out;
		}
		o.conf.trace = trace_h;
		o.conf.trace_arg = r;
	}
	r->t0 = gw_loop_now(r->loop);
	err = gw_sim_alloc(&r->sim, r->loop, &o.conf, msg, sizeof(msg));
	if (err) {
		fprintf(stderr, "pintsim: %s\n", msg);
		goto out;
	}
	if (gw_loop_signal(r->loop, &r->sigterm, SIGTERM, signal_h, r) ||
	    gw_loop_signal(r->loop, &r->sigint, SIGINT, signal_h, r)) {
		fprintf(stderr, "pintsim: signals not watched\n");
		goto out;
	}
	printf("{\"listening\":{\"udp\":%u,\"tcp\":%u}}\n",
	       gw_sim_port(r->sim, false), gw_sim_port(r->sim, true));
	fflush(stdout);
	err = gw_loop_run(r->loop);
	if (err)
		fprintf(stderr, "pintsim: loop: %s\n", strerror(err));
	print_stats(r);
	rc = err ? 1 : 0;
out:
	/* a second signal must not kill us once the watchers unblock it */
	signal(SIGTERM, SIG_IGN);
	signal(SIGINT, SIG_IGN);
	gw_loop_signal_stop(r->loop, &r->sigterm);
	gw_loop_signal_stop(r->loop, &r->sigint);
	gw_sim_free(r->sim);
	gw_loop_free(r->loop);
	if (r->trace && r->trace != stdout)
		fclose(r->trace);
	return rc;
}
