/* Fuzzes the plain-text importer on wire copy and scraped pages. */
#include "fuzz.h"

#include "core/arena.h"
#include "core/err.h"
#include "import/text.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bl_arena a = BL_ARENA_INIT;
	struct imp_article art;
	struct bl_err err = { .msg = "" };
	size_t i;

	if (imp_text_parse((const char *)data, size, &a, &art, &err) == 0) {
		/* Every photo a block points at exists. */
		if (art.headline == NULL)
			abort();
		for (i = 0; i < art.nblocks; i++)
			if (art.blocks[i].kind == IMP_PHOTO &&
			    art.blocks[i].photo >= art.nphotos)
				abort();
	} else if (err.msg[0] == '\0')
		abort();
	bl_arena_release(&a);
	return 0;
}
