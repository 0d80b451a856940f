/* Fuzzes comment text: validation of what a reader typed and its
 * rendering as HTML. */
#include "fuzz.h"

#include "comments/comments.h"
#include "core/arena.h"
#include "core/buf.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bl_arena a = BL_ARENA_INIT;
	struct bl_buf out = BL_BUF_INIT;
	struct cmt_input in;
	struct cmt_clean clean;
	const char *msgs[CMT_F__MAX];
	size_t len[CMT_F__MAX];
	char *s = fuzz_str(data, size);

	/* The whole input as every field, with its NUL bytes. */
	memset(len, 0, sizeof(len));
	len[CMT_F_COMMENT] = len[CMT_F_AUTHOR] = len[CMT_F_EMAIL] =
	    len[CMT_F_URL] = len[CMT_F_HONEYPOT] = size;
	in.comment = in.author = in.email = in.url = s;
	in.honeypot = "";
	len[CMT_F_HONEYPOT] = 0;
	if (size > 0)
		(void)cmt_validate_n(&in, len, NULL, &a, &clean, msgs);
	(void)cmt_validate(&in, NULL, &a, &clean, msgs);

	/* Text that passed validation is what gets formatted. */
	bl_buf_init(&out, 1 << 22);
	(void)cmt_format(&out, s);
	/* Never raw HTML: every '<' starts one of the tags cmt_format
	 * writes itself. */
	for (const char *p = strchr(out.s, '<'); p != NULL;
	    p = strchr(p + 1, '<'))
		if (strncmp(p, "<p>", 3) != 0 && strncmp(p, "</p>", 4) != 0 &&
		    strncmp(p, "<br>", 4) != 0 && strncmp(p, "<a ", 3) != 0 &&
		    strncmp(p, "</a>", 4) != 0)
			abort();
	(void)cmt_count_links(s);
	bl_buf_release(&out);
	bl_arena_release(&a);
	free(s);
	return 0;
}
