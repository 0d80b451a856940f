/* UTF-8 validation and small text helpers shared by every input path. */
#ifndef BL_UTF8_H
#define BL_UTF8_H

#include <stddef.h>

/* Returns 1 if s[0..n) is well-formed UTF-8 (no overlongs, no surrogates,
 * nothing above U+10FFFF), 0 otherwise. */
int bl_utf8_valid(const char *s, size_t n);
/* The offset of the first byte that is not well-formed UTF-8, or `n`. */
size_t bl_utf8_invalid_at(const char *s, size_t n);
/* Decodes one code point at s (valid UTF-8 assumed, n > 0); stores its
 * length in *len. */
unsigned bl_utf8_decode(const char *s, size_t n, size_t *len);
/* Number of code points in valid UTF-8. */
size_t bl_utf8_len(const char *s, size_t n);
/* Returns 1 if s holds C0/C1 control characters other than tab, LF and CR. */
int bl_utf8_has_controls(const char *s, size_t n);

/* A copy of s[0..n) (arena-owned, NUL-terminated) where every byte that is
 * not part of well-formed UTF-8 becomes U+FFFD and NUL bytes are dropped,
 * so text from outside can be shown back safely. */
struct bl_arena;
char *bl_utf8_repair(struct bl_arena *a, const char *s, size_t n);

#endif
