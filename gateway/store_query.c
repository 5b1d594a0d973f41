/*
 * gateway/store_query.c — reads of committed state: one request, a list
 * page with its cursor, events, idempotency entries, and the scans the
 * daemon runs at start (live requests, recent dials, click token uses)
 * and on timers (due schedules and webhook deliveries).
 *
 * Nothing here sees the write queue: a request put in this turn can be read
 * once its callback has run. The daemon replies from its own memory and
 * waits for that callback before resuming an HTTP reply.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "gateway/store_int.h"

#define FIELD GW_STORE_FIELD

/* The WHERE terms of the partial indexes requests_live and requests_due
 * (store.c), repeated exactly so that SQLite picks them. */
#define LIVE_WHERE "status <> 'completed' AND status <> 'failed'" \
	" AND status <> 'canceled' AND status <> 'expired'"
#define DUE_WHERE "status = 'queued' AND start_at IS NOT NULL"
#define DLV_WHERE "state = 'pending'"

/* ---- rows out ---- */

static int read_col(sqlite3_stmt *st, int i, const struct gw_store_col *c, void *row)
{
	const unsigned char *p;
	const void *blob;
	int null = sqlite3_column_type(st, i) == SQLITE_NULL;
	size_t k;

	switch (c->type) {
	case COL_TEXT:
		if (null)
			return 0;
		p = sqlite3_column_text(st, i);
		if (!p)
			return ENOMEM;
		*FIELD(row, c, char *) = gw_store_strcopy((const char *)p, (size_t)sqlite3_column_bytes(st, i));
		return *FIELD(row, c, char *) ? 0 : ENOMEM;
	case COL_I64:
	case COL_TIME:
		*FIELD(row, c, int64_t) = sqlite3_column_int64(st, i);
		return 0;
	case COL_INT:
	case COL_CODE:
		*FIELD(row, c, int) = sqlite3_column_int(st, i);
		return 0;
	case COL_U32:
	case COL_U32N:  /* NULL reads as 0 */
		*FIELD(row, c, uint32_t) = (uint32_t)sqlite3_column_int64(st, i);
		return 0;
	case COL_HASH:
		blob = sqlite3_column_blob(st, i);
		if (!blob || sqlite3_column_bytes(st, i) != (int)GW_STORE_HASH_LEN)
			return EBADMSG;
		memcpy(FIELD(row, c, uint8_t), blob, GW_STORE_HASH_LEN);
		return 0;
	case COL_DLV:
		p = sqlite3_column_text(st, i);
		for (k = 0; p && k < sizeof(gw_store_dlv_names) / sizeof(gw_store_dlv_names[0]); k++) {
			if (!strcmp((const char *)p, gw_store_dlv_names[k])) {
				*FIELD(row, c, enum gw_store_dlv_state) = (enum gw_store_dlv_state)k;
				return 0;
			}
		}
		return EBADMSG;
	}
	return EINVAL;
}

/* Read the current result row (columns in table order) into row, which
 * is overwritten, not freed; on error it is left zeroed. */
int gw_store_row_read(sqlite3_stmt *st, const struct gw_store_table *t, void *row)
{
	size_t i;
	int err;

	memset(row, 0, t->size);
	for (i = 0; i < t->ncols; i++) {
		err = read_col(st, (int)i, &t->cols[i], row);
		if (err) {
			gw_store_row_clear(t, row);
			return err;
		}
	}
	return 0;
}

static int select_sql(struct gw_store *s, const struct gw_store_table *t, const char *tail,
		      sqlite3_stmt **stp)
{
	char sql[1024] = "SELECT ";
	int err = gw_store_sql_cols(sql, sizeof(sql), t, true);

	if (!err)
		err = gw_store_sql_append(sql, sizeof(sql), " FROM ");
	if (!err)
		err = gw_store_sql_append(sql, sizeof(sql), t->name);
	if (!err)
		err = gw_store_sql_append(sql, sizeof(sql), tail);
	return err ? err : gw_store_prepare(s, sql, stp);
}

/* The cached read statements (list statements are made on first use). */
int gw_store_prepare_reads(struct gw_store *s)
{
	static const struct {
		enum gw_store_st st;
		const struct gw_store_table *t;
		const char *tail;
	} reads[] = {
		{ ST_GET_REQ, &gw_store_t_req, " WHERE id = ?1 AND (?2 IS NULL OR owner = ?2)" },
		{ ST_EVENTS, &gw_store_t_event,
		  " WHERE request_id = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3" },
		{ ST_GET_IDEM, &gw_store_t_idem,
		  " WHERE owner = ?1 AND key = ?2 AND created_at > ?3" },
		{ ST_SCAN_LIVE, &gw_store_t_req, " WHERE " LIVE_WHERE " ORDER BY created_at, id" },
		{ ST_SCAN_DUE, &gw_store_t_req,
		  " WHERE " DUE_WHERE " AND start_at <= ?1 ORDER BY start_at, id LIMIT ?2" },
		{ ST_DUE_DLV, &gw_store_t_dlv,
		  " WHERE " DLV_WHERE " AND next_at <= ?1 ORDER BY next_at, request_id, seq LIMIT ?2" },
		{ ST_DLVS, &gw_store_t_dlv,
		  " WHERE request_id = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3" },
		{ ST_SCAN_CLICK, &gw_store_t_click, " WHERE expires_at >= ?1" },
	};
	size_t i;
	int err = 0;

	for (i = 0; !err && i < sizeof(reads) / sizeof(reads[0]); i++)
		err = select_sql(s, reads[i].t, reads[i].tail, &s->st[reads[i].st]);
	if (!err)
		err = gw_store_prepare(s, "SELECT start_at FROM requests WHERE " DUE_WHERE
				       " ORDER BY start_at, id LIMIT 1", &s->st[ST_NEXT_START]);
	if (!err)
		err = gw_store_prepare(s, "SELECT next_at FROM deliveries WHERE " DLV_WHERE
				       " ORDER BY next_at, request_id, seq LIMIT 1", &s->st[ST_NEXT_DLV]);
	if (!err)   /* requests_created (schema_v4) keeps it to the last day */
		err = gw_store_prepare(s, "SELECT to_number, created_at FROM requests"
				       " WHERE created_at > ?1 AND to_number IS NOT NULL"
				       " ORDER BY created_at, id", &s->st[ST_SCAN_DIALS]);
	return err;
}

/* Step st and read up to max rows into v (an array of t's rows); *morep
 * tells whether a row beyond max exists. On error v holds no strings. */
static int collect(struct gw_store *s, sqlite3_stmt *st, const struct gw_store_table *t,
		   void *v, size_t max, size_t *np, bool *morep)
{
	size_t n = 0;
	int rc, err = 0;

	*morep = false;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (n == max) {
			*morep = true;
			rc = SQLITE_DONE;
			break;
		}
		err = gw_store_row_read(st, t, (char *)v + n * t->size);
		if (err)
			break;
		n++;
	}
	if (!err && rc != SQLITE_DONE)
		err = gw_store_fail(s, rc, "read");
	sqlite3_reset(st);
	if (err) {
		while (n)
			gw_store_row_clear(t, (char *)v + --n * t->size);
	}
	*np = n;
	return err;
}

/* One row from st into row (overwritten); ENOENT leaves it zeroed. */
static int read_one(struct gw_store *s, sqlite3_stmt *st, const struct gw_store_table *t,
		    void *row)
{
	size_t n;
	bool more;
	int err;

	memset(row, 0, t->size);
	err = collect(s, st, t, row, 1, &n, &more);
	return err ? err : n ? 0 : ENOENT;
}

/* Step st and hand each row to h (requests), dh (deliveries) or ch
 * (click uses). The statement stays active during the callbacks, hence
 * the busy flag. */
static int scan3(struct gw_store *s, sqlite3_stmt *st, gw_store_req_h *h, gw_store_dlv_h *dh,
		 gw_store_click_h *ch, void *arg)
{
	const struct gw_store_table *t = h ? &gw_store_t_req : dh ? &gw_store_t_dlv
							       : &gw_store_t_click;
	union {
		struct gw_store_req req;
		struct gw_store_delivery dlv;
		struct gw_store_click_use click;
	} row;
	int rc, err = 0;

	s->busy = true;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		err = gw_store_row_read(st, t, &row);
		if (err)
			break;
		err = h ? h(&row.req, arg) : dh ? dh(&row.dlv, arg) : ch(&row.click, arg);
		gw_store_row_clear(t, &row);
		if (err)
			break;
	}
	if (!err && rc != SQLITE_DONE)
		err = gw_store_fail(s, rc, "scan");
	sqlite3_reset(st);
	s->busy = false;
	return err;
}

static int scan(struct gw_store *s, sqlite3_stmt *st, gw_store_req_h *h, gw_store_dlv_h *dh,
		void *arg)
{
	return scan3(s, st, h, dh, NULL, arg);
}

static int next_time(struct gw_store *s, sqlite3_stmt *st, int64_t *atp)
{
	int rc = sqlite3_step(st);
	int err = 0;

	if (rc == SQLITE_ROW)
		*atp = sqlite3_column_int64(st, 0);
	else
		err = rc == SQLITE_DONE ? ENOENT : gw_store_fail(s, rc, "read");
	sqlite3_reset(st);
	return err;
}

/* ---- the list cursor: base64url of "<created_at>.<id>" ---- */

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

#define CURSOR_RAW_MAX (20 + 1 + GW_STORE_ID_MAX)

static int cursor_encode(int64_t at, const char *id, char *out, size_t size)
{
	char raw[CURSOR_RAW_MAX + 1];
	size_t i, o = 0, len;
	uint32_t v;
	int n;

	n = snprintf(raw, sizeof(raw), "%lld.%s", (long long)at, id);
	if (n < 0 || (size_t)n >= sizeof(raw))
		return EMSGSIZE;
	len = (size_t)n;
	if (len / 3 * 4 + 4 >= size)
		return EMSGSIZE;
	for (i = 0; i < len; i += 3) {
		v = (uint32_t)(unsigned char)raw[i] << 16;
		if (i + 1 < len)
			v |= (uint32_t)(unsigned char)raw[i + 1] << 8;
		if (i + 2 < len)
			v |= (unsigned char)raw[i + 2];
		out[o++] = b64[v >> 18 & 63];
		out[o++] = b64[v >> 12 & 63];
		if (i + 1 < len)
			out[o++] = b64[v >> 6 & 63];
		if (i + 2 < len)
			out[o++] = b64[v & 63];
	}
	out[o] = '\0';
	return 0;
}

static int b64_val(char c)
{
	const char *p = c ? strchr(b64, c) : NULL;

	return p ? (int)(p - b64) : -1;
}

/* EINVAL for anything cursor_encode() did not make. */
static int cursor_decode(const char *cur, int64_t *atp, char *id, size_t idsize)
{
	char raw[CURSOR_RAW_MAX + 1];
	size_t len = strnlen(cur, GW_STORE_CURSOR_MAX);
	size_t i, n = 0, k;
	uint32_t v;
	int64_t at = 0;
	int d;

	if (!len || len >= GW_STORE_CURSOR_MAX || len % 4 == 1)
		return EINVAL;
	for (i = 0; i < len; i += 4) {
		v = 0;
		for (k = 0; k < 4; k++) {
			d = i + k < len ? b64_val(cur[i + k]) : 0;
			if (d < 0)
				return EINVAL;
			v = v << 6 | (uint32_t)d;
		}
		for (k = 0; k < 3 && i + k + 1 < len; k++) {
			if (n == CURSOR_RAW_MAX)
				return EINVAL;
			raw[n++] = (char)(v >> (16 - 8 * k) & 0xff);
		}
	}
	for (i = 0; i < n && raw[i] >= '0' && raw[i] <= '9'; i++) {
		if (at > (INT64_MAX - 9) / 10)
			return EINVAL;
		at = at * 10 + (raw[i] - '0');
	}
	if (!i || i >= n - 1 || raw[i] != '.' || n - i - 1 >= idsize)
		return EINVAL;
	if (memchr(raw + i + 1, '\0', n - i - 1))
		return EINVAL;
	memcpy(id, raw + i + 1, n - i - 1);
	id[n - i - 1] = '\0';
	*atp = at;
	return 0;
}

/* ---- reads ---- */

/*
 * The request id, if owner (NULL: any owner) owns it; ENOENT otherwise.
 * req is overwritten (not freed); gw_store_req_clear() it after use.
 */
int gw_store_get_request(struct gw_store *s, const char *id, const char *owner,
			 struct gw_store_req *req)
{
	sqlite3_stmt *st = s->st[ST_GET_REQ];

	if (!id)
		return EINVAL;
	if (s->busy)
		return EBUSY;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	if (owner)
		sqlite3_bind_text(st, 2, owner, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, 2);
	return read_one(s, st, &gw_store_t_req, req);
}

static int list_stmt(struct gw_store *s, unsigned mask, sqlite3_stmt **stp)
{
	static const char *const terms[] = {
		" AND status = ?2", " AND service = ?3", " AND to_number = ?4",
		" AND created_at > ?5", " AND created_at < ?6",
		" AND (created_at, id) < (?7, ?8)",
	};
	char tail[512] = " WHERE owner = ?1";
	size_t i;
	int err = 0;

	if (!s->list_st[mask]) {
		for (i = 0; !err && i < sizeof(terms) / sizeof(terms[0]); i++)
			if (mask & 1u << i)
				err = gw_store_sql_append(tail, sizeof(tail), terms[i]);
		if (!err)
			err = gw_store_sql_append(tail, sizeof(tail),
						  " ORDER BY created_at DESC, id DESC LIMIT ?9");
		if (!err)
			err = select_sql(s, &gw_store_t_req, tail, &s->list_st[mask]);
		if (err)
			return err;
	}
	*stp = s->list_st[mask];
	return 0;
}

static void bind_opt_text(sqlite3_stmt *st, int idx, const char *v)
{
	if (v)
		sqlite3_bind_text(st, idx, v, -1, SQLITE_STATIC);
}

/*
 * A page of the owner's requests, newest first (ties in created_at by id,
 * descending), with next_cursor set when more follow. EINVAL for a bad
 * limit or a cursor this store did not make. page is overwritten (not
 * freed) and zeroed on error; gw_store_page_clear() it after use.
 */
int gw_store_list(struct gw_store *s, const struct gw_store_filter *f,
		  struct gw_store_page *page)
{
	char cur_id[GW_STORE_ID_MAX + 1];
	struct gw_store_req *last;
	sqlite3_stmt *st;
	int64_t cur_at = 0;
	unsigned mask = 0;
	bool more;
	int err;

	memset(page, 0, sizeof(*page));
	if (!f || !f->owner || !f->limit || f->limit > GW_STORE_LIST_MAX)
		return EINVAL;
	if (s->busy)
		return EBUSY;
	if (f->cursor && cursor_decode(f->cursor, &cur_at, cur_id, sizeof(cur_id)))
		return EINVAL;
	mask |= f->status ? LIST_STATUS : 0;
	mask |= f->service ? LIST_SERVICE : 0;
	mask |= f->to ? LIST_TO : 0;
	mask |= f->created_after ? LIST_AFTER : 0;
	mask |= f->created_before ? LIST_BEFORE : 0;
	mask |= f->cursor ? LIST_CURSOR : 0;
	err = list_stmt(s, mask, &st);
	if (err)
		return err;

	sqlite3_clear_bindings(st);
	sqlite3_bind_text(st, 1, f->owner, -1, SQLITE_STATIC);
	bind_opt_text(st, 2, f->status);
	bind_opt_text(st, 3, f->service);
	bind_opt_text(st, 4, f->to);
	sqlite3_bind_int64(st, 5, f->created_after);
	sqlite3_bind_int64(st, 6, f->created_before);
	if (f->cursor) {
		sqlite3_bind_int64(st, 7, cur_at);
		sqlite3_bind_text(st, 8, cur_id, -1, SQLITE_TRANSIENT);
	}
	sqlite3_bind_int64(st, 9, (int64_t)f->limit + 1);

	page->v = calloc(f->limit, sizeof(*page->v));
	if (!page->v)
		return ENOMEM;
	err = collect(s, st, &gw_store_t_req, page->v, f->limit, &page->n, &more);
	if (!err && more) {
		last = &page->v[page->n - 1];
		err = cursor_encode(last->created_at, last->id, page->next_cursor,
				    sizeof(page->next_cursor));
	}
	if (err)
		gw_store_page_clear(page);
	return err;
}

/*
 * Up to limit (1..GW_STORE_EVENTS_MAX) events of request_id with seq >
 * after_seq, in seq order; n = 0 when there are none (the request may not
 * exist: check it first). evs is overwritten (not freed) and zeroed on
 * error; gw_store_events_clear() it after use.
 */
/*
 * Up to limit rows of t (events or deliveries: st selects them by
 * request_id and seq) past after_seq, by seq, in a new array *vp of *np;
 * on error nothing is left to free.
 */
static int by_request(struct gw_store *s, sqlite3_stmt *st, const struct gw_store_table *t,
		      const char *request_id, uint32_t after_seq, size_t limit,
		      void **vp, size_t *np)
{
	bool more;
	void *v;
	int err;

	*vp = NULL;
	*np = 0;
	if (!request_id || !limit || limit > GW_STORE_EVENTS_MAX)
		return EINVAL;
	if (s->busy)
		return EBUSY;
	v = calloc(limit, t->size);
	if (!v)
		return ENOMEM;
	sqlite3_bind_text(st, 1, request_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, after_seq);
	sqlite3_bind_int64(st, 3, (int64_t)limit);
	err = collect(s, st, t, v, limit, np, &more);
	if (err)
		free(v);        /* collect() cleared the rows */
	else
		*vp = v;
	return err;
}

int gw_store_events(struct gw_store *s, const char *request_id, uint32_t after_seq,
		    size_t limit, struct gw_store_events *evs)
{
	void *v;
	int err = by_request(s, s->st[ST_EVENTS], &gw_store_t_event, request_id, after_seq,
			     limit, &v, &evs->n);

	evs->v = v;
	return err;
}

/*
 * The entry for (owner, key) if it is younger than GW_STORE_IDEM_TTL_MS at
 * now_ms; ENOENT otherwise (an older one is as good as gone). idem is
 * overwritten (not freed); gw_store_idem_clear() it after use.
 */
int gw_store_get_idem(struct gw_store *s, const char *owner, const char *key,
		      int64_t now_ms, struct gw_store_idem *idem)
{
	sqlite3_stmt *st = s->st[ST_GET_IDEM];

	if (!owner || !key)
		return EINVAL;
	if (s->busy)
		return EBUSY;
	sqlite3_bind_text(st, 1, owner, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, now_ms - GW_STORE_IDEM_TTL_MS);
	return read_one(s, st, &gw_store_t_idem, idem);
}

/*
 * The recovery scan: every request not in a terminal status, oldest first.
 * Costs what is live, not what is stored (partial index). h must not read
 * from the store (EBUSY); it may queue writes.
 */
int gw_store_scan_live(struct gw_store *s, gw_store_req_h *h, void *arg)
{
	if (!h)
		return EINVAL;
	if (s->busy)
		return EBUSY;
	return scan(s, s->st[ST_SCAN_LIVE], h, NULL, arg);
}

/* Up to limit queued requests whose start_at <= now_ms, earliest first. */
int gw_store_scan_due(struct gw_store *s, int64_t now_ms, size_t limit,
		      gw_store_req_h *h, void *arg)
{
	sqlite3_stmt *st = s->st[ST_SCAN_DUE];

	if (!h || !limit || limit > INT_MAX)
		return EINVAL;
	if (s->busy)
		return EBUSY;
	sqlite3_bind_int64(st, 1, now_ms);
	sqlite3_bind_int64(st, 2, (int64_t)limit);
	return scan(s, st, h, NULL, arg);
}

/*
 * Every click token's uses whose token has not expired at now_s (Unix
 * seconds): the daemon's count at start. h must not read from the store.
 */
int gw_store_scan_click_uses(struct gw_store *s, int64_t now_s,
			     gw_store_click_h *h, void *arg)
{
	sqlite3_stmt *st = s->st[ST_SCAN_CLICK];

	if (!h)
		return EINVAL;
	if (s->busy)
		return EBUSY;
	sqlite3_bind_int64(st, 1, now_s);
	return scan3(s, st, NULL, NULL, h, arg);
}

/*
 * Every request created after since_ms that has a to_number, oldest
 * first: h gets the number and created_at (borrowed for the call). The
 * policy's per-destination counters are seeded from it at start. h must
 * not read from the store (EBUSY).
 */
int gw_store_scan_dials(struct gw_store *s, int64_t since_ms,
			gw_store_dial_h *h, void *arg)
{
	sqlite3_stmt *st = s->st[ST_SCAN_DIALS];
	const unsigned char *num;
	int rc, err = 0;

	if (!h)
		return EINVAL;
	if (s->busy)
		return EBUSY;
	sqlite3_bind_int64(st, 1, since_ms);
	s->busy = true;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		num = sqlite3_column_text(st, 0);
		if (!num) {
			err = ENOMEM;
			break;
		}
		err = h((const char *)num, sqlite3_column_int64(st, 1), arg);
		if (err)
			break;
	}
	if (!err && rc != SQLITE_DONE)
		err = gw_store_fail(s, rc, "scan");
	sqlite3_reset(st);
	s->busy = false;
	return err;
}

/* The earliest start_at of a queued request; ENOENT if none has one. */
int gw_store_next_start(struct gw_store *s, int64_t *atp)
{
	if (s->busy)
		return EBUSY;
	return next_time(s, s->st[ST_NEXT_START], atp);
}

/* Up to limit pending deliveries with next_at <= now_ms, earliest first. */
int gw_store_due_deliveries(struct gw_store *s, int64_t now_ms, size_t limit,
			    gw_store_dlv_h *h, void *arg)
{
	sqlite3_stmt *st = s->st[ST_DUE_DLV];

	if (!h || !limit || limit > INT_MAX)
		return EINVAL;
	if (s->busy)
		return EBUSY;
	sqlite3_bind_int64(st, 1, now_ms);
	sqlite3_bind_int64(st, 2, (int64_t)limit);
	return scan(s, st, NULL, h, arg);
}

/* Up to limit deliveries of request_id past after_seq, by seq. */
int gw_store_deliveries(struct gw_store *s, const char *request_id,
			uint32_t after_seq, size_t limit,
			struct gw_store_deliveries *out)
{
	void *v;
	int err = by_request(s, s->st[ST_DLVS], &gw_store_t_dlv, request_id, after_seq, limit,
			     &v, &out->n);

	out->v = v;
	return err;
}

/* Free the rows; NULL-safe, also for a zeroed struct. */
void gw_store_deliveries_clear(struct gw_store_deliveries *d)
{
	size_t i;

	if (!d)
		return;
	for (i = 0; i < d->n; i++)
		gw_store_delivery_clear(&d->v[i]);
	free(d->v);
	memset(d, 0, sizeof(*d));
}

/* The earliest next_at of a pending delivery; ENOENT if none. */
int gw_store_next_delivery(struct gw_store *s, int64_t *atp)
{
	if (s->busy)
		return EBUSY;
	return next_time(s, s->st[ST_NEXT_DLV], atp);
}

/* Free the page's rows; NULL-safe, also for a zeroed page. */
void gw_store_page_clear(struct gw_store_page *page)
{
	size_t i;

	if (!page)
		return;
	for (i = 0; i < page->n; i++)
		gw_store_req_clear(&page->v[i]);
	free(page->v);
	memset(page, 0, sizeof(*page));
}

/* Free the events; NULL-safe, also for a zeroed struct. */
void gw_store_events_clear(struct gw_store_events *evs)
{
	size_t i;

	if (!evs)
		return;
	for (i = 0; i < evs->n; i++)
		gw_store_event_clear(&evs->v[i]);
	free(evs->v);
	memset(evs, 0, sizeof(*evs));
}
