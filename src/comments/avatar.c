/* Avatar ids (a keyed hash of the email) and the identicons drawn from them. */
#include "comments/comments.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core/alloc.h"

#define AVATAR_BYTES 16

void
cmt_avatar_id(const struct cmt_keys *k, const char *email, char out[33])
{
	unsigned char hash[AVATAR_BYTES];
	const char *s = email ? email : "";
	size_t n;
	char *low;

	if (sodium_init() < 0)
		bl_fatal("cannot initialise libsodium");
	while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
		s++;
	n = strlen(s);
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' ||
	    s[n - 1] == '\r' || s[n - 1] == '\n'))
		n--;
	low = bl_xstrndup(s, n);
	for (size_t i = 0; i < n; i++)
		if (low[i] >= 'A' && low[i] <= 'Z')
			low[i] = (char)(low[i] - 'A' + 'a');
	crypto_generichash(hash, sizeof(hash), (const unsigned char *)low, n,
	    k->avatar, sizeof(k->avatar));
	sodium_bin2hex(out, 33, hash, sizeof(hash));
	sodium_memzero(low, n);
	free(low);
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static void
hsl_rgb(double h, double s, double l, double rgb[3])
{
	double c = (1 - fabs(2 * l - 1)) * s;
	double x = c * (1 - fabs(fmod(h / 60, 2) - 1));
	double m = l - c / 2, r, g, b;

	if (h < 60) { r = c; g = x; b = 0; }
	else if (h < 120) { r = x; g = c; b = 0; }
	else if (h < 180) { r = 0; g = c; b = x; }
	else if (h < 240) { r = 0; g = x; b = c; }
	else if (h < 300) { r = x; g = 0; b = c; }
	else { r = c; g = 0; b = x; }
	rgb[0] = r + m;
	rgb[1] = g + m;
	rgb[2] = b + m;
}

/* Approximate relative luminance (WCAG weights, gamma 2.2). */
static double
luminance(const double rgb[3])
{
	return 0.2126 * pow(rgb[0], 2.2) + 0.7152 * pow(rgb[1], 2.2) +
	    0.0722 * pow(rgb[2], 2.2);
}

/*
 * A "#rrggbb" colour of hue h (degrees) and saturation s, at lightness l
 * or darker: yellows and greens are darkened until they stand out from the
 * light background (contrast about 2.5:1 or more).
 */
static void
colour(double h, double s, double l, char out[8])
{
	double rgb[3];

	hsl_rgb(h, s, l, rgb);
	while (luminance(rgb) > 0.30 && l > 0.25) {
		l -= 0.02;
		hsl_rgb(h, s, l, rgb);
	}
	snprintf(out, 8, "#%02x%02x%02x", (unsigned)lround(rgb[0] * 255),
	    (unsigned)lround(rgb[1] * 255), (unsigned)lround(rgb[2] * 255));
}

int
cmt_avatar_svg(const char *id, struct bl_buf *out)
{
	unsigned char b[AVATAR_BYTES];
	unsigned cells;
	char fg[8];

	if (id == NULL || strlen(id) != 2 * AVATAR_BYTES)
		return -1;
	for (size_t i = 0; i < AVATAR_BYTES; i++) {
		int hi = hexval(id[2 * i]), lo = hexval(id[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -1;
		b[i] = (unsigned char)(hi << 4 | lo);
	}
	/* Medium saturation and lightness: visible on the light background
	 * and on a dark page around it. */
	colour((double)(((unsigned)b[0] << 8 | b[1]) % 360),
	    0.45 + (b[2] % 20) / 100.0, 0.42 + (b[3] % 14) / 100.0, fg);
	/* Three columns of five cells; columns 3 and 4 mirror 1 and 0. */
	cells = ((unsigned)b[4] << 8 | b[5]) & 0x7fff;
	if (cells == 0)
		cells = ((unsigned)b[6] << 8 | b[7]) & 0x7fff;
	if (cells == 0)
		cells = 0x7fff & ~0x2a;         /* a full grid, less a stripe */
	bl_buf_puts(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" "
	    "width=\"40\" height=\"40\" viewBox=\"0 0 5 5\" "
	    "shape-rendering=\"crispEdges\">"
	    "<rect width=\"5\" height=\"5\" fill=\"#eeeeee\"/>");
	bl_buf_printf(out, "<path fill=\"%s\" d=\"", fg);
	for (unsigned row = 0; row < 5; row++)
		for (unsigned col = 0; col < 3; col++) {
			if (!(cells & (1u << (row * 3 + col))))
				continue;
			bl_buf_printf(out, "M%u %uh1v1h-1z", col, row);
			if (col < 2)
				bl_buf_printf(out, "M%u %uh1v1h-1z", 4 - col, row);
		}
	bl_buf_puts(out, "\"/></svg>\n");
	return bl_buf_err(out);
}
