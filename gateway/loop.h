/*
 * gateway/loop.h — the daemon's one event loop: epoll, timers, deferred work.
 *
 * The loop owns none of its users' structs: fd watchers, timers, defers,
 * hooks and signal watchers are embedded in their owners, a zeroed struct is
 * idle, and the owner stops it before freeing it (from any callback too).
 * All calls are for the loop thread, except gw_loop_wake(). Free the loop
 * last, after everything that was started on it has been stopped.
 */
#ifndef GW_LOOP_H
#define GW_LOOP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct gw_loop;

/* Intrusive list node; NULL links = not on any list. */
struct gw_link {
	struct gw_link *prev;
	struct gw_link *next;
};

#define GW_LOOP_MAX_EVENTS 256     /* epoll events taken per turn */
#define GW_LOOP_DEFER_ROUNDS 16    /* defer rounds per turn end, see loop.c */

/* Loop lifetime and running */
int gw_loop_alloc(struct gw_loop **loopp);
void gw_loop_free(struct gw_loop *loop);
int gw_loop_run(struct gw_loop *loop);
void gw_loop_stop(struct gw_loop *loop);
uint64_t gw_loop_now(const struct gw_loop *loop);
uint64_t gw_loop_update_time(struct gw_loop *loop);
int gw_loop_wake(struct gw_loop *loop);

/* File descriptors (events are EPOLLIN, EPOLLOUT, EPOLLET, ...) */
typedef void (gw_fd_h)(int fd, uint32_t events, void *arg);

struct gw_fd {
	int fd;
	uint32_t events;        /* wanted */
	gw_fd_h *h;
	void *arg;
	uint32_t slot;          /* loop's slot index + 1; 0 = not watched */
};

int gw_fd_watch(struct gw_loop *loop, struct gw_fd *w, int fd, uint32_t events,
		gw_fd_h *h, void *arg);
int gw_fd_modify(struct gw_loop *loop, struct gw_fd *w, uint32_t events);
void gw_fd_unwatch(struct gw_loop *loop, struct gw_fd *w);
bool gw_fd_active(const struct gw_fd *w);

/* Timers (milliseconds, CLOCK_MONOTONIC) */
typedef void (gw_timer_h)(void *arg);

struct gw_timer {
	uint64_t deadline;
	uint64_t seq;           /* start order, breaks deadline ties */
	size_t idx;             /* heap index + 1; 0 = not pending */
	gw_timer_h *h;
	void *arg;
};

int gw_timer_start(struct gw_loop *loop, struct gw_timer *t, uint64_t delay_ms,
		   gw_timer_h *h, void *arg);
void gw_timer_stop(struct gw_loop *loop, struct gw_timer *t);
bool gw_timer_pending(const struct gw_timer *t);

/* Deferred work, run at the end of the current turn */
typedef void (gw_defer_h)(void *arg);

struct gw_defer {
	gw_defer_h *h;
	void *arg;
	struct gw_link link;
};

void gw_loop_defer(struct gw_loop *loop, struct gw_defer *d, gw_defer_h *h, void *arg);
void gw_loop_defer_cancel(struct gw_loop *loop, struct gw_defer *d);
bool gw_defer_pending(const struct gw_defer *d);

/* Hooks for libraries with their own deadlines (MHD, curl, transactions) */
typedef int (gw_prepare_h)(void *arg);  /* ms to next deadline, -1 = none */
typedef void (gw_check_h)(void *arg);

struct gw_prepare {
	gw_prepare_h *h;
	void *arg;
	struct gw_link link;
};

struct gw_check {
	gw_check_h *h;
	void *arg;
	struct gw_link link;
};

void gw_loop_add_prepare(struct gw_loop *loop, struct gw_prepare *p, gw_prepare_h *h, void *arg);
void gw_loop_del_prepare(struct gw_loop *loop, struct gw_prepare *p);
void gw_loop_add_check(struct gw_loop *loop, struct gw_check *c, gw_check_h *h, void *arg);
void gw_loop_del_check(struct gw_loop *loop, struct gw_check *c);

/* Signals, delivered through a signalfd */
typedef void (gw_signal_h)(int signo, void *arg);

struct gw_signal {
	int signo;              /* 0 = idle */
	gw_signal_h *h;
	void *arg;
};

int gw_loop_signal(struct gw_loop *loop, struct gw_signal *s, int signo, gw_signal_h *h, void *arg);
void gw_loop_signal_stop(struct gw_loop *loop, struct gw_signal *s);

/* Counters and self-checks */
struct gw_loop_stats {
	uint64_t turns;
	uint64_t fd_events;     /* events handed to fd handlers */
	uint64_t timers_fired;
	uint64_t defers_run;
	uint64_t wakes;
	uint64_t signals;
	size_t fds;             /* watched now (internal ones included) */
	size_t timers;          /* pending now */
	size_t timers_max;      /* most pending at once */
	int last_timeout;       /* ms given to the last epoll_wait, -1 = none */
};

void gw_loop_stats(const struct gw_loop *loop, struct gw_loop_stats *st);
int gw_loop_debug(const struct gw_loop *loop, FILE *f);
int gw_loop_verify(const struct gw_loop *loop);

#endif
