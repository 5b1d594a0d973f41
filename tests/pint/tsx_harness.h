/*
 * tests/pint/tsx_harness.h — fake clock, capturing send handler and
 * recording TU for the pint/tsx tests.
 *
 * One layer per test (th_init/th_fini). Messages come from the templates
 * tests/data/tsx/request.sip and response.sip with @TOKEN@ fields; a
 * zeroed struct th_msg means the defaults listed in tsx_harness.c.
 */
#ifndef TESTS_PINT_TSX_HARNESS_H
#define TESTS_PINT_TSX_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <osipparser2/osip_parser.h>

#include "pint/tsx.h"

#define TH_MAX_SENT 512
#define TH_MAX_EV 512
#define TH_BUF 2048

struct th_sent {
	uint64_t at;
	size_t len;
	char buf[TH_BUF];
	enum pint_tsx_transport transport;
	char addr[64];
	uint16_t port;
};

struct th_ev {
	char kind;              /* r resp, f fail, q request, c cancel, s stray */
	uint64_t at;
	uint64_t id;            /* 0 for strays */
	void *ctx;
	int code;               /* status (r, s) */
	int err;                /* f */
	char method[16];        /* q, c, s (requests) */
};

struct th_msg {
	const char *method;     /* INVITE */
	const char *branch;     /* z9hG4bK1 */
	const char *sentby;     /* 192.0.2.10:5060 */
	const char *transport;  /* UDP */
	const char *callid;     /* c1@192.0.2.10 */
	const char *cseq;       /* 1 */
	const char *totag;      /* "" (else e.g. ";tag=t1") */
	int code;               /* 200 */
	const char *reason;     /* OK */
};

struct th {
	struct pint_tsx_layer *l;
	uint64_t now;
	size_t nsent;           /* captured (up to TH_MAX_SENT) */
	size_t nsent_total;
	struct th_sent sent[TH_MAX_SENT];
	size_t nev;
	struct th_ev ev[TH_MAX_EV];
	int send_err;           /* every send fails with it while set */
	bool quiet;             /* hooks only: record no events */
	/* run inside the callbacks, after recording */
	void (*on_send)(const char *buf, size_t len);
	void (*on_resp)(struct pint_tsx *tsx, osip_message_t *resp);
	void (*on_fail)(struct pint_tsx *tsx, int err);
	void (*on_req)(struct pint_tsx *tsx, osip_message_t *req);
	void (*on_cancel)(struct pint_tsx *ist, osip_message_t *cancel);
};

extern struct th H;
extern const struct pint_tsx_peer TH_GW_UDP;    /* where client requests go */
extern const struct pint_tsx_peer TH_GW_TCP;
extern const struct pint_tsx_peer TH_SRC_UDP;   /* where server requests come from */
extern const struct pint_tsx_peer TH_SRC_TCP;

/* Program start/end: templates, osip parser, quiet osip traces. */
void th_global_init(void);
void th_global_fini(void);
void th_osip_unfailing(bool on);

void th_init(void);
void th_init_cfg(const struct pint_tsx_config *cfg);
void th_fini(void);
void th_run_until(uint64_t t);

size_t th_fill(char *out, size_t size, bool request, const struct th_msg *m);
osip_message_t *th_parse(const char *buf, size_t len);
osip_message_t *th_sent_msg(size_t i);

uint64_t th_start(const struct th_msg *m, const struct pint_tsx_peer *peer,
		  void *ctx);
int th_start_err(const struct th_msg *m, const struct pint_tsx_peer *peer);
int th_recv(bool request, const struct th_msg *m,
	    const struct pint_tsx_peer *src);
int th_respond(struct pint_tsx *tsx, const struct th_msg *m);
int th_respond_id(uint64_t id, const struct th_msg *m);

const char *th_tag(osip_from_t *h);
const char *th_branch(osip_message_t *m);

void th_assert_sent_at(size_t first, const uint64_t *at, size_t n);
size_t th_count(char kind);
const struct th_ev *th_last(char kind);
void th_clear(void);

#endif
