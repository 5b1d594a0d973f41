/*
 * tools/contentsrv.c — a content server for tests/it/http_fetch.sh: one
 * thread, poll(), HTTP/1.1 GET on 127.0.0.1, Connection: close. Routes
 * come from the command line as PATH=ACTION:
 *
 *   file:TYPE:FILE       200, Content-Type TYPE, the bytes of FILE
 *   hang                 read the request, never answer
 *   hang-once:TYPE:FILE  hang the first time, then as file:
 *   redirect:LOCATION    302 Found to LOCATION
 *   status:CODE          CODE with a short text/plain body
 *
 * Any other path is 404. Log lines: "LISTENING" once bound, then
 * "GET <path>" per request. A hung connection stays open (and costs
 * nothing) until the client closes it. Usage:
 * contentsrv PORT LOGFILE PATH=ACTION...
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define CONNS 128
#define REQ_MAX 8192
#define ROUTES 32
#define FILE_MAX (1024 * 1024)

enum action { A_FILE, A_HANG, A_HANG_ONCE, A_REDIRECT, A_STATUS };

struct route {
	char *path;
	enum action a;
	char *arg;              /* TYPE, LOCATION or CODE */
	char *body;             /* file: the bytes */
	size_t len;
	unsigned hits;
};

struct conn {
	int fd;
	char buf[REQ_MAX + 1];
	size_t len;
	bool hung;
};

static struct route routes[ROUTES];
static size_t nroutes;
static FILE *logfp;

static int load(struct route *r, char *spec)
{
	char *file = strchr(spec, ':');
	FILE *fp;

	if (!file)
		return -1;
	*file++ = '\0';
	r->arg = spec;
	fp = fopen(file, "rb");
	if (!fp)
		return -1;
	r->body = malloc(FILE_MAX);
	if (r->body)
		r->len = fread(r->body, 1, FILE_MAX, fp);
	fclose(fp);
	return r->body ? 0 : -1;
}

/* PATH=ACTION into routes[]: 0 or -1. */
static int add_route(char *s)
{
	struct route *r = &routes[nroutes];
	char *act = strchr(s, '=');

	if (!act || s[0] != '/' || nroutes == ROUTES)
		return -1;
	*act++ = '\0';
	r->path = s;
	if (!strncmp(act, "file:", 5)) {
		r->a = A_FILE;
		if (load(r, act + 5))
			return -1;
	} else if (!strncmp(act, "hang-once:", 10)) {
		r->a = A_HANG_ONCE;
		if (load(r, act + 10))
			return -1;
	} else if (!strcmp(act, "hang")) {
		r->a = A_HANG;
	} else if (!strncmp(act, "redirect:", 9)) {
		r->a = A_REDIRECT;
		r->arg = act + 9;
	} else if (!strncmp(act, "status:", 7)) {
		r->a = A_STATUS;
		r->arg = act + 7;
	} else {
		return -1;
	}
	nroutes++;
	return 0;
}

static void put(int fd, const char *p, size_t len)
{
	while (len > 0) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);

		if (n <= 0)
			return;         /* the client left: fine */
		p += n;
		len -= (size_t)n;
	}
}

static void reply(int fd, const char *status, const char *type,
		  const char *extra, const char *body, size_t len)
{
	char head[1024];
	int n;

	n = snprintf(head, sizeof(head), "HTTP/1.1 %s\r\nContent-Type: %s\r\n"
		     "Content-Length: %zu\r\nConnection: close\r\n%s\r\n",
		     status, type, len, extra);
	if (n > 0 && (size_t)n < sizeof(head))
		put(fd, head, (size_t)n);
	put(fd, body, len);
}

/* A whole request head is in c->buf: answer it. true = keep it open. */
static bool handle(struct conn *c)
{
	char path[512], extra[600], status[64];
	struct route *r = NULL;
	size_t i;

	if (sscanf(c->buf, "GET %511s", path) != 1) {
		reply(c->fd, "405 Method Not Allowed", "text/plain", "", "", 0);
		return false;
	}
	fprintf(logfp, "GET %s\n", path);
	for (i = 0; i < nroutes && !r; i++)
		if (!strcmp(routes[i].path, path))
			r = &routes[i];
	if (!r) {
		reply(c->fd, "404 Not Found", "text/plain", "", "not here", 8);
		return false;
	}
	switch (r->a) {
	case A_HANG:
		return true;
	case A_HANG_ONCE:
		if (!r->hits++)
			return true;
		/* fall through */
	case A_FILE:
		reply(c->fd, "200 OK", r->arg, "", r->body, r->len);
		return false;
	case A_REDIRECT:
		snprintf(extra, sizeof(extra), "Location: %.500s\r\n", r->arg);
		reply(c->fd, "302 Found", "text/plain", extra, "moved", 5);
		return false;
	case A_STATUS:
		snprintf(status, sizeof(status), "%.3s Test", r->arg);
		reply(c->fd, status, "text/plain", "", "status", 6);
		return false;
	}
	return false;
}

static void drop(struct conn *c)
{
	close(c->fd);
	c->fd = -1;
	c->len = 0;
	c->hung = false;
}

int main(int argc, char **argv)
{
	struct pollfd pf[CONNS + 1];
	static struct conn cs[CONNS];
	struct sockaddr_in sa;
	int lfd, one = 1, i;
	ssize_t n;

	if (argc < 4) {
		fprintf(stderr, "usage: contentsrv PORT LOGFILE PATH=ACTION...\n");
		return 2;
	}
	for (i = 3; i < argc; i++) {
		if (add_route(argv[i])) {
			fprintf(stderr, "contentsrv: bad route '%s'\n", argv[i]);
			return 2;
		}
	}
	logfp = fopen(argv[2], "a");
	if (!logfp)
		return 1;
	setvbuf(logfp, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_IGN);
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	if (lfd >= 0)
		setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((unsigned short)strtoul(argv[1], NULL, 10));
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    listen(lfd, 64)) {
		perror("contentsrv");
		return 1;
	}
	fprintf(logfp, "LISTENING\n");
	for (i = 0; i < CONNS; i++)
		cs[i].fd = -1;
	for (;;) {
		pf[0].fd = lfd;
		pf[0].events = POLLIN;
		for (i = 0; i < CONNS; i++) {
			pf[i + 1].fd = cs[i].fd;
			pf[i + 1].events = POLLIN;
		}
		if (poll(pf, CONNS + 1, -1) < 0 && errno != EINTR)
			return 1;
		if (pf[0].revents & POLLIN) {
			int fd = accept(lfd, NULL, NULL);

			for (i = 0; fd >= 0 && i < CONNS && cs[i].fd >= 0; i++)
				;
			if (fd >= 0 && i == CONNS) {
				close(fd);
			} else if (fd >= 0) {
				cs[i].fd = fd;
				cs[i].len = 0;
				cs[i].hung = false;
			}
		}
		for (i = 0; i < CONNS; i++) {
			struct conn *c = &cs[i];

			if (c->fd < 0 || !pf[i + 1].revents)
				continue;
			if (c->hung || c->len == REQ_MAX) {
				char junk[512];

				/* the client gave up and closed */
				if (read(c->fd, junk, sizeof(junk)) <= 0)
					drop(c);
				continue;
			}
			n = read(c->fd, c->buf + c->len, REQ_MAX - c->len);
			if (n <= 0) {
				drop(c);
				continue;
			}
			c->len += (size_t)n;
			c->buf[c->len] = '\0';
			if (!strstr(c->buf, "\r\n\r\n"))
				continue;
			if (handle(c))
				c->hung = true;
			else
				drop(c);
		}
	}
}
