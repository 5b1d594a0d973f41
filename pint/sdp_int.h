/*
 * pint/sdp_int.h — private to pint/sdp.c and pint/sdp_parse.c.
 *
 * The names PINT gives meaning to (media, protos, attributes, resolution
 * tags) live in one table each so the parser and the emitter agree on them.
 */
#ifndef PINT_SDP_INT_H
#define PINT_SDP_INT_H

#include <stdbool.h>

#include "pint/pl.h"
#include "pint/sdp.h"

/* Attribute names with a field of their own in struct pint_sdp_attrs. */
enum pint_sdp_akey {
	PINT_SDP_A_OTHER = 0,
	PINT_SDP_A_REQUIRE,
	PINT_SDP_A_PHONE_CONTEXT,
	PINT_SDP_A_CLIR,
	PINT_SDP_A_Q763_NATURE,
	PINT_SDP_A_Q763_PLAN,
	PINT_SDP_A_Q763_INN,
	PINT_SDP_A_LANG,
	PINT_SDP_A_FMTP,
};

bool pint_sdp_tokchar(unsigned char c);
bool pint_sdp_is_ws(unsigned char c);

enum pint_sdp_mtype pint_sdp_mtype_of(const struct pint_pl *tok);
const char *pint_sdp_mtype_name(enum pint_sdp_mtype type);
enum pint_sdp_proto pint_sdp_proto_of(const struct pint_pl *tok);
const char *pint_sdp_proto_name(enum pint_sdp_proto proto);
enum pint_sdp_akey pint_sdp_akey_of(const struct pint_pl *name);
const char *pint_sdp_akey_name(enum pint_sdp_akey key);
const char *pint_sdp_res_name(enum pint_sdp_res_kind kind);

#endif
