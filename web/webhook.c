/*
 * web/webhook.c — webhook payloads, Pintgw-Signature (sign and the
 * receiver's check, which docs/webhooks.md follows) and the retry
 * schedule. The delivery queue is web/webhook_queue.c.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "web/webhook.h"

#define HEX_LEN 64u             /* HMAC-SHA256 in hex */
#define V1_MAX 8u               /* v1= entries read from one header */
#define T_DIGITS_MAX 19u        /* t= digits (int64) */

/* ---- payload and signature ---- */

static bool id_ok(const char *id)
{
	size_t n;

	if (!id)
		return false;
	n = strlen(id);
	if (n == 0 || n > WEB_WEBHOOK_ID_MAX)
		return false;
	return strspn(id, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		      "0123456789_-") == n;
}

/* "<request id>:<seq>", the Pintgw-Event-Id and the payload's event_id.
 * 0, EINVAL (a bad id) or EMSGSIZE. */
int web_webhook_event_id(char *buf, size_t size, const char *request_id,
			 uint64_t seq)
{
	int n;

	if (!buf || !id_ok(request_id))
		return EINVAL;
	n = snprintf(buf, size, "%s:%" PRIu64, request_id, seq);
	return n < 0 || (size_t)n >= size ? EMSGSIZE : 0;
}

/*
 * The JSON body of one event's webhook (web_resource_webhook()), its
 * event_id made from request_id and seq whatever w->event_id says. The
 * text is the caller's (free()); sign and send exactly these bytes.
 */
int web_webhook_payload(char **bodyp, size_t *lenp,
			const struct web_resource_webhook *w)
{
	char ev[WEB_WEBHOOK_EVENT_ID_SIZE];
	struct web_resource_webhook c;
	int err;

	if (!bodyp || !w)
		return EINVAL;
	*bodyp = NULL;
	err = web_webhook_event_id(ev, sizeof(ev), w->request_id, w->seq);
	if (err)
		return err;
	c = *w;
	c.event_id = ev;
	return web_resource_webhook(bodyp, lenp, &c);
}

/* HMAC-SHA256(key, t "." body) in lower-case hex. 0, EINVAL or ENOMEM
 * (OpenSSL could not set up the MAC). */
static int hmac_hex(char out[HEX_LEN + 1], const void *key, size_t klen,
		    const char *t, size_t tlen, const void *body, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	char digest[] = "SHA256";
	OSSL_PARAM params[2];
	unsigned char md[32];
	EVP_MAC_CTX *ctx = NULL;
	EVP_MAC *mac;
	size_t mdlen = 0, i;
	int ok;

	if (!key || klen == 0 || klen > WEB_WEBHOOK_SECRET_MAX ||
	    (!body && len))
		return EINVAL;
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
						     digest, 0);
	params[1] = OSSL_PARAM_construct_end();
	mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	if (mac)
		ctx = EVP_MAC_CTX_new(mac);
	ok = ctx && EVP_MAC_init(ctx, key, klen, params) &&
	     EVP_MAC_update(ctx, (const unsigned char *)t, tlen) &&
	     EVP_MAC_update(ctx, (const unsigned char *)".", 1) &&
	     (!len || EVP_MAC_update(ctx, body, len)) &&
	     EVP_MAC_final(ctx, md, &mdlen, sizeof(md)) && mdlen == sizeof(md);
	EVP_MAC_CTX_free(ctx);
	EVP_MAC_free(mac);
	if (!ok)
		return ENOMEM;
	for (i = 0; i < sizeof(md); i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 15];
	}
	out[HEX_LEN] = '\0';
	OPENSSL_cleanse(md, sizeof(md));
	return 0;
}

/*
 * The Pintgw-Signature value for body sent at Unix time t (seconds, >= 0):
 * "t=<t>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>", t in decimal
 * without leading zeros. 0, EINVAL, EMSGSIZE or ENOMEM.
 */
int web_webhook_sign(char *buf, size_t size, const void *secret,
		     size_t secret_len, int64_t t, const void *body,
		     size_t len)
{
	char ts[24], mac[HEX_LEN + 1];
	int n, err;

	if (!buf || t < 0)
		return EINVAL;
	n = snprintf(ts, sizeof(ts), "%" PRId64, t);
	err = hmac_hex(mac, secret, secret_len, ts, (size_t)n, body, len);
	if (err)
		return err;
	n = snprintf(buf, size, "t=%s,v1=%s", ts, mac);
	return n < 0 || (size_t)n >= size ? EMSGSIZE : 0;
}

static bool digits(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] < '0' || p[i] > '9')
			return false;
	return true;
}

static bool is_hex(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!((p[i] >= '0' && p[i] <= '9') ||
		      ((p[i] | 0x20) >= 'a' && (p[i] | 0x20) <= 'f')))
			return false;
	return true;
}

/*
 * Check a Pintgw-Signature header as a receiver would (the reference for
 * docs/webhooks.md): items "k=v" split by commas, spaces around them
 * ignored, unknown keys ignored, one t, one or more v1 (any may match).
 * The MAC covers t's text as sent. With tolerance_s > 0, |now - t| must
 * not exceed it. 0, EBADMSG (unparsable), ERANGE (t too old or too far
 * ahead), EACCES (no v1 matches), EINVAL, ENOMEM.
 */
int web_webhook_verify(const char *hdr, size_t hlen, const void *secret,
		       size_t secret_len, const void *body, size_t len,
		       int64_t now, uint32_t tolerance_s)
{
	const char *v1[V1_MAX], *t = NULL, *p, *end;
	char want[HEX_LEN + 1], got[HEX_LEN + 1];
	size_t nv = 0, tlen = 0, i, k;
	uint64_t tv = 0;
	int err, match = 0;

	if (!hdr || hlen > WEB_WEBHOOK_HEADER_MAX)
		return hdr ? EBADMSG : EINVAL;
	for (p = hdr, end = hdr + hlen; p < end; p++) {
		const char *e = memchr(p, ',', (size_t)(end - p));
		const char *q, *eq;
		size_t n;

		if (!e)
			e = end;
		while (p < e && (*p == ' ' || *p == '\t'))
			p++;
		q = e;
		while (q > p && (q[-1] == ' ' || q[-1] == '\t'))
			q--;
		eq = memchr(p, '=', (size_t)(q - p));
		if (eq) {
			n = (size_t)(q - eq - 1);
			if (eq - p == 1 && p[0] == 't') {
				if (t || n == 0 || n > T_DIGITS_MAX ||
				    !digits(eq + 1, n))
					return EBADMSG;
				t = eq + 1;
				tlen = n;
			} else if (eq - p == 2 && p[0] == 'v' && p[1] == '1') {
				if (n != HEX_LEN || !is_hex(eq + 1, n))
					return EBADMSG;
				if (nv < V1_MAX)
					v1[nv++] = eq + 1;
			}
		}
		p = e;
	}
	if (!t || nv == 0)
		return EBADMSG;
	for (i = 0; i < tlen; i++)
		tv = tv * 10 + (uint64_t)(t[i] - '0');   /* 19 digits fit */
	if (tv > INT64_MAX)
		return EBADMSG;
	/* |now - t| in unsigned arithmetic: no overflow at the extremes */
	if (tolerance_s && ((int64_t)tv >= now ?
			    (uint64_t)tv - (uint64_t)now :
			    (uint64_t)now - (uint64_t)tv) > tolerance_s)
		return ERANGE;
	err = hmac_hex(want, secret, secret_len, t, tlen, body, len);
	if (err)
		return err;
	for (i = 0; i < nv; i++) {
		for (k = 0; k < HEX_LEN; k++)
			got[k] = (char)(v1[i][k] | 0x20);       /* lower case */
		match |= !CRYPTO_memcmp(want, got, HEX_LEN);
	}
	OPENSSL_cleanse(want, sizeof(want));
	return match ? 0 : EACCES;
}

static bool text_ok(const char *s, size_t max)
{
	size_t i;

	for (i = 0; s[i]; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f || i == max)
			return false;
	return i > 0;
}

/*
 * The header lines of one POST at Unix time t: Content-Type, the
 * signature, Pintgw-Event-Id and User-Agent (NULL = WEB_WEBHOOK_UA).
 * 0, EINVAL (a control character or bad length), EMSGSIZE, ENOMEM.
 */
int web_webhook_headers(struct web_webhook_hdrs *hh, const char *user_agent,
			const char *event_id, const void *secret,
			size_t secret_len, int64_t t, const void *body,
			size_t len)
{
	char sig[WEB_WEBHOOK_SIG_SIZE];
	int err;

	if (!hh || !event_id || !text_ok(event_id, WEB_WEBHOOK_EVENT_ID_SIZE) ||
	    (user_agent && !text_ok(user_agent, WEB_WEBHOOK_UA_MAX)))
		return EINVAL;
	err = web_webhook_sign(sig, sizeof(sig), secret, secret_len, t, body,
			       len);
	if (err)
		return err;
	snprintf(hh->sig, sizeof(hh->sig), "Pintgw-Signature: %s", sig);
	snprintf(hh->event, sizeof(hh->event), "Pintgw-Event-Id: %s", event_id);
	snprintf(hh->ua, sizeof(hh->ua), "User-Agent: %s",
		 user_agent ? user_agent : WEB_WEBHOOK_UA);
	hh->v[0] = "Content-Type: " WEB_WEBHOOK_CT;
	hh->v[1] = hh->sig;
	hh->v[2] = hh->event;
	hh->v[3] = hh->ua;
	hh->v[4] = NULL;
	return 0;
}

/*
 * How long to wait after the attempt-th failed attempt (1 = the first):
 * "full jitter", rnd reduced to [0, min(max_delay, base * 2^(attempt-1))].
 * rnd is a uniform 64-bit random value from the caller.
 */
uint64_t web_webhook_delay_ms(const struct web_webhook_conf *conf,
			      unsigned attempt, uint64_t rnd)
{
	uint64_t cap = conf->base_ms;
	unsigned k;

	for (k = 1; k < attempt && cap < conf->max_delay_ms; k++)
		cap *= 2;
	if (cap > conf->max_delay_ms)
		cap = conf->max_delay_ms;
	return rnd % (cap + 1);
}
