/* Fuzzes form bodies: application/x-www-form-urlencoded and
 * multipart/form-data, as the server parses them after reading a POST. */
#include "fuzz.h"

#include "core/arena.h"
#include "http/parse.h"

/*
 * Input: one control byte (bit 0: multipart; bit 1: the body limit cut
 * the body; the rest picks max_field), then for multipart the boundary up
 * to the first newline, then the body.
 */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bl_arena a = BL_ARENA_INIT;
	const struct http_form_field *f, *g;
	const uint8_t *body;
	size_t blen, max_field;
	char *boundary = NULL;
	uint8_t ctl;

	if (size < 1)
		return 0;
	ctl = data[0];
	data++;
	size--;
	max_field = ctl >> 2 == 0 ? 256 * 1024 : (size_t)(ctl >> 2);
	if (ctl & 1) {
		size_t n = fuzz_split(data, size, '\n', &body, &blen);

		if (n == 0 || n > HTTP_MAX_BOUNDARY || memchr(data, 0, n))
			return 0;
		boundary = fuzz_str(data, n);
		f = http_parse_multipart(&a, (const char *)body, blen,
		    boundary, max_field);
	} else
		f = http_parse_urlencoded(&a, (const char *)data, size,
		    max_field, ctl & 2);

	for (; f != NULL; f = f->next) {
		/* What the handlers rely on: a non-empty name without NUL
		 * bytes, a terminated value within max_field, first value
		 * of a name wins. */
		if (f->name[0] == '\0' || f->len > max_field ||
		    f->value[f->len] != '\0')
			abort();
		g = http_form_find(f, f->name);
		if (g != f)
			abort();
	}
	free(boundary);
	bl_arena_release(&a);
	return 0;
}
