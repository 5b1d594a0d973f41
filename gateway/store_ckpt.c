/*
 * gateway/store_ckpt.c — WAL checkpoints on a thread of their own.
 *
 * SQLite's automatic checkpoint runs inside the commit that crosses the
 * threshold: on the loop thread, it copied ~1 000 pages and synced the
 * file, a stall of 3 to 30 ms for whichever HTTP replies and SIP answers
 * waited on that commit (measured at half the bench load: a commit of two
 * writes that took 7 ms, 3.5 ms of it CPU). Here the loop's connection
 * has wal_autocheckpoint = 0 and a WAL hook that wakes this thread, which
 * runs a PASSIVE checkpoint on its own connection. A passive checkpoint
 * takes no lock a writer or reader waits for: commits go on meanwhile,
 * and the WAL starts again from its beginning at the next commit after a
 * checkpoint that copied everything. The thread touches nothing but its
 * own connection and the fields under mu.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

#include "gateway/store_int.h"

static void *ckpt_main(void *arg)
{
	struct gw_store_ckpt *c = arg;
	int rc;

	pthread_mutex_lock(&c->mu);
	for (;;) {
		while (!c->want && !c->stop)
			pthread_cond_wait(&c->cv, &c->mu);
		if (c->stop)
			break;
		c->want = false;
		pthread_mutex_unlock(&c->mu);
		rc = sqlite3_wal_checkpoint_v2(c->db, NULL, SQLITE_CHECKPOINT_PASSIVE,
					       NULL, NULL);
		pthread_mutex_lock(&c->mu);
		if (rc == SQLITE_OK)
			c->runs++;
		else
			c->failed++;
	}
	pthread_mutex_unlock(&c->mu);
	return NULL;
}

/*
 * A store thread, started with every signal blocked (it inherits the
 * mask): the loop takes its signals through a signalfd, and one delivered
 * to this thread would run the default action (SIGTERM: exit 143). Its
 * name (at most 15 bytes) is what top -H and /proc/PID/task/TID/comm show.
 */
int gw_store_thread(pthread_t *thr, const char *name, void *(*fn)(void *),
		    void *arg)
{
	sigset_t all, old;
	int err;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	err = pthread_create(thr, NULL, fn, arg);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (!err)
		(void)pthread_setname_np(*thr, name);
	return err;
}

/* After each commit on the loop's connection: nframes are in the WAL. */
static int wal_h(void *arg, sqlite3 *db, const char *name, int nframes)
{
	struct gw_store_ckpt *c = arg;

	(void)db;
	(void)name;
	if (nframes < 0 || (unsigned)nframes < c->frames)
		return SQLITE_OK;
	pthread_mutex_lock(&c->mu);
	if (!c->want) {
		c->want = true;
		pthread_cond_signal(&c->cv);
	}
	pthread_mutex_unlock(&c->mu);
	return SQLITE_OK;
}

/*
 * Start the checkpointer for s (open, WAL set up): a second connection to
 * the file, synced like the first, and the thread. On failure nothing is
 * left and SQLite's own automatic checkpoint stays in charge.
 */
int gw_store_ckpt_start(struct gw_store *s, enum gw_store_sync sync, unsigned frames)
{
	struct gw_store_ckpt *c = &s->ckpt;
	char sql[64];
	int rc, err;

	if (!sqlite3_threadsafe())
		return ENOTSUP;
	memset(c, 0, sizeof(*c));
	c->frames = frames;
	rc = sqlite3_open_v2(s->path, &c->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
	snprintf(sql, sizeof(sql), "PRAGMA synchronous = %s",
		 sync == GW_STORE_SYNC_FULL ? "FULL" : "NORMAL");
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(c->db, sql, NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(s->db, "PRAGMA wal_autocheckpoint = 0", NULL, NULL, NULL);
	if (rc != SQLITE_OK) {
		err = gw_store_fail(s, rc, "checkpointer");
		goto fail;
	}
	err = pthread_mutex_init(&c->mu, NULL);
	if (err)
		goto fail;
	err = pthread_cond_init(&c->cv, NULL);
	if (err) {
		pthread_mutex_destroy(&c->mu);
		goto fail;
	}
	err = gw_store_thread(&c->thr, "pintgw-ckpt", ckpt_main, c);
	if (err) {
		pthread_cond_destroy(&c->cv);
		pthread_mutex_destroy(&c->mu);
		goto fail;
	}
	c->running = true;
	sqlite3_wal_hook(s->db, wal_h, c);
	return 0;
fail:
	sqlite3_close_v2(c->db);
	c->db = NULL;
	snprintf(sql, sizeof(sql), "PRAGMA wal_autocheckpoint = %u", frames);
	sqlite3_exec(s->db, sql, NULL, NULL, NULL);
	return err;
}

/* Commits on conn (the writer's connection) wake the checkpointer too;
 * conn leaves checkpoints to it. */
void gw_store_ckpt_hook(struct gw_store *s, struct gw_store *conn)
{
	if (!s->ckpt.running || !conn)
		return;
	sqlite3_exec(conn->db, "PRAGMA wal_autocheckpoint = 0", NULL, NULL, NULL);
	sqlite3_wal_hook(conn->db, wal_h, &s->ckpt);
}

/* Stop and join the thread (a checkpoint under way ends first). */
void gw_store_ckpt_stop(struct gw_store *s)
{
	struct gw_store_ckpt *c = &s->ckpt;

	if (!c->running)
		return;
	sqlite3_wal_hook(s->db, NULL, NULL);
	pthread_mutex_lock(&c->mu);
	c->stop = true;
	pthread_cond_signal(&c->cv);
	pthread_mutex_unlock(&c->mu);
	pthread_join(c->thr, NULL);
	pthread_cond_destroy(&c->cv);
	pthread_mutex_destroy(&c->mu);
	sqlite3_close_v2(c->db);
	c->db = NULL;
	c->running = false;
}

/* Checkpoints run and failed (busy) so far. Reading the counts takes the
 * lock, which is not part of the store's state: hence the cast. */
void gw_store_ckpt_counts(const struct gw_store *s, uint64_t *runs, uint64_t *failed)
{
	pthread_mutex_t *mu = (pthread_mutex_t *)&s->ckpt.mu;

	*runs = *failed = 0;
	if (!s->ckpt.running)
		return;
	pthread_mutex_lock(mu);
	*runs = s->ckpt.runs;
	*failed = s->ckpt.failed;
	pthread_mutex_unlock(mu);
}
