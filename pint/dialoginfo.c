/*
 * pint/dialoginfo.c — RFC 4235 dialog-info documents, parsed with expat.
 *
 * The document comes from the network, so the parser refuses any DOCTYPE
 * (no entity can be declared, hence no billion laughs and no external
 * entity), stops at the first limit it passes and allocates nothing in its
 * handlers: every string lands in a fixed array of struct pint_dinfo.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <expat.h>

#include "pint/pl.h"
#include "pint/dialoginfo.h"

#define NSSEP ' '

/* What an open element is to us; children of SKIP are SKIP too. */
enum kind {
	K_NONE,
	K_ROOT,
	K_DIALOG,
	K_STATE,
	K_DURATION,
	K_LOCAL,
	K_REMOTE,
	K_IDENTITY,
	K_TARGET,
	K_SKIP,
};

struct ctx {
	XML_Parser xp;
	struct pint_dinfo *di;
	int err;
	bool nons;                      /* root had no namespace (tolerated) */
	unsigned depth;
	enum kind stack[PINT_DINFO_MAX_DEPTH + 1];
	struct pint_dinfo_dialog *dlg;  /* the open <dialog> */
	struct pint_dinfo_party *party; /* the open <local>/<remote> */
	size_t textlen;
	char text[PINT_DINFO_MAX_STR + 1];
};

static const char *const state_names[] = {
	[PINT_DINFO_STATE_NONE] = "none",
	[PINT_DINFO_TRYING] = "trying",
	[PINT_DINFO_PROCEEDING] = "proceeding",
	[PINT_DINFO_EARLY] = "early",
	[PINT_DINFO_CONFIRMED] = "confirmed",
	[PINT_DINFO_TERMINATED] = "terminated",
};

static const char *const event_names[] = {
	[PINT_DINFO_EV_NONE] = "none",
	[PINT_DINFO_EV_CANCELLED] = "cancelled",
	[PINT_DINFO_EV_REJECTED] = "rejected",
	[PINT_DINFO_EV_REPLACED] = "replaced",
	[PINT_DINFO_EV_LOCAL_BYE] = "local-bye",
	[PINT_DINFO_EV_REMOTE_BYE] = "remote-bye",
	[PINT_DINFO_EV_ERROR] = "error",
	[PINT_DINFO_EV_TIMEOUT] = "timeout",
	[PINT_DINFO_EV_UNKNOWN] = "unknown",
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* The name of a dialog state, for logs ("?" when out of range). */
const char *pint_dinfo_state_name(enum pint_dinfo_state state)
{
	return (size_t)state < NELEM(state_names) ? state_names[state] : "?";
}

/* The name of a <state event=".."> value, for logs. */
const char *pint_dinfo_event_name(enum pint_dinfo_event event)
{
	return (size_t)event < NELEM(event_names) ? event_names[event] : "?";
}

/* Keep the first error; handlers may still be called after a stop. */
static void stop(struct ctx *c, int err)
{
	if (!c->err) {
		c->err = err;
		XML_StopParser(c->xp, XML_FALSE);
	}
}

static bool isxmlspace(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n';
}

/* An attribute or text value without surrounding XML whitespace. */
static struct pint_pl trimmed(const char *s, size_t len)
{
	struct pint_pl pl = {s, len};

	while (pl.l && isxmlspace(pl.p[0])) {
		pl.p++;
		pl.l--;
	}
	while (pl.l && isxmlspace(pl.p[pl.l - 1]))
		pl.l--;
	return pl;
}

/* Copy a value we keep; EMSGSIZE past the string limit. */
static int copy_str(char *dst, const char *s)
{
	size_t n = strlen(s);

	if (n > PINT_DINFO_MAX_STR)
		return EMSGSIZE;
	memcpy(dst, s, n + 1);
	return 0;
}

/* The value of an unqualified attribute, or NULL. */
static const char *attr(const XML_Char **atts, const char *name)
{
	size_t i;

	for (i = 0; atts[i]; i += 2) {
		if (!strcmp(atts[i], name))
			return atts[i + 1];
	}
	return NULL;
}

/*
 * The local name when the element is in the dialog-info namespace, or in
 * no namespace inside a document whose root has none; else NULL.
 */
static const char *local_name(const struct ctx *c, const char *name)
{
	const char *sep = strchr(name, NSSEP);
	size_t nslen = sizeof(PINT_DINFO_NS) - 1;

	if (!sep)
		return c->nons ? name : NULL;
	if ((size_t)(sep - name) == nslen && !memcmp(name, PINT_DINFO_NS, nslen))
		return sep + 1;
	return NULL;
}

static int parse_u32(const char *s, uint32_t *valp)
{
	struct pint_pl pl = trimmed(s, strlen(s));
	unsigned long long v;
	int err;

	err = pint_pl_u64(&pl, UINT32_MAX, &v);
	if (err)
		return err;
	*valp = (uint32_t)v;
	return 0;
}

static int start_root(struct ctx *c, const char *name, const XML_Char **atts)
{
	struct pint_dinfo *di = c->di;
	const char *v;
	struct pint_pl pl;

	/* Some notifiers omit xmlns; a foreign namespace is another format. */
	c->nons = strchr(name, NSSEP) == NULL;
	v = local_name(c, name);
	if (!v || strcmp(v, "dialog-info"))
		return EBADMSG;

	v = attr(atts, "version");
	if (!v || parse_u32(v, &di->version))
		return EBADMSG;

	/* An example in RFC 4235 itself spells it notify-state. */
	v = attr(atts, "state");
	if (!v)
		v = attr(atts, "notify-state");
	if (!v)
		return EBADMSG;
	pl = trimmed(v, strlen(v));
	if (pint_pl_caseeq(&pl, "full"))
		di->state = PINT_DINFO_FULL;
	else if (pint_pl_caseeq(&pl, "partial"))
		di->state = PINT_DINFO_PARTIAL;
	else
		return EBADMSG;

	v = attr(atts, "entity");
	return v ? copy_str(di->entity, v) : 0;
}

static int start_dialog(struct ctx *c, const XML_Char **atts)
{
	struct pint_dinfo *di = c->di;
	struct pint_dinfo_dialog *dlg;
	const char *v;
	struct pint_pl pl;
	size_t i;
	int err;

	if (di->ndialogs >= PINT_DINFO_MAX_DIALOGS)
		return EMSGSIZE;
	dlg = &di->dialogs[di->ndialogs];

	v = attr(atts, "id");
	if (!v || !*v)
		return EBADMSG;
	err = copy_str(dlg->id, v);
	if (err)
		return err;
	/* Partial updates are applied by id: two rows with one id is no table. */
	for (i = 0; i < di->ndialogs; i++) {
		if (!strcmp(di->dialogs[i].id, dlg->id))
			return EBADMSG;
	}

	v = attr(atts, "call-id");
	if (v && (err = copy_str(dlg->call_id, v)))
		return err;
	v = attr(atts, "local-tag");
	if (v && (err = copy_str(dlg->local_tag, v)))
		return err;
	v = attr(atts, "remote-tag");
	if (v && (err = copy_str(dlg->remote_tag, v)))
		return err;

	v = attr(atts, "direction");
	if (v) {
		pl = trimmed(v, strlen(v));
		if (pint_pl_caseeq(&pl, "initiator"))
			dlg->direction = PINT_DINFO_INITIATOR;
		else if (pint_pl_caseeq(&pl, "recipient"))
			dlg->direction = PINT_DINFO_RECIPIENT;
	}

	di->ndialogs++;
	c->dlg = dlg;
	return 0;
}

static int start_state(struct ctx *c, const XML_Char **atts)
{
	struct pint_dinfo_dialog *dlg = c->dlg;
	const char *v;
	struct pint_pl pl;
	size_t i;

	/* Two states for one dialog leave its state a guess. */
	if (dlg->state != PINT_DINFO_STATE_NONE)
		return EBADMSG;

	v = attr(atts, "event");
	if (v) {
		pl = trimmed(v, strlen(v));
		dlg->event = PINT_DINFO_EV_UNKNOWN;
		for (i = PINT_DINFO_EV_CANCELLED; i < PINT_DINFO_EV_UNKNOWN; i++) {
			if (pint_pl_caseeq(&pl, event_names[i])) {
				dlg->event = (enum pint_dinfo_event)i;
				break;
			}
		}
	}

	/* The code only refines the event: a bad one is dropped, not fatal. */
	v = attr(atts, "code");
	if (v) {
		uint32_t code;

		if (!parse_u32(v, &code) && code >= 100 && code <= 699)
			dlg->code = code;
	}
	return 0;
}

static int start_target(struct ctx *c, const XML_Char **atts)
{
	const char *v = attr(atts, "uri");

	if (!v || c->party->target[0])
		return 0;
	return copy_str(c->party->target, v);
}

static int start_identity(struct ctx *c, const XML_Char **atts)
{
	const char *v = attr(atts, "display");

	if (!v || c->party->display[0])
		return 0;
	return copy_str(c->party->display, v);
}

/* What an element is, given its parent; SKIP for anything we ignore. */
static enum kind classify(const struct ctx *c, enum kind parent,
			  const char *name)
{
	const char *ln = local_name(c, name);

	if (!ln)
		return K_SKIP;
	switch (parent) {
	case K_ROOT:
		if (!strcmp(ln, "dialog"))
			return K_DIALOG;
		break;
	case K_DIALOG:
		if (!strcmp(ln, "state"))
			return K_STATE;
		if (!strcmp(ln, "duration"))
			return K_DURATION;
		if (!strcmp(ln, "local"))
			return K_LOCAL;
		if (!strcmp(ln, "remote"))
			return K_REMOTE;
		break;
	case K_LOCAL:
	case K_REMOTE:
		if (!strcmp(ln, "identity"))
			return K_IDENTITY;
		if (!strcmp(ln, "target"))
			return K_TARGET;
		break;
	default:
		break;
	}
	return K_SKIP;
}

static void XMLCALL on_start(void *arg, const XML_Char *name,
			     const XML_Char **atts)
{
	struct ctx *c = arg;
	enum kind kind;
	int err = 0;

	if (c->err)
		return;
	if (c->depth >= PINT_DINFO_MAX_DEPTH) {
		stop(c, EMSGSIZE);
		return;
	}

	if (c->depth == 0) {
		kind = K_ROOT;
		err = start_root(c, name, atts);
	} else {
		kind = classify(c, c->stack[c->depth - 1], name);
	}

	switch (kind) {
	case K_DIALOG:
		err = start_dialog(c, atts);
		break;
	case K_STATE:
		err = start_state(c, atts);
		c->textlen = 0;
		break;
	case K_DURATION:
		c->textlen = 0;
		break;
	case K_IDENTITY:
		c->textlen = 0;
		err = start_identity(c, atts);
		break;
	case K_LOCAL:
		c->party = &c->dlg->local;
		break;
	case K_REMOTE:
		c->party = &c->dlg->remote;
		break;
	case K_TARGET:
		err = start_target(c, atts);
		break;
	default:
		break;
	}
	if (err) {
		stop(c, err);
		return;
	}
	c->stack[c->depth++] = kind;
}

static void XMLCALL on_text(void *arg, const XML_Char *s, int len)
{
	struct ctx *c = arg;
	size_t n = (size_t)len;

	if (c->err || c->depth == 0)
		return;
	switch (c->stack[c->depth - 1]) {
	case K_STATE:
	case K_DURATION:
	case K_IDENTITY:
		break;
	default:
		return;
	}

	/* Leading indentation does not count against the limit. */
	while (c->textlen == 0 && n && isxmlspace(*s)) {
		s++;
		n--;
	}
	if (n > PINT_DINFO_MAX_STR - c->textlen) {
		stop(c, EMSGSIZE);
		return;
	}
	memcpy(c->text + c->textlen, s, n);
	c->textlen += n;
}

static int end_state(struct ctx *c)
{
	struct pint_pl pl = trimmed(c->text, c->textlen);
	size_t i;

	for (i = PINT_DINFO_TRYING; i <= PINT_DINFO_TERMINATED; i++) {
		if (pint_pl_caseeq(&pl, state_names[i])) {
			c->dlg->state = (enum pint_dinfo_state)i;
			return 0;
		}
	}
	return EBADMSG;
}

static void XMLCALL on_end(void *arg, const XML_Char *name)
{
	struct ctx *c = arg;
	struct pint_dinfo_dialog *dlg = c->dlg;
	struct pint_pl pl;
	int err = 0;

	(void)name;
	if (c->err || c->depth == 0)
		return;

	switch (c->stack[--c->depth]) {
	case K_DIALOG:
		if (dlg->state == PINT_DINFO_STATE_NONE)
			err = EBADMSG;
		c->dlg = NULL;
		break;
	case K_STATE:
		err = end_state(c);
		break;
	case K_DURATION:
		/* Optional and informative: a bad value reads as absent. */
		c->text[c->textlen] = '\0';
		if (!dlg->has_duration && !parse_u32(c->text, &dlg->duration))
			dlg->has_duration = true;
		break;
	case K_IDENTITY:
		pl = trimmed(c->text, c->textlen);
		if (!c->party->identity[0] && pl.l) {
			memcpy(c->party->identity, pl.p, pl.l);
			c->party->identity[pl.l] = '\0';
		}
		break;
	case K_LOCAL:
	case K_REMOTE:
		c->party = NULL;
		break;
	default:
		break;
	}
	if (err)
		stop(c, err);
}

/* Any DOCTYPE can declare entities: refuse them all. */
static void XMLCALL on_doctype(void *arg, const XML_Char *name,
			       const XML_Char *sysid, const XML_Char *pubid,
			       int has_internal_subset)
{
	(void)name;
	(void)sysid;
	(void)pubid;
	(void)has_internal_subset;
	stop(arg, EBADMSG);
}

static void XMLCALL on_entity(void *arg, const XML_Char *name, int is_param,
			      const XML_Char *value, int value_len,
			      const XML_Char *base, const XML_Char *sysid,
			      const XML_Char *pubid, const XML_Char *notation)
{
	(void)name;
	(void)is_param;
	(void)value;
	(void)value_len;
	(void)base;
	(void)sysid;
	(void)pubid;
	(void)notation;
	stop(arg, EBADMSG);
}

/*
 * Parse one dialog-info document of len bytes (need not be NUL-terminated).
 * On success *dip is a new document the caller frees with pint_dinfo_free();
 * on error *dip is untouched and nothing is left allocated.
 * EMSGSIZE past a PINT_DINFO_MAX_* limit, EBADMSG for anything not a
 * well-formed RFC 4235 document (a DOCTYPE, a foreign root namespace, a
 * missing version/state/dialog id/dialog state, a duplicate dialog id),
 * ENOMEM. Unknown elements and attributes are skipped; a document wholly
 * in no namespace is read as dialog-info (some notifiers omit xmlns).
 */
int pint_dinfo_parse(struct pint_dinfo **dip, const char *p, size_t len)
{
	/* Expat's memory goes through ours, so tests count and fail it. */
	static const XML_Memory_Handling_Suite mem = {malloc, realloc, free};
	static const XML_Char sep[] = {NSSEP, '\0'};
	struct ctx c;
	int err;

	if (!dip || (!p && len))
		return EINVAL;
	if (len > PINT_DINFO_MAX_BODY)
		return EMSGSIZE;

	memset(&c, 0, sizeof(c));
	c.di = calloc(1, sizeof(*c.di));
	if (!c.di)
		return ENOMEM;
	c.xp = XML_ParserCreate_MM(NULL, &mem, sep);
	if (!c.xp) {
		err = ENOMEM;
		goto out;
	}
	XML_SetUserData(c.xp, &c);
	XML_SetElementHandler(c.xp, on_start, on_end);
	XML_SetCharacterDataHandler(c.xp, on_text);
	XML_SetStartDoctypeDeclHandler(c.xp, on_doctype);
	XML_SetEntityDeclHandler(c.xp, on_entity);

	if (XML_Parse(c.xp, p ? p : "", (int)len, XML_TRUE) == XML_STATUS_OK)
		err = 0;
	else if (c.err)
		err = c.err;
	else if (XML_GetErrorCode(c.xp) == XML_ERROR_NO_MEMORY)
		err = ENOMEM;
	else
		err = EBADMSG;

 out:
	if (c.xp)
		XML_ParserFree(c.xp);
	if (err) {
		free(c.di);
		return err;
	}
	*dip = c.di;
	return 0;
}

/* Free a parsed document (NULL-safe). */
void pint_dinfo_free(struct pint_dinfo *di)
{
	free(di);
}

/* A tracker that has seen no document yet. */
void pint_dinfo_track_init(struct pint_dinfo_track *tr)
{
	tr->started = false;
	tr->version = 0;
}

/*
 * Decide what to do with a parsed document of this subscription
 * (RFC 4235 §4.3): ACCEPT when its version is the last accepted + 1
 * or it is the first document and full state; ACCEPT_RESYNC when versions
 * were skipped or the first document is partial (apply it, and if it is
 * partial re-SUBSCRIBE to get full state); STALE when its version is not
 * above the last accepted (discard it). Accepting records the version.
 * A new subscription dialog needs a fresh tracker: versions are scoped to it.
 */
int pint_dinfo_track_check(struct pint_dinfo_track *tr,
			   const struct pint_dinfo *di,
			   enum pint_dinfo_verdict *verdictp)
{
	enum pint_dinfo_verdict verdict;

	if (!tr || !di || !verdictp)
		return EINVAL;

	if (!tr->started)
		verdict = di->state == PINT_DINFO_FULL ?
			PINT_DINFO_ACCEPT : PINT_DINFO_ACCEPT_RESYNC;
	else if (di->version <= tr->version)
		verdict = PINT_DINFO_STALE;
	else if (di->version == tr->version + 1)
		verdict = PINT_DINFO_ACCEPT;
	else
		verdict = PINT_DINFO_ACCEPT_RESYNC;

	if (verdict != PINT_DINFO_STALE) {
		tr->started = true;
		tr->version = di->version;
	}
	*verdictp = verdict;
	return 0;
}

/* The name of a verdict, for logs. */
const char *pint_dinfo_verdict_name(enum pint_dinfo_verdict verdict)
{
	switch (verdict) {
	case PINT_DINFO_ACCEPT:
		return "accept";
	case PINT_DINFO_ACCEPT_RESYNC:
		return "accept-resync";
	case PINT_DINFO_STALE:
		return "stale";
	}
	return "?";
}
