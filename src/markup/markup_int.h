/* Helpers shared by the files of src/markup/ (not a public interface). */
#ifndef BL_MARKUP_INT_H
#define BL_MARKUP_INT_H

#include "core/buf.h"
#include "store/store.h"

/*
 * Writes one <figure class="photo">. The image source is "/media/" + the
 * photo's file when `url` is NULL, else `url` itself (a Markdown image that
 * is not one of the article's photos); no <img> when neither gives a safe
 * source. Returns 0, or -1 if `out` is in error.
 */
int mk_figure(struct bl_buf *out, const struct st_photo *p, const char *url);

#endif
