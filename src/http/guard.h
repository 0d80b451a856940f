/* Connection deadlines: slow clients are cut off after the request timeout. */
#ifndef BL_GUARD_H
#define BL_GUARD_H

#include <microhttpd.h>

/*
 * libmicrohttpd's connection timeout only closes a connection that sends
 * nothing at all, so a client trickling one header byte a second would
 * hold its connection for ever. The guard gives each request a deadline:
 * the whole request (line, headers and body) must arrive within `timeout`
 * seconds of the connection opening or of the previous response. A
 * watchdog thread shuts down the socket of a connection past its deadline;
 * libmicrohttpd then sees the end of the stream and closes it itself.
 */
struct http_guard;

/* Starts the watchdog; the caller stops it with guard_stop() after the
 * daemon has stopped. Returns NULL if no thread could be started. */
struct http_guard *guard_start(unsigned timeout);
/* Stops the watchdog and frees the guard; NULL is a no-op. */
void guard_stop(struct http_guard *g);

/* The MHD_OPTION_NOTIFY_CONNECTION callback, with the guard as cls. */
void guard_notify(void *cls, struct MHD_Connection *conn,
    void **socket_context, enum MHD_ConnectionNotificationCode code);
/* The request on `conn` has been read whole: no deadline while it is
 * answered. */
void guard_request_read(struct http_guard *g, struct MHD_Connection *conn);
/* The response on `conn` is done: the next request's deadline starts. */
void guard_request_done(struct http_guard *g, struct MHD_Connection *conn);

#endif
