/* Reading, writing and copying whole files with size limits. */
#include "core/file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int
bl_file_read(const char *path, size_t max, struct bl_buf *out,
    struct bl_err *err)
{
	struct stat sb;
	char chunk[65536];
	ssize_t n;
	size_t total = 0;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return bl_errf(err, "cannot open '%s': %s", path, strerror(errno));
	if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode)) {
		close(fd);
		return bl_errf(err, "cannot read '%s': not a regular file", path);
	}
	if ((size_t)sb.st_size > max) {
		close(fd);
		return bl_errf(err, "'%s' is too large (%lld bytes; the limit is %zu)",
		    path, (long long)sb.st_size, max);
	}
	while ((n = read(fd, chunk, sizeof(chunk))) > 0) {
		total += (size_t)n;
		if (total > max) {
			close(fd);
			return bl_errf(err, "'%s' is too large (the limit is %zu bytes)", path, max);
		}
		if (bl_buf_add(out, chunk, (size_t)n) < 0) {
			close(fd);
			return bl_errf(err, "cannot read '%s': out of buffer space", path);
		}
	}
	close(fd);
	if (n < 0)
		return bl_errf(err, "cannot read '%s': %s", path, strerror(errno));
	return 0;
}

int
bl_file_copy(const char *src, const char *dst, struct bl_err *err)
{
	char chunk[65536];
	ssize_t n;
	int in, outfd;

	in = open(src, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return bl_errf(err, "cannot open '%s': %s", src, strerror(errno));
	outfd = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (outfd < 0) {
		close(in);
		return bl_errf(err, "cannot create '%s': %s", dst, strerror(errno));
	}
	while ((n = read(in, chunk, sizeof(chunk))) > 0) {
		if (write(outfd, chunk, (size_t)n) != n) {
			n = -1;
			break;
		}
	}
	if (n < 0 || fsync(outfd) < 0) {
		bl_errf(err, "cannot copy '%s' to '%s': %s", src, dst, strerror(errno));
		close(in);
		close(outfd);
		unlink(dst);
		return -1;
	}
	close(in);
	close(outfd);
	return 0;
}

int
bl_mkdirs(const char *path, struct bl_err *err)
{
	char tmp[4096];
	size_t len = strlen(path);

	if (len >= sizeof(tmp))
		return bl_errf(err, "path too long: '%s'", path);
	memcpy(tmp, path, len + 1);
	for (size_t i = 1; i <= len; i++) {
		if (tmp[i] == '/' || tmp[i] == '\0') {
			char c = tmp[i];
			tmp[i] = '\0';
			if (mkdir(tmp, 0755) < 0 && errno != EEXIST)
				return bl_errf(err, "cannot create '%s': %s", tmp, strerror(errno));
			tmp[i] = c;
		}
	}
	return 0;
}

const char *
bl_basename(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}
