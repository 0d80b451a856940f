/* URL slugs from titles and names. */
#include "markup/markup.h"

#include <ctype.h>
#include <string.h>

#include "core/utf8.h"

/* ASCII for U+00C0..U+00FF; "" separates words, uppercase letters stand
 * for two-letter results (see two()). */
static const char *const latin1[64] = {
	"a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e",
	"i", "i", "i", "i", "d", "n", "o", "o", "o", "o", "o", "",
	"o", "u", "u", "u", "u", "y", "th", "ss",
	"a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e",
	"i", "i", "i", "i", "d", "n", "o", "o", "o", "o", "o", "",
	"o", "u", "u", "u", "u", "y", "th", "y",
};

/* U+0100..U+017F, one letter each; I, N and O stand for ij, ng and oe. */
static const char latin_ext_a[] =
	"aaaaaaccccccccdd" "ddeeeeeeeeeegggg" "gggghhhhiiiiiiii"
	"iiIIjjkkklllllll" "lllnnnnnnnNNoooo" "ooOOrrrrrrssssss"
	"sstttttt" "uuuuuuuu" "uuuuwwyyyzzzzzzs";

static const char *
ascii_for(unsigned cp, char one[2])
{
	if (cp >= 0xc0 && cp <= 0xff)
		return latin1[cp - 0xc0];
	if (cp >= 0x100 && cp <= 0x17f) {
		char c = latin_ext_a[cp - 0x100];

		if (c == 'I')
			return "ij";
		if (c == 'N')
			return "ng";
		if (c == 'O')
			return "oe";
		one[0] = c;
		one[1] = '\0';
		return one;
	}
	if (cp == 0x218 || cp == 0x219)   /* Ș ș */
		return "s";
	if (cp == 0x21a || cp == 0x21b)   /* Ț ț */
		return "t";
	return "";
}

char *
markup_slug(struct bl_arena *a, const char *s, size_t max)
{
	struct bl_buf b = BL_BUF_INIT;
	size_t n = s ? strlen(s) : 0, i = 0;
	int hyphen = 0;
	char *out;

	if (!bl_utf8_valid(s ? s : "", n))
		n = 0;
	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		const char *rep;
		char one[2];
		size_t len;
		unsigned cp;

		if (c < 0x80) {
			i++;
			if (c == '\'')
				continue;   /* "Mayor's" -> "mayors" */
			if (!isalnum(c)) {
				hyphen = 1;
				continue;
			}
			one[0] = (char)tolower(c);
			one[1] = '\0';
			rep = one;
		} else {
			cp = bl_utf8_decode(s + i, n - i, &len);
			i += len;
			if ((cp >= 0x300 && cp <= 0x36f) || cp == 0x2019 ||
			    cp == 0x2bc)
				continue;   /* combining marks, apostrophes */
			rep = ascii_for(cp, one);
			if (rep[0] == '\0') {
				hyphen = 1;
				continue;
			}
		}
		if (hyphen && b.len > 0)
			bl_buf_putc(&b, '-');
		hyphen = 0;
		bl_buf_puts(&b, rep);
	}
	if (max > 0 && b.len > max) {
		size_t cut = max;

		/* Cut at a hyphen so no word is broken, unless the first
		 * word alone is longer than max. */
		if (b.s[cut] != '-') {
			while (cut > 0 && b.s[cut - 1] != '-')
				cut--;
			if (cut == 0)
				cut = max;
		}
		while (cut > 0 && b.s[cut - 1] == '-')
			cut--;
		bl_buf_truncate(&b, cut);
	}
	out = bl_arena_strdup(a, bl_buf_err(&b) ? "" : b.s);
	bl_buf_release(&b);
	return out;
}
