/*
 * tests/fuzz/fuzz_tsx.c — pint/tsx: arbitrary messages into a layer that
 * has an INVITE and a SUBSCRIBE client transaction live and answers
 * every request it is given. The input is several messages separated by
 * "%%"; time moves 700 ms after each. Everything the layer sends (ACKs,
 * 100 Trying, answers to CANCEL, built from the peer's own header text)
 * must parse again with osip: abort() when it does not.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <osipparser2/osip_parser.h>

#include "pint/tsx.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fz {
	uint64_t now;
	unsigned n;
};

static void quiet(const char *fi, int li, osip_trace_level_t level,
		  const char *chfr, va_list ap)
{
	(void)fi;
	(void)li;
	(void)level;
	(void)chfr;
	(void)ap;
}

static int send_h(const char *buf, size_t len, const struct pint_tsx_peer *peer,
		  void *arg)
{
	osip_message_t *m = NULL;

	(void)peer;
	(void)arg;
	if (osip_message_init(&m) != 0)
		return 0;
	if (osip_message_parse(m, buf, len) != 0) {
		fprintf(stderr, "sent a message osip cannot parse:\n%.*s\n",
			(int)len, buf);
		abort();
	}
	osip_message_free(m);
	return 0;
}

static void answer(struct pint_tsx *tsx, const char *status, struct fz *f)
{
	char buf[512];
	int n;

	n = snprintf(buf, sizeof(buf), "SIP/2.0 %s\r\n"
		     "Via: SIP/2.0/UDP h;branch=z9hG4bKx\r\n"
		     "From: <sip:a@b>;tag=1\r\nTo: <sip:c@d>;tag=2\r\n"
		     "Call-ID: cid\r\nCSeq: 1 INVITE\r\n"
		     "Content-Length: 0\r\n\r\n", status);
	pint_tsx_respond_buf(tsx, buf, (size_t)n, f->now);
}

static void req_h(struct pint_tsx *tsx, osip_message_t *req,
		  const struct pint_tsx_peer *src, void *arg)
{
	static const char *const status[] = {
		"180 Ringing", "200 OK", "486 Busy Here", "100 Trying",
	};
	struct fz *f = arg;

	(void)req;
	(void)src;
	answer(tsx, status[f->n++ % 4], f);
	if (f->n % 5 == 0)
		pint_tsx_terminate(tsx);
}

static void cancel_h(struct pint_tsx *ist, osip_message_t *cancel, void *arg)
{
	(void)cancel;
	answer(ist, "487 Request Terminated", arg);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char inv[] = "INVITE sip:R2C@gw SIP/2.0\r\n"
		"Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK1\r\n"
		"Route: <sip:p;lr>\r\nFrom: <sip:a@b>;tag=f1\r\n"
		"To: <sip:c@d>\r\nCall-ID: c1\r\nCSeq: 1 INVITE\r\n"
		"Content-Length: 0\r\n\r\n";
	static const char sub[] = "SUBSCRIBE sip:R2C@gw SIP/2.0\r\n"
		"Via: SIP/2.0/TCP 192.0.2.10:5060;branch=z9hG4bK2\r\n"
		"From: <sip:a@b>;tag=f1\r\nTo: <sip:c@d>\r\nCall-ID: c2\r\n"
		"CSeq: 1 SUBSCRIBE\r\nContent-Length: 0\r\n\r\n";
	static const struct pint_tsx_peer udp = {
		PINT_TSX_UDP, "192.0.2.30", 5070 };
	static const struct pint_tsx_peer tcp = {
		PINT_TSX_TCP, "192.0.2.30", 5070 };
	static int init;
	struct fz f = { 0, 0 };
	const struct pint_tsx_handlers h = {
		.send = send_h, .req = req_h, .cancel = cancel_h, .arg = &f,
	};
	struct pint_tsx_layer *l = NULL;
	uint64_t id;
	size_t i = 0;

	if (!init) {
		parser_init();
		osip_trace_initialize_func(END_TRACE_LEVEL, quiet);
		init = 1;
	}
	if (pint_tsx_layer_alloc(&l, NULL, &h))
		return 0;
	pint_tsx_start_buf(&id, l, inv, sizeof(inv) - 1, &udp, NULL, 0);
	pint_tsx_start_buf(&id, l, sub, sizeof(sub) - 1, &tcp, NULL, 0);
	while (i < size) {
		const uint8_t *p = data + i;
		size_t len = 0;

		while (i + len < size && !(data[i + len] == '%' &&
					   i + len + 1 < size &&
					   data[i + len + 1] == '%'))
			len++;
		pint_tsx_recv(l, (const char *)p, len, len & 1 ? &tcp : &udp,
			      f.now);
		f.now += 700;
		pint_tsx_tick(l, f.now);
		i += len + 2;
	}
	pint_tsx_tick(l, f.now + 100000);
	pint_tsx_layer_free(l);
	return 0;
}
