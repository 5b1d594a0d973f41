/*
 * tests/gateway/store_fixture.c — shared by test_store.c and
 * test_store_fault.c; see store_fixture.h.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE     /* nftw */
#endif
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tests/pint/test_common.h"
#include "tests/gateway/store_fixture.h"

#define MAX_DIRS 64

/* ---- scratch directories ---- */

static char dirs[MAX_DIRS][256];
static int ndirs;

/* A fresh directory under $TMPDIR (or /tmp), removed by fx_remove_dirs(). */
const char *fx_tmp_dir(void)
{
	const char *base = getenv("TMPDIR");
	char *d;
	int n;

	assert_true(ndirs < MAX_DIRS);
	d = dirs[ndirs];
	n = snprintf(d, sizeof(dirs[0]), "%s/pintgw-store-XXXXXX", base && base[0] ? base : "/tmp");
	assert_true(n > 0 && (size_t)n < sizeof(dirs[0]));
	assert_non_null(mkdtemp(d));
	ndirs++;
	return d;
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

int fx_remove_dirs(void **state)
{
	(void)state;
	while (ndirs > 0)
		nftw(dirs[--ndirs], rm_entry, 8, FTW_DEPTH | FTW_PHYS);
	return 0;
}

void fx_db_path(const char *dir, char *buf, size_t size)
{
	snprintf(buf, size, "%s/%s", dir, GW_STORE_FILE);
}

/* ---- helpers ---- */

struct gw_store *fx_open(const char *dir, enum gw_store_sync sync)
{
	struct gw_store_opts o = { .sync = sync };
	struct gw_store *s = NULL;
	char msg[GW_STORE_MSG_MAX];
	int err = gw_store_open(&s, dir, &o, msg, sizeof(msg));

	if (err)
		fail_msg("open %s: %d %s", dir, err, msg);
	return s;
}

/* The first column of the first row; -1 if there is none. */
int64_t fx_sql_int(struct gw_store *s, const char *sql)
{
	sqlite3_stmt *st;
	int64_t v = -1;

	assert_int_equal(sqlite3_prepare_v2(gw_store_db(s), sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

void fx_req(struct gw_store_req *r, const char *id, const char *owner,
		   const char *status, int64_t created)
{
	memset(r, 0, sizeof(*r));
	r->id = S(id);
	r->owner = S(owner);
	r->service = S("call");
	r->status = S(status);
	r->created_at = created;
	r->updated_at = created;
}

struct fx_rec rec;
int fx_commits;

void rec_reset(void)
{
	memset(&rec, 0, sizeof(rec));
	fx_commits = 0;
}

void done_h(int err, void *arg)
{
	assert_true(rec.n < FX_MAX_REC);
	rec.idx[rec.n] = (int)(intptr_t)arg;
	rec.err[rec.n] = err;
	rec.commits[rec.n] = fx_commits;
	rec.n++;
}

int commit_hook(void *arg)
{
	(void)arg;
	fx_commits++;
	return 0;
}

/* Queue requests rq_<owner>_<from..from+n-1>, created T0 + i. */
void fx_put_n(struct gw_store *s, const char *owner, int from, int n, const char *sdp)
{
	struct gw_store_req r;
	char id[32];
	int i;

	for (i = from; i < from + n; i++) {
		snprintf(id, sizeof(id), "rq_%s_%06d", owner, i);
		fx_req(&r, id, owner, "queued", T0 + i);
		r.sdp = S(sdp);
		assert_int_equal(gw_store_put_request(s, &r, NULL, NULL), 0);
	}
}

