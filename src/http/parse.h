/* Request parsing that needs no connection: targets, dates, ETags, forms. */
#ifndef BL_HTTP_PARSE_H
#define BL_HTTP_PARSE_H

#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"

/*
 * Internal to src/http (and the fuzz harnesses in tests/fuzz): the pure
 * parsers the server runs on what a client sends, kept apart from
 * libmicrohttpd so they can be driven without a socket.
 */

/* Longest multipart boundary taken (RFC 2046 allows 70). */
#define HTTP_MAX_BOUNDARY 200
/* Form fields (name=value pairs or parts) looked at per body; the rest
 * are ignored. Keeps the first-wins duplicate check cheap. */
#define HTTP_MAX_FIELDS 1000

/* One form field; a name that repeats keeps its first value only. */
struct http_form_field {
	struct http_form_field *next;
	char *name;
	char *value;               /* NUL-terminated; may hold NUL bytes */
	size_t len;
	int truncated;             /* cut at max_field or by the body limit */
};

/* The raw request target is origin-form ("/path?query") and does not
 * smuggle a NUL byte in as "%00". NULL is not ok. */
int http_raw_target_ok(const char *uri);
/* The decoded path is absolute, without control bytes or ".." segment. */
int http_path_ok(const char *p);

/* Parses the three date forms of RFC 9110 5.6.7 (a NUL-terminated
 * string); returns seconds since the epoch, or -1 if none fits. */
int64_t http_parse_date(const char *s);
/* Formats `t` as an IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT"). */
void http_fmt_date(int64_t t, char out[40]);
/* 1 if the If-None-Match list `h` names one of `tags` (each quoted, as
 * sent in ETag; NULL entries are skipped) under weak comparison, or is
 * "*". */
int http_etag_list_match(const char *h, const char *const *tags,
    size_t ntags);

/* Decodes application/x-www-form-urlencoded text in[0..n) ('+' is a
 * space, %XX a byte, a stray '%' stays) into at most `max` bytes of
 * `out`; returns the decoded length and sets *more (if not NULL) when
 * input was left over. `out` is not NUL-terminated. */
size_t http_url_decode(char *out, size_t max, const char *in, size_t n,
    int *more);
/* The parameter `want` (case-insensitive) of a header value s[0..end)
 * such as `form-data; name="x"` (the part before the first ';' is
 * skipped), unquoted, as a string in `a`; NULL when absent. */
char *http_header_param(struct bl_arena *a, const char *s, const char *end,
    const char *want);

/*
 * Parse a form body body[0..len) into a list of fields allocated from `a`
 * (NULL when there are none), in body order, first value of a name wins,
 * values kept up to max_field bytes. urlencoded: `cut` says the body
 * limit cut the body short (its last field is marked truncated).
 * multipart: a part without a closing delimiter is marked truncated; the
 * boundary is the Content-Type parameter, 1..HTTP_MAX_BOUNDARY bytes.
 */
struct http_form_field *http_parse_urlencoded(struct bl_arena *a,
    const char *body, size_t len, size_t max_field, int cut);
struct http_form_field *http_parse_multipart(struct bl_arena *a,
    const char *body, size_t len, const char *boundary, size_t max_field);
/* The field named `name` in the list, or NULL. */
const struct http_form_field *http_form_find(
    const struct http_form_field *list, const char *name);

#endif
