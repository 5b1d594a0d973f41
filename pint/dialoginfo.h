/*
 * pint/dialoginfo.h — RFC 4235 application/dialog-info+xml documents.
 *
 * pint_dinfo_parse() allocates one struct pint_dinfo that owns all of its
 * strings (fixed arrays, nothing points into the input); the caller frees
 * it with pint_dinfo_free(). struct pint_dinfo_track is plain caller-owned
 * state, one per subscription, with nothing to free.
 */
#ifndef PINT_DIALOGINFO_H
#define PINT_DIALOGINFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PINT_DINFO_NS "urn:ietf:params:xml:ns:dialog-info"

/* Hard limits: a document past any of them is refused with EMSGSIZE. */
#define PINT_DINFO_MAX_BODY (64u * 1024u)  /* bytes of XML */
#define PINT_DINFO_MAX_DIALOGS 16          /* <dialog> elements */
#define PINT_DINFO_MAX_DEPTH 16            /* element nesting, root = 1 */
#define PINT_DINFO_MAX_STR 256             /* any attribute or text we keep */

enum pint_dinfo_doc {
	PINT_DINFO_FULL,
	PINT_DINFO_PARTIAL,
};

enum pint_dinfo_dir {
	PINT_DINFO_DIR_UNSET,
	PINT_DINFO_INITIATOR,
	PINT_DINFO_RECIPIENT,
};

/* Never PINT_DINFO_STATE_NONE in a document pint_dinfo_parse() returned. */
enum pint_dinfo_state {
	PINT_DINFO_STATE_NONE,
	PINT_DINFO_TRYING,
	PINT_DINFO_PROCEEDING,
	PINT_DINFO_EARLY,
	PINT_DINFO_CONFIRMED,
	PINT_DINFO_TERMINATED,
};

/* The <state event=".."> attribute; UNKNOWN = a value RFC 4235 lacks. */
enum pint_dinfo_event {
	PINT_DINFO_EV_NONE,
	PINT_DINFO_EV_CANCELLED,
	PINT_DINFO_EV_REJECTED,
	PINT_DINFO_EV_REPLACED,
	PINT_DINFO_EV_LOCAL_BYE,
	PINT_DINFO_EV_REMOTE_BYE,
	PINT_DINFO_EV_ERROR,
	PINT_DINFO_EV_TIMEOUT,
	PINT_DINFO_EV_UNKNOWN,
};

/* <local> or <remote>; "" = absent. */
struct pint_dinfo_party {
	char identity[PINT_DINFO_MAX_STR + 1];  /* <identity> text (a URI) */
	char display[PINT_DINFO_MAX_STR + 1];   /* <identity display=".."> */
	char target[PINT_DINFO_MAX_STR + 1];    /* <target uri=".."> */
};

struct pint_dinfo_dialog {
	char id[PINT_DINFO_MAX_STR + 1];        /* never "" */
	char call_id[PINT_DINFO_MAX_STR + 1];   /* "" = absent */
	char local_tag[PINT_DINFO_MAX_STR + 1];
	char remote_tag[PINT_DINFO_MAX_STR + 1];
	enum pint_dinfo_dir direction;
	enum pint_dinfo_state state;
	enum pint_dinfo_event event;
	unsigned code;                          /* 100..699, 0 = absent */
	bool has_duration;
	uint32_t duration;                      /* seconds */
	struct pint_dinfo_party local;
	struct pint_dinfo_party remote;
};

struct pint_dinfo {
	uint32_t version;
	enum pint_dinfo_doc state;
	char entity[PINT_DINFO_MAX_STR + 1];    /* "" = absent */
	size_t ndialogs;
	struct pint_dinfo_dialog dialogs[PINT_DINFO_MAX_DIALOGS];
};

/* Parsing */
int pint_dinfo_parse(struct pint_dinfo **dip, const char *p, size_t len);
void pint_dinfo_free(struct pint_dinfo *di);
const char *pint_dinfo_state_name(enum pint_dinfo_state state);
const char *pint_dinfo_event_name(enum pint_dinfo_event event);

/* Version tracking per subscription (RFC 4235 §4.3 coherent state) */
enum pint_dinfo_verdict {
	PINT_DINFO_ACCEPT,          /* apply it */
	PINT_DINFO_ACCEPT_RESYNC,   /* apply it; a gap: re-SUBSCRIBE if partial */
	PINT_DINFO_STALE,           /* discard it */
};

struct pint_dinfo_track {
	bool started;
	uint32_t version;           /* last accepted, valid when started */
};

void pint_dinfo_track_init(struct pint_dinfo_track *tr);
int pint_dinfo_track_check(struct pint_dinfo_track *tr,
			   const struct pint_dinfo *di,
			   enum pint_dinfo_verdict *verdictp);
const char *pint_dinfo_verdict_name(enum pint_dinfo_verdict verdict);

#endif
