/*
 * gateway/store.c — the SQLite connection: opening, pragmas, the schema and
 * its migrations, the error translation, the row tables, upkeep. Writes are
 * in store_commit.c, reads in store_query.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "gateway/store_int.h"

#define COL(type_, field, ctype, fixed_) \
	{ #field, offsetof(struct type_, field), ctype, fixed_, false, false }
/* A text column an update leaves alone when the struct's field is NULL. */
#define COL_KEEP(type_, field) \
	{ #field, offsetof(struct type_, field), COL_TEXT, false, true, false }
/* The same, stored in the side table (only requests.spec: see schema_v2). */
#define COL_SIDE(type_, field) \
	{ #field, offsetof(struct type_, field), COL_TEXT, false, true, true }

/* How a SELECT reads requests.spec: the side table first, then the
 * column, where rows written before version 2 keep theirs. */
#define SPEC_SELECT "coalesce((SELECT s.spec FROM request_specs AS s" \
	" WHERE s.id = requests.id), requests.spec)"

static const struct gw_store_col req_cols[] = {
	COL(gw_store_req, id, COL_TEXT, true),
	COL(gw_store_req, owner, COL_TEXT, true),
	COL(gw_store_req, service, COL_TEXT, true),
	COL(gw_store_req, status, COL_TEXT, false),
	COL(gw_store_req, created_at, COL_I64, true),
	COL(gw_store_req, updated_at, COL_I64, false),
	COL(gw_store_req, start_at, COL_TIME, true),
	COL(gw_store_req, stop_at, COL_TIME, true),
	COL(gw_store_req, to_input, COL_TEXT, true),
	COL(gw_store_req, to_number, COL_TEXT, true),
	COL(gw_store_req, from_input, COL_TEXT, true),
	COL(gw_store_req, from_number, COL_TEXT, true),
	COL(gw_store_req, client_state, COL_TEXT, true),
	COL(gw_store_req, info, COL_TEXT, false),
	COL(gw_store_req, outcome, COL_TEXT, false),
	COL(gw_store_req, gateway, COL_TEXT, false),
	COL(gw_store_req, call_id, COL_TEXT, false),
	COL(gw_store_req, from_tag, COL_TEXT, false),
	COL(gw_store_req, cseq, COL_U32N, false),
	COL(gw_store_req, sess_id, COL_TEXT, false),
	COL(gw_store_req, branch, COL_TEXT, false),
	COL(gw_store_req, last_code, COL_CODE, false),
	COL(gw_store_req, warning, COL_TEXT, false),
	COL(gw_store_req, last_seq, COL_U32, false),
	COL_KEEP(gw_store_req, sdp),
	COL_SIDE(gw_store_req, spec),
	COL(gw_store_req, attempt, COL_U32, false),
	COL(gw_store_req, webhook, COL_TEXT, true),
};

static const struct gw_store_col event_cols[] = {
	COL(gw_store_event, request_id, COL_TEXT, true),
	COL(gw_store_event, seq, COL_U32, true),
	COL(gw_store_event, at, COL_I64, false),
	COL(gw_store_event, status, COL_TEXT, false),
	COL(gw_store_event, info, COL_TEXT, false),
	COL(gw_store_event, sip, COL_TEXT, false),
};

static const struct gw_store_col idem_cols[] = {
	COL(gw_store_idem, owner, COL_TEXT, true),
	COL(gw_store_idem, key, COL_TEXT, true),
	COL(gw_store_idem, body_hash, COL_HASH, false),
	COL(gw_store_idem, status_code, COL_INT, false),
	COL(gw_store_idem, response, COL_TEXT, false),
	COL(gw_store_idem, created_at, COL_I64, false),
};

static const struct gw_store_col dlv_cols[] = {
	COL(gw_store_delivery, request_id, COL_TEXT, true),
	COL(gw_store_delivery, seq, COL_U32, true),
	COL(gw_store_delivery, attempt, COL_U32, false),
	COL(gw_store_delivery, state, COL_DLV, false),
	COL(gw_store_delivery, next_at, COL_I64, false),
	COL(gw_store_delivery, last_code, COL_CODE, false),
	COL(gw_store_delivery, last_error, COL_TEXT, false),
	COL(gw_store_delivery, updated_at, COL_I64, false),
};

static const struct gw_store_col click_cols[] = {
	COL(gw_store_click_use, jti, COL_TEXT, true),
	COL(gw_store_click_use, owner, COL_TEXT, false),
	COL(gw_store_click_use, uses, COL_U32, false),
	COL(gw_store_click_use, expires_at, COL_I64, false),
};

#define TABLE(name_, cols, type_) \
	{ name_, cols, sizeof(cols) / sizeof(cols[0]), sizeof(struct type_) }

#define NCOLS(cols) (sizeof(cols) / sizeof(cols[0]))
_Static_assert(NCOLS(req_cols) <= GW_STORE_MAX_COLS && NCOLS(event_cols) <= GW_STORE_MAX_COLS &&
	       NCOLS(idem_cols) <= GW_STORE_MAX_COLS && NCOLS(dlv_cols) <= GW_STORE_MAX_COLS &&
	       NCOLS(click_cols) <= GW_STORE_MAX_COLS, "a table has more than GW_STORE_MAX_COLS columns");

const struct gw_store_table gw_store_t_req = TABLE("requests", req_cols, gw_store_req);
const struct gw_store_table gw_store_t_event = TABLE("events", event_cols, gw_store_event);
const struct gw_store_table gw_store_t_idem = TABLE("idempotency", idem_cols, gw_store_idem);
const struct gw_store_table gw_store_t_dlv = TABLE("deliveries", dlv_cols, gw_store_delivery);
const struct gw_store_table gw_store_t_click = TABLE("click_uses", click_cols, gw_store_click_use);

/*
 * The schema. Append a migration to change it; never edit a published one.
 * Pending steps run in one transaction with foreign_keys on, where the
 * pragma cannot change: a table rebuild uses PRAGMA defer_foreign_keys.
 * requests_live and requests_due are partial indexes: the recovery scan
 * and the scheduler cost what is live or queued, not what is stored. The
 * queries in store_query.c repeat their WHERE terms word for word, which
 * is what lets SQLite use them.
 */
static const char schema_v1[] =
	"CREATE TABLE schema_version ("
	" version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL);"
	"CREATE TABLE requests ("
	" id TEXT PRIMARY KEY NOT NULL, owner TEXT NOT NULL,"
	" service TEXT NOT NULL, status TEXT NOT NULL,"
	" created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,"
	" start_at INTEGER, stop_at INTEGER,"
	" to_input TEXT, to_number TEXT, from_input TEXT, from_number TEXT,"
	" client_state TEXT, info TEXT, outcome TEXT,"
	" gateway TEXT, call_id TEXT, last_code INTEGER, warning TEXT,"
	" last_seq INTEGER NOT NULL DEFAULT 0,"
	" sdp TEXT, spec TEXT, attempt INTEGER NOT NULL DEFAULT 0, webhook TEXT);"
	"CREATE INDEX requests_owner ON requests (owner, created_at, id);"
	"CREATE INDEX requests_owner_status ON requests (owner, status, created_at, id);"
	"CREATE INDEX requests_owner_service ON requests (owner, service, created_at, id);"
	"CREATE INDEX requests_owner_to ON requests (owner, to_number, created_at, id);"
	"CREATE INDEX requests_live ON requests (created_at, id)"
	" WHERE status NOT IN ('completed', 'failed', 'canceled', 'expired');"
	"CREATE INDEX requests_due ON requests (start_at, id)"
	" WHERE status = 'queued' AND start_at IS NOT NULL;"
	"CREATE TABLE events ("
	" request_id TEXT NOT NULL REFERENCES requests (id) ON DELETE CASCADE,"
	" seq INTEGER NOT NULL, at INTEGER NOT NULL, status TEXT NOT NULL,"
	" info TEXT, sip TEXT, PRIMARY KEY (request_id, seq)) WITHOUT ROWID;"
	"CREATE TABLE idempotency ("
	" owner TEXT NOT NULL, key TEXT NOT NULL, body_hash BLOB NOT NULL,"
	" status_code INTEGER NOT NULL, response TEXT, created_at INTEGER NOT NULL,"
	" PRIMARY KEY (owner, key));"
	"CREATE INDEX idempotency_created ON idempotency (created_at);"
	"CREATE TABLE deliveries ("
	" request_id TEXT NOT NULL, seq INTEGER NOT NULL,"
	" attempt INTEGER NOT NULL, state TEXT NOT NULL, next_at INTEGER NOT NULL,"
	" last_code INTEGER, last_error TEXT, updated_at INTEGER NOT NULL,"
	" PRIMARY KEY (request_id, seq),"
	" FOREIGN KEY (request_id, seq) REFERENCES events (request_id, seq)"
	" ON DELETE CASCADE) WITHOUT ROWID;"
	"CREATE INDEX deliveries_due ON deliveries (next_at, request_id, seq)"
	" WHERE state = 'pending';";

/*
 * Version 2: the INVITE's From tag, CSeq and SDP session id next to its
 * Call-ID, so that a request that was "sending" when pintgw stopped can be
 * sent again as the same request; and the spec in a table of its own.
 * SQLite writes a row whole, overflow pages included, whatever an UPDATE
 * changes: with the spec (up to ~1 MB of inline content) in the row, each
 * event wrote it twice to the WAL. Both steps only edit the schema, so the
 * migration costs nothing whatever the size of the file: old rows read the
 * new columns as NULL and keep their spec in requests.spec, which reads
 * fall back on (SPEC_SELECT); new rows leave it NULL.
 */
static const char schema_v2[] =
	"ALTER TABLE requests ADD COLUMN from_tag TEXT;"
	"ALTER TABLE requests ADD COLUMN cseq INTEGER;"
	"ALTER TABLE requests ADD COLUMN sess_id TEXT;"
	"CREATE TABLE request_specs ("
	" id TEXT PRIMARY KEY NOT NULL REFERENCES requests (id) ON DELETE CASCADE,"
	" spec TEXT NOT NULL);";

/*
 * Version 3: the INVITE's Via branch, so that a resend after a restart is
 * a retransmission of the first INVITE (same branch, same CSeq), which a
 * gateway that still has it answers as such, not as a merged request
 * (RFC 3261 §8.2.2.2). A schema edit only, like version 2: old rows read
 * NULL, and recovery resends them with a new branch as before.
 */
static const char schema_v3[] =
	"ALTER TABLE requests ADD COLUMN branch TEXT;";

/*
 * Version 4: requests by created_at alone, so that the scan that seeds
 * the per-destination dial counters at start (gw_store_scan_dials: the
 * last day's requests) costs what was created in that day, not what is
 * stored. Building it reads the table once, at the upgrade.
 */
static const char schema_v4[] =
	"CREATE INDEX requests_created ON requests (created_at, id);";

/*
 * Version 5: how often each click token (by its jti) was used, for
 * tokens with a use limit. A row is written in the transaction of the
 * request the click made; expires_at (the token's exp, Unix seconds)
 * lets rows of tokens that cannot be used any more be purged.
 */
static const char schema_v5[] =
	"CREATE TABLE click_uses ("
	" jti TEXT PRIMARY KEY NOT NULL, owner TEXT NOT NULL,"
	" uses INTEGER NOT NULL, expires_at INTEGER NOT NULL) WITHOUT ROWID;"
	"CREATE INDEX click_uses_expires ON click_uses (expires_at);";

/*
 * Version 6: requests_live with its condition as four inequalities. SQLite
 * evaluates a partial index's WHERE on every write of a row, and a NOT IN
 * list of more than two values becomes a temporary B-tree built and torn
 * down each time: with it, an INSERT or UPDATE of a request cost about
 * twice what it does now. Same rows, so the upgrade rebuilds the index
 * once (it reads what is stored).
 */
static const char schema_v6[] =
	"DROP INDEX requests_live;"
	"CREATE INDEX requests_live ON requests (created_at, id)"
	" WHERE status <> 'completed' AND status <> 'failed'"
	" AND status <> 'canceled' AND status <> 'expired';";

const struct gw_store_migration gw_store_migrations[] = {
	{ 1, schema_v1 },
	{ 2, schema_v2 },
	{ 3, schema_v3 },
	{ 4, schema_v4 },
	{ 5, schema_v5 },
	{ 6, schema_v6 },
};
const size_t gw_store_nmigrations = sizeof(gw_store_migrations) / sizeof(gw_store_migrations[0]);

/*
 * The one translation of SQLite's codes (extended ones: the connection is
 * opened with them on). Constraint failures belong to one write; the rest
 * fail the transaction.
 */
int gw_store_errno(sqlite3 *db, int rc)
{
	int sys;

	switch (rc & 0xff) {
	case SQLITE_OK:
	case SQLITE_ROW:
	case SQLITE_DONE:
		return 0;
	case SQLITE_NOMEM:
		return ENOMEM;
	case SQLITE_FULL:
		return ENOSPC;
	case SQLITE_READONLY:
		return EROFS;
	case SQLITE_PERM:
	case SQLITE_AUTH:
		return EACCES;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return EBUSY;
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
		return EBADMSG;
	case SQLITE_TOOBIG:
		return EMSGSIZE;
	case SQLITE_INTERRUPT:
		return ECANCELED;
	case SQLITE_CONSTRAINT:
		if (rc == SQLITE_CONSTRAINT_FOREIGNKEY)
			return ENOENT;
		if (rc == SQLITE_CONSTRAINT_PRIMARYKEY || rc == SQLITE_CONSTRAINT_UNIQUE)
			return EEXIST;
		return EINVAL;
	case SQLITE_MISMATCH:
	case SQLITE_RANGE:
	case SQLITE_MISUSE:
		return EINVAL;
	case SQLITE_IOERR:
		/* Not sqlite3_system_errno(): the unix VFS reports errno as it
		 * is after the rollback, not the failed call's. A write that
		 * found the disk full is SQLITE_FULL already. */
		return rc == SQLITE_IOERR_NOMEM ? ENOMEM : EIO;
	case SQLITE_CANTOPEN:
		/* At open nothing ran since the failed open(2). */
		sys = db ? sqlite3_system_errno(db) : 0;
		return sys > 0 ? sys : EIO;
	default:
		return EIO;
	}
}

/* Remember why rc happened (for gw_store_errmsg) and return its errno. */
int gw_store_fail(struct gw_store *s, int rc, const char *what)
{
	int err = gw_store_errno(s->db, rc);

	snprintf(s->msg, sizeof(s->msg), "store: %s: %s: %s (%s)", s->path, what,
		 s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc), strerror(err));
	return err;
}

/* Prepare a statement kept for the connection's lifetime. */
int gw_store_prepare(struct gw_store *s, const char *sql, sqlite3_stmt **stp)
{
	int rc = sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, stp, NULL);

	return rc == SQLITE_OK ? 0 : gw_store_fail(s, rc, "prepare");
}

/* Step a statement that returns no rows, and reset it. */
int gw_store_step_reset(sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	return rc;
}

/* Append s to the string in buf; EMSGSIZE if it does not fit. */
int gw_store_sql_append(char *buf, size_t size, const char *s)
{
	size_t len = strlen(buf);
	int n = snprintf(buf + len, size - len, "%s", s);

	return n < 0 || (size_t)n >= size - len ? EMSGSIZE : 0;
}

/*
 * Append "a, b, c" (the table's column names) to the string in buf: for a
 * SELECT every column, a side column as the expression that reads it; for
 * an INSERT the table's own columns only.
 */
int gw_store_sql_cols(char *buf, size_t size, const struct gw_store_table *t, bool select)
{
	const struct gw_store_col *c;
	size_t i, n = 0;
	int err = 0;

	for (i = 0; !err && i < t->ncols; i++) {
		c = &t->cols[i];
		if (c->side && !select)
			continue;
		err = gw_store_sql_append(buf, size, n++ ? ", " : "");
		if (!err)
			err = gw_store_sql_append(buf, size, c->side ? SPEC_SELECT : c->name);
	}
	return err;
}

/* ---- rows ---- */

#define FIELD GW_STORE_FIELD

const char *const gw_store_dlv_names[GW_STORE_DLV_FAILED + 1] = {
	[GW_STORE_DLV_PENDING] = "pending",
	[GW_STORE_DLV_DONE] = "done",
	[GW_STORE_DLV_FAILED] = "failed",
};

/* Free a row's strings and zero it. */
void gw_store_row_clear(const struct gw_store_table *t, void *row)
{
	size_t i;

	if (!row)
		return;
	for (i = 0; i < t->ncols; i++)
		if (t->cols[i].type == COL_TEXT)
			free(*FIELD(row, &t->cols[i], char *));
	memset(row, 0, t->size);
}

/*
 * Copy a row with all its strings in one block, *mem (NULL when it has
 * none). Every status change queues a write of its request and keeps a
 * snapshot of it to publish, a dozen strings each: one allocation per
 * string made malloc and free the loop's largest cost under load. upd
 * leaves out the text of fixed columns but the key (column 0), which an
 * UPDATE does not write. Free such a row with gw_store_row_unpack(),
 * never string by string. 0 or ENOMEM (dst is then zeroed).
 */
int gw_store_row_pack(const struct gw_store_table *t, void *dst, const void *src,
		      bool upd, char **mem)
{
	const struct gw_store_col *c;
	size_t i, len[GW_STORE_MAX_COLS], total = 0;
	char **to, *p;

	memcpy(dst, src, t->size);
	*mem = NULL;
	for (i = 0; i < t->ncols; i++) {
		c = &t->cols[i];
		if (c->type != COL_TEXT)
			continue;
		to = FIELD(dst, c, char *);
		if (*to && upd && i && c->fixed)
			*to = NULL;
		len[i] = *to ? strlen(*to) + 1 : 0;
		total += len[i];
	}
	if (!total)
		return 0;
	p = malloc(total);
	if (!p) {
		memset(dst, 0, t->size);
		return ENOMEM;
	}
	*mem = p;
	for (i = 0; i < t->ncols; i++) {
		c = &t->cols[i];
		to = FIELD(dst, c, char *);
		if (c->type != COL_TEXT || !*to)
			continue;
		memcpy(p, *to, len[i]);
		*to = p;
		p += len[i];
	}
	return 0;
}

/* Free a row made by gw_store_row_pack() and zero it. */
void gw_store_row_unpack(const struct gw_store_table *t, void *row, char **mem)
{
	free(*mem);
	*mem = NULL;
	memset(row, 0, t->size);
}

/* A NUL-terminated heap copy of len bytes; NULL when out of memory. */
char *gw_store_strcopy(const char *src, size_t len)
{
	char *p = malloc(len + 1);

	if (p) {
		memcpy(p, src, len);
		p[len] = '\0';
	}
	return p;
}

/* ---- opening ---- */

/* Run one statement; copy the first column of its first row, if any. */
static int query1(struct gw_store *s, const char *sql, const char *what,
		  char *out, size_t outsize, int64_t *vp)
{
	sqlite3_stmt *st = NULL;
	const unsigned char *text;
	int rc;

	rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		text = sqlite3_column_text(st, 0);
		if (out)
			snprintf(out, outsize, "%s", text ? (const char *)text : "");
		if (vp)
			*vp = sqlite3_column_int64(st, 0);
		rc = SQLITE_OK;
	} else if (rc == SQLITE_DONE) {
		rc = SQLITE_OK;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_OK ? 0 : gw_store_fail(s, rc, what);
}

static int exec_sql(struct gw_store *s, const char *sql, const char *what)
{
	int rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);

	return rc == SQLITE_OK ? 0 : gw_store_fail(s, rc, what);
}

static int set_pragmas(struct gw_store *s, const struct gw_store_opts *o)
{
	char sql[256];
	char mode[16] = "";
	int err;

	/* The first statement reads the header: a file that is not a
	 * database fails here, with SQLITE_NOTADB. */
	err = query1(s, "PRAGMA journal_mode = WAL", "journal_mode", mode, sizeof(mode), NULL);
	if (err)
		return err;
	if (strcmp(mode, "wal") != 0) {
		err = sqlite3_db_readonly(s->db, "main") == 1 ? EROFS : ENOTSUP;
		snprintf(s->msg, sizeof(s->msg), "store: %s: journal_mode is %s, WAL refused (%s)",
			 s->path, mode, strerror(err));
		return err;
	}
	snprintf(sql, sizeof(sql),
		 "PRAGMA synchronous = %s; PRAGMA foreign_keys = ON;"
		 " PRAGMA wal_autocheckpoint = %u; PRAGMA journal_size_limit = %u;",
		 o->sync == GW_STORE_SYNC_FULL ? "FULL" : "NORMAL",
		 o->autocheckpoint ? o->autocheckpoint : GW_STORE_AUTOCHECKPOINT,
		 GW_STORE_WAL_LIMIT);
	return exec_sql(s, sql, "pragmas");
}

static int quick_check(struct gw_store *s)
{
	char res[256] = "";
	int err = query1(s, "PRAGMA quick_check(1)", "quick_check", res, sizeof(res), NULL);

	if (!err && strcmp(res, "ok") != 0) {
		err = EBADMSG;
		snprintf(s->msg, sizeof(s->msg), "store: %s: quick_check: %s (%s)", s->path, res,
			 strerror(err));
	}
	return err;
}

static int schema_version(struct gw_store *s, int64_t *vp)
{
	int64_t n = 0;
	int err;

	*vp = 0;
	err = query1(s, "SELECT count(*) FROM sqlite_master"
		     " WHERE type = 'table' AND name = 'schema_version'",
		     "schema", NULL, 0, &n);
	if (err || !n)
		return err;
	return query1(s, "SELECT coalesce(max(version), 0) FROM schema_version", "schema",
		      NULL, 0, vp);
}

static int too_new(struct gw_store *s, int64_t v, size_t n)
{
	snprintf(s->msg, sizeof(s->msg),
		 "store: %s: schema version %lld is newer than this pintgw knows (%zu)",
		 s->path, (long long)v, n);
	return EPROTO;
}

static int64_t wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Bring the schema to version n, all steps in one transaction. The version
 * is read first outside it so that an up-to-date read-only file opens; it
 * is read again under the write lock in case another process migrated.
 */
static int migrate(struct gw_store *s, const struct gw_store_migration *migs, size_t n)
{
	char sql[128];
	char what[32];
	int64_t v;
	size_t i;
	int err;

	err = schema_version(s, &v);
	if (err || v == (int64_t)n)
		return err;
	if (v > (int64_t)n)
		return too_new(s, v, n);

	err = exec_sql(s, "BEGIN IMMEDIATE", "migrate");
	if (err)
		return err;
	err = schema_version(s, &v);
	if (!err && v > (int64_t)n)
		err = too_new(s, v, n);
	for (i = (size_t)v; !err && i < n; i++) {
		snprintf(what, sizeof(what), "migration %d", migs[i].version);
		snprintf(sql, sizeof(sql), "INSERT INTO schema_version VALUES (%d, %lld)",
			 migs[i].version, (long long)wall_ms());
		err = exec_sql(s, migs[i].sql, what);
		if (!err)
			err = exec_sql(s, sql, what);
	}
	if (!err)
		err = exec_sql(s, "COMMIT", "migrate");
	if (err && !sqlite3_get_autocommit(s->db))
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	return err;
}

static int make_path(struct gw_store *s, const char *dir)
{
	size_t dlen = strlen(dir);
	size_t flen = strlen(GW_STORE_FILE);

	s->path = malloc(dlen + 1 + flen + 1);
	if (!s->path)
		return ENOMEM;
	memcpy(s->path, dir, dlen);
	s->path[dlen] = '/';
	memcpy(s->path + dlen + 1, GW_STORE_FILE, flen + 1);
	return 0;
}

/* SQLite would create the file 0644; it holds phone numbers. The WAL and
 * shared-memory files take the database file's mode. */
static int create_private(struct gw_store *s)
{
	int fd = open(s->path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	int err;

	if (fd >= 0) {
		close(fd);
		return 0;
	}
	if (errno == EEXIST)
		return 0;
	err = errno;
	snprintf(s->msg, sizeof(s->msg), "store: %s: create: %s", s->path, strerror(err));
	return err;
}

static int check_migrations(const struct gw_store_migration *migs, size_t n)
{
	size_t i;

	if (!migs || !n)
		return EINVAL;
	for (i = 0; i < n; i++)
		if (migs[i].version != (int)i + 1 || !migs[i].sql)
			return EINVAL;
	return 0;
}

/*
 * SQLite's process-wide set-up, before its first use: no memory
 * statistics (nothing here reads them), which otherwise take a global
 * mutex on every one of its allocations, from every thread. Too late once
 * SQLite runs (another user initialised it first): it stays on.
 */
static void sqlite_setup(void)
{
	(void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

/* s->db on s->path with flags: error codes, busy timeout and pragmas
 * as o says. */
static int open_db(struct gw_store *s, int flags, const struct gw_store_opts *o)
{
	int rc = sqlite3_open_v2(s->path, &s->db, flags, NULL);

	if (rc != SQLITE_OK)
		return gw_store_fail(s, rc, "open");
	sqlite3_extended_result_codes(s->db, 1);
	sqlite3_busy_timeout(s->db, (int)(o->busy_timeout_ms ? o->busy_timeout_ms
							      : GW_STORE_BUSY_TIMEOUT_MS));
	return set_pragmas(s, o);
}

/*
 * Open (creating if need be) <state_dir>/pintgw.db with the given schema
 * steps. On failure *storep is untouched and msg says why, for the log:
 * EBADMSG for a file that is not a database or fails the check, EPROTO for
 * a schema newer than migs, EROFS, EACCES, ENOENT (no such directory), EIO.
 */
int gw_store_open_schema(struct gw_store **storep, const char *state_dir,
			 const struct gw_store_opts *opts,
			 const struct gw_store_migration *migs, size_t nmigs,
			 char *msg, size_t msgsize)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	struct gw_store_opts o = { 0 };
	struct gw_store *s = NULL;
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX |
		    SQLITE_OPEN_EXRESCODE;
	int err;

	if (msg && msgsize)
		msg[0] = '\0';
	if (!storep || !state_dir || check_migrations(migs, nmigs))
		return EINVAL;
	if (opts)
		o = *opts;
	(void)pthread_once(&once, sqlite_setup);

	s = calloc(1, sizeof(*s));
	if (!s)
		return ENOMEM;
	err = make_path(s, state_dir);
	if (err)
		goto out;
	err = create_private(s);
	if (err)
		goto out;
	err = open_db(s, flags, &o);
	if (!err && o.check)
		err = quick_check(s);
	if (!err)
		err = migrate(s, migs, nmigs);
	if (!err)
		err = gw_store_prepare_writes(s);
	if (!err)
		err = gw_store_prepare_reads(s);
	s->opts = o;
	s->interval_ms = o.commit_interval_ms;
	/* not starting it is no failure: SQLite checkpoints as before */
	if (!err && o.bg_checkpoint)
		(void)gw_store_ckpt_start(s, o.sync, o.autocheckpoint ? o.autocheckpoint
								       : GW_STORE_AUTOCHECKPOINT);
out:
	if (err) {
		if (msg && msgsize)
			snprintf(msg, msgsize, "%s", s->msg[0] ? s->msg : strerror(err));
		gw_store_free(s);
		return err;
	}
	*storep = s;
	return 0;
}

/*
 * A second connection to s's file for the writer thread: the same
 * pragmas, the write statements only. Free it with gw_store_free.
 */
int gw_store_open_conn(const struct gw_store *s, struct gw_store **connp)
{
	struct gw_store *c = calloc(1, sizeof(*c));
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE;
	int err;

	if (!c)
		return ENOMEM;
	c->path = gw_store_strcopy(s->path, strlen(s->path));
	if (!c->path) {
		free(c);
		return ENOMEM;
	}
	err = open_db(c, flags, &s->opts);
	if (!err)
		err = gw_store_prepare_writes(c);
	if (err) {
		gw_store_free(c);
		return err;
	}
	c->opts = s->opts;
	*connp = c;
	return 0;
}

/* Open <state_dir>/pintgw.db with pintgw's schema; see gw_store_open_schema. */
int gw_store_open(struct gw_store **storep, const char *state_dir,
		  const struct gw_store_opts *opts, char *msg, size_t msgsize)
{
	return gw_store_open_schema(storep, state_dir, opts, gw_store_migrations,
				    gw_store_nmigrations, msg, msgsize);
}

/* The raw connection, for tests. */
sqlite3 *gw_store_db(struct gw_store *s)
{
	return s->db;
}

/* ---- upkeep and the rest ---- */

/*
 * Copy the WAL into the database and truncate it; for idle times (the
 * WAL is also checkpointed every GW_STORE_AUTOCHECKPOINT pages, by SQLite
 * or by the checkpointer thread).
 */
int gw_store_checkpoint(struct gw_store *s)
{
	int rc;

	if (s->busy)
		return EBUSY;
	rc = sqlite3_wal_checkpoint_v2(s->db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
	return rc == SQLITE_OK ? 0 : gw_store_fail(s, rc, "checkpoint");
}

/* Delete idempotency entries at least GW_STORE_IDEM_TTL_MS old; countp
 * (optional) gets how many. Its own transaction, not the batch. */
int gw_store_purge_idem(struct gw_store *s, int64_t now_ms, unsigned *countp)
{
	sqlite3_stmt *st = s->st[ST_PURGE_IDEM];
	int rc;

	if (s->busy)
		return EBUSY;
	sqlite3_bind_int64(st, 1, now_ms - GW_STORE_IDEM_TTL_MS);
	rc = gw_store_step_reset(st);
	if (rc != SQLITE_DONE)
		return gw_store_fail(s, rc, "purge");
	if (countp)
		*countp = (unsigned)sqlite3_changes(s->db);
	return 0;
}

/* Delete the uses of click tokens that expired before now_s; countp
 * (optional) gets how many. Its own transaction, not the batch. */
int gw_store_purge_click_uses(struct gw_store *s, int64_t now_s,
			      unsigned *countp)
{
	sqlite3_stmt *st = s->st[ST_PURGE_CLICK];
	int rc;

	if (s->busy)
		return EBUSY;
	sqlite3_bind_int64(st, 1, now_s);
	rc = gw_store_step_reset(st);
	if (rc != SQLITE_DONE)
		return gw_store_fail(s, rc, "purge");
	if (countp)
		*countp = (unsigned)sqlite3_changes(s->db);
	return 0;
}

/* Drop uncommitted writes without calling their callbacks (commit first
 * to keep them), close the connection. NULL-safe. */
void gw_store_free(struct gw_store *s)
{
	size_t i;

	if (!s)
		return;
	if (s->loop) {
		gw_loop_defer_cancel(s->loop, &s->defer);
		gw_timer_stop(s->loop, &s->hold);
	}
	gw_store_writer_stop(s, s->loop, false);
	gw_store_ckpt_stop(s);
	gw_store_queue_drop(&s->q);
	gw_store_queue_drop(&s->spare);
	for (i = 0; i < ST_COUNT; i++)
		sqlite3_finalize(s->st[i]);
	for (i = 0; i < LIST_VARIANTS; i++)
		sqlite3_finalize(s->list_st[i]);
	sqlite3_close_v2(s->db);
	free(s->path);
	free(s);
}

/* The last failure's text ("" if none), for the daemon's log. */
const char *gw_store_errmsg(const struct gw_store *s)
{
	return s->msg;
}

/* Whether the file could be opened for writing. */
bool gw_store_writable(const struct gw_store *s)
{
	return sqlite3_db_readonly(s->db, "main") == 0;
}

void gw_store_stats(const struct gw_store *s, struct gw_store_stats *st)
{
	*st = s->stats;
	st->pending = s->q.n + gw_store_writer_out(s);
	gw_store_ckpt_counts(s, &st->checkpoints, &st->checkpoints_busy);
}

/* Free a row's strings and zero it; NULL-safe, also for a zeroed row. */
int gw_store_req_pack(struct gw_store_req *dst, const struct gw_store_req *src, char **mem)
{
	return gw_store_row_pack(&gw_store_t_req, dst, src, false, mem);
}

void gw_store_req_unpack(struct gw_store_req *req, char **mem)
{
	gw_store_row_unpack(&gw_store_t_req, req, mem);
}

int gw_store_event_pack(struct gw_store_event *dst, const struct gw_store_event *src,
			char **mem)
{
	return gw_store_row_pack(&gw_store_t_event, dst, src, false, mem);
}

void gw_store_event_unpack(struct gw_store_event *ev, char **mem)
{
	gw_store_row_unpack(&gw_store_t_event, ev, mem);
}

void gw_store_req_clear(struct gw_store_req *req)
{
	gw_store_row_clear(&gw_store_t_req, req);
}

void gw_store_event_clear(struct gw_store_event *ev)
{
	gw_store_row_clear(&gw_store_t_event, ev);
}

void gw_store_idem_clear(struct gw_store_idem *idem)
{
	gw_store_row_clear(&gw_store_t_idem, idem);
}

void gw_store_delivery_clear(struct gw_store_delivery *dlv)
{
	gw_store_row_clear(&gw_store_t_dlv, dlv);
}

void gw_store_click_use_clear(struct gw_store_click_use *u)
{
	gw_store_row_clear(&gw_store_t_click, u);
}
