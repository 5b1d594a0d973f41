/*
 * gateway/store_writer.c — the group commit on a thread of its own.
 *
 * Without it, each commit runs on the loop: a batch of a few hundred
 * writes is milliseconds in which no HTTP request is read and no SIP
 * message answered. With it, the loop hands the queue to the writer
 * thread and goes on; the writer runs the transaction on a connection of
 * its own (a second gw_store, "conn", with the write statements only)
 * and reports through an eventfd; back on the loop the callbacks run in
 * queue order exactly as after a commit on the loop. One batch is in
 * flight at a time: what is queued meanwhile is the next batch, so the
 * batches grow with the load by themselves. It goes out as soon as the
 * batch before comes back, ahead of that batch's callbacks (which answer
 * HTTP and send SIP for milliseconds under load).
 *
 * The loop's own connection keeps every read (WAL: a read sees what the
 * writer committed before it began) and the purges, which wait on the
 * writer's transaction through busy_timeout. Nothing is shared but the
 * fields under mu; conn is the writer's while a batch is in flight and
 * the loop's (gw_store_commit) only when none is.
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <sqlite3.h>

#include "gateway/store_int.h"

struct gw_store_writer {
	struct gw_store *conn;          /* the writer's connection */
	pthread_t thr;
	pthread_mutex_t mu;
	pthread_cond_t cv;              /* work or stop for the thread */
	pthread_cond_t done_cv;         /* done for a waiting loop */
	bool work, done, stop;          /* under mu */
	struct gw_store_queue q;        /* the batch in flight */
	int err;                        /* its transaction's outcome */
	bool busy;                      /* loop side: a batch is out, */
	size_t out;                     /* ... of this many writes */
	int efd;
	struct gw_fd fdw;
};

static void *writer_main(void *arg)
{
	struct gw_store_writer *w = arg;
	int err;

	pthread_mutex_lock(&w->mu);
	for (;;) {
		while (!w->work && !w->stop)
			pthread_cond_wait(&w->cv, &w->mu);
		if (w->stop)
			break;
		pthread_mutex_unlock(&w->mu);
		err = gw_store_run_batch(w->conn, &w->q);
		pthread_mutex_lock(&w->mu);
		w->err = err;
		w->work = false;
		w->done = true;
		pthread_cond_signal(&w->done_cv);
		/* the loop reads it; a full counter (never) only delays */
		(void)!write(w->efd, &(uint64_t){ 1 }, sizeof(uint64_t));
	}
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

/*
 * Loop side: the batch that came back, its callbacks (false if none came).
 * With next, what was queued while it was out goes to the writer before
 * those callbacks run: the writer commits it while the loop answers.
 */
static bool reap(struct gw_store *s, bool next)
{
	struct gw_store_writer *w = s->wr;
	struct gw_store_queue q;
	int err;

	pthread_mutex_lock(&w->mu);
	if (!w->done) {
		pthread_mutex_unlock(&w->mu);
		return false;
	}
	q = w->q;
	memset(&w->q, 0, sizeof(w->q));
	err = w->err;
	w->done = false;
	pthread_mutex_unlock(&w->mu);
	w->busy = false;
	w->out = 0;
	if (err)
		memcpy(s->msg, w->conn->msg, sizeof(s->msg));
	if (next)
		gw_store_writer_kick(s);
	gw_store_finish(s, &q, err);
	return true;
}

/* Writes handed to the writer and not back yet. */
size_t gw_store_writer_out(const struct gw_store *s)
{
	return s->wr && s->wr->busy ? s->wr->out : 0;
}

/* Hand s's queue to the writer; one batch at a time, the rest waits. */
void gw_store_writer_kick(struct gw_store *s)
{
	struct gw_store_writer *w = s->wr;
	struct gw_store_queue q;

	if (w->busy || !s->q.n || s->busy)
		return;
	gw_store_take(s, &q);
	w->busy = true;
	w->out = q.n;
	pthread_mutex_lock(&w->mu);
	w->q = q;
	w->work = true;
	pthread_mutex_unlock(&w->mu);
	/* after the unlock: woken under it, the writer would sleep again
	 * at once on the mutex (a tenth of its switches, perf sched) */
	pthread_cond_signal(&w->cv);
}

static void efd_h(int fd, uint32_t events, void *arg)
{
	struct gw_store *s = arg;
	uint64_t n;

	(void)events;
	(void)!read(fd, &n, sizeof(n));
	if (!reap(s, true))
		return;
	/* what the callbacks queued: the next batch, through the usual
	 * end-of-turn path (and its interval) */
	if (s->q.n)
		gw_store_schedule(s);
}

/* Wait for the batch in flight; run its callbacks (call) or drop them
 * with its rows, as gw_store_free does with what is queued. */
static void drain(struct gw_store *s, bool call)
{
	struct gw_store_writer *w = s->wr;

	if (!w->busy)
		return;
	pthread_mutex_lock(&w->mu);
	while (!w->done)
		pthread_cond_wait(&w->done_cv, &w->mu);
	if (!call) {
		gw_store_queue_drop(&w->q);
		w->done = false;
		w->busy = false;
		w->out = 0;
	}
	pthread_mutex_unlock(&w->mu);
	if (call)
		(void)reap(s, false);
}

/*
 * For gw_store_commit: s itself without the writer; with it, wait for the
 * batch in flight (its callbacks run) and give the writer's connection,
 * which this thread may use until the next gw_store_writer_kick.
 */
struct gw_store *gw_store_writer_idle(struct gw_store *s)
{
	if (!s->wr)
		return s;
	drain(s, true);
	return s->wr->conn;
}

static void writer_free(struct gw_store_writer *w)
{
	if (w->efd >= 0)
		close(w->efd);
	gw_store_free(w->conn);
	free(w);
}

/*
 * Start the writer for s on loop: its connection, the eventfd and the
 * thread (gw_store_thread: every signal blocked). On
 * failure commits stay on the loop.
 */
int gw_store_writer_start(struct gw_store *s, struct gw_loop *loop)
{
	struct gw_store_writer *w = calloc(1, sizeof(*w));
	int err;

	if (!w)
		return ENOMEM;
	w->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (w->efd < 0) {
		err = errno;
		free(w);
		return err;
	}
	err = gw_store_open_conn(s, &w->conn);
	if (!err)
		err = gw_fd_watch(loop, &w->fdw, w->efd, EPOLLIN, efd_h, s);
	if (err) {
		writer_free(w);
		return err;
	}
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->cv, NULL);
	pthread_cond_init(&w->done_cv, NULL);
	err = gw_store_thread(&w->thr, "pintgw-writer", writer_main, w);
	if (err) {
		gw_fd_unwatch(loop, &w->fdw);
		pthread_cond_destroy(&w->done_cv);
		pthread_cond_destroy(&w->cv);
		pthread_mutex_destroy(&w->mu);
		writer_free(w);
		return err;
	}
	gw_store_ckpt_hook(s, w->conn);
	s->wr = w;
	return 0;
}

/* Finish the batch in flight (its callbacks run if call), stop the
 * thread and close its connection; commits are the loop's again. */
void gw_store_writer_stop(struct gw_store *s, struct gw_loop *loop, bool call)
{
	struct gw_store_writer *w = s->wr;

	if (!w)
		return;
	drain(s, call);
	pthread_mutex_lock(&w->mu);
	w->stop = true;
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
	pthread_join(w->thr, NULL);
	pthread_cond_destroy(&w->done_cv);
	pthread_cond_destroy(&w->cv);
	pthread_mutex_destroy(&w->mu);
	if (loop)
		gw_fd_unwatch(loop, &w->fdw);
	gw_store_ckpt_hook(s, NULL);
	s->wr = NULL;
	writer_free(w);
}
