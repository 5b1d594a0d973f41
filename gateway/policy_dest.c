/*
 * gateway/policy_dest.c — the destination table behind
 * destination_cooldown and destination_daily_cap (one table for all
 * keys: call-bombing one number through many keys is still bombing),
 * and quiet hours at the destination.
 *
 * Dials are counted per hour: a dial counts towards the daily cap until
 * the end of its hour plus 24 h, so the rolling window is 24 to 25 hours,
 * never shorter. A destination is forgotten GW_POLICY_KEEP_MS after its
 * latest dial (the cooldown is at most a day). The table holds at most
 * dest_max numbers; when it is full the least recently dialled goes.
 * Wall-clock times throughout: the counts are seeded from the store's
 * created_at after a restart.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gateway/policy_int.h"
#include "web/json.h"

#define DAY_MS (24ll * 3600 * 1000)

/* floor(a / b) for b > 0, also below 0 */
static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;

	return (a % b && a < 0) ? q - 1 : q;
}

static size_t slot_of(int64_t hour)
{
	int64_t m = hour % (int64_t)GW_POLICY_SLOTS;

	return (size_t)(m < 0 ? m + GW_POLICY_SLOTS : m);
}

/* ---- the table ---- */

static bool dest_eq(const struct pint_hash_node *node, const void *key,
		    void *arg)
{
	(void)arg;
	return !strcmp(((const struct pol_dest *)node)->number, key);
}

static uint64_t dest_hash(const struct gw_policy *pol, const char *number)
{
	return pint_hash_sip(pol->sipkey, number, strlen(number));
}

static struct pol_dest *dest_find(struct gw_policy *pol, const char *number)
{
	return (struct pol_dest *)pint_hash_find(&pol->dests,
						  dest_hash(pol, number),
						  dest_eq, number, NULL);
}

static void list_unlink(struct gw_policy *pol, struct pol_dest *d)
{
	if (d->older)
		d->older->newer = d->newer;
	else
		pol->oldest = d->newer;
	if (d->newer)
		d->newer->older = d->older;
	else
		pol->newest = d->older;
	d->older = d->newer = NULL;
}

static void list_push(struct gw_policy *pol, struct pol_dest *d)
{
	d->older = pol->newest;
	d->newer = NULL;
	if (pol->newest)
		pol->newest->newer = d;
	else
		pol->oldest = d;
	pol->newest = d;
}

static void dest_drop(struct gw_policy *pol, struct pol_dest *d)
{
	list_unlink(pol, d);
	pint_hash_remove(&pol->dests, &d->node);
	pol->ndests--;
	free(d);
}

/* Free up to GW_POLICY_SWEEP_MAX destinations that have expired. */
static void sweep(struct gw_policy *pol, int64_t now_ms)
{
	unsigned n;

	for (n = 0; n < GW_POLICY_SWEEP_MAX && pol->oldest &&
	     pol->oldest->last_ms + GW_POLICY_KEEP_MS <= now_ms; n++)
		dest_drop(pol, pol->oldest);
}

/* Shutdown: every destination goes. */
void pol_dests_free(struct gw_policy *pol)
{
	while (pol->oldest)
		dest_drop(pol, pol->oldest);
	pint_hash_reset(&pol->dests, NULL, NULL);
}

/* Dials of d that count at now_ms; *lop: the oldest hour counted. */
static uint32_t dest_count(const struct pol_dest *d, int64_t now_ms,
			   int64_t *lop)
{
	int64_t now_h = floor_div(now_ms, GW_POLICY_SLOT_MS);
	int64_t lo = d->top_hour - (GW_POLICY_SLOTS - 1), h;
	uint32_t n = 0;

	if (now_h - (GW_POLICY_SLOTS - 1) > lo)
		lo = now_h - (GW_POLICY_SLOTS - 1);
	for (h = lo; h <= d->top_hour; h++)
		n += d->slots[slot_of(h)];
	*lop = lo;
	return n;
}

/*
 * A create to number (E.164) was accepted at at_ms (or, at start, the
 * store says one was): it counts for the cooldown and the daily cap.
 * Dials older than GW_POLICY_KEEP_MS at now_ms are ignored. 0, or
 * ENOMEM (the dial is not counted).
 */
int gw_policy_record(struct gw_policy *pol, const char *number,
		     int64_t at_ms, int64_t now_ms)
{
	int64_t hour = floor_div(at_ms, GW_POLICY_SLOT_MS), h;
	size_t n = number ? strlen(number) : 0;
	struct pol_dest *d;
	uint16_t *s;

	if (!n || n >= sizeof(d->number))
		return EINVAL;
	if (at_ms + GW_POLICY_KEEP_MS <= now_ms)
		return 0;
	sweep(pol, now_ms);
	d = dest_find(pol, number);
	if (!d) {
		if (pol->ndests >= pol->dest_max && pol->oldest) {
			pol->evicted++;
			dest_drop(pol, pol->oldest);
		}
		d = calloc(1, sizeof(*d));
		if (!d)
			return ENOMEM;
		memcpy(d->number, number, n + 1);
		if (pint_hash_insert(&pol->dests, &d->node,
				     dest_hash(pol, number))) {
			free(d);
			return ENOMEM;
		}
		pol->ndests++;
		d->last_ms = at_ms;
		d->top_hour = hour;
		list_push(pol, d);
	} else if (at_ms >= d->last_ms) {
		d->last_ms = at_ms;
		list_unlink(pol, d);
		list_push(pol, d);
	}
	if (hour > d->top_hour) {
		/* the hours in between had no dial */
		for (h = d->top_hour + 1; h <= hour &&
		     h <= d->top_hour + (int64_t)GW_POLICY_SLOTS; h++)
			d->slots[slot_of(h)] = 0;
		d->top_hour = hour;
	}
	if (hour + (int64_t)GW_POLICY_SLOTS <= d->top_hour)
		return 0;       /* older than the slots kept */
	s = &d->slots[slot_of(hour)];
	if (*s < UINT16_MAX)
		(*s)++;
	return 0;
}

/*
 * number's cooldown and daily cap at now_ms (rules off when 0). true,
 * or false with v a 429 whose Retry-After is when a create would pass.
 */
bool pol_dest_ok(struct gw_policy *pol, const struct gw_conf_policy *p,
		 const char *number, int64_t now_ms,
		 struct gw_policy_verdict *v)
{
	int64_t cd_ms = (int64_t)p->destination_cooldown * 1000, lo, h;
	uint32_t cap = p->destination_daily_cap, count;
	int64_t need;
	struct pol_dest *d;

	if (!cd_ms && !cap)
		return true;
	sweep(pol, now_ms);
	d = dest_find(pol, number);
	if (!d)
		return true;
	if (cd_ms && now_ms < d->last_ms + cd_ms) {
		pol_refuse(v, GW_POLICY_DEST_COOLDOWN, "to",
			   pol_retry_s(d->last_ms + cd_ms, now_ms),
			   "%s was dialled less than %u s ago "
			   "(destination_cooldown)", number,
			   p->destination_cooldown);
		return false;
	}
	if (!cap)
		return true;
	count = dest_count(d, now_ms, &lo);
	if (count < cap)
		return true;
	/* the oldest hours must age out until fewer than cap remain */
	need = (int64_t)count - cap + 1;
	for (h = lo; h < d->top_hour && need > d->slots[slot_of(h)]; h++)
		need -= d->slots[slot_of(h)];
	pol_refuse(v, GW_POLICY_DEST_DAILY_CAP, "to",
		   pol_retry_s((h + (int64_t)GW_POLICY_SLOTS) *
			       GW_POLICY_SLOT_MS, now_ms),
		   "%s was dialled %u times in 24 h (destination_daily_cap "
		   "%u)", number, count, cap);
	return false;
}

/* ---- quiet hours ---- */

/* The tz entry with the longest prefix of number, or NULL. */
static const struct gw_conf_tz *tz_of(const struct gw_conf_policy *p,
				      const char *number)
{
	const struct gw_conf_tz *best = NULL;
	size_t i, n, bn = 0;

	for (i = 0; i < p->ntz; i++) {
		n = strlen(p->tz[i].prefix);
		if (n > bn && !strncmp(number, p->tz[i].prefix, n)) {
			best = &p->tz[i];
			bn = n;
		}
	}
	return best;
}

/*
 * Whether at_ms (Unix ms) falls in p's quiet hours, local time at number
 * by the longest matching [policy] tz prefix. false when quiet hours are
 * off or no prefix matches. true with *end_ms the UTC time the quiet
 * period ends and *offsetp the offset used (minutes east of UTC).
 */
bool gw_policy_quiet(const struct gw_conf_policy *p, const char *number,
		     int64_t at_ms, int64_t *end_ms, int32_t *offsetp)
{
	const struct gw_conf_tz *tz;
	int64_t local, sod, start, end, left;
	bool quiet;

	if (!p->quiet || !number || !(tz = tz_of(p, number)))
		return false;
	local = at_ms + (int64_t)tz->offset * 60000;
	sod = local - floor_div(local, DAY_MS) * DAY_MS;
	start = (int64_t)p->quiet_start * 60000;
	end = (int64_t)p->quiet_end * 60000;
	if (start < end)
		quiet = sod >= start && sod < end;
	else
		quiet = sod >= start || sod < end;
	if (!quiet)
		return false;
	left = end - sod;
	if (left <= 0)
		left += DAY_MS;
	*end_ms = at_ms + left;
	*offsetp = tz->offset;
	return true;
}

/*
 * Quiet hours for number at at_ms (the request's start_at when it is
 * scheduled, else now): true, or false with v a 429 quiet_hours whose
 * Retry-After is the end of that quiet period, counted from now_ms.
 */
bool pol_quiet_ok(const struct gw_conf_policy *p, const char *number,
		  int64_t at_ms, int64_t now_ms, bool scheduled,
		  struct gw_policy_verdict *v)
{
	char when[WEB_JSON_TIME_SIZE] = "";
	int64_t end_ms;
	int32_t off;
	unsigned a;

	if (!gw_policy_quiet(p, number, at_ms, &end_ms, &off))
		return true;
	web_json_time_format(when, end_ms);
	a = (unsigned)(off < 0 ? -off : off);
	pol_refuse(v, GW_POLICY_QUIET_HOURS, "to", pol_retry_s(end_ms, now_ms),
		   "%s is in quiet hours %02u:%02u-%02u:%02u at %s "
		   "(UTC%c%02u:%02u) until %s", scheduled ? "start_at" : "now",
		   p->quiet_start / 60u, p->quiet_start % 60u,
		   p->quiet_end / 60u, p->quiet_end % 60u, number,
		   off < 0 ? '-' : '+', a / 60u, a % 60u, when);
	return false;
}
