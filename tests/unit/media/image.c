/* Unit tests for src/media/image.c: demo illustrations and header reads. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "media/image.h"

static char dir[64];

static void
setup(void)
{
	struct bl_err err;
	const char *tmp = getenv("TMPDIR");

	snprintf(dir, sizeof(dir), "%s/bl-media-XXXXXX",
	    tmp != NULL && strlen(tmp) < 40 ? tmp : "/tmp");
	cr_assert_not_null(mkdtemp(dir));
	cr_assert_eq(media_init("unit-media", &err), 0, "%s", err.msg);
}

static void
teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	cr_assert_eq(system(cmd), 0);
}

static void
in_dir(char *out, size_t n, const char *name)
{
	snprintf(out, n, "%s/%s", dir, name);
}

/* Reads a whole file; the caller frees the result. */
static unsigned char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *p;
	long n;

	cr_assert_not_null(f, "cannot open '%s'", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	p = malloc((size_t)n + 1);
	cr_assert_not_null(p);
	cr_assert_eq(fread(p, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return p;
}

TestSuite(media, .init = setup, .fini = teardown);

Test(media, demo_image_is_a_jpeg_of_the_asked_size)
{
	struct bl_err err;
	char path[128];
	unsigned char *p;
	size_t len;
	int w = 0, h = 0;

	in_dir(path, sizeof(path), "harbour.jpg");
	cr_assert_eq(media_demo_image(path, 7, 640, 400, &err), 0, "%s",
	    err.msg);
	p = slurp(path, &len);
	cr_assert_gt(len, 2000, "a real picture, not an empty file");
	cr_assert(p[0] == 0xFF && p[1] == 0xD8, "starts with a JPEG marker");
	cr_assert(memmem(p, len, "Exif", 4) == NULL, "no metadata");
	free(p);
	cr_assert_eq(media_image_size(path, &w, &h, &err), 0, "%s", err.msg);
	cr_assert_eq(w, 640);
	cr_assert_eq(h, 400);
}

Test(media, demo_image_is_the_same_for_the_same_seed)
{
	struct bl_err err;
	char a[128], b[128];
	unsigned char *pa, *pb;
	size_t la, lb;

	in_dir(a, sizeof(a), "a.jpg");
	in_dir(b, sizeof(b), "b.jpg");
	cr_assert_eq(media_demo_image(a, 42, 320, 200, &err), 0, "%s", err.msg);
	cr_assert_eq(media_demo_image(b, 42, 320, 200, &err), 0, "%s", err.msg);
	pa = slurp(a, &la);
	pb = slurp(b, &lb);
	cr_assert_eq(la, lb);
	cr_assert(memcmp(pa, pb, la) == 0, "same seed, same bytes");
	free(pa);
	free(pb);
}

Test(media, different_seeds_give_different_pictures)
{
	struct bl_err err;
	char path[128];
	unsigned char *p[4];
	size_t len[4];
	unsigned i, j;

	for (i = 0; i < 4; i++) {
		snprintf(path, sizeof(path), "%s/s%u.jpg", dir, i);
		cr_assert_eq(media_demo_image(path, i + 1, 320, 200, &err), 0,
		    "%s", err.msg);
		p[i] = slurp(path, &len[i]);
	}
	for (i = 0; i < 4; i++)
		for (j = i + 1; j < 4; j++)
			cr_assert(len[i] != len[j] ||
			    memcmp(p[i], p[j], len[i]) != 0,
			    "seeds %u and %u gave the same picture", i + 1, j + 1);
	for (i = 0; i < 4; i++)
		free(p[i]);
}

Test(media, odd_sizes_work_and_silly_sizes_are_refused)
{
	struct bl_err err;
	char path[128];
	int w = 0, h = 0;

	in_dir(path, sizeof(path), "odd.jpg");
	cr_assert_eq(media_demo_image(path, 3, 333, 17, &err), 0, "%s", err.msg);
	cr_assert_eq(media_image_size(path, &w, &h, &err), 0, "%s", err.msg);
	cr_assert_eq(w, 333);
	cr_assert_eq(h, 17);
	cr_assert_eq(media_demo_image(path, 3, 0, 100, &err), -1);
	cr_assert(strstr(err.msg, "0x100") != NULL, "message: %s", err.msg);
	cr_assert_eq(media_demo_image(path, 3, 100, 90000, &err), -1);
}

Test(media, unwritable_path_is_reported)
{
	struct bl_err err;
	char path[128];

	in_dir(path, sizeof(path), "missing/dir/x.jpg");
	cr_assert_eq(media_demo_image(path, 1, 64, 64, &err), -1);
	cr_assert(strstr(err.msg, "missing/dir/x.jpg") != NULL, "message: %s",
	    err.msg);
}

Test(media, size_of_a_text_file_is_refused)
{
	struct bl_err err;
	char path[128];
	FILE *f;
	int w = -1, h = -1;

	in_dir(path, sizeof(path), "notes.jpg");
	f = fopen(path, "w");
	cr_assert_not_null(f);
	fputs("This is not a photograph, only some words.\n", f);
	fclose(f);
	cr_assert_eq(media_image_size(path, &w, &h, &err), -1);
	cr_assert(strstr(err.msg, "notes.jpg") != NULL, "message: %s", err.msg);
	cr_assert_eq(w, -1, "outputs untouched on failure");
	cr_assert_eq(h, -1);
}

Test(media, size_of_a_missing_file_is_refused)
{
	struct bl_err err;
	int w, h;

	cr_assert_eq(media_image_size("no/such/photo.jpg", &w, &h, &err), -1);
	cr_assert(strstr(err.msg, "cannot open 'no/such/photo.jpg'") != NULL,
	    "message: %s", err.msg);
}
