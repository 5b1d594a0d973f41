/*
 * tests/pint/oom_digest.c — allocation-failure scenarios for pint/digest.c.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tests/pint/oom.h"
#include "pint/digest.h"
#include "pint/mbuf.h"

static const char challenge[] =
	"Digest realm=\"pint.example.net\", qop=\"auth,auth-int\", "
	"algorithm=SHA-256, nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\", "
	"opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\"";

/* 407 -> parse the challenge -> Proxy-Authorization value, handed over. */
static int challenge_to_header(void)
{
	static const struct pint_digest_cred cr = {
		.method = "INVITE", .uri = "sip:+15551234567@gw.example.net",
		.username = "alice", .password = "secret",
		.cnonce = "0a4f113b", .nc = 1,
	};
	struct pint_digest_chal ch;
	struct pint_mbuf mb;
	char *hdr;
	int err;

	err = pint_digest_parse(&ch, challenge, sizeof(challenge) - 1);
	if (err)
		return err;
	pint_mbuf_init(&mb, 1024);
	err = pint_digest_authorize(&mb, &ch, &cr);
	if (err)
		goto out;
	hdr = pint_mbuf_steal(&mb);
	if (!hdr) {
		err = ENOMEM;
		goto out;
	}
	if (strncmp(hdr, "Digest username=\"alice\"", 23) != 0)
		err = EPROTO;
	free(hdr);
 out:
	pint_mbuf_reset(&mb);
	return err;
}

/* Two answers appended to one growing buffer (forces a realloc). */
static int two_answers(void)
{
	struct pint_digest_cred cr = {
		.method = "INVITE", .uri = "sip:+15551234567@gw.example.net",
		.username = "alice", .password = "secret",
		.cnonce = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ", .nc = 1,
	};
	struct pint_digest_chal ch;
	struct pint_mbuf mb;
	int err;

	err = pint_digest_parse(&ch, challenge, sizeof(challenge) - 1);
	if (err)
		return err;
	pint_mbuf_init(&mb, 0);
	err = pint_digest_authorize(&mb, &ch, &cr);
	if (!err)
		err = pint_mbuf_puts(&mb, "\r\n");
	cr.nc = 2;
	if (!err)
		err = pint_digest_authorize(&mb, &ch, &cr);
	pint_mbuf_reset(&mb);
	return err;
}

const struct oom_case oom_cases_digest[] = {
	{"digest_challenge_to_header", challenge_to_header},
	{"digest_two_answers", two_answers},
	{NULL, NULL},
};
