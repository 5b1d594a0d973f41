/*
 * tests/fuzz/fuzz_status.c — pint/status on arbitrary bytes.
 *
 * The bytes go through the Warning parser and the text sanitiser as they
 * are, then (if pint_sip_parse() takes them, as the daemon would) through
 * every interpreter. Nothing to round-trip, so each event is checked against
 * the module's promises: evidence is NUL-terminated valid UTF-8 without
 * control characters, an outcome exactly on terminal statuses, an action
 * never together with a status, and the same input gives the same event.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <osipparser2/osip_parser.h>

#include "pint/dialoginfo.h"
#include "pint/sip.h"
#include "pint/status.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_text(const char *s, size_t size)
{
	const unsigned char *u = (const unsigned char *)s;
	const char *end = memchr(s, '\0', size);
	size_t i = 0, n;

	if (!end)
		abort();
	n = (size_t)(end - s);
	if (n && (s[0] == ' ' || s[n - 1] == ' '))
		abort();
	while (i < n) {
		size_t k = 1, j;
		unsigned long cp;

		if (u[i] < 0x20 || u[i] == 0x7f)
			abort();
		if (u[i] < 0x80) {
			i++;
			continue;
		}
		if (u[i] >= 0xc2 && u[i] <= 0xdf)
			k = 2;
		else if (u[i] >= 0xe0 && u[i] <= 0xef)
			k = 3;
		else if (u[i] >= 0xf0 && u[i] <= 0xf4)
			k = 4;
		else
			abort();
		if (i + k > n)
			abort();
		cp = u[i] & (0x7fu >> k);
		for (j = 1; j < k; j++) {
			if ((u[i + j] & 0xc0) != 0x80)
				abort();
			cp = (cp << 6) | (u[i + j] & 0x3fu);
		}
		if ((k == 2 && cp < 0xa0) || (k == 3 && cp < 0x800) || (k == 4 && cp < 0x10000) ||
		    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) ||
		    (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069))
			abort();
		i += k;
	}
}

static void check_ev(const struct pint_status_ev *ev)
{
	if ((unsigned)ev->status > PINT_STATUS_EXPIRED ||
	    (unsigned)ev->outcome > PINT_OUTCOME_ERROR ||
	    (unsigned)ev->act > PINT_STATUS_ACT_NEXT_GATEWAY ||
	    (unsigned)ev->by > PINT_STATUS_BY_PINTGW)
		abort();
	if (pint_status_is_terminal(ev->status) != (ev->outcome != PINT_OUTCOME_NONE))
		abort();
	/* nothing the gateway says puts a request back to queued/sending,
	 * nor expires it */
	if (ev->status == PINT_STATUS_QUEUED || ev->status == PINT_STATUS_SENDING ||
	    ev->status == PINT_STATUS_EXPIRED)
		abort();
	if (ev->act != PINT_STATUS_ACT_NONE && ev->status != PINT_STATUS_NONE)
		abort();
	if (ev->sip_code > 699 || ev->retry_after > PINT_STATUS_RETRY_AFTER_MAX ||
	    ev->expires > PINT_STATUS_EXPIRES_MAX || ev->retention > PINT_STATUS_EXPIRES_MAX)
		abort();
	if (ev->warning.code > 999 || (!ev->has_warning && ev->warning.text[0]))
		abort();
	check_text(ev->reason, sizeof(ev->reason));
	check_text(ev->warning.agent, sizeof(ev->warning.agent));
	check_text(ev->warning.text, sizeof(ev->warning.text));
	check_text(ev->info, sizeof(ev->info));
	check_text(ev->unsupported, sizeof(ev->unsupported));
}

enum { F_INVITE, F_SUBSCRIBE, F_UNSUBSCRIBE, F_BYE, F_NOTIFY, F_GW_BYE, F_GW_UNSUB,
       F_DIALOG, F_COUNT };

static int run(int f, struct pint_status_ev *ev, const osip_message_t *m,
	       const struct pint_status_ctx *ctx)
{
	struct pint_dinfo_track tr;

	switch (f) {
	case F_INVITE:
		return pint_status_invite_resp(ev, m, ctx);
	case F_SUBSCRIBE:
		return pint_status_subscribe_resp(ev, m, ctx, 1795000000ull);
	case F_UNSUBSCRIBE:
		return pint_status_unsubscribe_resp(ev, m);
	case F_BYE:
		return pint_status_bye_resp(ev, m);
	case F_NOTIFY:
		return pint_status_notify(ev, m, 1795000000ull);
	case F_GW_BYE:
		return pint_status_gateway_bye(ev, m);
	case F_GW_UNSUB:
		return pint_status_gateway_unsubscribe(ev, m);
	default:
		pint_dinfo_track_init(&tr);
		return pint_status_dialog_notify(ev, m, ctx, &tr);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct pint_status_ctx ctxs[] = {
		{0},
		{.cancel = PINT_STATUS_CANCEL_TIMEOUT, .redirects_left = 2, .auth_retried = true,
		 .next_gateway = true, .current = PINT_STATUS_ACTIVE},
	};
	static bool ready;
	struct pint_status_warning w;
	struct pint_status_ev ev, again;
	osip_message_t *m = NULL;
	char small[8];
	size_t c;
	int f, err;

	if (!ready) {
		if (pint_sip_init() != 0)
			abort();
		ready = true;
	}

	pint_status_warning_parse(&w, (const char *)data, size);
	check_text(w.agent, sizeof(w.agent));
	check_text(w.text, sizeof(w.text));
	if (pint_status_text_copy(small, sizeof(small), (const char *)data, size) >= sizeof(small))
		abort();
	check_text(small, sizeof(small));

	if (pint_sip_parse(&m, (const char *)data, size, NULL) != 0)
		return 0;
	for (c = 0; c < sizeof(ctxs) / sizeof(ctxs[0]); c++) {
		for (f = 0; f < F_COUNT; f++) {
			err = run(f, &ev, m, &ctxs[c]);
			if (err == ENOMEM)
				abort();
			if (err)
				continue;
			check_ev(&ev);
			if (run(f, &again, m, &ctxs[c]) != 0 || memcmp(&ev, &again, sizeof(ev)) != 0)
				abort();
		}
	}
	pint_status_no_response(&ev, &ctxs[1]);
	check_ev(&ev);
	osip_message_free(m);
	return 0;
}
