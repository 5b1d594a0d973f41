/*
 * gateway/store_commit.c — the write queue and the group commit.
 *
 * The put/update/append calls only copy their row into the queue;
 * gw_store_commit() writes the whole queue in one transaction with cached
 * statements, then calls each write's callback in queue order. The
 * transaction exists only inside gw_store_commit(), so every read between
 * commits sees committed state and nothing else.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "gateway/store_int.h"

#define FIELD GW_STORE_FIELD

/* ---- rows in ---- */

static int bind_col(sqlite3_stmt *st, int idx, const struct gw_store_col *c, const void *row)
{
	const char *text;
	int64_t v;
	int code;
	enum gw_store_dlv_state dlv;

	switch (c->type) {
	case COL_TEXT:
		text = *FIELD(row, c, const char *);
		return text ? sqlite3_bind_text(st, idx, text, -1, SQLITE_STATIC)
			    : sqlite3_bind_null(st, idx);
	case COL_I64:
		return sqlite3_bind_int64(st, idx, *FIELD(row, c, const int64_t));
	case COL_INT:
		return sqlite3_bind_int(st, idx, *FIELD(row, c, const int));
	case COL_TIME:
		v = *FIELD(row, c, const int64_t);
		return v ? sqlite3_bind_int64(st, idx, v) : sqlite3_bind_null(st, idx);
	case COL_CODE:
		code = *FIELD(row, c, const int);
		return code ? sqlite3_bind_int(st, idx, code) : sqlite3_bind_null(st, idx);
	case COL_U32:
		return sqlite3_bind_int64(st, idx, *FIELD(row, c, const uint32_t));
	case COL_U32N:
		v = *FIELD(row, c, const uint32_t);
		return v ? sqlite3_bind_int64(st, idx, v) : sqlite3_bind_null(st, idx);
	case COL_HASH:
		return sqlite3_bind_blob(st, idx, FIELD(row, c, const uint8_t), GW_STORE_HASH_LEN,
					 SQLITE_STATIC);
	case COL_DLV:
		dlv = *FIELD(row, c, const enum gw_store_dlv_state);
		if ((unsigned)dlv >= sizeof(gw_store_dlv_names) / sizeof(gw_store_dlv_names[0]))
			return SQLITE_RANGE;
		return sqlite3_bind_text(st, idx, gw_store_dlv_names[dlv], -1, SQLITE_STATIC);
	}
	return SQLITE_MISUSE;
}

/* Column i is parameter i + 1; a side column is written on its own, and
 * an UPDATE (upd) has no parameter for a fixed column but the key. */
static int row_bind(sqlite3_stmt *st, const struct gw_store_table *t, const void *row,
		    bool upd)
{
	size_t i;
	int rc;

	for (i = 0; i < t->ncols; i++) {
		if (t->cols[i].side || (upd && i && t->cols[i].fixed))
			continue;
		rc = bind_col(st, (int)i + 1, &t->cols[i], row);
		if (rc != SQLITE_OK)
			return rc;
	}
	return SQLITE_OK;
}

/* The statements of the commit path and purge. */
int gw_store_prepare_writes(struct gw_store *s)
{
	static const struct {
		enum gw_store_st st;
		const char *verb;
		const struct gw_store_table *t;
	} ins[] = {
		{ ST_PUT_REQ, "INSERT", &gw_store_t_req },
		{ ST_PUT_EVENT, "INSERT", &gw_store_t_event },
		{ ST_PUT_IDEM, "INSERT OR REPLACE", &gw_store_t_idem },
		{ ST_PUT_DLV, "INSERT OR REPLACE", &gw_store_t_dlv },
	};
	const struct gw_store_table *t = &gw_store_t_req;
	char sql[2048];
	char part[48];
	size_t i, k, n;
	int err;

	err = gw_store_prepare(s, "BEGIN IMMEDIATE", &s->st[ST_BEGIN]);
	if (!err)
		err = gw_store_prepare(s, "COMMIT", &s->st[ST_COMMIT]);
	if (!err)
		err = gw_store_prepare(s, "ROLLBACK", &s->st[ST_ROLLBACK]);
	if (!err)
		err = gw_store_prepare(s, "DELETE FROM idempotency WHERE created_at <= ?1",
				       &s->st[ST_PURGE_IDEM]);
	if (!err)
		err = gw_store_prepare(s, "DELETE FROM click_uses WHERE expires_at < ?1",
				       &s->st[ST_PURGE_CLICK]);
	/* uses add up: two clicks of one token in one batch are two */
	if (!err)
		err = gw_store_prepare(s, "INSERT INTO click_uses (jti, owner, uses, expires_at)"
				       " VALUES (?1, ?2, ?3, ?4) ON CONFLICT (jti) DO UPDATE"
				       " SET uses = uses + excluded.uses", &s->st[ST_PUT_CLICK]);
	if (!err)
		err = gw_store_prepare(s, "INSERT OR REPLACE INTO request_specs (id, spec)"
				       " VALUES (?1, ?2)", &s->st[ST_PUT_SPEC]);
	for (i = 0; !err && i < sizeof(ins) / sizeof(ins[0]); i++) {
		snprintf(sql, sizeof(sql), "%s INTO %s (", ins[i].verb, ins[i].t->name);
		err = gw_store_sql_cols(sql, sizeof(sql), ins[i].t, false);
		for (k = 0, n = 0; !err && k < ins[i].t->ncols; k++) {
			if (ins[i].t->cols[k].side)
				continue;
			snprintf(part, sizeof(part), "%s?%zu", n++ ? ", " : ") VALUES (", k + 1);
			err = gw_store_sql_append(sql, sizeof(sql), part);
		}
		if (!err)
			err = gw_store_sql_append(sql, sizeof(sql), ")");
		if (!err)
			err = gw_store_prepare(s, sql, &s->st[ins[i].st]);
	}

	/* Parameter k + 1 is column k as in INSERT; the fixed columns leave
	 * gaps, which SQLite allows, and row_bind() skips them. A kept
	 * column is coalesce(?k, column); a side column is not in the row. */
	snprintf(sql, sizeof(sql), "UPDATE %s SET ", t->name);
	for (k = 0, i = 0; !err && k < t->ncols; k++) {
		const struct gw_store_col *c = &t->cols[k];

		if (c->fixed || c->side)
			continue;
		if (c->keep)
			snprintf(part, sizeof(part), "%s%s = coalesce(?%zu, %s)", i++ ? ", " : "",
				 c->name, k + 1, c->name);
		else
			snprintf(part, sizeof(part), "%s%s = ?%zu", i++ ? ", " : "", c->name, k + 1);
		err = gw_store_sql_append(sql, sizeof(sql), part);
	}
	if (!err)
		err = gw_store_sql_append(sql, sizeof(sql), " WHERE id = ?1");
	if (!err)
		err = gw_store_prepare(s, sql, &s->st[ST_UPD_REQ]);
	return err;
}

/* ---- the write queue ---- */

static const struct gw_store_table *const kind_table[] = {
	[W_PUT_REQ] = &gw_store_t_req,
	[W_UPD_REQ] = &gw_store_t_req,
	[W_EVENT] = &gw_store_t_event,
	[W_IDEM] = &gw_store_t_idem,
	[W_DLV] = &gw_store_t_dlv,
	[W_CLICK] = &gw_store_t_click,
};

static const enum gw_store_st kind_st[] = {
	[W_PUT_REQ] = ST_PUT_REQ,
	[W_UPD_REQ] = ST_UPD_REQ,
	[W_EVENT] = ST_PUT_EVENT,
	[W_IDEM] = ST_PUT_IDEM,
	[W_DLV] = ST_PUT_DLV,
	[W_CLICK] = ST_PUT_CLICK,
};

static void write_clear(struct gw_store_write *w)
{
	gw_store_row_unpack(kind_table[w->kind], &w->u, &w->mem);
}

/* Free the queued rows (their callbacks are not called) and the arrays. */
void gw_store_queue_drop(struct gw_store_queue *q)
{
	size_t i;

	for (i = 0; i < q->n; i++)
		write_clear(&q->v[i]);
	free(q->v);
	free(q->rows);
	memset(q, 0, sizeof(*q));
}

/* ---- one write per row and transaction ---- */

static size_t id_hash(const char *id)
{
	size_t h = 14695981039346656037u;

	while (*id)
		h = (h ^ (unsigned char)*id++) * 1099511628211u;
	return h;
}

/* The slot of id in q->rows: its entry, or the empty slot for it. */
static size_t *row_slot(struct gw_store_queue *q, const char *id)
{
	size_t i = id_hash(id) & (q->nslot - 1);

	while (q->rows[i] && strcmp(q->v[q->rows[i] - 1].u.req.id, id) != 0)
		i = (i + 1) & (q->nslot - 1);
	return &q->rows[i];
}

static int rows_grow(struct gw_store_queue *q)
{
	size_t n = q->nslot ? q->nslot * 2 : 64;
	size_t *old = q->rows, nold = q->nslot, i;

	q->rows = calloc(n, sizeof(*q->rows));
	if (!q->rows) {
		q->rows = old;
		return ENOMEM;
	}
	q->nslot = n;
	for (i = 0; i < nold; i++)
		if (old[i])
			*row_slot(q, q->v[old[i] - 1].u.req.id) = old[i];
	free(old);
	return 0;
}

/* Empty the map for the queue's next use (its array is kept). */
static void rows_reset(struct gw_store_queue *q)
{
	if (q->nrows)
		memset(q->rows, 0, q->nslot * sizeof(*q->rows));
	q->nrows = 0;
}

static size_t col_size(enum gw_store_coltype type)
{
	switch (type) {
	case COL_TEXT:
		return sizeof(char *);
	case COL_I64:
	case COL_TIME:
		return sizeof(int64_t);
	case COL_INT:
	case COL_CODE:
		return sizeof(int);
	case COL_U32:
	case COL_U32N:
		return sizeof(uint32_t);
	case COL_HASH:
		return GW_STORE_HASH_LEN;
	case COL_DLV:
		return sizeof(enum gw_store_dlv_state);
	}
	return 0;
}

/* Merge the mutable columns of an update (from) into an earlier write of
 * the same row (into), as the UPDATE would have written them; into gets
 * a new block for its strings. 0 or ENOMEM (both left as they were). */
static int row_fold(struct gw_store_write *into, const struct gw_store_write *from)
{
	const struct gw_store_table *t = &gw_store_t_req;
	const struct gw_store_col *c;
	struct gw_store_req merged = into->u.req, packed;
	char *mem;
	size_t i;
	int err;

	for (i = 1; i < t->ncols; i++) {
		c = &t->cols[i];
		if (c->fixed)
			continue;
		if (c->type == COL_TEXT && !*FIELD(&from->u.req, c, char *) && c->keep)
			continue;
		memcpy((char *)&merged + c->off, (const char *)&from->u.req + c->off,
		       col_size(c->type));
	}
	err = gw_store_row_pack(t, &packed, &merged, false, &mem);
	if (err)
		return err;
	free(into->mem);
	into->mem = mem;
	into->u.req = packed;
	return 0;
}

/*
 * Index the request write just queued at q->v[q->n - 1]; an update of a
 * row written earlier in the queue is folded into that write and keeps
 * only its callback. ENOMEM leaves the write as it is, unindexed.
 */
static void rows_note(struct gw_store *s, struct gw_store_queue *q)
{
	struct gw_store_write *w = &q->v[q->n - 1];
	size_t *slot;

	if ((q->nrows + 1) * 2 > q->nslot && rows_grow(q))
		return;
	slot = row_slot(q, w->u.req.id);
	if (*slot && w->kind == W_UPD_REQ && !row_fold(&q->v[*slot - 1], w)) {
		write_clear(w);
		w->fold = *slot;
		s->stats.folded++;
		return;
	}
	/* unfolded (ENOMEM): later updates fold into this, the last write */
	if (!*slot)
		q->nrows++;
	*slot = q->n;
}

static void commit_h(void *arg);

/* Commit at the end of this turn (or when the interval allows). */
void gw_store_schedule(struct gw_store *s)
{
	if (s->loop && !gw_defer_pending(&s->defer))
		gw_loop_defer(s->loop, &s->defer, commit_h, s);
}

static void commit_now_h(void *arg)
{
	struct gw_store *s = arg;

	/* The callbacks have the outcome; gw_store_errmsg() the details. */
	if (s->wr)
		gw_store_writer_kick(s);
	else
		(void)gw_store_commit(s);
}

/*
 * The end of a turn that queued writes. Each commit writes every page it
 * changed to the WAL: at half the bench load, a commit per turn was 2 200
 * commits/s of one or two writes each. Within interval_ms of the last
 * commit the queue waits for the hold timer instead, unless it is long.
 */
static void commit_h(void *arg)
{
	struct gw_store *s = arg;
	uint64_t now, due;

	if (s->interval_ms && s->loop && s->q.n < GW_STORE_HOLD_MAX) {
		now = gw_loop_now(s->loop);
		due = s->last_commit_ms + s->interval_ms;
		if (now < due) {
			if (!gw_timer_pending(&s->hold))
				(void)gw_timer_start(s->loop, &s->hold, due - now,
						     commit_now_h, s);
			if (gw_timer_pending(&s->hold))
				return;
		}
	}
	commit_now_h(s);
}

static int enqueue(struct gw_store *s, enum gw_store_wkind kind, const void *row,
		   gw_store_done_h *h, void *arg)
{
	struct gw_store_write *w;
	size_t cap;
	int err;

	if (s->q.n == s->q.cap) {
		cap = s->q.cap ? s->q.cap * 2 : 64;
		w = realloc(s->q.v, cap * sizeof(*w));
		if (!w)
			return ENOMEM;
		s->q.v = w;
		s->q.cap = cap;
	}
	w = &s->q.v[s->q.n];
	memset(w, 0, sizeof(*w));
	err = gw_store_row_pack(kind_table[kind], &w->u, row, kind == W_UPD_REQ, &w->mem);
	if (err)
		return err;
	w->kind = kind;
	w->h = h;
	w->arg = arg;
	s->q.n++;
	if (kind == W_PUT_REQ || kind == W_UPD_REQ)
		rows_note(s, &s->q);
	gw_store_schedule(s);
	return 0;
}

static bool id_ok(const char *id)
{
	return id && id[0] && strlen(id) <= GW_STORE_ID_MAX;
}

/*
 * Queue the insert of a new request (EEXIST in the callback if the id is
 * taken). Every write call copies its row, returns EINVAL for a missing
 * required field or ENOMEM, and then never calls h; on 0, h (if any) is
 * called once, after the transaction that holds the write.
 */
int gw_store_put_request(struct gw_store *s, const struct gw_store_req *req,
			 gw_store_done_h *h, void *arg)
{
	if (!s || !req || !id_ok(req->id) || !req->owner || !req->service || !req->status)
		return EINVAL;
	return enqueue(s, W_PUT_REQ, req, h, arg);
}

/* Queue the rewrite of a request's row by id; id, owner, service and
 * created_at never change, and a NULL spec or sdp keeps the stored one
 * (store.h). ENOENT in the callback for an unknown id. */
int gw_store_update_request(struct gw_store *s, const struct gw_store_req *req,
			    gw_store_done_h *h, void *arg)
{
	if (!s || !req || !id_ok(req->id) || !req->status)
		return EINVAL;
	return enqueue(s, W_UPD_REQ, req, h, arg);
}

/* Queue an event. ENOENT in the callback if the request does not exist
 * (it may be put earlier in the same batch), EEXIST for a repeated seq. */
int gw_store_append_event(struct gw_store *s, const struct gw_store_event *ev,
			  gw_store_done_h *h, void *arg)
{
	if (!s || !ev || !id_ok(ev->request_id) || !ev->seq || !ev->status)
		return EINVAL;
	return enqueue(s, W_EVENT, ev, h, arg);
}

/* Queue an idempotency entry; it replaces one with the same owner and key
 * (an expired one: the caller has checked for a live one). */
int gw_store_put_idem(struct gw_store *s, const struct gw_store_idem *idem,
		      gw_store_done_h *h, void *arg)
{
	if (!s || !idem || !idem->owner || !idem->key || !idem->key[0])
		return EINVAL;
	return enqueue(s, W_IDEM, idem, h, arg);
}

/* Queue a delivery's state; it replaces the row for (request_id, seq).
 * ENOENT in the callback if that event does not exist. */
int gw_store_put_delivery(struct gw_store *s, const struct gw_store_delivery *dlv,
			  gw_store_done_h *h, void *arg)
{
	if (!s || !dlv || !id_ok(dlv->request_id) || !dlv->seq ||
	    (unsigned)dlv->state > GW_STORE_DLV_FAILED)
		return EINVAL;
	return enqueue(s, W_DLV, dlv, h, arg);
}

/* Queue one more use (u->uses more) of a click token; see store.h. */
int gw_store_add_click_use(struct gw_store *s, const struct gw_store_click_use *u,
			   gw_store_done_h *h, void *arg)
{
	if (!s || !u || !u->jti || !u->jti[0] || !u->owner || !u->uses)
		return EINVAL;
	return enqueue(s, W_CLICK, u, h, arg);
}

/* ---- the group commit ---- */

/* A failure that concerns this write alone: the statement is undone, the
 * transaction goes on. */
static bool write_own_fault(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_CONSTRAINT:
	case SQLITE_TOOBIG:
	case SQLITE_MISMATCH:
	case SQLITE_RANGE:
		return true;
	default:
		return false;
	}
}

/*
 * The spec of a request just written (a NULL one is kept as it is). A
 * failure here fails the transaction: undoing the statement alone would
 * leave the request's row without its spec.
 */
static int put_spec(struct gw_store *s, const struct gw_store_req *req)
{
	sqlite3_stmt *st = s->st[ST_PUT_SPEC];

	if (!req->spec)
		return SQLITE_DONE;
	sqlite3_bind_text(st, 1, req->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, req->spec, -1, SQLITE_STATIC);
	return gw_store_step_reset(st);
}

static int exec_write(struct gw_store *s, struct gw_store_write *w)
{
	sqlite3_stmt *st = s->st[kind_st[w->kind]];
	int rc;

	if (w->fold)
		return SQLITE_DONE;     /* written with the write it was folded into */
	rc = row_bind(st, kind_table[w->kind], &w->u, w->kind == W_UPD_REQ);

	if (rc == SQLITE_OK)
		rc = gw_store_step_reset(st);
	if (rc == SQLITE_DONE) {
		if (w->kind == W_UPD_REQ && sqlite3_changes(s->db) == 0)
			w->err = ENOENT;
		else if (w->kind == W_PUT_REQ || w->kind == W_UPD_REQ)
			rc = put_spec(s, &w->u.req);
		return rc;
	}
	if (write_own_fault(rc)) {
		w->err = gw_store_errno(s->db, rc);
		return SQLITE_DONE;
	}
	return rc;
}

/* Run q as one transaction on s's connection (the store's, or the
 * writer's: store_writer.c); the writes' own errors go into q. */
int gw_store_run_batch(struct gw_store *s, struct gw_store_queue *q)
{
	const char *what = "begin";
	size_t i;
	int rc;

	rc = gw_store_step_reset(s->st[ST_BEGIN]);
	if (rc == SQLITE_DONE) {
		what = "write";
		for (i = 0; i < q->n && rc == SQLITE_DONE; i++)
			rc = exec_write(s, &q->v[i]);
	}
	if (rc == SQLITE_DONE) {
		what = "commit";
		rc = gw_store_step_reset(s->st[ST_COMMIT]);
	}
	if (rc == SQLITE_DONE)
		return 0;

	rc = gw_store_fail(s, rc, what);
	/* SQLite may have rolled back already (SQLITE_FULL, IOERR, ...). */
	if (!sqlite3_get_autocommit(s->db))
		gw_store_step_reset(s->st[ST_ROLLBACK]);
	return rc;
}

/*
 * Write everything queued in one transaction, then call each write's
 * callback in queue order with 0 or its error. Returns the transaction's
 * error (0 also when single writes failed); on error no write of the batch
 * is stored and every callback gets it. Callbacks may queue writes (they go
 * into the next batch) but must not free the store. EBUSY from a scan
 * callback: the queue stays for the turn's commit.
 */
int gw_store_commit(struct gw_store *s)
{
	struct gw_store_queue q;
	struct gw_store *conn;
	int err;

	if (s->busy)
		return EBUSY;
	/* with the writer: after its batch out, on its connection */
	conn = gw_store_writer_idle(s);
	if (!s->q.n)
		return 0;
	gw_store_take(s, &q);
	s->busy = true;
	err = gw_store_run_batch(conn, &q);
	s->busy = false;
	if (err && conn != s)
		memcpy(s->msg, conn->msg, sizeof(s->msg));
	gw_store_finish(s, &q, err);
	return err;
}

/* Move the queue out for a transaction (s->q starts again empty). */
void gw_store_take(struct gw_store *s, struct gw_store_queue *q)
{
	if (s->loop) {
		gw_loop_defer_cancel(s->loop, &s->defer);
		gw_timer_stop(s->loop, &s->hold);
		s->last_commit_ms = gw_loop_now(s->loop);
	}
	*q = s->q;
	s->q = s->spare;
	memset(&s->spare, 0, sizeof(s->spare));
}

/* After q's transaction (err): count it, call the callbacks in order,
 * free the rows and keep the array for a next queue. */
void gw_store_finish(struct gw_store *s, struct gw_store_queue *q0, int err)
{
	struct gw_store_queue q = *q0;
	struct gw_store_write *w;
	size_t i;

	memset(q0, 0, sizeof(*q0));
	s->stats.writes += q.n;
	if (q.n > s->stats.batch_max)
		s->stats.batch_max = q.n;
	if (err)
		s->stats.failed_commits++;
	else
		s->stats.commits++;
	for (i = 0; i < q.n; i++) {
		w = &q.v[i];
		if (w->fold)
			w->err = q.v[w->fold - 1].err;
		if (err || w->err)
			s->stats.failed_writes++;
		if (w->h)
			w->h(err ? err : w->err, w->arg);
		write_clear(w);
	}
	q.n = 0;
	rows_reset(&q);
	if (!s->spare.v && q.cap <= GW_STORE_SPARE_MAX)
		s->spare = q;
	else
		gw_store_queue_drop(&q);
}

/*
 * Commit at the end of every loop turn that queued a write, or with
 * commit_interval_ms at the end of the first such turn that interval
 * after the last commit (loop NULL: detach; writes then wait for
 * gw_store_commit).
 */
void gw_store_attach(struct gw_store *s, struct gw_loop *loop)
{
	if (s->loop) {
		gw_loop_defer_cancel(s->loop, &s->defer);
		gw_timer_stop(s->loop, &s->hold);
	}
	gw_store_writer_stop(s, s->loop, true);
	s->loop = loop;
	/* not starting it is no failure: commits stay on the loop */
	if (loop && s->opts.bg_writer)
		(void)gw_store_writer_start(s, loop);
	if (loop && s->q.n)
		gw_loop_defer(loop, &s->defer, commit_h, s);
}
