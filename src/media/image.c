/*
 * Image work through libvips: start-up, header reads, demo illustrations.
 * Built as the loadable module byline-media.so (media.c loads it on first
 * use), so programs that never touch an image never load libvips and the
 * hundred libraries it brings.
 */
#include "media/module.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <vips/vips.h>

#include "core/alloc.h"

#define DEMO_MIN_SIDE 16
#define DEMO_MAX_SIDE 8000
#define DEMO_QUALITY 82
#define MAX_CRANES 3
#define MAX_THREADS 4
#define CLOUD_STEP 4      /* cloud field resolution, pixels per sample */

/*
 * Copies libvips' pending error text into `err` as one lowercase line and
 * clears it, so a later failure does not repeat an old message.
 */
static int
vips_fail(struct bl_err *err, const char *what, const char *path)
{
	char detail[256];
	const char *v = vips_error_buffer();
	size_t i, n;

	n = 0;
	for (i = 0; v[i] != '\0' && v[i] != '\n' && n + 1 < sizeof(detail); i++)
		detail[n++] = v[i];
	while (n > 0 && (detail[n - 1] == '.' || detail[n - 1] == ' '))
		n--;
	detail[n] = '\0';
	vips_error_clear();
	if (n == 0)
		return bl_errf(err, "%s '%s'", what, path);
	return bl_errf(err, "%s '%s': %s", what, path, detail);
}

/*
 * libvips is started on first use, once per process: starting it costs
 * tens of milliseconds (it loads its format modules), and `byline serve`
 * never needs it, so the server starts without it. The once-flag is the
 * library's own global state, not ours to share.
 */
static pthread_once_t vips_once = PTHREAD_ONCE_INIT;
static int vips_rc = -1;

static void
vips_start(void)
{
	vips_rc = VIPS_INIT("byline") != 0 ? -1 : 0;
}

static int
mod_init(struct bl_err *err)
{
	pthread_once(&vips_once, vips_start);
	if (vips_rc != 0)
		return vips_fail(err, "cannot start libvips for", "byline");
	return 0;
}

static int
mod_image_size(const char *path, int *width, int *height,
    struct bl_err *err)
{
	struct stat st;
	VipsImage *im;

	if (mod_init(err) < 0)
		return -1;
	if (stat(path, &st) != 0)
		return bl_errf(err, "cannot open '%s': %s", path,
		    strerror(errno));
	if (!S_ISREG(st.st_mode))
		return bl_errf(err, "'%s' is not a regular file", path);
	if (!vips_foreign_find_load(path)) {
		vips_error_clear();
		return bl_errf(err, "'%s' is not an image in a known format",
		    path);
	}
	im = vips_image_new_from_file(path, "access",
	    VIPS_ACCESS_SEQUENTIAL, NULL);
	if (im == NULL)
		return vips_fail(err, "cannot read image", path);
	*width = vips_image_get_width(im);
	*height = vips_image_get_height(im);
	g_object_unref(im);
	return 0;
}

/* ---------------------------------------------------------------------- */
/* Deterministic randomness: a seeded generator and lattice value noise.   */
/* ---------------------------------------------------------------------- */

struct rng {
	uint64_t s;
};

static uint32_t
rng_next(struct rng *r)
{
	uint64_t z = (r->s += 0x9E3779B97F4A7C15ULL);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return (uint32_t)((z ^ (z >> 31)) >> 32);
}

/* A float in [lo, hi). */
static float
rng_range(struct rng *r, float lo, float hi)
{
	return lo + (hi - lo) * (float)(rng_next(r) >> 8) / 16777216.0f;
}

static uint32_t
hash32(uint32_t x)
{
	x ^= x >> 16;
	x *= 0x7FEB352DU;
	x ^= x >> 15;
	x *= 0x846CA68BU;
	x ^= x >> 16;
	return x;
}

static float
lattice(uint32_t seed, int32_t ix, int32_t iy)
{
	uint32_t h;

	h = hash32(seed ^ ((uint32_t)ix * 0x8DA6B343U) ^
	    ((uint32_t)iy * 0xD8163841U));
	return (float)(h >> 8) / 16777216.0f;
}

static float
smooth(float t)
{
	return t * t * (3.0f - 2.0f * t);
}

static float
noise2(uint32_t seed, float x, float y)
{
	float fx = floorf(x), fy = floorf(y);
	int32_t ix = (int32_t)fx, iy = (int32_t)fy;
	float u = smooth(x - fx), v = smooth(y - fy);
	float a = lattice(seed, ix, iy), b = lattice(seed, ix + 1, iy);
	float c = lattice(seed, ix, iy + 1), d = lattice(seed, ix + 1, iy + 1);

	return (a + (b - a) * u) + ((c + (d - c) * u) - (a + (b - a) * u)) * v;
}

/* Fractal sum of `oct` octaves, in [0, 1], clustered around 0.5. */
static float
fbm2(uint32_t seed, float x, float y, int oct)
{
	float sum = 0, amp = 1, norm = 0;
	int i;

	for (i = 0; i < oct; i++) {
		sum += amp * noise2(seed + (uint32_t)i * 1013U, x, y);
		norm += amp;
		amp *= 0.5f;
		x = x * 2.03f + 17.1f;
		y = y * 2.03f + 5.3f;
	}
	return sum / norm;
}

static float
fbm1(uint32_t seed, float x, int oct)
{
	return fbm2(seed, x, 0.5f, oct);
}

static float
clampf(float v, float lo, float hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

static float
maxf(float a, float b)
{
	return a > b ? a : b;
}

static float
minf(float a, float b)
{
	return a < b ? a : b;
}

static float
smoothstep(float e0, float e1, float x)
{
	return smooth(clampf((x - e0) / (e1 - e0), 0.0f, 1.0f));
}

static void
mix3(float c[3], const float d[3], float t)
{
	c[0] += (d[0] - c[0]) * t;
	c[1] += (d[1] - c[1]) * t;
	c[2] += (d[2] - c[2]) * t;
}

/* ---------------------------------------------------------------------- */
/* Scene description.                                                      */
/* ---------------------------------------------------------------------- */

struct palette {
	float zenith[3], horizon[3], sun[3], haze[3];
	float land_far[3], land_near[3], water[3];
	float cloud[3], shade[3];
	float cover;        /* cloud threshold: lower means more cloud */
	float lights;       /* share of lit windows */
	float sun_alt;      /* sun height over the horizon, fraction of H */
	float sun_glow;
};

/* Times of day and weather; each seed picks one and varies it. */
static const struct palette palettes[] = {
	{ /* golden hour */
		{ .27f, .42f, .66f }, { .98f, .78f, .52f }, { 1, .93f, .75f },
		{ .95f, .76f, .58f }, { .47f, .41f, .46f }, { .16f, .17f, .15f },
		{ .14f, .22f, .30f }, { 1, .86f, .72f }, { .56f, .46f, .52f },
		.56f, .25f, .07f, .9f },
	{ /* clear morning */
		{ .22f, .47f, .80f }, { .78f, .88f, .95f }, { 1, 1, .94f },
		{ .80f, .87f, .92f }, { .50f, .60f, .68f }, { .22f, .34f, .20f },
		{ .10f, .31f, .45f }, { .98f, .98f, 1 }, { .68f, .73f, .82f },
		.6f, 0, .32f, .5f },
	{ /* dusk */
		{ .08f, .11f, .26f }, { .88f, .47f, .34f }, { 1, .62f, .40f },
		{ .56f, .39f, .46f }, { .23f, .19f, .29f }, { .06f, .06f, .09f },
		{ .05f, .07f, .14f }, { .78f, .47f, .50f }, { .26f, .21f, .31f },
		.58f, .9f, -.02f, 1 },
	{ /* overcast */
		{ .52f, .56f, .61f }, { .80f, .81f, .82f }, { .95f, .95f, .93f },
		{ .76f, .77f, .79f }, { .50f, .53f, .55f }, { .24f, .28f, .25f },
		{ .33f, .39f, .42f }, { .86f, .87f, .89f }, { .50f, .53f, .57f },
		.40f, .15f, .3f, .25f },
	{ /* summer noon */
		{ .10f, .42f, .74f }, { .66f, .85f, .93f }, { 1, 1, .96f },
		{ .72f, .85f, .90f }, { .42f, .56f, .52f }, { .33f, .43f, .17f },
		{ .04f, .38f, .50f }, { 1, 1, 1 }, { .72f, .78f, .86f },
		.62f, 0, .45f, .4f },
	{ /* misty winter dawn */
		{ .44f, .53f, .69f }, { .96f, .85f, .80f }, { 1, .90f, .82f },
		{ .90f, .84f, .84f }, { .62f, .63f, .71f }, { .30f, .31f, .37f },
		{ .40f, .47f, .58f }, { .98f, .90f, .88f }, { .66f, .64f, .72f },
		.55f, .1f, .12f, .8f },
};

struct crane {
	float x, top, jib_l, jib_r, thick, cable;
};

struct scene {
	int w, h;
	int hz;             /* first row below the horizon */
	uint32_t seed;
	struct palette pal;
	int water;          /* 1: sea below the horizon, 0: fields */
	float sunx, suny, sunr;
	float *far;         /* per column: top row of the distant ridge */
	float *mid;         /* per column: top row of the nearer hills */
	float *city;        /* per column: roof row, or +inf without building */
	int *bid;           /* per column: building number, or -1 */
	float city_base;
	float city_x0, city_x1; /* columns the skyline spans; equal if none */
	struct crane cranes[MAX_CRANES];
	int ncranes;
	float fields[3];    /* land scene: base rows of the field layers */
	float *ftop;        /* land scene: per layer and column, field top row */
	float *ftree;       /* land scene: per layer and column, tree line row */
	float shore;        /* water scene: foreground shore base row, or 0 */
	float *stop;        /* per column: top row of the shore */
	float *skyt;        /* per row: horizon blend of the sky gradient */
	float *cloud;       /* low-resolution cloud density over the sky */
	float *lit;         /* low-resolution cloud lighting */
	int cw, ch;
};

static void
jitter(struct rng *r, float c[3], float amount)
{
	int i;
	float d = rng_range(r, -amount, amount);

	for (i = 0; i < 3; i++)
		c[i] = clampf(c[i] + d + rng_range(r, -amount, amount) * 0.5f,
		    0.0f, 1.0f);
}

static void
plan_city(struct scene *s, struct rng *r)
{
	float x0, x1, cur, span, bw, env, bh;
	int x, id = 0, i;

	for (x = 0; x < s->w; x++) {
		s->city[x] = INFINITY;
		s->bid[x] = -1;
	}
	s->city_x0 = s->city_x1 = 0;
	if (rng_range(r, 0, 1) < 0.3f)
		return;
	span = rng_range(r, 0.3f, 0.75f) * (float)s->w;
	x0 = rng_range(r, -0.1f, 1.0f) * ((float)s->w - span * 0.8f);
	x1 = x0 + span;
	s->city_x0 = x0;
	s->city_x1 = x1;
	cur = x0;
	while (cur < x1) {
		bw = rng_range(r, 0.012f, 0.05f) * (float)s->h;
		env = sinf(3.14159f * clampf((cur + bw / 2 - x0) / span, 0, 1));
		bh = (float)s->h * (0.012f + 0.12f * powf(env, 0.8f) *
		    powf(rng_range(r, 0.1f, 1.0f), 1.6f));
		if (rng_range(r, 0, 1) < 0.07f)
			bh *= 1.6f;
		for (i = (int)cur; i < (int)(cur + bw) && i < s->w; i++) {
			if (i < 0)
				continue;
			s->city[i] = s->city_base - bh;
			s->bid[i] = id;
		}
		id++;
		cur += bw;
		if (rng_range(r, 0, 1) < 0.2f)
			cur += rng_range(r, 0.0f, 0.015f) * (float)s->h;
	}
}

static void
plan_cranes(struct scene *s, struct rng *r)
{
	struct crane *c;
	float h = (float)s->h;
	int i, n;

	n = rng_range(r, 0, 1) < 0.55f ? 1 + (int)rng_range(r, 0, 3) : 0;
	if (n > MAX_CRANES)
		n = MAX_CRANES;
	if (s->city_x1 <= s->city_x0)
		n = 0;          /* a harbour needs a town */
	for (i = 0; i < n; i++) {
		c = &s->cranes[i];
		c->x = clampf(rng_range(r, s->city_x0 - 0.05f * h,
		    s->city_x1 + 0.05f * h), 0.04f * (float)s->w,
		    0.9f * (float)s->w);
		c->top = (float)s->hz - h * rng_range(r, 0.12f, 0.2f);
		c->jib_l = h * rng_range(r, 0.02f, 0.04f);
		c->jib_r = h * rng_range(r, 0.06f, 0.11f);
		c->thick = maxf(1.0f, h * 0.0035f);
		c->cable = h * rng_range(r, 0.03f, 0.08f);
	}
	s->ncranes = n;
}

static void
plan(struct scene *s, unsigned seed)
{
	struct rng r = { (uint64_t)seed * 0x2545F4914F6CDD1DULL + 1 };
	float h = (float)s->h, a, b, off;
	size_t npal = sizeof(palettes) / sizeof(palettes[0]);
	int x;

	s->seed = hash32(seed + 0x51ED270BU);
	s->pal = palettes[rng_next(&r) % npal];
	jitter(&r, s->pal.zenith, 0.04f);
	jitter(&r, s->pal.horizon, 0.04f);
	jitter(&r, s->pal.land_far, 0.04f);
	jitter(&r, s->pal.land_near, 0.03f);
	jitter(&r, s->pal.water, 0.03f);
	s->pal.cover += rng_range(&r, -0.05f, 0.05f);
	s->water = rng_range(&r, 0, 1) < 0.7f;
	s->hz = (int)(h * rng_range(&r, 0.55f, 0.68f));
	s->sunx = rng_range(&r, 0.15f, 0.85f) * (float)s->w;
	s->suny = (float)s->hz - h * (s->pal.sun_alt + rng_range(&r, 0, 0.1f));
	s->sunr = h * rng_range(&r, 0.022f, 0.035f);
	s->city_base = s->water ? (float)s->hz : (float)s->hz + h * 0.02f;

	a = h * rng_range(&r, 0.06f, 0.16f);
	b = h * rng_range(&r, 0.03f, 0.07f);
	off = rng_range(&r, 0, 100);
	for (x = 0; x < s->w; x++) {
		float u = (float)x / h;

		s->far[x] = (float)s->hz - h * 0.01f -
		    a * fbm1(s->seed + 1, u * 1.6f + off, 5);
		s->mid[x] = (float)s->hz + h * 0.004f -
		    b * smoothstep(0.35f, 0.75f,
		    fbm1(s->seed + 2, u * 2.5f + off, 5)) * 1.4f;
	}
	plan_city(s, &r);
	s->ncranes = 0;
	if (s->water)
		plan_cranes(s, &r);
	s->fields[0] = (float)s->hz + h * rng_range(&r, 0.02f, 0.05f);
	s->fields[1] = (float)s->hz + h * rng_range(&r, 0.09f, 0.16f);
	s->fields[2] = h * rng_range(&r, 0.86f, 0.95f);
	s->shore = s->water && rng_range(&r, 0, 1) < 0.45f ?
	    h * rng_range(&r, 0.9f, 0.97f) : 0;
	for (x = 0; x < s->w; x++) {
		float u = (float)x / h;
		int k;

		for (k = 0; k < 3; k++) {
			size_t i = (size_t)k * (size_t)s->w + (size_t)x;
			float fk = (float)k;

			s->ftop[i] = s->fields[k] - h * (0.025f + 0.02f * fk) *
			    fbm1(s->seed + 20 + (uint32_t)k, u * (2.0f + fk), 4);
			s->ftree[i] = s->ftop[i] - h * (0.06f + 0.03f * fk) *
			    maxf(0, fbm1(s->seed + 30 + (uint32_t)k,
			    u * (18.0f - 4.0f * fk), 5) - 0.5f);
		}
		s->stop[x] = s->shore - h * 0.05f *
		    fbm1(s->seed + 60, u * 3.0f, 4);
	}
	for (x = 0; x < s->hz; x++)
		s->skyt[x] = powf((float)x / (float)s->hz, 1.7f);
}

/* ---------------------------------------------------------------------- */
/* Rendering.                                                              */
/* ---------------------------------------------------------------------- */

/* Cloud density and lighting at low resolution over the sky. */
static void
render_clouds(struct scene *s, int gy0, int gy1)
{
	float h = (float)s->h, lx, ly, len;
	int gx, gy;

	lx = s->sunx - (float)s->w / 2;
	ly = (float)s->hz - s->suny;
	len = sqrtf(lx * lx + ly * ly) + 1e-3f;
	lx /= len;
	ly /= len;
	for (gy = gy0; gy < gy1; gy++) {
		float y = (float)(gy * CLOUD_STEP), e = 1.0f - clampf(y / (float)s->hz,
		    0, 1);
		float z = 1.0f / (e + 0.15f);
		float fade = smoothstep(0.0f, 0.15f, e);

		for (gx = 0; gx < s->cw; gx++) {
			float x = (float)(gx * CLOUD_STEP);
			float X = (x - (float)s->w / 2) / h * z * 1.3f;
			float Z = z * 1.7f;
			float n = fbm2(s->seed + 7, X, Z, 5);
			float n2 = fbm2(s->seed + 7, X + lx * 0.09f,
			    Z - ly * 0.09f, 3);
			size_t i = (size_t)gy * (size_t)s->cw + (size_t)gx;

			s->cloud[i] = smoothstep(s->pal.cover,
			    s->pal.cover + 0.17f, n) * fade;
			s->lit[i] = clampf(0.62f + (n - n2) * 5.0f, 0, 1);
		}
	}
}

static float
sample_low(const struct scene *s, const float *f, int x, int y)
{
	float fx = (float)x / CLOUD_STEP, fy = (float)y / CLOUD_STEP;
	int ix = (int)fx, iy = (int)fy;
	float u = fx - (float)ix, v = fy - (float)iy;
	size_t w = (size_t)s->cw;
	const float *p;

	if (ix >= s->cw - 1)
		ix = s->cw - 2, u = 1;
	if (iy >= s->ch - 1)
		iy = s->ch - 2, v = 1;
	p = f + (size_t)iy * w + (size_t)ix;
	return (p[0] * (1 - u) + p[1] * u) * (1 - v) +
	    (p[w] * (1 - u) + p[w + 1] * u) * v;
}

/* Coverage of pixel [a, a+1) by the interval [lo, hi). */
static float
span_cover(float a, float lo, float hi)
{
	float l = maxf(a, lo), r = minf(a + 1.0f, hi);

	return r > l ? r - l : 0.0f;
}

static void
sky(const struct scene *s, int x, int y, float c[3])
{
	const struct palette *p = &s->pal;
	float dx = ((float)x + 0.5f - s->sunx) / (float)s->h;
	float dy = ((float)y + 0.5f - s->suny) / (float)s->h;
	float d = sqrtf(dx * dx + dy * dy), glow, dens, cc[3], e, e4;
	int i;

	memcpy(c, p->zenith, sizeof(float) * 3);
	mix3(c, p->horizon, y < s->hz ? s->skyt[y] : 1.0f);
	e = expf(-d * 7.0f);
	e4 = e * e;
	e4 *= e4;
	glow = p->sun_glow * (e * 0.55f + e4 * 0.5f);
	for (i = 0; i < 3; i++)
		c[i] += p->sun[i] * glow;
	if (p->cover > 0.45f && s->suny < (float)s->hz) {
		float disc = smoothstep(s->sunr / (float)s->h,
		    s->sunr / (float)s->h - 1.5f / (float)s->h, d);

		for (i = 0; i < 3; i++)
			c[i] += p->sun[i] * disc;
	}
	dens = sample_low(s, s->cloud, x, y);
	if (dens > 0.002f) {
		memcpy(cc, p->shade, sizeof(cc));
		mix3(cc, p->cloud, sample_low(s, s->lit, x, y));
		for (i = 0; i < 3; i++)
			cc[i] += p->sun[i] * glow * (0.4f + 0.8f * (1 - dens));
		mix3(c, cc, dens * 0.96f);
	}
}

static void
upper(const struct scene *s, int x, int y, float c[3])
{
	const struct palette *p = &s->pal;
	float fy = (float)y, cov, col[3], fog;
	int k;

	cov = clampf(fy + 1.0f - s->far[x], 0, 1);
	if (cov < 1)
		sky(s, x, y, c);
	else
		memset(c, 0, sizeof(float) * 3);
	if (cov > 0) {
		memcpy(col, p->land_far, sizeof(col));
		fog = 0.55f + 0.35f * smoothstep(s->far[x], (float)s->hz, fy);
		mix3(col, p->haze, fog);
		mix3(c, col, cov);
	}
	cov = clampf(fy + 1.0f - s->mid[x], 0, 1);
	if (cov > 0) {
		memcpy(col, p->land_far, sizeof(col));
		mix3(col, p->land_near, 0.35f);
		mix3(col, p->haze, 0.3f);
		mix3(c, col, cov);
	}
	if (s->bid[x] >= 0 && fy + 1.0f > s->city[x] && fy < s->city_base) {
		uint32_t b = (uint32_t)s->bid[x];
		float tone = lattice(s->seed + 11, (int32_t)b, 0);
		float cell = maxf(3.0f, (float)s->h * 0.0065f);
		int col_i = (int)((float)x / cell), row_i = (int)(fy / (cell * 1.4f));
		float in_x = (float)x / cell - (float)col_i;
		float in_y = fy / (cell * 1.4f) - (float)row_i;

		float lum = 0.3f * p->land_near[0] + 0.55f * p->land_near[1] +
		    0.15f * p->land_near[2];

		col[0] = lum * 1.1f + 0.04f;
		col[1] = lum * 1.1f + 0.05f;
		col[2] = lum * 1.1f + 0.08f;
		mix3(col, p->haze, 0.3f + 0.25f * tone);
		cov = clampf(fy + 1.0f - s->city[x], 0, 1);
		if (in_x > 0.3f && in_x < 0.75f && in_y > 0.35f &&
		    in_y < 0.8f && fy > s->city[x] + cell &&
		    lattice(s->seed + 12 + b, col_i, row_i) < p->lights * 0.45f) {
			float win[3] = { 1.0f, .82f, .52f };

			mix3(col, win, 0.55f + 0.3f * p->lights);
		}
		mix3(c, col, cov);
	}
	for (k = 0; k < s->ncranes; k++) {
		const struct crane *cr = &s->cranes[k];
		float dark[3], a = 0, fx = (float)x;

		if (fx + 1.0f < cr->x - cr->jib_l || fx > cr->x + cr->jib_r ||
		    fy + 1.0f < cr->top - cr->thick * 4)
			continue;

		dark[0] = dark[1] = dark[2] = 0.3f * p->land_near[0] +
		    0.55f * p->land_near[1] + 0.15f * p->land_near[2];
		mix3(dark, p->haze, 0.22f);
		a = maxf(a, span_cover(fx, cr->x, cr->x + cr->thick * 1.5f) *
		    span_cover(fy, cr->top, (float)s->hz));
		a = maxf(a, span_cover(fx, cr->x - cr->jib_l, cr->x + cr->jib_r) *
		    span_cover(fy, cr->top, cr->top + cr->thick));
		a = maxf(a, span_cover(fx, cr->x - cr->jib_l,
		    cr->x - cr->jib_l * 0.6f) *
		    span_cover(fy, cr->top, cr->top + cr->thick * 3.5f));
		a = maxf(a, span_cover(fx, cr->x + cr->jib_r * 0.8f,
		    cr->x + cr->jib_r * 0.8f + 1.0f) *
		    span_cover(fy, cr->top, cr->top + cr->cable));
		a = maxf(a, span_cover(fx, cr->x - cr->thick, cr->x + cr->thick * 2.5f) *
		    span_cover(fy, cr->top - cr->thick * 4, cr->top));
		if (a > 0)
			mix3(c, dark, a);
	}
	if (s->water) {
		float band = maxf(1.5f, (float)s->h * 0.005f);

		cov = span_cover(fy, (float)s->hz - band, (float)s->hz);
		if (cov > 0) {
			memcpy(col, p->land_near, sizeof(col));
			mix3(col, p->haze, 0.28f);
			mix3(c, col, cov);
		}
	}
}

static void
fields(const struct scene *s, int x, int y, float c[3])
{
	const struct palette *p = &s->pal;
	float fy = (float)y, fx = (float)x, h = (float)s->h;
	int k, i;

	for (k = 0; k < 3; k++) {
		size_t j = (size_t)k * (size_t)s->w + (size_t)x;
		float top = s->ftop[j], cov, col[3], near, patch, tex;

		cov = clampf(fy + 1.0f - s->ftree[j], 0, 1);
		if (cov <= 0)
			continue;
		near = (float)(k + 1) / 3.0f;
		memcpy(col, p->land_far, sizeof(col));
		mix3(col, p->land_near, 0.35f + 0.65f * near);
		if (fy < top) {
			for (i = 0; i < 3; i++)
				col[i] *= 0.62f;
		} else {
			float ochre[3] = { col[0] * 1.35f + 0.05f,
			    col[1] * 1.12f + 0.03f, col[2] * 0.75f };

			patch = noise2(s->seed + 40 + (uint32_t)k,
			    fx / h * (2.0f + 3.0f * near),
			    fy / h * (16.0f + 8.0f * near));
			mix3(col, ochre, smoothstep(0.5f, 0.68f, patch) * 0.45f);
			tex = noise2(s->seed + 44 + (uint32_t)k,
			    fx / h * (40.0f + 60.0f * near),
			    fy / h * (90.0f + 90.0f * near));
			for (i = 0; i < 3; i++)
				col[i] *= 0.9f + 0.18f * tex;
			/* sunlit crest, shadowed hollow */
			for (i = 0; i < 3; i++)
				col[i] *= 1.08f - 0.16f *
				    smoothstep(top, top + h * 0.08f, fy);
		}
		mix3(col, p->haze, 0.35f * (1.0f - near));
		mix3(c, col, cov);
	}
}

static void
read_px(const unsigned char *px, int w, int x, int y, float c[3])
{
	const unsigned char *q = px + ((size_t)y * (size_t)w + (size_t)x) * 3;

	c[0] = (float)q[0] / 255.0f;
	c[1] = (float)q[1] / 255.0f;
	c[2] = (float)q[2] / 255.0f;
}

static void
water(const struct scene *s, const unsigned char *px, int x, int y,
    float c[3])
{
	const struct palette *p = &s->pal;
	float h = (float)s->h, below = (float)(y - s->hz) + 1.0f;
	float depth = below / ((float)s->h - (float)s->hz);
	float z = 1.0f / (depth + 0.03f);
	float X = ((float)x - (float)s->w / 2) / h * z, wave, wave2;
	float refl[3], gl, dxs, k;
	int rx, ry, i;

	wave = fbm2(s->seed + 50, X * 2.0f, z * 9.0f, 2);
	wave2 = noise2(s->seed + 51, X * 6.0f, z * 30.0f);
	ry = 2 * s->hz - 1 - y +
	    (int)((wave - 0.5f) * below * 0.35f);
	rx = x + (int)((wave2 - 0.5f) * h * 0.01f * depth);
	ry = ry < 0 ? 0 : ry >= s->hz ? s->hz - 1 : ry;
	rx = rx < 0 ? 0 : rx >= s->w ? s->w - 1 : rx;
	read_px(px, s->w, rx, ry, refl);
	for (i = 0; i < 3; i++)
		refl[i] *= 0.86f;
	memcpy(c, p->water, sizeof(float) * 3);
	mix3(c, refl, 0.78f - 0.4f * depth);
	k = (wave - 0.5f) * 0.22f * minf(1.0f, depth * 4.0f);
	for (i = 0; i < 3; i++)
		c[i] *= 1.0f + k;
	if (p->cover > 0.45f) {
		dxs = ((float)x - s->sunx) / (h * (0.03f + 0.2f * depth));
		gl = dxs * dxs < 9.0f ? expf(-dxs * dxs) * wave2 * wave2 *
		    wave2 * wave2 * wave2 * 1.6f * p->sun_glow : 0.0f;
		for (i = 0; i < 3; i++)
			c[i] += p->sun[i] * gl;
	}
	if (s->shore > 0) {
		float cov = clampf((float)y + 1.0f - s->stop[x], 0, 1);

		if (cov > 0) {
			float col[3], tex = noise2(s->seed + 61,
			    (float)x / h * 60.0f, (float)y / h * 90.0f);

			memcpy(col, p->land_near, sizeof(col));
			for (i = 0; i < 3; i++)
				col[i] *= 0.75f + 0.25f * tex;
			mix3(c, col, cov);
		}
	}
}

static unsigned char
to_byte(float v)
{
	v = clampf(v, 0, 1);
	v = v + (smooth(v) - v) * 0.25f;       /* a gentle film curve */
	return (unsigned char)(v * 255.0f + 0.5f);
}

/* Vignette and film grain over the finished picture. */
static void
finish(const struct scene *s, unsigned char *px, int y0, int y1)
{
	int x, y, i;
	float cx = (float)s->w / 2, cy = (float)s->h / 2;

	for (y = y0; y < y1; y++) {
		float dy = ((float)y - cy) / cy;

		for (x = 0; x < s->w; x++) {
			unsigned char *q = px + ((size_t)y * (size_t)s->w +
			    (size_t)x) * 3;
			float dx = ((float)x - cx) / cx;
			float v = 1.0f - 0.16f * (dx * dx + dy * dy);
			float g = (float)(hash32(s->seed ^ hash32((uint32_t)x +
			    (uint32_t)y * 0x9E3779B1U)) & 255) / 255.0f - 0.5f;

			for (i = 0; i < 3; i++) {
				float val = (float)q[i] * v + g * 7.0f;

				q[i] = (unsigned char)clampf(val + 0.5f, 0, 255);
			}
		}
	}
}

static void
render_rows(const struct scene *s, unsigned char *px, int y0, int y1)
{
	float c[3];
	int x, y;

	for (y = y0; y < y1; y++) {
		for (x = 0; x < s->w; x++) {
			unsigned char *q = px + ((size_t)y * (size_t)s->w +
			    (size_t)x) * 3;

			if (y < s->hz)
				upper(s, x, y, c);
			else if (s->water)
				water(s, px, x, y, c);
			else {
				upper(s, x, y, c);
				fields(s, x, y, c);
			}
			q[0] = to_byte(c[0]);
			q[1] = to_byte(c[1]);
			q[2] = to_byte(c[2]);
		}
	}
}

/*
 * The picture is drawn in phases, each split into bands of rows drawn by
 * separate threads: every pixel depends only on the scene and on earlier
 * phases, so the result is the same whatever the number of threads.
 */
enum phase {
	PHASE_CLOUDS,     /* the low-resolution cloud field */
	PHASE_SCENE,      /* everything that is not water */
	PHASE_WATER,      /* water, which reflects the rows above it */
	PHASE_FINISH,     /* vignette and grain */
};

struct band {
	struct scene *s;
	unsigned char *px;
	enum phase phase;
	int y0, y1;
	pthread_t tid;
};

static void *
band_run(void *arg)
{
	struct band *b = arg;

	switch (b->phase) {
	case PHASE_CLOUDS:
		render_clouds(b->s, b->y0, b->y1);
		break;
	case PHASE_SCENE:
	case PHASE_WATER:
		render_rows(b->s, b->px, b->y0, b->y1);
		break;
	case PHASE_FINISH:
		finish(b->s, b->px, b->y0, b->y1);
		break;
	}
	return NULL;
}

static void
run_phase(struct scene *s, unsigned char *px, enum phase ph, int y0, int y1,
    int nthreads)
{
	struct band b[MAX_THREADS];
	int i, n, rows = y1 - y0;
	int started[MAX_THREADS];

	n = rows < nthreads * 8 ? 1 : nthreads;
	for (i = 0; i < n; i++) {
		b[i].s = s;
		b[i].px = px;
		b[i].phase = ph;
		b[i].y0 = y0 + (int)((long)rows * i / n);
		b[i].y1 = y0 + (int)((long)rows * (i + 1) / n);
		started[i] = 0;
	}
	for (i = 1; i < n; i++)
		started[i] = pthread_create(&b[i].tid, NULL, band_run,
		    &b[i]) == 0;
	band_run(&b[0]);
	for (i = 1; i < n; i++) {
		if (started[i])
			pthread_join(b[i].tid, NULL);
		else
			band_run(&b[i]);
	}
}

static void
render(struct scene *s, unsigned char *px)
{
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	int n = ncpu < 1 ? 1 : ncpu > MAX_THREADS ? MAX_THREADS : (int)ncpu;

	run_phase(s, px, PHASE_CLOUDS, 0, s->ch, n);
	run_phase(s, px, PHASE_SCENE, 0, s->water ? s->hz : s->h, n);
	if (s->water)
		run_phase(s, px, PHASE_WATER, s->hz, s->h, n);
	run_phase(s, px, PHASE_FINISH, 0, s->h, n);
}

static int
mod_demo_image(const char *path, unsigned seed, int width, int height,
    struct bl_err *err)
{
	struct scene s;
	unsigned char *px;
	VipsImage *im;
	size_t n;
	int rc = -1;

	if (width < DEMO_MIN_SIDE || width > DEMO_MAX_SIDE ||
	    height < DEMO_MIN_SIDE || height > DEMO_MAX_SIDE)
		return bl_errf(err, "bad demo image size %dx%d for '%s'",
		    width, height, path);
	if (mod_init(err) < 0)
		return -1;
	memset(&s, 0, sizeof(s));
	s.w = width;
	s.h = height;
	s.far = bl_xcalloc((size_t)width, sizeof(float));
	s.mid = bl_xcalloc((size_t)width, sizeof(float));
	s.city = bl_xcalloc((size_t)width, sizeof(float));
	s.bid = bl_xcalloc((size_t)width, sizeof(int));
	s.ftop = bl_xcalloc((size_t)width * 3, sizeof(float));
	s.ftree = bl_xcalloc((size_t)width * 3, sizeof(float));
	s.stop = bl_xcalloc((size_t)width, sizeof(float));
	s.skyt = bl_xcalloc((size_t)height, sizeof(float));
	plan(&s, seed);
	s.cw = width / CLOUD_STEP + 2;
	s.ch = s.hz / CLOUD_STEP + 2;
	s.cloud = bl_xcalloc((size_t)s.cw * (size_t)s.ch, sizeof(float));
	s.lit = bl_xcalloc((size_t)s.cw * (size_t)s.ch, sizeof(float));
	n = (size_t)width * (size_t)height * 3;
	px = bl_xmalloc(n);
	render(&s, px);

	im = vips_image_new_from_memory(px, n, width, height, 3,
	    VIPS_FORMAT_UCHAR);
	if (im == NULL) {
		vips_fail(err, "cannot wrap demo image for", path);
		goto out;
	}
	if (vips_jpegsave(im, path, "Q", DEMO_QUALITY, "interlace", TRUE,
	    "optimize_coding", TRUE, "strip", TRUE, NULL) != 0) {
		vips_fail(err, "cannot write image", path);
		g_object_unref(im);
		goto out;
	}
	g_object_unref(im);
	rc = 0;
out:
	free(px);
	free(s.far);
	free(s.mid);
	free(s.city);
	free(s.bid);
	free(s.ftop);
	free(s.ftree);
	free(s.stop);
	free(s.skyt);
	free(s.cloud);
	free(s.lit);
	return rc;
}

/* What media.c looks up after loading the module. */
const struct media_module byline_media_module = {
	.abi = MEDIA_MODULE_ABI,
	.init = mod_init,
	.image_size = mod_image_size,
	.demo_image = mod_demo_image,
};
