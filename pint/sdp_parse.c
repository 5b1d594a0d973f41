/*
 * pint/sdp_parse.c — the lenient PINT SDP parser.
 *
 * Lenient where RFC 2848's own examples need it (blanks after '=', LF or
 * CR line ends, no final line end, Content-IDs in <>, lines slightly out
 * of order, unknown lines and attributes); strict on what identifies and
 * schedules a service (v=0 first, o=, t=, c=, numbers, limits).
 */
#include <errno.h>
#include <string.h>
#include <strings.h>

#include "pint/sdp.h"
#include "pint/sdp_int.h"

struct dec {
	struct pint_sdp *sdp;
	struct pint_sdp_media *m;   /* current m= section, NULL before the first */
	bool v;                     /* v= seen */
	bool t;                     /* t= seen */
};

/* Blank-separated fields; returns how many there are, stores max of them. */
static size_t split(struct pint_pl v, struct pint_pl *f, size_t max)
{
	size_t n = 0, i = 0;

	while (i < v.l) {
		size_t s;

		while (i < v.l && pint_sdp_is_ws((unsigned char)v.p[i]))
			i++;
		if (i == v.l)
			break;
		s = i;
		while (i < v.l && !pint_sdp_is_ws((unsigned char)v.p[i]))
			i++;
		if (n < max) {
			f[n].p = v.p + s;
			f[n].l = i - s;
		}
		n++;
	}
	return n;
}

static bool is_token(const struct pint_pl *pl)
{
	size_t i;

	if (pl->l == 0)
		return false;
	for (i = 0; i < pl->l; i++) {
		if (!pint_sdp_tokchar((unsigned char)pl->p[i]))
			return false;
	}
	return true;
}

static bool has_ws(const struct pint_pl *pl)
{
	size_t i;

	for (i = 0; i < pl->l; i++) {
		if (pint_sdp_is_ws((unsigned char)pl->p[i]))
			return true;
	}
	return false;
}

static struct pint_pl sub(const char *p, size_t l)
{
	struct pint_pl pl = {p, l};

	return pint_pl_trim(pl);
}

static int dec_origin(struct dec *d, struct pint_pl val)
{
	struct pint_sdp_origin *o = &d->sdp->origin;
	struct pint_pl f[6];

	if (o->user.p || split(val, f, 6) != 6)
		return EBADMSG;
	o->user = f[0];
	o->sess_id = f[1];
	o->sess_version = f[2];
	o->nettype = f[3];
	o->addrtype = f[4];
	o->addr = f[5];
	return 0;
}

static int dec_conn(struct pint_sdp_conn *c, struct pint_pl val)
{
	struct pint_pl f[3];

	if (c->nettype.p || split(val, f, 3) != 3)
		return EBADMSG;
	c->nettype = f[0];
	c->addrtype = f[1];
	c->addr = f[2];
	return 0;
}

static int dec_time(struct dec *d, struct pint_pl val)
{
	unsigned long long start, stop;
	struct pint_pl f[2];

	if (d->t || split(val, f, 2) != 2 ||
	    pint_pl_u64(&f[0], UINT64_MAX, &start) ||
	    pint_pl_u64(&f[1], UINT64_MAX, &stop))
		return EBADMSG;
	d->sdp->start = start;
	d->sdp->stop = stop;
	d->t = true;
	return 0;
}

static int dec_media(struct dec *d, struct pint_pl val)
{
	struct pint_pl f[3 + PINT_SDP_MAX_FMT];
	struct pint_sdp_media *m;
	unsigned long long port;
	size_t n, i;

	n = split(val, f, 3 + PINT_SDP_MAX_FMT);
	if (n < 4)
		return EBADMSG;
	if (n > 3 + PINT_SDP_MAX_FMT || d->sdp->nmedia >= PINT_SDP_MAX_MEDIA)
		return EMSGSIZE;
	/* "1/2" port counts have no PINT meaning (§3.4.2). */
	if (pint_pl_u64(&f[1], 65535, &port))
		return EBADMSG;

	m = &d->sdp->media[d->sdp->nmedia++];
	memset(m, 0, sizeof(*m));
	m->media = f[0];
	m->type = pint_sdp_mtype_of(&f[0]);
	m->port = (unsigned)port;
	m->proto_name = f[2];
	m->proto = pint_sdp_proto_of(&f[2]);
	for (i = 3; i < n; i++)
		m->fmt[m->nfmt++] = f[i];
	d->m = m;
	return 0;
}

static int dec_require(struct pint_sdp_attrs *a, struct pint_pl val)
{
	const char *p, *end;

	if (!val.p)
		return EBADMSG;
	p = val.p;
	end = val.p + val.l;
	/* May appear several times (§3.4.4): the tags add up. */
	for (;;) {
		const char *comma = memchr(p, ',', (size_t)(end - p));
		struct pint_pl tag = sub(p, (size_t)((comma ? comma : end) - p));

		if (!is_token(&tag))
			return EBADMSG;
		if (a->nrequire >= PINT_SDP_MAX_REQUIRE)
			return EMSGSIZE;
		a->require[a->nrequire++] = tag;
		if (!comma)
			return 0;
		p = comma + 1;
	}
}

static enum pint_sdp_res_kind res_kind(const struct pint_pl *tok)
{
	enum pint_sdp_res_kind k;

	if (tok->l < 4 || tok->p[3] != ':')
		return PINT_SDP_RES_NONE;
	for (k = PINT_SDP_RES_URI; k <= PINT_SDP_RES_OPR; k++) {
		if (strncasecmp(tok->p, pint_sdp_res_name(k), 3) == 0)
			return k;
	}
	return PINT_SDP_RES_NONE;
}

/*
 * a=fmtp for the current m= section. ENOENT when it does not fit PINT's
 * form or no fmt is waiting for it: the caller keeps it as a plain
 * attribute, which the emitter then refuses.
 */
static int dec_fmtp(struct pint_sdp_media *m, struct pint_pl val)
{
	struct pint_sdp_fmtp f;
	struct pint_pl tok[1] = {PINT_PL_INIT};
	const char *p, *end;
	size_t idx;

	if (!m || !val.p || split(val, tok, 1) < 2)
		return ENOENT;
	for (idx = 0; idx < m->nfmt; idx++) {
		if (m->fmt[idx].l == tok[0].l &&
		    strncasecmp(m->fmt[idx].p, tok[0].p, tok[0].l) == 0)
			break;
	}
	/* "-" takes no fmtp; a second one for the same fmt has no place. */
	if (idx == m->nfmt || pint_pl_eq(&m->fmt[idx], "-") || m->fmtp[idx].nres)
		return ENOENT;

	memset(&f, 0, sizeof(f));
	p = tok[0].p + tok[0].l;
	end = val.p + val.l;
	for (;;) {
		struct pint_pl r;

		while (p < end && pint_sdp_is_ws((unsigned char)*p))
			p++;
		if (p == end)
			break;
		if (*p == ';') {
			f.params = sub(p, (size_t)(end - p));
			break;
		}
		r.p = p;
		while (p < end && !pint_sdp_is_ws((unsigned char)*p))
			p++;
		r.l = (size_t)(p - r.p);

		if (f.nres >= PINT_SDP_MAX_RES)
			return EMSGSIZE;
		f.res[f.nres].kind = res_kind(&r);
		if (f.res[f.nres].kind == PINT_SDP_RES_NONE)
			return ENOENT;
		r.p += 4;
		r.l -= 4;
		if (f.res[f.nres].kind == PINT_SDP_RES_SPR) {
			/* §8.4 item 5: with or without the msg-id brackets. */
			if (r.l >= 2 && r.p[0] == '<' && r.p[r.l - 1] == '>') {
				r.p++;
				r.l -= 2;
			}
			if (r.l == 0 || memchr(r.p, '<', r.l) || memchr(r.p, '>', r.l))
				return ENOENT;
		} else if (f.res[f.nres].kind == PINT_SDP_RES_URI && r.l == 0) {
			return ENOENT;
		}
		f.res[f.nres++].value = r;
	}
	if (f.nres == 0)
		return ENOENT;
	m->fmtp[idx] = f;
	return 0;
}

static int dec_num(struct pint_sdp_num *n, const struct pint_pl *val)
{
	unsigned long long v;

	/* Ranges are the emitter's business; here only "a small number". */
	if (n->set || !val->p || pint_pl_u64(val, 999, &v))
		return EBADMSG;
	n->set = true;
	n->val = (unsigned)v;
	return 0;
}

static int dec_attr(struct dec *d, struct pint_pl val)
{
	struct pint_sdp_attrs *a = d->m ? &d->m->attrs : &d->sdp->attrs;
	const char *colon = memchr(val.p, ':', val.l);
	struct pint_pl name, value = PINT_PL_INIT;
	int err;

	name = sub(val.p, colon ? (size_t)(colon - val.p) : val.l);
	if (colon)
		value = sub(colon + 1, val.l - (size_t)(colon - val.p) - 1);
	if (!is_token(&name))
		return EBADMSG;

	switch (pint_sdp_akey_of(&name)) {
	case PINT_SDP_A_REQUIRE:
		return dec_require(a, value);
	case PINT_SDP_A_PHONE_CONTEXT:
		if (a->phone_context.p || !value.p || value.l == 0 || has_ws(&value))
			return EBADMSG;
		a->phone_context = value;
		return 0;
	case PINT_SDP_A_CLIR:
		if (a->clir != PINT_SDP_CLIR_UNSET || !value.p)
			return EBADMSG;
		if (pint_pl_caseeq(&value, "true"))
			a->clir = PINT_SDP_CLIR_TRUE;
		else if (pint_pl_caseeq(&value, "false"))
			a->clir = PINT_SDP_CLIR_FALSE;
		else
			return EBADMSG;
		return 0;
	case PINT_SDP_A_Q763_NATURE:
		return dec_num(&a->q763_nature, &value);
	case PINT_SDP_A_Q763_PLAN:
		return dec_num(&a->q763_plan, &value);
	case PINT_SDP_A_Q763_INN:
		return dec_num(&a->q763_inn, &value);
	case PINT_SDP_A_LANG:
		if (a->lang.p || !value.p || !is_token(&value))
			return EBADMSG;
		a->lang = value;
		return 0;
	case PINT_SDP_A_FMTP:
		err = dec_fmtp(d->m, value);
		if (err != ENOENT)
			return err;
		break;
	case PINT_SDP_A_OTHER:
		break;
	}

	if (a->nother >= PINT_SDP_MAX_ATTR)
		return EMSGSIZE;
	a->other[a->nother].name = name;
	a->other[a->nother].value = value;
	a->nother++;
	return 0;
}

static int dec_line(struct dec *d, struct pint_pl line)
{
	struct pint_sdp *sdp = d->sdp;
	struct pint_pl val;
	char type;

	if (line.l < 2 || line.p[1] != '=')
		return EBADMSG;
	type = line.p[0];
	if (!((type >= 'a' && type <= 'z') || (type >= 'A' && type <= 'Z')))
		return EBADMSG;
	/* §8.4 item 1: "c= TN RFC2543 ..." */
	val = sub(line.p + 2, line.l - 2);
	if (!d->v && type != 'v')
		return EBADMSG;

	switch (type) {
	case 'v':
		if (d->v || !pint_pl_eq(&val, "0"))
			return EBADMSG;
		d->v = true;
		return 0;
	case 'o':
		return dec_origin(d, val);
	case 's':
		if (sdp->name.p)
			return EBADMSG;
		sdp->name = val;
		return 0;
	case 'i':
		if (d->m ? d->m->info.p != NULL : sdp->info.p != NULL)
			return EBADMSG;
		*(d->m ? &d->m->info : &sdp->info) = val;
		return 0;
	case 'e':
		if (sdp->nemail >= PINT_SDP_MAX_EMAIL)
			return EMSGSIZE;
		sdp->email[sdp->nemail++] = val;
		return 0;
	case 'c':
		return dec_conn(d->m ? &d->m->conn : &sdp->conn, val);
	case 't':
		return dec_time(d, val);
	case 'm':
		return dec_media(d, val);
	case 'a':
		return dec_attr(d, val);
	default:
		/* u= p= b= r= z= k= and the unknown: not modelled. */
		return 0;
	}
}

static int check_complete(const struct dec *d)
{
	const struct pint_sdp *sdp = d->sdp;
	size_t i;

	if (!d->v || !sdp->origin.user.p || !d->t)
		return EBADMSG;
	if (sdp->conn.nettype.p)
		return 0;
	if (sdp->nmedia == 0)
		return EBADMSG;
	for (i = 0; i < sdp->nmedia; i++) {
		if (!sdp->media[i].conn.nettype.p)
			return EBADMSG;
	}
	return 0;
}

/*
 * Parse len bytes at p (no NUL needed) into sdp; its views point into p.
 * EBADMSG for text that is not a PINT session description (v=0 not first,
 * o=, t= or c= missing, a single-valued line twice, a bad number or a bad
 * known attribute), EMSGSIZE past a PINT_SDP_MAX_* limit. On error sdp is
 * left empty.
 */
int pint_sdp_decode(struct pint_sdp *sdp, const char *p, size_t len)
{
	struct dec d = {sdp, NULL, false, false};
	size_t pos = 0, nlines = 0;
	int err = 0;

	pint_sdp_init(sdp);
	if (!p && len) {
		err = EINVAL;
		goto out;
	}
	if (len > PINT_SDP_MAX_BODY) {
		err = EMSGSIZE;
		goto out;
	}

	while (pos < len && !err) {
		size_t start = pos, end = pos;
		struct pint_pl line;

		while (end < len && p[end] != '\r' && p[end] != '\n')
			end++;
		/* CRLF, LF or a lone CR ends a line. */
		pos = end;
		if (pos < len && p[pos] == '\r')
			pos++;
		if (pos < len && p[pos] == '\n')
			pos++;

		if (end - start > PINT_SDP_MAX_LINE) {
			err = EMSGSIZE;
			break;
		}
		if (memchr(p + start, '\0', end - start)) {
			err = EBADMSG;
			break;
		}
		line = sub(p + start, end - start);
		if (line.l == 0)
			continue;
		if (++nlines > PINT_SDP_MAX_LINES) {
			err = EMSGSIZE;
			break;
		}
		err = dec_line(&d, line);
	}
	if (!err)
		err = check_complete(&d);

out:
	if (err)
		pint_sdp_init(sdp);
	return err;
}
