/* Reading, writing and copying whole files with size limits. */
#ifndef BL_FILE_H
#define BL_FILE_H

#include <stddef.h>

#include "core/buf.h"
#include "core/err.h"

/* Appends the contents of `path` to `out`; fails if it is not a regular
 * file or is larger than `max` bytes. */
int bl_file_read(const char *path, size_t max, struct bl_buf *out,
    struct bl_err *err);
/* Copies `src` to the new file `dst` (fails if `dst` exists) and syncs it. */
int bl_file_copy(const char *src, const char *dst, struct bl_err *err);
/* Creates `path` and its missing parents (mode 0755). */
int bl_mkdirs(const char *path, struct bl_err *err);
/* The last path component (borrowed pointer into `path`). */
const char *bl_basename(const char *path);

#endif
