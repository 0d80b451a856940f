/* URL slugs: names and titles folded to lowercase ASCII words. */
#ifndef BL_SLUG_H
#define BL_SLUG_H

#include <stddef.h>

/*
 * Writes the slug of `name` to `out` (`outsz` bytes, always terminated):
 * ASCII letters lowercased, digits kept, Latin letters with diacritics and
 * ligatures folded (é->e, ß->ss, ø->o, ł->l, ọ->o, Æ->ae), combining marks
 * and apostrophes dropped ("don't" -> "dont"), everything else separating
 * words with single hyphens. With `hex`, letters of other scripts become
 * "u" + hex code point, so a name in any script has a slug. At most `max`
 * bytes (0: as many as fit), cut after a whole word when possible.
 * Returns the length; 0 when nothing is left.
 */
size_t bl_slugify(const char *name, char *out, size_t outsz, size_t max,
    int hex);

#endif
