/* The growable string buffer (see buf.h for its invariants). */
#include "core/buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char bl_buf_empty_[1] = "";

void
bl_buf_init(struct bl_buf *b, size_t max)
{
	b->s = (char *)bl_buf_empty_;
	b->len = 0;
	b->cap = 0;
	b->max = max;
	b->err = 0;
}

void
bl_buf_release(struct bl_buf *b)
{
	size_t max = b->max;

	if (b->cap)
		free(b->s);
	bl_buf_init(b, max);
}

void
bl_buf_reset(struct bl_buf *b)
{
	b->len = 0;
	b->err = 0;
	if (b->cap)
		b->s[0] = '\0';
}

char *
bl_buf_detach(struct bl_buf *b, size_t *len)
{
	char *s;

	if (b->err) {
		bl_buf_release(b);
		return NULL;
	}
	if (b->cap == 0) {
		s = malloc(1);
		if (s == NULL)
			return NULL;
		s[0] = '\0';
	} else
		s = b->s;
	if (len)
		*len = b->len;
	bl_buf_init(b, b->max);
	return s;
}

static int
fail(struct bl_buf *b)
{
	b->err = -1;
	return -1;
}

int
bl_buf_grow(struct bl_buf *b, size_t n)
{
	size_t max = b->max ? b->max : BL_BUF_DEFAULT_MAX;
	size_t want, ncap;
	char *p;

	if (b->err)
		return -1;
	if (n > max || b->len > max - n)
		return fail(b);
	want = b->len + n + 1;
	if (want <= b->cap)
		return 0;
	ncap = b->cap ? b->cap : 64;
	while (ncap < want)
		ncap = ncap < ((size_t)-1) / 2 ? ncap * 2 : want;
	p = b->cap ? realloc(b->s, ncap) : malloc(ncap);
	if (p == NULL)
		return fail(b);
	if (b->cap == 0)
		p[0] = '\0';
	b->s = p;
	b->cap = ncap;
	return 0;
}

int
bl_buf_add(struct bl_buf *b, const void *p, size_t n)
{
	if (bl_buf_grow(b, n) < 0)
		return -1;
	if (n)
		memcpy(b->s + b->len, p, n);
	b->len += n;
	b->s[b->len] = '\0';
	return 0;
}

int
bl_buf_puts(struct bl_buf *b, const char *s)
{
	return bl_buf_add(b, s, strlen(s));
}

int
bl_buf_putc(struct bl_buf *b, char c)
{
	return bl_buf_add(b, &c, 1);
}

int
bl_buf_vprintf(struct bl_buf *b, const char *fmt, va_list ap)
{
	va_list cp;
	int n;

	if (b->err)
		return -1;
	va_copy(cp, ap);
	n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0)
		return fail(b);
	if (bl_buf_grow(b, (size_t)n) < 0)
		return -1;
	vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return 0;
}

int
bl_buf_printf(struct bl_buf *b, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = bl_buf_vprintf(b, fmt, ap);
	va_end(ap);
	return rc;
}

void
bl_buf_truncate(struct bl_buf *b, size_t len)
{
	if (len < b->len) {
		b->len = len;
		b->s[len] = '\0';
	}
}

void
bl_buf_rtrim(struct bl_buf *b)
{
	while (b->len && (b->s[b->len - 1] == ' ' || b->s[b->len - 1] == '\t' ||
	    b->s[b->len - 1] == '\n' || b->s[b->len - 1] == '\r'))
		b->len--;
	if (b->cap)
		b->s[b->len] = '\0';
}
