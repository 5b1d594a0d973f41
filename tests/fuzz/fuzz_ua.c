/*
 * tests/fuzz/fuzz_ua.c — what a gateway (or anyone) can send the ua.
 *
 * A ua with one gateway and one tracked R2C call whose INVITE got a 180
 * and whose SUBSCRIBE got a 200; then the input, split at lines "===",
 * is fed message by message from the gateway's address (or, for a part
 * starting with '!', from another one), and time runs on. Placeholders
 * make the messages match live state: $1 INVITE branch, $2 its Call-ID,
 * $3 our INVITE tag, $4 SUBSCRIBE branch, $5 its Call-ID, $6 our
 * subscription tag. Nothing may crash, leak, report a second terminal
 * event or send a message pint_sip_parse refuses (abort()).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pint/sip.h"
#include "pint/tel.h"
#include "pint/ua.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_IN 16384
#define MAX_PARTS 6

struct fz {
	struct pint_ua *ua;
	uint64_t rng;
	uint64_t now;
	unsigned terminals;
	bool after;
	char last[4096];        /* the last message sent */
	size_t last_len;
	char vals[6][300];
};

/*
 * Everything the ua sends must pass our own parser: the transaction
 * layer takes the ua's messages as built, without parsing them again.
 */
static int on_send(const char *buf, size_t len,
		   const struct pint_tsx_peer *peer, void *arg)
{
	struct fz *f = arg;
	osip_message_t *m = NULL;
	int err;

	(void)peer;
	err = pint_sip_parse(&m, buf, len, NULL);
	if (err && err != ENOMEM)
		abort();
	osip_message_free(m);
	if (len >= sizeof(f->last))
		len = sizeof(f->last) - 1;
	memcpy(f->last, buf, len);
	f->last[len] = '\0';
	f->last_len = len;
	return 0;
}

static void on_event(uint64_t ref, const struct pint_status_ev *ev,
		     void *arg)
{
	struct fz *f = arg;

	(void)ref;
	if (f->terminals)
		f->after = true;
	if (pint_status_is_terminal(ev->status))
		f->terminals++;
}

static int on_rand(uint8_t *buf, size_t len, void *arg)
{
	struct fz *f = arg;
	size_t i;

	for (i = 0; i < len; i++) {
		f->rng ^= f->rng << 13;
		f->rng ^= f->rng >> 7;
		f->rng ^= f->rng << 17;
		buf[i] = (uint8_t)f->rng;
	}
	return 0;
}

/* Branch, Call-ID and From tag of the last message sent into vals[k..]. */
static void grab(struct fz *f, int k)
{
	osip_message_t *m = NULL;
	struct pint_sip_via via;
	struct pint_pl tag;

	if (pint_sip_parse(&m, f->last, f->last_len, NULL))
		return;
	if (!pint_sip_top_via(m, &via) && via.branch.l < 300)
		snprintf(f->vals[k], 300, "%.*s", (int)via.branch.l,
			 via.branch.p);
	if (m->call_id && m->call_id->number)
		snprintf(f->vals[k + 1], 300, "%s", m->call_id->number);
	if (!pint_sip_from_tag(m, &tag) && tag.l < 300)
		snprintf(f->vals[k + 2], 300, "%.*s", (int)tag.l, tag.p);
	osip_message_free(m);
}

static void reply(struct fz *f, int code, const char *tag)
{
	struct pint_tsx_peer src = { PINT_TSX_UDP, "192.0.2.20", 5060 };
	osip_message_t *m = NULL, *r = NULL;
	char *buf = NULL;
	size_t len = 0;

	if (pint_sip_parse(&m, f->last, f->last_len, NULL))
		return;
	if (!pint_sip_response(&r, m, code, NULL, tag) &&
	    !pint_req_add_header(r, "Expires", "600") &&
	    !pint_sip_to_str(r, &buf, &len))
		(void)pint_ua_recv(f->ua, buf, len, &src, f->now);
	free(buf);
	osip_message_free(r);
	osip_message_free(m);
}

/* part with $1..$6 replaced, fed from the gateway (or elsewhere). */
static void feed(struct fz *f, const char *p, size_t n)
{
	struct pint_tsx_peer src = { PINT_TSX_UDP, "192.0.2.20", 5060 };
	char *out = malloc(MAX_IN * 4);
	size_t o = 0, i;

	if (!out)
		return;
	if (n && p[0] == '!') {
		src.addr = "198.51.100.9";
		p++;
		n--;
	}
	for (i = 0; i < n && o < MAX_IN * 3; i++) {
		if (p[i] == '$' && i + 1 < n && p[i + 1] >= '1' &&
		    p[i + 1] <= '6') {
			const char *v = f->vals[p[i + 1] - '1'];
			size_t l = strlen(v);

			memcpy(out + o, v, l);
			o += l;
			i++;
		} else {
			out[o++] = p[i];
		}
	}
	(void)pint_ua_recv(f->ua, out, o, &src, f->now);
	free(out);
}

static int once(void)
{
	static int done;

	if (!done) {
		done = 1;
		return pint_sip_init();
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct pint_tel to, from;
	struct pint_gwset_conf gw;
	struct pint_gwset *gws = NULL;
	struct pint_ua_conf c;
	struct pint_ua_handlers h = {
		.send = on_send, .event = on_event, .rand = on_rand,
	};
	struct pint_svc_req req;
	struct pint_ua_call_params p;
	struct fz f;
	const char *in = (const char *)data, *end, *sep;
	size_t parts = 0;

	if (once() || size > MAX_IN)
		return 0;
	memset(&f, 0, sizeof(f));
	f.rng = 0x9e3779b97f4a7c15ull;
	f.now = 1000;
	memset(&gw, 0, sizeof(gw));
	gw.name = "east";
	gw.peer.transport = PINT_TSX_UDP;
	gw.peer.addr = "192.0.2.20";
	gw.peer.port = 5060;
	gw.domain = "pint-east.example.net";
	gw.down_after = 1;
	gw.rest_max_ms = 60000;
	gw.dialog_fallback = true;
	gw.username = "u";
	gw.password = "p";
	if (pint_gwset_alloc(&gws, &gw, 1))
		return 0;
	memset(&c, 0, sizeof(c));
	c.udp.host = "192.0.2.10";
	c.udp.port = 5060;
	c.udp.transport = "UDP";
	c.udp.user = "pintgw";
	c.tcp = c.udp;
	c.tcp.transport = "TCP";
	c.gwset = gws;
	c.ring_timeout_ms = 30000;
	c.max_redirects = 2;
	c.max_duration_ms = 60000;
	h.arg = &f;
	if (pint_ua_alloc(&f.ua, &c, &h)) {
		pint_gwset_free(gws);
		return 0;
	}
	pint_ua_set_wallclock(f.ua, f.now, 1800000000);
	pint_tel_parse(&to, "+15555550199", 12, NULL, "to", NULL);
	pint_tel_parse(&from, "+15555550100", 12, NULL, "from", NULL);
	memset(&req, 0, sizeof(req));
	req.def = pint_svc_builtin("call");
	req.to = &to;
	req.from = &from;
	req.email = "cb@example.com";
	memset(&p, 0, sizeof(p));
	p.req = &req;
	p.track = true;
	if (!pint_ua_call_start(f.ua, 1, &p, f.now)) {
		grab(&f, 0);
		reply(&f, 180, "gi");
		grab(&f, 3);
		reply(&f, 200, "gs");
	}

	end = in + size;
	while (in < end && parts++ < MAX_PARTS) {
		sep = NULL;
		for (const char *q = in; q + 5 <= end; q++) {
			if (!memcmp(q, "\n===\n", 5)) {
				sep = q;
				break;
			}
		}
		feed(&f, in, (size_t)((sep ? sep : end) - in));
		in = sep ? sep + 5 : end;
		f.now += 1000;
		pint_ua_tick(f.ua, f.now);
	}
	/* let every timer run: ring timeout, Timer B, max duration, linger */
	for (int i = 0; i < 200 && pint_ua_next_deadline(f.ua) != PINT_UA_NEVER;
	     i++) {
		uint64_t d = pint_ua_next_deadline(f.ua);

		f.now = d > f.now ? d : f.now + 1;
		pint_ua_tick(f.ua, f.now);
	}
	pint_ua_free(f.ua);
	pint_gwset_free(gws);
	if (f.after || f.terminals > 1)
		abort();
	return 0;
}
