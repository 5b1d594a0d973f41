/*
 * pint/dialog.h — the dialog state a UA keeps (RFC 3261 §12).
 *
 * A pint_dialog owns copies of every string it needs: it outlives the
 * messages it was made from. Create with pint_dialog_uac_alloc (our
 * request + the peer's response) or pint_dialog_uas_alloc (the peer's
 * request, used by the simulator); free with pint_dialog_free (NULL-safe).
 * Fields are read-only for callers. The peer's URIs, tags and Call-ID are
 * kept as text in the grammar pint/req accepts back; a peer value outside
 * it (URI headers, passwords, odd characters) refuses the dialog (EBADMSG)
 * rather than being mangled. The in-dialog builders below return a new
 * osip_message_t the caller owns, take the next local CSeq from the
 * dialog and advance it only on success (ACK for a 2xx takes none).
 */
#ifndef PINT_DIALOG_H
#define PINT_DIALOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <osipparser2/osip_message.h>

#include "pint/req.h"

#define PINT_DIALOG_MAX_ROUTES PINT_REQ_MAX_ROUTES /* more: EMSGSIZE */

/*
 * Route set: only loose routing (RFC 3261 §16.12, ";lr") is supported.
 * Requests always go out loose-routed (Request-URI = remote target,
 * Route = the route set); when the first route has no ";lr" (an RFC 2543
 * strict router) strict_route is set so the caller can log it, but the
 * §12.2.1.1 strict-route rewrite is not done.
 */
struct pint_dialog {
	char *call_id;
	char *local_uri;      /* our From (UAC) / To (UAS) URI */
	char *local_tag;
	char *remote_uri;
	char *remote_tag;     /* NULL: the peer sent none (RFC 2543) */
	char *remote_target;  /* the peer's Contact URI */
	char *route[PINT_DIALOG_MAX_ROUTES]; /* "<uri>;params", send order */
	size_t route_count;
	bool strict_route;
	uint32_t local_cseq;  /* CSeq number of our next request */
	uint32_t remote_cseq; /* highest CSeq number seen from the peer */
	bool remote_cseq_set;
};

/* Creation and release. */
int pint_dialog_uac_alloc(struct pint_dialog **dlgp,
			  const osip_message_t *req,
			  const osip_message_t *resp);
int pint_dialog_uas_alloc(struct pint_dialog **dlgp,
			  const osip_message_t *req, const char *local_tag,
			  uint32_t local_cseq);
void pint_dialog_free(struct pint_dialog *dlg);

/* Incoming requests. */
bool pint_dialog_match(const struct pint_dialog *dlg,
		       const osip_message_t *req);
int pint_dialog_recv(struct pint_dialog *dlg, const osip_message_t *req);
int pint_dialog_target_refresh(struct pint_dialog *dlg,
			       const osip_message_t *msg);

/* Requests inside the dialog (RFC 3261 §12.2.1.1). */
int pint_dialog_ack_2xx(osip_message_t **msgp, const struct pint_dialog *dlg,
			const struct pint_req_local *loc,
			const struct pint_req_tx *tx, uint32_t invite_cseq);
int pint_dialog_bye(osip_message_t **msgp, struct pint_dialog *dlg,
		    const struct pint_req_local *loc,
		    const struct pint_req_tx *tx);
int pint_dialog_unsubscribe(osip_message_t **msgp, struct pint_dialog *dlg,
			    const struct pint_req_local *loc,
			    const struct pint_req_tx *tx, const char *sdp,
			    size_t sdp_len);
int pint_dialog_subscribe_refresh(osip_message_t **msgp,
				  struct pint_dialog *dlg,
				  const struct pint_req_local *loc,
				  const struct pint_req_tx *tx,
				  const struct pint_req_dialog_event *ev,
				  uint32_t expires);
int pint_dialog_notify(osip_message_t **msgp, struct pint_dialog *dlg,
		       const struct pint_req_local *loc,
		       const struct pint_req_tx *tx,
		       const struct pint_req_notify *n);

#endif
