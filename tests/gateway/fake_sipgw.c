/*
 * tests/gateway/fake_sipgw.c — the fake gw_sip of fake_sipgw.h: every
 * function of gateway/sipgw.h, no sockets, no pint/ua. Like the real
 * one it reports "sending" from inside gw_sip_call_start, refuses a
 * second call for a ref (EALREADY), takes the identities of p->resume
 * (the INVITE's CSeq one above resume->cseq; its branch, else a new
 * one), and answers gw_sip_call_info with the identities, gateway and
 * SDP of the call (branch "" for a watched one: no INVITE).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/gateway/fake_sipgw.h"

int gw_sip_alloc(struct gw_sip **sp, struct gw_loop *loop,
		 const struct gw_conf *conf, gw_sip_event_h *evh,
		 gw_sip_health_h *hh, void *arg, char *msg, size_t msgsize)
{
	struct gw_sip *s;

	(void)conf;
	(void)hh;
	if (msg && msgsize)
		msg[0] = '\0';
	s = calloc(1, sizeof(*s));
	if (!s)
		return ENOMEM;
	s->loop = loop;
	s->evh = evh;
	s->arg = arg;
	s->sync_sending = true;
	s->gateway = "gw-a";
	*sp = s;
	return 0;
}

int gw_sip_reload(struct gw_sip *s, const struct gw_conf *conf,
		  char *msg, size_t msgsize)
{
	(void)s;
	(void)conf;
	if (msg && msgsize)
		msg[0] = '\0';
	return 0;
}

void gw_sip_free(struct gw_sip *s)
{
	size_t i;

	if (!s)
		return;
	for (i = 0; i < s->ncalls; i++)
		free(s->calls[i].sdp);
	free(s);
}

struct fake_call *fake_sip_call(struct gw_sip *s, uint64_t ref)
{
	size_t i;

	for (i = 0; i < s->ncalls; i++)
		if (s->calls[i].ref == ref)
			return &s->calls[i];
	return NULL;
}

struct fake_call *fake_sip_nth(struct gw_sip *s, size_t n)
{
	return n < s->ncalls ? &s->calls[n] : NULL;
}

void fake_sip_ev(struct pint_status_ev *ev, enum pint_status status,
		 enum pint_outcome outcome, uint16_t code, const char *info)
{
	memset(ev, 0, sizeof(*ev));
	ev->status = status;
	ev->outcome = outcome;
	ev->by = code ? PINT_STATUS_BY_GATEWAY : PINT_STATUS_BY_PINTGW;
	ev->sip_code = code;
	if (info)
		snprintf(ev->info, sizeof(ev->info), "%s", info);
}

void fake_sip_emit(struct gw_sip *s, uint64_t ref, const struct pint_status_ev *ev)
{
	struct fake_call *c = fake_sip_call(s, ref);

	if (c && ev->status != PINT_STATUS_NONE)
		c->status = ev->status;
	if (s->evh)
		s->evh(ref, ev, s->arg);
}

static int new_call(struct gw_sip *s, uint64_t ref, struct fake_call **cp)
{
	struct fake_call *c;

	if (fake_sip_call(s, ref))
		return EALREADY;
	if (s->ncalls == FAKE_SIP_MAX_CALLS)
		return ENOMEM;
	c = &s->calls[s->ncalls++];
	memset(c, 0, sizeof(*c));
	c->ref = ref;
	snprintf(c->call_id, sizeof(c->call_id), "fake-%" PRIu64 "@pintgw.test", ref);
	snprintf(c->from_tag, sizeof(c->from_tag), "tag%" PRIu64, ref);
	snprintf(c->sess_id, sizeof(c->sess_id), "%" PRIu64, 3000000000u + ref);
	c->cseq = 1;
	c->branch[0] = '\0';
	*cp = c;
	return 0;
}

/* A resumed branch as pint/ua takes it: none, or the cookie and more,
 * token characters, at most PINT_UA_ID_MAX bytes. */
static bool branch_ok(const char *b)
{
	size_t n = sizeof(PINT_REQ_BRANCH_COOKIE) - 1, len;

	if (!b)
		return true;
	len = strlen(b);
	return len > n && len <= PINT_UA_ID_MAX &&
	       !strncmp(b, PINT_REQ_BRANCH_COOKIE, n) &&
	       strspn(b, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		      "0123456789-.!%*_+`'~") == len;
}

/* pint/ua's checks of a resume (pint/call_build.c set_ids), roughly. */
static int resume_ok(const struct pint_ua_resume *r)
{
	if (!r->call_id || !r->from_tag || !r->sess_id ||
	    !r->call_id[0] || !r->from_tag[0] || !r->sess_id[0] ||
	    strlen(r->call_id) >= FAKE_SIP_ID_SIZE ||
	    strlen(r->from_tag) >= FAKE_SIP_ID_SIZE ||
	    strlen(r->sess_id) >= FAKE_SIP_ID_SIZE || r->cseq >= 2147483647u ||
	    !branch_ok(r->branch))
		return EINVAL;
	return 0;
}

static void take_resume(struct fake_call *c, const struct pint_ua_resume *r)
{
	c->resumed = true;
	snprintf(c->call_id, sizeof(c->call_id), "%s", r->call_id);
	snprintf(c->from_tag, sizeof(c->from_tag), "%s", r->from_tag);
	snprintf(c->sess_id, sizeof(c->sess_id), "%s", r->sess_id);
	c->cseq = r->cseq + 1;
	if (r->branch) {
		c->kept_branch = true;
		snprintf(c->branch, sizeof(c->branch), "%s", r->branch);
	}
}

int gw_sip_call_start(struct gw_sip *s, uint64_t ref,
		      const struct pint_ua_call_params *p)
{
	struct pint_status_ev ev;
	struct fake_call *c;
	char sdp[512];
	size_t i;
	int n, err;

	s->starts++;
	if (!p || !p->req || !p->req->def || !p->req->to)
		return EINVAL;
	if (p->resume && resume_ok(p->resume))
		return EINVAL;
	if (s->on_start)
		s->on_start(s, ref, p, s->on_start_arg);
	if (s->start_err)
		return s->start_err;
	err = new_call(s, ref, &c);
	if (err)
		return err;
	c->starts++;
	/* a new branch unless the resume keeps one */
	snprintf(c->branch, sizeof(c->branch), "%s-fake-%" PRIu64 "-%u",
		 PINT_REQ_BRANCH_COOKIE, ref, s->starts);
	if (p->resume)
		take_resume(c, p->resume);
	snprintf(c->service, sizeof(c->service), "%s", p->req->def->name);
	snprintf(c->to, sizeof(c->to), "%s", p->req->to->e164);
	snprintf(c->gateway, sizeof(c->gateway), "%s", p->gateway ? p->gateway : "");
	c->ring_timeout_ms = p->ring_timeout_ms;
	c->track = p->track;
	for (i = 0; i < p->req->nitems; i++) {
		const struct pint_svc_item *it = &p->req->items[i];

		if (it->src != PINT_SVC_INLINE) {
			c->uri_items++;
			continue;
		}
		if (c->inline_items < FAKE_SIP_ITEMS)
			snprintf(c->content[c->inline_items],
				 sizeof(c->content[0]), "%.*s", (int)it->len,
				 it->data);
		c->inline_items++;
	}
	n = snprintf(sdp, sizeof(sdp), "v=0\r\no=- %s %s IN IP4 192.0.2.1\r\n"
		     "s=%s\r\ne=%s\r\nc=TN RFC2543 %s\r\nt=0 0\r\n"
		     "m=audio 1 voice -\r\n", c->sess_id, c->sess_id,
		     p->req->def->name, p->req->email ? p->req->email : "-",
		     p->req->to->e164);
	c->sdp = malloc((size_t)n + 1);
	if (!c->sdp) {
		s->ncalls--;
		return ENOMEM;
	}
	memcpy(c->sdp, sdp, (size_t)n + 1);
	c->sdp_len = (size_t)n;
	if (s->sync_sending) {
		memset(&ev, 0, sizeof(ev));
		ev.status = PINT_STATUS_SENDING;
		ev.by = PINT_STATUS_BY_PINTGW;
		fake_sip_emit(s, ref, &ev);
	}
	return 0;
}

int gw_sip_call_cancel(struct gw_sip *s, uint64_t ref)
{
	struct fake_call *c = fake_sip_call(s, ref);

	s->cancels++;
	if (!c)
		return ENOENT;
	c->cancels++;
	if (s->cancel_err)
		return s->cancel_err;
	if (c->watched)
		return EPROTO;
	return 0;
}

int gw_sip_call_info(const struct gw_sip *s, uint64_t ref,
		     struct pint_ua_call_info *info)
{
	const struct fake_call *c = NULL;
	size_t i;

	for (i = 0; i < s->ncalls && !c; i++)
		if (s->calls[i].ref == ref)
			c = &s->calls[i];
	if (!c)
		return ENOENT;
	memset(info, 0, sizeof(*info));
	info->status = c->status;
	info->gateway = c->gateway[0] ? c->gateway : s->gateway;
	info->call_id = c->call_id;
	info->from_tag = c->from_tag;
	info->cseq = c->cseq;
	info->sess_id = c->sess_id;
	info->branch = c->branch;
	info->sdp = c->sdp;
	info->sdp_len = c->sdp_len;
	info->monitoring = c->track;
	return 0;
}

int gw_sip_watch(struct gw_sip *s, uint64_t ref, const char *gateway,
		 const char *sdp, size_t sdp_len)
{
	struct fake_call *c;
	int err;

	s->watches++;
	if (!gateway || !sdp || !sdp_len)
		return EINVAL;
	if (s->watch_err)
		return s->watch_err;
	err = new_call(s, ref, &c);
	if (err)
		return err;
	c->watched = true;
	c->track = true;
	c->status = PINT_STATUS_ACCEPTED;
	snprintf(c->gateway, sizeof(c->gateway), "%s", gateway);
	c->sdp = malloc(sdp_len + 1);
	if (!c->sdp) {
		s->ncalls--;
		return ENOMEM;
	}
	memcpy(c->sdp, sdp, sdp_len);
	c->sdp[sdp_len] = '\0';
	c->sdp_len = sdp_len;
	return 0;
}

int gw_sip_preview(struct gw_sip *s, const struct pint_ua_call_params *p,
		   char **textp, size_t *lenp)
{
	static const char text[] = "INVITE sip:R2C@fake SIP/2.0\r\n\r\n";
	size_t len = s->preview_len > sizeof(text) ? s->preview_len :
		     sizeof(text) - 1;

	if (!p || !textp)
		return EINVAL;
	*textp = malloc(len + 1);
	if (!*textp)
		return ENOMEM;
	memset(*textp, 'x', len);
	memcpy(*textp, text, sizeof(text) - 1);
	(*textp)[len] = '\0';
	if (lenp)
		*lenp = len;
	return 0;
}

bool gw_sip_ready(const struct gw_sip *s)
{
	return s != NULL;
}

uint16_t gw_sip_port(const struct gw_sip *s, bool tcp)
{
	(void)s;
	return tcp ? 5061 : 5060;
}

int gw_sip_metrics(const struct gw_sip *s, struct pint_mbuf *mb)
{
	return pint_mbuf_printf(mb, "pintgw_fake_sip_calls %zu\n", s->ncalls);
}

int gw_sip_debug(const struct gw_sip *s, struct pint_mbuf *mb)
{
	return pint_mbuf_printf(mb, "fake sip: calls=%zu starts=%u cancels=%u "
				"watches=%u\n", s->ncalls, s->starts, s->cancels,
				s->watches);
}
