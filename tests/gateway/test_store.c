/*
 * tests/gateway/test_store.c — gateway/store*.c on real SQLite files in
 * mkdtemp directories (removed by the group teardown, also after a failed
 * test). Crashes are real: a forked child SIGKILLs itself around a commit.
 * The measurements at the end print TAP comments; they assert correctness
 * only, never a duration.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE     /* nftw */
#endif
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <sqlite3.h>

#include "tests/pint/test_common.h"
#include "tests/gateway/store_fixture.h"

static void str_eq(const char *a, const char *b)
{
	if (!a || !b)
		assert_ptr_equal(a, b);
	else
		assert_string_equal(a, b);
}

static void req_eq(const struct gw_store_req *a, const struct gw_store_req *b)
{
	str_eq(a->id, b->id);
	str_eq(a->owner, b->owner);
	str_eq(a->service, b->service);
	str_eq(a->status, b->status);
	assert_int_equal(a->created_at, b->created_at);
	assert_int_equal(a->updated_at, b->updated_at);
	assert_int_equal(a->start_at, b->start_at);
	assert_int_equal(a->stop_at, b->stop_at);
	str_eq(a->to_input, b->to_input);
	str_eq(a->to_number, b->to_number);
	str_eq(a->from_input, b->from_input);
	str_eq(a->from_number, b->from_number);
	str_eq(a->client_state, b->client_state);
	str_eq(a->info, b->info);
	str_eq(a->outcome, b->outcome);
	str_eq(a->gateway, b->gateway);
	str_eq(a->call_id, b->call_id);
	str_eq(a->from_tag, b->from_tag);
	assert_int_equal(a->cseq, b->cseq);
	str_eq(a->sess_id, b->sess_id);
	str_eq(a->branch, b->branch);
	assert_int_equal(a->last_code, b->last_code);
	str_eq(a->warning, b->warning);
	assert_int_equal(a->last_seq, b->last_seq);
	str_eq(a->sdp, b->sdp);
	str_eq(a->spec, b->spec);
	assert_int_equal(a->attempt, b->attempt);
	str_eq(a->webhook, b->webhook);
}

/* ---- schema ---- */

static void test_open_create_reopen(void **state)
{
	struct gw_store_opts full = { .sync = GW_STORE_SYNC_FULL };
	const char *dir = fx_tmp_dir();
	struct gw_store *s = NULL;
	struct gw_store_req r, got = { 0 };
	char path[320], msg[GW_STORE_MSG_MAX];
	struct stat sb;

	(void)state;
	s = fx_open(dir, GW_STORE_SYNC_NORMAL);
	fx_db_path(dir, path, sizeof(path));
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	assert_int_equal(fx_sql_int(s, "SELECT max(version) FROM schema_version"),
			 (int64_t)gw_store_nmigrations);
	assert_int_equal(gw_store_nmigrations, 6);
	assert_int_equal(fx_sql_int(s, "SELECT count(*) FROM sqlite_master WHERE type = 'table'"
				 " AND name IN ('requests', 'events', 'idempotency', 'deliveries',"
				 " 'click_uses')"), 5);
	assert_int_equal(fx_sql_int(s, "PRAGMA foreign_keys"), 1);
	assert_int_equal(fx_sql_int(s, "PRAGMA synchronous"), 1);
	assert_int_equal(fx_sql_int(s, "PRAGMA wal_autocheckpoint"), GW_STORE_AUTOCHECKPOINT);
	assert_true(gw_store_writable(s));
	fx_req(&r, "rq_a", "k1", "queued", T0);
	assert_int_equal(gw_store_put_request(s, &r, NULL, NULL), 0);
	assert_int_equal(gw_store_commit(s), 0);
	gw_store_free(s);

	assert_int_equal(gw_store_open(&s, dir, &full, msg, sizeof(msg)), 0);
	assert_string_equal(msg, "");
	assert_int_equal(fx_sql_int(s, "SELECT count(*) FROM pragma_journal_mode"
				    " WHERE journal_mode = 'wal'"), 1);
	assert_int_equal(fx_sql_int(s, "PRAGMA synchronous"), 2);
	assert_int_equal(fx_sql_int(s, "SELECT count(*) FROM schema_version"),
			 (int64_t)gw_store_nmigrations);
	assert_int_equal(gw_store_get_request(s, "rq_a", "k1", &got), 0);
	req_eq(&got, &r);
	gw_store_req_clear(&got);
	gw_store_free(s);

	s = NULL;
	assert_int_equal(gw_store_open(&s, "/nonexistent/pintgw", NULL, msg, sizeof(msg)), ENOENT);
	assert_null(s);
	assert_non_null(strstr(msg, "/nonexistent/pintgw/pintgw.db"));
	assert_int_equal(gw_store_open(&s, NULL, NULL, msg, sizeof(msg)), EINVAL);
}

/* This pintgw's steps, then extra ones as versions N + 1, N + 2, ... */
#define MIG_MAX 8

static size_t mig_list(struct gw_store_migration *list, const char *const *extra,
		       size_t nextra)
{
	size_t i, n = gw_store_nmigrations;

	assert_true(n + nextra <= MIG_MAX);
	memcpy(list, gw_store_migrations, n * sizeof(*list));
	for (i = 0; i < nextra; i++) {
		list[n + i].version = (int)(n + i + 1);
		list[n + i].sql = extra[i];
	}
	return n + nextra;
}

#define MIG_UP "ALTER TABLE requests ADD COLUMN dummy TEXT DEFAULT 'x';" \
	"CREATE TABLE extra (a INTEGER);"

static void test_migrations(void **state)
{
	static const char *const up[] = { MIG_UP };
	static const char *const up_bad[] = {
		MIG_UP, "CREATE TABLE t3 (a); CREATE TABLE extra (b);",
	};
	static const struct gw_store_migration gap[] = { { 1, "" }, { 3, "" } };
	struct gw_store_migration next[MIG_MAX], bad[MIG_MAX];
	size_t nnext = mig_list(next, up, 1), nbad = mig_list(bad, up_bad, 2);
	const char *dir = fx_tmp_dir();
	struct gw_store *s = NULL;
	struct gw_store_req r, got = { 0 };
	char msg[GW_STORE_MSG_MAX], what[32];

	(void)state;
	s = fx_open(dir, GW_STORE_SYNC_NORMAL);
	fx_req(&r, "rq_old", "k1", "active", T0);
	r.info = S("from the previous version");
	r.spec = S("{\"service\":\"call\"}");
	assert_int_equal(gw_store_put_request(s, &r, NULL, NULL), 0);
	assert_int_equal(gw_store_commit(s), 0);
	gw_store_free(s);

	/* one step more: applied once, the old row reads as before */
	for (int round = 0; round < 2; round++) {
		assert_int_equal(gw_store_open_schema(&s, dir, NULL, next, nnext, msg, sizeof(msg)), 0);
		assert_int_equal(fx_sql_int(s, "SELECT max(version) FROM schema_version"),
				 (int64_t)nnext);
		assert_int_equal(fx_sql_int(s, "SELECT count(*) FROM schema_version"), (int64_t)nnext);
		assert_int_equal(fx_sql_int(s, "SELECT count(*) FROM requests WHERE dummy = 'x'"), 1);
		assert_int_equal(gw_store_get_request(s, "rq_old", NULL, &got), 0);
		req_eq(&got, &r);
		gw_store_req_clear(&got);
		gw_store_free(s);
	}

	/* a pintgw that knows fewer steps refuses the file */
	s = NULL;
	assert_int_equal(gw_store_open(&s, dir, NULL, msg, sizeof(msg)), EPROTO);
	assert_null(s);
	assert_non_null(strstr(msg, "newer"));

	/* a failing step leaves the file as it was, nothing half done */
	assert_int_not_equal(gw_store_open_schema(&s, dir, NULL, bad, nbad, msg, sizeof(msg)), 0);
	snprintf(what, sizeof(what), "migration %zu", nbad);
	assert_non_null(strstr(msg, what));
	assert_int_equal(gw_store_open_schema(&s, dir, NULL, next, nnext, msg, sizeof(msg)), 0);
	assert_int_equal(fx_sql_int(s, "SELECT max(version) FROM schema_version"), (int64_t)nnext);
	assert_int_equal(fx_sql_int(s, "SELECT count(*) FROM sqlite_master WHERE name = 't3'"), 0);
	gw_store_free(s);

	assert_int_equal(gw_store_open_schema(&s, dir, NULL, gap, 2, msg, sizeof(msg)), EINVAL);
	assert_int_equal(gw_store_open_schema(&s, dir, NULL, next, 0, msg, sizeof(msg)), EINVAL);
}

static void exec_ok(sqlite3 *db, const char *sql)
{
	char *e = NULL, text[256];

	if (sqlite3_exec(db, sql, NULL, NULL, &e) != SQLITE_OK) {
		snprintf(text, sizeof(text), "%s", e ? e : "?");
		sqlite3_free(e);
		fail_msg("%.80s: %s", sql, text);
	}
}

/*
 * A file as a pintgw of schema version 1 left it: migration 1's own SQL
 * (the seam's gw_store_migrations[0]) and a live request with its events,
 * a webhook delivery and an idempotency entry, an ended one beside it.
 */
static void make_v1_file(const char *dir)
{
	char path[320];
	sqlite3 *db = NULL;

	fx_db_path(dir, path, sizeof(path));
	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
					 NULL), SQLITE_OK);
	exec_ok(db, "PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; BEGIN");
	assert_int_equal(gw_store_migrations[0].version, 1);
	exec_ok(db, gw_store_migrations[0].sql);
	exec_ok(db, "INSERT INTO schema_version VALUES (1, 1700000000000);"
		"INSERT INTO requests (id, owner, service, status, created_at, updated_at,"
		" to_number, gateway, call_id, last_seq, sdp, spec, attempt) VALUES"
		" ('rq_v1_live', 'k1', 'call', 'sending', 1700000000000, 1700000000001,"
		" '+15555550199', 'gw-a', 'cid-v1', 2, 'v=0 v1', '{\"service\":\"call\"}', 1),"
		" ('rq_v1_done', 'k1', 'fax', 'completed', 1700000000002, 1700000000003,"
		" NULL, NULL, NULL, 3, NULL, '{\"service\":\"fax\"}', 1);"
		"INSERT INTO events VALUES ('rq_v1_live', 1, 1700000000000, 'queued', NULL, NULL),"
		" ('rq_v1_live', 2, 1700000000001, 'sending', NULL, NULL),"
		" ('rq_v1_done', 1, 1700000000002, 'queued', NULL, NULL);"
		"INSERT INTO deliveries VALUES ('rq_v1_live', 1, 0, 'pending', 1700000000000,"
		" NULL, NULL, 1700000000000);"
		"INSERT INTO idempotency VALUES ('k1', 'key-1', zeroblob(32), 201, '{}',"
		" 1700000000000);"
		"COMMIT");
	assert_int_equal(sqlite3_close(db), SQLITE_OK);
}

static int count_dlv(struct gw_store_delivery *dlv, void *arg)
{
	assert_string_equal(dlv->request_id, "rq_v1_live");
	(*(int *)arg)++;
	return 0;
}

static int count_live(struct gw_store_req *req, void *arg)
{
	assert_string_equal(req->id, "rq_v1_live");
	(*(int *)arg)++;
	return 0;
}

/* A populated version-1 file migrates in place: every row reads as
 * before, the new fields are empty and take values, the spec stays. */
static void test_migrate_v1_file(void **state)
{
	const char *dir = fx_tmp_dir();
	struct gw_store *s;
	struct gw_store_req got = { 0 }, upd;
	struct gw_store_events evs = { 0 };
	struct gw_store_idem idem = { 0 };
	int n = 0;

	(void)state;
	make_v1_file(dir);
	s = fx_open(dir, GW_STORE_SYNC_NORMAL);
	assert_int_equal(fx_sql_int(s, "SELECT max(version) FROM schema_version"),
			 (int64_t)gw_store_nmigrations);
	assert_int_equal(fx_sql_int(s, "SELECT count(*) FROM schema_version"),
			 (int64_t)gw_store_nmigrations);
	assert_int_equal(fx_sql_int(s, "SELECT count(*) FROM pragma_quick_check"
				    " WHERE quick_check = 'ok'"), 1);
	assert_int_equal(fx_sql_int(s, "SELECT count(*) FROM pragma_foreign_key_check"), 0);
	assert_int_equal(fx_sql_int(s, "SELECT count(*) FROM request_specs"), 0);

	assert_int_equal(gw_store_get_request(s, "rq_v1_live", "k1", &got), 0);
	assert_string_equal(got.status, "sending");
	assert_string_equal(got.call_id, "cid-v1");
	assert_string_equal(got.gateway, "gw-a");
	assert_string_equal(got.sdp, "v=0 v1");
	assert_string_equal(got.spec, "{\"service\":\"call\"}");
	assert_int_equal(got.updated_at, T0 + 1);
	assert_int_equal(got.last_seq, 2);
	assert_null(got.from_tag);
	assert_int_equal(got.cseq, 0);
	assert_null(got.sess_id);
	assert_null(got.branch);
	assert_int_equal(gw_store_events(s, "rq_v1_live", 0, 10, &evs), 0);
	assert_int_equal(evs.n, 2);
	assert_string_equal(evs.v[1].status, "sending");
	gw_store_events_clear(&evs);
	assert_int_equal(gw_store_get_idem(s, "k1", "key-1", T0 + 1, &idem), 0);
	assert_int_equal(idem.status_code, 201);
	gw_store_idem_clear(&idem);
	assert_int_equal(gw_store_due_deliveries(s, T0, 10, count_dlv, &n), 0);
	assert_int_equal(n, 1);
	n = 0;
	assert_int_equal(gw_store_scan_live(s, count_live, &n), 0);
	assert_int_equal(n, 1);

	/* an old row takes the identities; NULL spec and sdp keep its own */
	upd = got;
	upd.from_tag = S("tag-v2");
	upd.cseq = 1;
	upd.sess_id = S("123456789");
	upd.branch = S("z9hG4bKv1-migrated");
	upd.spec = NULL;
	upd.sdp = NULL;
	upd.info = S("migrated");
	assert_int_equal(gw_store_update_request(s, &upd, NULL, NULL), 0);
	assert_int_equal(gw_store_commit(s), 0);
	gw_store_req_clear(&got);
	assert_int_equal(gw_store_get_request(s, "rq_v1_live", NULL, &got), 0);
	assert_string_equal(got.from_tag, "tag-v2");
	assert_int_equal(got.cseq, 1);
	assert_string_equal(got.sess_id, "123456789");
	assert_string_equal(got.branch, "z9hG4bKv1-migrated");
	assert_string_equal(got.info, "migrated");
	assert_string_equal(got.spec, "{\"service\":\"call\"}");
	assert_string_equal(got.sdp, "v=0 v1");
	/* a new spec goes to the side table and hides the old column's */
	upd = got;
	upd.spec = S("{\"service\":\"call\",\"v\":2}");
	assert_int_equal(gw_store_update_request(s, &upd, NULL, NULL), 0);
	assert_int_equal(gw_store_commit(s), 0);
	gw_store_req_clear(&got);
	assert_int_equal(gw_store_get_request(s, "rq_v1_live", NULL, &got), 0);
	assert_string_equal(got.spec, "{\"service\":\"call\",\"v\":2}");
	gw_store_req_clear(&got);
	assert_int_equal(gw_store_get_request(s, "rq_v1_done", NULL, &got), 0);
	assert_string_equal(got.spec, "{\"service\":\"fax\"}");
	assert_int_equal(got.cseq, 0);
	gw_store_req_clear(&got);
	assert_int_equal(fx_sql_int(s, "SELECT count(*) FROM requests WHERE cseq IS NULL"), 1);
	gw_store_free(s);

	/* opened again: nothing more to apply */
	s = fx_open(dir, GW_STORE_SYNC_NORMAL);
	assert_int_equal(fx_sql_int(s, "SELECT count(*) FROM schema_version"),
			 (int64_t)gw_store_nmigrations);
	gw_store_free(s);
}

/*
 * A file as a pintgw of schema version 2 left it: migrations 1 and 2's
 * own SQL (the seam) and rows as that version wrote them: a "sending"
 * request with its identities but no branch, its spec in request_specs,
 * its events and a delivery; an ended one; an idempotency entry.
 */
static void make_v2_file(const char *dir)
{
	char path[320];
	sqlite3 *db = NULL;

	fx_db_path(dir, path, sizeof(path));
	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
					 NULL), SQLITE_OK);
	exec_ok(db, "PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; BEGIN");
	assert_int_equal(gw_store_migrations[0].version, 1);
	assert_int_equal(gw_store_migrations[1].version, 2);
	exec_ok(db, gw_store_migrations[0].sql);
	exec_ok(db, gw_store_migrations[1].sql);
	exec_ok(db, "INSERT INTO schema_version VALUES (1, 1700000000000),"
		" (2, 1700000000000);"
		"INSERT INTO requests (id, owner, service, status, created_at, updated_at,"
		" to_number, gateway, call_id, from_tag, cseq, sess_id, last_seq, sdp,"
		" attempt) VALUES"
		" ('rq_v2_live', 'k1', 'call', 'sending', 1700000000000, 1700000000001,"
		" '+15555550199', 'gw-a', 'cid-v2', 'tag-v2', 1, '314159265358979',"
		" 2, 'v=0 v2', 1),"
		" ('rq_v2_done', 'k1', 'fax', 'completed', 1700000000002, 1700000000003,"
		" NULL, NULL, NULL, NULL, NULL, NULL, 3, NULL, 1);"
		"INSERT INTO request_specs VALUES ('rq_v2_live', '{\"service\":\"call\"}'),"
		" ('rq_v2_done', '{\"service\":\"fax\"}');"
		"INSERT INTO events VALUES ('rq_v2_live', 1, 1700000000000, 'queued', NULL, NULL),"
		" ('rq_v2_live', 2, 1700000000001, 'sending', NULL, NULL),"
		" ('rq_v2_done', 1, 1700000000002, 'queued', NULL, NULL);"
		"INSERT INTO deliveries VALUES ('rq_v2_live', 1, 0, 'pending', 1700000000000,"
		" NULL, NULL, 1700000000000);"
		"INSERT INTO idempotency VALUES ('k1', 'key-2', zeroblob(32), 201, '{}',"
		" 1700000000000);"
		"COMMIT");
	assert_int_equal(sqlite3_close(db), SQLITE_OK);
}

static int count_dlv_v2(struct gw_store_delivery *dlv, void *arg)
{
	assert_string_equal(dlv->request_id, "rq_v2_live");
	(*(int *)arg)++;
	return 0;
}

static int count_live_v2(struct gw_store_req *req, void *arg)
{
	assert_string_equal(req->id, "rq_v2_live");
	assert_null(req->branch);
	(*(int *)arg)++;
	return 0;
}

/* A populated version-2 file migrates to 3 in place: every row reads as
 * before with no branch, and takes one on its next update. */
static void test_migrate_v2_file(void **state)
{
	const char *dir = fx_tmp_dir();
	struct gw_store *s;
	struct gw_store_req got = { 0 }, again = { 0 }, upd;
	struct gw_store_events evs = { 0 };
	struct gw_store_idem idem = { 0 };
	int n = 0;

	(void)state;
	make_v2_file(dir);
	s = fx_open(dir, GW_STORE_SYNC_NORMAL);
	assert_int_equal(fx_sql_int(s, "SELECT max(version) FROM schema_version"),
			 (int64_t)gw_store_nmigrations);
	assert_int_equal(fx_sql_int(s, "SELECT count(*) FROM schema_version"),
			 (int64_t)gw_store_nmigrations);
	assert_int_equal(fx_sql_int(s, "SELECT count(*) FROM pragma_quick_check"
				    " WHERE quick_check = 'ok'"), 1);
	assert_int_equal(fx_sql_int(s, "SELECT count(*) FROM pragma_foreign_key_check"), 0);
	assert_int_equal(fx_sql_int(s, "SELECT count(*) FROM pragma_table_info('requests')"
				    " WHERE name = 'branch' AND type = 'TEXT'"), 1);
	assert_int_equal(fx_sql_int(s, "SELECT count(*) FROM requests WHERE branch IS NULL"), 2);

	assert_int_equal(gw_store_get_request(s, "rq_v2_live", "k1", &got), 0);
	assert_string_equal(got.status, "sending");
	assert_string_equal(got.gateway, "gw-a");
	assert_string_equal(got.call_id, "cid-v2");
	assert_string_equal(got.from_tag, "tag-v2");
	assert_int_equal(got.cseq, 1);
	assert_string_equal(got.sess_id, "314159265358979");
	assert_null(got.branch);
	assert_string_equal(got.sdp, "v=0 v2");
	assert_string_equal(got.spec, "{\"service\":\"call\"}");
	assert_int_equal(got.updated_at, T0 + 1);
	assert_int_equal(got.last_seq, 2);
	assert_int_equal(got.attempt, 1);
	assert_int_equal(gw_store_events(s, "rq_v2_live", 0, 10, &evs), 0);
	assert_int_equal(evs.n, 2);
	assert_string_equal(evs.v[1].status, "sending");
	gw_store_events_clear(&evs);
	assert_int_equal(gw_store_get_idem(s, "k1", "key-2", T0 + 1, &idem), 0);
	assert_int_equal(idem.status_code, 201);
	gw_store_idem_clear(&idem);
	assert_int_equal(gw_store_due_deliveries(s, T0, 10, count_dlv_v2, &n), 0);
	assert_int_equal(n, 1);
	n = 0;
	assert_int_equal(gw_store_scan_live(s, count_live_v2, &n), 0);
	assert_int_equal(n, 1);

	/* the old row takes a branch, the rest stays */
	upd = got;
	upd.branch = S("z9hG4bKQnJhbmNoLXYzLXRva2VuLQ");
	upd.cseq = 2;
	upd.spec = NULL;
	upd.sdp = NULL;
	assert_int_equal(gw_store_update_request(s, &upd, NULL, NULL), 0);
	assert_int_equal(gw_store_commit(s), 0);
	upd.spec = got.spec;
	upd.sdp = got.sdp;
	assert_int_equal(gw_store_get_request(s, "rq_v2_live", NULL, &again), 0);
	req_eq(&again, &upd);
	gw_store_req_clear(&again);
	gw_store_req_clear(&got);
	assert_int_equal(gw_store_get_request(s, "rq_v2_done", NULL, &got), 0);
	assert_string_equal(got.status, "completed");
	assert_string_equal(got.spec, "{\"service\":\"fax\"}");
	assert_null(got.branch);
	gw_store_req_clear(&got);
	assert_int_equal(fx_sql_int(s, "SELECT count(*) FROM requests WHERE branch IS NULL"), 1);
	gw_store_free(s);

	/* opened again: nothing more to apply, the branch is there */
	s = fx_open(dir, GW_STORE_SYNC_NORMAL);
	assert_int_equal(fx_sql_int(s, "SELECT count(*) FROM schema_version"),
			 (int64_t)gw_store_nmigrations);
	assert_int_equal(gw_store_get_request(s, "rq_v2_live", NULL, &got), 0);
	assert_string_equal(got.branch, "z9hG4bKQnJhbmNoLXYzLXRva2VuLQ");
	assert_int_equal(got.cseq, 2);
	gw_store_req_clear(&got);
	gw_store_free(s);
}

/* ---- rows ---- */

static void test_request_round_trip(void **state)
{
	const char *dir = fx_tmp_dir();
	struct gw_store *s = fx_open(dir, GW_STORE_SYNC_NORMAL);
	struct gw_store_req full = {
		.id = S("rq_5Jm0x8YtQ2Kb7Cq1"), .owner = S("key-ü"), .service = S("call"),
		.status = S("active"), .created_at = T0, .updated_at = T0 + 6000,
		.start_at = T0 + 1, .stop_at = T0 + 3600000,
		.to_input = S("+1 555 555 0199"), .to_number = S("+15555550199"),
		.from_input = S("+1-555-555-0100"), .from_number = S("+15555550100"),
		.client_state = S("Zoë — 東京 ☎ \xF0\x9F\x93\x9E order-4711"),
		.info = S("call connected"),
		.outcome = S("{\"code\":\"ok\",\"sip_code\":200}"),
		.gateway = S("pint-east"), .call_id = S("a84b4c76e66710@gw"),
		.from_tag = S("Qm9ndXMtdGFnLTEyMzQ1"), .cseq = 2147483647u,
		.sess_id = S("340282366920938463463374607431768211455"),
		.branch = S("z9hG4bK5Jm0x8YtQ2Kb7Cq1-ZeVcWQ"), .last_code = 200,
		.warning = S("399 gw \"Überlast\""), .last_seq = 5,
		.sdp = S("v=0\r\no=- 1 1 IN IP4 gw\r\ns=-\r\nc=TN RFC2543 +15555550199\r\n"),
		.spec = S("{\"service\":\"call\",\"to\":\"+15555550199\"}"), .attempt = 2,
		.webhook = S("{\"url\":\"https://example.com/h\",\"events\":[\"*\"]}"),
	};
	struct gw_store_req bare, upd, got = { 0 };

	(void)state;
	fx_req(&bare, "rq_bare", "k2", "queued", T0 + 5);
	bare.info = S("");      /* empty is not NULL */
	rec_reset();
	assert_int_equal(gw_store_put_request(s, &full, done_h, (void *)1), 0);
	assert_int_equal(gw_store_put_request(s, &bare, done_h, (void *)2), 0);
	assert_int_equal(gw_store_put_request(s, &bare, done_h, (void *)3), 0);
	assert_int_equal(gw_store_commit(s), 0);
	assert_int_equal(rec.n, 3);
	assert_int_equal(rec.err[0], 0);
	assert_int_equal(rec.err[1], 0);
	assert_int_equal(rec.err[2], EEXIST);

	assert_int_equal(gw_store_get_request(s, full.id, "key-ü", &got), 0);
	req_eq(&got, &full);
	gw_store_req_clear(&got);
	assert_int_equal(gw_store_get_request(s, "rq_bare", NULL, &got), 0);
	req_eq(&got, &bare);
	assert_non_null(got.info);
	assert_null(got.to_input);
	assert_null(got.spec);
	gw_store_req_clear(&got);
	/* cseq 0 is NULL; a spec lives in its own table */
	assert_int_equal(fx_sql_int(s, "SELECT count(*) FROM requests WHERE cseq IS NULL"), 1);
	assert_int_equal(fx_sql_int(s, "SELECT count(*) FROM request_specs"), 1);
	assert_int_equal(fx_sql_int(s, "SELECT count(*) FROM requests WHERE spec IS NOT NULL"), 0);
	assert_int_equal(gw_store_get_request(s, full.id, "k2", &got), ENOENT);
	assert_int_equal(gw_store_get_request(s, "rq_none", NULL, &got), ENOENT);
	assert_null(got.id);

	/* update: every mutable field, to NULL and back; fixed ones (what
	 * the create set: ids, times of the window, numbers, client_state,
	 * webhook) stay, and so do spec and sdp when NULL */
	upd = full;
	upd.owner = S("someone else");
	upd.service = S("fax");
	upd.created_at = 1;
	upd.status = S("completed");
	upd.updated_at = T0 + 9000;
	upd.start_at = 0;
	upd.stop_at = 0;
	upd.to_input = NULL;
	upd.info = NULL;
	upd.last_code = 0;
	upd.last_seq = 6;
	upd.call_id = S("other@gw");
	upd.from_tag = NULL;
	upd.cseq = 0;
	upd.sess_id = S("1");
	upd.branch = NULL;      /* like the other identities: NULL clears */
	upd.sdp = NULL;
	upd.spec = NULL;
	upd.attempt = 3;
	upd.webhook = S("");
	rec_reset();
	assert_int_equal(gw_store_update_request(s, &upd, done_h, (void *)1), 0);
	upd.id = S("rq_unknown");
	assert_int_equal(gw_store_update_request(s, &upd, done_h, (void *)2), 0);
	upd.id = full.id;
	assert_int_equal(gw_store_commit(s), 0);
	assert_int_equal(rec.err[0], 0);
	assert_int_equal(rec.err[1], ENOENT);
	assert_int_equal(gw_store_get_request(s, full.id, NULL, &got), 0);
	upd.owner = full.owner;
	upd.service = full.service;
	upd.created_at = full.created_at;
	upd.start_at = full.start_at;
	upd.stop_at = full.stop_at;
	upd.to_input = full.to_input;
	upd.webhook = full.webhook;
	upd.sdp = full.sdp;
	upd.spec = full.spec;
	req_eq(&got, &upd);
	gw_store_req_clear(&got);

	assert_int_equal(fx_sql_int(s, "SELECT count(*) FROM requests WHERE branch IS NULL"), 2);

	/* a new spec and sdp replace the old ones; a new branch is kept */
	upd.spec = S("{\"service\":\"fax\"}");
	upd.sdp = S("v=0\r\n");
	upd.branch = S("z9hG4bK-second.attempt~1");
	assert_int_equal(gw_store_update_request(s, &upd, NULL, NULL), 0);
	assert_int_equal(gw_store_commit(s), 0);
	assert_int_equal(gw_store_get_request(s, full.id, NULL, &got), 0);
	req_eq(&got, &upd);
	gw_store_req_clear(&got);
	assert_int_equal(fx_sql_int(s, "SELECT count(*) FROM request_specs"), 1);

	/* what a write refuses at once never reaches its callback */
	rec_reset();
	bare.status = NULL;
	assert_int_equal(gw_store_put_request(s, &bare, done_h, NULL), EINVAL);
	bare.status = S("queued");
	bare.id = S("rq_with_an_id_that_is_far_too_long_for_a_cursor_0123456789abcdef!");
	assert_int_equal(gw_store_put_request(s, &bare, done_h, NULL), EINVAL);
	assert_int_equal(gw_store_commit(s), 0);
	assert_int_equal(rec.n, 0);
	gw_store_free(s);
}

/* An event's update leaves a big spec (inline content) alone: the WAL
 * gets the row's pages, not the spec's (1 MiB in the row: over 2 MiB). */
static void test_update_keeps_big_spec(void **state)
{
	const size_t big_len = 1u << 20;
	const char *dir = fx_tmp_dir();
	struct gw_store *s = fx_open(dir, GW_STORE_SYNC_NORMAL);
	struct gw_store_req r, upd, got = { 0 };
	char path[320], wal[336];
	struct stat sb;
	char *big = malloc(big_len + 1);
	int i;

	(void)state;
	assert_non_null(big);
	memset(big, 'a', big_len);
	memcpy(big, "{\"x\":\"", 6);
	memcpy(big + big_len - 2, "\"}", 2);
	big[big_len] = '\0';
	fx_req(&r, "rq_big", "k1", "queued", T0);
	r.spec = big;
	r.sdp = S("v=0\r\n");
	assert_int_equal(gw_store_put_request(s, &r, NULL, NULL), 0);
	assert_int_equal(gw_store_commit(s), 0);
	assert_int_equal(gw_store_checkpoint(s), 0);
	fx_db_path(dir, path, sizeof(path));
	snprintf(wal, sizeof(wal), "%s-wal", path);
	assert_int_equal(stat(wal, &sb), 0);
	assert_int_equal(sb.st_size, 0);

	upd = r;
	upd.spec = NULL;
	upd.sdp = NULL;
	for (i = 2; i <= 6; i++) {
		upd.status = S(i % 2 ? "proceeding" : "sending");
		upd.info = S(i % 2 ? "ringing" : NULL);
		upd.last_seq = (uint32_t)i;
		assert_int_equal(gw_store_update_request(s, &upd, NULL, NULL), 0);
		assert_int_equal(gw_store_commit(s), 0);
	}
	assert_int_equal(stat(wal, &sb), 0);
	if (sb.st_size > 256 * 1024)   /* ~16 KiB each: row and index pages */
		fail_msg("5 updates wrote %lld bytes of WAL", (long long)sb.st_size);
	assert_int_equal(gw_store_get_request(s, "rq_big", NULL, &got), 0);
	assert_int_equal(got.last_seq, 6);
	assert_string_equal(got.sdp, "v=0\r\n");
	assert_non_null(got.spec);
	assert_int_equal(strlen(got.spec), big_len);
	assert_int_equal(memcmp(got.spec, big, big_len), 0);
	gw_store_req_clear(&got);
	free(big);
	gw_store_free(s);
}

/* ---- list ---- */

#define NLIST 500

static const char *const statuses[] = { "queued", "sending", "active", "completed", "failed" };
static const char *const services[] = { "call", "fax", "content" };
static const char *const tos[] = { "+15550001", "+15550002", "+15550003", "+15550004" };

static int64_t list_created(int i)
{
	return T0 + i / 7;      /* runs of 7 equal created_at values */
}

static int id_num(const char *id)
{
	const char *p = strrchr(id, '_');
	char *end;
	long v;

	assert_non_null(p);
	v = strtol(p + 1, &end, 10);
	assert_true(*end == '\0' && v >= 0 && v < NLIST);
	return (int)v;
}

static bool matches(int i, const struct gw_store_filter *f)
{
	return (!f->status || !strcmp(f->status, statuses[i % 5])) &&
	       (!f->service || !strcmp(f->service, services[i % 3])) &&
	       (!f->to || !strcmp(f->to, tos[i % 4])) &&
	       (!f->created_after || list_created(i) > f->created_after) &&
	       (!f->created_before || list_created(i) < f->created_before);
}

/* Walk all pages of f; check owner, order, filter, no repeats; count. */
static int walk(struct gw_store *s, struct gw_store_filter f)
{
	struct gw_store_page page = { 0 };
	char cursor[GW_STORE_CURSOR_MAX] = "";
	bool seen[NLIST] = { false };
	int64_t prev_at = INT64_MAX;
	char prev_id[GW_STORE_ID_MAX + 1] = "\x7f";
	int n = 0, i;
	size_t k;

	do {
		f.cursor = cursor[0] ? cursor : NULL;
		assert_int_equal(gw_store_list(s, &f, &page), 0);
		assert_true(page.n <= f.limit);
		for (k = 0; k < page.n; k++) {
			const struct gw_store_req *r = &page.v[k];

			assert_string_equal(r->owner, f.owner);
			assert_true(r->created_at < prev_at ||
				    (r->created_at == prev_at && strcmp(r->id, prev_id) < 0));
			prev_at = r->created_at;
			snprintf(prev_id, sizeof(prev_id), "%s", r->id);
			i = id_num(r->id);
			assert_false(seen[i]);
			seen[i] = true;
			assert_true(matches(i, &f));
			n++;
		}
		if (page.next_cursor[0])
			assert_int_equal(page.n, f.limit);
		snprintf(cursor, sizeof(cursor), "%s", page.next_cursor);
		gw_store_page_clear(&page);
	} while (cursor[0]);
	return n;
}

static int expected(const struct gw_store_filter *f)
{
	int i, n = 0;

	for (i = 0; i < NLIST; i++)
		n += matches(i, f);
	return n;
}

static void test_list_filters_paging(void **state)
{
	const char *dir = fx_tmp_dir();
	struct gw_store *s = fx_open(dir, GW_STORE_SYNC_NORMAL);
	struct gw_store_filter f = { .owner = "k1", .limit = 37 };
	struct gw_store_page page = { 0 };
	struct gw_store_req r;
	char id[32];
	int i;

	(void)state;
	for (i = NLIST - 1; i >= 0; i--) {      /* insertion order is not list order */
		snprintf(id, sizeof(id), "rq_k1_%06d", (i * 7919) % NLIST);
		fx_req(&r, id, "k1", statuses[(i * 7919) % NLIST % 5], list_created((i * 7919) % NLIST));
		r.service = S(services[(i * 7919) % NLIST % 3]);
		r.to_number = S(tos[(i * 7919) % NLIST % 4]);
		assert_int_equal(gw_store_put_request(s, &r, NULL, NULL), 0);
		if (i % 10 == 0) {
			snprintf(id, sizeof(id), "rq_k2_%06d", i);
			fx_req(&r, id, "k2", "queued", list_created(i));
			assert_int_equal(gw_store_put_request(s, &r, NULL, NULL), 0);
		}
	}
	assert_int_equal(gw_store_commit(s), 0);

	assert_int_equal(walk(s, f), NLIST);
	f.limit = 1;
	assert_int_equal(walk(s, f), NLIST);
	f.limit = GW_STORE_LIST_MAX;
	assert_int_equal(walk(s, f), NLIST);
	f.limit = 7;
	f.owner = "k2";
	assert_int_equal(walk(s, f), NLIST / 10);
	f.owner = "k1";
	f.status = "active";
	assert_int_equal(walk(s, f), expected(&f));
	f.status = NULL;
	f.service = "fax";
	assert_int_equal(walk(s, f), expected(&f));
	f.to = "+15550003";
	assert_int_equal(walk(s, f), expected(&f));
	f.service = NULL;
	f.to = NULL;
	f.created_after = list_created(100);
	f.created_before = list_created(300);
	assert_int_equal(walk(s, f), expected(&f));
	assert_int_equal(expected(&f), 300 / 7 * 7 - (100 / 7 * 7 + 7));
	f.status = "queued";
	f.service = "call";
	f.to = "+15550001";
	assert_int_equal(walk(s, f), expected(&f));
	assert_true(expected(&f) > 0);
	f.owner = "nobody";
	assert_int_equal(walk(s, f), 0);

	/* refusals */
	f = (struct gw_store_filter){ .owner = "k1", .limit = 0 };
	assert_int_equal(gw_store_list(s, &f, &page), EINVAL);
	f.limit = GW_STORE_LIST_MAX + 1;
	assert_int_equal(gw_store_list(s, &f, &page), EINVAL);
	f.limit = 10;
	for (i = 0; i < 6; i++) {
		static const char *const bad[] = {
			"", "!!!!", "MTIz", "LnJxXzE", "A", "MTIzLg",
		};
		f.cursor = bad[i];
		assert_int_equal(gw_store_list(s, &f, &page), EINVAL);
		assert_null(page.v);
	}
	f.owner = NULL;
	f.cursor = NULL;
	assert_int_equal(gw_store_list(s, &f, &page), EINVAL);
	gw_store_free(s);
}

/* ---- events, idempotency, deliveries ---- */

static void test_events(void **state)
{
	const char *dir = fx_tmp_dir();
	struct gw_store *s = fx_open(dir, GW_STORE_SYNC_NORMAL);
	struct gw_store_events evs = { 0 };
	struct gw_store_event ev = { .request_id = S("rq_e"), .status = S("queued") };
	struct gw_store_req r;
	char info[32];
	uint32_t seq;

	(void)state;
	fx_req(&r, "rq_e", "k1", "queued", T0);
	rec_reset();
	/* the event is queued after its request: same batch is fine */
	assert_int_equal(gw_store_put_request(s, &r, done_h, (void *)0), 0);
	for (seq = 1; seq <= 10; seq++) {
		snprintf(info, sizeof(info), "step %u — ✓", seq);
		ev.seq = seq;
		ev.at = T0 + seq;
		ev.info = seq == 3 ? NULL : info;
		ev.sip = seq == 4 ? S("{\"code\":180,\"reason\":\"Ringing\"}") : NULL;
		assert_int_equal(gw_store_append_event(s, &ev, done_h, (void *)(intptr_t)seq), 0);
	}
	ev.seq = 4;
	assert_int_equal(gw_store_append_event(s, &ev, done_h, (void *)11), 0);
	ev.request_id = S("rq_missing");
	ev.seq = 1;
	assert_int_equal(gw_store_append_event(s, &ev, done_h, (void *)12), 0);
	ev.seq = 0;
	assert_int_equal(gw_store_append_event(s, &ev, done_h, (void *)13), EINVAL);
	assert_int_equal(gw_store_commit(s), 0);
	assert_int_equal(rec.n, 13);
	for (seq = 0; seq <= 10; seq++)
		assert_int_equal(rec.err[seq], 0);
	assert_int_equal(rec.err[11], EEXIST);
	assert_int_equal(rec.err[12], ENOENT);

	assert_int_equal(gw_store_events(s, "rq_e", 0, GW_STORE_EVENTS_MAX, &evs), 0);
	assert_int_equal(evs.n, 10);
	for (seq = 1; seq <= 10; seq++) {
		snprintf(info, sizeof(info), "step %u — ✓", seq);
		assert_int_equal(evs.v[seq - 1].seq, seq);
		assert_int_equal(evs.v[seq - 1].at, T0 + seq);
		assert_string_equal(evs.v[seq - 1].request_id, "rq_e");
		assert_string_equal(evs.v[seq - 1].status, "queued");
		str_eq(evs.v[seq - 1].info, seq == 3 ? NULL : info);
		str_eq(evs.v[seq - 1].sip, seq == 4 ? "{\"code\":180,\"reason\":\"Ringing\"}" : NULL);
	}
	gw_store_events_clear(&evs);
	assert_int_equal(gw_store_events(s, "rq_e", 4, 3, &evs), 0);
	assert_int_equal(evs.n, 3);
	assert_int_equal(evs.v[0].seq, 5);
	assert_int_equal(evs.v[2].seq, 7);
	gw_store_events_clear(&evs);
	assert_int_equal(gw_store_events(s, "rq_e", 10, 5, &evs), 0);
	assert_int_equal(evs.n, 0);
	gw_store_events_clear(&evs);
	assert_int_equal(gw_store_events(s, "rq_missing", 0, 5, &evs), 0);
	assert_int_equal(evs.n, 0);
	gw_store_events_clear(&evs);
	assert_int_equal(gw_store_events(s, "rq_e", 0, 0, &evs), EINVAL);
	assert_int_equal(gw_store_events(s, "rq_e", 0, GW_STORE_EVENTS_MAX + 1, &evs), EINVAL);
	gw_store_free(s);
}

static void test_idempotency_expiry(void **state)
{
	const char *dir = fx_tmp_dir();
	struct gw_store *s = fx_open(dir, GW_STORE_SYNC_NORMAL);
	struct gw_store_idem in = {
		.owner = S("k1"), .key = S("order-4711:create"), .status_code = 201,
		.response = S("{\"id\":\"rq_1\",\"client_state\":\"Zoë\"}"), .created_at = T0,
	}, got = { 0 };
	unsigned purged = 99;
	size_t i;

	(void)state;
	for (i = 0; i < GW_STORE_HASH_LEN; i++)
		in.body_hash[i] = (uint8_t)(i * 37 + 1);
	in.body_hash[5] = 0;    /* a BLOB, not a string */
	assert_int_equal(gw_store_put_idem(s, &in, NULL, NULL), 0);
	in.owner = S("k2");
	in.status_code = 400;
	assert_int_equal(gw_store_put_idem(s, &in, NULL, NULL), 0);
	in.owner = S("k1");
	in.status_code = 201;
	assert_int_equal(gw_store_commit(s), 0);

	assert_int_equal(gw_store_get_idem(s, "k1", in.key, T0 + 1, &got), 0);
	assert_string_equal(got.owner, "k1");
	assert_string_equal(got.key, in.key);
	assert_memory_equal(got.body_hash, in.body_hash, GW_STORE_HASH_LEN);
	assert_int_equal(got.status_code, 201);
	assert_string_equal(got.response, in.response);
	assert_int_equal(got.created_at, T0);
	gw_store_idem_clear(&got);
	assert_int_equal(gw_store_get_idem(s, "k2", in.key, T0, &got), 0);
	assert_int_equal(got.status_code, 400);
	gw_store_idem_clear(&got);
	assert_int_equal(gw_store_get_idem(s, "k1", "other", T0, &got), ENOENT);

	/* 24 h: the last millisecond counts, the next does not */
	assert_int_equal(gw_store_get_idem(s, "k1", in.key, T0 + GW_STORE_IDEM_TTL_MS - 1, &got), 0);
	gw_store_idem_clear(&got);
	assert_int_equal(gw_store_get_idem(s, "k1", in.key, T0 + GW_STORE_IDEM_TTL_MS, &got), ENOENT);
	assert_null(got.owner);

	assert_int_equal(gw_store_purge_idem(s, T0 + GW_STORE_IDEM_TTL_MS - 1, &purged), 0);
	assert_int_equal(purged, 0);
	/* an expired entry is replaced by a new put with the same key */
	in.created_at = T0 + GW_STORE_IDEM_TTL_MS + 5;
	in.status_code = 202;
	assert_int_equal(gw_store_put_idem(s, &in, NULL, NULL), 0);
	assert_int_equal(gw_store_commit(s), 0);
	assert_int_equal(gw_store_get_idem(s, "k1", in.key, T0 + GW_STORE_IDEM_TTL_MS + 6, &got), 0);
	assert_int_equal(got.status_code, 202);
	gw_store_idem_clear(&got);
	assert_int_equal(gw_store_purge_idem(s, T0 + GW_STORE_IDEM_TTL_MS, &purged), 0);
	assert_int_equal(purged, 1);    /* k2's, k1's is new */
	assert_int_equal(fx_sql_int(s, "SELECT count(*) FROM idempotency"), 1);
	in.key = S("");
	assert_int_equal(gw_store_put_idem(s, &in, NULL, NULL), EINVAL);
	gw_store_free(s);
}

static int click_collect(struct gw_store_click_use *u, void *arg)
{
	char *buf = arg;
	size_t n = strlen(buf);

	snprintf(buf + n, 256 - n, "%s:%s:%u:%lld;", u->jti, u->owner,
		 (unsigned)u->uses, (long long)u->expires_at);
	return 0;
}

/*
 * Click token uses add up per jti, in the request's transaction, survive
 * a reopen, are read back only while the token is valid, and purge.
 */
static void test_click_uses(void **state)
{
	const char *dir = fx_tmp_dir();
	struct gw_store *s = fx_open(dir, GW_STORE_SYNC_NORMAL);
	struct gw_store_click_use u = { .jti = S("j1"), .owner = S("shop"), .uses = 1,
					.expires_at = 2000 };
	struct gw_store_req r;
	char buf[256] = "";
	unsigned purged = 0;

	(void)state;
	rec_reset();
	fx_req(&r, "rq_c", "shop", "queued", T0);
	assert_int_equal(gw_store_put_request(s, &r, done_h, (void *)0), 0);
	assert_int_equal(gw_store_add_click_use(s, &u, done_h, (void *)1), 0);
	assert_int_equal(gw_store_commit(s), 0);
	assert_int_equal(rec.n, 2);
	assert_int_equal(rec.err[0], 0);
	assert_int_equal(rec.err[1], 0);
	assert_int_equal(rec.commits[0], rec.commits[1]);
	/* two more in one batch, and another token */
	assert_int_equal(gw_store_add_click_use(s, &u, NULL, NULL), 0);
	assert_int_equal(gw_store_add_click_use(s, &u, NULL, NULL), 0);
	u.jti = S("j2");
	u.owner = S("other");
	u.expires_at = 1000;
	assert_int_equal(gw_store_add_click_use(s, &u, NULL, NULL), 0);
	assert_int_equal(gw_store_commit(s), 0);
	assert_int_equal(gw_store_scan_click_uses(s, 500, click_collect, buf), 0);
	assert_string_equal(buf, "j2:other:1:1000;j1:shop:3:2000;");
	/* reopened: the counts are on disk */
	gw_store_free(s);
	s = fx_open(dir, GW_STORE_SYNC_NORMAL);
	buf[0] = '\0';
	assert_int_equal(gw_store_scan_click_uses(s, 1001, click_collect, buf), 0);
	assert_string_equal(buf, "j1:shop:3:2000;");
	assert_int_equal(gw_store_purge_click_uses(s, 1000, &purged), 0);
	assert_int_equal(purged, 0);
	assert_int_equal(gw_store_purge_click_uses(s, 1001, &purged), 0);
	assert_int_equal(purged, 1);
	assert_int_equal(fx_sql_int(s, "SELECT count(*) FROM click_uses"), 1);
	/* what a use must have */
	u.uses = 0;
	assert_int_equal(gw_store_add_click_use(s, &u, NULL, NULL), EINVAL);
	u.uses = 1;
	u.jti = S("");
	assert_int_equal(gw_store_add_click_use(s, &u, NULL, NULL), EINVAL);
	u.jti = S("j3");
	u.owner = NULL;
	assert_int_equal(gw_store_add_click_use(s, &u, NULL, NULL), EINVAL);
	assert_int_equal(gw_store_scan_click_uses(s, 0, NULL, NULL), EINVAL);
	gw_store_free(s);
}

static int id_collect(struct gw_store_req *r, void *arg)
{
	char *buf = arg;

	snprintf(buf + strlen(buf), 256 - strlen(buf), "%s;", r->id);
	return 0;
}

/*
 * A file at schema version 4 (the dial index, no click_uses) upgrades to
 * the newest in place: its requests stay, the index stays, click uses
 * store, and requests_live is rebuilt without its NOT IN list (version 6)
 * holding the same rows.
 */
static void test_migrate_v4_file(void **state)
{
	const char *dir = fx_tmp_dir();
	struct gw_store_click_use u = { .jti = S("j4"), .owner = S("k1"), .uses = 1,
					.expires_at = 2000 };
	struct gw_store *s;
	char path[320], buf[256] = "";
	sqlite3 *db = NULL;
	size_t i;

	(void)state;
	fx_db_path(dir, path, sizeof(path));
	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
					 NULL), SQLITE_OK);
	exec_ok(db, "PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; BEGIN");
	for (i = 0; i < 4; i++) {
		assert_int_equal(gw_store_migrations[i].version, (int)i + 1);
		exec_ok(db, gw_store_migrations[i].sql);
	}
	exec_ok(db, "INSERT INTO schema_version VALUES (1, 1700000000000),"
		" (2, 1700000000000), (3, 1700000000000), (4, 1700000000000);"
		"INSERT INTO requests (id, owner, service, status, created_at, updated_at,"
		" to_number, last_seq, attempt) VALUES ('rq_v4', 'k1', 'call', 'completed',"
		" 1700000000000, 1700000000001, '+15555550199', 1, 1),"
		" ('rq_v4b', 'k1', 'call', 'active', 1700000000002, 1700000000003,"
		" '+15555550199', 3, 1);"
		"COMMIT");
	assert_int_equal(sqlite3_close(db), SQLITE_OK);

	s = fx_open(dir, GW_STORE_SYNC_NORMAL);
	assert_int_equal(fx_sql_int(s, "SELECT max(version) FROM schema_version"),
			 (int64_t)gw_store_nmigrations);
	assert_int_equal(fx_sql_int(s, "SELECT count(*) FROM sqlite_master WHERE name ="
				    " 'requests_live' AND sql NOT LIKE '%NOT IN%'"), 1);
	assert_int_equal(gw_store_scan_live(s, id_collect, buf), 0);
	assert_string_equal(buf, "rq_v4b;");
	buf[0] = '\0';
	assert_int_equal(fx_sql_int(s, "SELECT count(*) FROM sqlite_master WHERE name IN"
				    " ('requests_created', 'click_uses', 'click_uses_expires')"), 3);
	assert_int_equal(fx_sql_int(s, "SELECT count(*) FROM requests WHERE id = 'rq_v4'"), 1);
	assert_int_equal(gw_store_add_click_use(s, &u, NULL, NULL), 0);
	assert_int_equal(gw_store_commit(s), 0);
	assert_int_equal(gw_store_scan_click_uses(s, 0, click_collect, buf), 0);
	assert_string_equal(buf, "j4:k1:1:2000;");
	gw_store_free(s);
}

static int dlv_collect(struct gw_store_delivery *d, void *arg)
{
	int *seqs = arg;

	assert_int_equal(d->state, GW_STORE_DLV_PENDING);
	seqs[++seqs[0]] = (int)d->seq;
	return 0;
}

static void test_deliveries(void **state)
{
	const char *dir = fx_tmp_dir();
	struct gw_store *s = fx_open(dir, GW_STORE_SYNC_NORMAL);
	struct gw_store_event ev = { .request_id = S("rq_d"), .status = S("queued"), .at = T0 };
	struct gw_store_delivery d = { .request_id = S("rq_d"), .state = GW_STORE_DLV_PENDING };
	struct gw_store_req r;
	int seqs[8] = { 0 };
	int64_t at = 0;

	(void)state;
	fx_req(&r, "rq_d", "k1", "queued", T0);
	assert_int_equal(gw_store_put_request(s, &r, NULL, NULL), 0);
	for (ev.seq = 1; ev.seq <= 4; ev.seq++)
		assert_int_equal(gw_store_append_event(s, &ev, NULL, NULL), 0);
	assert_int_equal(gw_store_commit(s), 0);
	assert_int_equal(gw_store_next_delivery(s, &at), ENOENT);

	rec_reset();
	d.seq = 2; d.next_at = T0 + 300; d.attempt = 1;
	assert_int_equal(gw_store_put_delivery(s, &d, done_h, (void *)0), 0);
	d.seq = 1; d.next_at = T0 + 100;
	assert_int_equal(gw_store_put_delivery(s, &d, done_h, (void *)1), 0);
	d.seq = 3; d.next_at = T0 + 200; d.state = GW_STORE_DLV_DONE; d.last_code = 204;
	assert_int_equal(gw_store_put_delivery(s, &d, done_h, (void *)2), 0);
	d.seq = 9; d.state = GW_STORE_DLV_PENDING;
	assert_int_equal(gw_store_put_delivery(s, &d, done_h, (void *)3), 0);
	d.state = (enum gw_store_dlv_state)7;
	assert_int_equal(gw_store_put_delivery(s, &d, done_h, (void *)4), EINVAL);
	assert_int_equal(gw_store_commit(s), 0);
	assert_int_equal(rec.n, 4);
	assert_int_equal(rec.err[3], ENOENT);   /* no event 9 */

	assert_int_equal(gw_store_next_delivery(s, &at), 0);
	assert_int_equal(at, T0 + 100);
	assert_int_equal(gw_store_due_deliveries(s, T0 + 299, 10, dlv_collect, seqs), 0);
	assert_int_equal(seqs[0], 1);
	assert_int_equal(seqs[1], 1);
	seqs[0] = 0;
	assert_int_equal(gw_store_due_deliveries(s, T0 + 1000, 10, dlv_collect, seqs), 0);
	assert_int_equal(seqs[0], 2);
	assert_int_equal(seqs[2], 2);

	/* the retry replaces the row; done leaves the due set */
	d = (struct gw_store_delivery){ .request_id = S("rq_d"), .seq = 1, .attempt = 2,
		.state = GW_STORE_DLV_FAILED, .next_at = T0 + 100, .last_code = 500,
		.last_error = S("HTTP 500 from example.com"), .updated_at = T0 + 101 };
	assert_int_equal(gw_store_put_delivery(s, &d, NULL, NULL), 0);
	assert_int_equal(gw_store_commit(s), 0);
	assert_int_equal(fx_sql_int(s, "SELECT attempt * 1000 + last_code FROM deliveries"
				 " WHERE seq = 1 AND state = 'failed'"
				 " AND last_error = 'HTTP 500 from example.com'"), 2500);
	assert_int_equal(fx_sql_int(s, "SELECT count(*) FROM deliveries WHERE seq = 3"
				 " AND last_code = 204 AND last_error IS NULL"), 1);
	seqs[0] = 0;
	assert_int_equal(gw_store_due_deliveries(s, T0 + 1000, 10, dlv_collect, seqs), 0);
	assert_int_equal(seqs[0], 1);
	assert_int_equal(seqs[1], 2);
	assert_int_equal(gw_store_next_delivery(s, &at), 0);
	assert_int_equal(at, T0 + 300);
	gw_store_free(s);
}

/* ---- scans ---- */

struct scan_ctx {
	struct gw_store *s;
	int n;
	int64_t last_created;
	char *taken[16];
	int stop_at;
};

static int live_h(struct gw_store_req *r, void *arg)
{
	struct scan_ctx *c = arg;
	struct gw_store_req other = { 0 };
	struct gw_store_req w;

	assert_true(r->created_at > c->last_created);
	c->last_created = r->created_at;
	assert_null(strstr("completed failed canceled expired", r->status));
	assert_string_equal(r->sdp, "v=0");
	if (c->n < 16) {                /* take the id, leave the rest */
		c->taken[c->n] = r->id;
		r->id = NULL;
	}
	/* reads are refused while the scan steps; queueing is fine */
	assert_int_equal(gw_store_get_request(c->s, "rq_live_0", NULL, &other), EBUSY);
	assert_int_equal(gw_store_commit(c->s), EBUSY);
	assert_int_equal(gw_store_scan_live(c->s, live_h, c), EBUSY);
	fx_req(&w, "rq_from_scan", "k1", "queued", T0);
	w.sdp = S("v=0");
	if (c->n == 0)
		assert_int_equal(gw_store_put_request(c->s, &w, NULL, NULL), 0);
	c->n++;
	return c->n == c->stop_at ? ECANCELED : 0;
}

static const char *const all_statuses[] = {
	"queued", "sending", "proceeding", "accepted", "active",
	"completed", "failed", "canceled", "expired",
};

static int due_h(struct gw_store_req *r, void *arg)
{
	struct scan_ctx *c = arg;

	assert_string_equal(r->status, "queued");
	assert_true(r->start_at >= c->last_created);
	c->last_created = r->start_at;
	c->n++;
	return 0;
}

static void test_scans(void **state)
{
	const char *dir = fx_tmp_dir();
	struct gw_store *s = fx_open(dir, GW_STORE_SYNC_NORMAL);
	struct scan_ctx c = { .s = s };
	struct gw_store_req r;
	char id[32];
	int64_t at = 0;
	int i, live = 0;

	(void)state;
	assert_int_equal(gw_store_next_start(s, &at), ENOENT);
	for (i = 0; i < 90; i++) {
		snprintf(id, sizeof(id), "rq_live_%d", i);
		fx_req(&r, id, "k1", all_statuses[i % 9], T0 + 1000 - i);
		r.sdp = S("v=0");
		/* queued ones: half scheduled, in reverse of created order */
		if (i % 9 == 0 && i % 2 == 0)
			r.start_at = T0 + 5000 + i;
		if (i % 9 == 5)         /* a terminal one with a start time */
			r.start_at = T0;
		live += i % 9 < 5;
		assert_int_equal(gw_store_put_request(s, &r, NULL, NULL), 0);
	}
	assert_int_equal(gw_store_commit(s), 0);

	assert_int_equal(gw_store_scan_live(s, live_h, &c), 0);
	assert_int_equal(c.n, live);
	for (i = 0; i < 16; i++) {
		assert_non_null(c.taken[i]);
		free(c.taken[i]);
	}
	assert_int_equal(gw_store_commit(s), 0);        /* the write made in the scan */

	memset(&c, 0, sizeof(c));
	c.s = s;
	c.stop_at = 3;
	assert_int_equal(gw_store_scan_live(s, live_h, &c), ECANCELED);
	assert_int_equal(c.n, 3);
	for (i = 0; i < 3; i++)
		free(c.taken[i]);
	assert_int_equal(gw_store_commit(s), 0);

	/* due: queued with start_at <= now, earliest first */
	assert_int_equal(gw_store_next_start(s, &at), 0);
	assert_int_equal(at, T0 + 5000);
	memset(&c, 0, sizeof(c));
	assert_int_equal(gw_store_scan_due(s, T0 + 5000 + 36, 100, due_h, &c), 0);
	assert_int_equal(c.n, 3);               /* i = 0, 18, 36 */
	memset(&c, 0, sizeof(c));
	assert_int_equal(gw_store_scan_due(s, T0 + 99999, 2, due_h, &c), 0);
	assert_int_equal(c.n, 2);
	memset(&c, 0, sizeof(c));
	assert_int_equal(gw_store_scan_due(s, T0 + 99999, 100, due_h, &c), 0);
	assert_int_equal(c.n, 5);               /* i = 0, 18, 36, 54, 72 */
	assert_int_equal(gw_store_scan_due(s, T0, 0, due_h, &c), EINVAL);
	gw_store_free(s);
}

struct dials_ctx {
	int n;
	int64_t last;
	int stop_at;
};

static int dial_h(const char *number, int64_t at, void *arg)
{
	struct dials_ctx *c = arg;

	assert_true(number[0] == '+');
	assert_true(at > c->last);              /* oldest first */
	c->last = at;
	if (++c->n == c->stop_at)
		return ECANCELED;
	return 0;
}

/* The dial scan: requests created after since with a to_number, oldest
 * first, whatever their status; local numbers (no to_number) are not. */
static void test_scan_dials(void **state)
{
	const char *dir = fx_tmp_dir();
	struct gw_store *s = fx_open(dir, GW_STORE_SYNC_NORMAL);
	struct dials_ctx c = { 0 };
	struct gw_store_req r;
	char id[32];
	int i;

	(void)state;
	for (i = 0; i < 20; i++) {
		snprintf(id, sizeof(id), "rq_dial_%d", i);
		fx_req(&r, id, i % 2 ? "k1" : "k2", all_statuses[i % 9],
		       T0 + 1000 * (20 - i));
		r.to_number = i % 5 == 4 ? NULL : S("+15555550100");
		assert_int_equal(gw_store_put_request(s, &r, NULL, NULL), 0);
	}
	assert_int_equal(gw_store_commit(s), 0);
	assert_int_equal(gw_store_scan_dials(s, T0, dial_h, &c), 0);
	assert_int_equal(c.n, 16);
	memset(&c, 0, sizeof(c));
	/* created_at > since: T0 + 10000 (i = 10) is left out */
	assert_int_equal(gw_store_scan_dials(s, T0 + 10000, dial_h, &c), 0);
	assert_int_equal(c.n, 8);               /* i = 0..9 but 4 and 9 */
	memset(&c, 0, sizeof(c));
	c.stop_at = 2;
	assert_int_equal(gw_store_scan_dials(s, T0, dial_h, &c), ECANCELED);
	assert_int_equal(c.n, 2);
	assert_int_equal(gw_store_scan_dials(s, T0, NULL, NULL), EINVAL);
	gw_store_free(s);
}

/* The plan of q must name index and sort nothing itself. */
static void plan_uses(struct gw_store *s, sqlite3_stmt *q, const char *index)
{
	char sql[2048], plan[1024] = "";
	sqlite3_stmt *st;

	assert_non_null(q);
	snprintf(sql, sizeof(sql), "EXPLAIN QUERY PLAN %s", sqlite3_sql(q));
	assert_int_equal(sqlite3_prepare_v2(gw_store_db(s), sql, -1, &st, NULL), SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW)
		snprintf(plan + strlen(plan), sizeof(plan) - strlen(plan), "%s; ",
			 (const char *)sqlite3_column_text(st, 3));
	sqlite3_finalize(st);
	if (!strstr(plan, index) || strstr(plan, "TEMP B-TREE"))
		fail_msg("%s: %s", sqlite3_sql(q), plan);
}

/* The scans and every list variant use their indexes: their cost follows
 * what they return, not what is stored. */
static void test_query_plans(void **state)
{
	static const struct {
		enum gw_store_st st;
		const char *index;
	} plans[] = {
		{ ST_GET_REQ, "sqlite_autoindex_requests_1" },
		{ ST_EVENTS, "PRIMARY KEY" },
		{ ST_SCAN_LIVE, "requests_live" },
		{ ST_SCAN_DUE, "requests_due" },
		{ ST_NEXT_START, "requests_due" },
		{ ST_DUE_DLV, "deliveries_due" },
		{ ST_NEXT_DLV, "deliveries_due" },
		{ ST_GET_IDEM, "sqlite_autoindex_idempotency_1" },
		{ ST_PURGE_IDEM, "idempotency_created" },
		{ ST_SCAN_CLICK, "click_uses_expires" },
		{ ST_PURGE_CLICK, "click_uses_expires" },
		{ ST_SCAN_DIALS, "requests_created" },
	};
	const char *dir = fx_tmp_dir();
	struct gw_store *s = fx_open(dir, GW_STORE_SYNC_NORMAL);
	struct gw_store_page page = { 0 };
	struct gw_store_filter f;
	char cursor[GW_STORE_CURSOR_MAX];
	struct gw_store_req r;
	unsigned mask;
	size_t i;

	(void)state;
	fx_req(&r, "rq_p", "k1", "queued", T0);
	assert_int_equal(gw_store_put_request(s, &r, NULL, NULL), 0);
	assert_int_equal(gw_store_put_request(s, &(struct gw_store_req){ .id = S("rq_q"),
		.owner = S("k1"), .service = S("call"), .status = S("queued") }, NULL, NULL), 0);
	assert_int_equal(gw_store_commit(s), 0);
	f = (struct gw_store_filter){ .owner = "k1", .limit = 1 };
	assert_int_equal(gw_store_list(s, &f, &page), 0);
	snprintf(cursor, sizeof(cursor), "%s", page.next_cursor);
	assert_true(cursor[0]);
	gw_store_page_clear(&page);

	for (i = 0; i < sizeof(plans) / sizeof(plans[0]); i++)
		plan_uses(s, s->st[plans[i].st], plans[i].index);
	for (mask = 0; mask < LIST_VARIANTS; mask++) {
		f = (struct gw_store_filter){
			.owner = "k1", .limit = 10,
			.status = mask & LIST_STATUS ? "active" : NULL,
			.service = mask & LIST_SERVICE ? "fax" : NULL,
			.to = mask & LIST_TO ? "+15550001" : NULL,
			.created_after = mask & LIST_AFTER ? T0 - 5 : 0,
			.created_before = mask & LIST_BEFORE ? T0 + 5 : 0,
			.cursor = mask & LIST_CURSOR ? cursor : NULL,
		};
		assert_int_equal(gw_store_list(s, &f, &page), 0);
		gw_store_page_clear(&page);
		plan_uses(s, s->list_st[mask], "USING INDEX requests_owner");
	}
	gw_store_free(s);
}

/*
 * The statements of the commit path open no temporary B-tree: each runs
 * once per row written, so one would be built and torn down per write
 * (a NOT IN list in a partial index's WHERE did that).
 */
static void test_write_plans(void **state)
{
	static const enum gw_store_st writes[] = {
		ST_PUT_REQ, ST_UPD_REQ, ST_PUT_EVENT, ST_PUT_IDEM, ST_PUT_DLV, ST_PUT_CLICK,
		ST_PUT_SPEC,
	};
	const char *dir = fx_tmp_dir();
	struct gw_store *s = fx_open(dir, GW_STORE_SYNC_NORMAL);
	char sql[4096];
	sqlite3_stmt *st;
	const char *op;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(writes) / sizeof(writes[0]); i++) {
		assert_non_null(s->st[writes[i]]);
		snprintf(sql, sizeof(sql), "EXPLAIN %s", sqlite3_sql(s->st[writes[i]]));
		assert_int_equal(sqlite3_prepare_v2(gw_store_db(s), sql, -1, &st, NULL), SQLITE_OK);
		while (sqlite3_step(st) == SQLITE_ROW) {
			op = (const char *)sqlite3_column_text(st, 1);
			if (strstr(op, "Ephemeral") || strstr(op, "Sorter"))
				fail_msg("%s: %s", sqlite3_sql(s->st[writes[i]]), op);
		}
		sqlite3_finalize(st);
	}
	gw_store_free(s);
}

/* ---- group commit ---- */

static void test_group_commit_one_transaction(void **state)
{
	const char *dir = fx_tmp_dir();
	struct gw_store *s = fx_open(dir, GW_STORE_SYNC_NORMAL);
	struct gw_store_event ev = { .seq = 1, .status = S("queued"), .at = T0 };
	struct gw_store_idem idem = { .owner = S("k1"), .status_code = 201, .created_at = T0 };
	struct gw_store_stats st;
	struct gw_store_req r;
	char id[32];
	int i, changes;

	(void)state;
	sqlite3_commit_hook(gw_store_db(s), commit_hook, NULL);
	rec_reset();
	changes = sqlite3_total_changes(gw_store_db(s));
	for (i = 0; i < 200; i++) {
		snprintf(id, sizeof(id), "rq_g_%d", i);
		fx_req(&r, id, "k1", "queued", T0 + i);
		assert_int_equal(gw_store_put_request(s, &r, done_h, (void *)(intptr_t)(3 * i)), 0);
		ev.request_id = id;
		assert_int_equal(gw_store_append_event(s, &ev, done_h, (void *)(intptr_t)(3 * i + 1)), 0);
		idem.key = id;
		assert_int_equal(gw_store_put_idem(s, &idem, i % 2 ? done_h : NULL,
						   (void *)(intptr_t)(3 * i + 2)), 0);
	}
	gw_store_stats(s, &st);
	assert_int_equal(st.pending, 600);
	/* nothing is visible before the commit */
	assert_int_equal(fx_sql_int(s, "SELECT count(*) FROM requests"), 0);
	assert_int_equal(fx_commits, 0);

	assert_int_equal(gw_store_commit(s), 0);
	assert_int_equal(fx_commits, 1);
	assert_int_equal(sqlite3_total_changes(gw_store_db(s)) - changes, 600);
	assert_int_equal(rec.n, 500);
	for (i = 0; i < rec.n; i++) {
		assert_int_equal(rec.err[i], 0);
		assert_int_equal(rec.commits[i], 1);    /* called after the commit */
		if (i)
			assert_true(rec.idx[i] > rec.idx[i - 1]);
	}
	gw_store_stats(s, &st);
	assert_int_equal(st.commits, 1);
	assert_int_equal(st.writes, 600);
	assert_int_equal(st.batch_max, 600);
	assert_int_equal(st.pending, 0);
	assert_int_equal(gw_store_commit(s), 0);        /* empty: no transaction */
	assert_int_equal(fx_commits, 1);
	gw_store_free(s);
}

/*
 * Updates of a row queued in the same transaction are folded into its
 * first write: one statement, the last values, a NULL spec or sdp keeping
 * what an earlier write of the batch gave, and every callback called in
 * queue order with that write's outcome.
 */
static void test_group_commit_folds_updates(void **state)
{
	const char *dir = fx_tmp_dir();
	struct gw_store *s = fx_open(dir, GW_STORE_SYNC_NORMAL);
	struct gw_store_event ev = { .request_id = S("rq_f"), .seq = 1, .status = S("queued"),
				     .at = T0 };
	struct gw_store_req r, u, got = { 0 };
	struct gw_store_stats st;
	int changes;

	(void)state;
	rec_reset();
	fx_req(&r, "rq_f", "k1", "queued", T0);
	r.to_number = S("+15555550100");
	r.spec = S("{\"service\":\"call\"}");
	assert_int_equal(gw_store_put_request(s, &r, done_h, (void *)0), 0);
	assert_int_equal(gw_store_append_event(s, &ev, done_h, (void *)1), 0);
	u = (struct gw_store_req){ .id = S("rq_f"), .status = S("sending"), .updated_at = T0 + 1,
				   .sdp = S("v=0"), .call_id = S("c1"), .last_seq = 2 };
	assert_int_equal(gw_store_update_request(s, &u, done_h, (void *)2), 0);
	u = (struct gw_store_req){ .id = S("rq_f"), .status = S("active"), .updated_at = T0 + 2,
				   .info = S("connected"), .last_seq = 3 };
	assert_int_equal(gw_store_update_request(s, &u, done_h, (void *)3), 0);
	/* an unknown row: the second update folds into the first, both ENOENT */
	u = (struct gw_store_req){ .id = S("rq_none"), .status = S("active") };
	assert_int_equal(gw_store_update_request(s, &u, done_h, (void *)4), 0);
	assert_int_equal(gw_store_update_request(s, &u, done_h, (void *)5), 0);

	changes = sqlite3_total_changes(gw_store_db(s));
	assert_int_equal(gw_store_commit(s), 0);
	/* the row (+ its spec) and the event; the folded updates ran nothing */
	assert_int_equal(sqlite3_total_changes(gw_store_db(s)) - changes, 3);
	gw_store_stats(s, &st);
	assert_int_equal(st.folded, 3);
	assert_int_equal(rec.n, 6);
	for (int i = 0; i < 6; i++) {
		assert_int_equal(rec.idx[i], i);
		assert_int_equal(rec.err[i], i < 4 ? 0 : ENOENT);
	}
	assert_int_equal(gw_store_get_request(s, "rq_f", "k1", &got), 0);
	assert_string_equal(got.status, "active");
	assert_int_equal(got.updated_at, T0 + 2);
	assert_string_equal(got.info, "connected");
	assert_string_equal(got.sdp, "v=0");            /* NULL kept the first update's */
	assert_null(got.call_id);                       /* NULL rewrites a plain column */
	assert_string_equal(got.spec, "{\"service\":\"call\"}");
	assert_string_equal(got.to_number, "+15555550100");     /* fixed at the create */
	assert_int_equal(got.last_seq, 3);
	gw_store_req_clear(&got);

	/* the next batch starts with an empty map: an update is a statement again */
	u = (struct gw_store_req){ .id = S("rq_f"), .status = S("completed"), .updated_at = T0 + 3,
				   .last_seq = 4 };
	assert_int_equal(gw_store_update_request(s, &u, NULL, NULL), 0);
	assert_int_equal(gw_store_commit(s), 0);
	gw_store_stats(s, &st);
	assert_int_equal(st.folded, 3);
	assert_int_equal(fx_sql_int(s, "SELECT count(*) FROM requests WHERE id = 'rq_f'"
				    " AND status = 'completed' AND sdp = 'v=0'"), 1);
	gw_store_free(s);
}

/* A fold that cannot allocate leaves the update as its own write, and
 * later updates fold into that one: the row ends as the last update left
 * it, every callback in order, nothing leaked. */
static void test_group_commit_fold_enomem(void **state)
{
	const char *dir = fx_tmp_dir();
	struct gw_store *s = fx_open(dir, GW_STORE_SYNC_NORMAL);
	struct gw_store_req r, u, got = { 0 };
	struct gw_store_stats st;
	int changes;

	(void)state;
	rec_reset();
	fx_req(&r, "rq_g", "k1", "queued", T0);
	r.spec = S("{\"service\":\"call\"}");
	assert_int_equal(gw_store_put_request(s, &r, done_h, (void *)0), 0);
	u = (struct gw_store_req){ .id = S("rq_g"), .status = S("sending"), .updated_at = T0 + 1,
				   .sdp = S("v=0"), .call_id = S("c1"), .last_seq = 2 };
	assert_int_equal(gw_store_update_request(s, &u, done_h, (void *)1), 0);
	/* the update's own copy is allocation 1, the fold's block 2 */
	u = (struct gw_store_req){ .id = S("rq_g"), .status = S("ringing"), .updated_at = T0 + 2,
				   .call_id = S("c1"), .info = S("ringing"), .last_seq = 3 };
	alloc_fail_at(2);
	assert_int_equal(gw_store_update_request(s, &u, done_h, (void *)2), 0);
	alloc_fail_at(0);
	assert_int_equal(alloc_failed(), 1);
	u = (struct gw_store_req){ .id = S("rq_g"), .status = S("active"), .updated_at = T0 + 3,
				   .call_id = S("c1"), .info = S("connected"), .last_seq = 4 };
	assert_int_equal(gw_store_update_request(s, &u, done_h, (void *)3), 0);

	changes = sqlite3_total_changes(gw_store_db(s));
	assert_int_equal(gw_store_commit(s), 0);
	/* the row, its spec and the one update that could not fold */
	assert_int_equal(sqlite3_total_changes(gw_store_db(s)) - changes, 3);
	gw_store_stats(s, &st);
	assert_int_equal(st.folded, 2);
	assert_int_equal(rec.n, 4);
	for (int i = 0; i < 4; i++) {
		assert_int_equal(rec.idx[i], i);
		assert_int_equal(rec.err[i], 0);
	}
	assert_int_equal(gw_store_get_request(s, "rq_g", "k1", &got), 0);
	assert_string_equal(got.status, "active");
	assert_string_equal(got.info, "connected");
	assert_string_equal(got.sdp, "v=0");
	assert_string_equal(got.call_id, "c1");
	assert_int_equal(got.updated_at, T0 + 3);
	assert_int_equal(got.last_seq, 4);
	gw_store_req_clear(&got);
	gw_store_free(s);
}

/* On the loop: everything queued in a turn is one commit at its end. */
struct turn {
	struct gw_loop *loop;
	struct gw_store *s;
	struct gw_timer t1, t2, t3;
	int phase;
};

static void queue_some(struct turn *tn, int base)
{
	struct gw_store_req r, got = { 0 };
	char id[32];
	int i;

	for (i = base; i < base + 10; i++) {
		snprintf(id, sizeof(id), "rq_t_%d", i);
		fx_req(&r, id, "k1", "queued", T0 + i);
		assert_int_equal(gw_store_put_request(tn->s, &r, done_h, (void *)(intptr_t)i), 0);
	}
	/* not readable before the turn's commit */
	assert_int_equal(gw_store_get_request(tn->s, id, NULL, &got), ENOENT);
}

static void t1_h(void *arg)
{
	queue_some(arg, 0);
}

static void t2_h(void *arg)
{
	queue_some(arg, 10);
}

static void chained_h(int err, void *arg)
{
	struct turn *tn = arg;

	done_h(err, (void *)(intptr_t)999);
	gw_loop_stop(tn->loop);
}

static void last_h(int err, void *arg)
{
	struct turn *tn = arg;
	struct gw_store_req r;

	done_h(err, (void *)(intptr_t)100);
	/* a write queued by a callback goes in the next batch, same turn end */
	fx_req(&r, "rq_t_chained", "k1", "queued", T0);
	assert_int_equal(gw_store_put_request(tn->s, &r, chained_h, tn), 0);
}

static void t3_h(void *arg)
{
	struct turn *tn = arg;
	struct gw_store_req r;

	fx_req(&r, "rq_t_last", "k1", "queued", T0);
	assert_int_equal(gw_store_put_request(tn->s, &r, last_h, tn), 0);
}

static void test_group_commit_loop(void **state)
{
	const char *dir = fx_tmp_dir();
	struct turn tn = { 0 };
	struct gw_store_stats st;
	struct gw_loop_stats ls;
	int i;

	(void)state;
	assert_int_equal(gw_loop_alloc(&tn.loop), 0);
	tn.s = fx_open(dir, GW_STORE_SYNC_NORMAL);
	gw_store_attach(tn.s, tn.loop);
	sqlite3_commit_hook(gw_store_db(tn.s), commit_hook, NULL);
	rec_reset();
	/* same deadline: both timers fire in one turn; the open took time */
	gw_loop_update_time(tn.loop);
	assert_int_equal(gw_timer_start(tn.loop, &tn.t1, 0, t1_h, &tn), 0);
	assert_int_equal(gw_timer_start(tn.loop, &tn.t2, 0, t2_h, &tn), 0);
	assert_int_equal(gw_timer_start(tn.loop, &tn.t3, 30, t3_h, &tn), 0);
	assert_int_equal(gw_loop_run(tn.loop), 0);

	assert_int_equal(rec.n, 22);
	for (i = 0; i < 20; i++) {
		assert_int_equal(rec.idx[i], i);
		assert_int_equal(rec.err[i], 0);
		assert_int_equal(rec.commits[i], 1);
	}
	assert_int_equal(rec.idx[20], 100);
	assert_int_equal(rec.commits[20], 2);
	assert_int_equal(rec.idx[21], 999);
	assert_int_equal(rec.commits[21], 3);
	gw_store_stats(tn.s, &st);
	assert_int_equal(st.commits, 3);
	assert_int_equal(st.batch_max, 20);
	gw_loop_stats(tn.loop, &ls);
	assert_true(ls.turns >= 2);

	/* detached: writes wait for an explicit commit */
	gw_store_attach(tn.s, NULL);
	tn.phase = 1;
	rec_reset();
	queue_some(&tn, 50);
	gw_store_attach(tn.s, tn.loop);         /* re-attaching schedules them */
	gw_store_attach(tn.s, NULL);
	gw_store_stats(tn.s, &st);
	assert_int_equal(st.pending, 10);
	assert_int_equal(gw_store_commit(tn.s), 0);
	assert_int_equal(rec.n, 10);
	gw_store_free(tn.s);
	gw_loop_free(tn.loop);
}

/*
 * commit_interval_ms: the writes of turns within the interval after a
 * commit wait for one commit together; the first write after a quiet
 * time commits at its turn's end, and a full hold commits at once.
 */
struct held {
	struct gw_loop *loop;
	struct gw_store *s;
	struct gw_timer t[4];
	uint64_t t0;
	int commits_at[4];              /* fx_commits when each timer ran */
	uint64_t done_at;               /* loop time of the held commit */
};

static void held_put(struct held *h, int i, int n)
{
	struct gw_store_req r;
	char id[32];
	int k;

	h->commits_at[i] = fx_commits;
	for (k = 0; k < n; k++) {
		snprintf(id, sizeof(id), "rq_h_%d_%d", i, k);
		fx_req(&r, id, "k1", "queued", T0 + i);
		assert_int_equal(gw_store_put_request(h->s, &r, done_h, (void *)(intptr_t)i), 0);
	}
}

static void held_done_h(int err, void *arg)
{
	struct held *h = arg;

	done_h(err, (void *)(intptr_t)100);
	h->done_at = gw_loop_now(h->loop);
	gw_loop_stop(h->loop);
}

static void held_t0(void *arg)
{
	held_put(arg, 0, 1);
}

static void held_t1(void *arg)
{
	held_put(arg, 1, 2);
}

static void held_t2(void *arg)
{
	struct held *h = arg;
	struct gw_store_req r;

	held_put(h, 2, 2);
	fx_req(&r, "rq_h_last", "k1", "queued", T0);
	assert_int_equal(gw_store_put_request(h->s, &r, held_done_h, h), 0);
}

static void held_t3(void *arg)
{
	struct held *h = arg;

	/* a full hold does not wait */
	held_put(h, 3, GW_STORE_HOLD_MAX);
}

static void held_stop(int err, void *arg)
{
	struct held *h = arg;

	done_h(err, (void *)(intptr_t)200);
	gw_loop_stop(h->loop);
}

static void held_t3_last(void *arg)
{
	struct held *h = arg;
	struct gw_store_req r;

	h->commits_at[0] = fx_commits;  /* the full hold is in already */
	fx_req(&r, "rq_h_stop", "k1", "queued", T0);
	assert_int_equal(gw_store_put_request(h->s, &r, held_stop, h), 0);
}

static void test_commit_interval(void **state)
{
	const char *dir = fx_tmp_dir();
	struct gw_store_opts o = { .commit_interval_ms = 200 };
	struct held h = { 0 };
	struct gw_store_stats st;
	char msg[GW_STORE_MSG_MAX];
	int before;

	(void)state;
	assert_int_equal(gw_loop_alloc(&h.loop), 0);
	assert_int_equal(gw_store_open(&h.s, dir, &o, msg, sizeof(msg)), 0);
	gw_store_attach(h.s, h.loop);
	sqlite3_commit_hook(gw_store_db(h.s), commit_hook, NULL);
	rec_reset();
	gw_loop_update_time(h.loop);
	h.t0 = gw_loop_now(h.loop);
	/* t=0: committed at the turn's end; t=20 and t=40: held together
	 * until 200 ms after that commit */
	assert_int_equal(gw_timer_start(h.loop, &h.t[0], 0, held_t0, &h), 0);
	assert_int_equal(gw_timer_start(h.loop, &h.t[1], 20, held_t1, &h), 0);
	assert_int_equal(gw_timer_start(h.loop, &h.t[2], 40, held_t2, &h), 0);
	gw_loop_run(h.loop);
	assert_int_equal(h.commits_at[0], 0);
	assert_int_equal(h.commits_at[1], 1);           /* t0's write is in */
	assert_int_equal(h.commits_at[2], 1);           /* t1's still held */
	assert_true(h.done_at >= h.t0 + 200);
	assert_int_equal(fx_commits, 2);
	gw_store_stats(h.s, &st);
	assert_int_equal(st.batch_max, 5);              /* t1 + t2 + the last */
	assert_int_equal(fx_sql_int(h.s, "SELECT count(*) FROM requests"), 6);

	/* a hold of GW_STORE_HOLD_MAX writes commits at its turn's end, well
	 * within the interval after the last commit */
	rec_reset();
	before = fx_commits = 0;
	gw_loop_update_time(h.loop);
	h.t0 = gw_loop_now(h.loop);
	assert_int_equal(gw_timer_start(h.loop, &h.t[0], 0, held_t3, &h), 0);
	assert_int_equal(gw_timer_start(h.loop, &h.t[1], 1, held_t3_last, &h), 0);
	gw_loop_run(h.loop);
	assert_int_equal(h.commits_at[3], before);
	assert_int_equal(h.commits_at[0], before + 1);
	assert_int_equal(fx_commits, before + 2);
	assert_int_equal(rec.n, (int)GW_STORE_HOLD_MAX + 1);
	assert_int_equal(fx_sql_int(h.s, "SELECT count(*) FROM requests"),
			 6 + (int64_t)GW_STORE_HOLD_MAX + 1);
	assert_true(gw_loop_now(h.loop) < h.t0 + 200 + 200);
	gw_store_free(h.s);
	gw_loop_free(h.loop);
}

/*
 * bg_writer: commits on the writer thread. Callbacks still come on the
 * loop, in queue order, after their transaction, and a read then sees the
 * row; what is queued while a batch is out is the next batch;
 * gw_store_commit waits for the batch out and writes the rest itself.
 */
struct wr {
	struct gw_loop *loop;
	struct gw_store *s;
	struct gw_timer t[3];
	pthread_t self;
	int seen;
};

static void wr_done(int err, void *arg)
{
	struct wr *x = *(struct wr **)arg;
	struct gw_store_req got = { 0 };
	char id[32];

	assert_int_equal(err, 0);
	assert_true(pthread_equal(pthread_self(), x->self));
	snprintf(id, sizeof(id), "rq_w_%d", x->seen);
	assert_int_equal(gw_store_get_request(x->s, id, NULL, &got), 0);
	gw_store_req_clear(&got);
	done_h(err, (void *)(intptr_t)x->seen);
	if (++x->seen == 30)
		gw_loop_stop(x->loop);
}

static struct wr *wr_ctx[30];

static void wr_put(struct wr *x, int from)
{
	struct gw_store_req r;
	char id[32];
	int i;

	for (i = from; i < from + 10; i++) {
		snprintf(id, sizeof(id), "rq_w_%d", i);
		fx_req(&r, id, "k1", "queued", T0 + i);
		wr_ctx[i] = x;
		assert_int_equal(gw_store_put_request(x->s, &r, wr_done, &wr_ctx[i]), 0);
	}
}

static void wr_t0(void *arg)
{
	wr_put(arg, 0);
}

static void wr_t1(void *arg)
{
	wr_put(arg, 10);
}

static void wr_t2(void *arg)
{
	wr_put(arg, 20);
}

/* Whether a thread of this process is named name (top -H shows it). */
static bool thread_named(const char *name)
{
	char path[300], comm[32];
	struct dirent *de;
	bool found = false;
	DIR *d = opendir("/proc/self/task");
	FILE *f;

	assert_non_null(d);
	while (!found && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/self/task/%s/comm", de->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fgets(comm, sizeof(comm), f)) {
			comm[strcspn(comm, "\n")] = '\0';
			found = strcmp(comm, name) == 0;
		}
		fclose(f);
	}
	closedir(d);
	return found;
}

/* Records how many writes were out when each callback ran. */
struct early {
	struct gw_loop *loop;
	struct gw_store *s;
	size_t out[5];
	int n;
};

static void early_done(int err, void *arg)
{
	struct early *e = arg;

	assert_int_equal(err, 0);
	e->out[e->n] = gw_store_writer_out(e->s);
	if (++e->n == 5)
		gw_loop_stop(e->loop);
}

static void test_writer_thread(void **state)
{
	const char *dir = fx_tmp_dir();
	struct gw_store_opts o = { .bg_writer = true, .bg_checkpoint = true };
	struct gw_store_stats st;
	struct wr x = { 0 };
	char msg[GW_STORE_MSG_MAX];
	struct gw_store_req r;
	int i;

	(void)state;
	x.self = pthread_self();
	assert_int_equal(gw_loop_alloc(&x.loop), 0);
	assert_int_equal(gw_store_open(&x.s, dir, &o, msg, sizeof(msg)), 0);
	gw_store_attach(x.s, x.loop);
	assert_non_null(x.s->wr);
	assert_true(thread_named("pintgw-writer"));
	assert_true(thread_named("pintgw-ckpt"));
	rec_reset();
	gw_loop_update_time(x.loop);
	assert_int_equal(gw_timer_start(x.loop, &x.t[0], 0, wr_t0, &x), 0);
	assert_int_equal(gw_timer_start(x.loop, &x.t[1], 0, wr_t1, &x), 0);
	assert_int_equal(gw_timer_start(x.loop, &x.t[2], 5, wr_t2, &x), 0);
	assert_int_equal(gw_loop_run(x.loop), 0);
	assert_int_equal(rec.n, 30);
	for (i = 0; i < 30; i++)
		assert_int_equal(rec.idx[i], i);
	assert_int_equal(fx_sql_int(x.s, "SELECT count(*) FROM requests"), 30);
	gw_store_stats(x.s, &st);
	assert_int_equal(st.writes, 30);
	assert_true(st.commits >= 1 && st.commits <= 3);

	/* what was queued while a batch was out goes to the writer when that
	 * batch comes back, before its callbacks run */
	{
		struct early e = { .loop = x.loop, .s = x.s };

		for (i = 50; i < 55; i++) {
			char id[32];

			snprintf(id, sizeof(id), "rq_w_%d", i);
			fx_req(&r, id, "k1", "queued", T0 + i);
			assert_int_equal(gw_store_put_request(x.s, &r, early_done, &e), 0);
			if (i == 51)
				gw_store_writer_kick(x.s);      /* 50, 51 out */
		}
		assert_int_equal(gw_loop_run(x.loop), 0);
		assert_int_equal(e.out[0], 3);          /* 52..54 out already */
		assert_int_equal(e.out[1], 3);
		assert_int_equal(e.out[4], 0);
	}

	/* a batch out, more queued: gw_store_commit settles both, in order */
	rec_reset();
	x.seen = 30;
	for (i = 30; i < 35; i++) {
		char id[32];

		snprintf(id, sizeof(id), "rq_w_%d", i);
		fx_req(&r, id, "k1", "queued", T0 + i);
		assert_int_equal(gw_store_put_request(x.s, &r, done_h, (void *)(intptr_t)i), 0);
		if (i == 31)
			gw_store_writer_kick(x.s);      /* 30, 31 out; 32.. queued */
	}
	assert_int_equal(gw_store_commit(x.s), 0);
	assert_int_equal(rec.n, 5);
	for (i = 0; i < 5; i++)
		assert_int_equal(rec.idx[i], 30 + i);
	assert_int_equal(fx_sql_int(x.s, "SELECT count(*) FROM requests"), 40);

	/* a failed write is the write's own error, through the writer too */
	rec_reset();
	fx_req(&r, "rq_w_0", "k1", "queued", T0);
	assert_int_equal(gw_store_put_request(x.s, &r, done_h, (void *)(intptr_t)7), 0);
	gw_store_writer_kick(x.s);
	assert_int_equal(gw_store_commit(x.s), 0);
	assert_int_equal(rec.n, 1);
	assert_int_equal(rec.err[0], EEXIST);

	/* detached: the thread is gone, writes wait for gw_store_commit */
	gw_store_attach(x.s, NULL);
	assert_null(x.s->wr);
	assert_false(thread_named("pintgw-writer"));
	fx_req(&r, "rq_w_late", "k1", "queued", T0);
	assert_int_equal(gw_store_put_request(x.s, &r, NULL, NULL), 0);
	assert_int_equal(gw_store_commit(x.s), 0);
	assert_int_equal(fx_sql_int(x.s, "SELECT count(*) FROM requests"), 41);

	/* a batch out counts as pending; freeing the store waits for it and
	 * calls no callback, as for what is queued */
	gw_store_attach(x.s, x.loop);
	assert_non_null(x.s->wr);
	rec_reset();
	for (i = 40; i < 43; i++) {
		char id[32];

		snprintf(id, sizeof(id), "rq_w_%d", i);
		fx_req(&r, id, "k1", "queued", T0 + i);
		assert_int_equal(gw_store_put_request(x.s, &r, done_h, (void *)(intptr_t)i), 0);
	}
	gw_store_writer_kick(x.s);
	gw_store_stats(x.s, &st);
	assert_int_equal(st.pending, 3);
	gw_store_free(x.s);
	assert_int_equal(rec.n, 0);
	x.s = fx_open(dir, GW_STORE_SYNC_NORMAL);
	assert_int_equal(fx_sql_int(x.s, "SELECT count(*) FROM requests"), 44);
	gw_store_free(x.s);
	gw_loop_free(x.loop);
}

/*
 * The checkpointer thread: the loop's connection never checkpoints, the
 * thread does once the WAL passes its size, and closing joins it.
 */
static void test_bg_checkpoint(void **state)
{
	const char *dir = fx_tmp_dir();
	struct gw_store_opts o = { .bg_checkpoint = true, .autocheckpoint = 8 };
	struct gw_store_stats st;
	struct gw_store *s = NULL;
	char msg[GW_STORE_MSG_MAX];
	int i, waited;

	(void)state;
	assert_int_equal(gw_store_open(&s, dir, &o, msg, sizeof(msg)), 0);
	assert_int_equal(fx_sql_int(s, "PRAGMA wal_autocheckpoint"), 0);
	for (i = 0; i < 20; i++) {
		char sdp[64];

		snprintf(sdp, sizeof(sdp), "v=0 batch %d", i);
		fx_put_n(s, "k1", i * 50, 50, sdp);
		assert_int_equal(gw_store_commit(s), 0);
	}
	for (waited = 0; waited < 500; waited++) {
		gw_store_stats(s, &st);
		if (st.checkpoints)
			break;
		usleep(10000);
	}
	assert_true(st.checkpoints >= 1);
	assert_int_equal(fx_sql_int(s, "SELECT count(*) FROM requests"), 1000);
	gw_store_free(s);

	/* without it, SQLite's own (the store's default) */
	s = fx_open(dir, GW_STORE_SYNC_NORMAL);
	assert_int_equal(fx_sql_int(s, "PRAGMA wal_autocheckpoint"), (int64_t)GW_STORE_AUTOCHECKPOINT);
	assert_int_equal(fx_sql_int(s, "SELECT count(*) FROM requests"), 1000);
	gw_store_stats(s, &st);
	assert_int_equal(st.checkpoints, 0);
	gw_store_free(s);
}

/* ---- allocation failure: a clean ENOMEM, nothing leaked or half queued ---- */

static void test_alloc_failure(void **state)
{
	const char *dir = fx_tmp_dir();
	struct gw_store *s = fx_open(dir, GW_STORE_SYNC_NORMAL);
	struct gw_store_filter f = { .owner = "k1", .limit = 5 };
	struct gw_store_events evs = { 0 };
	struct gw_store_page page = { 0 };
	struct gw_store_event ev = { .request_id = S("rq_oom_0"), .seq = 1, .status = S("queued"),
				     .info = S("x"), .sip = S("{}") };
	struct gw_store_req r, got = { 0 };
	struct gw_store_opts o = { 0 };
	struct gw_store *s2;
	struct gw_store_stats st;
	char id[32], msg[GW_STORE_MSG_MAX];
	unsigned long k;
	int err, ok = 0, oom = 0;

	(void)state;
	for (k = 1; k < 120; k++) {
		snprintf(id, sizeof(id), "rq_oom_%lu", k);
		fx_req(&r, id, "k1", "queued", T0 + (int64_t)k);
		r.to_input = r.to_number = r.from_input = r.from_number = S("+15550000");
		r.info = r.sdp = r.spec = r.webhook = S("text");
		alloc_fail_at(k % 14 + 1);
		err = gw_store_put_request(s, &r, NULL, NULL);
		alloc_fail_at(0);
		assert_true(err == 0 || err == ENOMEM);
		ok += !err;
		oom += err == ENOMEM;
	}
	assert_true(ok > 0 && oom > 0);
	gw_store_stats(s, &st);
	assert_int_equal(st.pending, (size_t)ok);
	fx_req(&r, "rq_oom_0", "k1", "queued", T0);
	assert_int_equal(gw_store_put_request(s, &r, NULL, NULL), 0);
	assert_int_equal(gw_store_append_event(s, &ev, NULL, NULL), 0);
	assert_int_equal(gw_store_commit(s), 0);
	assert_int_equal(fx_sql_int(s, "SELECT count(*) FROM requests"), ok + 1);

	for (k = 1; k < 40; k++) {
		alloc_fail_at(k);
		err = gw_store_get_request(s, "rq_oom_0", NULL, &got);
		assert_true(err == 0 || err == ENOMEM);
		gw_store_req_clear(&got);
		err = gw_store_list(s, &f, &page);
		assert_true(err == 0 || err == ENOMEM);
		if (err)
			assert_null(page.v);
		gw_store_page_clear(&page);
		err = gw_store_events(s, "rq_oom_0", 0, 10, &evs);
		assert_true(err == 0 || err == ENOMEM);
		gw_store_events_clear(&evs);
		alloc_fail_at(0);
	}
	gw_store_free(s);
	for (k = 1; k < 4; k++) {
		s2 = NULL;
		alloc_fail_at(k);
		err = gw_store_open(&s2, dir, &o, msg, sizeof(msg));
		alloc_fail_at(0);
		assert_true(err == 0 || err == ENOMEM);
		gw_store_free(s2);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		leakcheck_test(test_open_create_reopen),
		leakcheck_test(test_migrations),
		leakcheck_test(test_migrate_v1_file),
		leakcheck_test(test_migrate_v2_file),
		leakcheck_test(test_request_round_trip),
		leakcheck_test(test_update_keeps_big_spec),
		leakcheck_test(test_list_filters_paging),
		leakcheck_test(test_events),
		leakcheck_test(test_idempotency_expiry),
		leakcheck_test(test_deliveries),
		leakcheck_test(test_scans),
		leakcheck_test(test_scan_dials),
		leakcheck_test(test_query_plans),
		leakcheck_test(test_write_plans),
		leakcheck_test(test_click_uses),
		leakcheck_test(test_migrate_v4_file),
		leakcheck_test(test_group_commit_one_transaction),
		leakcheck_test(test_group_commit_folds_updates),
		leakcheck_test(test_group_commit_fold_enomem),
		leakcheck_test(test_group_commit_loop),
		leakcheck_test(test_commit_interval),
		leakcheck_test(test_bg_checkpoint),
		leakcheck_test(test_writer_thread),
		leakcheck_test(test_alloc_failure),
	};

	return cmocka_run_group_tests_name("gateway/store", tests, NULL, fx_remove_dirs);
}
