// Search over HTTP on a site where a word is in more stories than the
// store counts: the page says "More than 500 results", offers the next
// page without claiming a last one, and the very last page is reachable
// with an exact count.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { serve, request, links, byline, tempDir, newDatabase, PG, cleanup } from '../lib/server.mjs';

const N = 1005;
let dir, srv;

before(async () => {
  const root = tempDir();
  dir = join(root, 'site');
  const init = ['init', dir, '--title', 'The Tern Gazette'];
  if (PG) init.push('--database', newDatabase());
  let r = byline(init);
  assert.equal(r.status, 0, r.stderr);
  const wire = join(root, 'wire');
  mkdirSync(wire);
  const files = [];
  for (let i = 0; i < N; i++) {
    const f = join(wire, `tern-${i}.txt`);
    writeFileSync(f, `Tern count number ${i}\n\nVolunteers counted the terns on the spit again, survey ${i}.\n`);
    files.push(f);
  }
  // One import, oldest first: the last file is the newest story.
  r = byline(['import', 'text', ...files, '--site', dir, '--section', 'Nature', '--publish'],
    { timeout: 600000 });
  assert.equal(r.status, 0, r.stderr);
  srv = await serve(dir);
});

after(async () => {
  await srv?.stop();
  cleanup(dirname(dir));
});

const STORY = /^\/\d{4}\/\d{2}\/\d{2}\/[a-z0-9-]+\/$/;
const q = (text, extra = '') => `/search?q=${encodeURIComponent(text)}${extra}`;
const count = (html) => html.match(/<p class="search-count" role="status">([^<]*)<\/p>/)?.[1];
const stories = (html) => [...html.matchAll(/<article class="teaser[^"]*search-result">[\s\S]*?<\/article>/g)]
  .map((m) => links(m[0], STORY)[0]);
const next = (html) => html.match(/<a class="pagination-next" rel="next" href="([^"]+)"/)?.[1].replace(/&amp;/g, '&') ?? null;

test('a word in more stories than are counted says "More than 500 results"', async () => {
  const r = await request(srv.port, q('terns'));
  assert.equal(r.status, 200);
  assert.equal(count(r.text), 'More than 500 results');
  assert.equal(stories(r.text).length, 10);
  assert.match(r.text, /tern-count-number-1004/, 'the newest story is on the first page');
  assert.equal(next(r.text), '/search?q=terns&page=2');
  assert.match(r.text, /<span class="pagination-status">Page 1<\/span>/, 'no last page is claimed');
  const p2 = await request(srv.port, next(r.text));
  assert.equal(count(p2.text), 'More than 500 results, page 2');
});

test('the last page is reachable and counted exactly', async () => {
  const far = await request(srv.port, q('terns', '&page=100'));
  assert.equal(count(far.text), 'More than 1,000 results, page 100',
    'far pages count just past themselves: page 100 has another after it');
  assert.equal(next(far.text), '/search?q=terns&page=101');
  const last = await request(srv.port, q('terns', '&page=101'));
  assert.equal(last.status, 200);
  assert.equal(count(last.text), '1,005 results, page 101 of 101');
  const res = stories(last.text);
  assert.equal(res.length, 5);
  assert.match(res[res.length - 1], /tern-count-number-0\//, 'the oldest story is the very last');
  assert.equal(next(last.text), null);
  const beyond = await request(srv.port, q('terns', '&page=102'));
  assert.match(beyond.text, /No more results/);
});
