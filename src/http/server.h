/* The HTTP server: libmicrohttpd underneath, pages and files on top. */
#ifndef BL_SERVER_H
#define BL_SERVER_H

#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/err.h"
#include "http/page.h"

/*
 * The server calls one handler per request with a borrowed view of it and
 * sends back what the handler returns. It owns everything HTTP: HEAD (same
 * headers, no body), conditional GET (If-None-Match, If-Modified-Since ->
 * 304), Accept-Encoding negotiation among the page's variants with
 * "Vary: Accept-Encoding", security headers on every response, limits and
 * timeouts, 400 for malformed requests. GET, HEAD and POST reach the
 * handler, which answers 405 (with its own Allow header in
 * http_result.headers) for what a route does not take; other methods get
 * 405 from the server.
 */
struct http_req;

/* Accessors; returned strings are borrowed for the request's lifetime.
 * The method is "GET", "HEAD" or "POST". */
const char *http_req_method(const struct http_req *r);
const char *http_req_path(const struct http_req *r);     /* decoded path */
const char *http_req_header(const struct http_req *r, const char *name);
const char *http_req_query(const struct http_req *r, const char *name);
/* The peer address as text ("127.0.0.1"). */
const char *http_req_peer(const struct http_req *r);
/* Memory for the handler that lives until the request completes (strings
 * it returns in struct http_result, such as a built file path). */
struct bl_arena *http_req_arena(const struct http_req *r);
/* A cookie sent by the client, or NULL. */
const char *http_req_cookie(const struct http_req *r, const char *name);

/*
 * POST bodies (application/x-www-form-urlencoded and multipart/form-data)
 * are read by the server before the handler is called, up to
 * http_config.max_body bytes. Fields are kept up to max_field bytes each
 * (longer values are cut there and http_req_form_truncated() says so).
 * A body over max_body is read to its end and thrown away past the limit;
 * the fields read before the limit stay available and
 * http_req_body_too_large() is true, so the handler can answer 413 with
 * the form filled in as far as it got (a field the limit cut into is
 * marked truncated). Field values are NUL-terminated; a value containing
 * a NUL byte is kept whole up to its length. When a name repeats, the
 * first value wins; a name with a NUL byte is dropped; only the first
 * 1000 fields are looked at. Other content types (and other methods)
 * give no fields. A body going on more than 64 MiB past max_body has its
 * connection closed.
 */
const char *http_req_form(const struct http_req *r, const char *name);
size_t http_req_form_len(const struct http_req *r, const char *name);
int http_req_form_truncated(const struct http_req *r, const char *name);
int http_req_body_too_large(const struct http_req *r);

/*
 * What a handler returns: either a page (a reference the server releases),
 * or a file to send from disk. The file strings are borrowed and must stay
 * valid after the handler returns until the request completes: literals,
 * memory owned by ctx, or http_req_arena(). The server opens the file
 * itself (regular files only; 404 if it cannot), with ETag from size and
 * mtime and conditional GET. A handler that leaves both NULL gets a 500.
 * Only 200 pages answer conditional requests with 304.
 */
struct http_result {
	struct page *page;          /* or NULL when sending a file */
	const char *file_path;      /* absolute or relative to cwd */
	const char *file_type;      /* Content-Type for the file */
	const char *file_cache;     /* Cache-Control for the file */
	char *file_owned;           /* if not NULL, malloc'd memory (usually
	                               file_path itself) the server free()s
	                               once the request is answered */

	/* Everything below is optional and borrowed until the request
	 * completes (literals or http_req_arena()). */
	int status;                 /* overrides page->status when 200..599 */
	const char *cache_control;  /* overrides page->cache_control */
	/* A per-request fragment inserted at page->splice_at (see page.h);
	 * ignored for a page without a splice point, empty when NULL. A
	 * spliced response is different on every view: it is sent without
	 * ETag and Last-Modified and never answered with 304; gzip is
	 * assembled per response, brotli never offered. */
	const char *fragment;
	size_t fragment_len;
	/* With fragment_has_crc, fragment_crc is crc32() of exactly the
	 * fragment's bytes, known to the handler (the gzip trailer needs
	 * it; otherwise the server computes it). */
	int fragment_has_crc;
	uint32_t fragment_crc;
	/* Extra response headers, e.g. Set-Cookie (may repeat) or Allow,
	 * sent with pages (304 answers included) and files. A header whose
	 * name or value holds CR or LF is dropped. */
	struct {
		const char *name;
		const char *value;
	} headers[8];
	size_t nheaders;
};

typedef void (*http_handler_fn)(void *ctx, const struct http_req *req,
    struct http_result *res);

struct http_config {
	const char *host;        /* "127.0.0.1" */
	unsigned port;           /* 8080; 0 picks a free port */
	unsigned threads;        /* worker threads; 0: one per core */
	unsigned max_conns;      /* default 1024 */
	unsigned conn_timeout;   /* idle seconds, default 30 */
	size_t max_header;       /* bytes, default 16384 */
	size_t max_body;         /* POST body bytes, default 1 MiB */
	size_t max_field;        /* bytes kept per form field, default 256 KiB */
	unsigned per_ip_conns;   /* connections from one address; 0 (or not
	                            under max_conns): no per-address limit */
	http_handler_fn handler;    /* called from worker threads at once */
	void *ctx;
};

struct http_server;

/*
 * Starts listening on cfg->host (an IPv4 or IPv6 literal; NULL means
 * 127.0.0.1) and serving from worker threads. Zero limits take the
 * defaults above. A request (line, headers and body) must arrive whole
 * within conn_timeout seconds of its connection opening or of the previous
 * response, however slowly it trickles in. On success *out is the caller's, to stop with
 * http_server_stop(); on failure returns -1 and fills err.
 */
int http_server_start(const struct http_config *cfg, struct http_server **out,
    struct bl_err *err);
/* The port actually bound (useful with port 0). */
unsigned http_server_port(const struct http_server *s);
/* Stops accepting, waits for the worker threads and frees everything;
 * NULL is a no-op. */
void http_server_stop(struct http_server *s);

#endif
