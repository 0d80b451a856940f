/* Opening and creating site folders, the store pool, and site-time dates. */
#include "site/site_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "core/alloc.h"
#include "core/buf.h"

/* ------------------------------------------------------------ the pool */

struct store_pool {
	pthread_mutex_t lock;
	char *url;
	struct store **free;
	size_t nfree, cap;
};

static struct store_pool *
pool_new(const char *url)
{
	struct store_pool *p = bl_xcalloc(1, sizeof(*p));

	pthread_mutex_init(&p->lock, NULL);
	p->url = bl_xstrdup(url);
	return p;
}

static void
pool_free(struct store_pool *p)
{
	if (p == NULL)
		return;
	for (size_t i = 0; i < p->nfree; i++)
		store_close(p->free[i]);
	free(p->free);
	free(p->url);
	pthread_mutex_destroy(&p->lock);
	free(p);
}

static const char *
store_pool_url(const struct store_pool *p)
{
	return p->url;
}

struct store *
site_store(struct site *s, struct bl_err *err)
{
	struct store_pool *p = s->pool;
	struct store *st = NULL;

	pthread_mutex_lock(&p->lock);
	if (p->nfree)
		st = p->free[--p->nfree];
	pthread_mutex_unlock(&p->lock);
	if (st == NULL && store_open(p->url, &st, err) < 0)
		return NULL;
	return st;
}

void
site_store_put(struct site *s, struct store *st)
{
	struct store_pool *p = s->pool;

	if (st == NULL)
		return;
	pthread_mutex_lock(&p->lock);
	if (p->nfree == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 8;
		p->free = bl_xrealloc(p->free, p->cap * sizeof(*p->free));
	}
	p->free[p->nfree++] = st;
	pthread_mutex_unlock(&p->lock);
}

/* -------------------------------------------------------------- folders */

const char *
site_database(const struct site *s)
{
	return store_pool_url(s->pool);
}

const char *
site_datadir(void)
{
	const char *d = getenv("BYLINE_DATADIR");

	return d && *d ? d : BYLINE_DATADIR;
}

static char *
join(const char *a, const char *b)
{
	struct bl_buf buf = BL_BUF_INIT;

	bl_buf_printf(&buf, "%s/%s", a, b);
	return bl_buf_detach(&buf, NULL);
}

char *
site_database_url(const char *dir, const char *db)
{
	struct bl_buf b = BL_BUF_INIT;

	if (strncmp(db, "sqlite:", 7) == 0) {
		const char *p = db + 7;

		if (strncmp(p, "//", 2) == 0)
			p += 2;
		if (*p == '/' || *p == '\0')
			return bl_xstrdup(db);
		bl_buf_printf(&b, "sqlite:%s/%s", dir, p);
		return bl_buf_detach(&b, NULL);
	}
	if (strstr(db, "://") || db[0] == '/')
		return bl_xstrdup(db);
	return join(dir, db);
}

int
site_open(const char *dir, struct site **out, struct bl_err *err)
{
	struct site *s;
	char *conf, *url;
	struct store *st;
	struct stat sb;

	if (stat(dir, &sb) < 0 || !S_ISDIR(sb.st_mode))
		return bl_errf(err, "no site at '%s': not a folder", dir);
	conf = join(dir, "byline.conf");
	if (access(conf, F_OK) < 0) {
		bl_errf(err, "no site at '%s': missing byline.conf (create one with 'byline init')", dir);
		free(conf);
		return -1;
	}
	s = bl_xcalloc(1, sizeof(*s));
	s->dir = bl_xstrdup(dir);
	if (config_load(conf, &s->cfg, err) < 0) {
		free(conf);
		site_close(s);
		return -1;
	}
	free(conf);
	{
		char *key = join(dir, "secret.key");
		int rc = cmt_keys_load(key, &s->keys, err);

		free(key);
		if (rc < 0) {
			site_close(s);
			return -1;
		}
	}
	s->policy.moderation = cmt_moderation_parse(s->cfg.comments_moderation);
	s->policy.max_links = (int)s->cfg.comments_max_links;
	s->policy.moderation_keys = s->cfg.comments_moderation_keys;
	s->policy.disallowed_keys = s->cfg.comments_disallowed_keys;
	s->media_dir = join(dir, "media");
	s->theme_dir = join(site_datadir(), "themes/default");
	s->override_dir = join(dir, "theme");
	/* Dates are shown and permalinks made in the site's zone. This is set
	 * once, from the configuration, before any thread starts. */
	setenv("TZ", s->cfg.site_timezone, 1);
	tzset();
	url = site_database_url(dir, s->cfg.database);
	s->pool = pool_new(url);
	free(url);
	/* Open one connection now: it runs migrations and proves the
	 * database is usable before anything else happens. */
	st = site_store(s, err);
	if (st == NULL) {
		site_close(s);
		return -1;
	}
	site_store_put(s, st);
	*out = s;
	return 0;
}

void
site_close(struct site *s)
{
	if (s == NULL)
		return;
	site_writer_stop(s);
	s->stopping = 1;
	if (s->watcher_running)
		pthread_join(s->watcher, NULL);
	if (s->tpl)
		tpl_set_free(s->tpl);
	form_skel_free(s->form_skel);
	if (s->cache)
		page_cache_free(s->cache);
	pool_free(s->pool);
	config_release(&s->cfg);
	sodium_memzero(&s->keys, sizeof(s->keys));
	free(s->dir);
	free(s->media_dir);
	free(s->theme_dir);
	free(s->override_dir);
	free(s);
}

static int
write_secret(const char *path, struct bl_err *err)
{
	unsigned char key[32];
	char hex[sizeof(key) * 2 + 2];
	int fd;

	if (sodium_init() < 0)
		return bl_errf(err, "cannot initialise libsodium");
	randombytes_buf(key, sizeof(key));
	sodium_bin2hex(hex, sizeof(hex), key, sizeof(key));
	sodium_memzero(key, sizeof(key));
	hex[sizeof(key) * 2] = '\n';
	hex[sizeof(key) * 2 + 1] = '\0';
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	if (fd < 0)
		return bl_errf(err, "cannot create '%s': %s", path, strerror(errno));
	if (write(fd, hex, strlen(hex)) != (ssize_t)strlen(hex) || fsync(fd) < 0) {
		close(fd);
		sodium_memzero(hex, sizeof(hex));
		return bl_errf(err, "cannot write '%s': %s", path, strerror(errno));
	}
	close(fd);
	sodium_memzero(hex, sizeof(hex));
	return 0;
}

int
site_init(const char *dir, const char *title, const char *url,
    const char *database, struct bl_err *err)
{
	char *conf = join(dir, "byline.conf"), *db = join(dir, "byline.db");
	char *dburl = database != NULL ? site_database_url(dir, database) : NULL;
	char *media = join(dir, "media"), *secret = join(dir, "secret.key");
	struct store *st = NULL;
	int rc = -1;

	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		bl_errf(err, "cannot create '%s': %s", dir, strerror(errno));
		goto out;
	}
	if (access(conf, F_OK) == 0 || access(db, F_OK) == 0) {
		bl_errf(err, "'%s' already holds a site; refusing to overwrite it", dir);
		goto out;
	}
	if (mkdir(media, 0755) < 0 && errno != EEXIST) {
		bl_errf(err, "cannot create '%s': %s", media, strerror(errno));
		goto out;
	}
	if (access(secret, F_OK) < 0 && write_secret(secret, err) < 0)
		goto out;
	if (store_open(dburl != NULL ? dburl : db, &st, err) < 0)
		goto out;
	store_close(st);
	/* The configuration is written last: its presence marks a site. */
	if (config_write_new(conf, title, url,
	    database != NULL ? database : "byline.db", err) < 0)
		goto out;
	rc = 0;
out:
	free(dburl);
	free(conf);
	free(db);
	free(media);
	free(secret);
	return rc;
}

/* ----------------------------------------------------------------- time */

char *
site_time_iso(struct bl_arena *a, int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	char buf[40];
	long off;

	localtime_r(&tt, &tm);
	off = tm.tm_gmtoff;
	if (off == 0) {
		strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
		return bl_arena_strdup(a, buf);
	}
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
	return bl_arena_printf(a, "%s%c%02ld:%02ld", buf, off < 0 ? '-' : '+',
	    labs(off) / 3600, labs(off) % 3600 / 60);
}

char *
site_time_human(struct bl_arena *a, int64_t t)
{
	static const char *const months[] = { "January", "February", "March",
	    "April", "May", "June", "July", "August", "September", "October",
	    "November", "December" };
	time_t tt = (time_t)t;
	struct tm tm;

	localtime_r(&tt, &tm);
	return bl_arena_printf(a, "%d %s %d", tm.tm_mday, months[tm.tm_mon],
	    tm.tm_year + 1900);
}

char *
site_path_date(struct bl_arena *a, int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;

	localtime_r(&tt, &tm);
	return bl_arena_printf(a, "%04d/%02d/%02d", tm.tm_year + 1900,
	    tm.tm_mon + 1, tm.tm_mday);
}
