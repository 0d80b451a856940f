/* The one HTML-escaping writer: every byte of outside text reaches HTML here. */
#ifndef BL_HTML_H
#define BL_HTML_H

#include <stddef.h>

#include "core/buf.h"

/*
 * Each function appends to `out` and escapes for one context. Text from
 * outside (articles, comments, query strings, config) must reach HTML only
 * through these. Raw markup is written with bl_buf_puts() by the template
 * engine (template literal text) and the markup renderers (tags they built
 * themselves), never with outside text.
 *
 * All return 0, or -1 if the buffer is in error (see bl_buf_err()).
 */

/* Text content or a quoted attribute value: escapes & < > " ' . */
int html_text(struct bl_buf *out, const char *s, size_t n);
int html_puts(struct bl_buf *out, const char *s);

/* A URL in an href/src attribute: keeps only safe schemes (http, https,
 * mailto, tel) and relative references; anything else (javascript:, data:,
 * vbscript:, control characters) becomes "#". The kept URL is escaped as
 * attribute text. */
int html_url(struct bl_buf *out, const char *s, size_t n);
/* Returns 1 if `s` is a URL html_url() would keep. */
int html_url_is_safe(const char *s, size_t n);

/* Percent-encodes `s` for one path segment or query value. */
int html_url_component(struct bl_buf *out, const char *s, size_t n);

/* Escapes text for a JSON string inside <script type="application/ld+json">:
 * JSON escaping plus </ and <!-- neutralised. No surrounding quotes. */
int html_json_string(struct bl_buf *out, const char *s, size_t n);

#endif
