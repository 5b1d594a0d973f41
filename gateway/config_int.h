/*
 * gateway/config_int.h — private to gateway/config*.c: config.c (file,
 * lines, sections, whole-file checks), config_keys.c and config_named.c
 * (key tables, setters, defaults), config_syntax.c (single values),
 * config_use.c (free, lookup, hand-over). The parse state borrows conf
 * and errs.
 */
#ifndef GW_CONFIG_INT_H
#define GW_CONFIG_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gateway/config.h"

enum gw_conf_sect {
	GW_SECT_NONE = 0,       /* before the first header */
	GW_SECT_MAIN,
	GW_SECT_HTTP,
	GW_SECT_SIP,
	GW_SECT_STORE,
	GW_SECT_WEBHOOKS,
	GW_SECT_FETCH,
	GW_SECT_POLICY,
	GW_SECT_CLICK,
	GW_SECT_GATEWAY,
	GW_SECT_SERVICE,
	GW_SECT_KEY,
	GW_SECT_SKIP,           /* a header in error: its keys are ignored */
};

#define GW_CONF_SECT_KEYS 24    /* most keys in one section's table */

struct gw_conf_parse {
	struct gw_conf *conf;
	struct gw_conf_errs *errs;
	const char *name;       /* file name in messages */
	unsigned line;          /* line being read, 1-based */
	int err;                /* ENOMEM: stop and fail */
	enum gw_conf_sect sect;
	size_t idx;             /* gateways/services/keys index */
	unsigned sect_line;
	unsigned seen[GW_CONF_SECT_KEYS];       /* line a key was set on */
	unsigned spell_line[PINT_SVC_MAX_SPELLINGS];
	unsigned once_line[GW_SECT_CLICK + 1];  /* [pintgw] … [click] */
	unsigned listen_line;   /* [sip] listen, for the contact_host rule */
	bool sip_listen_set;    /* the default list has been replaced */
	bool contact_seen;      /* [sip] contact_host, even a bad one */
};

struct gw_conf_keydef;

/* Set one key: 0, EINVAL (reported already) or ENOMEM. */
typedef int (gw_conf_set_h)(struct gw_conf_parse *ps, void *obj,
			    const struct gw_conf_keydef *kd, const char *val);

enum gw_conf_kind {
	GW_KD_BOOL,             /* bool at off */
	GW_KD_U32,              /* uint32_t at off, min..max */
	GW_KD_FN,               /* set() */
};

#define GW_KD_REQUIRED 0x1u
#define GW_KD_REPEAT   0x2u     /* list: a repeated key appends */

struct gw_conf_keydef {
	const char *name;
	enum gw_conf_kind kind;
	size_t off;
	uint32_t min, max;
	const char *unit;       /* "seconds" … in messages, or NULL */
	gw_conf_set_h *set;
	unsigned flags;
};

/* Table entries: a number in lo..hi, a boolean, a setter. */
#define GW_KEY_U32(st, f, lo, hi, unit) \
	{#f, GW_KD_U32, offsetof(st, f), lo, hi, unit, NULL, 0}
#define GW_KEY_BOOL(st, f) \
	{#f, GW_KD_BOOL, offsetof(st, f), 0, 0, NULL, NULL, 0}
#define GW_KEY_FN(name, st, f, fn, flags) \
	{name, GW_KD_FN, offsetof(st, f), 0, 0, NULL, fn, flags}

/* config.c */
void gw_conf_error(struct gw_conf_parse *ps, unsigned line,
		   const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int gw_conf_bad(struct gw_conf_parse *ps, const char *key, const char *val,
		const char *expected);

/* config_syntax.c: pure checks of single values */
#define GW_ADDR_SIP       0x1u  /* "udp:" or "tcp:" first */
#define GW_ADDR_NUMERIC   0x2u  /* IP literal only */
#define GW_ADDR_NEED_PORT 0x4u
#define GW_ADDR_PORT_ZERO 0x8u  /* port 0 (any free one) allowed */
int gw_conf_parse_addr(const char *s, unsigned flags, struct gw_conf_addr *out);
bool gw_conf_ip_literal(const char *s, size_t len, bool *v6p);
bool gw_conf_valid_hostname(const char *p, size_t len);
bool gw_conf_valid_hostport(const char *s);
bool gw_conf_valid_origin(const char *s);
bool gw_conf_valid_token(const char *s, size_t max);
bool gw_conf_valid_text(const char *s, size_t max, bool empty_ok);
bool gw_conf_valid_sip_uri(const char *s);
bool gw_conf_valid_prefix(const char *s);
bool gw_conf_valid_envname(const char *s);
bool gw_conf_valid_name(const char *s);
int gw_conf_parse_bool(const char *s, bool *bp);
int gw_conf_parse_hash(const char *s, uint8_t out[GW_CONF_HASH_LEN]);
void gw_conf_show(const char *val, char *buf, size_t size);

/* config_keys.c */
const struct gw_conf_keydef *gw_conf_keydefs(enum gw_conf_sect sect,
					     size_t *np);
int gw_conf_set(struct gw_conf_parse *ps, void *obj,
		const struct gw_conf_keydef *kd, const char *val);
int gw_conf_defaults(struct gw_conf *conf);
void gw_conf_gateway_init(struct gw_conf_gateway *gw);
void gw_conf_key_init(struct gw_conf_key *key);
void gw_conf_addr_clear(struct gw_conf_addr *a);
void gw_conf_list_clear(struct gw_conf_list *l);
int gw_conf_strdup(char **dstp, const char *s);

/* Setter helpers (config_keys.c) */
#define GW_CONF_FIELD(obj, kd, type) \
	((type *)(void *)((char *)(obj) + (kd)->off))
typedef int (gw_conf_item_h)(struct gw_conf_parse *ps, void *obj,
			     const struct gw_conf_keydef *kd, const char *item,
			     const char *expected);
int gw_conf_put_str(void *obj, const struct gw_conf_keydef *kd,
		    const char *val);
int gw_conf_list_add(struct gw_conf_list *l, const char *p, size_t len);
int gw_conf_each_item(struct gw_conf_parse *ps, void *obj,
		      const struct gw_conf_keydef *kd, const char *val,
		      const char *expected, gw_conf_item_h *fn);
int gw_conf_set_email(struct gw_conf_parse *ps, void *obj,
		      const struct gw_conf_keydef *kd, const char *val);

/* config_named.c */
int gw_conf_spelling(struct gw_conf_parse *ps, struct gw_conf_gateway *gw,
		     const char *key, const char *val);
int gw_conf_check_from(struct gw_conf_parse *ps, const struct gw_conf_key *key);
extern const struct gw_conf_keydef gw_conf_gateway_keys[];
extern const size_t gw_conf_ngateway_keys;
extern const struct gw_conf_keydef gw_conf_service_keys[];
extern const size_t gw_conf_nservice_keys;
extern const struct gw_conf_keydef gw_conf_key_keys[];
extern const size_t gw_conf_nkey_keys;

/* config_policy.c: [policy] */
extern const struct gw_conf_keydef gw_conf_policy_keys[];
extern const size_t gw_conf_npolicy_keys;
int gw_conf_policy_defaults(struct gw_conf_policy *p);
void gw_conf_policy_clear(struct gw_conf_policy *p);
int gw_conf_parse_quiet(const char *s, uint16_t *startp, uint16_t *endp);
int gw_conf_parse_tz(const char *s, struct gw_conf_tz *out);

#endif
