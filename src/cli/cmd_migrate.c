/* byline migrate: moving a site to another database (SQLite <-> PostgreSQL). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "config/config.h"
#include "core/buf.h"
#include "site/site.h"
#include "store/store.h"

static const char migrate_help[] =
"usage: byline migrate --site DIR --to URL [--keep-config]\n"
"\n"
"Copies every article, section, author, tag, photo record, comment and\n"
"related-articles list of the site in DIR into the empty database URL,\n"
"checks that each table has as many rows there as here, and then points\n"
"DIR/byline.conf at the new database. The old database is left as it was.\n"
"Stop the site's servers first: writes made during the copy would be\n"
"missed (the copy fails if a table changes while it is read).\n"
"\n"
"  --to URL        postgresql://USER@HOST:PORT/DB (the database must exist\n"
"                  and be empty), or sqlite:PATH (a new file; a relative\n"
"                  PATH is taken from DIR)\n"
"  --keep-config   copy and check, but leave byline.conf as it is\n";

struct bar {
	int tty;
	int last_pct;
	time_t started;
};

/* Draws the progress bar on stderr: redrawn in place on a terminal, a
 * line every 10% otherwise. */
static void
progress(void *ctx, const char *table, int64_t done, int64_t total)
{
	struct bar *b = ctx;
	int pct = total > 0 ? (int)(done * 100 / total) : 100, i, fill;
	char cells[31];

	if (pct > 100)
		pct = 100;
	if (b->tty) {
		fill = pct * 30 / 100;
		for (i = 0; i < 30; i++)
			cells[i] = i < fill ? '#' : '.';
		cells[30] = '\0';
		fprintf(stderr, "\r[%s] %3d%%  %lld/%lld rows  %-14s", cells, pct,
		    (long long)done, (long long)total, table);
		if (strcmp(table, "done") == 0)
			fputc('\n', stderr);
	} else if (pct / 10 != b->last_pct / 10 || strcmp(table, "done") == 0) {
		fprintf(stderr, "migrate: %3d%%  %lld/%lld rows  (%s)\n", pct,
		    (long long)done, (long long)total, table);
	}
	b->last_pct = pct;
	fflush(stderr);
}

int
cmd_migrate(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "site", required_argument, NULL, 's' },
		{ "to", required_argument, NULL, 't' },
		{ "keep-config", no_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *dir = NULL, *to = NULL;
	struct bar bar = { 0 };
	struct site *site = NULL;
	struct store *from = NULL, *dst = NULL;
	struct bl_buf conf = BL_BUF_INIT;
	struct bl_err err;
	char *target = NULL;
	int keep = 0, c, rc = EXIT_FAIL;
	int64_t n;
	size_t i;

	while ((c = cli_getopt(argc, argv, "", opts)) != -1) {
		switch (c) {
		case 's': dir = optarg; break;
		case 't': to = optarg; break;
		case 'k': keep = 1; break;
		case 'h': fputs(migrate_help, stdout); return EXIT_OK;
		default: return EXIT_USAGE;
		}
	}
	if (optind != argc)
		return cli_usage("migrate", "unexpected argument '%s'",
		    argv[optind]);
	if (dir == NULL)
		return cli_usage("migrate", "--site DIR is required");
	if (to == NULL || *to == '\0' || strpbrk(to, "\r\n") != NULL)
		return cli_usage("migrate", "--to URL is required");
	if (strncmp(to, "postgresql://", 13) != 0 &&
	    strncmp(to, "postgres://", 11) != 0 &&
	    strncmp(to, "sqlite:", 7) != 0)
		return cli_usage("migrate", "--to must be postgresql://... or "
		    "sqlite:PATH");

	if (site_open(dir, &site, &err) < 0)
		return cli_fail("migrate: %s", err.msg);
	target = site_database_url(dir, to);
	if (strcmp(target, site_database(site)) == 0) {
		rc = cli_fail("migrate: the site already uses that database");
		goto out;
	}
	if ((from = site_store(site, &err)) == NULL ||
	    store_open(target, &dst, &err) < 0) {
		rc = cli_fail("migrate: %s", err.msg);
		goto out;
	}
	bar.tty = isatty(STDERR_FILENO);
	bar.last_pct = -1;
	bar.started = time(NULL);
	fprintf(stderr, "migrate: copying %s (%s) to %s\n", dir,
	    store_backend(from), store_backend(dst));
	if (store_copy(from, dst, progress, &bar, &err) < 0) {
		if (bar.tty)
			fputc('\n', stderr);
		rc = cli_fail("migrate: %s (nothing was written to the target)",
		    err.msg);
		goto out;
	}
	printf("copied and checked in %lds:", (long)(time(NULL) - bar.started));
	for (i = 0; i < store_ntables; i++) {
		if (store_copy_count(dst, &store_tables[i], &n, &err) < 0) {
			rc = cli_fail("migrate: %s", err.msg);
			goto out;
		}
		printf("%s %s %lld", i ? "," : "", store_tables[i].name,
		    (long long)n);
	}
	printf("\n");
	if (!keep) {
		bl_buf_printf(&conf, "%s/byline.conf", dir);
		if (config_set_file(conf.s, "database", to, &err) < 0) {
			rc = cli_fail("migrate: the copy is complete but "
			    "byline.conf was not changed: %s", err.msg);
			goto out;
		}
		printf("%s/byline.conf now uses the new database; the old one "
		    "is unchanged (set 'database' back to return to it)\n", dir);
	}
	rc = EXIT_OK;
out:
	store_close(dst);
	if (from != NULL)
		site_store_put(site, from);
	site_close(site);
	bl_buf_release(&conf);
	free(target);
	return rc;
}
