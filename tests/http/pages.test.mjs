// HTTP behaviour of a served demo site: pages, the theme contract, caching
// headers, conditional GET, compression, HEAD, 404s, static and media files.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { gunzipSync, brotliDecompressSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { demoSite, serve, request, links, byline, cleanup } from '../lib/server.mjs';

let dir, srv, front, articlePath, article, sectionPath;

before(async () => {
  dir = demoSite();
  srv = await serve(dir);
  front = await request(srv.port, '/');
  articlePath = links(front.text, /^\/\d{4}\/\d{2}\/\d{2}\/[a-z0-9-]+\/$/)[0];
  article = await request(srv.port, articlePath);
  sectionPath = links(front.text, /^\/section\/[a-z0-9-]+\/$/)[0];
});

after(async () => {
  await srv?.stop();
  cleanup(dirname(dir));
});

test('front page shows the site, a lead story and section blocks', () => {
  assert.equal(front.status, 200);
  assert.match(front.headers['content-type'], /^text\/html; charset=utf-8/);
  assert.match(front.text, /The Harbridge Courier/);
  assert.ok(front.text.includes('class="teaser'), 'teasers on the front page');
  const sections = links(front.text, /^\/section\/[a-z0-9-]+\/$/);
  assert.ok(sections.length >= 3, `at least 3 sections linked, got ${sections}`);
  const stories = links(front.text, /^\/\d{4}\/\d{2}\/\d{2}\//);
  assert.ok(stories.length >= 8, `many stories linked, got ${stories.length}`);
});

test('article page follows the theme contract', () => {
  assert.equal(article.status, 200);
  const h = article.text;
  assert.equal((h.match(/<h1[\s>]/g) || []).length, 1, 'exactly one h1');
  assert.match(h, /class="[^"]*\barticle-body\b/);
  assert.match(h, /<time[^>]*class="published"[^>]*datetime="\d{4}-\d{2}-\d{2}T/);
  assert.match(h, /<p class="byline"/);
  assert.match(h, /<a rel="tag" href="\/tag\/[a-z0-9-]+\/">#[^<]+<\/a>/);
  assert.match(h, /id="comments"/);
  assert.match(h, /<link rel="canonical" href="http:\/\/127\.0\.0\.1:8080\/\d{4}\//);
});

test('every demo article renders its photos with captions and credits', async () => {
  const all = links(front.text, /^\/\d{4}\/\d{2}\/\d{2}\//);
  let figures = 0;
  for (const path of all) {
    const r = await request(srv.port, path);
    assert.equal(r.status, 200, path);
    for (const f of r.text.matchAll(/<figure class="photo">([\s\S]*?)<\/figure>/g)) {
      figures++;
      assert.match(f[1], /<figcaption>[\s\S]+<span class="credit">\([^)]+\)<\/span>/, `caption and credit in ${path}`);
      const img = f[1].match(/<img[^>]*src="(\/media\/[^"]+)"/);
      if (img) {
        const m = await request(srv.port, img[1]);
        assert.equal(m.status, 200, img[1]);
        assert.equal(m.headers['content-type'], 'image/jpeg');
      }
    }
  }
  assert.ok(figures >= 8, `figures found: ${figures}`);
});

test('section, tag and author pages list their stories', async () => {
  for (const re of [/^\/section\/[a-z0-9-]+\/$/, /^\/tag\/[a-z0-9-]+\/$/, /^\/author\/[a-z0-9-]+\/$/]) {
    const path = links(article.text, re)[0] || links(front.text, re)[0];
    assert.ok(path, `a link matching ${re}`);
    const r = await request(srv.port, path);
    assert.equal(r.status, 200, path);
    assert.ok(r.text.includes('class="teaser'), `${path} lists teasers`);
    assert.equal((r.text.match(/<h1[\s>]/g) || []).length, 1, `${path} has one h1`);
  }
});

test('front page pagination links to page 2 and back', async () => {
  const next = front.text.match(/<a[^>]*rel="next"[^>]*href="([^"]+)"|<a[^>]*href="([^"]+)"[^>]*rel="next"/);
  assert.ok(next, 'rel=next on the front page');
  const href = next[1] || next[2];
  assert.equal(href, '/page/2/');
  const p2 = await request(srv.port, href);
  assert.equal(p2.status, 200);
  assert.match(p2.text, /rel="prev"/);
  assert.equal((await request(srv.port, '/page/999/')).status, 404);
  assert.equal((await request(srv.port, '/page/0/')).status, 404);
});

test('unknown addresses get a real 404 page', async () => {
  for (const p of ['/no-such-page/', '/tag/no-such-tag/', '/2026/01/01/nothing-here/', '/section/x/page/abc/']) {
    const r = await request(srv.port, p);
    assert.equal(r.status, 404, p);
    assert.match(r.headers['content-type'], /text\/html/);
    assert.match(r.text, /href="\/"/, 'the 404 page links back home');
  }
});

test('known addresses without a trailing slash are redirected', async () => {
  const path = links(front.text, /^\/section\/[a-z0-9-]+\/$/)[0];
  const r = await request(srv.port, path.slice(0, -1));
  assert.equal(r.status, 301);
  assert.equal(r.headers.location, path);
});

test('HEAD answers the same headers without a body', async () => {
  for (const path of [sectionPath, articlePath]) {
    const get = await request(srv.port, path, { headers: { 'Accept-Encoding': 'identity' } });
    const head = await request(srv.port, path, { method: 'HEAD', headers: { 'Accept-Encoding': 'identity' } });
    assert.equal(head.status, 200, path);
    assert.equal(head.body.length, 0, path);
    assert.equal(head.headers['content-type'], get.headers['content-type']);
    assert.equal(head.headers.etag, get.headers.etag);
  }
});

test('ETag and Last-Modified give 304 answers', async () => {
  for (const path of ['/', sectionPath, '/static/site.css']) {
    const r = await request(srv.port, path);
    assert.ok(r.headers.etag, `ETag on ${path}`);
    const c1 = await request(srv.port, path, { headers: { 'If-None-Match': r.headers.etag } });
    assert.equal(c1.status, 304, path);
    assert.equal(c1.body.length, 0);
    if (r.headers['last-modified']) {
      const c2 = await request(srv.port, path, { headers: { 'If-Modified-Since': r.headers['last-modified'] } });
      assert.equal(c2.status, 304, path);
    }
    const c3 = await request(srv.port, path, { headers: { 'If-None-Match': '"something-else"' } });
    assert.equal(c3.status, 200);
  }
});

test('article pages carry a fresh comment form each view, so they are never revalidated or shared', async () => {
  const a = await request(srv.port, articlePath);
  const b = await request(srv.port, articlePath, { headers: { 'If-None-Match': a.headers.etag || '"x"' } });
  assert.equal(b.status, 200);
  assert.equal(a.headers.etag, undefined);
  assert.match(a.headers['cache-control'], /private/);
  const token = (r) => r.text.match(/name="token" value="([^"]+)"/)[1];
  assert.notEqual(token(a), token(b));
});

test('gzip and brotli are negotiated and decode to the same page', async () => {
  const plain = await request(srv.port, sectionPath, { headers: { 'Accept-Encoding': 'identity' } });
  assert.equal(plain.headers['content-encoding'], undefined);
  const gz = await request(srv.port, sectionPath, { headers: { 'Accept-Encoding': 'gzip' } });
  assert.equal(gz.headers['content-encoding'], 'gzip');
  assert.match(gz.headers.vary, /Accept-Encoding/i);
  assert.ok(gz.body.length < plain.body.length / 2, 'gzip makes it much smaller');
  assert.deepEqual(gunzipSync(gz.body), plain.body);
  const br = await request(srv.port, sectionPath, { headers: { 'Accept-Encoding': 'gzip, deflate, br' } });
  assert.equal(br.headers['content-encoding'], 'br');
  assert.deepEqual(brotliDecompressSync(br.body), plain.body);
  assert.notEqual(br.headers.etag, plain.headers.etag, 'each encoding has its own ETag');
  const c = await request(srv.port, sectionPath, { headers: { 'Accept-Encoding': 'br', 'If-None-Match': br.headers.etag } });
  assert.equal(c.status, 304);
  // Article pages: gzip is assembled around the per-view form and is valid.
  const agz = await request(srv.port, articlePath, { headers: { 'Accept-Encoding': 'gzip, br' } });
  assert.equal(agz.headers['content-encoding'], 'gzip');
  const html = gunzipSync(agz.body).toString('utf8');
  assert.match(html, /<\/html>\s*$/);
  assert.match(html, /name="token" value="[^"]+"/);
});

test('Cache-Control suits each kind of response', async () => {
  assert.match(article.headers['cache-control'], /private/);
  assert.match((await request(srv.port, sectionPath)).headers['cache-control'], /public, max-age=\d+/);
  const css = await request(srv.port, '/static/site.css');
  assert.equal(css.status, 200);
  assert.match(css.headers['content-type'], /^text\/css/);
  assert.match(css.headers['cache-control'], /max-age=\d+/);
  const img = article.text.match(/src="(\/media\/[^"]+)"/);
  if (img) {
    const m = await request(srv.port, img[1]);
    assert.match(m.headers['cache-control'], /immutable/);
    const c = await request(srv.port, img[1], { headers: { 'If-None-Match': m.headers.etag } });
    assert.equal(c.status, 304);
  }
});

test('security headers are on every response', async () => {
  for (const p of ['/', articlePath, '/static/site.css', '/nope/']) {
    const r = await request(srv.port, p);
    assert.match(r.headers['content-security-policy'] || '', /default-src 'self'/, p);
    assert.doesNotMatch(r.headers['content-security-policy'] || '', /unsafe-inline/, p);
    assert.match(r.headers['content-security-policy'] || '', /frame-ancestors 'none'/, p);
    assert.equal(r.headers['x-content-type-options'], 'nosniff', p);
    assert.ok(r.headers['referrer-policy'], p);
  }
});

test('files outside static and media cannot be reached', async () => {
  for (const p of ['/static/../../byline.conf', '/media/../secret.key', '/media/%2e%2e/secret.key',
    '/static/.hidden.css', '/media/', '/static/']) {
    const r = await request(srv.port, p);
    assert.ok(r.status === 404 || r.status === 400, `${p} gave ${r.status}`);
    assert.doesNotMatch(r.text, /[0-9a-f]{64}/, 'the secret never leaks');
  }
});

test('methods other than GET and HEAD are refused', async () => {
  const r = await request(srv.port, '/', { method: 'DELETE' });
  assert.equal(r.status, 405);
  assert.match(r.headers.allow, /GET/);
});

test('commenter email addresses appear nowhere', async () => {
  const comments = JSON.parse(readFileSync(join(process.env.BYLINE_DATADIR || '.', 'demo/comments.json'), 'utf8'));
  const emails = comments.map((c) => c.email).filter(Boolean);
  assert.ok(emails.length > 0);
  const pages = links(front.text, /^\//);
  let withComments = 0;
  for (const p of pages) {
    const r = await request(srv.port, p);
    if (/class="comment\b/.test(r.text)) withComments++;
    for (const e of emails) assert.ok(!r.text.includes(e), `${e} leaked on ${p}`);
  }
  assert.ok(withComments >= 1, 'some pages show comments');
});

test('an article imported while serving shows on the front page within a second or two', async () => {
  const file = join(dirname(dir), 'breaking.txt');
  const { writeFileSync } = await import('node:fs');
  writeFileSync(file, 'Harbour bridge reopens after overnight repairs\n\nThe Kestrel Bridge reopened to traffic at dawn on Tuesday after crews worked through the night.\n');
  const before = await request(srv.port, '/');
  assert.ok(!before.text.includes('Harbour bridge reopens'));
  const r = byline(['import', 'text', file, '--site', dir, '--section', 'Transport', '--publish']);
  assert.equal(r.status, 0, r.stderr);
  const t0 = Date.now();
  let seen = false;
  while (Date.now() - t0 < 3000) {
    const now = await request(srv.port, '/');
    if (now.text.includes('Harbour bridge reopens')) { seen = true; break; }
    await new Promise((res) => setTimeout(res, 50));
  }
  assert.ok(seen, 'the new story appears on the cached front page');
  const nav = await request(srv.port, articlePath);
  assert.match(nav.text, /href="\/section\/transport\/"/, 'a new section appears in every page\'s navigation');
});
