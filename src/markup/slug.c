/* URL slugs from titles and names (file names of photos, headings). */
#include "markup/markup.h"

#include <string.h>

#include "core/slug.h"

char *
markup_slug(struct bl_arena *a, const char *s, size_t max)
{
	size_t n = s ? strlen(s) : 0;
	/* Folding never makes text more than twice as long. */
	char *out = bl_arena_alloc(a, 2 * n + 2);

	bl_slugify(s, out, 2 * n + 2, max, 0);
	return out;
}
