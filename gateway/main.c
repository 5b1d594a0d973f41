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
#include "web/fetch.h"

#define DEFAULT_CONF "/etc/pintgw/pintgw.conf"

enum { EXIT_USAGE = 2 };

static void usage(FILE *f)
{
	fprintf(f,
		"usage: pintgw [-c FILE]            run the gateway\n"
		"       pintgw [-c FILE] --check-config\n"
		"       pintgw hash-key TOKEN|-     print the hash of an API token\n"
		"       pintgw --version | --help\n"
		"\n"
		"  -c, --config FILE   configuration file (default "
		DEFAULT_CONF ")\n"
		"  -t, --check-config  read the configuration, print every "
		"error, exit\n"
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

static int run(const char *path)
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
	err = gw_daemon_alloc(&d, conf, path, msg, sizeof(msg));
	if (err) {
		fprintf(stderr, "pintgw: %s\n", msg[0] ? msg : strerror(err));
		web_fetch_global_cleanup();
		return EXIT_FAILURE;
	}
	err = gw_daemon_run(d);
	gw_daemon_free(d);
	web_fetch_global_cleanup();
	return err ? EXIT_FAILURE : EXIT_SUCCESS;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"config", required_argument, NULL, 'c'},
		{"check-config", no_argument, NULL, 't'},
		{"version", no_argument, NULL, 'V'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *path = DEFAULT_CONF;
	struct gw_conf *conf = NULL;
	bool check = false;
	int c;

	while ((c = getopt_long(argc, argv, "+c:tVh", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			path = optarg;
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
