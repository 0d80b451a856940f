/* The store tests' fixture: a fresh database in its own temporary folder
 * for every test, removed afterwards. Each test file includes this once
 * and names its suite with TestSuite(NAME, .init = setup, .fini = teardown). */
#ifndef BL_TEST_STORE_FIXTURE_H
#define BL_TEST_STORE_FIXTURE_H

#include <criterion/criterion.h>

#include <dirent.h>
#include <stdio.h>
#include <unistd.h>

#include "core/arena.h"
#include "store/store.h"

static char dir[64];
static char dbpath[128];
static struct bl_arena arena;
static struct store *st;
static struct bl_err err;

static void
setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/byline-store-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	snprintf(dbpath, sizeof(dbpath), "%s/site.db", dir);
	bl_arena_init(&arena);
	cr_assert_eq(store_open(dbpath, &st, &err), 0, "%s", err.msg);
}

static void
teardown(void)
{
	char p[512];
	struct dirent *e;
	DIR *d;

	store_close(st);
	st = NULL;
	bl_arena_release(&arena);
	if ((d = opendir(dir)) != NULL) {
		while ((e = readdir(d)) != NULL) {
			if (e->d_name[0] == '.')
				continue;
			snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
			unlink(p);
		}
		closedir(d);
	}
	rmdir(dir);
}

#endif
