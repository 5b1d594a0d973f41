/*
 * pint/sdp.c — PINT SDP model, names and the strict emitter.
 * The lenient parser is in pint/sdp_parse.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stddef.h>
#include <string.h>
#include <strings.h>

#include "pint/sdp.h"
#include "pint/sdp_int.h"

static const char *const mtype_names[] = {
	[PINT_SDP_MEDIA_AUDIO] = "audio",
	[PINT_SDP_MEDIA_TEXT] = "text",
	[PINT_SDP_MEDIA_IMAGE] = "image",
	[PINT_SDP_MEDIA_APPLICATION] = "application",
};

static const char *const proto_names[] = {
	[PINT_SDP_PROTO_VOICE] = "voice",
	[PINT_SDP_PROTO_FAX] = "fax",
	[PINT_SDP_PROTO_PAGER] = "pager",
};

/* Canonical spellings; received names match case-insensitively. */
static const char *const akey_names[] = {
	[PINT_SDP_A_REQUIRE] = "require",
	[PINT_SDP_A_PHONE_CONTEXT] = "phone-context",
	[PINT_SDP_A_CLIR] = "clir",
	[PINT_SDP_A_Q763_NATURE] = "Q763-nature",
	[PINT_SDP_A_Q763_PLAN] = "Q763-plan",
	[PINT_SDP_A_Q763_INN] = "Q763-INN",
	[PINT_SDP_A_LANG] = "lang",
	[PINT_SDP_A_FMTP] = "fmtp",
};

static const char *const res_names[] = {
	[PINT_SDP_RES_URI] = "uri",
	[PINT_SDP_RES_SPR] = "spr",
	[PINT_SDP_RES_OPR] = "opr",
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* RFC 4566 token-char. */
bool pint_sdp_tokchar(unsigned char c)
{
	return c == 0x21 || (c >= 0x23 && c <= 0x27) || c == 0x2a ||
	       c == 0x2b || c == 0x2d || c == 0x2e ||
	       (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) ||
	       (c >= 0x5e && c <= 0x7e);
}

/* The blanks the parser skips between fields and trims from values. */
bool pint_sdp_is_ws(unsigned char c)
{
	return c == ' ' || c == '\t';
}

static unsigned lookup(const char *const *names, size_t n,
		       const struct pint_pl *tok)
{
	unsigned i;

	for (i = 1; i < n; i++) {
		if (names[i] && pint_pl_caseeq(tok, names[i]))
			return i;
	}
	return 0;
}

/* The media type a token names (case-insensitive), OTHER if none. */
enum pint_sdp_mtype pint_sdp_mtype_of(const struct pint_pl *tok)
{
	return (enum pint_sdp_mtype)lookup(mtype_names, NELEM(mtype_names), tok);
}

/* Canonical token of a known media type, NULL for OTHER. */
const char *pint_sdp_mtype_name(enum pint_sdp_mtype type)
{
	return (size_t)type < NELEM(mtype_names) ? mtype_names[type] : NULL;
}

/* The proto a token names (case-insensitive), OTHER if none. */
enum pint_sdp_proto pint_sdp_proto_of(const struct pint_pl *tok)
{
	return (enum pint_sdp_proto)lookup(proto_names, NELEM(proto_names), tok);
}

/* Canonical token of a known proto, NULL for OTHER. */
const char *pint_sdp_proto_name(enum pint_sdp_proto proto)
{
	return (size_t)proto < NELEM(proto_names) ? proto_names[proto] : NULL;
}

/* The field an attribute name maps to (case-insensitive), OTHER if none. */
enum pint_sdp_akey pint_sdp_akey_of(const struct pint_pl *name)
{
	return (enum pint_sdp_akey)lookup(akey_names, NELEM(akey_names), name);
}

/* Canonical name of a known attribute, NULL for OTHER. */
const char *pint_sdp_akey_name(enum pint_sdp_akey key)
{
	return (size_t)key < NELEM(akey_names) ? akey_names[key] : NULL;
}

/* Tag of a resolution kind without the ':', NULL for NONE. */
const char *pint_sdp_res_name(enum pint_sdp_res_kind kind)
{
	return (size_t)kind < NELEM(res_names) ? res_names[kind] : NULL;
}

/*
 * The empty model: every field unset, no media. The media sections (most
 * of the struct) are cleared one by one as they are added.
 */
void pint_sdp_init(struct pint_sdp *sdp)
{
	memset(sdp, 0, offsetof(struct pint_sdp, media));
	sdp->nmedia = 0;
}

/* Append an empty media section; EMSGSIZE when PINT_SDP_MAX_MEDIA are used. */
int pint_sdp_media_add(struct pint_sdp *sdp, struct pint_sdp_media **mp)
{
	struct pint_sdp_media *m;

	if (sdp->nmedia >= PINT_SDP_MAX_MEDIA)
		return EMSGSIZE;
	m = &sdp->media[sdp->nmedia++];
	memset(m, 0, sizeof(*m));
	*mp = m;
	return 0;
}

static bool pl_same(const struct pint_pl *a, const struct pint_pl *b,
		    bool caseless)
{
	if (a->l != b->l)
		return false;
	if (a->l == 0)
		return true;
	return caseless ? strncasecmp(a->p, b->p, a->l) == 0 :
			  memcmp(a->p, b->p, a->l) == 0;
}

/*
 * True when two o= lines name the same service session: user and sess-id
 * byte-exact, nettype, addrtype and address case-insensitive; the version
 * is ignored (the gateway bumps it when it updates the description).
 */
bool pint_sdp_origin_eq(const struct pint_sdp_origin *a,
			const struct pint_sdp_origin *b)
{
	return pl_same(&a->user, &b->user, false) &&
	       pl_same(&a->sess_id, &b->sess_id, false) &&
	       pl_same(&a->nettype, &b->nettype, true) &&
	       pl_same(&a->addrtype, &b->addrtype, true) &&
	       pl_same(&a->addr, &b->addr, true);
}

/* Unix seconds to NTP seconds; 0 stays 0, ERANGE past UINT64_MAX. */
int pint_sdp_ntp_from_unix(uint64_t *ntpp, uint64_t unix_s)
{
	if (unix_s == 0) {
		*ntpp = 0;
		return 0;
	}
	if (unix_s > UINT64_MAX - PINT_SDP_NTP_OFFSET)
		return ERANGE;
	*ntpp = unix_s + PINT_SDP_NTP_OFFSET;
	return 0;
}

/*
 * NTP seconds to Unix seconds; 0 stays 0. ERANGE up to and including the
 * Unix epoch, which would otherwise read as "unset".
 */
int pint_sdp_unix_from_ntp(uint64_t *unixp, uint64_t ntp)
{
	if (ntp == 0) {
		*unixp = 0;
		return 0;
	}
	if (ntp <= PINT_SDP_NTP_OFFSET)
		return ERANGE;
	*unixp = ntp - PINT_SDP_NTP_OFFSET;
	return 0;
}

/* ---- validation ---- */

static bool ok_token(const struct pint_pl *pl)
{
	size_t i;

	if (!pl->p || pl->l == 0)
		return false;
	for (i = 0; i < pl->l; i++) {
		if (!pint_sdp_tokchar((unsigned char)pl->p[i]))
			return false;
	}
	return true;
}

/* RFC 4566 non-ws-string: visible ASCII or any byte above 0x7f. */
static bool ok_nws(const struct pint_pl *pl, bool may_be_empty)
{
	size_t i;

	if (!pl->p || (pl->l == 0 && !may_be_empty))
		return false;
	for (i = 0; i < pl->l; i++) {
		unsigned char c = (unsigned char)pl->p[i];

		if (c <= 0x20 || c == 0x7f)
			return false;
	}
	return true;
}

/* Free text: no NUL, CR or LF, and no blank at either end (see parser). */
static bool ok_text(const struct pint_pl *pl, bool may_be_empty)
{
	size_t i;

	if (!pl->p || (pl->l == 0 && !may_be_empty))
		return false;
	if (pl->l == 0)
		return true;
	if (pint_sdp_is_ws((unsigned char)pl->p[0]) ||
	    pint_sdp_is_ws((unsigned char)pl->p[pl->l - 1]))
		return false;
	for (i = 0; i < pl->l; i++) {
		if (pl->p[i] == '\0' || pl->p[i] == '\r' || pl->p[i] == '\n')
			return false;
	}
	return true;
}

static bool ok_digits(const struct pint_pl *pl)
{
	size_t i;

	if (!pl->p || pl->l == 0)
		return false;
	for (i = 0; i < pl->l; i++) {
		if (pl->p[i] < '0' || pl->p[i] > '9')
			return false;
	}
	return true;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/*
 * RFC 2848 INPAddr / LDPAddr: "+" non-zero digit, or a digit, then digits
 * where each '-' is followed by a digit.
 */
static bool ok_number(const struct pint_pl *pl)
{
	size_t i = 0;

	if (!pl->p || pl->l == 0)
		return false;
	if (pl->p[0] == '+') {
		if (pl->l < 2 || pl->p[1] < '1' || pl->p[1] > '9')
			return false;
		i = 1;
	} else if (!is_digit(pl->p[0])) {
		return false;
	}
	for (; i < pl->l; i++) {
		if (is_digit(pl->p[i]))
			continue;
		if (pl->p[i] == '-' && i + 1 < pl->l && is_digit(pl->p[i + 1]))
			continue;
		return false;
	}
	return true;
}

/* §3.4.3.1: a network prefix ("+44", "97252") or a private name. */
static bool ok_phone_context(const struct pint_pl *pl)
{
	if (!ok_nws(pl, false))
		return false;
	if (pl->p[0] == '+' || is_digit(pl->p[0]))
		return ok_number(pl);
	return true;
}

static bool ok_conn(const struct pint_sdp_conn *c)
{
	if (!ok_token(&c->nettype) || !ok_token(&c->addrtype) ||
	    !ok_nws(&c->addr, false))
		return false;
	if (!pint_pl_caseeq(&c->nettype, "TN"))
		return true;
	if (pint_pl_caseeq(&c->addrtype, "RFC2543"))
		return ok_number(&c->addr);
	/* §3.4.1: private address types MUST start with "X-". */
	return c->addrtype.l > 2 && strncasecmp(c->addrtype.p, "X-", 2) == 0;
}

/* §3.4.2: treatments that make no sense for a source of that type. */
static bool ok_combo(enum pint_sdp_mtype type, enum pint_sdp_proto proto)
{
	switch (type) {
	case PINT_SDP_MEDIA_AUDIO:
		return proto != PINT_SDP_PROTO_FAX && proto != PINT_SDP_PROTO_PAGER;
	case PINT_SDP_MEDIA_IMAGE:
		return proto != PINT_SDP_PROTO_VOICE && proto != PINT_SDP_PROTO_PAGER;
	default:
		return true;
	}
}

/* ---- output ---- */

struct enc {
	struct pint_mbuf *mb;
	size_t start;       /* mb->len before the body */
	size_t line;        /* mb->len at the start of the current line */
};

static int put(struct enc *e, const char *p, size_t l)
{
	if (l > PINT_SDP_MAX_LINE - (e->mb->len - e->line) ||
	    l > PINT_SDP_MAX_BODY - (e->mb->len - e->start))
		return EMSGSIZE;
	return pint_mbuf_append(e->mb, p, l);
}

static int put_s(struct enc *e, const char *s)
{
	return put(e, s, strlen(s));
}

static int put_pl(struct enc *e, const struct pint_pl *pl)
{
	return put(e, pl->p, pl->l);
}

static int put_u64(struct enc *e, unsigned long long v)
{
	char b[24];

	return put(e, b, (size_t)snprintf(b, sizeof(b), "%llu", v));
}

static int begin(struct enc *e, const char *prefix)
{
	e->line = e->mb->len;
	return put_s(e, prefix);
}

static int end(struct enc *e)
{
	if (2 > PINT_SDP_MAX_BODY - (e->mb->len - e->start))
		return EMSGSIZE;
	return pint_mbuf_append(e->mb, "\r\n", 2);
}

/* "<prefix><text>\r\n" for a set text field; nothing when unset. */
static int text_line(struct enc *e, const char *prefix,
		     const struct pint_pl *pl)
{
	int err;

	if (!pl->p)
		return 0;
	if (!ok_text(pl, false))
		return EINVAL;
	err = begin(e, prefix);
	if (!err)
		err = put_pl(e, pl);
	if (!err)
		err = end(e);
	return err;
}

static int enc_origin(struct enc *e, const struct pint_sdp_origin *o)
{
	const struct pint_pl *f[] = {&o->user, &o->sess_id, &o->sess_version,
				     &o->nettype, &o->addrtype, &o->addr};
	size_t i;
	int err;

	if (!ok_nws(&o->user, false) || !ok_digits(&o->sess_id) ||
	    !ok_digits(&o->sess_version) || !ok_token(&o->nettype) ||
	    !ok_token(&o->addrtype) || !ok_nws(&o->addr, false))
		return EINVAL;

	err = begin(e, "o=");
	for (i = 0; i < NELEM(f) && !err; i++) {
		if (i)
			err = put_s(e, " ");
		if (!err)
			err = put_pl(e, f[i]);
	}
	if (!err)
		err = end(e);
	return err;
}

static int enc_conn(struct enc *e, const struct pint_sdp_conn *c)
{
	int err;

	if (!c->nettype.p)
		return 0;
	if (!ok_conn(c))
		return EINVAL;
	err = begin(e, "c=");
	if (!err)
		err = put_pl(e, &c->nettype);
	if (!err)
		err = put_s(e, " ");
	if (!err)
		err = put_pl(e, &c->addrtype);
	if (!err)
		err = put_s(e, " ");
	if (!err)
		err = put_pl(e, &c->addr);
	if (!err)
		err = end(e);
	return err;
}

/* "a=<name>:<value>\r\n" with a canonical name and a checked value. */
static int attr_line(struct enc *e, enum pint_sdp_akey key,
		     const struct pint_pl *value)
{
	int err;

	err = begin(e, "a=");
	if (!err)
		err = put_s(e, pint_sdp_akey_name(key));
	if (!err)
		err = put_s(e, ":");
	if (!err)
		err = put_pl(e, value);
	if (!err)
		err = end(e);
	return err;
}

static int num_line(struct enc *e, enum pint_sdp_akey key,
		    const struct pint_sdp_num *n, unsigned lo, unsigned hi)
{
	char b[16];
	struct pint_pl v;

	if (!n->set)
		return 0;
	if (n->val < lo || n->val > hi)
		return EINVAL;
	v.p = b;
	v.l = (size_t)snprintf(b, sizeof(b), "%u", n->val);
	return attr_line(e, key, &v);
}

static int enc_require(struct enc *e, const struct pint_sdp_attrs *a)
{
	size_t i;
	int err;

	if (a->nrequire == 0)
		return 0;
	err = begin(e, "a=require:");
	for (i = 0; i < a->nrequire && !err; i++) {
		if (!ok_token(&a->require[i]))
			return EINVAL;
		if (i)
			err = put_s(e, ",");
		if (!err)
			err = put_pl(e, &a->require[i]);
	}
	if (!err)
		err = end(e);
	return err;
}

static int enc_other(struct enc *e, const struct pint_sdp_attr *at)
{
	int err;

	/* Known names have fields: a copy here would dodge their rules. */
	if (!ok_token(&at->name) || pint_sdp_akey_of(&at->name) != PINT_SDP_A_OTHER)
		return EINVAL;
	if (at->value.p && !ok_text(&at->value, true))
		return EINVAL;
	err = begin(e, "a=");
	if (!err)
		err = put_pl(e, &at->name);
	if (!err && at->value.p)
		err = put_s(e, ":");
	if (!err && at->value.p)
		err = put_pl(e, &at->value);
	if (!err)
		err = end(e);
	return err;
}

static int enc_attrs(struct enc *e, const struct pint_sdp_attrs *a)
{
	struct pint_pl clir;
	size_t i;
	int err;

	if (a->nrequire > PINT_SDP_MAX_REQUIRE || a->nother > PINT_SDP_MAX_ATTR)
		return EMSGSIZE;

	err = enc_require(e, a);
	if (err)
		return err;
	if (a->phone_context.p) {
		if (!ok_phone_context(&a->phone_context))
			return EINVAL;
		err = attr_line(e, PINT_SDP_A_PHONE_CONTEXT, &a->phone_context);
		if (err)
			return err;
	}
	switch (a->clir) {
	case PINT_SDP_CLIR_UNSET:
		break;
	case PINT_SDP_CLIR_TRUE:
	case PINT_SDP_CLIR_FALSE:
		clir = pint_pl_str(a->clir == PINT_SDP_CLIR_TRUE ? "true" : "false");
		err = attr_line(e, PINT_SDP_A_CLIR, &clir);
		if (err)
			return err;
		break;
	default:
		return EINVAL;
	}
	err = num_line(e, PINT_SDP_A_Q763_NATURE, &a->q763_nature, 1, 4);
	if (!err)
		err = num_line(e, PINT_SDP_A_Q763_PLAN, &a->q763_plan, 1, 7);
	if (!err)
		err = num_line(e, PINT_SDP_A_Q763_INN, &a->q763_inn, 0, 1);
	if (err)
		return err;
	if (a->lang.p) {
		if (!ok_token(&a->lang))
			return EINVAL;
		err = attr_line(e, PINT_SDP_A_LANG, &a->lang);
		if (err)
			return err;
	}
	for (i = 0; i < a->nother && !err; i++)
		err = enc_other(e, &a->other[i]);
	return err;
}

static int enc_fmtp(struct enc *e, const struct pint_pl *fmt,
		    const struct pint_sdp_fmtp *f)
{
	size_t i;
	int err;

	err = begin(e, "a=fmtp:");
	if (!err)
		err = put_pl(e, fmt);
	for (i = 0; i < f->nres && !err; i++) {
		const struct pint_sdp_res *r = &f->res[i];
		const char *tag = pint_sdp_res_name(r->kind);

		if (!tag || !ok_nws(&r->value, r->kind == PINT_SDP_RES_OPR))
			return EINVAL;
		/* Content-IDs go bare (digest §3); brackets would be doubled. */
		if (r->kind == PINT_SDP_RES_SPR &&
		    (memchr(r->value.p, '<', r->value.l) ||
		     memchr(r->value.p, '>', r->value.l)))
			return EINVAL;
		err = put_s(e, " ");
		if (!err)
			err = put_s(e, tag);
		if (!err)
			err = put_s(e, ":");
		if (!err)
			err = put_pl(e, &r->value);
	}
	if (!err && f->params.p) {
		if (f->params.l == 0 || f->params.p[0] != ';' ||
		    !ok_text(&f->params, false))
			return EINVAL;
		err = put_s(e, " ");
		if (!err)
			err = put_pl(e, &f->params);
	}
	if (!err)
		err = end(e);
	return err;
}

/* The m= line's fmt list and the fmtp each fmt needs. */
static int check_fmts(const struct pint_sdp_media *m)
{
	bool pint = m->proto != PINT_SDP_PROTO_OTHER;
	size_t i, j;

	if (m->nfmt == 0)
		return EINVAL;
	if (m->nfmt > PINT_SDP_MAX_FMT)
		return EMSGSIZE;
	for (i = 0; i < m->nfmt; i++) {
		const struct pint_sdp_fmtp *f = &m->fmtp[i];
		bool dash = pint_pl_eq(&m->fmt[i], "-");

		if (!ok_token(&m->fmt[i]) || (dash && m->nfmt != 1))
			return EINVAL;
		for (j = 0; j < i; j++) {
			if (pl_same(&m->fmt[i], &m->fmt[j], true))
				return EINVAL;
		}
		if (f->nres > PINT_SDP_MAX_RES)
			return EMSGSIZE;
		/* §3.4.2.1: every subtype has its fmtp, "-" has none. */
		if ((dash && (f->nres || f->params.p)) ||
		    (!dash && pint && f->nres == 0) ||
		    (f->nres == 0 && f->params.p))
			return EINVAL;
	}
	return 0;
}

static int enc_media(struct enc *e, const struct pint_sdp_media *m)
{
	const char *mname = pint_sdp_mtype_name(m->type);
	const char *pname = pint_sdp_proto_name(m->proto);
	size_t i;
	int err;

	if ((unsigned)m->type > PINT_SDP_MEDIA_APPLICATION ||
	    (unsigned)m->proto > PINT_SDP_PROTO_PAGER)
		return EINVAL;
	/* An OTHER spelling a known name would decode as the known one. */
	if (!mname && (!ok_token(&m->media) ||
		       pint_sdp_mtype_of(&m->media) != PINT_SDP_MEDIA_OTHER))
		return EINVAL;
	if (!pname && (!ok_token(&m->proto_name) ||
		       pint_sdp_proto_of(&m->proto_name) != PINT_SDP_PROTO_OTHER))
		return EINVAL;
	if (m->port > 65535 || !ok_combo(m->type, m->proto))
		return EINVAL;
	err = check_fmts(m);
	if (err)
		return err;

	err = begin(e, "m=");
	if (!err)
		err = mname ? put_s(e, mname) : put_pl(e, &m->media);
	if (!err)
		err = put_s(e, " ");
	if (!err)
		err = put_u64(e, m->port);
	if (!err)
		err = put_s(e, " ");
	if (!err)
		err = pname ? put_s(e, pname) : put_pl(e, &m->proto_name);
	for (i = 0; i < m->nfmt && !err; i++) {
		err = put_s(e, " ");
		if (!err)
			err = put_pl(e, &m->fmt[i]);
	}
	if (!err)
		err = end(e);
	if (!err)
		err = text_line(e, "i=", &m->info);
	if (!err)
		err = enc_conn(e, &m->conn);
	if (!err)
		err = enc_attrs(e, &m->attrs);
	for (i = 0; i < m->nfmt && !err; i++) {
		if (m->fmtp[i].nres)
			err = enc_fmtp(e, &m->fmt[i], &m->fmtp[i]);
	}
	return err;
}

static int enc_session(struct enc *e, const struct pint_sdp *sdp)
{
	size_t i;
	int err;

	if (sdp->nemail > PINT_SDP_MAX_EMAIL || sdp->nmedia > PINT_SDP_MAX_MEDIA)
		return EMSGSIZE;
	/* RFC 2327 wants an e= or p=; strict old parsers still check. */
	if (sdp->nemail == 0 || !sdp->name.p)
		return EINVAL;
	/* c= at session level, or in every media section (RFC 4566 §5.7). */
	if (!sdp->conn.nettype.p) {
		if (sdp->nmedia == 0)
			return EINVAL;
		for (i = 0; i < sdp->nmedia; i++) {
			if (!sdp->media[i].conn.nettype.p)
				return EINVAL;
		}
	}

	err = begin(e, "v=0");
	if (!err)
		err = end(e);
	if (!err)
		err = enc_origin(e, &sdp->origin);
	if (!err)
		err = text_line(e, "s=", &sdp->name);
	if (!err)
		err = text_line(e, "i=", &sdp->info);
	for (i = 0; i < sdp->nemail && !err; i++) {
		if (!sdp->email[i].p)
			return EINVAL;
		err = text_line(e, "e=", &sdp->email[i]);
	}
	if (!err)
		err = enc_conn(e, &sdp->conn);
	if (!err)
		err = begin(e, "t=");
	if (!err)
		err = put_u64(e, sdp->start);
	if (!err)
		err = put_s(e, " ");
	if (!err)
		err = put_u64(e, sdp->stop);
	if (!err)
		err = end(e);
	if (!err)
		err = enc_attrs(e, &sdp->attrs);
	return err;
}

/*
 * Append the strict wire form of sdp to mb: RFC 4566 line order, CRLF after
 * every line, no blanks around '=', one a=fmtp per subtype. EINVAL for a
 * model PINT or SDP does not allow (missing o=/s=/e=/c=, CR/LF/NUL in a
 * value, blanks in a token, a bad number or combination), EMSGSIZE past a
 * PINT_SDP_MAX_* limit or mb's own, ENOMEM. On error mb is as it was.
 */
int pint_sdp_encode(struct pint_mbuf *mb, const struct pint_sdp *sdp)
{
	struct enc e = {mb, mb->len, mb->len};
	bool had_buf = mb->buf != NULL;
	size_t i;
	int err;

	err = enc_session(&e, sdp);
	for (i = 0; i < sdp->nmedia && !err; i++)
		err = enc_media(&e, &sdp->media[i]);
	if (err && !had_buf) {
		pint_mbuf_reset(mb);
	} else if (err) {
		mb->len = e.start;
		mb->buf[mb->len] = '\0';
	}
	return err;
}
