// A burst of comments (cache.comment_refresh_ms): the first comment after a
// quiet spell shows to everyone at once; later ones within the refresh time
// are coalesced into one rebuild, but their authors see them at once, where
// the redirect points; moderation still shows at once.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { dirname } from 'node:path';
import { serve, request, byline, cleanup } from '../lib/server.mjs';
import {
  commentSite, QUICK, Reader, goodComment, articlePaths, within, tokenize, element, byId, textOf, squash,
} from '../lib/forms.mjs';

const sites = [];
after(async () => {
  for (const s of sites) {
    await s.srv.stop();
    cleanup(dirname(s.dir));
  }
});

async function site(settings) {
  const dir = commentSite({ ...QUICK, 'comments.moderation': 'none', ...settings });
  const srv = await serve(dir);
  const s = { dir, srv, port: srv.port, paths: await articlePaths(srv.port) };
  sites.push(s);
  return s;
}

const ids = (html, re) => tokenize(html).filter((t) => t.type === 'tag' && re.test(t.attrs.get('id') || ''))
  .map((t) => t.attrs.get('id'));
const shows = (html, id) => ids(html, /^comment-\d+$/).includes(`comment-${id}`);
const textAt = (html, id) => squash(textOf(element(tokenize(html), byId(`comment-${id}`))));

function posted(res, path) {
  assert.equal(res.status, 303, `expected 303, got ${res.status}`);
  const loc = new URL(res.headers.location, 'http://127.0.0.1/');
  assert.equal(loc.pathname, path);
  const m = /^#comment-(\d+)$/.exec(loc.hash);
  assert.ok(m, `Location ${res.headers.location} names the comment`);
  return Number(m[1]);
}

test('a burst of comments: the first shows at once, later ones to their authors at once and to others on the next rebuild', async () => {
  // A refresh time (a minute) far longer than the test: what is coalesced stays so.
  const s = await site({ 'cache.comment_refresh_ms': 60000 });
  const path = s.paths[0];
  await request(s.port, path);

  const a = new Reader(s.port);
  const va = goodComment();
  const idA = posted((await a.comment(path, va)).res, path);
  let anon = await request(s.port, path);
  assert.ok(shows(anon.text, idA), 'the first comment after a quiet spell shows to every reader at once');

  const b = new Reader(s.port);
  const vb = goodComment();
  const idB = posted((await b.comment(path, vb)).res, path);
  anon = await request(s.port, path);
  assert.ok(shows(anon.text, idA));
  assert.ok(!shows(anon.text, idB), 'a comment in a burst waits for the next rebuild (no rebuild per comment)');

  // Its author lands on it: the element the redirect names, once, with
  // the text, in the form's list of the reader's own comments.
  const mine = await b.get(path);
  assert.equal(mine.status, 200);
  const found = ids(mine.text, new RegExp(`^comment-${idB}$`));
  assert.equal(found.length, 1, `#comment-${idB} is on the author's page exactly once`);
  assert.ok(textAt(mine.text, idB).includes(vb.comment), 'the author sees the text of the comment');
  const all = ids(mine.text, /./);
  assert.deepEqual(all.filter((x, i) => all.indexOf(x) !== i), [], 'no duplicate ids on the author\'s page');
  // The first commenter's own view is unchanged by B's comment: theirs is
  // in the page, once.
  const theirs = await a.get(path);
  assert.equal(ids(theirs.text, new RegExp(`^comment-${idA}$`)).length, 1);

  // A moderator's change shows at once, and the rebuilt page has both.
  byline(['comments', 'spam', String(idA), '--site', s.dir]);
  assert.ok(await within(3000, async () => {
    const t = (await request(s.port, path)).text;
    return !shows(t, idA) && shows(t, idB);
  }), 'after moderation the page is rebuilt at once: A hidden, B shown');
});

test('the comments of a burst reach every reader once the refresh time is over', async () => {
  const s = await site({ 'cache.comment_refresh_ms': 300 });
  const path = s.paths[1];
  const posters = [new Reader(s.port), new Reader(s.port), new Reader(s.port)];
  const got = [];
  for (const r of posters) got.push(posted((await r.comment(path, goodComment())).res, path));
  assert.ok(await within(3000, async () => {
    const t = (await request(s.port, path)).text;
    return got.every((id) => shows(t, id));
  }), 'every comment of the burst shows within the refresh time');
});

test('cache.comment_refresh_ms 0: every comment shows to every reader at once', async () => {
  const s = await site({ 'cache.comment_refresh_ms': 0 });
  const path = s.paths[2];
  for (let i = 0; i < 3; i++) {
    const id = posted((await new Reader(s.port).comment(path, goodComment())).res, path);
    assert.ok(shows((await request(s.port, path)).text, id), `comment ${i + 1} shows at once`);
  }
});
