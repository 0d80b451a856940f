/* Unit tests for src/http/server.c: raw HTTP/1.1 against a live server. */
#include <criterion/criterion.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <brotli/decode.h>
#include <zlib.h>

#include "core/arena.h"
#include "http/server.h"

#include "client.h"

/* --- the server under test ---------------------------------------------- */

struct fixture {
	struct page *article;   /* big HTML with gzip and brotli variants */
	struct page *small;     /* no variants */
	char file[64];          /* a file on disk */
	struct http_server *srv;
	unsigned port;
};

static struct fixture fx;

#define ARTICLE_MTIME 1700000000

static void
handler(void *ctx, const struct http_req *req, struct http_result *res)
{
	struct fixture *f = ctx;
	const char *path = http_req_path(req);
	struct bl_buf b = BL_BUF_INIT;
	const char *q, *h;

	if (strcmp(path, "/article/") == 0)
		res->page = page_ref(f->article);
	else if (strcmp(path, "/small/") == 0)
		res->page = page_ref(f->small);
	else if (strcmp(path, "/file") == 0) {
		res->file_path = f->file;
		res->file_type = "text/plain; charset=utf-8";
		res->file_cache = "public, max-age=3600";
	} else if (strcmp(path, "/arena-file") == 0) {
		/* A path built per request lives in the request's arena. */
		res->file_path = bl_arena_strdup(http_req_arena(req), f->file);
		res->file_type = "text/plain";
	} else if (strcmp(path, "/owned-file") == 0) {
		/* Or in malloc'd memory the server frees after answering. */
		res->file_owned = strdup(f->file);
		res->file_path = res->file_owned;
	} else if (strcmp(path, "/dir") == 0)
		res->file_path = ".";
	else if (strcmp(path, "/missing-file") == 0)
		res->file_path = "no/such/file/here";
	else if (strcmp(path, "/redirect") == 0)
		res->page = page_redirect(302, "/article/");
	else if (strcmp(path, "/echo") == 0) {
		q = http_req_query(req, "q");
		h = http_req_header(req, "x-test");
		bl_buf_printf(&b, "%s %s q=%s h=%s peer=%s",
		    http_req_method(req), path, q ? q : "-", h ? h : "-",
		    http_req_peer(req));
		res->page = page_new(200, "text/plain", "no-store", &b, 1);
	} else if (strcmp(path, "/nothing") == 0)
		;       /* a handler bug: no result */
	else {
		bl_buf_puts(&b, "not here");
		res->page = page_new(404, "text/plain", NULL, &b, 1);
	}
	bl_buf_release(&b);
}

static void
setup(void)
{
	struct http_config cfg;
	struct bl_buf b = BL_BUF_INIT;
	struct bl_err err;
	struct timeval tv[2];
	FILE *fp;
	int i, fd;

	memset(&fx, 0, sizeof(fx));
	bl_buf_puts(&b, "<!DOCTYPE html><title>Story</title>\n");
	for (i = 0; i < 200; i++)
		bl_buf_printf(&b, "<p>Paragraph %d of the article.</p>\n", i);
	fx.article = page_new(200, "text/html; charset=utf-8",
	    "public, max-age=60", &b, 1);
	page_set_last_modified(fx.article, ARTICLE_MTIME);
	page_add_dep(fx.article, "article:1");
	bl_buf_puts(&b, "small body");
	fx.small = page_new(200, "text/plain", NULL, &b, 1);
	bl_buf_release(&b);

	snprintf(fx.file, sizeof(fx.file), "/tmp/byline-http-test-XXXXXX");
	fd = mkstemp(fx.file);
	cr_assert_geq(fd, 0);
	fp = fdopen(fd, "w");
	fputs("file contents\n", fp);
	fclose(fp);
	tv[0].tv_sec = tv[1].tv_sec = ARTICLE_MTIME;
	tv[0].tv_usec = tv[1].tv_usec = 0;
	utimes(fx.file, tv);

	memset(&cfg, 0, sizeof(cfg));
	cfg.host = "127.0.0.1";
	cfg.port = 0;
	cfg.threads = 2;
	cfg.handler = handler;
	cfg.ctx = &fx;
	cr_assert_eq(http_server_start(&cfg, &fx.srv, &err), 0, "%s", err.msg);
	fx.port = http_server_port(fx.srv);
}

static void
teardown(void)
{
	http_server_stop(fx.srv);
	page_unref(fx.article);
	page_unref(fx.small);
	unlink(fx.file);
}

TestSuite(server, .init = setup, .fini = teardown);

/* One request on a fresh connection. */
static void
fetch(const char *req, struct resp *r, int no_body)
{
	fetch_port(fx.port, req, r, no_body);
}

/* The article's ETag with a variant suffix inside the quotes. */
static void
variant_tag(char *out, size_t n, const char *suffix)
{
	size_t len = strlen(fx.article->etag);

	snprintf(out, n, "%.*s%s\"", (int)(len - 1), fx.article->etag, suffix);
}

/* --- tests -------------------------------------------------------------- */

Test(server, binds_a_free_port)
{
	cr_assert_neq(fx.port, 0);
}

Test(server, serves_page_with_headers)
{
	struct resp r;
	char cl[32];

	fetch(GET("/article/") "\r\n", &r, 0);
	cr_assert_eq(r.status, 200);
	cr_assert_str_eq(header(&r, "Content-Type"), "text/html; charset=utf-8");
	snprintf(cl, sizeof(cl), "%zu", fx.article->body[PAGE_IDENTITY].len);
	cr_assert_str_eq(header(&r, "Content-Length"), cl);
	cr_assert_str_eq(header(&r, "ETag"), fx.article->etag);
	cr_assert_str_eq(header(&r, "Last-Modified"),
	    "Tue, 14 Nov 2023 22:13:20 GMT");
	cr_assert_str_eq(header(&r, "Cache-Control"), "public, max-age=60");
	cr_assert_str_eq(header(&r, "Vary"), "Accept-Encoding");
	cr_assert_null(header(&r, "Content-Encoding"));
	cr_assert_eq(r.blen, fx.article->body[PAGE_IDENTITY].len);
	cr_assert_eq(memcmp(r.body, fx.article->body[PAGE_IDENTITY].data,
	    r.blen), 0);
	assert_security_headers(&r);
	free(r.body);
}

Test(server, page_without_variants_has_no_vary)
{
	struct resp r;

	fetch(GET("/small/") "Accept-Encoding: gzip, br\r\n\r\n", &r, 0);
	cr_assert_eq(r.status, 200);
	cr_assert_null(header(&r, "Vary"));
	cr_assert_null(header(&r, "Content-Encoding"));
	cr_assert_null(header(&r, "Last-Modified"));
	cr_assert_str_eq(r.body, "small body");
	free(r.body);
}

Test(server, head_has_length_and_no_body)
{
	struct conn *c = conn_open(fx.port);
	struct resp r;
	char cl[32];

	conn_send(c, "HEAD /article/ HTTP/1.1\r\nHost: localhost\r\n\r\n"
	    GET("/small/") "\r\n");
	read_resp(c, &r, 1);
	cr_assert_eq(r.status, 200);
	snprintf(cl, sizeof(cl), "%zu", fx.article->body[PAGE_IDENTITY].len);
	cr_assert_str_eq(header(&r, "Content-Length"), cl);
	cr_assert_str_eq(header(&r, "ETag"), fx.article->etag);
	free(r.body);
	/* Had a body followed, this would not parse as the next response. */
	read_resp(c, &r, 0);
	cr_assert_eq(r.status, 200);
	cr_assert_str_eq(r.body, "small body");
	free(r.body);
	conn_close(c);
}

Test(server, not_modified_for_each_variant_etag)
{
	static const char *suffixes[] = { "", "-gz", "-br" };
	char tag[64], req[512];
	struct resp r;
	size_t i;

	for (i = 0; i < 3; i++) {
		variant_tag(tag, sizeof(tag), suffixes[i]);
		snprintf(req, sizeof(req), GET("/article/")
		    "If-None-Match: %s\r\n\r\n", tag);
		fetch(req, &r, 1);
		cr_assert_eq(r.status, 304, "etag %s", tag);
		cr_assert_not_null(header(&r, "ETag"));
		cr_assert_str_eq(header(&r, "Vary"), "Accept-Encoding");
		assert_security_headers(&r);
		free(r.body);
	}

	/* Weak comparison and lists. */
	variant_tag(tag, sizeof(tag), "-gz");
	snprintf(req, sizeof(req), GET("/article/")
	    "If-None-Match: \"nope\", W/%s\r\n\r\n", tag);
	fetch(req, &r, 1);
	cr_assert_eq(r.status, 304);
	free(r.body);

	fetch(GET("/article/") "If-None-Match: *\r\n\r\n", &r, 1);
	cr_assert_eq(r.status, 304);
	free(r.body);

	fetch(GET("/article/") "If-None-Match: \"other\"\r\n\r\n", &r, 0);
	cr_assert_eq(r.status, 200);
	free(r.body);
}

Test(server, not_modified_since)
{
	struct resp r;

	fetch(GET("/article/")
	    "If-Modified-Since: Tue, 14 Nov 2023 22:13:20 GMT\r\n\r\n", &r, 1);
	cr_assert_eq(r.status, 304);
	free(r.body);
	fetch(GET("/article/")
	    "If-Modified-Since: Wed, 15 Nov 2023 08:00:00 GMT\r\n\r\n", &r, 1);
	cr_assert_eq(r.status, 304);
	free(r.body);
	fetch(GET("/article/")
	    "If-Modified-Since: Mon, 13 Nov 2023 08:00:00 GMT\r\n\r\n", &r, 0);
	cr_assert_eq(r.status, 200, "modified since then");
	free(r.body);
	fetch(GET("/article/") "If-None-Match: \"other\"\r\n"
	    "If-Modified-Since: Wed, 15 Nov 2023 08:00:00 GMT\r\n\r\n", &r, 0);
	cr_assert_eq(r.status, 200, "If-None-Match takes precedence");
	free(r.body);
}

Test(server, negotiates_gzip)
{
	struct resp r;
	char tag[64], *out;
	z_stream z;
	size_t cap = 1 << 20;

	fetch(GET("/article/") "Accept-Encoding: gzip, deflate\r\n\r\n", &r, 0);
	cr_assert_eq(r.status, 200);
	cr_assert_str_eq(header(&r, "Content-Encoding"), "gzip");
	cr_assert_str_eq(header(&r, "Vary"), "Accept-Encoding");
	variant_tag(tag, sizeof(tag), "-gz");
	cr_assert_str_eq(header(&r, "ETag"), tag);
	cr_assert_eq(r.blen, fx.article->body[PAGE_GZIP].len);

	out = malloc(cap);
	memset(&z, 0, sizeof(z));
	inflateInit2(&z, 15 + 16);
	z.next_in = (Bytef *)r.body;
	z.avail_in = (uInt)r.blen;
	z.next_out = (Bytef *)out;
	z.avail_out = (uInt)cap;
	cr_assert_eq(inflate(&z, Z_FINISH), Z_STREAM_END);
	cr_assert_eq(z.total_out, fx.article->body[PAGE_IDENTITY].len);
	cr_assert_eq(memcmp(out, fx.article->body[PAGE_IDENTITY].data,
	    z.total_out), 0);
	inflateEnd(&z);
	free(out);
	free(r.body);
}

Test(server, negotiates_brotli)
{
	struct resp r;
	char tag[64], *out;
	size_t n = 1 << 20;

	fetch(GET("/article/") "Accept-Encoding: gzip, deflate, br\r\n\r\n",
	    &r, 0);
	cr_assert_eq(r.status, 200);
	cr_assert_str_eq(header(&r, "Content-Encoding"), "br");
	cr_assert_str_eq(header(&r, "Vary"), "Accept-Encoding");
	variant_tag(tag, sizeof(tag), "-br");
	cr_assert_str_eq(header(&r, "ETag"), tag);
	out = malloc(n);
	cr_assert_eq(BrotliDecoderDecompress(r.blen, (uint8_t *)r.body, &n,
	    (uint8_t *)out), BROTLI_DECODER_RESULT_SUCCESS);
	cr_assert_eq(n, fx.article->body[PAGE_IDENTITY].len);
	cr_assert_eq(memcmp(out, fx.article->body[PAGE_IDENTITY].data, n), 0);
	free(out);
	free(r.body);
}

Test(server, post_reaches_handler_and_keeps_connection)
{
	struct conn *c = conn_open(fx.port);
	struct resp r;

	conn_send(c, "POST /echo HTTP/1.1\r\nHost: localhost\r\n"
	    "Content-Type: application/x-www-form-urlencoded\r\n"
	    "Content-Length: 7\r\n\r\na=1&b=2" GET("/small/") "\r\n");
	read_resp(c, &r, 0);
	cr_assert_eq(r.status, 200, "the handler decides what POST gets");
	cr_assert_str_eq(r.body, "POST /echo q=- h=- peer=127.0.0.1");
	assert_security_headers(&r);
	free(r.body);
	read_resp(c, &r, 0);
	cr_assert_eq(r.status, 200, "keep-alive lost after a POST");
	cr_assert_str_eq(r.body, "small body");
	free(r.body);
	conn_close(c);

	fetch("DELETE /article/ HTTP/1.1\r\nHost: localhost\r\n\r\n", &r, 0);
	cr_assert_eq(r.status, 405, "other methods stop at the server");
	cr_assert_str_eq(header(&r, "Allow"), "GET, HEAD, POST");
	assert_security_headers(&r);
	free(r.body);
	fetch("PUT /echo HTTP/1.1\r\nHost: localhost\r\n"
	    "Content-Length: 3\r\n\r\nabc", &r, 0);
	cr_assert_eq(r.status, 405);
	free(r.body);
}

Test(server, bad_paths_are_400)
{
	static const char *reqs[] = {
		GET("/a/../etc/passwd") "\r\n",
		GET("/a/%2e%2e/b") "\r\n",
		GET("/..") "\r\n",
		GET("/a%00b") "\r\n",
		GET("/a%0ab") "\r\n",
		"GET http://example.com/ HTTP/1.1\r\nHost: localhost\r\n\r\n",
	};
	struct resp r;
	size_t i;

	for (i = 0; i < sizeof(reqs) / sizeof(reqs[0]); i++) {
		fetch(reqs[i], &r, 0);
		cr_assert_eq(r.status, 400, "request %s", reqs[i]);
		assert_security_headers(&r);
		free(r.body);
	}
	fetch(GET("/a..b/") "\r\n", &r, 0);
	cr_assert_eq(r.status, 404, "dots inside a segment are fine");
	free(r.body);
}

Test(server, keep_alive_serves_two_requests)
{
	struct conn *c = conn_open(fx.port);
	struct resp r;

	conn_send(c, GET("/small/") "\r\n");
	read_resp(c, &r, 0);
	cr_assert_eq(r.status, 200);
	cr_assert_str_eq(r.body, "small body");
	free(r.body);
	conn_send(c, GET("/article/") "\r\n");
	read_resp(c, &r, 0);
	cr_assert_eq(r.status, 200);
	cr_assert_eq(r.blen, fx.article->body[PAGE_IDENTITY].len);
	free(r.body);
	conn_close(c);
}

Test(server, sends_file_with_conditional_get)
{
	struct resp r;
	char tag[64], req[256];

	fetch(GET("/file") "\r\n", &r, 0);
	cr_assert_eq(r.status, 200);
	cr_assert_str_eq(r.body, "file contents\n");
	cr_assert_str_eq(header(&r, "Content-Type"), "text/plain; charset=utf-8");
	cr_assert_str_eq(header(&r, "Cache-Control"), "public, max-age=3600");
	cr_assert_str_eq(header(&r, "Last-Modified"),
	    "Tue, 14 Nov 2023 22:13:20 GMT");
	cr_assert_not_null(header(&r, "ETag"));
	snprintf(tag, sizeof(tag), "%s", header(&r, "ETag"));
	assert_security_headers(&r);
	free(r.body);

	snprintf(req, sizeof(req), GET("/file") "If-None-Match: %s\r\n\r\n",
	    tag);
	fetch(req, &r, 1);
	cr_assert_eq(r.status, 304);
	cr_assert_str_eq(header(&r, "ETag"), tag);
	free(r.body);

	fetch(GET("/file")
	    "If-Modified-Since: Tue, 14 Nov 2023 22:13:20 GMT\r\n\r\n", &r, 1);
	cr_assert_eq(r.status, 304);
	free(r.body);

	fetch(GET("/arena-file") "\r\n", &r, 0);
	cr_assert_eq(r.status, 200);
	cr_assert_str_eq(r.body, "file contents\n");
	free(r.body);

	fetch(GET("/owned-file") "\r\n", &r, 0);
	cr_assert_eq(r.status, 200);
	cr_assert_str_eq(r.body, "file contents\n");
	free(r.body);

	fetch("HEAD /file HTTP/1.1\r\nHost: localhost\r\n\r\n", &r, 1);
	cr_assert_eq(r.status, 200);
	cr_assert_str_eq(header(&r, "Content-Length"), "14");
	free(r.body);
}

Test(server, missing_or_odd_files_are_404)
{
	struct resp r;

	fetch(GET("/missing-file") "\r\n", &r, 0);
	cr_assert_eq(r.status, 404);
	assert_security_headers(&r);
	free(r.body);
	fetch(GET("/dir") "\r\n", &r, 0);
	cr_assert_eq(r.status, 404, "directories are not sent");
	free(r.body);
}

Test(server, redirect_has_location)
{
	struct resp r;

	fetch(GET("/redirect") "\r\n", &r, 0);
	cr_assert_eq(r.status, 302);
	cr_assert_str_eq(header(&r, "Location"), "/article/");
	cr_assert_not_null(strstr(r.body, "href=\"/article/\""));
	free(r.body);
}

Test(server, handler_sees_request)
{
	struct resp r;

	fetch(GET("/echo?q=caf%C3%A9&z=1") "X-Test: hello\r\n\r\n", &r, 0);
	cr_assert_eq(r.status, 200);
	cr_assert_str_eq(r.body,
	    "GET /echo q=caf\xc3\xa9 h=hello peer=127.0.0.1");
	free(r.body);
}

Test(server, error_pages_keep_their_status)
{
	struct resp r;

	fetch(GET("/nowhere") "\r\n", &r, 0);
	cr_assert_eq(r.status, 404);
	cr_assert_str_eq(r.body, "not here");
	assert_security_headers(&r);
	free(r.body);
	fetch(GET("/nowhere") "If-None-Match: *\r\n\r\n", &r, 0);
	cr_assert_eq(r.status, 404, "only 200 answers become 304");
	free(r.body);
	fetch(GET("/nothing") "\r\n", &r, 0);
	cr_assert_eq(r.status, 500, "a handler returning nothing is a 500");
	free(r.body);
}

Test(server_start, rejects_bad_host)
{
	struct http_config cfg;
	struct http_server *s;
	struct bl_err err;

	memset(&cfg, 0, sizeof(cfg));
	cfg.host = "not-an-address";
	cfg.handler = handler;
	cr_assert_eq(http_server_start(&cfg, &s, &err), -1);
	cr_assert_null(s);
	cr_assert_not_null(strstr(err.msg, "'not-an-address'"), "%s", err.msg);
}

Test(server_start, reports_busy_port)
{
	struct http_config cfg;
	struct http_server *a, *b;
	struct bl_err err;

	memset(&cfg, 0, sizeof(cfg));
	cfg.host = "127.0.0.1";
	cfg.threads = 1;
	cfg.handler = handler;
	cr_assert_eq(http_server_start(&cfg, &a, &err), 0, "%s", err.msg);
	cfg.port = http_server_port(a);
	cr_assert_eq(http_server_start(&cfg, &b, &err), -1);
	cr_assert_not_null(strstr(err.msg, "cannot listen on '127.0.0.1'"),
	    "%s", err.msg);
	http_server_stop(a);
}

Test(server_start, listens_on_ipv6_literal)
{
	struct http_config cfg;
	struct http_server *s;
	struct bl_err err;
	struct sockaddr_in6 sa;
	int fd;
	char buf[64];
	ssize_t n;

	memset(&cfg, 0, sizeof(cfg));
	cfg.host = "::1";
	cfg.threads = 1;
	cfg.handler = handler;
	cfg.ctx = &fx;
	if (http_server_start(&cfg, &s, &err) != 0)
		cr_skip_test("no IPv6 loopback here: %s", err.msg);
	fd = socket(AF_INET6, SOCK_STREAM, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sin6_family = AF_INET6;
	sa.sin6_port = htons((uint16_t)http_server_port(s));
	inet_pton(AF_INET6, "::1", &sa.sin6_addr);
	cr_assert_eq(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	cr_assert_eq(write(fd, GET("/nowhere") "Connection: close\r\n\r\n",
	    strlen(GET("/nowhere") "Connection: close\r\n\r\n")),
	    (ssize_t)strlen(GET("/nowhere") "Connection: close\r\n\r\n"));
	n = read(fd, buf, sizeof(buf) - 1);
	cr_assert_gt(n, 12);
	buf[n] = '\0';
	cr_assert_eq(strncmp(buf, "HTTP/1.1 404", 12), 0, "%s", buf);
	close(fd);
	http_server_stop(s);
}

/* --- POST handlers run off the event threads ------------------------------ */

/* A POST to /wait waits (up to 3 s) for a GET /signal on another
 * connection. With one event thread, that GET is served only if the
 * waiting POST does not hold the thread. */
struct rendezvous {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int signalled;
};

static struct rendezvous rv = {
	PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0
};

static void
post_handler(void *ctx, const struct http_req *req, struct http_result *res)
{
	struct bl_buf b = BL_BUF_INIT;
	struct timespec until;
	int seen;

	(void)ctx;
	if (strcmp(http_req_path(req), "/signal") == 0) {
		pthread_mutex_lock(&rv.lock);
		rv.signalled = 1;
		pthread_cond_broadcast(&rv.cond);
		pthread_mutex_unlock(&rv.lock);
		bl_buf_puts(&b, "signalled");
	} else {
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += 3;
		pthread_mutex_lock(&rv.lock);
		while (!rv.signalled && pthread_cond_timedwait(&rv.cond,
		    &rv.lock, &until) == 0)
			;
		seen = rv.signalled;
		pthread_mutex_unlock(&rv.lock);
		bl_buf_printf(&b, "%s a=%s", seen ? "saw the signal" :
		    "timed out", http_req_form(req, "a") ?
		    http_req_form(req, "a") : "-");
	}
	res->page = page_new(200, "text/plain", "no-store", &b, 0);
	bl_buf_release(&b);
}

Test(server_post, a_waiting_post_does_not_hold_up_other_requests)
{
	struct http_config cfg;
	struct http_server *srv;
	struct bl_err err;
	struct conn *a, *b;
	struct resp r;
	unsigned port;

	memset(&cfg, 0, sizeof(cfg));
	cfg.host = "127.0.0.1";
	cfg.threads = 1;
	cfg.handler = post_handler;
	cr_assert_eq(http_server_start(&cfg, &srv, &err), 0, "%s", err.msg);
	port = http_server_port(srv);

	a = conn_open(port);
	conn_send(a, "POST /wait HTTP/1.1\r\nHost: localhost\r\n"
	    "Content-Type: application/x-www-form-urlencoded\r\n"
	    "Content-Length: 5\r\n\r\na=one");
	b = conn_open(port);
	conn_send(b, GET("/signal") "\r\n");
	read_resp(b, &r, 0);
	cr_assert_eq(r.status, 200);
	cr_assert_str_eq(r.body, "signalled");
	free(r.body);

	read_resp(a, &r, 0);
	cr_assert_eq(r.status, 200);
	cr_assert_str_eq(r.body, "saw the signal a=one");
	assert_security_headers(&r);
	free(r.body);

	/* The connection stays usable after its suspended request. */
	conn_send(a, "POST /wait HTTP/1.1\r\nHost: localhost\r\n"
	    "Content-Type: application/x-www-form-urlencoded\r\n"
	    "Content-Length: 5\r\n\r\na=two");
	read_resp(a, &r, 0);
	cr_assert_eq(r.status, 200);
	cr_assert_str_eq(r.body, "saw the signal a=two");
	free(r.body);
	conn_close(a);
	conn_close(b);
	http_server_stop(srv);
}
