/*
 * pint/sdp.h — PINT session descriptions (RFC 2848 over RFC 4566 SDP).
 *
 * struct pint_sdp holds no heap memory: every string is a view. A model
 * built by hand points at the caller's strings; a decoded model points into
 * the parsed text, which the caller keeps alive while the model is used.
 * All-zero is the empty model: every field unset. Encode strictly, decode
 * leniently (RFC 2848's examples break SDP syntax in ways we accept).
 */
#ifndef PINT_SDP_H
#define PINT_SDP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pint/mbuf.h"
#include "pint/pl.h"

#define PINT_SDP_MAX_MEDIA   8      /* m= sections */
#define PINT_SDP_MAX_FMT     8      /* fmt values on one m= line */
#define PINT_SDP_MAX_RES     8      /* resolutions on one a=fmtp line */
#define PINT_SDP_MAX_REQUIRE 16     /* a=require tags per level */
#define PINT_SDP_MAX_ATTR    32     /* other a= lines per level */
#define PINT_SDP_MAX_EMAIL   4      /* e= lines */
#define PINT_SDP_MAX_LINE    1024   /* bytes in one line, without its end */
#define PINT_SDP_MAX_LINES   512    /* non-empty lines, unknown ones too */
#define PINT_SDP_MAX_BODY    65536  /* bytes in a whole body */

/* NTP seconds (SDP t=) = Unix seconds + this; 0 stays 0 ("now"/"open"). */
#define PINT_SDP_NTP_OFFSET  2208988800ULL

enum pint_sdp_clir {
	PINT_SDP_CLIR_UNSET = 0,
	PINT_SDP_CLIR_TRUE,         /* do not present the calling line id */
	PINT_SDP_CLIR_FALSE,
};

/* The media token; OTHER keeps the raw token in pint_sdp_media.media. */
enum pint_sdp_mtype {
	PINT_SDP_MEDIA_OTHER = 0,
	PINT_SDP_MEDIA_AUDIO,
	PINT_SDP_MEDIA_TEXT,
	PINT_SDP_MEDIA_IMAGE,
	PINT_SDP_MEDIA_APPLICATION,
};

/* The GSTN treatment; OTHER keeps the raw token in pint_sdp_media.proto_name. */
enum pint_sdp_proto {
	PINT_SDP_PROTO_OTHER = 0,
	PINT_SDP_PROTO_VOICE,
	PINT_SDP_PROTO_FAX,
	PINT_SDP_PROTO_PAGER,
};

enum pint_sdp_res_kind {
	PINT_SDP_RES_NONE = 0,      /* invalid: the encoder refuses it */
	PINT_SDP_RES_URI,           /* uri:<URI> object on the IP network */
	PINT_SDP_RES_SPR,           /* spr:<Content-ID> body part, no <> */
	PINT_SDP_RES_OPR,           /* opr:<opaque> GSTN object, may be empty */
};

/* An optional small number (a=Q763-*). */
struct pint_sdp_num {
	bool set;
	unsigned val;
};

/* o=; the identifying part is all but sess_version. */
struct pint_sdp_origin {
	struct pint_pl user;
	struct pint_pl sess_id;
	struct pint_pl sess_version;
	struct pint_pl nettype;
	struct pint_pl addrtype;
	struct pint_pl addr;
};

/* c=; unset when nettype is unset. PINT: "TN" "RFC2543" <number>. */
struct pint_sdp_conn {
	struct pint_pl nettype;
	struct pint_pl addrtype;
	struct pint_pl addr;
};

/* a=name[:value]; an unset value is a flag attribute, a set empty one "a=x:". */
struct pint_sdp_attr {
	struct pint_pl name;
	struct pint_pl value;
};

/*
 * The attributes PINT knows, at session or media level. Encoded in this
 * order, a=require first so it precedes what it marks, then the others in
 * their order. Q763 ranges checked when encoding (RFC 2848 ABNF):
 * nature 1-4, plan 1-7, INN 0-1.
 */
struct pint_sdp_attrs {
	struct pint_pl require[PINT_SDP_MAX_REQUIRE];
	size_t nrequire;
	struct pint_pl phone_context;
	enum pint_sdp_clir clir;
	struct pint_sdp_num q763_nature;
	struct pint_sdp_num q763_plan;
	struct pint_sdp_num q763_inn;
	struct pint_pl lang;
	struct pint_sdp_attr other[PINT_SDP_MAX_ATTR];
	size_t nother;
};

struct pint_sdp_res {
	enum pint_sdp_res_kind kind;
	struct pint_pl value;
};

/* a=fmtp for one fmt: resolutions used in sequence, then raw ";..." params. */
struct pint_sdp_fmtp {
	struct pint_sdp_res res[PINT_SDP_MAX_RES];
	size_t nres;                /* 0 = no a=fmtp line */
	struct pint_pl params;      /* unset, or starts with ';' */
};

struct pint_sdp_media {
	enum pint_sdp_mtype type;
	struct pint_pl media;       /* the token; needed only for OTHER */
	unsigned port;              /* 1 normally, 0 = on hold */
	enum pint_sdp_proto proto;
	struct pint_pl proto_name;  /* the token; needed only for OTHER */
	struct pint_pl fmt[PINT_SDP_MAX_FMT];   /* subtypes, or one "-" */
	size_t nfmt;
	struct pint_pl info;        /* i= */
	struct pint_sdp_conn conn;  /* c= */
	struct pint_sdp_attrs attrs;
	struct pint_sdp_fmtp fmtp[PINT_SDP_MAX_FMT];    /* fmtp[i] is fmt[i]'s */
};

struct pint_sdp {
	struct pint_sdp_origin origin;
	struct pint_pl name;        /* s= */
	struct pint_pl info;        /* i= */
	struct pint_pl email[PINT_SDP_MAX_EMAIL];
	size_t nemail;
	struct pint_sdp_conn conn;
	uint64_t start;             /* t= NTP seconds, 0 = now */
	uint64_t stop;              /* 0 = unbounded */
	struct pint_sdp_attrs attrs;
	struct pint_sdp_media media[PINT_SDP_MAX_MEDIA];
	size_t nmedia;
};

/* Building and comparing */
void pint_sdp_init(struct pint_sdp *sdp);
int pint_sdp_media_add(struct pint_sdp *sdp, struct pint_sdp_media **mp);
bool pint_sdp_origin_eq(const struct pint_sdp_origin *a,
			const struct pint_sdp_origin *b);

/* Wire form */
int pint_sdp_encode(struct pint_mbuf *mb, const struct pint_sdp *sdp);
int pint_sdp_decode(struct pint_sdp *sdp, const char *p, size_t len);

/* Time */
int pint_sdp_ntp_from_unix(uint64_t *ntpp, uint64_t unix_s);
int pint_sdp_unix_from_ntp(uint64_t *unixp, uint64_t ntp);

#endif
