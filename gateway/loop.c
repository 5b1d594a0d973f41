/*
 * gateway/loop.c — epoll loop, timer heap, defers, hooks, signalfd, eventfd.
 *
 * One turn:
 *   1. read the clock, run the prepare hooks, then sleep in epoll_wait until
 *      the nearest of the timer heap's top and the prepare deadlines
 *   2. read the clock again: that value is gw_loop_now() for the turn
 *   3. fd handlers, in epoll's order
 *   4. check hooks (MHD_run and friends, every turn)
 *   5. one expiry pass over the timers that were due when it began
 *   6. the turn end: defers (group commit of the store, deferred frees)
 * fds go before timers so that a SIP response arriving in the same turn as
 * its retransmission timer stops the timer before it fires. The clock is
 * read twice because callbacks take time: a sleep computed from the
 * wake-up time of the previous turn would make every timer late by that.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>

#include "gateway/loop.h"

#define container_of(ptr, type, member) \
	((type *)(void *)((char *)(ptr) - offsetof(type, member)))

/*
 * fd slots. For each event epoll hands back the 64 bits we registered.
 * Registering the gw_fd pointer would be unsafe: a handler may unwatch and
 * free another watcher whose event is still waiting later in the same
 * batch. So we register (generation << 32 | slot index) instead; the slot
 * table belongs to the loop and unwatch bumps the slot's generation. An
 * event whose generation no longer matches is for a watcher that is gone
 * (or for the slot's next tenant, which must not see it) and is dropped.
 * The owner may free its gw_fd at once: nothing needs a deferred release.
 */
struct slot {
	struct gw_fd *w;        /* NULL = free */
	uint32_t gen;
	uint32_t next_free;     /* index + 1 of the next free slot; 0 = end */
};

struct gw_loop {
	int epfd;
	uint64_t now;
	bool stop;
	bool running;
	struct slot *slots;
	uint32_t nslots;
	uint32_t free_slot;     /* index + 1; 0 = none free */
	struct gw_timer **heap;
	size_t nheap;
	size_t heap_size;
	uint64_t timer_seq;
	struct gw_link defers;
	struct gw_link prepares;
	struct gw_link checks;
	struct gw_link *cursor; /* next node of the hook list being walked */
	int wake_fd;
	struct gw_fd wake_w;
	int sig_fd;
	struct gw_fd sig_w;
	sigset_t sig_mask;      /* signals routed to sig_fd */
	sigset_t sig_blocked;   /* the subset we blocked, unblocked on stop */
	struct gw_signal *sigs[_NSIG];
	struct gw_loop_stats st;
	struct epoll_event evs[GW_LOOP_MAX_EVENTS];
};

static uint64_t clock_ms(void)
{
	struct timespec ts;

	/* cannot fail for CLOCK_MONOTONIC and a valid pointer */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void link_init(struct gw_link *head)
{
	head->prev = head;
	head->next = head;
}

static bool link_empty(const struct gw_link *head)
{
	return head->next == head;
}

static void link_append(struct gw_link *head, struct gw_link *l)
{
	l->prev = head->prev;
	l->next = head;
	head->prev->next = l;
	head->prev = l;
}

/* Unlink from whatever list l is on; keeps a running hook walk valid. */
static void link_del(struct gw_loop *loop, struct gw_link *l)
{
	if (loop->cursor == l)
		loop->cursor = l->next;
	l->prev->next = l->next;
	l->next->prev = l->prev;
	l->prev = NULL;
	l->next = NULL;
}

/* Move every node of from onto the empty head to. */
static void link_move(struct gw_link *to, struct gw_link *from)
{
	link_init(to);
	if (link_empty(from))
		return;
	to->next = from->next;
	to->prev = from->prev;
	to->next->prev = to;
	to->prev->next = to;
	link_init(from);
}

static void wake_h(int fd, uint32_t events, void *arg)
{
	struct gw_loop *loop = arg;
	uint64_t v;

	(void)events;
	/* reading resets the eventfd counter: many wakes, one turn */
	if (read(fd, &v, sizeof(v)) == (ssize_t)sizeof(v))
		loop->st.wakes++;
}

static void signal_fd_h(int fd, uint32_t events, void *arg)
{
	struct gw_loop *loop = arg;
	struct signalfd_siginfo si[8];
	struct gw_signal *s;
	ssize_t n;
	size_t i;

	(void)events;
	/* one read per turn: the fd is level-triggered, the rest comes next */
	n = read(fd, si, sizeof(si));
	if (n <= 0)
		return;
	for (i = 0; i < (size_t)n / sizeof(si[0]); i++) {
		if (si[i].ssi_signo >= _NSIG)
			continue;
		s = loop->sigs[si[i].ssi_signo];
		if (!s)
			continue;       /* stopped by an earlier handler */
		loop->st.signals++;
		s->h((int)si[i].ssi_signo, s->arg);
	}
}

/* A new loop with its clock read; ENOMEM or the errno of epoll/eventfd/signalfd. */
int gw_loop_alloc(struct gw_loop **loopp)
{
	struct gw_loop *loop;
	int err = 0;

	if (!loopp)
		return EINVAL;
	loop = calloc(1, sizeof(*loop));
	if (!loop)
		return ENOMEM;
	loop->epfd = -1;
	loop->wake_fd = -1;
	loop->sig_fd = -1;
	link_init(&loop->defers);
	link_init(&loop->prepares);
	link_init(&loop->checks);
	sigemptyset(&loop->sig_mask);
	sigemptyset(&loop->sig_blocked);
	loop->st.last_timeout = -1;
	loop->now = clock_ms();

	loop->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (loop->epfd < 0) {
		err = errno;
		goto out;
	}
	loop->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (loop->wake_fd < 0) {
		err = errno;
		goto out;
	}
	/* empty set for now: gw_loop_signal only changes the mask */
	loop->sig_fd = signalfd(-1, &loop->sig_mask, SFD_NONBLOCK | SFD_CLOEXEC);
	if (loop->sig_fd < 0) {
		err = errno;
		goto out;
	}
	err = gw_fd_watch(loop, &loop->wake_w, loop->wake_fd, EPOLLIN, wake_h, loop);
	if (!err)
		err = gw_fd_watch(loop, &loop->sig_w, loop->sig_fd, EPOLLIN, signal_fd_h, loop);
out:
	if (err)
		gw_loop_free(loop);
	else
		*loopp = loop;
	return err;
}

/*
 * Close the loop's own fds and give back the signals it blocked. Users'
 * watchers, timers and hooks must have been stopped; not from a callback.
 */
void gw_loop_free(struct gw_loop *loop)
{
	int signo;

	if (!loop)
		return;
	for (signo = 1; signo < _NSIG; signo++)
		gw_loop_signal_stop(loop, loop->sigs[signo]);
	if (loop->sig_fd >= 0)
		close(loop->sig_fd);
	if (loop->wake_fd >= 0)
		close(loop->wake_fd);
	if (loop->epfd >= 0)
		close(loop->epfd);
	free(loop->slots);
	free(loop->heap);
	free(loop);
}

/* The cached CLOCK_MONOTONIC time in ms, read when the turn woke up. */
uint64_t gw_loop_now(const struct gw_loop *loop)
{
	return loop->now;
}

/* Re-read the clock (for a handler that spent long) and return it. */
uint64_t gw_loop_update_time(struct gw_loop *loop)
{
	loop->now = clock_ms();
	return loop->now;
}

/* gw_loop_run returns at the end of the current turn (or the next one). */
void gw_loop_stop(struct gw_loop *loop)
{
	if (loop)
		loop->stop = true;
}

/*
 * Make the loop's current or next epoll_wait return; that turn runs the
 * check hooks, the place to pick up work handed over by the caller. The one
 * call that is safe from other threads and from signal handlers.
 */
int gw_loop_wake(struct gw_loop *loop)
{
	uint64_t one = 1;

	if (write(loop->wake_fd, &one, sizeof(one)) == (ssize_t)sizeof(one))
		return 0;
	/* EAGAIN: the counter is full, so a wake-up is pending anyway */
	return errno == EAGAIN ? 0 : errno;
}

static int slot_get(struct gw_loop *loop, uint32_t *idxp)
{
	struct slot *s;
	uint32_t i, n;

	if (!loop->free_slot) {
		if (loop->nslots > UINT32_MAX / 2)
			return ENOSPC;
		n = loop->nslots ? loop->nslots * 2 : 64;
		s = realloc(loop->slots, n * sizeof(*s));
		if (!s)
			return ENOMEM;
		for (i = loop->nslots; i < n; i++) {
			s[i].w = NULL;
			s[i].gen = 0;
			s[i].next_free = i + 1 < n ? i + 2 : 0;
		}
		loop->free_slot = loop->nslots + 1;
		loop->slots = s;
		loop->nslots = n;
	}
	i = loop->free_slot - 1;
	loop->free_slot = loop->slots[i].next_free;
	*idxp = i;
	return 0;
}

static void slot_put(struct gw_loop *loop, uint32_t i)
{
	loop->slots[i].w = NULL;
	loop->slots[i].gen++;   /* events still in the batch now miss */
	loop->slots[i].next_free = loop->free_slot;
	loop->free_slot = i + 1;
}

static int fd_ctl(struct gw_loop *loop, int op, int fd, uint32_t events, uint32_t i)
{
	struct epoll_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.events = events;
	ev.data.u64 = (uint64_t)loop->slots[i].gen << 32 | i;
	return epoll_ctl(loop->epfd, op, fd, &ev) < 0 ? errno : 0;
}

/*
 * Call h(fd, events, arg) when fd is ready for events. EALREADY if w is
 * watched, ENOMEM/ENOSPC, or epoll_ctl's errno (EEXIST: fd watched by
 * another gw_fd; EPERM: a regular file). Unwatch before closing fd.
 */
int gw_fd_watch(struct gw_loop *loop, struct gw_fd *w, int fd, uint32_t events,
		gw_fd_h *h, void *arg)
{
	uint32_t i;
	int err;

	if (!loop || !w || fd < 0 || !h)
		return EINVAL;
	if (w->slot)
		return EALREADY;
	err = slot_get(loop, &i);
	if (err)
		return err;
	err = fd_ctl(loop, EPOLL_CTL_ADD, fd, events, i);
	if (err) {
		slot_put(loop, i);
		return err;
	}
	loop->slots[i].w = w;
	w->fd = fd;
	w->events = events;
	w->h = h;
	w->arg = arg;
	w->slot = i + 1;
	loop->st.fds++;
	return 0;
}

/* Change the wanted events; ENOENT if w is not watched. */
int gw_fd_modify(struct gw_loop *loop, struct gw_fd *w, uint32_t events)
{
	int err;

	if (!loop || !w)
		return EINVAL;
	if (!w->slot)
		return ENOENT;
	err = fd_ctl(loop, EPOLL_CTL_MOD, w->fd, events, w->slot - 1);
	if (!err)
		w->events = events;
	return err;
}

/*
 * Stop watching; NULL-safe and idempotent. Safe from any callback: w will
 * not be called again, not even for an event of the current batch, and its
 * owner may free it right away. Does not close the fd.
 */
void gw_fd_unwatch(struct gw_loop *loop, struct gw_fd *w)
{
	if (!w || !w->slot)
		return;
	/* fails only if the fd was closed first; epoll then forgot it itself */
	(void)epoll_ctl(loop->epfd, EPOLL_CTL_DEL, w->fd, NULL);
	slot_put(loop, w->slot - 1);
	w->slot = 0;
	loop->st.fds--;
}

/* Whether w is watched. NULL-safe. */
bool gw_fd_active(const struct gw_fd *w)
{
	return w && w->slot;
}

static void dispatch_fds(struct gw_loop *loop, int n)
{
	const struct slot *s;
	struct gw_fd *w;
	uint64_t key;
	uint32_t i, ev;
	int k;

	for (k = 0; k < n; k++) {
		key = loop->evs[k].data.u64;
		i = (uint32_t)key;
		s = &loop->slots[i];
		if (!s->w || s->gen != (uint32_t)(key >> 32))
			continue;       /* unwatched earlier in this batch */
		w = s->w;
		/* a gw_fd_modify earlier in the batch may have dropped some bits */
		ev = loop->evs[k].events & (w->events | EPOLLERR | EPOLLHUP);
		if (!ev)
			continue;
		loop->st.fd_events++;
		/* s may move (slot table realloc) during the call: not used after */
		w->h(w->fd, ev, w->arg);
	}
}

/* Heap order: deadline, then start order, so equal deadlines fire FIFO. */
static bool timer_less(const struct gw_timer *a, const struct gw_timer *b)
{
	if (a->deadline != b->deadline)
		return a->deadline < b->deadline;
	return a->seq < b->seq;
}

static void heap_set(struct gw_loop *loop, size_t i, struct gw_timer *t)
{
	loop->heap[i] = t;
	t->idx = i + 1;
}

static void heap_up(struct gw_loop *loop, size_t i)
{
	struct gw_timer *t = loop->heap[i];
	size_t p;

	while (i > 0) {
		p = (i - 1) / 2;
		if (!timer_less(t, loop->heap[p]))
			break;
		heap_set(loop, i, loop->heap[p]);
		i = p;
	}
	heap_set(loop, i, t);
}

static void heap_down(struct gw_loop *loop, size_t i)
{
	struct gw_timer *t = loop->heap[i];
	size_t c;

	for (;;) {
		c = 2 * i + 1;
		if (c >= loop->nheap)
			break;
		if (c + 1 < loop->nheap && timer_less(loop->heap[c + 1], loop->heap[c]))
			c++;
		if (!timer_less(loop->heap[c], t))
			break;
		heap_set(loop, i, loop->heap[c]);
		i = c;
	}
	heap_set(loop, i, t);
}

/* Restore the heap after the key at i changed either way. */
static void heap_fix(struct gw_loop *loop, size_t i)
{
	if (i > 0 && timer_less(loop->heap[i], loop->heap[(i - 1) / 2]))
		heap_up(loop, i);
	else
		heap_down(loop, i);
}

static void heap_remove(struct gw_loop *loop, struct gw_timer *t)
{
	size_t i = t->idx - 1;

	t->idx = 0;
	loop->nheap--;
	if (i == loop->nheap)
		return;
	heap_set(loop, i, loop->heap[loop->nheap]);
	heap_fix(loop, i);
}

/*
 * Call h(arg) once, delay_ms after gw_loop_now(). Restarting a pending
 * timer reschedules it (and never fails); a first start may need to grow
 * the heap: ENOMEM. Delay 0 from a timer handler fires in the next turn.
 */
int gw_timer_start(struct gw_loop *loop, struct gw_timer *t, uint64_t delay_ms,
		   gw_timer_h *h, void *arg)
{
	struct gw_timer **heap;
	size_t size;

	if (!loop || !t || !h)
		return EINVAL;
	if (!t->idx && loop->nheap == loop->heap_size) {
		size = loop->heap_size ? loop->heap_size * 2 : 64;
		if (size > SIZE_MAX / sizeof(*heap))
			return ENOMEM;
		heap = realloc(loop->heap, size * sizeof(*heap));
		if (!heap)
			return ENOMEM;
		loop->heap = heap;
		loop->heap_size = size;
	}
	t->deadline = delay_ms > UINT64_MAX - loop->now ? UINT64_MAX : loop->now + delay_ms;
	t->seq = loop->timer_seq++;
	t->h = h;
	t->arg = arg;
	if (t->idx) {
		heap_fix(loop, t->idx - 1);
		return 0;
	}
	heap_set(loop, loop->nheap++, t);
	heap_up(loop, loop->nheap - 1);
	if (loop->nheap > loop->st.timers_max)
		loop->st.timers_max = loop->nheap;
	return 0;
}

/* Cancel; NULL-safe, idempotent, fine from any callback. */
void gw_timer_stop(struct gw_loop *loop, struct gw_timer *t)
{
	if (t && t->idx)
		heap_remove(loop, t);
}

/* Whether t is started and has not fired yet. NULL-safe. */
bool gw_timer_pending(const struct gw_timer *t)
{
	return t && t->idx;
}

/*
 * One expiry pass, over the timers due when it began. The clock snapshot
 * and the start-order limit keep a timer (re)started by a handler, even
 * with delay 0, for the next turn: a handler re-arming itself cannot
 * starve the fds. A too-new heap top also ends the pass: a new timer's
 * deadline is >= now, so anything ordered after it is not due.
 */
static void run_timers(struct gw_loop *loop)
{
	uint64_t now = loop->now, limit = loop->timer_seq;
	struct gw_timer *t;

	while (loop->nheap) {
		t = loop->heap[0];
		if (t->deadline > now || t->seq >= limit)
			break;
		heap_remove(loop, t);
		loop->st.timers_fired++;
		t->h(t->arg);
	}
}

/*
 * Run h(arg) at the end of the current turn (or of the next one when
 * called outside a turn; the loop then does not sleep). Queued already:
 * only h and arg change, it still runs once.
 */
void gw_loop_defer(struct gw_loop *loop, struct gw_defer *d, gw_defer_h *h, void *arg)
{
	d->h = h;
	d->arg = arg;
	if (!d->link.next)
		link_append(&loop->defers, &d->link);
}

/* Unqueue; NULL-safe, idempotent, fine from any callback. */
void gw_loop_defer_cancel(struct gw_loop *loop, struct gw_defer *d)
{
	if (d && d->link.next)
		link_del(loop, &d->link);
}

/* Whether d is queued. NULL-safe. */
bool gw_defer_pending(const struct gw_defer *d)
{
	return d && d->link.next;
}

/*
 * The turn end. The rule: defers run FIFO, in rounds. Round 1 is what was
 * queued when the turn end began, round k + 1 what round k's handlers
 * queued, so a commit queued by a deferred free still happens in this
 * turn. After GW_LOOP_DEFER_ROUNDS rounds what is left waits for the next
 * turn end, and that turn does not sleep: a defer that re-queues itself
 * forever costs one run per turn instead of hanging the loop.
 */
static void run_defers(struct gw_loop *loop)
{
	struct gw_link batch;
	struct gw_defer *d;
	int round;

	for (round = 0; round < GW_LOOP_DEFER_ROUNDS && !link_empty(&loop->defers); round++) {
		link_move(&batch, &loop->defers);
		while (!link_empty(&batch)) {
			d = container_of(batch.next, struct gw_defer, link);
			link_del(loop, &d->link);
			loop->st.defers_run++;
			d->h(d->arg);
		}
	}
}

/*
 * h(arg) runs before every epoll_wait and returns the ms until its owner's
 * next deadline (-1: none); the loop sleeps no longer than the smallest.
 * Adding an added hook only changes h and arg.
 */
void gw_loop_add_prepare(struct gw_loop *loop, struct gw_prepare *p, gw_prepare_h *h, void *arg)
{
	p->h = h;
	p->arg = arg;
	if (!p->link.next)
		link_append(&loop->prepares, &p->link);
}

/* Remove; NULL-safe, idempotent, fine from any callback. */
void gw_loop_del_prepare(struct gw_loop *loop, struct gw_prepare *p)
{
	if (p && p->link.next)
		link_del(loop, &p->link);
}

/* h(arg) runs every turn right after the fd handlers (e.g. MHD_run). */
void gw_loop_add_check(struct gw_loop *loop, struct gw_check *c, gw_check_h *h, void *arg)
{
	c->h = h;
	c->arg = arg;
	if (!c->link.next)
		link_append(&loop->checks, &c->link);
}

/* Remove; NULL-safe, idempotent, fine from any callback. */
void gw_loop_del_check(struct gw_loop *loop, struct gw_check *c)
{
	if (c && c->link.next)
		link_del(loop, &c->link);
}

/*
 * Walk prepare (returns the smallest deadline) or check hooks. The next
 * node waits in loop->cursor, which link_del advances: a handler may
 * remove any hook, itself included.
 */
static int run_hooks(struct gw_loop *loop, struct gw_link *head)
{
	struct gw_prepare *p;
	struct gw_check *c;
	struct gw_link *l;
	int ms = -1, m;

	for (l = head->next; l != head; l = loop->cursor) {
		loop->cursor = l->next;
		if (head == &loop->checks) {
			c = container_of(l, struct gw_check, link);
			c->h(c->arg);
			continue;
		}
		p = container_of(l, struct gw_prepare, link);
		m = p->h(p->arg);
		if (m >= 0 && (ms < 0 || m < ms))
			ms = m;
	}
	loop->cursor = NULL;
	return ms;
}

/* How long epoll_wait may sleep: ms, or -1 for as long as it takes. */
static int next_timeout(struct gw_loop *loop)
{
	uint64_t d;
	int ms;

	ms = run_hooks(loop, &loop->prepares);
	if (loop->stop || !link_empty(&loop->defers))
		return 0;
	if (loop->nheap) {
		d = loop->heap[0]->deadline;
		d = d > loop->now ? d - loop->now : 0;
		if (d > INT_MAX)
			d = INT_MAX;
		if (ms < 0 || (int)d < ms)
			ms = (int)d;
	}
	return ms;
}

/*
 * Deliver signo through the loop: h(signo, arg) runs as an fd handler.
 * Blocks signo in the calling thread's mask, so call it before creating
 * other threads (they inherit the mask; a thread with signo unblocked
 * would take it). EINVAL for SIGKILL, SIGSTOP and glibc's internal
 * signals, EALREADY if s is active or signo has a watcher already.
 */
int gw_loop_signal(struct gw_loop *loop, struct gw_signal *s, int signo,
		   gw_signal_h *h, void *arg)
{
	sigset_t one, old, mask;
	int err;

	if (!loop || !s || !h || signo <= 0 || signo >= _NSIG ||
	    signo == SIGKILL || signo == SIGSTOP)
		return EINVAL;
	if (s->signo || loop->sigs[signo])
		return EALREADY;
	sigemptyset(&one);
	if (sigaddset(&one, signo) < 0)
		return EINVAL;
	err = pthread_sigmask(SIG_BLOCK, &one, &old);
	if (err)
		return err;
	mask = loop->sig_mask;
	sigaddset(&mask, signo);
	if (signalfd(loop->sig_fd, &mask, 0) < 0) {
		err = errno;
		if (!sigismember(&old, signo))
			pthread_sigmask(SIG_UNBLOCK, &one, NULL);
		return err;
	}
	loop->sig_mask = mask;
	if (!sigismember(&old, signo))
		sigaddset(&loop->sig_blocked, signo);
	loop->sigs[signo] = s;
	s->signo = signo;
	s->h = h;
	s->arg = arg;
	return 0;
}

/*
 * Stop delivering s->signo; NULL-safe, idempotent. If the loop blocked the
 * signal it unblocks it, after discarding instances still pending: one
 * that arrived but was not read yet would otherwise get the default action
 * (for most signals: kill the process).
 */
void gw_loop_signal_stop(struct gw_loop *loop, struct gw_signal *s)
{
	static const struct timespec zero;
	sigset_t one;
	int signo;

	if (!s || !s->signo || loop->sigs[s->signo] != s)
		return;
	signo = s->signo;
	s->signo = 0;
	loop->sigs[signo] = NULL;
	sigdelset(&loop->sig_mask, signo);
	/* only EINVAL, impossible with our own signalfd */
	(void)signalfd(loop->sig_fd, &loop->sig_mask, 0);
	if (!sigismember(&loop->sig_blocked, signo))
		return;
	sigdelset(&loop->sig_blocked, signo);
	sigemptyset(&one);
	sigaddset(&one, signo);
	while (sigtimedwait(&one, NULL, &zero) == signo)
		;
	pthread_sigmask(SIG_UNBLOCK, &one, NULL);
}

static int turn(struct gw_loop *loop)
{
	int n, timeout;

	gw_loop_update_time(loop);
	timeout = next_timeout(loop);
	loop->st.last_timeout = timeout;
	n = epoll_wait(loop->epfd, loop->evs, GW_LOOP_MAX_EVENTS, timeout);
	if (n < 0) {
		if (errno != EINTR)
			return errno;
		n = 0;
	}
	gw_loop_update_time(loop);
	dispatch_fds(loop, n);
	run_hooks(loop, &loop->checks);
	run_timers(loop);
	run_defers(loop);
	loop->st.turns++;
	return 0;
}

/*
 * Run turns until gw_loop_stop(); 0 then, or epoll_wait's errno. EALREADY
 * when called from inside the loop. The loop can be run again afterwards.
 */
int gw_loop_run(struct gw_loop *loop)
{
	int err;

	if (!loop)
		return EINVAL;
	if (loop->running)
		return EALREADY;
	loop->running = true;
	do {
		err = turn(loop);
	} while (!err && !loop->stop);
	loop->stop = false;
	loop->running = false;
	return err;
}

/* A copy of the counters. */
void gw_loop_stats(const struct gw_loop *loop, struct gw_loop_stats *st)
{
	*st = loop->st;
	st->timers = loop->nheap;
}

/* One logfmt line of counters; EIO if f fails. */
int gw_loop_debug(const struct gw_loop *loop, FILE *f)
{
	const struct gw_loop_stats *st = &loop->st;
	long long next = -1;

	if (loop->nheap)
		next = loop->heap[0]->deadline > loop->now ?
			(long long)(loop->heap[0]->deadline - loop->now) : 0;
	if (fprintf(f, "loop: turns=%" PRIu64 " fds=%zu fd_events=%" PRIu64
		    " timers=%zu timers_max=%zu timers_fired=%" PRIu64
		    " next_timer_ms=%lld defers_run=%" PRIu64 " wakes=%" PRIu64
		    " signals=%" PRIu64 " last_timeout=%d\n",
		    st->turns, st->fds, st->fd_events, loop->nheap, st->timers_max,
		    st->timers_fired, next, st->defers_run, st->wakes, st->signals,
		    st->last_timeout) < 0)
		return EIO;
	return 0;
}

/*
 * Check the invariants: heap order and back-indices, slot table and free
 * list. 0 or EPROTO; O(n), for tests and debug builds.
 */
int gw_loop_verify(const struct gw_loop *loop)
{
	size_t i, used = 0, nfree = 0;
	uint32_t f;

	for (i = 0; i < loop->nheap; i++) {
		if (loop->heap[i]->idx != i + 1)
			return EPROTO;
		if (i > 0 && timer_less(loop->heap[i], loop->heap[(i - 1) / 2]))
			return EPROTO;
	}
	for (i = 0; i < loop->nslots; i++) {
		if (!loop->slots[i].w)
			continue;
		used++;
		if (loop->slots[i].w->slot != i + 1)
			return EPROTO;
	}
	for (f = loop->free_slot; f; f = loop->slots[f - 1].next_free)
		if (f > loop->nslots || ++nfree > loop->nslots || loop->slots[f - 1].w)
			return EPROTO;
	if (used != loop->st.fds || used + nfree != loop->nslots)
		return EPROTO;
	return 0;
}
