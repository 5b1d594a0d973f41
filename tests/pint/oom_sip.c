/*
 * tests/pint/oom_sip.c — allocation-failure scenarios for pint/sip*.c.
 *
 * The driver must have called pint_sip_init() first: it installs the osip
 * allocator hooks that turn osip's allocation failures into ENOMEM.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tests/pint/oom.h"
#include "pint/sip.h"


static const char r2f_multipart[] =
	"INVITE sip:R2F@pint.example.net SIP/2.0\r\n"
	"Via: SIP/2.0/TCP gw.example.com:5060;branch=z9hG4bK-r2f-1\r\n"
	"Max-Forwards: 70\r\n"
	"From: <sip:pint-client@gw.example.com>;tag=a71c\r\n"
	"To: <sip:R2F@pint.example.net>\r\n"
	"Call-ID: 5f1e9c2a@gw.example.com\r\n"
	"CSeq: 1 INVITE\r\n"
	"Content-Type: multipart/related; type=\"application/sdp\"; "
	"boundary=\"pint-b1\"\r\n"
	"\r\n"
	"--pint-b1\r\n"
	"Content-Type: application/sdp\r\n"
	"\r\n"
	"v=0\r\no=- 3001 3001 IN IP4 192.0.2.10\r\ns=R2F\r\n"
	"c=TN RFC2543 +1-555-555-0123\r\nt=0 0\r\nm=text 1 fax plain\r\n"
	"a=fmtp:plain spr:fax-text-1@gw.example.com\r\n"
	"\r\n"
	"--pint-b1\r\n"
	"Content-Type: text/plain; charset=us-ascii\r\n"
	"Content-ID: <fax-text-1@gw.example.com>\r\n"
	"\r\n"
	"Please find our price list below.\r\n"
	"--pint-b1--\r\n";

static const char notify[] =
	"NOTIFY sip:pint-client@gw.example.com:5060 SIP/2.0\r\n"
	"Via: SIP/2.0/UDP pint.example.net:5060;branch=z9hG4bK-n1;rport\r\n"
	"Via: SIP/2.0/UDP proxy.example.net;branch=z9hG4bK-n0\r\n"
	"f: <sip:R2F@pint.example.net>;tag=gw57\r\n"
	"t: <sip:pint-client@gw.example.com>;tag=sub78\r\n"
	"i: sub-3@gw.example.com\r\n"
	"CSeq: 4711 NOTIFY\r\n"
	"o: dialog\r\n"
	"Warning: xxx pint.example.net fax aborted, will try later\r\n"
	"Warning: 399 gw \"3 of 5\", 305 gw \"jpeg\"\r\n"
	"Content-Type: application/sdp\r\n"
	"Content-Length: 36\r\n"
	"\r\n"
	"v=0\r\no=- 1 2 IN IP4 192.0.2.10\r\ns=R\r\n";

static const char subscribe[] =
	"SUBSCRIBE sip:+1-555-555-0100@pint.example.net SIP/2.0\r\n"
	"Via: SIP/2.0/UDP gw.example.com:5060;branch=z9hG4bK-sub-1\r\n"
	"From: <sip:pint-client@gw.example.com>;tag=sub77\r\n"
	"To: <sip:+1-555-555-0100@pint.example.net>\r\n"
	"Call-ID: sub-1@gw.example.com\r\n"
	"CSeq: 10 SUBSCRIBE\r\n"
	"Expires: 600\r\n"
	"Content-Length: 0\r\n\r\n";

static const char bad_request[] =
	"INVITE sip:R2C@pint.example.net SIP/2.0\r\n"
	"Via: SIP/2.0/UDP gw.example.com:5060;branch=z9hG4bK-bad\r\n"
	"From: <sip:pint-client@gw.example.com>;tag=a\r\n"
	"To: <sip:R2C@pint.example.net>\r\n"
	"Call-ID: bad@gw.example.com\r\n"
	"CSeq: 1 ACK\r\n"
	"Content-Length: 0\r\n\r\n";

static int print_parse(const osip_message_t *msg)
{
	osip_message_t *again = NULL;
	size_t len;
	char *s;
	int err = pint_sip_to_str(msg, &s, &len);

	if (err)
		return err;
	err = pint_sip_parse(&again, s, len, NULL);
	osip_message_free(again);
	free(s);
	return err;
}

static int oom_parse_multipart(void)
{
	osip_message_t *msg = NULL;
	struct pint_sip_part part;
	int err = pint_sip_parse(&msg, r2f_multipart, sizeof(r2f_multipart) - 1,
				 NULL);

	if (err)
		return err;
	err = pint_sip_part(msg, 1, &part);
	if (!err)
		err = print_parse(msg);
	osip_message_free(msg);
	return err;
}

static int oom_parse_notify(void)
{
	struct pint_sip_warning w[4];
	osip_message_t *msg = NULL;
	size_t n;
	int err = pint_sip_parse(&msg, notify, sizeof(notify) - 1, NULL);

	if (err)
		return err;
	err = pint_sip_warnings(msg, w, 4, &n);
	if (!err)
		err = print_parse(msg);
	osip_message_free(msg);
	return err;
}

static int oom_response(void)
{
	osip_message_t *req = NULL, *resp = NULL;
	int err = pint_sip_parse(&req, notify, sizeof(notify) - 1, NULL);

	if (err)
		return err;
	err = pint_sip_response(&resp, req, 606, NULL, "uas-1");
	if (!err)
		err = pint_sip_add_warning(resp, 399, "gw.example.com",
					   "Fax in progress, \"cannot\" abort");
	if (!err)
		err = print_parse(resp);
	osip_message_free(resp);
	osip_message_free(req);
	return err;
}

static int oom_parse_refused(void)
{
	struct pint_sip_error why;
	osip_message_t *msg = NULL;
	int err = pint_sip_parse(&msg, bad_request, sizeof(bad_request) - 1,
				 &why);

	if (err == EBADMSG)
		return 0;
	osip_message_free(msg);
	return err ? err : EPROTO;
}

static int oom_set_multipart(void)
{
	static const char tiff[] = "II*\0\x08\0\0\0binary";
	struct pint_sip_part parts[2];
	osip_message_t *msg = NULL;
	int err = pint_sip_parse(&msg, subscribe, sizeof(subscribe) - 1, NULL);

	if (err)
		return err;
	memset(parts, 0, sizeof(parts));
	parts[0].type = pint_pl_str("application/sdp");
	parts[0].data = pint_pl_str("v=0\r\n");
	parts[1].type = pint_pl_str("image/tiff");
	parts[1].id = pint_pl_str("img@gw.example.com");
	parts[1].data.p = tiff;
	parts[1].data.l = sizeof(tiff) - 1;
	err = pint_sip_set_multipart(msg, "pint-b2", parts, 2);
	if (!err)
		err = print_parse(msg);
	osip_message_free(msg);
	return err;
}

static int oom_reply_raw(void)
{
	size_t len;
	char *s;
	int err = pint_sip_reply_raw(&s, &len, bad_request,
				     sizeof(bad_request) - 1, 400,
				     "CSeq method does not match", "st-1");

	if (err)
		return err;
	free(s);
	return 0;
}

static int oom_multipart_encode(void)
{
	struct pint_sip_part parts[2], back[2];
	struct pint_mbuf mb;
	size_t n;
	int err;

	memset(parts, 0, sizeof(parts));
	parts[0].type = pint_pl_str("application/sdp");
	parts[0].data = pint_pl_str("v=0\r\n");
	parts[1].type = pint_pl_str("text/plain");
	parts[1].id = pint_pl_str("t@gw.example.com");
	parts[1].data = pint_pl_str("hello");
	pint_mbuf_init(&mb, 0);
	err = pint_sip_multipart_encode(&mb, "pint-b3", parts, 2);
	if (!err)
		err = pint_sip_multipart_decode(mb.buf, mb.len, "pint-b3", back,
						2, &n);
	pint_mbuf_reset(&mb);
	return err;
}

const struct oom_case oom_cases_sip[] = {
	{"sip_parse_multipart", oom_parse_multipart},
	{"sip_parse_notify", oom_parse_notify},
	{"sip_response", oom_response},
	{"sip_parse_refused", oom_parse_refused},
	{"sip_set_multipart", oom_set_multipart},
	{"sip_reply_raw", oom_reply_raw},
	{"sip_multipart_encode", oom_multipart_encode},
	{NULL, NULL},
};
