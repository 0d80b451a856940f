/* Reader comments: CAPTCHA tokens, validation, moderation, text, avatars. */
#ifndef BL_COMMENTS_H
#define BL_COMMENTS_H

#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "store/store.h"

/*
 * Pure logic, no SQL and no HTTP: the site layer reads the request, asks
 * these functions, and talks to the store. Everything that must hold across
 * several server nodes (spent CAPTCHA nonces, flood times, duplicates,
 * "previously approved") lives in the store, not here.
 */

/* ------------------------------------------------------------- keys */

/* Sub-keys derived (crypto_kdf) from the site's DIR/secret.key, one per
 * purpose, so a key used for one thing never signs another. */
struct cmt_keys {
	unsigned char captcha[32];   /* BLAKE2b key for challenge tokens */
	unsigned char cookie[32];    /* MAC key for signed cookies */
	unsigned char avatar[32];    /* key for the avatar hash of emails */
};

/* Reads DIR/secret.key (64 hex digits) and derives the sub-keys. Fails on
 * a missing, short or malformed key file. */
int cmt_keys_load(const char *path, struct cmt_keys *k, struct bl_err *err);
/* Derives the sub-keys from a 32-byte master key (borrowed). */
int cmt_keys_derive(const unsigned char master[32], struct cmt_keys *k,
    struct bl_err *err);

/* ---------------------------------------------------------- CAPTCHA */

/*
 * A challenge is an arithmetic question ("13 + 4 =", "9 − 3 =", "6 × 7 =")
 * whose answer is 0..99 and never negative, and a token: the article id,
 * the issue time, the expiry and a random 16-byte nonce, with a tag, all
 * from one BLAKE2b keyed with keys->captcha over those fields, whose other
 * half draws the question. Nothing can be altered, and the answer is not
 * in the page: only the key's holder can tell it from the fields. Encoded
 * base64url without padding (captcha.c has the layout).
 */
#define CMT_TOKEN_MAX 160
#define CMT_NONCE_BYTES 16

struct cmt_challenge {
	char question[32];           /* UTF-8 text, e.g. "13 + 4 =" */
	char token[CMT_TOKEN_MAX];   /* NUL-terminated */
};

/*
 * Unpredictable bytes for challenges from a per-thread ChaCha20 generator
 * keyed by the kernel's random source (re-keyed now and then, and after
 * fork()): as strong as randombytes_buf(), without a system call each
 * time. cmt_random_uniform() gives 0..upper-1 without bias (0 for upper
 * below 2). Safe from any thread.
 */
void cmt_random(void *out, size_t n);
uint32_t cmt_random_uniform(uint32_t upper);

/* Makes a fresh challenge for `article_id`, valid for `ttl` seconds. */
void cmt_captcha_new(const struct cmt_keys *k, int64_t article_id, int64_t now,
    int64_t ttl, struct cmt_challenge *out);

enum cmt_captcha {
	CMT_CAPTCHA_OK = 0,
	CMT_CAPTCHA_WRONG,       /* genuine, but the answer is wrong */
	CMT_CAPTCHA_EMPTY,       /* no answer given */
	CMT_CAPTCHA_EXPIRED,     /* past its expiry */
	CMT_CAPTCHA_TOO_FAST,    /* answered sooner than min_seconds */
	CMT_CAPTCHA_INVALID,     /* malformed, tampered, or for another article */
};

/*
 * Verifies `token` and checks `answer` (digits, surrounding blanks allowed;
 * anything else is WRONG). On every result but INVALID the nonce and the
 * expiry are stored in `nonce` and *expires so the caller can mark the
 * token spent (first use, right or wrong). Comparison is constant-time.
 */
enum cmt_captcha cmt_captcha_check(const struct cmt_keys *k, const char *token,
    const char *answer, int64_t article_id, int64_t now, int64_t min_seconds,
    unsigned char nonce[CMT_NONCE_BYTES], int64_t *expires);

/* The reader's message for a result (static; NULL for CMT_CAPTCHA_OK), from
 * docs/comments.md. INVALID reads as expired: a tampered token gets no hint,
 * and a token from before a key change is just old to its reader. */
const char *cmt_captcha_message(enum cmt_captcha r);
/* The message for a token whose nonce the store reports spent. */
#define CMT_CAPTCHA_USED_MESSAGE \
	"That question was already used. Please answer this new one."

/* -------------------------------------------------------- validation */

enum cmt_field {
	CMT_F_COMMENT,
	CMT_F_AUTHOR,
	CMT_F_EMAIL,
	CMT_F_URL,
	CMT_F_CAPTCHA,
	CMT_F_HONEYPOT,
	CMT_F__MAX
};

struct cmt_limits {
	size_t name;       /* characters, default 100 */
	size_t email;      /* 254 */
	size_t url;        /* 2048 */
	size_t comment;    /* 20000 */
};

/* What a reader typed, as received (NULL when a field is missing). */
struct cmt_input {
	const char *comment;
	const char *author;
	const char *email;
	const char *url;
	const char *honeypot;
};

/* Normalised values: trimmed; CRLF and CR become LF in the comment; the
 * URL gets "https://" when it has no scheme; arena-owned. */
struct cmt_clean {
	char *comment, *author, *email, *url;
};

/*
 * Checks every field and fills `msgs[field]` with a message for a reader
 * (static or arena-owned strings, NULL when the field is fine; msgs[
 * CMT_F_CAPTCHA] is left NULL: see cmt_captcha_message()), e.g.
 *   comment: "Please write a comment." / "Your comment is longer than
 *            20,000 characters." / "Your comment contains characters that
 *            are not allowed." / "Your comment is not valid text (UTF-8)."
 *   email:   "Please enter a valid email address."
 *   url:     "Please enter a web address starting with http:// or https://."
 *   honeypot:"This field must be left empty."
 * Limits count characters (code points), not bytes. Invalid UTF-8 and
 * control characters (other than LF and tab in the comment) are refused
 * in every field. `lim` may be NULL, and a zero limit means its default.
 * `out` is filled even when fields are in error ("" for a missing one).
 * Returns the number of fields in error.
 */
int cmt_validate(const struct cmt_input *in, const struct cmt_limits *lim,
    struct bl_arena *a, struct cmt_clean *out, const char *msgs[CMT_F__MAX]);
/* The same for values that may hold NUL bytes (refused as control
 * characters): len[field] is the byte length of each value (0: strlen;
 * `len` NULL: strlen for all). */
int cmt_validate_n(const struct cmt_input *in, const size_t len[CMT_F__MAX],
    const struct cmt_limits *lim, struct bl_arena *a, struct cmt_clean *out,
    const char *msgs[CMT_F__MAX]);

/* -------------------------------------------------------- moderation */

enum cmt_moderation {
	CMT_MOD_FIRST_TIME = 0,  /* hold unless the email has an approved comment */
	CMT_MOD_ALL,
	CMT_MOD_NONE,
};

struct cmt_policy {
	enum cmt_moderation moderation;
	int max_links;               /* hold when there are MORE links than this */
	const char *moderation_keys; /* comma- or newline-separated words: hold */
	const char *disallowed_keys; /* words: spam */
};

/* Parses "first-time" | "all" | "none"; -1 for anything else. */
int cmt_moderation_parse(const char *s);

/* Counts links: http(s):// URLs, www. hosts and "<a " in the text. */
int cmt_count_links(const char *text);

/*
 * Decides the status of a valid comment: STC_SPAM when a disallowed word
 * occurs (case-insensitive) in the author, email, URL, text, IP or user
 * agent; else STC_PENDING for moderation "all", more than max_links links,
 * a moderation word, or "first-time" without `previously_approved`; else
 * STC_APPROVED. `why` (may be NULL) gets a short reason for the log.
 */
enum st_comment_status cmt_moderate(const struct cmt_policy *p,
    const struct cmt_clean *c, const char *ip, const char *user_agent,
    int previously_approved, const char **why);

/* -------------------------------------------------------------- text */

/* Renders comment text as safe HTML: paragraphs at blank lines as <p>,
 * single newlines as <br>, http(s) URLs auto-linked with
 * rel="nofollow ugc noopener" (trailing punctuation left outside the link),
 * everything else escaped. Never raw HTML. */
int cmt_format(struct bl_buf *out, const char *text);

/* ----------------------------------------------------------- avatars */

/* The avatar id of an email: 32 hex digits of a keyed BLAKE2b hash of the
 * trimmed, lowercased address (never MD5, never sent anywhere). */
void cmt_avatar_id(const struct cmt_keys *k, const char *email, char out[33]);
/* A deterministic 5x5 symmetric identicon as an SVG document for `id`
 * (32 hex digits; anything else fails). */
int cmt_avatar_svg(const char *id, struct bl_buf *out);

/* ---------------------------------------------------- signed cookies */

/* Appends `payload` "." base64url(HMAC-SHA256(keys->cookie, name "=" payload))
 * so a value cannot be moved to a cookie of another name. `payload` must
 * not contain '.', ';', ',' or blanks. */
int cmt_cookie_sign(const struct cmt_keys *k, const char *name,
    const char *payload, struct bl_buf *out);
/* Checks a signed value; on success appends the payload to `payload` and
 * returns 0; -1 for anything tampered or malformed. */
int cmt_cookie_verify(const struct cmt_keys *k, const char *name,
    const char *value, struct bl_buf *payload);

#endif
