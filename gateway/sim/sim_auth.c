/*
 * gateway/sim/sim_auth.c — the server side of SIP digest (RFC 3261 §22,
 * RFC 2617): with --auth, a new INVITE or SUBSCRIBE without good
 * credentials gets 401 and a challenge (MD5, qop=auth, a fresh nonce from
 * the OS RNG). The expected response is computed with pint/digest from
 * the challenge we issued. A nonce stays good GW_SIM_NONCE_SECS; a right
 * answer to a nonce we no longer hold gets a new challenge with
 * stale=true, a wrong one a new challenge and is counted.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "gateway/log.h"
#include "gateway/sim/sim_int.h"
#include "pint/digest.h"

/* A value osip kept with its quotes, without them, into buf. */
static bool unq(char *buf, size_t size, const char *v)
{
	size_t n;

	if (!v)
		return false;
	n = strlen(v);
	if (n >= 2 && v[0] == '"' && v[n - 1] == '"') {
		v++;
		n -= 2;
	}
	if (n >= size || memchr(v, '\\', n))
		return false;   /* we issue no values that need escapes */
	memcpy(buf, v, n);
	buf[n] = '\0';
	return true;
}

static int new_nonce(struct gw_sim *sim, char out[SIM_NONCE_SIZE])
{
	static const char hex[] = "0123456789abcdef";
	struct sim_nonce *slot = &sim->nonces[sim->next_nonce];
	uint8_t r[(SIM_NONCE_SIZE - 1) / 2];
	size_t i;
	int err;

	err = sim_rand(r, sizeof(r));
	if (err)
		return err;
	for (i = 0; i < sizeof(r); i++) {
		out[2 * i] = hex[r[i] >> 4];
		out[2 * i + 1] = hex[r[i] & 15];
	}
	out[2 * sizeof(r)] = '\0';
	memcpy(slot->value, out, SIM_NONCE_SIZE);
	slot->expires = sim_now(sim) + GW_SIM_NONCE_SECS * 1000ull;
	sim->next_nonce = (sim->next_nonce + 1) % SIM_NONCES;
	return 0;
}

static bool nonce_good(const struct gw_sim *sim, const char *nonce)
{
	size_t i;

	for (i = 0; i < SIM_NONCES; i++)
		if (sim->nonces[i].value[0] &&
		    !strcmp(sim->nonces[i].value, nonce))
			return sim->nonces[i].expires > sim_now(sim);
	return false;
}

static void challenge(struct gw_sim *sim, struct pint_tsx *tsx,
		      const osip_message_t *req, bool stale)
{
	char nonce[SIM_NONCE_SIZE], value[512];
	struct sim_resp r;

	if (new_nonce(sim, nonce)) {
		(void)sim_reply_code(sim, tsx, req, 500);
		return;
	}
	snprintf(value, sizeof(value),
		 "Digest realm=\"%s\", nonce=\"%s\", algorithm=MD5, "
		 "qop=\"auth\"%s", sim->realm, nonce,
		 stale ? ", stale=true" : "");
	memset(&r, 0, sizeof(r));
	r.code = 401;
	r.expires = -1;
	r.hname[0] = "WWW-Authenticate";
	r.hvalue[0] = value;
	r.nh = 1;
	sim->st.challenges++;
	(void)sim_reply(sim, tsx, req, &r);
}

/* The Digest credentials of req, or NULL. */
static const osip_authorization_t *digest_of(const osip_message_t *req)
{
	int i;

	for (i = 0; i < osip_list_size(&req->authorizations); i++) {
		const osip_authorization_t *a =
			osip_list_get(&req->authorizations, i);

		if (a && a->auth_type && !strcasecmp(a->auth_type, "Digest"))
			return a;
	}
	return NULL;
}

/*
 * Whether a's answer is right for the nonce it names: MD5, qop=auth,
 * our user and realm. *nonce gets the nonce it answered.
 */
static bool answer_right(const struct gw_sim *sim,
			 const osip_message_t *req,
			 const osip_authorization_t *a, char *nonce,
			 size_t nsize)
{
	char user[128], realm[128], uri[PINT_REQ_MAX_URI + 1], resp[80];
	char cnonce[PINT_DIGEST_MAX_VALUE + 1], qop[16], nc[16], alg[16];
	char expect[PINT_DIGEST_HEX_MAX + 1];
	struct pint_digest_chal ch;
	struct pint_digest_cred cr;
	unsigned long ncv;
	char *end;

	if (!unq(user, sizeof(user), a->username) ||
	    !unq(realm, sizeof(realm), a->realm) ||
	    !unq(nonce, nsize, a->nonce) || !unq(uri, sizeof(uri), a->uri) ||
	    !unq(resp, sizeof(resp), a->response) ||
	    !unq(cnonce, sizeof(cnonce), a->cnonce) ||
	    !unq(qop, sizeof(qop), a->message_qop) ||
	    !unq(nc, sizeof(nc), a->nonce_count))
		return false;
	if (a->algorithm && (!unq(alg, sizeof(alg), a->algorithm) ||
			     strcasecmp(alg, "MD5")))
		return false;
	if (strcmp(user, sim->auth_user) || strcmp(realm, sim->realm) ||
	    strcasecmp(qop, "auth") || strlen(nc) != 8)
		return false;
	errno = 0;
	ncv = strtoul(nc, &end, 16);
	if (errno || *end || ncv == 0 || ncv > UINT32_MAX)
		return false;
	memset(&ch, 0, sizeof(ch));
	snprintf(ch.realm, sizeof(ch.realm), "%s", realm);
	snprintf(ch.nonce, sizeof(ch.nonce), "%s", nonce);
	ch.alg = PINT_DIGEST_MD5;
	ch.qops = PINT_DIGEST_QOP_AUTH;
	memset(&cr, 0, sizeof(cr));
	cr.method = req->sip_method;
	cr.uri = uri;
	cr.username = user;
	cr.password = sim->auth_password;
	cr.cnonce = cnonce;
	cr.nc = (uint32_t)ncv;
	if (pint_digest_response(expect, &ch, &cr, PINT_DIGEST_QOP_AUTH))
		return false;
	return !strcasecmp(expect, resp);
}

/*
 * True when req may go on: no --auth, or good credentials for a nonce
 * we hold. Otherwise req has been answered 401 (a new challenge).
 */
bool sim_auth_ok(struct gw_sim *sim, struct pint_tsx *tsx,
		 const osip_message_t *req)
{
	const osip_authorization_t *a;
	char nonce[PINT_DIGEST_MAX_VALUE + 1];
	bool right;

	if (!sim->auth_user)
		return true;
	a = digest_of(req);
	if (!a) {
		challenge(sim, tsx, req, false);
		return false;
	}
	right = answer_right(sim, req, a, nonce, sizeof(nonce));
	if (right && nonce_good(sim, nonce))
		return true;
	if (!right) {
		sim->st.auth_failures++;
		log_info("sim: %s with wrong credentials", req->sip_method);
	}
	challenge(sim, tsx, req, right);
	return false;
}
