/* The one growable string buffer used everywhere in Byline. */
#ifndef BL_BUF_H
#define BL_BUF_H

#include <stdarg.h>
#include <stddef.h>

/*
 * A growable, always NUL-terminated byte buffer with a hard size cap.
 *
 * Invariants (as in git's strbuf and curl's dynbuf):
 *  - after BL_BUF_INIT or bl_buf_init(), `s` is never NULL and `s[len]` is 0;
 *  - `len` is authoritative: the buffer may hold NUL bytes;
 *  - the error flag is sticky: once an append fails (cap reached or out of
 *    memory) every later append is a no-op and bl_buf_err() returns -1, so a
 *    run of appends is checked once at the end;
 *  - the memory belongs to the buffer until bl_buf_detach().
 */
struct bl_buf {
	char *s;
	size_t len;
	size_t cap;   /* allocated bytes, private */
	size_t max;   /* hard cap on len; 0 means BL_BUF_DEFAULT_MAX */
	int err;      /* sticky: 0 ok, -1 after a failed append */
};

#define BL_BUF_DEFAULT_MAX ((size_t)256 * 1024 * 1024)
#define BL_BUF_INIT { (char *)bl_buf_empty_, 0, 0, 0, 0 }

extern const char bl_buf_empty_[1];

/* Initialises `b` without allocating; `max` caps its length (0: default). */
void bl_buf_init(struct bl_buf *b, size_t max);
/* Frees the contents; `b` is left initialised and empty. */
void bl_buf_release(struct bl_buf *b);
/* Empties `b` but keeps its memory and clears the error flag. */
void bl_buf_reset(struct bl_buf *b);
/* Hands the memory to the caller (free() it); `b` is left empty.
 * Returns NULL if the buffer is in error. */
char *bl_buf_detach(struct bl_buf *b, size_t *len);

/* Appends; each returns 0, or -1 when the buffer is (now) in error. */
int bl_buf_add(struct bl_buf *b, const void *p, size_t n);
int bl_buf_puts(struct bl_buf *b, const char *s);
int bl_buf_putc(struct bl_buf *b, char c);
int bl_buf_printf(struct bl_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int bl_buf_vprintf(struct bl_buf *b, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
/* Makes room for `n` more bytes without changing len. */
int bl_buf_grow(struct bl_buf *b, size_t n);
/* Shortens to `len` bytes (no-op if already shorter). */
void bl_buf_truncate(struct bl_buf *b, size_t len);
/* Trims ASCII whitespace at the end. */
void bl_buf_rtrim(struct bl_buf *b);

/* Returns 0 if every append so far succeeded, -1 otherwise. */
static inline int bl_buf_err(const struct bl_buf *b) { return b->err; }

#endif
