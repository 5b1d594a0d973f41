/*
 * tests/pint/test_sip.c — pint/sip.c, siphead.c, sipmsg.c, sipmime.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/pint/test_common.h"
#include "pint/sip.h"

static int group_setup(void **state)
{
	(void)state;
	return pint_sip_init();
}

static osip_message_t *parse_file(const char *name)
{
	struct pint_sip_error why;
	osip_message_t *msg = NULL;
	size_t len;
	char *buf = test_read_file(name, &len);
	int err = pint_sip_parse(&msg, buf, len, &why);

	if (err)
		fail_msg("%s: %d (%s)", name, err, why.reason ? why.reason : "-");
	free(buf);
	return msg;
}

static bool pl_is(const struct pint_pl *pl, const char *s)
{
	return pl->p && pint_pl_eq(pl, s);
}

#define assert_pl(pl, s) do { \
	if (!pl_is(&(pl), (s))) \
		fail_msg("view [%.*s] != [%s]", (int)(pl).l, \
			 (pl).p ? (pl).p : "(unset)", (s)); \
} while (0)

/* ---- parse table ------------------------------------------------------- */

static const struct {
	const char *file;
	int err;
	const char *reason;     /* for EBADMSG */
	int status;
} parse_cases[] = {
	{"r2c_invite.sip", 0, NULL, 0},
	{"r2f_invite.sip", 0, NULL, 0},
	{"r2f_multipart.sip", 0, NULL, 0},
	{"r2f_multipart_rfc2848.sip", 0, NULL, 0},
	{"subscribe_dialog.sip", 0, NULL, 0},
	{"unsubscribe_sdp.sip", 0, NULL, 0},
	{"notify_dialog_info.sip", 0, NULL, 0},
	{"notify_pint_warning.sip", 0, NULL, 0},
	{"response_200_sdp.sip", 0, NULL, 0},
	{"response_606_warning.sip", 0, NULL, 0},
	{"response_503_retry.sip", 0, NULL, 0},
	{"response_noreason.sip", 0, NULL, 0},
	{"compact_forms.sip", 0, NULL, 0},
	{"folded.sip", 0, NULL, 0},
	{"no_content_length.sip", 0, NULL, 0},
	{"leading_crlf_dblreq.sip", 0, NULL, 0},
	{"ack.sip", 0, NULL, 0},
	{"bigcode.sip", EBADMSG, "bad status code", 400},
	{"status_wrap.sip", EBADMSG, "bad status code", 400},
	{"status_700.sip", EBADMSG, "bad status code", 400},
	{"status_099.sip", EBADMSG, "bad status code", 400},
	{"status_nosp.sip", EBADMSG, "bad status code", 400},
	{"sip70.sip", EBADMSG, "unsupported SIP version", 505},
	{"bad_scheme.sip", EBADMSG, "unsupported URI scheme", 416},
	{"lws_start.sip", EBADMSG, "bad request line", 400},
	{"bad_method.sip", EBADMSG, "bad method", 400},
	{"cseq_overflow.sip", EBADMSG, "bad CSeq", 400},
	{"cseq_2p31.sip", EBADMSG, "bad CSeq", 400},
	{"cseq_mismatch.sip", EBADMSG, "CSeq method does not match", 400},
	{"notify_cseq_subscribe.sip", EBADMSG, "CSeq method does not match", 400},
	{"cancel_cseq_invite.sip", EBADMSG, "CSeq method does not match", 400},
	{"max_forwards_300.sip", EBADMSG, "bad Max-Forwards", 400},
	{"neg_content_length.sip", EBADMSG, "bad Content-Length", 400},
	{"content_length_long.sip", EBADMSG, "bad Content-Length", 400},
	{"content_length_twice.sip", EBADMSG, "several Content-Length", 400},
	{"content_length_junk.sip", EBADMSG, "bad Content-Length", 400},
	{"missing_callid.sip", EBADMSG, "missing Call-ID", 400},
	{"missing_via.sip", EBADMSG, "missing Via", 400},
	{"missing_from.sip", EBADMSG, "missing From", 400},
	{"missing_to.sip", EBADMSG, "missing To", 400},
	{"missing_cseq.sip", EBADMSG, "missing CSeq", 400},
	{"long_tag.sip", EBADMSG, "tag too long", 400},
	{"many_headers.sip", EBADMSG, "too many header fields", 400},
	{"malformed_line.sip", EBADMSG, "malformed header line", 400},
	{"no_end_of_headers.sip", EBADMSG, "no end of header section", 400},
	{"nul_byte.sip", EBADMSG, "NUL byte", 400},
	{"bare_cr.sip", EBADMSG, "bare CR", 400},
	{"bad_via.sip", EBADMSG, "malformed message", 400},
	{"uri_empty_port.sip", EBADMSG, "bad address or parameter", 400},
	{"via_bad_port.sip", EBADMSG, "bad address or parameter", 400},
	{"uri_empty_host.sip", EBADMSG, "bad address or parameter", 400},
	/* "sip:n\t\t>" unbracketed: printed, osip cannot read it back */
	{"uri_host_angle.sip", EBADMSG, "bad address or parameter", 400},
	{"param_name.sip", EBADMSG, "bad address or parameter", 400},
	{"ctl_char.sip", EBADMSG, "control character", 400},
	{"ctype_param_no_value.sip", EBADMSG, "unprintable header", 400},
	{"unprintable_from.sip", EBADMSG, "unprintable header", 400},
	{"multipart_no_boundary.sip", EBADMSG, "bad multipart boundary", 400},
	{"multipart_no_delimiter.sip", EBADMSG, "bad multipart body", 400},
	{"multipart_too_many.sip", EBADMSG, "too many body parts", 400},
	{"multipart_empty_part.sip", EBADMSG, "empty body part", 400},
	/* osip leaks the first of two Content-Types in a part (fuzzed) */
	{"multipart_dup_ctype.sip", EBADMSG,
	 "several Content-Type in a body part", 400},
	{"multipart_dup_ctype2.sip", EBADMSG,
	 "several Content-Type in a body part", 400},
	{"multipart_dup_ctype_prefix.sip", EBADMSG,
	 "several Content-Type in a body part", 400},
	{"multipart_dup_cid.sip", EBADMSG,
	 "several Content-ID in a body part", 400},
	{"multipart_dup_clen.sip", EBADMSG,
	 "several Content-Length in a body part", 400},
};

static void same_message(const osip_message_t *a, const osip_message_t *b)
{
	struct pint_pl ma, mb, ba, bb;
	uint32_t na, nb;

	assert_int_equal(MSG_IS_REQUEST(a), MSG_IS_REQUEST(b));
	if (MSG_IS_REQUEST(a))
		assert_string_equal(a->sip_method, b->sip_method);
	else
		assert_int_equal(a->status_code, b->status_code);
	assert_int_equal(pint_sip_cseq(a, &na, &ma), 0);
	assert_int_equal(pint_sip_cseq(b, &nb, &mb), 0);
	assert_int_equal(na, nb);
	assert_true(ma.l == mb.l && memcmp(ma.p, mb.p, ma.l) == 0);
	assert_int_equal(osip_list_size(&a->vias), osip_list_size(&b->vias));
	assert_int_equal(osip_list_size(&a->bodies), osip_list_size(&b->bodies));
	if (pint_sip_body(a, &ba) == 0) {
		assert_int_equal(pint_sip_body(b, &bb), 0);
		assert_int_equal(ba.l, bb.l);
		assert_memory_equal(ba.p, bb.p, ba.l);
	}
}

static char *read_sip(const char *name, size_t *lenp)
{
	char path[128];

	snprintf(path, sizeof(path), "sip/%s", name);
	return test_read_file(path, lenp);
}

/* Every fixture: the expected outcome, and a print/parse round trip. */
static void test_parse_table(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(parse_cases) / sizeof(parse_cases[0]); i++) {
		struct pint_sip_error why = {"junk", -1};
		osip_message_t *msg = NULL, *again = NULL;
		size_t len, slen;
		char *buf = read_sip(parse_cases[i].file, &len), *s;
		int err = pint_sip_parse(&msg, buf, len, &why);

		if (err != parse_cases[i].err)
			fail_msg("%s: got %d (%s), want %d", parse_cases[i].file,
				 err, why.reason ? why.reason : "-",
				 parse_cases[i].err);
		if (err) {
			assert_null(msg);
			assert_non_null(why.reason);
			if (strcmp(why.reason, parse_cases[i].reason) != 0)
				fail_msg("%s: reason [%s], want [%s]",
					 parse_cases[i].file, why.reason,
					 parse_cases[i].reason);
			assert_int_equal(why.status, parse_cases[i].status);
			free(buf);
			continue;
		}
		assert_null(why.reason);
		assert_int_equal(pint_sip_to_str(msg, &s, &slen), 0);
		assert_int_equal(strlen(s), slen);
		err = pint_sip_parse(&again, s, slen, &why);
		if (err)
			fail_msg("%s: re-parse %d (%s)\n%s", parse_cases[i].file,
				 err, why.reason, s);
		same_message(msg, again);
		osip_message_free(again);
		free(s);
		osip_message_free(msg);
		free(buf);
	}
}

/* ---- limits and raw forms ---------------------------------------------- */

static char *options_with_body(size_t total, size_t *lenp)
{
	static const char fmt[] =
		"OPTIONS sip:R2C@pint.example.net SIP/2.0\r\n"
		"Via: SIP/2.0/UDP gw.example.com;branch=z9hG4bK-big\r\n"
		"From: <sip:a@gw.example.com>;tag=1\r\n"
		"To: <sip:R2C@pint.example.net>\r\n"
		"Call-ID: big@gw.example.com\r\n"
		"CSeq: 1 OPTIONS\r\n"
		"Content-Type: text/plain\r\n"
		"Content-Length: %05zu\r\n\r\n";
	size_t head = (size_t)snprintf(NULL, 0, fmt, (size_t)0);
	char *buf = malloc(total + 1);

	assert_non_null(buf);
	assert_true(total > head);
	snprintf(buf, total + 1, fmt, total - head);
	memset(buf + head, 'x', total - head);
	buf[total] = '\0';
	*lenp = total;
	return buf;
}

static void test_parse_limits(void **state)
{
	struct pint_sip_error why;
	osip_message_t *msg = NULL;
	size_t len;
	char *buf;

	(void)state;
	buf = options_with_body(PINT_SIP_MAX_MSG, &len);
	assert_int_equal(pint_sip_parse(&msg, buf, len, &why), 0);
	osip_message_free(msg);
	free(buf);

	msg = NULL;
	buf = options_with_body(PINT_SIP_MAX_MSG + 1, &len);
	assert_int_equal(pint_sip_parse(&msg, buf, len, &why), EMSGSIZE);
	assert_null(msg);
	assert_string_equal(why.reason, "message too large");
	assert_int_equal(why.status, 513);
	free(buf);

	assert_int_equal(pint_sip_parse(&msg, "", 0, &why), EBADMSG);
	assert_string_equal(why.reason, "empty message");
	assert_int_equal(pint_sip_parse(&msg, "\r\n\r\n", 4, NULL), EBADMSG);
	assert_int_equal(pint_sip_parse(NULL, "x", 1, NULL), EINVAL);
	assert_int_equal(pint_sip_parse(&msg, NULL, 3, NULL), EINVAL);
}

/* The input need not be NUL-terminated: ASan watches the exact buffer. */
static void test_parse_unterminated(void **state)
{
	osip_message_t *msg = NULL;
	size_t len;
	char *file = read_sip("r2f_multipart.sip", &len);
	char *exact = malloc(len);

	(void)state;
	assert_non_null(exact);
	memcpy(exact, file, len);
	assert_int_equal(pint_sip_parse(&msg, exact, len, NULL), 0);
	assert_int_equal(osip_list_size(&msg->bodies), 2);
	osip_message_free(msg);
	free(exact);
	free(file);
}

/* osip drops bodies of LF-only messages; ours keeps them. */
static void test_parse_lf_only(void **state)
{
	static const char body[] = "v=0\no=- 1 1 IN IP4 192.0.2.10\ns=R2C\n"
		"c=TN RFC2543 +1-555-555-0199\nt=0 0\nm=audio 1 voice -\n";
	osip_message_t *msg = NULL;
	struct pint_pl pl;
	char buf[1024];
	int n;

	(void)state;
	n = snprintf(buf, sizeof(buf),
		     "INVITE sip:R2C@pint.example.net SIP/2.0\n"
		     "Via: SIP/2.0/UDP gw.example.com;branch=z9hG4bK-lf\n"
		     "From: <sip:a@gw.example.com>;tag=lf1\n"
		     "To: <sip:R2C@pint.example.net>\n"
		     "Call-ID: lf@gw.example.com\n"
		     "CSeq: 3 INVITE\n"
		     "Content-Type: application/sdp\n"
		     "Content-Length: %zu\n\n%s", sizeof(body) - 1, body);
	assert_true(n > 0 && (size_t)n < sizeof(buf));
	assert_int_equal(pint_sip_parse(&msg, buf, (size_t)n, NULL), 0);
	assert_int_equal(pint_sip_body(msg, &pl), 0);
	assert_pl(pl, body);
	osip_message_free(msg);
}

/* ---- getters ----------------------------------------------------------- */

static void test_r2c_fields(void **state)
{
	osip_message_t *msg = parse_file("sip/r2c_invite.sip");
	struct pint_sip_part part;
	struct pint_sip_via via;
	struct pint_pl pl;
	char bnd[PINT_SIP_MAX_BOUNDARY + 1];
	uint32_t num;
	size_t len;
	char *file = read_sip("r2c_invite.sip", &len);

	(void)state;
	assert_string_equal(msg->sip_method, "INVITE");
	assert_string_equal(msg->req_uri->username, "R2C");
	assert_int_equal(pint_sip_header(msg, "Require", 0, &pl), 0);
	assert_pl(pl, "org.ietf.sip.subscribe");
	assert_int_equal(pint_sip_header(msg, "max-forwards", 0, &pl), 0);
	assert_pl(pl, "70");
	assert_int_equal(pint_sip_body(msg, &pl), 0);
	assert_pl(pl, strstr(file, "\r\n\r\n") + 4);
	assert_int_equal(pint_sip_part(msg, 0, &part), 0);
	assert_null(part.type.p);
	assert_int_equal(part.data.l, pl.l);
	assert_int_equal(pint_sip_part(msg, 1, &part), ENOENT);
	assert_int_equal(pint_sip_multipart_boundary(msg, bnd, NULL), ENOENT);
	assert_int_equal(pint_sip_cseq(msg, &num, &pl), 0);
	assert_int_equal(num, 1);
	assert_pl(pl, "INVITE");
	assert_int_equal(pint_sip_from_tag(msg, &pl), 0);
	assert_pl(pl, "a73kszlfl");
	assert_int_equal(pint_sip_to_tag(msg, &pl), ENOENT);
	assert_int_equal(pint_sip_top_via(msg, &via), 0);
	assert_pl(via.transport, "UDP");
	assert_pl(via.host, "gw.example.com");
	assert_int_equal(via.port, 5060);
	assert_pl(via.branch, "z9hG4bK-pint-1");
	assert_null(via.received.p);
	assert_false(via.rport);
	assert_int_equal(pint_sip_expires(msg, 100, &num), ENOENT);
	free(file);
	osip_message_free(msg);
}

static void test_compact_and_folded(void **state)
{
	osip_message_t *msg = parse_file("sip/compact_forms.sip");
	struct pint_sip_via via;
	struct pint_pl pl;
	uint32_t num;

	(void)state;
	assert_int_equal(pint_sip_header(msg, "Event", 0, &pl), 0);
	assert_pl(pl, "dialog");
	assert_int_equal(pint_sip_header(msg, "o", 0, &pl), 0);
	assert_pl(pl, "dialog");
	assert_int_equal(pint_sip_header(msg, "EVENT", 1, &pl), ENOENT);
	assert_int_equal(pint_sip_header(msg, "Supported", 0, &pl), 0);
	assert_pl(pl, "timer");
	assert_int_equal(pint_sip_header(msg, "Content-Encoding", 0, &pl), 0);
	assert_pl(pl, "gzip");
	assert_int_equal(pint_sip_header(msg, "e", 0, &pl), 0);
	assert_pl(pl, "gzip");
	assert_int_equal(pint_sip_header(msg, "Subject", 0, &pl), 0);
	assert_pl(pl, "compact");
	assert_int_equal(pint_sip_header(msg, "v", 0, &pl), EINVAL);
	assert_int_equal(pint_sip_header(msg, "Call-ID", 0, &pl), EINVAL);
	assert_int_equal(pint_sip_header(msg, "X-None", 0, &pl), ENOENT);
	assert_int_equal(pint_sip_top_via(msg, &via), 0);
	assert_pl(via.host, "2001:db8::9");
	assert_int_equal(via.port, 5070);
	assert_true(via.rport);
	assert_int_equal(via.rport_value, 5071);
	assert_pl(via.received, "2001:db8::10");
	assert_int_equal(pint_sip_from_tag(msg, &pl), 0);
	assert_pl(pl, "c1");
	assert_int_equal(pint_sip_to_tag(msg, &pl), 0);
	assert_pl(pl, "c2");
	assert_int_equal(pint_sip_body(msg, &pl), 0);
	assert_pl(pl, "ok\r\n");
	osip_message_free(msg);

	msg = parse_file("sip/folded.sip");
	assert_int_equal(pint_sip_from_tag(msg, &pl), 0);
	assert_pl(pl, "fold1");
	assert_int_equal(pint_sip_cseq(msg, &num, &pl), 0);
	assert_int_equal(num, 5);
	assert_pl(pl, "OPTIONS");
	assert_int_equal(pint_sip_header(msg, "subject", 0, &pl), 0);
	assert_true(pint_pl_prefix(&pl, "a long") && pl.p[pl.l - 1] == 't');
	assert_int_equal(pint_sip_body(msg, &pl), ENOENT);
	osip_message_free(msg);
}

static void test_pint_messages(void **state)
{
	osip_message_t *msg = parse_file("sip/subscribe_dialog.sip");
	struct pint_pl pl;
	uint32_t secs;

	(void)state;
	assert_int_equal(pint_sip_header(msg, "Event", 0, &pl), 0);
	assert_true(pint_pl_prefix(&pl, "dialog;call-id="));
	assert_int_equal(pint_sip_header(msg, "Accept", 0, &pl), EINVAL);
	assert_int_equal(osip_list_size(&msg->accepts), 1);
	assert_int_equal(pint_sip_expires(msg, 86400, &secs), 0);
	assert_int_equal(secs, 3600);
	assert_int_equal(pint_sip_expires(msg, 600, &secs), 0);
	assert_int_equal(secs, 600);
	osip_message_free(msg);

	msg = parse_file("sip/notify_dialog_info.sip");
	assert_int_equal(pint_sip_body(msg, &pl), 0);
	assert_true(pint_pl_prefix(&pl, "<?xml version=\"1.0\"?>\r\n<dialog-info"));
	assert_int_equal(pint_sip_header(msg, "Subscription-State", 0, &pl), 0);
	assert_pl(pl, "active;expires=3599");
	assert_string_equal(msg->content_type->subtype, "dialog-info+xml");
	osip_message_free(msg);

	msg = parse_file("sip/unsubscribe_sdp.sip");
	assert_string_equal(msg->sip_method, "UNSUBSCRIBE");
	assert_int_equal(pint_sip_body(msg, &pl), 0);
	assert_true(pint_pl_prefix(&pl, "v=0\r\n"));
	osip_message_free(msg);

	msg = parse_file("sip/response_503_retry.sip");
	assert_int_equal(msg->status_code, 503);
	assert_int_equal(pint_sip_retry_after(msg, 3600, &secs), 0);
	assert_int_equal(secs, 120);
	assert_int_equal(pint_sip_retry_after(msg, 60, &secs), 0);
	assert_int_equal(secs, 60);
	osip_message_free(msg);

	msg = parse_file("sip/response_noreason.sip");
	assert_int_equal(msg->status_code, 100);
	osip_message_free(msg);

	msg = parse_file("sip/no_content_length.sip");
	assert_int_equal(pint_sip_body(msg, &pl), 0);
	assert_pl(pl, "no length here\r\n");
	osip_message_free(msg);

	msg = parse_file("sip/leading_crlf_dblreq.sip");
	assert_string_equal(msg->call_id->number, "dbl-1");
	assert_int_equal(pint_sip_body(msg, &pl), ENOENT);
	osip_message_free(msg);
}

static osip_message_t *options_with(const char *extra)
{
	char buf[1024];
	int n = snprintf(buf, sizeof(buf),
			 "OPTIONS sip:R2C@pint.example.net SIP/2.0\r\n"
			 "Via: SIP/2.0/UDP gw.example.com;branch=z9hG4bK-o\r\n"
			 "From: <sip:a@gw.example.com>;tag=1\r\n"
			 "To: <sip:R2C@pint.example.net>\r\n"
			 "Call-ID: opt@gw.example.com\r\n"
			 "CSeq: 1 OPTIONS\r\n%s\r\n"
			 "Content-Length: 0\r\n\r\n", extra);
	osip_message_t *msg = NULL;

	assert_true(n > 0 && (size_t)n < sizeof(buf));
	assert_int_equal(pint_sip_parse(&msg, buf, (size_t)n, NULL), 0);
	return msg;
}

static void test_delta_seconds(void **state)
{
	static const struct {
		const char *hdr;
		uint32_t max;
		int err;
		uint32_t secs;
	} cases[] = {
		{"Expires: 10", 3600, 0, 10},
		{"Expires:  5 ", 3600, 0, 5},
		{"Expires: 0", 3600, 0, 0},
		{"Expires: 99999999999999999999999", 4294967295u, 0, 4294967295u},
		{"Expires: 7200", 3600, 0, 3600},
		{"Expires: Sat, 13 Nov 2010 23:29:00 GMT", 3600, EBADMSG, 0},
		{"Expires: 12x", 3600, EBADMSG, 0},
		{"Retry-After: 18000;duration=3600", 86400, 0, 18000},
		{"Retry-After: 120 (I'm in a meeting)", 86400, 0, 120},
		{"Retry-After: 120", 30, 0, 30},
		{"Retry-After: soon", 30, EBADMSG, 0},
		{"Retry-After: 12x", 30, EBADMSG, 0},
		{"X-Other: 1", 30, ENOENT, 0},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		osip_message_t *msg = options_with(cases[i].hdr);
		uint32_t secs = 12345;
		int err;

		if (strncmp(cases[i].hdr, "Retry", 5) == 0)
			err = pint_sip_retry_after(msg, cases[i].max, &secs);
		else if (strncmp(cases[i].hdr, "Expires", 7) == 0)
			err = pint_sip_expires(msg, cases[i].max, &secs);
		else if ((err = pint_sip_retry_after(msg, cases[i].max,
						     &secs)) == ENOENT)
			err = pint_sip_expires(msg, cases[i].max, &secs);
		if (err != cases[i].err)
			fail_msg("%s: %d", cases[i].hdr, err);
		if (!err)
			assert_int_equal(secs, cases[i].secs);
		osip_message_free(msg);
	}
}

/* ---- Warning ----------------------------------------------------------- */

static const struct {
	const char *in;
	size_t max;
	size_t n;
	struct {
		unsigned code;
		const char *agent;
		const char *text;
	} w[3];
} warning_cases[] = {
	{"399 gw \"Fax in progress, service cannot be aborted\"", 4, 1,
	 {{399, "gw", "Fax in progress, service cannot be aborted"}}},
	{"xxx pint.example.net fax aborted, will try for the next hour", 4, 1,
	 {{0, "pint.example.net", "fax aborted, will try for the next hour"}}},
	{"307 gw \"a, b\", 399 h \"c\"", 4, 2,
	 {{307, "gw", "a, b"}, {399, "h", "c"}}},
	{"399 gw fax aborted, 305 gw2 \"jpeg\"", 4, 2,
	 {{399, "gw", "fax aborted"}, {305, "gw2", "jpeg"}}},
	{"399 gw \"esc \\\"q\\\" x\"", 4, 1, {{399, "gw", "esc \\\"q\\\" x"}}},
	{"399 gw", 4, 1, {{399, "gw", ""}}},
	{"399", 4, 1, {{399, "", ""}}},
	{"", 4, 0, {{0, NULL, NULL}}},
	{" , ,399 a \"b\" ,", 4, 1, {{399, "a", "b"}}},
	{"3999 gw text", 4, 1, {{0, "gw", "text"}}},
	{"399 gw \"unterminated", 4, 1, {{399, "gw", "unterminated"}}},
	{"301 [2001:db8::1]:5060 \"v6 agent\"", 4, 1,
	 {{301, "[2001:db8::1]:5060", "v6 agent"}}},
	{"300 a \"1\", 301 b \"2\", 302 c \"3\"", 2, 2,
	 {{300, "a", "1"}, {301, "b", "2"}}},
	{"399 gw.example.com:5060   spaced   text  ", 4, 1,
	 {{399, "gw.example.com:5060", "spaced   text"}}},
};

static void test_warning_table(void **state)
{
	size_t i, k;

	(void)state;
	for (i = 0; i < sizeof(warning_cases) / sizeof(warning_cases[0]); i++) {
		struct pint_sip_warning w[4];
		size_t n = 99;
		const char *in = warning_cases[i].in;

		assert_int_equal(pint_sip_warning_parse(in, strlen(in), w,
							warning_cases[i].max,
							&n), 0);
		if (n != warning_cases[i].n)
			fail_msg("[%s]: %zu warnings", in, n);
		for (k = 0; k < n; k++) {
			assert_int_equal(w[k].code, warning_cases[i].w[k].code);
			assert_pl(w[k].agent, warning_cases[i].w[k].agent);
			assert_pl(w[k].text, warning_cases[i].w[k].text);
		}
	}
	assert_int_equal(pint_sip_warning_parse("x", 1, NULL, 1, NULL), EINVAL);
}

static void test_warnings_in_messages(void **state)
{
	osip_message_t *msg = parse_file("sip/notify_pint_warning.sip");
	struct pint_sip_warning w[PINT_SIP_MAX_PARTS];
	size_t n;

	(void)state;
	assert_int_equal(pint_sip_warnings(msg, w, 8, &n), 0);
	assert_int_equal(n, 3);
	assert_int_equal(w[0].code, 0);
	assert_pl(w[0].agent, "pint.example.net");
	assert_pl(w[0].text, "fax aborted, will try for the next hour");
	assert_int_equal(w[1].code, 399);
	assert_pl(w[1].text, "3 of 5 pages, \\\"retrying\\\"");
	assert_int_equal(w[2].code, 305);
	assert_pl(w[2].text, "jpeg");
	assert_int_equal(pint_sip_warnings(msg, w, 1, &n), 0);
	assert_int_equal(n, 1);
	osip_message_free(msg);

	msg = parse_file("sip/response_606_warning.sip");
	assert_int_equal(msg->status_code, 606);
	assert_int_equal(pint_sip_warnings(msg, w, 8, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(w[0].code, 307);
	assert_pl(w[0].text, "session id no longer valid");
	osip_message_free(msg);
}

/* ---- response builders ------------------------------------------------- */

static const char two_vias[] =
	"INVITE sip:R2C@pint.example.net SIP/2.0\r\n"
	"Via: SIP/2.0/UDP proxy.example.net;branch=z9hG4bK-p1\r\n"
	"Via: SIP/2.0/TCP gw.example.com:5070;branch=z9hG4bK-g1;rport\r\n"
	"Max-Forwards: 69\r\n"
	"From: \"Gateway\" <sip:pint-client@gw.example.com>;tag=f1\r\n"
	"To: <sip:R2C@pint.example.net>\r\n"
	"Call-ID: two-vias@gw.example.com\r\n"
	"CSeq: 42 INVITE\r\n"
	"Content-Length: 0\r\n\r\n";

static void test_response_builder(void **state)
{
	osip_message_t *req = NULL, *resp = NULL, *again = NULL, *r2 = NULL;
	struct pint_pl pl;
	uint32_t num;
	size_t len;
	char *s;

	(void)state;
	assert_int_equal(pint_sip_parse(&req, two_vias, strlen(two_vias),
					NULL), 0);
	assert_int_equal(pint_sip_response(&resp, req, 180, NULL, "uas1"), 0);
	assert_int_equal(resp->status_code, 180);
	assert_string_equal(resp->reason_phrase, "Ringing");
	assert_int_equal(osip_list_size(&resp->vias), 2);
	assert_string_equal(((osip_via_t *)osip_list_get(&resp->vias, 0))->host,
			    "proxy.example.net");
	assert_string_equal(((osip_via_t *)osip_list_get(&resp->vias, 1))->host,
			    "gw.example.com");
	assert_int_equal(pint_sip_from_tag(resp, &pl), 0);
	assert_pl(pl, "f1");
	assert_string_equal(resp->from->displayname, "\"Gateway\"");
	assert_int_equal(pint_sip_to_tag(resp, &pl), 0);
	assert_pl(pl, "uas1");
	assert_string_equal(resp->call_id->number, "two-vias");
	assert_int_equal(pint_sip_cseq(resp, &num, &pl), 0);
	assert_int_equal(num, 42);
	assert_pl(pl, "INVITE");
	assert_int_equal(pint_sip_header(resp, "max-forwards", 0, &pl), ENOENT);

	assert_int_equal(pint_sip_add_warning(resp, 399, "gw.example.com",
					      "Fax in progress, \"really\" \\"),
			 0);
	assert_int_equal(pint_sip_to_str(resp, &s, &len), 0);
	assert_non_null(strstr(s, "Warning: 399 gw.example.com "
			       "\"Fax in progress, \\\"really\\\" \\\\\"\r\n"));
	assert_int_equal(pint_sip_parse(&again, s, len, NULL), 0);
	{
		struct pint_sip_warning w[2];
		size_t n;

		assert_int_equal(pint_sip_warnings(again, w, 2, &n), 0);
		assert_int_equal(n, 1);
		assert_int_equal(w[0].code, 399);
		assert_pl(w[0].text, "Fax in progress, \\\"really\\\" \\\\");
	}
	/* a response is not answered */
	assert_int_equal(pint_sip_response(&r2, again, 200, "OK", "other"),
			 EINVAL);
	osip_message_free(again);
	free(s);

	assert_int_equal(pint_sip_add_warning(resp, 99, "gw", "x"), EINVAL);
	assert_int_equal(pint_sip_add_warning(resp, 1000, "gw", "x"), EINVAL);
	assert_int_equal(pint_sip_add_warning(resp, 399, "g w", "x"), EINVAL);
	assert_int_equal(pint_sip_add_warning(resp, 399, "", "x"), EINVAL);
	assert_int_equal(pint_sip_add_warning(resp, 399, "gw", "a\r\nb"),
			 EINVAL);
	{
		char big[PINT_SIP_MAX_WARNING + 2];

		memset(big, 'w', sizeof(big) - 1);
		big[sizeof(big) - 1] = '\0';
		assert_int_equal(pint_sip_add_warning(resp, 399, "gw", big),
				 EMSGSIZE);
	}
	osip_message_free(resp);

	resp = NULL;
	assert_int_equal(pint_sip_response(&resp, req, 486, "Busy Here", NULL),
			 0);
	assert_int_equal(pint_sip_to_tag(resp, &pl), ENOENT);
	osip_message_free(resp);

	assert_int_equal(pint_sip_response(&resp, req, 99, NULL, NULL), EINVAL);
	assert_int_equal(pint_sip_response(&resp, req, 700, NULL, NULL), EINVAL);
	assert_int_equal(pint_sip_response(&resp, req, 400, "a\nb", NULL),
			 EINVAL);
	assert_int_equal(pint_sip_response(&resp, req, 400, NULL, "a b"),
			 EINVAL);
	osip_message_free(req);
}

static void test_response_keeps_tag(void **state)
{
	osip_message_t *req = parse_file("sip/unsubscribe_sdp.sip");
	osip_message_t *resp = NULL, *r = NULL;
	struct pint_pl pl;

	(void)state;
	assert_int_equal(pint_sip_response(&resp, req, 200, NULL, "new"), 0);
	assert_int_equal(pint_sip_to_tag(resp, &pl), 0);
	assert_pl(pl, "sub77");
	assert_string_equal(resp->reason_phrase, "OK");
	assert_int_equal(pint_sip_response(&r, resp, 200, NULL, NULL), EINVAL);
	osip_message_free(resp);
	osip_message_free(req);
}

static void test_reply_raw(void **state)
{
	static const struct {
		const char *file;
		int err;
	} cases[] = {
		{"cseq_mismatch.sip", 0},
		{"compact_forms.sip", 0},
		{"bad_via.sip", 0},
		{"malformed_line.sip", 0},
		{"bigcode.sip", ENOENT},
		{"missing_callid.sip", ENOENT},
		{"no_end_of_headers.sip", EBADMSG},
		{"nul_byte.sip", EBADMSG},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		osip_message_t *resp = NULL;
		size_t len, rlen;
		char *buf = read_sip(cases[i].file, &len), *r = NULL;
		struct pint_pl pl;
		int err = pint_sip_reply_raw(&r, &rlen, buf, len, 400,
					     "Bad CSeq", "x1");

		if (err != cases[i].err)
			fail_msg("%s: %d", cases[i].file, err);
		if (!err) {
			assert_true(pint_pl_prefix(&(struct pint_pl){r, rlen},
						   "SIP/2.0 400 Bad CSeq\r\n"));
			if (strcmp(cases[i].file, "bad_via.sip") != 0) {
				assert_int_equal(pint_sip_parse(&resp, r, rlen,
								NULL), 0);
				assert_int_equal(resp->status_code, 400);
				assert_int_equal(pint_sip_to_tag(resp, &pl), 0);
				assert_pl(pl, strcmp(cases[i].file,
						     "compact_forms.sip") ?
					  "x1" : "c2");
				osip_message_free(resp);
			}
			assert_non_null(strstr(r, "Content-Length: 0\r\n\r\n"));
			free(r);
		}
		free(buf);
	}
	{
		static const char ack[] = "ACK sip:a@b SIP/2.0\r\nVia: SIP/2.0/"
			"UDP h\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:c@d>\r\n"
			"Call-ID: x\r\nCSeq: 1 ACK\r\n\r\n";
		char *r;

		assert_int_equal(pint_sip_reply_raw(&r, NULL, ack, strlen(ack),
						    400, NULL, NULL), ENOENT);
		assert_int_equal(pint_sip_reply_raw(&r, NULL, ack, strlen(ack),
						    99, NULL, NULL), EINVAL);
		assert_int_equal(pint_sip_reply_raw(&r, NULL, ack, strlen(ack),
						    400, NULL, "a;b"), EINVAL);
	}
	{
		size_t len, rlen;
		char *big = options_with_body(PINT_SIP_MAX_MSG + 100, &len), *r;

		assert_int_equal(pint_sip_reply_raw(&r, &rlen, big, len, 513,
						    NULL, NULL), 0);
		assert_true(pint_pl_prefix(&(struct pint_pl){r, rlen},
					   "SIP/2.0 513 Message Too Large\r\n"));
		free(r);
		free(big);
	}
}

/* ---- framing ----------------------------------------------------------- */

struct stream_case {
	char *buf;
	size_t len;
	size_t off[3];          /* expected message offsets and lengths */
	size_t mlen[3];
};

static void stream_build(struct stream_case *sc)
{
	static const char lf_msg[] =
		"NOTIFY sip:a@b SIP/2.0\nVia: SIP/2.0/TCP h;branch=z9hG4bK-lf\n"
		"From: <sip:a@b>;tag=1\nTo: <sip:c@d>;tag=2\nCall-ID: lf\n"
		"CSeq: 2 NOTIFY\nl: 3\n\nabc";
	size_t l1, l2;
	char *m1 = read_sip("r2c_invite.sip", &l1);
	char *m2 = read_sip("r2f_multipart.sip", &l2);
	size_t l3 = strlen(lf_msg), pos = 0;

	sc->len = 4 + l1 + 2 + l2 + 4 + l3;
	sc->buf = malloc(sc->len);
	assert_non_null(sc->buf);
	memcpy(sc->buf, "\r\n\r\n", 4);
	pos = 4;
	sc->off[0] = pos;
	sc->mlen[0] = l1;
	memcpy(sc->buf + pos, m1, l1);
	pos += l1;
	memcpy(sc->buf + pos, "\r\n", 2);
	pos += 2;
	sc->off[1] = pos;
	sc->mlen[1] = l2;
	memcpy(sc->buf + pos, m2, l2);
	pos += l2;
	memcpy(sc->buf + pos, "\r\n\r\n", 4);
	pos += 4;
	sc->off[2] = pos;
	sc->mlen[2] = l3;
	memcpy(sc->buf + pos, lf_msg, l3);
	free(m1);
	free(m2);
}

/* Frame what is buffered; returns messages found, checks them in order. */
static size_t drain(const struct stream_case *sc, size_t have, size_t *offp,
		    size_t found)
{
	for (;;) {
		size_t mlen = 7, skip = 7;

		assert_int_equal(pint_sip_frame(sc->buf + *offp, have - *offp,
						&mlen, &skip), 0);
		*offp += skip;
		if (mlen == 0)
			return found;
		assert_true(found < 3);
		assert_int_equal(*offp, sc->off[found]);
		assert_int_equal(mlen, sc->mlen[found]);
		*offp += mlen;
		found++;
	}
}

static void test_frame_every_split(void **state)
{
	struct stream_case sc;
	size_t k, off, found;

	(void)state;
	stream_build(&sc);
	for (k = 0; k <= sc.len; k++) {
		off = 0;
		found = drain(&sc, k, &off, 0);
		found = drain(&sc, sc.len, &off, found);
		assert_int_equal(found, 3);
		assert_int_equal(off, sc.len);
	}
	off = 0;
	found = 0;
	for (k = 1; k <= sc.len; k++)
		found = drain(&sc, k, &off, found);
	assert_int_equal(found, 3);
	assert_int_equal(off, sc.len);
	for (k = 0; k < 3; k++) {
		osip_message_t *msg = NULL;

		assert_int_equal(pint_sip_parse(&msg, sc.buf + sc.off[k],
						sc.mlen[k], NULL), 0);
		osip_message_free(msg);
	}
	free(sc.buf);
}

#define WHOLE ((size_t)-1)     /* the whole input (minus n: WHOLE - n) */

static void test_frame_errors(void **state)
{
	static const struct {
		const char *in;
		int err;
		size_t mlen;
		size_t skip;
	} cases[] = {
		{"OPTIONS sip:a@b SIP/2.0\r\nCSeq: 1 OPTIONS\r\n\r\n",
		 EBADMSG, 0, 0},
		{"OPTIONS sip:a@b SIP/2.0\r\nContent-Length: abc\r\n\r\n",
		 EBADMSG, 0, 0},
		{"OPTIONS sip:a@b SIP/2.0\r\nContent-Length: -1\r\n\r\n",
		 EBADMSG, 0, 0},
		{"OPTIONS sip:a@b SIP/2.0\r\nl: 1\r\nContent-Length: 1\r\n\r\nx",
		 EBADMSG, 0, 0},
		{"OPTIONS sip:a@b SIP/2.0\r\nContent-Length: 70000\r\n\r\n",
		 EMSGSIZE, 0, 0},
		{"OPTIONS sip:a@b SIP/2.0\r\nContent-Length: 65500\r\n\r\n",
		 EMSGSIZE, 0, 0},
		{"\r\n\r\n", 0, 0, 4},
		{"\r\n\r\nOPTIONS sip:a@b SIP/2.0\r\n", 0, 0, 4},
		{"OPTIONS sip:a@b SIP/2.0\nContent-Length: 2\n\nab", 0, WHOLE, 0},
		{"OPTIONS sip:a@b SIP/2.0\r\nContent-Length:\r\n 2\r\n\r\nab",
		 0, WHOLE, 0},
		{"\r\nOPTIONS sip:a@b SIP/2.0\r\nl:0\r\n\r\n", 0, WHOLE - 2, 2},
		{"OPTIONS sip:a@b SIP/2.0\r\nContent-Length: 3\r\n\r\nab", 0, 0, 0},
	};
	size_t i, mlen, skip;
	char *big;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int err = pint_sip_frame(cases[i].in, strlen(cases[i].in),
					 &mlen, &skip);

		if (err != cases[i].err)
			fail_msg("case %zu: %d", i, err);
		assert_int_equal(skip, cases[i].skip);
		if (!err && cases[i].mlen >= WHOLE - 2)
			assert_int_equal(mlen, strlen(cases[i].in) -
				 (WHOLE - cases[i].mlen));
		else if (!err)
			assert_int_equal(mlen, cases[i].mlen);
	}
	big = malloc(PINT_SIP_MAX_MSG + 10);
	assert_non_null(big);
	memcpy(big, "OPTIONS sip:a@b SIP/2.0\r\nX: ", 28);
	memset(big + 28, 'y', PINT_SIP_MAX_MSG + 10 - 28);
	assert_int_equal(pint_sip_frame(big, 1000, &mlen, &skip), 0);
	assert_int_equal(mlen, 0);
	assert_int_equal(pint_sip_frame(big, PINT_SIP_MAX_MSG + 10, &mlen,
					&skip), EMSGSIZE);
	free(big);
	assert_int_equal(pint_sip_frame("x", 1, NULL, &skip), EINVAL);
}

/* ---- multipart --------------------------------------------------------- */

static void test_multipart_parse(void **state)
{
	osip_message_t *msg = parse_file("sip/r2f_multipart.sip");
	char bnd[PINT_SIP_MAX_BOUNDARY + 1];
	struct pint_sip_part part;
	struct pint_pl pl;

	(void)state;
	assert_int_equal(pint_sip_multipart_boundary(msg, bnd, &pl), 0);
	assert_string_equal(bnd, "--next-part");
	assert_null(pl.p);
	assert_int_equal(pint_sip_ctype_param(msg->content_type, "BOUNDARY",
					      &pl), 0);
	assert_pl(pl, "--next-part");
	assert_int_equal(pint_sip_ctype_param(msg->content_type, "charset",
					      &pl), ENOENT);
	assert_int_equal(pint_sip_body(msg, &pl), EBADMSG);
	assert_int_equal(pint_sip_part(msg, 0, &part), 0);
	assert_pl(part.type, "application/sdp");
	assert_null(part.id.p);
	assert_true(pint_pl_prefix(&part.data, "v=0\r\n"));
	assert_memory_equal(part.data.p + part.data.l - 16, "spr:2@53655768\r\n",
			    16);
	assert_int_equal(pint_sip_part(msg, 1, &part), 0);
	assert_pl(part.type, "text/plain; charset=us-ascii");
	assert_pl(part.id, "2@53655768");
	assert_pl(part.data, "Please find our price list below.");
	assert_int_equal(pint_sip_part(msg, 2, &part), ENOENT);
	osip_message_free(msg);

	msg = parse_file("sip/r2f_multipart_rfc2848.sip");
	assert_int_equal(pint_sip_multipart_boundary(msg, bnd, NULL), 0);
	assert_string_equal(bnd, "next-part");
	assert_int_equal(pint_sip_part(msg, 0, &part), 0);
	assert_pl(part.type, "application/sdp");
	assert_true(pint_pl_prefix(&part.data, "v=0\r\no=- 3002"));
	assert_int_equal(pint_sip_part(msg, 1, &part), 0);
	assert_pl(part.id, "2@53655768");
	assert_pl(part.data, "Hello, fax.");
	osip_message_free(msg);
}

/* A part without headers gets the default type, so it prints unambiguously. */
static void test_multipart_headerless_part(void **state)
{
	static const char m[] =
		"MESSAGE sip:a@b SIP/2.0\r\n"
		"Via: SIP/2.0/UDP h;branch=z9hG4bK-hl\r\n"
		"From: <sip:a@b>;tag=1\r\nTo: <sip:c@d>\r\nCall-ID: hl\r\n"
		"CSeq: 1 MESSAGE\r\n"
		"Content-Type: multipart/mixed; boundary=b\r\n\r\n"
		"--b\r\n\r\nFoo: bar\r\n--b\r\nX-Dropped: 1\r\n\r\nbaz\r\n--b--\r\n";
	osip_message_t *msg = NULL, *again = NULL;
	struct pint_sip_part part;
	size_t i, len;
	char *s;

	(void)state;
	assert_int_equal(pint_sip_parse(&msg, m, sizeof(m) - 1, NULL), 0);
	assert_int_equal(pint_sip_to_str(msg, &s, &len), 0);
	assert_int_equal(pint_sip_parse(&again, s, len, NULL), 0);
	for (i = 0; i < 2; i++) {
		assert_int_equal(pint_sip_part(again, i, &part), 0);
		assert_pl(part.type, "text/plain; charset=us-ascii");
		assert_null(part.id.p);
		assert_pl(part.data, i ? "baz" : "Foo: bar");
	}
	osip_message_free(again);
	osip_message_free(msg);
	free(s);
}

static const char sdp_part[] = "v=0\r\no=- 1 1 IN IP4 192.0.2.10\r\ns=R2F\r\n"
	"c=TN RFC2543 +1-555-555-0123\r\nt=0 0\r\nm=text 1 fax plain\r\n"
	"a=fmtp:plain spr:fax-1@gw.example.com\r\n";
static const char tiff_part[] = "II*\0\x08\0\0\0\r\n--pint-b\0binary";

static void make_parts(struct pint_sip_part parts[3])
{
	memset(parts, 0, 3 * sizeof(parts[0]));
	parts[0].type = pint_pl_str("application/sdp");
	parts[0].data = pint_pl_str(sdp_part);
	parts[1].type = pint_pl_str("text/plain; charset=us-ascii");
	parts[1].id = pint_pl_str("fax-1@gw.example.com");
	parts[1].data = pint_pl_str("Please find our price list below.\r\n");
	parts[2].type = pint_pl_str("image/tiff");
	parts[2].id = pint_pl_str("img@gw.example.com");
	parts[2].data.p = tiff_part;
	parts[2].data.l = sizeof(tiff_part) - 1;
}

static void same_parts(const struct pint_sip_part *a,
		       const struct pint_sip_part *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		assert_int_equal(a[i].type.l, b[i].type.l);
		assert_memory_equal(a[i].type.p, b[i].type.p, a[i].type.l);
		assert_int_equal(!a[i].id.p, !b[i].id.p);
		assert_int_equal(a[i].id.l, b[i].id.l);
		if (a[i].id.l)
			assert_memory_equal(a[i].id.p, b[i].id.p, a[i].id.l);
		assert_int_equal(a[i].data.l, b[i].data.l);
		assert_memory_equal(a[i].data.p, b[i].data.p, a[i].data.l);
	}
}

static void test_multipart_roundtrip(void **state)
{
	struct pint_sip_part parts[3], got[PINT_SIP_MAX_PARTS];
	osip_message_t *msg, *again = NULL;
	char bnd[PINT_SIP_MAX_BOUNDARY + 1];
	struct pint_mbuf mb;
	struct pint_pl pl;
	size_t n, i, len;
	char *s;

	(void)state;
	make_parts(parts);
	pint_mbuf_init(&mb, 0);
	assert_int_equal(pint_sip_multipart_encode(&mb, "pint-b1", parts, 3), 0);
	assert_true(pint_pl_prefix(&(struct pint_pl){mb.buf, mb.len},
				   "--pint-b1\r\nContent-Type: application/sdp"
				   "\r\n\r\nv=0\r\n"));
	assert_non_null(strstr(mb.buf, "\r\nContent-ID: <fax-1@gw.example.com>"
			       "\r\n\r\nPlease"));
	assert_memory_equal(mb.buf + mb.len - 21, "binary\r\n--pint-b1--\r\n", 21);
	assert_int_equal(pint_sip_multipart_decode(mb.buf, mb.len, "pint-b1",
						   got, PINT_SIP_MAX_PARTS, &n),
			 0);
	assert_int_equal(n, 3);
	same_parts(parts, got, 3);
	pint_mbuf_reset(&mb);

	msg = parse_file("sip/subscribe_dialog.sip");
	parts[1].data.l = 0;
	assert_int_equal(pint_sip_set_multipart(msg, "pint-b1", parts, 3),
			 EINVAL);
	assert_int_equal(osip_list_size(&msg->bodies), 0);
	make_parts(parts);
	assert_int_equal(pint_sip_set_multipart(msg, "pint-b1", parts, 3), 0);
	assert_int_equal(pint_sip_set_multipart(msg, "pint-b1", parts, 3),
			 EINVAL);
	assert_int_equal(pint_sip_to_str(msg, &s, &len), 0);
	assert_non_null(strstr(s, "multipart/related; type=\"application/sdp\"; "
			       "boundary=\"pint-b1\""));
	assert_int_equal(pint_sip_parse(&again, s, len, NULL), 0);
	assert_int_equal(pint_sip_multipart_boundary(again, bnd, &pl), 0);
	assert_string_equal(bnd, "pint-b1");
	assert_pl(pl, "application/sdp");
	for (i = 0; i < 3; i++)
		assert_int_equal(pint_sip_part(again, i, &got[i]), 0);
	same_parts(parts, got, 3);
	osip_message_free(again);
	free(s);
	osip_message_free(msg);
}

static void test_multipart_encode_errors(void **state)
{
	struct pint_sip_part parts[3], bad[PINT_SIP_MAX_PARTS + 1];
	static const char *const bad_boundaries[] = {
		"", "ends-in-space ", "quote\"d", "semi;colon",
		("01234567890123456789012345678901234567890123456789"
		 "012345678901234567890"),
	};
	struct pint_mbuf mb;
	size_t i;

	(void)state;
	make_parts(parts);
	pint_mbuf_init(&mb, 0);
	assert_int_equal(pint_mbuf_puts(&mb, "keep"), 0);
	for (i = 0; i < sizeof(bad_boundaries) / sizeof(bad_boundaries[0]); i++)
		assert_int_equal(pint_sip_multipart_encode(&mb, bad_boundaries[i],
							   parts, 1), EINVAL);
	assert_int_equal(pint_sip_multipart_encode(&mb, NULL, parts, 1), EINVAL);
	assert_int_equal(pint_sip_multipart_encode(&mb, "b", parts, 0), EINVAL);
	for (i = 0; i <= PINT_SIP_MAX_PARTS; i++)
		bad[i] = parts[1];
	assert_int_equal(pint_sip_multipart_encode(&mb, "b", bad,
						   PINT_SIP_MAX_PARTS + 1),
			 EINVAL);
	/* the boundary occurs in the binary part */
	assert_int_equal(pint_sip_multipart_encode(&mb, "pint-b", parts, 3),
			 EINVAL);
	bad[0] = parts[1];
	bad[0].type = (struct pint_pl)PINT_PL_INIT;
	assert_int_equal(pint_sip_multipart_encode(&mb, "b", bad, 1), EINVAL);
	bad[0] = parts[1];
	bad[0].id = pint_pl_str("a>b");
	assert_int_equal(pint_sip_multipart_encode(&mb, "b", bad, 1), EINVAL);
	bad[0] = parts[1];
	bad[0].type = pint_pl_str("text/plain\r\nX-Injected: 1");
	assert_int_equal(pint_sip_multipart_encode(&mb, "b", bad, 1), EINVAL);
	assert_string_equal(mb.buf, "keep");

	/* exact text, and failure part way leaves mb unchanged */
	bad[0] = parts[1];
	bad[0].id = pint_pl_str("x@y");
	bad[0].data = pint_pl_str("hi");
	assert_int_equal(pint_sip_multipart_encode(&mb, "b", bad, 1), 0);
	assert_string_equal(mb.buf, "keep--b\r\nContent-Type: text/plain; "
			    "charset=us-ascii\r\nContent-ID: <x@y>\r\n\r\nhi\r\n"
			    "--b--\r\n");
	pint_mbuf_reset(&mb);
	pint_mbuf_init(&mb, 40);
	assert_int_equal(pint_mbuf_puts(&mb, "keep"), 0);
	assert_int_equal(pint_sip_multipart_encode(&mb, "b", bad, 1), EMSGSIZE);
	assert_string_equal(mb.buf, "keep");
	assert_int_equal(mb.len, 4);
	pint_mbuf_reset(&mb);
}

static void test_multipart_decode_lenient(void **state)
{
	static const struct {
		const char *body;
		int err;
		size_t n;
		const char *type0, *id0, *data0;
	} cases[] = {
		{"preamble\r\n--b\r\nContent-Type: text/plain\r\n\r\nhi\r\n"
		 "--b--\r\nepilogue", 0, 1, "text/plain", NULL, "hi"},
		{"--b\r\n\r\nhi\r\n", 0, 1, NULL, NULL, "hi\r\n"},
		{"--b\nContent-ID: x\n\nhi\n--b--\n", 0, 1, NULL, "x", "hi"},
		{"--b  \r\n\r\nhi\r\n--b--", 0, 1, NULL, NULL, "hi"},
		{"--b\r\n\r\nline\r\n--bX\r\n--b--", 0, 1, NULL, NULL,
		 "line\r\n--bX"},
		{"--b\r\nContent-Type: application/sdp\r\nv=0\r\n--b\r\n\r\n2\r\n"
		 "--b--", 0, 2, "application/sdp", NULL, "v=0"},
		{"--b\r\nContent-ID:\r\n <folded@id>\r\n\r\nx\r\n--b--", 0, 1,
		 NULL, "folded@id", "x"},
		{"--b\r\n--b\r\n--b--", 0, 2, NULL, NULL, ""},
		{"no delimiter here", EBADMSG, 0, NULL, NULL, NULL},
		{"--b--\r\n", EBADMSG, 0, NULL, NULL, NULL},
		{"", EBADMSG, 0, NULL, NULL, NULL},
		{"--b\r\n\r\n1\r\n--b\r\n\r\n2\r\n--b\r\n\r\n3\r\n--b--", EMSGSIZE,
		 0, NULL, NULL, NULL},
	};
	struct pint_sip_part parts[2];
	size_t i, n;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int err = pint_sip_multipart_decode(cases[i].body,
						    strlen(cases[i].body), "b",
						    parts, 2, &n);

		if (err != cases[i].err)
			fail_msg("case %zu: %d", i, err);
		if (err)
			continue;
		assert_int_equal(n, cases[i].n);
		if (cases[i].type0)
			assert_pl(parts[0].type, cases[i].type0);
		else
			assert_null(parts[0].type.p);
		if (cases[i].id0)
			assert_pl(parts[0].id, cases[i].id0);
		else
			assert_null(parts[0].id.p);
		assert_pl(parts[0].data, cases[i].data0);
	}
	assert_int_equal(pint_sip_multipart_decode("--b\r\nX: a\0b\r\n\r\n", 14,
						   "b", parts, 2, &n), EBADMSG);
	assert_int_equal(pint_sip_multipart_decode("--b", 3, "", parts, 2, &n),
			 EINVAL);
	assert_int_equal(pint_sip_multipart_decode(
		"--b", 3, "01234567890123456789012345678901234567890123456789"
		"012345678901234567890", parts, 2, &n), EINVAL);
}

/* ---- printing ---------------------------------------------------------- */

static void test_to_str_sees_direct_edits(void **state)
{
	osip_message_t *msg = parse_file("sip/r2c_invite.sip");
	char *s, *big;
	size_t len;

	(void)state;
	assert_int_equal(pint_sip_to_str(msg, &s, &len), 0);
	assert_non_null(strstr(s, "INVITE sip:R2C@pint.example.net SIP/2.0"));
	free(s);
	/* a direct edit osip's cache does not notice */
	osip_free(msg->req_uri->host);
	msg->req_uri->host = osip_strdup("other.example.net");
	assert_int_equal(pint_sip_to_str(msg, &s, &len), 0);
	assert_non_null(strstr(s, "INVITE sip:R2C@other.example.net SIP/2.0"));
	free(s);
	osip_message_free(msg);

	msg = parse_file("sip/subscribe_dialog.sip");
	big = malloc(PINT_SIP_MAX_MSG);
	assert_non_null(big);
	memset(big, 'z', PINT_SIP_MAX_MSG);
	assert_int_equal(osip_message_set_body(msg, big, PINT_SIP_MAX_MSG), 0);
	assert_int_equal(pint_sip_to_str(msg, &s, &len), EMSGSIZE);
	free(big);
	osip_message_free(msg);

	/* osip would print a bare "Content-Type: " for this one */
	msg = parse_file("sip/subscribe_dialog.sip");
	assert_int_equal(osip_message_set_content_type(msg, "text/plain; x"), 0);
	assert_int_equal(pint_sip_to_str(msg, &s, &len), EINVAL);
	osip_message_free(msg);
	assert_int_equal(pint_sip_to_str(NULL, &s, &len), EINVAL);
}

/* osip's "| ERROR |" lines must not reach stderr. */
static void test_no_trace_output(void **state)
{
	osip_message_t *msg = NULL;
	size_t len;
	char *buf = read_sip("bad_via.sip", &len);
	FILE *tmp = tmpfile();
	int saved;

	(void)state;
	assert_non_null(tmp);
	fflush(stderr);
	saved = dup(fileno(stderr));
	assert_true(saved >= 0);
	assert_true(dup2(fileno(tmp), fileno(stderr)) >= 0);
	assert_int_equal(pint_sip_parse(&msg, buf, len, NULL), EBADMSG);
	fflush(stderr);
	assert_true(dup2(saved, fileno(stderr)) >= 0);
	close(saved);
	assert_int_equal(fseek(tmp, 0, SEEK_END), 0);
	assert_int_equal(ftell(tmp), 0);
	fclose(tmp);
	free(buf);
}

/* Any allocation failing, in our code or inside osip, gives a clean ENOMEM. */
static void test_nomem_is_clean(void **state)
{
	size_t len;
	char *buf = read_sip("notify_pint_warning.sip", &len);
	unsigned long k;

	(void)state;
	for (k = 1;; k++) {
		osip_message_t *msg = NULL, *resp = NULL;
		unsigned long before = alloc_failed();
		long live = alloc_live();
		char *s = NULL;
		int err;

		alloc_fail_at(k);
		err = pint_sip_parse(&msg, buf, len, NULL);
		if (!err)
			err = pint_sip_response(&resp, msg, 200, NULL, "t");
		if (!err)
			err = pint_sip_add_warning(resp, 399, "gw", "x");
		if (!err)
			err = pint_sip_to_str(resp, &s, NULL);
		alloc_fail_at(0);
		if (err != 0 && err != ENOMEM)
			fail_msg("k=%lu: %d", k, err);
		free(s);
		osip_message_free(resp);
		osip_message_free(msg);
		assert_int_equal(alloc_live(), live);
		if (alloc_failed() == before)
			break;
	}
	assert_true(k > 100);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		leakcheck_test(test_parse_table),
		leakcheck_test(test_parse_limits),
		leakcheck_test(test_parse_unterminated),
		leakcheck_test(test_parse_lf_only),
		leakcheck_test(test_r2c_fields),
		leakcheck_test(test_compact_and_folded),
		leakcheck_test(test_pint_messages),
		leakcheck_test(test_delta_seconds),
		leakcheck_test(test_warning_table),
		leakcheck_test(test_warnings_in_messages),
		leakcheck_test(test_response_builder),
		leakcheck_test(test_response_keeps_tag),
		leakcheck_test(test_reply_raw),
		leakcheck_test(test_frame_every_split),
		leakcheck_test(test_frame_errors),
		leakcheck_test(test_multipart_parse),
		leakcheck_test(test_multipart_headerless_part),
		leakcheck_test(test_multipart_roundtrip),
		leakcheck_test(test_multipart_encode_errors),
		leakcheck_test(test_multipart_decode_lenient),
		leakcheck_test(test_to_str_sees_direct_edits),
		leakcheck_test(test_no_trace_output),
		leakcheck_test(test_nomem_is_clean),
	};

	return cmocka_run_group_tests_name("sip", tests, group_setup, NULL);
}
