/* UTF-8 validation and decoding (RFC 3629). */
#include "core/utf8.h"

#include <string.h>

#include "core/arena.h"

size_t
bl_utf8_invalid_at(const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;

	while (i < n) {
		unsigned c = s[i];
		size_t need;
		unsigned cp, min;

		if (c < 0x80) {
			i++;
			continue;
		} else if (c >= 0xc2 && c <= 0xdf) {
			need = 1; cp = c & 0x1f; min = 0x80;
		} else if (c >= 0xe0 && c <= 0xef) {
			need = 2; cp = c & 0x0f; min = 0x800;
		} else if (c >= 0xf0 && c <= 0xf4) {
			need = 3; cp = c & 0x07; min = 0x10000;
		} else
			return i;
		if (n - i - 1 < need)
			return i;
		for (size_t k = 1; k <= need; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return i;
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return i;
		i += need + 1;
	}
	return n;
}

int
bl_utf8_valid(const char *str, size_t n)
{
	return bl_utf8_invalid_at(str, n) == n;
}

unsigned
bl_utf8_decode(const char *str, size_t n, size_t *len)
{
	const unsigned char *s = (const unsigned char *)str;
	unsigned c = s[0];

	if (c < 0x80 || n < 2) {
		*len = 1;
		return c;
	}
	if (c < 0xe0) {
		*len = 2;
		return ((c & 0x1f) << 6) | (s[1] & 0x3f);
	}
	if (c < 0xf0 || n < 4) {
		*len = n < 3 ? n : 3;
		return n < 3 ? 0xfffd :
		    ((c & 0x0f) << 12) | ((s[1] & 0x3f) << 6) | (s[2] & 0x3f);
	}
	*len = 4;
	return ((c & 0x07) << 18) | ((s[1] & 0x3f) << 12) |
	    ((s[2] & 0x3f) << 6) | (s[3] & 0x3f);
}

size_t
bl_utf8_len(const char *s, size_t n)
{
	size_t count = 0;

	for (size_t i = 0; i < n; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			count++;
	return count;
}

int
bl_utf8_has_controls(const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;

	for (size_t i = 0; i < n; i++) {
		if (s[i] < 0x20 && s[i] != '\t' && s[i] != '\n' && s[i] != '\r')
			return 1;
		if (s[i] == 0x7f)
			return 1;
		/* C1 controls U+0080..U+009F are encoded as C2 80..C2 9F. */
		if (s[i] == 0xc2 && i + 1 < n && s[i + 1] >= 0x80 && s[i + 1] <= 0x9f)
			return 1;
	}
	return 0;
}

char *
bl_utf8_repair(struct bl_arena *a, const char *s, size_t n)
{
	/* Each bad byte grows to at most 3 bytes. */
	char *out = bl_arena_alloc(a, n * 3 + 1), *o = out;
	size_t i = 0;

	while (i < n) {
		size_t len = 1;
		unsigned char c = (unsigned char)s[i];

		if (c == 0) {
			i++;
			continue;
		}
		if (c >= 0x80) {
			len = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
			if (len > n - i || !bl_utf8_valid(s + i, len)) {
				memcpy(o, "\xef\xbf\xbd", 3);
				o += 3;
				i++;
				continue;
			}
		}
		memcpy(o, s + i, len);
		o += len;
		i += len;
	}
	*o = '\0';
	return out;
}
