/*
 * gateway/config_policy.c — the keys of [policy] (docs/policy.md): the
 * built-in deny list switch, global deny and allow prefixes, the
 * per-destination cooldown and daily cap, quiet hours and the UTC
 * offsets by number prefix they are judged in. Every value is checked
 * here, so gateway/policy.c only reads what is known to be sound.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "gateway/config_int.h"

#define QUIET_OFF "off"
#define TZ_MIN (-12 * 60)       /* UTC-12:00, Baker Island */
#define TZ_MAX (14 * 60)        /* UTC+14:00, Line Islands */

static bool digit(char c)
{
	return c >= '0' && c <= '9';
}

/* 1 or 2 digits of an hour (0..max) at *pp; the cursor moves past them. */
static int parse_hours(const char **pp, unsigned max, unsigned *hp)
{
	const char *p = *pp;
	unsigned h = 0;
	size_t n = 0;

	while (digit(p[n]) && n < 3)
		h = h * 10 + (unsigned)(p[n++] - '0');
	if (n == 0 || n > 2 || h > max)
		return EINVAL;
	*pp = p + n;
	*hp = h;
	return 0;
}

/* ":MM" (00..59) at *pp; the cursor moves past it. */
static int parse_minutes(const char **pp, unsigned *mp)
{
	const char *p = *pp;

	if (p[0] != ':' || !digit(p[1]) || !digit(p[2]) || digit(p[3]))
		return EINVAL;
	*mp = (unsigned)(p[1] - '0') * 10 + (unsigned)(p[2] - '0');
	if (*mp > 59)
		return EINVAL;
	*pp = p + 3;
	return 0;
}

/* "HH:MM" (00:00..23:59) at *pp, as minutes after midnight. */
static int parse_clock(const char **pp, uint16_t *minp)
{
	unsigned h, m;

	if (parse_hours(pp, 23, &h) || parse_minutes(pp, &m))
		return EINVAL;
	*minp = (uint16_t)(h * 60 + m);
	return 0;
}

/*
 * "HH:MM-HH:MM" (blanks around '-' allowed): quiet from the first time,
 * local at the destination, until the second; a start after the end
 * spans midnight. Equal times are refused (all day or never: neither is
 * what quiet hours are for). 0 or EINVAL.
 */
int gw_conf_parse_quiet(const char *s, uint16_t *startp, uint16_t *endp)
{
	uint16_t a, b;

	if (parse_clock(&s, &a))
		return EINVAL;
	s += strspn(s, " \t");
	if (*s++ != '-')
		return EINVAL;
	s += strspn(s, " \t");
	if (parse_clock(&s, &b) || *s || a == b)
		return EINVAL;
	*startp = a;
	*endp = b;
	return 0;
}

/*
 * "PREFIX:OFFSET", OFFSET as [+-]H[H][:MM] hours east of UTC
 * ("+44:+0", "+1:-5", "+91:+5:30"), from -12:00 to +14:00. 0 or EINVAL.
 */
int gw_conf_parse_tz(const char *s, struct gw_conf_tz *out)
{
	const char *colon = strchr(s, ':');
	size_t plen = colon ? (size_t)(colon - s) : 0;
	char prefix[GW_CONF_PREFIX_SIZE];
	const char *p;
	unsigned h, m = 0;
	int sign = 1;
	int32_t off;

	if (!colon || plen >= sizeof(prefix))
		return EINVAL;
	memcpy(prefix, s, plen);
	prefix[plen] = '\0';
	if (!gw_conf_valid_prefix(prefix))
		return EINVAL;
	p = colon + 1;
	if (*p == '+' || *p == '-')
		sign = *p++ == '-' ? -1 : 1;
	if (parse_hours(&p, 14, &h))
		return EINVAL;
	if (*p == ':' && parse_minutes(&p, &m))
		return EINVAL;
	if (*p)
		return EINVAL;
	off = sign * (int32_t)(h * 60 + m);
	if (off < TZ_MIN || off > TZ_MAX)
		return EINVAL;
	memcpy(out->prefix, prefix, plen + 1);
	out->offset = off;
	return 0;
}

/* ---- setters ---- */

static int add_policy_prefix(struct gw_conf_parse *ps, void *obj,
			     const struct gw_conf_keydef *kd, const char *item,
			     const char *expected)
{
	struct gw_conf_list *l = GW_CONF_FIELD(obj, kd, struct gw_conf_list);

	if (!gw_conf_valid_prefix(item))
		return gw_conf_bad(ps, kd->name, item, expected);
	if (l->n >= GW_CONF_MAX_POLICY_LIST) {
		gw_conf_error(ps, ps->line, "%s: more than %u prefixes",
			      kd->name, GW_CONF_MAX_POLICY_LIST);
		return EINVAL;
	}
	return gw_conf_list_add(l, item, strlen(item));
}

static int set_policy_prefixes(struct gw_conf_parse *ps, void *obj,
			       const struct gw_conf_keydef *kd, const char *val)
{
	return gw_conf_each_item(ps, obj, kd, val,
				 "E.164 prefixes (+1900 +4490)",
				 add_policy_prefix);
}

static int set_quiet(struct gw_conf_parse *ps, void *obj,
		     const struct gw_conf_keydef *kd, const char *val)
{
	struct gw_conf_policy *p = obj;

	if (!strcasecmp(val, QUIET_OFF)) {
		p->quiet = false;
		return 0;
	}
	if (gw_conf_parse_quiet(val, &p->quiet_start, &p->quiet_end))
		return gw_conf_bad(ps, kd->name, val,
				   "HH:MM-HH:MM, two different local times (21:00-08:00), or off");
	p->quiet = true;
	return 0;
}

static int add_tz(struct gw_conf_parse *ps, void *obj,
		  const struct gw_conf_keydef *kd, const char *item,
		  const char *expected)
{
	struct gw_conf_policy *p = obj;
	struct gw_conf_tz tz, *v;
	size_t i;

	if (gw_conf_parse_tz(item, &tz))
		return gw_conf_bad(ps, kd->name, item, expected);
	for (i = 0; i < p->ntz; i++) {
		if (!strcmp(p->tz[i].prefix, tz.prefix)) {
			gw_conf_error(ps, ps->line, "%s: %s is listed twice",
				      kd->name, tz.prefix);
			return EINVAL;
		}
	}
	if (p->ntz >= GW_CONF_MAX_TZ) {
		gw_conf_error(ps, ps->line, "%s: more than %u entries",
			      kd->name, GW_CONF_MAX_TZ);
		return EINVAL;
	}
	v = realloc(p->tz, (p->ntz + 1) * sizeof(*v));
	if (!v)
		return ENOMEM;
	p->tz = v;
	p->tz[p->ntz++] = tz;
	return 0;
}

static int set_tz(struct gw_conf_parse *ps, void *obj,
		  const struct gw_conf_keydef *kd, const char *val)
{
	return gw_conf_each_item(ps, obj, kd, val,
				 "PREFIX:OFFSET in hours east of UTC (+44:+0 +1:-5 +91:+5:30)",
				 add_tz);
}

/* ---- the table, defaults ---- */

const struct gw_conf_keydef gw_conf_policy_keys[] = {
	GW_KEY_BOOL(struct gw_conf_policy, default_deny),
	GW_KEY_FN("deny", struct gw_conf_policy, deny, set_policy_prefixes,
	   GW_KD_REPEAT),
	GW_KEY_FN("allow", struct gw_conf_policy, allow, set_policy_prefixes,
	   GW_KD_REPEAT),
	GW_KEY_U32(struct gw_conf_policy, destination_cooldown, 0, 86400,
	    "seconds"),
	GW_KEY_U32(struct gw_conf_policy, destination_daily_cap, 0, 10000, NULL),
	GW_KEY_FN("quiet_hours", struct gw_conf_policy, quiet, set_quiet, 0),
	GW_KEY_FN("tz", struct gw_conf_policy, tz, set_tz, GW_KD_REPEAT),
};

const size_t gw_conf_npolicy_keys =
	sizeof(gw_conf_policy_keys) / sizeof(gw_conf_policy_keys[0]);

/* [policy]'s defaults (docs/policy.md): a starting point for a public
 * key, not a promise that nothing costly can be dialled. */
int gw_conf_policy_defaults(struct gw_conf_policy *p)
{
	memset(p, 0, sizeof(*p));
	p->default_deny = true;
	p->destination_cooldown = 60;
	p->destination_daily_cap = 10;
	return 0;
}

/* Free what [policy] owns; it reads as empty (not as the defaults). */
void gw_conf_policy_clear(struct gw_conf_policy *p)
{
	gw_conf_list_clear(&p->deny);
	gw_conf_list_clear(&p->allow);
	free(p->tz);
	p->tz = NULL;
	p->ntz = 0;
}
