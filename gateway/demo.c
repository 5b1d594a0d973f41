/*
 * gateway/demo.c — `pintgw --demo` (demo.h): a temporary directory with a
 * generated configuration, fresh secrets, the built-in PINT server on a
 * loopback port of the daemon's loop, and the trace of what it saw.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "gateway/auth.h"
#include "gateway/demo.h"
#include "gateway/sim/sim.h"
#include "gateway/sipgw.h"
#include "gateway/trace.h"
#include "web/json.h"

#define DIR_SIZE 256u
#define PATH_SIZE (DIR_SIZE + 32u)
#define LISTEN_MAX 64u
#define KEY_SIZE (sizeof(KEY_PREFIX) - 1u + 2u * (SIPGW_TOKEN_SIZE - 1u) + 1u)
#define KEY_PREFIX "pk_demo_"

struct gw_demo {
	struct gw_loop *loop;
	struct gw_sim *sim;
	struct gw_trace *trace;
	char dir[DIR_SIZE];             /* "" until made */
	char conf_path[PATH_SIZE];
	char listen[LISTEN_MAX + 1];
	char api_key[KEY_SIZE];
	uint16_t sim_port;
	uint16_t http_port;
};

/* ---- the simulator's trace ---- */

static int64_t wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The simulator's view turned round: what it received pintgw sent. */
static void trace_h(const struct gw_sim_trace *t, void *arg)
{
	struct gw_demo *demo = arg;
	struct gw_trace_msg m;
	char peer[32];

	/* the peer as pintgw sees it: the simulator, over the same transport */
	snprintf(peer, sizeof(peer), "%.3s:127.0.0.1:%u", t->peer,
		 demo->sim_port);
	memset(&m, 0, sizeof(m));
	m.out = !t->out;
	m.absorbed = t->absorbed;
	m.at_ms = wall_ms();
	m.peer = peer;
	m.text = t->text;
	m.len = t->len;
	m.call_id = t->call_id;
	(void)gw_trace_add(demo->trace, &m);    /* a demo aid: best effort */
}

/* ---- set-up ---- */

/* HOST:PORT with a numeric host; only what an address can contain, so
 * it can go into the configuration text as it is. */
static bool listen_ok(const char *s)
{
	size_t i, n = strlen(s);

	if (!n || n > LISTEN_MAX || !strchr(s, ':'))
		return false;
	for (i = 0; i < n; i++)
		if (!strchr("0123456789abcdefABCDEF.:[]", s[i]))
			return false;
	return true;
}

static int make_dir(struct gw_demo *demo, char *msg, size_t msgsize)
{
	const char *tmp = getenv("TMPDIR");
	int n;

	if (!tmp || !tmp[0])
		tmp = "/tmp";
	n = snprintf(demo->dir, sizeof(demo->dir), "%s/pintgw-demo.XXXXXX",
		     tmp);
	if (n < 0 || (size_t)n >= sizeof(demo->dir) || !mkdtemp(demo->dir)) {
		int err = n < 0 || (size_t)n >= sizeof(demo->dir) ?
			  ENAMETOOLONG : errno;

		snprintf(msg, msgsize, "demo: cannot make a directory in %s: "
			 "%s", tmp, strerror(err));
		demo->dir[0] = '\0';
		return err;
	}
	snprintf(demo->conf_path, sizeof(demo->conf_path), "%s/pintgw.conf",
		 demo->dir);
	return 0;
}

/* The key clients use and the secret its click tokens are signed with. */
static int make_secrets(struct gw_demo *demo, char *secret, size_t size)
{
	char a[SIPGW_TOKEN_SIZE], b[SIPGW_TOKEN_SIZE];
	int err;

	err = gw_sip_token(a);
	if (!err)
		err = gw_sip_token(b);
	if (!err)
		snprintf(demo->api_key, sizeof(demo->api_key), KEY_PREFIX "%s%s",
			 a, b);
	if (!err)
		err = gw_sip_token(a);
	if (!err)
		err = gw_sip_token(b);
	if (!err)
		snprintf(secret, size, "%s%s", a, b);
	return err;
}

static int start_sim(struct gw_demo *demo, double speed, char *msg,
		     size_t msgsize)
{
	static const struct gw_tp_listen_cfg ls = {
		.addr = "127.0.0.1", .port = 0, .udp = true, .tcp = true,
	};
	struct gw_sim_conf c;
	int err;

	err = gw_trace_alloc(&demo->trace, GW_DEMO_TRACE_MSGS,
			     GW_DEMO_TRACE_BYTES, GW_DEMO_TRACE_LINKS);
	if (err) {
		snprintf(msg, msgsize, "demo: trace: %s", strerror(err));
		return err;
	}
	memset(&c, 0, sizeof(c));
	c.listen = &ls;
	c.nlisten = 1;
	c.speed = speed;
	c.trace = trace_h;
	c.trace_arg = demo;
	err = gw_sim_alloc(&demo->sim, demo->loop, &c, msg, msgsize);
	if (err)
		return err;
	demo->sim_port = gw_sim_port(demo->sim, false);
	return 0;
}

/* The daemon's configuration, written where SIGHUP finds it again. */
static int write_conf(struct gw_demo *demo, const char *hash, char *msg,
		      size_t msgsize)
{
	FILE *f;
	int fd, err = 0;

	fd = open(demo->conf_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
		  0600);
	f = fd < 0 ? NULL : fdopen(fd, "w");
	if (!f) {
		err = errno;
		if (fd >= 0)
			close(fd);
		snprintf(msg, msgsize, "demo: %s: %s", demo->conf_path,
			 strerror(err));
		return err;
	}
	fprintf(f,
		"# Written by pintgw --demo for this run; removed when it "
		"stops.\n"
		"[pintgw]\n"
		"state_dir = %s\n"
		"log_level = info\n"
		"drain_grace = 2\n"
		"\n[http]\n"
		"listen = %s\n"
		"\n[sip]\n"
		"listen = udp:127.0.0.1:0 tcp:127.0.0.1:0\n"
		"ring_timeout = 60\n"
		"\n# Visitors try the same test numbers again and again: no "
		"cooldown;\n# the premium-rate deny list stays on (try "
		"+1 900 555 0000).\n"
		"[policy]\n"
		"destination_cooldown = 0\n"
		"destination_daily_cap = 1000\n"
		"\n# One visitor clicks the demo's button often: one a second, "
		"ten at once.\n"
		"[click]\n"
		"rate_per_ip = 1\n"
		"burst_per_ip = 10\n"
		"\n# The built-in PINT server (gateway/sim), on this process's "
		"loop.\n"
		"[gateway sim]\n"
		"address = udp:127.0.0.1:%u\n"
		"keepalive = 5\n"
		"status = pint\n"
		"\n[key " GW_DEMO_KEY_NAME "]\n"
		"hash = sha256:%s\n"
		"scopes = call fax content read cancel\n"
		"rate = 20\n"
		"burst = 40\n"
		"concurrency = 50\n"
		"from = +1 555 555 0100\n"
		"secret_env = " GW_DEMO_SECRET_ENV "\n",
		demo->dir, demo->listen, demo->sim_port, hash);
	if (ferror(f))
		err = EIO;
	if (fclose(f) && !err)
		err = errno;
	if (err)
		snprintf(msg, msgsize, "demo: %s: %s", demo->conf_path,
			 strerror(err));
	return err;
}

/*
 * Make the directory, the secrets (the click secret goes into the
 * environment), the simulator on loop and the configuration file.
 * msg says what failed. 0, EINVAL for a bad listen address, or an errno.
 */
int gw_demo_alloc(struct gw_demo **demop, struct gw_loop *loop,
		  const struct gw_demo_opts *opts, char *msg, size_t msgsize)
{
	char secret[2 * SIPGW_TOKEN_SIZE], hex[GW_AUTH_HEX_SIZE];
	const char *listen = opts && opts->listen ? opts->listen :
			     GW_DEMO_LISTEN;
	struct gw_demo *demo;
	int err;

	if (!demop || !loop || !msg || !msgsize)
		return EINVAL;
	msg[0] = '\0';
	if (!listen_ok(listen)) {
		snprintf(msg, msgsize, "demo: --listen wants HOST:PORT with a "
			 "numeric host, not '%s'", listen);
		return EINVAL;
	}
	demo = calloc(1, sizeof(*demo));
	if (!demo)
		return ENOMEM;
	demo->loop = loop;
	memcpy(demo->listen, listen, strlen(listen) + 1);
	err = make_secrets(demo, secret, sizeof(secret));
	if (!err)
		err = gw_auth_hash_token(demo->api_key, hex);
	if (!err && setenv(GW_DEMO_SECRET_ENV, secret, 1))
		err = errno;
	explicit_bzero(secret, sizeof(secret));
	if (err) {
		snprintf(msg, msgsize, "demo: secrets: %s", strerror(err));
		goto out;
	}
	err = make_dir(demo, msg, msgsize);
	if (!err)
		err = start_sim(demo, opts ? opts->speed : 0, msg, msgsize);
	if (!err)
		err = write_conf(demo, hex, msg, msgsize);
out:
	if (err) {
		gw_demo_free(demo);
		return err;
	}
	*demop = demo;
	return 0;
}

/* What the daemon left in the directory (store, WAL, configuration). */
static void remove_dir(const char *dir)
{
	struct dirent *e;
	DIR *d = opendir(dir);

	if (!d)
		return;
	while ((e = readdir(d)) != NULL) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		(void)unlinkat(dirfd(d), e->d_name, 0);
	}
	closedir(d);
	(void)rmdir(dir);
}

/* The simulator, the trace and the directory. NULL-safe. */
void gw_demo_free(struct gw_demo *demo)
{
	if (!demo)
		return;
	gw_sim_free(demo->sim);
	gw_trace_free(demo->trace);
	if (demo->dir[0])
		remove_dir(demo->dir);
	explicit_bzero(demo->api_key, sizeof(demo->api_key));
	free(demo);
}

const char *gw_demo_conf_path(const struct gw_demo *demo)
{
	return demo->conf_path;
}

/*
 * HTTP listens on http_port: print where to look and the key to use. The
 * first line is for scripts: "demo: URL api_key=KEY". 0 or EIO.
 */
int gw_demo_started(struct gw_demo *demo, uint16_t http_port)
{
	const char *colon = strrchr(demo->listen, ':');
	int host_len = (int)(colon - demo->listen);
	char url[LISTEN_MAX + 16];

	demo->http_port = http_port;
	snprintf(url, sizeof(url), "http://%.*s:%u", host_len, demo->listen,
		 http_port);
	printf("demo: %s/ api_key=%s\n"
	       "\n"
	       "  pintgw demo is running.\n"
	       "  Page:     %s/  (a call-me button, fax and content forms, "
	       "the SIP of each request)\n"
	       "  API key:  %s\n"
	       "  Try:      curl -s -H 'Authorization: Bearer %s' "
	       "-H 'Content-Type: application/json' \\\n"
	       "              -d '{\"service\":\"call\",\"to\":\"+1 555 555 "
	       "0000\"}' %s/v1/requests\n"
	       "  Gateway:  the built-in PINT server on udp:127.0.0.1:%u; the "
	       "last four digits\n"
	       "            of the number pick the outcome (0000 answered, "
	       "0486 busy, 0408 no answer …)\n"
	       "  Files:    %s (removed on exit)\n"
	       "  Ctrl-C stops it.\n\n",
	       url, demo->api_key, url, demo->api_key, demo->api_key, url,
	       demo->sim_port, demo->dir);
	return fflush(stdout) ? EIO : 0;
}

/* ---- what the demo page reads ---- */

static int outcomes_json(json_t **arrp)
{
	json_t *arr = json_array();
	int o, err = arr ? 0 : ENOMEM;

	for (o = 0; !err && o < GW_SIM_NOUTCOMES; o++) {
		json_t *e = json_object();

		err = e ? 0 : ENOMEM;
		if (!err)
			err = web_json_set_str(e, "digits",
					       gw_sim_outcome_digits(o));
		if (!err)
			err = web_json_set_str(e, "name",
					       gw_sim_outcome_name(o));
		if (!err)
			err = web_json_set_str(e, "description",
					       gw_sim_outcome_text(o));
		if (err)
			json_decref(e);
		else if (json_array_append_new(arr, e))
			err = ENOMEM;
	}
	if (err) {
		json_decref(arr);
		return err;
	}
	*arrp = arr;
	return 0;
}

/* {"api_key", "sim", "outcomes": [{digits, name, description}]} */
int gw_demo_config_json(const struct gw_demo *demo, const char *click_token,
			char **bodyp, size_t *lenp)
{
	json_t *root = json_object(), *arr = NULL;
	char sim[32];
	int err = root ? 0 : ENOMEM;

	snprintf(sim, sizeof(sim), "udp:127.0.0.1:%u", demo->sim_port);
	if (!err)
		err = web_json_set_str(root, "api_key", demo->api_key);
	if (!err)
		err = web_json_set_str(root, "click_token", click_token);
	if (!err)
		err = web_json_set_str(root, "sim", sim);
	if (!err)
		err = outcomes_json(&arr);
	if (!err)
		err = web_json_set_new(root, "outcomes", arr);
	if (!err)
		err = web_json_dump(bodyp, lenp, root, JSON_COMPACT);
	json_decref(root);
	return err;
}

int gw_demo_trace_json(const struct gw_demo *demo, const char *request_id,
		       const char *call_id, char **bodyp, size_t *lenp)
{
	return gw_trace_json(demo->trace, request_id, call_id, bodyp, lenp);
}
