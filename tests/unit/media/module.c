/* Unit tests for src/media/media.c: finding and loading the image module. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "media/image.h"

/* Sanitizer builds link the image code in (meson.build): nothing to
 * load, so these tests are for the other builds. */
#ifdef BYLINE_MEDIA_STATIC
#define LINKED_IN 1
#else
#define LINKED_IN 0
#endif

static char dir[64];

static void
cleanup(void)
{
	char path[128];

	if (dir[0] == '\0')
		return;
	snprintf(path, sizeof(path), "%s/byline-media.so", dir);
	unlink(path);
	rmdir(dir);
}

TestSuite(module, .fini = cleanup);

Test(module, a_broken_module_is_named_in_the_error, .disabled = LINKED_IN)
{
	struct bl_err err;
	char path[128];
	FILE *f;
	int w = 0, h = 0;

	/* $BYLINE_MODULEDIR comes first: a file there that is not a shared
	 * object is reported, never silently skipped for another copy. */
	snprintf(dir, sizeof(dir), "/tmp/byline-mod-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/byline-media.so", dir);
	cr_assert_not_null(f = fopen(path, "w"));
	fputs("not an ELF file\n", f);
	fclose(f);
	setenv("BYLINE_MODULEDIR", dir, 1);
	cr_assert_eq(media_image_size("themes/default/static/logo.svg", &w, &h,
	    &err), -1);
	cr_assert_not_null(strstr(err.msg, "cannot load the image module"),
	    "%s", err.msg);
	cr_assert_not_null(strstr(err.msg, path), "%s", err.msg);
	cr_assert_eq(w, 0);
}

Test(module, loads_on_first_use_only, .disabled = LINKED_IN)
{
	struct bl_err err;
	char line[512];
	FILE *f;
	int loaded = 0;

	/* Nothing image-related has run in this process: libvips is not
	 * mapped. */
	unsetenv("BYLINE_MODULEDIR");
	cr_assert_not_null(f = fopen("/proc/self/maps", "r"));
	while (fgets(line, sizeof(line), f))
		if (strstr(line, "libvips") != NULL)
			loaded = 1;
	fclose(f);
	cr_assert_eq(loaded, 0, "libvips was loaded before any image work");

	cr_assert_eq(media_init(NULL, &err), 0, "%s", err.msg);
	cr_assert_not_null(f = fopen("/proc/self/maps", "r"));
	while (fgets(line, sizeof(line), f))
		if (strstr(line, "libvips") != NULL)
			loaded = 1;
	fclose(f);
	cr_assert_eq(loaded, 1, "media_init did not load libvips");
}
