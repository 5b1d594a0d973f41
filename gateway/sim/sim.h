/*
 * gateway/sim/sim.h — the built-in PINT server: a PINT gateway (RFC 2848,
 * server side) speaking real SIP on the daemon's loop, playing scripted
 * outcomes chosen by the dialled number (DESIGN.md §6).
 *
 * A gw_sim owns its sockets (gateway/transport), its transaction layer,
 * its service sessions and subscriptions; it runs on one gw_loop and is
 * freed before it. The configuration is copied. Everything happens on
 * the loop thread; the trace handler is called there too, with views
 * valid for the call only.
 */
#ifndef GW_SIM_H
#define GW_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gateway/loop.h"
#include "gateway/transport.h"
#include "pint/mbuf.h"
#include "pint/pl.h"

struct gw_sim;

/*
 * The outcome table: the last four digits of the dialled number (the c=
 * line, digits only) pick what happens. Times are at --speed 1 and are
 * divided by the speed factor; values the peer sees on the wire
 * (Retry-After, Expires, digest nonce lifetime) are never scaled.
 *
 *   digits  outcome      what the simulator does
 *   0000    answer       180 after the dial time, 200 after the ring time,
 *                        "connected" (t= start) 1 s later, then the
 *                        service runs (call 10 s, fax 5 pages of 2 s,
 *                        content or page 5 s), ends (t= stop) and BYE
 *   0486    busy         486 Busy Here after the dial time
 *   0408    no_answer    180, then 408 Request Timeout after the ring time
 *   0480    unavailable  180, then 480 Temporarily Unavailable after it
 *   0603    decline      603 Decline after the dial time
 *   0404    not_found    404 Not Found after the dial time
 *   0503    overload     503 Service Unavailable + Retry-After: 30, at once
 *   0999    black_hole   nothing at all, not even 100 Trying (Timer B)
 *   0606    no_abort     as answer; a BYE gets 606 + Warning 399 "Fax in
 *                        progress, service cannot be aborted" + SDP i=
 *   0302    redirect     302 to <service>-alt at the simulator itself,
 *                        where the same number is answered
 *   0180    ring_long    180, rings 120 s, then 480 (for CANCEL tests)
 *   0700    slow         180, rings 15 s, then as answer
 *   other   answer
 */
enum gw_sim_outcome {
	GW_SIM_ANSWER = 0,
	GW_SIM_BUSY,
	GW_SIM_NO_ANSWER,
	GW_SIM_UNAVAILABLE,
	GW_SIM_DECLINE,
	GW_SIM_NOT_FOUND,
	GW_SIM_OVERLOAD,
	GW_SIM_BLACK_HOLE,
	GW_SIM_NO_ABORT,
	GW_SIM_REDIRECT,
	GW_SIM_RING_LONG,
	GW_SIM_SLOW,
	GW_SIM_NOUTCOMES,
};

/* Simulated telephone-side times at speed 1, in ms. */
#define GW_SIM_DIAL_MS       500u      /* INVITE to 180 or a failure */
#define GW_SIM_RING_MS       3000u     /* 180 to 200, 408 or 480 */
#define GW_SIM_RING_LONG_MS  120000u   /* 0180 */
#define GW_SIM_SLOW_MS       15000u    /* 0700 */
#define GW_SIM_CONNECT_MS    1000u     /* 200 to "connected" */
#define GW_SIM_CALL_MS       10000u    /* a voice call (R2C) */
#define GW_SIM_PAGES         5u        /* a fax */
#define GW_SIM_PAGE_MS       2000u
#define GW_SIM_PLAY_MS       5000u     /* content read out, a page sent */

/* What the peer sees, in seconds, never scaled. */
#define GW_SIM_RETRY_AFTER   30u       /* 503 */
#define GW_SIM_DEF_EXPIRES   600u      /* SUBSCRIBE without Expires */
#define GW_SIM_MAX_EXPIRES   3600u     /* longest subscription granted */
#define GW_SIM_RETENTION     300u      /* a session kept after its end */
#define GW_SIM_NONCE_SECS    300u      /* a digest nonce stays valid */

/* Limits. */
#define GW_SIM_MAX_SERVICES  16u       /* custom service names */
#define GW_SIM_MAX_SUBTYPES  32u       /* extra subtype spellings */
#define GW_SIM_MAX_SPEED     1000.0
#define GW_SIM_MIN_SPEED     0.01

/* Status monitoring the simulator offers (PINT-PROFILE). */
enum gw_sim_mode {
	GW_SIM_MODE_PINT = 0,   /* Event-less SUBSCRIBE, SDP NOTIFYs */
	GW_SIM_MODE_DIALOG,     /* RFC 6665 + RFC 4235; Event-less gets 489 */
};

/* The answer to an a=require tag the simulator does not know. */
enum gw_sim_require_mode {
	GW_SIM_REQUIRE_420 = 0, /* 420 Bad Extension + Unsupported */
	GW_SIM_REQUIRE_400,     /* 400 Bad Request + Warning 306 */
};

/* A subtype spelt another way on the wire: "image/tiff" as "tif". */
struct gw_sim_subtype {
	const char *type;       /* "image/tiff" */
	const char *spelling;   /* "tif" */
};

/* One SIP message in or out, for the demo page and --trace. */
struct gw_sim_trace {
	bool out;
	bool absorbed;          /* taken in and dropped on purpose (0999) */
	uint64_t t_ms;          /* the loop's clock */
	const char *peer;       /* "udp:127.0.0.1:5060" */
	struct pint_pl first;   /* the start line */
	struct pint_pl call_id; /* unset when the message has none */
	const char *text;       /* the whole message, len bytes */
	size_t len;
};

typedef void (gw_sim_trace_h)(const struct gw_sim_trace *t, void *arg);

/* Zero is the default for every field but listen. */
struct gw_sim_conf {
	const struct gw_tp_listen_cfg *listen;
	size_t nlisten;                 /* 1 .. GW_TP_MAX_LISTENERS */
	double speed;                   /* 0 = 1 */
	enum gw_sim_mode mode;
	enum gw_sim_require_mode require_mode;
	const char *auth_user;          /* NULL = no digest challenges */
	const char *auth_password;
	const char *realm;              /* NULL = "pintsim" */
	const char *const *services;    /* custom service user parts */
	size_t nservices;
	const struct gw_sim_subtype *subtypes;
	size_t nsubtypes;
	const char *outcome;            /* four digits: this outcome always */
	uint32_t retention;             /* seconds, 0 = GW_SIM_RETENTION */
	uint32_t max_expires;           /* seconds, 0 = GW_SIM_MAX_EXPIRES */
	const char *contact_host;       /* NULL = the first listen address */
	const char *user;               /* Contact user, NULL = "pintsim" */
	gw_sim_trace_h *trace;
	void *trace_arg;
};

/* Counters; sessions_live and subs_live are gauges. */
struct gw_sim_stats {
	uint64_t msgs_in;
	uint64_t msgs_out;
	uint64_t invites;               /* new INVITE transactions */
	uint64_t absorbed;              /* INVITEs (and copies) dropped: 0999 */
	uint64_t challenges;            /* 401 sent */
	uint64_t auth_failures;         /* credentials that did not check */
	uint64_t refused;               /* INVITEs refused by a check */
	uint64_t sessions;              /* sessions started */
	uint64_t sessions_live;
	uint64_t answered;              /* 200 to an INVITE */
	uint64_t completed;             /* ended by the simulator (BYE) */
	uint64_t aborted;               /* ended by the peer's BYE */
	uint64_t no_abort;              /* BYEs answered 606 */
	uint64_t canceled;
	uint64_t subscribes;            /* SUBSCRIBEs accepted */
	uint64_t subs_live;
	uint64_t notifies;
	uint64_t byes;
	uint64_t unsubscribes;
};

/* Lifetime */
int gw_sim_alloc(struct gw_sim **simp, struct gw_loop *loop,
		 const struct gw_sim_conf *conf, char *msg, size_t msgsize);
void gw_sim_free(struct gw_sim *sim);

/* State and observability */
uint16_t gw_sim_port(const struct gw_sim *sim, bool tcp);
void gw_sim_stats(const struct gw_sim *sim, struct gw_sim_stats *st);
int gw_sim_debug(const struct gw_sim *sim, struct pint_mbuf *mb);

/* The outcome table */
enum gw_sim_outcome gw_sim_outcome_of(const char *number, size_t len);
int gw_sim_outcome_parse(const char *digits, enum gw_sim_outcome *op);
const char *gw_sim_outcome_name(enum gw_sim_outcome o);
const char *gw_sim_outcome_digits(enum gw_sim_outcome o);
const char *gw_sim_outcome_text(enum gw_sim_outcome o);

#endif
