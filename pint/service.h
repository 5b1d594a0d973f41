/*
 * pint/service.h — a PINT service request (R2C, R2F, R2HC or a configured
 * custom service) turned into its SDP, its body and its INVITE.
 *
 * Everything is borrowed from the caller; pint_svc_encode() fills a
 * struct pint_svc_body whose buffers belong to it until
 * pint_svc_body_reset(). Randomness (the o= session id, the multipart
 * boundary) and the time come in through struct pint_svc_wire.
 */
#ifndef PINT_SERVICE_H
#define PINT_SERVICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <osipparser2/osip_message.h>

#include "pint/req.h"
#include "pint/sdp.h"
#include "pint/tel.h"

#define PINT_SVC_MAX_ITEMS     PINT_SDP_MAX_MEDIA  /* one m= section each */
#define PINT_SVC_MAX_SPELLINGS 16                  /* subtype overrides */
#define PINT_SVC_MAX_TYPE      127                 /* bytes of a MIME type */
#define PINT_SVC_MAX_REF       1024                /* bytes of a uri:/opr: */
#define PINT_SVC_MAX_INLINE    (768u * 1024u)      /* inline bytes, all items */
#define PINT_SVC_MAX_TEXT      256                 /* i=, e=, lang, tags */
#define PINT_SVC_CTYPE_SIZE    160

/* The GSTN treatment of a service and how its SDP is shaped. */
enum pint_svc_content {
	PINT_SVC_NO_CONTENT,     /* R2C: m=audio 1 voice -, items refused */
	PINT_SVC_NEEDS_CONTENT,  /* R2F, R2HC, R2P: at least one item */
	PINT_SVC_MAY_CONTENT,    /* R2FB: none = "m=text 1 <proto> -" */
};

/* A MIME type spelt differently on the wire ("image/tiff" as "tif"). */
struct pint_svc_spelling {
	const char *type;        /* "image/tiff", lower case */
	const char *subtype;     /* "tif" */
};

struct pint_svc_def {
	const char *name;        /* Request-URI user and s=: "R2C", "R2FB" */
	enum pint_sdp_proto proto;
	enum pint_svc_content content;
	bool a_party;            /* To: carries the A party (R2C, R2FB) */
	const struct pint_svc_spelling *spellings;
	size_t nspellings;
};

enum pint_svc_src {
	PINT_SVC_INLINE,         /* bytes sent in a multipart part (spr:) */
	PINT_SVC_URI,            /* absolute URI the gateway fetches (uri:) */
	PINT_SVC_OPAQUE,         /* reference to a GSTN-held object (opr:) */
};

struct pint_svc_item {
	const char *type;        /* MIME type, parameters allowed */
	enum pint_svc_src src;
	const char *data;        /* inline bytes, the URI or the reference */
	size_t len;
};

struct pint_svc_req {
	const struct pint_svc_def *def;
	const struct pint_tel *to;      /* the number the network dials: c= */
	const struct pint_tel *from;    /* the A party: To: (a_party services) */
	const struct pint_svc_item *items;
	size_t nitems;
	const char *phone_context;      /* asked for: local form + a=phone-context */
	enum pint_sdp_clir clir;
	const char *lang;
	const char *const *require;     /* a=require tags */
	size_t nrequire;
	uint64_t start;                 /* Unix seconds; 0 = now */
	uint64_t stop;                  /* Unix seconds; 0 = open */
	const char *info;               /* i=, NULL = none */
	const char *email;              /* e=, the requestor */
};

/* What the caller decides: identities from the OS RNG, where it goes. */
struct pint_svc_wire {
	const char *sess_id;            /* o= session id: decimal, unguessable */
	const char *origin_addr;        /* o= address of pintgw */
	bool origin_ipv6;
	const char *cid_host;           /* right-hand side of Content-IDs */
	const char *boundary;           /* multipart boundary, unguessable */
};

struct pint_svc_body {
	char *sdp;                      /* the SDP alone: SUBSCRIBE bodies */
	size_t sdp_len;
	char *body;                     /* the INVITE body: the SDP or multipart */
	size_t body_len;
	char ctype[PINT_SVC_CTYPE_SIZE];
	bool multipart;                 /* inline content: send over TCP */
	bool require_sdp;               /* a=require used */
};

/* Services */
const struct pint_svc_def *pint_svc_builtin(const char *api_name);
int pint_svc_check_def(const struct pint_svc_def *def);

/* Encoding */
int pint_svc_encode(struct pint_svc_body *out, const struct pint_svc_req *req,
		    const struct pint_svc_wire *wire);
void pint_svc_body_reset(struct pint_svc_body *out);
int pint_svc_invite(osip_message_t **msgp, const struct pint_svc_req *req,
		    const struct pint_svc_body *body,
		    const struct pint_req_local *loc,
		    const struct pint_req_ids *ids,
		    const struct pint_req_tx *tx,
		    const char *domain, const char *tsp);

#endif
