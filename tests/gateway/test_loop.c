/*
 * tests/gateway/test_loop.c — gateway/loop.c with real fds and the real
 * clock. Waits are a few tens of ms; every run has a guard timer that
 * stops the loop and fails the test instead of hanging.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>

#include "tests/pint/test_common.h"
#include "gateway/loop.h"

#define GUARD_MS 3000

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static uint64_t turns(const struct gw_loop *loop)
{
	struct gw_loop_stats st;

	gw_loop_stats(loop, &st);
	return st.turns;
}

/* The guard: a run that takes GUARD_MS has hung. */
struct guard {
	struct gw_loop *loop;
	struct gw_timer t;
	bool fired;
};

static void guard_h(void *arg)
{
	struct guard *g = arg;

	g->fired = true;
	gw_loop_stop(g->loop);
}

static void run_guarded(struct gw_loop *loop)
{
	struct guard g = { .loop = loop };

	assert_int_equal(gw_timer_start(loop, &g.t, GUARD_MS, guard_h, &g), 0);
	assert_int_equal(gw_loop_run(loop), 0);
	gw_timer_stop(loop, &g.t);
	assert_false(g.fired);
	assert_int_equal(gw_loop_verify(loop), 0);
}

static void write_byte(int fd)
{
	assert_int_equal(write(fd, "x", 1), 1);
}

/* ---- fds ---- */

struct pipe_w {
	struct gw_loop *loop;
	struct gw_fd w;
	int p[2];
	int calls;
	uint64_t turn;
	struct pipe_w *other;   /* freed by whoever is called first */
	struct pipe_w *spawn;   /* watcher created inside a callback */
	struct gw_defer d;
	int *order;
	int norder;
};

static void pipe_open(struct gw_loop *loop, struct pipe_w *pw)
{
	pw->loop = loop;
	assert_int_equal(pipe(pw->p), 0);
}

static void pipe_close(struct pipe_w *pw)
{
	gw_fd_unwatch(pw->loop, &pw->w);
	close(pw->p[0]);
	close(pw->p[1]);
}

static void count_stop_h(int fd, uint32_t events, void *arg)
{
	struct pipe_w *pw = arg;
	char c;

	assert_true(events & EPOLLIN);
	assert_int_equal(fd, pw->w.fd);
	pw->calls++;
	if (pw->w.fd == pw->p[0])
		assert_int_equal(read(fd, &c, 1), 1);
	gw_loop_stop(pw->loop);
}

static void test_pipe_and_eventfd_fire(void **state)
{
	struct gw_loop *loop;
	struct pipe_w a = { 0 }, e = { 0 };
	uint64_t one = 1;
	int efd;

	(void)state;
	assert_int_equal(gw_loop_alloc(&loop), 0);
	pipe_open(loop, &a);
	efd = eventfd(0, EFD_NONBLOCK);
	assert_true(efd >= 0);
	e.loop = loop;
	assert_int_equal(gw_fd_watch(loop, &a.w, a.p[0], EPOLLIN, count_stop_h, &a), 0);
	assert_true(gw_fd_active(&a.w));
	assert_int_equal(gw_fd_watch(loop, &a.w, a.p[0], EPOLLIN, count_stop_h, &a), EALREADY);
	assert_int_equal(gw_fd_watch(loop, &e.w, a.p[0], EPOLLIN, count_stop_h, &e), EEXIST);
	assert_false(gw_fd_active(&e.w));
	assert_int_equal(gw_fd_watch(loop, &e.w, efd, EPOLLIN, count_stop_h, &e), 0);

	write_byte(a.p[1]);
	run_guarded(loop);
	assert_int_equal(a.calls, 1);
	assert_int_equal(e.calls, 0);

	assert_int_equal(write(efd, &one, sizeof(one)), sizeof(one));
	run_guarded(loop);
	assert_int_equal(a.calls, 1);
	assert_int_equal(e.calls, 1);

	gw_fd_unwatch(loop, &e.w);
	gw_fd_unwatch(loop, &e.w);
	gw_fd_unwatch(loop, NULL);
	assert_false(gw_fd_active(&e.w));
	assert_false(gw_fd_active(NULL));
	close(efd);
	pipe_close(&a);
	assert_int_equal(gw_loop_verify(loop), 0);
	gw_loop_free(loop);
}

static void spawn_h(int fd, uint32_t events, void *arg)
{
	struct pipe_w *pw = arg;

	(void)fd;
	(void)events;
	pw->calls++;
	pw->turn = turns(pw->loop);
	gw_loop_stop(pw->loop);
}

/* The first called frees the other and watches a new, ready fd. */
static void killer_h(int fd, uint32_t events, void *arg)
{
	struct pipe_w *pw = arg, *n;
	char c;

	(void)events;
	assert_int_equal(read(fd, &c, 1), 1);
	pw->calls++;
	pw->turn = turns(pw->loop);
	if (!pw->other)
		return;
	pipe_close(pw->other);
	free(pw->other);
	pw->other = NULL;

	/* likely reuses the freed slot: the stale event must not reach it */
	n = calloc(1, sizeof(*n));
	assert_non_null(n);
	pipe_open(pw->loop, n);
	write_byte(n->p[1]);
	assert_int_equal(gw_fd_watch(pw->loop, &n->w, n->p[0], EPOLLIN, spawn_h, n), 0);
	pw->spawn = n;
}

static void self_free_h(int fd, uint32_t events, void *arg)
{
	struct pipe_w *pw = arg;
	int *calls = pw->order;

	(void)fd;
	(void)events;
	(*calls)++;
	gw_loop_stop(pw->loop);
	pipe_close(pw);
	free(pw);
}

static void test_unwatch_in_callback(void **state)
{
	struct gw_loop *loop;
	struct pipe_w *a, *b, *first, *n;
	int calls = 0;

	(void)state;
	assert_int_equal(gw_loop_alloc(&loop), 0);
	a = calloc(1, sizeof(*a));
	b = calloc(1, sizeof(*b));
	assert_non_null(a);
	assert_non_null(b);
	pipe_open(loop, a);
	pipe_open(loop, b);
	a->other = b;
	b->other = a;
	assert_int_equal(gw_fd_watch(loop, &a->w, a->p[0], EPOLLIN, killer_h, a), 0);
	assert_int_equal(gw_fd_watch(loop, &b->w, b->p[0], EPOLLIN, killer_h, b), 0);
	write_byte(a->p[1]);
	write_byte(b->p[1]);

	/* both events come in one batch; ASan would catch a call into freed b */
	run_guarded(loop);
	first = a->spawn ? a : b;
	n = first->spawn;
	assert_non_null(n);
	assert_int_equal(first->calls, 1);
	assert_int_equal(n->calls, 1);
	assert_true(n->turn > first->turn);
	assert_int_equal(gw_loop_verify(loop), 0);
	pipe_close(n);
	free(n);
	pipe_close(first);
	free(first);

	/* a handler that unwatches and frees its own owner */
	a = calloc(1, sizeof(*a));
	assert_non_null(a);
	pipe_open(loop, a);
	a->order = &calls;
	assert_int_equal(gw_fd_watch(loop, &a->w, a->p[0], EPOLLIN, self_free_h, a), 0);
	write_byte(a->p[1]);
	run_guarded(loop);
	assert_int_equal(calls, 1);
	gw_loop_free(loop);
}

static void out_once_h(int fd, uint32_t events, void *arg)
{
	struct pipe_w *pw = arg;

	(void)fd;
	assert_true(events & EPOLLOUT);
	pw->calls++;
	assert_int_equal(gw_fd_modify(pw->loop, &pw->w, 0), 0);
}

/* Whichever runs first drops the other's interest: its event must not run. */
static void drop_other_h(int fd, uint32_t events, void *arg)
{
	struct pipe_w *pw = arg;
	char c;

	(void)events;
	assert_int_equal(read(fd, &c, 1), 1);
	pw->calls++;
	assert_int_equal(gw_fd_modify(pw->loop, &pw->other->w, 0), 0);
}

static void stop_after_turns_h(void *arg)
{
	struct pipe_w *pw = arg;

	if (turns(pw->loop) >= 5)
		gw_loop_stop(pw->loop);
}

static int spin_h(void *arg)
{
	(void)arg;
	return 0;
}

static void test_modify(void **state)
{
	struct gw_loop *loop;
	struct pipe_w a = { 0 }, b[2];
	struct gw_fd idle = { 0 };
	int i;
	struct gw_check c = { 0 };
	struct gw_prepare p = { 0 };

	(void)state;
	assert_int_equal(gw_loop_alloc(&loop), 0);
	pipe_open(loop, &a);
	assert_int_equal(gw_fd_modify(loop, &idle, EPOLLIN), ENOENT);
	assert_int_equal(gw_fd_watch(loop, &a.w, a.p[1], EPOLLOUT, out_once_h, &a), 0);
	gw_loop_add_check(loop, &c, stop_after_turns_h, &a);
	gw_loop_add_prepare(loop, &p, spin_h, NULL);
	run_guarded(loop);
	/* writable all along, but interest was dropped after the first call */
	assert_int_equal(a.calls, 1);
	assert_int_equal(gw_fd_modify(loop, &a.w, EPOLLOUT), 0);
	gw_loop_del_check(loop, &c);
	gw_loop_add_check(loop, &c, stop_after_turns_h, &a);
	run_guarded(loop);
	assert_int_equal(a.calls, 2);
	gw_loop_del_check(loop, &c);
	gw_loop_del_check(loop, &c);
	pipe_close(&a);

	memset(b, 0, sizeof(b));
	for (i = 0; i < 2; i++) {
		pipe_open(loop, &b[i]);
		b[i].other = &b[1 - i];
		assert_int_equal(gw_fd_watch(loop, &b[i].w, b[i].p[0], EPOLLIN, drop_other_h, &b[i]), 0);
		write_byte(b[i].p[1]);
	}
	gw_loop_add_check(loop, &c, stop_after_turns_h, &b[0]);
	run_guarded(loop);
	assert_int_equal(b[0].calls + b[1].calls, 1);
	gw_loop_del_check(loop, &c);
	gw_loop_del_prepare(loop, &p);
	for (i = 0; i < 2; i++)
		pipe_close(&b[i]);
	gw_loop_free(loop);
}

/* ---- timers ---- */

struct tmr_rec {
	struct gw_loop *loop;
	int fired[16];
	uint64_t turn[16];
	int n;
	int stop_after;
};

struct tmr {
	struct gw_timer t;
	struct tmr_rec *rec;
	int id;
};

static void rec_h(void *arg)
{
	struct tmr *x = arg;
	struct tmr_rec *r = x->rec;

	assert_false(gw_timer_pending(&x->t));
	assert_true(x->t.deadline <= gw_loop_now(r->loop));
	r->turn[r->n] = turns(r->loop);
	r->fired[r->n++] = x->id;
	if (r->n == r->stop_after)
		gw_loop_stop(r->loop);
}

static void test_timer_order_and_ties(void **state)
{
	static const uint64_t delay[] = { 30, 10, 10, 20, 0, 10 };
	static const int expect[] = { 4, 1, 2, 5, 3, 0 };
	struct gw_loop *loop;
	struct tmr_rec r = { 0 };
	struct tmr x[6];
	uint64_t t0;
	size_t i;

	(void)state;
	assert_int_equal(gw_loop_alloc(&loop), 0);
	memset(x, 0, sizeof(x));
	r.loop = loop;
	r.stop_after = 6;
	t0 = mono_ms();
	for (i = 0; i < 6; i++) {
		x[i].rec = &r;
		x[i].id = (int)i;
		assert_false(gw_timer_pending(&x[i].t));
		assert_int_equal(gw_timer_start(loop, &x[i].t, delay[i], rec_h, &x[i]), 0);
		assert_true(gw_timer_pending(&x[i].t));
	}
	assert_int_equal(gw_loop_verify(loop), 0);
	run_guarded(loop);
	assert_true(mono_ms() - t0 >= 30);
	assert_int_equal(r.n, 6);
	for (i = 0; i < 6; i++)
		assert_int_equal(r.fired[i], expect[i]);
	assert_false(gw_timer_pending(NULL));
	gw_timer_stop(loop, NULL);
	assert_int_equal(gw_timer_start(loop, &x[0].t, 0, NULL, NULL), EINVAL);
	gw_loop_free(loop);
}

/*
 * Timer 0 runs first (all are due at once) and from its handler: stops
 * timer 1 (due, later in the same pass), pulls timer 2 in from 10 s to 0,
 * re-arms itself with 0 and stops itself again, then re-arms itself.
 */
static struct tmr *g_x;

static void meddle_h(void *arg)
{
	struct tmr *x = arg;
	struct gw_loop *loop = x->rec->loop;

	rec_h(arg);
	if (x->rec->n > 1)
		return;
	gw_timer_stop(loop, &g_x[1].t);
	gw_timer_stop(loop, &g_x[1].t);
	assert_int_equal(gw_timer_start(loop, &g_x[2].t, 0, rec_h, &g_x[2]), 0);
	assert_int_equal(gw_timer_start(loop, &x->t, 0, meddle_h, x), 0);
	gw_timer_stop(loop, &x->t);
	assert_false(gw_timer_pending(&x->t));
	assert_int_equal(gw_timer_start(loop, &x->t, 0, meddle_h, x), 0);
	assert_int_equal(gw_loop_verify(loop), 0);
}

static void test_timer_restart_stop_in_callbacks(void **state)
{
	struct gw_loop *loop;
	struct tmr_rec r = { 0 };
	struct tmr x[4];
	int i;

	(void)state;
	assert_int_equal(gw_loop_alloc(&loop), 0);
	memset(x, 0, sizeof(x));
	g_x = x;
	r.loop = loop;
	r.stop_after = 4;
	for (i = 0; i < 4; i++) {
		x[i].rec = &r;
		x[i].id = i;
	}
	assert_int_equal(gw_timer_start(loop, &x[0].t, 0, meddle_h, &x[0]), 0);
	assert_int_equal(gw_timer_start(loop, &x[1].t, 0, rec_h, &x[1]), 0);
	assert_int_equal(gw_timer_start(loop, &x[2].t, 10000, rec_h, &x[2]), 0);
	assert_int_equal(gw_timer_start(loop, &x[3].t, 0, rec_h, &x[3]), 0);
	run_guarded(loop);
	/* pass 1: 0, 3 (1 stopped); next turn: 2 then 0, in (re)start order */
	assert_int_equal(r.n, 4);
	assert_int_equal(r.fired[0], 0);
	assert_int_equal(r.fired[1], 3);
	assert_int_equal(r.fired[2], 2);
	assert_int_equal(r.fired[3], 0);
	assert_int_equal(r.turn[0], r.turn[1]);
	assert_true(r.turn[2] > r.turn[1]);
	assert_int_equal(r.turn[2], r.turn[3]);
	for (i = 0; i < 4; i++)
		assert_false(gw_timer_pending(&x[i].t));
	gw_loop_free(loop);
}

/* A timer re-arming itself with delay 0 fires once per turn and lets fds in. */
struct starve {
	struct gw_loop *loop;
	struct gw_timer t;
	int runs;
	uint64_t first_turn;
	int fd_calls;
	int runs_at_fd;
};

static void rearm_h(void *arg)
{
	struct starve *s = arg;

	if (!s->runs)
		s->first_turn = turns(s->loop);
	assert_int_equal(turns(s->loop), s->first_turn + (uint64_t)s->runs);
	if (++s->runs == 50) {
		gw_loop_stop(s->loop);
		return;
	}
	assert_int_equal(gw_timer_start(s->loop, &s->t, 0, rearm_h, s), 0);
}

static void starve_fd_h(int fd, uint32_t events, void *arg)
{
	struct starve *s = arg;
	char c;

	(void)events;
	assert_int_equal(read(fd, &c, 1), 1);
	s->fd_calls++;
	s->runs_at_fd = s->runs;
}

static void starve_check_h(void *arg)
{
	struct pipe_w *pw = arg;

	if (turns(pw->loop) == 3)
		write_byte(pw->p[1]);
}

static void test_timer_zero_delay_no_starvation(void **state)
{
	struct gw_loop *loop;
	struct starve s = { 0 };
	struct pipe_w pw = { 0 };
	struct gw_check c = { 0 };

	(void)state;
	assert_int_equal(gw_loop_alloc(&loop), 0);
	s.loop = loop;
	pipe_open(loop, &pw);
	assert_int_equal(gw_fd_watch(loop, &pw.w, pw.p[0], EPOLLIN, starve_fd_h, &s), 0);
	gw_loop_add_check(loop, &c, starve_check_h, &pw);
	assert_int_equal(gw_timer_start(loop, &s.t, 0, rearm_h, &s), 0);
	run_guarded(loop);
	assert_int_equal(s.runs, 50);
	assert_int_equal(s.fd_calls, 1);
	assert_true(s.runs_at_fd < 10);
	gw_loop_del_check(loop, &c);
	pipe_close(&pw);
	gw_loop_free(loop);
}

/* 100 000 timers, random deadlines: fire in (deadline, start) order. */
#define MANY 100000

struct many {
	struct gw_loop *loop;
	struct gw_timer *t;
	bool *stopped;
	size_t fired;
	uint64_t last_deadline, last_seq;
	size_t expect;
};

static struct many *g_many;

static void many_h(void *arg)
{
	struct many *m = g_many;
	struct gw_timer *t = arg;

	assert_false(m->stopped[t - m->t]);
	if (m->fired) {
		assert_true(t->deadline >= m->last_deadline);
		if (t->deadline == m->last_deadline)
			assert_true(t->seq > m->last_seq);
	}
	m->last_deadline = t->deadline;
	m->last_seq = t->seq;
	if (++m->fired % 9973 == 0)
		assert_int_equal(gw_loop_verify(m->loop), 0);
	if (m->fired == m->expect)
		gw_loop_stop(m->loop);
}

static void test_many_timers(void **state)
{
	struct gw_loop *loop;
	struct gw_loop_stats st;
	struct many m = { 0 };
	uint32_t rnd = 12345;
	size_t i, k;

	(void)state;
	assert_int_equal(gw_loop_alloc(&loop), 0);
	m.loop = loop;
	m.t = calloc(MANY, sizeof(*m.t));
	m.stopped = calloc(MANY, sizeof(*m.stopped));
	assert_non_null(m.t);
	assert_non_null(m.stopped);
	g_many = &m;
	for (i = 0; i < MANY; i++) {
		rnd = rnd * 1103515245u + 12345u;
		assert_int_equal(gw_timer_start(loop, &m.t[i], (rnd >> 16) % 40, many_h, &m.t[i]), 0);
	}
	assert_int_equal(gw_loop_verify(loop), 0);
	/* stop one in ten, restart another one in ten with a new deadline */
	for (i = 0; i < MANY / 10; i++) {
		rnd = rnd * 1103515245u + 12345u;
		k = (rnd >> 8) % MANY;
		if (i % 2) {
			gw_timer_stop(loop, &m.t[k]);
			m.stopped[k] = true;
		} else if (!m.stopped[k]) {
			assert_int_equal(gw_timer_start(loop, &m.t[k], (rnd >> 3) % 40, many_h, &m.t[k]), 0);
		}
	}
	assert_int_equal(gw_loop_verify(loop), 0);
	for (i = 0; i < MANY; i++)
		m.expect += !m.stopped[i];
	gw_loop_stats(loop, &st);
	assert_int_equal(st.timers, m.expect);
	assert_int_equal(st.timers_max, MANY);
	run_guarded(loop);
	assert_int_equal(m.fired, m.expect);
	gw_loop_stats(loop, &st);
	assert_int_equal(st.timers, 0);
	free(m.t);
	free(m.stopped);
	gw_loop_free(loop);
}

/* ---- prepare and check hooks ---- */

struct hooks {
	struct gw_loop *loop;
	struct gw_prepare p[3];
	struct gw_check c;
	int ms[3];
	int calls[3];
	int checks;
};

static int prep0_h(void *arg)
{
	struct hooks *hk = arg;

	hk->calls[0]++;
	return hk->ms[0];
}

/* removes itself and the next hook during the walk */
static int prep1_h(void *arg)
{
	struct hooks *hk = arg;

	hk->calls[1]++;
	gw_loop_del_prepare(hk->loop, &hk->p[1]);
	gw_loop_del_prepare(hk->loop, &hk->p[2]);
	return hk->ms[1];
}

static int prep2_h(void *arg)
{
	struct hooks *hk = arg;

	hk->calls[2]++;
	return hk->ms[2];
}

static void check_stop_h(void *arg)
{
	struct hooks *hk = arg;

	hk->checks++;
	gw_loop_stop(hk->loop);
}

static void test_prepare_bounds_timeout(void **state)
{
	struct gw_loop *loop;
	struct gw_loop_stats st;
	struct hooks hk = { 0 };
	struct gw_timer t = { 0 };
	struct tmr_rec r = { 0 };
	struct tmr x = { .rec = &r };
	uint64_t t0, dt;

	(void)state;
	assert_int_equal(gw_loop_alloc(&loop), 0);
	hk.loop = loop;
	r.loop = loop;
	gw_loop_add_prepare(loop, &hk.p[0], prep0_h, &hk);
	gw_loop_add_check(loop, &hk.c, check_stop_h, &hk);

	/* only the prepare hook bounds the sleep; the guard is 3 s away */
	hk.ms[0] = 40;
	t0 = mono_ms();
	run_guarded(loop);
	dt = mono_ms() - t0;
	gw_loop_stats(loop, &st);
	assert_int_equal(st.last_timeout, 40);
	assert_true(dt >= 39 && dt < GUARD_MS);
	assert_int_equal(hk.calls[0], 1);
	assert_int_equal(hk.checks, 1);

	/* a nearer timer wins over the hook ... */
	assert_int_equal(gw_timer_start(loop, &t, 20, rec_h, &x), 0);
	run_guarded(loop);
	gw_loop_stats(loop, &st);
	assert_true(st.last_timeout <= 20 && st.last_timeout >= 0);
	gw_timer_stop(loop, &t);

	/* ... and a nearer hook over the timer; -1 hooks do not count */
	assert_int_equal(gw_timer_start(loop, &t, 1000, rec_h, &x), 0);
	hk.ms[0] = -1;
	hk.ms[1] = 5;
	hk.ms[2] = -1;
	gw_loop_add_prepare(loop, &hk.p[1], prep1_h, &hk);
	gw_loop_add_prepare(loop, &hk.p[2], prep2_h, &hk);
	run_guarded(loop);
	gw_loop_stats(loop, &st);
	assert_int_equal(st.last_timeout, 5);
	/* prep1 removed itself and prep2 during the walk: prep2 never ran */
	assert_int_equal(hk.calls[1], 1);
	assert_int_equal(hk.calls[2], 0);

	/* no hook deadline: the timer's */
	assert_int_equal(gw_timer_start(loop, &t, 50, rec_h, &x), 0);
	run_guarded(loop);
	gw_loop_stats(loop, &st);
	assert_true(st.last_timeout > 40 && st.last_timeout <= 50);
	assert_int_equal(r.n, 2);
	gw_timer_stop(loop, &t);
	gw_loop_del_prepare(loop, &hk.p[0]);
	gw_loop_del_prepare(loop, &hk.p[0]);
	gw_loop_del_check(loop, &hk.c);
	gw_loop_free(loop);
}

/* ---- signals ---- */

struct sig_rec {
	struct gw_loop *loop;
	int signo;
	int calls;
};

static void sig_h(int signo, void *arg)
{
	struct sig_rec *r = arg;

	r->signo = signo;
	r->calls++;
	gw_loop_stop(r->loop);
}

static bool sig_blocked(int signo)
{
	sigset_t cur;

	assert_int_equal(pthread_sigmask(SIG_BLOCK, NULL, &cur), 0);
	return sigismember(&cur, signo) == 1;
}

static void test_signal(void **state)
{
	struct gw_loop *loop;
	struct gw_signal s = { 0 }, s2 = { 0 };
	struct gw_loop_stats st;
	struct sig_rec r = { 0 };

	(void)state;
	assert_false(sig_blocked(SIGUSR1));
	assert_int_equal(gw_loop_alloc(&loop), 0);
	r.loop = loop;
	assert_int_equal(gw_loop_signal(loop, &s, SIGKILL, sig_h, &r), EINVAL);
	assert_int_equal(gw_loop_signal(loop, &s, 0, sig_h, &r), EINVAL);
	assert_int_equal(gw_loop_signal(loop, &s, SIGUSR1, sig_h, &r), 0);
	assert_true(sig_blocked(SIGUSR1));
	assert_int_equal(gw_loop_signal(loop, &s, SIGUSR2, sig_h, &r), EALREADY);
	assert_int_equal(gw_loop_signal(loop, &s2, SIGUSR1, sig_h, &r), EALREADY);
	assert_int_equal(gw_loop_signal(loop, &s2, SIGUSR2, sig_h, &r), 0);

	assert_int_equal(raise(SIGUSR1), 0);
	run_guarded(loop);
	assert_int_equal(r.calls, 1);
	assert_int_equal(r.signo, SIGUSR1);
	assert_int_equal(raise(SIGUSR2), 0);
	run_guarded(loop);
	assert_int_equal(r.calls, 2);
	assert_int_equal(r.signo, SIGUSR2);
	gw_loop_stats(loop, &st);
	assert_int_equal(st.signals, 2);

	/* raised but never read: stop must not let it kill us */
	assert_int_equal(raise(SIGUSR1), 0);
	gw_loop_signal_stop(loop, &s);
	gw_loop_signal_stop(loop, &s);
	assert_false(sig_blocked(SIGUSR1));
	assert_true(sig_blocked(SIGUSR2));
	/* gw_loop_free gives SIGUSR2 back */
	gw_loop_free(loop);
	assert_false(sig_blocked(SIGUSR2));
}

/* ---- defers ---- */

struct dfr {
	struct gw_loop *loop;
	struct gw_defer d, d2, self;
	struct pipe_w pw[2];
	char order[16];
	int n;
	uint64_t turn[16];
	int self_runs;
	uint64_t self_turn0;
	int max_per_turn;
	int in_turn;
	uint64_t last_turn;
};

static void note(struct dfr *x, char c)
{
	x->turn[x->n] = turns(x->loop);
	x->order[x->n++] = c;
}

static void d2_h(void *arg)
{
	struct dfr *x = arg;

	note(x, 'E');
	gw_loop_stop(x->loop);
}

static void d_h(void *arg)
{
	struct dfr *x = arg;

	note(x, 'D');
	/* queued from a defer: runs in the same turn end */
	gw_loop_defer(x->loop, &x->d2, d2_h, x);
}

static void dfr_fd_h(int fd, uint32_t events, void *arg)
{
	struct dfr *x = arg;
	char c;

	(void)events;
	assert_int_equal(read(fd, &c, 1), 1);
	note(x, 'F');
	/* twice from two handlers: still runs once */
	gw_loop_defer(x->loop, &x->d, d_h, x);
	assert_true(gw_defer_pending(&x->d));
}

static void never_h(void *arg)
{
	(void)arg;
	fail_msg("a cancelled defer ran");
}

static void self_h(void *arg)
{
	struct dfr *x = arg;
	uint64_t t = turns(x->loop);

	if (x->self_runs++ == 0 || t != x->last_turn)
		x->in_turn = 0;
	x->last_turn = t;
	if (++x->in_turn > x->max_per_turn)
		x->max_per_turn = x->in_turn;
	if (x->self_runs == 100) {
		gw_loop_stop(x->loop);
		return;
	}
	gw_loop_defer(x->loop, &x->self, self_h, x);
}

static void test_defer(void **state)
{
	struct gw_loop *loop;
	struct gw_defer c = { 0 };
	struct dfr x = { 0 };
	int i;

	(void)state;
	assert_int_equal(gw_loop_alloc(&loop), 0);
	x.loop = loop;
	for (i = 0; i < 2; i++) {
		pipe_open(loop, &x.pw[i]);
		assert_int_equal(gw_fd_watch(loop, &x.pw[i].w, x.pw[i].p[0], EPOLLIN, dfr_fd_h, &x), 0);
		write_byte(x.pw[i].p[1]);
	}
	gw_loop_defer(loop, &c, never_h, NULL);
	gw_loop_defer_cancel(loop, &c);
	gw_loop_defer_cancel(loop, &c);
	gw_loop_defer_cancel(loop, NULL);
	assert_false(gw_defer_pending(&c));
	run_guarded(loop);
	assert_int_equal(x.n, 4);
	assert_memory_equal(x.order, "FFDE", 4);
	for (i = 1; i < 4; i++)
		assert_int_equal(x.turn[i], x.turn[0]);
	assert_false(gw_defer_pending(&x.d));

	/* a defer that re-queues itself forever: bounded rounds per turn */
	gw_loop_defer(loop, &x.self, self_h, &x);
	run_guarded(loop);
	assert_int_equal(x.self_runs, 100);
	assert_int_equal(x.max_per_turn, GW_LOOP_DEFER_ROUNDS);
	for (i = 0; i < 2; i++)
		pipe_close(&x.pw[i]);
	gw_loop_free(loop);
}

/* ---- wake from another thread ---- */

struct waker {
	struct gw_loop *loop;
	atomic_int flag;
	int seen;
};

static void *waker_main(void *arg)
{
	struct waker *w = arg;
	struct timespec ts = { 0, 20 * 1000 * 1000 };

	nanosleep(&ts, NULL);
	atomic_store(&w->flag, 1);
	if (gw_loop_wake(w->loop) != 0)
		abort();
	return NULL;
}

static void waker_check_h(void *arg)
{
	struct waker *w = arg;

	if (atomic_load(&w->flag)) {
		w->seen = 1;
		gw_loop_stop(w->loop);
	}
}

static void test_wake_from_thread(void **state)
{
	struct gw_loop *loop;
	struct gw_loop_stats st;
	struct gw_check c = { 0 };
	struct waker w = { 0 };
	pthread_t th;

	(void)state;
	assert_int_equal(gw_loop_alloc(&loop), 0);
	w.loop = loop;
	atomic_init(&w.flag, 0);
	gw_loop_add_check(loop, &c, waker_check_h, &w);
	assert_int_equal(pthread_create(&th, NULL, waker_main, &w), 0);
	run_guarded(loop);
	assert_int_equal(pthread_join(th, NULL), 0);
	assert_int_equal(w.seen, 1);
	gw_loop_stats(loop, &st);
	assert_true(st.wakes >= 1);
	gw_loop_del_check(loop, &c);
	gw_loop_free(loop);
}

/* ---- running, counters, allocation failure ---- */

static void nested_h(void *arg)
{
	struct gw_loop *loop = arg;

	assert_int_equal(gw_loop_run(loop), EALREADY);
	gw_loop_stop(loop);
}

static void test_run_stop_debug(void **state)
{
	struct gw_loop *loop;
	struct gw_timer t = { 0 };
	struct gw_loop_stats st;
	char buf[512];
	size_t n;
	FILE *f;

	(void)state;
	assert_int_equal(gw_loop_alloc(NULL), EINVAL);
	assert_int_equal(gw_loop_run(NULL), EINVAL);
	gw_loop_stop(NULL);
	gw_loop_free(NULL);
	assert_int_equal(gw_loop_alloc(&loop), 0);

	/* stopped before running: one turn, no sleep */
	gw_loop_stop(loop);
	assert_int_equal(gw_timer_start(loop, &t, 10000, nested_h, loop), 0);
	assert_int_equal(gw_loop_run(loop), 0);
	gw_loop_stats(loop, &st);
	assert_int_equal(st.turns, 1);
	assert_int_equal(st.last_timeout, 0);

	/* runs again; a handler cannot nest a run */
	assert_int_equal(gw_timer_start(loop, &t, 1, nested_h, loop), 0);
	assert_true(gw_loop_update_time(loop) >= gw_loop_now(loop));
	run_guarded(loop);
	assert_false(gw_timer_pending(&t));

	f = tmpfile();
	assert_non_null(f);
	assert_int_equal(gw_loop_debug(loop, f), 0);
	rewind(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	assert_non_null(strstr(buf, "loop: turns="));
	assert_non_null(strstr(buf, " timers=0 timers_max=2 timers_fired=1 "));
	assert_non_null(strstr(buf, " fds=2 "));
	assert_int_equal(buf[n - 1], '\n');
	gw_loop_free(loop);
}

static void nop_fd_h(int fd, uint32_t events, void *arg)
{
	(void)fd;
	(void)events;
	(void)arg;
}

static void nop_h(void *arg)
{
	(void)arg;
}

static void test_alloc_failure(void **state)
{
	struct gw_loop *loop = NULL;
	struct gw_timer t[65];
	struct gw_fd w[63];
	int p[2];
	size_t i;

	(void)state;
	for (i = 1; i <= 2; i++) {
		/* 1: the loop, 2: the slot table for the wake eventfd */
		alloc_fail_at(i);
		assert_int_equal(gw_loop_alloc(&loop), ENOMEM);
		assert_int_equal(alloc_failed(), i);
	}
	alloc_fail_at(0);
	assert_int_equal(gw_loop_alloc(&loop), 0);

	/* the first timer allocates the heap; 64 fit, the 65th grows it */
	memset(t, 0, sizeof(t));
	alloc_fail_at(1);
	assert_int_equal(gw_timer_start(loop, &t[0], 5, nop_h, NULL), ENOMEM);
	assert_false(gw_timer_pending(&t[0]));
	for (i = 0; i < 64; i++)
		assert_int_equal(gw_timer_start(loop, &t[i], 5 + i, nop_h, NULL), 0);
	alloc_fail_at(1);
	assert_int_equal(gw_timer_start(loop, &t[64], 5, nop_h, NULL), ENOMEM);
	/* restarting a pending timer never allocates */
	assert_int_equal(gw_timer_start(loop, &t[3], 1, nop_h, NULL), 0);
	alloc_fail_at(0);
	assert_int_equal(gw_loop_verify(loop), 0);
	for (i = 0; i < 64; i++)
		gw_timer_stop(loop, &t[i]);

	/* wake and signal fds + 62 fill the first 64 slots; then it grows */
	memset(w, 0, sizeof(w));
	assert_int_equal(pipe(p), 0);
	for (i = 0; i < 62; i++) {
		w[i].fd = dup(p[0]);
		assert_true(w[i].fd >= 0);
		assert_int_equal(gw_fd_watch(loop, &w[i], w[i].fd, EPOLLIN, nop_fd_h, NULL), 0);
	}
	alloc_fail_at(1);
	assert_int_equal(gw_fd_watch(loop, &w[62], p[0], EPOLLIN, nop_fd_h, NULL), ENOMEM);
	assert_false(gw_fd_active(&w[62]));
	alloc_fail_at(0);
	assert_int_equal(gw_fd_watch(loop, &w[62], p[0], EPOLLIN, nop_fd_h, NULL), 0);
	assert_int_equal(gw_loop_verify(loop), 0);
	for (i = 0; i < 63; i++) {
		gw_fd_unwatch(loop, &w[i]);
		if (i < 62)
			close(w[i].fd);
	}
	close(p[0]);
	close(p[1]);
	assert_int_equal(gw_loop_verify(loop), 0);
	gw_loop_free(loop);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		leakcheck_test(test_pipe_and_eventfd_fire),
		leakcheck_test(test_unwatch_in_callback),
		leakcheck_test(test_modify),
		leakcheck_test(test_timer_order_and_ties),
		leakcheck_test(test_timer_restart_stop_in_callbacks),
		leakcheck_test(test_timer_zero_delay_no_starvation),
		leakcheck_test(test_many_timers),
		leakcheck_test(test_prepare_bounds_timeout),
		leakcheck_test(test_signal),
		leakcheck_test(test_defer),
		leakcheck_test(test_wake_from_thread),
		leakcheck_test(test_run_stop_debug),
		leakcheck_test(test_alloc_failure),
	};

	return cmocka_run_group_tests_name("gw_loop", tests, NULL, NULL);
}
