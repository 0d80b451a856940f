/* The comment writer: many readers' comments, one transaction, one sync. */
#include "site/site_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"

/*
 * On SQLite a durable commit costs a sync of the WAL (milliseconds on
 * most disks), and only one connection writes at a time, so comments
 * committed one by one top out at a few hundred a second. HTTP threads
 * instead hand their write to one writer thread with its own connection.
 * It takes everything queued, runs each write in one batch
 * (store_batch_begin: a write that is refused or fails leaves the others
 * alone), commits once, and only then wakes each waiting request with its
 * own result. While it syncs, new writes queue up, so batches grow with
 * the load and no write waits for a timer.
 *
 * A comment costs the batch three statements: the nonce spent, its
 * checks (one statement), the insert. Each is undone by itself if it
 * fails, so none needs a savepoint; the change-log rows are written once
 * per batch, at the commit, however many comments share an article.
 *
 * Checks that must see earlier writes (the CAPTCHA nonce spent, the time
 * of the last comment from an address, duplicates, "previously approved")
 * run in the writer, inside the batch, so two comments in one batch see
 * each other exactly as if they had been committed one after the other.
 *
 * PostgreSQL groups concurrent commits itself: there each write runs
 * directly on the request's own connection, as it does when no writer is
 * running (commands, tests that call the site directly), in a batch of
 * its own. A PostgreSQL batch holds the writers' advisory lock, so the
 * checks and the insert of one comment happen as one step for every node:
 * two nodes cannot both find "no duplicate" and both store the text.
 */

/* At most this many writes share one transaction. */
#define WRITER_BATCH_MAX 512

struct site_writer {
	struct site *s;
	pthread_mutex_t lock;
	pthread_cond_t work;       /* a write was queued, or stopping */
	pthread_cond_t done;       /* a batch was committed (or failed) */
	struct comment_write *head, *tail;
	pthread_t thread;
	int stopping;
};

/* Runs one write on `st` (in a batch or not) and sets its result. */
static void
run_write(struct site *s, struct store *st, struct comment_write *w)
{
	struct bl_err *err = &w->err;
	struct st_comment_checks ck;
	int64_t last;
	int already = 0, yes, which = 0;

	w->result = CW_FAILED;
	if (w->spend) {
		if (store_captcha_spend(st, w->nonce_hex, w->expires, &already,
		    err) < 0)
			return;
		if (already) {
			w->result = CW_REPLAY;
			return;
		}
	}
	if (!w->post) {
		w->result = CW_OK;
		return;
	}
	/* Flood control, the duplicate check and "previously approved",
	 * in one statement; refused in that order, as if checked one by
	 * one. */
	if (w->flood_seconds > 0)
		which |= ST_CHECK_FLOOD;
	if (s->policy.moderation == CMT_MOD_FIRST_TIME)
		which |= ST_CHECK_APPROVED;
	if (store_comment_checks(st, &w->c, which, &ck, err) < 0)
		return;
	last = ck.last_from_ip;
	if (w->flood_seconds > 0 && last &&
	    w->c.created_at - last < w->flood_seconds) {
		w->retry_after = w->flood_seconds - (w->c.created_at - last);
		w->result = CW_FLOOD;
		return;
	}
	if (ck.duplicate) {
		w->result = CW_DUPLICATE;
		return;
	}
	yes = ck.email_approved;
	w->c.status = cmt_moderate(&s->policy, w->clean, w->c.ip,
	    w->user_agent, yes, &w->why);
	if (store_comment_add(st, &w->c, &w->id, err) < 0)
		return;
	w->result = CW_OK;
}

/* Marks every write of `list` failed with `err` (the batch did not
 * commit: none of it happened). */
static void
fail_all(struct comment_write *list, const struct bl_err *err)
{
	for (struct comment_write *w = list; w != NULL; w = w->next) {
		w->result = CW_FAILED;
		w->err = *err;
	}
}

static void *
writer_main(void *arg)
{
	struct site_writer *wr = arg;
	struct site *s = wr->s;
	struct store *st = NULL;
	struct comment_write *list, *w, *next;
	struct bl_err err;
	size_t n;

	pthread_mutex_lock(&wr->lock);
	for (;;) {
		while (wr->head == NULL && !wr->stopping)
			pthread_cond_wait(&wr->work, &wr->lock);
		if (wr->head == NULL)
			break;
		/* Everything queued, up to the batch limit. */
		list = wr->head;
		for (n = 1, w = list; w->next != NULL &&
		    n < WRITER_BATCH_MAX; n++)
			w = w->next;
		wr->head = w->next;
		if (wr->head == NULL)
			wr->tail = NULL;
		w->next = NULL;
		pthread_mutex_unlock(&wr->lock);

		memset(&err, 0, sizeof(err));
		if (st == NULL)
			st = site_store(s, &err);
		if (st == NULL)
			fail_all(list, &err);
		else if (store_batch_begin(st, &err) < 0) {
			fail_all(list, &err);
		} else {
			for (w = list; w != NULL; w = w->next)
				run_write(s, st, w);
			if (store_batch_commit(st, &err) < 0)
				fail_all(list, &err);
		}
		if (st != NULL && err.unavailable) {
			/* The database went away: start afresh next time. */
			store_close(st);
			st = NULL;
		}
		for (w = list; w != NULL; w = w->next)
			if (w->result == CW_FAILED)
				fprintf(stderr, "byline: comment: %s\n",
				    w->err.msg);

		pthread_mutex_lock(&wr->lock);
		for (w = list; w != NULL; w = next) {
			next = w->next;
			w->next = NULL;
			w->done = 1;
		}
		pthread_cond_broadcast(&wr->done);
	}
	pthread_mutex_unlock(&wr->lock);
	if (st != NULL)
		site_store_put(s, st);
	return NULL;
}

int
site_writer_start(struct site *s, struct bl_err *err)
{
	struct site_writer *wr;

	if (s->writer != NULL)
		return 0;
	wr = bl_xcalloc(1, sizeof(*wr));
	wr->s = s;
	pthread_mutex_init(&wr->lock, NULL);
	pthread_cond_init(&wr->work, NULL);
	pthread_cond_init(&wr->done, NULL);
	if (pthread_create(&wr->thread, NULL, writer_main, wr) != 0) {
		pthread_mutex_destroy(&wr->lock);
		pthread_cond_destroy(&wr->work);
		pthread_cond_destroy(&wr->done);
		free(wr);
		return bl_errf(err, "cannot start the comment writer");
	}
	s->writer = wr;
	return 0;
}

void
site_writer_stop(struct site *s)
{
	struct site_writer *wr = s->writer;

	if (wr == NULL)
		return;
	/* What is queued is still written: the thread leaves only once the
	 * queue is empty. */
	pthread_mutex_lock(&wr->lock);
	wr->stopping = 1;
	pthread_cond_broadcast(&wr->work);
	pthread_mutex_unlock(&wr->lock);
	pthread_join(wr->thread, NULL);
	pthread_mutex_destroy(&wr->lock);
	pthread_cond_destroy(&wr->work);
	pthread_cond_destroy(&wr->done);
	free(wr);
	s->writer = NULL;
}

void
site_comment_write(struct site *s, struct store *st, struct comment_write *w)
{
	struct site_writer *wr = s->writer;
	int direct;

	memset(&w->err, 0, sizeof(w->err));
	w->done = 0;
	w->next = NULL;
	direct = wr == NULL || strcmp(store_backend(st), "sqlite") != 0;
	if (!direct) {
		pthread_mutex_lock(&wr->lock);
		if (wr->stopping)
			direct = 1;
		else {
			if (wr->tail != NULL)
				wr->tail->next = w;
			else
				wr->head = w;
			wr->tail = w;
			pthread_cond_signal(&wr->work);
			while (!w->done)
				pthread_cond_wait(&wr->done, &wr->lock);
		}
		pthread_mutex_unlock(&wr->lock);
	}
	if (direct) {
		if (store_batch_begin(st, &w->err) < 0) {
			w->result = CW_FAILED;
			return;
		}
		run_write(s, st, w);
		if (store_batch_commit(st, &w->err) < 0)
			w->result = CW_FAILED;
	}
}
