/*
 * bench/mhd_baseline.c — the baseline of bench/run.sh's HTTP figures: a
 * bare libmicrohttpd JSON handler in external epoll mode, driven by a
 * loop of our own (libraries.md §2.3, server.c of Appendix B). It does
 * what pintgw's create does minus everything behind it: accumulate the
 * body, parse it strictly with jansson, answer 201 with a small JSON
 * object. No store, no SIP, no auth.
 *
 *   mhd_baseline PORT      (0: any free port; prints "port N" once ready)
 *
 * Runs until SIGTERM or SIGINT. Any POST path is served; other methods
 * get 404.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <jansson.h>
#include <microhttpd.h>

#define MAX_BODY 16384u

struct req {
	char *buf;
	size_t len;
	int too_big;
};

static unsigned long next_id = 1;      /* one thread: no atomics needed */
static volatile sig_atomic_t stop;

static void on_signal(int signo)
{
	(void)signo;
	stop = 1;
}

static enum MHD_Result send_json(struct MHD_Connection *c, unsigned code,
				 json_t *j)
{
	struct MHD_Response *r;
	enum MHD_Result ret;
	char *s = j ? json_dumps(j, JSON_COMPACT) : NULL;

	json_decref(j);
	if (!s)
		return MHD_NO;
	r = MHD_create_response_from_buffer(strlen(s), s, MHD_RESPMEM_MUST_FREE);
	if (!r) {
		free(s);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
				"application/json");
	ret = MHD_queue_response(c, code, r);
	MHD_destroy_response(r);
	return ret;
}

/* The body as pintgw's create takes it, strictly: unknown keys are 422. */
static enum MHD_Result handle_create(struct MHD_Connection *c, struct req *rq)
{
	const char *service = "call", *to, *from = NULL;
	json_t *root, *opts = NULL, *resp;
	json_error_t err;
	char id[32];
	int ring = 0, track = 1;

	root = json_loadb(rq->buf ? rq->buf : "", rq->len,
			  JSON_REJECT_DUPLICATES, &err);
	if (!root)
		return send_json(c, 400, json_pack("{s:s, s:s}", "error",
						   "invalid JSON", "detail",
						   err.text));
	if (json_unpack_ex(root, &err, JSON_STRICT,
			   "{s?s, s:s, s?s, s?i, s?b, s?o}", "service",
			   &service, "to", &to, "from", &from,
			   "ring_timeout", &ring, "track", &track,
			   "client_state", &opts)) {
		resp = json_pack("{s:s, s:s}", "error", "schema", "detail",
				 err.text);
		json_decref(root);
		return send_json(c, 422, resp);
	}
	snprintf(id, sizeof(id), "rq_%017lu", next_id++);
	resp = json_pack("{s:s, s:s, s:s, s:s}", "id", id, "status", "queued",
			 "to", to, "service", service);
	json_decref(root);
	return send_json(c, 201, resp);
}

static enum MHD_Result access_cb(void *cls, struct MHD_Connection *c,
				 const char *url, const char *method,
				 const char *version, const char *data,
				 size_t *size, void **con_cls)
{
	struct req *rq = *con_cls;
	const char *cl;
	char *nb;

	(void)cls;
	(void)url;
	(void)version;
	if (!rq) {                      /* first call: headers only */
		rq = calloc(1, sizeof(*rq));
		if (!rq)
			return MHD_NO;
		*con_cls = rq;
		cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
						 MHD_HTTP_HEADER_CONTENT_LENGTH);
		if (cl && strtoull(cl, NULL, 10) > MAX_BODY) {
			rq->too_big = 1;
			return send_json(c, 413, json_pack("{s:s}", "error",
							   "body too large"));
		}
		return MHD_YES;
	}
	if (strcmp(method, "POST"))
		return send_json(c, 404, json_pack("{s:s}", "error",
						   "not found"));
	if (*size) {                    /* a body chunk */
		if (rq->too_big || rq->len + *size > MAX_BODY)
			return MHD_NO;
		nb = realloc(rq->buf, rq->len + *size + 1);
		if (!nb)
			return MHD_NO;
		rq->buf = nb;
		memcpy(rq->buf + rq->len, data, *size);
		rq->len += *size;
		*size = 0;
		return MHD_YES;
	}
	return rq->too_big ? MHD_YES : handle_create(c, rq);
}

static void completed_cb(void *cls, struct MHD_Connection *c, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct req *rq = *con_cls;

	(void)cls;
	(void)c;
	(void)toe;
	if (rq) {
		free(rq->buf);
		free(rq);
	}
	*con_cls = NULL;
}

int main(int argc, char **argv)
{
	const union MHD_DaemonInfo *info;
	struct epoll_event ev, evs[64];
	struct sockaddr_in sin;
	struct sigaction sa;
	struct MHD_Daemon *d;
	unsigned long port;
	char *end;
	int ep, mhd_fd, ms;

	if (argc != 2) {
		fputs("usage: mhd_baseline PORT\n", stderr);
		return 2;
	}
	errno = 0;
	port = strtoul(argv[1], &end, 10);
	if (errno || *end || port > 65535) {
		fputs("mhd_baseline: bad port\n", stderr);
		return 2;
	}
	memset(&sin, 0, sizeof(sin));       /* loopback only */
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	d = MHD_start_daemon(MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME |
			     MHD_USE_ERROR_LOG, (uint16_t)port, NULL, NULL,
			     access_cb, NULL,
			     MHD_OPTION_NOTIFY_COMPLETED, completed_cb, NULL,
			     MHD_OPTION_CONNECTION_LIMIT, 4096u,
			     MHD_OPTION_PER_IP_CONNECTION_LIMIT, 0u,
			     MHD_OPTION_CONNECTION_TIMEOUT, 30u,
			     MHD_OPTION_CONNECTION_MEMORY_LIMIT,
			     (size_t)(32u * 1024u),
			     MHD_OPTION_LISTEN_BACKLOG_SIZE, 1024u,
			     MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sin,
			     MHD_OPTION_END);
	if (!d) {
		fputs("mhd_baseline: MHD_start_daemon failed\n", stderr);
		return 1;
	}
	info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_EPOLL_FD);
	mhd_fd = info ? info->epoll_fd : -1;
	ep = epoll_create1(EPOLL_CLOEXEC);
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN;
	if (mhd_fd < 0 || ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, mhd_fd, &ev)) {
		fputs("mhd_baseline: epoll set-up failed\n", stderr);
		MHD_stop_daemon(d);
		return 1;
	}
	info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	printf("port %u\n", info ? (unsigned)info->port : 0u);
	fflush(stdout);
	while (!stop) {
		MHD_UNSIGNED_LONG_LONG to;

		ms = 1000;              /* the loop's wait is capped at 1 s */
		if (MHD_get_timeout(d, &to) == MHD_YES && to < (unsigned)ms)
			ms = (int)to;
		if (epoll_wait(ep, evs, 64, ms) < 0 && errno != EINTR)
			break;
		MHD_run(d);             /* every turn, even on a timeout */
	}
	MHD_stop_daemon(d);
	close(ep);
	return 0;
}
