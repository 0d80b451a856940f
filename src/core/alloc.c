/* Allocation wrappers that abort on exhaustion (the one OOM policy). */
#include "core/alloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
bl_fatal(const char *fmt, ...)
{
	va_list ap;

	fputs("byline: fatal: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

void *
bl_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL)
		bl_fatal("out of memory (%zu bytes)", n);
	return p;
}

void *
bl_xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (p == NULL)
		bl_fatal("out of memory");
	return p;
}

void *
bl_xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (q == NULL)
		bl_fatal("out of memory (%zu bytes)", n);
	return q;
}

char *
bl_xstrndup(const char *s, size_t n)
{
	char *p = bl_xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *
bl_xstrdup(const char *s)
{
	return bl_xstrndup(s, strlen(s));
}
