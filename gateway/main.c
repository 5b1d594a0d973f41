/*
 * gateway/main.c — the pintgw command: run the daemon on a configuration
 * file, check a file, or hash an API token for the [key] sections.
 * Exit status: 0 success, 1 a configuration or runtime failure, 2 wrong
 * usage (docs/pintgw.8).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gateway/auth.h"
#include "gateway/config.h"
#include "gateway/daemon.h"
#include "gateway/demo.h"
#include "gateway/loop.h"
#include "gateway/sim/sim.h"
#include "pint/sip.h"
#include "web/fetch.h"

#define DEFAULT_CONF "/etc/pintgw/pintgw.conf"

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
