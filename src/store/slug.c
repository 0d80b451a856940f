/* URL slugs for names the store keeps, and permalink dates. */
#include "store/store_int.h"

#include <string.h>

#include "core/slug.h"

size_t
store_slugify(const char *name, char *out, size_t outsz)
{
	size_t n = bl_slugify(name, out, outsz, STORE_SLUG_MAX, 0);

	/* A name in another script gets a slug all the same. */
	if (n == 0)
		n = bl_slugify(name, out, outsz, STORE_SLUG_MAX, 1);
	return n;
}

static int
digits(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

int
store_path_date_valid(const char *s)
{
	int m, d;

	if (s == NULL || strlen(s) != 10 || s[4] != '/' || s[7] != '/')
		return 0;
	if (!digits(s, 4) || !digits(s + 5, 2) || !digits(s + 8, 2))
		return 0;
	m = (s[5] - '0') * 10 + (s[6] - '0');
	d = (s[8] - '0') * 10 + (s[9] - '0');
	return m >= 1 && m <= 12 && d >= 1 && d <= 31;
}
