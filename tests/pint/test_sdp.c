/*
 * tests/pint/test_sdp.c — pint/sdp.c: the model, the strict emitter, time
 * and origin helpers. The parser's tests are in test_sdp_parse.c.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/pint/test_common.h"
#include "pint/mbuf.h"
#include "pint/pl.h"
#include "pint/sdp.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* A run of 'v' bytes long enough for any line or filler value. */
static char vbuf[PINT_SDP_MAX_LINE * 2];

static struct pint_pl vrun(size_t n)
{
	struct pint_pl pl = {vbuf, n};

	assert_true(n <= sizeof(vbuf));
	memset(vbuf, 'v', sizeof(vbuf));
	return pl;
}

static void assert_pl(const struct pint_pl *pl, const char *s)
{
	if (!pl->p)
		fail_msg("unset view, expected \"%s\"", s);
	if (!pint_pl_eq(pl, s))
		fail_msg("\"%.*s\" != \"%s\"", (int)pl->l, pl->p, s);
}

/* R2F, built the way the gateway will: two media, every attribute kind. */
static void build_r2f(struct pint_sdp *sdp)
{
	struct pint_sdp_media *m;

	pint_sdp_init(sdp);
	sdp->origin.user = pint_pl_str("-");
	sdp->origin.sess_id = pint_pl_str("283746519283746512");
	sdp->origin.sess_version = pint_pl_str("1");
	sdp->origin.nettype = pint_pl_str("IN");
	sdp->origin.addrtype = pint_pl_str("IP4");
	sdp->origin.addr = pint_pl_str("192.0.2.10");
	sdp->name = pint_pl_str("R2F");
	sdp->info = pint_pl_str("Quote 4711");
	sdp->email[sdp->nemail++] = pint_pl_str("sales@example.com");
	sdp->email[sdp->nemail++] = pint_pl_str("Sales Desk <desk@example.com>");
	sdp->conn.nettype = pint_pl_str("TN");
	sdp->conn.addrtype = pint_pl_str("RFC2543");
	sdp->conn.addr = pint_pl_str("+44-20-5555-0177");
	assert_int_equal(pint_sdp_ntp_from_unix(&sdp->start, 1735704000), 0);
	sdp->attrs.require[sdp->attrs.nrequire++] = pint_pl_str("phone-context");
	sdp->attrs.require[sdp->attrs.nrequire++] = pint_pl_str("Q763-plan");
	sdp->attrs.phone_context = pint_pl_str("X-acme.com-23");
	sdp->attrs.clir = PINT_SDP_CLIR_FALSE;
	sdp->attrs.q763_nature = (struct pint_sdp_num){true, 4};
	sdp->attrs.q763_plan = (struct pint_sdp_num){true, 1};
	sdp->attrs.q763_inn = (struct pint_sdp_num){true, 0};
	sdp->attrs.lang = pint_pl_str("en-GB");
	sdp->attrs.other[0].name = pint_pl_str("quality");
	sdp->attrs.other[0].value = pint_pl_str("9");
	sdp->attrs.nother = 1;

	assert_int_equal(pint_sdp_media_add(sdp, &m), 0);
	m->type = PINT_SDP_MEDIA_TEXT;
	m->port = 1;
	m->proto = PINT_SDP_PROTO_FAX;
	m->fmt[m->nfmt++] = pint_pl_str("plain");
	m->fmt[m->nfmt++] = pint_pl_str("html");
	m->fmtp[0].res[0].kind = PINT_SDP_RES_OPR;
	m->fmtp[0].res[0].value = pint_pl_str("");
	m->fmtp[0].res[1].kind = PINT_SDP_RES_SPR;
	m->fmtp[0].res[1].value = pint_pl_str("p1@gw.example.com");
	m->fmtp[0].nres = 2;
	m->fmtp[0].params = pint_pl_str(";charset=us-ascii");
	m->fmtp[1].res[0].kind = PINT_SDP_RES_URI;
	m->fmtp[1].res[0].value = pint_pl_str("https://x.example/q.html");
	m->fmtp[1].nres = 1;
	m->attrs.require[m->attrs.nrequire++] = pint_pl_str("spr");
	m->attrs.other[0].name = pint_pl_str("sendonly");
	m->attrs.nother = 1;

	assert_int_equal(pint_sdp_media_add(sdp, &m), 0);
	m->type = PINT_SDP_MEDIA_AUDIO;
	m->port = 0;
	m->proto = PINT_SDP_PROTO_VOICE;
	m->fmt[m->nfmt++] = pint_pl_str("-");
	m->info = pint_pl_str("announcement leg");
	m->conn.nettype = pint_pl_str("TN");
	m->conn.addrtype = pint_pl_str("X-pbx.example.com");
	m->conn.addr = pint_pl_str("ext:321");
	m->attrs.clir = PINT_SDP_CLIR_TRUE;
}

static const char r2f_wire[] =
	"v=0\r\n"
	"o=- 283746519283746512 1 IN IP4 192.0.2.10\r\n"
	"s=R2F\r\n"
	"i=Quote 4711\r\n"
	"e=sales@example.com\r\n"
	"e=Sales Desk <desk@example.com>\r\n"
	"c=TN RFC2543 +44-20-5555-0177\r\n"
	"t=3944692800 0\r\n"
	"a=require:phone-context,Q763-plan\r\n"
	"a=phone-context:X-acme.com-23\r\n"
	"a=clir:false\r\n"
	"a=Q763-nature:4\r\n"
	"a=Q763-plan:1\r\n"
	"a=Q763-INN:0\r\n"
	"a=lang:en-GB\r\n"
	"a=quality:9\r\n"
	"m=text 1 fax plain html\r\n"
	"a=require:spr\r\n"
	"a=sendonly\r\n"
	"a=fmtp:plain opr: spr:p1@gw.example.com ;charset=us-ascii\r\n"
	"a=fmtp:html uri:https://x.example/q.html\r\n"
	"m=audio 0 voice -\r\n"
	"i=announcement leg\r\n"
	"c=TN X-pbx.example.com ext:321\r\n"
	"a=clir:true\r\n";

static void test_encode_built(void **state)
{
	struct pint_sdp sdp, back;
	struct pint_mbuf mb;

	(void)state;
	build_r2f(&sdp);
	pint_mbuf_init(&mb, 0);
	assert_int_equal(pint_sdp_encode(&mb, &sdp), 0);
	assert_string_equal(mb.buf, r2f_wire);

	/* ... and back: the built model and the decoded one agree. */
	assert_int_equal(pint_sdp_decode(&back, mb.buf, mb.len), 0);
	assert_true(pint_sdp_origin_eq(&sdp.origin, &back.origin));
	assert_int_equal(back.media[0].fmtp[0].res[0].kind, PINT_SDP_RES_OPR);
	assert_int_equal(back.media[0].fmtp[0].res[0].value.l, 0);
	assert_pl(&back.media[1].conn.addr, "ext:321");
	assert_int_equal(back.attrs.q763_inn.set, true);
	assert_int_equal(back.attrs.q763_inn.val, 0);
	assert_int_equal(back.media[1].attrs.clir, PINT_SDP_CLIR_TRUE);
	pint_mbuf_reset(&mb);

	/* OTHER media and proto tokens are passed through. */
	build_r2f(&sdp);
	sdp.media[1].type = PINT_SDP_MEDIA_OTHER;
	sdp.media[1].media = pint_pl_str("video");
	sdp.media[1].proto = PINT_SDP_PROTO_OTHER;
	sdp.media[1].proto_name = pint_pl_str("X-sms");
	pint_mbuf_init(&mb, 0);
	assert_int_equal(pint_sdp_encode(&mb, &sdp), 0);
	assert_non_null(strstr(mb.buf, "\r\nm=video 0 X-sms -\r\n"));
	pint_mbuf_reset(&mb);
}

/* Mutations of build_r2f() the strict emitter refuses. */
#define S(s) pint_pl_str(s)
static void no_email(struct pint_sdp *s) { s->nemail = 0; }
static void no_name(struct pint_sdp *s) { s->name = S(NULL); }
static void empty_name(struct pint_sdp *s) { s->name = S(""); }
static void no_origin(struct pint_sdp *s) { s->origin.user = S(NULL); }
static void origin_id_alpha(struct pint_sdp *s) { s->origin.sess_id = S("12a"); }
static void origin_user_space(struct pint_sdp *s) { s->origin.user = S("a b"); }
static void origin_nettype_bad(struct pint_sdp *s) { s->origin.nettype = S("I:N"); }
static void name_cr(struct pint_sdp *s) { s->name = S("R2\rF"); }
static void info_lf(struct pint_sdp *s) { s->info = S("a\nb"); }
static void info_nul(struct pint_sdp *s) { s->info = (struct pint_pl){"a\0b", 3}; }
static void info_lead_space(struct pint_sdp *s) { s->info = S(" x"); }
static void info_empty(struct pint_sdp *s) { s->info = S(""); }
static void email_trail_tab(struct pint_sdp *s) { s->email[1] = S("a@b\t"); }
static void email_unset(struct pint_sdp *s) { s->email[1] = S(NULL); }
static void conn_nowhere(struct pint_sdp *s) { s->conn.nettype = S(NULL); }
static void conn_addr_space(struct pint_sdp *s) { s->conn.addr = S("+1 555"); }
static void conn_num_letter(struct pint_sdp *s) { s->conn.addr = S("555-0199x"); }
static void conn_num_zero_cc(struct pint_sdp *s) { s->conn.addr = S("+0-555"); }
static void conn_num_dashes(struct pint_sdp *s) { s->conn.addr = S("1--2"); }
static void conn_num_trail_dash(struct pint_sdp *s) { s->conn.addr = S("12-"); }
static void conn_private_no_x(struct pint_sdp *s) { s->media[1].conn.addrtype = S("PBX"); }
static void conn_private_bare_x(struct pint_sdp *s) { s->media[1].conn.addrtype = S("X-"); }
static void conn_nettype_space(struct pint_sdp *s) { s->conn.nettype = S("T N"); }
static void media_other_unset(struct pint_sdp *s) { s->media[0].type = PINT_SDP_MEDIA_OTHER; }
static void media_other_known(struct pint_sdp *s)
{
	s->media[0].type = PINT_SDP_MEDIA_OTHER;
	s->media[0].media = S("Audio");
}

static void media_bad_enum(struct pint_sdp *s) { s->media[0].type = (enum pint_sdp_mtype)9; }
static void proto_other_known(struct pint_sdp *s)
{
	s->media[0].proto = PINT_SDP_PROTO_OTHER;
	s->media[0].proto_name = S("FAX");
}

static void audio_fax(struct pint_sdp *s) { s->media[1].proto = PINT_SDP_PROTO_FAX; }
static void audio_pager(struct pint_sdp *s) { s->media[1].proto = PINT_SDP_PROTO_PAGER; }
static void image_voice(struct pint_sdp *s)
{
	s->media[0].type = PINT_SDP_MEDIA_IMAGE;
	s->media[0].proto = PINT_SDP_PROTO_VOICE;
}

static void image_pager(struct pint_sdp *s)
{
	s->media[0].type = PINT_SDP_MEDIA_IMAGE;
	s->media[0].proto = PINT_SDP_PROTO_PAGER;
}

static void port_big(struct pint_sdp *s) { s->media[0].port = 65536; }
static void no_fmt(struct pint_sdp *s) { s->media[1].nfmt = 0; }
static void dash_and_more(struct pint_sdp *s) { s->media[0].fmt[1] = S("-"); }
static void dup_fmt(struct pint_sdp *s) { s->media[0].fmt[1] = S("PLAIN"); }
static void fmt_space(struct pint_sdp *s) { s->media[0].fmt[1] = S("ht ml"); }
static void fmt_without_fmtp(struct pint_sdp *s) { s->media[0].fmtp[1].nres = 0; }
static void fmtp_on_dash(struct pint_sdp *s)
{
	s->media[1].fmtp[0].res[0] = (struct pint_sdp_res){PINT_SDP_RES_OPR, S("x")};
	s->media[1].fmtp[0].nres = 1;
}

static void params_alone(struct pint_sdp *s) { s->media[1].fmtp[0].params = S(";a"); }
static void res_none(struct pint_sdp *s) { s->media[0].fmtp[1].res[0].kind = PINT_SDP_RES_NONE; }
static void res_uri_empty(struct pint_sdp *s) { s->media[0].fmtp[1].res[0].value = S(""); }
static void res_uri_space(struct pint_sdp *s) { s->media[0].fmtp[1].res[0].value = S("a b"); }
static void res_spr_brackets(struct pint_sdp *s) { s->media[0].fmtp[0].res[1].value = S("<a>"); }
static void res_spr_empty(struct pint_sdp *s) { s->media[0].fmtp[0].res[1].value = S(""); }
static void res_opr_unset(struct pint_sdp *s) { s->media[0].fmtp[0].res[0].value = S(NULL); }
static void params_no_semi(struct pint_sdp *s) { s->media[0].fmtp[0].params = S("charset=x"); }
static void params_cr(struct pint_sdp *s) { s->media[0].fmtp[0].params = S(";a\r"); }
static void params_empty(struct pint_sdp *s) { s->media[0].fmtp[0].params = S(""); }
static void require_space(struct pint_sdp *s) { s->attrs.require[1] = S("Q763 plan"); }
static void require_comma(struct pint_sdp *s) { s->attrs.require[1] = S("a,b"); }
static void require_empty(struct pint_sdp *s) { s->media[0].attrs.require[0] = S(""); }
static void context_plus(struct pint_sdp *s) { s->attrs.phone_context = S("+"); }
static void context_plus_alpha(struct pint_sdp *s) { s->attrs.phone_context = S("+abc"); }
static void context_empty(struct pint_sdp *s) { s->attrs.phone_context = S(""); }
static void clir_bad(struct pint_sdp *s) { s->attrs.clir = (enum pint_sdp_clir)7; }
static void nature_0(struct pint_sdp *s) { s->attrs.q763_nature.val = 0; }
static void nature_5(struct pint_sdp *s) { s->attrs.q763_nature.val = 5; }
static void plan_0(struct pint_sdp *s) { s->attrs.q763_plan.val = 0; }
static void plan_8(struct pint_sdp *s) { s->attrs.q763_plan.val = 8; }
static void inn_2(struct pint_sdp *s) { s->media[1].attrs.q763_inn = (struct pint_sdp_num){1, 2}; }
static void lang_space(struct pint_sdp *s) { s->attrs.lang = S("en GB"); }
static void other_fmtp(struct pint_sdp *s) { s->attrs.other[0].name = S("fmtp"); }
static void other_known(struct pint_sdp *s) { s->media[0].attrs.other[0].name = S("LANG"); }
static void other_require(struct pint_sdp *s) { s->attrs.other[0].name = S("Require"); }
static void other_name_space(struct pint_sdp *s) { s->attrs.other[0].name = S("x y"); }
static void other_name_empty(struct pint_sdp *s) { s->attrs.other[0].name = S(""); }
static void other_value_lf(struct pint_sdp *s) { s->attrs.other[0].value = S("9\n"); }
static void line_too_long(struct pint_sdp *s) { s->info = vrun(PINT_SDP_MAX_LINE - 1); }
static void too_many_media(struct pint_sdp *s) { s->nmedia = PINT_SDP_MAX_MEDIA + 1; }
static void too_many_emails(struct pint_sdp *s) { s->nemail = PINT_SDP_MAX_EMAIL + 1; }

static const struct {
	const char *name;
	void (*mutate)(struct pint_sdp *s);
	int err;
} rejects[] = {
#define R(f, e) {#f, f, e}
	R(no_email, EINVAL), R(no_name, EINVAL), R(empty_name, EINVAL),
	R(no_origin, EINVAL), R(origin_id_alpha, EINVAL),
	R(origin_user_space, EINVAL), R(origin_nettype_bad, EINVAL),
	R(name_cr, EINVAL), R(info_lf, EINVAL), R(info_nul, EINVAL),
	R(info_lead_space, EINVAL), R(info_empty, EINVAL),
	R(email_trail_tab, EINVAL), R(email_unset, EINVAL),
	R(conn_nowhere, EINVAL), R(conn_addr_space, EINVAL),
	R(conn_num_letter, EINVAL), R(conn_num_zero_cc, EINVAL),
	R(conn_num_dashes, EINVAL), R(conn_num_trail_dash, EINVAL),
	R(conn_private_no_x, EINVAL), R(conn_private_bare_x, EINVAL),
	R(conn_nettype_space, EINVAL),
	R(media_other_unset, EINVAL), R(media_other_known, EINVAL),
	R(media_bad_enum, EINVAL), R(proto_other_known, EINVAL),
	R(audio_fax, EINVAL), R(audio_pager, EINVAL), R(image_voice, EINVAL),
	R(image_pager, EINVAL), R(port_big, EINVAL),
	R(no_fmt, EINVAL), R(dash_and_more, EINVAL), R(dup_fmt, EINVAL),
	R(fmt_space, EINVAL), R(fmt_without_fmtp, EINVAL),
	R(fmtp_on_dash, EINVAL), R(params_alone, EINVAL),
	R(res_none, EINVAL), R(res_uri_empty, EINVAL), R(res_uri_space, EINVAL),
	R(res_spr_brackets, EINVAL), R(res_spr_empty, EINVAL),
	R(res_opr_unset, EINVAL), R(params_no_semi, EINVAL),
	R(params_cr, EINVAL), R(params_empty, EINVAL),
	R(require_space, EINVAL), R(require_comma, EINVAL),
	R(require_empty, EINVAL),
	R(context_plus, EINVAL), R(context_plus_alpha, EINVAL),
	R(context_empty, EINVAL), R(clir_bad, EINVAL),
	R(nature_0, EINVAL), R(nature_5, EINVAL), R(plan_0, EINVAL),
	R(plan_8, EINVAL), R(inn_2, EINVAL), R(lang_space, EINVAL),
	R(other_fmtp, EINVAL), R(other_known, EINVAL), R(other_require, EINVAL),
	R(other_name_space, EINVAL), R(other_name_empty, EINVAL),
	R(other_value_lf, EINVAL),
	R(line_too_long, EMSGSIZE), R(too_many_media, EMSGSIZE),
	R(too_many_emails, EMSGSIZE),
#undef R
};
#undef S

static void test_encode_rejects(void **state)
{
	struct pint_sdp sdp;
	struct pint_mbuf mb;
	size_t i;

	(void)state;
	pint_mbuf_init(&mb, 0);
	assert_int_equal(pint_mbuf_puts(&mb, "PREFIX"), 0);
	for (i = 0; i < NELEM(rejects); i++) {
		int err;

		build_r2f(&sdp);
		rejects[i].mutate(&sdp);
		err = pint_sdp_encode(&mb, &sdp);
		if (err != rejects[i].err)
			fail_msg("%s: got %d, want %d", rejects[i].name, err,
				 rejects[i].err);
		/* Nothing of the refused body stays in the buffer. */
		assert_int_equal(mb.len, 6);
		assert_string_equal(mb.buf, "PREFIX");
	}
	pint_mbuf_reset(&mb);
}

static void test_encode_buffer_limits(void **state)
{
	struct pint_sdp sdp;
	struct pint_mbuf mb;
	size_t n = strlen(r2f_wire);

	(void)state;
	build_r2f(&sdp);
	pint_mbuf_init(&mb, n);
	assert_int_equal(pint_sdp_encode(&mb, &sdp), 0);
	pint_mbuf_reset(&mb);
	pint_mbuf_init(&mb, n - 1);
	assert_int_equal(pint_sdp_encode(&mb, &sdp), EMSGSIZE);
	assert_int_equal(mb.len, 0);
	pint_mbuf_reset(&mb);

	/* A failed allocation reports ENOMEM and keeps what was there. */
	pint_mbuf_init(&mb, 0);
	assert_int_equal(pint_mbuf_puts(&mb, "x"), 0);
	alloc_fail_at(1);
	assert_int_equal(pint_sdp_encode(&mb, &sdp), ENOMEM);
	assert_string_equal(mb.buf, "x");
	assert_int_equal(pint_sdp_encode(&mb, &sdp), 0);
	assert_int_equal(mb.len, n + 1);
	pint_mbuf_reset(&mb);
}

static void test_ntp(void **state)
{
	uint64_t v;

	(void)state;
	/* 2025-01-01T04:00:00Z */
	assert_int_equal(pint_sdp_ntp_from_unix(&v, 1735704000), 0);
	assert_true(v == 3944692800ULL);
	assert_int_equal(pint_sdp_unix_from_ntp(&v, 3944692800ULL), 0);
	assert_true(v == 1735704000);
	assert_int_equal(pint_sdp_ntp_from_unix(&v, 0), 0);
	assert_true(v == 0);
	assert_int_equal(pint_sdp_unix_from_ntp(&v, 0), 0);
	assert_true(v == 0);
	assert_int_equal(pint_sdp_ntp_from_unix(&v, 1), 0);
	assert_true(v == PINT_SDP_NTP_OFFSET + 1);
	assert_int_equal(pint_sdp_unix_from_ntp(&v, PINT_SDP_NTP_OFFSET + 1), 0);
	assert_true(v == 1);
	assert_int_equal(pint_sdp_unix_from_ntp(&v, PINT_SDP_NTP_OFFSET), ERANGE);
	assert_int_equal(pint_sdp_unix_from_ntp(&v, 5), ERANGE);
	assert_int_equal(pint_sdp_ntp_from_unix(&v, UINT64_MAX - PINT_SDP_NTP_OFFSET), 0);
	assert_true(v == UINT64_MAX);
	assert_int_equal(pint_sdp_ntp_from_unix(&v, UINT64_MAX - PINT_SDP_NTP_OFFSET + 1),
			 ERANGE);
}

static void test_origin_eq(void **state)
{
	static const char a[] =
		"v=0\r\no=- 42 1 IN IP4 gw.example.com\r\ns=x\r\nc=TN RFC2543 1\r\nt=0 0\r\n";
	static const struct {
		const char *o;
		bool eq;
	} cases[] = {
		{"o=- 42 1 IN IP4 gw.example.com", true},
		{"o=- 42 7 IN IP4 gw.example.com", true},   /* version bumped */
		{"o=- 42 1 in ip4 GW.example.COM", true},   /* case of host/types */
		{"o=- 43 1 IN IP4 gw.example.com", false},
		{"o=pint 42 1 IN IP4 gw.example.com", false},
		{"o=- 42 1 IN IP6 gw.example.com", false},
		{"o=- 42 1 IN IP4 gw2.example.com", false},
		{"o=- 042 1 IN IP4 gw.example.com", false}, /* ids are strings */
	};
	struct pint_sdp x, y;
	char body[256];
	size_t i;

	(void)state;
	assert_int_equal(pint_sdp_decode(&x, a, sizeof(a) - 1), 0);
	for (i = 0; i < NELEM(cases); i++) {
		int n = snprintf(body, sizeof(body),
				 "v=0\r\n%s\r\ns=y\r\nc=TN RFC2543 2\r\nt=1 2\r\n",
				 cases[i].o);

		assert_int_equal(pint_sdp_decode(&y, body, (size_t)n), 0);
		if (pint_sdp_origin_eq(&x.origin, &y.origin) != cases[i].eq)
			fail_msg("%s: expected %s", cases[i].o,
				 cases[i].eq ? "equal" : "different");
		assert_true(pint_sdp_origin_eq(&y.origin, &y.origin));
	}
}

/* A model holding every per-level maximum at once; it must encode. */
static void build_full(struct pint_sdp *s, char names[][8])
{
	struct pint_sdp_fmtp f;
	size_t i, j, k = 0;

	build_r2f(s);
	f = s->media[0].fmtp[0];
	f.params = pint_pl_str(NULL);
	s->nemail = PINT_SDP_MAX_EMAIL;
	for (i = 2; i < PINT_SDP_MAX_EMAIL; i++)
		s->email[i] = pint_pl_str("more@example.com");
	for (i = s->attrs.nrequire; i < PINT_SDP_MAX_REQUIRE; i++)
		s->attrs.require[i] = pint_pl_str("lang");
	s->attrs.nrequire = PINT_SDP_MAX_REQUIRE;
	for (i = s->attrs.nother; i < PINT_SDP_MAX_ATTR; i++)
		s->attrs.other[i] = (struct pint_sdp_attr){pint_pl_str("X-a"), pint_pl_str("1")};
	s->attrs.nother = PINT_SDP_MAX_ATTR;
	while (s->nmedia < PINT_SDP_MAX_MEDIA)
		s->media[s->nmedia++] = s->media[1];
	s->media[1] = s->media[0];
	for (j = 0; j < 2; j++) {
		struct pint_sdp_media *m = &s->media[j];

		for (i = 0; i < PINT_SDP_MAX_FMT; i++) {
			snprintf(names[k], 8, "f%zu", i);
			m->fmt[i] = pint_pl_str(names[k++]);
			m->fmtp[i] = f;
		}
		m->nfmt = PINT_SDP_MAX_FMT;
		for (i = m->fmtp[0].nres; i < PINT_SDP_MAX_RES; i++) {
			m->fmtp[0].res[i].kind = PINT_SDP_RES_OPR;
			m->fmtp[0].res[i].value = pint_pl_str("o");
		}
		m->fmtp[0].nres = PINT_SDP_MAX_RES;
	}
}

static void test_encode_limits(void **state)
{
	char names[2 * PINT_SDP_MAX_FMT][8];
	struct pint_sdp sdp, back;
	struct pint_mbuf mb;

	(void)state;
	pint_mbuf_init(&mb, 0);
	build_full(&sdp, names);
	assert_int_equal(pint_sdp_encode(&mb, &sdp), 0);
	assert_int_equal(pint_sdp_decode(&back, mb.buf, mb.len), 0);
	assert_int_equal(back.nmedia, PINT_SDP_MAX_MEDIA);
	assert_int_equal(back.nemail, PINT_SDP_MAX_EMAIL);
	assert_int_equal(back.attrs.nrequire, PINT_SDP_MAX_REQUIRE);
	assert_int_equal(back.attrs.nother, PINT_SDP_MAX_ATTR);
	assert_int_equal(back.media[1].nfmt, PINT_SDP_MAX_FMT);
	assert_int_equal(back.media[1].fmtp[0].nres, PINT_SDP_MAX_RES);
	assert_int_equal(back.media[1].fmtp[7].nres, 2);
	pint_mbuf_reset(&mb);

	build_full(&sdp, names);
	sdp.attrs.nrequire++;
	assert_int_equal(pint_sdp_encode(&mb, &sdp), EMSGSIZE);
	build_full(&sdp, names);
	sdp.media[1].attrs.nother = PINT_SDP_MAX_ATTR + 1;
	assert_int_equal(pint_sdp_encode(&mb, &sdp), EMSGSIZE);
	build_full(&sdp, names);
	sdp.media[1].nfmt++;
	assert_int_equal(pint_sdp_encode(&mb, &sdp), EMSGSIZE);
	build_full(&sdp, names);
	sdp.media[1].fmtp[3].nres = PINT_SDP_MAX_RES + 1;
	assert_int_equal(pint_sdp_encode(&mb, &sdp), EMSGSIZE);
	build_full(&sdp, names);
	sdp.nemail++;
	assert_int_equal(pint_sdp_encode(&mb, &sdp), EMSGSIZE);
	build_full(&sdp, names);
	sdp.nmedia++;
	assert_int_equal(pint_sdp_encode(&mb, &sdp), EMSGSIZE);
	assert_null(mb.buf);

	/* One line: exactly PINT_SDP_MAX_LINE bytes, then one more. */
	build_r2f(&sdp);
	sdp.info = vrun(PINT_SDP_MAX_LINE - 2);
	assert_int_equal(pint_sdp_encode(&mb, &sdp), 0);
	assert_non_null(strstr(mb.buf, "\r\ni=vvv"));
	assert_int_equal(pint_sdp_decode(&back, mb.buf, mb.len), 0);
	assert_int_equal(back.info.l, PINT_SDP_MAX_LINE - 2);
	pint_mbuf_reset(&mb);
	sdp.info = vrun(PINT_SDP_MAX_LINE - 1);
	assert_int_equal(pint_sdp_encode(&mb, &sdp), EMSGSIZE);
}

static void test_encode_body_limit(void **state)
{
	struct pint_sdp sdp, back;
	struct pint_mbuf mb;
	size_t room, nfull, last, i;

	(void)state;
	build_r2f(&sdp);
	sdp.attrs.nother = 0;
	pint_mbuf_init(&mb, 0);
	assert_int_equal(pint_sdp_encode(&mb, &sdp), 0);
	/* Fill with "a=X-f:<value>\r\n" lines (8 + value bytes) to the byte. */
	room = PINT_SDP_MAX_BODY - mb.len;
	pint_mbuf_reset(&mb);
	nfull = (room - 8) / 1008;
	last = room - nfull * 1008 - 8;
	vrun(0);
	for (i = 0; i <= nfull; i++) {
		struct pint_sdp_attrs *a = &sdp.attrs;

		/* 32 per level: spill over into the media sections. */
		if (a->nother == PINT_SDP_MAX_ATTR)
			a = &sdp.media[1].attrs;
		if (a->nother == PINT_SDP_MAX_ATTR)
			a = &sdp.media[0].attrs;
		assert_true(a->nother < PINT_SDP_MAX_ATTR);
		a->other[a->nother].name = pint_pl_str("X-f");
		a->other[a->nother].value = (struct pint_pl){vbuf, i < nfull ? 1000 : last};
		a->nother++;
	}
	assert_int_equal(pint_sdp_encode(&mb, &sdp), 0);
	assert_int_equal(mb.len, PINT_SDP_MAX_BODY);
	assert_int_equal(pint_sdp_decode(&back, mb.buf, mb.len), 0);
	pint_mbuf_reset(&mb);

	sdp.media[0].attrs.other[sdp.media[0].attrs.nother - 1].value.l++;
	assert_int_equal(pint_sdp_encode(&mb, &sdp), EMSGSIZE);
	assert_null(mb.buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		leakcheck_test(test_encode_built),
		leakcheck_test(test_encode_rejects),
		leakcheck_test(test_encode_buffer_limits),
		leakcheck_test(test_ntp),
		leakcheck_test(test_origin_eq),
		leakcheck_test(test_encode_limits),
		leakcheck_test(test_encode_body_limit),
	};

	return cmocka_run_group_tests_name("pint_sdp", tests, NULL, NULL);
}
