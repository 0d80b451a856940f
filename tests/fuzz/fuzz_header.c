/* Fuzzes request header decoding: HTTP dates (If-Modified-Since),
 * If-None-Match lists and header parameters (Content-Type boundary,
 * Content-Disposition name). */
#include "fuzz.h"

#include "core/arena.h"
#include "http/parse.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const tags[] = { "\"a1b2-c3\"", NULL, "\"x\"" };
	struct bl_arena a = BL_ARENA_INIT;
	char *s = fuzz_str(data, size), date[40];
	const char *end = (const char *)data + size;
	int64_t t;

	t = http_parse_date(s);
	/* Whatever parses formats back to a date that parses the same. */
	if (t >= 0 && t < 253402300800) {
		http_fmt_date(t, date);
		if (http_parse_date(date) != t)
			abort();
	}
	(void)http_etag_list_match(s, tags, 3);
	(void)http_header_param(&a, (const char *)data, end, "boundary");
	(void)http_header_param(&a, (const char *)data, end, "name");
	(void)http_header_param(&a, (const char *)data, end, "filename");
	bl_arena_release(&a);
	free(s);
	return 0;
}
