/* The theme template engine: compiled templates that escape by default. */
#ifndef BL_TPL_H
#define BL_TPL_H

#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"

/*
 * Template syntax (files `NAME.html` in a theme's templates/ folder):
 *
 *   {{name}} {{a.b.c}}   a value. Text values are ALWAYS escaped for their
 *                        context, which the compiler knows from the HTML
 *                        around the tag: element text or a quoted attribute
 *                        value (escaped with html_text), or a URL attribute
 *                        value (href, src, action, srcset, poster, cite,
 *                        formaction) escaped with html_url, which turns
 *                        unsafe schemes into "#". Only values built with
 *                        tpl_html() (safe HTML made by markup/ or render/)
 *                        are written as they are, and only in element text.
 *                        A tag inside <script> or <style>, or an unquoted
 *                        attribute value, is a compile error, except inside
 *                        <script type="application/ld+json"> where text is
 *                        escaped with html_json_string().
 *   {{#name}}...{{/name}} a section: repeated for each item of a list (the
 *                        item becomes the innermost scope), entered once
 *                        for a true scalar (non-empty text, non-zero int,
 *                        true bool) or a map (pushed as scope).
 *   {{^name}}...{{/name}} entered when the value is missing, false, zero,
 *                        empty text or an empty list.
 *   {{>partial}}         includes templates/partial.html.
 *   {{!comment}}         nothing.
 *   {{.}}                the current list item (for lists of scalars).
 *   {{@index}} {{@first}} {{@last}} position inside a list section.
 *
 * Also refused at compile time: values in on* event attributes and in
 * srcdoc, values in comments, <!...> declarations and tag or attribute names,
 * {{>partial}} anywhere but element text, and a section whose body would
 * leave the HTML in another context than it found it (so
 * `<option {{#sel}}selected{{/sel}}>` is fine, `{{#x}}<a href="{{/x}}` is
 * not). Every template must end in element text. In JSON-LD a value outside
 * a JSON string is written as a complete JSON value (quoted text, a number,
 * true/false, or null when missing). Ints print in decimal, bools as
 * "true"/"false"; lists and maps print nothing.
 *
 * Partials may call each other (for example a comment thread partial that
 * includes itself for replies) down to TPL_MAX_PARTIAL_DEPTH levels; deeper
 * nesting makes tpl_render() fail.
 *
 * Names resolve from the innermost scope outwards. An unknown name renders
 * as nothing. A site overrides any template by placing a file with the same
 * name in DIR/theme/templates/.
 */

#define TPL_MAX_PARTIAL_DEPTH 16

struct tpl_set;
struct tpl_val;

/* Loads and compiles every template of `theme_dir`/templates, then lets
 * files in `override_dir`/templates (may be NULL or missing) replace them.
 * Compile errors name the file and line. Free with tpl_set_free(). */
int tpl_set_load(const char *theme_dir, const char *override_dir,
    struct tpl_set **out, struct bl_err *err);
void tpl_set_free(struct tpl_set *set);
/* Compiles templates from memory (for tests): `names` and `sources` have
 * `n` entries. */
int tpl_set_from_strings(const char *const *names, const char *const *sources,
    size_t n, struct tpl_set **out, struct bl_err *err);

/* Renders template `name` with `root` as the outermost scope, appending to
 * `out`. Fails if the template does not exist or the buffer overflows. */
int tpl_render(const struct tpl_set *set, const char *name,
    const struct tpl_val *root, struct bl_buf *out, struct bl_err *err);

/* ------------------------------------------------------------- values */
/* Values live in an arena; strings are copied into it. */

struct tpl_val *tpl_map(struct bl_arena *a);
struct tpl_val *tpl_list(struct bl_arena *a);

/* Setters on a map; each returns the value it stored. A NULL string stores
 * nothing (the name stays missing). */
struct tpl_val *tpl_set_text(struct bl_arena *a, struct tpl_val *map,
    const char *key, const char *s);
struct tpl_val *tpl_set_textn(struct bl_arena *a, struct tpl_val *map,
    const char *key, const char *s, size_t n);
struct tpl_val *tpl_set_int(struct bl_arena *a, struct tpl_val *map,
    const char *key, int64_t v);
struct tpl_val *tpl_set_bool(struct bl_arena *a, struct tpl_val *map,
    const char *key, int v);
/* `html` must be safe HTML produced by markup/ or render/ code: it is
 * written without escaping. */
struct tpl_val *tpl_set_html(struct bl_arena *a, struct tpl_val *map,
    const char *key, const char *html);
/* Stores `child` (a map or list) under `key` and returns it. */
struct tpl_val *tpl_set_val(struct bl_arena *a, struct tpl_val *map,
    const char *key, struct tpl_val *child);
/* Creates an empty list/map, stores it under `key`, returns it. */
struct tpl_val *tpl_set_list(struct bl_arena *a, struct tpl_val *map,
    const char *key);
struct tpl_val *tpl_set_map(struct bl_arena *a, struct tpl_val *map,
    const char *key);

/* Appends to a list; return the appended value. */
struct tpl_val *tpl_list_add_map(struct bl_arena *a, struct tpl_val *list);
struct tpl_val *tpl_list_add_text(struct bl_arena *a, struct tpl_val *list,
    const char *s);
/* Appends an existing value (a map or list made with tpl_map/tpl_list). */
struct tpl_val *tpl_list_add_val(struct bl_arena *a, struct tpl_val *list,
    struct tpl_val *v);
size_t tpl_list_len(const struct tpl_val *list);

#endif
