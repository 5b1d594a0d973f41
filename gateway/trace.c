/*
 * gateway/trace.c — SIP messages kept for the demo page, grouped by the
 * INVITE they belong to (see trace.h for how a Call-ID joins a group).
 * Two rings: messages (by count and bytes) and links (Call-ID → group).
 * Demo traffic is small, so links are found by a linear scan of a
 * bounded ring rather than through a hash table.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "gateway/trace.h"
#include "web/json.h"

#define CALLID_MAX 128u         /* longer Call-IDs are not traced */
#define SESS_MAX 64u            /* digits of an SDP o= session id */
#define FIRST_MAX 512u          /* a start line, as shown */

struct link {
	char call_id[CALLID_MAX + 1];
	char root[CALLID_MAX + 1];      /* the INVITE's Call-ID */
	char sess[SESS_MAX + 1];        /* roots only: their o= session id */
};

struct tmsg {
	uint64_t seq;
	int64_t at_ms;
	bool out;
	bool absorbed;
	char peer[GW_TRACE_PEER_MAX + 1];
	char root[CALLID_MAX + 1];
	char *text;                     /* NUL-terminated copy */
	size_t len;
};

struct gw_trace {
	struct tmsg *msgs;              /* ring: oldest at head */
	size_t cap, head, n;
	size_t bytes, max_bytes;
	struct link *links;             /* ring: oldest at lhead */
	size_t lcap, lhead, ln;
	uint64_t seq;
};

/*
 * Make an empty trace with the given bounds. 0, EINVAL for a zero bound,
 * or ENOMEM.
 */
int gw_trace_alloc(struct gw_trace **tracep, size_t max_msgs,
		   size_t max_bytes, size_t max_links)
{
	struct gw_trace *t;

	if (!tracep || !max_msgs || !max_bytes || !max_links)
		return EINVAL;
	t = calloc(1, sizeof(*t));
	if (!t)
		return ENOMEM;
	t->msgs = calloc(max_msgs, sizeof(*t->msgs));
	t->links = calloc(max_links, sizeof(*t->links));
	if (!t->msgs || !t->links) {
		gw_trace_free(t);
		return ENOMEM;
	}
	t->cap = max_msgs;
	t->max_bytes = max_bytes;
	t->lcap = max_links;
	*tracep = t;
	return 0;
}

/* Everything it holds. NULL-safe. */
void gw_trace_free(struct gw_trace *trace)
{
	size_t i;

	if (!trace)
		return;
	for (i = 0; trace->msgs && i < trace->cap; i++)
		free(trace->msgs[i].text);
	free(trace->msgs);
	free(trace->links);
	free(trace);
}

/* Messages and text bytes held. */
void gw_trace_usage(const struct gw_trace *trace, size_t *msgsp,
		    size_t *bytesp)
{
	if (msgsp)
		*msgsp = trace ? trace->n : 0;
	if (bytesp)
		*bytesp = trace ? trace->bytes : 0;
}

/* ---- links ---- */

static const struct link *link_by_call(const struct gw_trace *t,
				       const struct pint_pl *cid)
{
	size_t i;

	for (i = 0; i < t->ln; i++) {
		const struct link *l = &t->links[i];

		if (pint_pl_eq(cid, l->call_id))
			return l;
	}
	return NULL;
}

static const struct link *link_by_sess(const struct gw_trace *t,
				       const char *sess)
{
	size_t i;

	for (i = 0; i < t->ln; i++) {
		const struct link *l = &t->links[i];

		if (l->sess[0] && !strcmp(l->sess, sess))
			return l;
	}
	return NULL;
}

/* Add a link, dropping the oldest when the ring is full. */
static void link_add(struct gw_trace *t, const struct pint_pl *cid,
		     const char *root, const char *sess)
{
	struct link *l;

	if (t->ln < t->lcap) {
		l = &t->links[t->ln++];
	} else {
		l = &t->links[t->lhead];
		t->lhead = (t->lhead + 1) % t->lcap;
	}
	memcpy(l->call_id, cid->p, cid->l);
	l->call_id[cid->l] = '\0';
	memcpy(l->root, root, strlen(root) + 1);
	memcpy(l->sess, sess, strlen(sess) + 1);
}

/* The session id of the first o= line ("o=user SESS VERSION …"), or "". */
static void sdp_sess(const char *p, size_t len, char sess[SESS_MAX + 1])
{
	size_t i, j;

	sess[0] = '\0';
	for (i = 0; i + 2 < len; i++) {
		if ((i && p[i - 1] != '\n') || p[i] != 'o' || p[i + 1] != '=')
			continue;
		i += 2;
		while (i < len && p[i] != ' ' && p[i] != '\r' && p[i] != '\n')
			i++;            /* the user name */
		while (i < len && p[i] == ' ')
			i++;
		for (j = 0; i < len && j < SESS_MAX && p[i] >= '0' &&
		     p[i] <= '9'; j++)
			sess[j] = p[i++];
		sess[j] = '\0';
		if (i < len && p[i] >= '0' && p[i] <= '9')
			sess[0] = '\0'; /* too long to be ours */
		return;
	}
}

/* The group m belongs to, linking its Call-ID on the way; NULL: none. */
static const char *group_of(struct gw_trace *t, const struct gw_trace_msg *m)
{
	char sess[SESS_MAX + 1];
	const struct link *l;
	bool invite;

	l = link_by_call(t, &m->call_id);
	if (l)
		return l->root;
	sdp_sess(m->text, m->len, sess);
	l = sess[0] ? link_by_sess(t, sess) : NULL;
	if (l) {
		char root[CALLID_MAX + 1];

		/* copied: link_add may overwrite the slot l points to */
		memcpy(root, l->root, sizeof(root));
		link_add(t, &m->call_id, root, "");
		return link_by_call(t, &m->call_id)->root;
	}
	invite = m->len > 7 && !memcmp(m->text, "INVITE ", 7);
	if (!invite)
		return NULL;
	{
		char root[CALLID_MAX + 1];

		memcpy(root, m->call_id.p, m->call_id.l);
		root[m->call_id.l] = '\0';
		link_add(t, &m->call_id, root, sess);
	}
	return link_by_call(t, &m->call_id)->root;
}

/* ---- messages ---- */

static void msg_drop_oldest(struct gw_trace *t)
{
	struct tmsg *o = &t->msgs[t->head];

	t->bytes -= o->len;
	free(o->text);
	o->text = NULL;
	t->head = (t->head + 1) % t->cap;
	t->n--;
}

/*
 * Keep a copy of m when it belongs to an INVITE's group (see trace.h).
 * 0 also when it is not kept for that reason or for its size; ENOMEM.
 */
int gw_trace_add(struct gw_trace *trace, const struct gw_trace_msg *m)
{
	struct tmsg *slot;
	const char *root;
	size_t plen;
	char *copy;

	if (!trace || !m || !m->text || !m->call_id.p || !m->call_id.l ||
	    m->call_id.l > CALLID_MAX || m->len > trace->max_bytes)
		return 0;
	root = group_of(trace, m);
	if (!root)
		return 0;
	copy = malloc(m->len + 1);
	if (!copy)
		return ENOMEM;
	memcpy(copy, m->text, m->len);
	copy[m->len] = '\0';
	while (trace->n && (trace->n == trace->cap ||
			    trace->bytes + m->len > trace->max_bytes))
		msg_drop_oldest(trace);
	slot = &trace->msgs[(trace->head + trace->n) % trace->cap];
	memset(slot, 0, sizeof(*slot));
	slot->seq = ++trace->seq;
	slot->at_ms = m->at_ms;
	slot->out = m->out;
	slot->absorbed = m->absorbed;
	plen = m->peer ? strlen(m->peer) : 0;
	if (plen > GW_TRACE_PEER_MAX)
		plen = GW_TRACE_PEER_MAX;
	if (plen)
		memcpy(slot->peer, m->peer, plen);
	memcpy(slot->root, root, strlen(root) + 1);
	slot->text = copy;
	slot->len = m->len;
	trace->bytes += m->len;
	trace->n++;
	return 0;
}

/* ---- reading ---- */

static int msg_json(json_t *arr, const struct tmsg *m)
{
	char first[FIRST_MAX + 1];
	json_t *o = json_object();
	size_t n;
	int err;

	if (!o)
		return ENOMEM;
	n = strcspn(m->text, "\r\n");
	if (n > FIRST_MAX)
		n = FIRST_MAX;
	memcpy(first, m->text, n);
	first[n] = '\0';
	err = web_json_set_new(o, "seq", json_integer((json_int_t)m->seq));
	if (!err)
		err = web_json_set_time(o, "at", m->at_ms);
	if (!err)
		err = web_json_set_str(o, "dir", m->out ? "out" : "in");
	if (!err)
		err = web_json_set_str(o, "peer", m->peer);
	if (!err)
		err = web_json_set_str(o, "first", first);
	if (!err)
		err = web_json_set_new(o, "absorbed", json_boolean(m->absorbed));
	if (!err)
		err = web_json_set_str(o, "text", m->text);
	if (err) {
		json_decref(o);
		return err;
	}
	return json_array_append_new(arr, o) ? ENOMEM : 0;
}

/*
 * The group of call_id as JSON (see trace.h), oldest first. *bodyp is
 * the caller's (free()). 0 or ENOMEM.
 */
int gw_trace_json(const struct gw_trace *trace, const char *request_id,
		  const char *call_id, char **bodyp, size_t *lenp)
{
	json_t *root = json_object(), *arr = json_array();
	size_t i;
	int err;

	if (!root || !arr) {
		json_decref(root);
		json_decref(arr);
		return ENOMEM;
	}
	err = web_json_set_str(root, "request_id", request_id);
	if (!err)
		err = web_json_set_str(root, "call_id", call_id);
	for (i = 0; !err && call_id && trace && i < trace->n; i++) {
		const struct tmsg *m = &trace->msgs[(trace->head + i) %
						    trace->cap];

		if (!strcmp(m->root, call_id))
			err = msg_json(arr, m);
	}
	if (!err) {
		err = web_json_set_new(root, "messages", arr);
		arr = NULL;
	}
	if (!err)
		err = web_json_dump(bodyp, lenp, root, JSON_COMPACT);
	json_decref(arr);
	json_decref(root);
	return err;
}
