/* Image work through libvips: start-up, header reads, demo illustrations. */
#ifndef BL_MEDIA_IMAGE_H
#define BL_MEDIA_IMAGE_H

#include "core/err.h"

/*
 * Starts libvips if it is not started yet (every other media_ function
 * does this itself, thread-safely, on first use). `argv0` is ignored.
 * Returns 0, or -1 when libvips cannot start.
 */
int media_init(const char *argv0, struct bl_err *err);

/*
 * Renders a photo-like landscape illustration (sky, sun or clouds, hills,
 * a skyline, water or fields) of `width` x `height` pixels and writes it to
 * `path` as a progressive JPEG (quality 82, no metadata), replacing any file
 * there. The picture depends only on `seed`, `width` and `height`: the same
 * arguments give the same bytes. Sizes from 16 to 8000 pixels a side are
 * accepted. Returns 0, or -1 on a bad size or when the file cannot be
 * written. `path` is borrowed.
 */
int media_demo_image(const char *path, unsigned seed, int width, int height,
    struct bl_err *err);

/*
 * Reads the pixel size of the image at `path` from its header only, without
 * decoding the pixels, into `*width` and `*height`. Returns 0, or -1 when
 * the file cannot be opened or is not an image libvips can read (the
 * outputs are then left untouched). `path` is borrowed.
 */
int media_image_size(const char *path, int *width, int *height,
    struct bl_err *err);

#endif
