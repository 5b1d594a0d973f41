/*
 * tests/fuzz/fuzz_digest.c — pint_digest_parse() on arbitrary bytes.
 *
 * A challenge that parses is answered, and the answer (same grammar) must
 * parse back with the realm, nonce, opaque and algorithm it was built
 * from: that proves escaping on the way out matches unescaping on the way
 * in. Any disagreement aborts.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pint/digest.h"
#include "pint/mbuf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct pint_digest_cred cr = {
		.method = "INVITE", .uri = "sip:+15551234567@gw.example.net",
		.username = "al\"ice", .password = "secret",
		.cnonce = "0a4f113b", .nc = 1, .body = "v=0\r\n", .body_len = 5,
	};
	struct pint_digest_chal ch, back;
	struct pint_mbuf mb;
	int err;

	err = pint_digest_parse(&ch, (const char *)data, size);
	if (err)
		return 0;
	if (!memchr(ch.realm, '\0', sizeof(ch.realm)) ||
	    !memchr(ch.nonce, '\0', sizeof(ch.nonce)) ||
	    !memchr(ch.opaque, '\0', sizeof(ch.opaque)) ||
	    !memchr(ch.domain, '\0', sizeof(ch.domain)))
		abort();

	pint_mbuf_init(&mb, 0);
	err = pint_digest_authorize(&mb, &ch, &cr);
	if (err)
		abort();
	if (pint_digest_parse(&back, mb.buf, mb.len) != 0)
		abort();
	if (strcmp(back.realm, ch.realm) || strcmp(back.nonce, ch.nonce) ||
	    strcmp(back.opaque, ch.opaque) || back.has_opaque != ch.has_opaque ||
	    back.alg != ch.alg ||
	    back.qops != (unsigned)pint_digest_qop_choose(&ch))
		abort();
	pint_mbuf_reset(&mb);
	return 0;
}
