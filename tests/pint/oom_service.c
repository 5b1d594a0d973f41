/*
 * tests/pint/oom_service.c — allocation-failure scenarios for
 * pint/service.c: encode a request and build its INVITE.
 */
#include <errno.h>
#include <string.h>

#include "pint/service.h"
#include "tests/pint/oom.h"

static const struct pint_req_local local = {
	.host = "192.0.2.10", .port = 5060, .transport = "TCP",
	.user = "pintgw",
};
static const struct pint_req_ids ids = {
	.call_id = "c1@gw.example.com", .from_tag = "t1", .cseq = 1,
};
static const struct pint_req_tx tx = {.branch = "z9hG4bK-1"};
static const struct pint_svc_wire wire = {
	.sess_id = "3001", .origin_addr = "192.0.2.10",
	.cid_host = "gw.example.com", .boundary = "pint-b1",
};

static int encode_and_invite(const struct pint_svc_req *req)
{
	struct pint_svc_body body;
	osip_message_t *m = NULL;
	int err;

	err = pint_svc_encode(&body, req, &wire);
	if (err)
		return err;
	err = pint_svc_invite(&m, req, &body, &local, &ids, &tx,
			      "pint.example.net", NULL);
	osip_message_free(m);
	pint_svc_body_reset(&body);
	return err;
}

static int parse(struct pint_tel *t, const char *s)
{
	struct pint_tel_error why;

	return pint_tel_parse(t, s, strlen(s), NULL, "to", &why);
}

static int r2c(void)
{
	struct pint_tel to, from;
	struct pint_svc_req req = {0};
	int err;

	if ((err = parse(&to, "+1 555 555 0199")) || (err = parse(&from, "+15555550100")))
		return err;
	req.def = pint_svc_builtin("call");
	req.to = &to;
	req.from = &from;
	req.email = "a@example.com";
	return encode_and_invite(&req);
}

static int r2f_inline(void)
{
	static const char text[] = "Price list ...";
	static const char url[] = "https://example.com/q.pdf";
	const struct pint_svc_item items[] = {
		{"text/plain", PINT_SVC_INLINE, text, sizeof(text) - 1},
		{"application/pdf", PINT_SVC_URI, url, sizeof(url) - 1},
	};
	struct pint_tel to;
	struct pint_svc_req req = {0};
	int err;

	if ((err = parse(&to, "+44 20 5555 0177")))
		return err;
	req.def = pint_svc_builtin("fax");
	req.to = &to;
	req.items = items;
	req.nitems = 2;
	req.email = "a@example.com";
	return encode_and_invite(&req);
}

const struct oom_case oom_cases_service[] = {
	{"service: R2C encode and INVITE", r2c},
	{"service: R2F multipart encode and INVITE", r2f_inline},
	{NULL, NULL},
};
