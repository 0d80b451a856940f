// Crash safety: the server is killed with SIGKILL in the middle of a
// comment load; after a restart every acknowledged comment is there and
// (on SQLite) the database passes SQLite's integrity check.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { serve, cleanup, PG } from '../lib/server.mjs';
import { DatabaseSync } from '../lib/db.mjs';
import { commentSite, Reader, articlePaths, goodComment, commentId } from '../lib/forms.mjs';

let dir;
let srv;
after(async () => {
  if (srv) await srv.stop();
  if (dir) cleanup(dirname(dir));
});

test('acknowledged comments survive SIGKILL', { timeout: 60000 }, async () => {
  dir = commentSite({ 'comments.min_seconds': 0, 'comments.flood_seconds': 0, 'comments.moderation': 'none' });
  srv = await serve(dir);
  const paths = await articlePaths(srv.port);
  assert.ok(paths.length > 0);
  const acked = [];
  let stop = false;
  const client = async (n) => {
    const reader = new Reader(srv.port);
    for (let i = 0; !stop; i++) {
      try {
        const { res } = await reader.comment(paths[(n + i) % paths.length], goodComment());
        const id = commentId(res);
        if (res.status === 303 && id) acked.push(id);
      } catch { /* the server went away mid-request */ }
    }
  };
  const clients = Array.from({ length: 6 }, (_, n) => client(n));
  await new Promise((r) => setTimeout(r, 3000));
  srv.proc.kill('SIGKILL');
  stop = true;
  await Promise.all(clients);
  await new Promise((r) => srv.proc.exitCode !== null || srv.proc.signalCode ? r() : srv.proc.once('exit', r));
  assert.ok(acked.length > 0, 'no comment was acknowledged before the kill');

  srv = await serve(dir);
  const db = new DatabaseSync(join(dir, 'byline.db'));
  const found = new Set(String(db.value(`SELECT group_concat(id) FROM comments`)).split(',').map(Number));
  const missing = acked.filter((id) => !found.has(id));
  console.log(`# ${acked.length} comments acknowledged before SIGKILL, ${acked.length - missing.length} found after restart`);
  assert.deepEqual(missing, []);
  if (!PG) {
    const r = spawnSync('sqlite3', [join(dir, 'byline.db'), 'PRAGMA integrity_check'], { encoding: 'utf8' });
    assert.equal(r.stdout.trim(), 'ok');
  }
});
