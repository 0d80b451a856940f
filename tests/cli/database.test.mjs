// Choosing the database: byline init/demo --database, errors that name the
// problem without ever printing a password.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, statSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { byline, tempDir, cleanup, serve, request, newDatabase, psql, PG } from '../lib/server.mjs';

const roots = [];
after(() => { for (const r of roots) cleanup(r); });
function root() { const r = tempDir(); roots.push(r); return r; }
const needPg = PG ? false : 'needs PostgreSQL (tests/run.sh pg)';

test('an unreachable PostgreSQL is a clear error, and the password is never shown', () => {
  const dir = join(root(), 'site');
  const r = byline(['init', dir, '--database', 'postgresql://editor:hunter2secret@127.0.0.1:1/news']);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /^byline: init: cannot .*127\.0\.0\.1/m);
  assert.ok(!r.stderr.includes('hunter2secret'), r.stderr);
  assert.ok(!existsSync(join(dir, 'byline.conf')), 'no site is left behind');
});

test('init refuses an empty --database', () => {
  const r = byline(['init', join(root(), 'site'), '--database', '']);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--database needs a database URL/);
});

test('init --database creates the schema on PostgreSQL and the site serves from it', { skip: needPg }, async () => {
  const dir = join(root(), 'site');
  const url = newDatabase();
  let r = byline(['init', dir, '--title', 'The Night Desk', '--database', url]);
  assert.equal(r.status, 0, r.stderr);
  assert.ok(!existsSync(join(dir, 'byline.db')), 'no SQLite file');
  assert.match(readFileSync(join(dir, 'byline.conf'), 'utf8'), new RegExp(`^database = ${url}$`, 'm'));
  const db = url.slice(url.lastIndexOf('/') + 1);
  assert.equal(psql(db, 'SELECT count(*) FROM articles').trim(), '0');
  const t = root();
  const file = join(t, 'story.md');
  (await import('node:fs')).writeFileSync(file, '---\ntitle: Lighthouse keeper retires after forty years\nsection: News\n---\nThe lamp is automatic now.\n');
  r = byline(['post', 'add', file, '--site', dir, '--publish']);
  assert.equal(r.status, 0, r.stderr);
  const srv = await serve(dir);
  try {
    const front = await request(srv.port, '/');
    assert.equal(front.status, 200);
    assert.ok(front.text.includes('Lighthouse keeper retires after forty years'));
    const s = await request(srv.port, '/search?q=lighthouse');
    assert.ok(s.text.includes('/lighthouse-keeper-retires-after-forty-years/'), 'search finds it');
  } finally {
    await srv.stop();
  }
});

test('a URL with a password makes byline.conf private', { skip: needPg }, () => {
  const dir = join(root(), 'site');
  const url = newDatabase().replace('byline@', 'byline:notchecked@');
  const r = byline(['init', dir, '--database', url]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(statSync(join(dir, 'byline.conf')).mode & 0o777, 0o600);
});

test('a database that does not exist is named in the error', { skip: needPg }, () => {
  const dir = join(root(), 'site');
  const r = byline(['init', dir, '--database', `${PG}no_such_database_here`]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /no_such_database_here/);
});
