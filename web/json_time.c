/*
 * web/json_time.c — RFC 3339 times <-> Unix milliseconds, for the API's
 * date-time fields: a strict parser (any offset; fractions cut to
 * milliseconds) and the one form pintgw writes (UTC, milliseconds, "Z").
 */
#include <errno.h>
#include <stdint.h>

#include "web/json.h"

#define MS_PER_DAY 86400000LL

/* n decimal digits at p into *v. */
static int digits(const char *p, size_t n, int *v)
{
	int x = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return EBADMSG;
		x = x * 10 + (p[i] - '0');
	}
	*v = x;
	return 0;
}

static bool leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int month_days(int y, int m)
{
	static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

	return m == 2 && leap(y) ? 29 : days[m - 1];
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int *yp, int *mp, int *dp)
{
	int64_t era, doe, yoe, y, doy, mq, d, m;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mq = (5 * doy + 2) / 153;
	d = doy - (153 * mq + 2) / 5 + 1;
	m = mq < 10 ? mq + 3 : mq - 9;
	*yp = (int)(y + (m <= 2));
	*mp = (int)m;
	*dp = (int)d;
}

/*
 * Parse an RFC 3339 date-time (§5.6) into Unix ms. Accepted: 'T', 't' or
 * a space between date and time; 'Z', 'z' or ±HH:MM; any number of
 * fraction digits (cut, not rounded, to ms); second 60 (a leap second,
 * counted as the first second of the next minute). Impossible dates
 * (Feb 30, Feb 29 of a common year) are EBADMSG; a result outside years
 * 0000–9999 UTC is ERANGE.
 */
int web_json_time_parse(int64_t *msp, const char *p, size_t len)
{
	int y, mo, d, h, mi, s, oh = 0, om = 0, sign = 0, dig;
	int64_t frac = 0, t;
	size_t i = 19, nfrac = 0;

	if (len < 20)
		return EBADMSG;
	if (digits(p, 4, &y) || p[4] != '-' || digits(p + 5, 2, &mo) ||
	    p[7] != '-' || digits(p + 8, 2, &d) ||
	    (p[10] != 'T' && p[10] != 't' && p[10] != ' ') ||
	    digits(p + 11, 2, &h) || p[13] != ':' || digits(p + 14, 2, &mi) ||
	    p[16] != ':' || digits(p + 17, 2, &s))
		return EBADMSG;
	if (p[i] == '.') {
		for (i++; i < len && p[i] >= '0' && p[i] <= '9'; i++, nfrac++) {
			if (nfrac < 3)
				frac = frac * 10 + (p[i] - '0');
		}
		if (!nfrac)
			return EBADMSG;
		for (dig = (int)(nfrac < 3 ? nfrac : 3); dig < 3; dig++)
			frac *= 10;
	}
	if (i >= len)
		return EBADMSG;
	if (p[i] == 'Z' || p[i] == 'z') {
		i++;
	} else if (p[i] == '+' || p[i] == '-') {
		sign = p[i] == '+' ? 1 : -1;
		if (len - i < 6 || digits(p + i + 1, 2, &oh) || p[i + 3] != ':' ||
		    digits(p + i + 4, 2, &om) || oh > 23 || om > 59)
			return EBADMSG;
		i += 6;
	} else {
		return EBADMSG;
	}
	if (i != len)
		return EBADMSG;
	if (mo < 1 || mo > 12 || d < 1 || d > month_days(y, mo) || h > 23 ||
	    mi > 59 || s > 60)
		return EBADMSG;

	t = ((days_from_civil(y, mo, d) * 24 + h) * 60 + mi) * 60 + s;
	t -= (int64_t)sign * (oh * 3600 + om * 60);
	t = t * 1000 + frac;
	if (t < WEB_JSON_TIME_MIN || t > WEB_JSON_TIME_MAX)
		return ERANGE;
	*msp = t;
	return 0;
}

/* v as n decimal digits, zero-padded, at p; returns the end. */
static char *put_digits(char *p, int v, int n)
{
	int i;

	for (i = n - 1; i >= 0; i--) {
		p[i] = (char)('0' + v % 10);
		v /= 10;
	}
	return p + n;
}

/*
 * Format Unix ms as RFC 3339 UTC: "2026-11-21T14:00:00Z", or with exactly
 * three fraction digits when the milliseconds are not zero
 * ("2026-11-21T14:00:00.250Z"). ERANGE (and "") outside years 0000–9999.
 * Written digit by digit: every reply carries several times, and
 * snprintf() cost more than the rest of a resource together.
 */
int web_json_time_format(char buf[WEB_JSON_TIME_SIZE], int64_t ms)
{
	int64_t days, rem;
	int y, mo, d, f;
	char *p;

	buf[0] = '\0';
	if (ms < WEB_JSON_TIME_MIN || ms > WEB_JSON_TIME_MAX)
		return ERANGE;
	days = ms / MS_PER_DAY;
	rem = ms % MS_PER_DAY;
	if (rem < 0) {
		rem += MS_PER_DAY;
		days--;
	}
	civil_from_days(days, &y, &mo, &d);
	f = (int)(rem % 1000);
	p = put_digits(buf, y, 4);
	*p++ = '-';
	p = put_digits(p, mo, 2);
	*p++ = '-';
	p = put_digits(p, d, 2);
	*p++ = 'T';
	p = put_digits(p, (int)(rem / 3600000), 2);
	*p++ = ':';
	p = put_digits(p, (int)(rem / 60000 % 60), 2);
	*p++ = ':';
	p = put_digits(p, (int)(rem / 1000 % 60), 2);
	if (f) {
		*p++ = '.';
		p = put_digits(p, f, 3);
	}
	*p++ = 'Z';
	*p = '\0';
	return 0;
}
