/* Unit tests for src/comments/moderate.c. */
#include <criterion/criterion.h>
#include <string.h>

#include "comments/comments.h"

static struct cmt_clean
comment(void)
{
	return (struct cmt_clean){
		.comment = (char *)"A thoughtful reply.",
		.author = (char *)"Zoë",
		.email = (char *)"zoe@example.org",
		.url = (char *)"",
	};
}

static struct cmt_policy
policy(enum cmt_moderation m)
{
	return (struct cmt_policy){ .moderation = m, .max_links = 2 };
}

static enum st_comment_status
mod(const struct cmt_policy *p, const struct cmt_clean *c, int prev)
{
	const char *why = NULL;
	enum st_comment_status st;

	st = cmt_moderate(p, c, "192.0.2.7", "Mozilla/5.0 (X11)", prev, &why);
	cr_assert_not_null(why);
	return st;
}

Test(moderate, parses_the_setting)
{
	cr_assert_eq(cmt_moderation_parse("first-time"), CMT_MOD_FIRST_TIME);
	cr_assert_eq(cmt_moderation_parse("all"), CMT_MOD_ALL);
	cr_assert_eq(cmt_moderation_parse("none"), CMT_MOD_NONE);
	cr_assert_eq(cmt_moderation_parse("some"), -1);
	cr_assert_eq(cmt_moderation_parse(""), -1);
	cr_assert_eq(cmt_moderation_parse(NULL), -1);
}

Test(moderate, first_time_holds_new_commenters_only)
{
	struct cmt_policy p = policy(CMT_MOD_FIRST_TIME);
	struct cmt_clean c = comment();

	cr_assert_eq(mod(&p, &c, 0), STC_PENDING);
	cr_assert_eq(mod(&p, &c, 1), STC_APPROVED);
}

Test(moderate, all_holds_everything)
{
	struct cmt_policy p = policy(CMT_MOD_ALL);
	struct cmt_clean c = comment();

	cr_assert_eq(mod(&p, &c, 1), STC_PENDING);
	cr_assert_eq(mod(&p, &c, 0), STC_PENDING);
}

Test(moderate, none_approves)
{
	struct cmt_policy p = policy(CMT_MOD_NONE);
	struct cmt_clean c = comment();

	cr_assert_eq(mod(&p, &c, 0), STC_APPROVED);
}

Test(moderate, counts_links)
{
	cr_assert_eq(cmt_count_links("no links here"), 0);
	cr_assert_eq(cmt_count_links("see http://a.example and HTTPS://b.example"), 2);
	cr_assert_eq(cmt_count_links("www.a.example, WWW.b.example"), 2);
	cr_assert_eq(cmt_count_links("<a href=x>y</a> <A title=z>"), 2);
	cr_assert_eq(cmt_count_links("https://www.example.org/ once"), 1);
	cr_assert_eq(cmt_count_links(""), 0);
	cr_assert_eq(cmt_count_links(NULL), 0);
}

Test(moderate, more_links_than_the_maximum_are_held)
{
	struct cmt_policy p = policy(CMT_MOD_NONE);
	struct cmt_clean c = comment();

	c.comment = (char *)"http://a.example http://b.example";
	cr_assert_eq(mod(&p, &c, 1), STC_APPROVED, "two links are allowed");
	c.comment = (char *)"http://a.example http://b.example www.c.example";
	cr_assert_eq(mod(&p, &c, 1), STC_PENDING);
	p.max_links = 0;
	c.comment = (char *)"just https://one.example";
	cr_assert_eq(mod(&p, &c, 1), STC_PENDING);
}

Test(moderate, moderation_words_in_every_field)
{
	struct cmt_policy p = policy(CMT_MOD_NONE);
	struct cmt_clean c;

	p.moderation_keys = " casino ,\n\n, Pills\r\n";
	c = comment();
	cr_assert_eq(mod(&p, &c, 1), STC_APPROVED);
	c.comment = (char *)"Visit my CASINO";
	cr_assert_eq(mod(&p, &c, 1), STC_PENDING);
	c = comment();
	c.author = (char *)"Cheap pills";
	cr_assert_eq(mod(&p, &c, 1), STC_PENDING);
	c = comment();
	c.email = (char *)"casino@example.org";
	cr_assert_eq(mod(&p, &c, 1), STC_PENDING);
	c = comment();
	c.url = (char *)"https://pills.example/";
	cr_assert_eq(mod(&p, &c, 1), STC_PENDING);
	c = comment();
	cr_assert_eq(cmt_moderate(&p, &c, "10.0.0.1", "CasinoBot/1.0", 1, NULL),
	    STC_PENDING);
	p.moderation_keys = "192.0.2.";
	cr_assert_eq(mod(&p, &c, 1), STC_PENDING, "IP address match");
}

Test(moderate, empty_keys_match_nothing)
{
	struct cmt_policy p = policy(CMT_MOD_NONE);
	struct cmt_clean c = comment();

	p.moderation_keys = " , ,\n\n";
	p.disallowed_keys = "";
	cr_assert_eq(mod(&p, &c, 1), STC_APPROVED);
}

Test(moderate, disallowed_words_mean_spam_whatever_else)
{
	struct cmt_policy p = policy(CMT_MOD_NONE);
	struct cmt_clean c = comment();
	const char *why = NULL;

	p.disallowed_keys = "viagra\nreplica watches";
	p.moderation_keys = "thoughtful";
	c.comment = (char *)"Buy ViAgRa now";
	cr_assert_eq(cmt_moderate(&p, &c, NULL, NULL, 1, &why), STC_SPAM);
	cr_assert_str_eq(why, "disallowed word");
	c = comment();
	c.author = (char *)"Replica Watches";
	cr_assert_eq(mod(&p, &c, 1), STC_SPAM);
	c = comment();
	cr_assert_eq(cmt_moderate(&p, &c, "192.0.2.7", "replica watches bot", 1,
	    NULL), STC_SPAM);
	c = comment();
	cr_assert_eq(mod(&p, &c, 1), STC_PENDING, "moderation word");
}
