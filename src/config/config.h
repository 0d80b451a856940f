/* Site configuration: one table of options, read from DIR/byline.conf. */
#ifndef BL_CONFIG_H
#define BL_CONFIG_H

#include <stddef.h>

#include "core/buf.h"
#include "core/err.h"

/*
 * byline.conf is an INI file:
 *
 *   [site]
 *   title = The Harbridge Courier
 *   url = http://127.0.0.1:8080
 *
 * Every key is "section.name" (site.title). The options, their types,
 * defaults and documentation live in one table (config.c); the parser,
 * `byline config get|set`, validation and docs/configuration.md all follow
 * it. An unknown key or a value of the wrong type is an error naming the
 * file and line, so a typo never silently loses a setting.
 *
 * A loaded configuration is read-only and is the only process-wide state.
 */
struct config {
	char *site_title;
	char *site_description;
	char *site_url;           /* no trailing slash */
	char *site_language;
	char *site_timezone;      /* IANA name, e.g. "Europe/London" */
	char *server_listen;      /* "127.0.0.1:8080" */
	long server_threads;      /* 0: one per core */
	long server_max_connections;
	long server_timeout;      /* idle seconds */
	char *database;           /* path relative to the site folder, or URL */
	long cache_max_mb;
	long cache_comment_refresh_ms;
	long pages_per_page;      /* teasers per listing page */
	long front_section_items;
	long server_max_body;       /* POST body bytes */
	char *server_trusted_proxies; /* comma-separated peer addresses */
	char *comments_moderation;  /* first-time | all | none */
	long comments_max_links;
	char *comments_moderation_keys;
	char *comments_disallowed_keys;
	long comments_flood_seconds;
	long comments_close_after_days;
	long comments_min_seconds;
	long comments_captcha_ttl;
	long comments_thread_depth;
	char *comments_order;       /* oldest | newest */
	long comments_per_page;     /* top-level threads per page; 0: all */
	long comments_edit_minutes;
	long comments_max_name;
	long comments_max_email;
	long comments_max_url;
	long comments_max_comment;
	char *feeds_content;        /* full | summary */
	long related_count;         /* related articles shown, 3..5 */
	long server_per_ip_connections; /* 0: no per-address limit */
	long server_max_header_bytes;   /* request line + headers */
};

enum config_type {
	CONFIG_STRING,
	CONFIG_INT,
};

struct config_option {
	const char *key;          /* "site.title" */
	enum config_type type;
	const char *def;          /* default, as text */
	long min, max;            /* bounds for CONFIG_INT */
	size_t offset;            /* into struct config */
	const char *doc;          /* one line */
};

/* The table, terminated by an entry with key NULL. */
extern const struct config_option config_options[];

/* Fills `c` with the defaults. */
void config_defaults(struct config *c);
/* Reads `path` over the defaults. Caller frees with config_release(). */
int config_load(const char *path, struct config *c, struct bl_err *err);
void config_release(struct config *c);

/* Looks up an option by key; NULL if unknown. */
const struct config_option *config_find(const char *key);
/* Checks that `value` suits the option (type and bounds). */
int config_check(const struct config_option *o, const char *value,
    struct bl_err *err);
/* Appends the value of `key` in `c` as text. */
int config_get(const struct config *c, const char *key, struct bl_buf *out,
    struct bl_err *err);
/*
 * Rewrites the file at `path` so that `key` has `value`, keeping every
 * other line and comment. Writes a temporary file and renames it over the
 * original, so a crash leaves either the old or the new file.
 */
int config_set_file(const char *path, const char *key, const char *value,
    struct bl_err *err);
/* 1 when a database URL carries a password (user:pw@ or password=). */
int config_url_has_password(const char *url);
/* Writes a fresh configuration file for `byline init` (mode 0600 when the
 * database URL carries a password, else 0644). */
int config_write_new(const char *path, const char *title, const char *url,
    const char *database, struct bl_err *err);
/* Writes the option table as Markdown (docs/configuration.md). */
int config_doc_markdown(struct bl_buf *out);

#endif
