/*
 * gateway/sipgw.h — pintgw's SIP side on the loop: the sockets
 * (gateway/transport), the PINT user agent (pint/ua) and the gateway set
 * (pint/gwset), wired to the loop's clock, timers and the OS RNG.
 *
 * The daemon owns one gw_sip. Calls are named by the request's uint64_t
 * ref; their status comes back through the event handler, on the loop
 * thread, possibly before gw_sip_call_start returns (the "sending" event
 * does). The configuration is copied; gw_sip_reload applies a new one's
 * gateways and keeps the calls.
 */
#ifndef GW_SIPGW_H
#define GW_SIPGW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gateway/config.h"
#include "gateway/loop.h"
#include "gateway/transport.h"
#include "pint/mbuf.h"
#include "pint/status.h"
#include "pint/ua.h"

struct gw_sip;

/*
 * An accepted call nothing monitors (tracking off, or the gateway ended
 * it) is reported completed by pintgw this long after, so that no call
 * stays in memory for ever when the gateway never sends BYE.
 */
#define GW_SIP_MAX_DURATION_MS (4u * 3600u * 1000u)

/* A status change or new evidence for request ref (pint/status.h). */
typedef void (gw_sip_event_h)(uint64_t ref, const struct pint_status_ev *ev,
			      void *arg);
/* A gateway's health changed (for logs and /readyz). */
typedef void (gw_sip_health_h)(const char *gateway,
			       enum pint_gwset_health health, void *arg);

/* Lifetime */
int gw_sip_alloc(struct gw_sip **sp, struct gw_loop *loop,
		 const struct gw_conf *conf, gw_sip_event_h *evh,
		 gw_sip_health_h *hh, void *arg, char *msg, size_t msgsize);
int gw_sip_reload(struct gw_sip *s, const struct gw_conf *conf,
		  char *msg, size_t msgsize);
void gw_sip_free(struct gw_sip *s);

/* Calls (events may be delivered before gw_sip_call_start returns) */
int gw_sip_call_start(struct gw_sip *s, uint64_t ref,
		      const struct pint_ua_call_params *p);
int gw_sip_call_cancel(struct gw_sip *s, uint64_t ref);
int gw_sip_call_info(const struct gw_sip *s, uint64_t ref,
		     struct pint_ua_call_info *info);
int gw_sip_watch(struct gw_sip *s, uint64_t ref, const char *gateway,
		 const char *sdp, size_t sdp_len);
int gw_sip_preview(struct gw_sip *s, const struct pint_ua_call_params *p,
		   char **textp, size_t *lenp);

/* State and observability */
bool gw_sip_ready(const struct gw_sip *s);
uint16_t gw_sip_port(const struct gw_sip *s, bool tcp);
void gw_sip_stats(const struct gw_sip *s, struct pint_ua_stats *ua,
		  struct gw_tp_stats *tp);
int gw_sip_metrics(const struct gw_sip *s, struct pint_mbuf *mb);
int gw_sip_debug(const struct gw_sip *s, struct pint_mbuf *mb);

/* 128 bits from the OS RNG as 22 base64url characters (Call-IDs, tags,
 * branches, demo keys). */
#define SIPGW_TOKEN_SIZE PINT_UA_TOKEN_SIZE
int gw_sip_token(char buf[SIPGW_TOKEN_SIZE]);

#endif
