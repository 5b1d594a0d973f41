/*
 * gateway/config.h — pintgw.conf (INI, read with inih) as a struct gw_conf:
 * every key checked, defaults applied, every error reported as
 * "FILE:LINE: message" into a caller-owned list (nothing allocated there).
 *
 * A gw_conf owns every string and array in it; gw_conf_free() releases
 * them. Gateway host names are kept as written: the daemon resolves them,
 * nothing here touches the network. docs/pintgw.conf.5 is the reference.
 */
#ifndef GW_CONFIG_H
#define GW_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gateway/log.h"
#include "gateway/store.h"
#include "pint/gwset.h"
#include "pint/service.h"
#include "web/urlsafe.h"

/* Limits */
#define GW_CONF_MAX_FILE      (1024u * 1024u)  /* bytes of pintgw.conf */
#define GW_CONF_MAX_ERRORS    32u              /* messages kept */
#define GW_CONF_ERR_SIZE      256u             /* bytes of one, NUL included */
#define GW_CONF_MAX_NAME      PINT_GWSET_MAX_NAME  /* a [kind NAME] */
#define GW_CONF_MAX_STR       255u             /* any other value */
#define GW_CONF_MAX_GATEWAYS  PINT_GWSET_MAX
#define GW_CONF_MAX_SERVICES  32u
#define GW_CONF_MAX_KEYS      1024u
#define GW_CONF_MAX_LISTEN    16u              /* [sip] listen entries */
#define GW_CONF_MAX_LIST      64u              /* origins, prefixes per key */
#define GW_CONF_HASH_LEN      32u              /* SHA-256 */
#define GW_CONF_MAX_POLICY_LIST 1024u          /* [policy] deny, allow */
#define GW_CONF_MAX_TZ        256u             /* [policy] tz entries */
#define GW_CONF_PREFIX_SIZE   17u              /* "+", 15 digits, NUL */

/* API key scopes (bits of gw_conf_key.scopes) */
#define GW_CONF_SCOPE_CALL    0x01u
#define GW_CONF_SCOPE_FAX     0x02u
#define GW_CONF_SCOPE_CONTENT 0x04u
#define GW_CONF_SCOPE_READ    0x08u
#define GW_CONF_SCOPE_CANCEL  0x10u
#define GW_CONF_SCOPE_ALL     0x1fu

/* "udp:192.0.2.1:5060", "tcp:[2001:db8::1]", "127.0.0.1:8080", parsed. */
struct gw_conf_addr {
	enum pint_tsx_transport transport;  /* SIP addresses only */
	char *host;             /* without brackets; NUL-terminated */
	uint16_t port;
	bool ipv6;              /* host is an IPv6 literal */
	bool numeric;           /* an IP literal (else a host name) */
};

/* A list of owned strings. */
struct gw_conf_list {
	char **v;
	size_t n;
};

/* [pintgw] */
struct gw_conf_main {
	char *state_dir;                /* absolute path */
	enum log_level log_level;
	bool log_timestamps;
	bool mask_numbers;              /* logs show the last 4 digits only */
	char *default_context;          /* for national numbers; NULL = none */
	char *requestor_email;          /* SDP e=; NULL = "pintgw@<hostname>" */
	uint32_t drain_grace;           /* seconds */
	uint32_t max_pending;           /* active requests */
};

/* [http] */
struct gw_conf_http {
	struct gw_conf_addr listen;     /* numeric host */
	uint32_t max_body;              /* bytes */
	uint32_t max_connections;
	uint32_t per_ip_connections;
	uint32_t connection_timeout;    /* seconds */
	struct gw_conf_list cors_origins;  /* exact origins, or one "*" */
	uint32_t sse_heartbeat;         /* seconds */
};

/* [sip] */
struct gw_conf_sip {
	struct gw_conf_addr listen[GW_CONF_MAX_LISTEN];  /* numeric hosts */
	size_t nlisten;                 /* ≥ 1 */
	char *contact_host;             /* never NULL after a parse; no brackets */
	bool contact_ipv6;
	char *user;                     /* Contact user part */
	uint32_t udp_buffer;            /* bytes */
	uint32_t tcp_idle_timeout;      /* seconds */
	uint32_t max_message;           /* bytes */
	uint32_t t1, t2, t4;            /* ms */
	uint32_t ring_timeout;          /* seconds, ≤ ring_timeout_max */
	uint32_t ring_timeout_max;      /* seconds */
	uint32_t max_redirects;
};

/* [store] */
struct gw_conf_store {
	enum gw_store_sync synchronous;
	uint32_t busy_timeout;          /* ms */
	uint32_t commit_interval;       /* ms; 0 = a commit per loop turn */
};

/* [webhooks] (docs/webhooks.md); every key needs a restart */
struct gw_conf_webhooks {
	uint32_t attempts;              /* per delivery, the first included */
	uint32_t base_delay;            /* seconds: the first retry's bound */
	uint32_t max_delay;             /* seconds, >= base_delay */
	uint32_t timeout;               /* seconds: one attempt, whole */
	uint32_t max_inflight;          /* POSTs at once */
	struct web_urlsafe_allow allow_private;  /* CIDRs delivered to anyway */
};

/* [fetch] defaults: a fetched body is sent inline in the INVITE, and a
 * SIP message is at most PINT_SIP_MAX_MSG bytes, so more is never useful */
#define GW_CONF_FETCH_MAX_BYTES  (60u * 1024u)
#define GW_CONF_FETCH_MAX_TOTAL  (60u * 1024u)
#define GW_CONF_FETCH_TIMEOUT    10u           /* seconds */
#define GW_CONF_FETCH_INFLIGHT   64u

/* [fetch]: content items with "fetch": true; every key needs a restart */
struct gw_conf_fetch {
	uint32_t max_bytes;             /* one item's body, bytes */
	uint32_t max_total;             /* all fetched bodies of a request */
	uint32_t timeout;               /* seconds: one item, whole */
	uint32_t max_redirects;         /* 0: a 3xx fails the fetch */
	uint32_t max_inflight;          /* connections at once */
	struct web_urlsafe_allow allow_private;  /* CIDRs fetched from anyway */
};

/* [policy] tz: the UTC offset of numbers under a prefix. */
struct gw_conf_tz {
	char prefix[GW_CONF_PREFIX_SIZE];       /* "+44" */
	int32_t offset;                 /* minutes east of UTC */
};

/* [policy] (docs/policy.md); every key applies on reload */
struct gw_conf_policy {
	bool default_deny;              /* the built-in premium-rate list */
	struct gw_conf_list deny;       /* E.164 prefixes refused for all keys */
	struct gw_conf_list allow;      /* exceptions to the built-in list */
	uint32_t destination_cooldown;  /* seconds, 0 = off */
	uint32_t destination_daily_cap; /* dials per rolling 24 h, 0 = off */
	bool quiet;                     /* quiet_hours is set */
	uint16_t quiet_start;           /* minutes after local midnight */
	uint16_t quiet_end;             /* != quiet_start; below it: overnight */
	struct gw_conf_tz *tz;          /* ntz entries, prefixes unique */
	size_t ntz;
};

/* [click]: the public click-to-call routes (docs/api.md) */
struct gw_conf_click {
	double rate_per_ip;             /* clicks per second per client; 0 = off */
	uint32_t burst_per_ip;
	uint32_t max_ttl;               /* seconds: the longest token lifetime */
	struct gw_conf_list origins;    /* CORS on /v1/click: origins, or one "*" */
};

/* [gateway NAME] */
struct gw_conf_gateway {
	char *name;
	unsigned line;                  /* of the section header */
	char *address;                  /* as written */
	struct gw_conf_addr peer;       /* address, parsed; port 5060 if none */
	char *domain;                   /* never NULL: default peer host */
	char *tsp;                      /* NULL = none */
	uint32_t priority;              /* lower first */
	uint32_t keepalive;             /* seconds, 0 = off */
	uint32_t down_after;
	uint32_t rest_max;              /* seconds */
	uint32_t rest_default;          /* seconds */
	enum pint_gwset_status_mode status;
	bool dialog_fallback;
	uint32_t subscribe_expires;     /* seconds */
	char *username;                 /* both or neither */
	char *password;
	char *register_aor;             /* NULL = no REGISTER */
	uint32_t register_expires;      /* seconds */
	char *allow_from[PINT_GWSET_MAX_ADDRS];  /* IP literals */
	size_t nallow_from;
	/* subtype.TYPE = SUBTYPE lines; views into spell_mem */
	struct pint_svc_spelling spellings[PINT_SVC_MAX_SPELLINGS];
	char *spell_mem[PINT_SVC_MAX_SPELLINGS];
	size_t nspellings;
};

/* [service NAME] */
struct gw_conf_service {
	char *name;                     /* the API service name */
	unsigned line;
	char *uri_user;                 /* Request-URI user and s= */
	enum pint_sdp_proto proto;      /* VOICE, FAX or PAGER */
	enum pint_svc_content content;
	bool a_party;
};

/* [key NAME] */
struct gw_conf_key {
	char *name;                     /* owner of its requests, in logs */
	unsigned line;
	uint8_t hash[GW_CONF_HASH_LEN]; /* SHA-256 of the bearer token */
	unsigned scopes;                /* GW_CONF_SCOPE_* */
	uint32_t rate;                  /* requests per second */
	uint32_t burst;
	uint32_t concurrency;           /* active requests */
	char *from;                     /* default A party as written, or NULL */
	char *email;                    /* SDP e=, or NULL */
	struct gw_conf_list allow;      /* E.164 prefixes "+44" */
	struct gw_conf_list deny;
	char *secret_env;               /* environment variable name, or NULL */
};

struct gw_conf {
	struct gw_conf_main main;
	struct gw_conf_http http;
	struct gw_conf_sip sip;
	struct gw_conf_store store;
	struct gw_conf_webhooks webhooks;
	struct gw_conf_fetch fetch;
	struct gw_conf_policy policy;
	struct gw_conf_click click;
	struct gw_conf_gateway *gateways;
	size_t ngateways;
	struct gw_conf_service *services;
	size_t nservices;
	struct gw_conf_key *keys;
	size_t nkeys;
};

/* What went wrong, by line. Caller-owned; reset by every parse. */
struct gw_conf_errs {
	char msg[GW_CONF_MAX_ERRORS][GW_CONF_ERR_SIZE];
	unsigned line[GW_CONF_MAX_ERRORS];  /* msg[i]'s line; 0: the file */
	size_t n;               /* messages kept (the first found) */
	size_t total;           /* errors found (more than n when it is full) */
};

/* Reading */
int gw_conf_load(struct gw_conf **confp, const char *path,
		 struct gw_conf_errs *errs);
int gw_conf_parse_string(struct gw_conf **confp, const char *text, size_t len,
			 const char *name, struct gw_conf_errs *errs);
void gw_conf_free(struct gw_conf *conf);

/* Lookup */
const struct gw_conf_gateway *gw_conf_gateway(const struct gw_conf *conf,
					      const char *name);
const struct gw_conf_service *gw_conf_service(const struct gw_conf *conf,
					      const char *name);
const struct gw_conf_key *gw_conf_key(const struct gw_conf *conf,
				      const char *name);
unsigned gw_conf_scope_bit(const char *name);

/* Handing settings to the modules that use them (borrowed views) */
int gw_conf_gwset(const struct gw_conf_gateway *gw, const char *peer_addr,
		  struct pint_gwset_conf *out);
void gw_conf_svc_def(const struct gw_conf_service *svc,
		     const struct gw_conf_gateway *gw, struct pint_svc_def *out);

/* Reload */
bool gw_conf_needs_restart(const struct gw_conf *old,
			   const struct gw_conf *cur, const char **keyp);

#endif
