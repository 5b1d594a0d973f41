/*
 * gateway/main.c — the pintgw command: run the daemon on a configuration
 * file or as the self-contained demo, check a file, hash an API token for
 * the [key] sections, or sign a click token with a key's secret.
 * Exit status: 0 success, 1 a configuration or runtime failure, 2 wrong
 * usage (docs/pintgw.8).
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "gateway/auth.h"
#include "gateway/click.h"
#include "gateway/config.h"
#include "gateway/daemon.h"
#include "gateway/demo.h"
#include "gateway/loop.h"
#include "gateway/secrets.h"
#include "gateway/sim/sim.h"
#include "pint/sip.h"
#include "pint/tel.h"
#include "web/fetch.h"

#define DEFAULT_CONF "/etc/pintgw/pintgw.conf"
#define TOKEN_TTL 86400u        /* pintgw token's default --ttl, seconds */

enum { EXIT_USAGE = 2 };

static void usage(FILE *f)
{
	fprintf(f,
		"usage: pintgw [-c FILE]            run the gateway\n"
		"       pintgw --demo [--listen HOST:PORT] [--speed X]\n"
		"                                   try it: built-in PINT "
		"server, demo page\n"
		"       pintgw [-c FILE] --check-config\n"
		"       pintgw hash-key TOKEN|-     print the hash of an API token\n"
		"       pintgw [-c FILE] token --key NAME [--service NAME] "
		"[--from NUMBER]\n"
		"              [--to PREFIX]... [--ttl SECONDS] [--max-uses N]"
		" [--origin ORIGIN]...\n"
		"                                   print a click token signed "
		"with the key's secret\n"
		"       pintgw --version | --help\n"
		"\n"
		"  -c, --config FILE   configuration file (default "
		DEFAULT_CONF ")\n"
		"  -t, --check-config  read the configuration, print every "
		"error, exit\n"
		"      --demo          no configuration needed: a temporary "
		"store, a new API\n"
		"                      key, the built-in PINT server and the "
		"demo page\n"
		"      --listen H:P    the demo's HTTP address (default "
		GW_DEMO_LISTEN ")\n"
		"      --speed X       the demo's simulated time runs X times "
		"faster (default 1)\n"
		"  -V, --version       print the version\n"
		"  -h, --help          print this help\n"
		"\n"
		"Signals: SIGHUP reloads keys and gateways, SIGTERM and SIGINT\n"
		"drain and stop, SIGUSR1 logs a state dump. See pintgw(8).\n");
}

/* Load path, printing every FILE:LINE error to stderr. */
static int load(struct gw_conf **confp, const char *path)
{
	struct gw_conf_errs errs;
	size_t i;
	int err;

	err = gw_conf_load(confp, path, &errs);
	if (!err)
		return 0;
	for (i = 0; i < errs.n; i++)
		fprintf(stderr, "%s\n", errs.msg[i]);
	if (errs.total > errs.n)
		fprintf(stderr, "%s: and %zu more errors\n", path,
			errs.total - errs.n);
	if (!errs.n)
		fprintf(stderr, "%s: %s\n", path, strerror(err));
	return err;
}

/* The token from argv, or the first line of stdin for "-". */
static int hash_key(const char *arg)
{
	char line[GW_AUTH_MAX_TOKEN + 2], hex[GW_AUTH_HEX_SIZE];
	const char *token = arg;
	size_t n;
	int err;

	if (!strcmp(arg, "-")) {
		if (!fgets(line, sizeof(line), stdin)) {
			fprintf(stderr, "pintgw: hash-key: no token on stdin\n");
			return EXIT_FAILURE;
		}
		n = strcspn(line, "\r\n");
		line[n] = '\0';
		token = line;
	}
	err = gw_auth_hash_token(token, hex);
	if (err == EINVAL) {
		fprintf(stderr, "pintgw: hash-key: a token is %u to %u "
			"characters of A-Z a-z 0-9 - . _ ~ + / (then = "
			"padding)\n", GW_AUTH_MIN_SECRET, GW_AUTH_MAX_TOKEN);
		return EXIT_FAILURE;
	}
	if (err) {
		fprintf(stderr, "pintgw: hash-key: %s\n", strerror(err));
		return EXIT_FAILURE;
	}
	printf("sha256:%s\n", hex);
	return EXIT_SUCCESS;
}

/* ---- pintgw token ---- */

struct token_opts {
	const char *key;
	const char *service;
	const char *from;
	unsigned long ttl;
	unsigned long max;
	struct gw_click c;      /* to and origin as given */
};

static int token_fail(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

/* "pintgw: token: <message>" on stderr; EXIT_FAILURE. */
static int token_fail(const char *fmt, ...)
{
	va_list ap;

	fputs("pintgw: token: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return EXIT_FAILURE;
}

/* One --to or --origin alone in an otherwise valid token: its syntax. */
static bool token_item_ok(const char *to, const char *origin)
{
	struct gw_click p;

	memset(&p, 0, sizeof(p));
	memcpy(p.key, "k", 2);
	memcpy(p.service, "call", 5);
	p.exp = 1;
	memset(p.jti, 'A', GW_CLICK_JTI_LEN);
	if (to && strlen(to) < sizeof(p.to[0])) {
		memcpy(p.to[0], to, strlen(to) + 1);
		p.nto = 1;
	} else if (origin && strlen(origin) < sizeof(p.origin[0])) {
		memcpy(p.origin[0], origin, strlen(origin) + 1);
		p.norigin = 1;
	} else {
		return false;
	}
	return !gw_click_check(&p);
}

static bool number_arg(const char *s, unsigned long max, unsigned long *vp)
{
	char *end;

	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	*vp = strtoul(s, &end, 10);
	return !errno && !*end && *vp <= max;
}

/* The command line after "token"; EXIT_SUCCESS or the exit status. */
static int token_args(struct token_opts *o, int argc, char **argv)
{
	static const struct option opts[] = {
		{"key", required_argument, NULL, 'k'},
		{"service", required_argument, NULL, 's'},
		{"from", required_argument, NULL, 'f'},
		{"to", required_argument, NULL, 't'},
		{"ttl", required_argument, NULL, 'T'},
		{"max-uses", required_argument, NULL, 'm'},
		{"origin", required_argument, NULL, 'o'},
		{NULL, 0, NULL, 0},
	};
	struct gw_click *c = &o->c;
	int ch;

	optind = 0;             /* a fresh scan of the sub-command's argv */
	while ((ch = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
		switch (ch) {
		case 'k':
			o->key = optarg;
			break;
		case 's':
			o->service = optarg;
			break;
		case 'f':
			o->from = optarg;
			break;
		case 't':
			if (c->nto >= GW_CLICK_TO_MAX)
				return token_fail("at most %u --to prefixes",
						  GW_CLICK_TO_MAX);
			if (!token_item_ok(optarg, NULL))
				return token_fail("--to %s: expected + (any "
						  "number) or + and up to 15 "
						  "digits", optarg);
			memcpy(c->to[c->nto++], optarg, strlen(optarg) + 1);
			break;
		case 'o':
			if (c->norigin >= GW_CLICK_ORIGINS_MAX)
				return token_fail("at most %u --origin",
						  GW_CLICK_ORIGINS_MAX);
			if (!token_item_ok(NULL, optarg))
				return token_fail("--origin %s: expected "
						  "http[s]://HOST[:PORT]", optarg);
			memcpy(c->origin[c->norigin++], optarg,
			       strlen(optarg) + 1);
			break;
		case 'T':
			if (!number_arg(optarg, 366ul * 86400ul, &o->ttl) ||
			    !o->ttl)
				return token_fail("--ttl %s: expected seconds, "
						  "1 to 31622400", optarg);
			break;
		case 'm':
			if (!number_arg(optarg, GW_CLICK_USES_MAX, &o->max))
				return token_fail("--max-uses %s: expected 0 "
						  "(no limit) to %u", optarg,
						  GW_CLICK_USES_MAX);
			break;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind < argc || !o->key) {
		usage(stderr);
		return EXIT_USAGE;
	}
	return EXIT_SUCCESS;
}

/* The claims from the options and the configuration. */
static int token_claims(struct token_opts *o, const struct gw_conf *conf,
			const char *path)
{
	struct gw_click *c = &o->c;
	struct pint_tel tel;
	struct pint_tel_error why;
	uint8_t r[GW_CLICK_JTI_BYTES];

	if (!gw_conf_key(conf, o->key))
		return token_fail("no [key %s] in %s", o->key, path);
	if (strcmp(o->service, "call") && strcmp(o->service, "fax") &&
	    strcmp(o->service, "content") && !gw_conf_service(conf, o->service))
		return token_fail("no service %s (call, fax, content or a "
				  "[service NAME] of %s)", o->service, path);
	if (o->ttl > conf->click.max_ttl)
		return token_fail("--ttl %lu is longer than [click] max_ttl "
				  "(%u) of %s", o->ttl, conf->click.max_ttl,
				  path);
	if (o->from && (pint_tel_parse(&tel, o->from, strlen(o->from),
				       conf->main.default_context, "from",
				       &why) || !tel.e164[0] ||
			strlen(tel.e164) >= sizeof(c->from)))
		return token_fail("--from %s: expected a phone number "
				  "(E.164: +CC…)", o->from);
	if (o->from)
		memcpy(c->from, tel.e164, strlen(tel.e164) + 1);
	if (strlen(o->key) >= sizeof(c->key) ||
	    strlen(o->service) >= sizeof(c->service))
		return token_fail("%s or %s is too long", o->key, o->service);
	memcpy(c->key, o->key, strlen(o->key) + 1);
	memcpy(c->service, o->service, strlen(o->service) + 1);
	c->exp = (int64_t)time(NULL) + (int64_t)o->ttl;
	c->max = (uint32_t)o->max;
	if (getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r))
		return token_fail("no random bytes: %s", strerror(errno));
	gw_click_jti(c->jti, r);
	if (gw_click_check(c))
		return token_fail("key %s or service %s is not valid in a "
				  "token", o->key, o->service);
	return EXIT_SUCCESS;
}

/* pintgw [-c FILE] token …: a signed click token on stdout. */
static int token(const char *path, int argc, char **argv)
{
	struct token_opts o;
	struct gw_conf *conf = NULL;
	char buf[GW_CLICK_TOKEN_MAX + 1];
	const struct gw_conf_key *key;
	const char *secret;
	size_t slen;
	int rc, err;

	memset(&o, 0, sizeof(o));
	o.service = "call";
	o.ttl = TOKEN_TTL;
	rc = token_args(&o, argc, argv);
	if (rc != EXIT_SUCCESS)
		return rc;
	if (load(&conf, path))
		return EXIT_FAILURE;
	if (o.ttl == TOKEN_TTL && o.ttl > conf->click.max_ttl)
		o.ttl = conf->click.max_ttl;
	rc = token_claims(&o, conf, path);
	key = rc == EXIT_SUCCESS ? gw_conf_key(conf, o.key) : NULL;
	err = key ? gw_secret_env(key, &secret, &slen) : 0;
	if (key && err == ENOENT && !key->secret_env)
		rc = token_fail("[key %s] has no secret_env", o.key);
	else if (key && err == ENOENT)
		rc = token_fail("%s (the secret_env of [key %s]) is not set "
				"or empty", key->secret_env, o.key);
	else if (key && err)
		rc = token_fail("%s is longer than %u bytes",
				key->secret_env, GW_SECRET_MAX);
	if (rc == EXIT_SUCCESS) {
		err = gw_click_mint(buf, sizeof(buf), NULL, &o.c,
				    (const uint8_t *)secret, slen);
		if (err == EMSGSIZE)
			rc = token_fail("the token would be longer than %u "
					"bytes", GW_CLICK_TOKEN_MAX);
		else if (err)
			rc = token_fail("%s", strerror(err));
		else
			printf("%s\n", buf);
	}
	gw_conf_free(conf);
	return rc;
}

/* The daemon on conf read from path, on loop when given (demo). */
static int run_on(struct gw_loop *loop, struct gw_demo *demo,
		  const char *path)
{
	char msg[GW_DAEMON_MSG_SIZE];
	struct gw_daemon *d = NULL;
	struct gw_conf *conf = NULL;
	int err;

	if (load(&conf, path))
		return EXIT_FAILURE;
	/* libcurl's process-wide set-up, before any thread (webhooks) */
	err = web_fetch_global_init();
	if (err) {
		gw_conf_free(conf);
		fprintf(stderr, "pintgw: libcurl: %s\n", strerror(err));
		return EXIT_FAILURE;
	}
	err = gw_daemon_alloc_on(&d, loop, demo, conf, path, msg, sizeof(msg));
	if (err) {
		fprintf(stderr, "pintgw: %s\n", msg[0] ? msg : strerror(err));
		web_fetch_global_cleanup();
		return EXIT_FAILURE;
	}
	if (demo)
		err = gw_demo_started(demo, gw_daemon_http_port(d));
	if (!err)
		err = gw_daemon_run(d);
	gw_daemon_free(d);
	web_fetch_global_cleanup();
	return err ? EXIT_FAILURE : EXIT_SUCCESS;
}

static int run(const char *path)
{
	return run_on(NULL, NULL, path);
}

/* --demo: the simulator and the daemon on one loop (gateway/demo.h). */
static int run_demo(const struct gw_demo_opts *o)
{
	char msg[GW_DEMO_MSG_SIZE] = "";
	struct gw_demo *demo = NULL;
	struct gw_loop *loop = NULL;
	int err, rc;

	err = pint_sip_init();
	if (!err)
		err = gw_loop_alloc(&loop);
	if (!err)
		err = gw_demo_alloc(&demo, loop, o, msg, sizeof(msg));
	if (err) {
		fprintf(stderr, "pintgw: %s\n", msg[0] ? msg : strerror(err));
		gw_loop_free(loop);
		return EXIT_FAILURE;
	}
	rc = run_on(loop, demo, gw_demo_conf_path(demo));
	gw_demo_free(demo);
	gw_loop_free(loop);
	return rc;
}

/* A --speed value: a number within the simulator's range. */
static bool speed_parse(const char *s, double *v)
{
	char *end;

	errno = 0;
	*v = strtod(s, &end);
	return !errno && end != s && !*end && *v >= GW_SIM_MIN_SPEED &&
	       *v <= GW_SIM_MAX_SPEED;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"config", required_argument, NULL, 'c'},
		{"check-config", no_argument, NULL, 't'},
		{"version", no_argument, NULL, 'V'},
		{"help", no_argument, NULL, 'h'},
		{"demo", no_argument, NULL, 'D'},
		{"listen", required_argument, NULL, 'L'},
		{"speed", required_argument, NULL, 'S'},
		{NULL, 0, NULL, 0},
	};
	const char *path = DEFAULT_CONF;
	struct gw_demo_opts demo_opts = { NULL, 0 };
	struct gw_conf *conf = NULL;
	bool check = false, demo = false, demo_only = false, conf_given = false;
	int c;

	while ((c = getopt_long(argc, argv, "+c:tVh", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			path = optarg;
			conf_given = true;
			break;
		case 'D':
			demo = true;
			break;
		case 'L':
			demo_opts.listen = optarg;
			demo_only = true;
			break;
		case 'S':
			if (!speed_parse(optarg, &demo_opts.speed)) {
				fprintf(stderr, "pintgw: --speed wants a number "
					"from %g to %g\n", GW_SIM_MIN_SPEED,
					GW_SIM_MAX_SPEED);
				return EXIT_USAGE;
			}
			demo_only = true;
			break;
		case 't':
			check = true;
			break;
		case 'V':
			printf("pintgw %s\n", gw_daemon_version());
			return EXIT_SUCCESS;
		case 'h':
			usage(stdout);
			return EXIT_SUCCESS;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (demo_only && !demo) {
		fprintf(stderr, "pintgw: --listen and --speed go with --demo\n");
		return EXIT_USAGE;
	}
	if (demo) {
		if (optind < argc || check || conf_given) {
			usage(stderr);
			return EXIT_USAGE;
		}
		return run_demo(&demo_opts);
	}
	if (optind < argc) {
		if (!strcmp(argv[optind], "hash-key") && optind + 2 == argc &&
		    !check)
			return hash_key(argv[optind + 1]);
		if (!strcmp(argv[optind], "token") && !check)
			return token(path, argc - optind, argv + optind);
		usage(stderr);
		return EXIT_USAGE;
	}
	if (check) {
		if (load(&conf, path))
			return EXIT_FAILURE;
		gw_conf_free(conf);
		printf("ok\n");
		return EXIT_SUCCESS;
	}
	return run(path);
}
