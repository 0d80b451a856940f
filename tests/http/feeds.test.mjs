// Feeds (RSS, Atom, JSON Feed for the site, sections, tags, authors and
// comments), sitemaps and robots.txt of a served demo site, read with a
// strict XML parser and a real feed parser.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dirname, join } from 'node:path';
import { statSync } from 'node:fs';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import feedParser from '@rowanmanning/feed-parser';
import { demoSite, copySite, serve, request, cleanup, byline } from '../lib/server.mjs';
import { DatabaseSync } from '../lib/db.mjs';

const SITE = 'http://127.0.0.1:8080';      // the demo's site.url
let dir, srv, db;

before(async () => {
  dir = demoSite();
  srv = await serve(dir);
  db = new DatabaseSync(join(dir, 'byline.db'));
});

after(async () => {
  await srv?.stop();
  cleanup(dirname(dir));
});

const get = (path, headers = {}) => request(srv.port, path, { headers });
const local = (url) => {
  assert.ok(url.startsWith(`${SITE}/`), `absolute URL on the site: ${url}`);
  return url.slice(SITE.length);
};
const list = (sql) => {
  const v = db.value(sql);
  return v === '' ? [] : String(v).split('\n');
};
// Published article paths, newest first, matching a WHERE clause.
const paths = (where = '1 = 1') => list(`SELECT group_concat(path, char(10)) FROM (SELECT a.path FROM articles a WHERE a.status = 1 AND (${where}) ORDER BY a.published_at DESC, a.id DESC LIMIT 20)`);

const ARRAYS = new Set(['rss.channel.item', 'rss.channel.item.category', 'feed.link', 'feed.entry',
  'feed.entry.link', 'feed.entry.category', 'urlset.url', 'sitemapindex.sitemap']);

// Parses XML strictly: well-formed or the test fails.
function xml(text) {
  const v = XMLValidator.validate(text);
  assert.equal(v, true, `well-formed XML: ${JSON.stringify(v)}`);
  const p = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', isArray: (name, jpath) => ARRAYS.has(jpath) });
  return p.parse(text);
}

const rfc822 = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} [+-]\d{4}$/;
const rfc3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/;

async function rss(path) {
  const r = await get(path);
  assert.equal(r.status, 200, path);
  assert.equal(r.headers['content-type'], 'application/rss+xml; charset=utf-8', path);
  const doc = xml(r.text);
  assert.equal(doc.rss['@version'], '2.0');
  const ch = doc.rss.channel;
  assert.ok(ch.title && ch.description !== undefined, `${path}: channel title and description`);
  local(ch.link);
  const items = ch.item || [];
  for (const it of items) {
    local(it.link);
    // A permalink guid is the link; a comment's lasting id is not (below).
    if (it.guid['@isPermaLink'] === 'true') assert.equal(it.guid['#text'], it.link);
    else {
      assert.equal(it.guid['@isPermaLink'], 'false');
      assert.match(it.link, /\/comments\/\d+\/$/);
      local(it.guid['#text']);
    }
    assert.match(it.pubDate, rfc822, `${path}: RFC 822 date`);
    assert.ok(!Number.isNaN(Date.parse(it.pubDate)), 'date parses');
  }
  assert.doesNotMatch(r.text, EMAIL, `${path}: no email address`);
  const parsed = feedParser.parseFeed(r.text);
  assert.equal(parsed.items.length, items.length, `${path}: the feed parser sees every item`);
  return { r, ch, items, parsed };
}

async function atom(path) {
  const r = await get(path);
  assert.equal(r.status, 200, path);
  assert.equal(r.headers['content-type'], 'application/atom+xml; charset=utf-8', path);
  const doc = xml(r.text);
  const f = doc.feed;
  assert.equal(f['@xmlns'], 'http://www.w3.org/2005/Atom');
  assert.ok(f.id && f.title, `${path}: id and title`);
  assert.match(f.updated, rfc3339);
  const self = f.link.find((l) => l['@rel'] === 'self');
  assert.equal(local(self['@href']), path);
  const entries = f.entry || [];
  for (const e of entries) {
    local(e.id);
    assert.match(e.published, rfc3339);
    assert.match(e.updated, rfc3339);
    local(e.link.find((l) => l['@rel'] === 'alternate')['@href']);
  }
  assert.doesNotMatch(r.text, EMAIL, `${path}: no email address`);
  const parsed = feedParser.parseFeed(r.text);
  assert.equal(parsed.meta.type, 'atom');
  assert.equal(parsed.items.length, entries.length);
  return { r, f, entries, parsed };
}

async function jsonFeed(path) {
  const r = await get(path);
  assert.equal(r.status, 200, path);
  assert.equal(r.headers['content-type'], 'application/feed+json; charset=utf-8', path);
  const f = JSON.parse(r.text);
  assert.equal(f.version, 'https://jsonfeed.org/version/1.1');
  assert.equal(typeof f.title, 'string');
  assert.equal(local(f.feed_url), path);
  local(f.home_page_url);
  assert.ok(Array.isArray(f.items));
  for (const it of f.items) {
    assert.equal(typeof it.id, 'string');
    local(it.url);
    assert.ok(typeof it.content_html === 'string' || typeof it.content_text === 'string', 'content_html or content_text');
    assert.match(it.date_published, rfc3339);
    assert.match(it.date_modified, rfc3339);
  }
  assert.doesNotMatch(r.text, EMAIL, `${path}: no email address`);
  return { r, f };
}

test('site feeds: RSS, Atom and JSON Feed list the 20 newest articles with absolute links', async () => {
  const want = paths();
  const { items, ch } = await rss('/feed/');
  assert.equal(items.length, Math.min(20, want.length));
  assert.deepEqual(items.map((it) => local(it.link)), want);
  assert.equal(local(ch['atom:link']['@href']), '/feed/');
  const { entries } = await atom('/feed/atom/');
  assert.deepEqual(entries.map((e) => local(e.id)), want);
  const { f } = await jsonFeed('/feed/json/');
  assert.deepEqual(f.items.map((it) => local(it.url)), want);
});

test('feed dates match the articles and parse', async () => {
  const { items } = await rss('/feed/');
  const { entries } = await atom('/feed/atom/');
  const { f } = await jsonFeed('/feed/json/');
  for (let i = 0; i < items.length; i++) {
    const path = local(items[i].link);
    const t = Number(db.value(`SELECT published_at FROM articles WHERE path = '${path}'`)) * 1000;
    assert.equal(Date.parse(items[i].pubDate), t, `RSS date of ${path}`);
    assert.equal(Date.parse(entries[i].published), t, `Atom date of ${path}`);
    assert.equal(Date.parse(f.items[i].date_published), t, `JSON date of ${path}`);
  }
});

test('items carry full content with absolute URLs, authors and tags as categories', async () => {
  const { items } = await rss('/feed/');
  for (const it of items) {
    const html = it['content:encoded'];
    assert.ok(html && html.includes('<p>'), 'full body in content:encoded');
    assert.doesNotMatch(html, /(src|href)="\/(?!\/)/, 'no root-relative URLs in feed content');
    const path = local(it.link);
    const author = db.value(`SELECT au.name FROM articles a JOIN authors au ON au.id = a.author_id WHERE a.path = '${path}'`);
    if (author) assert.equal(it['dc:creator'], author);
    const tags = list(`SELECT group_concat(t.name, char(10)) FROM article_tags at JOIN tags t ON t.id = at.tag_id JOIN articles a ON a.id = at.article_id WHERE a.path = '${path}'`);
    assert.deepEqual([...(it.category || [])].sort(), [...tags].sort(), `categories of ${path}`);
  }
});

test('photo articles have enclosures with the file size and type', async () => {
  const { items } = await rss('/feed/');
  const { entries } = await atom('/feed/atom/');
  const { f } = await jsonFeed('/feed/json/');
  let photos = 0;
  for (let i = 0; i < items.length; i++) {
    const path = local(items[i].link);
    const file = db.value(`SELECT p.file FROM photos p JOIN articles a ON a.id = p.article_id WHERE a.path = '${path}' AND p.file != '' ORDER BY p.pos LIMIT 1`);
    if (!file) {
      assert.equal(items[i].enclosure, undefined, `no enclosure on ${path}`);
      continue;
    }
    photos++;
    const size = statSync(join(dir, 'media', file)).size;
    const enc = items[i].enclosure;
    assert.ok(enc, `enclosure on ${path}`);
    assert.equal(local(enc['@url']), `/media/${file}`);
    assert.equal(Number(enc['@length']), size);
    assert.equal(enc['@type'], 'image/jpeg');
    const m = await get(local(enc['@url']));
    assert.equal(m.status, 200);
    assert.equal(m.body.length, size);
    const link = entries[i].link.find((l) => l['@rel'] === 'enclosure');
    assert.equal(local(link['@href']), `/media/${file}`);
    assert.equal(Number(link['@length']), size);
    assert.equal(local(f.items[i].image), `/media/${file}`);
    assert.equal(f.items[i].attachments[0].size_in_bytes, size);
    assert.equal(f.items[i].attachments[0].mime_type, 'image/jpeg');
  }
  assert.ok(photos >= 5, `photo articles in the feed: ${photos}`);
});

test('section, tag and author feeds list exactly their articles in all three formats', async () => {
  const cases = [
    ['section', db.value('SELECT s.slug FROM sections s JOIN articles a ON a.section_id = s.id GROUP BY s.id ORDER BY count(*) DESC LIMIT 1'),
      (slug) => `a.section_id = (SELECT id FROM sections WHERE slug = '${slug}')`],
    ['tag', db.value('SELECT t.slug FROM tags t JOIN article_tags at ON at.tag_id = t.id GROUP BY t.id ORDER BY count(*) DESC LIMIT 1'),
      (slug) => `a.id IN (SELECT article_id FROM article_tags WHERE tag_id = (SELECT id FROM tags WHERE slug = '${slug}'))`],
    ['author', db.value('SELECT au.slug FROM authors au JOIN articles a ON a.author_id = au.id GROUP BY au.id ORDER BY count(*) DESC LIMIT 1'),
      (slug) => `a.author_id = (SELECT id FROM authors WHERE slug = '${slug}')`],
  ];
  for (const [kind, slug, where] of cases) {
    const want = paths(where(slug));
    assert.ok(want.length >= 2, `${kind} ${slug} has articles`);
    const base = `/${kind}/${slug}/`;
    const { items, ch } = await rss(`${base}feed/`);
    assert.deepEqual(items.map((it) => local(it.link)), want, `${kind} RSS`);
    assert.equal(local(ch.link), base);
    const { entries } = await atom(`${base}feed/atom/`);
    assert.deepEqual(entries.map((e) => local(e.id)), want, `${kind} Atom`);
    const { f } = await jsonFeed(`${base}feed/json/`);
    assert.deepEqual(f.items.map((it) => local(it.url)), want, `${kind} JSON`);
  }
});

test('an article comments feed lists its approved comments, newest first, without emails', async () => {
  const id = db.value('SELECT article_id FROM comments WHERE status = 1 GROUP BY article_id ORDER BY count(*) DESC LIMIT 1');
  const path = db.value(`SELECT path FROM articles WHERE id = ${id}`);
  const want = list(`SELECT group_concat(id, char(10)) FROM (SELECT id FROM comments WHERE article_id = ${id} AND status = 1 ORDER BY created_at DESC, id DESC)`);
  assert.ok(want.length >= 2);
  const { items, ch } = await rss(`${path}feed/`);
  assert.equal(local(ch.link), path);
  assert.deepEqual(items.map((it) => local(it.link)), want.map((c) => `/comments/${c}/`),
    'each links to the comment\'s permalink');
  for (const it of items) {
    const c = /\/comments\/(\d+)\/$/.exec(it.link)[1];
    assert.equal(it['dc:creator'], db.value(`SELECT author FROM comments WHERE id = ${c}`));
    assert.ok(it.description.length > 0);
    // The lasting id is the one items had before permalinks: readers see nothing new.
    assert.equal(it.guid['@isPermaLink'], 'false');
    assert.equal(local(it.guid['#text']), `${path}#comment-${c}`);
  }
  const { entries } = await atom(`${path}feed/atom/`);
  assert.equal(entries.length, want.length);
  assert.deepEqual(entries.map((e) => local(e.id)), want.map((c) => `${path}#comment-${c}`));
  const { f } = await jsonFeed(`${path}feed/json/`);
  assert.equal(f.items.length, want.length);
  assert.deepEqual(f.items.map((it) => local(it.id)), want.map((c) => `${path}#comment-${c}`));
  assert.deepEqual(f.items.map((it) => local(it.url)), want.map((c) => `/comments/${c}/`));
  // Each link leads to the page of comments holding that comment.
  for (const it of items.slice(0, 3)) {
    const r = await get(local(it.link));
    assert.equal(r.status, 302, it.link);
    assert.equal(new URL(r.headers.location, SITE).hash, `#comment-${/\/comments\/(\d+)\//.exec(it.link)[1]}`);
  }
  // A held comment is not in the feed.
  const held = db.value(`SELECT count(*) FROM comments WHERE article_id = ${id} AND status != 1`);
  assert.equal(items.length, want.length, `${held} unapproved comments left out`);
});

test('the site comments feed lists the newest approved comments', async () => {
  const want = list(`SELECT group_concat(x, char(10)) FROM (SELECT '/comments/' || c.id || '/' AS x FROM comments c JOIN articles a ON a.id = c.article_id WHERE c.status = 1 ORDER BY c.created_at DESC, c.id DESC LIMIT 20)`);
  const { items } = await rss('/comments/feed/');
  assert.deepEqual(items.map((it) => local(it.link)), want);
  for (const it of items) assert.match(it.title, /^Comment on .+ by .+$/);
  await atom('/comments/feed/atom/');
  await jsonFeed('/comments/feed/json/');
});

test('unknown section, tag, author and article feeds are 404', async () => {
  for (const p of ['/section/no-such-section/feed/', '/tag/no-such-tag/feed/atom/', '/author/nobody-here/feed/json/',
    '/2020/01/01/no-such-story/feed/', '/sitemap-posts-9.xml']) {
    const r = await get(p);
    assert.equal(r.status, 404, p);
  }
});

test('POST to a feed or sitemap is 405; a feed address without its slash redirects', async () => {
  for (const p of ['/feed/', '/feed/atom/', '/tag/x/feed/json/', '/sitemap.xml']) {
    const r = await request(srv.port, p, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'a=b' });
    assert.equal(r.status, 405, p);
    assert.match(r.headers.allow, /GET/);
  }
  const r = await get('/feed');
  assert.equal(r.status, 301);
  assert.equal(r.headers.location, '/feed/');
});

test('feeds answer conditional GET with 304', async () => {
  for (const p of ['/feed/', '/feed/atom/', '/feed/json/', '/sitemap.xml']) {
    const r = await get(p);
    assert.ok(r.headers.etag, `${p} has an ETag`);
    const again = await get(p, { 'If-None-Match': r.headers.etag });
    assert.equal(again.status, 304, p);
    assert.equal(again.body.length, 0);
  }
});

test('feeds.content = summary carries the standfirst instead of the body', async () => {
  const d2 = copySite(dir);
  assert.equal(byline(['config', 'set', 'feeds.content', 'summary', '--site', d2]).status, 0);
  assert.notEqual(byline(['config', 'set', 'feeds.content', 'everything', '--site', d2]).status, 0);
  const s2 = await serve(d2);
  try {
    const r = await request(s2.port, '/feed/');
    const doc = xml(r.text);
    for (const it of doc.rss.channel.item) {
      assert.equal(it['content:encoded'], undefined);
      assert.ok(it.description.length > 0);
    }
    const j = JSON.parse((await request(s2.port, '/feed/json/')).text);
    for (const it of j.items) {
      assert.equal(it.content_html, undefined);
      assert.ok(it.content_text.length > 0);
    }
  } finally {
    await s2.stop();
    cleanup(dirname(d2));
  }
});

/* ----------------------------------------------------------- sitemaps */

test('the sitemap index lists its children, each parses with at most 50,000 URLs and every article is there', async () => {
  const r = await get('/sitemap.xml');
  assert.equal(r.status, 200);
  assert.equal(r.headers['content-type'], 'application/xml; charset=utf-8');
  const idx = xml(r.text).sitemapindex;
  assert.equal(idx['@xmlns'], 'http://www.sitemaps.org/schemas/sitemap/0.9');
  assert.ok(idx.sitemap.length >= 2);
  const urls = new Set();
  for (const sm of idx.sitemap) {
    assert.match(sm.lastmod, rfc3339);
    const child = await get(local(sm.loc));
    assert.equal(child.status, 200, sm.loc);
    const set = xml(child.text).urlset;
    assert.equal(set['@xmlns'], 'http://www.sitemaps.org/schemas/sitemap/0.9');
    const list = set.url || [];
    assert.ok(list.length <= 50000);
    for (const u of list) {
      urls.add(local(u.loc));
      assert.match(u.lastmod, rfc3339);
    }
  }
  const all = list(`SELECT group_concat(path, char(10)) FROM articles WHERE status = 1`);
  for (const p of all) assert.ok(urls.has(p), `article ${p} in a sitemap`);
  assert.ok(urls.has('/'));
  for (const p of list(`SELECT group_concat('/section/' || slug || '/', char(10)) FROM sections`)) assert.ok(urls.has(p), p);
  for (const p of list(`SELECT group_concat('/author/' || slug || '/', char(10)) FROM authors WHERE id IN (SELECT author_id FROM articles WHERE status = 1)`)) assert.ok(urls.has(p), p);
  for (const p of list(`SELECT group_concat('/tag/' || slug || '/', char(10)) FROM tags`)) assert.ok(urls.has(p), p);
  for (const u of urls) {
    const page = await get(u);
    assert.equal(page.status, 200, `${u} in the sitemap resolves`);
  }
});

test('the news sitemap lists only the articles of the last 48 hours', async () => {
  const r = await get('/news-sitemap.xml');
  assert.equal(r.status, 200);
  assert.equal(r.headers['content-type'], 'application/xml; charset=utf-8');
  const set = xml(r.text).urlset;
  assert.equal(set['@xmlns:news'], 'http://www.google.com/schemas/sitemap-news/0.9');
  const since = Math.floor(Date.now() / 1000) - 48 * 3600;
  const want = list(`SELECT group_concat(path, char(10)) FROM (SELECT path FROM articles WHERE status = 1 AND published_at >= ${since} ORDER BY published_at DESC)`);
  assert.ok(want.length >= 1, 'the demo has recent articles');
  const older = Number(db.value(`SELECT count(*) FROM articles WHERE status = 1 AND published_at < ${since}`));
  assert.ok(older >= 1, 'the demo has older articles too');
  const got = (set.url || []).map((u) => local(u.loc));
  assert.deepEqual(got, want);
  const name = byline(['config', 'get', 'site.title', '--site', dir]).stdout.trim();
  assert.ok(name.length > 0);
  for (const u of set.url) {
    const n = u['news:news'];
    assert.equal(n['news:publication']['news:name'], name);
    assert.equal(n['news:publication']['news:language'], 'en');
    assert.match(n['news:publication_date'], rfc3339);
    assert.ok(Date.parse(n['news:publication_date']) / 1000 >= since);
    assert.equal(n['news:title'], db.value(`SELECT title FROM articles WHERE path = '${local(u.loc)}'`));
  }
});

test('robots.txt points at both sitemaps and keeps crawlers out of search and comments', async () => {
  const r = await get('/robots.txt');
  assert.equal(r.status, 200);
  assert.equal(r.headers['content-type'], 'text/plain; charset=utf-8');
  assert.match(r.text, /^User-agent: \*$/m);
  assert.match(r.text, /^Disallow: \/search$/m);
  assert.match(r.text, /^Disallow: \/comments\/$/m);
  const maps = [...r.text.matchAll(/^Sitemap: (\S+)$/gm)].map((m) => local(m[1]));
  assert.deepEqual(maps.sort(), ['/news-sitemap.xml', '/sitemap.xml']);
});
