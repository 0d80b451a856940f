/* Unit tests for src/http/server.c: form bodies, cookies, result overrides. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/server.h"

#include "client.h"

struct form_fixture {
	struct page *page;      /* a 200 HTML page with variants */
	struct http_server *srv;
	unsigned port;
};

static struct form_fixture ff;

/* Names the dump handler reports, in this order. */
static const char *const dump_names[] = {
	"a", "b", "c", "empty", "x", "nul", "big", "comment", "author",
	"file", "last",
};

/* Writes each known field as `name(len)[T]=value`, T when truncated,
 * bytes below 0x20 as \xHH, then `too_large=N`. */
static void
dump_form(const struct http_req *req, struct bl_buf *b)
{
	const char *v;
	size_t i, j, n;

	for (i = 0; i < sizeof(dump_names) / sizeof(dump_names[0]); i++) {
		v = http_req_form(req, dump_names[i]);
		if (v == NULL)
			continue;
		n = http_req_form_len(req, dump_names[i]);
		bl_buf_printf(b, "%s(%zu)%s=", dump_names[i], n,
		    http_req_form_truncated(req, dump_names[i]) ? "T" : "");
		if (n > 300) {
			/* Long values: only their shape. */
			for (j = 0; j < n && v[j] == v[0]; j++)
				;
			bl_buf_printf(b, "%zu*%c", j, v[0]);
		} else
			for (j = 0; j < n; j++) {
				if ((unsigned char)v[j] < 0x20)
					bl_buf_printf(b, "\\x%02x",
					    (unsigned char)v[j]);
				else
					bl_buf_putc(b, v[j]);
			}
		bl_buf_putc(b, '\n');
	}
	bl_buf_printf(b, "too_large=%d\n", http_req_body_too_large(req));
}

static void
form_handler(void *ctx, const struct http_req *req, struct http_result *res)
{
	struct form_fixture *f = ctx;
	const char *path = http_req_path(req), *v;
	struct bl_buf b = BL_BUF_INIT;
	static const char *const cookies[] = { "sid", "theme", "x", "none" };
	size_t i;

	if (strcmp(path, "/dump") == 0) {
		bl_buf_printf(&b, "%s\n", http_req_method(req));
		dump_form(req, &b);
		/* The handler answers a body that was too large itself. */
		res->page = page_new(http_req_body_too_large(req) ? 413 : 200,
		    "text/plain", "no-store", &b, 0);
	} else if (strcmp(path, "/cookies") == 0) {
		for (i = 0; i < sizeof(cookies) / sizeof(cookies[0]); i++) {
			v = http_req_cookie(req, cookies[i]);
			bl_buf_printf(&b, "%s=%s\n", cookies[i], v ? v : "-");
		}
		res->page = page_new(200, "text/plain", "no-store", &b, 0);
	} else if (strcmp(path, "/set-cookies") == 0) {
		res->page = page_ref(f->page);
		res->headers[0].name = "Set-Cookie";
		res->headers[0].value = "a=1; Path=/; HttpOnly";
		res->headers[1].name = "Set-Cookie";
		res->headers[1].value = "b=2; Path=/; Max-Age=60";
		res->headers[2].name = "X-Bad";
		res->headers[2].value = "split\r\nInjected: yes";
		res->headers[3].name = "Allow";
		res->headers[3].value = "GET, HEAD";
		res->nheaders = 4;
	} else if (strcmp(path, "/unprocessable") == 0) {
		res->page = page_ref(f->page);
		res->status = 422;
		res->cache_control = "no-store";
	} else if (strcmp(path, "/private") == 0) {
		res->page = page_ref(f->page);
		res->cache_control = "private, max-age=5";
	} else if (strcmp(path, "/get-only") == 0) {
		if (strcmp(http_req_method(req), "POST") == 0) {
			bl_buf_puts(&b, "no posting here\n");
			res->page = page_new(405, "text/plain", "no-store",
			    &b, 0);
			res->headers[0].name = "Allow";
			res->headers[0].value = "GET, HEAD";
			res->nheaders = 1;
		} else
			res->page = page_ref(f->page);
	} else {
		bl_buf_puts(&b, "not here");
		res->page = page_new(404, "text/plain", NULL, &b, 0);
	}
	bl_buf_release(&b);
}

static void
start_server(size_t max_body, size_t max_field)
{
	struct http_config cfg;
	struct bl_err err;

	memset(&cfg, 0, sizeof(cfg));
	cfg.host = "127.0.0.1";
	cfg.threads = 2;
	cfg.max_body = max_body;
	cfg.max_field = max_field;
	cfg.handler = form_handler;
	cfg.ctx = &ff;
	cr_assert_eq(http_server_start(&cfg, &ff.srv, &err), 0, "%s",
	    err.msg);
	ff.port = http_server_port(ff.srv);
}

static void
make_page(void)
{
	struct bl_buf b = BL_BUF_INIT;
	int i;

	memset(&ff, 0, sizeof(ff));
	bl_buf_puts(&b, "<!DOCTYPE html><title>Form</title>\n");
	for (i = 0; i < 50; i++)
		bl_buf_printf(&b, "<p>Line %d of the page.</p>\n", i);
	ff.page = page_new(200, "text/html; charset=utf-8",
	    "public, max-age=60", &b, 1);
	page_set_last_modified(ff.page, 1700000000);
	bl_buf_release(&b);
}

/* Small limits, so the tests can cross them cheaply. */
static void
setup_small(void)
{
	make_page();
	start_server(2000, 100);
}

static void
setup_default(void)
{
	make_page();
	start_server(0, 0);
}

static void
teardown(void)
{
	http_server_stop(ff.srv);
	page_unref(ff.page);
}

TestSuite(form, .init = setup_small, .fini = teardown);
TestSuite(form_defaults, .init = setup_default, .fini = teardown);

/* Sends a POST with `ctype` and the n-byte body on `c`. */
static void
post(struct conn *c, const char *path, const char *ctype, const char *body,
    size_t n)
{
	char head[512];

	snprintf(head, sizeof(head), "POST %s HTTP/1.1\r\nHost: localhost\r\n"
	    "Content-Type: %s\r\nContent-Length: %zu\r\n\r\n", path, ctype, n);
	conn_send(c, head);
	conn_write(c, body, n);
}

/* POSTs a form to /dump on a fresh connection; the answer is in *r. */
static void
post_dump(const char *ctype, const char *body, size_t n, struct resp *r)
{
	struct conn *c = conn_open(ff.port);

	post(c, "/dump", ctype, body, n);
	read_resp(c, r, 0);
	conn_close(c);
}

#define URLENC "application/x-www-form-urlencoded"
#define BOUNDARY "----byline-test-7MA4YWxk"
#define MULTI "multipart/form-data; boundary=" BOUNDARY

static void
post_str(const char *ctype, const char *body, struct resp *r)
{
	post_dump(ctype, body, strlen(body), r);
}

/* --- application/x-www-form-urlencoded ------------------------------------ */

Test(form, urlencoded_decodes_plus_percent_and_utf8)
{
	struct resp r;

	post_str(URLENC, "a=hello+world&b=caf%C3%A9+%E2%82%AC&c=%41%2b%25%3D"
	    "&empty=&x", &r);
	cr_assert_eq(r.status, 200);
	cr_assert_str_eq(r.body, "POST\n"
	    "a(11)=hello world\n"
	    "b(9)=caf\xc3\xa9 \xe2\x82\xac\n"
	    "c(4)=A+%=\n"
	    "empty(0)=\n"
	    "x(0)=\n"
	    "too_large=0\n");
	free(r.body);
}

Test(form, urlencoded_keeps_nul_bytes_and_stray_percents)
{
	struct resp r;

	post_str(URLENC, "nul=a%00b%0d%0A&a=100%&b=%zz%4", &r);
	cr_assert_eq(r.status, 200);
	cr_assert_str_eq(r.body, "POST\n"
	    "a(4)=100%\n"
	    "b(5)=%zz%4\n"
	    "nul(5)=a\\x00b\\x0d\\x0a\n"
	    "too_large=0\n");
	free(r.body);
}

Test(form, urlencoded_first_value_wins)
{
	struct resp r;

	/* A name smuggling a NUL byte must not pose as "a". */
	post_str(URLENC, "a%00evil=1&&a=first&b=&a=second&b=later&=nameless",
	    &r);
	cr_assert_str_eq(r.body, "POST\na(5)=first\nb(0)=\ntoo_large=0\n");
	free(r.body);
}

Test(form, field_over_max_field_is_cut_and_flagged)
{
	char body[400];
	struct resp r;

	/* max_field is 100 in this suite. */
	snprintf(body, sizeof(body), "a=ok&big=%0150d&last=%%41%%42", 0);
	post_str(URLENC, body, &r);
	cr_assert_eq(r.status, 200);
	cr_assert_not_null(strstr(r.body, "big(100)T=0000"), "%s", r.body);
	cr_assert_not_null(strstr(r.body, "a(2)=ok\n"));
	cr_assert_not_null(strstr(r.body, "last(2)=AB\n"),
	    "fields after a long one are still read: %s", r.body);
	free(r.body);

	/* Exactly max_field bytes is not truncated; escapes count decoded. */
	snprintf(body, sizeof(body), "big=%%41%099d", 0);
	post_str(URLENC, body, &r);
	cr_assert_not_null(strstr(r.body, "big(100)=A000"), "%s", r.body);
	free(r.body);
}

Test(form, body_over_max_body_is_answered_and_keeps_connection)
{
	struct conn *c = conn_open(ff.port);
	struct resp r;
	char *body;
	size_t n = 50000;

	/* max_body is 2000 here; the rest is read and thrown away. */
	body = malloc(n);
	memset(body, 'z', n);
	memcpy(body, "a=short&comment=", 16);
	post(c, "/dump", URLENC, body, n);
	read_resp(c, &r, 0);
	cr_assert_eq(r.status, 413);
	cr_assert_eq(strncmp(r.body, "POST\na(5)=short\ncomment(100)T=zzzz",
	    strlen("POST\na(5)=short\ncomment(100)T=zzzz")), 0, "%s", r.body);
	cr_assert_not_null(strstr(r.body, "z\ntoo_large=1\n"));
	free(r.body);

	/* The connection is still good. */
	conn_send(c, GET("/get-only") "\r\n");
	read_resp(c, &r, 0);
	cr_assert_eq(r.status, 200, "keep-alive lost after a 413");
	free(r.body);
	conn_close(c);
	free(body);
}

Test(form, body_cut_inside_a_field_flags_it)
{
	char *body;
	size_t n = 2500;
	struct resp r;

	/* The limit (2000) falls 50 bytes into "x": shorter than max_field,
	 * yet cut short, so it is marked truncated. */
	body = malloc(n);
	memset(body, 'y', n);
	memcpy(body, "a=1&author=", 11);
	memcpy(body + 1947, "&x=", 3);
	post_dump(URLENC, body, n, &r);
	cr_assert_eq(r.status, 413);
	cr_assert_not_null(strstr(r.body, "\nx(50)T=yyyyy"), "%s", r.body);
	cr_assert_not_null(strstr(r.body, "\nauthor(100)T=yyy"), "%s", r.body);
	cr_assert_not_null(strstr(r.body, "a(1)=1\n"));
	cr_assert_not_null(strstr(r.body, "too_large=1"));
	free(r.body);
	free(body);
}

Test(form, chunked_body_is_read)
{
	struct conn *c = conn_open(ff.port);
	struct resp r;

	conn_send(c, "POST /dump HTTP/1.1\r\nHost: localhost\r\n"
	    "Content-Type: " URLENC "\r\nTransfer-Encoding: chunked\r\n\r\n"
	    "4\r\na=he\r\n8\r\nllo&b=%2\r\n1\r\n1\r\n0\r\n\r\n");
	read_resp(c, &r, 0);
	cr_assert_eq(r.status, 200);
	cr_assert_str_eq(r.body, "POST\na(5)=hello\nb(1)=!\ntoo_large=0\n");
	free(r.body);
	conn_close(c);
}

Test(form, expect_100_continue)
{
	struct conn *c = conn_open(ff.port);
	struct resp r;

	/* What curl does with larger bodies: wait for 100 Continue. */
	conn_send(c, "POST /dump HTTP/1.1\r\nHost: localhost\r\n"
	    "Content-Type: " URLENC "\r\nContent-Length: 9\r\n"
	    "Expect: 100-continue\r\n\r\n");
	read_resp(c, &r, 1);
	cr_assert_eq(r.status, 100);
	free(r.body);
	conn_send(c, "a=1&b=two");
	read_resp(c, &r, 0);
	cr_assert_eq(r.status, 200);
	cr_assert_str_eq(r.body, "POST\na(1)=1\nb(3)=two\ntoo_large=0\n");
	free(r.body);
	conn_close(c);
}

Test(form, other_content_types_have_no_fields)
{
	struct resp r;

	post_str("text/plain", "a=1&b=2", &r);
	cr_assert_eq(r.status, 200);
	cr_assert_str_eq(r.body, "POST\ntoo_large=0\n");
	free(r.body);
	post_str("application/x-www-form-urlencodedX", "a=1", &r);
	cr_assert_str_eq(r.body, "POST\ntoo_large=0\n");
	free(r.body);
	post_str("multipart/form-data", "--x\r\n\r\n--x--", &r);
	cr_assert_str_eq(r.body, "POST\ntoo_large=0\n",
	    "multipart without a boundary");
	free(r.body);
}

Test(form, content_type_parameters_and_case)
{
	struct resp r;

	post_str("Application/X-WWW-Form-URLEncoded; charset=UTF-8", "a=1",
	    &r);
	cr_assert_str_eq(r.body, "POST\na(1)=1\ntoo_large=0\n");
	free(r.body);
}

Test(form, get_has_no_fields_and_query_is_not_form)
{
	struct resp r;

	fetch_port(ff.port, GET("/dump?a=1") "\r\n", &r, 0);
	cr_assert_str_eq(r.body, "GET\ntoo_large=0\n");
	free(r.body);
}

Test(form, keep_alive_survives_posts)
{
	struct conn *c = conn_open(ff.port);
	struct resp r;
	int i;

	for (i = 0; i < 3; i++) {
		post(c, "/dump", URLENC, "a=1", 3);
		read_resp(c, &r, 0);
		cr_assert_eq(r.status, 200, "POST %d", i);
		cr_assert_str_eq(r.body, "POST\na(1)=1\ntoo_large=0\n");
		free(r.body);
	}
	/* Pipelined: a POST then a GET in one write. */
	conn_send(c, "POST /dump HTTP/1.1\r\nHost: localhost\r\n"
	    "Content-Type: " URLENC "\r\nContent-Length: 3\r\n\r\nb=2"
	    GET("/get-only") "\r\n");
	read_resp(c, &r, 0);
	cr_assert_str_eq(r.body, "POST\nb(1)=2\ntoo_large=0\n");
	free(r.body);
	read_resp(c, &r, 0);
	cr_assert_eq(r.status, 200);
	cr_assert_eq(r.blen, ff.page->body[PAGE_IDENTITY].len);
	free(r.body);
	conn_close(c);
}

Test(form, handler_405_passes_through_with_its_allow)
{
	struct resp r;
	struct conn *c = conn_open(ff.port);

	post(c, "/get-only", URLENC, "a=1", 3);
	read_resp(c, &r, 0);
	cr_assert_eq(r.status, 405);
	cr_assert_str_eq(header(&r, "Allow"), "GET, HEAD");
	cr_assert_str_eq(r.body, "no posting here\n");
	assert_security_headers(&r);
	free(r.body);
	conn_close(c);
}

/* --- multipart/form-data -------------------------------------------------- */

#define PART(name) "--" BOUNDARY "\r\n" \
	"Content-Disposition: form-data; name=\"" name "\"\r\n\r\n"

Test(form, multipart_fields)
{
	static const char body[] =
	    "preamble to ignore\r\n"
	    PART("a") "hello world\r\n"
	    PART("b") "caf\xc3\xa9 + %41\r\n"
	    "--" BOUNDARY "\r\n"
	    "Content-Disposition: form-data; name=\"comment\"\r\n"
	    "Content-Type: text/plain; charset=utf-8\r\n\r\n"
	    "line one\r\nline two\r\n-- not a boundary\r\n"
	    PART("empty") "\r\n"
	    PART("a") "second a\r\n"
	    "--" BOUNDARY "\r\n"
	    "content-disposition: form-data; filename=\"f.txt\"; "
	    "name=\"file\"\r\nContent-Type: text/plain\r\n\r\n"
	    "file text\r\n"
	    "--" BOUNDARY "\r\n"
	    "Content-Disposition: form-data; name=\"author\\\"q\"\r\n\r\n"
	    "escaped name\r\n"
	    "--" BOUNDARY "--\r\n"
	    "epilogue\r\n";
	struct resp r;

	post_dump(MULTI, body, sizeof(body) - 1, &r);
	cr_assert_eq(r.status, 200);
	cr_assert_str_eq(r.body, "POST\n"
	    "a(11)=hello world\n"
	    "b(11)=caf\xc3\xa9 + %41\n"
	    "empty(0)=\n"
	    "comment(37)=line one\\x0d\\x0aline two\\x0d\\x0a"
	    "-- not a boundary\n"
	    "file(9)=file text\n"
	    "too_large=0\n");
	free(r.body);
}

Test(form, multipart_nul_and_quoted_boundary)
{
	static const char body[] =
	    "--" BOUNDARY "\r\n"
	    "Content-Disposition: form-data; name=\"nul\"\r\n\r\n"
	    "a\0b\r\n"
	    "--" BOUNDARY "--\r\n";
	struct resp r;

	post_dump("multipart/form-data; charset=utf-8; boundary=\""
	    BOUNDARY "\"", body, sizeof(body) - 1, &r);
	cr_assert_str_eq(r.body, "POST\nnul(3)=a\\x00b\ntoo_large=0\n");
	free(r.body);
}

Test(form, multipart_field_over_max_field_and_body_over_max_body)
{
	struct bl_buf b = BL_BUF_INIT;
	struct resp r;
	int i;

	bl_buf_puts(&b, PART("a") "short\r\n" PART("big"));
	for (i = 0; i < 150; i++)
		bl_buf_putc(&b, 'q');
	bl_buf_puts(&b, "\r\n" PART("last") "end\r\n--" BOUNDARY "--\r\n");
	post_dump(MULTI, b.s, b.len, &r);
	cr_assert_eq(r.status, 200);
	cr_assert_not_null(strstr(r.body, "big(100)T=qqqq"), "%s", r.body);
	cr_assert_not_null(strstr(r.body, "a(5)=short\n"));
	cr_assert_not_null(strstr(r.body, "last(3)=end\n"));
	free(r.body);

	/* Past max_body (2000) inside the "comment" part. */
	bl_buf_reset(&b);
	bl_buf_puts(&b, PART("a") "kept\r\n" PART("comment"));
	for (i = 0; i < 5000; i++)
		bl_buf_putc(&b, 'w');
	bl_buf_puts(&b, "\r\n" PART("last") "lost\r\n--" BOUNDARY "--\r\n");
	post_dump(MULTI, b.s, b.len, &r);
	cr_assert_eq(r.status, 413);
	cr_assert_eq(strncmp(r.body, "POST\na(4)=kept\ncomment(100)T=wwww",
	    strlen("POST\na(4)=kept\ncomment(100)T=wwww")), 0, "%s", r.body);
	cr_assert_not_null(strstr(r.body, "w\ntoo_large=1\n"),
	    "the part after the limit is lost: %s", r.body);
	free(r.body);
	bl_buf_release(&b);
}

/* --- cookies -------------------------------------------------------------- */

Test(form, reads_several_cookies_from_one_header)
{
	struct resp r;

	fetch_port(ff.port, GET("/cookies")
	    "Cookie: sid=abc123; theme=dark;x=\"quoted\"\r\n\r\n", &r, 0);
	cr_assert_eq(r.status, 200);
	cr_assert_not_null(strstr(r.body, "sid=abc123\n"), "%s", r.body);
	cr_assert_not_null(strstr(r.body, "theme=dark\n"), "%s", r.body);
	cr_assert_not_null(strstr(r.body, "none=-\n"));
	free(r.body);

	fetch_port(ff.port, GET("/cookies") "\r\n", &r, 0);
	cr_assert_str_eq(r.body, "sid=-\ntheme=-\nx=-\nnone=-\n");
	free(r.body);
}

/* --- result overrides ----------------------------------------------------- */

Test(form, set_cookie_twice_and_other_headers)
{
	struct resp r;

	fetch_port(ff.port, GET("/set-cookies") "\r\n", &r, 0);
	cr_assert_eq(r.status, 200);
	cr_assert_str_eq(header_nth(&r, "Set-Cookie", 0),
	    "a=1; Path=/; HttpOnly");
	cr_assert_str_eq(header_nth(&r, "Set-Cookie", 1),
	    "b=2; Path=/; Max-Age=60");
	cr_assert_null(header_nth(&r, "Set-Cookie", 2));
	cr_assert_str_eq(header(&r, "Allow"), "GET, HEAD");
	cr_assert_null(header(&r, "Injected"), "a header value was split");
	cr_assert_null(header(&r, "X-Bad"));
	cr_assert_eq(r.blen, ff.page->body[PAGE_IDENTITY].len);
	assert_security_headers(&r);
	free(r.body);

	/* Also on a 304. */
	fetch_port(ff.port, GET("/set-cookies") "If-None-Match: *\r\n\r\n",
	    &r, 1);
	cr_assert_eq(r.status, 304);
	cr_assert_str_eq(header_nth(&r, "Set-Cookie", 1),
	    "b=2; Path=/; Max-Age=60");
	free(r.body);
}

Test(form, status_override_sends_page_as_422)
{
	struct resp r;
	char req[256];

	fetch_port(ff.port, GET("/unprocessable") "\r\n", &r, 0);
	cr_assert_eq(r.status, 422);
	cr_assert_eq(r.blen, ff.page->body[PAGE_IDENTITY].len);
	cr_assert_eq(memcmp(r.body, ff.page->body[PAGE_IDENTITY].data,
	    r.blen), 0);
	cr_assert_str_eq(header(&r, "Cache-Control"), "no-store");
	cr_assert_null(header(&r, "ETag"), "only 200 answers carry an ETag");
	assert_security_headers(&r);
	free(r.body);

	snprintf(req, sizeof(req), GET("/unprocessable")
	    "If-None-Match: %s\r\n\r\n", ff.page->etag);
	fetch_port(ff.port, req, &r, 0);
	cr_assert_eq(r.status, 422, "a 422 never becomes 304");
	free(r.body);

	fetch_port(ff.port, "POST /unprocessable HTTP/1.1\r\nHost: x\r\n"
	    "Content-Length: 0\r\n\r\n", &r, 0);
	cr_assert_eq(r.status, 422);
	free(r.body);
}

Test(form, cache_control_override)
{
	struct resp r;

	fetch_port(ff.port, GET("/private") "Accept-Encoding: gzip\r\n\r\n",
	    &r, 0);
	cr_assert_eq(r.status, 200);
	cr_assert_str_eq(header(&r, "Cache-Control"), "private, max-age=5");
	cr_assert_str_eq(header(&r, "Content-Encoding"), "gzip");
	cr_assert_not_null(header(&r, "ETag"));
	free(r.body);

	fetch_port(ff.port, GET("/get-only") "\r\n", &r, 0);
	cr_assert_str_eq(header(&r, "Cache-Control"), "public, max-age=60",
	    "without an override the page's own is sent");
	free(r.body);
}

/* --- default limits ------------------------------------------------------- */

Test(form_defaults, field_cut_at_256_kib_and_body_at_1_mib)
{
	struct resp r;
	char *body;
	size_t n = 300 * 1024;

	body = malloc(2 * 1024 * 1024);
	memcpy(body, "comment=", 8);
	memset(body + 8, 'k', n - 8);
	post_dump(URLENC, body, n, &r);
	cr_assert_eq(r.status, 200);
	cr_assert_str_eq(r.body, "POST\ncomment(262144)T=262144*k\n"
	    "too_large=0\n");
	free(r.body);

	n = 1024 * 1024;
	memcpy(body, "a=1&comment=", 12);
	memset(body + 12, 'k', n - 12);
	post_dump(URLENC, body, n, &r);
	cr_assert_eq(r.status, 200, "exactly max_body is not too large");
	cr_assert_not_null(strstr(r.body, "too_large=0"));
	free(r.body);

	n = 2 * 1024 * 1024;
	memset(body + 12, 'k', n - 12);
	post_dump(URLENC, body, n, &r);
	cr_assert_eq(r.status, 413);
	cr_assert_str_eq(r.body, "POST\na(1)=1\ncomment(262144)T=262144*k\n"
	    "too_large=1\n");
	free(r.body);
	free(body);
}
