/*
 * tests/pint/ua_harness.h — an in-memory wire, a fake clock and an event
 * sink for the pint/ua tests. The test plays the telephony gateway: it
 * takes what the ua sent (parsed with pint_sip_parse) and feeds back
 * responses and requests built with pint/sip, pint/req and pint/dialog.
 *
 * One struct uh per test (uh_init / uh_fini); it owns the ua, the gateway
 * set and every captured message (a queue emptied as it is read). The
 * sink fails the test (at the next uh_* check or at uh_fini) on any event
 * after a terminal one, and uh_fini checks that every call started with
 * uh_call got exactly one terminal event.
 */
#ifndef TESTS_PINT_UA_HARNESS_H
#define TESTS_PINT_UA_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <osipparser2/osip_parser.h>

#include "pint/dialog.h"
#include "pint/gwset.h"
#include "pint/service.h"
#include "pint/ua.h"

#define UH_MAX_SENT 128
#define UH_BUF 8192
#define UH_MAX_EV 96
#define UH_MAX_REFS 512
#define UH_MAX_GW 4

/* Gateway addresses of the default set (uh_default_gw). */
#define UH_GW0 "192.0.2.20"
#define UH_GW1 "192.0.2.30"
#define UH_SPOOF "198.51.100.66"

struct uh_sent {
	size_t len;
	char buf[UH_BUF];
	enum pint_tsx_transport transport;
	char addr[64];
	uint16_t port;
};

struct uh_ev {
	uint64_t ref;
	struct pint_status_ev ev;
};

/* A message the ua sent, parsed, with where it went. */
struct uh_msg {
	osip_message_t *m;
	enum pint_tsx_transport transport;
	char addr[64];
	char *raw;              /* the bytes as sent (NUL-terminated) */
};

struct uh {
	struct pint_ua *ua;
	struct pint_gwset *gws;
	struct pint_gwset_conf gw[UH_MAX_GW];
	size_t ngw;
	struct pint_ua_conf conf;
	uint64_t now;
	uint64_t rng;
	uint64_t branch;        /* gateway-side branch counter */
	bool raw_recv;          /* uh_send: pint_ua_recv, not the daemon's
				 * pint_sip_parse + pint_ua_recv_msg */
	int send_fail;          /* errno the send handler returns, 0 = none */
	const char *fail_addr;  /* only sends to this address fail; NULL = all */
	size_t nsent, head;
	struct uh_sent sent[UH_MAX_SENT];
	size_t nev, evhead;
	struct uh_ev ev[UH_MAX_EV];
	struct uh_ev last;      /* the last event read */
	uint64_t refs[UH_MAX_REFS];
	unsigned terminals[UH_MAX_REFS];
	bool started[UH_MAX_REFS];      /* by uh_call: must end exactly once */
	size_t nrefs;
	unsigned violations;    /* events after a terminal one */
	size_t nhealth;
	size_t health_idx[16];
	enum pint_gwset_health health[16];
};

/* The gateway's own SIP identity (for requests it sends us). */
extern const struct pint_req_local uh_gwloc;

/* Set-up */
int uh_group_setup(void **state);
void uh_default_gw(struct pint_gwset_conf gw[2]);
void uh_default_conf(struct pint_ua_conf *conf);
void uh_init(struct uh *u, const struct pint_gwset_conf *gw, size_t n,
	     const struct pint_ua_conf *conf);
void uh_fini(struct uh *u);
void uh_run(struct uh *u, uint64_t until);

/* Services to start */
void uh_r2c(struct pint_svc_req *req, struct pint_tel *to,
	    struct pint_tel *from);
void uh_call(struct uh *u, uint64_t ref, const struct pint_svc_req *req,
	     bool track, const char *gateway);

/* What the ua sent */
size_t uh_pending(const struct uh *u);
struct uh_msg uh_take(struct uh *u);
struct uh_msg uh_req(struct uh *u, const char *method);
struct uh_msg uh_resp(struct uh *u, int code);
void uh_none(struct uh *u);
void uh_msg_free(struct uh_msg *msg);
const char *uh_hdr(const osip_message_t *m, const char *name);
const char *uh_body(const osip_message_t *m, size_t *lenp);
void uh_tag(const osip_message_t *m, bool to, char *buf, size_t size);

/* What the gateway sends */
osip_message_t *uh_answer(const struct uh_msg *req, int code,
			  const char *to_tag);
void uh_add_sdp(osip_message_t *m, const char *sdp);
int uh_send(struct uh *u, osip_message_t *m, const char *src);
int uh_reply(struct uh *u, const struct uh_msg *req, int code,
	     const char *to_tag);
struct pint_dialog *uh_uas(const struct uh_msg *req, const char *tag);
osip_message_t *uh_notify(struct uh *u, struct pint_dialog *dlg,
			  const char *ctype, const char *body,
			  const char *event, const char *substate);
osip_message_t *uh_in_dialog(struct uh *u, struct pint_dialog *dlg,
			     const char *method);

/* Common steps: 200 (+ SDP) to inv, the ACK, accepted; the gateway's BYE,
 * 200, completed. Untracked calls only (no SUBSCRIBE expected). */
void uh_accept(struct uh *u, uint64_t ref, const struct uh_msg *inv,
	       const char *tag);
void uh_gw_bye(struct uh *u, uint64_t ref, const struct uh_msg *inv,
	       const char *tag);

/* Events */
const struct pint_status_ev *uh_ev(struct uh *u, uint64_t ref,
				   enum pint_status status);
void uh_no_ev(struct uh *u);

#endif
