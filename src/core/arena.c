/* The bump allocator behind per-request and per-command memory. */
#include "core/arena.h"
#include "core/alloc.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct bl_arena_block {
	struct bl_arena_block *next;
	size_t used, size;
	max_align_t data[];
};

#define BLOCK_SIZE 16384

void
bl_arena_init(struct bl_arena *a)
{
	a->head = NULL;
}

void
bl_arena_release(struct bl_arena *a)
{
	struct bl_arena_block *b, *next;

	for (b = a->head; b != NULL; b = next) {
		next = b->next;
		free(b);
	}
	a->head = NULL;
}

/* n bytes, aligned, not cleared. */
static void *
arena_take(struct bl_arena *a, size_t n)
{
	struct bl_arena_block *b = a->head;
	size_t align = sizeof(max_align_t), sz;
	void *p;

	n = (n + align - 1) / align * align;
	if (n == 0)
		n = align;
	if (b == NULL || b->size - b->used < n) {
		sz = n > BLOCK_SIZE / 2 ? n : BLOCK_SIZE;
		b = bl_xmalloc(sizeof(*b) + sz);
		b->used = 0;
		b->size = sz;
		if (n > BLOCK_SIZE / 2 && a->head != NULL) {
			/* A big block goes behind the current one so the
			 * current block's free space stays usable. */
			b->next = a->head->next;
			a->head->next = b;
		} else {
			b->next = a->head;
			a->head = b;
		}
	}
	p = (char *)b->data + b->used;
	b->used += n;
	return p;
}

void *
bl_arena_alloc(struct bl_arena *a, size_t n)
{
	void *p = arena_take(a, n);

	memset(p, 0, n);
	return p;
}

char *
bl_arena_strndup(struct bl_arena *a, const char *s, size_t n)
{
	char *p;

	if (s == NULL)
		return NULL;
	p = arena_take(a, n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *
bl_arena_strdup(struct bl_arena *a, const char *s)
{
	return s ? bl_arena_strndup(a, s, strlen(s)) : NULL;
}

char *
bl_arena_printf(struct bl_arena *a, const char *fmt, ...)
{
	va_list ap;
	int n;
	char *p;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		bl_fatal("bad format '%s'", fmt);
	p = arena_take(a, (size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}
