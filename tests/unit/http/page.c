/* Unit tests for src/http/page.c: ETags, compressed variants, negotiation. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include <brotli/decode.h>
#include <zlib.h>

#include "http/page.h"

/* A few KB of repetitive HTML, like a rendered article. */
static struct page *
html_page(const char *word, int compress)
{
	struct bl_buf b = BL_BUF_INIT;
	struct page *p;
	int i;

	bl_buf_puts(&b, "<!DOCTYPE html><html><body>");
	for (i = 0; i < 100; i++)
		bl_buf_printf(&b, "<p class=\"para\">%s number %d of the "
		    "story, with the usual words.</p>\n", word, i);
	bl_buf_puts(&b, "</body></html>\n");
	p = page_new(200, "text/html; charset=utf-8", "public, max-age=60",
	    &b, compress);
	bl_buf_release(&b);
	return p;
}

static struct page *
body_page(const char *type, const char *body, int compress)
{
	struct bl_buf b = BL_BUF_INIT;
	struct page *p;

	bl_buf_puts(&b, body);
	p = page_new(200, type, NULL, &b, compress);
	bl_buf_release(&b);
	return p;
}

static char *
gunzip(const char *in, size_t len, size_t *outlen)
{
	z_stream z;
	size_t cap = 1 << 20;
	char *out = malloc(cap);
	int rc;

	memset(&z, 0, sizeof(z));
	cr_assert_eq(inflateInit2(&z, 15 + 16), Z_OK);
	z.next_in = (Bytef *)in;
	z.avail_in = (uInt)len;
	z.next_out = (Bytef *)out;
	z.avail_out = (uInt)cap;
	rc = inflate(&z, Z_FINISH);
	cr_assert_eq(rc, Z_STREAM_END, "gzip variant does not inflate");
	*outlen = z.total_out;
	inflateEnd(&z);
	return out;
}

static char *
unbrotli(const char *in, size_t len, size_t *outlen)
{
	size_t cap = 1 << 20;
	char *out = malloc(cap);

	*outlen = cap;
	cr_assert_eq(BrotliDecoderDecompress(len, (const uint8_t *)in, outlen,
	    (uint8_t *)out), BROTLI_DECODER_RESULT_SUCCESS,
	    "brotli variant does not decode");
	return out;
}

Test(page, etag_is_quoted_hex_and_stable)
{
	struct page *a = html_page("alpha", 1), *b = html_page("alpha", 0);
	size_t i, n = strlen(a->etag);

	cr_assert_eq(n, 34, "etag '%s' is not 128 bits of hex", a->etag);
	cr_assert_eq(a->etag[0], '"');
	cr_assert_eq(a->etag[n - 1], '"');
	for (i = 1; i < n - 1; i++)
		cr_assert(strchr("0123456789abcdef", a->etag[i]) != NULL);
	cr_assert_str_eq(a->etag, b->etag,
	    "same body must give the same etag whatever the compression");
	page_unref(a);
	page_unref(b);
}

Test(page, etag_changes_with_body)
{
	struct page *a = html_page("alpha", 0), *b = html_page("beta", 0);

	cr_assert_str_neq(a->etag, b->etag);
	page_unref(a);
	page_unref(b);
}

Test(page, takes_over_the_buffer)
{
	struct bl_buf b = BL_BUF_INIT;
	struct page *p;

	bl_buf_puts(&b, "hello");
	p = page_new(404, "text/plain", NULL, &b, 1);
	cr_assert_eq(b.len, 0, "the buffer is left empty");
	cr_assert_eq(p->status, 404);
	cr_assert_str_eq(p->content_type, "text/plain");
	cr_assert_null(p->cache_control);
	cr_assert_eq(p->body[PAGE_IDENTITY].len, 5);
	cr_assert_eq(memcmp(p->body[PAGE_IDENTITY].data, "hello", 5), 0);
	bl_buf_release(&b);
	page_unref(p);
}

Test(page, overflowed_buffer_becomes_500)
{
	struct bl_buf b;
	struct page *p;

	bl_buf_init(&b, 4);
	bl_buf_puts(&b, "too long for the cap");
	p = page_new(200, "text/html", "public", &b, 1);
	cr_assert_eq(p->status, 500, "a truncated page must never be served");
	page_unref(p);
}

Test(page, gzip_variant_inflates_to_identity)
{
	struct page *p = html_page("gamma", 1);
	char *out;
	size_t n;

	cr_assert_not_null(p->body[PAGE_GZIP].data);
	cr_assert_lt(p->body[PAGE_GZIP].len, p->body[PAGE_IDENTITY].len);
	out = gunzip(p->body[PAGE_GZIP].data, p->body[PAGE_GZIP].len, &n);
	cr_assert_eq(n, p->body[PAGE_IDENTITY].len);
	cr_assert_eq(memcmp(out, p->body[PAGE_IDENTITY].data, n), 0);
	free(out);
	page_unref(p);
}

Test(page, brotli_variant_decodes_to_identity)
{
	struct page *p = html_page("delta", 1);
	char *out;
	size_t n;

	cr_assert_not_null(p->body[PAGE_BROTLI].data);
	cr_assert_lt(p->body[PAGE_BROTLI].len, p->body[PAGE_IDENTITY].len);
	out = unbrotli(p->body[PAGE_BROTLI].data, p->body[PAGE_BROTLI].len,
	    &n);
	cr_assert_eq(n, p->body[PAGE_IDENTITY].len);
	cr_assert_eq(memcmp(out, p->body[PAGE_IDENTITY].data, n), 0);
	free(out);
	page_unref(p);
}

Test(page, textual_types_compress)
{
	static const char *types[] = { "text/css", "application/json",
	    "application/xml", "application/atom+xml", "image/svg+xml",
	    "application/javascript", "TEXT/PLAIN; charset=utf-8" };
	char body[2048];
	struct page *p;
	size_t i;

	memset(body, 'a', sizeof(body) - 1);
	body[sizeof(body) - 1] = '\0';
	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		p = body_page(types[i], body, 1);
		cr_assert_not_null(p->body[PAGE_GZIP].data, "%s", types[i]);
		cr_assert_not_null(p->body[PAGE_BROTLI].data, "%s", types[i]);
		page_unref(p);
	}
}

Test(page, no_variants_when_not_worth_it)
{
	char body[2048];
	struct page *p;

	p = body_page("text/html", "<p>tiny</p>", 1);
	cr_assert_null(p->body[PAGE_GZIP].data, "tiny bodies stay as they are");
	cr_assert_null(p->body[PAGE_BROTLI].data);
	page_unref(p);

	memset(body, 'a', sizeof(body) - 1);
	body[sizeof(body) - 1] = '\0';
	p = body_page("image/png", body, 1);
	cr_assert_null(p->body[PAGE_GZIP].data, "binary types stay as they are");
	cr_assert_null(p->body[PAGE_BROTLI].data);
	page_unref(p);

	p = body_page("text/html", body, 0);
	cr_assert_null(p->body[PAGE_GZIP].data, "compress=0 is honoured");
	cr_assert_null(p->body[PAGE_BROTLI].data);
	page_unref(p);
}

Test(page, picks_encoding)
{
	struct page *p = html_page("epsilon", 1);

	cr_assert_eq(page_pick_encoding(p, NULL), PAGE_IDENTITY,
	    "no header: identity");
	cr_assert_eq(page_pick_encoding(p, ""), PAGE_IDENTITY);
	cr_assert_eq(page_pick_encoding(p, "gzip, deflate, br"), PAGE_BROTLI);
	cr_assert_eq(page_pick_encoding(p, "gzip"), PAGE_GZIP);
	cr_assert_eq(page_pick_encoding(p, "x-gzip"), PAGE_GZIP);
	cr_assert_eq(page_pick_encoding(p, "BR"), PAGE_BROTLI);
	cr_assert_eq(page_pick_encoding(p, "br;q=0, gzip"), PAGE_GZIP);
	cr_assert_eq(page_pick_encoding(p, "br; q=0.0, gzip;q=0.8"), PAGE_GZIP);
	cr_assert_eq(page_pick_encoding(p, "gzip;q=1.0, br;q=0.5"), PAGE_GZIP,
	    "a higher q-value wins over the br preference");
	cr_assert_eq(page_pick_encoding(p, "gzip;q=0, br;q=0"), PAGE_IDENTITY);
	cr_assert_eq(page_pick_encoding(p, "*"), PAGE_BROTLI);
	cr_assert_eq(page_pick_encoding(p, "*;q=0.5, br;q=0"), PAGE_GZIP);
	cr_assert_eq(page_pick_encoding(p, "identity"), PAGE_IDENTITY,
	    "identity only");
	cr_assert_eq(page_pick_encoding(p, "identity;q=0, gzip"), PAGE_GZIP);
	cr_assert_eq(page_pick_encoding(p, "deflate"), PAGE_IDENTITY);
	cr_assert_eq(page_pick_encoding(p, "*;q=0"), PAGE_IDENTITY,
	    "nothing acceptable: identity rather than 406");
	page_unref(p);

	p = body_page("text/html", "<p>tiny</p>", 1);
	cr_assert_eq(page_pick_encoding(p, "br, gzip"), PAGE_IDENTITY,
	    "absent variants are never picked");
	page_unref(p);
}

Test(page, redirect_links_target_safely)
{
	struct page *p = page_redirect(301, "/new?a=1&b=\"<x>\"\r\nSet-Cookie: y");
	const char *body = p->body[PAGE_IDENTITY].data;

	cr_assert_eq(p->status, 301);
	cr_assert_str_eq(p->location, "/new?a=1&b=\"<x>\"Set-Cookie: y",
	    "control characters are stripped from Location");
	cr_assert_not_null(strstr(body, "href=\"/new?a=1&amp;b=&quot;&lt;x"),
	    "body: %s", body);
	cr_assert_null(strstr(body, "<x>"));
	cr_assert_str_eq(p->content_type, "text/html; charset=utf-8");
	page_unref(p);
}

Test(page, deps_and_last_modified)
{
	struct page *p = body_page("text/html", "x", 0);

	page_add_dep(p, "article:1");
	page_add_dep(p, "tag:police");
	page_add_dep(p, "article:1");
	cr_assert_eq(p->ndeps, 2, "duplicate deps are kept once");
	cr_assert_str_eq(p->deps[1], "tag:police");
	page_set_last_modified(p, 1700000000);
	cr_assert_eq(p->last_modified, 1700000000);
	page_unref(p);
}

Test(page, refcount_keeps_page_alive)
{
	struct page *p = body_page("text/plain", "kept", 0);

	cr_assert_eq(page_ref(p), p);
	page_unref(p);
	cr_assert_eq(memcmp(p->body[PAGE_IDENTITY].data, "kept", 4), 0);
	page_unref(p);
	page_unref(NULL);
}

Test(page, one_response_pages_make_only_the_coding_asked_for)
{
	struct page *p;

	cr_expect_eq(page_compress_for("gzip, deflate, br"),
	    PAGE_COMPRESS_BROTLI);
	cr_expect_eq(page_compress_for("gzip"), PAGE_COMPRESS_GZIP);
	cr_expect_eq(page_compress_for("br;q=0, gzip;q=0.5"),
	    PAGE_COMPRESS_GZIP);
	cr_expect_eq(page_compress_for("identity"), 0);
	cr_expect_eq(page_compress_for(NULL), 0);

	p = html_page("harbour", PAGE_COMPRESS_GZIP);
	cr_expect_not_null(p->body[PAGE_GZIP].data);
	cr_expect_null(p->body[PAGE_BROTLI].data, "brotli made for nobody");
	cr_expect_eq(page_pick_encoding(p, "gzip"), PAGE_GZIP);
	page_unref(p);

	p = html_page("harbour", PAGE_COMPRESS_BROTLI);
	cr_expect_null(p->body[PAGE_GZIP].data);
	cr_expect_not_null(p->body[PAGE_BROTLI].data);
	cr_expect_eq(page_pick_encoding(p, "gzip, br"), PAGE_BROTLI);
	page_unref(p);

	/* Cached pages still get both. */
	p = html_page("harbour", PAGE_COMPRESS_ALL);
	cr_expect_not_null(p->body[PAGE_GZIP].data);
	cr_expect_not_null(p->body[PAGE_BROTLI].data);
	page_unref(p);
}
