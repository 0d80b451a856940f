/* The HTTP server: libmicrohttpd callbacks, conditional GET, pages, files. */
#include "http/server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <pthread.h>

#include <microhttpd.h>

#include "core/alloc.h"
#include "core/arena.h"
#include "core/buf.h"
#include "http/guard.h"
#include "http/parse.h"

#define HTTP_DEFAULT_CONNS 1024
#define HTTP_DEFAULT_TIMEOUT 30
#define HTTP_DEFAULT_HEADER 16384
#define HTTP_DEFAULT_BODY ((size_t)1024 * 1024)
#define HTTP_DEFAULT_FIELD ((size_t)256 * 1024)
/* Body bytes past max_body are read and dropped (so the client still gets
 * the answer on a live connection) up to this many; past it the
 * connection is closed. */
#define HTTP_MAX_DISCARD ((size_t)64 * 1024 * 1024)
/* POST handlers run on their own threads, at most this many at once. */
#define HTTP_POST_THREADS 64
/* A spliced page up to this size is copied into one buffer per response
 * (see send_spliced()); a larger one is sent in pieces, without a copy. */
#define HTTP_SPLICE_COPY_MAX ((size_t)256 * 1024)

/*
 * POST requests run their handler on a pool of threads of their own, with
 * the connection suspended meanwhile: a POST may wait on the database (a
 * comment waits for its group commit, several milliseconds), and on an
 * event thread that wait would hold up every connection multiplexed on it
 * and keep writes from ever being many at once. Threads are started as
 * work arrives, up to HTTP_POST_THREADS, and stay until the server stops.
 */
struct post_pool {
	pthread_mutex_t lock;
	pthread_cond_t work;         /* a request was queued, or stopping */
	pthread_cond_t idle;         /* a request finished */
	struct http_req *head, *tail;
	pthread_t threads[HTTP_POST_THREADS];
	unsigned nthreads, nidle;
	unsigned nqueued;            /* in the queue */
	unsigned busy;               /* queued or running */
	int stopping;
};

struct http_server {
	struct MHD_Daemon *d;
	struct post_pool posts;
	http_handler_fn handler;
	void *ctx;
	size_t max_header;         /* request line plus headers, bytes */
	size_t max_body;
	size_t max_field;
	unsigned port;
	struct http_guard *guard;  /* request deadlines */
	atomic_int starting;       /* 1 while MHD_start_daemon() runs */
	char start_err[256];       /* MHD's last complaint during startup */
};

/* Per-request state: made when the request line arrives, freed when
 * libmicrohttpd reports the request complete. */
struct http_req {
	struct http_server *srv;
	struct MHD_Connection *conn;
	const char *method;        /* borrowed from libmicrohttpd */
	const char *path;          /* decoded, borrowed from libmicrohttpd */
	struct bl_arena arena;
	int started;               /* the first access-handler call happened */
	int bad_uri;               /* the raw request target is malformed */
	size_t head_len;           /* bytes of the request line and headers */
	unsigned refuse;           /* 414 or 431: the head is over the limit */
	size_t body_len;           /* request body bytes seen so far */
	int too_large;             /* body_len went past max_body */
	enum { FORM_NONE, FORM_URLENCODED, FORM_MULTIPART } form;
	char *boundary;            /* multipart, in the arena */
	struct bl_buf body;        /* a form body, up to max_body bytes */
	struct http_form_field *fields; /* parsed, in the arena, in order */
	char peer[INET6_ADDRSTRLEN];
	int dispatched;            /* handed to the POST pool */
	int answered;              /* `res` holds the handler's answer */
	int sent;                  /* send_result() took res.page */
	struct http_result res;
	struct http_req *next;     /* in the POST pool's queue */
};

/* Sent on every response this server makes itself. */
static const struct {
	const char *name, *value;
} security_headers[] = {
	{ "Content-Security-Policy",
	    "default-src 'self'; img-src 'self' data:; style-src 'self'; "
	    "script-src 'self'; object-src 'none'; base-uri 'self'; "
	    "form-action 'self'; frame-ancestors 'none'" },
	{ "X-Content-Type-Options", "nosniff" },
	{ "Referrer-Policy", "strict-origin-when-cross-origin" },
	{ "X-Frame-Options", "DENY" },
};

/* --- request accessors ------------------------------------------------ */

const char *
http_req_method(const struct http_req *r)
{
	return r->method;
}

const char *
http_req_path(const struct http_req *r)
{
	return r->path;
}

const char *
http_req_header(const struct http_req *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

const char *
http_req_query(const struct http_req *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND,
	    name);
}

static void fill_peer(struct http_req *r);

const char *
http_req_peer(const struct http_req *r)
{
	/* Formatted on first use: most views never ask. */
	if (r->peer[0] == '\0')
		fill_peer((struct http_req *)r);
	return r->peer;
}

struct bl_arena *
http_req_arena(const struct http_req *r)
{
	/* The arena is the one part of a request a handler may change. */
	return &((struct http_req *)r)->arena;
}

const char *
http_req_cookie(const struct http_req *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, name);
}

static const struct http_form_field *
form_find(const struct http_req *r, const char *name)
{
	return http_form_find(r->fields, name);
}

const char *
http_req_form(const struct http_req *r, const char *name)
{
	const struct http_form_field *f = form_find(r, name);

	return f != NULL ? f->value : NULL;
}

size_t
http_req_form_len(const struct http_req *r, const char *name)
{
	const struct http_form_field *f = form_find(r, name);

	return f != NULL ? f->len : 0;
}

int
http_req_form_truncated(const struct http_req *r, const char *name)
{
	const struct http_form_field *f = form_find(r, name);

	return f != NULL && f->truncated;
}

int
http_req_body_too_large(const struct http_req *r)
{
	return r->too_large;
}

static void
fill_peer(struct http_req *r)
{
	const union MHD_ConnectionInfo *ci;
	const struct sockaddr *sa;

	snprintf(r->peer, sizeof(r->peer), "unknown");
	ci = MHD_get_connection_info(r->conn,
	    MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (ci == NULL || ci->client_addr == NULL)
		return;
	sa = ci->client_addr;
	if (sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr,
		    r->peer, sizeof(r->peer));
	else if (sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6,
		    &((const struct sockaddr_in6 *)sa)->sin6_addr,
		    r->peer, sizeof(r->peer));
}

/* --- conditional requests --------------------------------------------- */

/*
 * Decides whether the validators answer 304: If-None-Match wins when
 * present, otherwise If-Modified-Since against `last_modified`.
 */
static int
not_modified(const struct http_req *r, const char *const *tags,
    size_t ntags, int64_t last_modified)
{
	const char *inm, *ims;
	int64_t t;

	inm = http_req_header(r, MHD_HTTP_HEADER_IF_NONE_MATCH);
	if (inm != NULL)
		return http_etag_list_match(inm, tags, ntags);
	ims = http_req_header(r, MHD_HTTP_HEADER_IF_MODIFIED_SINCE);
	if (ims == NULL || last_modified <= 0)
		return 0;
	t = http_parse_date(ims);
	return t >= 0 && last_modified <= t;
}

/* --- responses -------------------------------------------------------- */

static void
add_security_headers(struct MHD_Response *resp)
{
	size_t i;

	for (i = 0; i < sizeof(security_headers) / sizeof(security_headers[0]);
	    i++)
		MHD_add_response_header(resp, security_headers[i].name,
		    security_headers[i].value);
}

static enum MHD_Result
queue(struct http_req *r, unsigned status, struct MHD_Response *resp)
{
	enum MHD_Result ret;

	if (resp == NULL)
		return MHD_NO;
	add_security_headers(resp);
	ret = MHD_queue_response(r->conn, status, resp);
	MHD_destroy_response(resp);
	return ret;
}

/*
 * A 304 answer. libmicrohttpd 0.9.75 adds "Content-Length: 0" to it and
 * cannot be talked out of it (an explicit header is sent twice); caches
 * ignore Content-Length on a 304, so it is left at that.
 */
static struct MHD_Response *
not_modified_response(void)
{
	return MHD_create_response_from_buffer(0, (void *)"",
	    MHD_RESPMEM_PERSISTENT);
}

/* A short plain-text answer made by the server itself (errors). */
static enum MHD_Result
send_status(struct http_req *r, unsigned status, const char *text)
{
	struct MHD_Response *resp;

	resp = MHD_create_response_from_buffer(strlen(text), (void *)text,
	    MHD_RESPMEM_PERSISTENT);
	if (resp == NULL)
		return MHD_NO;
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
	    "text/plain; charset=utf-8");
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL,
	    "no-store");
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW,
		    "GET, HEAD, POST");
	/* After an oversized head, the connection is not worth keeping. */
	if (status == 414 || status == 431)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION,
		    "close");
	return queue(r, status, resp);
}

static void
release_page(void *cls)
{
	page_unref(cls);
}

static const char *const enc_suffix[PAGE_ENC__MAX] = { "", "-gz", "-br" };
static const char *const enc_name[PAGE_ENC__MAX] = { NULL, "gzip", "br" };

/* The ETag of one variant: the page's strong tag with a suffix inside the
 * quotes, so caches never confuse a gzip body with a brotli one. */
static void
variant_etag(const struct page *p, enum page_enc e, char out[48])
{
	size_t n = strlen(p->etag);

	if (n < 2 || e == PAGE_IDENTITY) {
		snprintf(out, 48, "%s", p->etag);
		return;
	}
	snprintf(out, 48, "%.*s%s\"", (int)(n - 1), p->etag, enc_suffix[e]);
}

/* The handler's extra headers; MHD refuses names or values that would
 * split the header (CR, LF). */
static void
add_result_headers(struct MHD_Response *resp, const struct http_result *res)
{
	size_t i, n = res->nheaders;

	if (n > sizeof(res->headers) / sizeof(res->headers[0]))
		n = sizeof(res->headers) / sizeof(res->headers[0]);
	for (i = 0; i < n; i++)
		if (res->headers[i].name != NULL &&
		    res->headers[i].value != NULL)
			MHD_add_response_header(resp, res->headers[i].name,
			    res->headers[i].value);
}

/* The status to send: the handler's override if it is a sensible final
 * status, the page's otherwise. */
static unsigned
result_status(const struct http_result *res)
{
	if (res->status >= 200 && res->status <= 599)
		return (unsigned)res->status;
	return (unsigned)res->page->status;
}

/* What a spliced response holds on to until libmicrohttpd is done. */
struct splice_body {
	struct page *page;         /* a reference */
	struct page_gz_frag gz;    /* gz.data NULL for identity */
	size_t frag_len;
	char frag[];               /* a copy of the fragment */
};

static void
release_splice(void *cls)
{
	struct splice_body *sb = cls;

	page_unref(sb->page);
	free(sb->gz.data);
	free(sb);
}

/* Adds a spliced page's headers to `resp` and queues it; the caller still
 * holds its reference to `p`. */
static enum MHD_Result
send_spliced_headers(struct http_req *r, const struct http_result *res,
    const struct page *p, struct MHD_Response *resp, enum page_enc enc)
{
	const char *cc;

	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
	    p->content_type);
	if (enc == PAGE_GZIP)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_ENCODING,
		    enc_name[enc]);
	if (p->location != NULL)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_LOCATION,
		    p->location);
	cc = res->cache_control != NULL ? res->cache_control :
	    p->cache_control;
	if (cc != NULL)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL,
		    cc);
	if (p->gz_part[0].data != NULL)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_VARY,
		    MHD_HTTP_HEADER_ACCEPT_ENCODING);
	add_result_headers(resp, res);
	return queue(r, result_status(res), resp);
}

/*
 * Sends a page with a splice point and the result's fragment in it,
 * taking over the handler's reference. Up to HTTP_SPLICE_COPY_MAX bytes
 * the body is assembled in one buffer; a larger page is sent where its
 * bytes lie, around a copy of the fragment (an iovec response). For gzip
 * the fragment goes in as stored blocks. Every response differs, so no
 * validators and no 304.
 */
static enum MHD_Result
send_spliced(struct http_req *r, const struct http_result *res)
{
	struct page *p = res->page;
	struct splice_body *sb;
	struct MHD_Response *resp;
	struct MHD_IoVec iov[5];
	size_t at = (size_t)p->splice_at, len = p->body[PAGE_IDENTITY].len;
	size_t flen = res->fragment != NULL ? res->fragment_len : 0, total;
	enum page_enc enc;
	enum MHD_Result ret;
	char *copy;

	if (at > len)
		at = len;
	enc = page_pick_encoding(p, http_req_header(r,
	    MHD_HTTP_HEADER_ACCEPT_ENCODING));
	if (enc != PAGE_GZIP)
		enc = PAGE_IDENTITY;
	total = page_splice_size(p, enc, flen);
	if (total == 0 && enc == PAGE_GZIP) {
		enc = PAGE_IDENTITY;
		total = page_splice_size(p, enc, flen);
	}
	if (total > 0 && total <= HTTP_SPLICE_COPY_MAX) {
		/* One buffer: libmicrohttpd sends the headers and the body
		 * in one writev, so a response is one send and, mostly, one
		 * packet. Sent as pieces, the headers went in a send of
		 * their own; copying a few tens of KB costs far less than
		 * that extra system call and segment. */
		copy = bl_xmalloc(total);
		page_splice_write(p, enc, res->fragment, flen,
		    res->fragment_has_crc ? &res->fragment_crc : NULL, copy);
		resp = MHD_create_response_from_buffer_with_free_callback_cls(
		    total, copy, free, copy);
		if (resp == NULL) {
			free(copy);
			page_unref(p);
			return MHD_NO;
		}
		ret = send_spliced_headers(r, res, p, resp, enc);
		page_unref(p);
		return ret;
	}
	sb = bl_xmalloc(sizeof(*sb) + flen + 1);
	memset(&sb->gz, 0, sizeof(sb->gz));
	sb->page = p;
	sb->frag_len = flen;
	if (flen > 0)
		memcpy(sb->frag, res->fragment, flen);
	sb->frag[flen] = '\0';
	if (enc == PAGE_GZIP &&
	    page_gzip_fragment(p, sb->frag, flen, res->fragment_has_crc ?
	    &res->fragment_crc : NULL, &sb->gz) == 0) {
		iov[0] = (struct MHD_IoVec){ sb->gz.head, sizeof(sb->gz.head) };
		iov[1] = (struct MHD_IoVec){ p->gz_part[0].data,
		    p->gz_part[0].len };
		iov[2] = (struct MHD_IoVec){ sb->gz.data, sb->gz.len };
		iov[3] = (struct MHD_IoVec){ p->gz_part[1].data,
		    p->gz_part[1].len };
		iov[4] = (struct MHD_IoVec){ sb->gz.tail, sizeof(sb->gz.tail) };
		resp = MHD_create_response_from_iovec(iov, 5, release_splice,
		    sb);
	} else {
		enc = PAGE_IDENTITY;
		iov[0] = (struct MHD_IoVec){ p->body[PAGE_IDENTITY].data, at };
		iov[1] = (struct MHD_IoVec){ sb->frag, flen };
		iov[2] = (struct MHD_IoVec){ p->body[PAGE_IDENTITY].data + at,
		    len - at };
		resp = MHD_create_response_from_iovec(iov, 3, release_splice,
		    sb);
	}
	if (resp == NULL) {
		release_splice(sb);
		return MHD_NO;
	}
	return send_spliced_headers(r, res, p, resp, enc);
}

/* Sends the result's page, taking over the handler's reference. */
static enum MHD_Result
send_page(struct http_req *r, const struct http_result *res)
{
	struct page *p = res->page;
	struct MHD_Response *resp;
	char tags[PAGE_ENC__MAX][48], date[40];
	const char *tagv[PAGE_ENC__MAX], *cc;
	enum page_enc enc, e;
	unsigned status;
	int variants;

	if (p->splice_at >= 0)
		return send_spliced(r, res);
	status = result_status(res);
	variants = p->body[PAGE_GZIP].data != NULL ||
	    p->body[PAGE_BROTLI].data != NULL;
	enc = page_pick_encoding(p, http_req_header(r,
	    MHD_HTTP_HEADER_ACCEPT_ENCODING));
	for (e = 0; e < PAGE_ENC__MAX; e++) {
		variant_etag(p, e, tags[e]);
		tagv[e] = p->body[e].data != NULL ? tags[e] : NULL;
	}

	if (status == MHD_HTTP_OK &&
	    not_modified(r, tagv, PAGE_ENC__MAX, p->last_modified)) {
		status = MHD_HTTP_NOT_MODIFIED;
		resp = not_modified_response();
	} else {
		/* The response borrows the page's bytes and holds a reference
		 * of its own, dropped when libmicrohttpd is done: no copy. */
		page_ref(p);
		resp = MHD_create_response_from_buffer_with_free_callback_cls(
		    p->body[enc].len, p->body[enc].data, release_page, p);
		if (resp == NULL)
			page_unref(p);
		else {
			MHD_add_response_header(resp,
			    MHD_HTTP_HEADER_CONTENT_TYPE, p->content_type);
			if (enc != PAGE_IDENTITY)
				MHD_add_response_header(resp,
				    MHD_HTTP_HEADER_CONTENT_ENCODING,
				    enc_name[enc]);
			if (p->location != NULL)
				MHD_add_response_header(resp,
				    MHD_HTTP_HEADER_LOCATION, p->location);
		}
	}
	if (resp == NULL) {
		page_unref(p);
		return MHD_NO;
	}
	if (status == MHD_HTTP_OK || status == MHD_HTTP_NOT_MODIFIED)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ETAG, tags[enc]);
	if (p->last_modified > 0) {
		http_fmt_date(p->last_modified, date);
		MHD_add_response_header(resp, MHD_HTTP_HEADER_LAST_MODIFIED,
		    date);
	}
	cc = res->cache_control != NULL ? res->cache_control :
	    p->cache_control;
	if (cc != NULL)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL,
		    cc);
	if (variants)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_VARY,
		    MHD_HTTP_HEADER_ACCEPT_ENCODING);
	add_result_headers(resp, res);
	page_unref(p);
	return queue(r, status, resp);
}

/* Sends a file from disk; regular files only. */
static enum MHD_Result
send_file(struct http_req *r, const struct http_result *res)
{
	struct MHD_Response *resp;
	struct stat st;
	char tag[48], date[40];
	const char *tagv[1];
	unsigned status = MHD_HTTP_OK;
	int fd;

	fd = open(res->file_path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return send_status(r, MHD_HTTP_NOT_FOUND, "not found\n");
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return send_status(r, MHD_HTTP_NOT_FOUND, "not found\n");
	}
	snprintf(tag, sizeof(tag), "\"%llx-%llx\"",
	    (unsigned long long)st.st_size,
	    (unsigned long long)st.st_mtim.tv_sec);
	tagv[0] = tag;
	if (not_modified(r, tagv, 1, (int64_t)st.st_mtim.tv_sec)) {
		close(fd);
		status = MHD_HTTP_NOT_MODIFIED;
		resp = not_modified_response();
	} else {
		/* libmicrohttpd closes fd when the response goes. */
		resp = MHD_create_response_from_fd64((uint64_t)st.st_size, fd);
		if (resp == NULL) {
			close(fd);
			return MHD_NO;
		}
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
		    res->file_type != NULL ? res->file_type :
		    "application/octet-stream");
	}
	if (resp == NULL)
		return MHD_NO;
	MHD_add_response_header(resp, MHD_HTTP_HEADER_ETAG, tag);
	http_fmt_date((int64_t)st.st_mtim.tv_sec, date);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_LAST_MODIFIED, date);
	if (res->file_cache != NULL)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL,
		    res->file_cache);
	add_result_headers(resp, res);
	return queue(r, status, resp);
}

/* --- form bodies ------------------------------------------------------ */

/* Notes what kind of form the POST request carries, from its headers. */
static void
form_start(struct http_req *r)
{
	static const char urlenc[] = "application/x-www-form-urlencoded";
	static const char multi[] = "multipart/form-data";
	const char *ct, *e;
	size_t n;

	if (strcmp(r->method, MHD_HTTP_METHOD_POST) != 0)
		return;
	ct = http_req_header(r, MHD_HTTP_HEADER_CONTENT_TYPE);
	if (ct == NULL)
		return;
	while (*ct == ' ' || *ct == '\t')
		ct++;
	n = strcspn(ct, "; \t");
	e = ct + strlen(ct);
	if (n == sizeof(urlenc) - 1 && strncasecmp(ct, urlenc, n) == 0)
		r->form = FORM_URLENCODED;
	else if (n == sizeof(multi) - 1 && strncasecmp(ct, multi, n) == 0) {
		r->boundary = http_header_param(&r->arena, ct, e, "boundary");
		if (r->boundary == NULL || r->boundary[0] == '\0' ||
		    strlen(r->boundary) > HTTP_MAX_BOUNDARY)
			return;
		r->form = FORM_MULTIPART;
	}
	if (r->form != FORM_NONE)
		bl_buf_init(&r->body, r->srv->max_body);
}

/* Parses the body read so far into r->fields and lets it go. */
static void
form_finish(struct http_req *r)
{
	if (r->form == FORM_URLENCODED)
		r->fields = http_parse_urlencoded(&r->arena, r->body.s,
		    r->body.len, r->srv->max_field, r->too_large);
	else if (r->form == FORM_MULTIPART)
		r->fields = http_parse_multipart(&r->arena, r->body.s,
		    r->body.len, r->boundary, r->srv->max_field);
	bl_buf_release(&r->body);
}

/* --- request flow ----------------------------------------------------- */

/*
 * The methods the server passes to the handler, which decides what each
 * route takes (answering 405 with its own Allow header); anything else is
 * 405 here.
 */
static int
method_allowed(const struct http_req *r)
{
	return strcmp(r->method, MHD_HTTP_METHOD_GET) == 0 ||
	    strcmp(r->method, MHD_HTTP_METHOD_HEAD) == 0 ||
	    strcmp(r->method, MHD_HTTP_METHOD_POST) == 0;
}

/*
 * Consumes one piece of the request body: a form body is kept up to
 * max_body bytes, the rest (and any other body) is counted and dropped.
 * Returns -1 to drop the connection when a body goes on far too long.
 */
static int
take_body(struct http_req *r, const char *data, size_t n)
{
	size_t max = r->srv->max_body, room;

	if (r->form != FORM_NONE && r->body.len < max) {
		room = max - r->body.len;
		bl_buf_add(&r->body, data, n < room ? n : room);
	}
	r->body_len += n;
	if (r->body_len > max)
		r->too_large = 1;
	return r->too_large && r->body_len - max > HTTP_MAX_DISCARD ? -1 : 0;
}

/* Sends the handler's answer in r->res. */
static enum MHD_Result
send_result(struct http_req *r)
{
	struct http_result *res = &r->res;
	enum MHD_Result ret;

	r->sent = 1;
	if (res->page != NULL)
		ret = send_page(r, res);
	else if (res->file_path != NULL)
		ret = send_file(r, res);
	else
		ret = send_status(r, MHD_HTTP_INTERNAL_SERVER_ERROR,
		    "internal error\n");
	/* The file is open (or answered) by now. */
	free(res->file_owned);
	res->file_owned = NULL;
	return ret;
}

/* --- the POST pool ---------------------------------------------------- */

static void *
post_main(void *arg)
{
	struct http_server *s = arg;
	struct post_pool *pp = &s->posts;
	struct http_req *r;

	pthread_mutex_lock(&pp->lock);
	for (;;) {
		while (pp->head == NULL && !pp->stopping) {
			pp->nidle++;
			pthread_cond_wait(&pp->work, &pp->lock);
			pp->nidle--;
		}
		if (pp->head == NULL)
			break;
		r = pp->head;
		pp->nqueued--;
		pp->head = r->next;
		if (pp->head == NULL)
			pp->tail = NULL;
		pthread_mutex_unlock(&pp->lock);

		memset(&r->res, 0, sizeof(r->res));
		s->handler(s->ctx, r, &r->res);
		r->answered = 1;
		/* libmicrohttpd calls on_request again, on the connection's
		 * own thread, which sends r->res. */
		MHD_resume_connection(r->conn);

		pthread_mutex_lock(&pp->lock);
		pp->busy--;
		pthread_cond_broadcast(&pp->idle);
	}
	pthread_mutex_unlock(&pp->lock);
	return NULL;
}

/* Suspends the connection and queues the request for a POST thread;
 * returns -1 (the caller answers inline) when no thread can be had. */
static int
post_dispatch(struct http_req *r)
{
	struct post_pool *pp = &r->srv->posts;
	int rc = 0;

	pthread_mutex_lock(&pp->lock);
	if (pp->stopping)
		rc = -1;
	else if (pp->nidle <= pp->nqueued &&
	    pp->nthreads < HTTP_POST_THREADS) {
		/* No thread is free for this one: start another. */
		if (pthread_create(&pp->threads[pp->nthreads], NULL, post_main,
		    r->srv) == 0)
			pp->nthreads++;
		else if (pp->nthreads == 0)
			rc = -1;
	}
	if (rc == 0) {
		r->dispatched = 1;
		r->next = NULL;
		if (pp->tail != NULL)
			pp->tail->next = r;
		else
			pp->head = r;
		pp->tail = r;
		pp->nqueued++;
		pp->busy++;
		MHD_suspend_connection(r->conn);
		pthread_cond_signal(&pp->work);
	}
	pthread_mutex_unlock(&pp->lock);
	return rc;
}

/* Lets the queued and running POSTs finish, then ends the threads. */
static void
post_pool_stop(struct post_pool *pp)
{
	unsigned i;

	pthread_mutex_lock(&pp->lock);
	while (pp->busy > 0)
		pthread_cond_wait(&pp->idle, &pp->lock);
	pp->stopping = 1;
	pthread_cond_broadcast(&pp->work);
	pthread_mutex_unlock(&pp->lock);
	for (i = 0; i < pp->nthreads; i++)
		pthread_join(pp->threads[i], NULL);
	pthread_mutex_destroy(&pp->lock);
	pthread_cond_destroy(&pp->work);
	pthread_cond_destroy(&pp->idle);
}

/*
 * The request is complete: ask the handler and send its answer. A POST
 * goes to the POST pool and comes back here, answered, when its thread
 * resumes the connection.
 */
static enum MHD_Result
respond(struct http_req *r)
{
	if (r->answered)
		return send_result(r);
	if (r->dispatched)
		return MHD_YES;         /* still running */
	form_finish(r);
	if (r->refuse == 414)
		return send_status(r, 414, "uri too long\n");
	if (r->refuse == 431)
		return send_status(r, 431, "request header fields too large\n");
	if (r->bad_uri || !http_path_ok(r->path))
		return send_status(r, MHD_HTTP_BAD_REQUEST, "bad request\n");
	if (!method_allowed(r))
		return send_status(r, MHD_HTTP_METHOD_NOT_ALLOWED,
		    "method not allowed\n");
	r->peer[0] = '\0';
	if (strcmp(r->method, MHD_HTTP_METHOD_POST) == 0) {
		/* Before the post pool takes the request over. */
		fill_peer(r);
		if (post_dispatch(r) == 0)
			return MHD_YES;
	}
	memset(&r->res, 0, sizeof(r->res));
	r->srv->handler(r->srv->ctx, r, &r->res);
	r->answered = 1;
	return send_result(r);
}

static struct http_req *
req_new(struct http_server *s, struct MHD_Connection *conn)
{
	struct http_req *r;

	r = bl_xcalloc(1, sizeof(*r));
	r->srv = s;
	r->conn = conn;
	bl_arena_init(&r->arena);
	bl_buf_init(&r->body, 0);
	return r;
}

/* Called with the raw request target before any header is parsed; what
 * it returns becomes the request's state (freed in on_completed). */
static void *
on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
	struct http_req *r;

	r = req_new(cls, conn);
	r->bad_uri = !http_raw_target_ok(uri);
	r->head_len = strlen(uri);
	if (r->head_len > r->srv->max_header)
		r->refuse = 414;
	return r;
}

/* Adds one header's size ("Name: value" and its line end) to the head. */
static enum MHD_Result
count_header(void *cls, enum MHD_ValueKind kind, const char *key,
    const char *value)
{
	struct http_req *r = cls;

	r->head_len += strlen(key) + (value != NULL ? strlen(value) : 0) + 4;
	return MHD_YES;
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *conn, const char *url,
    const char *method, const char *version, const char *upload_data,
    size_t *upload_data_size, void **con_cls)
{
	struct http_req *r = *con_cls;

	if (r == NULL) {
		r = req_new(cls, conn);
		*con_cls = r;
	}
	/*
	 * Never answer on the first call: a response queued before the body
	 * was read is "early" and libmicrohttpd closes the connection after
	 * it, losing keep-alive.
	 */
	if (!r->started) {
		r->started = 1;
		r->method = method;
		r->path = url;
		/*
		 * libmicrohttpd only refuses a head that does not fit its
		 * connection memory (twice the limit): the limit itself is
		 * kept here, with an answer that has the site's headers.
		 */
		r->head_len += strlen(method) + strlen(version) + 4;
		MHD_get_connection_values(conn, MHD_HEADER_KIND, count_header,
		    r);
		if (r->refuse == 0 && r->head_len > r->srv->max_header)
			r->refuse = 431;
		form_start(r);
		return MHD_YES;
	}
	if (*upload_data_size != 0) {
		if (take_body(r, upload_data, *upload_data_size) != 0)
			return MHD_NO;
		*upload_data_size = 0;
		return MHD_YES;
	}
	guard_request_read(r->srv->guard, conn);
	return respond(r);
}

static void
on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
    enum MHD_RequestTerminationCode toe)
{
	struct http_req *r = *con_cls;

	if (r == NULL)
		return;
	guard_request_done(r->srv->guard, conn);
	/* An answer never sent (the connection went first). */
	if (r->answered && r->res.page != NULL && !r->sent)
		page_unref(r->res.page);
	free(r->res.file_owned);
	bl_buf_release(&r->body);
	bl_arena_release(&r->arena);
	free(r);
	*con_cls = NULL;
}

static void
on_log(void *cls, const char *fmt, va_list ap)
{
	struct http_server *s = cls;
	char msg[256];
	size_t n;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	n = strlen(msg);
	while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == '.'))
		msg[--n] = '\0';
	if (atomic_load(&s->starting))
		snprintf(s->start_err, sizeof(s->start_err), "%s", msg);
	else
		fprintf(stderr, "byline: http: %s\n", msg);
}

/* --- lifecycle -------------------------------------------------------- */

int
http_server_start(const struct http_config *cfg, struct http_server **out,
    struct bl_err *err)
{
	union {
		struct sockaddr sa;
		struct sockaddr_in v4;
		struct sockaddr_in6 v6;
	} addr;
	struct MHD_OptionItem pool[2] = {
		{ MHD_OPTION_END, 0, NULL }, { MHD_OPTION_END, 0, NULL }
	};
	struct http_server *s;
	const union MHD_DaemonInfo *di;
	const char *host;
	unsigned flags, threads, conns, timeout, per_ip;
	size_t max_header, max_body, max_field;
	long ncpu;

	*out = NULL;
	if (cfg->handler == NULL)
		return bl_errf(err, "no request handler given");
	host = cfg->host != NULL && cfg->host[0] != '\0' ? cfg->host :
	    "127.0.0.1";
	if (strcmp(host, "localhost") == 0)
		host = "127.0.0.1";
	if (cfg->port > 65535)
		return bl_errf(err, "bad port '%u'", cfg->port);
	memset(&addr, 0, sizeof(addr));
	flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL |
	    MHD_USE_ERROR_LOG | MHD_ALLOW_SUSPEND_RESUME;
	if (inet_pton(AF_INET, host, &addr.v4.sin_addr) == 1) {
		addr.v4.sin_family = AF_INET;
		addr.v4.sin_port = htons((uint16_t)cfg->port);
	} else if (inet_pton(AF_INET6, host, &addr.v6.sin6_addr) == 1) {
		addr.v6.sin6_family = AF_INET6;
		addr.v6.sin6_port = htons((uint16_t)cfg->port);
		flags |= MHD_USE_IPv6;
	} else
		return bl_errf(err, "cannot listen on '%s': not an IP address",
		    host);

	threads = cfg->threads;
	if (threads == 0) {
		ncpu = sysconf(_SC_NPROCESSORS_ONLN);
		threads = ncpu > 0 ? (unsigned)ncpu : 1;
	}
	conns = cfg->max_conns ? cfg->max_conns : HTTP_DEFAULT_CONNS;
	timeout = cfg->conn_timeout ? cfg->conn_timeout : HTTP_DEFAULT_TIMEOUT;
	max_header = cfg->max_header ? cfg->max_header : HTTP_DEFAULT_HEADER;
	max_body = cfg->max_body ? cfg->max_body : HTTP_DEFAULT_BODY;
	max_field = cfg->max_field ? cfg->max_field : HTTP_DEFAULT_FIELD;
	per_ip = cfg->per_ip_conns < conns ? cfg->per_ip_conns : 0;

	/* One thread is the daemon's own polling thread, not a pool. */
	if (threads > 1)
		pool[0] = (struct MHD_OptionItem){ MHD_OPTION_THREAD_POOL_SIZE,
		    (intptr_t)threads, NULL };

	s = bl_xcalloc(1, sizeof(*s));
	s->handler = cfg->handler;
	s->ctx = cfg->ctx;
	s->max_header = max_header;
	s->max_body = max_body;
	s->max_field = max_field;
	pthread_mutex_init(&s->posts.lock, NULL);
	pthread_cond_init(&s->posts.work, NULL);
	pthread_cond_init(&s->posts.idle, NULL);
	s->guard = guard_start(timeout);
	if (s->guard == NULL) {
		post_pool_stop(&s->posts);
		free(s);
		return bl_errf(err, "cannot start the connection watchdog");
	}
	atomic_init(&s->starting, 1);
	/*
	 * The connection's memory pool holds the request head and the
	 * response headers; twice the header cap leaves room for both.
	 */
	s->d = MHD_start_daemon(flags, (uint16_t)cfg->port, NULL, NULL,
	    on_request, s,
	    MHD_OPTION_SOCK_ADDR, &addr.sa,
	    MHD_OPTION_ARRAY, pool,
	    MHD_OPTION_CONNECTION_LIMIT, conns,
	    MHD_OPTION_CONNECTION_TIMEOUT, timeout,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, max_header * 2,
	    MHD_OPTION_PER_IP_CONNECTION_LIMIT, per_ip,
	    MHD_OPTION_NOTIFY_CONNECTION, guard_notify, s->guard,
	    MHD_OPTION_URI_LOG_CALLBACK, on_uri, s,
	    MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
	    MHD_OPTION_EXTERNAL_LOGGER, on_log, s,
	    MHD_OPTION_END);
	atomic_store(&s->starting, 0);
	if (s->d == NULL) {
		bl_errf(err, "cannot listen on '%s' port %u: %s", host,
		    cfg->port, s->start_err[0] ? s->start_err :
		    "libmicrohttpd refused to start");
		guard_stop(s->guard);
		post_pool_stop(&s->posts);
		free(s);
		return -1;
	}
	di = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
	s->port = di != NULL && di->port != 0 ? di->port : cfg->port;
	*out = s;
	return 0;
}

unsigned
http_server_port(const struct http_server *s)
{
	return s->port;
}

void
http_server_stop(struct http_server *s)
{
	if (s == NULL)
		return;
	/* Suspended connections must be resumed before the daemon stops:
	 * let every POST in the pool finish first. */
	post_pool_stop(&s->posts);
	MHD_stop_daemon(s->d);
	guard_stop(s->guard);
	free(s);
}
