/*
 * gateway/sim/sim_script.c — what the simulator plays: the outcome table
 * (sim.h), the services it serves, the subtypes it can render, and the
 * texts and codes of each outcome.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "gateway/sim/sim_int.h"

static const struct {
	const char *digits;
	enum gw_sim_outcome outcome;
	const char *name;
	const char *text;
} table[] = {
	{ "0000", GW_SIM_ANSWER, "answer",
	  "rings, is answered, the service runs, then BYE" },
	{ "0486", GW_SIM_BUSY, "busy", "486 Busy Here" },
	{ "0408", GW_SIM_NO_ANSWER, "no_answer",
	  "rings, then 408 Request Timeout" },
	{ "0480", GW_SIM_UNAVAILABLE, "unavailable",
	  "rings, then 480 Temporarily Unavailable" },
	{ "0603", GW_SIM_DECLINE, "decline", "603 Decline" },
	{ "0404", GW_SIM_NOT_FOUND, "not_found", "404 Not Found" },
	{ "0503", GW_SIM_OVERLOAD, "overload",
	  "503 Service Unavailable with Retry-After" },
	{ "0999", GW_SIM_BLACK_HOLE, "black_hole",
	  "never answers, not even 100 Trying" },
	{ "0606", GW_SIM_NO_ABORT, "no_abort",
	  "answered; a cancel gets 606 (service cannot be aborted)" },
	{ "0302", GW_SIM_REDIRECT, "redirect",
	  "302 to another service address, answered there" },
	{ "0180", GW_SIM_RING_LONG, "ring_long", "rings for 120 s, then 480" },
	{ "0700", GW_SIM_SLOW, "slow", "rings for 15 s, then answered" },
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* The outcome's name (sim.h table), "?" outside the enum. */
const char *gw_sim_outcome_name(enum gw_sim_outcome o)
{
	size_t i;

	for (i = 0; i < NELEM(table); i++)
		if (table[i].outcome == o)
			return table[i].name;
	return "?";
}

/* The four digits that pick outcome o (sim.h table), NULL outside it. */
const char *gw_sim_outcome_digits(enum gw_sim_outcome o)
{
	size_t i;

	for (i = 0; i < NELEM(table); i++)
		if (table[i].outcome == o)
			return table[i].digits;
	return NULL;
}

/* What the simulator does for outcome o, in words; NULL outside it. */
const char *gw_sim_outcome_text(enum gw_sim_outcome o)
{
	size_t i;

	for (i = 0; i < NELEM(table); i++)
		if (table[i].outcome == o)
			return table[i].text;
	return NULL;
}

/*
 * The outcome for a dialled number (len bytes, any form): its last four
 * digits, separators ignored. Fewer than four digits, or four that are
 * not in the table: answer.
 */
enum gw_sim_outcome gw_sim_outcome_of(const char *number, size_t len)
{
	char last[5];
	size_t n = 0, i;

	for (i = len; i > 0 && n < 4 && number; i--) {
		char ch = number[i - 1];

		if (ch >= '0' && ch <= '9')
			last[3 - n++] = ch;
	}
	if (n < 4)
		return GW_SIM_ANSWER;
	last[4] = '\0';
	for (i = 0; i < NELEM(table); i++)
		if (!strcmp(table[i].digits, last))
			return table[i].outcome;
	return GW_SIM_ANSWER;
}

/*
 * A forced outcome by its four digits ("0503") or its name ("overload"):
 * 0, or EINVAL for anything not in the table.
 */
int gw_sim_outcome_parse(const char *digits, enum gw_sim_outcome *op)
{
	size_t i;

	if (!digits || !op)
		return EINVAL;
	for (i = 0; i < NELEM(table); i++) {
		if (!strcmp(table[i].digits, digits) ||
		    !strcmp(table[i].name, digits)) {
			*op = table[i].outcome;
			return 0;
		}
	}
	return EINVAL;
}

/*
 * The service a Request-URI user names: R2C, R2F, R2HC or a configured
 * one, also with the redirect suffix ("R2C-alt", *altp set). Returns the
 * served name, or NULL (404).
 */
const char *sim_service_of(const struct gw_sim *sim, const char *user,
			   bool *altp)
{
	static const char *const builtin[] = { "R2C", "R2F", "R2HC" };
	size_t n, alt = sizeof(SIM_ALT) - 1, i;

	*altp = false;
	if (!user)
		return NULL;
	n = strlen(user);
	if (n > alt && !strcmp(user + n - alt, SIM_ALT)) {
		*altp = true;
		n -= alt;
	}
	for (i = 0; i < NELEM(builtin); i++)
		if (strlen(builtin[i]) == n && !strncmp(builtin[i], user, n))
			return builtin[i];
	for (i = 0; i < sim->nservices; i++)
		if (strlen(sim->services[i]) == n &&
		    !strncmp(sim->services[i], user, n))
			return sim->services[i];
	return NULL;
}

/* What the simulated telephone side can render, by MIME type. */
static const char *const renders[] = {
	"audio/basic", "audio/wav", "audio/mpeg",
	"text/plain", "text/html", "text/enriched", "text/uri-list",
	"image/tiff", "image/gif", "image/jpeg", "image/png",
	"application/pdf", "application/postscript",
	"application/octet-stream",
};

static bool type_is(const char *type, const struct pint_pl *media,
		    const struct pint_pl *sub)
{
	size_t n = strlen(type);

	return n == media->l + 1 + sub->l &&
	       !strncasecmp(type, media->p, media->l) &&
	       type[media->l] == '/' &&
	       !strncasecmp(type + media->l + 1, sub->p, sub->l);
}

/*
 * fmt on an m=<media> line names something the simulator renders: "-",
 * a known subtype, or a configured spelling of a known type ("tif" for
 * image/tiff with --subtype image/tiff=tif). MIME names are
 * case-insensitive.
 */
bool sim_subtype_ok(const struct gw_sim *sim, const struct pint_pl *media,
		    const struct pint_pl *fmt)
{
	size_t i, n;

	if (pint_pl_eq(fmt, "-"))
		return true;
	for (i = 0; i < NELEM(renders); i++)
		if (type_is(renders[i], media, fmt))
			return true;
	for (i = 0; i < sim->nsubtypes; i++) {
		const char *t = sim->sub_type[i];

		n = strlen(sim->sub_spell[i]);
		if (n == fmt->l && !strncasecmp(sim->sub_spell[i], fmt->p, n) &&
		    strlen(t) > media->l && t[media->l] == '/' &&
		    !strncasecmp(t, media->p, media->l))
			return true;
	}
	return false;
}

/* How long the phone rings (speed 1) before the ringing outcome plays. */
uint64_t sim_ring_ms(enum gw_sim_outcome o)
{
	switch (o) {
	case GW_SIM_RING_LONG:
		return GW_SIM_RING_LONG_MS;
	case GW_SIM_SLOW:
		return GW_SIM_SLOW_MS;
	default:
		return GW_SIM_RING_MS;
	}
}

/* The i= text when the service has run to its end. */
const char *sim_final_info(enum sim_kindof svc)
{
	switch (svc) {
	case SIM_SVC_FAX:
		return NULL;    /* "5 of 5 pages sent" */
	case SIM_SVC_PLAY:
		return "content played";
	case SIM_SVC_PAGE:
		return "page delivered";
	default:
		return "call ended";
	}
}

/*
 * The final failure an outcome answers the INVITE with (and its reason),
 * or 0 for outcomes that answer 200.
 */
int sim_final_code(enum gw_sim_outcome o, const char **reasonp)
{
	*reasonp = NULL;
	switch (o) {
	case GW_SIM_BUSY:
		return 486;
	case GW_SIM_NO_ANSWER:
		*reasonp = "No Answer";
		return 408;
	case GW_SIM_UNAVAILABLE:
	case GW_SIM_RING_LONG:
		*reasonp = "No Answer";
		return 480;
	case GW_SIM_DECLINE:
		return 603;
	case GW_SIM_NOT_FOUND:
		*reasonp = "Number Not Found";
		return 404;
	case GW_SIM_OVERLOAD:
		return 503;
	case GW_SIM_REDIRECT:
		return 302;
	default:
		return 0;
	}
}
