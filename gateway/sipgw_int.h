/*
 * gateway/sipgw_int.h — shared by gateway/sipgw.c (lifetime, wiring, calls)
 * and gateway/sipgw_obs.c (preview, metrics, debug). Not for other files.
 *
 * The gw_sip owns its transport, its user agent and the gateway set the
 * ua borrows; it frees them in that order (ua, transport, set).
 */
#ifndef GW_SIPGW_INT_H
#define GW_SIPGW_INT_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

#include "gateway/sipgw.h"
#include "gateway/transport.h"
#include "pint/req.h"

#define SIPGW_HOST_SIZE (PINT_REQ_MAX_HOST + 3u)    /* "[v6]" and NUL */
#define SIPGW_SESS_SIZE PINT_UA_DECIMAL_SIZE        /* 128 bits, decimal */
#define SIPGW_RAND_POOL 1024u      /* getrandom() once per ~6 calls, not ~10 times a call */

struct gw_sip {
	struct gw_loop *loop;
	struct gw_tp *tp;
	struct pint_gwset *gws;
	struct pint_ua *ua;
	gw_sip_event_h *evh;
	gw_sip_health_h *hh;
	void *arg;
	struct gw_prepare prep;
	struct gw_check chk;
	bool hooked;
	bool spin;                      /* a tick left its deadline due */
	int udp_ls;                     /* first UDP listener, -1: none */
	int tcp_ls;                     /* first TCP listener, -1: none */
	uint16_t udp_port;
	uint16_t tcp_port;
	struct pint_req_local loc[2];   /* by enum pint_tsx_transport */
	char host[SIPGW_HOST_SIZE];     /* Via/Contact host, IPv6 bracketed */
	char origin[SIPGW_HOST_SIZE];   /* SDP o= address, no brackets */
	bool origin_ipv6;
	char user[PINT_REQ_MAX_TOKEN + 1];
	/* OS random bytes read ahead: a call takes ~10 identifiers */
	uint8_t rpool[SIPGW_RAND_POOL];
	size_t rleft;                   /* unused bytes at the pool's end */
	struct sockaddr_storage src;    /* the last source address seen */
	char src_ip[INET6_ADDRSTRLEN];  /* as text; "" until the first */
};

/* sipgw.c */
int gw_sip_rand(uint8_t *buf, size_t len, void *arg);
uint64_t gw_sip_now(struct gw_sip *s);
int gw_sip_sess_id(char buf[SIPGW_SESS_SIZE]);

#endif
