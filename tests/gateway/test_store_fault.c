/*
 * tests/gateway/test_store_fault.c — gateway/store*.c when things go wrong:
 * a process SIGKILLed around and inside a commit (forked children, real
 * files), corrupted files, a read-only file, a full disk, a file size
 * limit. Then two measurements, printed as TAP comments, never asserted as
 * durations: open + recovery scan of a 100 000-request file, and commit
 * throughput with synchronous NORMAL and FULL.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE     /* nftw in store_fixture.c, setresuid */
#endif
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "tests/pint/test_common.h"
#include "tests/gateway/store_fixture.h"

#define NOBODY 65534

/* A check inside a forked child: report and exit 1. */
#define CHECK(c) do { \
		if (!(c)) { \
			fprintf(stderr, "child: %s:%d: %s\n", __FILE__, __LINE__, #c); \
			_exit(1); \
		} \
	} while (0)

static const char sdp_500[] =
	"v=0\r\no=- 2890844526 2890842807 IN IP4 gw.example.com\r\ns=R2C\r\n"
	"c=TN RFC2543 +15555550199\r\nt=0 0\r\nm=audio 1 voice -\r\n"
	"a=phone-context:+1\r\na=lang:en\r\n"
	"a=x-pad:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	"0123456789abcdef0123456789abcdef0123456789abcdef\r\n";

static pid_t fork_child(void)
{
	pid_t pid;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	assert_true(pid >= 0);
	return pid;
}

static int wait_child(pid_t pid)
{
	int status;

	assert_int_equal(waitpid(pid, &status, 0), pid);
	return status;
}

static void assert_killed(int status)
{
	if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGKILL)
		fail_msg("child was not SIGKILLed: status %#x", status);
}

static void assert_exit0(int status)
{
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		fail_msg("child failed: status %#x", status);
}

static void kill_self(void)
{
	kill(getpid(), SIGKILL);
	_exit(99);
}

static struct gw_store *child_open(const char *dir, enum gw_store_sync sync)
{
	struct gw_store_opts o = { .sync = sync };
	struct gw_store *s = NULL;

	CHECK(gw_store_open(&s, dir, &o, NULL, 0) == 0);
	return s;
}

static int64_t count_owner(struct gw_store *s, const char *owner)
{
	char sql[128];

	snprintf(sql, sizeof(sql), "SELECT count(*) FROM requests WHERE owner = '%s'", owner);
	return fx_sql_int(s, sql);
}

static off_t file_size(const char *dir, const char *suffix)
{
	char path[320];
	struct stat sb;

	snprintf(path, sizeof(path), "%s/%s%s", dir, GW_STORE_FILE, suffix);
	return stat(path, &sb) == 0 ? sb.st_size : 0;
}

/* ---- crashes ---- */

/* SIGKILL right after gw_store_commit() returns: all 1000 are there. */
static void kill_after_commit(enum gw_store_sync sync)
{
	const char *dir = fx_tmp_dir();
	struct gw_store *s;
	pid_t pid;

	pid = fork_child();
	if (pid == 0) {
		s = child_open(dir, sync);
		fx_put_n(s, "k1", 0, 1000, sdp_500);
		CHECK(gw_store_commit(s) == 0);
		kill_self();
	}
	assert_killed(wait_child(pid));
	s = fx_open(dir, sync);
	assert_int_equal(fx_sql_int(s, "SELECT count(*) FROM requests"), 1000);
	assert_int_equal(fx_sql_int(s, "SELECT count(*) FROM requests WHERE sdp IS NOT NULL"), 1000);
	gw_store_free(s);
}

static void test_kill_after_commit_normal(void **state)
{
	(void)state;
	kill_after_commit(GW_STORE_SYNC_NORMAL);
}

static void test_kill_after_commit_full(void **state)
{
	(void)state;
	kill_after_commit(GW_STORE_SYNC_FULL);
}

/* Kills inside batch "b", after batch "a" (100) is committed. */
enum kill_point { KILL_MID_STATEMENTS, KILL_IN_COMMIT_HOOK, KILL_IN_CALLBACK };

static const char *kill_dir;
static off_t kill_wal_size;

/* Die only once the WAL holds frames of the open transaction: the crash
 * then leaves uncommitted pages on disk for recovery to ignore. */
static int progress_kill(void *arg)
{
	(void)arg;
	if (file_size(kill_dir, "-wal") > kill_wal_size)
		kill_self();
	return 0;
}

static int hook_kill(void *arg)
{
	(void)arg;
	kill_self();
	return 0;
}

static void callback_kill(int err, void *arg)
{
	(void)arg;
	CHECK(err == 0);
	kill_self();
}

static void kill_in_batch(enum kill_point point, int64_t want_b)
{
	const char *dir = fx_tmp_dir();
	struct gw_store *s;
	struct gw_store_req r;
	pid_t pid;

	pid = fork_child();
	if (pid == 0) {
		s = child_open(dir, GW_STORE_SYNC_NORMAL);
		fx_put_n(s, "a", 0, 100, sdp_500);
		CHECK(gw_store_commit(s) == 0);
		/* a small cache spills dirty pages into the WAL mid-transaction */
		CHECK(sqlite3_exec(gw_store_db(s), "PRAGMA cache_size = 8", NULL, NULL, NULL) == 0);
		kill_dir = dir;
		kill_wal_size = file_size(dir, "-wal");
		fx_req(&r, "rq_b_first", "b", "queued", T0);
		CHECK(gw_store_put_request(s, &r, point == KILL_IN_CALLBACK ? callback_kill : NULL,
					   NULL) == 0);
		fx_put_n(s, "b", 0, 2999, sdp_500);
		if (point == KILL_MID_STATEMENTS)
			sqlite3_progress_handler(gw_store_db(s), 1000, progress_kill, NULL);
		if (point == KILL_IN_COMMIT_HOOK)
			sqlite3_commit_hook(gw_store_db(s), hook_kill, NULL);
		gw_store_commit(s);
		_exit(2);       /* not killed: the test is void */
	}
	assert_killed(wait_child(pid));
	s = fx_open(dir, GW_STORE_SYNC_NORMAL);
	assert_int_equal(count_owner(s, "a"), 100);
	assert_int_equal(count_owner(s, "b"), want_b);
	assert_int_equal(fx_sql_int(s, "SELECT count(*) FROM pragma_quick_check WHERE quick_check <> 'ok'"), 0);
	gw_store_free(s);
}

static void test_kill_mid_batch(void **state)
{
	(void)state;
	kill_in_batch(KILL_MID_STATEMENTS, 0);
	kill_in_batch(KILL_IN_COMMIT_HOOK, 0);
	kill_in_batch(KILL_IN_CALLBACK, 3000);
}

/*
 * A child commits batches of 200 until the parent SIGKILLs it at an
 * arbitrary moment (counted from when the child has opened the store).
 * What survives is whole batches, in order: each present batch has its
 * 200 rows, and the batches present are 0..k-1.
 */
static void test_kill_random(void **state)
{
	static const unsigned delays_us[] = { 700, 13000, 29000, 61000, 127000, 251000, 409000 };
	struct gw_store *s;
	sqlite3_stmt *st;
	char owner[16], c;
	size_t i;
	int k, batches, total = 0, p[2];
	pid_t pid;

	(void)state;
	for (i = 0; i < sizeof(delays_us) / sizeof(delays_us[0]); i++) {
		const char *dir = fx_tmp_dir();

		assert_int_equal(pipe(p), 0);
		pid = fork_child();
		if (pid == 0) {
			s = child_open(dir, i % 2 ? GW_STORE_SYNC_FULL : GW_STORE_SYNC_NORMAL);
			CHECK(write(p[1], "o", 1) == 1);
			for (k = 0; k < 100000; k++) {
				snprintf(owner, sizeof(owner), "b%05d", k);
				fx_put_n(s, owner, 0, 200, sdp_500);
				CHECK(gw_store_commit(s) == 0);
			}
			_exit(0);
		}
		close(p[1]);
		assert_int_equal(read(p[0], &c, 1), 1);
		close(p[0]);
		usleep(delays_us[i]);
		kill(pid, SIGKILL);
		assert_killed(wait_child(pid));

		s = fx_open(dir, GW_STORE_SYNC_NORMAL);
		assert_int_equal(sqlite3_prepare_v2(gw_store_db(s),
			"SELECT owner, count(*) FROM requests GROUP BY owner ORDER BY owner",
			-1, &st, NULL), SQLITE_OK);
		for (batches = 0; sqlite3_step(st) == SQLITE_ROW; batches++) {
			snprintf(owner, sizeof(owner), "b%05d", batches);
			assert_string_equal((const char *)sqlite3_column_text(st, 0), owner);
			assert_int_equal(sqlite3_column_int(st, 1), 200);
		}
		sqlite3_finalize(st);
		printf("# killed %u us after open: %d whole batches\n", delays_us[i], batches);
		total += batches;
		gw_store_free(s);
	}
	assert_true(total > 0);         /* some kills did land between commits */
}

/* ---- corruption ---- */

static void write_file(const char *dir, const void *p, size_t len, off_t at, bool trunc)
{
	char path[320];
	int fd;

	fx_db_path(dir, path, sizeof(path));
	fd = open(path, O_WRONLY | O_CREAT | (trunc ? O_TRUNC : 0), 0600);
	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, p, len, at), (ssize_t)len);
	close(fd);
}

static void test_corrupt_header(void **state)
{
	static const char *const junk[] = {
		"hello, this is not a database",
		"SQLite format 3\0 but the rest of the header is nonsense............"
		"................................................................",
	};
	struct gw_store *s = NULL;
	char buf[16384], msg[GW_STORE_MSG_MAX];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(junk) / sizeof(junk[0]) + 1; i++) {
		const char *dir = fx_tmp_dir();

		if (i < sizeof(junk) / sizeof(junk[0])) {
			write_file(dir, junk[i], i ? 100 : strlen(junk[i]), 0, true);
		} else {
			memset(buf, 0x5a, sizeof(buf));
			write_file(dir, buf, sizeof(buf), 0, true);
		}
		assert_int_equal(gw_store_open(&s, dir, NULL, msg, sizeof(msg)), EBADMSG);
		assert_null(s);
		assert_non_null(strstr(msg, dir));
		if (!strstr(msg, "not a database") && !strstr(msg, "malformed"))
			fail_msg("unclear message: %s", msg);
	}
}

/*
 * Pages in the middle of a real file overwritten: quick_check at open
 * refuses it; without the check, the reads and writes that reach the
 * pages fail with EBADMSG, and nothing aborts.
 */
static void test_corrupt_pages(void **state)
{
	struct gw_store_opts check = { .check = true };
	struct gw_store_filter f = { .owner = "k1", .limit = GW_STORE_LIST_MAX };
	struct gw_store_page page = { 0 };
	const char *dir = fx_tmp_dir();
	struct gw_store *s = fx_open(dir, GW_STORE_SYNC_NORMAL);
	char buf[65536], cursor[GW_STORE_CURSOR_MAX] = "", msg[GW_STORE_MSG_MAX], id[32];
	struct gw_store_req r;
	off_t size;
	int err, i;

	(void)state;
	fx_put_n(s, "k1", 0, 2000, sdp_500);
	assert_int_equal(gw_store_commit(s), 0);
	gw_store_free(s);
	size = file_size(dir, "");
	assert_true(size > 4 * (off_t)sizeof(buf));
	memset(buf, 0xa5, sizeof(buf));
	write_file(dir, buf, sizeof(buf), size / 2 / 4096 * 4096, false);

	s = NULL;
	assert_int_equal(gw_store_open(&s, dir, &check, msg, sizeof(msg)), EBADMSG);
	assert_null(s);
	assert_non_null(strstr(msg, "quick_check"));

	s = fx_open(dir, GW_STORE_SYNC_NORMAL);
	do {
		f.cursor = cursor[0] ? cursor : NULL;
		err = gw_store_list(s, &f, &page);
		snprintf(cursor, sizeof(cursor), "%s", err ? "" : page.next_cursor);
		gw_store_page_clear(&page);
	} while (!err && cursor[0]);
	assert_int_equal(err, EBADMSG);
	assert_non_null(strstr(gw_store_errmsg(s), "malformed"));

	/* writes that reach the pages: EBADMSG through every callback */
	rec_reset();
	for (i = 0; i < 2000; i++) {
		snprintf(id, sizeof(id), "rq_k1_%06d", i);
		fx_req(&r, id, "k1", "completed", T0 + i);
		assert_int_equal(gw_store_update_request(s, &r, done_h, (void *)(intptr_t)i), 0);
	}
	assert_int_equal(gw_store_commit(s), EBADMSG);
	assert_int_equal(rec.n, 2000);
	for (i = 0; i < 2000; i++)
		assert_int_equal(rec.err[i], EBADMSG);
	gw_store_free(s);
}

/* ---- read-only, full, size limit ---- */

/* As an unprivileged user (root ignores file modes): the file opens, reads
 * work, writes come back as EROFS through the callback. */
static void test_read_only(void **state)
{
	const char *dir = fx_tmp_dir();
	struct gw_store *s = fx_open(dir, GW_STORE_SYNC_NORMAL);
	struct gw_store_req r, got = { 0 };
	char path[320];
	unsigned n;
	pid_t pid;

	(void)state;
	fx_put_n(s, "k1", 0, 10, NULL);
	assert_int_equal(gw_store_commit(s), 0);
	gw_store_free(s);
	fx_db_path(dir, path, sizeof(path));
	assert_int_equal(chmod(path, 0444), 0);

	pid = fork_child();
	if (pid == 0) {
		if (geteuid() == 0) {
			CHECK(chown(dir, NOBODY, NOBODY) == 0);
			CHECK(setresgid(NOBODY, NOBODY, NOBODY) == 0);
			CHECK(setresuid(NOBODY, NOBODY, NOBODY) == 0);
		}
		CHECK(access(path, W_OK) != 0);
		s = child_open(dir, GW_STORE_SYNC_NORMAL);
		CHECK(!gw_store_writable(s));
		CHECK(gw_store_get_request(s, "rq_k1_000003", "k1", &got) == 0);
		gw_store_req_clear(&got);
		rec_reset();
		fx_req(&r, "rq_new", "k1", "queued", T0);
		CHECK(gw_store_put_request(s, &r, done_h, (void *)1) == 0);
		CHECK(gw_store_put_request(s, &r, done_h, (void *)2) == 0);
		CHECK(gw_store_commit(s) == EROFS);
		CHECK(rec.n == 2 && rec.err[0] == EROFS && rec.err[1] == EROFS);
		CHECK(strstr(gw_store_errmsg(s), "readonly") != NULL);
		CHECK(gw_store_purge_idem(s, T0, &n) == EROFS);
		CHECK(fx_sql_int(s, "SELECT count(*) FROM requests") == 10);
		gw_store_free(s);
		_exit(0);
	}
	assert_exit0(wait_child(pid));
}

/* SQLite's page limit stands in for a full disk (SQLITE_FULL): the batch
 * is refused as a whole, the store goes on once there is room. */
static void test_disk_full(void **state)
{
	const char *dir = fx_tmp_dir();
	struct gw_store *s = fx_open(dir, GW_STORE_SYNC_NORMAL);
	struct gw_store_stats st;
	char sql[64];
	int i;

	(void)state;
	fx_put_n(s, "k1", 0, 10, NULL);
	assert_int_equal(gw_store_commit(s), 0);
	snprintf(sql, sizeof(sql), "PRAGMA max_page_count = %lld",
		 (long long)fx_sql_int(s, "PRAGMA page_count") + 3);
	assert_int_equal(sqlite3_exec(gw_store_db(s), sql, NULL, NULL, NULL), SQLITE_OK);

	rec_reset();
	for (i = 0; i < 2; i++) {
		fx_put_n(s, "k2", 0, 300, sdp_500);
		assert_int_equal(gw_store_put_request(s, &(struct gw_store_req){ .id = S("rq_x"),
			.owner = S("k3"), .service = S("fax"), .status = S("queued") },
			done_h, (void *)(intptr_t)i), 0);
		assert_int_equal(gw_store_commit(s), ENOSPC);
	}
	assert_int_equal(rec.n, 2);
	assert_int_equal(rec.err[0], ENOSPC);
	assert_int_equal(rec.err[1], ENOSPC);
	assert_non_null(strstr(gw_store_errmsg(s), "full"));
	assert_int_equal(fx_sql_int(s, "SELECT count(*) FROM requests"), 10);
	gw_store_stats(s, &st);
	assert_int_equal(st.failed_commits, 2);
	assert_int_equal(st.failed_writes, 602);

	assert_int_equal(sqlite3_exec(gw_store_db(s), "PRAGMA max_page_count = 1073741823",
				      NULL, NULL, NULL), SQLITE_OK);
	fx_put_n(s, "k2", 0, 300, sdp_500);
	assert_int_equal(gw_store_commit(s), 0);
	assert_int_equal(fx_sql_int(s, "SELECT count(*) FROM requests"), 310);
	gw_store_free(s);
	s = fx_open(dir, GW_STORE_SYNC_NORMAL);
	assert_int_equal(fx_sql_int(s, "SELECT count(*) FROM pragma_quick_check WHERE quick_check <> 'ok'"), 0);
	assert_int_equal(fx_sql_int(s, "SELECT count(*) FROM requests"), 310);
	gw_store_free(s);
}

/* A real write(2) failure (EFBIG past RLIMIT_FSIZE, in a child: the limit
 * is per process): EIO through the callbacks (ENOSPC if SQLite saw a short
 * write), no abort, and the store works again once the limit is lifted. */
static void test_file_size_limit(void **state)
{
	const char *dir = fx_tmp_dir();
	struct rlimit rl;
	struct gw_store *s;
	off_t cap;
	int err;
	pid_t pid;

	(void)state;
	pid = fork_child();
	if (pid == 0) {
		s = child_open(dir, GW_STORE_SYNC_FULL);
		fx_put_n(s, "k1", 0, 10, NULL);
		CHECK(gw_store_commit(s) == 0);
		signal(SIGXFSZ, SIG_IGN);
		cap = file_size(dir, "-wal");
		if (file_size(dir, "") > cap)
			cap = file_size(dir, "");
		CHECK(getrlimit(RLIMIT_FSIZE, &rl) == 0);
		rl.rlim_cur = (rlim_t)cap + 8192;
		CHECK(setrlimit(RLIMIT_FSIZE, &rl) == 0);

		rec_reset();
		fx_put_n(s, "k2", 0, 500, sdp_500);
		CHECK(gw_store_put_request(s, &(struct gw_store_req){ .id = S("rq_x"),
			.owner = S("k3"), .service = S("fax"), .status = S("queued") },
			done_h, (void *)1) == 0);
		err = gw_store_commit(s);
		rl.rlim_cur = rl.rlim_max;
		CHECK(setrlimit(RLIMIT_FSIZE, &rl) == 0);
		CHECK(err == EIO || err == ENOSPC);
		CHECK(strstr(gw_store_errmsg(s), "commit") != NULL);
		CHECK(rec.n == 1 && rec.err[0] == err);
		CHECK(fx_sql_int(s, "SELECT count(*) FROM requests") == 10);

		fx_put_n(s, "k2", 0, 500, sdp_500);
		CHECK(gw_store_commit(s) == 0);
		gw_store_free(s);
		s = child_open(dir, GW_STORE_SYNC_FULL);
		CHECK(fx_sql_int(s, "SELECT count(*) FROM requests") == 510);
		CHECK(fx_sql_int(s, "SELECT count(*) FROM pragma_quick_check WHERE quick_check <> 'ok'") == 0);
		gw_store_free(s);
		_exit(0);
	}
	assert_exit0(wait_child(pid));
}

/* ---- upkeep ---- */

static void test_checkpoint(void **state)
{
	const char *dir = fx_tmp_dir();
	struct gw_store *s = fx_open(dir, GW_STORE_SYNC_NORMAL);

	(void)state;
	fx_put_n(s, "k1", 0, 200, sdp_500);
	assert_int_equal(gw_store_commit(s), 0);
	assert_true(file_size(dir, "-wal") > 100 * 1024);
	assert_int_equal(gw_store_checkpoint(s), 0);
	assert_int_equal(file_size(dir, "-wal"), 0);
	assert_int_equal(fx_sql_int(s, "SELECT count(*) FROM requests"), 200);
	gw_store_free(s);
}

/* ---- measurements ---- */

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void realistic(struct gw_store_req *r, const char *id, int i)
{
	fx_req(r, id, i % 3 ? "key-a" : "key-b", i % 100 ? "completed" : "active",
	       T0 + i * 10);
	r->to_input = S("+1 555 555 0199");
	r->to_number = S("+15555550199");
	r->from_input = S("+1-555-555-0100");
	r->from_number = S("+15555550100");
	r->client_state = S("order-4711");
	r->info = S("call connected");
	r->outcome = i % 100 ? S("{\"code\":\"ok\",\"sip_code\":200,\"by\":\"gateway\"}") : NULL;
	r->gateway = S("pint-east");
	r->call_id = S("a84b4c76e66710@pintgw.example.com");
	r->last_code = 200;
	r->last_seq = 5;
	r->sdp = S(sdp_500);
	r->spec = S("{\"service\":\"call\",\"to\":\"+15555550199\",\"from\":\"+15555550100\","
		    "\"track\":true,\"ring_timeout\":30,\"client_state\":\"order-4711\"}");
}

static int count_h(struct gw_store_req *r, void *arg)
{
	(void)r;
	(*(int *)arg)++;
	return 0;
}

static void test_measure_open_scan(void **state)
{
	struct gw_store_opts check = { .check = true };
	const char *dir = fx_tmp_dir();
	struct gw_store *s = fx_open(dir, GW_STORE_SYNC_NORMAL);
	struct gw_store_req r;
	char id[32];
	double t0, t1, t2;
	int i, live;

	(void)state;
	t0 = now_s();
	for (i = 0; i < 100000; i++) {
		snprintf(id, sizeof(id), "rq_%08d", i);
		realistic(&r, id, i);
		assert_int_equal(gw_store_put_request(s, &r, NULL, NULL), 0);
		if (i % 1000 == 999)
			assert_int_equal(gw_store_commit(s), 0);
	}
	gw_store_free(s);
	t1 = now_s();
	printf("# 100000 requests written in %.2f s, file %.1f MiB\n", t1 - t0,
	       (double)file_size(dir, "") / 1048576.0);

	for (i = 0; i < 2; i++) {
		t0 = now_s();
		s = NULL;
		assert_int_equal(gw_store_open(&s, dir, i ? &check : NULL, NULL, 0), 0);
		t1 = now_s();
		live = 0;
		assert_int_equal(gw_store_scan_live(s, count_h, &live), 0);
		t2 = now_s();
		assert_int_equal(live, 1000);
		printf("# open%s %.1f ms + recovery scan of %d live requests %.1f ms\n",
		       i ? " with quick_check" : "", (t1 - t0) * 1e3, live, (t2 - t1) * 1e3);
		gw_store_free(s);
	}
}

static void measure_commit(enum gw_store_sync sync, const char *name)
{
	const char *dir = fx_tmp_dir();
	struct gw_store *s = fx_open(dir, sync);
	struct gw_store_event ev = { .seq = 1, .status = S("queued"), .at = T0 };
	struct gw_store_req r;
	double t, total = 0, worst = 0;
	char id[32];
	int b, i;

	for (b = 0; b < 20; b++) {
		for (i = 0; i < 1000; i++) {
			snprintf(id, sizeof(id), "rq_%02d_%04d", b, i);
			realistic(&r, id, i);
			r.status = S("queued");
			assert_int_equal(gw_store_put_request(s, &r, NULL, NULL), 0);
			ev.request_id = id;
			assert_int_equal(gw_store_append_event(s, &ev, NULL, NULL), 0);
		}
		t = now_s();
		assert_int_equal(gw_store_commit(s), 0);
		t = now_s() - t;
		total += t;
		worst = t > worst ? t : worst;
	}
	assert_int_equal(fx_sql_int(s, "SELECT count(*) FROM events"), 20000);
	printf("# commit, synchronous %s: 20 batches of 1000 requests + 1000 events,"
	       " mean %.1f ms, worst %.1f ms, %.0f requests/s\n",
	       name, total / 20 * 1e3, worst * 1e3, 20000 / total);
	gw_store_free(s);
}

static void test_measure_commit(void **state)
{
	(void)state;
	measure_commit(GW_STORE_SYNC_NORMAL, "NORMAL");
	measure_commit(GW_STORE_SYNC_FULL, "FULL");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		leakcheck_test(test_kill_after_commit_normal),
		leakcheck_test(test_kill_after_commit_full),
		leakcheck_test(test_kill_mid_batch),
		leakcheck_test(test_kill_random),
		leakcheck_test(test_corrupt_header),
		leakcheck_test(test_corrupt_pages),
		leakcheck_test(test_read_only),
		leakcheck_test(test_disk_full),
		leakcheck_test(test_file_size_limit),
		leakcheck_test(test_checkpoint),
		leakcheck_test(test_measure_open_scan),
		leakcheck_test(test_measure_commit),
	};

	return cmocka_run_group_tests_name("gateway/store faults", tests, NULL, fx_remove_dirs);
}
