/*
 * gateway/sim/sim_dinfo.c — the dialog-info documents the simulator sends
 * in dialog mode (RFC 4235 §4.1): always full state, one <dialog> per
 * session the subscription watches. pint/dialoginfo parses what this
 * writes (the unit test checks the round trip).
 */
#include <errno.h>
#include <string.h>

#include "gateway/sim/sim_int.h"

/* Text or attribute value with the five XML specials escaped. */
static int esc(struct pint_mbuf *mb, const char *s)
{
	int err = 0;

	for (; *s && !err; s++) {
		switch (*s) {
		case '&': err = pint_mbuf_puts(mb, "&amp;"); break;
		case '<': err = pint_mbuf_puts(mb, "&lt;"); break;
		case '>': err = pint_mbuf_puts(mb, "&gt;"); break;
		case '"': err = pint_mbuf_puts(mb, "&quot;"); break;
		case '\'': err = pint_mbuf_puts(mb, "&apos;"); break;
		default:
			/* control characters cannot be in XML 1.0 at all */
			if ((unsigned char)*s < 0x20 && *s != '\t')
				return EINVAL;
			err = pint_mbuf_append(mb, s, 1);
		}
	}
	return err;
}

static int attr(struct pint_mbuf *mb, const char *name, const char *v)
{
	int err = pint_mbuf_printf(mb, " %s=\"", name);

	if (!err)
		err = esc(mb, v);
	return err ? err : pint_mbuf_puts(mb, "\"");
}

static int party(struct pint_mbuf *mb, const char *el, const char *uri)
{
	int err = pint_mbuf_printf(mb, "  <%s>\n   <identity>", el);

	if (!err)
		err = esc(mb, uri);
	return err ? err : pint_mbuf_printf(mb, "</identity>\n  </%s>\n", el);
}

static int dialog(struct pint_mbuf *mb, const struct sim_dinfo_dialog *d)
{
	int err;

	if (!d->id || !d->call_id || d->state == PINT_DINFO_STATE_NONE)
		return EINVAL;
	err = pint_mbuf_puts(mb, " <dialog");
	if (!err)
		err = attr(mb, "id", d->id);
	if (!err)
		err = attr(mb, "call-id", d->call_id);
	if (!err && d->local_tag)
		err = attr(mb, "local-tag", d->local_tag);
	if (!err && d->remote_tag)
		err = attr(mb, "remote-tag", d->remote_tag);
	if (!err)
		err = pint_mbuf_puts(mb, " direction=\"recipient\">\n  <state");
	if (!err && d->event != PINT_DINFO_EV_NONE)
		err = pint_mbuf_printf(mb, " event=\"%s\"",
				       pint_dinfo_event_name(d->event));
	if (!err && d->code)
		err = pint_mbuf_printf(mb, " code=\"%u\"", d->code);
	if (!err)
		err = pint_mbuf_printf(mb, ">%s</state>\n"
				       "  <duration>%u</duration>\n",
				       pint_dinfo_state_name(d->state),
				       (unsigned)d->duration);
	if (!err && d->local_uri)
		err = party(mb, "local", d->local_uri);
	if (!err && d->remote_uri)
		err = party(mb, "remote", d->remote_uri);
	return err ? err : pint_mbuf_puts(mb, " </dialog>\n");
}

/*
 * Append a full-state dialog-info document to mb: version, the observed
 * entity URI, n dialogs (0 allowed: nothing to report). EINVAL for a
 * dialog without id, call-id or state, or a control character
 * in a value; EMSGSIZE past mb's limit; ENOMEM. On error mb is reset.
 */
int sim_dinfo_encode(struct pint_mbuf *mb, uint32_t version,
		     const char *entity, const struct sim_dinfo_dialog *d,
		     size_t n)
{
	size_t i;
	int err;

	if (!mb || !entity || (n && !d))
		return EINVAL;
	err = pint_mbuf_printf(mb, "<?xml version=\"1.0\"?>\n"
			       "<dialog-info xmlns=\"%s\" version=\"%u\""
			       " state=\"full\"", PINT_DINFO_NS,
			       (unsigned)version);
	if (!err)
		err = attr(mb, "entity", entity);
	if (!err)
		err = pint_mbuf_puts(mb, ">\n");
	for (i = 0; i < n && !err; i++)
		err = dialog(mb, &d[i]);
	if (!err)
		err = pint_mbuf_puts(mb, "</dialog-info>\n");
	if (err)
		pint_mbuf_reset(mb);
	return err;
}
