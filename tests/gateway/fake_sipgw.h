/*
 * tests/gateway/fake_sipgw.h — a gw_sip (gateway/sipgw.h) without
 * sockets for the request table's tests: it records what it is asked,
 * answers with the knobs below, and lets a test deliver status events
 * as the real one would (fake_sip_emit), on the loop thread.
 *
 * The struct is the test's to read and set; calls are kept (by ref) for
 * the gw_sip's life and freed by gw_sip_free.
 */
#ifndef TESTS_GATEWAY_FAKE_SIPGW_H
#define TESTS_GATEWAY_FAKE_SIPGW_H

#include <stdbool.h>
#include <stdint.h>

#include "gateway/sipgw.h"

#define FAKE_SIP_MAX_CALLS 64
#define FAKE_SIP_ID_SIZE 64
#define FAKE_SIP_ITEMS 4                /* inline items' data kept */
#define FAKE_SIP_CONTENT_SIZE 128       /* bytes of each, cut */

/* Called inside gw_sip_call_start, before the call exists: a test reads
 * the store there to see what was committed before the INVITE. */
typedef void (fake_sip_start_h)(struct gw_sip *s, uint64_t ref,
				const struct pint_ua_call_params *p, void *arg);

/* One call (or watch) as the fake saw it. */
struct fake_call {
	uint64_t ref;
	bool watched;           /* gw_sip_watch, not gw_sip_call_start */
	unsigned starts;
	unsigned cancels;
	enum pint_status status;        /* of the last event emitted */
	char service[32];       /* p->req->def->name */
	char to[PINT_TEL_E164_SIZE];    /* p->req->to->e164 */
	char gateway[64];       /* asked for (start) or given (watch) */
	uint32_t ring_timeout_ms;
	bool track;
	bool resumed;           /* p->resume gave the identities below */
	bool kept_branch;       /* ... and its branch: the INVITE reuses it */
	char call_id[FAKE_SIP_ID_SIZE];
	char from_tag[FAKE_SIP_ID_SIZE];
	char sess_id[FAKE_SIP_ID_SIZE];
	char branch[FAKE_SIP_ID_SIZE + 1];      /* the INVITE's Via branch */
	uint32_t cseq;          /* the INVITE's: resume->cseq + 1, or 1 */
	char *sdp;              /* made at start, copied at watch */
	size_t sdp_len;
	unsigned inline_items;  /* p->req items sent inline (start) */
	char content[FAKE_SIP_ITEMS][FAKE_SIP_CONTENT_SIZE];  /* their data */
	unsigned uri_items;     /* ... and by reference */
};

struct gw_sip {
	struct gw_loop *loop;
	gw_sip_event_h *evh;
	void *arg;
	/* knobs */
	bool sync_sending;      /* emit "sending" inside gw_sip_call_start (default) */
	int start_err;          /* gw_sip_call_start's answer */
	int cancel_err;         /* gw_sip_call_cancel's answer */
	int watch_err;          /* gw_sip_watch's answer */
	const char *gateway;    /* where calls go unless one is asked ("gw-a") */
	size_t preview_len;     /* gw_sip_preview's INVITE size (0: short) */
	fake_sip_start_h *on_start;
	void *on_start_arg;
	/* what was asked */
	struct fake_call calls[FAKE_SIP_MAX_CALLS];
	size_t ncalls;
	unsigned starts, cancels, watches;
};

/* The call for ref, or NULL. */
struct fake_call *fake_sip_call(struct gw_sip *s, uint64_t ref);
/* The n-th call started or watched (0 = first), or NULL. */
struct fake_call *fake_sip_nth(struct gw_sip *s, size_t n);
/* Deliver ev for ref as the SIP side would. */
void fake_sip_emit(struct gw_sip *s, uint64_t ref, const struct pint_status_ev *ev);
/* A status event: status, outcome, SIP code, info (may be NULL). */
void fake_sip_ev(struct pint_status_ev *ev, enum pint_status status,
		 enum pint_outcome outcome, uint16_t code, const char *info);

#endif
