/* base64url encoding of public bytes: a table lookup per six bits. */
#include "core/base64.h"

static const char alphabet[64] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

size_t
bl_base64url(const unsigned char *in, size_t n, char *out)
{
	char *o = out;
	unsigned long v;

	for (; n >= 3; in += 3, n -= 3) {
		v = (unsigned long)in[0] << 16 | (unsigned long)in[1] << 8 |
		    in[2];
		*o++ = alphabet[v >> 18];
		*o++ = alphabet[(v >> 12) & 63];
		*o++ = alphabet[(v >> 6) & 63];
		*o++ = alphabet[v & 63];
	}
	if (n > 0) {
		v = (unsigned long)in[0] << 16;
		if (n == 2)
			v |= (unsigned long)in[1] << 8;
		*o++ = alphabet[v >> 18];
		*o++ = alphabet[(v >> 12) & 63];
		if (n == 2)
			*o++ = alphabet[(v >> 6) & 63];
	}
	*o = '\0';
	return (size_t)(o - out);
}
