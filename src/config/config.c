/* The option table and the byline.conf reader and writer. */
#include "config/config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/alloc.h"

#define OFF(f) offsetof(struct config, f)

const struct config_option config_options[] = {
	{ "site.title", CONFIG_STRING, "Byline", 0, 0, OFF(site_title),
	  "The site's name, shown in the masthead, titles and feeds." },
	{ "site.description", CONFIG_STRING, "News and analysis", 0, 0,
	  OFF(site_description), "One sentence about the site, used in meta descriptions." },
	{ "site.url", CONFIG_STRING, "http://127.0.0.1:8080", 0, 0, OFF(site_url),
	  "The public address of the site, used for canonical and absolute links." },
	{ "site.language", CONFIG_STRING, "en", 0, 0, OFF(site_language),
	  "The language of the content, as a BCP 47 tag (en, en-GB, fr)." },
	{ "site.timezone", CONFIG_STRING, "UTC", 0, 0, OFF(site_timezone),
	  "IANA time zone for displayed dates and permalink dates (Europe/London)." },
	{ "server.listen", CONFIG_STRING, "127.0.0.1:8080", 0, 0, OFF(server_listen),
	  "Address and port `byline serve` listens on; --listen overrides it." },
	{ "server.threads", CONFIG_INT, "0", 0, 256, OFF(server_threads),
	  "Worker threads; 0 means one per CPU core." },
	{ "server.max_connections", CONFIG_INT, "1024", 1, 100000,
	  OFF(server_max_connections), "Connections served at once; more wait in the kernel's queue." },
	{ "server.timeout", CONFIG_INT, "30", 1, 3600, OFF(server_timeout),
	  "Seconds a connection may take to send a whole request, or stay idle, before it is closed." },
	{ "server.per_ip_connections", CONFIG_INT, "64", 0, 100000,
	  OFF(server_per_ip_connections), "Connections served at once from one IP address (a reverse proxy counts as one); 0 means no such limit." },
	{ "server.max_header_bytes", CONFIG_INT, "16384", 2048, 1048576,
	  OFF(server_max_header_bytes), "Largest request line plus headers, in bytes; larger ones get 431 or 414." },
	{ "database", CONFIG_STRING, "byline.db", 0, 0, OFF(database),
	  "The database: a SQLite file (relative to the site folder, or sqlite:PATH) or a PostgreSQL URL postgresql://USER@HOST:PORT/DB." },
	{ "cache.max_mb", CONFIG_INT, "256", 1, 65536, OFF(cache_max_mb),
	  "Memory for rendered pages, in MiB; least recently used pages go first." },
	{ "cache.comment_refresh_ms", CONFIG_INT, "1000", 0, 60000,
	  OFF(cache_comment_refresh_ms), "Under a burst of new comments, a page showing them is rebuilt at most this often (milliseconds); the first comment after a quiet spell shows at once, and commenters always see their own. 0 rebuilds on every comment." },
	{ "pages.per_page", CONFIG_INT, "10", 1, 100, OFF(pages_per_page),
	  "Stories per page on section, tag, author and later front pages." },
	{ "pages.front_section_items", CONFIG_INT, "4", 1, 20,
	  OFF(front_section_items), "Stories in each section block of the front page." },
	{ "server.max_body", CONFIG_INT, "1048576", 1024, 1073741824, OFF(server_max_body),
	  "Largest request body (a comment form) in bytes; larger ones get 413." },
	{ "server.trusted_proxies", CONFIG_STRING, "", 0, 0, OFF(server_trusted_proxies),
	  "Comma-separated addresses of proxies whose X-Forwarded-For is believed." },
	{ "comments.moderation", CONFIG_STRING, "first-time", 0, 0, OFF(comments_moderation),
	  "first-time (hold until the email has an approved comment), all, or none." },
	{ "comments.max_links", CONFIG_INT, "2", 0, 1000, OFF(comments_max_links),
	  "Hold a comment with more links than this." },
	{ "comments.moderation_keys", CONFIG_STRING, "", 0, 0, OFF(comments_moderation_keys),
	  "Comma-separated words that hold a comment for moderation." },
	{ "comments.disallowed_keys", CONFIG_STRING, "", 0, 0, OFF(comments_disallowed_keys),
	  "Comma-separated words that mark a comment as spam." },
	{ "comments.flood_seconds", CONFIG_INT, "15", 0, 86400, OFF(comments_flood_seconds),
	  "Seconds between two comments from one IP address (429 otherwise)." },
	{ "comments.close_after_days", CONFIG_INT, "0", 0, 100000, OFF(comments_close_after_days),
	  "Close comments on articles older than this many days; 0 never closes them." },
	{ "comments.min_seconds", CONFIG_INT, "3", 0, 3600, OFF(comments_min_seconds),
	  "A form sent back sooner than this after it was served is refused." },
	{ "comments.captcha_ttl", CONFIG_INT, "1800", 1, 86400, OFF(comments_captcha_ttl),
	  "Seconds an arithmetic question stays valid." },
	{ "comments.thread_depth", CONFIG_INT, "5", 1, 20, OFF(comments_thread_depth),
	  "How deep replies nest." },
	{ "comments.order", CONFIG_STRING, "oldest", 0, 0, OFF(comments_order),
	  "oldest or newest comments first." },
	{ "comments.per_page", CONFIG_INT, "50", 0, 1000, OFF(comments_per_page),
	  "Top-level comments (each with its replies) on one page of an article's comments; the article shows the newest page, older ones are at ARTICLE/comment-page-N/. 0 shows all on one page." },
	{ "comments.edit_minutes", CONFIG_INT, "15", 0, 1440, OFF(comments_edit_minutes),
	  "Minutes a commenter may edit or delete their own comment." },
	{ "comments.max_name", CONFIG_INT, "100", 1, 1000, OFF(comments_max_name),
	  "Longest commenter name, in characters." },
	{ "comments.max_email", CONFIG_INT, "254", 6, 1000, OFF(comments_max_email),
	  "Longest email address, in characters." },
	{ "comments.max_url", CONFIG_INT, "2048", 10, 8192, OFF(comments_max_url),
	  "Longest website address, in characters." },
	{ "comments.max_comment", CONFIG_INT, "20000", 1, 200000, OFF(comments_max_comment),
	  "Longest comment, in characters." },
	{ "feeds.content", CONFIG_STRING, "full", 0, 0, OFF(feeds_content),
	  "What feeds carry of each article: full (the whole body) or summary (the standfirst or excerpt)." },
	{ "related.count", CONFIG_INT, "4", 3, 5, OFF(related_count),
	  "Related articles shown under each article (docs/related.md)." },
	{ NULL, 0, NULL, 0, 0, 0, NULL },
};

const struct config_option *
config_find(const char *key)
{
	for (const struct config_option *o = config_options; o->key; o++)
		if (strcmp(o->key, key) == 0)
			return o;
	return NULL;
}

int
config_check(const struct config_option *o, const char *value, struct bl_err *err)
{
	char *end;
	long v;

	for (const char *p = value; *p; p++)
		if ((unsigned char)*p < 0x20)
			return bl_errf(err, "value of '%s' has a control character", o->key);
	if (strcmp(o->key, "comments.moderation") == 0 && strcmp(value, "first-time") != 0 &&
	    strcmp(value, "all") != 0 && strcmp(value, "none") != 0)
		return bl_errf(err, "'%s' must be first-time, all or none", o->key);
	if (strcmp(o->key, "comments.order") == 0 && strcmp(value, "oldest") != 0 &&
	    strcmp(value, "newest") != 0)
		return bl_errf(err, "'%s' must be oldest or newest", o->key);
	if (strcmp(o->key, "feeds.content") == 0 && strcmp(value, "full") != 0 &&
	    strcmp(value, "summary") != 0)
		return bl_errf(err, "'%s' must be full or summary", o->key);
	if (o->type == CONFIG_STRING)
		return 0;
	errno = 0;
	v = strtol(value, &end, 10);
	if (errno || end == value || *end != '\0')
		return bl_errf(err, "'%s' must be a whole number, not '%s'", o->key, value);
	if (v < o->min || v > o->max)
		return bl_errf(err, "'%s' must be between %ld and %ld", o->key, o->min, o->max);
	return 0;
}

static void
assign(struct config *c, const struct config_option *o, const char *value)
{
	char *base = (char *)c;

	if (o->type == CONFIG_STRING) {
		char **slot = (char **)(base + o->offset);
		free(*slot);
		*slot = bl_xstrdup(value);
	} else
		*(long *)(base + o->offset) = strtol(value, NULL, 10);
}

void
config_defaults(struct config *c)
{
	memset(c, 0, sizeof(*c));
	for (const struct config_option *o = config_options; o->key; o++)
		assign(c, o, o->def);
}

void
config_release(struct config *c)
{
	char *base = (char *)c;

	for (const struct config_option *o = config_options; o->key; o++)
		if (o->type == CONFIG_STRING) {
			free(*(char **)(base + o->offset));
			*(char **)(base + o->offset) = NULL;
		}
}

static char *
trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

/* Splits one line into a full key and a value. Returns 1 for a key line,
 * 0 for blank/comment/section lines (updating `section`), -1 on a bad line. */
static int
parse_line(char *line, char *section, size_t seclen, char *key, size_t keylen,
    char **value)
{
	char *s = trim(line), *eq;

	if (*s == '\0' || *s == '#' || *s == ';')
		return 0;
	if (*s == '[') {
		char *close = strchr(s, ']');
		if (close == NULL || close[1] != '\0')
			return -1;
		*close = '\0';
		snprintf(section, seclen, "%s", trim(s + 1));
		return 0;
	}
	eq = strchr(s, '=');
	if (eq == NULL)
		return -1;
	*eq = '\0';
	if (section[0])
		snprintf(key, keylen, "%s.%s", section, trim(s));
	else
		snprintf(key, keylen, "%s", trim(s));
	*value = trim(eq + 1);
	return 1;
}

int
config_load(const char *path, struct config *c, struct bl_err *err)
{
	char line[4096], section[64] = "", key[160], *value;
	FILE *f;
	int lineno = 0, rc = 0;

	config_defaults(c);
	f = fopen(path, "r");
	if (f == NULL)
		return bl_errf(err, "cannot open '%s': %s", path, strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		const struct config_option *o;
		struct bl_err e;
		int kind;

		lineno++;
		if (strchr(line, '\n') == NULL && !feof(f)) {
			rc = bl_errf(err, "%s:%d: line too long", path, lineno);
			break;
		}
		kind = parse_line(line, section, sizeof(section), key, sizeof(key), &value);
		if (kind < 0) {
			rc = bl_errf(err, "%s:%d: expected 'key = value' or '[section]'", path, lineno);
			break;
		}
		if (kind == 0)
			continue;
		o = config_find(key);
		if (o == NULL) {
			rc = bl_errf(err, "%s:%d: unknown setting '%s'", path, lineno, key);
			break;
		}
		if (config_check(o, value, &e) < 0) {
			rc = bl_errf(err, "%s:%d: %s", path, lineno, e.msg);
			break;
		}
		assign(c, o, value);
	}
	fclose(f);
	if (rc < 0)
		return rc;
	/* The site URL is joined with paths that start with '/'. */
	while (c->site_url[0] && c->site_url[strlen(c->site_url) - 1] == '/')
		c->site_url[strlen(c->site_url) - 1] = '\0';
	return 0;
}

int
config_get(const struct config *c, const char *key, struct bl_buf *out,
    struct bl_err *err)
{
	const struct config_option *o = config_find(key);
	const char *base = (const char *)c;

	if (o == NULL)
		return bl_errf(err, "unknown setting '%s'", key);
	if (o->type == CONFIG_STRING)
		bl_buf_puts(out, *(char *const *)(base + o->offset));
	else
		bl_buf_printf(out, "%ld", *(const long *)(base + o->offset));
	return bl_buf_err(out);
}

/* Writes `data` to `path` through a temporary file and rename(2). */
static int
replace_file(const char *path, const char *data, size_t len, mode_t mode,
    struct bl_err *err)
{
	struct bl_buf tmp = BL_BUF_INIT;
	int fd, rc = -1;

	bl_buf_printf(&tmp, "%s.tmp%ld", path, (long)getpid());
	fd = open(tmp.s, O_WRONLY | O_CREAT | O_TRUNC, mode);
	if (fd < 0) {
		bl_errf(err, "cannot write '%s': %s", tmp.s, strerror(errno));
		goto out;
	}
	if (write(fd, data, len) != (ssize_t)len || fsync(fd) < 0) {
		bl_errf(err, "cannot write '%s': %s", tmp.s, strerror(errno));
		close(fd);
		unlink(tmp.s);
		goto out;
	}
	close(fd);
	if (rename(tmp.s, path) < 0) {
		bl_errf(err, "cannot replace '%s': %s", path, strerror(errno));
		unlink(tmp.s);
		goto out;
	}
	rc = 0;
out:
	bl_buf_release(&tmp);
	return rc;
}

int
config_set_file(const char *path, const char *key, const char *value,
    struct bl_err *err)
{
	const struct config_option *o = config_find(key);
	struct bl_buf out = BL_BUF_INIT;
	char line[4096], copy[4096], section[64] = "", k[160], *v;
	const char *dot;
	char want_section[64];
	FILE *f;
	int done = 0, in_want, rc = -1;
	size_t insert_at = (size_t)-1;
	struct stat st;

	if (o == NULL)
		return bl_errf(err, "unknown setting '%s'", key);
	if (config_check(o, value, err) < 0)
		return -1;
	dot = strchr(key, '.');
	snprintf(want_section, sizeof(want_section), "%.*s",
	    dot ? (int)(dot - key) : 0, key);
	f = fopen(path, "r");
	if (f == NULL)
		return bl_errf(err, "cannot open '%s': %s", path, strerror(errno));
	if (fstat(fileno(f), &st) < 0)
		st.st_mode = 0644;
	/* Top-level keys live before the first [section]. */
	in_want = want_section[0] == '\0';
	while (fgets(line, sizeof(line), f)) {
		int kind;

		snprintf(copy, sizeof(copy), "%s", line);
		kind = parse_line(copy, section, sizeof(section), k, sizeof(k), &v);
		if (kind == 0 && strchr(line, '[') && line[strspn(line, " \t")] == '[') {
			/* Leaving the wanted section: remember where to insert. */
			if (in_want && insert_at == (size_t)-1)
				insert_at = out.len;
			in_want = strcmp(section, want_section) == 0;
		}
		if (kind == 1 && !done && strcmp(k, key) == 0) {
			const char *name = dot ? dot + 1 : key;
			bl_buf_printf(&out, "%s = %s\n", name, value);
			done = 1;
			continue;
		}
		bl_buf_puts(&out, line);
		if (line[0] && line[strlen(line) - 1] != '\n')
			bl_buf_putc(&out, '\n');
	}
	fclose(f);
	if (in_want && insert_at == (size_t)-1)
		insert_at = out.len;
	if (!done) {
		struct bl_buf add = BL_BUF_INIT;
		const char *name = dot ? dot + 1 : key;

		if (insert_at == (size_t)-1) {
			if (want_section[0])
				bl_buf_printf(&add, "\n[%s]\n", want_section);
			bl_buf_printf(&add, "%s = %s\n", name, value);
			bl_buf_add(&out, add.s, add.len);
		} else {
			struct bl_buf merged = BL_BUF_INIT;
			/* Insert before trailing blank lines of the section. */
			size_t at = insert_at;
			while (at > 0 && out.s[at - 1] == '\n' && at > 1 && out.s[at - 2] == '\n')
				at--;
			bl_buf_printf(&add, "%s = %s\n", name, value);
			bl_buf_add(&merged, out.s, at);
			bl_buf_add(&merged, add.s, add.len);
			bl_buf_add(&merged, out.s + at, out.len - at);
			bl_buf_release(&out);
			out = merged;
		}
		bl_buf_release(&add);
	}
	if (bl_buf_err(&out) == 0)
		rc = replace_file(path, out.s, out.len, st.st_mode & 0777, err);
	else
		bl_errf(err, "configuration too large");
	bl_buf_release(&out);
	return rc;
}

int
config_url_has_password(const char *url)
{
	const char *p = strstr(url, "://"), *at, *colon;

	if (p == NULL)
		return 0;
	p += 3;
	at = strchr(p, '@');
	if (at == NULL)
		return strstr(p, "password=") != NULL;
	colon = memchr(p, ':', (size_t)(at - p));
	return colon != NULL || strstr(p, "password=") != NULL;
}

int
config_write_new(const char *path, const char *title, const char *url,
    const char *database, struct bl_err *err)
{
	struct bl_buf b = BL_BUF_INIT;
	int fd, rc = -1;

	bl_buf_puts(&b, "# Byline site configuration. `byline config get|set KEY` reads and\n"
	    "# changes it; docs/configuration.md lists every setting.\n\n");
	bl_buf_printf(&b, "database = %s\n\n", database);
	bl_buf_printf(&b, "[site]\ntitle = %s\nurl = %s\nlanguage = en\ntimezone = UTC\n\n",
	    title, url);
	bl_buf_puts(&b, "[server]\nlisten = 127.0.0.1:8080\nthreads = 0\n");
	/* A database URL with a password makes the file a secret. */
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL,
	    config_url_has_password(database) ? 0600 : 0644);
	if (fd < 0) {
		bl_errf(err, "cannot create '%s': %s", path, strerror(errno));
		goto out;
	}
	if (write(fd, b.s, b.len) != (ssize_t)b.len || fsync(fd) < 0) {
		bl_errf(err, "cannot write '%s': %s", path, strerror(errno));
		close(fd);
		goto out;
	}
	close(fd);
	rc = 0;
out:
	bl_buf_release(&b);
	return rc;
}

int
config_doc_markdown(struct bl_buf *out)
{
	bl_buf_puts(out, "| key | type | default | what it does |\n|---|---|---|---|\n");
	for (const struct config_option *o = config_options; o->key; o++) {
		bl_buf_printf(out, "| `%s` | %s | `%s` | %s", o->key,
		    o->type == CONFIG_INT ? "integer" : "text", o->def, o->doc);
		if (o->type == CONFIG_INT)
			bl_buf_printf(out, " (%ld to %ld)", o->min, o->max);
		bl_buf_puts(out, " |\n");
	}
	return bl_buf_err(out);
}
