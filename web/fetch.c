/*
 * web/fetch.c — libcurl multi-socket driver on an external loop, with
 * the outbound address policy (libraries.md §4).
 *
 * curl's sockets go into a private epoll set whose fd the daemon watches
 * (the shape of web/http.c); curl's one timer is a deadline the daemon
 * reads each turn. The policy is enforced where it cannot be dodged:
 * curl gets the canonical URL only, allows http and https on every hop,
 * no proxy, and CURLOPT_OPENSOCKETFUNCTION refuses to create the socket
 * for any address web_urlsafe refuses — so names that resolve inside,
 * redirects and DNS rebinding meet the same check as literals.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <curl/curl.h>

#include "web/fetch.h"

#define TAB_INIT 64u
#define EVENTS_MAX 64
#define BUF_INIT 4096u

struct xfer {
	struct web_fetch *f;
	uint64_t id;
	struct xfer *hnext;             /* id table chain */
	CURL *e;
	struct curl_slist *hdrs;
	char *post;                     /* the body copy curl reads */
	char *buf;                      /* response body, NUL-terminated */
	size_t len, size, max;
	char *accept;                   /* GET: wanted media type */
	web_fetch_h *h;
	void *arg;
	bool typed;                     /* type looked at in on_write() */
	bool bad_type, too_big, nomem, refused;
	enum web_urlsafe_class cls;     /* of the last refused address */
	char refused_addr[WEB_URLSAFE_ADDR_SIZE];
	char errbuf[CURL_ERROR_SIZE];
};

struct web_fetch {
	CURLM *multi;
	int epfd;
	int64_t due_us;                 /* curl's timer; -1 = none */
	struct web_fetch_conf conf;
	struct web_urlsafe_allow allow;
	char *user_agent;
	struct curl_slist *resolve;
	struct xfer **tab;
	size_t tab_size, tab_n;
	uint64_t next_id;
	struct web_fetch_stats st;
};

static int64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* ---- id table ---- */

static size_t tab_slot(const struct web_fetch *f, uint64_t id)
{
	return (size_t)(id * 0x9e3779b97f4a7c15ull >> 17) & (f->tab_size - 1);
}

static void tab_grow(struct web_fetch *f)
{
	struct xfer **nt, *x, *next;
	size_t i, old = f->tab_size;

	nt = calloc(old * 2, sizeof(*nt));
	if (!nt)
		return;         /* longer chains, still correct */
	f->tab_size = old * 2;
	for (i = 0; i < old; i++) {
		for (x = f->tab[i]; x; x = next) {
			size_t s = tab_slot(f, x->id);

			next = x->hnext;
			x->hnext = nt[s];
			nt[s] = x;
		}
	}
	free(f->tab);
	f->tab = nt;
}

static void tab_add(struct web_fetch *f, struct xfer *x)
{
	size_t s;

	if (f->tab_n >= f->tab_size)
		tab_grow(f);
	s = tab_slot(f, x->id);
	x->hnext = f->tab[s];
	f->tab[s] = x;
	f->tab_n++;
}

static struct xfer *tab_take(struct web_fetch *f, uint64_t id)
{
	struct xfer **pp = &f->tab[tab_slot(f, id)], *x;

	for (; *pp; pp = &(*pp)->hnext) {
		if ((*pp)->id == id) {
			x = *pp;
			*pp = x->hnext;
			f->tab_n--;
			return x;
		}
	}
	return NULL;
}

/* ---- curl's hooks into our epoll set ---- */

static int on_socket(CURL *e, curl_socket_t s, int what, void *userp,
		     void *socketp)
{
	struct web_fetch *f = userp;
	struct epoll_event ev;
	int op;

	(void)e;
	if (what == CURL_POLL_REMOVE) {
		/* curl may already have closed it: nothing to undo then */
		epoll_ctl(f->epfd, EPOLL_CTL_DEL, s, NULL);
		curl_multi_assign(f->multi, s, NULL);
		return 0;
	}
	memset(&ev, 0, sizeof(ev));
	ev.events = (what & CURL_POLL_IN ? EPOLLIN : 0u) |
		    (what & CURL_POLL_OUT ? EPOLLOUT : 0u);
	ev.data.fd = s;
	op = socketp ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
	if (epoll_ctl(f->epfd, op, s, &ev) < 0) {
		/* a reused fd number: the set's view and curl's disagree */
		op = errno == ENOENT ? EPOLL_CTL_ADD : EPOLL_CTL_MOD;
		if (epoll_ctl(f->epfd, op, s, &ev) < 0)
			return -1;
	}
	if (!socketp)
		curl_multi_assign(f->multi, s, f);
	return 0;
}

static int on_timer(CURLM *m, long ms, void *userp)
{
	struct web_fetch *f = userp;

	(void)m;
	f->due_us = ms < 0 ? -1 : now_us() + (int64_t)ms * 1000;
	return 0;
}

/* Every connection of every hop: create the socket only if allowed. */
static curl_socket_t on_open(void *arg, curlsocktype purpose,
			     struct curl_sockaddr *a)
{
	struct xfer *x = arg;
	enum web_urlsafe_class cls = WEB_URLSAFE_NOT_IP;
	const void *ip = NULL;

	if (purpose == CURLSOCKTYPE_IPCXN &&
	    !web_urlsafe_sockaddr_ok(&a->addr, a->addrlen, &x->f->allow,
				     &cls))
		return socket(a->family, a->socktype | SOCK_CLOEXEC,
			      a->protocol);
	x->refused = true;
	x->cls = cls;
	if (a->family == AF_INET)
		ip = &((const struct sockaddr_in *)(const void *)&a->addr)
			->sin_addr;
	else if (a->family == AF_INET6)
		ip = &((const struct sockaddr_in6 *)(const void *)&a->addr)
			->sin6_addr;
	if (!ip || !inet_ntop(a->family, ip, x->refused_addr,
			      sizeof(x->refused_addr)))
		snprintf(x->refused_addr, sizeof(x->refused_addr), "?");
	return CURL_SOCKET_BAD;
}

/*
 * Does a Content-Type name the wanted media type? type/subtype compare
 * without case, parameters and white space ignored.
 */
bool web_fetch_type_match(const char *ctype, const char *want)
{
	size_t n, w;

	if (!ctype || !want)
		return false;
	while (*ctype == ' ' || *ctype == '\t')
		ctype++;
	n = strcspn(ctype, "; \t");
	w = strlen(want);
	return n == w && n > 0 && !strncasecmp(ctype, want, n);
}

static bool type_bad(struct xfer *x)
{
	long code = 0;
	char *ct = NULL;

	if (!x->accept)
		return false;
	curl_easy_getinfo(x->e, CURLINFO_RESPONSE_CODE, &code);
	if (code < 200 || code > 299)
		return false;   /* an error page is returned as data */
	curl_easy_getinfo(x->e, CURLINFO_CONTENT_TYPE, &ct);
	return !web_fetch_type_match(ct, x->accept);
}

static size_t on_write(char *p, size_t size, size_t nmemb, void *arg)
{
	struct xfer *x = arg;
	size_t len = size * nmemb;

	if (!x->typed) {
		/* headers are complete by the first body byte */
		x->typed = true;
		if (type_bad(x)) {
			x->bad_type = true;
			return 0;
		}
	}
	if (len > x->max - x->len) {
		x->too_big = true;
		return 0;
	}
	if (x->len + len + 1 > x->size) {
		size_t ns = x->size ? x->size : BUF_INIT;
		char *nb;

		while (ns < x->len + len + 1)
			ns *= 2;
		if (ns > x->max + 1)
			ns = x->max + 1;
		nb = realloc(x->buf, ns);
		if (!nb) {
			x->nomem = true;
			return 0;
		}
		x->buf = nb;
		x->size = ns;
	}
	memcpy(x->buf + x->len, p, len);
	x->len += len;
	x->buf[x->len] = '\0';
	return len;
}

/* ---- life cycle ---- */

/* Process-wide curl set-up; 0 or EIO. */
int web_fetch_global_init(void)
{
	return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : EIO;
}

void web_fetch_global_cleanup(void)
{
	curl_global_cleanup();
}

/* Defaults for every field: no redirects, nothing extra allowed. */
void web_fetch_conf_init(struct web_fetch_conf *conf)
{
	memset(conf, 0, sizeof(*conf));
	conf->connect_timeout_ms = WEB_FETCH_CONNECT_MS;
	conf->timeout_ms = WEB_FETCH_TIMEOUT_MS;
	conf->low_speed_bytes = WEB_FETCH_LOW_SPEED;
	conf->low_speed_s = WEB_FETCH_LOW_SPEED_S;
	conf->max_bytes = WEB_FETCH_MAX_BYTES;
	conf->max_conns = WEB_FETCH_MAX_CONNS;
	conf->max_host_conns = WEB_FETCH_HOST_CONNS;
}

static int conf_check(const struct web_fetch_conf *c)
{
	size_t i;

	if (!c->connect_timeout_ms || !c->timeout_ms || !c->max_bytes ||
	    c->max_bytes > WEB_FETCH_BYTES_MAX ||
	    c->max_redirects > WEB_FETCH_REDIRS_MAX ||
	    (c->low_speed_bytes && !c->low_speed_s) ||
	    (c->allow && c->allow->n > WEB_URLSAFE_ALLOW_MAX))
		return EINVAL;
	for (i = 0; c->resolve && c->resolve[i]; i++)
		if (i == WEB_FETCH_RESOLVE_MAX || strchr(c->resolve[i], '\n'))
			return EINVAL;
	return 0;
}

static int multi_err(CURLMcode mc)
{
	return mc == CURLM_OK ? 0 : mc == CURLM_OUT_OF_MEMORY ? ENOMEM : EIO;
}

#define MSET(opt, val) do { \
		if (!err) \
			err = multi_err(curl_multi_setopt(f->multi, opt, val)); \
	} while (0)

/*
 * A fetcher with its own copy of conf. 0, EINVAL (a bad conf), ENOTSUP
 * (libcurl without its threaded resolver), ENOMEM, or the errno of
 * epoll_create1().
 */
int web_fetch_alloc(struct web_fetch **fp, const struct web_fetch_conf *conf)
{
	const curl_version_info_data *vi = curl_version_info(CURLVERSION_NOW);
	struct web_fetch *f = NULL;
	struct curl_slist *sl;
	size_t i;
	int err;

	if (!fp || !conf)
		return EINVAL;
	*fp = NULL;
	err = conf_check(conf);
	if (err)
		return err;
	if (!(vi->features & CURL_VERSION_ASYNCHDNS))
		return ENOTSUP;
	f = calloc(1, sizeof(*f));
	if (!f)
		return ENOMEM;
	f->epfd = -1;
	f->due_us = -1;
	f->next_id = 1;
	f->conf = *conf;
	if (conf->allow)
		f->allow = *conf->allow;
	f->conf.allow = NULL;
	f->conf.user_agent = NULL;
	f->conf.resolve = NULL;
	err = ENOMEM;
	f->tab_size = TAB_INIT;
	f->tab = calloc(f->tab_size, sizeof(*f->tab));
	if (!f->tab)
		goto out;
	if (conf->user_agent) {
		size_t n = strlen(conf->user_agent);

		f->user_agent = malloc(n + 1);
		if (!f->user_agent)
			goto out;
		memcpy(f->user_agent, conf->user_agent, n + 1);
	}
	for (i = 0; conf->resolve && conf->resolve[i]; i++) {
		sl = curl_slist_append(f->resolve, conf->resolve[i]);
		if (!sl)
			goto out;
		f->resolve = sl;
	}
	f->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (f->epfd < 0) {
		err = errno;
		goto out;
	}
	f->multi = curl_multi_init();
	if (!f->multi)
		goto out;
	err = 0;
	MSET(CURLMOPT_SOCKETFUNCTION, on_socket);
	MSET(CURLMOPT_SOCKETDATA, f);
	MSET(CURLMOPT_TIMERFUNCTION, on_timer);
	MSET(CURLMOPT_TIMERDATA, f);
	MSET(CURLMOPT_MAX_TOTAL_CONNECTIONS, (long)conf->max_conns);
	MSET(CURLMOPT_MAX_HOST_CONNECTIONS, (long)conf->max_host_conns);
out:
	if (err) {
		web_fetch_free(f);
		return err;
	}
	*fp = f;
	return 0;
}

static void xfer_free(struct xfer *x)
{
	if (!x)
		return;
	if (x->e)
		curl_easy_cleanup(x->e);
	curl_slist_free_all(x->hdrs);
	free(x->post);
	free(x->buf);
	free(x->accept);
	free(x);
}

/* Drop every transfer (no callbacks), close curl's connections. */
void web_fetch_free(struct web_fetch *f)
{
	struct xfer *x, *next;
	size_t i;

	if (!f)
		return;
	for (i = 0; f->tab && i < f->tab_size; i++) {
		for (x = f->tab[i]; x; x = next) {
			next = x->hnext;
			curl_multi_remove_handle(f->multi, x->e);
			xfer_free(x);
		}
	}
	if (f->multi)
		curl_multi_cleanup(f->multi);
	if (f->epfd >= 0)
		close(f->epfd);
	curl_slist_free_all(f->resolve);
	free(f->user_agent);
	free(f->tab);
	free(f);
}

/* The fd to watch for EPOLLIN (an epoll set of curl's sockets). */
int web_fetch_fd(const struct web_fetch *f)
{
	return f->epfd;
}

/*
 * Milliseconds until web_fetch_run() is due for curl's timer, -1 = only
 * when the fd says. For the loop's prepare hook, each turn.
 */
int64_t web_fetch_timeout_ms(const struct web_fetch *f)
{
	int64_t d;

	if (f->due_us < 0)
		return -1;
	d = f->due_us - now_us();
	return d <= 0 ? 0 : (d + 999) / 1000;
}

void web_fetch_stats_get(const struct web_fetch *f,
			 struct web_fetch_stats *st)
{
	*st = f->st;
	st->running = (uint32_t)f->tab_n;
}

/* ---- results ---- */

/* The one place curl's codes become errnos (STYLE.md rule 5). */
static int result_err(struct xfer *x, CURLcode rc, char *text, size_t size)
{
	const char *ce = x->errbuf[0] ? x->errbuf : curl_easy_strerror(rc);

	if (x->refused && rc != CURLE_OK) {
		snprintf(text, size, "address refused: %s (%s)",
			 x->refused_addr, web_urlsafe_class_name(x->cls));
		return EACCES;
	}
	if (x->bad_type || (rc == CURLE_OK && type_bad(x))) {
		char *ct = NULL;

		curl_easy_getinfo(x->e, CURLINFO_CONTENT_TYPE, &ct);
		snprintf(text, size, "content type %.64s, not %s",
			 ct ? ct : "(none)", x->accept);
		return ENOTSUP;
	}
	if (x->too_big || rc == CURLE_FILESIZE_EXCEEDED) {
		snprintf(text, size, "response body over %zu bytes", x->max);
		return EMSGSIZE;
	}
	if (x->nomem || rc == CURLE_OUT_OF_MEMORY) {
		snprintf(text, size, "out of memory");
		return ENOMEM;
	}
	if (rc == CURLE_OK)
		return 0;
	snprintf(text, size, "%.160s", ce);
	switch (rc) {
	case CURLE_OPERATION_TIMEDOUT:
		return ETIMEDOUT;
	case CURLE_COULDNT_RESOLVE_HOST:
		return EHOSTUNREACH;
	case CURLE_COULDNT_CONNECT:
		return ECONNREFUSED;
	case CURLE_UNSUPPORTED_PROTOCOL:
		return EACCES;
	case CURLE_TOO_MANY_REDIRECTS:
		return ELOOP;
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE:
	case CURLE_RECV_ERROR:
	case CURLE_SEND_ERROR:
		return ECONNRESET;
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
	case CURLE_SSL_INVALIDCERTSTATUS:
	case CURLE_SSL_SHUTDOWN_FAILED:
	case CURLE_SSL_CRL_BADFILE:
	case CURLE_WEIRD_SERVER_REPLY:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
	case CURLE_BAD_CONTENT_ENCODING:
	case CURLE_HTTP3:
		return EPROTO;
	default:
		return EIO;
	}
}

static void finish(struct web_fetch *f, CURL *e, CURLcode rc)
{
	char text[WEB_FETCH_ERROR_SIZE] = "";
	struct web_fetch_res res;
	struct xfer *x = NULL;
	curl_off_t total = 0;
	long code = 0, redirs = 0;
	char *ct = NULL, *ip = NULL, *priv = NULL;
	bool give;
	int err;

	curl_easy_getinfo(e, CURLINFO_PRIVATE, &priv);
	x = (struct xfer *)(void *)priv;
	curl_multi_remove_handle(f->multi, e);
	if (!x || tab_take(f, x->id) != x)
		return;         /* cannot happen: every handle is in the table */
	err = result_err(x, rc, text, sizeof(text));
	curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &code);
	curl_easy_getinfo(e, CURLINFO_CONTENT_TYPE, &ct);
	curl_easy_getinfo(e, CURLINFO_PRIMARY_IP, &ip);
	curl_easy_getinfo(e, CURLINFO_REDIRECT_COUNT, &redirs);
	curl_easy_getinfo(e, CURLINFO_TOTAL_TIME_T, &total);
	memset(&res, 0, sizeof(res));
	res.status = code > 0 && code < 1000 ? (unsigned)code : 0;
	give = !err && x->len;  /* a failed transfer's bytes are no body */
	res.body = give ? x->buf : NULL;
	res.len = give ? x->len : 0;
	res.ctype = ct;
	res.addr = ip ? ip : "";
	res.redirects = redirs > 0 ? (unsigned)redirs : 0;
	res.total_ms = (uint32_t)(total / 1000);
	res.error = text;
	if (err)
		f->st.failed++;
	else
		f->st.ok++;
	f->st.refused += err == EACCES;
	f->st.timeouts += err == ETIMEDOUT;
	f->st.too_large += err == EMSGSIZE;
	if (x->h)
		x->h(x->id, err, &res, x->arg);
	if (give && !res.body)
		x->buf = NULL;  /* taken by the callback */
	xfer_free(x);
}

/*
 * Do all pending work: curl's ready sockets, its timer if due, then one
 * callback per finished transfer. Call every loop turn and when the fd
 * is readable. 0, or EIO when curl's multi handle failed.
 */
int web_fetch_run(struct web_fetch *f)
{
	struct epoll_event ev[EVENTS_MAX];
	CURLMcode mc = CURLM_OK;
	CURLMsg *msg;
	int n, i, running, left;

	n = epoll_wait(f->epfd, ev, EVENTS_MAX, 0);
	for (i = 0; i < n; i++) {
		int what = 0;

		if (ev[i].events & EPOLLIN)
			what |= CURL_CSELECT_IN;
		if (ev[i].events & EPOLLOUT)
			what |= CURL_CSELECT_OUT;
		if (ev[i].events & (EPOLLERR | EPOLLHUP))
			what |= CURL_CSELECT_ERR;
		mc = curl_multi_socket_action(f->multi, ev[i].data.fd, what,
					      &running);
	}
	if (f->due_us >= 0 && f->due_us <= now_us()) {
		f->due_us = -1;         /* curl re-arms it inside if needed */
		mc = curl_multi_socket_action(f->multi, CURL_SOCKET_TIMEOUT,
					      0, &running);
	}
	while ((msg = curl_multi_info_read(f->multi, &left))) {
		if (msg->msg == CURLMSG_DONE)
			finish(f, msg->easy_handle, msg->data.result);
	}
	return mc == CURLM_OK ? 0 : EIO;
}

/* ---- starting ---- */

static int easy_err(CURLcode rc)
{
	return rc == CURLE_OK ? 0 : rc == CURLE_OUT_OF_MEMORY ? ENOMEM :
	       EINVAL;
}

#define SET(opt, val) do { \
		if (!err) \
			err = easy_err(curl_easy_setopt(x->e, opt, val)); \
	} while (0)

static int easy_setup(struct web_fetch *f, struct xfer *x, const char *url)
{
	const struct web_fetch_conf *c = &f->conf;
	int err = 0;

	x->e = curl_easy_init();
	if (!x->e)
		return ENOMEM;
	SET(CURLOPT_URL, url);
	SET(CURLOPT_PROTOCOLS_STR, "http,https");
	SET(CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	SET(CURLOPT_FOLLOWLOCATION, c->max_redirects ? 1L : 0L);
	SET(CURLOPT_MAXREDIRS, (long)c->max_redirects);
	SET(CURLOPT_PROXY, "");         /* never a proxy from the environment */
	SET(CURLOPT_NOSIGNAL, 1L);
	/* a transfer that ends while its name is still resolving forgets the
	 * resolver thread instead of joining it: a stuck DNS server must not
	 * stop the loop (curl 7.87+; without it Curl_resolver_kill() waits) */
	SET(CURLOPT_QUICK_EXIT, 1L);
	SET(CURLOPT_CONNECTTIMEOUT_MS, (long)c->connect_timeout_ms);
	SET(CURLOPT_TIMEOUT_MS, (long)c->timeout_ms);
	if (c->low_speed_bytes) {
		SET(CURLOPT_LOW_SPEED_LIMIT, (long)c->low_speed_bytes);
		SET(CURLOPT_LOW_SPEED_TIME, (long)c->low_speed_s);
	}
	SET(CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)x->max);
	SET(CURLOPT_WRITEFUNCTION, on_write);
	SET(CURLOPT_WRITEDATA, x);
	SET(CURLOPT_OPENSOCKETFUNCTION, on_open);
	SET(CURLOPT_OPENSOCKETDATA, x);
	SET(CURLOPT_PRIVATE, x);
	SET(CURLOPT_ERRORBUFFER, x->errbuf);
	if (f->user_agent)
		SET(CURLOPT_USERAGENT, f->user_agent);
	if (f->resolve)
		SET(CURLOPT_RESOLVE, f->resolve);
	return err;
}

/* Parse, judge and canonicalise url: EBADMSG, EMSGSIZE or EACCES here
 * means no connection was tried. */
static int url_prepare(struct web_fetch *f, const char *url, char *canon,
		       size_t size)
{
	struct web_urlsafe_url u;
	int err;

	err = web_urlsafe_parse(&u, url, strlen(url), NULL);
	if (!err)
		err = web_urlsafe_check(&u, &f->allow, NULL);
	if (!err)
		err = web_urlsafe_canon(canon, size, &u);
	if (err == EACCES)
		f->st.refused++;
	return err;
}

static int start(struct web_fetch *f, struct xfer *x, uint64_t *idp)
{
	CURLMcode mc;

	x->f = f;
	x->id = f->next_id++;
	mc = curl_multi_add_handle(f->multi, x->e);
	if (mc != CURLM_OK)
		return multi_err(mc);
	tab_add(f, x);
	f->st.started++;
	if (idp)
		*idp = x->id;
	return 0;
}

static bool header_ok(const char *h)
{
	size_t n = strlen(h);

	return n > 0 && n <= WEB_FETCH_HEADER_LEN && !strpbrk(h, "\r\n") &&
	       strchr(h, ':') && h[0] != ':';
}

/*
 * POST body (copied) to url with the header lines given ("Name: value",
 * NULL-terminated, may be NULL). 0 and *idp (may be NULL) = h will be
 * called once from web_fetch_run(); else nothing was started: EINVAL,
 * EBADMSG/EMSGSIZE (a URL web_urlsafe_parse() refuses), EACCES (an IP
 * literal the policy refuses), ENOMEM.
 */
int web_fetch_post(struct web_fetch *f, const char *url,
		   const char *const *headers, const void *body, size_t len,
		   web_fetch_h *h, void *arg, uint64_t *idp)
{
	char canon[WEB_URLSAFE_CANON_SIZE];
	struct curl_slist *sl;
	struct xfer *x = NULL;
	size_t i;
	int err;

	if (!f || !url || (!body && len) || len > WEB_FETCH_BYTES_MAX)
		return EINVAL;
	for (i = 0; headers && headers[i]; i++)
		if (i == WEB_FETCH_HEADERS_MAX || !header_ok(headers[i]))
			return EINVAL;
	err = url_prepare(f, url, canon, sizeof(canon));
	if (err)
		return err;
	err = ENOMEM;
	x = calloc(1, sizeof(*x));
	if (!x)
		goto out;
	x->h = h;
	x->arg = arg;
	x->max = f->conf.max_bytes;
	x->post = malloc(len + 1);
	if (!x->post)
		goto out;
	if (len)
		memcpy(x->post, body, len);
	x->post[len] = '\0';
	for (i = 0; headers && headers[i]; i++) {
		sl = curl_slist_append(x->hdrs, headers[i]);
		if (!sl)
			goto out;
		x->hdrs = sl;
	}
	/* no 100-continue round trip: receivers answer the whole POST */
	sl = curl_slist_append(x->hdrs, "Expect:");
	if (!sl)
		goto out;
	x->hdrs = sl;
	err = easy_setup(f, x, canon);
	SET(CURLOPT_POST, 1L);
	SET(CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	SET(CURLOPT_POSTFIELDS, x->post);
	SET(CURLOPT_HTTPHEADER, x->hdrs);
	if (!err)
		err = start(f, x, idp);
out:
	if (err)
		xfer_free(x);
	return err;
}

/*
 * GET url keeping at most max_bytes of body (0 = conf max_bytes). With
 * accept_type ("application/pdf", may be NULL) a 2xx of another
 * Content-Type ends in ENOTSUP, aborted at its first body byte. Returns
 * as web_fetch_post().
 */
int web_fetch_get(struct web_fetch *f, const char *url, size_t max_bytes,
		  const char *accept_type, web_fetch_h *h, void *arg,
		  uint64_t *idp)
{
	char canon[WEB_URLSAFE_CANON_SIZE];
	char line[WEB_FETCH_TYPE_LEN + 16];
	struct curl_slist *sl;
	struct xfer *x = NULL;
	size_t n = 0;
	int err;

	if (!f || !url || max_bytes > WEB_FETCH_BYTES_MAX)
		return EINVAL;
	if (accept_type) {
		n = strlen(accept_type);
		if (!n || n > WEB_FETCH_TYPE_LEN ||
		    strpbrk(accept_type, "\r\n;, \t"))
			return EINVAL;
	}
	err = url_prepare(f, url, canon, sizeof(canon));
	if (err)
		return err;
	err = ENOMEM;
	x = calloc(1, sizeof(*x));
	if (!x)
		goto out;
	x->h = h;
	x->arg = arg;
	x->max = max_bytes ? max_bytes : f->conf.max_bytes;
	if (accept_type) {
		x->accept = malloc(n + 1);
		if (!x->accept)
			goto out;
		memcpy(x->accept, accept_type, n + 1);
		snprintf(line, sizeof(line), "Accept: %s", accept_type);
		sl = curl_slist_append(NULL, line);
		if (!sl)
			goto out;
		x->hdrs = sl;
	}
	err = easy_setup(f, x, canon);
	SET(CURLOPT_HTTPGET, 1L);
	if (x->hdrs)
		SET(CURLOPT_HTTPHEADER, x->hdrs);
	if (!err)
		err = start(f, x, idp);
out:
	if (err)
		xfer_free(x);
	return err;
}

/*
 * Stop a transfer; its callback will not run. 0 or ENOENT (unknown id,
 * finished, or the transfer whose callback is running).
 */
int web_fetch_cancel(struct web_fetch *f, uint64_t id)
{
	struct xfer *x = f ? tab_take(f, id) : NULL;

	if (!x)
		return ENOENT;
	curl_multi_remove_handle(f->multi, x->e);
	xfer_free(x);
	return 0;
}
