// PostgreSQL stopped under a running node and started again: cached pages
// keep being served, what needs the database answers 503 (a comment comes
// back with its text), nothing acknowledged is lost, and the node recovers
// by itself. The test runs its own throwaway cluster so stopping it
// disturbs no other suite. Runs under tests/run.sh's pg kind.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { serve, request, byline, cleanup, PG, tempDir } from '../lib/server.mjs';
import { Reader, articlePaths, goodComment, commentId, sleep } from '../lib/forms.mjs';

const skip = PG ? false : 'needs PostgreSQL (tests/run.sh pg)';
const script = fileURLToPath(new URL('../../scripts/pg-cluster.sh', import.meta.url));
let root, cluster, url, dir, srv;

function pg(cmd) {
  const r = spawnSync(script, [cmd, cluster], { encoding: 'utf8', timeout: 60000 });
  if (r.status !== 0) throw new Error(`pg-cluster ${cmd}: ${r.stderr}`);
  return r.stdout.trim();
}

before(async () => {
  if (skip) return;
  root = tempDir('byline-outage-');
  cluster = join(root, 'pg');
  url = pg('start');
  const r = spawnSync('psql', ['-X', '-q', `${url}postgres`, '-c', 'CREATE DATABASE outage'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  dir = join(root, 'site');
  const d = byline(['demo', dir, '--database', `${url}outage`]);
  assert.equal(d.status, 0, d.stderr);
  for (const [k, v] of Object.entries({ 'comments.min_seconds': 0, 'comments.flood_seconds': 0, 'comments.moderation': 'none' })) {
    assert.equal(byline(['config', 'set', k, String(v), '--site', dir]).status, 0);
  }
  srv = await serve(dir);
});

after(async () => {
  if (srv) await srv.stop();
  if (cluster) pg('stop');
  if (root) cleanup(root);
});

test('a node rides out a database outage and recovers by itself', { skip, timeout: 90000 }, async () => {
  const paths = await articlePaths(srv.port);
  const article = paths[0];
  // Acknowledged before the outage.
  const before = await new Reader(srv.port).comment(article, goodComment());
  assert.equal(before.res.status, 303);
  // Let the change watcher take in that write before pages are cached.
  await sleep(500);
  // Cached while the database is up.
  const front = await request(srv.port, '/');
  assert.equal(front.status, 200);
  assert.equal((await request(srv.port, article)).status, 200);
  // A reader opens the form before the outage and posts during it.
  const reader = new Reader(srv.port);
  const { form } = await reader.form(paths[1]);

  pg('stop');
  try {
    const cached = await request(srv.port, '/');
    assert.equal(cached.status, 200, 'the cached front page is still served');
    assert.equal(cached.text, front.text);
    assert.equal((await request(srv.port, article)).status, 200, 'the cached article is still served, with its form');

    const uncached = await request(srv.port, '/2000/01/01/never-cached/');
    assert.equal(uncached.status, 503, 'a page that needs the database');
    assert.equal(uncached.headers['retry-after'], '5');
    const search = await request(srv.port, '/search?q=harbour');
    assert.equal(search.status, 503);

    const values = goodComment();
    const down = await reader.submit(form, values);
    assert.equal(down.status, 503, 'a comment cannot be stored while the database is down');
    assert.ok(down.text.includes(values.comment), 'the form comes back with the comment as typed');
    assert.ok(srv.proc.exitCode === null, 'the node is still running');
  } finally {
    pg('restart');
  }

  // Full service again without a restart of the node.
  let ok = false;
  for (let i = 0; i < 100 && !ok; i++) {
    ok = (await request(srv.port, '/search?q=harbour')).status === 200;
    if (!ok) await sleep(100);
  }
  assert.ok(ok, 'search works again after the database came back');
  assert.equal((await request(srv.port, '/2000/01/01/never-cached/')).status, 404);
  const values = goodComment();
  const after = await new Reader(srv.port).comment(paths[1], values);
  assert.equal(after.res.status, 303, after.res.text);
  const page = await request(srv.port, paths[1]);
  assert.ok(page.text.includes(values.comment), 'a new comment shows at once');
  const first = await request(srv.port, article);
  assert.ok(first.text.includes(`comment-${before.id}`), 'the comment acknowledged before the outage is there');
});
