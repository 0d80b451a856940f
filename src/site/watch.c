/* Keeping cached pages true: the watcher that follows the change log. */
#include "site/site_int.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#define WATCH_INTERVAL_MS 100
#define WATCH_BATCH 1000

/*
 * Every write to the store appends the cache keys it affects to a change
 * log in the database, in the same transaction. This thread notices new
 * rows, whichever process wrote them (the server itself, `byline import`
 * run beside it, another node on the same PostgreSQL), and drops the pages
 * that depend on those keys. Polling uses store_poll(), which for SQLite
 * reads PRAGMA data_version and for PostgreSQL looks for notifications on
 * a LISTEN connection; neither touches a table, so an idle site costs next
 * to nothing.
 *
 * When the database cannot be reached, cached pages are kept and served:
 * nothing can change them while no one can write. Once the watcher is
 * connected again it drops the whole cache, since changes made by others
 * meanwhile were not followed.
 */
static void *
watch_main(void *arg)
{
	struct site *s = arg;
	struct store *st = NULL;
	struct bl_err err;
	int64_t last = 0;
	time_t followed = 0;  /* when the log was last read in full */
	int have_last = 0, lost = 0;

	while (!s->stopping) {
		struct timespec ts = { 0, WATCH_INTERVAL_MS * 1000000L };
		struct bl_arena a = BL_ARENA_INIT;
		struct st_change *ch;
		size_t n;
		int changed = 0;

		nanosleep(&ts, NULL);
		if (st == NULL) {
			st = site_store(s, &err);
			if (st == NULL)
				continue;
		}
		if (!have_last) {
			/* Poll first: a write committed after this poll shows
			 * in the next one, and its rows come after `last`. */
			if (store_poll(st, &changed, &err) < 0 ||
			    store_change_latest(st, &last, &err) < 0)
				goto fail;
			have_last = 1;
			followed = time(NULL);
			if (lost) {
				page_cache_clear(s->cache);
				fprintf(stderr, "byline: change watcher: database "
				    "reachable again; cached pages dropped\n");
				lost = 0;
			}
			continue;
		}
		if (store_poll(st, &changed, &err) < 0)
			goto fail;
		if (!changed) {
			followed = time(NULL);
			continue;
		}
		do {
			if (store_changes_since(st, &a, last, WATCH_BATCH, &ch, &n, &err) < 0)
				goto fail;
			/*
			 * Ids may skip (a rolled-back write on PostgreSQL uses
			 * one up); rows we never saw can only have been pruned
			 * if we did not read the log for most of the time rows
			 * are kept. Then start afresh.
			 */
			if (n && ch[0].id != last + 1 &&
			    time(NULL) - followed > STORE_CHANGE_KEEP / 2)
				page_cache_clear(s->cache);
			for (size_t i = 0; i < n; i++) {
				/* "~article:12": a new comment, which readers
				 * may see a moment late (store.h). */
				if (ch[i].key[0] == STORE_CHANGE_SOFT)
					page_cache_invalidate_soft(s->cache,
					    ch[i].key + 1);
				else
					page_cache_invalidate(s->cache, ch[i].key);
				/* A change to the list of sections shows in every
				 * page's navigation. */
				if (strcmp(ch[i].key, "sections") == 0)
					page_cache_clear(s->cache);
				last = ch[i].id;
			}
			bl_arena_release(&a);
		} while (n == WATCH_BATCH);
		followed = time(NULL);
		/* Someone wrote: move the log into the database file here,
		 * not in the comment writer's commit (store_checkpoint). */
		if (store_checkpoint(st, &err) < 0)
			fprintf(stderr, "byline: change watcher: %s\n", err.msg);
		continue;
fail:
		bl_arena_release(&a);
		fprintf(stderr, "byline: change watcher: %s\n", err.msg);
		if (!err.unavailable) {
			/* Be safe: what we cannot follow, we do not keep. */
			page_cache_clear(s->cache);
		}
		store_close(st);
		st = NULL;
		have_last = 0;
		lost = 1;
	}
	if (st)
		site_store_put(s, st);
	return NULL;
}

int
site_serve_prepare(struct site *s, struct bl_err *err)
{
	if (tpl_set_load(s->theme_dir, s->override_dir, &s->tpl, err) < 0)
		return -1;
	if (form_skel_build(s, err) < 0)
		return -1;
	s->cache = page_cache_new((size_t)s->cfg.cache_max_mb * 1024 * 1024);
	page_cache_set_refresh(s->cache, (unsigned)s->cfg.cache_comment_refresh_ms);
	if (pthread_create(&s->watcher, NULL, watch_main, s) != 0)
		return bl_errf(err, "cannot start the change watcher");
	s->watcher_running = 1;
	return site_writer_start(s, err);
}
