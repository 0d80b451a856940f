/* bench-gen: fills a site made with `byline init` with a synthetic newsroom. */
#include <getopt.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/alloc.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/file.h"
#include "import/text.h"
#include "markup/markup.h"
#include "media/image.h"
#include "site/site.h"
#include "store/store.h"

/*
 * Writes through Byline's own store API (store_article_add,
 * store_comment_add into a staging database, then the whole-site copy:
 * see "staging and copy" below), so the database is what the server
 * would have made; bodies are rendered by markup_text_body as an import
 * would. Every BATCH writes share one transaction (store_batch_begin and
 * store_batch_commit). The same seed and sizes give the same site.
 *
 * Shape: headlines of 6-14 words, standfirsts of 18-35, bodies of 400-1500
 * words in 5-25 paragraphs drawn from about a thousand news words with a
 * Zipf-like frequency and a tail of RARE made-up words; 10 sections, AUTHORS authors, TAGS tags (2-6 per story, rare
 * ones rarer), 0-3 photos per story (captions and credits, eight shared
 * image files), comments spread over stories with a heavy tail (a third
 * have none, a few have hundreds), a third of them replies.
 *
 * It also writes DIR/bench.env: shell assignments naming a typical article
 * (about the median comment count among stories that have comments, with a
 * photo and tags), a popular tag, a section and a few common search words.
 */

#define BATCH 1000
#define NPHOTOFILES 8

static const char *usage_text =
"usage: bench-gen DIR [--articles N] [--comments N] [--authors N] [--tags N]\n"
"                 [--seed N] [--related full|near]\n";

/* ------------------------------------------------------------ randomness */

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t
rnd(void)
{
	uint64_t x = rng_state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return rng_state = x;
}

/* Uniform in [0, n). */
static size_t
pick(size_t n)
{
	return (size_t)(rnd() % n);
}

static size_t
between(size_t lo, size_t hi)
{
	return lo + pick(hi - lo + 1);
}

static double
unit(void)
{
	return (double)(rnd() >> 11) / 9007199254740992.0;
}

/* A Zipf-like choice: a cumulative table of weights 1/(rank+k)^s. */
struct zipf {
	double *cdf;
	size_t n;
};

static void
zipf_init(struct zipf *z, size_t n, double s, double k)
{
	double sum = 0;

	z->cdf = bl_xmalloc(n * sizeof(*z->cdf));
	z->n = n;
	for (size_t i = 0; i < n; i++) {
		sum += 1.0 / pow((double)i + k, s);
		z->cdf[i] = sum;
	}
	for (size_t i = 0; i < n; i++)
		z->cdf[i] /= sum;
}

static size_t
zipf_pick(const struct zipf *z)
{
	double u = unit();
	size_t lo = 0, hi = z->n - 1;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (z->cdf[mid] < u)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* ------------------------------------------------------------- the words */

/* Short words that glue sentences together, drawn often. */
static const char *const glue[] = {
	"the", "the", "the", "of", "of", "to", "to", "and", "and", "a", "in",
	"in", "that", "is", "was", "for", "on", "with", "as", "by", "at", "it",
	"from", "his", "her", "their", "this", "have", "has", "had", "are",
	"were", "be", "been", "not", "but", "or", "an", "which", "who", "will",
	"would", "could", "after", "before", "over", "into", "than", "more",
	"about", "up", "out", "its", "they", "we", "he", "she", "said",
	"also", "when", "while", "because", "since", "under", "between",
};

/* News vocabulary, most common first (their order sets their frequency). */
static const char *const vocab[] = {
	"council", "government", "police", "year", "people", "city", "minister",
	"week", "harbour", "plan", "report", "million", "public", "school",
	"company", "workers", "election", "court", "market", "budget", "local",
	"new", "first", "last", "two", "three", "residents", "officials",
	"spokesperson", "statement", "decision", "vote", "party", "board",
	"committee", "funding", "project", "plans", "service", "services",
	"hospital", "health", "water", "energy", "power", "transport", "rail",
	"ferry", "bridge", "road", "roads", "traffic", "housing", "homes",
	"rent", "prices", "price", "costs", "tax", "taxes", "jobs", "economy",
	"growth", "bank", "rates", "inflation", "trade", "exports", "port",
	"fishing", "fleet", "boats", "coast", "storm", "weather", "rain",
	"flood", "floods", "wind", "winter", "summer", "spring", "autumn",
	"season", "festival", "music", "theatre", "museum", "gallery", "book",
	"prize", "film", "artist", "artists", "students", "teachers",
	"university", "research", "study", "scientists", "data", "survey",
	"climate", "emissions", "carbon", "solar", "tidal", "turbines", "grid",
	"river", "lake", "forest", "park", "island", "village", "town",
	"district", "region", "national", "international", "federal", "state",
	"mayor", "chief", "director", "president", "leader", "opposition",
	"assembly", "parliament", "senate", "law", "bill", "rules", "policy",
	"reform", "inquiry", "investigation", "evidence", "trial", "judge",
	"jury", "verdict", "appeal", "charges", "arrest", "crime", "safety",
	"fire", "crews", "emergency", "rescue", "accident", "damage", "repairs",
	"construction", "site", "centre", "building", "office", "offices",
	"staff", "union", "strike", "talks", "deal", "agreement", "contract",
	"shares", "investors", "profits", "losses", "sales", "shops", "retail",
	"customers", "passengers", "visitors", "tourists", "tourism", "hotel",
	"restaurant", "food", "farmers", "harvest", "crops", "grain", "cattle",
	"market", "auction", "record", "records", "figures", "numbers",
	"average", "percent", "increase", "rise", "fall", "drop", "cut", "cuts",
	"support", "opposed", "critics", "campaigners", "supporters", "voters",
	"families", "children", "parents", "older", "younger", "community",
	"neighbours", "street", "streets", "square", "station", "airport",
	"flights", "airline", "route", "routes", "timetable", "delays",
	"closure", "opening", "reopened", "launched", "announced", "confirmed",
	"warned", "expected", "planned", "approved", "rejected", "delayed",
	"promised", "argued", "suggested", "believed", "estimated", "reported",
	"described", "called", "asked", "told", "added", "noted", "explained",
	"insisted", "admitted", "denied", "welcomed", "criticised", "praised",
	"questioned", "agreed", "refused", "decided", "began", "ended",
	"continued", "remained", "returned", "reached", "raised", "spent",
	"paid", "built", "opened", "closed", "moved", "changed", "grew",
	"fell", "rose", "won", "lost", "played", "scored", "match", "team",
	"teams", "players", "coach", "cup", "final", "league", "season",
	"goal", "goals", "race", "crew", "regatta", "sailing", "championship",
	"fans", "stadium", "ground", "club", "clubs", "sport", "game", "games",
	"history", "future", "past", "morning", "evening", "night", "day",
	"days", "months", "hours", "decade", "century", "time", "times",
	"place", "places", "area", "areas", "land", "sea", "shore", "beach",
	"lighthouse", "cliff", "hills", "valley", "farm", "farms", "fields",
	"water", "supply", "waste", "recycling", "pollution", "wildlife",
	"birds", "fish", "seagrass", "habitat", "conservation", "volunteers",
	"charity", "donations", "appeal", "event", "events", "concert",
	"orchestra", "choir", "exhibition", "library", "archive", "heritage",
	"church", "hall", "market", "workers", "cranes", "automation",
	"technology", "software", "digital", "online", "network", "internet",
	"broadband", "phone", "signal", "system", "systems", "machines",
	"engineers", "design", "plans", "architects", "developers", "land",
	"levy", "empty", "property", "owners", "landlords", "tenants",
	"schools", "pupils", "classes", "exams", "results", "graduates",
	"doctors", "nurses", "patients", "ward", "clinic", "care", "waiting",
	"lists", "treatment", "vaccine", "disease", "cases", "risk", "risks",
	"warning", "alert", "forecast", "temperatures", "drought", "heat",
	"snow", "ice", "tide", "tides", "waves", "erosion", "defences",
	"sea", "wall", "walls", "barrier", "protection", "insurance", "claims",
	"lawyers", "rights", "freedom", "press", "media", "newspaper",
	"radio", "television", "broadcast", "interview", "speech", "debate",
	"campaign", "candidates", "ballot", "polls", "turnout", "majority",
	"coalition", "cabinet", "ministry", "department", "agency",
	"regulator", "authority", "inspectors", "audit", "accounts", "fraud",
	"scandal", "resignation", "successor", "appointment", "career",
	"experience", "memory", "story", "stories", "question", "questions",
	"answer", "answers", "problem", "problems", "solution", "change",
	"changes", "progress", "pressure", "concerns", "hope", "fears",
	"anger", "relief", "surprise", "success", "failure", "challenge",
	"opportunity", "chance", "effort", "efforts", "work", "business",
	"businesses", "industry", "factory", "production", "output", "demand",
	"supply", "shortage", "surplus", "loan", "loans", "debt", "interest",
	"savings", "pension", "pensions", "wages", "salary", "income",
	"poverty", "benefits", "welfare", "volunteer", "neighbourhood",
	"quiet", "busy", "small", "large", "major", "minor", "early", "late",
	"long", "short", "high", "low", "strong", "weak", "full", "empty",
	"free", "open", "private", "independent", "modern", "historic",
	"ancient", "recent", "annual", "monthly", "weekly", "daily", "regional",
	"coastal", "northern", "southern", "eastern", "western", "central",
	"rural", "urban", "green", "clean", "safe", "dangerous", "difficult",
	"simple", "clear", "important", "significant", "serious", "final",
	"former", "current", "senior", "junior", "young", "old", "several",
	"many", "few", "most", "some", "every", "each", "another", "other",
	"similar", "different", "likely", "unlikely", "possible", "necessary",
	"available", "popular", "famous", "unusual", "remarkable", "careful",
	"slowly", "quickly", "finally", "recently", "already", "still",
	"again", "never", "often", "nearly", "almost", "only", "even", "just",
	"however", "meanwhile", "instead", "perhaps", "together", "ahead",
};

static const char *const places[] = {
	"Harbridge", "Saltmere", "Lanmouth", "Valmora", "Gannet Point",
	"Marrowby", "Eastholm", "Brackwater", "Kestrel Bay", "Northfold",
	"Tollcross", "Wyndham", "Carrick", "Oldmoor", "Fairhaven", "Ashby",
	"Redcliff", "Stonebridge", "Elmstead", "Penhallow", "Corrie",
	"Lindqvist", "Moreno Heights", "Port Arden", "Greyhaven",
};

static const char *const first_names[] = {
	"Amara", "Ben", "Chloe", "Dmitri", "Elena", "Farid", "Grace", "Hugo",
	"Ines", "Jonas", "Kemi", "Liam", "Maya", "Nikos", "Olivia", "Pavel",
	"Quinn", "Rosa", "Samir", "Tessa", "Umar", "Vera", "Wen", "Ximena",
	"Yusuf", "Zoe", "Aidan", "Bea", "Carlos", "Dara",
};

static const char *const last_names[] = {
	"Adeyemi", "Brennan", "Castillo", "Dubois", "Eriksen", "Fontaine",
	"Garcia", "Hughes", "Ivanova", "Jensen", "Kowalski", "Lindgren",
	"Moreau", "Nakamura", "Okafor", "Petrov", "Quint", "Rossi", "Santos",
	"Tanaka", "Ueda", "Varga", "Walsh", "Xu", "Yilmaz", "Zimmer", "Achebe",
	"Byrne", "Costa", "Dlamini",
};

static const char *const sections[] = {
	"World", "Politics", "Business", "Sport", "Culture", "Science",
	"Environment", "Health", "Opinion", "Local",
};

static const char *const agencies[] = {
	"Harbridge Courier", "Example Agency via AP", "Reuters", "staff",
	"Coastal Photo Pool", "Getty Images", "AFP", "Freelance",
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* Real text has a long tail of rare words (names, places, terms) that
 * make stories distinct, for search and related articles as for readers:
 * RARE made-up words from syllables, drawn with a Zipf tail. */
#define RARE 20000

static const char *const syll[] = {
	"bra", "ken", "mo", "lis", "tor", "va", "nel", "dri", "sa", "gol",
	"pen", "ru", "thal", "mi", "cor", "ven", "la", "bis", "quo", "ster",
	"fen", "da", "wick", "o", "mar", "tes", "lu", "hov", "ri", "gan",
	"el", "dor", "pa", "shi", "nem", "ca", "tur", "bel", "zo", "fra",
};

static struct zipf vocab_z, rare_z;
static char *rare[RARE];

static void
make_rare(void)
{
	size_t ns = NELEM(syll);

	for (size_t i = 0; i < RARE; i++) {
		char buf[64];
		size_t x = i * 7 + 3, n = 2 + i % 3;

		size_t len = 0;

		buf[0] = '\0';
		for (size_t k = 0; k < n; k++) {
			len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s",
			    syll[x % ns]);
			x = x / ns + k * 13 + i % 11;
		}
		rare[i] = bl_xstrdup(buf);
	}
	zipf_init(&rare_z, RARE, 1.0, 10.0);
}

static const char *
word(void)
{
	if (pick(100) < 42)
		return glue[pick(NELEM(glue))];
	if (pick(100) < 3)
		return places[pick(NELEM(places))];
	if (pick(100) < 10)
		return rare[zipf_pick(&rare_z)];
	return vocab[zipf_pick(&vocab_z)];
}

/* Appends a sentence of lo..hi words: capitalised, commas now and then,
 * sometimes a quotation. Returns the words written. */
static size_t
sentence(struct bl_buf *b, size_t lo, size_t hi, int end)
{
	size_t n = between(lo, hi);
	int quote = pick(100) < 12;

	if (b->len && b->s[b->len - 1] != ' ' && b->s[b->len - 1] != '\n')
		bl_buf_putc(b, ' ');
	if (quote)
		bl_buf_puts(b, "\xe2\x80\x9c");  /* opening quote */
	for (size_t i = 0; i < n; i++) {
		const char *w = word();

		if (i > 0)
			bl_buf_putc(b, ' ');
		if (i == 0 && w[0] >= 'a' && w[0] <= 'z') {
			bl_buf_putc(b, (char)(w[0] - 'a' + 'A'));
			bl_buf_puts(b, w + 1);
		} else
			bl_buf_puts(b, w);
		if (i + 2 < n && i > 2 && pick(100) < 7)
			bl_buf_putc(b, ',');
	}
	if (end) {
		bl_buf_putc(b, '.');
		if (quote) {
			bl_buf_puts(b, "\xe2\x80\x9d said ");
			bl_buf_printf(b, "%s %s.", first_names[pick(NELEM(first_names))],
			    last_names[pick(NELEM(last_names))]);
		}
	} else if (quote)
		bl_buf_puts(b, "\xe2\x80\x9d");
	return n;
}

/* ----------------------------------------------------------- the writer */

struct gen {
	struct site *site;
	struct store *st;
	size_t pending;            /* writes in the open batch */
	char **authors;
	size_t nauthors;
	char **tags;
	size_t ntags;
	struct zipf tag_z;
	struct st_photo files[NPHOTOFILES];
};

static int
batch_step(struct gen *g, struct bl_err *err)
{
	if (++g->pending < BATCH)
		return 0;
	g->pending = 0;
	if (store_batch_commit(g->st, err) < 0)
		return -1;
	return store_batch_begin(g->st, err);
}

static double
since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) +
	    (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

/* Eight photo files shared by every story, made by libvips. */
static int
make_photos(struct gen *g, struct bl_err *err)
{
	struct bl_arena a = BL_ARENA_INIT;
	char *dir = bl_arena_printf(&a, "%s/bench", g->site->media_dir);
	int rc = -1;

	if (bl_mkdirs(dir, err) < 0)
		goto out;
	for (int i = 0; i < NPHOTOFILES; i++) {
		char *path = bl_arena_printf(&a, "%s/photo-%d.jpg", dir, i);

		if (media_demo_image(path, (unsigned)i + 1, 1200, 800, err) < 0)
			goto out;
		g->files[i].file = bl_xstrdup(bl_arena_printf(&a, "bench/photo-%d.jpg", i));
		g->files[i].width = 1200;
		g->files[i].height = 800;
	}
	rc = 0;
out:
	bl_arena_release(&a);
	return rc;
}

static char *
title_case(struct bl_arena *a, const char *s)
{
	char *t = bl_arena_strdup(a, s);

	if (t[0] >= 'a' && t[0] <= 'z')
		t[0] = (char)(t[0] - 'a' + 'A');
	return t;
}

static void
make_names(struct gen *g, size_t nauthors, size_t ntags)
{
	struct bl_arena a = BL_ARENA_INIT;
	size_t nv = NELEM(vocab), np = NELEM(places);

	g->nauthors = nauthors;
	g->authors = bl_xmalloc(nauthors * sizeof(*g->authors));
	for (size_t i = 0; i < nauthors; i++) {
		size_t f = i % NELEM(first_names), l = (i / NELEM(first_names) + i) %
		    NELEM(last_names), gen = i / (NELEM(first_names) * NELEM(last_names));
		char buf[128];

		if (gen)
			snprintf(buf, sizeof(buf), "%s %c. %s", first_names[f],
			    (char)('A' + (int)(gen % 26)), last_names[l]);
		else
			snprintf(buf, sizeof(buf), "%s %s", first_names[f], last_names[l]);
		g->authors[i] = bl_xstrdup(buf);
	}
	/* Single-word topics first (the common ones), then topic + place,
	 * then topic + topic: "Harbour", "HousingSaltmere", "FerryBudget". */
	g->ntags = ntags;
	g->tags = bl_xmalloc(ntags * sizeof(*g->tags));
	for (size_t i = 0; i < ntags; i++) {
		char buf[160];
		const char *p;
		size_t k, j;

		if (i < 300)
			snprintf(buf, sizeof(buf), "%s", title_case(&a, vocab[i % nv]));
		else if (i < 300 + 300 * np) {
			k = (i - 300) / np;
			p = places[(i - 300) % np];
			snprintf(buf, sizeof(buf), "%s%s", title_case(&a, vocab[k % nv]), p);
			/* Hashtags have no spaces. */
			for (char *c = buf; *c; c++)
				if (*c == ' ')
					memmove(c, c + 1, strlen(c));
		} else {
			k = (i - 300 - 300 * np) % nv;
			j = (i - 300 - 300 * np) / nv + 1;
			snprintf(buf, sizeof(buf), "%s%s%zu", title_case(&a, vocab[k]),
			    title_case(&a, vocab[(k + j) % nv]), j);
		}
		g->tags[i] = bl_xstrdup(buf);
	}
	zipf_init(&g->tag_z, ntags, 1.0, 2.0);
	bl_arena_release(&a);
}

/* One story: returns its id and whether it has a photo. */
static int
add_article(struct gen *g, int64_t when, int section, int64_t *id, char **path,
    size_t *nphotos_out, size_t *ntags_out, struct bl_arena *a,
    struct bl_err *err)
{
	struct bl_buf head = BL_BUF_INIT, stand = BL_BUF_INIT, para = BL_BUF_INIT;
	struct bl_buf html = BL_BUF_INIT, src = BL_BUF_INIT;
	struct imp_article art;
	struct st_photo *photos;
	struct st_article_new n;
	const char **tags;
	size_t words = 0, target = between(400, 1500), nparas, ntags, nph;
	size_t place = pick(NELEM(places));
	int rc = -1;

	memset(&art, 0, sizeof(art));
	sentence(&head, 6, 14, 0);
	sentence(&stand, 18, 35, 1);
	nph = pick(100) < 25 ? 0 : (pick(100) < 60 ? 1 : between(2, 3));
	nparas = between(5, 25);
	if (nparas > target / 30)
		nparas = target / 30;
	art.headline = bl_arena_strdup(a, head.s);
	art.blocks = bl_arena_alloc(a, (nparas + nph) * sizeof(*art.blocks));
	art.photos = bl_arena_alloc(a, (nph ? nph : 1) * sizeof(*art.photos));
	photos = bl_arena_alloc(a, (nph ? nph : 1) * sizeof(*photos));
	for (size_t i = 0; i < nph; i++) {
		struct bl_buf cap = BL_BUF_INIT;
		const struct st_photo *f = &g->files[pick(NPHOTOFILES)];

		sentence(&cap, 8, 22, 1);
		art.photos[i].caption = bl_arena_strdup(a, cap.s);
		art.photos[i].credit = bl_arena_printf(a, "%s %s / %s",
		    first_names[pick(NELEM(first_names))],
		    last_names[pick(NELEM(last_names))], agencies[pick(NELEM(agencies))]);
		art.photos[i].alt = "";
		bl_buf_release(&cap);
		photos[i] = *f;
		photos[i].pos = (int)i;
		photos[i].caption = art.photos[i].caption;
		photos[i].credit = art.photos[i].credit;
		photos[i].alt = "";
	}
	art.nphotos = nph;
	for (size_t i = 0, ph = 0; i < nparas; i++) {
		size_t share = (target - words) / (nparas - i);

		/* The first photo leads; others follow every few paragraphs. */
		if (ph < nph && (i == 0 || i == ph * nparas / nph)) {
			art.blocks[art.nblocks].kind = IMP_PHOTO;
			art.blocks[art.nblocks++].photo = ph++;
		}
		bl_buf_reset(&para);
		if (i == 0)
			bl_buf_printf(&para, "%s \xe2\x80\x94", places[place]);
		while (words < target && (para.len == 0 || share > 12)) {
			size_t w = sentence(&para, 8, 28, 1);
			words += w;
			share = share > w ? share - w : 0;
		}
		art.blocks[art.nblocks].kind = IMP_PARA;
		art.blocks[art.nblocks++].text = bl_arena_strdup(a, para.s);
		art.nparas++;
	}
	ntags = between(2, 6);
	tags = bl_arena_alloc(a, ntags * sizeof(*tags));
	for (size_t i = 0; i < ntags; i++) {
		const char *t;
		int dup;

		do {
			t = g->tags[zipf_pick(&g->tag_z)];
			dup = 0;
			for (size_t j = 0; j < i; j++)
				dup |= strcmp(tags[j], t) == 0;
		} while (dup);
		tags[i] = t;
	}
	art.tags = (char **)tags;
	art.ntags = ntags;
	if (markup_text_body(&html, &art, photos) < 0) {
		bl_errf(err, "cannot render a story body");
		goto out;
	}
	/* What an import would keep as the source (import format). */
	bl_buf_printf(&src, "%s\n", art.headline);
	for (size_t i = 0; i < art.nblocks; i++) {
		if (art.blocks[i].kind == IMP_PARA)
			bl_buf_printf(&src, "\n%s\n", art.blocks[i].text);
		else
			bl_buf_printf(&src, "\n%s\n(%s)\n",
			    art.photos[art.blocks[i].photo].caption,
			    art.photos[art.blocks[i].photo].credit);
	}
	bl_buf_puts(&src, "\n");
	for (size_t i = 0; i < ntags; i++)
		bl_buf_printf(&src, "%s#%s", i ? " " : "", tags[i]);
	bl_buf_puts(&src, "\n");
	if (bl_buf_err(&html) || bl_buf_err(&src) || bl_buf_err(&head)) {
		bl_errf(err, "cannot build a story: out of memory");
		goto out;
	}

	memset(&n, 0, sizeof(n));
	n.title = art.headline;
	n.standfirst = stand.s;
	n.dateline = bl_arena_strdup(a, places[place]);
	for (char *c = (char *)n.dateline; *c; c++)
		if (*c >= 'a' && *c <= 'z')
			*c = (char)(*c - 'a' + 'A');
	n.excerpt = markup_excerpt_text(a, art.blocks[nph ? 1 : 0].text, 220);
	n.body_format = "text";
	n.body_source = src.s;
	n.body_html = html.s;
	/* A draft in the staging database; published by the copy (main). */
	n.status = ST_DRAFT;
	n.published_at = 0;
	n.path_date = site_path_date(a, when);
	n.section_name = sections[section];
	n.author_name = g->authors[pick(g->nauthors)];
	n.tags = tags;
	n.ntags = ntags;
	n.photos = photos;
	n.nphotos = nph;
	if (store_article_add(g->st, a, &n, id, path, err) < 0)
		goto out;
	*nphotos_out = nph;
	*ntags_out = ntags;
	rc = 0;
out:
	bl_buf_release(&head);
	bl_buf_release(&stand);
	bl_buf_release(&para);
	bl_buf_release(&html);
	bl_buf_release(&src);
	return rc;
}

struct story {
	int64_t id;
	int64_t when;
	char *path;               /* malloc'd */
	unsigned ncomments;
	int good;                 /* has a photo and three tags or more */
	int section;              /* index into sections[] */
};

static int
add_comments(struct gen *g, struct story *s, struct bl_err *err)
{
	struct bl_buf body = BL_BUF_INIT;
	int64_t *ids = NULL, t = s->when + 300;
	size_t n = 0;
	int rc = -1;

	if (s->ncomments == 0)
		return 0;
	ids = bl_xmalloc(s->ncomments * sizeof(*ids));
	for (unsigned i = 0; i < s->ncomments; i++) {
		struct st_comment c;
		char author[96], email[160], ip[32];
		size_t f = pick(NELEM(first_names)), l = pick(NELEM(last_names));
		unsigned r = (unsigned)pick(100);

		memset(&c, 0, sizeof(c));
		snprintf(author, sizeof(author), "%s %s", first_names[f], last_names[l]);
		snprintf(email, sizeof(email), "%s.%s%u@example.org", first_names[f],
		    last_names[l], (unsigned)pick(500));
		snprintf(ip, sizeof(ip), "10.%u.%u.%u", (unsigned)pick(256),
		    (unsigned)pick(256), (unsigned)between(1, 254));
		bl_buf_reset(&body);
		for (size_t k = between(1, 5); k > 0; k--)
			sentence(&body, 5, 24, 1);
		if (pick(100) < 15) {
			bl_buf_puts(&body, "\n\n");
			sentence(&body, 5, 20, 1);
		}
		if (bl_buf_err(&body)) {
			bl_errf(err, "cannot build a comment: out of memory");
			goto out;
		}
		c.article_id = s->id;
		/* A third are replies, mostly to recent comments. */
		c.parent_id = n > 0 && pick(100) < 33 ?
		    ids[n - 1 - (pick(3) == 0 ? pick(n) : pick(n < 4 ? n : 4))] : 0;
		c.author = author;
		c.email = email;
		c.url = pick(100) < 10 ? "https://example.org/blog" : "";
		c.body = body.s;
		c.ip = ip;
		c.status = r < 92 ? STC_APPROVED : (r < 98 ? STC_PENDING : STC_SPAM);
		t += (int64_t)between(20, 3600);
		c.created_at = t;
		if (store_comment_add(g->st, &c, &ids[n], err) < 0)
			goto out;
		n++;
		if (batch_step(g, err) < 0)
			goto out;
	}
	rc = 0;
out:
	free(ids);
	bl_buf_release(&body);
	return rc;
}

/* An ASCII lowercase copy; caller frees. */
static char *
lower(const char *s)
{
	char *t = bl_xstrdup(s);

	for (char *c = t; *c; c++)
		if (*c >= 'A' && *c <= 'Z')
			*c = (char)(*c - 'A' + 'a');
	return t;
}

static int
cmp_u(const void *a, const void *b)
{
	unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;

	return x < y ? -1 : x > y;
}

/* --------------------------------------------------- staging and copy */

/*
 * Adding a published article recomputes the related lists of up to a
 * hundred and sixty others (docs/related.md), which makes adding stories
 * one by one quadratic in practice. So the stories are written as drafts
 * into a staging database, with their comments, and then copied into the
 * site through the store's whole-site copy (the one `byline migrate`
 * uses), published on the way with their dates; the copy builds the search
 * index, and store_related_rebuild computes every related list once.
 */
struct copy_ctx {
	int near;                 /* write nearby related lists (no rebuild) */
	struct store *to;
	const struct st_table *t;
	const struct story *stories;
	size_t n;
};

static const struct story *
story_by_id(const struct copy_ctx *c, int64_t id)
{
	size_t lo = 0, hi = c->n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (c->stories[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < c->n && c->stories[lo].id == id ? &c->stories[lo] : NULL;
}

static int
copy_row(void *ctx, const struct st_value *v, struct bl_err *err)
{
	struct copy_ctx *c = ctx;
	struct st_value row[32];
	const struct story *s;

	if (c->t->ncols > 32)
		return bl_errf(err, "table '%s' has too many columns", c->t->name);
	memcpy(row, v, c->t->ncols * sizeof(*row));
	if (strcmp(c->t->name, "articles") == 0 && c->t->ncols >= 14 &&
	    (s = story_by_id(c, row[0].i)) != NULL) {
		row[10].type = STV_INT, row[10].i = ST_PUBLISHED;
		row[11].type = STV_INT, row[11].i = s->when;
		row[12].type = STV_INT, row[12].i = s->when;
		row[13].type = STV_INT, row[13].i = s->when;
	} else if (strcmp(c->t->name, "article_tags") == 0 && c->t->ncols >= 5 &&
	    (s = story_by_id(c, row[0].i)) != NULL) {
		row[3].type = STV_INT, row[3].i = ST_PUBLISHED;
		row[4].type = STV_INT, row[4].i = s->when;
	}
	return store_copy_write(c->to, c->t, row, err);
}

/*
 * The quick stand-in for store_related_rebuild on large sites: each story
 * gets the STORE_RELATED_MAX stories before it in its own section (later
 * ones for the first few), so article pages have the same shape. The
 * scoring of docs/related.md is not applied.
 */
static int
near_related(struct copy_ctx *c, const struct st_table *t, struct bl_err *err)
{
	for (size_t i = 0; i < c->n; i++) {
		size_t pos = 0;

		for (size_t k = 1; k < c->n && pos < STORE_RELATED_MAX; k++) {
			const struct story *o = i >= k ? &c->stories[i - k] :
			    &c->stories[k];   /* before it, then after it */
			struct st_value row[4];

			if (o == &c->stories[i] || (i >= k && o->section !=
			    c->stories[i].section))
				continue;
			memset(row, 0, sizeof(row));
			row[0].type = STV_INT, row[0].i = c->stories[i].id;
			row[1].type = STV_INT, row[1].i = (int64_t)pos;
			row[2].type = STV_INT, row[2].i = o->id;
			row[3].type = STV_REAL, row[3].r = 0.5 - 0.05 * (double)pos;
			if (store_copy_write(c->to, t, row, err) < 0)
				return -1;
			pos++;
		}
	}
	return 0;
}

static int
copy_site(struct store *from, struct store *to, const struct story *stories,
    size_t n, int near, struct bl_err *err)
{
	struct copy_ctx c = { near, to, NULL, stories, n };

	if (store_copy_begin(to, err) < 0)
		return -1;
	for (size_t i = 0; i < store_ntables; i++) {
		c.t = &store_tables[i];
		if (store_copy_read(from, c.t, copy_row, &c, err) < 0 ||
		    (near && strcmp(c.t->name, "related") == 0 &&
		    near_related(&c, c.t, err) < 0)) {
			store_copy_abort(to);
			return -1;
		}
	}
	return store_copy_end(to, err);
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "articles", required_argument, NULL, 'a' },
		{ "comments", required_argument, NULL, 'c' },
		{ "authors", required_argument, NULL, 'u' },
		{ "tags", required_argument, NULL, 't' },
		{ "seed", required_argument, NULL, 's' },
		{ "related", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct gen g;
	struct bl_err err;
	struct story *stories = NULL;
	struct store *site_st = NULL;
	struct timespec t0, t1, t2, t3;
	size_t narticles = 10000, ncomments = 100000, nauthors = 300, ntags = 3000;
	unsigned long long seed = 1;
	double *weight = NULL, sum = 0, t_articles, t_comments, t_copy, t_related;
	int64_t now, span;
	size_t typical = 0, ncounts = 0, comments_added = 0, plen;
	unsigned *counts = NULL, median = 0;
	FILE *f = NULL;
	char *envpath = NULL, *stage = NULL, *tag_slug = NULL, *section_slug = NULL;
	int c, rc = 1, near = 0;

	memset(&g, 0, sizeof(g));
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'a': narticles = strtoull(optarg, NULL, 10); break;
		case 'c': ncomments = strtoull(optarg, NULL, 10); break;
		case 'u': nauthors = strtoull(optarg, NULL, 10); break;
		case 't': ntags = strtoull(optarg, NULL, 10); break;
		case 's': seed = strtoull(optarg, NULL, 10); break;
		case 'r': near = strcmp(optarg, "near") == 0; break;
		case 'h': fputs(usage_text, stdout); return 0;
		default: fputs(usage_text, stderr); return 2;
		}
	}
	if (optind + 1 != argc || narticles < 10 || nauthors < 1 || ntags < 10) {
		fputs(usage_text, stderr);
		return 2;
	}
	rng_state ^= seed * 0x2545f4914f6cdd1dULL;
	if (rng_state == 0)
		rng_state = 1;
	if (media_init(argv[0], &err) < 0 ||
	    site_open(argv[optind], &g.site, &err) < 0) {
		fprintf(stderr, "bench-gen: %s\n", err.msg);
		return 1;
	}
	plen = strlen(argv[optind]) + 32;
	stage = bl_xmalloc(plen);
	snprintf(stage, plen, "%s/bench-stage.db", argv[optind]);
	envpath = bl_xmalloc(plen);
	snprintf(envpath, plen, "%s/bench.env", argv[optind]);
	remove(stage);
	if (store_open(stage, &g.st, &err) < 0)
		goto fail;
	zipf_init(&vocab_z, NELEM(vocab), 1.0, 8.0);
	make_rare();
	make_names(&g, nauthors, ntags);
	if (make_photos(&g, &err) < 0)
		goto fail;

	/* Stories over the last year (three for large sites), oldest first,
	 * about evenly spread. */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	stories = bl_xcalloc(narticles, sizeof(*stories));
	now = (int64_t)time(NULL) - 3600;
	span = (int64_t)365 * 86400 * (narticles > 20000 ? 3 : 1);
	if (store_batch_begin(g.st, &err) < 0)
		goto fail;
	for (size_t i = 0; i < narticles; i++) {
		struct bl_arena a = BL_ARENA_INIT;
		size_t nph, nt;
		char *path;

		stories[i].when = now - span + (int64_t)((double)span * (double)i /
		    (double)narticles) + (int64_t)pick(600);
		stories[i].section = (int)pick(NELEM(sections));
		if (add_article(&g, stories[i].when, stories[i].section,
		    &stories[i].id, &path, &nph, &nt, &a, &err) < 0) {
			bl_arena_release(&a);
			goto fail;
		}
		stories[i].path = bl_xstrdup(path);
		stories[i].good = nph > 0 && nt >= 3;
		bl_arena_release(&a);
		if (batch_step(&g, &err) < 0)
			goto fail;
		if ((i + 1) % 10000 == 0)
			fprintf(stderr, "bench-gen: %zu articles (%.1f s)\n", i + 1, since(&t0));
	}
	if (store_batch_commit(g.st, &err) < 0)
		goto fail;
	t_articles = since(&t0);

	/* Comments: a third of the stories get none; the rest a share drawn
	 * from a log-normal, so a few stories draw hundreds. */
	weight = bl_xmalloc(narticles * sizeof(*weight));
	for (size_t i = 0; i < narticles; i++) {
		double u1 = unit(), u2 = unit(), z;

		if (u1 < 1e-12)
			u1 = 1e-12;
		z = sqrt(-2 * log(u1)) * cos(2 * M_PI * u2);
		weight[i] = pick(3) == 0 ? 0 : exp(1.3 * z);
		sum += weight[i];
		weight[i] = sum;
	}
	for (size_t k = 0; k < ncomments && sum > 0; k++) {
		double u = unit() * sum;
		size_t lo = 0, hi = narticles - 1;

		while (lo < hi) {
			size_t mid = (lo + hi) / 2;
			if (weight[mid] < u)
				lo = mid + 1;
			else
				hi = mid;
		}
		stories[lo].ncomments++;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	g.pending = 0;
	if (store_batch_begin(g.st, &err) < 0)
		goto fail;
	for (size_t i = 0; i < narticles; i++) {
		if (add_comments(&g, &stories[i], &err) < 0)
			goto fail;
		comments_added += stories[i].ncomments;
		if (comments_added / 100000 != (comments_added - stories[i].ncomments) / 100000)
			fprintf(stderr, "bench-gen: %zu comments (%.1f s)\n", comments_added,
			    since(&t1));
	}
	if (store_batch_commit(g.st, &err) < 0)
		goto fail;
	t_comments = since(&t1);

	/* Into the site, published. */
	clock_gettime(CLOCK_MONOTONIC, &t2);
	if ((site_st = site_store(g.site, &err)) == NULL ||
	    copy_site(g.st, site_st, stories, narticles, near, &err) < 0)
		goto fail;
	t_copy = since(&t2);
	fprintf(stderr, "bench-gen: copied into the site (%.1f s)\n", t_copy);
	clock_gettime(CLOCK_MONOTONIC, &t3);
	if (!near && store_related_rebuild(site_st, &err) < 0)
		goto fail;
	t_related = since(&t3);
	fprintf(stderr, "bench-gen: related articles (%.1f s)\n", t_related);

	/* The typical story: the median count among stories with comments
	 * (capped at 20), the newest such with a photo and three tags. */
	counts = bl_xmalloc(narticles * sizeof(*counts));
	for (size_t i = 0; i < narticles; i++)
		if (stories[i].ncomments > 0)
			counts[ncounts++] = stories[i].ncomments;
	if (ncounts) {
		qsort(counts, ncounts, sizeof(*counts), cmp_u);
		median = counts[ncounts / 2];
	}
	if (median > 20)
		median = 20;
	typical = narticles - 1;
	for (size_t i = narticles; i-- > 0;) {
		unsigned d = stories[i].ncomments > median ?
		    stories[i].ncomments - median : median - stories[i].ncomments;
		if (stories[i].good && d <= median / 4) {
			typical = i;
			break;
		}
	}

	if ((f = fopen(envpath, "w")) == NULL) {
		bl_errf(&err, "cannot write '%s'", envpath);
		goto fail;
	}
	fprintf(f, "GEN_ARTICLES=%zu\nGEN_COMMENTS=%zu\nGEN_RELATED=%s\n", narticles,
	    comments_added, near ? "near" : "full");
	fprintf(f, "GEN_SECONDS_ARTICLES=%.1f\nGEN_SECONDS_COMMENTS=%.1f\n"
	    "GEN_SECONDS_COPY=%.1f\nGEN_SECONDS_RELATED=%.1f\n",
	    t_articles, t_comments, t_copy, t_related);
	fprintf(f, "ARTICLE_PATH=%s\nARTICLE_COMMENTS=%u\n", stories[typical].path,
	    stories[typical].ncomments);
	/* A hundred stories of the newer half, for the comment posters. */
	fputs("POST_PATHS='", f);
	for (size_t i = 0; i < 100 && i < narticles; i++)
		fprintf(f, "%s%s", i ? " " : "",
		    stories[narticles - 1 - (i * 7919) % (narticles / 2 + 1)].path);
	fputs("'\n", f);
	/* The second most used tag and a section: one-word names, so their
	 * slugs are their lowercase forms. */
	tag_slug = lower(g.tags[1]);
	section_slug = lower(sections[1]);
	fprintf(f, "TAG_SLUG=%s\nSECTION_SLUG=%s\n", tag_slug, section_slug);
	fputs("SEARCH_WORDS='police harbour budget'\n", f);
	if (fclose(f) != 0) {
		f = NULL;
		bl_errf(&err, "cannot write '%s'", envpath);
		goto fail;
	}
	printf("generated %zu articles in %.1f s, %zu comments in %.1f s; "
	    "copy %.1f s, related %.1f s\n", narticles, t_articles, comments_added,
	    t_comments, t_copy, t_related);
	rc = 0;
	goto out;
fail:
	fprintf(stderr, "bench-gen: %s\n", err.msg);
out:
	if (site_st)
		site_store_put(g.site, site_st);
	store_close(g.st);
	site_close(g.site);
	if (stage) {
		char *p = bl_xmalloc(plen + 8);

		remove(stage);
		snprintf(p, plen + 8, "%s-wal", stage);
		remove(p);
		snprintf(p, plen + 8, "%s-shm", stage);
		remove(p);
		free(p);
	}
	for (size_t i = 0; stories && i < narticles; i++)
		free(stories[i].path);
	free(stories);
	free(weight);
	free(counts);
	free(envpath);
	free(stage);
	free(tag_slug);
	free(section_slug);
	return rc;
}
