/*
 * web/http_stream.c — server-sent event streams: a callback response whose
 * reader drains a bounded per-stream queue and suspends itself when the
 * queue is empty (returning 0 without suspending makes MHD spin), heartbeat
 * comments so dead clients are found, and the end callback.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "web/http_int.h"

#define SSE_BLOCK 2048u         /* MHD's buffer per read, < conn_memory */
#define SSE_PING ": ping\n\n"
#define SQ_INIT 1024u

static ssize_t reader(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct web_http_req *req = cls;
	size_t n = req->slen - req->soff;

	(void)pos;
	if (req->dropped)
		return MHD_CONTENT_READER_END_WITH_ERROR;
	if (req->gone)
		return MHD_CONTENT_READER_END_OF_STREAM;
	if (n) {
		if (n > max)
			n = max;
		memcpy(buf, req->sbuf + req->soff, n);
		req->soff += n;
		if (req->soff == req->slen)
			req->soff = req->slen = 0;
		req->last_write_us = web_http_now_us();
		web_http_count_out(req->http, n);
		return (ssize_t)n;
	}
	if (req->closing || req->http->stopping)
		return MHD_CONTENT_READER_END_OF_STREAM;
	MHD_suspend_connection(req->conn);
	req->mhd_susp = true;
	return 0;
}

static int sq_append(struct web_http_req *req, const void *data, size_t len)
{
	size_t need, cap, max = req->http->conf.stream_queue_max;
	char *nb;

	if (req->soff && req->slen + len > req->scap) {
		memmove(req->sbuf, req->sbuf + req->soff,
			req->slen - req->soff);
		req->slen -= req->soff;
		req->soff = 0;
	}
	need = req->slen + len;
	if (need > req->scap) {
		cap = req->scap ? req->scap : SQ_INIT;
		while (cap < need)
			cap *= 2;
		if (cap > max)
			cap = max;
		nb = realloc(req->sbuf, cap);
		if (!nb)
			return ENOMEM;
		req->sbuf = nb;
		req->scap = cap;
	}
	memcpy(req->sbuf + req->slen, data, len);
	req->slen += len;
	return 0;
}

/*
 * Turn the request into an SSE stream (200, text/event-stream, no-cache,
 * X-Accel-Buffering: no, plus headers added before). Bytes are sent with
 * web_http_stream_send(*idp, …); eh(http, id, why, arg) runs exactly once
 * when the stream ends, inside web_http_run() or web_http_free().
 */
int web_http_stream(struct web_http_req *req, web_http_end_h *eh, void *arg,
		    uint64_t *idp)
{
	struct web_http *http = req->http;
	struct MHD_Response *r;
	int err;

	if (req->state != RQ_HANDLING)
		return EPROTO;
	r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, SSE_BLOCK,
					      reader, req, NULL);
	if (!r)
		return ENOMEM;
	err = web_http_add_hdr(r, MHD_HTTP_HEADER_CONTENT_TYPE,
			       "text/event-stream");
	if (!err)
		err = web_http_add_hdr(r, MHD_HTTP_HEADER_CACHE_CONTROL,
				       "no-cache");
	if (!err)
		err = web_http_add_hdr(r, "X-Accel-Buffering", "no");
	if (!err)
		err = web_http_resp_finish(req, r);
	if (err) {
		MHD_destroy_response(r);
		return err;
	}
	req->resp = r;
	req->status = 200;
	req->state = RQ_STREAM;
	req->end_h = eh;
	req->end_arg = arg;
	req->last_write_us = web_http_now_us();
	http->st.streams++;
	web_http_timer_set(req, req->last_write_us +
			   (int64_t)http->conf.heartbeat_ms * 1000);
	if (idp)
		*idp = req->id;
	return 0;
}

static void drop(struct web_http_req *req)
{
	req->dropped = true;
	req->http->st.streams_dropped++;
	free(req->sbuf);
	req->sbuf = NULL;
	req->soff = req->slen = req->scap = 0;
	web_http_timer_clear(req);
	web_http_wake(req);
}

static struct web_http_req *live_stream(struct web_http *http, uint64_t id)
{
	struct web_http_req *req = web_http_find(http, id);

	if (!req || req->state != RQ_STREAM || req->dropped || req->gone ||
	    http->stopping)
		return NULL;
	return req;
}

/*
 * Queue bytes (copied; whole events, so heartbeats fall between them).
 * ENOENT unknown or ended stream, EPROTO after web_http_stream_close(),
 * EMSGSIZE: the client fell more than stream_queue_max behind and the
 * stream is dropped (its end callback reports WEB_HTTP_END_SLOW), ENOMEM.
 */
int web_http_stream_send(struct web_http *http, uint64_t id,
			 const void *data, size_t len)
{
	struct web_http_req *req = live_stream(http, id);
	int err;

	if (!req)
		return ENOENT;
	if (req->closing)
		return EPROTO;
	if (!len)
		return 0;
	if (!data)
		return EINVAL;
	if (len > http->conf.stream_queue_max - (req->slen - req->soff)) {
		drop(req);
		return EMSGSIZE;
	}
	err = sq_append(req, data, len);
	if (err)
		return err;
	web_http_wake(req);
	return 0;
}

/* End the stream once the queued bytes are out. ENOENT, EALREADY. */
int web_http_stream_close(struct web_http *http, uint64_t id)
{
	struct web_http_req *req = live_stream(http, id);

	if (!req)
		return ENOENT;
	if (req->closing)
		return EALREADY;
	req->closing = true;
	web_http_timer_clear(req);
	web_http_wake(req);
	return 0;
}

/*
 * The stream's timer: a suspended stream whose client left ends now;
 * an idle one gets a heartbeat comment; a stuck one (bytes queued, none
 * written) is left to MHD's idle timeout.
 */
void web_http_stream_tick(struct web_http_req *req, int64_t now)
{
	int64_t hb = (int64_t)req->http->conf.heartbeat_ms * 1000;
	int64_t at;

	if (req->dropped || req->gone || req->closing)
		return;
	if (req->mhd_susp && web_http_peer_gone(req)) {
		req->gone = true;
		web_http_wake(req);
		return;
	}
	if (req->slen == req->soff && now - req->last_write_us >= hb &&
	    !sq_append(req, SSE_PING, sizeof(SSE_PING) - 1)) {
		req->last_write_us = now;
		web_http_wake(req);
	}
	at = req->last_write_us + hb;
	web_http_timer_set(req, at > now ? at : now + hb);
}

/* web_http_free(): the reader ends the stream on its next call. */
void web_http_stream_stop(struct web_http_req *req)
{
	web_http_wake(req);
}

/* MHD completed the stream's request: count it and tell the owner. */
void web_http_stream_end(struct web_http_req *req,
			 enum MHD_RequestTerminationCode toe)
{
	struct web_http *http = req->http;
	enum web_http_end why;

	if (req->dropped)
		why = WEB_HTTP_END_SLOW;
	else if (req->gone)
		why = WEB_HTTP_END_GONE;
	else if (req->closing && toe == MHD_REQUEST_TERMINATED_COMPLETED_OK)
		why = WEB_HTTP_END_DONE;
	else if (http->stopping)
		why = WEB_HTTP_END_SHUTDOWN;
	else
		why = WEB_HTTP_END_GONE;
	http->st.streams--;
	if (req->end_h)
		req->end_h(http, req->id, why, req->end_arg);
}
