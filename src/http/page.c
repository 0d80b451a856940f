/* Pages: response bodies with their ETag and precompressed variants. */
#include "http/page.h"

#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <brotli/encode.h>
#include <sodium.h>
#include <zlib.h>

#include "core/alloc.h"
#include "render/html.h"

/* Bodies shorter than this are not worth a compressed variant. */
#define PAGE_COMPRESS_MIN 256
#define PAGE_GZIP_LEVEL 6
#define PAGE_BROTLI_QUALITY 5

/*
 * Returns 1 for media types that compress well: any text type, JSON, XML
 * and their structured-suffix forms, JavaScript and SVG.
 */
static int
is_textual(const char *type)
{
	size_t n, sub;

	if (type == NULL)
		return 0;
	n = strcspn(type, "; \t");
	if (n >= 5 && strncasecmp(type, "text/", 5) == 0)
		return 1;
	if (n == 13 && strncasecmp(type, "image/svg+xml", 13) == 0)
		return 1;
	if (n < 12 || strncasecmp(type, "application/", 12) != 0)
		return 0;
	sub = n - 12;
	type += 12;
	if ((sub == 4 && strncasecmp(type, "json", 4) == 0) ||
	    (sub == 3 && strncasecmp(type, "xml", 3) == 0) ||
	    (sub == 10 && strncasecmp(type, "javascript", 10) == 0))
		return 1;
	if (sub > 4 && (strncasecmp(type + sub - 4, "+xml", 4) == 0 ||
	    strncasecmp(type + sub - 5, "+json", 5) == 0))
		return 1;
	return 0;
}

/*
 * Deflate states, one per thread, reset for each use. Making one
 * (deflateInit2 allocates about 270 KB, which the first use then faults
 * in) cost more than compressing a 20 KB page with it: an article page
 * built from scratch spent over half of its time there. A thread's state
 * is freed when the thread ends; threads that never compress have none.
 */
static pthread_key_t deflater_key;
static pthread_once_t deflater_once = PTHREAD_ONCE_INIT;
static int deflater_key_ok;

static void
deflater_free(void *v)
{
	z_stream *z = v;

	deflateEnd(z);
	free(z);
}

static void
deflater_key_make(void)
{
	deflater_key_ok = pthread_key_create(&deflater_key, deflater_free) == 0;
}

/* This thread's raw deflate state, reset, or NULL when there is none to
 * be had; a NULL is answered with a state of the caller's own. */
static z_stream *
deflater_get(void)
{
	z_stream *z;

	pthread_once(&deflater_once, deflater_key_make);
	if (!deflater_key_ok)
		return NULL;
	z = pthread_getspecific(deflater_key);
	if (z != NULL)
		return deflateReset(z) == Z_OK ? z : NULL;
	z = bl_xcalloc(1, sizeof(*z));
	if (deflateInit2(z, PAGE_GZIP_LEVEL, Z_DEFLATED, -15, 8,
	    Z_DEFAULT_STRATEGY) != Z_OK) {
		free(z);
		return NULL;
	}
	if (pthread_setspecific(deflater_key, z) != 0) {
		deflater_free(z);
		return NULL;
	}
	return z;
}

/*
 * Raw-deflates `in` (no zlib or gzip wrapper) ending with `flush`
 * (Z_FULL_FLUSH or Z_FINISH), `reserve` bytes into a malloc'd buffer that
 * also leaves `trailer` bytes free after the stream (for the caller's
 * header and trailer); returns 0 with *out that buffer and *outlen the
 * stream's end (reserve included), or -1 if zlib fails.
 */
static int
deflate_raw(const char *in, size_t len, int flush, size_t reserve,
    size_t trailer, char **out, size_t *outlen)
{
	z_stream own, *z;
	uLong bound;
	char *buf;
	int rc;

	if (len > (size_t)UINT32_MAX)
		return -1;
	z = deflater_get();
	if (z == NULL) {
		z = &own;
		memset(z, 0, sizeof(*z));
		if (deflateInit2(z, PAGE_GZIP_LEVEL, Z_DEFLATED, -15, 8,
		    Z_DEFAULT_STRATEGY) != Z_OK)
			return -1;
	}
	/* Room for the flush marker (or final block) on top of the bound. */
	bound = deflateBound(z, (uLong)len) + 16;
	buf = bl_xmalloc(reserve + bound + trailer);
	z->next_in = (Bytef *)in;
	z->avail_in = (uInt)len;
	z->next_out = (Bytef *)buf + reserve;
	z->avail_out = (uInt)bound;
	rc = deflate(z, flush);
	*outlen = reserve + z->total_out;
	if (z == &own)
		deflateEnd(z);
	if ((flush == Z_FINISH && rc != Z_STREAM_END) ||
	    (flush != Z_FINISH && (rc != Z_OK || z->avail_in != 0 ||
	    z->avail_out == 0))) {
		free(buf);
		return -1;
	}
	*out = buf;
	return 0;
}

/* Gzip-compresses `in` (RFC 1952: the raw stream between a header and a
 * CRC-32 and length trailer); returns 0 with a malloc'd result, -1 if
 * zlib fails or the result is not smaller than the input. */
static int
gzip_body(const char *in, size_t len, char **out, size_t *outlen)
{
	unsigned long crc;
	unsigned char *t;
	char *buf;
	size_t n;
	int i;

	if (deflate_raw(in, len, Z_FINISH, 10, 8, &buf, &n) != 0)
		return -1;
	if (n + 8 >= len) {
		free(buf);
		return -1;
	}
	/* Magic, deflate, no flags, no mtime, no extra flags, Unix. */
	memcpy(buf, "\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03", 10);
	crc = crc32(0L, (const Bytef *)in, (uInt)len);
	t = (unsigned char *)buf + n;
	for (i = 0; i < 4; i++) {
		t[i] = (unsigned char)(crc >> (8 * i));
		t[4 + i] = (unsigned char)((uint64_t)len >> (8 * i));
	}
	*out = buf;
	*outlen = n + 8;
	return 0;
}

/* The same with brotli. */
static int
brotli_body(const char *in, size_t len, char **out, size_t *outlen)
{
	size_t bound, n;
	char *buf;

	bound = BrotliEncoderMaxCompressedSize(len);
	if (bound == 0)
		return -1;
	buf = bl_xmalloc(bound);
	n = bound;
	if (!BrotliEncoderCompress(PAGE_BROTLI_QUALITY, BROTLI_DEFAULT_WINDOW,
	    BROTLI_MODE_TEXT, len, (const uint8_t *)in, &n, (uint8_t *)buf) ||
	    n >= len) {
		free(buf);
		return -1;
	}
	*out = buf;
	*outlen = n;
	return 0;
}

/* Fills p->etag with the quoted hex of a 128-bit BLAKE2b of the body. */
static void
make_etag(struct page *p)
{
	unsigned char h[16];
	size_t i;

	crypto_generichash(h, sizeof(h),
	    (const unsigned char *)p->body[PAGE_IDENTITY].data,
	    p->body[PAGE_IDENTITY].len, NULL, 0);
	p->etag[0] = '"';
	for (i = 0; i < sizeof(h); i++)
		snprintf(p->etag + 1 + 2 * i, 3, "%02x", h[i]);
	p->etag[1 + 2 * sizeof(h)] = '"';
	p->etag[2 + 2 * sizeof(h)] = '\0';
}

/* page_new(), and page_new_spliced() without an ETag (a spliced page
 * differs on every view and is never validated). */
static struct page *
page_make(int status, const char *content_type, const char *cache_control,
    struct bl_buf *body, int compress, int with_etag)
{
	struct page *p;
	char *data, *z;
	size_t len, zlen;

	/* Harmless when repeated; picks the fastest BLAKE2b. */
	if (sodium_init() < 0)
		bl_fatal("cannot initialise libsodium");
	p = bl_xcalloc(1, sizeof(*p));
	data = bl_buf_detach(body, &len);
	if (data == NULL) {
		/* The renderer's buffer overflowed its cap: never send a
		 * truncated page. */
		status = 500;
		content_type = "text/plain; charset=utf-8";
		cache_control = "no-store";
		compress = 0;
		data = bl_xstrdup("internal error\n");
		len = strlen(data);
	}
	p->status = status;
	p->splice_at = -1;
	p->content_type = bl_xstrdup(content_type != NULL ? content_type :
	    "application/octet-stream");
	p->cache_control = cache_control != NULL ?
	    bl_xstrdup(cache_control) : NULL;
	p->body[PAGE_IDENTITY].data = data;
	p->body[PAGE_IDENTITY].len = len;
	if (with_etag)
		make_etag(p);
	if (compress == PAGE_COMPRESS_ALL)
		compress = PAGE_COMPRESS_GZIP | PAGE_COMPRESS_BROTLI;
	if (compress && len >= PAGE_COMPRESS_MIN &&
	    is_textual(p->content_type)) {
		if ((compress & PAGE_COMPRESS_GZIP) &&
		    gzip_body(data, len, &z, &zlen) == 0) {
			p->body[PAGE_GZIP].data = z;
			p->body[PAGE_GZIP].len = zlen;
		}
		if ((compress & PAGE_COMPRESS_BROTLI) &&
		    brotli_body(data, len, &z, &zlen) == 0) {
			p->body[PAGE_BROTLI].data = z;
			p->body[PAGE_BROTLI].len = zlen;
		}
	}
	atomic_init(&p->refs, 1);
	return p;
}

struct page *
page_new(int status, const char *content_type, const char *cache_control,
    struct bl_buf *body, int compress)
{
	return page_make(status, content_type, cache_control, body, compress,
	    1);
}

struct page *
page_redirect(int status, const char *location)
{
	struct bl_buf b = BL_BUF_INIT;
	struct page *p;
	char *loc;
	size_t i, j;

	/* Control characters would split the Location header. */
	loc = bl_xstrdup(location != NULL ? location : "/");
	for (i = j = 0; loc[i] != '\0'; i++)
		if ((unsigned char)loc[i] >= 0x20 && loc[i] != 0x7f)
			loc[j++] = loc[i];
	loc[j] = '\0';

	bl_buf_puts(&b, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
	    "<title>Moved</title></head>\n<body><p>This page has moved to "
	    "<a href=\"");
	html_url(&b, loc, j);
	bl_buf_puts(&b, "\">");
	html_text(&b, loc, j);
	bl_buf_puts(&b, "</a>.</p></body></html>\n");
	p = page_new(status, "text/html; charset=utf-8", NULL, &b, 0);
	bl_buf_release(&b);
	p->location = loc;
	return p;
}

/* --- spliced pages ------------------------------------------------------ */

/* Makes the two gzip segments of a spliced page; leaves them absent when
 * zlib fails or they would not save anything. */
static void
make_gz_parts(struct page *p)
{
	const char *data = p->body[PAGE_IDENTITY].data;
	size_t len = p->body[PAGE_IDENTITY].len, at = (size_t)p->splice_at;
	size_t i;

	if (deflate_raw(data, at, Z_FULL_FLUSH, 0, 0,
	    &p->gz_part[0].data, &p->gz_part[0].len) != 0)
		return;
	if (deflate_raw(data + at, len - at, Z_FINISH, 0, 0,
	    &p->gz_part[1].data, &p->gz_part[1].len) != 0 ||
	    p->gz_part[0].len + p->gz_part[1].len + 18 >= len) {
		for (i = 0; i < 2; i++) {
			free(p->gz_part[i].data);
			p->gz_part[i].data = NULL;
			p->gz_part[i].len = 0;
		}
		return;
	}
	p->gz_part[0].raw_len = at;
	p->gz_part[0].crc = crc32(crc32(0L, Z_NULL, 0), (const Bytef *)data,
	    (uInt)at);
	p->gz_part[1].raw_len = len - at;
	p->gz_part[1].crc = crc32(crc32(0L, Z_NULL, 0),
	    (const Bytef *)data + at, (uInt)(len - at));
	p->gz_tail_op = crc32_combine_gen((z_off_t)(len - at));
}

struct page *
page_new_spliced(int status, const char *content_type,
    const char *cache_control, struct bl_buf *body, int compress)
{
	struct page *p;
	const char *m;
	size_t mlen = sizeof(PAGE_SPLICE_MARKER) - 1, at;

	if (bl_buf_err(body) != 0 ||
	    (m = memmem(body->s, body->len, PAGE_SPLICE_MARKER, mlen)) == NULL)
		return page_new(status, content_type, cache_control, body,
		    compress);
	at = (size_t)(m - body->s);
	memmove(body->s + at, body->s + at + mlen, body->len - at - mlen);
	bl_buf_truncate(body, body->len - mlen);
	/* The whole-body variants would be wrong once a fragment goes in. */
	p = page_make(status, content_type, cache_control, body, 0, 0);
	p->splice_at = (long)at;
	if (compress && p->body[PAGE_IDENTITY].len >= PAGE_COMPRESS_MIN &&
	    is_textual(p->content_type))
		make_gz_parts(p);
	return p;
}

/*
 * The fragment goes into the gzip member as stored deflate blocks: no
 * compression work per response (deflating a 2 KB form cost about 20 us,
 * a third of the whole response's CPU; a stored block costs a copy and the
 * CRC). The page around it stays compressed, so the body grows only by
 * what the fragment would have saved. gz_part[0] ends with a full flush,
 * so the stream is byte-aligned there and a stored block may follow.
 */
#define STORED_MAX 65535u

/* Bytes of the stored blocks holding n bytes: a 5-byte header (BFINAL 0,
 * BTYPE 00, LEN, NLEN) per 65535 bytes. Nothing at all for n = 0. */
static size_t
stored_size(size_t n)
{
	return n + 5 * ((n + STORED_MAX - 1) / STORED_MAX);
}

/* Writes `frag` as stored blocks at `out` (stored_size(n) bytes). */
static void
stored_write(const char *frag, size_t n, unsigned char *out)
{
	size_t k;

	while (n > 0) {
		k = n < STORED_MAX ? n : STORED_MAX;
		out[0] = 0x00;
		out[1] = (unsigned char)(k & 0xff);
		out[2] = (unsigned char)(k >> 8);
		out[3] = (unsigned char)(~k & 0xff);
		out[4] = (unsigned char)((~k >> 8) & 0xff);
		memcpy(out + 5, frag, k);
		out += 5 + k;
		frag += k;
		n -= k;
	}
}

/* The gzip header and trailer of the member with `frag` spliced in. */
static void
gz_frame(const struct page *p, const char *frag, size_t n,
    const uint32_t *frag_crc, unsigned char head[10], unsigned char tail[8])
{
	unsigned long crc;
	size_t total;
	int i;

	/* The CRC runs on from the part before through the fragment (or
	 * joins the fragment's own, when the caller knows it); the part
	 * after joins with the operator made when the page was. */
	if (frag_crc != NULL)
		crc = crc32_combine(p->gz_part[0].crc, *frag_crc, (z_off_t)n);
	else
		crc = crc32(p->gz_part[0].crc, (const Bytef *)frag, (uInt)n);
	crc = crc32_combine_op(crc, p->gz_part[1].crc, p->gz_tail_op);
	total = p->gz_part[0].raw_len + n + p->gz_part[1].raw_len;

	/* RFC 1952: magic, deflate, no flags, no mtime, no extra flags,
	 * Unix; the trailer is CRC-32 and ISIZE, little-endian. */
	memcpy(head, "\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03", 10);
	for (i = 0; i < 4; i++) {
		tail[i] = (unsigned char)(crc >> (8 * i));
		tail[4 + i] = (unsigned char)((uint64_t)total >> (8 * i));
	}
}

static int
has_gz_parts(const struct page *p)
{
	return p->splice_at >= 0 && p->gz_part[0].data != NULL &&
	    p->gz_part[1].data != NULL;
}

int
page_gzip_fragment(const struct page *p, const char *frag, size_t n,
    const uint32_t *crc, struct page_gz_frag *out)
{
	memset(out, 0, sizeof(*out));
	if (frag == NULL) {
		frag = "";
		n = 0;
	}
	if (!has_gz_parts(p) || n > (size_t)UINT32_MAX)
		return -1;
	out->len = stored_size(n);
	out->data = bl_xmalloc(out->len + 1);
	stored_write(frag, n, (unsigned char *)out->data);
	gz_frame(p, frag, n, crc, out->head, out->tail);
	return 0;
}

size_t
page_splice_size(const struct page *p, enum page_enc enc, size_t n)
{
	if (p->splice_at < 0)
		return 0;
	if (enc == PAGE_IDENTITY)
		return p->body[PAGE_IDENTITY].len + n;
	if (enc != PAGE_GZIP || !has_gz_parts(p) || n > (size_t)UINT32_MAX)
		return 0;
	return 10 + p->gz_part[0].len + stored_size(n) + p->gz_part[1].len + 8;
}

void
page_splice_write(const struct page *p, enum page_enc enc, const char *frag,
    size_t n, const uint32_t *crc, char *out)
{
	const char *body = p->body[PAGE_IDENTITY].data;
	size_t at = (size_t)p->splice_at, len = p->body[PAGE_IDENTITY].len;
	unsigned char *o = (unsigned char *)out;

	if (frag == NULL)
		n = 0;
	if (enc == PAGE_IDENTITY) {
		if (at > len)
			at = len;
		memcpy(o, body, at);
		if (n > 0)
			memcpy(o + at, frag, n);
		memcpy(o + at + n, body + at, len - at);
		return;
	}
	if (frag == NULL)
		frag = "";
	gz_frame(p, frag, n, crc, o, o + page_splice_size(p, PAGE_GZIP, n) - 8);
	o += 10;
	memcpy(o, p->gz_part[0].data, p->gz_part[0].len);
	o += p->gz_part[0].len;
	stored_write(frag, n, o);
	o += stored_size(n);
	memcpy(o, p->gz_part[1].data, p->gz_part[1].len);
}

int
page_gzip_splice(const struct page *p, const char *frag, size_t n,
    struct bl_buf *out)
{
	struct page_gz_frag g;

	if (page_gzip_fragment(p, frag, n, NULL, &g) != 0)
		return -1;
	bl_buf_add(out, g.head, sizeof(g.head));
	bl_buf_add(out, p->gz_part[0].data, p->gz_part[0].len);
	bl_buf_add(out, g.data, g.len);
	bl_buf_add(out, p->gz_part[1].data, p->gz_part[1].len);
	bl_buf_add(out, g.tail, sizeof(g.tail));
	free(g.data);
	return bl_buf_err(out);
}

void
page_add_dep(struct page *p, const char *key)
{
	size_t i;

	for (i = 0; i < p->ndeps; i++)
		if (strcmp(p->deps[i], key) == 0)
			return;
	p->deps = bl_xrealloc(p->deps, (p->ndeps + 1) * sizeof(*p->deps));
	p->deps[p->ndeps++] = bl_xstrdup(key);
}

void
page_set_last_modified(struct page *p, int64_t t)
{
	p->last_modified = t;
}

struct page *
page_ref(struct page *p)
{
	atomic_fetch_add_explicit(&p->refs, 1, memory_order_relaxed);
	return p;
}

void
page_unref(struct page *p)
{
	size_t i;
	int e;

	if (p == NULL)
		return;
	if (atomic_fetch_sub_explicit(&p->refs, 1, memory_order_acq_rel) != 1)
		return;
	for (e = 0; e < PAGE_ENC__MAX; e++)
		free(p->body[e].data);
	free(p->gz_part[0].data);
	free(p->gz_part[1].data);
	for (i = 0; i < p->ndeps; i++)
		free(p->deps[i]);
	free(p->deps);
	free(p->content_type);
	free(p->cache_control);
	free(p->location);
	free(p);
}

/*
 * Parses the q-value after a coding ("; q=0.5"), in thousandths.
 * Anything unparsable counts as 1, as most servers do.
 */
static int
parse_q(const char *s, const char *end)
{
	int q, scale;

	while (s < end) {
		while (s < end && (*s == ';' || *s == ' ' || *s == '\t'))
			s++;
		if (end - s >= 2 && (s[0] == 'q' || s[0] == 'Q') &&
		    s[1] == '=') {
			s += 2;
			if (s >= end || *s != '0')
				return 1000;
			q = 0;
			if (++s < end && *s == '.')
				s++;
			for (scale = 100; s < end && scale > 0 &&
			    isdigit((unsigned char)*s); s++, scale /= 10)
				q += (*s - '0') * scale;
			return q;
		}
		while (s < end && *s != ';')
			s++;
	}
	return 1000;
}

int
page_compress_for(const char *accept_enc)
{
	/* A page with both variants answers what a real one would. */
	static const struct page both = {
		.splice_at = -1,
		.body = { [PAGE_GZIP] = { (char *)"", 1 },
		    [PAGE_BROTLI] = { (char *)"", 1 } },
	};

	switch (page_pick_encoding(&both, accept_enc)) {
	case PAGE_GZIP:
		return PAGE_COMPRESS_GZIP;
	case PAGE_BROTLI:
		return PAGE_COMPRESS_BROTLI;
	default:
		return 0;
	}
}

enum page_enc
page_pick_encoding(const struct page *p, const char *accept_enc)
{
	/* q in thousandths; -1: not mentioned. */
	int q_br = -1, q_gz = -1, q_id = -1, q_any = -1;
	int q, best_q, has_gz, has_br;
	enum page_enc best;
	const char *s, *end, *tok, *tokend;
	size_t n;

	if (accept_enc == NULL)
		return PAGE_IDENTITY;
	for (s = accept_enc; *s != '\0'; s = *end ? end + 1 : end) {
		end = s + strcspn(s, ",");
		tok = s;
		while (tok < end && (*tok == ' ' || *tok == '\t'))
			tok++;
		tokend = tok;
		while (tokend < end && *tokend != ';' && *tokend != ' ' &&
		    *tokend != '\t')
			tokend++;
		n = (size_t)(tokend - tok);
		if (n == 0)
			continue;
		q = parse_q(tokend, end);
		if (n == 2 && strncasecmp(tok, "br", 2) == 0)
			q_br = q;
		else if ((n == 4 && strncasecmp(tok, "gzip", 4) == 0) ||
		    (n == 6 && strncasecmp(tok, "x-gzip", 6) == 0))
			q_gz = q;
		else if (n == 8 && strncasecmp(tok, "identity", 8) == 0)
			q_id = q;
		else if (n == 1 && *tok == '*')
			q_any = q;
	}
	if (q_br < 0)
		q_br = q_any > 0 ? q_any : 0;
	if (q_gz < 0)
		q_gz = q_any > 0 ? q_any : 0;
	/* Identity is acceptable unless refused by name or by "*;q=0";
	 * unnamed, it ranks below any named coding. */
	if (q_id < 0)
		q_id = q_any == 0 ? 0 : 1;

	if (p->splice_at >= 0) {
		has_gz = p->gz_part[0].data != NULL;
		has_br = 0;
	} else {
		has_gz = p->body[PAGE_GZIP].data != NULL;
		has_br = p->body[PAGE_BROTLI].data != NULL;
	}
	best = PAGE_IDENTITY;
	best_q = q_id;
	if (has_gz && q_gz > 0 && q_gz >= best_q) {
		best = PAGE_GZIP;
		best_q = q_gz;
	}
	if (has_br && q_br > 0 && q_br >= best_q)
		best = PAGE_BROTLI;
	/* With nothing acceptable, identity is still sent rather than 406. */
	return best;
}
