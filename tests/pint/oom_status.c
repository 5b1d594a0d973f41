/*
 * tests/pint/oom_status.c — allocation-failure scenarios for pint/status.c
 * and pint/status_ev.c: osip parses a message, then it is interpreted
 * (osip's and expat's allocations included).
 */
#include <errno.h>
#include <string.h>
#include <osipparser2/osip_parser.h>

#include "tests/pint/oom.h"
#include "pint/dialoginfo.h"
#include "pint/status.h"


static const char bye_606[] =
	"SIP/2.0 606 Not Acceptable\r\n"
	"Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK-bye2\r\n"
	"From: <sip:pintgw@gw.example.com>;tag=f1\r\n"
	"To: <sip:+15555550100@pint.example.net;user=phone>;tag=t1\r\n"
	"Call-ID: 7f3e2c1a9b8d4e6f@gw.example.com\r\n"
	"CSeq: 2 BYE\r\n"
	"Warning: 399 gw Fax in progress, service cannot be aborted\r\n"
	"Content-Type: application/sdp\r\n"
	"Content-Length: 144\r\n"
	"\r\n"
	"v=0\r\n"
	"o=- 2890844526 2890844527 IN IP4 192.0.2.10\r\n"
	"s=R2F\r\n"
	"i=3 of 5 pages sent\r\n"
	"c=TN RFC2543 +1-555-555-0199\r\n"
	"t=4003988200 0\r\n"
	"m=image 1 fax tiff\r\n";

static const char notify_multipart[] =
	"NOTIFY sip:pintgw@192.0.2.10:5060 SIP/2.0\r\n"
	"Via: SIP/2.0/UDP 198.51.100.7:5060;branch=z9hG4bK-n1\r\n"
	"Max-Forwards: 70\r\n"
	"From: <sip:R2C@pint.example.net>;tag=g1\r\n"
	"To: <sip:pintgw@gw.example.com>;tag=s1\r\n"
	"Call-ID: sub-1@gw.example.com\r\n"
	"CSeq: 5 NOTIFY\r\n"
	"Warning: 399 gw \"retrying\"\r\n"
	"Content-Type: multipart/related; type=\"application/sdp\"; boundary=b1\r\n"
	"Content-Length: 227\r\n"
	"\r\n"
	"--b1\r\n"
	"Content-Type: application/sdp\r\n"
	"\r\n"
	"v=0\r\n"
	"o=- 2890844526 2890844527 IN IP4 192.0.2.10\r\n"
	"s=R2C\r\n"
	"i=3 pages of 5 sent\r\n"
	"c=TN RFC2543 +1-555-555-0199\r\n"
	"t=4003988200 0\r\n"
	"m=audio 1 voice -\r\n"
	"--b1\r\n"
	"Content-Type: text/plain\r\n"
	"\r\n"
	"x\r\n"
	"--b1--\r\n";

static const char notify_dialog[] =
	"NOTIFY sip:pintgw@192.0.2.10:5060 SIP/2.0\r\n"
	"Via: SIP/2.0/UDP 198.51.100.7:5060;branch=z9hG4bK-d1\r\n"
	"Max-Forwards: 70\r\n"
	"From: <sip:R2C@pint.example.net>;tag=g1\r\n"
	"To: <sip:pintgw@gw.example.com>;tag=s1\r\n"
	"Call-ID: dlg-1@gw.example.com\r\n"
	"CSeq: 7 NOTIFY\r\n"
	"Event: dialog\r\n"
	"Subscription-State: active;expires=3500\r\n"
	"Content-Type: application/dialog-info+xml\r\n"
	"Content-Length: 275\r\n"
	"\r\n"
	"<?xml version=\"1.0\"?>\n"
	"<dialog-info xmlns=\"urn:ietf:params:xml:ns:dialog-info\" version=\"3\" "
	"state=\"full\" entity=\"sip:R2C@gw.example.net\">\n"
	"  <dialog id=\"d1\" call-id=\"c1\" direction=\"initiator\">\n"
	"    <state event=\"rejected\" code=\"486\">terminated</state>\n"
	"  </dialog>\n"
	"</dialog-info>\n";

/*
 * libosip2's parser is not allocation-failure safe (measured: it leaks
 * and still returns 0 when an allocation inside a header parser fails),
 * so the messages are parsed once before main(), outside the counted
 * window, and kept for the life of the program. The scenarios cover what
 * pint/status does with a parsed message, expat's allocations included.
 */
enum { BYE_606, NOTIFY_MULTIPART, NOTIFY_DIALOG, NMSG };

static osip_message_t *msgs[NMSG];

static void parse_messages(void) __attribute__((constructor));

static void parse_messages(void)
{
	static const struct {
		const char *text;
		size_t len;
	} src[NMSG] = {
		[BYE_606] = {bye_606, sizeof(bye_606) - 1},
		[NOTIFY_MULTIPART] = {notify_multipart, sizeof(notify_multipart) - 1},
		[NOTIFY_DIALOG] = {notify_dialog, sizeof(notify_dialog) - 1},
	};
	size_t i;

	parser_init();
	for (i = 0; i < NMSG; i++) {
		osip_message_t *m = NULL;

		if (osip_message_init(&m) != 0)
			continue;
		if (osip_message_parse(m, src[i].text, src[i].len) != 0) {
			osip_message_free(m);
			continue;
		}
		msgs[i] = m;
	}
}

/* Our BYE answered 606 with an unquoted Warning (split by osip) and SDP. */
static int bye_cannot_abort(void)
{
	struct pint_status_ev ev;
	int err;

	if (!msgs[BYE_606])
		return EBADMSG;
	err = pint_status_bye_resp(&ev, msgs[BYE_606]);
	if (!err && (!ev.cannot_abort || strcmp(ev.info, "3 of 5 pages sent") != 0 ||
		     strcmp(ev.warning.text, "Fax in progress, service cannot be aborted") != 0))
		err = EPROTO;
	return err;
}

/* A PINT NOTIFY whose SDP is the first part of a multipart body. */
static int notify_active(void)
{
	struct pint_status_ev ev;
	int err;

	if (!msgs[NOTIFY_MULTIPART])
		return EBADMSG;
	err = pint_status_notify(&ev, msgs[NOTIFY_MULTIPART], 1795000000ull);
	if (!err && (ev.status != PINT_STATUS_ACTIVE || ev.warning.code != 399))
		err = EPROTO;
	return err;
}

/* Dialog mode: dialog-info parsed (expat) and checked against a tracker. */
static int dialog_busy(void)
{
	struct pint_dinfo_track tr;
	struct pint_status_ev ev;
	int err;

	if (!msgs[NOTIFY_DIALOG])
		return EBADMSG;
	pint_dinfo_track_init(&tr);
	err = pint_status_dialog_notify(&ev, msgs[NOTIFY_DIALOG], NULL, &tr);
	if (!err && ev.outcome != PINT_OUTCOME_BUSY)
		err = EPROTO;
	return err;
}

const struct oom_case oom_cases_status[] = {
	{"status: BYE answered 606", bye_cannot_abort},
	{"status: PINT NOTIFY, multipart", notify_active},
	{"status: dialog-info NOTIFY", dialog_busy},
	{NULL, NULL},
};
