/* Allocation wrappers that abort on exhaustion, and the fatal-error exit. */
#ifndef BL_ALLOC_H
#define BL_ALLOC_H

#include <stddef.h>

/* Each returns memory the caller frees with free(); never NULL. */
void *bl_xmalloc(size_t n);
void *bl_xcalloc(size_t n, size_t size);
void *bl_xrealloc(void *p, size_t n);
char *bl_xstrdup(const char *s);
char *bl_xstrndup(const char *s, size_t n);

/* Prints "byline: fatal: ..." and aborts; for impossible states only. */
_Noreturn void bl_fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
