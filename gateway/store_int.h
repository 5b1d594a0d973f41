/*
 * gateway/store_int.h — what gateway/store.c (connection, schema, upkeep),
 * store_commit.c (write queue, group commit) and store_query.c (reads)
 * share, and the seams the tests use: the migration list and the raw
 * connection. SQLite's types are named by their struct tags so that only
 * the .c files include sqlite3.h (tests/lint/check-layers.sh).
 */
#ifndef GW_STORE_INT_H
#define GW_STORE_INT_H

#include <pthread.h>

#include "gateway/loop.h"
#include "gateway/store.h"

struct sqlite3;
struct sqlite3_stmt;

/* One schema step: version N's SQL, applied to a database at N - 1. */
struct gw_store_migration {
	int version;
	const char *sql;
};

extern const struct gw_store_migration gw_store_migrations[];
extern const size_t gw_store_nmigrations;

/* How a row struct maps to its table: column i is SQL parameter i + 1. */
enum gw_store_coltype {
	COL_TEXT,       /* char *, NULL = NULL */
	COL_I64,        /* int64_t */
	COL_INT,        /* int */
	COL_TIME,       /* int64_t, 0 = NULL */
	COL_CODE,       /* int, 0 = NULL */
	COL_U32,        /* uint32_t */
	COL_U32N,       /* uint32_t, 0 = NULL */
	COL_HASH,       /* uint8_t[GW_STORE_HASH_LEN] as a BLOB */
	COL_DLV,        /* enum gw_store_dlv_state as its name */
};

struct gw_store_col {
	const char *name;
	size_t off;
	enum gw_store_coltype type;
	bool fixed;     /* key or immutable: not in UPDATE's SET */
	bool keep;      /* UPDATE: NULL leaves the stored value */
	bool side;      /* requests.spec: in its own table (store.c) */
};

#define GW_STORE_MAX_COLS 32     /* columns in one table */

struct gw_store_table {
	const char *name;
	const struct gw_store_col *cols;
	size_t ncols;
	size_t size;    /* of the row struct */
};

extern const struct gw_store_table gw_store_t_req;
extern const struct gw_store_table gw_store_t_event;
extern const struct gw_store_table gw_store_t_idem;
extern const struct gw_store_table gw_store_t_dlv;
extern const struct gw_store_table gw_store_t_click;

/* Cached statements, prepared at open. */
enum gw_store_st {
	ST_BEGIN,
	ST_COMMIT,
	ST_ROLLBACK,
	ST_PUT_REQ,
	ST_UPD_REQ,
	ST_PUT_SPEC,
	ST_PUT_EVENT,
	ST_PUT_IDEM,
	ST_PUT_DLV,
	ST_GET_REQ,
	ST_EVENTS,
	ST_GET_IDEM,
	ST_PURGE_IDEM,
	ST_SCAN_LIVE,
	ST_SCAN_DUE,
	ST_NEXT_START,
	ST_DUE_DLV,
	ST_NEXT_DLV,
	ST_DLVS,
	ST_PUT_CLICK,
	ST_SCAN_CLICK,
	ST_PURGE_CLICK,
	ST_SCAN_DIALS,
	ST_COUNT
};

/* List statements by which optional filters are present. */
enum {
	LIST_STATUS = 1 << 0,
	LIST_SERVICE = 1 << 1,
	LIST_TO = 1 << 2,
	LIST_AFTER = 1 << 3,
	LIST_BEFORE = 1 << 4,
	LIST_CURSOR = 1 << 5,
	LIST_VARIANTS = 1 << 6,
};

enum gw_store_wkind { W_PUT_REQ, W_UPD_REQ, W_EVENT, W_IDEM, W_DLV, W_CLICK };

struct gw_store_write {
	enum gw_store_wkind kind;
	int err;                        /* this write's own outcome */
	size_t fold;                    /* 1 + the write it was folded into, or 0 */
	gw_store_done_h *h;
	void *arg;
	char *mem;                      /* u's strings (gw_store_row_pack) */
	union {
		struct gw_store_req req;
		struct gw_store_event ev;
		struct gw_store_idem idem;
		struct gw_store_delivery dlv;
		struct gw_store_click_use click;
	} u;
};

/* A drained queue array is kept for the next turn up to this many slots;
 * a bigger one (a bulk import) is given back. */
#define GW_STORE_SPARE_MAX 4096u

/*
 * The queue of one transaction. rows maps a request id to the last write
 * of its row in the queue (1 + index, 0 = empty slot; open addressing,
 * nrows < nslot / 2): an update of a row already queued is folded into
 * that write, so a request that changes twice before a commit is written
 * once.
 */
struct gw_store_queue {
	struct gw_store_write *v;
	size_t n;
	size_t cap;
	size_t *rows;
	size_t nslot;                   /* 0 or a power of two */
	size_t nrows;
};

/* The checkpointer thread (store_ckpt.c); mu guards want, stop and the
 * counts, db is the thread's own. */
struct gw_store_ckpt {
	bool running;
	pthread_t thr;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool want, stop;
	struct sqlite3 *db;
	unsigned frames;                /* WAL frames that call for one */
	uint64_t runs, failed;
};

struct gw_store_writer;

struct gw_store {
	struct sqlite3 *db;
	char *path;
	struct gw_loop *loop;
	struct gw_defer defer;          /* the group-commit point */
	struct gw_timer hold;           /* ... or, within interval_ms of the
					 * last commit, this */
	unsigned interval_ms;
	uint64_t last_commit_ms;        /* loop time */
	struct gw_store_queue q;        /* writes of this turn */
	struct gw_store_queue spare;    /* a drained queue kept for its array */
	bool busy;                      /* a scan or a commit is stepping */
	struct sqlite3_stmt *st[ST_COUNT];
	struct sqlite3_stmt *list_st[LIST_VARIANTS];
	struct gw_store_stats stats;
	struct gw_store_ckpt ckpt;
	struct gw_store_writer *wr;     /* NULL: commits on the loop */
	struct gw_store_opts opts;      /* as opened */
	char msg[GW_STORE_MSG_MAX];
};

/* Open with a given migration list (versions 1..n in order). */
int gw_store_open_schema(struct gw_store **storep, const char *state_dir,
			 const struct gw_store_opts *opts,
			 const struct gw_store_migration *migs, size_t nmigs,
			 char *msg, size_t msgsize);
struct sqlite3 *gw_store_db(struct gw_store *s);

int gw_store_open_conn(const struct gw_store *s, struct gw_store **connp);

/* store_commit.c */
int gw_store_run_batch(struct gw_store *s, struct gw_store_queue *q);
void gw_store_take(struct gw_store *s, struct gw_store_queue *q);
void gw_store_finish(struct gw_store *s, struct gw_store_queue *q, int err);
void gw_store_schedule(struct gw_store *s);

/* store_writer.c */
int gw_store_writer_start(struct gw_store *s, struct gw_loop *loop);
void gw_store_writer_stop(struct gw_store *s, struct gw_loop *loop, bool call);
size_t gw_store_writer_out(const struct gw_store *s);
void gw_store_writer_kick(struct gw_store *s);
struct gw_store *gw_store_writer_idle(struct gw_store *s);

/* store_ckpt.c */
int gw_store_thread(pthread_t *thr, const char *name, void *(*fn)(void *),
		    void *arg);
int gw_store_ckpt_start(struct gw_store *s, enum gw_store_sync sync, unsigned frames);
void gw_store_ckpt_stop(struct gw_store *s);
void gw_store_ckpt_counts(const struct gw_store *s, uint64_t *runs, uint64_t *failed);
void gw_store_ckpt_hook(struct gw_store *s, struct gw_store *conn);

/* store.c */
#define GW_STORE_FIELD(row, col, type) ((type *)(void *)((char *)(row) + (col)->off))
extern const char *const gw_store_dlv_names[GW_STORE_DLV_FAILED + 1];
int gw_store_errno(struct sqlite3 *db, int rc);
int gw_store_fail(struct gw_store *s, int rc, const char *what);
int gw_store_prepare(struct gw_store *s, const char *sql, struct sqlite3_stmt **stp);
int gw_store_sql_append(char *buf, size_t size, const char *s);
int gw_store_sql_cols(char *buf, size_t size, const struct gw_store_table *t, bool select);
int gw_store_step_reset(struct sqlite3_stmt *st);
char *gw_store_strcopy(const char *src, size_t len);
void gw_store_row_clear(const struct gw_store_table *t, void *row);
int gw_store_row_pack(const struct gw_store_table *t, void *dst, const void *src,
		      bool upd, char **mem);
void gw_store_row_unpack(const struct gw_store_table *t, void *row, char **mem);

/* store_commit.c */
int gw_store_prepare_writes(struct gw_store *s);
void gw_store_queue_drop(struct gw_store_queue *q);

/* store_query.c */
int gw_store_prepare_reads(struct gw_store *s);
int gw_store_row_read(struct sqlite3_stmt *st, const struct gw_store_table *t, void *row);

#endif
