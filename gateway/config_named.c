/*
 * gateway/config_named.c — the keys of [gateway NAME], [service NAME] and
 * [key NAME]: setters and tables (see gateway/config_keys.c for the rest).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "gateway/config_int.h"
#include "pint/tel.h"

/* ---- [gateway NAME] ---------------------------------------------------- */

static int set_gw_address(struct gw_conf_parse *ps, void *obj,
			  const struct gw_conf_keydef *kd, const char *val)
{
	struct gw_conf_gateway *gw = obj;
	struct gw_conf_addr a = {0};
	int err;

	err = gw_conf_parse_addr(val, GW_ADDR_SIP, &a);
	if (err == EINVAL)
		return gw_conf_bad(ps, kd->name, val,
				   "udp:HOST[:PORT] or tcp:HOST[:PORT] (udp:192.0.2.1:5060, tcp:[2001:db8::1]:5060)");
	if (!err)
		err = gw_conf_put_str(obj, kd, val);
	if (err) {
		gw_conf_addr_clear(&a);
		return err;
	}
	gw_conf_addr_clear(&gw->peer);
	gw->peer = a;
	return 0;
}

static int set_domain(struct gw_conf_parse *ps, void *obj,
		      const struct gw_conf_keydef *kd, const char *val)
{
	if (!gw_conf_valid_hostport(val))
		return gw_conf_bad(ps, kd->name, val,
				   "HOST[:PORT] (pint.example.net, 192.0.2.1, [2001:db8::1]:5060)");
	return gw_conf_put_str(obj, kd, val);
}

static int set_tsp(struct gw_conf_parse *ps, void *obj,
		   const struct gw_conf_keydef *kd, const char *val)
{
	size_t len = strnlen(val, GW_CONF_MAX_STR + 1);
	bool v6 = false;

	/* a URI parameter value: no IPv6 literal (its colons) */
	if (!gw_conf_valid_hostname(val, len) &&
	    (!gw_conf_ip_literal(val, len, &v6) || v6))
		return gw_conf_bad(ps, kd->name, val,
				   "a provider host name (tsp.example.net)");
	return gw_conf_put_str(obj, kd, val);
}

static int set_status(struct gw_conf_parse *ps, void *obj,
		      const struct gw_conf_keydef *kd, const char *val)
{
	struct gw_conf_gateway *gw = obj;

	if (strcasecmp(val, "pint") == 0)
		gw->status = PINT_GWSET_STATUS_PINT;
	else if (strcasecmp(val, "dialog") == 0)
		gw->status = PINT_GWSET_STATUS_DIALOG;
	else if (strcasecmp(val, "none") == 0)
		gw->status = PINT_GWSET_STATUS_NONE;
	else
		return gw_conf_bad(ps, kd->name, val, "pint, dialog or none");
	return 0;
}

static int set_username(struct gw_conf_parse *ps, void *obj,
			const struct gw_conf_keydef *kd, const char *val)
{
	if (!gw_conf_valid_text(val, GW_CONF_MAX_STR, false) ||
	    strpbrk(val, "\"\\"))
		return gw_conf_bad(ps, kd->name, val,
				   "a user name without quotes or backslashes");
	return gw_conf_put_str(obj, kd, val);
}

static int set_password(struct gw_conf_parse *ps, void *obj,
			const struct gw_conf_keydef *kd, const char *val)
{
	if (!gw_conf_valid_text(val, GW_CONF_MAX_STR, true)) {
		/* never echo a password, not even a broken one */
		gw_conf_error(ps, ps->line,
			      "%s: expected at most %u characters without control characters",
			      kd->name, GW_CONF_MAX_STR);
		return EINVAL;
	}
	return gw_conf_put_str(obj, kd, val);
}

static int set_aor(struct gw_conf_parse *ps, void *obj,
		   const struct gw_conf_keydef *kd, const char *val)
{
	if (!gw_conf_valid_sip_uri(val))
		return gw_conf_bad(ps, kd->name, val,
				   "a sip: or sips: URI (sip:pintgw@pint.example.net)");
	return gw_conf_put_str(obj, kd, val);
}

static int add_allow_from(struct gw_conf_parse *ps, void *obj,
			  const struct gw_conf_keydef *kd, const char *item,
			  const char *expected)
{
	struct gw_conf_gateway *gw = obj;
	size_t len = strlen(item);
	const char *p = item;

	if (len >= 2 && item[0] == '[' && item[len - 1] == ']') {
		p++;
		len -= 2;
	}
	if (!gw_conf_ip_literal(p, len, NULL))
		return gw_conf_bad(ps, kd->name, item, expected);
	if (gw->nallow_from >= PINT_GWSET_MAX_ADDRS) {
		gw_conf_error(ps, ps->line, "%s: more than %u addresses",
			      kd->name, PINT_GWSET_MAX_ADDRS);
		return EINVAL;
	}
	gw->allow_from[gw->nallow_from] = malloc(len + 1);
	if (!gw->allow_from[gw->nallow_from])
		return ENOMEM;
	memcpy(gw->allow_from[gw->nallow_from], p, len);
	gw->allow_from[gw->nallow_from++][len] = '\0';
	return 0;
}

static int set_allow_from(struct gw_conf_parse *ps, void *obj,
			  const struct gw_conf_keydef *kd, const char *val)
{
	return gw_conf_each_item(ps, obj, kd, val,
				 "IP addresses (192.0.2.7 2001:db8::7)",
				 add_allow_from);
}

/*
 * subtype.TYPE = SUBTYPE: TYPE a text, audio, image or application MIME
 * type, kept in lower case (pint/service.c compares it so); SUBTYPE a
 * token. key is the whole key, "subtype." included.
 */
int gw_conf_spelling(struct gw_conf_parse *ps, struct gw_conf_gateway *gw,
		     const char *key, const char *val)
{
	static const char *const media[] = {"text/", "audio/", "image/",
					    "application/"};
	const char *type = key + strlen("subtype.");
	size_t i, tlen = strlen(type), vlen = strlen(val);
	char shown[GW_CONF_ERR_SIZE / 2];
	char *mem;
	bool known = false;

	gw_conf_show(key, shown, sizeof(shown));

	for (i = 0; i < sizeof(media) / sizeof(media[0]); i++)
		known |= strncasecmp(type, media[i], strlen(media[i])) == 0 &&
			 gw_conf_valid_token(type + strlen(media[i]),
					     PINT_SVC_MAX_TYPE);
	if (!known || tlen > PINT_SVC_MAX_TYPE) {
		gw_conf_error(ps, ps->line,
			      "%s: expected subtype.TYPE with a text/, audio/, image/ or application/ MIME type",
			      shown);
		return EINVAL;
	}
	if (!gw_conf_valid_token(val, 63))
		return gw_conf_bad(ps, shown, val, "a subtype token (tif)");
	for (i = 0; i < gw->nspellings; i++) {
		if (strcasecmp(gw->spellings[i].type, type) == 0) {
			gw_conf_error(ps, ps->line,
				      "duplicate key '%s' (first set at line %u)",
				      shown, ps->spell_line[i]);
			return EINVAL;
		}
	}
	if (gw->nspellings >= PINT_SVC_MAX_SPELLINGS) {
		gw_conf_error(ps, ps->line, "more than %u subtype spellings",
			      PINT_SVC_MAX_SPELLINGS);
		return EINVAL;
	}
	mem = malloc(tlen + 1 + vlen + 1);
	if (!mem)
		return ENOMEM;
	for (i = 0; i < tlen; i++)
		mem[i] = (type[i] >= 'A' && type[i] <= 'Z') ?
			 (char)(type[i] - 'A' + 'a') : type[i];
	mem[tlen] = '\0';
	memcpy(mem + tlen + 1, val, vlen + 1);
	gw->spell_mem[gw->nspellings] = mem;
	gw->spellings[gw->nspellings].type = mem;
	gw->spellings[gw->nspellings].subtype = mem + tlen + 1;
	ps->spell_line[gw->nspellings++] = ps->line;
	return 0;
}

/* ---- [service NAME] ---------------------------------------------------- */

static int set_uri_user(struct gw_conf_parse *ps, void *obj,
			const struct gw_conf_keydef *kd, const char *val)
{
	if (!gw_conf_valid_token(val, PINT_REQ_MAX_TOKEN))
		return gw_conf_bad(ps, kd->name, val,
				   "a SIP token (R2FB)");
	return gw_conf_put_str(obj, kd, val);
}

static int set_proto(struct gw_conf_parse *ps, void *obj,
		     const struct gw_conf_keydef *kd, const char *val)
{
	struct gw_conf_service *svc = obj;

	if (strcasecmp(val, "voice") == 0)
		svc->proto = PINT_SDP_PROTO_VOICE;
	else if (strcasecmp(val, "fax") == 0)
		svc->proto = PINT_SDP_PROTO_FAX;
	else if (strcasecmp(val, "pager") == 0)
		svc->proto = PINT_SDP_PROTO_PAGER;
	else
		return gw_conf_bad(ps, kd->name, val, "voice, fax or pager");
	return 0;
}

static int set_content(struct gw_conf_parse *ps, void *obj,
		       const struct gw_conf_keydef *kd, const char *val)
{
	struct gw_conf_service *svc = obj;

	if (strcasecmp(val, "none") == 0)
		svc->content = PINT_SVC_NO_CONTENT;
	else if (strcasecmp(val, "required") == 0)
		svc->content = PINT_SVC_NEEDS_CONTENT;
	else if (strcasecmp(val, "optional") == 0)
		svc->content = PINT_SVC_MAY_CONTENT;
	else
		return gw_conf_bad(ps, kd->name, val,
				   "none, required or optional");
	return 0;
}

/* ---- [key NAME] -------------------------------------------------------- */

static int set_hash(struct gw_conf_parse *ps, void *obj,
		    const struct gw_conf_keydef *kd, const char *val)
{
	struct gw_conf_key *key = obj;

	if (gw_conf_parse_hash(val, key->hash))
		return gw_conf_bad(ps, kd->name, val,
				   "sha256: and 64 hex digits (printf %s \"$TOKEN\" | sha256sum)");
	return 0;
}

static int add_scope(struct gw_conf_parse *ps, void *obj,
		     const struct gw_conf_keydef *kd, const char *item,
		     const char *expected)
{
	struct gw_conf_key *key = obj;
	unsigned bit = gw_conf_scope_bit(item);

	if (!bit)
		return gw_conf_bad(ps, kd->name, item, expected);
	key->scopes |= bit;
	return 0;
}

static int set_scopes(struct gw_conf_parse *ps, void *obj,
		      const struct gw_conf_keydef *kd, const char *val)
{
	struct gw_conf_key *key = obj;

	key->scopes = 0;
	return gw_conf_each_item(ps, obj, kd, val,
				 "some of call, fax, content, read, cancel",
				 add_scope);
}

/* The number itself is checked once the whole file (and so
 * default_context) is known: see gw_conf_check_from(). */
static int set_from(struct gw_conf_parse *ps, void *obj,
		    const struct gw_conf_keydef *kd, const char *val)
{
	if (!gw_conf_valid_text(val, PINT_TEL_MAX_INPUT, false))
		return gw_conf_bad(ps, kd->name, val,
				   "a telephone number (+1 555 555 0100)");
	return gw_conf_put_str(obj, kd, val);
}

int gw_conf_check_from(struct gw_conf_parse *ps, const struct gw_conf_key *key)
{
	struct pint_tel_error why;
	struct pint_tel tel;

	if (!key->from)
		return 0;
	if (pint_tel_parse(&tel, key->from, strlen(key->from),
			   ps->conf->main.default_context, "from", &why) == 0)
		return 0;
	gw_conf_error(ps, key->line, "[key %s] %s", key->name, why.msg);
	return EINVAL;
}

static int add_prefix(struct gw_conf_parse *ps, void *obj,
		      const struct gw_conf_keydef *kd, const char *item,
		      const char *expected)
{
	struct gw_conf_list *l = GW_CONF_FIELD(obj, kd, struct gw_conf_list);

	if (!gw_conf_valid_prefix(item))
		return gw_conf_bad(ps, kd->name, item, expected);
	if (l->n >= GW_CONF_MAX_LIST) {
		gw_conf_error(ps, ps->line, "%s: more than %u prefixes",
			      kd->name, GW_CONF_MAX_LIST);
		return EINVAL;
	}
	return gw_conf_list_add(l, item, strlen(item));
}

static int set_prefixes(struct gw_conf_parse *ps, void *obj,
			const struct gw_conf_keydef *kd, const char *val)
{
	return gw_conf_each_item(ps, obj, kd, val, "E.164 prefixes (+1 +44)",
				 add_prefix);
}

static int set_envname(struct gw_conf_parse *ps, void *obj,
		       const struct gw_conf_keydef *kd, const char *val)
{
	if (!gw_conf_valid_envname(val))
		return gw_conf_bad(ps, kd->name, val,
				   "an environment variable name (PINTGW_WEB_SECRET)");
	return gw_conf_put_str(obj, kd, val);
}

/* ---- the tables -------------------------------------------------------- */

const struct gw_conf_keydef gw_conf_gateway_keys[] = {
	GW_KEY_FN("address", struct gw_conf_gateway, address, set_gw_address,
	   GW_KD_REQUIRED),
	GW_KEY_FN("domain", struct gw_conf_gateway, domain, set_domain, 0),
	GW_KEY_FN("tsp", struct gw_conf_gateway, tsp, set_tsp, 0),
	GW_KEY_U32(struct gw_conf_gateway, priority, 0, 65535, NULL),
	GW_KEY_U32(struct gw_conf_gateway, keepalive, 0, 86400, "seconds"),
	GW_KEY_U32(struct gw_conf_gateway, down_after, 1, 100, NULL),
	GW_KEY_U32(struct gw_conf_gateway, rest_max, 1, 86400, "seconds"),
	GW_KEY_U32(struct gw_conf_gateway, rest_default, 1, 86400, "seconds"),
	GW_KEY_FN("status", struct gw_conf_gateway, status, set_status, 0),
	GW_KEY_BOOL(struct gw_conf_gateway, dialog_fallback),
	GW_KEY_U32(struct gw_conf_gateway, subscribe_expires, 1, 86400, "seconds"),
	GW_KEY_FN("username", struct gw_conf_gateway, username, set_username, 0),
	GW_KEY_FN("password", struct gw_conf_gateway, password, set_password, 0),
	GW_KEY_FN("register_aor", struct gw_conf_gateway, register_aor, set_aor, 0),
	GW_KEY_U32(struct gw_conf_gateway, register_expires, 60, 86400, "seconds"),
	GW_KEY_FN("allow_from", struct gw_conf_gateway, allow_from, set_allow_from,
	   GW_KD_REPEAT),
};

const struct gw_conf_keydef gw_conf_service_keys[] = {
	GW_KEY_FN("uri_user", struct gw_conf_service, uri_user, set_uri_user, 0),
	GW_KEY_FN("proto", struct gw_conf_service, proto, set_proto, GW_KD_REQUIRED),
	GW_KEY_FN("content", struct gw_conf_service, content, set_content,
	   GW_KD_REQUIRED),
	GW_KEY_BOOL(struct gw_conf_service, a_party),
};

const struct gw_conf_keydef gw_conf_key_keys[] = {
	GW_KEY_FN("hash", struct gw_conf_key, hash, set_hash, GW_KD_REQUIRED),
	GW_KEY_FN("scopes", struct gw_conf_key, scopes, set_scopes, 0),
	GW_KEY_U32(struct gw_conf_key, rate, 1, 100000, "requests per second"),
	GW_KEY_U32(struct gw_conf_key, burst, 1, 1000000, NULL),
	GW_KEY_U32(struct gw_conf_key, concurrency, 1, 1000000, NULL),
	GW_KEY_FN("from", struct gw_conf_key, from, set_from, 0),
	GW_KEY_FN("email", struct gw_conf_key, email, gw_conf_set_email, 0),
	GW_KEY_FN("allow", struct gw_conf_key, allow, set_prefixes, GW_KD_REPEAT),
	GW_KEY_FN("deny", struct gw_conf_key, deny, set_prefixes, GW_KD_REPEAT),
	GW_KEY_FN("secret_env", struct gw_conf_key, secret_env, set_envname, 0),
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

const size_t gw_conf_ngateway_keys = N(gw_conf_gateway_keys);
const size_t gw_conf_nservice_keys = N(gw_conf_service_keys);
const size_t gw_conf_nkey_keys = N(gw_conf_key_keys);

_Static_assert(N(gw_conf_gateway_keys) <= GW_CONF_SECT_KEYS, "seen[]");
_Static_assert(N(gw_conf_key_keys) <= GW_CONF_SECT_KEYS, "seen[]");
