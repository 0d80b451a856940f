// Moderating comments from the command line: list, filters, approve, spam,
// delete (the running server's pages follow), and exit codes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dirname, join } from 'node:path';
import { serve, request, byline, cleanup } from '../lib/server.mjs';
import { DatabaseSync } from '../lib/db.mjs';
import {
  commentSite, QUICK, Reader, goodComment, commentId, articlePaths, within, tokenize, element, byId, textOf, squash,
} from '../lib/forms.mjs';

let dir, srv, db, paths;

before(async () => {
  dir = commentSite({ ...QUICK }); // moderation first-time: new commenters are held
  srv = await serve(dir);
  db = new DatabaseSync(join(dir, 'byline.db'));
  paths = await articlePaths(srv.port);
});

after(async () => {
  await srv?.stop();
  if (dir) cleanup(dirname(dir));
});

const run = (...args) => byline(['comments', ...args, '--site', dir]);
const ids = (out) => out.split('\n').filter(Boolean).map((l) => {
  const m = /^(\d+)\s/.exec(l);
  assert.ok(m, `line starts with the comment id: ${JSON.stringify(l)}`);
  return Number(m[1]);
});
const dbIds = (where = '1') => {
  const v = db.value(`SELECT group_concat(id, ' ') FROM (SELECT id FROM comments WHERE ${where} ORDER BY id)`);
  return String(v).split(' ').filter(Boolean).map(Number);
};
const sorted = (a) => [...a].sort((x, y) => x - y);

// Posts a comment through the form; returns { id, v, path }.
async function post(path, extra = {}) {
  const v = goodComment(extra);
  const { res } = await new Reader(srv.port).comment(path, v);
  assert.equal(res.status, 303, `posting gave ${res.status}`);
  return { id: commentId(res), v, path };
}

const shows = async (path, id) => !!element(tokenize((await request(srv.port, path)).text), byId(`comment-${id}`));

test('list prints one line per comment, its id first', async () => {
  await post(paths[0]);
  const r = run('list');
  assert.equal(r.status, 0, r.stderr);
  const got = ids(r.stdout);
  assert.deepEqual(sorted(got), dbIds(), 'every comment, once');
  assert.ok(got.length >= 14, `demo comments and the new one: ${got.length}`);
});

test('list --status and --article filter the list', async () => {
  const held = await post(paths[1]);
  for (const [status, code] of [['pending', 0], ['approved', 1], ['spam', 2]]) {
    const r = run('list', '--status', status);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(sorted(ids(r.stdout)), dbIds(`status = ${code}`), `--status ${status}`);
  }
  assert.ok(ids(run('list', '--status', 'pending').stdout).includes(held.id));
  const slug = db.value(`SELECT a.slug FROM articles a JOIN comments c ON c.article_id = a.id WHERE c.id = ${held.id}`);
  const r = run('list', '--article', slug);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(sorted(ids(r.stdout)), dbIds(`article_id = (SELECT id FROM articles WHERE slug = '${slug}')`));
  assert.ok(ids(r.stdout).includes(held.id));
  const both = run('list', '--article', slug, '--status', 'approved');
  assert.equal(both.status, 0, both.stderr);
  assert.deepEqual(sorted(ids(both.stdout)), dbIds(`status = 1 AND article_id = (SELECT id FROM articles WHERE slug = '${slug}')`));
});

test('approve publishes a held comment on the running site within a second', async () => {
  const { id, v, path } = await post(paths[2]);
  assert.equal(await shows(path, id), false, 'held at first');
  const r = run('approve', String(id));
  assert.equal(r.status, 0, r.stderr);
  assert.ok(await within(1500, () => shows(path, id)), 'the article shows it');
  const text = squash(textOf(element(tokenize((await request(srv.port, path)).text), byId(`comment-${id}`))));
  assert.ok(text.includes(v.comment));
  assert.ok(!ids(run('list', '--status', 'pending').stdout).includes(id));
  assert.ok(ids(run('list', '--status', 'approved').stdout).includes(id));
});

test('spam and delete take a comment off the running site within a second', async () => {
  const a = await post(paths[3]);
  const b = await post(paths[3]);
  let r = run('approve', String(a.id), String(b.id));
  assert.equal(r.status, 0, r.stderr);
  assert.ok(await within(1500, async () => (await shows(a.path, a.id)) && (await shows(b.path, b.id))), 'several ids at once');
  r = run('spam', String(a.id));
  assert.equal(r.status, 0, r.stderr);
  assert.ok(await within(1500, async () => !(await shows(a.path, a.id))), 'spam disappears');
  assert.ok(ids(run('list', '--status', 'spam').stdout).includes(a.id));
  r = run('delete', String(b.id));
  assert.equal(r.status, 0, r.stderr);
  assert.ok(await within(1500, async () => !(await shows(b.path, b.id))), 'a deleted comment disappears');
  assert.ok(!ids(run('list').stdout).includes(b.id), 'and is no longer listed');
  assert.equal(db.value(`SELECT count(*) FROM comments WHERE id = ${b.id}`), 0);
});

test('approving a reply to a held comment, and deleting a parent, keep the page sound', async () => {
  const parent = await post(paths[4]);
  let r = run('approve', String(parent.id));
  assert.equal(r.status, 0, r.stderr);
  const reader = new Reader(srv.port);
  const { form } = await reader.form(`${parent.path}?replytocom=${parent.id}`);
  const res = await reader.submit(form, goodComment());
  assert.equal(res.status, 303);
  const child = commentId(res);
  r = run('approve', String(child));
  assert.equal(r.status, 0, r.stderr);
  assert.ok(await within(1500, () => shows(parent.path, child)));
  r = run('delete', String(parent.id));
  assert.equal(r.status, 0, r.stderr);
  assert.ok(await within(1500, async () => !(await shows(parent.path, parent.id))));
  const page = await request(srv.port, parent.path);
  assert.equal(page.status, 200);
});

test('an unknown id exits 1 with a message and changes nothing', () => {
  const before = dbIds();
  for (const cmd of ['approve', 'spam', 'delete']) {
    const r = run(cmd, '987654');
    assert.equal(r.status, 1, `${cmd}: ${r.stderr}`);
    assert.match(r.stderr, /^byline: .*987654/m, `${cmd} names the id`);
  }
  assert.deepEqual(dbIds(), before);
});

test('usage errors exit 2; help exits 0', () => {
  assert.equal(byline(['comments']).status, 2, 'no subcommand');
  assert.equal(byline(['comments', 'frobnicate', '--site', dir]).status, 2, 'unknown subcommand');
  assert.equal(byline(['comments', 'list']).status, 2, '--site is required');
  assert.equal(byline(['comments', 'approve', '--site', dir]).status, 2, 'approve without an id');
  assert.equal(byline(['comments', 'delete', '--site', dir]).status, 2, 'delete without an id');
  assert.equal(byline(['comments', 'list', '--site', dir, '--status', 'bogus']).status, 2, 'unknown status');
  assert.equal(byline(['comments', 'list', '--site', dir, '--frob']).status, 2, 'unknown option');
  assert.equal(byline(['comments', 'approve', 'abc', '--site', dir]).status, 2, 'an id that is not a number');
  const h = byline(['comments', '--help']);
  assert.equal(h.status, 0);
  assert.match(h.stdout, /^usage: byline comments/);
  assert.match(byline(['--help']).stdout, /  comments /, 'listed in the top-level help');
});
