// Search and related articles over HTTP on the demo site: results with
// highlighted words, stemming and diacritics, phrases, pages, malformed
// queries that always get a normal page, the form in the theme, and the
// "Related Articles" section of every article.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dirname } from 'node:path';
import { demoSite, serve, request, links, byline, cleanup } from '../lib/server.mjs';

let dir, srv, front, articles;

const STORY = /^\/\d{4}\/\d{2}\/\d{2}\/[a-z0-9-]+\/$/;

before(async () => {
  dir = demoSite();
  srv = await serve(dir);
  front = await request(srv.port, '/');
  // Every published story, from the archive's month pages.
  const all = new Set();
  for (let page = 1; page < 50; page++) {
    const r = await request(srv.port, page === 1 ? '/' : `/page/${page}/`);
    if (r.status !== 200) break;
    for (const l of links(r.text, STORY)) all.add(l);
  }
  articles = [...all];
});

after(async () => {
  await srv?.stop();
  cleanup(dirname(dir));
});

const q = (text, extra = '') => `/search?q=${encodeURIComponent(text)}${extra}`;

function results(html) {
  const out = [];
  for (const m of html.matchAll(/<article class="teaser[^"]*search-result">[\s\S]*?<\/article>/g)) {
    const href = m[0].match(/class="teaser-link" href="([^"]+)"/);
    out.push({ html: m[0], href: href && href[1] });
  }
  return out;
}

function nav(html, rel) {
  const m = html.match(new RegExp(`<a[^>]*rel="${rel}"[^>]*href="([^"]+)"|<a[^>]*href="([^"]+)"[^>]*rel="${rel}"`));
  return m ? (m[1] || m[2]).replace(/&amp;/g, '&') : null;
}

test('the search form is on every page', async () => {
  for (const p of ['/', articles[0], '/archive/']) {
    const r = await request(srv.port, p);
    const form = r.text.match(/<form[^>]*action="\/search"[^>]*>[\s\S]*?<\/form>/);
    assert.ok(form, `a search form on ${p}`);
    assert.match(form[0], /method="get"/);
    const input = form[0].match(/<input[^>]*name="q"[^>]*>/);
    assert.ok(input, 'an input named q');
    const id = input[0].match(/id="([^"]+)"/)[1];
    assert.match(form[0], new RegExp(`<label[^>]*for="${id}"`), 'the input has a label');
  }
});

test('a search finds stories, highlights the words and says what it searched', async () => {
  const r = await request(srv.port, q('ferries'));
  assert.equal(r.status, 200);
  assert.match(r.headers['content-type'], /^text\/html/);
  assert.match(r.text, /<title>Search results for “ferries” – The Harbridge Courier<\/title>/);
  assert.match(r.text, /<meta name="robots" content="noindex">/);
  const res = results(r.text);
  assert.ok(res.length >= 2, `results: ${res.length}`);
  for (const x of res) assert.ok(articles.includes(x.href), `${x.href} is a published story`);
  assert.match(r.text, /<mark>ferr[a-z]*<\/mark>/i);
  assert.equal((r.text.match(/<h1[\s>]/g) || []).length, 1);
  assert.match(r.text, /value="ferries"/, 'the form keeps the query');
});

test('stemming, diacritics and phrases', async () => {
  const run = results((await request(srv.port, q('run'))).text);
  assert.ok(run.length >= 1, '"run" finds "running" and "runs"');
  const cafes = results((await request(srv.port, q('cafes'))).text);
  assert.ok(cafes.some((x) => x.href.includes('winter-lights')), '"cafes" finds "cafés"');
  const sigrun = await request(srv.port, q('SIGRUN'));
  assert.ok(results(sigrun.text).some((x) => x.href.includes('customs')), '"SIGRUN" finds "Sigrún"');
  assert.match(sigrun.text, /<mark>Sigrún<\/mark>/);

  const words = results((await request(srv.port, q('storm halvard'))).text);
  const phrase = results((await request(srv.port, q('"storm halvard"'))).text);
  assert.ok(phrase.length >= 1, 'a quoted phrase finds its story');
  assert.ok(phrase.length <= words.length);
  const none = await request(srv.port, q('"halvard storm"'));
  assert.equal(none.status, 200);
  assert.equal(results(none.text).length, 0, 'words in another order are not the phrase');
  assert.match(none.text, /No results for “&quot;halvard storm&quot;”/);
});

test('results come in pages of ten with rel next and prev', async () => {
  const r = await request(srv.port, q('the'));
  assert.equal(r.status, 200);
  assert.equal(results(r.text).length, 10);
  const next = nav(r.text, 'next');
  assert.equal(next, '/search?q=the&page=2');
  assert.equal(nav(r.text, 'prev'), null);
  const p2 = await request(srv.port, next);
  assert.equal(p2.status, 200);
  assert.ok(results(p2.text).length >= 1);
  assert.equal(nav(p2.text, 'prev'), '/search?q=the');
  const seen = new Set([...results(r.text), ...results(p2.text)].map((x) => x.href));
  assert.equal(seen.size, results(r.text).length + results(p2.text).length, 'no story on both pages');
  const far = await request(srv.port, q('the', '&page=999'));
  assert.equal(far.status, 200);
  assert.equal(results(far.text).length, 0);
  assert.match(far.text, /No more results/);
});

test('every page of a common word can be reached, each story once, to the last', async () => {
  const first = await request(srv.port, q('the'));
  const label = first.text.match(/<p class="search-count" role="status">([\d,]+) results?/);
  assert.ok(label, 'an exact count on a small site');
  const total = Number(label[1].replace(/,/g, ''));
  assert.ok(total > 10, `total ${total}`);
  const pages = Math.ceil(total / 10);
  const seen = new Set();
  let url = q('the');
  let page = 1;
  let last;
  for (; url !== null; page++) {
    const r = await request(srv.port, url);
    assert.equal(r.status, 200);
    const res = results(r.text);
    assert.equal(res.length, page < pages ? 10 : total - 10 * (pages - 1), `page ${page}`);
    for (const x of res) {
      assert.ok(!seen.has(x.href), `${x.href} on two pages`);
      assert.ok(articles.includes(x.href), `${x.href} is a published story`);
      seen.add(x.href);
    }
    assert.match(r.text, new RegExp(`Page ${page} of ${pages}<`));
    last = r;
    url = nav(r.text, 'next');
  }
  assert.equal(page - 1, pages, 'the next links end on the last page');
  assert.equal(seen.size, total, 'every counted story was shown once');
  assert.equal(nav(last.text, 'next'), null);
  const beyond = await request(srv.port, q('the', `&page=${pages + 1}`));
  assert.match(beyond.text, /No more results/);
});

test('a draft is never found, by its own words or with common ones', async () => {
  const { writeFileSync } = await import('node:fs');
  const { join } = await import('node:path');
  const before = (await request(srv.port, q('the'))).text.match(/([\d,]+) results/)[1];
  const file = join(dirname(dir), 'embargo.txt');
  writeFileSync(file, 'Embargoed: the zanzibarite report\n\nThe zanzibarite findings are under embargo until Friday.\n');
  const r = byline(['import', 'text', file, '--site', dir, '--section', 'Science']);
  assert.equal(r.status, 0, r.stderr);
  const s = await request(srv.port, q('zanzibarite'));
  assert.equal(results(s.text).length, 0);
  assert.match(s.text, /No results for “zanzibarite”/);
  const after = (await request(srv.port, q('the'))).text.match(/([\d,]+) results/)[1];
  assert.equal(after, before, 'the draft is not counted');
});

test('no results is a friendly page with suggestions', async () => {
  const r = await request(srv.port, q('xylophonequartz'));
  assert.equal(r.status, 200);
  assert.match(r.text, /No results for “xylophonequartz”/);
  assert.match(r.text, /spelling/);
  assert.match(r.text, /fewer/);
  assert.ok(links(r.text, /^\/section\/[a-z0-9-]+\/$/).length >= 3, 'sections to browse');
  const empty = await request(srv.port, '/search');
  assert.equal(empty.status, 200);
  assert.match(empty.text, /<title>Search – The Harbridge Courier<\/title>/);
  assert.doesNotMatch(empty.text, /No results/);
});

test('every malformed query gets a normal page, never an error', async () => {
  const bad = [
    '"', '""', '"harbour', 'harbour"', 'AND', 'OR', 'NOT', 'harbour AND', 'AND OR NOT',
    'NEAR(harbour storm)', 'NEAR', '*', 'harb*', '^harbour', 'title:harbour', 'body:"x" OR',
    '{title body}:storm', '(harbour', 'harbour)', '((()))', '-harbour', '+storm', 'a:b:c',
    "'", '\\', '%', '%%', '\u2019', '\u2014', '\u201cstorm', '<script>alert(1)</script>',
    'x'.repeat(300), 'storm '.repeat(2000), '"'.repeat(5000), '( '.repeat(3000),
    ' ', '\t', 'ÿ', '🙂', '東京',
  ];
  for (const text of bad) {
    const r = await request(srv.port, q(text));
    assert.equal(r.status, 200, `${JSON.stringify(text.slice(0, 40))} gave ${r.status}`);
    assert.match(r.text, /<\/html>\s*$/, 'a whole page');
    assert.ok(/search-result|No results|search-hint/.test(r.text), `a result list or a message for ${JSON.stringify(text.slice(0, 40))}`);
    assert.ok(!r.text.includes('<script>alert(1)'), 'the query is escaped');
  }
  assert.ok(results((await request(srv.port, q('title:storm'))).text).length >= 1, 'column filters are plain words');
  assert.ok(results((await request(srv.port, q('harb*'))).text).length >= 1, 'a trailing star is a prefix');
  // Raw bytes that are not UTF-8, an encoded NUL, and broken escapes.
  for (const raw of ['/search?q=%FF%FE%FD', '/search?q=caf%C3', '/search?q=a%00b', '/search?q=%E2%80',
    '/search?q=%', '/search?q=%zz', '/search?q=a&q=b', '/search?page=abc&q=storm', '/search?q=storm&page=-1',
    '/search?q=storm&page=99999999999999999999', '/search?q=%01%02mark', '/search/?q=storm']) {
    const r = await request(srv.port, raw);
    assert.ok(r.status === 200 || r.status === 400, `${raw} gave ${r.status}`);
    if (r.status === 200) assert.match(r.text, /<\/html>\s*$/);
    assert.ok(!/[\x01\x02]/.test(r.text), `${raw}: no control bytes reach the page`);
  }
  // 10 KB of text in the query string.
  const big = await request(srv.port, q('storm "harbour ' + 'abcdefghi '.repeat(1000)));
  assert.equal(big.status, 200);
});

test('search pages are fresh for every query and not indexed', async () => {
  const a = await request(srv.port, q('storm'));
  const b = await request(srv.port, q('regatta'));
  assert.notEqual(a.text, b.text);
  assert.match(a.headers['cache-control'], /max-age/);
  const post = await request(srv.port, '/search', { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'q=storm' });
  assert.equal(post.status, 405);
});

/* -------------------------------------------------------- related */

test('every article shows 3 to 5 related stories, never itself', async () => {
  assert.ok(articles.length >= 10, `stories: ${articles.length}`);
  for (const path of articles) {
    const r = await request(srv.port, path);
    assert.equal(r.status, 200, path);
    const sec = r.text.match(/<section class="related" id="related"[^>]*>([\s\S]*?)<\/section>/);
    assert.ok(sec, `a related section on ${path}`);
    assert.match(sec[1], /Related Articles/);
    const rel = links(sec[1], STORY);
    assert.ok(rel.length >= 3 && rel.length <= 5, `${path}: ${rel.length} related`);
    assert.ok(!rel.includes(path), `${path} lists itself`);
    for (const x of rel) assert.ok(articles.includes(x), `${x} is a published story`);
  }
});

test('related stories are the same on every view', async () => {
  const path = articles[0];
  const one = links((await request(srv.port, path)).text.match(/id="related"[\s\S]*?<\/section>/)[0], STORY);
  const two = links((await request(srv.port, path)).text.match(/id="related"[\s\S]*?<\/section>/)[0], STORY);
  assert.deepEqual(one, two);
});

test('a story imported while serving can be found at once', async () => {
  const { writeFileSync } = await import('node:fs');
  const { join } = await import('node:path');
  const file = join(dirname(dir), 'quokka.txt');
  writeFileSync(file, 'Quokka colony found on Gannet Point\n\nRangers counted forty quokkas near the lighthouse on Monday.\n');
  const r = byline(['import', 'text', file, '--site', dir, '--section', 'Science', '--publish']);
  assert.equal(r.status, 0, r.stderr);
  const s = await request(srv.port, q('quokkas'));
  assert.equal(results(s.text).length, 1);
  assert.match(s.text, /<mark>Quokka<\/mark> colony/);
});
