/*
 * tests/gateway/content_server.c — the server of content_server.h: one
 * thread, poll(), HTTP/1.1 GET, Connection: close; a wake pipe stops it.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tests/gateway/content_server.h"

#define CONNS 32
#define BUF 4096
#define PATHS 16

struct conn {
	int fd;
	size_t len;
	bool hang;
	char buf[BUF];
};

static struct {
	pthread_t th;
	pthread_mutex_t mu;
	int lfd;
	uint16_t port;
	int wake[2];
	bool drop_hung;                 /* reset asked: close hung ones */
	char paths[PATHS][64];
	unsigned hits[PATHS];
	struct conn c[CONNS];
	char big[CONTENT_BIG];
} S;

static void put(int fd, const char *p, size_t len)
{
	while (len > 0) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);

		if (n <= 0)
			return;
		p += n;
		len -= (size_t)n;
	}
}

static void reply(int fd, const char *status, const char *type,
		  const char *extra, const char *body, size_t len)
{
	char head[512];
	int n;

	n = snprintf(head, sizeof(head), "HTTP/1.1 %s\r\nContent-Type: %s\r\n"
		     "Content-Length: %zu\r\nConnection: close\r\n%s\r\n",
		     status, type, len, extra);
	put(fd, head, (size_t)n);
	put(fd, body, len);
}

/* Count a request for path; its count now. */
static unsigned count(const char *path)
{
	unsigned n = 0;
	size_t i;

	pthread_mutex_lock(&S.mu);
	for (i = 0; i < PATHS && S.paths[i][0]; i++)
		if (!strcmp(S.paths[i], path))
			break;
	if (i < PATHS) {
		snprintf(S.paths[i], sizeof(S.paths[i]), "%s", path);
		n = ++S.hits[i];
	}
	pthread_mutex_unlock(&S.mu);
	return n;
}

/* Answer the request in c->buf; false: keep it open unanswered. */
static bool route(struct conn *c)
{
	char path[64], extra[128];
	unsigned n;

	if (sscanf(c->buf, "GET %63s", path) != 1)
		return true;
	n = count(path);
	if (!strcmp(path, "/hang") ||
	    (!strcmp(path, "/hang-once") && n == 1) ||
	    (!strcmp(path, "/then-hang") && n > 1))
		return false;
	if (!strcmp(path, "/slow")) {
		usleep(300 * 1000);     /* the client's request stays in flight */
		snprintf(path, sizeof(path), "%s", "/doc");
	}
	if (!strcmp(path, "/hang-once"))
		snprintf(path, sizeof(path), "%s", "/doc2");
	else if (!strcmp(path, "/then-404"))
		snprintf(path, sizeof(path), "%s", n > 1 ? "/missing" : "/doc");
	else if (!strcmp(path, "/then-hang"))
		snprintf(path, sizeof(path), "%s", "/doc");
	if (!strcmp(path, "/doc")) {
		reply(c->fd, "200 OK", "text/plain; charset=utf-8", "",
		      CONTENT_DOC, sizeof(CONTENT_DOC) - 1);
	} else if (!strcmp(path, "/doc2")) {
		reply(c->fd, "200 OK", "text/plain", "", CONTENT_DOC2,
		      sizeof(CONTENT_DOC2) - 1);
	} else if (!strcmp(path, "/big")) {
		reply(c->fd, "200 OK", "text/plain", "", S.big, CONTENT_BIG);
	} else if (!strcmp(path, "/html")) {
		reply(c->fd, "200 OK", "text/html", "", "<p>hi</p>", 9);
	} else if (!strcmp(path, "/empty")) {
		reply(c->fd, "200 OK", "text/plain", "", "", 0);
	} else if (!strcmp(path, "/redir")) {
		snprintf(extra, sizeof(extra), "Location: http://127.0.0.1:%u/doc\r\n",
			 S.port);
		reply(c->fd, "302 Found", "text/plain", extra, "moved", 5);
	} else {
		reply(c->fd, "404 Not Found", "text/plain", "", "no", 2);
	}
	return true;
}

static void conn_close(struct conn *c)
{
	close(c->fd);
	c->fd = -1;
	c->len = 0;
	c->hang = false;
}

static void *main_h(void *arg)
{
	struct pollfd pf[2 + CONNS];
	int idx[2 + CONNS];
	int i, n;

	(void)arg;
	for (;;) {
		pthread_mutex_lock(&S.mu);
		if (S.drop_hung) {
			for (i = 0; i < CONNS; i++)
				if (S.c[i].fd >= 0 && S.c[i].hang)
					conn_close(&S.c[i]);
			S.drop_hung = false;
		}
		pthread_mutex_unlock(&S.mu);
		n = 0;
		pf[n].fd = S.wake[0];
		pf[n++].events = POLLIN;
		pf[n].fd = S.lfd;
		pf[n++].events = POLLIN;
		for (i = 0; i < CONNS; i++) {
			if (S.c[i].fd < 0)
				continue;
			idx[n] = i;
			pf[n].fd = S.c[i].fd;
			pf[n++].events = POLLIN;
		}
		if (poll(pf, (nfds_t)n, 100) < 0)
			continue;
		if (pf[0].revents)
			break;
		if (pf[1].revents & POLLIN) {
			int fd = accept(S.lfd, NULL, NULL), k;

			for (k = 0; fd >= 0 && k < CONNS && S.c[k].fd >= 0; k++)
				;
			if (fd >= 0 && k == CONNS)
				close(fd);
			else if (fd >= 0)
				S.c[k].fd = fd;
		}
		for (i = 2; i < n; i++) {
			struct conn *c = &S.c[idx[i]];
			ssize_t r;

			if (!pf[i].revents)
				continue;
			r = recv(c->fd, c->buf + c->len, BUF - 1 - c->len, 0);
			if (r <= 0) {
				conn_close(c);
				continue;
			}
			if (c->hang)
				continue;
			c->len += (size_t)r;
			c->buf[c->len] = '\0';
			if (!strstr(c->buf, "\r\n\r\n") && c->len < BUF - 1)
				continue;
			if (route(c))
				conn_close(c);
			else
				c->hang = true;
		}
	}
	return NULL;
}

int content_server_start(void **state)
{
	struct sockaddr_in sin;
	socklen_t sl = sizeof(sin);
	int i, one = 1;

	(void)state;
	memset(S.big, 'x', sizeof(S.big));
	for (i = 0; i < CONNS; i++)
		S.c[i].fd = -1;
	pthread_mutex_init(&S.mu, NULL);
	S.lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (S.lfd < 0)
		return -1;
	setsockopt(S.lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(S.lfd, (struct sockaddr *)&sin, sizeof(sin)) ||
	    listen(S.lfd, 64) ||
	    getsockname(S.lfd, (struct sockaddr *)&sin, &sl) || pipe(S.wake))
		return -1;
	S.port = ntohs(sin.sin_port);
	return pthread_create(&S.th, NULL, main_h, NULL) ? -1 : 0;
}

int content_server_stop(void **state)
{
	int i;

	(void)state;
	if (write(S.wake[1], "x", 1) != 1)
		return -1;
	pthread_join(S.th, NULL);
	for (i = 0; i < CONNS; i++)
		if (S.c[i].fd >= 0)
			conn_close(&S.c[i]);
	close(S.lfd);
	close(S.wake[0]);
	close(S.wake[1]);
	pthread_mutex_destroy(&S.mu);
	return 0;
}

uint16_t content_server_port(void)
{
	return S.port;
}

unsigned content_server_hits(const char *path)
{
	unsigned n = 0;
	size_t i;

	pthread_mutex_lock(&S.mu);
	for (i = 0; i < PATHS && S.paths[i][0]; i++)
		if (!strcmp(S.paths[i], path))
			n = S.hits[i];
	pthread_mutex_unlock(&S.mu);
	return n;
}

void content_server_reset(void)
{
	pthread_mutex_lock(&S.mu);
	memset(S.paths, 0, sizeof(S.paths));
	memset(S.hits, 0, sizeof(S.hits));
	S.drop_hung = true;
	pthread_mutex_unlock(&S.mu);
}
