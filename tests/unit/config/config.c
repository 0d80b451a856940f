/* Unit tests for src/config/config.c: the option table and byline.conf. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/config.h"

static char path[256];
static char dir[64];

/* Removes the test's folder and what config_set_file left in it. */
static void
remove_dir(void)
{
	char p[512];
	struct dirent *d;
	DIR *dh;

	if (dir[0] == '\0' || (dh = opendir(dir)) == NULL)
		return;
	while ((d = readdir(dh)) != NULL) {
		if (strcmp(d->d_name, ".") == 0 || strcmp(d->d_name, "..") == 0)
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, d->d_name);
		unlink(p);
	}
	closedir(dh);
	rmdir(dir);
	dir[0] = '\0';
}

TestSuite(config, .fini = remove_dir);

static void
write_conf(const char *text)
{
	FILE *f;

	remove_dir();
	snprintf(dir, sizeof(dir), "/tmp/byline-cfg-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/byline.conf", dir);
	f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
}

static char *
slurp(void)
{
	static char buf[8192];
	FILE *f = fopen(path, "r");
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);

	buf[n] = '\0';
	fclose(f);
	return buf;
}

Test(config, defaults_apply_when_unset)
{
	struct config c;
	struct bl_err e;

	write_conf("[site]\ntitle = The Courier\n");
	cr_assert_eq(config_load(path, &c, &e), 0, "%s", e.msg);
	cr_assert_str_eq(c.site_title, "The Courier");
	cr_assert_str_eq(c.server_listen, "127.0.0.1:8080");
	cr_assert_eq(c.pages_per_page, 10);
	config_release(&c);
}

Test(config, unknown_key_names_file_and_line)
{
	struct config c;
	struct bl_err e;

	write_conf("[site]\ntitle = X\ntitel = typo\n");
	cr_assert_eq(config_load(path, &c, &e), -1);
	cr_assert_not_null(strstr(e.msg, ":3: unknown setting 'site.titel'"), "%s", e.msg);
	config_release(&c);
}

Test(config, bad_number_is_refused)
{
	struct config c;
	struct bl_err e;

	write_conf("[pages]\nper_page = lots\n");
	cr_assert_eq(config_load(path, &c, &e), -1);
	cr_assert_not_null(strstr(e.msg, "whole number"), "%s", e.msg);
	config_release(&c);
	write_conf("[pages]\nper_page = 1000\n");
	cr_assert_eq(config_load(path, &c, &e), -1);
	cr_assert_not_null(strstr(e.msg, "between 1 and 100"), "%s", e.msg);
	config_release(&c);
}

Test(config, set_replaces_in_place_and_keeps_comments)
{
	struct config c;
	struct bl_err e;

	write_conf("# my site\ndatabase = byline.db\n\n[site]\ntitle = Old\n# keep me\n\n[server]\nthreads = 2\n");
	cr_assert_eq(config_set_file(path, "site.title", "New “Title”", &e), 0, "%s", e.msg);
	cr_assert_eq(config_set_file(path, "site.url", "https://news.example", &e), 0, "%s", e.msg);
	cr_assert_eq(config_set_file(path, "pages.per_page", "20", &e), 0, "%s", e.msg);
	cr_assert_str_eq(slurp(), "# my site\ndatabase = byline.db\n\n[site]\ntitle = New “Title”\n"
	    "# keep me\nurl = https://news.example\n\n[server]\nthreads = 2\n\n[pages]\nper_page = 20\n");
	cr_assert_eq(config_load(path, &c, &e), 0, "%s", e.msg);
	cr_assert_str_eq(c.site_title, "New “Title”");
	cr_assert_eq(c.pages_per_page, 20);
	config_release(&c);
}

Test(config, set_top_level_key_goes_before_sections)
{
	struct config c;
	struct bl_err e;

	write_conf("[site]\ntitle = T\n");
	cr_assert_eq(config_set_file(path, "database", "other.db", &e), 0, "%s", e.msg);
	cr_assert_eq(config_load(path, &c, &e), 0, "%s", e.msg);
	cr_assert_str_eq(c.database, "other.db");
	cr_assert_str_eq(c.site_title, "T");
	config_release(&c);
}

Test(config, set_refuses_unknown_keys_and_bad_values)
{
	struct bl_err e;

	write_conf("[site]\ntitle = T\n");
	cr_assert_eq(config_set_file(path, "site.nope", "x", &e), -1);
	cr_assert_eq(config_set_file(path, "server.threads", "-1", &e), -1);
	cr_assert_eq(config_set_file(path, "site.title", "a\nb", &e), -1);
	cr_assert_str_eq(slurp(), "[site]\ntitle = T\n", "file must be unchanged");
}
