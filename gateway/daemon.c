/*
 * gateway/daemon.c — the parts of pintgw made in order on one loop, the
 * loop hooks of libmicrohttpd (the webhook pipeline and the content
 * fetcher hook their own), the fan-out of published events, and what the
 * signals do: SIGHUP reloads (keys and their secrets, [policy], [click],
 * gateways, services, log settings; what needs a restart keeps its
 * running value), SIGTERM/SIGINT drain for [pintgw] drain_grace seconds
 * and stop, SIGUSR1 logs a dump.
 */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/stat.h>

#include "gateway/api.h"
#include "gateway/auth.h"
#include "gateway/daemon.h"
#include "gateway/fetch.h"
#include "gateway/hooks.h"
#include "gateway/log.h"
#include "gateway/loop.h"
#include "gateway/requests.h"
#include "gateway/secrets.h"
#include "gateway/sipgw.h"
#include "gateway/store.h"
#include "pint/mbuf.h"
#include "pint/sip.h"
#include "web/http.h"

#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "dev"
#endif

#define COMMIT_ROUNDS 8         /* final commits whose callbacks write more */
#define FIXED_KEYS_MAX 32       /* restart-only keys logged per reload */

enum { SIG_TERM, SIG_INT, SIG_HUP, SIG_USR1, NSIGS };

struct gw_daemon {
	char *path;
	struct gw_conf *conf;
	struct gw_auth *auth;
	struct gw_secrets *secrets;     /* the keys', for click tokens */
	struct gw_loop *loop;
	bool own_loop;                  /* made here, freed here */
	struct gw_store *store;
	struct gw_sip *sip;
	struct gw_reqs *reqs;
	struct gw_api *api;
	struct gw_hooks *hooks;
	struct gw_fetch *fetch;         /* content items with "fetch": true */
	struct web_http *http;
	struct gw_api_deps deps;        /* what the api reads at each use */
	struct gw_fd http_fd;
	struct gw_prepare http_prep;
	struct gw_check http_check;
	bool hooked;
	struct gw_signal sigs[NSIGS];
	struct gw_timer drain_grace;
	struct gw_timer drain_poll;
	bool draining;
};

/* "pintgw x.y.z" as built. */
const char *gw_daemon_version(void)
{
	return PACKAGE_VERSION;
}

/* ---- small parts ---- */

static void log_apply(const struct gw_conf *conf)
{
	bool journal = log_journal_detected();

	log_set_journal(journal);
	log_set_timestamps(conf->main.log_timestamps && !journal);
	log_set_level(conf->main.log_level);
}

/* The sip side comes before the table: its events find it through d. */
static void sip_event(uint64_t ref, const struct pint_status_ev *ev, void *arg)
{
	struct gw_daemon *d = arg;

	if (d->reqs)
		gw_reqs_sip_event(ref, ev, d->reqs);
}

/* Every committed event: waiters and streams, then webhooks. */
static void published(const struct gw_store_req *row,
		      const struct gw_store_event *ev, const char *outcome, void *arg)
{
	struct gw_daemon *d = arg;

	gw_api_published(row, ev, outcome, d->api);
	if (d->hooks)
		gw_hooks_published(row, ev, d->hooks);
}

static void http_log(const char *msg, void *arg)
{
	(void)arg;
	log_debug("http: %s", msg);
}

/* MHD's epoll fd: readable means work; the check hook does it. */
static void http_fd_h(int fd, uint32_t events, void *arg)
{
	(void)fd;
	(void)events;
	(void)arg;
}

static int http_prepare(void *arg)
{
	struct gw_daemon *d = arg;
	int64_t ms = web_http_timeout_ms(d->http);

	return ms > INT_MAX ? INT_MAX : (int)ms;
}

static void http_run(void *arg)
{
	struct gw_daemon *d = arg;

	if (web_http_run(d->http))
		log_debug("http: MHD_run failed");
}

/* ---- startup ---- */

static int open_store(struct gw_daemon *d, char *msg, size_t msgsize)
{
	struct gw_store_opts o;
	char smsg[GW_STORE_MSG_MAX] = "";
	int err;

	/* systemd's StateDirectory= makes it; by hand, one level is made */
	if (mkdir(d->conf->main.state_dir, 0750) && errno != EEXIST) {
		err = errno;
		snprintf(msg, msgsize, "store: cannot create %s: %s",
			 d->conf->main.state_dir, strerror(err));
		return err;
	}
	memset(&o, 0, sizeof(o));
	o.sync = d->conf->store.synchronous;
	o.busy_timeout_ms = d->conf->store.busy_timeout;
	o.bg_checkpoint = true;
	o.bg_writer = true;
	o.commit_interval_ms = d->conf->store.commit_interval;
	err = gw_store_open(&d->store, d->conf->main.state_dir, &o, smsg,
			    sizeof(smsg));
	if (err) {
		snprintf(msg, msgsize, "store: %s/%s: %s", d->conf->main.state_dir,
			 GW_STORE_FILE, smsg[0] ? smsg : strerror(err));
		return err;
	}
	gw_store_attach(d->store, d->loop);
	return 0;
}

/* A NULL-terminated view of l's strings (free() the array only). */
static const char **list_view(const struct gw_conf_list *l)
{
	const char **v = calloc(l->n + 1, sizeof(*v));
	size_t i;

	for (i = 0; v && i < l->n; i++)
		v[i] = l->v[i];
	return v;
}

/* [http] sse_heartbeat in ms, below connection_timeout (a stream would
 * time out between two heartbeats otherwise). */
static uint32_t heartbeat_ms(const struct gw_conf_http *hc)
{
	uint32_t ms = hc->sse_heartbeat * 1000u;

	if (hc->connection_timeout && ms >= hc->connection_timeout * 1000u) {
		ms = hc->connection_timeout * 500u;
		log_warn("http: sse_heartbeat %u s is not below "
			 "connection_timeout %u s: using %u ms",
			 hc->sse_heartbeat, hc->connection_timeout, ms);
	}
	return ms;
}

static int start_http(struct gw_daemon *d, char *msg, size_t msgsize)
{
	const struct gw_conf_http *hc = &d->conf->http;
	struct web_http_conf c;
	const char **origins, **click;
	int err;

	origins = list_view(&hc->cors_origins);
	click = list_view(&d->conf->click.origins);
	if (!origins || !click) {
		free(origins);
		free(click);
		return ENOMEM;
	}
	web_http_conf_init(&c);
	c.addr = hc->listen.host;
	c.port = hc->listen.port;
	c.body_max = hc->max_body;
	c.conn_limit = hc->max_connections;
	c.per_ip_limit = hc->per_ip_connections;
	c.idle_timeout_s = hc->connection_timeout;
	c.heartbeat_ms = heartbeat_ms(hc);
	c.cors_origins = origins;
	c.cors_prefix = "/v1/click";
	c.cors_prefix_origins = click;
	c.server_name = "pintgw/" PACKAGE_VERSION;
	c.logh = http_log;
	err = web_http_alloc(&d->http, &c, gw_api_handle, d->api);
	free(origins);          /* copied */
	free(click);
	if (err) {
		snprintf(msg, msgsize, "http: cannot listen on %s%s%s:%u: %s",
			 hc->listen.ipv6 ? "[" : "", hc->listen.host,
			 hc->listen.ipv6 ? "]" : "", hc->listen.port,
			 strerror(err));
		return err;
	}
	d->deps.http = d->http;
	err = gw_fd_watch(d->loop, &d->http_fd, web_http_fd(d->http), EPOLLIN,
			  http_fd_h, d);
	if (err) {
		snprintf(msg, msgsize, "http: %s", strerror(err));
		return err;
	}
	gw_loop_add_prepare(d->loop, &d->http_prep, http_prepare, d);
	gw_loop_add_check(d->loop, &d->http_check, http_run, d);
	d->hooked = true;
	return 0;
}

static void on_signal(int signo, void *arg);

static int watch_signals(struct gw_daemon *d, char *msg, size_t msgsize)
{
	static const int nums[NSIGS] = {SIGTERM, SIGINT, SIGHUP, SIGUSR1};
	size_t i;
	int err;

	for (i = 0; i < NSIGS; i++) {
		err = gw_loop_signal(d->loop, &d->sigs[i], nums[i], on_signal, d);
		if (err) {
			snprintf(msg, msgsize, "signals: %s", strerror(err));
			return err;
		}
	}
	return 0;
}

static int start(struct gw_daemon *d, char *msg, size_t msgsize)
{
	struct gw_reqs_hooks hooks;
	char rmsg[256] = "";
	int err;

	err = pint_sip_init();
	if (!err && !d->loop) {
		err = gw_loop_alloc(&d->loop);
		d->own_loop = !err;
	}
	if (!err)
		err = gw_auth_alloc(&d->auth, d->conf);
	if (!err)
		err = gw_secrets_load(&d->secrets, d->conf);
	if (err) {
		snprintf(msg, msgsize, "start: %s", strerror(err));
		return err;
	}
	err = open_store(d, msg, msgsize);
	if (!err)
		err = gw_sip_alloc(&d->sip, d->loop, d->conf, sip_event,
				   NULL, d, msg, msgsize);
	if (err)
		return err;
	d->deps.loop = d->loop;
	d->deps.store = d->store;
	d->deps.sip = d->sip;
	d->deps.conf = d->conf;
	d->deps.auth = d->auth;
	d->deps.secrets = d->secrets;
	err = gw_api_alloc(&d->api, &d->deps);
	if (err) {
		snprintf(msg, msgsize, "api: %s", strerror(err));
		return err;
	}
	err = gw_hooks_alloc(&d->hooks, d->loop, d->store, d->conf, NULL, msg,
			     msgsize);
	if (err)
		return err;
	d->deps.hooks = d->hooks;
	err = gw_fetch_alloc(&d->fetch, d->loop, &d->conf->fetch, msg, msgsize);
	if (err)
		return err;
	d->deps.fetch = d->fetch;
	memset(&hooks, 0, sizeof(hooks));
	hooks.published = published;
	hooks.arg = d;
	err = gw_reqs_alloc(&d->reqs, d->loop, d->store, d->sip, d->conf,
			    &hooks);
	if (!err) {
		d->deps.reqs = d->reqs;
		gw_reqs_set_fetch(d->reqs, d->fetch);
	}
	if (!err)
		err = gw_reqs_recover(d->reqs, rmsg, sizeof(rmsg));
	if (!err)
		err = gw_api_seed(d->api);
	if (err) {
		snprintf(msg, msgsize, "requests: %s%s%s", strerror(err),
			 rmsg[0] ? ": " : "", rmsg);
		return err;
	}
	err = gw_hooks_recover(d->hooks, msg, msgsize);
	if (err)
		return err;
	err = start_http(d, msg, msgsize);
	if (!err)
		err = watch_signals(d, msg, msgsize);
	return err;
}

/*
 * Build everything for conf (read from path, which SIGHUP reads again).
 * msg says what failed, for the operator: a bind, the store, a gateway
 * name that does not resolve. 0, or that errno.
 */
int gw_daemon_alloc(struct gw_daemon **dp, struct gw_conf *conf,
		    const char *path, char *msg, size_t msgsize)
{
	return gw_daemon_alloc_on(dp, NULL, NULL, conf, path, msg, msgsize);
}

/* gw_daemon_alloc() on the caller's loop (NULL: its own), with the demo's
 * routes when demo is not NULL. */
int gw_daemon_alloc_on(struct gw_daemon **dp, struct gw_loop *loop,
		       struct gw_demo *demo, struct gw_conf *conf,
		       const char *path, char *msg, size_t msgsize)
{
	struct gw_daemon *d;
	char dummy[1];
	size_t n;
	int err;

	if (!msg || !msgsize) {
		msg = dummy;
		msgsize = sizeof(dummy);
	}
	msg[0] = '\0';
	if (!dp || !conf || !path) {
		gw_conf_free(conf);
		return EINVAL;
	}
	d = calloc(1, sizeof(*d));
	n = strlen(path) + 1;
	if (d)
		d->path = malloc(n);
	if (!d || !d->path) {
		free(d);
		gw_conf_free(conf);
		snprintf(msg, msgsize, "start: %s", strerror(ENOMEM));
		return ENOMEM;
	}
	memcpy(d->path, path, n);
	d->conf = conf;
	d->loop = loop;
	d->deps.demo = demo;
	log_apply(conf);
	/* a peer closing a socket must not kill us (MHD, transport) */
	signal(SIGPIPE, SIG_IGN);
	err = start(d, msg, msgsize);
	if (err) {
		gw_daemon_free(d);
		return err;
	}
	log_kv(LOG_LEVEL_INFO, "pintgw: started", "version", PACKAGE_VERSION,
	       "config", path, NULL);
	log_info("pintgw: http port %u, sip udp %u tcp %u",
		 web_http_port(d->http), gw_sip_port(d->sip, false),
		 gw_sip_port(d->sip, true));
	*dp = d;
	return 0;
}

/* Run until stopped (drained after SIGTERM/SIGINT): 0 or the loop's errno. */
int gw_daemon_run(struct gw_daemon *d)
{
	int err = gw_loop_run(d->loop);

	if (err)
		log_err("pintgw: loop: %s", strerror(err));
	return err;
}

/* The bound HTTP port (the free one picked for listen port 0). */
uint16_t gw_daemon_http_port(const struct gw_daemon *d)
{
	return d->http ? web_http_port(d->http) : 0;
}

/* Everything, in reverse order (see gw_reqs_free, gw_api.h). NULL-safe. */
void gw_daemon_free(struct gw_daemon *d)
{
	struct gw_store_stats st;
	size_t i;
	int r;

	if (!d)
		return;
	/* pending writes and the replies that wait for them, while all lives */
	for (r = 0; d->store && r < COMMIT_ROUNDS; r++) {
		gw_store_stats(d->store, &st);
		if (!st.pending || gw_store_commit(d->store))
			break;
	}
	if (d->hooked) {
		gw_fd_unwatch(d->loop, &d->http_fd);
		gw_loop_del_prepare(d->loop, &d->http_prep);
		gw_loop_del_check(d->loop, &d->http_check);
	}
	web_http_free(d->http);
	d->deps.http = NULL;
	gw_sip_free(d->sip);            /* before the table its events name */
	d->sip = NULL;
	d->deps.sip = NULL;
	gw_reqs_free(d->reqs);
	d->reqs = NULL;
	d->deps.reqs = NULL;
	gw_fetch_free(d->fetch);        /* after the table that names its jobs */
	d->fetch = NULL;
	d->deps.fetch = NULL;
	gw_api_free(d->api);
	if (d->loop) {
		for (i = 0; i < NSIGS; i++)
			gw_loop_signal_stop(d->loop, &d->sigs[i]);
		gw_timer_stop(d->loop, &d->drain_grace);
		gw_timer_stop(d->loop, &d->drain_poll);
	}
	gw_store_free(d->store);
	gw_hooks_free(d->hooks);        /* after the store's last callbacks */
	gw_secrets_free(d->secrets);
	gw_auth_free(d->auth);
	gw_conf_free(d->conf);
	if (d->own_loop)
		gw_loop_free(d->loop);
	free(d->path);
	free(d);
}

/* ---- SIGTERM, SIGINT: drain, then stop ---- */

static void drain_over(void *arg)
{
	struct gw_daemon *d = arg;

	log_warn("pintgw: drain_grace over with work in flight: stopping");
	gw_loop_stop(d->loop);
}

static void drain_check(void *arg)
{
	struct gw_daemon *d = arg;

	if (gw_reqs_idle(d->reqs)) {
		log_info("pintgw: drained: stopping");
		gw_loop_stop(d->loop);
		return;
	}
	gw_timer_start(d->loop, &d->drain_poll, GW_DAEMON_POLL_MS, drain_check,
		       d);
}

/*
 * Stop accepting connections and creates, let in-flight INVITEs get their
 * answers for up to drain_grace seconds, then stop the loop. A second
 * call stops at once.
 */
void gw_daemon_shutdown(struct gw_daemon *d)
{
	uint32_t grace = d->conf->main.drain_grace;

	if (d->draining) {
		log_warn("pintgw: stopping now");
		gw_loop_stop(d->loop);
		return;
	}
	d->draining = true;
	log_info("pintgw: draining for up to %u s", grace);
	web_http_quiesce(d->http);
	gw_api_drain(d->api);
	gw_reqs_drain(d->reqs);
	if (!grace) {
		gw_loop_stop(d->loop);
		return;
	}
	gw_timer_start(d->loop, &d->drain_grace, (uint64_t)grace * 1000u,
		       drain_over, d);
	gw_timer_start(d->loop, &d->drain_poll, 0, drain_check, d);
}

/* ---- SIGHUP: reload ---- */

#define SWAP(a, b) do { __typeof__(a) t_ = (a); (a) = (b); (b) = t_; } while (0)

/* Give cur the running value of the restart-only setting key. */
static bool keep_running(struct gw_conf *old, struct gw_conf *cur,
			 const char *key)
{
	static const char *const names[] = {
		"[pintgw] state_dir", "[http] listen", "[http] max_body",
		"[http] max_connections", "[http] per_ip_connections",
		"[http] connection_timeout", "[sip] listen",
		"[sip] contact_host", "[sip] user", "[sip] udp_buffer",
		"[sip] tcp_idle_timeout", "[sip] max_message", "[sip] t1",
		"[sip] t2", "[sip] t4", "[store] synchronous",
		"[store] busy_timeout", "[webhooks]", "[fetch]",
		"[store] commit_interval",
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(key, names[i]))
			break;
	switch (i) {
	case 0: SWAP(old->main.state_dir, cur->main.state_dir); break;
	case 1: SWAP(old->http.listen, cur->http.listen); break;
	case 2: SWAP(old->http.max_body, cur->http.max_body); break;
	case 3: SWAP(old->http.max_connections, cur->http.max_connections); break;
	case 4: SWAP(old->http.per_ip_connections,
		     cur->http.per_ip_connections); break;
	case 5: SWAP(old->http.connection_timeout,
		     cur->http.connection_timeout); break;
	case 6:
		for (i = 0; i < GW_CONF_MAX_LISTEN; i++)
			SWAP(old->sip.listen[i], cur->sip.listen[i]);
		SWAP(old->sip.nlisten, cur->sip.nlisten);
		break;
	case 7:
		SWAP(old->sip.contact_host, cur->sip.contact_host);
		SWAP(old->sip.contact_ipv6, cur->sip.contact_ipv6);
		break;
	case 8: SWAP(old->sip.user, cur->sip.user); break;
	case 9: SWAP(old->sip.udp_buffer, cur->sip.udp_buffer); break;
	case 10: SWAP(old->sip.tcp_idle_timeout, cur->sip.tcp_idle_timeout);
		break;
	case 11: SWAP(old->sip.max_message, cur->sip.max_message); break;
	case 12: SWAP(old->sip.t1, cur->sip.t1); break;
	case 13: SWAP(old->sip.t2, cur->sip.t2); break;
	case 14: SWAP(old->sip.t4, cur->sip.t4); break;
	case 15: SWAP(old->store.synchronous, cur->store.synchronous); break;
	case 16: SWAP(old->store.busy_timeout, cur->store.busy_timeout); break;
	case 17: SWAP(old->webhooks, cur->webhooks); break;
	case 18: SWAP(old->fetch, cur->fetch); break;
	case 19: SWAP(old->store.commit_interval, cur->store.commit_interval); break;
	default:
		return false;   /* a key this version does not know */
	}
	return true;
}

/*
 * Log each restart-only change and keep its running value in cur (old
 * gets cur's: it is freed next). Nothing may fail after this.
 */
static void keep_fixed(struct gw_conf *old, struct gw_conf *cur)
{
	const char *key;
	int n;

	for (n = 0; n < FIXED_KEYS_MAX && gw_conf_needs_restart(old, cur, &key);
	     n++) {
		log_warn("config: %s changed: it needs a restart, the running "
			 "value stays", key);
		if (!keep_running(old, cur, key))
			break;
	}
}

/*
 * Read the file again. On any error the running configuration stays (the
 * errors are logged, FILE:LINE each). Else keys, services, gateways, log
 * settings and limits apply now; requests in flight keep their specs.
 */
int gw_daemon_reload(struct gw_daemon *d)
{
	struct gw_conf_errs errs;
	struct gw_conf *nc = NULL;
	struct gw_auth *na = NULL;
	struct gw_secrets *ns = NULL;
	char msg[GW_DAEMON_MSG_SIZE] = "";
	const char **click, **origins;
	size_t i;
	int err;

	err = gw_conf_load(&nc, d->path, &errs);
	if (err) {
		for (i = 0; i < errs.n; i++)
			log_err("config: %s", errs.msg[i]);
		if (errs.total > errs.n)
			log_err("config: and %zu more errors",
				errs.total - errs.n);
		log_err("config: reload failed (%s): the running configuration "
			"stays", strerror(err));
		return err;
	}
	err = gw_auth_alloc(&na, nc);
	if (!err)
		err = gw_secrets_load(&ns, nc);
	if (!err && d->sip)
		err = gw_sip_reload(d->sip, nc, msg, sizeof(msg));
	if (err) {
		log_err("config: reload failed: %s: the running configuration "
			"stays", msg[0] ? msg : strerror(err));
		gw_secrets_free(ns);
		gw_auth_free(na);
		gw_conf_free(nc);
		return err;
	}
	keep_fixed(d->conf, nc);
	if (gw_hooks_reload(d->hooks, nc))
		log_warn("config: webhook secrets not reloaded (%s): the "
			 "previous ones stay", strerror(ENOMEM));
	click = list_view(&nc->click.origins);
	if (d->http && (!click || web_http_cors_prefix_set(d->http, click)))
		log_warn("config: [click] origins not reloaded: the previous "
			 "ones stay");
	free(click);
	origins = list_view(&nc->http.cors_origins);
	if (d->http && (!origins || web_http_cors_set(d->http, origins)))
		log_warn("config: [http] cors_origins not reloaded: the "
			 "previous ones stay");
	free(origins);
	if (d->http && web_http_heartbeat_set(d->http, heartbeat_ms(&nc->http)))
		log_warn("config: [http] sse_heartbeat not reloaded");
	gw_reqs_reload(d->reqs, nc);
	d->deps.conf = nc;
	d->deps.auth = na;
	d->deps.secrets = ns;
	gw_secrets_free(d->secrets);
	d->secrets = ns;
	gw_auth_free(d->auth);
	gw_conf_free(d->conf);
	d->auth = na;
	d->conf = nc;
	log_apply(nc);
	log_kv(LOG_LEVEL_INFO, "config: reloaded", "config", d->path, NULL);
	return 0;
}

/* ---- SIGUSR1: a dump for operators ---- */

static void dump(struct gw_daemon *d)
{
	struct pint_mbuf mb;
	char *line, *nl;

	pint_mbuf_init(&mb, 0);
	if (!gw_sip_debug(d->sip, &mb) && mb.buf) {
		for (line = mb.buf; *line; line = nl + 1) {
			nl = strchr(line, '\n');
			if (nl)
				*nl = '\0';
			if (*line)
				log_info("debug: %s", line);
			if (!nl)
				break;
		}
	}
	pint_mbuf_reset(&mb);
	log_info("debug: requests live=%zu long-polls=%zu",
		 gw_reqs_live(d->reqs), gw_api_waiting(d->api));
}

static void on_signal(int signo, void *arg)
{
	struct gw_daemon *d = arg;

	switch (signo) {
	case SIGHUP:
		log_info("pintgw: SIGHUP: reloading %s", d->path);
		gw_daemon_reload(d);
		break;
	case SIGUSR1:
		dump(d);
		break;
	default:
		log_info("pintgw: %s", strsignal(signo));
		gw_daemon_shutdown(d);
		break;
	}
}
