/* Reader comments on the site: the form, posting, editing, the API, avatars. */
#include "site/site_int.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <sodium.h>

#include "core/alloc.h"
#include "core/utf8.h"
#include "render/html.h"

#define COOKIE_MINE "byline_mine"
#define COOKIE_AUTHOR "comment_author"
#define COOKIE_EMAIL "comment_author_email"
#define COOKIE_URL "comment_author_url"
#define MINE_MAX 10                      /* comments remembered per reader */
#define MINE_DAYS 30                     /* pending notice shown this long */
/* A just-posted comment missing from the page in hand is shown to its
 * author this long (a page lags by at most cache.comment_refresh_ms). */
#define MINE_UNSEEN_SECONDS 600
#define SAVE_SECONDS (365L * 24 * 3600)  /* "save my details" cookies */

static const char *const field_names[CMT_F__MAX] = {
	"comment", "author", "email", "url", "captcha", "bl_trap",
};

/* ------------------------------------------------------------ helpers */

int
site_comments_closed(const struct site *s, int64_t published)
{
	long days = s->cfg.comments_close_after_days;

	return days > 0 && published > 0 &&
	    (int64_t)time(NULL) - published > (int64_t)days * 86400;
}

static int64_t
parse_id(const char *s)
{
	char *end;
	long long v;

	if (s == NULL || !isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || *end != '\0' || v < 0)
		return -1;
	return (int64_t)v;
}

/* Decodes a percent-encoded cookie value into the arena. */
static char *
unescape(struct bl_arena *a, const char *s)
{
	size_t n = strlen(s), j = 0;
	char *out = bl_arena_alloc(a, n + 1);

	for (size_t i = 0; i < n; i++) {
		if (s[i] == '%' && i + 2 < n && isxdigit((unsigned char)s[i + 1]) &&
		    isxdigit((unsigned char)s[i + 2])) {
			char hex[3] = { s[i + 1], s[i + 2], 0 };
			out[j++] = (char)strtol(hex, NULL, 16);
			i += 2;
		} else
			out[j++] = s[i];
	}
	out[j] = '\0';
	return out;
}

/* The client's address for flood control: the peer, or the last address in
 * X-Forwarded-For when the peer is a configured trusted proxy. */
static const char *
client_ip(struct site *s, struct bl_arena *a, const struct http_req *req)
{
	const char *peer = http_req_peer(req), *xff, *list = s->cfg.server_trusted_proxies;
	size_t plen = strlen(peer);
	const char *p = list;
	int trusted = 0;

	while (*p) {
		const char *comma = strchr(p, ',');
		size_t n = comma ? (size_t)(comma - p) : strlen(p);
		const char *q = p;

		while (n && isspace((unsigned char)*q)) {
			q++;
			n--;
		}
		while (n && isspace((unsigned char)q[n - 1]))
			n--;
		if (n == plen && memcmp(q, peer, n) == 0)
			trusted = 1;
		if (comma == NULL)
			break;
		p = comma + 1;
	}
	xff = trusted ? http_req_header(req, "X-Forwarded-For") : NULL;
	if (xff && *xff) {
		const char *last = strrchr(xff, ',');
		const char *v = last ? last + 1 : xff;
		size_t n;

		while (isspace((unsigned char)*v))
			v++;
		n = strcspn(v, " \t");
		if (n > 0 && n < 64)
			return bl_arena_strndup(a, v, n);
	}
	return peer;
}

/* ------------------------------------------------ the "mine" cookie */

struct mine {
	int64_t id[MINE_MAX];
	int64_t at[MINE_MAX];
	size_t n;
};

/* Reads the signed list of the reader's own comments ("ID-TIME_ID-TIME"). */
static void
mine_read(struct site *s, const struct http_req *req, struct mine *m)
{
	const char *v = http_req_cookie(req, COOKIE_MINE);
	struct bl_buf payload = BL_BUF_INIT;
	const char *p;

	m->n = 0;
	if (v == NULL || cmt_cookie_verify(&s->keys, COOKIE_MINE, v, &payload) < 0) {
		bl_buf_release(&payload);
		return;
	}
	p = payload.s;
	while (*p && m->n < MINE_MAX) {
		char *end;
		long long id = strtoll(p, &end, 10), at;

		if (*end != '-')
			break;
		at = strtoll(end + 1, &end, 10);
		m->id[m->n] = id;
		m->at[m->n] = at;
		m->n++;
		if (*end != '_')
			break;
		p = end + 1;
	}
	bl_buf_release(&payload);
}

static int
mine_has(const struct mine *m, int64_t id, int64_t *at)
{
	for (size_t i = 0; i < m->n; i++)
		if (m->id[i] == id) {
			if (at)
				*at = m->at[i];
			return 1;
		}
	return 0;
}

/* The Set-Cookie value for `m` plus comment `id` (or minus it when
 * `remove`), arena-owned. */
static const char *
mine_cookie(struct site *s, struct bl_arena *a, const struct mine *m,
    int64_t id, int64_t at, int remove)
{
	struct bl_buf payload = BL_BUF_INIT, signed_ = BL_BUF_INIT;
	size_t start = 0, count = 0;
	const char *out;

	if (!remove) {
		bl_buf_printf(&payload, "%lld-%lld", (long long)id, (long long)at);
		count = 1;
		start = m->n >= MINE_MAX ? m->n - MINE_MAX + 1 : 0;
	}
	for (size_t i = start; i < m->n; i++) {
		if (m->id[i] == id)
			continue;
		bl_buf_printf(&payload, "%s%lld-%lld", count ? "_" : "",
		    (long long)m->id[i], (long long)m->at[i]);
		count++;
	}
	if (count == 0)
		out = bl_arena_printf(a, "%s=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax%s",
		    COOKIE_MINE, strncmp(s->cfg.site_url, "https:", 6) == 0 ? "; Secure" : "");
	else {
		cmt_cookie_sign(&s->keys, COOKIE_MINE, payload.s, &signed_);
		out = bl_arena_printf(a, "%s=%s; Path=/; Max-Age=%d; HttpOnly; SameSite=Lax%s",
		    COOKIE_MINE, signed_.s, MINE_DAYS * 86400,
		    strncmp(s->cfg.site_url, "https:", 6) == 0 ? "; Secure" : "");
	}
	bl_buf_release(&payload);
	bl_buf_release(&signed_);
	return out;
}

/* The token an edit or delete form carries: only someone who could read
 * the page (and so holds the cookie) has it. */
static char *
edit_token(struct site *s, struct bl_arena *a, int64_t id, int64_t at)
{
	struct bl_buf b = BL_BUF_INIT, payload = BL_BUF_INIT;
	char *out;

	bl_buf_printf(&payload, "%lld-%lld", (long long)id, (long long)at);
	cmt_cookie_sign(&s->keys, "edit", payload.s, &b);
	out = bl_arena_strndup(a, b.s, b.len);
	bl_buf_release(&b);
	bl_buf_release(&payload);
	return out;
}

static int
can_edit(struct site *s, int64_t at)
{
	return (int64_t)time(NULL) - at < (int64_t)s->cfg.comments_edit_minutes * 60;
}

/* ------------------------------------------------------ the fragment */

int
comment_form_fresh(struct site *s, const struct http_req *req,
    const struct comment_form *f)
{
	int i;

	if (s->form_skel == NULL || req == NULL || f->skeleton || f->closed ||
	    f->edit_id || f->reply_to || f->summary || f->cookies)
		return 0;
	for (i = 0; i < CMT_F__MAX; i++)
		if (f->values[i] != NULL || f->errors[i] != NULL)
			return 0;
	/* Saved details or the reader's own comments change the form. */
	return http_req_cookie(req, COOKIE_AUTHOR) == NULL &&
	    http_req_cookie(req, COOKIE_EMAIL) == NULL &&
	    http_req_cookie(req, COOKIE_URL) == NULL &&
	    http_req_cookie(req, COOKIE_MINE) == NULL;
}

static void
set_comment_view(struct site *s, struct bl_arena *a, struct tpl_val *m,
    const struct st_comment *c)
{
	struct bl_buf body = BL_BUF_INIT;

	tpl_set_int(a, m, "id", c->id);
	tpl_set_text(a, m, "author", c->author);
	tpl_set_text(a, m, "time_iso", site_time_iso(a, c->created_at));
	tpl_set_text(a, m, "time_human", site_time_human(a, c->created_at));
	cmt_format(&body, c->body);
	tpl_set_html(a, m, "body", bl_arena_strndup(a, body.s, body.len));
	bl_buf_release(&body);
	(void)s;
}

int
site_comment_fragment(struct site *s, struct bl_arena *a,
    const struct http_req *req, const struct comment_form *f,
    const char **out, size_t *len)
{
	struct tpl_val *root, *form, *vals, *errs, *ch;
	struct cmt_challenge c;
	struct bl_buf buf;
	struct bl_err err;
	struct mine m;
	struct store *st = NULL;
	const char *cv;
	int64_t parent = 0;
	int nerr = 0;

	if (comment_form_fresh(s, req, f) &&
	    form_skel_fill(s, a, f->article_id, out, len, NULL) == 0)
		return 0;
	root = tpl_map(a);
	form = tpl_set_map(a, root, "form");
	if (f->skeleton)
		tpl_set_text(a, form, "article_id", FORM_SLOT_ARTICLE);
	else
		tpl_set_int(a, form, "article_id", f->article_id);
	tpl_set_text(a, form, "article_url", f->article_path);
	tpl_set_text(a, form, "action", f->edit_id ? bl_arena_printf(a,
	    "/comments/%lld/edit", (long long)f->edit_id) : "/comments/");
	tpl_set_int(a, form, "max_comment", s->cfg.comments_max_comment);
	tpl_set_int(a, form, "max_name", s->cfg.comments_max_name);
	tpl_set_int(a, form, "max_email", s->cfg.comments_max_email);
	tpl_set_int(a, form, "max_url", s->cfg.comments_max_url);
	if (f->closed) {
		tpl_set_bool(a, root, "closed", 1);
		goto render;
	}
	vals = tpl_set_map(a, root, "values");
	errs = tpl_set_map(a, root, "errors");
	for (int i = 0; i < CMT_F__MAX; i++) {
		/* What was typed comes back as typed, but as valid UTF-8. */
		if (f->values[i] && i != CMT_F_CAPTCHA)
			tpl_set_text(a, vals, field_names[i], bl_utf8_repair(a,
			    f->values[i], strlen(f->values[i])));
		if (f->errors[i]) {
			tpl_set_text(a, errs, field_names[i], f->errors[i]);
			nerr++;
		}
	}
	/* Saved details prefill a fresh form (never a refused one). */
	if (f->values[CMT_F_AUTHOR] == NULL && f->edit_id == 0 &&
	    !f->skeleton && req != NULL) {
		if ((cv = http_req_cookie(req, COOKIE_AUTHOR)) != NULL)
			tpl_set_text(a, vals, "author", unescape(a, cv));
		if ((cv = http_req_cookie(req, COOKIE_EMAIL)) != NULL)
			tpl_set_text(a, vals, "email", unescape(a, cv));
		if ((cv = http_req_cookie(req, COOKIE_URL)) != NULL)
			tpl_set_text(a, vals, "url", unescape(a, cv));
		if (http_req_cookie(req, COOKIE_AUTHOR) != NULL)
			tpl_set_bool(a, vals, "cookies", 1);
	} else
		tpl_set_bool(a, vals, "cookies", f->cookies);
	if (f->summary || nerr) {
		tpl_set_text(a, root, "summary", f->summary ? f->summary :
		    nerr == 1 ? "Your comment was not posted: please correct the field marked below." :
		    "Your comment was not posted: please correct the fields marked below.");
	}
	if (f->edit_id) {
		struct tpl_val *e = tpl_set_map(a, root, "edit");
		struct mine mm;
		int64_t at = 0;

		mine_read(s, req, &mm);
		mine_has(&mm, f->edit_id, &at);
		tpl_set_int(a, e, "id", f->edit_id);
		tpl_set_text(a, e, "token", edit_token(s, a, f->edit_id, at));
		goto render;
	}
	ch = tpl_set_map(a, root, "challenge");
	if (f->skeleton) {
		tpl_set_text(a, ch, "question", FORM_SLOT_QUESTION);
		tpl_set_text(a, ch, "token", FORM_SLOT_TOKEN);
	} else {
		cmt_captcha_new(&s->keys, f->article_id, (int64_t)time(NULL),
		    s->cfg.comments_captcha_ttl, &c);
		tpl_set_text(a, ch, "question", c.question);
		tpl_set_text(a, ch, "token", c.token);
	}

	/* Replying: the parent's author, if it is an approved comment here. */
	if (f->reply_to > 0) {
		struct st_comment *pc;

		if (st == NULL)
			st = site_store(s, &err);
		if (st && store_comment_get(st, a, f->reply_to, &pc, &err) == 0 &&
		    pc->article_id == f->article_id && pc->status == STC_APPROVED) {
			struct tpl_val *r = tpl_set_map(a, root, "reply_to");
			tpl_set_int(a, r, "id", pc->id);
			tpl_set_text(a, r, "name", pc->author);
			parent = pc->id;
		}
	}
	tpl_set_int(a, root, "parent", parent);

	/* The reader's own recent comments: pending ones shown only to them,
	 * editable ones with Edit and Delete. */
	if (f->skeleton || req == NULL)
		m.n = 0;
	else
		mine_read(s, req, &m);
	if (m.n) {
		struct tpl_val *list = tpl_set_list(a, root, "mine");

		if (st == NULL)
			st = site_store(s, &err);
		for (size_t i = 0; st && i < m.n; i++) {
			struct st_comment *mc;
			struct tpl_val *it;
			int editable, pending, unseen;

			if (store_comment_get(st, a, m.id[i], &mc, &err) != 0 ||
			    mc->article_id != f->article_id)
				continue;
			editable = can_edit(s, m.at[i]);
			pending = mc->status != STC_APPROVED;
			/* Just posted and approved, but the page in hand was
			 * built before it (a burst of comments, http/cache.h):
			 * shown here, under the id the redirect names. */
			unseen = !pending && f->page_known &&
			    mc->id > f->page_newest &&
			    (int64_t)time(NULL) - mc->created_at < MINE_UNSEEN_SECONDS;
			if (!editable && !pending && !unseen)
				continue;
			it = tpl_list_add_map(a, list);
			set_comment_view(s, a, it, mc);
			tpl_set_bool(a, it, "pending", pending);
			tpl_set_bool(a, it, "editable", editable);
			/* The element the redirect's #comment-ID finds when the
			 * page's own list does not hold the comment. */
			tpl_set_bool(a, it, "anchor", pending || unseen);
			if (editable) {
				tpl_set_text(a, it, "edit_url", bl_arena_printf(a,
				    "/comments/%lld/edit", (long long)mc->id));
				tpl_set_text(a, it, "delete_url", bl_arena_printf(a,
				    "/comments/%lld/delete", (long long)mc->id));
				tpl_set_text(a, it, "token", edit_token(s, a, mc->id, m.at[i]));
				tpl_set_int(a, it, "minutes_left", 1 +
				    ((int64_t)s->cfg.comments_edit_minutes * 60 -
				    ((int64_t)time(NULL) - m.at[i])) / 60);
			}
		}
	}
render:
	if (st)
		site_store_put(s, st);
	bl_buf_init(&buf, 1024 * 1024);
	if (tpl_render(s->tpl, "comment-form", root, &buf, &err) < 0) {
		bl_buf_release(&buf);
		fprintf(stderr, "byline: comment form: %s\n", err.msg);
		return -1;
	}
	*out = bl_arena_strndup(a, buf.s, buf.len);
	*len = buf.len;
	bl_buf_release(&buf);
	return 0;
}

/* Drops this server's cached pages of an article it has just changed, so
 * the reader who made the change sees it on the very next request (the
 * watcher does the same a moment later, for every other process). A new
 * approved comment is a `soft` change: under a burst other readers may see
 * it up to cache.comment_refresh_ms late (http/cache.h), while its author
 * sees it at once through the fragment (site_comment_fragment). */
static void
site_changed(struct site *s, int64_t article_id, int soft)
{
	char key[48];

	snprintf(key, sizeof(key), "article:%lld", (long long)article_id);
	if (soft)
		page_cache_invalidate_soft(s->cache, key);
	else
		page_cache_invalidate(s->cache, key);
}

/* --------------------------------------------------------- responses */

static void
add_header(struct http_result *res, const char *name, const char *value)
{
	if (res->nheaders < sizeof(res->headers) / sizeof(res->headers[0])) {
		res->headers[res->nheaders].name = name;
		res->headers[res->nheaders].value = value;
		res->nheaders++;
	}
}

static struct page *
plain_page(int status, const char *title, const char *text)
{
	struct bl_buf b = BL_BUF_INIT;

	bl_buf_puts(&b, "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
	    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
	    "<link rel=\"stylesheet\" href=\"/static/site.css\"><title>");
	html_puts(&b, title);
	bl_buf_puts(&b, "</title></head><body><main class=\"plain-message\"><h1>");
	html_puts(&b, title);
	bl_buf_puts(&b, "</h1><p>");
	html_puts(&b, text);
	bl_buf_puts(&b, "</p><p><a href=\"/\">Back to the front page</a></p></main></body></html>\n");
	return page_new(status, HTML_TYPE, "no-store", &b, 0);
}

/* Answers with the article page and the form in `f` spliced in. */
static void
form_response(struct site *s, const struct http_req *req, struct http_result *res,
    int status, const struct comment_form *f)
{
	struct bl_arena *a = http_req_arena(req);
	struct bl_err err;
	struct page *p = site_article_page(s, f->article_path, &err);
	struct comment_form on = *f;
	const char *frag;
	size_t len;

	if (p == NULL) {
		res->page = plain_page(status, "Your comment was not posted",
		    f->summary ? f->summary : "Please go back and try again.");
		return;
	}
	/* The reader's own comments the page lacks go in the form's list. */
	on.page_known = 1;
	on.page_newest = p->meta[2];
	if (site_comment_fragment(s, a, req, &on, &frag, &len) < 0) {
		page_unref(p);
		res->page = plain_page(500, "Something went wrong",
		    "Your comment could not be shown. Please try again.");
		return;
	}
	res->page = p;
	res->status = status;
	res->fragment = frag;
	res->fragment_len = len;
	res->cache_control = "no-store";
}

static void
redirect(struct http_result *res, const char *location)
{
	res->page = page_redirect(303, location);
	res->cache_control = "no-store";
}

static void
method_not_allowed(struct http_result *res, const char *allow)
{
	res->page = plain_page(405, "Method not allowed",
	    "This address does not take that kind of request.");
	add_header(res, "Allow", allow);
}

/* Set-Cookie values for the "save my details" cookies: set when ticked;
 * when not, those the browser still has are removed, and nothing else is
 * set. */
static void
details_cookies(struct site *s, const struct http_req *req, struct bl_arena *a,
    struct http_result *res, const struct cmt_clean *c, int save)
{
	const char *secure = strncmp(s->cfg.site_url, "https:", 6) == 0 ? "; Secure" : "";
	const char *names[3] = { COOKIE_AUTHOR, COOKIE_EMAIL, COOKIE_URL };
	const char *vals[3] = { c->author, c->email, c->url };

	for (int i = 0; i < 3; i++) {
		struct bl_buf enc = BL_BUF_INIT;

		if (save && vals[i] && *vals[i]) {
			html_url_component(&enc, vals[i], strlen(vals[i]));
			add_header(res, "Set-Cookie", bl_arena_printf(a,
			    "%s=%s; Path=/; Max-Age=%ld; HttpOnly; SameSite=Lax%s",
			    names[i], enc.s, SAVE_SECONDS, secure));
		} else if (!save && http_req_cookie(req, names[i]) != NULL)
			add_header(res, "Set-Cookie", bl_arena_printf(a,
			    "%s=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax%s", names[i], secure));
		bl_buf_release(&enc);
	}
}

/* --------------------------------------------------------- posting */

/* Byte lengths of the posted fields, so a NUL inside one is seen. */
static void
form_lengths(const struct http_req *req, size_t len[CMT_F__MAX])
{
	for (int i = 0; i < CMT_F__MAX; i++)
		len[i] = http_req_form_len(req, field_names[i]);
}

static void
form_from_request(const struct http_req *req, struct comment_form *f)
{
	for (int i = 0; i < CMT_F__MAX; i++)
		f->values[i] = http_req_form(req, field_names[i]);
	f->cookies = http_req_form(req, "cookies") != NULL &&
	    strcmp(http_req_form(req, "cookies"), "yes") == 0;
}

/*
 * The database cannot be reached: 503 with Retry-After and the form back
 * as the reader filled it, in the article page when it can be had without
 * the database (cached), else on a page of its own, so nothing typed is
 * lost. `f->article_path` may be NULL (the article could not be read):
 * the Referer then names the page, if it is the article's cached page.
 */
static void
unavailable_response(struct site *s, const struct http_req *req,
    struct http_result *res, struct comment_form *f)
{
	struct bl_arena *a = http_req_arena(req);
	struct bl_buf b = BL_BUF_INIT;
	struct page *p = NULL;
	const char *frag, *ref, *path;
	size_t len;

	f->summary = "Your comment could not be saved just now: the site is "
	    "busy or down for a moment. Please send it again in a minute; "
	    "what you wrote is below.";
	if (f->article_path == NULL &&
	    (ref = http_req_header(req, "Referer")) != NULL &&
	    (path = strstr(ref, "://")) != NULL &&
	    (path = strchr(path + 3, '/')) != NULL &&
	    site_is_article_path(path, strcspn(path, "?#"))) {
		path = bl_arena_strndup(a, path, strcspn(path, "?#"));
		p = page_cache_get(s->cache, path);
		if (p != NULL && p->meta[0] == f->article_id)
			f->article_path = path;
	}
	if (p == NULL && f->article_path != NULL)
		p = page_cache_get(s->cache, f->article_path);
	if (p != NULL && (p->splice_at < 0 || p->meta[0] != f->article_id)) {
		page_unref(p);
		p = NULL;
	}
	add_header(res, "Retry-After", "5");
	if (f->article_path == NULL)
		f->article_path = "/";
	if (site_comment_fragment(s, a, req, f, &frag, &len) < 0) {
		if (p != NULL)
			page_unref(p);
		res->page = plain_page(503, "Service unavailable",
		    "Comments cannot be posted just now. Please try again in a moment.");
		return;
	}
	res->status = 503;
	res->cache_control = "no-store";
	if (p != NULL) {
		res->page = p;
		res->fragment = frag;
		res->fragment_len = len;
		return;
	}
	bl_buf_puts(&b, "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
	    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
	    "<link rel=\"stylesheet\" href=\"/static/site.css\">"
	    "<title>Your comment was not posted</title></head><body>"
	    "<main class=\"plain-message\"><h1>Your comment was not posted</h1>");
	bl_buf_add(&b, frag, len);
	bl_buf_puts(&b, "<p><a href=\"/\">Back to the front page</a></p></main></body></html>\n");
	res->page = page_new(503, HTML_TYPE, "no-store", &b, 0);
	bl_buf_release(&b);
}

/* A store failure while posting: 503 with Retry-After and the form back
 * when the database is unreachable, else 500 with the form back. */
static void
post_failed(struct site *s, const struct http_req *req,
    struct http_result *res, struct comment_form *f, const struct bl_err *err)
{
	fprintf(stderr, "byline: comment: %s\n", err->msg);
	if (err->unavailable) {
		unavailable_response(s, req, res, f);
		return;
	}
	f->summary = "Your comment could not be saved just now. Please try again.";
	form_response(s, req, res, 500, f);
}

/* POST /comments/: the "Leave a Reply" form. */
static void
comment_post(struct site *s, const struct http_req *req, struct http_result *res)
{
	struct bl_arena *a = http_req_arena(req);
	struct comment_form f;
	struct cmt_input in;
	struct cmt_clean clean;
	struct cmt_limits lim;
	char *apath = NULL;
	struct comment_write w;
	struct bl_err err;
	struct store *st;
	struct mine m;
	struct st_comment *cs;
	unsigned char nonce[CMT_NONCE_BYTES];
	int64_t expires = 0, now = (int64_t)time(NULL), article, published = 0;
	enum cmt_captcha cr;
	int nerr, rc;
	const char *ip, *shown = NULL;
	size_t ncs;

	memset(&f, 0, sizeof(f));
	memset(&err, 0, sizeof(err));
	article = parse_id(http_req_form(req, "article"));
	if (article <= 0 && http_req_body_too_large(req)) {
		res->page = plain_page(413, "Your comment was not posted",
		    "Your comment is too long to send.");
		return;
	}
	if (article <= 0) {
		res->page = plain_page(400, "Your comment was not posted",
		    "The form was incomplete. Please go back to the article and try again.");
		return;
	}
	f.article_id = article;
	form_from_request(req, &f);
	f.reply_to = parse_id(http_req_form(req, "parent"));
	if (f.reply_to < 0)
		f.reply_to = 0;
	st = site_store(s, &err);
	if (st == NULL) {
		if (err.unavailable) {
			fprintf(stderr, "byline: comment: %s\n", err.msg);
			unavailable_response(s, req, res, &f);
		} else
			res->page = plain_page(503, "Service unavailable",
			    "Comments cannot be posted just now. Please try again in a moment.");
		return;
	}
	/* Only what posting needs of the article (not its body, photos
	 * or tags). */
	rc = store_comment_target(st, a, article, &apath, &published, &err);
	if (rc != 0) {
		site_store_put(s, st);
		if (rc < 0 && err.unavailable) {
			fprintf(stderr, "byline: comment: %s\n", err.msg);
			unavailable_response(s, req, res, &f);
			return;
		}
		res->page = rc < 0 ? plain_page(500, "Something went wrong", "Please try again.") :
		    plain_page(404, "Article not found", "There is no such article to comment on.");
		return;
	}
	f.article_path = apath;

	if (http_req_body_too_large(req)) {
		site_store_put(s, st);
		f.summary = "Your comment is too long to send.";
		f.errors[CMT_F_COMMENT] = "Your comment is too long to send.";
		form_response(s, req, res, 413, &f);
		return;
	}
	if (site_comments_closed(s, published)) {
		site_store_put(s, st);
		f.closed = 1;
		f.summary = "Comments are closed.";
		form_response(s, req, res, 403, &f);
		return;
	}

	/* The challenge: spent on first use, right or wrong (below, by the
	 * writer, with the comment when there is one). */
	cr = cmt_captcha_check(&s->keys, http_req_form(req, "token"),
	    http_req_form(req, "captcha"), article, now, s->cfg.comments_min_seconds,
	    nonce, &expires);

	in.comment = f.values[CMT_F_COMMENT];
	in.author = f.values[CMT_F_AUTHOR];
	in.email = f.values[CMT_F_EMAIL];
	in.url = f.values[CMT_F_URL];
	in.honeypot = f.values[CMT_F_HONEYPOT];
	lim.name = (size_t)s->cfg.comments_max_name;
	lim.email = (size_t)s->cfg.comments_max_email;
	lim.url = (size_t)s->cfg.comments_max_url;
	lim.comment = (size_t)s->cfg.comments_max_comment;
	{
		const char *msgs[CMT_F__MAX] = { 0 };
		size_t len[CMT_F__MAX];

		form_lengths(req, len);
		nerr = cmt_validate_n(&in, len, &lim, a, &clean, msgs);
		for (int i = 0; i < CMT_F__MAX; i++)
			if (msgs[i] && i != CMT_F_CAPTCHA)
				f.errors[i] = msgs[i];
	}

	memset(&w, 0, sizeof(w));
	if (cr != CMT_CAPTCHA_INVALID) {
		w.spend = 1;
		w.expires = expires;
		sodium_bin2hex(w.nonce_hex, sizeof(w.nonce_hex), nonce,
		    sizeof(nonce));
	}
	if (nerr > 0 || cr != CMT_CAPTCHA_OK) {
		/* Refused: only the nonce is spent. */
		if (w.spend) {
			site_comment_write(s, st, &w);
			if (w.result == CW_FAILED) {
				site_store_put(s, st);
				post_failed(s, req, res, &f, &w.err);
				return;
			}
		}
		site_store_put(s, st);
		f.errors[CMT_F_CAPTCHA] = w.result == CW_REPLAY ?
		    CMT_CAPTCHA_USED_MESSAGE : cmt_captcha_message(cr);
		form_response(s, req, res, 422, &f);
		return;
	}

	/* Replies nest to thread_depth; a reply to something that is not an
	 * approved comment of this article becomes a top-level comment. */
	if (f.reply_to > 0) {
		struct st_comment *pc;
		int depth = 1;
		int64_t up;

		if (store_comment_get(st, a, f.reply_to, &pc, &err) != 0 ||
		    pc->article_id != article || pc->status != STC_APPROVED)
			f.reply_to = 0;
		else {
			up = pc->parent_id;
			while (up > 0 && depth < 64 && store_comment_get(st, a, up, &pc, &err) == 0) {
				depth++;
				up = pc->parent_id;
			}
			if (depth >= s->cfg.comments_thread_depth)
				f.reply_to = 0;
		}
	}

	ip = client_ip(s, a, req);
	w.post = 1;
	w.flood_seconds = s->cfg.comments_flood_seconds;
	w.c.article_id = article;
	w.c.parent_id = f.reply_to;
	w.c.author = clean.author;
	w.c.email = clean.email;
	w.c.url = clean.url;
	w.c.body = clean.comment;
	w.c.ip = (char *)ip;
	w.c.created_at = now;
	w.clean = &clean;
	w.user_agent = http_req_header(req, "User-Agent");
	/* Returns once the comment is committed (or refused, or failed). */
	site_comment_write(s, st, &w);
	/* A reply lands on the page of comments showing its thread, which
	 * may be an older one than the article's own URL shows. */
	if (w.result == CW_OK && w.c.status == STC_APPROVED &&
	    w.c.parent_id > 0 && s->cfg.comments_per_page > 0 &&
	    (store_comment_list(st, a, article, &cs, &ncs, &err) < 0 ||
	    site_comment_url(s, a, apath, cs, ncs, w.id, &shown) != 0))
		shown = NULL;
	site_store_put(s, st);
	switch (w.result) {
	case CW_OK:
		break;
	case CW_REPLAY:
		f.errors[CMT_F_CAPTCHA] = CMT_CAPTCHA_USED_MESSAGE;
		form_response(s, req, res, 422, &f);
		return;
	case CW_FLOOD:
		f.summary = "You are posting comments too quickly. Please wait a moment and try again.";
		form_response(s, req, res, 429, &f);
		add_header(res, "Retry-After", bl_arena_printf(a, "%lld",
		    (long long)w.retry_after));
		return;
	case CW_DUPLICATE:
		f.summary = "Duplicate comment detected; it looks as though you've already said that!";
		form_response(s, req, res, 409, &f);
		return;
	case CW_FAILED:
	default:
		post_failed(s, req, res, &f, &w.err);
		return;
	}
	/* A held comment changes no page anyone else sees (its author sees
	 * it through the per-view form): the cached article stays. */
	if (w.c.status == STC_APPROVED)
		site_changed(s, article, 1);
	else
		fprintf(stderr, "byline: comment %lld held (%s)\n", (long long)w.id,
		    w.why ? w.why : w.c.status == STC_SPAM ? "spam" : "moderation");

	mine_read(s, req, &m);
	add_header(res, "Set-Cookie", mine_cookie(s, a, &m, w.id, now, 0));
	details_cookies(s, req, a, res, &clean, f.cookies);
	redirect(res, shown != NULL ? shown :
	    bl_arena_printf(a, "%s#comment-%lld", apath, (long long)w.id));
}

/* ------------------------------------------------- editing, deleting */

/* Finds comment `id` and checks that the request proves its authorship
 * within the edit window (and, for POSTs, carries the edit token). */
static int
owned_comment(struct site *s, const struct http_req *req, struct bl_arena *a,
    int64_t id, int check_token, struct st_comment **out)
{
	struct store *st;
	struct bl_err err;
	struct mine m;
	int64_t at;
	int rc;

	mine_read(s, req, &m);
	if (!mine_has(&m, id, &at) || !can_edit(s, at))
		return 403;
	if (check_token) {
		const char *tok = http_req_form(req, "token");
		char *want = edit_token(s, a, id, at);

		if (tok == NULL || strlen(tok) != strlen(want) ||
		    sodium_memcmp(tok, want, strlen(want)) != 0)
			return 403;
	}
	st = site_store(s, &err);
	if (st == NULL)
		return 503;
	rc = store_comment_get(st, a, id, out, &err);
	site_store_put(s, st);
	return rc == 0 ? 0 : rc > 0 ? 404 : 500;
}

static void
refuse(struct http_result *res, int status)
{
	res->page = status == 403 ?
	    plain_page(403, "You cannot change this comment",
		"Only its author can edit or delete a comment, and only for a short time after posting it.") :
	    status == 404 ? plain_page(404, "Comment not found", "There is no such comment.") :
	    plain_page(status, "Something went wrong", "Please try again in a moment.");
}

static void
comment_edit(struct site *s, const struct http_req *req, struct http_result *res,
    int64_t id)
{
	struct bl_arena *a = http_req_arena(req);
	struct st_comment *c;
	struct comment_form f;
	int post = strcmp(http_req_method(req), "POST") == 0, rc;

	rc = owned_comment(s, req, a, id, post, &c);
	if (rc != 0) {
		refuse(res, rc);
		return;
	}
	memset(&f, 0, sizeof(f));
	f.article_id = c->article_id;
	f.article_path = c->article_path;
	f.edit_id = id;
	if (!post) {
		f.values[CMT_F_COMMENT] = c->body;
		f.values[CMT_F_AUTHOR] = c->author;
		f.values[CMT_F_EMAIL] = c->email;
		f.values[CMT_F_URL] = c->url;
		form_response(s, req, res, 200, &f);
		return;
	}
	{
		struct cmt_input in;
		struct cmt_clean clean;
		struct cmt_limits lim;
		const char *msgs[CMT_F__MAX] = { 0 }, *why;
		struct bl_err err;
		struct store *st;
		enum st_comment_status status;
		int yes = 0;

		form_from_request(req, &f);
		/* The email is not editable: the one given when posting counts. */
		f.values[CMT_F_EMAIL] = c->email;
		in.comment = f.values[CMT_F_COMMENT];
		in.author = f.values[CMT_F_AUTHOR];
		in.email = c->email;
		in.url = f.values[CMT_F_URL];
		in.honeypot = f.values[CMT_F_HONEYPOT];
		lim.name = (size_t)s->cfg.comments_max_name;
		lim.email = (size_t)s->cfg.comments_max_email;
		lim.url = (size_t)s->cfg.comments_max_url;
		lim.comment = (size_t)s->cfg.comments_max_comment;
		if (http_req_body_too_large(req)) {
			f.errors[CMT_F_COMMENT] = "Your comment is too long to send.";
			form_response(s, req, res, 413, &f);
			return;
		}
		size_t len[CMT_F__MAX];

		form_lengths(req, len);
		len[CMT_F_EMAIL] = 0;    /* the stored email, not a posted one */
		if (cmt_validate_n(&in, len, &lim, a, &clean, msgs) > 0) {
			for (int i = 0; i < CMT_F__MAX; i++)
				f.errors[i] = msgs[i];
			form_response(s, req, res, 422, &f);
			return;
		}
		st = site_store(s, &err);
		if (st == NULL) {
			refuse(res, 503);
			return;
		}
		if (s->policy.moderation == CMT_MOD_FIRST_TIME &&
		    store_comment_email_approved(st, clean.email, &yes, &err) < 0)
			yes = 0;
		/* An approved comment stays approved unless the edit trips a rule. */
		if (c->status == STC_APPROVED)
			yes = 1;
		status = cmt_moderate(&s->policy, &clean, c->ip,
		    http_req_header(req, "User-Agent"), yes, &why);
		rc = store_comment_update(st, id, clean.author, clean.url,
		    clean.comment, status, &err);
		site_store_put(s, st);
		site_changed(s, c->article_id, 0);
		if (rc != 0) {
			refuse(res, rc > 0 ? 404 : 500);
			return;
		}
		redirect(res, bl_arena_printf(a, "%s#comment-%lld", c->article_path, (long long)id));
	}
}

static void
comment_delete(struct site *s, const struct http_req *req, struct http_result *res,
    int64_t id)
{
	struct bl_arena *a = http_req_arena(req);
	struct st_comment *c;
	struct bl_err err;
	struct store *st;
	struct mine m;
	int rc;

	rc = owned_comment(s, req, a, id, 1, &c);
	if (rc != 0) {
		refuse(res, rc);
		return;
	}
	st = site_store(s, &err);
	if (st == NULL) {
		refuse(res, 503);
		return;
	}
	rc = store_comment_delete(st, id, &err);
	site_store_put(s, st);
	site_changed(s, c->article_id, 0);
	if (rc != 0) {
		refuse(res, rc > 0 ? 404 : 500);
		return;
	}
	mine_read(s, req, &m);
	add_header(res, "Set-Cookie", mine_cookie(s, a, &m, id, 0, 1));
	redirect(res, bl_arena_printf(a, "%s#comments", c->article_path));
}

/* ------------------------------------------------------ API, avatars */

/* GET /api/articles/ID/comments: approved comments as JSON, cached. */
/*
 * For a GET answered from the page cache under `key` when it can be:
 * returns 1 with res->page the cached page; otherwise takes a cache
 * ticket and a store connection (the caller puts it back) and returns 0,
 * or -1 with a 503 in `res` when there is no database.
 */
static int
cached_or_store(struct site *s, const char *key, struct http_result *res,
    uint64_t *ticket, struct store **st, struct bl_err *err)
{
	if ((res->page = page_cache_get(s->cache, key)) != NULL)
		return 1;
	*ticket = page_cache_ticket(s->cache);
	if ((*st = site_store(s, err)) == NULL) {
		refuse(res, 503);
		return -1;
	}
	return 0;
}

/*
 * GET /comments/ID/: the comment's permalink, a 302 to the page of
 * comments that shows it (site_comment_url). Pages of comments keep their
 * threads, but the newest is the article's own URL and becomes a numbered
 * page when a newer one starts, so links made elsewhere (feeds, replies,
 * the API) go through here. A comment that is not approved is not found.
 */
static void
comment_permalink(struct site *s, const struct http_req *req,
    struct http_result *res, int64_t id)
{
	struct bl_arena *a = http_req_arena(req);
	const char *key = http_req_path(req);
	struct st_comment *c, *cs;
	struct bl_err err;
	struct store *st;
	struct page *p;
	const char *url;
	char *path;
	uint64_t ticket;
	int64_t published;
	size_t n;
	int rc;

	/* Cached with the article's pages: it reads all of the article's
	 * comments, and changes only when they do. */
	if ((rc = cached_or_store(s, key, res, &ticket, &st, &err)) != 0) {
		if (rc > 0)
			res->cache_control = "no-cache";
		return;
	}
	/* Only an approved comment on a published article has a page. */
	rc = store_comment_get(st, a, id, &c, &err);
	if (rc == 0 && c->status != STC_APPROVED)
		rc = 1;
	if (rc == 0)
		rc = store_comment_target(st, a, c->article_id, &path,
		    &published, &err);
	if (rc == 0)
		rc = store_comment_list(st, a, c->article_id, &cs, &n, &err);
	site_store_put(s, st);
	if (rc == 0 && site_comment_url(s, a, path, cs, n, id, &url) != 0)
		rc = 1;
	if (rc != 0) {
		refuse(res, rc > 0 ? 404 : 503);
		return;
	}
	p = page_redirect(302, url);
	page_add_dep(p, bl_arena_printf(a, "article:%lld",
	    (long long)c->article_id));
	page_cache_put(s->cache, key, p, ticket);
	res->page = p;
	res->cache_control = "no-cache";
}

static void
comments_api(struct site *s, const struct http_req *req, struct http_result *res,
    int64_t id)
{
	struct bl_arena *a = http_req_arena(req);
	const char *key = http_req_path(req);
	struct st_article *ar;
	struct st_comment *cs;
	struct bl_err err;
	struct store *st;
	struct bl_buf body = BL_BUF_INIT;
	json_t *root, *list, *art;
	size_t n;
	uint64_t ticket;
	char *dump;
	struct page *p;

	if (cached_or_store(s, key, res, &ticket, &st, &err) != 0)
		return;
	if (store_article_get(st, a, id, 0, &ar, &err) != 0 ||
	    store_comment_list(st, a, id, &cs, &n, &err) < 0) {
		site_store_put(s, st);
		bl_buf_puts(&body, "{\"error\":\"no such article\"}\n");
		res->page = page_new(404, "application/json; charset=utf-8", "no-store", &body, 0);
		return;
	}
	site_store_put(s, st);
	root = json_object();
	art = json_object();
	json_object_set_new(art, "id", json_integer(ar->id));
	json_object_set_new(art, "url", json_string(bl_arena_printf(a, "%s%s",
	    s->cfg.site_url, ar->path)));
	json_object_set_new(art, "title", json_string(ar->title));
	json_object_set_new(root, "article", art);
	list = json_array();
	for (size_t i = 0; i < n; i++) {
		json_t *c = json_object();
		struct bl_buf html = BL_BUF_INIT;
		char av[33];

		cmt_format(&html, cs[i].body);
		cmt_avatar_id(&s->keys, cs[i].email, av);
		json_object_set_new(c, "id", json_integer(cs[i].id));
		json_object_set_new(c, "parent", json_integer(cs[i].parent_id));
		json_object_set_new(c, "author", json_string(cs[i].author));
		json_object_set_new(c, "url", json_string(cs[i].url));
		json_object_set_new(c, "date", json_string(site_time_iso(a, cs[i].created_at)));
		json_object_set_new(c, "text", json_string(cs[i].body));
		json_object_set_new(c, "html", json_string(html.s));
		json_object_set_new(c, "avatar", json_string(bl_arena_printf(a, "/avatar/%s.svg", av)));
		json_array_append_new(list, c);
		bl_buf_release(&html);
	}
	json_object_set_new(root, "comments", list);
	dump = json_dumps(root, JSON_COMPACT | JSON_ENSURE_ASCII);
	json_decref(root);
	bl_buf_puts(&body, dump ? dump : "{}");
	bl_buf_putc(&body, '\n');
	free(dump);
	p = page_new(200, "application/json; charset=utf-8",
	    "public, max-age=60", &body, 1);
	page_add_dep(p, bl_arena_printf(a, "article:%lld", (long long)id));
	page_cache_put(s->cache, key, p, ticket);
	res->page = p;
}

static void
avatar(const struct http_req *req, struct http_result *res, const char *rest)
{
	struct bl_buf body = BL_BUF_INIT;
	char id[33];

	if (strlen(rest) != 36 || strcmp(rest + 32, ".svg") != 0) {
		refuse(res, 404);
		return;
	}
	memcpy(id, rest, 32);
	id[32] = '\0';
	if (cmt_avatar_svg(id, &body) < 0) {
		bl_buf_release(&body);
		refuse(res, 404);
		return;
	}
	res->page = page_new(200, "image/svg+xml", "public, max-age=31536000, immutable",
	    &body, 1);
	(void)req;
}

/*
 * A POST whose Origin header names another site is refused: the forms'
 * own tokens already make forgery useless, this closes the door earlier.
 * Browsers send Origin on every POST; a missing one (old clients, curl)
 * is allowed, since the tokens still hold.
 */
static int
same_origin(struct site *s, const struct http_req *req)
{
	const char *origin = http_req_header(req, "Origin"), *host;

	if (origin == NULL || *origin == '\0')
		return 1;
	if (strcmp(origin, s->cfg.site_url) == 0)
		return 1;
	host = http_req_header(req, "Host");
	if (host == NULL)
		return 0;
	if (strncmp(origin, "http://", 7) == 0 && strcmp(origin + 7, host) == 0)
		return 1;
	if (strncmp(origin, "https://", 8) == 0 && strcmp(origin + 8, host) == 0)
		return 1;
	return 0;
}

/* ------------------------------------------------------------ routes */

int
site_comment_route(struct site *s, const struct http_req *req,
    struct http_result *res)
{
	const char *path = http_req_path(req), *method = http_req_method(req);
	int post = strcmp(method, "POST") == 0;

	/* The comments feeds belong to site_feed_route. */
	if (strncmp(path, "/comments/feed", 14) == 0 &&
	    (path[14] == '\0' || path[14] == '/'))
		return 0;
	if (post && strncmp(path, "/comments", 9) == 0 && !same_origin(s, req)) {
		res->page = plain_page(403, "Your comment was not posted",
		    "The form was sent from another site.");
		return 1;
	}

	if (strncmp(path, "/avatar/", 8) == 0) {
		if (post)
			method_not_allowed(res, "GET, HEAD");
		else
			avatar(req, res, path + 8);
		return 1;
	}
	if (strncmp(path, "/api/articles/", 14) == 0) {
		const char *p = path + 14;
		char *end;
		long long id = strtoll(p, &end, 10);

		if (!isdigit((unsigned char)*p) || strcmp(end, "/comments") != 0 || id <= 0) {
			refuse(res, 404);
			return 1;
		}
		if (post)
			method_not_allowed(res, "GET, HEAD");
		else
			comments_api(s, req, res, id);
		return 1;
	}
	if (strcmp(path, "/comments/") == 0 || strcmp(path, "/comments") == 0) {
		if (!post)
			method_not_allowed(res, "POST");
		else
			comment_post(s, req, res);
		return 1;
	}
	if (strncmp(path, "/comments/", 10) == 0) {
		const char *p = path + 10;
		char *end;
		long long id = strtoll(p, &end, 10);

		if (!isdigit((unsigned char)*p) || id <= 0) {
			refuse(res, 404);
			return 1;
		}
		if (*end == '\0' || strcmp(end, "/") == 0) {
			if (post)
				method_not_allowed(res, "GET, HEAD");
			else
				comment_permalink(s, req, res, id);
		} else if (strcmp(end, "/edit") == 0)
			comment_edit(s, req, res, id);
		else if (strcmp(end, "/delete") == 0) {
			if (!post)
				method_not_allowed(res, "POST");
			else
				comment_delete(s, req, res, id);
		} else
			refuse(res, 404);
		return 1;
	}
	return 0;
}
