/* A bump allocator for memory that lives as long as one request or command. */
#ifndef BL_ARENA_H
#define BL_ARENA_H

#include <stddef.h>

/*
 * Everything allocated from an arena is freed at once by bl_arena_release().
 * Allocation failure aborts the process (the OOM policy: inputs are capped
 * instead), so these functions never return NULL.
 */
struct bl_arena_block;
struct bl_arena {
	struct bl_arena_block *head;
};

#define BL_ARENA_INIT { NULL }

void bl_arena_init(struct bl_arena *a);
/* Frees every allocation; the arena is left initialised. */
void bl_arena_release(struct bl_arena *a);
/* Returns `n` zeroed bytes, aligned for any type. */
void *bl_arena_alloc(struct bl_arena *a, size_t n);
/* Copies; the results belong to the arena. NULL in gives NULL out. */
char *bl_arena_strdup(struct bl_arena *a, const char *s);
char *bl_arena_strndup(struct bl_arena *a, const char *s, size_t n);
char *bl_arena_printf(struct bl_arena *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
