/*
 * bench/httpload.c — HTTP/1.1 keep-alive load generator for bench/run.sh.
 *
 * wrk measures a closed loop only; the benchmark also needs latency at a
 * fixed offered rate (open loop), measured from when each request was
 * due, so that a stalled server is not hidden by a client that waits for
 * it (coordinated omission). One thread, epoll, C connections, the same
 * request bytes every time:
 *
 *   httpload -u http://127.0.0.1:8080/v1/requests -H 'Authorization: …' \
 *            -b '{"service":"call",…}' -c 64 -d 10 [-r 5000] [-n 100000]
 *
 * -r 0 (default): every connection sends its next request at once.
 * -r R: request i is due at t0 + i/R and goes out on the first idle
 * connection; its latency counts from t0 + i/R. -w S: the first S seconds
 * are not counted. -n N: stop after N requests. Prints one line of
 * key=value pairs (rps, status codes, p50/p90/p99/p99.9/max in µs). Only
 * responses with Content-Length are understood (libmicrohttpd's buffer
 * responses). Loopback use only: the host must be a numeric IPv4 address.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_CONNS 4096u
#define MAX_HEADERS 16u
#define MAX_REQ (64u * 1024u)          /* request bytes */
#define RBUF 16384u                     /* response head + body chunk */
#define MAX_SAMPLES (16u * 1024u * 1024u)
#define MAX_SECS 3600u
#define MAX_CODES 600u
#define RECONNECT_NS 10000000ull  /* 10 ms between tries per connection */
#define GIVE_UP_ERRORS 1000ul   /* errors without any answer: no server */

enum cstate { C_IDLE, C_CONNECTING, C_WRITING, C_READING, C_DEAD };

struct conn {
	int fd;
	enum cstate st;
	size_t woff;                    /* bytes of the request written */
	char rbuf[RBUF];
	size_t rlen;
	int code;                       /* status of the response being read */
	long long body_left;            /* -1: head not complete yet */
	bool close_after;
	uint64_t due_ns;                /* when this request was due */
	uint64_t dead_ns;               /* when it failed: reconnect later */
};

struct opts {
	const char *url;
	const char *method;
	const char *headers[MAX_HEADERS];
	size_t nheaders;
	const char *body;
	unsigned conns;
	double secs;
	double rate;
	double warmup;
	unsigned long max_req;
	bool verbose;
};

struct run {
	struct opts o;
	struct sockaddr_in addr;
	char req[MAX_REQ];
	size_t req_len;
	struct conn *c;
	int ep;
	uint64_t t0, t_end, t_count;    /* ns: start, end, counting from */
	unsigned long issued;           /* requests handed to a connection */
	unsigned long done, counted, errors, reconnects, late;
	unsigned long codes[MAX_CODES];
	uint32_t *lat;                  /* µs, counted requests only */
	unsigned long nlat;
	uint64_t first_done, last_done; /* ns, counted window */
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void usage(FILE *f)
{
	fputs("usage: httpload -u http://IP:PORT/PATH [-m METHOD] [-H 'Name: value']...\n"
	      "       [-b BODY] [-c CONNS] [-d SECS] [-r RATE] [-w WARMUP_S]\n"
	      "       [-n MAX_REQUESTS] [-v]\n", f);
}

/* ---- request ------------------------------------------------------------- */

/* url: http://A.B.C.D:PORT/path; fills addr, returns the path. */
static const char *parse_url(struct run *r, char *host, size_t hostsize)
{
	const char *p = r->o.url, *colon, *slash;
	unsigned long port;
	char *end;
	size_t n;

	if (strncmp(p, "http://", 7))
		return NULL;
	p += 7;
	colon = strchr(p, ':');
	slash = strchr(p, '/');
	if (!colon || !slash || colon > slash)
		return NULL;
	n = (size_t)(colon - p);
	if (n == 0 || n >= hostsize)
		return NULL;
	memcpy(host, p, n);
	host[n] = '\0';
	errno = 0;
	port = strtoul(colon + 1, &end, 10);
	if (errno || end != slash || port == 0 || port > 65535)
		return NULL;
	memset(&r->addr, 0, sizeof(r->addr));
	r->addr.sin_family = AF_INET;
	r->addr.sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, host, &r->addr.sin_addr) != 1)
		return NULL;
	return slash;
}

static int build_request(struct run *r)
{
	char host[64];
	const char *path = parse_url(r, host, sizeof(host));
	size_t blen = r->o.body ? strlen(r->o.body) : 0, i;
	int n, left;
	char *p = r->req;

	if (!path) {
		fprintf(stderr, "httpload: bad url %s (http://IPv4:PORT/path)\n",
			r->o.url);
		return EINVAL;
	}
	left = (int)sizeof(r->req);
	n = snprintf(p, (size_t)left, "%s %s HTTP/1.1\r\nHost: %s:%u\r\n",
		     r->o.method, path, host, ntohs(r->addr.sin_port));
	for (i = 0; n > 0 && n < left && i < r->o.nheaders; i++) {
		p += n;
		left -= n;
		n = snprintf(p, (size_t)left, "%s\r\n", r->o.headers[i]);
	}
	if (n > 0 && n < left) {
		p += n;
		left -= n;
		if (r->o.body)
			n = snprintf(p, (size_t)left,
				     "Content-Type: application/json\r\n"
				     "Content-Length: %zu\r\n\r\n%s", blen,
				     r->o.body);
		else
			n = snprintf(p, (size_t)left, "\r\n");
	}
	if (n < 0 || n >= left) {
		fprintf(stderr, "httpload: request over %u bytes\n", MAX_REQ);
		return EMSGSIZE;
	}
	r->req_len = (size_t)(p - r->req) + (size_t)n;
	return 0;
}

/* ---- connections ---------------------------------------------------------- */

static void conn_close(struct run *r, struct conn *c)
{
	if (c->fd >= 0) {
		epoll_ctl(r->ep, EPOLL_CTL_DEL, c->fd, NULL);
		close(c->fd);
	}
	c->fd = -1;
	c->st = C_DEAD;
	c->dead_ns = now_ns();
}

static int conn_open(struct run *r, struct conn *c)
{
	struct epoll_event ev;
	int one = 1;

	c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd < 0)
		return errno;
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	c->rlen = 0;
	c->body_left = -1;
	c->close_after = false;
	if (connect(c->fd, (struct sockaddr *)&r->addr, sizeof(r->addr)) &&
	    errno != EINPROGRESS) {
		int err = errno;

		close(c->fd);
		c->fd = -1;
		c->st = C_DEAD;
		c->dead_ns = now_ns();
		return err;
	}
	c->st = C_CONNECTING;
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLOUT | EPOLLIN;
	ev.data.ptr = c;
	if (epoll_ctl(r->ep, EPOLL_CTL_ADD, c->fd, &ev)) {
		int err = errno;

		conn_close(r, c);
		return err;
	}
	return 0;
}

static void want(struct run *r, struct conn *c, uint32_t events)
{
	struct epoll_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.events = events;
	ev.data.ptr = c;
	epoll_ctl(r->ep, EPOLL_CTL_MOD, c->fd, &ev);
}

static bool stopping(const struct run *r, uint64_t now)
{
	return now >= r->t_end || (r->o.max_req && r->issued >= r->o.max_req);
}

/* The next request for an idle connection, if one is due: its due time. */
static bool next_due(struct run *r, uint64_t now, uint64_t *due)
{
	if (stopping(r, now))
		return false;
	if (r->o.rate <= 0) {
		*due = now;
		return true;
	}
	*due = r->t0 + (uint64_t)((double)r->issued * 1e9 / r->o.rate);
	return *due <= now;
}

static void try_write(struct run *r, struct conn *c)
{
	ssize_t n;

	while (c->woff < r->req_len) {
		n = send(c->fd, r->req + c->woff, r->req_len - c->woff,
			 MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				want(r, c, EPOLLOUT | EPOLLIN);
				return;
			}
			r->errors++;
			conn_close(r, c);
			return;
		}
		c->woff += (size_t)n;
	}
	c->st = C_READING;
	want(r, c, EPOLLIN);
}

static void start_request(struct run *r, struct conn *c, uint64_t due,
			  uint64_t now)
{
	r->issued++;
	if (now > due + 1000000ull)
		r->late++;
	c->due_ns = due;
	c->woff = 0;
	c->rlen = 0;
	c->body_left = -1;
	c->code = 0;
	c->st = C_WRITING;
	try_write(r, c);
}

static void record(struct run *r, struct conn *c, uint64_t now)
{
	uint64_t us = (now - c->due_ns) / 1000u;

	r->done++;
	if (c->code > 0 && c->code < (int)MAX_CODES)
		r->codes[c->code]++;
	if (c->due_ns < r->t_count)
		return;
	if (!r->counted)
		r->first_done = now;
	r->last_done = now;
	r->counted++;
	if (r->nlat < MAX_SAMPLES)
		r->lat[r->nlat++] = us > UINT32_MAX ? UINT32_MAX : (uint32_t)us;
}

/* Head complete in rbuf[0, hlen): status code, Content-Length, close. */
static int parse_head(struct conn *c, size_t hlen)
{
	const char *p = c->rbuf, *end = c->rbuf + hlen, *eol;
	bool have_len = false;

	if (hlen < 12 || strncmp(p, "HTTP/1.", 7))
		return EBADMSG;
	c->code = (p[9] - '0') * 100 + (p[10] - '0') * 10 + (p[11] - '0');
	if (c->code < 100 || c->code > 599)
		return EBADMSG;
	c->body_left = 0;
	for (p = memchr(p, '\n', hlen); p && p + 1 < end; p = eol) {
		p++;
		eol = memchr(p, '\n', (size_t)(end - p));
		if (!eol)
			break;
		if (!strncasecmp(p, "Content-Length:", 15)) {
			c->body_left = strtoll(p + 15, NULL, 10);
			have_len = c->body_left >= 0;
		} else if (!strncasecmp(p, "Connection:", 11) &&
			   memmem(p, (size_t)(eol - p), "close", 5)) {
			c->close_after = true;
		} else if (!strncasecmp(p, "Transfer-Encoding:", 18)) {
			return EPROTO;
		}
	}
	return have_len || c->code == 204 || c->code == 304 ? 0 : EPROTO;
}

/* Read what is there; true when a whole response has been consumed. */
static bool try_read(struct run *r, struct conn *c)
{
	ssize_t n;
	char *h;
	size_t hlen;

	for (;;) {
		if (c->body_left >= 0 && c->rlen > 0) {
			size_t take = c->rlen < (size_t)c->body_left ?
				      c->rlen : (size_t)c->body_left;

			c->body_left -= (long long)take;
			memmove(c->rbuf, c->rbuf + take, c->rlen - take);
			c->rlen -= take;
		}
		if (c->body_left == 0) {
			if (c->rlen)    /* we never pipeline */
				goto bad;
			return true;
		}
		if (c->rlen == sizeof(c->rbuf))
			goto bad;
		n = recv(c->fd, c->rbuf + c->rlen, sizeof(c->rbuf) - c->rlen, 0);
		if (n == 0)
			goto bad;
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return false;
			goto bad;
		}
		c->rlen += (size_t)n;
		if (c->body_left < 0) {
			h = memmem(c->rbuf, c->rlen, "\r\n\r\n", 4);
			if (!h)
				continue;
			hlen = (size_t)(h - c->rbuf) + 4;
			if (parse_head(c, hlen))
				goto bad;
			memmove(c->rbuf, c->rbuf + hlen, c->rlen - hlen);
			c->rlen -= hlen;
		}
	}
bad:
	r->errors++;
	conn_close(r, c);
	return false;
}

/* Give every idle connection the next due request; reopen dead ones. */
static void dispatch(struct run *r, uint64_t now)
{
	uint64_t due;
	unsigned i;

	for (i = 0; i < r->o.conns; i++) {
		struct conn *c = &r->c[i];

		if (c->st == C_DEAD && !stopping(r, now) &&
		    now - c->dead_ns >= RECONNECT_NS) {
			r->reconnects++;
			if (conn_open(r, c))
				r->errors++;
			continue;
		}
		if (c->st != C_IDLE || !next_due(r, now, &due))
			continue;
		start_request(r, c, due, now);
	}
}

static void on_event(struct run *r, struct conn *c, uint32_t events)
{
	uint64_t now;

	if (c->st == C_CONNECTING) {
		int err = 0;
		socklen_t l = sizeof(err);

		if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &l) || err) {
			r->errors++;
			conn_close(r, c);
			return;
		}
		c->st = C_IDLE;
		want(r, c, EPOLLIN);
		return;
	}
	if (c->st == C_WRITING && (events & EPOLLOUT))
		try_write(r, c);
	if (c->st != C_READING || !(events & (EPOLLIN | EPOLLHUP | EPOLLERR)))
		return;
	if (!try_read(r, c))
		return;
	now = now_ns();
	record(r, c, now);
	c->st = C_IDLE;
	if (c->close_after) {
		conn_close(r, c);
		return;
	}
	if (next_due(r, now, &c->due_ns))
		start_request(r, c, c->due_ns, now);
}

static bool busy(const struct run *r)
{
	unsigned i;

	for (i = 0; i < r->o.conns; i++)
		if (r->c[i].st == C_WRITING || r->c[i].st == C_READING)
			return true;
	return false;
}

static bool idle(const struct run *r)
{
	unsigned i;

	for (i = 0; i < r->o.conns; i++)
		if (r->c[i].st == C_IDLE)
			return true;
	return false;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static uint32_t pct(const struct run *r, double p)
{
	size_t i;

	if (!r->nlat)
		return 0;
	i = (size_t)(p / 100.0 * (double)(r->nlat - 1) + 0.5);
	return r->lat[i < r->nlat ? i : r->nlat - 1];
}

static void report(struct run *r)
{
	double win = r->counted > 1 ?
		     (double)(r->last_done - r->first_done) / 1e9 : 0;
	unsigned long ok = 0, other = 0, unsent = 0, due;
	unsigned i;

	qsort(r->lat, r->nlat, sizeof(r->lat[0]), cmp_u32);
	for (i = 200; i < 300; i++)
		ok += r->codes[i];
	for (i = 0; i < MAX_CODES; i++)
		if (i < 200 || i >= 300)
			other += r->codes[i];
	if (r->o.rate > 0) {
		due = (unsigned long)(r->o.rate * r->o.secs);
		if (r->o.max_req && due > r->o.max_req)
			due = r->o.max_req;
		unsent = due > r->issued ? due - r->issued : 0;
	}
	printf("done=%lu counted=%lu ok2xx=%lu non2xx=%lu errors=%lu "
	       "reconnects=%lu late=%lu unsent=%lu secs=%.3f rps=%.0f "
	       "p50_us=%u p90_us=%u p99_us=%u p999_us=%u max_us=%u codes=",
	       r->done, r->counted, ok, other, r->errors, r->reconnects,
	       r->late, unsent, win, win > 0 ? (double)(r->counted - 1) / win : 0,
	       pct(r, 50), pct(r, 90), pct(r, 99), pct(r, 99.9),
	       r->nlat ? r->lat[r->nlat - 1] : 0);
	other = 0;
	for (i = 0; i < MAX_CODES; i++) {
		if (!r->codes[i])
			continue;
		printf("%s%u:%lu", other++ ? "," : "", i, r->codes[i]);
	}
	if (!other)
		fputs("none", stdout);
	putchar('\n');
}

static int parse_args(struct opts *o, int argc, char **argv)
{
	char *end;
	int c;

	memset(o, 0, sizeof(*o));
	o->method = "POST";
	o->conns = 64;
	o->secs = 10;
	while ((c = getopt(argc, argv, "u:m:H:b:c:d:r:w:n:vh")) != -1) {
		errno = 0;
		end = NULL;
		switch (c) {
		case 'u': o->url = optarg; break;
		case 'm': o->method = optarg; break;
		case 'b': o->body = optarg; break;
		case 'v': o->verbose = true; break;
		case 'H':
			if (o->nheaders == MAX_HEADERS)
				return EINVAL;
			o->headers[o->nheaders++] = optarg;
			break;
		case 'c': o->conns = (unsigned)strtoul(optarg, &end, 10); break;
		case 'd': o->secs = strtod(optarg, &end); break;
		case 'r': o->rate = strtod(optarg, &end); break;
		case 'w': o->warmup = strtod(optarg, &end); break;
		case 'n': o->max_req = strtoul(optarg, &end, 10); break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			return EINVAL;
		}
		if (errno || (end && *end))
			return EINVAL;
	}
	if (optind != argc || !o->url || !o->conns || o->conns > MAX_CONNS ||
	    o->secs <= 0 || o->secs > MAX_SECS || o->rate < 0 ||
	    o->warmup < 0 || o->warmup >= o->secs)
		return EINVAL;
	return 0;
}

int main(int argc, char **argv)
{
	static struct run run;
	struct run *r = &run;
	struct epoll_event evs[256];
	struct timespec ts;
	uint64_t now, due;
	unsigned i;
	int n, rc = 1;

	if (parse_args(&r->o, argc, argv)) {
		usage(stderr);
		return 2;
	}
	if (build_request(r))
		return 2;
	r->c = calloc(r->o.conns, sizeof(*r->c));
	r->lat = malloc(MAX_SAMPLES * sizeof(*r->lat));
	r->ep = epoll_create1(EPOLL_CLOEXEC);
	if (!r->c || !r->lat || r->ep < 0) {
		fprintf(stderr, "httpload: %s\n", strerror(errno));
		goto out;
	}
	for (i = 0; i < r->o.conns; i++) {
		r->c[i].fd = -1;
		if (conn_open(r, &r->c[i])) {
			fprintf(stderr, "httpload: connect: %s\n", strerror(errno));
			goto out;
		}
	}
	r->t0 = now_ns();
	r->t_end = r->t0 + (uint64_t)(r->o.secs * 1e9);
	r->t_count = r->t0 + (uint64_t)(r->o.warmup * 1e9);
	/* bounded: the time limit, then at most 5 s to collect answers */
	for (;;) {
		now = now_ns();
		if (stopping(r, now) &&
		    (!busy(r) || now > r->t_end + 5000000000ull))
			break;
		if (r->errors >= GIVE_UP_ERRORS && !r->done) {
			fprintf(stderr, "httpload: %lu errors and no answer: "
				"is the server there?\n", r->errors);
			break;
		}
		dispatch(r, now);
		/* sleep until the next request is due (µs precision: a late
		 * wake-up would count as server latency), or an event */
		ts.tv_sec = 0;
		ts.tv_nsec = 100000000;
		if (r->o.rate > 0 && !stopping(r, now) && idle(r)) {
			due = r->t0 + (uint64_t)((double)r->issued * 1e9 /
						 r->o.rate);
			ts.tv_nsec = due > now ? (long)(due - now) : 0;
			if (ts.tv_nsec > 100000000)
				ts.tv_nsec = 100000000;
		}
		n = epoll_pwait2(r->ep, evs, (int)(sizeof(evs) / sizeof(evs[0])),
				 &ts, NULL);
		if (n < 0 && errno != EINTR) {
			fprintf(stderr, "httpload: epoll_wait: %s\n",
				strerror(errno));
			goto out;
		}
		for (i = 0; n > 0 && i < (unsigned)n; i++)
			on_event(r, evs[i].data.ptr, evs[i].events);
	}
	report(r);
	rc = r->errors ? 1 : 0;
out:
	for (i = 0; r->c && i < r->o.conns; i++)
		if (r->c[i].fd >= 0)
			close(r->c[i].fd);
	free(r->c);
	free(r->lat);
	if (r->ep >= 0)
		close(r->ep);
	return rc;
}
