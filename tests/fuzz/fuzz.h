/* Small helpers shared by the libFuzzer harnesses. */
#ifndef BL_FUZZ_H
#define BL_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A NUL-terminated malloc'd copy of data[0..n) (stops at an inner NUL
 * when read as a string); the caller frees it. */
static inline char *
fuzz_str(const uint8_t *data, size_t n)
{
	char *s = malloc(n + 1);

	if (s == NULL)
		abort();
	memcpy(s, data, n);
	s[n] = '\0';
	return s;
}

/* Splits the input at its first byte `sep`: *head gets data[0..i) and
 * the rest follows the separator. Returns the length of the head (all of
 * the input and *rest_n 0 when `sep` is absent). */
static inline size_t
fuzz_split(const uint8_t *data, size_t size, int sep, const uint8_t **rest,
    size_t *rest_n)
{
	const uint8_t *p = memchr(data, sep, size);

	if (p == NULL) {
		*rest = data + size;
		*rest_n = 0;
		return size;
	}
	*rest = p + 1;
	*rest_n = size - (size_t)(p - data) - 1;
	return (size_t)(p - data);
}

#endif
