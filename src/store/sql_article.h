/* The article columns every backend's statements read, in one order
 * (no parameters here, so the text is the same in every SQL dialect).
 * Article rows are read with ARTICLE_COLS (full) or SUMMARY_COLS
 * (listings: same columns, bodies left empty) so one reader serves both. */
#ifndef BL_STORE_SQL_ARTICLE_H
#define BL_STORE_SQL_ARTICLE_H

#define ARTICLE_JOINS \
	" LEFT JOIN sections s ON s.id = a.section_id" \
	" LEFT JOIN authors u ON u.id = a.author_id"
#define ARTICLE_FROM " FROM articles a" ARTICLE_JOINS
#define ARTICLE_TAIL \
	" a.status, a.published_at, a.updated_at, a.created_at," \
	" (SELECT count(*) FROM comments c" \
	"   WHERE c.article_id = a.id AND c.status = 1)," \
	" s.id, s.slug, s.name, u.id, u.slug, u.name, u.bio"
#define ARTICLE_COLS \
	"SELECT a.id, a.slug, a.path, a.title, a.standfirst, a.dateline," \
	" a.excerpt, a.body_format, a.body_source, a.body_html," \
	ARTICLE_TAIL ARTICLE_FROM
#define SUMMARY_SELECT \
	"SELECT a.id, a.slug, a.path, a.title, a.standfirst, a.dateline," \
	" a.excerpt, a.body_format, '', ''," \
	ARTICLE_TAIL
#define SUMMARY_COLS SUMMARY_SELECT ARTICLE_FROM

/* Column order of ARTICLE_COLS / SUMMARY_COLS. */
enum {
	AC_ID, AC_SLUG, AC_PATH, AC_TITLE, AC_STANDFIRST, AC_DATELINE,
	AC_EXCERPT, AC_BODY_FORMAT, AC_BODY_SOURCE, AC_BODY_HTML, AC_STATUS,
	AC_PUBLISHED, AC_UPDATED, AC_CREATED, AC_COMMENTS, AC_SEC_ID,
	AC_SEC_SLUG, AC_SEC_NAME, AC_AU_ID, AC_AU_SLUG, AC_AU_NAME, AC_AU_BIO,
};

#endif
