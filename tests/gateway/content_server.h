/*
 * tests/gateway/content_server.h — a content server for the gateway's
 * fetch tests: a thread with raw sockets on 127.0.0.1 and a fixed route
 * table (content_server.c). It never allocates (static buffers only),
 * so the allocation counter sees the test thread alone.
 *
 *   /doc      200 text/plain CONTENT_DOC       /big    200, 5000 bytes
 *   /doc2     200 text/plain CONTENT_DOC2      /html   200 text/html
 *   /hang     never answered                   /redir  302 to /doc
 *   /empty    200 text/plain, no body          other   404
 *
 * and, counted since the last reset, for restarts:
 *
 *   /hang-once   the first request hangs, later ones get /doc2
 *   /then-hang   the first gets /doc, later ones hang
 *   /then-404    the first gets /doc, later ones 404
 */
#ifndef TESTS_GATEWAY_CONTENT_SERVER_H
#define TESTS_GATEWAY_CONTENT_SERVER_H

#include <stdint.h>

#define CONTENT_DOC "hello, fetched world\r\nline two\n"
#define CONTENT_DOC2 "the second document\n"
#define CONTENT_BIG 5000u

/* Group setup and teardown (cmocka's shape). */
int content_server_start(void **state);
int content_server_stop(void **state);

uint16_t content_server_port(void);
/* Requests for path seen since the last reset. */
unsigned content_server_hits(const char *path);
/* Forget the hits; close connections left hanging. */
void content_server_reset(void);

#endif
