/*
 * pint/status.h — what the gateway says, turned into status events.
 *
 * Pure functions: each reads one parsed SIP message (borrowed, never kept)
 * and fills a caller-owned struct pint_status_ev. The event owns nothing:
 * its evidence texts are bounded copies, stripped of control characters
 * and cut at UTF-8 boundaries, so it can be stored or copied by value.
 * `now_unix` is the caller's clock in Unix seconds; SDP t= stays NTP.
 */
#ifndef PINT_STATUS_H
#define PINT_STATUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <osipparser2/osip_parser.h>

#include "pint/pl.h"

struct pint_dinfo;
struct pint_dinfo_track;

/* Buffer sizes of the evidence texts, NUL included. */
#define PINT_STATUS_REASON_SIZE      128
#define PINT_STATUS_WARN_AGENT_SIZE  64
#define PINT_STATUS_TEXT_SIZE        256  /* warning text, info text */
#define PINT_STATUS_UNSUPPORTED_SIZE 128

/* Hard limits on what is read from a message. */
#define PINT_STATUS_WARN_PARTS_MAX   16   /* header pieces of one Warning */
#define PINT_STATUS_UNSUPPORTED_MAX  8    /* Unsupported values kept */
#define PINT_STATUS_PARTS_MAX        16   /* multipart parts looked at */
#define PINT_STATUS_RETRY_AFTER_MAX  3600u     /* 503 Retry-After clamp, s */
#define PINT_STATUS_EXPIRES_MAX      604800u   /* Expires clamp (7 days), s */

/* Request statuses (API.md); NONE in an event means "no change". */
enum pint_status {
	PINT_STATUS_NONE = 0,
	PINT_STATUS_QUEUED,
	PINT_STATUS_SENDING,
	PINT_STATUS_PROCEEDING,
	PINT_STATUS_ACCEPTED,
	PINT_STATUS_ACTIVE,
	PINT_STATUS_COMPLETED,
	PINT_STATUS_FAILED,
	PINT_STATUS_CANCELED,
	PINT_STATUS_EXPIRED,
};

/* Outcome codes of a terminal event (API.md); NONE before the end. */
enum pint_outcome {
	PINT_OUTCOME_NONE = 0,
	PINT_OUTCOME_OK,
	PINT_OUTCOME_BUSY,
	PINT_OUTCOME_NO_ANSWER,
	PINT_OUTCOME_REJECTED,
	PINT_OUTCOME_UNSUPPORTED,
	PINT_OUTCOME_NOT_FOUND,
	PINT_OUTCOME_UNREACHABLE,
	PINT_OUTCOME_AUTH_FAILED,
	PINT_OUTCOME_INTERRUPTED,
	PINT_OUTCOME_CANCELED,
	PINT_OUTCOME_EXPIRED,
	PINT_OUTCOME_ERROR,
	PINT_OUTCOME_CONTENT_FETCH_FAILED,  /* pintgw could not fetch content */
};

/* Who ended or changed the request. */
enum pint_status_by {
	PINT_STATUS_BY_NONE = 0,
	PINT_STATUS_BY_GATEWAY,
	PINT_STATUS_BY_PINTGW,
};

/* What the call layer must do instead of (or before) a status change. */
enum pint_status_act {
	PINT_STATUS_ACT_NONE = 0,
	PINT_STATUS_ACT_REDIRECT,      /* 3xx: follow the Contact(s) */
	PINT_STATUS_ACT_CHALLENGE,     /* 401/407: retry once with Digest */
	PINT_STATUS_ACT_NEXT_GATEWAY,  /* 503 / no answer: try another one */
};

/* Why we sent CANCEL, if we did: decides what a 487 means. */
enum pint_status_cancel {
	PINT_STATUS_CANCEL_NONE = 0,
	PINT_STATUS_CANCEL_USER,
	PINT_STATUS_CANCEL_TIMEOUT,    /* our ring timeout ran out */
};

/* What the call layer knows when a response arrives (NULL = all zero). */
struct pint_status_ctx {
	enum pint_status_cancel cancel;
	unsigned redirects_left;       /* further 3xx we may still follow */
	bool auth_retried;             /* a challenge was answered already */
	bool next_gateway;             /* another gateway may be tried */
	/* the request's status now: tells an ended call from a failed one
	 * when dialog-info says "terminated" without a reason */
	enum pint_status current;
};

/* The first Warning header, parsed leniently. */
struct pint_status_warning {
	uint16_t code;                 /* 0: not three digits (e.g. "xxx") */
	char agent[PINT_STATUS_WARN_AGENT_SIZE];
	char text[PINT_STATUS_TEXT_SIZE];
};

struct pint_status_ev {
	enum pint_status status;       /* NONE: evidence only */
	enum pint_outcome outcome;     /* set exactly when status is terminal */
	enum pint_status_act act;
	enum pint_status_by by;

	/* evidence */
	uint16_t sip_code;             /* 0: none; dialog mode: <state code> */
	char reason[PINT_STATUS_REASON_SIZE];
	bool has_warning;
	struct pint_status_warning warning;
	char info[PINT_STATUS_TEXT_SIZE];   /* i=, a 1xx reason, "ringing" */
	char unsupported[PINT_STATUS_UNSUPPORTED_SIZE]; /* "tag, tag" */
	bool has_time;                 /* t= seen */
	uint64_t t_start_ntp;          /* 0: unset ("now") */
	uint64_t t_stop_ntp;           /* 0: unbounded */

	/* flags for the call layer */
	bool cannot_abort;             /* our BYE answered 606 */
	bool monitoring;               /* a subscription is (still) running */
	bool monitoring_ended;
	bool session_unknown;          /* SUBSCRIBE 606 + Warning 307 */
	bool resubscribe_needed;
	bool fallback_to_dialog;       /* not a PINT notifier */
	bool body_ignored;             /* a body that is not usable SDP/XML */
	bool stale;                    /* dialog-info version already seen */
	bool has_expires;
	uint32_t expires;              /* SUBSCRIBE 2xx: granted seconds */
	bool has_retention;
	uint32_t retention;            /* UNSUBSCRIBE/BYE Expires, seconds */
	uint32_t retry_after;          /* 503 Retry-After, 0 = not given */
};

/* Names (stable, snake_case) and their reverse. */
const char *pint_status_name(enum pint_status status);
const char *pint_outcome_name(enum pint_outcome outcome);
const char *pint_status_by_name(enum pint_status_by by);
const char *pint_status_act_name(enum pint_status_act act);
int pint_status_from_name(enum pint_status *statusp, const struct pint_pl *name);
int pint_outcome_from_name(enum pint_outcome *outcomep, const struct pint_pl *name);

/* Transition rules (DESIGN.md §4). */
bool pint_status_is_terminal(enum pint_status status);
bool pint_status_may_follow(enum pint_status from, enum pint_status to);

/* Responses to our requests. */
int pint_status_invite_resp(struct pint_status_ev *ev, const osip_message_t *resp,
			    const struct pint_status_ctx *ctx);
void pint_status_no_response(struct pint_status_ev *ev,
			     const struct pint_status_ctx *ctx);
int pint_status_subscribe_resp(struct pint_status_ev *ev, const osip_message_t *resp,
			       const struct pint_status_ctx *ctx, uint64_t now_unix);
int pint_status_unsubscribe_resp(struct pint_status_ev *ev,
				 const osip_message_t *resp);
int pint_status_bye_resp(struct pint_status_ev *ev, const osip_message_t *resp);

/* Requests from the gateway. */
int pint_status_notify(struct pint_status_ev *ev, const osip_message_t *req,
		       uint64_t now_unix);
int pint_status_gateway_bye(struct pint_status_ev *ev, const osip_message_t *req);
int pint_status_gateway_unsubscribe(struct pint_status_ev *ev,
				    const osip_message_t *req);

/* Dialog mode (RFC 6665 + RFC 4235): NOTIFY with dialog-info XML. */
int pint_status_dialog_notify(struct pint_status_ev *ev, const osip_message_t *req,
			      const struct pint_status_ctx *ctx,
			      struct pint_dinfo_track *track);
void pint_status_dinfo(struct pint_status_ev *ev, const struct pint_dinfo *di,
		       const struct pint_status_ctx *ctx);

/* Building blocks, also used by tests and the fuzzer. */
void pint_status_warning_parse(struct pint_status_warning *w,
			       const char *p, size_t len);
size_t pint_status_text_copy(char *dst, size_t size, const char *p, size_t len);
void pint_status_apply_sdp(struct pint_status_ev *ev, const char *p, size_t len,
			   uint64_t now_unix);

#endif
