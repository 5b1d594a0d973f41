/*
 * gateway/demo.h — `pintgw --demo`: everything a first look needs on one
 * machine. A temporary state directory holding a generated configuration
 * (one key with every scope, the built-in PINT server as the gateway),
 * the simulator (gateway/sim) on the daemon's loop at a loopback port,
 * and a bounded trace of the SIP messages it sees, grouped by request.
 *
 * The demo owns its directory (removed by gw_demo_free), the simulator
 * and the trace; it borrows the loop, which must outlive it. The API key
 * and the click-token secret are made from the OS RNG at each start; the
 * secret reaches the daemon through the environment variable
 * GW_DEMO_SECRET_ENV, as a key's secret_env does.
 */
#ifndef GW_DEMO_H
#define GW_DEMO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gateway/loop.h"

struct gw_demo;

#define GW_DEMO_LISTEN "127.0.0.1:8080"        /* HTTP, unless told */
#define GW_DEMO_KEY_NAME "demo"
#define GW_DEMO_SECRET_ENV "PINTGW_DEMO_SECRET"
#define GW_DEMO_MSG_SIZE 512u

/* The trace's bounds: the oldest messages go first. */
#define GW_DEMO_TRACE_MSGS 4096u        /* messages kept */
#define GW_DEMO_TRACE_BYTES (8u << 20)  /* their text, in all */
#define GW_DEMO_TRACE_LINKS 2048u       /* Call-IDs tied to a request */

struct gw_demo_opts {
	const char *listen;     /* HOST:PORT for HTTP; NULL = GW_DEMO_LISTEN */
	double speed;           /* simulator speed factor; 0 = 1 */
};

/* Lifetime: the directory, the simulator, the configuration file. */
int gw_demo_alloc(struct gw_demo **demop, struct gw_loop *loop,
		  const struct gw_demo_opts *opts, char *msg, size_t msgsize);
void gw_demo_free(struct gw_demo *demo);

/* The generated configuration file, for gw_conf_load() and SIGHUP. */
const char *gw_demo_conf_path(const struct gw_demo *demo);

/* Once HTTP listens: print the banner (page, API key, curl line). */
int gw_demo_started(struct gw_demo *demo, uint16_t http_port);

/* GET /demo/config: the key, click_token (the caller's, signed with the
 * key's secret; NULL: none), the outcome table (JSON). */
int gw_demo_config_json(const struct gw_demo *demo, const char *click_token,
			char **bodyp, size_t *lenp);

/* GET /demo/trace/{id}: the messages of the request whose INVITE had
 * call_id (NULL: none yet), oldest first (JSON). */
int gw_demo_trace_json(const struct gw_demo *demo, const char *request_id,
		       const char *call_id, char **bodyp, size_t *lenp);

#endif
