/*
 * tests/pint/test_sdp_parse.c — pint/sdp_parse.c: the lenient parser,
 * with decode -> encode round trips through pint/sdp.c.
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

/* decode(p) then encode; the caller frees the result. */
static int reencode(const char *p, size_t len, char **outp)
{
	struct pint_sdp sdp;
	struct pint_mbuf mb;
	int err;

	err = pint_sdp_decode(&sdp, p, len);
	if (err)
		return err;
	pint_mbuf_init(&mb, 0);
	err = pint_sdp_encode(&mb, &sdp);
	if (err) {
		pint_mbuf_reset(&mb);
		return err;
	}
	*outp = pint_mbuf_steal(&mb);
	assert_non_null(*outp);
	return 0;
}

static const char *const examples[] = {
	/* digest §2.7 */
	"r2c-intl.sdp",
	"r2c-local-strict.sdp",
	"r2f-uri.sdp",
	"r2f-alternatives.sdp",
	"r2f-inline-cover.sdp",
	"r2fb-implied.sdp",
	"r2fb-docid.sdp",
	"r2hc-uri.sdp",
	"r2hc-sequence.sdp",
	"page-inline.sdp",
	/* digest §3, the SDP part of the multipart INVITE */
	"multipart-r2f.sdp",
	/* a gateway's NOTIFY: media c= only, port 0, empty opr:, stop time */
	"notify-progress.sdp",
	/* strict outputs of the defect fixtures below are examples too */
	"defect-rfc-style.strict.sdp",
	"defect-unknown.strict.sdp",
	"defect-spelling.strict.sdp",
};

static void test_examples_round_trip(void **state)
{
	size_t i, len;

	(void)state;
	for (i = 0; i < NELEM(examples); i++) {
		char rel[128], *in, *out = NULL;

		snprintf(rel, sizeof(rel), "sdp/%s", examples[i]);
		in = test_read_file(rel, &len);
		if (reencode(in, len, &out) != 0)
			fail_msg("%s does not round-trip", examples[i]);
		if (strcmp(in, out) != 0)
			fail_msg("%s re-encoded differently:\n%s", examples[i], out);
		free(out);
		free(in);
	}
}

static const struct {
	const char *in;
	const char *strict;
} defects[] = {
	{"defect-rfc-style.sdp", "defect-rfc-style.strict.sdp"},
	{"defect-lf-only.sdp", "r2hc-uri.sdp"},
	{"defect-no-final-crlf.sdp", "r2c-intl.sdp"},
	{"defect-spr-brackets.sdp", "page-inline.sdp"},
	{"defect-mixed-eol.sdp", "r2hc-sequence.sdp"},
	{"defect-order.sdp", "r2c-local-strict.sdp"},
	{"defect-order-media.sdp", "r2hc-uri.sdp"},
	{"defect-unknown.sdp", "defect-unknown.strict.sdp"},
	{"defect-spelling.sdp", "defect-spelling.strict.sdp"},
};

static void test_defects_become_strict(void **state)
{
	size_t i, len, elen;

	(void)state;
	for (i = 0; i < NELEM(defects); i++) {
		char rel[128], *in, *want, *out = NULL;

		snprintf(rel, sizeof(rel), "sdp/%s", defects[i].in);
		in = test_read_file(rel, &len);
		snprintf(rel, sizeof(rel), "sdp/%s", defects[i].strict);
		want = test_read_file(rel, &elen);
		if (reencode(in, len, &out) != 0)
			fail_msg("%s does not decode and encode", defects[i].in);
		if (strcmp(want, out) != 0)
			fail_msg("%s gave:\n%s", defects[i].in, out);
		free(out);
		free(want);
		free(in);
	}
}

/* Every fixture that decodes reaches a fixed point after one encode. */
static void test_reencode_is_stable(void **state)
{
	size_t i, len;

	(void)state;
	for (i = 0; i < NELEM(defects); i++) {
		char rel[128], *in, *once = NULL, *twice = NULL;

		snprintf(rel, sizeof(rel), "sdp/%s", defects[i].in);
		in = test_read_file(rel, &len);
		assert_int_equal(reencode(in, len, &once), 0);
		assert_int_equal(reencode(once, strlen(once), &twice), 0);
		assert_string_equal(once, twice);
		free(twice);
		free(once);
		free(in);
	}
}

static void test_decode_fields(void **state)
{
	struct pint_sdp sdp;
	const struct pint_sdp_media *m;
	size_t len;
	char *in;

	(void)state;
	in = test_read_file("sdp/r2c-local-strict.sdp", &len);
	assert_int_equal(pint_sdp_decode(&sdp, in, len), 0);
	assert_pl(&sdp.origin.user, "-");
	assert_pl(&sdp.origin.sess_id, "5510239987766112");
	assert_pl(&sdp.origin.addr, "192.0.2.10");
	assert_pl(&sdp.name, "R2C");
	assert_null(sdp.info.p);
	assert_int_equal(sdp.nemail, 1);
	assert_pl(&sdp.email[0], "callback@example.com");
	assert_pl(&sdp.conn.nettype, "TN");
	assert_pl(&sdp.conn.addrtype, "RFC2543");
	assert_pl(&sdp.conn.addr, "0201-555-0142");
	assert_true(sdp.start == 0 && sdp.stop == 0);
	assert_int_equal(sdp.attrs.nrequire, 2);
	assert_pl(&sdp.attrs.require[0], "phone-context");
	assert_pl(&sdp.attrs.require[1], "clir");
	assert_pl(&sdp.attrs.phone_context, "+44");
	assert_int_equal(sdp.attrs.clir, PINT_SDP_CLIR_TRUE);
	assert_false(sdp.attrs.q763_inn.set);
	assert_int_equal(sdp.nmedia, 1);
	m = &sdp.media[0];
	assert_int_equal(m->type, PINT_SDP_MEDIA_AUDIO);
	assert_int_equal(m->proto, PINT_SDP_PROTO_VOICE);
	assert_int_equal(m->port, 1);
	assert_int_equal(m->nfmt, 1);
	assert_pl(&m->fmt[0], "-");
	assert_int_equal(m->fmtp[0].nres, 0);
	assert_null(m->conn.nettype.p);
	free(in);

	in = test_read_file("sdp/notify-progress.sdp", &len);
	assert_int_equal(pint_sdp_decode(&sdp, in, len), 0);
	assert_pl(&sdp.origin.sess_version, "3002");
	assert_pl(&sdp.info, "3 pages of 5 sent");
	assert_null(sdp.conn.nettype.p);
	assert_true(sdp.start == 3944692800ULL && sdp.stop == 3944693100ULL);
	m = &sdp.media[0];
	assert_int_equal(m->port, 0);
	assert_int_equal(m->type, PINT_SDP_MEDIA_TEXT);
	assert_int_equal(m->proto, PINT_SDP_PROTO_FAX);
	assert_pl(&m->conn.addr, "+1-555-555-0123");
	assert_int_equal(m->fmtp[0].nres, 3);
	assert_int_equal(m->fmtp[0].res[0].kind, PINT_SDP_RES_OPR);
	assert_non_null(m->fmtp[0].res[0].value.p);
	assert_int_equal(m->fmtp[0].res[0].value.l, 0);
	assert_int_equal(m->fmtp[0].res[1].kind, PINT_SDP_RES_SPR);
	assert_pl(&m->fmtp[0].res[1].value, "fax-text-1@gw.example.com");
	assert_int_equal(m->fmtp[0].res[2].kind, PINT_SDP_RES_URI);
	assert_pl(&m->fmtp[0].res[2].value, "https://docs.example.com/a.txt");
	assert_null(m->fmtp[0].params.p);
	free(in);

	in = test_read_file("sdp/defect-unknown.sdp", &len);
	assert_int_equal(pint_sdp_decode(&sdp, in, len), 0);
	assert_int_equal(sdp.attrs.nother, 2);
	assert_pl(&sdp.attrs.other[0].name, "X-leg-order");
	assert_pl(&sdp.attrs.other[0].value, "B-first");
	assert_pl(&sdp.attrs.other[1].name, "quality");
	assert_pl(&sdp.attrs.lang, "de");
	m = &sdp.media[0];
	assert_int_equal(m->attrs.nother, 2);
	assert_pl(&m->attrs.other[0].name, "recvonly");
	assert_null(m->attrs.other[0].value.p);
	assert_pl(&m->attrs.other[1].name, "X-empty");
	assert_non_null(m->attrs.other[1].value.p);
	assert_int_equal(m->attrs.other[1].value.l, 0);
	assert_pl(&m->fmtp[0].params, ";charset=utf-8");
	free(in);

	in = test_read_file("sdp/defect-spr-brackets.sdp", &len);
	assert_int_equal(pint_sdp_decode(&sdp, in, len), 0);
	assert_pl(&sdp.media[0].fmtp[0].res[0].value, "page-1@gw.example.com");
	free(in);
}

/* What the parser keeps as a plain attribute rather than an fmtp. */
static void test_decode_fmtp_fallbacks(void **state)
{
	static const struct {
		const char *media;
		const char *fmtp;
	} cases[] = {
		{"m=text 1 fax plain", "a=fmtp:html uri:http://x/"},   /* no such fmt */
		{"m=text 1 fax -", "a=fmtp:- opr:x"},                 /* "-" has none */
		{"m=text 1 fax plain", "a=fmtp:plain"},               /* no resolution */
		{"m=text 1 fax plain", "a=fmtp:plain file:/x"},       /* unknown tag */
		{"m=text 1 fax plain", "a=fmtp:plain uri:"},          /* empty uri */
		{"m=text 1 fax plain", "a=fmtp:plain spr:<>"},        /* empty cid */
		{"m=text 1 fax plain", "a=fmtp:plain spr:<a@b"},      /* half bracket */
		{"m=audio 1 RTP/AVP 101", "a=fmtp:101 0-15"},         /* plain SDP */
	};
	char body[512];
	struct pint_sdp sdp;
	struct pint_mbuf mb;
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(cases); i++) {
		const struct pint_sdp_attrs *a = &sdp.media[0].attrs;
		int n = snprintf(body, sizeof(body),
				 "v=0\r\no=- 1 1 IN IP4 h\r\ns=x\r\ne=a@b\r\n"
				 "c=TN RFC2543 1\r\nt=0 0\r\n%s\r\n%s\r\n",
				 cases[i].media, cases[i].fmtp);

		assert_int_equal(pint_sdp_decode(&sdp, body, (size_t)n), 0);
		assert_int_equal(sdp.media[0].fmtp[0].nres, 0);
		assert_int_equal(a->nother, 1);
		assert_pl(&a->other[0].name, "fmtp");
		/* The strict emitter will not pass such a body on. */
		pint_mbuf_init(&mb, 0);
		assert_int_equal(pint_sdp_encode(&mb, &sdp), EINVAL);
		assert_null(mb.buf);
	}

	/* A second fmtp for the same fmt is no fmtp of it either. */
	snprintf(body, sizeof(body),
		 "v=0\r\no=- 1 1 IN IP4 h\r\ns=x\r\ne=a@b\r\nc=TN RFC2543 1\r\n"
		 "t=0 0\r\nm=text 1 fax plain\r\na=fmtp:PLAIN opr:1\r\n"
		 "a=fmtp:plain opr:2\r\n");
	assert_int_equal(pint_sdp_decode(&sdp, body, strlen(body)), 0);
	assert_int_equal(sdp.media[0].fmtp[0].nres, 1);
	assert_pl(&sdp.media[0].fmtp[0].res[0].value, "1");
	assert_int_equal(sdp.media[0].attrs.nother, 1);
	/* Session-level fmtp belongs to no m= line. */
	snprintf(body, sizeof(body),
		 "v=0\r\no=- 1 1 IN IP4 h\r\ns=x\r\ne=a@b\r\nc=TN RFC2543 1\r\n"
		 "t=0 0\r\na=fmtp:plain opr:2\r\nm=text 1 fax plain\r\n");
	assert_int_equal(pint_sdp_decode(&sdp, body, strlen(body)), 0);
	assert_int_equal(sdp.attrs.nother, 1);
}

static const struct {
	const char *file;
	int err;
} broken[] = {
	{"bad-empty.sdp", EBADMSG},
	{"bad-garbage.sdp", EBADMSG},
	{"bad-no-version.sdp", EBADMSG},
	{"bad-version.sdp", EBADMSG},
	{"bad-no-origin.sdp", EBADMSG},
	{"bad-origin-fields.sdp", EBADMSG},
	{"bad-no-time.sdp", EBADMSG},
	{"bad-time-text.sdp", EBADMSG},
	{"bad-time-overflow.sdp", EBADMSG},
	{"bad-no-conn.sdp", EBADMSG},
	{"bad-conn-partial.sdp", EBADMSG},
	{"bad-conn-fields.sdp", EBADMSG},
	{"bad-port.sdp", EBADMSG},
	{"bad-port-count.sdp", EBADMSG},
	{"bad-media-nofmt.sdp", EBADMSG},
	{"bad-nul.sdp", EBADMSG},
	{"bad-no-equals.sdp", EBADMSG},
	{"bad-line-type.sdp", EBADMSG},
	{"bad-dup-version.sdp", EBADMSG},
	{"bad-dup-origin.sdp", EBADMSG},
	{"bad-dup-time.sdp", EBADMSG},
	{"bad-dup-conn.sdp", EBADMSG},
	{"bad-dup-info.sdp", EBADMSG},
	{"bad-dup-clir.sdp", EBADMSG},
	{"bad-clir.sdp", EBADMSG},
	{"bad-q763.sdp", EBADMSG},
	{"bad-require-tag.sdp", EBADMSG},
	{"bad-require-bare.sdp", EBADMSG},      /* fuzz: NULL + 0 */
	{"bad-lang.sdp", EBADMSG},
	{"bad-attr-name.sdp", EBADMSG},
	{"bad-attr-empty.sdp", EBADMSG},
};

static void test_broken_bodies(void **state)
{
	struct pint_sdp sdp;
	size_t i, len;

	(void)state;
	for (i = 0; i < NELEM(broken); i++) {
		char rel[128], *in;
		int err;

		snprintf(rel, sizeof(rel), "sdp/%s", broken[i].file);
		in = test_read_file(rel, &len);
		err = pint_sdp_decode(&sdp, in, len);
		if (err != broken[i].err)
			fail_msg("%s: got %d, want %d", broken[i].file, err,
				 broken[i].err);
		/* A failed decode leaves the empty model, not a half one. */
		assert_null(sdp.origin.user.p);
		assert_int_equal(sdp.nmedia, 0);
		free(in);
	}
	assert_int_equal(pint_sdp_decode(&sdp, NULL, 0), EBADMSG);
	assert_int_equal(pint_sdp_decode(&sdp, NULL, 1), EINVAL);
}

/* The parser stops at len: no NUL needed, nothing read past it. */
static void test_decode_exact_buffer(void **state)
{
	size_t len;
	char *in = test_read_file("sdp/r2hc-uri.sdp", &len);
	char *copy = malloc(len);
	struct pint_sdp sdp;

	(void)state;
	assert_non_null(copy);
	memcpy(copy, in, len);
	assert_int_equal(pint_sdp_decode(&sdp, copy, len), 0);
	assert_pl(&sdp.media[0].fmtp[0].res[0].value,
		  "https://www.example.com/alerts/today.html");
	/* Cut inside the last line: still a body, with a shorter URI. */
	assert_int_equal(pint_sdp_decode(&sdp, copy, len - 7), 0);
	assert_pl(&sdp.media[0].fmtp[0].res[0].value,
		  "https://www.example.com/alerts/today");
	/* Cut just before t=: not a body any more. */
	assert_int_equal(memcmp(copy + 96, "t=0 0\r\n", 7), 0);
	assert_int_equal(pint_sdp_decode(&sdp, copy, 96), EBADMSG);
	free(copy);
	free(in);
}

/* ---- limits: each maximum decodes, one more is EMSGSIZE ---- */

static const char head[] =
	"v=0\r\no=- 1 1 IN IP4 h\r\ns=x\r\ne=a@b\r\nc=TN RFC2543 1\r\nt=0 0\r\n";

static int decode_built(struct pint_mbuf *mb)
{
	struct pint_sdp sdp;
	int err = pint_sdp_decode(&sdp, mb->buf, mb->len);

	pint_mbuf_reset(mb);
	return err;
}

/* n times pre<i>post, i = 0, 1, ... */
static void add(struct pint_mbuf *mb, const char *pre, size_t n, const char *post)
{
	size_t i;

	for (i = 0; i < n; i++)
		assert_int_equal(pint_mbuf_printf(mb, "%s%zu%s", pre, i, post), 0);
}

static int with_media(size_t n)
{
	struct pint_mbuf mb;

	pint_mbuf_init(&mb, 0);
	assert_int_equal(pint_mbuf_puts(&mb, head), 0);
	add(&mb, "m=audio 1 voice -\r\ni=", n, "\r\n");
	return decode_built(&mb);
}

static int with_fmts(size_t n)
{
	struct pint_mbuf mb;

	pint_mbuf_init(&mb, 0);
	assert_int_equal(pint_mbuf_puts(&mb, head), 0);
	assert_int_equal(pint_mbuf_puts(&mb, "m=text 1 fax"), 0);
	add(&mb, " f", n, "");
	assert_int_equal(pint_mbuf_puts(&mb, "\r\n"), 0);
	add(&mb, "a=fmtp:f", n, " opr:x\r\n");
	return decode_built(&mb);
}

static int with_res(size_t n)
{
	struct pint_mbuf mb;

	pint_mbuf_init(&mb, 0);
	assert_int_equal(pint_mbuf_puts(&mb, head), 0);
	assert_int_equal(pint_mbuf_puts(&mb, "m=text 1 fax plain\r\na=fmtp:plain"), 0);
	add(&mb, " uri:http://h/", n, "");
	assert_int_equal(pint_mbuf_puts(&mb, "\r\n"), 0);
	return decode_built(&mb);
}

static int with_require(size_t n)
{
	struct pint_mbuf mb;

	/* Split over two lines: the tags add up. */
	pint_mbuf_init(&mb, 0);
	assert_int_equal(pint_mbuf_puts(&mb, head), 0);
	assert_int_equal(pint_mbuf_puts(&mb, "a=require:t\r\na=require:"), 0);
	add(&mb, "t", n - 2, ",");
	assert_int_equal(pint_mbuf_puts(&mb, "t\r\nm=audio 1 voice -\r\n"), 0);
	return decode_built(&mb);
}

static int with_attrs(size_t n)
{
	struct pint_mbuf mb;

	pint_mbuf_init(&mb, 0);
	assert_int_equal(pint_mbuf_puts(&mb, head), 0);
	assert_int_equal(pint_mbuf_puts(&mb, "m=audio 1 voice -\r\n"), 0);
	add(&mb, "a=X-", n, "\r\n");
	return decode_built(&mb);
}

static int with_emails(size_t n)
{
	struct pint_mbuf mb;

	pint_mbuf_init(&mb, 0);
	assert_int_equal(pint_mbuf_puts(&mb, head), 0);
	add(&mb, "e=", n - 1, "@example.com\r\n");
	assert_int_equal(pint_mbuf_puts(&mb, "m=audio 1 voice -\r\n"), 0);
	return decode_built(&mb);
}

static int with_line(size_t n)
{
	struct pint_mbuf mb;

	pint_mbuf_init(&mb, 0);
	assert_int_equal(pint_mbuf_puts(&mb, head), 0);
	assert_int_equal(pint_mbuf_puts(&mb, "m=audio 1 voice -\r\ni="), 0);
	assert_int_equal(pint_mbuf_append(&mb, vbuf, n - 2), 0);
	assert_int_equal(pint_mbuf_puts(&mb, "\r\n"), 0);
	return decode_built(&mb);
}

static int with_lines(size_t n)
{
	struct pint_mbuf mb;

	/* head is 6 lines, m= one more; unknown lines count too. */
	pint_mbuf_init(&mb, 0);
	assert_int_equal(pint_mbuf_puts(&mb, head), 0);
	assert_int_equal(pint_mbuf_puts(&mb, "m=audio 1 voice -\r\n\r\n"), 0);
	add(&mb, "x=", n - 7, "\n");
	return decode_built(&mb);
}

static int with_body(size_t n)
{
	struct pint_mbuf mb;

	pint_mbuf_init(&mb, 0);
	assert_int_equal(pint_mbuf_puts(&mb, head), 0);
	assert_int_equal(pint_mbuf_puts(&mb, "m=audio 1 voice -\r\n"), 0);
	while (mb.len < n) {
		size_t room = n - mb.len, k = room > 1000 ? 1000 : room;

		/* "x=" + filler + CRLF, never shorter than 5 bytes */
		if (room > 1000 && room - 1000 < 5)
			k = room - 5;
		assert_int_equal(pint_mbuf_puts(&mb, "x="), 0);
		assert_int_equal(pint_mbuf_append(&mb, vbuf, k - 4), 0);
		assert_int_equal(pint_mbuf_puts(&mb, "\r\n"), 0);
	}
	assert_int_equal(mb.len, n);
	return decode_built(&mb);
}

static void test_decode_limits(void **state)
{
	static const struct {
		const char *name;
		int (*body)(size_t n);
		size_t max;
	} limits[] = {
		{"media", with_media, PINT_SDP_MAX_MEDIA},
		{"fmt", with_fmts, PINT_SDP_MAX_FMT},
		{"res", with_res, PINT_SDP_MAX_RES},
		{"require", with_require, PINT_SDP_MAX_REQUIRE},
		{"attr", with_attrs, PINT_SDP_MAX_ATTR},
		{"email", with_emails, PINT_SDP_MAX_EMAIL},
		{"line", with_line, PINT_SDP_MAX_LINE},
		{"lines", with_lines, PINT_SDP_MAX_LINES},
		{"body", with_body, PINT_SDP_MAX_BODY},
	};
	size_t i;

	(void)state;
	vrun(0);
	for (i = 0; i < NELEM(limits); i++) {
		int err = limits[i].body(limits[i].max);

		if (err)
			fail_msg("%s at %zu: %d", limits[i].name, limits[i].max, err);
		err = limits[i].body(limits[i].max + 1);
		if (err != EMSGSIZE)
			fail_msg("%s at %zu: %d", limits[i].name, limits[i].max + 1, err);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		leakcheck_test(test_examples_round_trip),
		leakcheck_test(test_defects_become_strict),
		leakcheck_test(test_reencode_is_stable),
		leakcheck_test(test_decode_fields),
		leakcheck_test(test_decode_fmtp_fallbacks),
		leakcheck_test(test_broken_bodies),
		leakcheck_test(test_decode_exact_buffer),
		leakcheck_test(test_decode_limits),
	};

	return cmocka_run_group_tests_name("pint_sdp_parse", tests, NULL, NULL);
}
