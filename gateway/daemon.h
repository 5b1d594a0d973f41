/*
 * gateway/daemon.h — pintgw assembled on one loop: configuration, log
 * settings, store, SIP side, webhook pipeline, request table (recovered),
 * HTTP API; SIGHUP reloads keys, webhook secrets and gateways, SIGTERM/SIGINT drain and stop, SIGUSR1 logs
 * a state dump.
 *
 * The daemon owns every part and the configuration it was given; it
 * frees them in reverse order of their making. One per process (signals).
 */
#ifndef GW_DAEMON_H
#define GW_DAEMON_H

#include <stddef.h>
#include <stdint.h>

#include "gateway/config.h"
#include "gateway/loop.h"

struct gw_daemon;

#define GW_DAEMON_MSG_SIZE 512u         /* startup failure text */
#define GW_DAEMON_POLL_MS 100u          /* drain: how often idle is checked */

struct gw_demo;

/* Lifetime (conf: the daemon's from here on, also on error) */
int gw_daemon_alloc(struct gw_daemon **dp, struct gw_conf *conf,
		    const char *path, char *msg, size_t msgsize);
/* The same on a loop of the caller's (which outlives the daemon), with
 * the demo's routes when demo is not NULL (borrowed). */
int gw_daemon_alloc_on(struct gw_daemon **dp, struct gw_loop *loop,
		       struct gw_demo *demo, struct gw_conf *conf,
		       const char *path, char *msg, size_t msgsize);
int gw_daemon_run(struct gw_daemon *d);
void gw_daemon_free(struct gw_daemon *d);

/* What the signals do, callable directly */
int gw_daemon_reload(struct gw_daemon *d);
void gw_daemon_shutdown(struct gw_daemon *d);

/* State */
uint16_t gw_daemon_http_port(const struct gw_daemon *d);
const char *gw_daemon_version(void);

#endif
