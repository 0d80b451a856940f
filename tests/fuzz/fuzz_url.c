/* Fuzzes request targets: the raw target and path checks, query-string
 * decoding, and the URL and text escapers of render/html. */
#include "fuzz.h"

#include "core/arena.h"
#include "core/buf.h"
#include "http/parse.h"
#include "render/html.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_str(data, size), *dec, *q;
	struct bl_buf b = BL_BUF_INIT;
	size_t n;
	int more;

	/* The server checks the raw target, then the decoded path. */
	(void)http_raw_target_ok(s);
	dec = malloc(size + 1);
	n = http_url_decode(dec, size, s, size, &more);
	if (more || n > size)
		abort();
	dec[n] = '\0';
	(void)http_path_ok(dec);
	/* A short output buffer must stop decoding, never overrun. */
	(void)http_url_decode(dec, size / 2, s, size, &more);

	/* Query strings: each name=value pair decoded as a form would. */
	q = strchr(s, '?');
	if (q != NULL) {
		struct bl_arena a = BL_ARENA_INIT;
		size_t off = (size_t)(q + 1 - s);

		(void)http_parse_urlencoded(&a, s + off, size - off, 64, 0);
		bl_arena_release(&a);
	}

	/* What ends up in href attributes and page text. */
	(void)html_url_is_safe((const char *)data, size);
	bl_buf_init(&b, 1 << 20);
	(void)html_url(&b, (const char *)data, size);
	/* A URL refused as unsafe is written as "#", nothing else. */
	if (!html_url_is_safe((const char *)data, size) &&
	    strcmp(b.s, "#") != 0)
		abort();
	bl_buf_reset(&b);
	(void)html_text(&b, (const char *)data, size);
	/* Escaped text holds no markup or quote characters. */
	if (strpbrk(b.s, "<>\"'") != NULL)
		abort();
	(void)html_url_component(&b, (const char *)data, size);
	bl_buf_release(&b);

	free(dec);
	free(s);
	return 0;
}
