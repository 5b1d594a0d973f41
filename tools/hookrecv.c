/*
 * tools/hookrecv.c — a webhook receiver for tests/it/http_webhooks.sh:
 * one thread, poll(), HTTP/1.1 on 127.0.0.1. Every POST is checked as
 * docs/webhooks.md says (HMAC-SHA256 over t "." body, 300 s tolerance,
 * Pintgw-Event-Id equal to the body's event_id) and logged; the path
 * picks the behaviour on the first attempt of each event id:
 *
 *   /ok     200 at once            /flaky  500, then 200
 *   /hang   no answer (the sender times out), then 200
 *   /close  the connection closed unanswered, then 200
 *
 * Log lines: "ATTEMPT <path> <event_id>", then "OK <path> <event_id>"
 * for an accepted delivery or "BAD <path> <why>" for a refused one.
 * Usage: hookrecv PORT SECRET LOGFILE
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
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#define CONNS 128
#define BUF (128 * 1024)
#define SEEN 4096
#define ID_MAX 128

struct conn {
	int fd;
	char *buf;
	size_t len;
	bool hung;
};

static char seen[SEEN][ID_MAX];
static size_t nseen;
static FILE *logfp;
static const char *secret;

/* True the first time id is seen. */
static bool first_time(const char *id)
{
	size_t i;

	for (i = 0; i < nseen; i++)
		if (!strcmp(seen[i], id))
			return false;
	if (nseen < SEEN)
		snprintf(seen[nseen++], ID_MAX, "%s", id);
	return true;
}

/* Header value of name in the head (NUL-terminated copy into out). */
static bool header(const char *head, const char *name, char *out,
		   size_t size)
{
	size_t n = strlen(name);
	const char *p = head, *e;

	while ((p = strstr(p, "\r\n")) != NULL) {
		p += 2;
		if (!strncasecmp(p, name, n) && p[n] == ':') {
			p += n + 1;
			while (*p == ' ')
				p++;
			e = strstr(p, "\r\n");
			if (!e || (size_t)(e - p) >= size)
				return false;
			memcpy(out, p, (size_t)(e - p));
			out[e - p] = '\0';
			return true;
		}
	}
	return false;
}

static const char *verify(const char *sig, const char *eid,
			  const char *body, size_t len)
{
	unsigned char mac[EVP_MAX_MD_SIZE];
	char hex[2 * EVP_MAX_MD_SIZE + 1], t[32], want[ID_MAX + 16];
	const char *v1 = strstr(sig, "v1="), *tp = strstr(sig, "t=");
	unsigned maclen = 0, i;
	size_t tl;
	unsigned char *ok;
	char *msg;
	long long ts;

	if (!v1 || !tp)
		return "no t or v1";
	tl = strcspn(tp + 2, ",");
	if (!tl || tl >= sizeof(t))
		return "bad t";
	memcpy(t, tp + 2, tl);
	t[tl] = '\0';
	ts = strtoll(t, NULL, 10);
	if (llabs((long long)time(NULL) - ts) > 300)
		return "t out of tolerance";
	msg = malloc(tl + 1 + len);
	if (!msg)
		return "no memory";
	memcpy(msg, t, tl);
	msg[tl] = '.';
	memcpy(msg + tl + 1, body, len);
	ok = HMAC(EVP_sha256(), secret, (int)strlen(secret),
		  (const unsigned char *)msg, tl + 1 + len, mac, &maclen);
	free(msg);
	if (!ok)
		return "hmac";
	for (i = 0; i < maclen; i++)
		snprintf(hex + 2 * i, 3, "%02x", mac[i]);
	if (strlen(v1 + 3) < 2 * maclen ||
	    CRYPTO_memcmp(hex, v1 + 3, 2 * maclen))
		return "signature mismatch";
	snprintf(want, sizeof(want), "\"event_id\":\"%s\"", eid);
	if (!strstr(body, want))
		return "Pintgw-Event-Id differs from the body";
	return NULL;
}

static void answer(struct conn *c, int code)
{
	char r[128];
	int n = snprintf(r, sizeof(r), "HTTP/1.1 %d X\r\nContent-Length: 0"
			 "\r\n\r\n", code);

	if (write(c->fd, r, (size_t)n) < 0)
		return;
}

static void drop(struct conn *c)
{
	close(c->fd);
	free(c->buf);
	c->fd = -1;
	c->buf = NULL;
	c->len = 0;
	c->hung = false;
}

/* 1: handled one request (consumed), 0: need more, -1: close. */
static int handle(struct conn *c)
{
	char path[64], eid[ID_MAX], sig[256], cl[32], *end, *body;
	const char *why;
	size_t hlen, blen;
	bool first;
	int code = 200;

	c->buf[c->len] = '\0';
	end = strstr(c->buf, "\r\n\r\n");
	if (!end)
		return 0;
	hlen = (size_t)(end - c->buf) + 4;
	if (!header(c->buf, "Content-Length", cl, sizeof(cl)))
		return -1;
	blen = strtoul(cl, NULL, 10);
	if (c->len < hlen + blen)
		return 0;
	if (sscanf(c->buf, "POST %63s", path) != 1)
		return -1;
	body = c->buf + hlen;
	body[blen] = '\0';
	if (!header(c->buf, "Pintgw-Event-Id", eid, sizeof(eid))) {
		fprintf(logfp, "BAD %s no Pintgw-Event-Id\n", path);
		answer(c, 400);
		return -1;
	}
	fprintf(logfp, "ATTEMPT %s %s\n", path, eid);
	if (!header(c->buf, "Pintgw-Signature", sig, sizeof(sig)))
		why = "no signature";
	else
		why = verify(sig, eid, body, blen);
	if (why) {
		fprintf(logfp, "BAD %s %s %s\n", path, eid, why);
		answer(c, 401);
		return -1;
	}
	first = first_time(eid);
	if (first && !strcmp(path, "/hang")) {
		c->hung = true;         /* never answered: the sender gives up */
		return 1;
	}
	if (first && !strcmp(path, "/close"))
		return -1;
	if (first && !strcmp(path, "/flaky"))
		code = 500;
	if (code == 200)
		fprintf(logfp, "OK %s %s\n", path, eid);
	answer(c, code);
	memmove(c->buf, c->buf + hlen + blen, c->len - hlen - blen);
	c->len -= hlen + blen;
	return 1;
}

int main(int argc, char **argv)
{
	struct pollfd pf[CONNS + 1];
	struct conn cs[CONNS];
	struct sockaddr_in sa;
	int lfd, one = 1, i, n, r;

	if (argc != 4) {
		fprintf(stderr, "usage: hookrecv PORT SECRET LOGFILE\n");
		return 2;
	}
	secret = argv[2];
	logfp = fopen(argv[3], "a");
	if (!logfp)
		return 1;
	setvbuf(logfp, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_IGN);
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((unsigned short)strtoul(argv[1], NULL, 10));
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    listen(lfd, 64)) {
		perror("hookrecv");
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
				cs[i].buf = malloc(BUF + 1);
				cs[i].len = 0;
				cs[i].hung = false;
				if (!cs[i].buf)
					drop(&cs[i]);
			}
		}
		for (i = 0; i < CONNS; i++) {
			if (cs[i].fd < 0 || !pf[i + 1].revents)
				continue;
			if (cs[i].hung) {
				char junk[512];

				/* the sender gave up and closed */
				if (read(cs[i].fd, junk, sizeof(junk)) <= 0)
					drop(&cs[i]);
				continue;
			}
			n = (int)read(cs[i].fd, cs[i].buf + cs[i].len,
				      BUF - cs[i].len);
			if (n <= 0) {
				drop(&cs[i]);
				continue;
			}
			cs[i].len += (size_t)n;
			while ((r = handle(&cs[i])) == 1 && !cs[i].hung &&
			       cs[i].len)
				;
			if (r < 0 || (r == 0 && cs[i].len == BUF))
				drop(&cs[i]);
		}
	}
}
