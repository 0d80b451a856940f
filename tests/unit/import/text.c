/* Unit tests for src/import/text.c: the plain-text article parser. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "import/text.h"

#define FIX "tests/unit/import/fixtures/"

static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *s;
	long n;

	cr_assert_not_null(f, "cannot open fixture %s", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	s = malloc((size_t)n + 1);
	cr_assert_eq(fread(s, 1, (size_t)n, f), (size_t)n);
	s[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return s;
}

static int
parse_file(const char *name, struct bl_arena *a, struct imp_article *art,
    struct bl_err *err)
{
	char path[256];
	size_t len;
	char *data;
	int rc;

	snprintf(path, sizeof(path), FIX "%s", name);
	data = slurp(path, &len);
	rc = imp_text_parse(data, len, a, art, err);
	/* Everything the article holds lives in the arena, not in data. */
	memset(data, 'Z', len);
	free(data);
	return rc;
}

static int
parse_str(const char *s, struct bl_arena *a, struct imp_article *art,
    struct bl_err *err)
{
	return imp_text_parse(s, strlen(s), a, art, err);
}

static const char *
para(const struct imp_article *art, size_t i)
{
	cr_assert_lt(i, art->nblocks);
	cr_assert_eq(art->blocks[i].kind, IMP_PARA, "block %zu is not text", i);
	return art->blocks[i].text;
}

static const struct imp_photo *
photo(const struct imp_article *art, size_t i)
{
	cr_assert_lt(i, art->nblocks);
	cr_assert_eq(art->blocks[i].kind, IMP_PHOTO, "block %zu is not a photo",
	    i);
	cr_assert_lt(art->blocks[i].photo, art->nphotos);
	return &art->photos[art->blocks[i].photo];
}

Test(text, scraped_page_keeps_story_and_drops_chrome)
{
	struct bl_arena a = BL_ARENA_INIT;
	struct imp_article art;
	struct bl_err err = { .msg = "" };
	const struct imp_photo *p;

	cr_assert_eq(parse_file("scraped.txt", &a, &art, &err), 0, "%s",
	    err.msg);
	cr_assert_str_eq(art.headline,
	    "Harbour cleanup begins after storm batters the old town");
	cr_assert_eq(art.nblocks, 6);
	cr_assert_eq(art.nparas, 4);
	cr_assert_eq(art.nphotos, 2);
	cr_assert_str_eq(para(&art, 0), "Crews in Saint-Malo began clearing "
	    "debris on Monday after a storm pushed waves over the harbour "
	    "wall, flooding streets and shops.");

	/* The caption repeated just before the photo is its alt, not text. */
	p = photo(&art, 1);
	cr_assert_str_eq(p->caption,
	    "A worker sweeps the street outside the fish market on Monday.");
	cr_assert_str_eq(p->credit, "Jane Doe / Example Agency via AP");
	cr_assert_str_eq(p->alt,
	    "A worker sweeps the street outside the fish market on Monday.");

	/* Two lines of one paragraph are joined with one space. */
	cr_assert_str_eq(para(&art, 2), "“We have never seen water this "
	    "high,” said Zoë Lefèvre, who runs a café on the quay — her shop "
	    "was under half a metre of water. Officials said repairs would "
	    "take weeks.");
	/* A sentence that mentions related articles is story text. */
	cr_assert_str_eq(para(&art, 3), "Mayor François Øberg said the town "
	    "would publish the report with related articles from the "
	    "regional archive next month.");

	/* A photo without a repeat has no alt. */
	p = photo(&art, 4);
	cr_assert_str_eq(p->caption,
	    "Boats lie on their sides in the drained inner harbour.");
	cr_assert_str_eq(p->credit, "John Roe / Example Agency");
	cr_assert_str_eq(p->alt, "");

	/* Nothing after "Related Articles" is published. */
	cr_assert_str_eq(para(&art, 5), "Insurers expect claims to exceed "
	    "€2 million, the chamber of commerce said.");
	for (size_t i = 0; i < art.nblocks; i++) {
		if (art.blocks[i].kind != IMP_PARA)
			continue;
		cr_assert_null(strstr(art.blocks[i].text, "Ferry"));
		cr_assert_null(strstr(art.blocks[i].text, "Share this"));
		cr_assert_null(strstr(art.blocks[i].text, "13 + 4"));
	}
	/* Tags: deduplicated case-insensitively, first spelling kept. */
	cr_assert_eq(art.ntags, 2);
	cr_assert_str_eq(art.tags[0], "Storm");
	cr_assert_str_eq(art.tags[1], "SaintMalo");
	/* Share this: + 2 click lines + Facebook + X (5), then the tail:
	 * Related Articles, 2 headlines, Leave a Reply, email note,
	 * Comment *, Name *, Email *, Website, Save my name, 13 + 4 =,
	 * Post Comment (12). */
	cr_assert_eq(art.ndropped, 17);
	bl_arena_release(&a);
}

Test(text, typography_is_kept_byte_for_byte_and_never_html)
{
	struct bl_arena a = BL_ARENA_INIT;
	struct imp_article art;
	struct bl_err err = { .msg = "" };

	cr_assert_eq(parse_file("typography.txt", &a, &art, &err), 0, "%s",
	    err.msg);
	cr_assert_str_eq(art.headline,
	    "Mayor\xe2\x80\x99s plan \xe2\x80\x93 a \xe2\x80\x9c" "bold"
	    "\xe2\x80\x9d step");
	cr_assert_eq(art.nparas, 2);
	cr_assert_str_eq(para(&art, 0), "Jos\xc3\xa9 \xc3\x81lvarez and "
	    "Ren\xc3\xa9" "e M\xc3\xbcller said: \xe2\x80\x9cIt\xe2\x80\x99s "
	    "time\xe2\x80\xa6\xe2\x80\x9d \xe2\x80\x94 and "
	    "<script>alert(1)</script> stays text.");
	cr_assert_str_eq(para(&art, 1), "\xe2\x80\x98Single\xe2\x80\x99 quotes "
	    "& \xc5\x81\xc3\xb3" "d\xc5\xba, \xe6\x9d\xb1\xe4\xba\xac.");
	cr_assert_eq(art.ndropped, 0);
	bl_arena_release(&a);
}

Test(text, crlf_and_bom_are_handled)
{
	struct bl_arena a = BL_ARENA_INIT;
	struct imp_article art;
	struct bl_err err = { .msg = "" };

	cr_assert_eq(parse_file("crlf-bom.txt", &a, &art, &err), 0, "%s",
	    err.msg);
	cr_assert_str_eq(art.headline, "Headline with BOM");
	cr_assert_eq(art.nparas, 2);
	cr_assert_str_eq(para(&art, 0),
	    "First line of a paragraph second line, trimmed.");
	cr_assert_str_eq(para(&art, 1), "Another paragraph.");
	bl_arena_release(&a);
}

static void
expect_failure(const char *name, const char *msg)
{
	struct bl_arena a = BL_ARENA_INIT;
	struct imp_article art;
	struct bl_err err = { .msg = "" };

	memset(&art, 0x5a, sizeof(art));
	cr_assert_eq(parse_file(name, &a, &art, &err), -1, "%s parsed", name);
	cr_assert_str_eq(err.msg, msg);
	/* Nothing is output on failure. */
	cr_assert_null(art.headline);
	cr_assert_eq(art.nblocks, 0);
	cr_assert_eq(art.ntags, 0);
	bl_arena_release(&a);
}

Test(text, broken_files_fail_with_a_clear_message)
{
	expect_failure("empty.txt", "file is empty");
	expect_failure("whitespace.txt", "file is empty");
	expect_failure("latin1.txt",
	    "file is not UTF-8 text (invalid byte at offset 13)");
	expect_failure("binary.txt", "file looks binary (NUL byte at offset 8)");
	expect_failure("headline-only.txt", "no story text after the headline");
	expect_failure("headline-chrome.txt", "no story text after the headline");
}

Test(text, control_bytes_and_bom_only)
{
	struct bl_arena a = BL_ARENA_INIT;
	struct imp_article art;
	struct bl_err err = { .msg = "" };

	cr_assert_eq(parse_str("Head\n\nText \x1b[31m red\n", &a, &art, &err),
	    -1);
	cr_assert_str_eq(err.msg,
	    "file looks binary (control byte 0x1b at offset 11)");
	cr_assert_eq(parse_str("\xef\xbb\xbf \r\n", &a, &art, &err), -1);
	cr_assert_str_eq(err.msg, "file is empty");
	cr_assert_eq(imp_text_parse(NULL, 0, &a, &art, &err), -1);
	cr_assert_str_eq(err.msg, "file is empty");
	cr_assert_eq(parse_str("#only #tags\n", &a, &art, &err), -1);
	cr_assert_not_null(strstr(err.msg, "no headline"));
	bl_arena_release(&a);
}

Test(text, story_sentences_about_chrome_words_are_kept)
{
	struct bl_arena a = BL_ARENA_INIT;
	struct imp_article art;
	struct bl_err err = { .msg = "" };

	cr_assert_eq(parse_str("Headline\n\n"
	    "Readers asked us to link related articles at the end.\n\n"
	    "Leave a reply below, the editor wrote.\n\n"
	    "Email\nremains the fastest way to reach the newsroom.\n\n"
	    "He said 13 + 4 = 17 was the answer.\n", &a, &art, &err), 0,
	    "%s", err.msg);
	cr_assert_eq(art.nparas, 4);
	cr_assert_str_eq(para(&art, 0),
	    "Readers asked us to link related articles at the end.");
	cr_assert_str_eq(para(&art, 1), "Leave a reply below, the editor wrote.");
	/* A weak word next to story lines stays: only chrome among chrome
	 * goes. */
	cr_assert_str_eq(para(&art, 2),
	    "Email remains the fastest way to reach the newsroom.");
	cr_assert_str_eq(para(&art, 3), "He said 13 + 4 = 17 was the answer.");
	cr_assert_eq(art.ndropped, 0);
	bl_arena_release(&a);
}

Test(text, captcha_and_sharing_variants_are_dropped)
{
	struct bl_arena a = BL_ARENA_INIT;
	struct imp_article art;
	struct bl_err err = { .msg = "" };

	cr_assert_eq(parse_str("Headline\n\nStory.\n\n"
	    "13 + 4 = ?\n\nSolve: 6 \xc3\x97 7\n\n9 \xe2\x88\x92 2 =\n\n"
	    "5 x 5 =\n\n3 * 3 =\n\n8 - 1 =\n\nLike this:\n"
	    "Like Loading\xe2\x80\xa6\n\nPrint\n\nWhatsApp\n\nCancel reply\n\n"
	    "More story.\n", &a, &art, &err), 0, "%s", err.msg);
	cr_assert_eq(art.nblocks, 2);
	cr_assert_str_eq(para(&art, 0), "Story.");
	cr_assert_str_eq(para(&art, 1), "More story.");
	cr_assert_eq(art.ndropped, 11);
	bl_arena_release(&a);
}

Test(text, photo_variants)
{
	struct bl_arena a = BL_ARENA_INIT;
	struct imp_article art;
	struct bl_err err = { .msg = "" };
	const struct imp_photo *p;

	cr_assert_eq(parse_str("Headline\n\nIntro.\n\n"
	    /* alt and caption in one paragraph */
	    "Fans cheer in the square\nFans cheer in the square.\n"
	    "(Ana P\xc3\xa9rez / Wire)\n"
	    /* story directly after the credit */
	    "The match ended late.\n\n"
	    /* a lone parenthesised paragraph is text */
	    "(Reporting by Ana P\xc3\xa9rez; editing by Tom Lee)\n",
	    &a, &art, &err), 0, "%s", err.msg);
	cr_assert_eq(art.nblocks, 4);
	p = photo(&art, 1);
	cr_assert_str_eq(p->alt, "Fans cheer in the square");
	cr_assert_str_eq(p->caption, "Fans cheer in the square.");
	cr_assert_str_eq(p->credit, "Ana P\xc3\xa9rez / Wire");
	cr_assert_str_eq(para(&art, 2), "The match ended late.");
	cr_assert_str_eq(para(&art, 3),
	    "(Reporting by Ana P\xc3\xa9rez; editing by Tom Lee)");
	bl_arena_release(&a);
}
