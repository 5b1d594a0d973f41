/*
 * tests/gateway/store_fixture.h — what the store's two test programs share:
 * scratch directories (removed by fx_remove_dirs, the group teardown, even
 * after a failed test), opening, row builders and a callback recorder.
 */
#ifndef TESTS_GATEWAY_STORE_FIXTURE_H
#define TESTS_GATEWAY_STORE_FIXTURE_H

#include <stdint.h>

#include <sqlite3.h>

#include "gateway/loop.h"
#include "gateway/store.h"
#include "gateway/store_int.h"

#define T0 1700000000000ll      /* a wall-clock ms value */
#define FX_MAX_REC 4096

/* Rows are const to the store; tests fill them from literals. */
static inline char *S(const char *s)
{
	return (char *)(uintptr_t)s;
}

const char *fx_tmp_dir(void);
int fx_remove_dirs(void **state);
void fx_db_path(const char *dir, char *buf, size_t size);

struct gw_store *fx_open(const char *dir, enum gw_store_sync sync);
int64_t fx_sql_int(struct gw_store *s, const char *sql);
void fx_req(struct gw_store_req *r, const char *id, const char *owner,
	    const char *status, int64_t created);
void fx_put_n(struct gw_store *s, const char *owner, int from, int n, const char *sdp);

/* Callback recorder: done_h's arg is the write's index. */
struct fx_rec {
	int n;
	int idx[FX_MAX_REC];
	int err[FX_MAX_REC];
	int commits[FX_MAX_REC];        /* fx_commits when called */
};
extern struct fx_rec rec;
extern int fx_commits;

void rec_reset(void);
void done_h(int err, void *arg);
int commit_hook(void *arg);     /* sqlite3_commit_hook: counts fx_commits */

#endif
