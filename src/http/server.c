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

#include <microhttpd.h>

#include "core/alloc.h"
#include "core/arena.h"

#define HTTP_DEFAULT_CONNS 1024
#define HTTP_DEFAULT_TIMEOUT 30
#define HTTP_DEFAULT_HEADER 16384
/* A body sent to a route that takes none is read and dropped up to this
 * size (keeping the connection alive); past it the connection is closed. */
#define HTTP_MAX_DISCARD ((size_t)1024 * 1024)

struct http_server {
	struct MHD_Daemon *d;
	http_handler_fn handler;
	void *ctx;
	unsigned port;
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
	size_t body_len;           /* request body bytes seen so far */
	char peer[INET6_ADDRSTRLEN];
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

const char *
http_req_peer(const struct http_req *r)
{
	return r->peer;
}

struct bl_arena *
http_req_arena(const struct http_req *r)
{
	/* The arena is the one part of a request a handler may change. */
	return &((struct http_req *)r)->arena;
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

/* --- HTTP dates ------------------------------------------------------- */

static const char wdays[7][4] = {
	"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"
};
static const char months[12][4] = {
	"Jan", "Feb", "Mar", "Apr", "May", "Jun",
	"Jul", "Aug", "Sep", "Oct", "Nov", "Dec"
};

/* IMF-fixdate, independent of the locale: "Sun, 06 Nov 1994 08:49:37 GMT". */
static void
fmt_http_date(int64_t t, char out[40])
{
	time_t tt = (time_t)t;
	struct tm tm;
	unsigned year;

	if (gmtime_r(&tt, &tm) == NULL)
		memset(&tm, 0, sizeof(tm));
	year = (unsigned)(tm.tm_year + 1900) % 10000;
	snprintf(out, 40, "%.3s, %02u %.3s %04u %02u:%02u:%02u GMT",
	    wdays[(unsigned)tm.tm_wday % 7], (unsigned)tm.tm_mday % 100,
	    months[(unsigned)tm.tm_mon % 12], year, (unsigned)tm.tm_hour % 100,
	    (unsigned)tm.tm_min % 100, (unsigned)tm.tm_sec % 100);
}

static int
month_index(const char *m)
{
	int i;

	for (i = 0; i < 12; i++)
		if (strncasecmp(m, months[i], 3) == 0)
			return i;
	return -1;
}

/* Parses the three date forms of RFC 9110 5.6.7; returns -1 if none fits. */
static int64_t
parse_http_date(const char *s)
{
	struct tm tm;
	char mon[4], wd[4];
	int day, year, hh, mm, ss;
	const char *comma;

	memset(&tm, 0, sizeof(tm));
	comma = strchr(s, ',');
	if (comma != NULL) {
		if (sscanf(comma + 1, " %2d %3s %4d %2d:%2d:%2d GMT", &day,
		    mon, &year, &hh, &mm, &ss) != 6 &&
		    sscanf(comma + 1, " %2d-%3s-%2d %2d:%2d:%2d GMT", &day,
		    mon, &year, &hh, &mm, &ss) != 6)
			return -1;
	} else if (sscanf(s, "%3s %3s %2d %2d:%2d:%2d %4d", wd, mon, &day,
	    &hh, &mm, &ss, &year) != 7)
		return -1;
	if (year < 100)
		year += year < 70 ? 2000 : 1900;
	tm.tm_mon = month_index(mon);
	if (tm.tm_mon < 0 || day < 1 || day > 31 || hh > 23 || mm > 59 ||
	    ss > 60)
		return -1;
	tm.tm_year = year - 1900;
	tm.tm_mday = day;
	tm.tm_hour = hh;
	tm.tm_min = mm;
	tm.tm_sec = ss;
	return (int64_t)timegm(&tm);
}

/* --- conditional requests --------------------------------------------- */

/*
 * Returns 1 if the If-None-Match list `h` names one of `tags` (each quoted,
 * as sent in ETag) under weak comparison, or is "*".
 */
static int
etag_list_match(const char *h, const char *const *tags, size_t ntags)
{
	const char *s = h, *q;
	size_t i, n;

	for (;;) {
		while (*s == ' ' || *s == '\t' || *s == ',')
			s++;
		if (*s == '\0')
			return 0;
		if (*s == '*')
			return 1;
		if (s[0] == 'W' && s[1] == '/')
			s += 2;
		if (*s == '"') {
			q = strchr(s + 1, '"');
			if (q == NULL)
				return 0;
			n = (size_t)(q - s) + 1;
			for (i = 0; i < ntags; i++)
				if (tags[i] != NULL && strlen(tags[i]) == n &&
				    memcmp(tags[i], s, n) == 0)
					return 1;
			s = q + 1;
		}
		/* Skip to the next list member, past any junk. */
		s += strcspn(s, ",");
	}
}

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
		return etag_list_match(inm, tags, ntags);
	ims = http_req_header(r, MHD_HTTP_HEADER_IF_MODIFIED_SINCE);
	if (ims == NULL || last_modified <= 0)
		return 0;
	t = parse_http_date(ims);
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
		    "GET, HEAD");
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

/* Sends `p`, taking over the handler's reference. */
static enum MHD_Result
send_page(struct http_req *r, struct page *p)
{
	struct MHD_Response *resp;
	char tags[PAGE_ENC__MAX][48], date[40];
	const char *tagv[PAGE_ENC__MAX];
	enum page_enc enc, e;
	unsigned status = (unsigned)p->status;
	int variants;

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
		fmt_http_date(p->last_modified, date);
		MHD_add_response_header(resp, MHD_HTTP_HEADER_LAST_MODIFIED,
		    date);
	}
	if (p->cache_control != NULL)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL,
		    p->cache_control);
	if (variants)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_VARY,
		    MHD_HTTP_HEADER_ACCEPT_ENCODING);
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
	fmt_http_date((int64_t)st.st_mtim.tv_sec, date);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_LAST_MODIFIED, date);
	if (res->file_cache != NULL)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL,
		    res->file_cache);
	return queue(r, status, resp);
}

/* --- request flow ----------------------------------------------------- */

/*
 * The raw request target must be origin-form ("/path?query") and must not
 * smuggle a NUL byte in as "%00" (decoding would cut the path short).
 */
static int
raw_target_ok(const char *uri)
{
	const char *s;

	if (uri == NULL || uri[0] != '/')
		return 0;
	for (s = uri; *s != '\0' && *s != '?'; s++) {
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 0;
		if (s[0] == '%' && s[1] == '0' && s[2] == '0')
			return 0;
	}
	return 1;
}

/* The decoded path: absolute, no control bytes, no ".." segment. */
static int
path_ok(const char *p)
{
	const char *s;

	if (p == NULL || p[0] != '/')
		return 0;
	for (s = p; *s != '\0'; s++) {
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 0;
		if (s[0] == '/' && s[1] == '.' && s[2] == '.' &&
		    (s[3] == '/' || s[3] == '\0'))
			return 0;
	}
	return 1;
}

/*
 * Whether the route takes `method`. Every route takes GET and HEAD for
 * now; a route that takes a body (POST) will say so here and collect it
 * in take_body().
 */
static int
method_allowed(const struct http_req *r)
{
	return strcmp(r->method, MHD_HTTP_METHOD_GET) == 0 ||
	    strcmp(r->method, MHD_HTTP_METHOD_HEAD) == 0;
}

/* Consumes one piece of the request body; returns -1 to drop the
 * connection. No route reads a body yet, so it is counted and dropped. */
static int
take_body(struct http_req *r, const char *data, size_t n)
{
	(void)data;
	r->body_len += n;
	return r->body_len > HTTP_MAX_DISCARD ? -1 : 0;
}

/* The request is complete: ask the handler and send its answer. */
static enum MHD_Result
respond(struct http_req *r)
{
	struct http_result res;
	enum MHD_Result ret;

	if (r->bad_uri || !path_ok(r->path))
		return send_status(r, MHD_HTTP_BAD_REQUEST, "bad request\n");
	if (!method_allowed(r))
		return send_status(r, MHD_HTTP_METHOD_NOT_ALLOWED,
		    "method not allowed\n");
	fill_peer(r);
	memset(&res, 0, sizeof(res));
	r->srv->handler(r->srv->ctx, r, &res);
	if (res.page != NULL)
		ret = send_page(r, res.page);
	else if (res.file_path != NULL)
		ret = send_file(r, &res);
	else
		ret = send_status(r, MHD_HTTP_INTERNAL_SERVER_ERROR,
		    "internal error\n");
	/* The file is open (or answered) by now. */
	free(res.file_owned);
	return ret;
}

static struct http_req *
req_new(struct http_server *s, struct MHD_Connection *conn)
{
	struct http_req *r;

	r = bl_xcalloc(1, sizeof(*r));
	r->srv = s;
	r->conn = conn;
	bl_arena_init(&r->arena);
	return r;
}

/* Called with the raw request target before any header is parsed; what
 * it returns becomes the request's state (freed in on_completed). */
static void *
on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
	struct http_req *r;

	r = req_new(cls, conn);
	r->bad_uri = !raw_target_ok(uri);
	return r;
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
		return MHD_YES;
	}
	if (*upload_data_size != 0) {
		if (take_body(r, upload_data, *upload_data_size) != 0)
			return MHD_NO;
		*upload_data_size = 0;
		return MHD_YES;
	}
	return respond(r);
}

static void
on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
    enum MHD_RequestTerminationCode toe)
{
	struct http_req *r = *con_cls;

	if (r == NULL)
		return;
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
	unsigned flags, threads, conns, timeout;
	size_t max_header;
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
	    MHD_USE_ERROR_LOG;
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

	/* One thread is the daemon's own polling thread, not a pool. */
	if (threads > 1)
		pool[0] = (struct MHD_OptionItem){ MHD_OPTION_THREAD_POOL_SIZE,
		    (intptr_t)threads, NULL };

	s = bl_xcalloc(1, sizeof(*s));
	s->handler = cfg->handler;
	s->ctx = cfg->ctx;
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
	    MHD_OPTION_URI_LOG_CALLBACK, on_uri, s,
	    MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
	    MHD_OPTION_EXTERNAL_LOGGER, on_log, s,
	    MHD_OPTION_END);
	atomic_store(&s->starting, 0);
	if (s->d == NULL) {
		bl_errf(err, "cannot listen on '%s' port %u: %s", host,
		    cfg->port, s->start_err[0] ? s->start_err :
		    "libmicrohttpd refused to start");
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
	MHD_stop_daemon(s->d);
	free(s);
}
