/* The media_ functions: load the image module on first use, then call it. */
#include "media/image.h"

#include <dlfcn.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "media/module.h"

/*
 * libvips pulls about a hundred shared libraries into a process; loading
 * them took most of the start-up time of every byline command, though
 * only a few commands ever read or write an image. So the image code is
 * a module, loaded the first time a media_ function is called, from the
 * first of these folders that has it:
 *   $BYLINE_MODULEDIR            (set by whoever runs Byline elsewhere)
 *   the folder of the executable (a build folder holds both)
 *   BYLINE_MODULEDIR             (compiled in: where `meson install` puts it)
 *   BYLINE_BUILDDIR              (compiled in: the build folder, for tests)
 * The once-flag and the loaded table are the process's view of one
 * read-only shared object, set once, like libvips' own start-up.
 */
#ifndef BYLINE_MODULEDIR
#define BYLINE_MODULEDIR "/usr/local/lib/byline"
#endif
#ifndef BYLINE_BUILDDIR
#define BYLINE_BUILDDIR "."
#endif

static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static const struct media_module *module;
static char load_error[PATH_MAX + 256];

#ifdef BYLINE_MEDIA_STATIC
/* Sanitizer builds link the image code in (meson.build says why). */
extern const struct media_module byline_media_module;

static void
load(void)
{
	module = &byline_media_module;
}
#else

/* Tries DIR/byline-media.so: 0 when loaded, -1 when there is none, -2
 * (load_error set) when there is one that cannot be used: that is
 * reported rather than passed over for a copy elsewhere. */
static int
try_dir(const char *dir)
{
	const struct media_module *m;
	char path[PATH_MAX];
	void *h;

	if (dir == NULL || *dir == '\0')
		return -1;
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir,
	    MEDIA_MODULE_FILE) >= sizeof(path))
		return -1;
	if (access(path, R_OK) != 0)
		return -1;
	if ((h = dlopen(path, RTLD_NOW | RTLD_LOCAL)) == NULL) {
		snprintf(load_error, sizeof(load_error),
		    "cannot load the image module '%s': %s", path, dlerror());
		return -2;
	}
	m = dlsym(h, MEDIA_MODULE_SYMBOL);
	if (m == NULL || m->abi != MEDIA_MODULE_ABI) {
		snprintf(load_error, sizeof(load_error),
		    "cannot use the image module '%s': it is from another "
		    "version of byline", path);
		dlclose(h);
		return -2;
	}
	module = m;
	return 0;
}

static void
load(void)
{
	char exe[PATH_MAX], *slash;
	ssize_t n;

	snprintf(load_error, sizeof(load_error),
	    "cannot find the image module %s (looked in $BYLINE_MODULEDIR, "
	    "beside the program, in %s and in %s)", MEDIA_MODULE_FILE,
	    BYLINE_MODULEDIR, BYLINE_BUILDDIR);
	if (try_dir(getenv("BYLINE_MODULEDIR")) != -1)
		return;
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		if ((slash = strrchr(exe, '/')) != NULL) {
			*slash = '\0';
			if (try_dir(exe) != -1)
				return;
		}
	}
	if (try_dir(BYLINE_MODULEDIR) != -1)
		return;
	try_dir(BYLINE_BUILDDIR);
}
#endif

static const struct media_module *
get(struct bl_err *err)
{
	pthread_once(&load_once, load);
	if (module == NULL)
		bl_errf(err, "%s", load_error);
	return module;
}

int
media_init(const char *argv0, struct bl_err *err)
{
	const struct media_module *m = get(err);

	(void)argv0;
	return m == NULL ? -1 : m->init(err);
}

int
media_image_size(const char *path, int *width, int *height,
    struct bl_err *err)
{
	const struct media_module *m = get(err);

	return m == NULL ? -1 : m->image_size(path, width, height, err);
}

int
media_demo_image(const char *path, unsigned seed, int width, int height,
    struct bl_err *err)
{
	const struct media_module *m = get(err);

	return m == NULL ? -1 : m->demo_image(path, seed, width, height, err);
}
