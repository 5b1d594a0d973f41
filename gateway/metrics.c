/*
 * gateway/metrics.c — Prometheus text exposition (format 0.0.4): one
 * # HELP and # TYPE line per family, then its samples. Label values are
 * escaped (\\, \", \n) although service names are tokens already.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "gateway/metrics.h"

/* ---- counting ---- */

static struct gw_metrics_svc *svc_get(struct gw_metrics_counters *c,
				      const char *service)
{
	struct gw_metrics_svc *s;
	size_t i, n;

	if (!service || !*service)
		service = GW_METRICS_OTHER;
	for (i = 0; i < c->nsvc; i++)
		if (!strcmp(c->svc[i].name, service))
			return &c->svc[i];
	n = strlen(service);
	if (c->nsvc >= GW_METRICS_SERVICES_MAX || n >= GW_METRICS_NAME_SIZE ||
	    !strcmp(service, GW_METRICS_OTHER)) {
		/* a full table: the rest share one series, bounded */
		if (!c->other.name[0])
			memcpy(c->other.name, GW_METRICS_OTHER,
			       sizeof(GW_METRICS_OTHER));
		return &c->other;
	}
	s = &c->svc[c->nsvc++];
	memset(s, 0, sizeof(*s));
	memcpy(s->name, service, n + 1);
	return s;
}

/* A request of service was created (201). */
void gw_metrics_created(struct gw_metrics_counters *c, const char *service)
{
	svc_get(c, service)->created++;
}

/* An event was published; outcome is set on terminal ones. */
void gw_metrics_event(struct gw_metrics_counters *c, const char *service,
		      enum web_status status, enum web_outcome outcome)
{
	struct gw_metrics_svc *s = svc_get(c, service);

	if ((unsigned)status < WEB_STATUS_COUNT)
		s->events[status]++;
	if (outcome != WEB_OUTCOME_NONE && (unsigned)outcome < WEB_OUTCOME_COUNT)
		s->outcomes[outcome]++;
}

/* ---- rendering ---- */

static int family(struct pint_mbuf *mb, const char *name, const char *type,
		  const char *help)
{
	return pint_mbuf_printf(mb, "# HELP %s %s\n# TYPE %s %s\n", name,
				help, name, type);
}

static int label_value(struct pint_mbuf *mb, const char *v)
{
	int err = 0;

	for (; *v && !err; v++) {
		if (*v == '\\')
			err = pint_mbuf_puts(mb, "\\\\");
		else if (*v == '"')
			err = pint_mbuf_puts(mb, "\\\"");
		else if (*v == '\n')
			err = pint_mbuf_puts(mb, "\\n");
		else
			err = pint_mbuf_append(mb, v, 1);
	}
	return err;
}

/* name{l1="v1"[,l2="v2"]} value */
static int sample2(struct pint_mbuf *mb, const char *name, const char *l1,
		   const char *v1, const char *l2, const char *v2, uint64_t val)
{
	int err = pint_mbuf_printf(mb, "%s{%s=\"", name, l1);

	if (!err)
		err = label_value(mb, v1);
	if (!err && l2) {
		err = pint_mbuf_printf(mb, "\",%s=\"", l2);
		if (!err)
			err = label_value(mb, v2);
	}
	if (!err)
		err = pint_mbuf_printf(mb, "\"} %" PRIu64 "\n", val);
	return err;
}

static int scalar(struct pint_mbuf *mb, const char *name, const char *type,
		  const char *help, uint64_t val)
{
	int err = family(mb, name, type, help);

	if (!err)
		err = pint_mbuf_printf(mb, "%s %" PRIu64 "\n", name, val);
	return err;
}

static const struct gw_metrics_svc *svc_at(const struct gw_metrics_counters *c,
					   size_t i)
{
	return i < c->nsvc ? &c->svc[i] : &c->other;
}

static int render_api(struct pint_mbuf *mb, const struct gw_metrics_counters *c)
{
	const struct gw_metrics_svc *s;
	size_t i, n = c->nsvc + (c->other.name[0] ? 1 : 0);
	unsigned k;
	int err;

	err = family(mb, "pintgw_requests_created_total", "counter",
		     "Requests created (201), by service.");
	for (i = 0; i < n && !err; i++) {
		s = svc_at(c, i);
		err = sample2(mb, "pintgw_requests_created_total", "service",
			      s->name, NULL, NULL, s->created);
	}
	if (!err)
		err = family(mb, "pintgw_request_events_total", "counter",
			     "Status events published, by service and status.");
	for (i = 0; i < n && !err; i++) {
		s = svc_at(c, i);
		for (k = 1; k < WEB_STATUS_COUNT && !err; k++)
			err = sample2(mb, "pintgw_request_events_total",
				      "service", s->name, "status",
				      web_resource_status_name(k),
				      s->events[k]);
	}
	if (!err)
		err = family(mb, "pintgw_request_outcomes_total", "counter",
			     "Terminal outcomes, by service and outcome code.");
	for (i = 0; i < n && !err; i++) {
		s = svc_at(c, i);
		for (k = 1; k < WEB_OUTCOME_COUNT && !err; k++)
			err = sample2(mb, "pintgw_request_outcomes_total",
				      "service", s->name, "outcome",
				      web_resource_outcome_name(k),
				      s->outcomes[k]);
	}
	if (!err)
		err = scalar(mb, "pintgw_api_dry_runs_total", "counter",
			     "Create requests answered as dry runs.",
			     c->dry_runs);
	if (!err)
		err = scalar(mb, "pintgw_api_idempotent_replays_total",
			     "counter", "Stored replies replayed for an "
			     "Idempotency-Key.", c->replays);
	if (!err)
		err = scalar(mb, "pintgw_api_idempotency_conflicts_total",
			     "counter", "Idempotency-Key reused with another "
			     "body (409).", c->conflicts);
	if (!err)
		err = scalar(mb, "pintgw_api_rate_limited_total", "counter",
			     "Creates refused by a key's rate limit (429).",
			     c->rate_limited);
	if (!err)
		err = scalar(mb, "pintgw_api_unauthorized_total", "counter",
			     "Requests without valid credentials (401).",
			     c->unauthorized);
	if (!err)
		err = scalar(mb, "pintgw_api_cancels_total", "counter",
			     "Requests canceled through DELETE.", c->cancels);
	return err;
}

static int render_clicks(struct pint_mbuf *mb,
			 const struct gw_metrics_counters *c)
{
	static const char name[] = "pintgw_click_requests_total";
	static const char *const result[GW_METRICS_CLICK_COUNT] = {
		[GW_METRICS_CLICK_ACCEPTED] = "accepted",
		[GW_METRICS_CLICK_INVALID_TOKEN] = "invalid_token",
		[GW_METRICS_CLICK_EXPIRED] = "token_expired",
		[GW_METRICS_CLICK_ORIGIN] = "origin_not_allowed",
		[GW_METRICS_CLICK_DESTINATION] = "destination_not_allowed",
		[GW_METRICS_CLICK_USED_UP] = "token_used_up",
		[GW_METRICS_CLICK_RATE_LIMITED] = "rate_limited",
		[GW_METRICS_CLICK_KEY] = "refused_for_key",
	};
	unsigned i;
	int err;

	err = family(mb, name, "counter",
		     "POST /v1/click with a valid body, by result: accepted "
		     "(201), refused by the token's checks or the client "
		     "address's limit, or refused as a create of the token's "
		     "key (scope, limits, policy, numbers).");
	for (i = 0; i < GW_METRICS_CLICK_COUNT && !err; i++)
		err = sample2(mb, name, "result", result[i], NULL, NULL,
			      c->clicks[i]);
	return err;
}

static int render_http(struct pint_mbuf *mb, const struct web_http_stats *st)
{
	static const char *const cls[6] = {"none", "1xx", "2xx", "3xx", "4xx",
					   "5xx"};
	const char *h = "pintgw_http_request_duration_seconds";
	char le[32];
	unsigned i;
	int err;

	err = family(mb, "pintgw_http_requests_total", "counter",
		     "HTTP requests ended, by status class (none: no reply).");
	for (i = 0; i < 6 && !err; i++)
		err = sample2(mb, "pintgw_http_requests_total", "code", cls[i],
			      NULL, NULL, st->requests[i]);
	if (!err)
		err = family(mb, h, "histogram", "Time from request to reply "
			     "(long-polls and streams left out).");
	for (i = 0; i < WEB_HTTP_LAT_BUCKETS && !err; i++) {
		snprintf(le, sizeof(le), "%g",
			 web_http_lat_bounds_us[i] / 1e6);
		err = pint_mbuf_printf(mb, "%s_bucket{le=\"%s\"} %" PRIu64 "\n",
				       h, le, st->lat_le[i]);
	}
	if (!err)
		err = pint_mbuf_printf(mb, "%s_bucket{le=\"+Inf\"} %" PRIu64
				       "\n%s_sum %.6f\n%s_count %" PRIu64 "\n",
				       h, st->lat_count, h,
				       st->lat_sum_us / 1e6, h, st->lat_count);
	if (!err)
		err = scalar(mb, "pintgw_http_received_bytes_total", "counter",
			     "Request body bytes received.", st->bytes_in);
	if (!err)
		err = scalar(mb, "pintgw_http_sent_bytes_total", "counter",
			     "Reply and stream body bytes sent.", st->bytes_out);
	if (!err)
		err = scalar(mb, "pintgw_http_too_large_total", "counter",
			     "Bodies refused as too large (413).",
			     st->too_large);
	if (!err)
		err = scalar(mb, "pintgw_http_streams_dropped_total", "counter",
			     "Event streams dropped for a slow client.",
			     st->streams_dropped);
	if (!err)
		err = scalar(mb, "pintgw_http_connections", "gauge",
			     "Open HTTP connections.", st->connections);
	if (!err)
		err = scalar(mb, "pintgw_http_suspended", "gauge",
			     "Requests waiting for a reply (long-polls, "
			     "creates and cancels before their commit).",
			     st->suspended);
	if (!err)
		err = scalar(mb, "pintgw_http_streams", "gauge",
			     "Open server-sent event streams.", st->streams);
	return err;
}

static int render_store(struct pint_mbuf *mb, const struct gw_store_stats *st)
{
	int err;

	err = scalar(mb, "pintgw_store_commits_total", "counter",
		     "Store transactions committed.", st->commits);
	if (!err)
		err = scalar(mb, "pintgw_store_failed_commits_total", "counter",
			     "Store transactions rolled back.",
			     st->failed_commits);
	if (!err)
		err = scalar(mb, "pintgw_store_writes_total", "counter",
			     "Writes handed to a transaction.", st->writes);
	if (!err)
		err = scalar(mb, "pintgw_store_writes_folded_total", "counter",
			     "Row updates merged into an earlier write of the same"
			     " transaction.", st->folded);
	if (!err)
		err = scalar(mb, "pintgw_store_checkpoints_total", "counter",
			     "WAL checkpoints run by the checkpointer thread.",
			     st->checkpoints);
	if (!err)
		err = scalar(mb, "pintgw_store_checkpoints_busy_total", "counter",
			     "Checkpoints the checkpointer thread could not run.",
			     st->checkpoints_busy);
	if (!err)
		err = scalar(mb, "pintgw_store_failed_writes_total", "counter",
			     "Writes whose callback got an error.",
			     st->failed_writes);
	if (!err)
		err = scalar(mb, "pintgw_store_batch_max", "gauge",
			     "Most writes in one transaction so far.",
			     st->batch_max);
	if (!err)
		err = scalar(mb, "pintgw_store_queue_depth", "gauge",
			     "Writes not committed yet.", st->pending);
	return err;
}

static int render_reqs(struct pint_mbuf *mb, const struct gw_reqs_stats *st)
{
	unsigned i;
	int err;

	err = scalar(mb, "pintgw_requests_live", "gauge",
		     "Non-terminal requests held by the request table.",
		     st->live);
	if (!err)
		err = scalar(mb, "pintgw_requests_scheduled", "gauge",
			     "Queued requests waiting for their start_at.",
			     st->scheduled);
	if (!err)
		err = family(mb, "pintgw_table_requests_by_status", "gauge",
			     "The request table's count by status.");
	for (i = 1; i < WEB_STATUS_COUNT && !err; i++)
		err = sample2(mb, "pintgw_table_requests_by_status", "status",
			      web_resource_status_name(i), NULL, NULL,
			      st->by_status[i]);
	if (!err)
		err = family(mb, "pintgw_table_outcomes_total", "counter",
			     "The request table's terminal outcomes.");
	for (i = 1; i < WEB_OUTCOME_COUNT && !err; i++)
		err = sample2(mb, "pintgw_table_outcomes_total", "outcome",
			      web_resource_outcome_name(i), NULL, NULL,
			      st->by_outcome[i]);
	if (!err)
		err = scalar(mb, "pintgw_table_created_total", "counter",
			     "Requests the table created.", st->created);
	if (!err)
		err = scalar(mb, "pintgw_table_events_total", "counter",
			     "Events the table stored.", st->events);
	if (!err)
		err = scalar(mb, "pintgw_requests_recovered_total", "counter",
			     "Requests resumed after a restart.", st->recovered);
	if (!err)
		err = scalar(mb, "pintgw_requests_interrupted_total", "counter",
			     "Requests failed as interrupted after a restart.",
			     st->interrupted);
	return err;
}

static int render_loop(struct pint_mbuf *mb, const struct gw_loop_stats *st)
{
	int err;

	err = scalar(mb, "pintgw_loop_turns_total", "counter",
		     "Event loop turns.", st->turns);
	if (!err)
		err = scalar(mb, "pintgw_loop_timers", "gauge",
			     "Timers pending in the loop.", st->timers);
	if (!err)
		err = scalar(mb, "pintgw_loop_fds", "gauge",
			     "File descriptors watched by the loop.", st->fds);
	return err;
}

/*
 * Append the exposition of every family src has. Numbers are exact
 * integers except the histogram's sum (seconds, µs precision).
 */
static int render_hooks(struct pint_mbuf *mb, const struct gw_hooks_stats *h)
{
	static const char name[] = "pintgw_webhook_deliveries_total";
	const struct {
		const char *result;
		uint64_t v;
	} by[] = {
		{ "delivered", h->delivered },
		{ "retry", h->retried },
		{ "failed", h->failed },
		{ "no_secret", h->no_secret },
	};
	size_t i;
	int err;

	err = family(mb, name, "counter",
		     "Webhook delivery attempts' ends, by result (no_secret "
		     "is also counted in failed).");
	for (i = 0; i < sizeof(by) / sizeof(by[0]) && !err; i++)
		err = sample2(mb, name, "result", by[i].result, NULL, NULL,
			      by[i].v);
	if (!err)
		err = scalar(mb, "pintgw_webhook_attempts_total", "counter",
			     "Webhook POSTs started.", h->attempts);
	if (!err)
		err = scalar(mb, "pintgw_webhook_created_total", "counter",
			     "Events that passed a request's webhook filter.",
			     h->created);
	if (!err)
		err = scalar(mb, "pintgw_webhook_recovered_total", "counter",
			     "Pending deliveries queued again at start.",
			     h->recovered);
	if (!err)
		err = scalar(mb, "pintgw_webhook_store_errors_total", "counter",
			     "Delivery rows that could not be written.",
			     h->store_errors);
	if (!err)
		err = scalar(mb, "pintgw_webhook_queue_depth", "gauge",
			     "Webhook deliveries held (waiting or in flight).",
			     h->depth);
	if (!err)
		err = scalar(mb, "pintgw_webhook_inflight", "gauge",
			     "Webhook POSTs in flight.", h->inflight);
	if (!err)
		err = scalar(mb, "pintgw_webhook_requests", "gauge",
			     "Requests with webhook deliveries held.",
			     h->requests);
	return err;
}

static int render_policy(struct pint_mbuf *mb,
			 const struct gw_policy_stats *p)
{
	static const char name[] = "pintgw_policy_refusals_total";
	unsigned i;
	int err;

	err = family(mb, name, "counter",
		     "Creates refused by the abuse policy, by rule (dry runs "
		     "left out).");
	for (i = 1; i < GW_POLICY_RULES && !err; i++)
		err = sample2(mb, name, "rule", gw_policy_rule_name(i), NULL,
			      NULL, p->refusals[i]);
	if (!err)
		err = scalar(mb, "pintgw_policy_destinations", "gauge",
			     "Numbers remembered for the cooldown and daily "
			     "cap.", p->destinations);
	if (!err)
		err = scalar(mb, "pintgw_policy_destinations_evicted_total",
			     "counter", "Numbers forgotten before their time: "
			     "the destination table was full.", p->evicted);
	return err;
}

int gw_metrics_render(struct pint_mbuf *mb, const struct gw_metrics_src *src)
{
	int err;

	if (!mb || !src)
		return EINVAL;
	err = scalar(mb, "pintgw_up", "gauge", "1 while the process runs.", 1);
	if (!err)
		err = scalar(mb, "pintgw_ready", "gauge",
			     "1 when /readyz answers 200.", src->ready ? 1 : 0);
	if (!err && src->api)
		err = render_api(mb, src->api);
	if (!err && src->api)
		err = render_clicks(mb, src->api);
	if (!err)
		err = scalar(mb, "pintgw_longpoll_waiting", "gauge",
			     "Long-polls waiting for an event.", src->waiting);
	if (!err && src->reqs)
		err = render_reqs(mb, src->reqs);
	if (!err && src->http)
		err = render_http(mb, src->http);
	if (!err && src->store)
		err = render_store(mb, src->store);
	if (!err && src->loop)
		err = render_loop(mb, src->loop);
	if (!err && src->hooks)
		err = render_hooks(mb, src->hooks);
	if (!err && src->policy)
		err = render_policy(mb, src->policy);
	return err;
}
