/*
 * gateway/trace.h — a bounded record of SIP messages grouped by the
 * request they belong to, for the demo page. A group is named by the
 * Call-ID of its INVITE; the status subscription's own Call-ID joins the
 * group through the SDP session id (o=) its SUBSCRIBE repeats, and every
 * later message with a joined Call-ID follows. Messages that belong to no
 * INVITE (OPTIONS keepalives, REGISTER) are not kept.
 *
 * The trace owns copies of everything; the oldest messages and links go
 * first when a bound is reached. Single-threaded (the loop's).
 */
#ifndef GW_TRACE_H
#define GW_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pint/pl.h"

struct gw_trace;

#define GW_TRACE_PEER_MAX 63u   /* "udp:[v6]:port" as given, cut to this */

/* One message, as the daemon side saw it. */
struct gw_trace_msg {
	bool out;               /* pintgw → gateway */
	bool absorbed;          /* the gateway took it and never answered */
	int64_t at_ms;          /* wall clock, Unix ms */
	const char *peer;       /* NUL-terminated */
	const char *text;       /* the whole message */
	size_t len;
	struct pint_pl call_id; /* unset: not traced */
};

/* Lifetime: at most max_msgs messages of max_bytes text, max_links
 * Call-IDs (each > 0). */
int gw_trace_alloc(struct gw_trace **tracep, size_t max_msgs,
		   size_t max_bytes, size_t max_links);
void gw_trace_free(struct gw_trace *trace);

/* Keep m if it belongs to a group: 0, or ENOMEM (then it is not kept). */
int gw_trace_add(struct gw_trace *trace, const struct gw_trace_msg *m);

/* {"request_id": …, "call_id": …, "messages": [{seq, at, dir, peer,
 * first, absorbed, text}]} for the group of call_id (NULL: empty list). */
int gw_trace_json(const struct gw_trace *trace, const char *request_id,
		  const char *call_id, char **bodyp, size_t *lenp);

/* Messages and bytes kept now. */
void gw_trace_usage(const struct gw_trace *trace, size_t *msgsp,
		    size_t *bytesp);

#endif
