/*
 * gateway/store.h — durable state in one SQLite file (WAL): requests,
 * their events, idempotency keys, webhook deliveries and the uses of
 * click tokens.
 *
 * The store owns its connection and its queue of pending writes. Row structs
 * are plain C; their strings are heap copies owned by the struct and freed by
 * the matching *_clear(). Writes copy their input and are committed together,
 * one transaction per loop turn (group commit); reads see committed state
 * only, so a reply that depends on a write waits for that write's callback.
 */
#ifndef GW_STORE_H
#define GW_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct gw_loop;
struct gw_store;

#define GW_STORE_FILE "pintgw.db"       /* in the state directory */
#define GW_STORE_ID_MAX 64u             /* request id, bytes */
#define GW_STORE_HASH_LEN 32u           /* idempotency body hash (SHA-256) */
#define GW_STORE_IDEM_TTL_MS (24ll * 3600 * 1000)
#define GW_STORE_LIST_MAX 200u          /* rows per list page */
#define GW_STORE_EVENTS_MAX 1000u       /* events per read */
#define GW_STORE_CURSOR_MAX 128u        /* next_cursor, NUL included */
#define GW_STORE_MSG_MAX 512u           /* error text, NUL included */
#define GW_STORE_BUSY_TIMEOUT_MS 5000u
/* WAL pages (4 KiB each) that start a checkpoint. 10 000 halved the
 * checkpointer's CPU per request (a page rewritten by many commits is
 * copied once), but raised p99 create latency at half the bench load
 * from 2.5-5.4 ms to 11.6-20.6 ms; 3 000 gave 6.8-9.5 ms. */
#define GW_STORE_AUTOCHECKPOINT 1000u
#define GW_STORE_WAL_LIMIT (64u << 20)  /* WAL bytes kept after a checkpoint */
#define GW_STORE_HOLD_MAX 256u          /* queued writes that commit at once */

enum gw_store_sync {
	GW_STORE_SYNC_NORMAL = 0,       /* WAL: survives a crash of pintgw */
	GW_STORE_SYNC_FULL,             /* and a power cut; fsync per commit */
};

struct gw_store_opts {
	enum gw_store_sync sync;
	unsigned busy_timeout_ms;       /* 0 = GW_STORE_BUSY_TIMEOUT_MS */
	unsigned autocheckpoint;        /* 0 = GW_STORE_AUTOCHECKPOINT */
	bool check;                     /* PRAGMA quick_check at open (O(size)) */
	unsigned commit_interval_ms;    /* on a loop: at most one commit per this
					 * many ms (0 = one per turn), unless
					 * GW_STORE_HOLD_MAX writes wait */
	bool bg_writer;                 /* on a loop: commits on a thread of the
					 * store's own (store_writer.c) */
	bool bg_checkpoint;             /* checkpoints on a thread of the store's
					 * own, not inside a commit (store_ckpt.c);
					 * if it cannot start, SQLite's own */
};

/*
 * A service request. Times are ms since the epoch; start_at, stop_at = 0,
 * last_code = 0 and cseq = 0 are SQL NULL, and so is a NULL string. id,
 * owner, service and status are required. status is the API's status name;
 * the store knows that completed, failed, canceled and expired are
 * terminal. outcome, spec and webhook are JSON text, opaque to the store.
 * call_id, from_tag, cseq, sess_id and branch are the SIP identities of
 * the INVITE: written with "sending" before it leaves, so that recovery
 * can send the same request again (with the same Via branch, as a
 * retransmission of it).
 *
 * gw_store_update_request rewrites every mutable column from the struct,
 * NULL included, except spec and sdp: there NULL leaves the stored value
 * as it is, so an update cannot clear them. What a create fixes (id,
 * owner, service, created_at, start_at, stop_at, the to/from input and
 * number, client_state, webhook) is never rewritten, and an update need
 * not carry it. A spec may be ~1 MB with
 * inline content: it is kept apart from the row, and an update with a
 * NULL spec neither copies nor writes it again.
 */
struct gw_store_req {
	char *id;
	char *owner;
	char *service;
	char *status;
	int64_t created_at;
	int64_t updated_at;
	int64_t start_at;
	int64_t stop_at;
	char *to_input;
	char *to_number;
	char *from_input;
	char *from_number;
	char *client_state;
	char *info;
	char *outcome;
	char *gateway;
	char *call_id;
	char *from_tag;         /* the INVITE's From tag */
	uint32_t cseq;          /* the INVITE's CSeq */
	char *sess_id;          /* SDP o= session id */
	char *branch;           /* the INVITE's Via branch (z9hG4bK…) */
	int last_code;
	char *warning;
	uint32_t last_seq;
	char *sdp;              /* the INVITE's SDP, to re-SUBSCRIBE; update: NULL keeps */
	char *spec;             /* the normalised request; update: NULL keeps */
	uint32_t attempt;
	char *webhook;
};

/* One status change; seq counts from 1 per request. sip is JSON or NULL. */
struct gw_store_event {
	char *request_id;
	uint32_t seq;
	int64_t at;
	char *status;
	char *info;
	char *sip;
};

/* A stored reply to replay for the same Idempotency-Key and body. */
struct gw_store_idem {
	char *owner;
	char *key;
	uint8_t body_hash[GW_STORE_HASH_LEN];
	int status_code;
	char *response;
	int64_t created_at;
};

enum gw_store_dlv_state {
	GW_STORE_DLV_PENDING = 0,       /* next attempt at next_at */
	GW_STORE_DLV_DONE,              /* 2xx received */
	GW_STORE_DLV_FAILED,            /* attempts used up */
};

/* The webhook delivery of one event (request_id, seq). last_code 0 = NULL. */
struct gw_store_delivery {
	char *request_id;
	uint32_t seq;
	uint32_t attempt;
	enum gw_store_dlv_state state;
	int64_t next_at;
	int last_code;
	char *last_error;
	int64_t updated_at;
};

/*
 * Uses of one click token (by its jti), queued with the request a click
 * made so that both are in one transaction. A write adds uses to the
 * stored count; the row may be purged once expires_at (the token's exp,
 * Unix seconds) has passed.
 */
struct gw_store_click_use {
	char *jti;
	char *owner;                    /* the key that signed the token */
	uint32_t uses;
	int64_t expires_at;
};

/* List filters; NULL / 0 = no filter. Times are exclusive bounds. */
struct gw_store_filter {
	const char *owner;              /* required */
	const char *status;
	const char *service;
	const char *to;                 /* matches to_number */
	int64_t created_after;
	int64_t created_before;
	size_t limit;                   /* 1 .. GW_STORE_LIST_MAX */
	const char *cursor;             /* a previous next_cursor, NULL = first page */
};

/* A list page, newest first; next_cursor is "" on the last page. */
struct gw_store_page {
	struct gw_store_req *v;
	size_t n;
	char next_cursor[GW_STORE_CURSOR_MAX];
};

struct gw_store_events {
	struct gw_store_event *v;
	size_t n;
};

struct gw_store_deliveries {
	struct gw_store_delivery *v;
	size_t n;
};

struct gw_store_stats {
	uint64_t commits;               /* transactions committed */
	uint64_t failed_commits;        /* transactions rolled back */
	uint64_t writes;                /* writes handed to a transaction */
	uint64_t folded;                /* row updates merged into an earlier write */
	uint64_t failed_writes;         /* writes whose callback got an error */
	size_t batch_max;               /* most writes in one transaction */
	uint64_t checkpoints;           /* by the checkpointer thread */
	uint64_t checkpoints_busy;      /* … that could not run */
	size_t pending;                 /* not committed yet (queued, or with
					 * the writer thread) */
};

/*
 * err: 0 once the write is on disk (per the sync setting); else a positive
 * errno: ENOSPC disk full, EROFS read-only, EBADMSG corrupt file, EIO (or
 * the system's errno) for other I/O errors, EBUSY locked by another
 * process, ENOMEM; for this write alone EEXIST (duplicate key) or ENOENT
 * (unknown request or event).
 */
typedef void (gw_store_done_h)(int err, void *arg);
/* Scan callbacks own the row for the call: they may take its strings
 * (setting the fields NULL); the store clears the rest. Non-zero stops
 * the scan, which then returns that value. */
typedef int (gw_store_req_h)(struct gw_store_req *req, void *arg);
typedef int (gw_store_dlv_h)(struct gw_store_delivery *dlv, void *arg);
typedef int (gw_store_click_h)(struct gw_store_click_use *u, void *arg);
/* A request's to_number (E.164) and created_at, for the dial counters. */
typedef int (gw_store_dial_h)(const char *number, int64_t at, void *arg);

/* Lifetime */
int gw_store_open(struct gw_store **storep, const char *state_dir,
		  const struct gw_store_opts *opts, char *msg, size_t msgsize);
void gw_store_free(struct gw_store *s);
void gw_store_attach(struct gw_store *s, struct gw_loop *loop);
const char *gw_store_errmsg(const struct gw_store *s);
bool gw_store_writable(const struct gw_store *s);
void gw_store_stats(const struct gw_store *s, struct gw_store_stats *st);

/* Writes: queued (copied), committed together */
int gw_store_put_request(struct gw_store *s, const struct gw_store_req *req,
			 gw_store_done_h *h, void *arg);
int gw_store_update_request(struct gw_store *s, const struct gw_store_req *req,
			    gw_store_done_h *h, void *arg);
int gw_store_append_event(struct gw_store *s, const struct gw_store_event *ev,
			  gw_store_done_h *h, void *arg);
int gw_store_put_idem(struct gw_store *s, const struct gw_store_idem *idem,
		      gw_store_done_h *h, void *arg);
int gw_store_put_delivery(struct gw_store *s, const struct gw_store_delivery *dlv,
			  gw_store_done_h *h, void *arg);
int gw_store_add_click_use(struct gw_store *s, const struct gw_store_click_use *u,
			   gw_store_done_h *h, void *arg);
int gw_store_commit(struct gw_store *s);

/* Reads: committed state */
int gw_store_get_request(struct gw_store *s, const char *id, const char *owner,
			 struct gw_store_req *req);
int gw_store_list(struct gw_store *s, const struct gw_store_filter *f,
		  struct gw_store_page *page);
int gw_store_events(struct gw_store *s, const char *request_id, uint32_t after_seq,
		    size_t limit, struct gw_store_events *evs);
int gw_store_get_idem(struct gw_store *s, const char *owner, const char *key,
		      int64_t now_ms, struct gw_store_idem *idem);
int gw_store_scan_live(struct gw_store *s, gw_store_req_h *h, void *arg);
int gw_store_scan_due(struct gw_store *s, int64_t now_ms, size_t limit,
		      gw_store_req_h *h, void *arg);
int gw_store_scan_dials(struct gw_store *s, int64_t since_ms,
			gw_store_dial_h *h, void *arg);
int gw_store_next_start(struct gw_store *s, int64_t *atp);
int gw_store_due_deliveries(struct gw_store *s, int64_t now_ms, size_t limit,
			    gw_store_dlv_h *h, void *arg);
int gw_store_next_delivery(struct gw_store *s, int64_t *atp);
int gw_store_deliveries(struct gw_store *s, const char *request_id,
			uint32_t after_seq, size_t limit,
			struct gw_store_deliveries *out);
int gw_store_scan_click_uses(struct gw_store *s, int64_t now_s,
			     gw_store_click_h *h, void *arg);

/* Upkeep, for idle times */
int gw_store_checkpoint(struct gw_store *s);
int gw_store_purge_idem(struct gw_store *s, int64_t now_ms, unsigned *countp);
int gw_store_purge_click_uses(struct gw_store *s, int64_t now_s,
			      unsigned *countp);

/* Rows */
void gw_store_req_clear(struct gw_store_req *req);
/* A read-only copy of src whose strings share one block, *mem (NULL when
 * it has none); free it with gw_store_req_unpack(). 0 or ENOMEM. */
int gw_store_req_pack(struct gw_store_req *dst, const struct gw_store_req *src, char **mem);
void gw_store_req_unpack(struct gw_store_req *req, char **mem);
int gw_store_event_pack(struct gw_store_event *dst, const struct gw_store_event *src,
			char **mem);
void gw_store_event_unpack(struct gw_store_event *ev, char **mem);
void gw_store_event_clear(struct gw_store_event *ev);
void gw_store_idem_clear(struct gw_store_idem *idem);
void gw_store_delivery_clear(struct gw_store_delivery *dlv);
void gw_store_page_clear(struct gw_store_page *page);
void gw_store_events_clear(struct gw_store_events *evs);
void gw_store_deliveries_clear(struct gw_store_deliveries *d);
void gw_store_click_use_clear(struct gw_store_click_use *u);

#endif
