/* The interface between libbyline and the image module (byline-media.so). */
#ifndef BL_MEDIA_MODULE_H
#define BL_MEDIA_MODULE_H

#include "core/err.h"

/*
 * The module exports one symbol, MEDIA_MODULE_SYMBOL, a struct media_module
 * whose functions do what media/image.h says the media_ functions of the
 * same names do. `abi` must equal MEDIA_MODULE_ABI: a module from another
 * build of Byline is refused rather than called. The module carries its
 * own copies of the core helpers it uses, so it needs nothing from the
 * program that loads it.
 */
#define MEDIA_MODULE_ABI 1
#define MEDIA_MODULE_SYMBOL "byline_media_module"
#define MEDIA_MODULE_FILE "byline-media.so"

struct media_module {
	int abi;
	int (*init)(struct bl_err *err);
	int (*image_size)(const char *path, int *width, int *height,
	    struct bl_err *err);
	int (*demo_image)(const char *path, unsigned seed, int width,
	    int height, struct bl_err *err);
};

#endif
