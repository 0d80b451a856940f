// Pages of reader comments: comments.per_page top-level threads a page,
// numbered from the oldest; the article's own URL shows the newest page and
// ARTICLE/comment-page-N/ the others, with Older/Newer links between them.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { dirname, join } from 'node:path';
import { serve, request, links, byline, cleanup } from '../lib/server.mjs';
import { DatabaseSync } from '../lib/db.mjs';
import {
  commentSite, QUICK, Reader, parseForm, goodComment, tokenize, element, hasClass, textOf, squash,
  within,
} from '../lib/forms.mjs';

/* ------------------------------------------------------------ sites */

const THREADS = 10;
const PER_PAGE = 3;
const started = [];

// Settings for quick posting, plus page-cache refresh off when the build
// has that setting (a comment then shows on the next view at once).
function settings(extra) {
  const s = { ...QUICK, 'comments.moderation': 'none', ...extra };
  if (byline(['config', 'list']).stdout.includes('`cache.comment_refresh_ms`')) s['cache.comment_refresh_ms'] = 0;
  return s;
}

// A served site whose newest comment-less article has THREADS top-level
// comments, written to the database before the server starts:
//   thread k (1..THREADS) is "Thread k", one minute apart, oldest first;
//   thread 2 has a reply "Reply 2a" (posted after thread 9) and a reply
//   to it "Reply 2b"; thread 9 has "Reply 9a"; one held comment "Held".
// Resolves to { srv, port, db, path, id, ids: { 'Thread 1': ID, ... } }.
async function site(extra) {
  const dir = commentSite(settings(extra));
  const db = new DatabaseSync(join(dir, 'byline.db'));
  const id = db.value('SELECT id FROM articles a WHERE status = 1 AND NOT EXISTS ' +
    '(SELECT 1 FROM comments c WHERE c.article_id = a.id) ORDER BY published_at DESC LIMIT 1');
  const path = db.value(`SELECT path FROM articles WHERE id = ${id}`);
  const t0 = Number(db.value(`SELECT published_at FROM articles WHERE id = ${id}`)) + 60;
  const add = (body, at, parent = null, status = 1) => {
    const p = parent ? `(SELECT id FROM comments WHERE body = '${parent}' AND article_id = ${id})` : 'NULL';
    db.value(`INSERT INTO comments (article_id, parent_id, author, email, url, body, ip, status, created_at) ` +
      `VALUES (${id}, ${p}, '${body} author', 'pages@example.net', '', '${body}', '127.0.0.1', ${status}, ${at})`);
  };
  for (let k = 1; k <= THREADS; k++) {
    add(`Thread ${k}`, t0 + k * 60);
    if (k === 9) {
      add('Reply 2a', t0 + k * 60 + 10, 'Thread 2');
      add('Reply 2b', t0 + k * 60 + 20, 'Reply 2a');
      add('Reply 9a', t0 + k * 60 + 30, 'Thread 9');
      add('Held', t0 + k * 60 + 40, null, 0);
    }
  }
  const ids = {};
  for (const b of [...Array.from({ length: THREADS }, (_, k) => `Thread ${k + 1}`), 'Reply 2a', 'Reply 2b', 'Reply 9a']) {
    ids[b] = db.value(`SELECT id FROM comments WHERE body = '${b}' AND article_id = ${id}`);
  }
  const srv = await serve(dir);
  started.push({ srv, dir });
  return { srv, port: srv.port, db, path, id, ids, dir };
}

after(async () => {
  for (const s of started) {
    await s.srv.stop();
    cleanup(dirname(s.dir));
  }
});

let paged = null;
const pagedSite = () => (paged ??= site({ 'comments.per_page': PER_PAGE }));

/* ---------------------------------------------------------- helpers */

// What a page of comments shows: { status, html, tops: [body...] (top-level
// comments in page order), all: [body...] (every comment, in page order),
// nesting: Map body -> parent body, count (the comment-count line),
// nav: { older, newer, current, numbers: [n...], label } or null,
// canonical (path), title, form }.
function read(res) {
  const html = res.text;
  const toks = tokenize(html);
  const list = element(toks, hasClass('comment-list', 'ol'));
  const all = [];
  const tops = [];
  const nesting = new Map();
  const stack = [];
  if (list) {
    for (const t of list) {
      if (t.type === 'tag' && t.name === 'li' && hasClass('comment')(t)) {
        stack.push(null);
      } else if (t.type === 'end' && t.name === 'li') {
        stack.pop();
      } else if (t.type === 'tag' && t.name === 'div' && hasClass('comment-body')(t)) {
        const k = list.indexOf(t);
        const body = squash(textOf(element(list.slice(k), () => true)));
        stack[stack.length - 1] = body;
        all.push(body);
        if (stack.length === 1) tops.push(body);
        else nesting.set(body, stack[stack.length - 2]);
      }
    }
  }
  const navEl = element(toks, (t) => t.name === 'nav' && hasClass('comment-pagination')(t));
  let nav = null;
  if (navEl) {
    const navHtml = navEl.map((t) => t.type === 'tag' ? `<${t.name}${[...t.attrs].map(([k, v]) => ` ${k}="${v}"`).join('')}>` : (t.type === 'end' ? `</${t.name}>` : (t.text ?? ''))).join('');
    const href = (cls) => {
      const a = navEl.find((t) => t.type === 'tag' && t.name === 'a' && hasClass(cls)(t));
      return a ? a.attrs.get('href').replace(/#.*$/, '') : null;
    };
    const cur = element(navEl, (t) => t.attrs.get('aria-current') === 'page');
    nav = {
      label: navEl[0].attrs.get('aria-label'),
      older: href('pagination-prev'),
      newer: href('pagination-next'),
      olderText: navHtml.includes('Older comments'),
      newerText: navHtml.includes('Newer comments'),
      current: cur ? Number(squash(textOf(cur)).replace(/\D/g, '')) : null,
      numbers: links(navHtml, /comment-page-|^\/\d{4}\//),
    };
  }
  const countEl = element(toks, hasClass('comment-count', 'p'));
  const canon = /<link rel="canonical" href="([^"]*)"/.exec(html);
  const title = /<title>([^<]*)<\/title>/.exec(html);
  return {
    status: res.status, html, tops, all, nesting, nav,
    count: countEl ? squash(textOf(countEl)) : null,
    canonical: canon ? new URL(canon[1]).pathname : null,
    title: title ? title[1] : null,
    form: parseForm(html),
  };
}

async function get(port, path) {
  return read(await request(port, path));
}

const threads = (...ks) => ks.map((k) => `Thread ${k}`);

/* ------------------------------------------------------------ tests */

test('the article shows the newest page of threads, with the total count', async () => {
  const s = await pagedSite();
  const p = await get(s.port, s.path);
  assert.equal(p.status, 200);
  // 10 threads, 3 a page: 1-3, 4-6, 7-9, 10. The newest holds thread 10.
  assert.deepEqual(p.tops, threads(10));
  assert.equal(p.count, '13 comments', 'the heading counts every approved comment, not this page\'s');
  assert.ok(!p.all.includes('Held'), 'a held comment is not shown');
  assert.equal(p.canonical, s.path);
  assert.ok(p.nav, 'links between comment pages');
  assert.equal(p.nav.label, 'Comment pages');
  assert.equal(p.nav.older, `${s.path}comment-page-3/`);
  assert.ok(p.nav.olderText);
  assert.equal(p.nav.newer, null, 'nothing newer than the newest page');
  assert.equal(p.nav.current, 4);
  assert.ok(p.form, 'the comment form is on the article');
  // commentCount in the structured data is the total.
  const ld = JSON.parse(/<script type="application\/ld\+json">([\s\S]*?)<\/script>/.exec(p.html)[1]);
  assert.equal(ld.commentCount, 13);
});

test('comment-page-1 holds the oldest threads with their replies, nested', async () => {
  const s = await pagedSite();
  const p = await get(s.port, `${s.path}comment-page-1/`);
  assert.equal(p.status, 200);
  assert.deepEqual(p.tops, threads(1, 2, 3));
  assert.deepEqual(p.all, ['Thread 1', 'Thread 2', 'Reply 2a', 'Reply 2b', 'Thread 3'],
    'a reply posted much later stays with its thread');
  assert.equal(p.nesting.get('Reply 2a'), 'Thread 2');
  assert.equal(p.nesting.get('Reply 2b'), 'Reply 2a');
  assert.equal(p.count, '13 comments');
  assert.equal(p.canonical, `${s.path}comment-page-1/`, 'a comment page is its own canonical URL');
  assert.match(p.title, /page 1/);
  assert.equal(p.nav.older, null);
  assert.equal(p.nav.newer, `${s.path}comment-page-2/`);
  assert.ok(p.nav.newerText);
  assert.equal(p.nav.current, 1);
  assert.ok(p.form, 'the comment form is on every comment page');
  assert.equal(p.form.get('article'), String(s.id));
  const ld = JSON.parse(/<script type="application\/ld\+json">([\s\S]*?)<\/script>/.exec(p.html)[1]);
  assert.equal(ld.commentCount, 13);
  assert.equal(new URL(ld.url).pathname, s.path, 'the structured data is about the article');
});

test('Older and Newer links walk every page, each thread on exactly one', async () => {
  const s = await pagedSite();
  const seen = [];
  // From the newest back to page 1 by "Older comments".
  let path = s.path;
  const visited = [];
  for (;;) {
    const p = await get(s.port, path);
    assert.equal(p.status, 200, path);
    assert.ok(p.form, `the form on ${path}`);
    assert.equal(p.count, '13 comments', path);
    visited.push(path);
    seen.unshift(...p.tops);
    if (!p.nav.older) break;
    path = p.nav.older;
  }
  assert.deepEqual(visited, [s.path, `${s.path}comment-page-3/`, `${s.path}comment-page-2/`, `${s.path}comment-page-1/`]);
  assert.deepEqual(seen, threads(1, 2, 3, 4, 5, 6, 7, 8, 9, 10));
  // And forward again by "Newer comments", ending at the article itself.
  const forward = [];
  path = `${s.path}comment-page-1/`;
  while (path) {
    forward.push(path);
    path = (await get(s.port, path)).nav.newer;
  }
  assert.deepEqual(forward, [...visited].reverse());
  const p3 = await get(s.port, `${s.path}comment-page-3/`);
  assert.deepEqual(p3.all, ['Thread 7', 'Thread 8', 'Thread 9', 'Reply 9a']);
  assert.equal(p3.nav.newer, s.path, 'the newest page is linked as the article itself');
  assert.equal(p3.nav.current, 3);
  for (const n of p3.nav.numbers) assert.equal((await request(s.port, n)).status, 200, n);
});

test('the newest page by number is served too, as its own canonical page', async () => {
  const s = await pagedSite();
  const p = await get(s.port, `${s.path}comment-page-4/`);
  assert.equal(p.status, 200);
  assert.deepEqual(p.tops, threads(10));
  assert.equal(p.canonical, `${s.path}comment-page-4/`);
  assert.equal(p.nav.older, `${s.path}comment-page-3/`);
});

test('pages that do not exist are the normal 404 page', async () => {
  const s = await pagedSite();
  const nf = await request(s.port, '/no/such/page/');
  assert.equal(nf.status, 404);
  const mainText = (html) => squash(textOf(element(tokenize(html), (t) => t.name === 'main')));
  assert.match(mainText(nf.text), /not found/i);
  for (const tail of ['comment-page-5/', 'comment-page-0/', 'comment-page-00/', 'comment-page-01/',
    'comment-page-x/', 'comment-page-/', 'comment-page--1/', 'comment-page-2x/', 'comment-page-99999999/',
    'comment-page-2/extra/', 'comment-page-2/comment-page-1/', 'comment-pages-2/', 'page/2/']) {
    const r = await request(s.port, `${s.path}${tail}`);
    assert.equal(r.status, 404, tail);
    assert.equal(mainText(r.text), mainText(nf.text), `${tail}: the site's usual 404 page`);
  }
  const r = await request(s.port, '/2001/01/01/no-such-story/comment-page-1/');
  assert.equal(r.status, 404);
  const redirect = await request(s.port, `${s.path}comment-page-2`);
  assert.equal(redirect.status, 301, 'a comment page without its slash redirects');
  assert.equal(redirect.headers.location, `${s.path}comment-page-2/`);
});

test('reply links keep the reader on the comment page', async () => {
  const s = await pagedSite();
  const page1 = `${s.path}comment-page-1/`;
  const p = await get(s.port, page1);
  const replies = links(p.html.replace(/#respond/g, ''), /replytocom=/)
    .concat([...p.html.matchAll(/class="comment-reply-link" href="([^"]*)"/g)].map((m) => m[1].replace(/&amp;/g, '&')));
  assert.ok(replies.length >= 4, 'reply links on page 1');
  for (const href of replies) assert.ok(href.startsWith(`${page1}?replytocom=`), href);
  const r = new Reader(s.port);
  const { page, form } = await r.form(`${page1}?replytocom=${s.ids['Thread 2']}`);
  assert.equal(page.status, 200);
  assert.equal(form.get('parent'), String(s.ids['Thread 2']));
  const shown = read(page);
  assert.deepEqual(shown.tops, threads(1, 2, 3), 'the same page of comments, with the reply form');
  const cancel = /class="cancel-reply" href="([^"]*)"/.exec(page.text);
  assert.ok(cancel, 'a "Cancel reply" link');
  assert.equal(cancel[1].replace(/#.*$/, ''), page1, 'cancelling the reply stays on the page');
});

test('a new comment shows on the newest page and every page counts it', async () => {
  const s = await site({ 'comments.per_page': PER_PAGE });
  const before = await get(s.port, `${s.path}comment-page-1/`);
  assert.equal(before.count, '13 comments');
  const r = new Reader(s.port);
  const { page, form } = await r.form(`${s.path}comment-page-2/`);
  assert.equal(page.status, 200);
  const res = await r.submit(form, goodComment({ comment: 'Thread 11' }));
  assert.equal(res.status, 303, squash(textOf(tokenize(res.text))).slice(0, 200));
  const other = new Reader(s.port);
  const newest = await within(3000, async () => {
    const p = read(await other.get(s.path));
    return p.tops.includes('Thread 11') ? p : null;
  });
  assert.ok(newest, 'the new thread is on the newest page');
  assert.deepEqual(newest.tops, threads(10, 11));
  assert.equal(newest.count, '14 comments');
  const p1 = await within(3000, async () => {
    const p = read(await other.get(`${s.path}comment-page-1/`));
    return p.count === '14 comments' ? p : null;
  });
  assert.ok(p1, 'an old page is rebuilt with the new total');
  assert.deepEqual(p1.tops, threads(1, 2, 3), 'and keeps its threads');
});

test('a comment\'s permalink /comments/ID/ leads to the page of comments that shows it', async () => {
  const s = await pagedSite();
  const want = {
    'Thread 1': `${s.path}comment-page-1/`,
    'Reply 2b': `${s.path}comment-page-1/`,
    'Thread 5': `${s.path}comment-page-2/`,
    'Reply 9a': `${s.path}comment-page-3/`,
    'Thread 10': s.path,
  };
  for (const [body, page] of Object.entries(want)) {
    const id = s.ids[body];
    // Each address twice: built, then from the page cache.
    for (const link of [`/comments/${id}/`, `/comments/${id}`, `/comments/${id}/`]) {
      const r = await request(s.port, link);
      assert.equal(r.status, 302, `${link} (${body})`);
      const loc = new URL(r.headers.location, 'http://x');
      assert.equal(loc.pathname, page, `${body} is on ${page}`);
      assert.equal(loc.hash, `#comment-${id}`);
      assert.match(r.headers['cache-control'] || '', /no-cache|no-store/, 'not cached: the newest page gets a number later');
    }
    const p = await get(s.port, want[body]);
    assert.ok(p.all.includes(body), `${body} is shown where its permalink leads`);
    assert.ok(p.html.includes(`id="comment-${s.ids[body]}"`), `the anchor #comment-${s.ids[body]} is there`);
  }
  const held = s.db.value(`SELECT id FROM comments WHERE body = 'Held' AND article_id = ${s.id}`);
  for (const bad of [`/comments/${held}/`, '/comments/99999999/', '/comments/0/', '/comments/12x/']) {
    assert.equal((await request(s.port, bad)).status, 404, `${bad}: a held, missing or malformed comment is not found`);
  }
});

test('a reply to a thread on an older page is sent back to that page, where it shows', async () => {
  const s = await site({ 'comments.per_page': PER_PAGE });
  const page1 = `${s.path}comment-page-1/`;
  const r = new Reader(s.port);
  const { form } = await r.form(`${page1}?replytocom=${s.ids['Thread 2']}`);
  const res = await r.submit(form, goodComment({ comment: 'Reply 2c' }));
  assert.equal(res.status, 303, squash(textOf(tokenize(res.text))).slice(0, 200));
  const loc = new URL(res.headers.location, 'http://x');
  assert.equal(loc.pathname, page1, 'the reply lands on the page holding its thread, not the newest page');
  const id = /^#comment-(\d+)$/.exec(loc.hash)[1];
  const p = read(await r.get(page1));
  assert.ok(p.html.includes(`id="comment-${id}"`), 'the anchor the redirect names is on that page');
  const other = await within(3000, async () => {
    const q = read(await new Reader(s.port).get(page1));
    return q.all.includes('Reply 2c') ? q : null;
  });
  assert.ok(other, 'everyone sees the reply on page 1');
  assert.equal(other.nesting.get('Reply 2c'), 'Thread 2', 'in its thread');
  assert.ok(!read(await new Reader(s.port).get(s.path)).all.includes('Reply 2c'), 'not on the newest page');
  // Thread 10's permalink leads to the article itself while its page is the newest.
  const t10 = `/comments/${s.ids['Thread 10']}/`;
  assert.equal(new URL((await request(s.port, t10)).headers.location, 'http://x').pathname, s.path);
  // A new thread posted from page 1 still goes to the newest page.
  for (const body of ['Thread 11 from page 1', 'Thread 12', 'Thread 13']) {
    const again = await r.form(page1);
    const top = await r.submit(again.form, goodComment({ comment: body }));
    assert.equal(top.status, 303, body);
    assert.equal(new URL(top.headers.location, 'http://x').pathname, s.path, body);
  }
  // Thread 13 started page 5: thread 10 is now on comment-page-4, and its
  // (cached) permalink follows.
  const moved = await within(3000, async () => {
    const loc = new URL((await request(s.port, t10)).headers.location, 'http://x').pathname;
    return loc === `${s.path}comment-page-4/` ? loc : null;
  });
  assert.ok(moved, 'the permalink leads to the page that now shows the thread');
  assert.ok(read(await new Reader(s.port).get(`${s.path}comment-page-4/`)).all.includes('Thread 10'));
  // An approved comment on an article that is not published has no permalink:
  // it would give the draft's address away.
  const draft = s.db.value(`SELECT id FROM articles WHERE id <> ${s.id} ORDER BY id LIMIT 1`);
  s.db.value(`UPDATE articles SET status = 0 WHERE id = ${draft}`);
  s.db.value(`INSERT INTO comments (article_id, parent_id, author, email, url, body, ip, status, created_at) ` +
    `VALUES (${draft}, NULL, 'On a draft', 'draft@example.net', '', 'On a draft', '127.0.0.1', 1, 1700000000)`);
  const onDraft = s.db.value(`SELECT id FROM comments WHERE body = 'On a draft'`);
  const r404 = await request(s.port, `/comments/${onDraft}/`);
  assert.equal(r404.status, 404);
  assert.ok(!String(r404.headers.location || '').includes('/'), 'no address of the draft');
});

test('comments.order newest reverses threads within a page, not the pages', async () => {
  const s = await site({ 'comments.per_page': PER_PAGE, 'comments.order': 'newest' });
  const p1 = await get(s.port, `${s.path}comment-page-1/`);
  assert.deepEqual(p1.tops, threads(3, 2, 1));
  assert.deepEqual(p1.all, ['Thread 3', 'Thread 2', 'Reply 2a', 'Reply 2b', 'Thread 1'], 'replies stay oldest first');
  const p3 = await get(s.port, `${s.path}comment-page-3/`);
  assert.deepEqual(p3.tops, threads(9, 8, 7));
  assert.deepEqual((await get(s.port, s.path)).tops, threads(10));
});

test('per_page 0 puts every comment on the article, and no comment page exists', async () => {
  const s = await site({ 'comments.per_page': 0 });
  const p = await get(s.port, s.path);
  assert.equal(p.status, 200);
  assert.deepEqual(p.tops, threads(1, 2, 3, 4, 5, 6, 7, 8, 9, 10));
  assert.equal(p.all.length, 13);
  assert.equal(p.nav, null, 'no links between pages');
  assert.ok(!p.html.includes('comment-page-'));
  for (const n of [1, 2]) assert.equal((await request(s.port, `${s.path}comment-page-${n}/`)).status, 404, `comment-page-${n}`);
});

test('the default of 50 threads a page leaves an ordinary article as it was', async () => {
  const s = await site({});
  const p = await get(s.port, s.path);
  assert.deepEqual(p.tops, threads(1, 2, 3, 4, 5, 6, 7, 8, 9, 10));
  assert.equal(p.nav, null);
  assert.equal((await request(s.port, `${s.path}comment-page-1/`)).status, 404, 'one page: no numbered page');
});

test('comment pages are cached and listed in no sitemap or feed', async () => {
  const s = await pagedSite();
  const path = `${s.path}comment-page-2/`;
  const a = await request(s.port, path, { headers: { 'Accept-Encoding': 'gzip' } });
  const b = await request(s.port, path, { headers: { 'Accept-Encoding': 'gzip' } });
  assert.equal(a.status, 200);
  assert.equal(a.headers['content-encoding'], 'gzip', 'served compressed like the article');
  assert.equal(b.status, 200);
  assert.equal(a.headers['cache-control'], (await request(s.port, s.path)).headers['cache-control'],
    'the same caching as the article page');
  for (const u of ['/sitemap.xml', '/feed/', '/feed/atom/', `${s.path}feed/`]) {
    const r = await request(s.port, u);
    assert.equal(r.status, 200, u);
    assert.ok(!r.text.includes('comment-page-'), `${u} names no comment page`);
  }
  const index = await request(s.port, '/sitemap.xml');
  for (const m of index.text.matchAll(/<loc>([^<]*)<\/loc>/g)) {
    const r = await request(s.port, new URL(m[1]).pathname);
    assert.ok(!r.text.includes('comment-page-'), `${m[1]} names no comment page`);
  }
});
