/*
 * gateway/requests_int.h — shared by gateway/requests.c (table, create,
 * scheduling, lifetime), requests_event.c (SIP events, recording,
 * publication), requests_cancel.c (DELETE) and requests_recover.c
 * (call identities, restart) and requests_fetch.c (content fetched
 * before the INVITE). Not for other files.
 *
 * The gw_reqs owns its live requests (struct rq), the publications that
 * wait for their commit (struct pub) and the cancel answers that wait for
 * their turn (struct cancel_op). A rq owns its row copy, its spec and its
 * timer; it is freed after the commit of its terminal event.
 */
#ifndef GW_REQUESTS_INT_H
#define GW_REQUESTS_INT_H

#include <stddef.h>

#include "gateway/fetch.h"
#include "gateway/requests.h"
#include "pint/hash.h"
#include "pint/status.h"

#define RQ_TEXT_SIZE PINT_STATUS_TEXT_SIZE      /* info and warning texts */
#define RQ_ID_SIZE (PINT_UA_ID_MAX + 1u)        /* a Call-ID, tag, sess id, branch */

struct rq_fetch;                        /* requests_fetch.c */

/* One live (non-terminal) request. */
struct rq {
	struct pint_hash_node id_node;
	struct pint_hash_node ref_node;
	struct gw_reqs *r;
	uint64_t ref;                   /* gw_sip's name for the call */
	enum pint_status status;        /* of the last recorded event */
	struct gw_store_req row;        /* as last written; spec NULL while
					 * spec is built (spec->json then) */
	struct gw_spec *spec;           /* NULL until needed (recovered), and
					 * again once the call has started */
	struct pint_svc_req svc;        /* views into spec for the call's start */
	struct gw_timer timer;          /* start_at, or stop_at while held */
	gw_reqs_created_h *created_h;
	void *created_arg;
	struct gw_link cancels;         /* cancel_op waiting for the SIP side */
	struct pub *end_pub;            /* the terminal event's, until commit */
	struct pub *last_pub;           /* the latest event's, until commit */
	struct gw_link reap;            /* on r->reap once dead */
	struct rq_fetch *fetch;         /* its content fetch, NULL: none */
	bool scheduled;                 /* timer set for start_at (stats) */
	bool in_sip;                    /* gw_sip knows ref */
	bool starting;                  /* "sending" queued: the call starts
					 * at its commit */
	bool resend;                    /* recovered "sending": send it again
					 * on the next turn, same identities */
	bool resent;                    /* this run's attempt is such a resend */
	bool canceling;                 /* gw_sip_call_cancel under way */
	bool ended;                     /* terminal event queued */
	bool dead;                      /* to be freed at the turn end */
};

/* An event (or the create) waiting for its commit. */
struct pub {
	struct gw_link link;            /* on r->pubs */
	struct gw_reqs *r;
	uint64_t ref;
	bool created;                   /* the create's put + "queued" */
	bool terminal;
	enum pint_outcome outcome;      /* terminal only */
	bool start;                     /* start the call at this commit */
	struct gw_store_req row;        /* snapshot (no spec, no sdp) */
	char *row_mem;                  /* row's strings (gw_rq_row_dup) */
	struct gw_store_event ev;
	char *ev_mem;                   /* ev's strings (gw_store_event_pack) */
	struct gw_link cancels;         /* cancel_op answered at the commit */
};

/* A DELETE waiting for its answer. */
struct cancel_op {
	struct gw_link link;
	gw_reqs_canceled_h *h;
	void *arg;
	int err;
	bool has_row;
	struct gw_store_req row;        /* from the store, or packed: */
	char *row_mem;                  /* its strings (gw_rq_row_dup) */
	char info[RQ_TEXT_SIZE];
};

struct gw_reqs {
	struct gw_loop *loop;
	struct gw_store *store;
	struct gw_sip *sip;
	struct gw_fetch *fetch;         /* NULL: fetch items cannot be sent */
	const struct gw_conf *conf;
	struct gw_reqs_hooks hooks;
	struct pint_hash by_id;
	struct pint_hash by_ref;
	uint8_t sipkey[PINT_HASH_SIPKEY_LEN];
	uint64_t next_ref;
	struct gw_link pubs;
	struct gw_link answers;         /* cancel_op to answer at the turn end */
	struct gw_link reap;            /* dead rq to free at the turn end */
	struct gw_defer defer;
	size_t in_flight;               /* rq in sending or proceeding */
	bool draining;
	bool closing;
	struct gw_reqs_stats st;
};

/* The SIP identities of an INVITE, chosen before it is sent. */
struct gw_rq_ids {
	char call_id[RQ_ID_SIZE];
	char from_tag[RQ_ID_SIZE];
	char sess_id[RQ_ID_SIZE];
	char branch[RQ_ID_SIZE];        /* the INVITE's Via branch */
	uint32_t cseq;                  /* the INVITE's */
};

/* A change to record: one event and the row it leaves. */
struct gw_rq_change {
	enum pint_status status;        /* the same again: evidence only */
	enum pint_outcome outcome;      /* terminal statuses only */
	enum pint_status_by by;
	const char *info;               /* NULL: keep the row's */
	bool has_sip;                   /* the event's "sip": evidence below */
	int sip_code;
	const char *reason;
	const char *warning;            /* formatted, NULL = none */
	const struct gw_rq_ids *ids;    /* the call's identities, NULL = as is */
	bool start;                     /* an attempt: start the call at the
					 * commit (q->starting until then) */
};

/* Intrusive lists (struct gw_link, circular with a head). */
void gw_rq_list_init(struct gw_link *head);
bool gw_rq_list_empty(const struct gw_link *head);
void gw_rq_list_add(struct gw_link *head, struct gw_link *l);
void gw_rq_list_del(struct gw_link *l);
void gw_rq_list_move(struct gw_link *to, struct gw_link *from);
#define RQ_ENTRY(ptr, type, member) \
	((type *)(void *)((char *)(ptr) - offsetof(type, member)))

/* requests.c */
int64_t gw_rq_wall_ms(void);
int gw_rq_rand(uint8_t *buf, size_t len);
void gw_rq_text(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int gw_rq_dup_str(char **dst, const char *s);
bool gw_rq_str_eq(const char *a, const char *b);
int gw_rq_row_dup(struct gw_store_req *dst, const struct gw_store_req *src, char **mem);
void gw_rq_log(enum log_level level, const char *msg, const struct rq *q,
	       const char *key, const char *val);
struct rq *gw_rq_find_id(const struct gw_reqs *r, const char *id);
struct rq *gw_rq_find_ref(const struct gw_reqs *r, uint64_t ref);
int gw_rq_new(struct gw_reqs *r, struct rq **qp, const char *id);
void gw_rq_set_status(struct rq *q, enum pint_status to,
		      enum pint_outcome outcome);
void gw_rq_unarm(struct rq *q);
void gw_rq_kill(struct rq *q);
void gw_rq_defer(struct gw_reqs *r);
void gw_rq_schedule(struct rq *q);
void gw_rq_wake(struct rq *q);
int gw_rq_ensure_spec(struct rq *q, char *why, size_t size);
void gw_rq_call_start(struct rq *q);

/* requests_event.c */
int gw_rq_record_create(struct rq *q, int64_t now);
int gw_rq_record(struct rq *q, const struct gw_rq_change *c, struct pub **pubp);
int gw_rq_end(struct rq *q, enum pint_status status, enum pint_outcome outcome,
	      const char *info);
void gw_rq_note_call(struct rq *q);
void gw_rq_pub_free(struct pub *p);
int gw_rq_sip_json(char **outp, const struct gw_rq_change *c);
int gw_rq_outcome_json(char **outp, const struct gw_rq_change *c);

/* requests_cancel.c */
void gw_rq_cancel_answer(struct gw_reqs *r, struct cancel_op *op);
void gw_rq_cancel_settle(struct rq *q, struct pub *p, int err, const char *info);
void gw_rq_cancel_free(struct cancel_op *op);
void gw_rq_cancel_run_answers(struct gw_reqs *r);

/* requests_recover.c */
int gw_rq_new_ids(struct gw_rq_ids *ids);
void gw_rq_resend(struct rq *q);

/* requests_fetch.c */
bool gw_rq_fetch_needed(const struct rq *q);
bool gw_rq_fetching(const struct rq *q);
void gw_rq_fetch_start(struct rq *q, bool resend);
const char *gw_rq_fetch_note(const struct rq *q);
void gw_rq_fetch_stop(struct rq *q);

#endif
