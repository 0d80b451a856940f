/* Arithmetic CAPTCHA challenges and their tagged, stateless tokens. */
#include "comments/comments.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "core/alloc.h"
#include "core/base64.h"

/*
 * The token, a fixed little-endian layout, base64url without padding:
 *   [0]      version (2)
 *   [1..8]   article id
 *   [9..16]  issue time
 *   [17..24] expiry time
 *   [25..40] random nonce (CMT_NONCE_BYTES)
 *   [41..56] tag
 * BLAKE2b-256 keyed with keys->captcha over bytes 0..40 gives 32 bytes:
 * the first 16 are the tag, the other 16 draw the question (prf_draw()).
 * So the fields are public but cannot be altered, and the answer is not in
 * the token at all: only the key's holder can tell it from the fields.
 * One keyed hash per challenge: version 1 encrypted the answer with
 * crypto_secretbox, which cost an article view 2,900 more instructions
 * (of 32,000 in the handler). A version-1 token now reads as expired.
 */
#define TOKEN_VERSION 2
#define FIELDS_BYTES (1 + 8 + 8 + 8 + CMT_NONCE_BYTES)
#define TAG_BYTES 16
#define TOKEN_BYTES (FIELDS_BYTES + TAG_BYTES)
#define TOKEN_CHARS BL_BASE64URL_LEN(TOKEN_BYTES)

_Static_assert(TOKEN_CHARS < CMT_TOKEN_MAX, "CAPTCHA token too long");
_Static_assert(TOKEN_BYTES % 3 == 0, "no spare bits in the last character");
_Static_assert(sizeof(((struct cmt_keys *)0)->captcha) >=
    crypto_generichash_KEYBYTES_MIN, "CAPTCHA key too short");

static void
put64(unsigned char *p, int64_t v)
{
	uint64_t u = (uint64_t)v;

	for (int i = 0; i < 8; i++)
		p[i] = (unsigned char)(u >> (8 * i));
}

static int64_t
get64(const unsigned char *p)
{
	uint64_t u = 0;

	for (int i = 0; i < 8; i++)
		u |= (uint64_t)p[i] << (8 * i);
	return (int64_t)u;
}

static void
put32(unsigned char *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

/* --------------------------------------------- per-thread random bytes */

/*
 * Every view of an article makes a challenge, and libsodium's
 * randombytes_buf() is one getrandom() system call per call (five per
 * challenge, about 5 % of a view's CPU). Each thread instead keeps a
 * ChaCha20 generator keyed from randombytes_buf(), in the "fast key
 * erasure" style: each refill makes RNG_BUF bytes of keystream, the first
 * 32 become the next key at once and the rest are handed out, each byte
 * wiped as it is taken, so neither past nor future output can be rebuilt
 * from the state in memory. The key comes afresh from the kernel every
 * RNG_RESEED refills and in a child after fork() (the fork generation
 * below), so a parent and child never share a stream.
 *
 * The state is per thread by necessity (a shared one would need a lock on
 * every view); it holds no configuration and nothing a caller sees.
 */
#define RNG_BUF 512
#define RNG_RESEED 4096

struct rng {
	unsigned char key[crypto_stream_chacha20_KEYBYTES];
	unsigned char buf[RNG_BUF];
	size_t pos;                  /* next unused byte of buf */
	unsigned refills;            /* since the last reseed */
	unsigned gen;                /* fork generation at the reseed */
	int seeded;
};

static _Thread_local struct rng rng_state;
static atomic_uint fork_gen;
static pthread_once_t fork_once = PTHREAD_ONCE_INIT;

static void
on_fork_child(void)
{
	atomic_fetch_add(&fork_gen, 1);
}

static void
register_fork(void)
{
	pthread_atfork(NULL, NULL, on_fork_child);
}

static void
rng_refill(struct rng *g)
{
	static const unsigned char zero[crypto_stream_chacha20_NONCEBYTES];
	unsigned gen;

	gen = atomic_load_explicit(&fork_gen, memory_order_relaxed);
	if (!g->seeded || g->refills >= RNG_RESEED || g->gen != gen) {
		pthread_once(&fork_once, register_fork);
		if (sodium_init() < 0)
			bl_fatal("cannot initialise libsodium");
		randombytes_buf(g->key, sizeof(g->key));
		g->refills = 0;
		g->gen = gen;
		g->seeded = 1;
	}
	/* Each key is used once, so a fixed nonce is safe. */
	crypto_stream_chacha20(g->buf, sizeof(g->buf), zero, g->key);
	memcpy(g->key, g->buf, sizeof(g->key));
	sodium_memzero(g->buf, sizeof(g->key));
	g->pos = sizeof(g->key);
	g->refills++;
}

void
cmt_random(void *out, size_t n)
{
	struct rng *g = &rng_state;
	unsigned char *o = out;
	size_t k;

	/* After fork() what is left of the buffer is the parent's too. */
	if (!g->seeded || g->gen != atomic_load_explicit(&fork_gen,
	    memory_order_relaxed))
		rng_refill(g);
	while (n > 0) {
		if (g->pos >= sizeof(g->buf))
			rng_refill(g);
		k = sizeof(g->buf) - g->pos;
		if (k > n)
			k = n;
		memcpy(o, g->buf + g->pos, k);
		sodium_memzero(g->buf + g->pos, k);
		g->pos += k;
		o += k;
		n -= k;
	}
}

uint32_t
cmt_random_uniform(uint32_t upper)
{
	uint32_t r, min;

	if (upper < 2)
		return 0;
	/* Rejects the low values that would make some results likelier:
	 * 2^32 mod upper of them. */
	min = (uint32_t)(-upper % upper);
	do
		cmt_random(&r, sizeof(r));
	while (r < min);
	return r % upper;
}

/* ------------------------------------------------------- challenges */

static uint32_t
get32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

/* The tag and the question's material of `fields`: out[0..15] the tag,
 * out[16..31] for prf_draw(). */
static void
prf(const struct cmt_keys *k, const unsigned char fields[FIELDS_BYTES],
    unsigned char out[32])
{
	crypto_generichash(out, 32, fields, FIELDS_BYTES, k->captcha,
	    sizeof(k->captcha));
}

/*
 * An operator and operands whose result is 0..99, from 16 bytes of the
 * PRF's output; writes the question to `q` (unless NULL) and returns the
 * answer. Each choice takes 32 bits modulo a range below 100: the bias is
 * under 1e-7.
 */
static unsigned
prf_draw(const unsigned char m[16], char *q, size_t qsize)
{
	unsigned a, b, r;

	switch (get32(m) % 3) {
	case 0:
		a = 1 + get32(m + 4) % 50;             /* 1..50 */
		b = 1 + get32(m + 8) % 49;             /* 1..49 */
		r = a + b;
		if (q != NULL)
			snprintf(q, qsize, "%u + %u =", a, b);
		break;
	case 1:
		a = 2 + get32(m + 4) % 98;             /* 2..99 */
		b = 1 + get32(m + 8) % a;              /* 1..a */
		r = a - b;
		if (q != NULL)
			snprintf(q, qsize, "%u \xe2\x88\x92 %u =", a, b);
		break;
	default:
		a = 2 + get32(m + 4) % 8;              /* 2..9 */
		b = 2 + get32(m + 8) % 8;
		r = a * b;
		if (q != NULL)
			snprintf(q, qsize, "%u \xc3\x97 %u =", a, b);
		break;
	}
	return r;
}

void
cmt_captcha_new(const struct cmt_keys *k, int64_t article_id, int64_t now,
    int64_t ttl, struct cmt_challenge *out)
{
	unsigned char t[TOKEN_BYTES], h[32];

	/* sodium_init() takes a process-wide lock each time: once per
	 * thread is enough. */
	if (!rng_state.seeded)
		cmt_random(NULL, 0);
	memset(out, 0, sizeof(*out));
	t[0] = TOKEN_VERSION;
	put64(t + 1, article_id);
	put64(t + 9, now);
	put64(t + 17, now + ttl);
	cmt_random(t + 25, CMT_NONCE_BYTES);
	prf(k, t, h);
	memcpy(t + FIELDS_BYTES, h, TAG_BYTES);
	(void)prf_draw(h + 16, out->question, sizeof(out->question));
	/* The token's bytes are public: the plain encoder is enough (the
	 * constant-time one cost as much as the hash). */
	bl_base64url(t, sizeof(t), out->token);
	sodium_memzero(h, sizeof(h));
}

static int
is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/*
 * Parses an answer: optional blanks, 1..9 ASCII digits, optional blanks.
 * Returns the value, or UINT32_MAX (never a valid answer) for anything else.
 */
static uint32_t
parse_answer(const char *s)
{
	uint32_t v = 0;
	size_t digits = 0;

	while (is_blank(*s))
		s++;
	while (*s >= '0' && *s <= '9') {
		if (++digits > 9)
			return UINT32_MAX;
		v = v * 10 + (uint32_t)(*s - '0');
		s++;
	}
	while (is_blank(*s))
		s++;
	if (digits == 0 || *s != '\0')
		return UINT32_MAX;
	return v;
}

static int
blank_string(const char *s)
{
	if (s == NULL)
		return 1;
	while (is_blank(*s))
		s++;
	return *s == '\0';
}

enum cmt_captcha
cmt_captcha_check(const struct cmt_keys *k, const char *token,
    const char *answer, int64_t article_id, int64_t now, int64_t min_seconds,
    unsigned char nonce[CMT_NONCE_BYTES], int64_t *expires)
{
	unsigned char t[TOKEN_BYTES], h[32];
	unsigned char want[4], got[4];
	size_t binlen = 0;
	const char *end = NULL;
	enum cmt_captcha rc = CMT_CAPTCHA_INVALID;
	int64_t issued, expiry;

	if (sodium_init() < 0)
		bl_fatal("cannot initialise libsodium");
	if (token == NULL || strlen(token) != TOKEN_CHARS)
		return CMT_CAPTCHA_INVALID;
	if (sodium_base642bin(t, sizeof(t), token, TOKEN_CHARS, NULL,
	    &binlen, &end, sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
	    binlen != sizeof(t) || end != token + TOKEN_CHARS)
		return CMT_CAPTCHA_INVALID;
	prf(k, t, h);
	if (sodium_memcmp(h, t + FIELDS_BYTES, TAG_BYTES) != 0)
		goto out;
	if (t[0] != TOKEN_VERSION || get64(t + 1) != article_id)
		goto out;
	issued = get64(t + 9);
	expiry = get64(t + 17);
	if (nonce != NULL)
		memcpy(nonce, t + 25, CMT_NONCE_BYTES);
	if (expires != NULL)
		*expires = expiry;
	if (now >= expiry)
		rc = CMT_CAPTCHA_EXPIRED;
	else if (blank_string(answer))
		rc = CMT_CAPTCHA_EMPTY;
	else if (now - issued < min_seconds)
		rc = CMT_CAPTCHA_TOO_FAST;
	else {
		put32(want, prf_draw(h + 16, NULL, 0));
		put32(got, parse_answer(answer));
		rc = sodium_memcmp(want, got, sizeof(want)) == 0 ?
		    CMT_CAPTCHA_OK : CMT_CAPTCHA_WRONG;
	}
out:
	sodium_memzero(h, sizeof(h));
	return rc;
}

const char *
cmt_captcha_message(enum cmt_captcha r)
{
	switch (r) {
	case CMT_CAPTCHA_OK:
		return NULL;
	case CMT_CAPTCHA_EMPTY:
		return "Please answer the question.";
	case CMT_CAPTCHA_WRONG:
		return "That answer is not right. Please try this new question.";
	case CMT_CAPTCHA_TOO_FAST:
		return "You answered very quickly. Please check your comment "
		    "and answer this new question.";
	case CMT_CAPTCHA_EXPIRED:
	case CMT_CAPTCHA_INVALID:
	default:
		return "That question has expired. Please answer this new one.";
	}
}
