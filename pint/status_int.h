/*
 * pint/status_int.h — private to pint/status.c and pint/status_ev.c.
 *
 * status_ev.c takes evidence out of osip messages (bounded, sanitised
 * copies); status.c decides what it means. Views returned here point into
 * the message and die with it.
 */
#ifndef PINT_STATUS_INT_H
#define PINT_STATUS_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pint/pl.h"
#include "pint/status.h"

enum pint_status_body {
	PINT_STATUS_BODY_NONE,     /* no body at all */
	PINT_STATUS_BODY_FOUND,
	PINT_STATUS_BODY_OTHER,    /* a body, but not of the wanted type */
};

void pint_status_text_set(char *dst, size_t size, const char *s);
const char *pint_status_header(const osip_message_t *msg, const char *lname);
bool pint_status_seconds(const char *s, uint32_t max, uint32_t *valp);
bool pint_status_param_seconds(const char *v, const char *name, uint32_t max,
			       uint32_t *valp);
void pint_status_warning_take(struct pint_status_ev *ev, const osip_message_t *msg);
void pint_status_unsupported_take(struct pint_status_ev *ev, const osip_message_t *msg);
enum pint_status_body pint_status_body_find(const osip_message_t *msg, const char *type,
					    const char *subtype, struct pint_pl *pl);
void pint_status_sdp_evidence(struct pint_status_ev *ev, const char *p, size_t len);
void pint_status_msg_sdp(struct pint_status_ev *ev, const osip_message_t *msg);

#endif
