/*
 * tests/pint/oom_dialoginfo.c — allocation-failure scenarios for
 * pint/dialoginfo.c (expat's allocations included).
 */
#include <errno.h>
#include <string.h>

#include "tests/pint/oom.h"
#include "pint/dialoginfo.h"

static const char full_doc[] =
	"<?xml version=\"1.0\"?>\n"
	"<dialog-info xmlns=\"urn:ietf:params:xml:ns:dialog-info\"\n"
	"    version=\"4\" state=\"full\" entity=\"sip:alice@example.com\">\n"
	"  <dialog id=\"a\" call-id=\"c1\" local-tag=\"l1\" remote-tag=\"r1\" direction=\"initiator\">\n"
	"    <state>confirmed</state><duration>20</duration>\n"
	"    <local><identity display=\"Alice\">sip:alice@example.com</identity>\n"
	"      <target uri=\"sip:alice@pc33.example.com\"><param pname=\"x\" pval=\"y\"/></target></local>\n"
	"    <remote><identity>sip:bob@example.org</identity></remote>\n"
	"  </dialog>\n"
	"  <dialog id=\"b\"><state event=\"rejected\" code=\"486\">terminated</state></dialog>\n"
	"  <x:ext xmlns:x=\"urn:example:ext\"><x:y a=\"b\">text</x:y></x:ext>\n"
	"</dialog-info>\n";

static const char doctype_doc[] =
	"<?xml version=\"1.0\"?>\n"
	"<!DOCTYPE d [<!ENTITY a \"aaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;\">]>\n"
	"<dialog-info xmlns=\"urn:ietf:params:xml:ns:dialog-info\" version=\"1\" state=\"full\" entity=\"&b;\"/>\n";

/* Parse a full document and check the version tracker accepts it. */
static int parse_and_track(void)
{
	struct pint_dinfo_track tr;
	enum pint_dinfo_verdict v;
	struct pint_dinfo *di = NULL;
	int err;

	err = pint_dinfo_parse(&di, full_doc, sizeof(full_doc) - 1);
	if (err)
		return err;
	pint_dinfo_track_init(&tr);
	err = pint_dinfo_track_check(&tr, di, &v);
	if (!err && (v != PINT_DINFO_ACCEPT || di->ndialogs != 2))
		err = EPROTO;
	pint_dinfo_free(di);
	return err;
}

/* A hostile document must still be refused (or ENOMEM) under pressure. */
static int refuse_doctype(void)
{
	struct pint_dinfo *di = NULL;
	int err;

	err = pint_dinfo_parse(&di, doctype_doc, sizeof(doctype_doc) - 1);
	if (!err) {
		pint_dinfo_free(di);
		return EPROTO;
	}
	return err == EBADMSG ? 0 : err;
}

const struct oom_case oom_cases_dialoginfo[] = {
	{"dialoginfo_parse_and_track", parse_and_track},
	{"dialoginfo_refuse_doctype", refuse_doctype},
	{NULL, NULL},
};
