/* URL slugs: names and titles folded to lowercase ASCII words. */
#include "core/slug.h"

#include <stdio.h>
#include <string.h>

/* Latin letters with diacritics and ligatures, folded to ASCII. */
static const struct fold {
	unsigned lo, hi;
	const char *to;
} folds[] = {
	{ 0x00C0, 0x00C5, "a" }, { 0x00C6, 0x00C6, "ae" },
	{ 0x00C7, 0x00C7, "c" }, { 0x00C8, 0x00CB, "e" },
	{ 0x00CC, 0x00CF, "i" }, { 0x00D0, 0x00D0, "d" },
	{ 0x00D1, 0x00D1, "n" }, { 0x00D2, 0x00D6, "o" },
	{ 0x00D8, 0x00D8, "o" }, { 0x00D9, 0x00DC, "u" },
	{ 0x00DD, 0x00DD, "y" }, { 0x00DE, 0x00DE, "th" },
	{ 0x00DF, 0x00DF, "ss" }, { 0x00E0, 0x00E5, "a" },
	{ 0x00E6, 0x00E6, "ae" }, { 0x00E7, 0x00E7, "c" },
	{ 0x00E8, 0x00EB, "e" }, { 0x00EC, 0x00EF, "i" },
	{ 0x00F0, 0x00F0, "d" }, { 0x00F1, 0x00F1, "n" },
	{ 0x00F2, 0x00F6, "o" }, { 0x00F8, 0x00F8, "o" },
	{ 0x00F9, 0x00FC, "u" }, { 0x00FD, 0x00FD, "y" },
	{ 0x00FE, 0x00FE, "th" }, { 0x00FF, 0x00FF, "y" },
	{ 0x0100, 0x0105, "a" }, { 0x0106, 0x010D, "c" },
	{ 0x010E, 0x0111, "d" }, { 0x0112, 0x011B, "e" },
	{ 0x011C, 0x0123, "g" }, { 0x0124, 0x0127, "h" },
	{ 0x0128, 0x0131, "i" }, { 0x0132, 0x0133, "ij" },
	{ 0x0134, 0x0135, "j" }, { 0x0136, 0x0138, "k" },
	{ 0x0139, 0x0142, "l" }, { 0x0143, 0x014B, "n" },
	{ 0x014C, 0x0151, "o" }, { 0x0152, 0x0153, "oe" },
	{ 0x0154, 0x0159, "r" }, { 0x015A, 0x0161, "s" },
	{ 0x0162, 0x0167, "t" }, { 0x0168, 0x0173, "u" },
	{ 0x0174, 0x0175, "w" }, { 0x0176, 0x0178, "y" },
	{ 0x0179, 0x017E, "z" }, { 0x017F, 0x017F, "s" },
	{ 0x0218, 0x0219, "s" }, { 0x021A, 0x021B, "t" },
	{ 0x1E00, 0x1E01, "a" }, { 0x1E02, 0x1E07, "b" },
	{ 0x1E08, 0x1E09, "c" }, { 0x1E0A, 0x1E13, "d" },
	{ 0x1E14, 0x1E1D, "e" }, { 0x1E1E, 0x1E1F, "f" },
	{ 0x1E20, 0x1E21, "g" }, { 0x1E22, 0x1E2B, "h" },
	{ 0x1E2C, 0x1E2F, "i" }, { 0x1E30, 0x1E35, "k" },
	{ 0x1E36, 0x1E3D, "l" }, { 0x1E3E, 0x1E43, "m" },
	{ 0x1E44, 0x1E4B, "n" }, { 0x1E4C, 0x1E53, "o" },
	{ 0x1E54, 0x1E57, "p" }, { 0x1E58, 0x1E5F, "r" },
	{ 0x1E60, 0x1E69, "s" }, { 0x1E6A, 0x1E71, "t" },
	{ 0x1E72, 0x1E7B, "u" }, { 0x1E7C, 0x1E7F, "v" },
	{ 0x1E80, 0x1E89, "w" }, { 0x1E8A, 0x1E8D, "x" },
	{ 0x1E8E, 0x1E8F, "y" }, { 0x1E90, 0x1E95, "z" },
	{ 0x1E96, 0x1E96, "h" }, { 0x1E97, 0x1E97, "t" },
	{ 0x1E98, 0x1E98, "w" }, { 0x1E99, 0x1E99, "y" },
	{ 0x1E9A, 0x1E9A, "a" }, { 0x1E9B, 0x1E9D, "s" },
	{ 0x1E9E, 0x1E9E, "ss" }, { 0x1E9F, 0x1E9F, "d" },
	{ 0x1EA0, 0x1EB7, "a" }, { 0x1EB8, 0x1EC7, "e" },
	{ 0x1EC8, 0x1ECB, "i" }, { 0x1ECC, 0x1EE3, "o" },
	{ 0x1EE4, 0x1EF1, "u" }, { 0x1EF2, 0x1EF9, "y" },
	{ 0x1EFA, 0x1EFB, "ll" }, { 0x1EFC, 0x1EFD, "v" },
	{ 0x1EFE, 0x1EFF, "y" },
};

/* Decodes one code point; malformed bytes come out as U+FFFD, one byte
 * at a time, so any input is safe. */
static unsigned
decode(const unsigned char *s, size_t *len)
{
	unsigned c = s[0], cp, min;
	size_t n, i;

	*len = 1;
	if (c < 0x80)
		return c;
	if (c >= 0xC2 && c <= 0xDF)
		n = 2, cp = c & 0x1F, min = 0x80;
	else if (c >= 0xE0 && c <= 0xEF)
		n = 3, cp = c & 0x0F, min = 0x800;
	else if (c >= 0xF0 && c <= 0xF4)
		n = 4, cp = c & 0x07, min = 0x10000;
	else
		return 0xFFFD;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0xFFFD;
		cp = cp << 6 | (s[i] & 0x3F);
	}
	if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		return 0xFFFD;
	*len = n;
	return cp;
}

static const char *
fold(unsigned cp)
{
	size_t i;

	for (i = 0; i < sizeof(folds) / sizeof(folds[0]); i++)
		if (cp >= folds[i].lo && cp <= folds[i].hi)
			return folds[i].to;
	return NULL;
}

/* Letters of other scripts: anything that is not ASCII punctuation,
 * space, a control, a Unicode space or general punctuation. */
static int
is_other_letter(unsigned cp)
{
	if (cp < 0xA0 || cp == 0xFFFD)
		return 0;
	if (cp <= 0xBF || cp == 0xD7 || cp == 0xF7)
		return 0;	/* Latin-1 symbols, × and ÷ */
	if (cp >= 0x2000 && cp <= 0x2BFF)
		return 0;	/* punctuation, symbols, arrows */
	if (cp >= 0x3000 && cp <= 0x303F)
		return 0;	/* CJK punctuation */
	if (cp >= 0xFE00 && cp <= 0xFE0F)
		return 0;	/* variation selectors */
	if (cp >= 0x1F000)
		return 0;	/* emoji and friends */
	return 1;
}

size_t
bl_slugify(const char *name, char *out, size_t outsz, size_t max, int hex)
{
	const unsigned char *s = (const unsigned char *)name;
	size_t n = 0, len, tl;
	int gap = 0;
	unsigned cp;
	char tmp[16];
	const char *t;

	if (outsz == 0)
		return 0;
	out[0] = '\0';
	if (name == NULL)
		return 0;
	if (max == 0 || max > outsz - 1)
		max = outsz - 1;
	while (*s) {
		cp = decode(s, &len);
		s += len;
		t = NULL;
		if ((cp >= 'a' && cp <= 'z') || (cp >= '0' && cp <= '9')) {
			tmp[0] = (char)cp, tmp[1] = '\0';
			t = tmp;
		} else if (cp >= 'A' && cp <= 'Z') {
			tmp[0] = (char)(cp - 'A' + 'a'), tmp[1] = '\0';
			t = tmp;
		} else if (cp == '\'' || cp == 0x2019 || cp == 0x02BC ||
		    cp == 0x00AD || (cp >= 0x0300 && cp <= 0x036F))
			continue;	/* "don't" -> "dont"; combining marks */
		else if ((t = fold(cp)) != NULL)
			;
		else if (hex && is_other_letter(cp)) {
			snprintf(tmp, sizeof(tmp), "u%x", cp);
			t = tmp;
		}
		if (t == NULL) {
			gap = n > 0;
			continue;
		}
		tl = strlen(t);
		if (n + (gap ? 1 : 0) + tl > max) {
			/* Too long: end at the last whole word, unless the
			 * first word alone is longer than max. */
			size_t cut = n;

			if (!gap) {
				while (cut > 0 && out[cut - 1] != '-')
					cut--;
				while (cut > 0 && out[cut - 1] == '-')
					cut--;
				if (cut == 0)
					cut = n;
			}
			n = cut;
			break;
		}
		if (gap)
			out[n++] = '-';
		memcpy(out + n, t, tl);
		n += tl;
		gap = 0;
	}
	out[n] = '\0';
	return n;
}
