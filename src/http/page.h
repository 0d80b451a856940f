/* A finished response body with its compressed variants, shared by refcount. */
#ifndef BL_PAGE_H
#define BL_PAGE_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"

/*
 * A page is immutable once made and may be served by many threads at once:
 * the page cache and every response in flight each hold a reference.
 * Compressed variants (gzip, brotli) are made once, when the page is made,
 * for bodies worth compressing.
 */
enum page_enc {
	PAGE_IDENTITY = 0,
	PAGE_GZIP = 1,
	PAGE_BROTLI = 2,
	PAGE_ENC__MAX
};

struct page {
	int status;                 /* 200, 404, 301... */
	char *content_type;         /* "text/html; charset=utf-8" */
	char *cache_control;        /* "public, max-age=60" or NULL */
	char *location;             /* redirect target or NULL */
	char etag[40];              /* strong: "\"<hex>\"", from the body;
	                               empty for a spliced page */
	int64_t last_modified;      /* Unix seconds, 0: no Last-Modified */
	struct {
		char *data;
		size_t len;
	} body[PAGE_ENC__MAX];      /* data NULL when that variant is absent */
	char **deps;                /* cache keys this page depends on */
	size_t ndeps;
	atomic_int refs;

	/*
	 * A page may have one splice point: a place where each response
	 * inserts its own small fragment (a fresh CAPTCHA form) without
	 * copying or recompressing the page. -1 when there is none.
	 * body[PAGE_IDENTITY] holds the page without the fragment; the
	 * fragment goes at byte splice_at. For gzip the page keeps the part
	 * before and the part after as raw deflate segments, each ended with
	 * a full flush so they join with the per-request fragment (as stored
	 * blocks) into one valid gzip member (CRC-32 combined with
	 * crc32_combine). Brotli
	 * is not offered for spliced pages.
	 */
	long splice_at;
	struct {
		char *data;              /* raw deflate, full-flushed */
		size_t len;
		unsigned long crc;       /* CRC-32 of the uncompressed part */
		size_t raw_len;          /* uncompressed length */
	} gz_part[2];                /* [0] before, [1] after (ends the stream) */
	unsigned long gz_tail_op;    /* crc32_combine_gen(gz_part[1].raw_len) */

	/* Free for whoever made the page. Zero by default. An article page
	 * (and each of its comment pages) keeps here:
	 *   meta[0]  the article's id
	 *   meta[1]  its publication time (so a cached article can be served
	 *            with its comment form without reading the database)
	 *   meta[2]  the highest id among the approved comments the page
	 *            shows (0 when it shows none): a comment with a higher id
	 *            was approved after the page was made, or is on another
	 *            page of the article's comments. */
	int64_t meta[3];
};

/* The marker a template writes where the splice point goes. */
#define PAGE_SPLICE_MARKER "<!--byline:splice-->"

/* What page_new() compresses: PAGE_COMPRESS_ALL (1) for pages that are
 * cached and served to everyone; a page made for one response only needs
 * the variant that response will carry (page_compress_for()). */
#define PAGE_COMPRESS_ALL 1
#define PAGE_COMPRESS_GZIP 2
#define PAGE_COMPRESS_BROTLI 4
/* The PAGE_COMPRESS_ bit of the coding page_pick_encoding() would choose
 * for `accept_enc` (may be NULL) if both were there; 0 for identity. */
int page_compress_for(const char *accept_enc);

/*
 * Makes a page that takes over `body` (left empty). Compresses it with gzip
 * and brotli as `compress` says, when the type is textual (any text type,
 * JSON, XML, +xml/+json types, JavaScript, SVG) and the body is at least
 * 256 bytes; a variant is kept only if smaller. The strings are copied; a NULL
 * content_type means application/octet-stream. A body in error (its cap
 * was hit) gives a plain 500 page instead of a truncated one.
 * Returns a page with one reference, which the caller owns. Never NULL.
 */
struct page *page_new(int status, const char *content_type,
    const char *cache_control, struct bl_buf *body, int compress);
/*
 * Like page_new(), for a body holding PAGE_SPLICE_MARKER: the first marker
 * is removed and its place becomes splice_at (later ones stay as text).
 * With `compress` (same rules as page_new()) the gzip segments gz_part[]
 * are made instead of whole-body variants; there is never a brotli one.
 * A body without the marker gives an ordinary page (splice_at -1), one in
 * error a 500 page. One reference, owned by the caller. Never NULL.
 */
struct page *page_new_spliced(int status, const char *content_type,
    const char *cache_control, struct bl_buf *body, int compress);

/*
 * Appends to `out` one complete gzip member whose content is the page
 * with `frag` (n bytes; NULL means empty) at the splice point: header,
 * gz_part[0], the fragment as stored blocks, gz_part[1], trailer.
 * Returns 0, or -1 if the page has no gzip segments (not spliced, not
 * compressed) or zlib or `out` failed.
 */
int page_gzip_splice(const struct page *p, const char *frag, size_t n,
    struct bl_buf *out);

/*
 * The per-response pieces of the same gzip member, for sending it without
 * copying the page: head, p->gz_part[0], data, p->gz_part[1], tail.
 * The fragment is not compressed: it goes in as stored deflate blocks,
 * which cost a copy instead of a deflate per response.
 * page_gzip_fragment() returns 0 with `data` malloc'd (the caller frees
 * it) or -1 as page_gzip_splice() does. `crc`, when not NULL, is crc32()
 * of the fragment's n bytes, known to the caller; otherwise it is
 * computed (the trailer needs it).
 */
struct page_gz_frag {
	unsigned char head[10];
	char *data;                 /* the fragment as stored blocks */
	size_t len;
	unsigned char tail[8];      /* CRC-32 and ISIZE */
};
int page_gzip_fragment(const struct page *p, const char *frag, size_t n,
    const uint32_t *crc, struct page_gz_frag *out);

/*
 * The whole body of a spliced page with an n-byte fragment in it, in one
 * buffer, so a response goes out with its headers in one send. enc is
 * PAGE_IDENTITY, or PAGE_GZIP for a page with gzip segments.
 * page_splice_size() gives the body's size, or 0 when the page cannot be
 * sent that way (no splice point, no gzip segments for PAGE_GZIP);
 * page_splice_write() writes exactly that many bytes to `out` (borrowed);
 * `crc` is as for page_gzip_fragment().
 */
size_t page_splice_size(const struct page *p, enum page_enc enc, size_t n);
void page_splice_write(const struct page *p, enum page_enc enc,
    const char *frag, size_t n, const uint32_t *crc, char *out);

/* A redirect (301/302/303/307/308) to `location` (copied; control
 * characters are dropped) with a small HTML body linking it. One
 * reference, owned by the caller. */
struct page *page_redirect(int status, const char *location);
/* Records that the page must be dropped from the cache when `key` changes
 * (copied; duplicates kept once). Like page_set_last_modified(), only
 * before the page is shared: a published page is never written. */
void page_add_dep(struct page *p, const char *key);
void page_set_last_modified(struct page *p, int64_t t);

/* Takes another reference (returns `p`); page_unref() drops one and frees
 * the page with the last. Both are safe from any thread; unref of NULL is
 * a no-op. */
struct page *page_ref(struct page *p);
void page_unref(struct page *p);

/* Picks the best variant the client accepts given its Accept-Encoding
 * header (may be NULL): the highest q-value among the variants the page
 * has, ties going to brotli, then gzip, then identity. Honours q=0, "*"
 * and "identity;q=0". No header means identity; when nothing offered is
 * acceptable, identity is still returned (no 406). For a spliced page
 * PAGE_GZIP means "assemble from gz_part[]" and brotli is never picked. */
enum page_enc page_pick_encoding(const struct page *p, const char *accept_enc);

#endif
