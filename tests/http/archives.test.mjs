// Date archives over HTTP on the demo site: /YYYY/, /YYYY/MM/, /YYYY/MM/DD/
// with their stories newest first, pages with rel next/prev, titles and
// descriptions, 404s for impossible or empty dates, and the /archive/ index.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dirname } from 'node:path';
import { demoSite, serve, request, links, byline, cleanup } from '../lib/server.mjs';

let dir, srv, stories;

const STORY = /^\/\d{4}\/\d{2}\/\d{2}\/[a-z0-9-]+\/$/;
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July',
  'August', 'September', 'October', 'November', 'December'];

before(async () => {
  dir = demoSite();
  srv = await serve(dir);
  // Every story in front-page order (newest first).
  stories = [];
  for (let page = 1; page < 50; page++) {
    const r = await request(srv.port, page === 1 ? '/' : `/page/${page}/`);
    if (r.status !== 200) break;
    for (const l of links(r.text, STORY)) if (!stories.includes(l)) stories.push(l);
  }
});

after(async () => {
  await srv?.stop();
  cleanup(dirname(dir));
});

// The teaser headline links of a listing page, in order.
const listed = (html) => [...html.matchAll(/class="teaser-link" href="([^"]+)"/g)].map((m) => m[1]);

function rel(html, name) {
  const m = html.match(new RegExp(`<a[^>]*rel="${name}"[^>]*href="([^"]+)"|<a[^>]*href="([^"]+)"[^>]*rel="${name}"`));
  return m ? m[1] || m[2] : null;
}

// All stories of an archive, following rel="next".
async function walk(base) {
  const out = [];
  let path = base;
  for (let i = 0; path && i < 50; i++) {
    const r = await request(srv.port, path);
    assert.equal(r.status, 200, path);
    out.push(...listed(r.text));
    path = rel(r.text, 'next');
  }
  return out;
}

const month = (p) => p.slice(0, 9);   // "/2026/11/"
const day = (p) => p.slice(0, 12);    // "/2026/11/24/"
const year = (p) => p.slice(0, 6);    // "/2026/"

test('a month lists exactly its stories, newest first, with a title and description', async () => {
  const m = month(stories[0]);
  const r = await request(srv.port, m);
  assert.equal(r.status, 200);
  const [, yy, mm] = m.split('/');
  const name = `${MONTHS[Number(mm) - 1]} ${yy}`;
  assert.match(r.text, new RegExp(`<title>${name} – The Harbridge Courier</title>`));
  assert.match(r.text, new RegExp(`<h1[^>]*>${name}</h1>`));
  assert.match(r.text, new RegExp(`<meta name="description" content="\\d+ stor(y|ies) published in ${name} on The Harbridge Courier.">`));
  assert.match(r.text, /<link rel="canonical" href="http:\/\/127\.0\.0\.1:8080\/\d{4}\/\d{2}\/">/);
  const all = await walk(m);
  const expect = stories.filter((s) => month(s) === m);
  assert.deepEqual([...all].sort(), [...expect].sort(), 'the month\'s stories, each once');
  assert.deepEqual(all, [...all].sort((a, b) => (day(b) > day(a) ? 1 : day(b) < day(a) ? -1 : 0)), 'newest first');
  const times = [...r.text.matchAll(/<time datetime="([^"]+)"/g)].map((x) => Date.parse(x[1]));
  assert.ok(times.length >= 2);
  for (let i = 1; i < times.length; i++) assert.ok(times[i] <= times[i - 1], 'newest first');
});

test('a day and a year list their stories', async () => {
  const d = day(stories[0]);
  const r = await request(srv.port, d);
  assert.equal(r.status, 200);
  const [, yy, mm, dd] = d.split('/');
  assert.match(r.text, new RegExp(`<title>${Number(dd)} ${MONTHS[Number(mm) - 1]} ${yy} – `));
  assert.deepEqual((await walk(d)).sort(), stories.filter((s) => day(s) === d).sort());
  assert.match(r.text, new RegExp(`href="${month(d)}"`), 'a link up to the month');

  const y = year(stories[0]);
  const yr = await request(srv.port, y);
  assert.equal(yr.status, 200);
  assert.match(yr.text, new RegExp(`<title>${yy} – The Harbridge Courier</title>`));
  assert.match(yr.text, new RegExp(`href="${month(stories[0])}"`), 'the year links its months');
  assert.deepEqual((await walk(y)).sort(), stories.filter((s) => year(s) === y).sort());
});

test('archive pages go by /page/N/ with rel next and prev', async () => {
  const m = month(stories[0]);
  const n = stories.filter((s) => month(s) === m).length;
  assert.ok(n > 10, `the demo month has more than one page (${n})`);
  const p1 = await request(srv.port, m);
  assert.equal(rel(p1.text, 'next'), `${m}page/2/`);
  assert.equal(rel(p1.text, 'prev'), null);
  assert.equal(listed(p1.text).length, 10);
  const p2 = await request(srv.port, `${m}page/2/`);
  assert.equal(p2.status, 200);
  assert.equal(rel(p2.text, 'prev'), m);
  assert.match(p2.text, /<title>[A-Z][a-z]+ \d{4}, page 2 – /);
  assert.equal((await request(srv.port, `${m}page/99/`)).status, 404);
  assert.equal((await request(srv.port, `${m}page/1/`)).status, 404);
  assert.equal((await request(srv.port, `${m}page/0/`)).status, 404);
});

test('impossible and empty dates are 404', async () => {
  for (const p of ['/2026/13/', '/2026/00/', '/2026/02/30/', '/2025/02/29/', '/2026/11/31/', '/2026/11/00/',
    '/1999/', '/1999/01/', '/2026/1/', '/0000/', '/2026/11/24/page/x/', '/9999/12/31/']) {
    const r = await request(srv.port, p);
    assert.equal(r.status, 404, p);
    assert.match(r.text, /href="\/"/, `${p} is the site's 404 page`);
  }
  // 29 February exists in leap years: an empty day, still a 404, not an error.
  assert.equal((await request(srv.port, '/2024/02/29/')).status, 404);
});

test('archive addresses without their slash are redirected', async () => {
  const m = month(stories[0]);
  for (const p of [m.slice(0, -1), year(stories[0]).slice(0, -1), '/archive']) {
    const r = await request(srv.port, p);
    assert.equal(r.status, 301, p);
    assert.equal(r.headers.location, `${p}/`);
  }
});

test('the archive index lists every year and month with counts', async () => {
  const r = await request(srv.port, '/archive/');
  assert.equal(r.status, 200);
  assert.match(r.text, /<title>Archive – The Harbridge Courier<\/title>/);
  assert.equal((r.text.match(/<h1[\s>]/g) || []).length, 1);
  const months = [...new Set(stories.map(month))];
  let total = 0;
  for (const m of months) {
    const [, yy, mm] = m.split('/');
    const item = r.text.match(new RegExp(`<a href="${m}">${MONTHS[Number(mm) - 1]} ${yy}</a> <span class="archive-count">\\((\\d+)\\)</span>`));
    assert.ok(item, `${m} is listed`);
    assert.equal(Number(item[1]), stories.filter((s) => month(s) === m).length, `count of ${m}`);
    total += Number(item[1]);
  }
  assert.equal(total, stories.length);
  for (const y of new Set(stories.map(year))) assert.match(r.text, new RegExp(`href="${y}"`));
  for (const l of links(r.text, /^\/(\d{4}\/(\d{2}\/)?|section\/[a-z0-9-]+\/)$/))
    assert.equal((await request(srv.port, l)).status, 200, l);
});

test('archive pages are cached and follow a new story', async () => {
  const m = month(stories[0]);
  const before = await request(srv.port, m);
  assert.ok(before.headers.etag);
  const again = await request(srv.port, m, { headers: { 'If-None-Match': before.headers.etag } });
  assert.equal(again.status, 304);
  const { writeFileSync } = await import('node:fs');
  const { join } = await import('node:path');
  const file = join(dirname(dir), 'late.txt');
  writeFileSync(file, 'Late ferry sailing added for Saturday\n\nAn extra sailing leaves Harbridge at 23:30.\n');
  const r = byline(['import', 'text', file, '--site', dir, '--section', 'World', '--publish']);
  assert.equal(r.status, 0, r.stderr);
  const path = r.stdout.match(/\/\d{4}\/\d{2}\/\d{2}\/[a-z0-9-]+\//)?.[0];
  assert.ok(path, r.stdout);
  const t0 = Date.now();
  let seen = false;
  while (!seen && Date.now() - t0 < 3000) {
    seen = listed((await request(srv.port, month(path))).text).includes(path);
    if (!seen) await new Promise((res) => setTimeout(res, 50));
  }
  assert.ok(seen, 'the new story shows on its month page');
  const idx = await request(srv.port, '/archive/');
  assert.match(idx.text, new RegExp(`href="${month(path)}"`));
});
