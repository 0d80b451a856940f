// Group commit: many readers posting at once are each acknowledged with
// their own comment, every acknowledged comment is stored, and a refusal
// inside a burst (a replayed CAPTCHA, a duplicate) is that post's alone.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { dirname, join } from 'node:path';
import { serve, request, cleanup } from '../lib/server.mjs';
import { DatabaseSync } from '../lib/db.mjs';
import { commentSite, QUICK, Reader, fieldError, commentId, goodComment, articlePaths } from '../lib/forms.mjs';

const USED = 'That question was already used. Please answer this new one.';
const BURST = 60;

let dir;
let srv;
after(async () => {
  if (srv) await srv.stop();
  if (dir) cleanup(dirname(dir));
});

async function site() {
  if (!srv) {
    dir = commentSite({ ...QUICK, 'comments.moderation': 'none' });
    srv = await serve(dir);
  }
  return srv;
}

// The ids of the approved comments the JSON API lists for `articleId`.
async function listed(port, articleId) {
  const r = await request(port, `/api/articles/${articleId}/comments`);
  assert.equal(r.status, 200);
  return new Set(JSON.parse(r.text).comments.map((c) => c.id));
}

// Every reader first opens an article (each gets its own question), then
// they all post at the same moment.
async function formsFor(port, paths, n) {
  return Promise.all(Array.from({ length: n }, async (_, i) => {
    const reader = new Reader(port);
    const { form } = await reader.form(paths[i % paths.length]);
    return { reader, form, values: goodComment() };
  }));
}

test('a burst of concurrent comments: every one acknowledged, every one stored', async () => {
  const { port } = await site();
  const paths = await articlePaths(port);
  assert.ok(paths.length > 1);
  const posts = await formsFor(port, paths, BURST);
  const results = await Promise.all(posts.map((p) => p.reader.submit(p.form, p.values)));

  const ids = results.map((res, i) => {
    assert.equal(res.status, 303, `post ${i} answered ${res.status}`);
    const id = commentId(res);
    assert.ok(id, `post ${i} has no comment id in ${res.headers.location}`);
    return id;
  });
  assert.equal(new Set(ids).size, BURST, 'each post got a comment of its own');

  // Each comment is on its own article with its own text.
  const byArticle = new Map();
  posts.forEach((p, i) => {
    const a = p.form.get('article');
    if (!byArticle.has(a)) byArticle.set(a, []);
    byArticle.get(a).push(ids[i]);
  });
  for (const [articleId, want] of byArticle) {
    const have = await listed(port, articleId);
    for (const id of want) assert.ok(have.has(id), `comment ${id} is not listed on article ${articleId}`);
  }
  const db = new DatabaseSync(join(dir, 'byline.db'));
  posts.forEach((p, i) => {
    const body = db.value(`SELECT body FROM comments WHERE id = ${ids[i]}`);
    assert.equal(body, p.values.comment, `comment ${ids[i]} holds its own text`);
  });
});

test('a replayed question inside a burst is refused alone', async () => {
  const { port } = await site();
  const paths = await articlePaths(port);
  const posts = await formsFor(port, paths, BURST);
  // A second reader sends the first reader's form (its token) again, with
  // a different comment, in the same burst.
  const twin = { reader: new Reader(port), form: posts[0].form, values: goodComment() };
  const all = [...posts, twin];
  const results = await Promise.all(all.map((p) => p.reader.submit(p.form, p.values)));

  const pair = [results[0], results[results.length - 1]];
  const won = pair.filter((r) => r.status === 303);
  const lost = pair.filter((r) => r.status !== 303);
  assert.equal(won.length, 1, `one of the two posts of one question wins (got ${pair.map((r) => r.status)})`);
  assert.equal(lost[0].status, 422);
  assert.equal(fieldError(lost[0].text, 'captcha'), USED);
  results.slice(1, -1).forEach((res, i) => assert.equal(res.status, 303, `post ${i + 1} answered ${res.status}`));

  const db = new DatabaseSync(join(dir, 'byline.db'));
  const loser = pair[0] === lost[0] ? posts[0].values : twin.values;
  assert.equal(Number(db.value(`SELECT count(*) FROM comments WHERE author = '${loser.author}'`)), 0,
    'the refused post left nothing behind');
});

test('the same comment twice inside a burst: the second is a duplicate, the rest are stored', async () => {
  const { port } = await site();
  const paths = await articlePaths(port);
  const posts = await formsFor(port, [paths[0]], 20);
  // Two readers' own forms, the same name, email and text.
  posts[1].values = { ...posts[0].values };
  const results = await Promise.all(posts.map((p) => p.reader.submit(p.form, p.values)));
  const statuses = [results[0].status, results[1].status].sort();
  assert.deepEqual(statuses, [303, 409]);
  results.slice(2).forEach((res, i) => assert.equal(res.status, 303, `post ${i + 2} answered ${res.status}`));
});
