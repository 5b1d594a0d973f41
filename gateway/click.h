/*
 * gateway/click.h — the tokens of the public click-to-call widget
 * (API.md, docs/api.md "Click-to-call"): signed click tokens and the view
 * tokens that let a page read the one request it made. A pure codec: no
 * I/O, no clock, no randomness; the caller hands in the time, the key's
 * secret (borrowed for the call) and, to mint, a fresh jti.
 *
 * A click token is "pc1." P "." S: P the base64url (no padding) of a
 * compact JSON object, S the base64url of HMAC-SHA256(secret, "pc1." P).
 *   {"k":"shop","svc":"call","from":"+15555550100","to":["+1555","+44"],
 *    "exp":1767225600,"max":3,"origin":["https://shop.example"],
 *    "jti":"<128 random bits, base64url>"}
 * "from", "to" ("+" = any destination) and "origin" are optional. A
 * struct gw_click is plain caller data with inline strings.
 */
#ifndef GW_CLICK_H
#define GW_CLICK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Hard limits */
#define GW_CLICK_TOKEN_MAX    2048u     /* bytes of a token's text */
#define GW_CLICK_NAME_MAX     64u       /* "k" and "svc" */
#define GW_CLICK_NUMBER_MAX   16u       /* "from": "+" and 15 digits */
#define GW_CLICK_PREFIX_MAX   16u       /* one "to" prefix */
#define GW_CLICK_TO_MAX       16u       /* "to" prefixes */
#define GW_CLICK_ORIGIN_MAX   255u      /* bytes of one origin */
#define GW_CLICK_ORIGINS_MAX  8u        /* "origin" entries */
#define GW_CLICK_USES_MAX     1000000u  /* "max" */
#define GW_CLICK_EXP_MAX      253402300799ll   /* 9999-12-31T23:59:59Z */
#define GW_CLICK_SECRET_MAX   1024u     /* bytes of a key's secret */
#define GW_CLICK_JTI_BYTES    16u
#define GW_CLICK_JTI_LEN      22u       /* base64url of 16 bytes */
#define GW_CLICK_VIEW_LEN     22u       /* a view token */
#define GW_CLICK_MAGIC        "pc1."

/* What a token grants. "" and counts of 0 mean the field is absent. */
struct gw_click {
	char key[GW_CLICK_NAME_MAX + 1];        /* "k": the [key NAME] */
	char service[GW_CLICK_NAME_MAX + 1];    /* "svc": an API service */
	char from[GW_CLICK_NUMBER_MAX + 1];     /* E.164; "" = the key's */
	char to[GW_CLICK_TO_MAX][GW_CLICK_PREFIX_MAX + 1];
	size_t nto;                             /* 0 = any destination */
	int64_t exp;                            /* Unix seconds */
	uint32_t max;                           /* uses; 0 = unlimited */
	char origin[GW_CLICK_ORIGINS_MAX][GW_CLICK_ORIGIN_MAX + 1];
	size_t norigin;                         /* 0 = any page */
	char jti[GW_CLICK_JTI_LEN + 1];
};

/* The secret of key name: 0 with *secretp (borrowed until the call
 * returns) and *lenp, or ENOENT (no such key, or it has no secret). */
typedef int (gw_click_secret_h)(const char *name, const uint8_t **secretp,
				size_t *lenp, void *arg);

/* Click tokens */
int gw_click_verify(struct gw_click *c, const char *p, size_t len,
		    int64_t now_s, gw_click_secret_h *h, void *arg);
int gw_click_mint(char *buf, size_t size, size_t *lenp,
		  const struct gw_click *c, const uint8_t *secret,
		  size_t secret_len);
int gw_click_check(const struct gw_click *c);
void gw_click_jti(char out[GW_CLICK_JTI_LEN + 1],
		  const uint8_t r[GW_CLICK_JTI_BYTES]);

/* What a verified token allows */
bool gw_click_to_ok(const struct gw_click *c, const char *e164);
bool gw_click_origin_ok(const struct gw_click *c, const char *origin);

/* View tokens */
int gw_click_view(char out[GW_CLICK_VIEW_LEN + 1], const char *id,
		  const uint8_t *secret, size_t secret_len);
bool gw_click_view_ok(const char *view, const char *id,
		      const uint8_t *secret, size_t secret_len);

#endif
