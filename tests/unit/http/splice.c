/* Unit tests for spliced pages: page_new_spliced(), gzip assembly, serving. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "http/server.h"

#include "client.h"

#define FRAG_A "<form id=\"respond\"><label>3 + 4 =</label>" \
	"<input name=\"captcha\"><input type=\"hidden\" name=\"token\" " \
	"value=\"AAAA\"></form>"
#define FRAG_B "<form id=\"respond\"><label>12 + 9 =</label>" \
	"<input name=\"captcha\"><input type=\"hidden\" name=\"token\" " \
	"value=\"BBBBBBBBBBBBBBBB\"></form><p>Another fragment, longer.</p>"

/* An article page with the marker after `before` paragraphs and `after`
 * more behind it (either may be 0). */
static struct page *
spliced_page(int before, int after, const char *type, int compress)
{
	struct bl_buf b = BL_BUF_INIT;
	struct page *p;
	int i;

	for (i = 0; i < before; i++)
		bl_buf_printf(&b, "<p>Paragraph %d before the form.</p>\n", i);
	bl_buf_puts(&b, PAGE_SPLICE_MARKER);
	for (i = 0; i < after; i++)
		bl_buf_printf(&b, "<p>Comment %d after the form.</p>\n", i);
	p = page_new_spliced(200, type, "public, max-age=60", &b, compress);
	bl_buf_release(&b);
	return p;
}

/* prefix + frag + suffix, malloc'd. */
static char *
expected(const struct page *p, const char *frag, size_t *n)
{
	size_t at = (size_t)p->splice_at, len = p->body[PAGE_IDENTITY].len;
	size_t fl = frag != NULL ? strlen(frag) : 0;
	char *out = malloc(len + fl + 1);

	memcpy(out, p->body[PAGE_IDENTITY].data, at);
	if (fl > 0)
		memcpy(out + at, frag, fl);
	memcpy(out + at + fl, p->body[PAGE_IDENTITY].data + at, len - at);
	*n = len + fl;
	return out;
}

static void
assert_gzip_splice(const struct page *p, const char *frag)
{
	struct bl_buf gz = BL_BUF_INIT;
	char *want, *got;
	size_t wn, gn;

	cr_assert_eq(page_gzip_splice(p, frag, frag ? strlen(frag) : 0, &gz),
	    0);
	want = expected(p, frag, &wn);
	got = gunzip_all(gz.s, gz.len, &gn);
	cr_assert_eq(gn, wn, "fragment '%s'", frag ? frag : "(null)");
	cr_assert_eq(memcmp(got, want, wn), 0);
	free(want);
	free(got);
	bl_buf_release(&gz);
}

/* --- pages ---------------------------------------------------------------- */

Test(splice_page, marker_is_removed_and_recorded)
{
	struct page *p = spliced_page(40, 40, "text/html; charset=utf-8", 1);
	const char *body = p->body[PAGE_IDENTITY].data;
	size_t len = p->body[PAGE_IDENTITY].len;

	cr_assert_gt(p->splice_at, 0);
	cr_assert_null(memmem(body, len, PAGE_SPLICE_MARKER,
	    strlen(PAGE_SPLICE_MARKER)), "the marker is never sent");
	cr_assert_eq(strncmp(body + p->splice_at, "<p>Comment 0 after", 18), 0);
	cr_assert_eq(strncmp(body + p->splice_at - 5, "</p>\n", 5), 0);
	cr_assert_null(p->body[PAGE_GZIP].data,
	    "no whole-body variants: a fragment goes in");
	cr_assert_null(p->body[PAGE_BROTLI].data);
	cr_assert_not_null(p->gz_part[0].data);
	cr_assert_not_null(p->gz_part[1].data);
	cr_assert_eq(p->gz_part[0].raw_len, (size_t)p->splice_at);
	cr_assert_eq(p->gz_part[0].raw_len + p->gz_part[1].raw_len, len);
	cr_assert_lt(p->gz_part[0].len + p->gz_part[1].len, len);
	page_unref(p);
}

Test(splice_page, gzip_assembles_valid_members)
{
	struct page *p = spliced_page(40, 40, "text/html", 1);

	assert_gzip_splice(p, FRAG_A);
	assert_gzip_splice(p, FRAG_B);
	assert_gzip_splice(p, "");
	assert_gzip_splice(p, NULL);
	page_unref(p);
}

Test(splice_page, marker_at_either_end)
{
	struct page *p;

	p = spliced_page(0, 60, "text/html", 1);
	cr_assert_eq(p->splice_at, 0);
	assert_gzip_splice(p, FRAG_A);
	assert_gzip_splice(p, "");
	page_unref(p);

	p = spliced_page(60, 0, "text/html", 1);
	cr_assert_eq((size_t)p->splice_at, p->body[PAGE_IDENTITY].len);
	assert_gzip_splice(p, FRAG_B);
	assert_gzip_splice(p, "");
	page_unref(p);
}

Test(splice_page, fragment_with_nul_and_binary_bytes)
{
	struct page *p = spliced_page(20, 20, "text/html", 1);
	struct bl_buf gz = BL_BUF_INIT;
	char frag[300], *got;
	size_t i, n, at = (size_t)p->splice_at;

	for (i = 0; i < sizeof(frag); i++)
		frag[i] = (char)(i * 7);
	cr_assert_eq(page_gzip_splice(p, frag, sizeof(frag), &gz), 0);
	got = gunzip_all(gz.s, gz.len, &n);
	cr_assert_eq(n, p->body[PAGE_IDENTITY].len + sizeof(frag));
	cr_assert_eq(memcmp(got + at, frag, sizeof(frag)), 0);
	free(got);
	bl_buf_release(&gz);
	page_unref(p);
}

Test(splice_page, fragment_larger_than_the_fragment_window)
{
	struct page *p = spliced_page(20, 20, "text/html", 1);
	struct bl_buf frag = BL_BUF_INIT;
	unsigned x = 12345;
	int i;

	/* Repeats far apart and noise: 40 KB, ten times zlib's window for
	 * fragments. */
	for (i = 0; i < 2000; i++) {
		x = x * 1103515245u + 12345u;
		bl_buf_printf(&frag, "<li>%u item %d</li>", x >> 16, i % 7);
	}
	cr_assert_gt(frag.len, 40000);
	assert_gzip_splice(p, frag.s);
	bl_buf_release(&frag);
	page_unref(p);
}

/* The one-buffer body equals the pieces: identity is prefix + fragment +
 * suffix, gzip decompresses to the same. */
static void
assert_one_buffer(const struct page *p, const char *frag, size_t fl)
{
	char *want, *got, *buf, *buf2;
	size_t wn, gn, n;
	uint32_t crc;

	want = expected(p, fl ? frag : NULL, &wn);
	n = page_splice_size(p, PAGE_IDENTITY, fl);
	cr_assert_eq(n, wn);
	buf = malloc(n + 1);
	page_splice_write(p, PAGE_IDENTITY, frag, fl, NULL, buf);
	cr_assert_eq(memcmp(buf, want, wn), 0);
	free(buf);

	n = page_splice_size(p, PAGE_GZIP, fl);
	cr_assert_gt(n, 18);
	buf = malloc(n);
	page_splice_write(p, PAGE_GZIP, frag, fl, NULL, buf);
	got = gunzip_all(buf, n, &gn);
	cr_assert_eq(gn, wn);
	cr_assert_eq(memcmp(got, want, wn), 0);
	free(got);

	/* A CRC the caller knows gives the same member, byte for byte. */
	crc = (uint32_t)crc32(0L, (const Bytef *)frag, (uInt)fl);
	buf2 = malloc(n);
	page_splice_write(p, PAGE_GZIP, frag, fl, &crc, buf2);
	cr_assert_eq(memcmp(buf, buf2, n), 0);
	free(buf2);
	free(buf);
	free(want);
}

Test(splice_page, one_buffer_bodies)
{
	struct page *p = spliced_page(40, 40, "text/html", 1);

	assert_one_buffer(p, FRAG_A, strlen(FRAG_A));
	assert_one_buffer(p, FRAG_B, strlen(FRAG_B));
	assert_one_buffer(p, "", 0);
	page_unref(p);
	p = spliced_page(0, 40, "text/html", 1);
	assert_one_buffer(p, FRAG_A, strlen(FRAG_A));
	page_unref(p);
	p = spliced_page(40, 0, "text/html", 1);
	assert_one_buffer(p, FRAG_B, strlen(FRAG_B));
	page_unref(p);
}

Test(splice_page, fragment_over_one_stored_block)
{
	struct page *p = spliced_page(30, 30, "text/html", 1);
	struct bl_buf frag = BL_BUF_INIT;
	int i;

	/* Stored blocks hold at most 65535 bytes: this takes three. */
	for (i = 0; frag.len < 150000; i++)
		bl_buf_printf(&frag, "<p>Line %d of a very long fragment.</p>\n", i);
	assert_gzip_splice(p, frag.s);
	assert_one_buffer(p, frag.s, frag.len);
	bl_buf_release(&frag);
	page_unref(p);
}

Test(splice_page, one_buffer_needs_a_splice_point_and_gzip_parts)
{
	struct bl_buf b = BL_BUF_INIT;
	struct page *p;

	bl_buf_puts(&b, "<p>no marker here</p>");
	p = page_new_spliced(200, "text/html", NULL, &b, 1);
	bl_buf_release(&b);
	cr_assert_eq(page_splice_size(p, PAGE_IDENTITY, 3), 0);
	page_unref(p);
	/* Too small to compress: identity only. */
	p = spliced_page(1, 0, "text/html", 1);
	cr_assert_eq(page_splice_size(p, PAGE_GZIP, 3), 0);
	cr_assert_eq(page_splice_size(p, PAGE_IDENTITY, 3),
	    p->body[PAGE_IDENTITY].len + 3);
	page_unref(p);
}

Test(splice_page, only_first_marker_counts)
{
	struct bl_buf b = BL_BUF_INIT;
	struct page *p;

	bl_buf_puts(&b, "a" PAGE_SPLICE_MARKER "b" PAGE_SPLICE_MARKER "c");
	p = page_new_spliced(200, "text/html", NULL, &b, 1);
	cr_assert_eq(p->splice_at, 1);
	cr_assert_str_eq(p->body[PAGE_IDENTITY].data,
	    "ab" PAGE_SPLICE_MARKER "c");
	page_unref(p);
	bl_buf_release(&b);
}

Test(splice_page, without_marker_is_an_ordinary_page)
{
	struct bl_buf b = BL_BUF_INIT;
	struct page *p;
	int i;

	for (i = 0; i < 50; i++)
		bl_buf_printf(&b, "<p>Paragraph %d.</p>\n", i);
	p = page_new_spliced(200, "text/html", NULL, &b, 1);
	cr_assert_eq(p->splice_at, -1);
	cr_assert_not_null(p->body[PAGE_GZIP].data);
	cr_assert_not_null(p->body[PAGE_BROTLI].data);
	cr_assert_null(p->gz_part[0].data);
	cr_assert_eq(page_gzip_splice(p, "x", 1, &b), -1);
	page_unref(p);
	bl_buf_release(&b);

	bl_buf_puts(&b, "<p>plain</p>");
	p = page_new(200, "text/html", NULL, &b, 1);
	cr_assert_eq(p->splice_at, -1, "page_new() pages are not spliced");
	page_unref(p);
	p = page_redirect(303, "/x/");
	cr_assert_eq(p->splice_at, -1);
	page_unref(p);
	bl_buf_release(&b);
}

Test(splice_page, small_or_binary_pages_have_no_gzip)
{
	struct page *p;
	struct bl_buf gz = BL_BUF_INIT;

	p = spliced_page(1, 1, "text/html", 1);
	cr_assert_geq(p->splice_at, 0);
	cr_assert_null(p->gz_part[0].data, "too small to compress");
	cr_assert_eq(page_gzip_splice(p, "x", 1, &gz), -1);
	cr_assert_eq(page_pick_encoding(p, "gzip, br"), PAGE_IDENTITY);
	page_unref(p);

	p = spliced_page(40, 40, "application/octet-stream", 1);
	cr_assert_null(p->gz_part[0].data);
	page_unref(p);

	p = spliced_page(40, 40, "text/html", 0);
	cr_assert_null(p->gz_part[0].data, "compress=0 is honoured");
	page_unref(p);
	bl_buf_release(&gz);
}

Test(splice_page, never_brotli)
{
	struct page *p = spliced_page(40, 40, "text/html", 1);

	cr_assert_eq(page_pick_encoding(p, "gzip, deflate, br"), PAGE_GZIP);
	cr_assert_eq(page_pick_encoding(p, "br"), PAGE_IDENTITY);
	cr_assert_eq(page_pick_encoding(p, "*"), PAGE_GZIP);
	cr_assert_eq(page_pick_encoding(p, NULL), PAGE_IDENTITY);
	page_unref(p);
}

Test(splice_page, overflowed_buffer_becomes_500)
{
	struct bl_buf b;
	struct page *p;

	bl_buf_init(&b, 8);
	bl_buf_puts(&b, "far too long " PAGE_SPLICE_MARKER);
	p = page_new_spliced(200, "text/html", NULL, &b, 1);
	cr_assert_eq(p->status, 500);
	cr_assert_eq(p->splice_at, -1);
	page_unref(p);
	bl_buf_release(&b);
}

/* --- serving -------------------------------------------------------------- */

struct splice_fixture {
	struct page *article;   /* spliced, with gzip segments */
	struct page *small;     /* spliced, identity only */
	struct page *plain;     /* not spliced */
	struct http_server *srv;
	unsigned port;
};

static struct splice_fixture sf;

static void
splice_handler(void *ctx, const struct http_req *req, struct http_result *res)
{
	struct splice_fixture *f = ctx;
	const char *path = http_req_path(req), *which;

	which = http_req_query(req, "f");
	if (which == NULL || strcmp(which, "none") == 0)
		;
	else if (strcmp(which, "a") == 0) {
		res->fragment = FRAG_A;
		res->fragment_len = strlen(FRAG_A);
	} else if (strcmp(which, "b") == 0) {
		/* Built per request in the arena, as the site does. */
		res->fragment = bl_arena_strdup(http_req_arena(req), FRAG_B);
		res->fragment_len = strlen(FRAG_B);
	} else if (strcmp(which, "empty") == 0) {
		res->fragment = "";
		res->fragment_len = 0;
	}
	if (strcmp(path, "/article/") == 0)
		res->page = page_ref(f->article);
	else if (strcmp(path, "/small/") == 0)
		res->page = page_ref(f->small);
	else if (strcmp(path, "/plain/") == 0)
		res->page = page_ref(f->plain);
	else if (strcmp(path, "/refused/") == 0) {
		res->page = page_ref(f->article);
		res->status = 422;
		res->cache_control = "no-store";
		res->headers[0].name = "Set-Cookie";
		res->headers[0].value = "held=1; Path=/";
		res->nheaders = 1;
	}
}

static void
splice_setup(void)
{
	struct http_config cfg;
	struct bl_buf b = BL_BUF_INIT;
	struct bl_err err;
	int i;

	memset(&sf, 0, sizeof(sf));
	sf.article = spliced_page(100, 100, "text/html; charset=utf-8", 1);
	page_set_last_modified(sf.article, 1700000000);
	sf.small = spliced_page(1, 1, "text/html; charset=utf-8", 1);
	for (i = 0; i < 30; i++)
		bl_buf_printf(&b, "<p>Plain %d.</p>\n", i);
	sf.plain = page_new(200, "text/html; charset=utf-8", NULL, &b, 1);
	bl_buf_release(&b);

	memset(&cfg, 0, sizeof(cfg));
	cfg.host = "127.0.0.1";
	cfg.threads = 2;
	cfg.handler = splice_handler;
	cfg.ctx = &sf;
	cr_assert_eq(http_server_start(&cfg, &sf.srv, &err), 0, "%s",
	    err.msg);
	sf.port = http_server_port(sf.srv);
}

static void
splice_teardown(void)
{
	http_server_stop(sf.srv);
	page_unref(sf.article);
	page_unref(sf.small);
	page_unref(sf.plain);
}

TestSuite(splice_server, .init = splice_setup, .fini = splice_teardown);

static void
assert_no_validators(const struct resp *r)
{
	cr_assert_null(header(r, "ETag"), "a spliced page has no ETag");
	cr_assert_null(header(r, "Last-Modified"));
}

Test(splice_server, identity_is_prefix_fragment_suffix)
{
	static const char *const q[] = { "a", "b", "empty", "none" };
	static const char *const frag[] = { FRAG_A, FRAG_B, "", "" };
	struct resp r;
	char req[256], cl[32], *want;
	size_t i, n;

	for (i = 0; i < 4; i++) {
		snprintf(req, sizeof(req), "GET /article/?f=%s HTTP/1.1\r\n"
		    "Host: x\r\n\r\n", q[i]);
		fetch_port(sf.port, req, &r, 0);
		cr_assert_eq(r.status, 200);
		want = expected(sf.article, frag[i], &n);
		cr_assert_eq(r.blen, n, "fragment %s", q[i]);
		cr_assert_eq(memcmp(r.body, want, n), 0, "fragment %s", q[i]);
		snprintf(cl, sizeof(cl), "%zu", n);
		cr_assert_str_eq(header(&r, "Content-Length"), cl);
		cr_assert_null(header(&r, "Content-Encoding"));
		cr_assert_str_eq(header(&r, "Content-Type"),
		    "text/html; charset=utf-8");
		cr_assert_str_eq(header(&r, "Cache-Control"),
		    "public, max-age=60");
		cr_assert_str_eq(header(&r, "Vary"), "Accept-Encoding");
		assert_no_validators(&r);
		assert_security_headers(&r);
		free(want);
		free(r.body);
	}
}

Test(splice_server, gzip_decompresses_to_the_same_bytes)
{
	static const char *const q[] = { "a", "b", "empty", "none" };
	static const char *const frag[] = { FRAG_A, FRAG_B, "", "" };
	struct resp r;
	char req[256], *want, *got;
	size_t i, n, gn;

	for (i = 0; i < 4; i++) {
		snprintf(req, sizeof(req), "GET /article/?f=%s HTTP/1.1\r\n"
		    "Host: x\r\nAccept-Encoding: gzip, deflate, br\r\n\r\n",
		    q[i]);
		fetch_port(sf.port, req, &r, 0);
		cr_assert_eq(r.status, 200);
		cr_assert_str_eq(header(&r, "Content-Encoding"), "gzip",
		    "gzip, never brotli, for a spliced page");
		cr_assert_str_eq(header(&r, "Vary"), "Accept-Encoding");
		assert_no_validators(&r);
		want = expected(sf.article, frag[i], &n);
		cr_assert_lt(r.blen, n / 2, "the page is compressed");
		got = gunzip_all(r.body, r.blen, &gn);
		cr_assert_eq(gn, n, "fragment %s", q[i]);
		cr_assert_eq(memcmp(got, want, n), 0, "fragment %s", q[i]);
		free(got);
		free(want);
		free(r.body);
	}

	fetch_port(sf.port, "GET /article/?f=a HTTP/1.1\r\nHost: x\r\n"
	    "Accept-Encoding: br\r\n\r\n", &r, 0);
	cr_assert_null(header(&r, "Content-Encoding"),
	    "brotli only: identity");
	free(r.body);
}

Test(splice_server, never_304)
{
	static const char *const conds[] = {
		"If-None-Match: *\r\n",
		"If-Modified-Since: Wed, 15 Nov 2023 08:00:00 GMT\r\n",
		NULL,
	};
	struct resp r;
	char req[512];
	size_t i;

	for (i = 0; i < 3; i++) {
		if (conds[i] != NULL)
			snprintf(req, sizeof(req), GET("/article/?f=a")
			    "%s\r\n", conds[i]);
		else
			snprintf(req, sizeof(req), GET("/article/?f=a")
			    "If-None-Match: %s\r\n\r\n", sf.article->etag);
		fetch_port(sf.port, req, &r, 0);
		cr_assert_eq(r.status, 200, "request %s", req);
		cr_assert_gt(r.blen, 0);
		assert_no_validators(&r);
		free(r.body);
	}
}

Test(splice_server, head_has_length_and_no_body)
{
	struct conn *c = conn_open(sf.port);
	struct resp r;
	char cl[32], *want;
	size_t n;

	want = expected(sf.article, FRAG_A, &n);
	conn_send(c, "HEAD /article/?f=a HTTP/1.1\r\nHost: x\r\n\r\n"
	    GET("/article/?f=b") "\r\n");
	read_resp(c, &r, 1);
	cr_assert_eq(r.status, 200);
	snprintf(cl, sizeof(cl), "%zu", n);
	cr_assert_str_eq(header(&r, "Content-Length"), cl);
	assert_no_validators(&r);
	assert_security_headers(&r);
	free(r.body);
	free(want);
	/* Had a body followed, this would not parse as the next response. */
	want = expected(sf.article, FRAG_B, &n);
	read_resp(c, &r, 0);
	cr_assert_eq(r.status, 200);
	cr_assert_eq(r.blen, n);
	cr_assert_eq(memcmp(r.body, want, n), 0);
	free(r.body);
	free(want);

	/* HEAD with gzip: the length of the gzip body. */
	conn_send(c, GET("/article/?f=a") "Accept-Encoding: gzip\r\n\r\n"
	    "HEAD /article/?f=a HTTP/1.1\r\nHost: x\r\n"
	    "Accept-Encoding: gzip\r\n\r\n");
	read_resp(c, &r, 0);
	n = r.blen;
	free(r.body);
	read_resp(c, &r, 1);
	cr_assert_str_eq(header(&r, "Content-Encoding"), "gzip");
	snprintf(cl, sizeof(cl), "%zu", n);
	cr_assert_str_eq(header(&r, "Content-Length"), cl);
	free(r.body);
	conn_close(c);
}

Test(splice_server, small_page_and_keep_alive)
{
	struct conn *c = conn_open(sf.port);
	struct resp r;
	char *want;
	size_t n;
	int i;

	want = expected(sf.small, FRAG_A, &n);
	for (i = 0; i < 3; i++) {
		conn_send(c, GET("/small/?f=a")
		    "Accept-Encoding: gzip\r\n\r\n");
		read_resp(c, &r, 0);
		cr_assert_eq(r.status, 200);
		cr_assert_null(header(&r, "Content-Encoding"),
		    "no gzip segments: identity");
		cr_assert_null(header(&r, "Vary"));
		cr_assert_eq(r.blen, n);
		cr_assert_eq(memcmp(r.body, want, n), 0);
		free(r.body);
	}
	free(want);
	conn_close(c);
}

Test(splice_server, fragment_without_splice_point_is_ignored)
{
	struct resp r;

	fetch_port(sf.port, GET("/plain/?f=a") "\r\n", &r, 0);
	cr_assert_eq(r.status, 200);
	cr_assert_eq(r.blen, sf.plain->body[PAGE_IDENTITY].len);
	cr_assert_eq(memcmp(r.body, sf.plain->body[PAGE_IDENTITY].data,
	    r.blen), 0);
	cr_assert_str_eq(header(&r, "ETag"), sf.plain->etag);
	free(r.body);
}

Test(splice_server, overrides_apply_to_spliced_pages)
{
	struct resp r;
	char *want;
	size_t n;

	fetch_port(sf.port, "POST /refused/?f=b HTTP/1.1\r\nHost: x\r\n"
	    "Content-Type: application/x-www-form-urlencoded\r\n"
	    "Content-Length: 3\r\n\r\na=1", &r, 0);
	cr_assert_eq(r.status, 422);
	cr_assert_str_eq(header(&r, "Cache-Control"), "no-store");
	cr_assert_str_eq(header(&r, "Set-Cookie"), "held=1; Path=/");
	want = expected(sf.article, FRAG_B, &n);
	cr_assert_eq(r.blen, n);
	cr_assert_eq(memcmp(r.body, want, n), 0);
	assert_no_validators(&r);
	free(want);
	free(r.body);
}
