// Many nodes on one PostgreSQL: two `byline serve` processes on the same
// site and database behind nginx. Runs under tests/run.sh's pg kind
// (BYLINE_TEST_PG); skipped without it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { serve, request, byline, cleanup, PG, tempDir } from '../lib/server.mjs';
import { DatabaseSync } from '../lib/db.mjs';
import { commentSite, Reader, articlePaths, goodComment, commentId, parseForm, sleep } from '../lib/forms.mjs';
import { balancer } from '../lib/nginx.mjs';

const skip = PG ? false : 'needs PostgreSQL (tests/run.sh pg)';
let dir, a, b, lb, db, paths;

before(async () => {
  if (skip) return;
  dir = commentSite({
    'comments.min_seconds': 0, 'comments.flood_seconds': 0,
    'comments.moderation': 'none', 'server.trusted_proxies': '127.0.0.1',
  });
  a = await serve(dir);
  b = await serve(dir);
  lb = await balancer([a.port, b.port]);
  db = new DatabaseSync(join(dir, 'byline.db'));
  paths = await articlePaths(a.port);
});

after(async () => {
  for (const s of [a, b]) if (s) await s.stop().catch(() => {});
  if (lb) await lb.stop();
  if (dir) cleanup(dirname(dir));
});

// Polls until `fn` is true; returns the milliseconds it took, or -1.
async function until(ms, fn) {
  const t0 = process.hrtime.bigint();
  for (;;) {
    if (await fn()) return Number(process.hrtime.bigint() - t0) / 1e6;
    if (Number(process.hrtime.bigint() - t0) / 1e6 > ms) return -1;
    await sleep(10);
  }
}

test('a comment posted through the balancer shows on both nodes', { skip }, async () => {
  const path = paths[0];
  // Both nodes have the article page cached before the comment.
  for (const s of [a, b]) assert.equal((await request(s.port, path)).status, 200);
  const values = goodComment();
  const { res } = await new Reader(lb.port).comment(path, values);
  assert.equal(res.status, 303, res.text);
  const id = commentId(res);
  assert.ok(id > 0);
  for (const [name, s] of [['first', a], ['second', b]]) {
    const ms = await until(1000, async () => (await request(s.port, path)).text.includes(values.comment));
    console.log(`# comment ${id} visible on the ${name} node after ${ms.toFixed(0)} ms`);
    assert.ok(ms >= 0, `the comment shows on the ${name} node within a second`);
  }
});

test('an article published by the CLI shows on both nodes within a second', { skip }, async () => {
  for (const s of [a, b]) assert.equal((await request(s.port, '/')).status, 200);
  const t = tempDir();
  const file = join(t, 'ferry.md');
  const title = `Night ferry timetable restored after repairs ${process.pid}`;
  writeFileSync(file, `---\ntitle: ${title}\nsection: News\nauthor: Ana Ruiz\ntags: [Transport]\n---\nThe night ferry runs again from tonight.\n`);
  const r = byline(['post', 'add', file, '--site', dir, '--publish']);
  assert.equal(r.status, 0, r.stderr);
  for (const [name, s] of [['first', a], ['second', b]]) {
    const ms = await until(1000, async () => (await request(s.port, '/')).text.includes(title));
    console.log(`# new article on the ${name} node's front page ${ms.toFixed(0)} ms after the CLI finished`);
    assert.ok(ms >= 0, `the front page of the ${name} node shows it within a second`);
  }
  cleanup(t);
});

test('a CAPTCHA answered on one node cannot be replayed on the other', { skip }, async () => {
  const reader = new Reader(a.port);
  const { form } = await reader.form(paths[1]);
  const first = await reader.submit(form, goodComment());
  assert.equal(first.status, 303);
  const values = goodComment();
  const again = await new Reader(b.port).submit(form, values);
  assert.equal(again.status, 422, 'the spent question is refused by the other node');
  assert.ok(again.text.includes('That question was already used.'));
  assert.ok(again.text.includes(values.comment), 'with the comment given back');
});

test('the edit cookie a reader got from one node works on the other', { skip }, async () => {
  const path = paths[3];
  const author = new Reader(a.port);
  const v = goodComment();
  const { res } = await author.comment(path, v);
  assert.equal(res.status, 303);
  const id = commentId(res);
  // The same reader (same cookies) now reaches the other node.
  author.port = b.port;
  const edit = await author.get(`/comments/${id}/edit`);
  assert.equal(edit.status, 200, 'the other node accepts the signed cookie');
  const form = parseForm(edit.text, (t) => (t.attrs.get('action') || '').includes(`/comments/${id}/edit`)) || parseForm(edit.text);
  if (!form.action) form.action = `/comments/${id}/edit`;
  const changed = `Edited on the other node: ${v.comment}`;
  const done = await author.submit(form, { comment: changed });
  assert.equal(done.status, 303, done.text);
  const ms = await until(1000, async () => (await request(a.port, path)).text.includes(changed));
  assert.ok(ms >= 0, 'the first node shows the edit within a second');
  assert.equal((await new Reader(b.port).get(`/comments/${id}/edit`)).status, 403, 'a stranger still cannot');
});

test('flood control holds across nodes', { skip }, async () => {
  assert.equal(byline(['config', 'set', 'comments.flood_seconds', '60', '--site', dir]).status, 0);
  // Settings are read at start: these two nodes use the new one.
  const c = await serve(dir);
  const d = await serve(dir);
  try {
    const ip = { 'X-Forwarded-For': '203.0.113.77' };
    const one = await new Reader(c.port, { headers: ip }).comment(paths[2], goodComment());
    assert.equal(one.res.status, 303);
    const two = await new Reader(d.port, { headers: ip }).comment(paths[2], goodComment());
    assert.equal(two.res.status, 429, 'the second node knows the first one just took a comment from this address');
  } finally {
    await c.stop();
    await d.stop();
    byline(['config', 'set', 'comments.flood_seconds', '0', '--site', dir]);
  }
});

test('one node killed under load: the balancer keeps serving, no acknowledged comment is lost', { skip, timeout: 60000 }, async () => {
  const acked = [];
  const failedAfter = [];
  let killedAt = 0;
  let stop = false;
  const poster = async (n) => {
    const reader = new Reader(lb.port);
    for (let i = 0; !stop; i++) {
      try {
        const { res } = await reader.comment(paths[(n + i) % paths.length], goodComment());
        const id = commentId(res);
        if (res.status === 303 && id) acked.push(id);
      } catch { /* a request cut by the kill */ }
    }
  };
  const readerLoop = async () => {
    while (!stop) {
      const t = Date.now();
      try {
        const r = await request(lb.port, paths[0]);
        if (r.status !== 200 && killedAt && t > killedAt + 500) failedAfter.push(r.status);
      } catch (e) {
        if (killedAt && t > killedAt + 500) failedAfter.push(e.message);
      }
    }
  };
  const load = [...Array.from({ length: 4 }, (_, n) => poster(n)), readerLoop(), readerLoop()];
  await sleep(1500);
  a.proc.kill('SIGKILL');
  killedAt = Date.now();
  await sleep(3000);
  stop = true;
  await Promise.all(load);
  a = null;
  assert.ok(acked.length > 0);
  assert.deepEqual(failedAfter, [], 'every read through the balancer after the kill was served');
  const found = new Set(String(db.value('SELECT group_concat(id) FROM comments')).split(',').map(Number));
  const missing = acked.filter((id) => !found.has(id));
  console.log(`# ${acked.length} comments acknowledged through the balancer while a node was killed; ${acked.length - missing.length} stored`);
  assert.deepEqual(missing, []);
});
