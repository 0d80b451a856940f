// Page metadata of a served demo site: Open Graph and Twitter card tags,
// schema.org JSON-LD (NewsArticle on articles, WebSite on the front page),
// canonical links and feed autodiscovery.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dirname, join } from 'node:path';
import { demoSite, serve, request, links, cleanup } from '../lib/server.mjs';
import { tokenize } from '../lib/forms.mjs';
import { DatabaseSync } from '../lib/db.mjs';

const SITE = 'http://127.0.0.1:8080';      // the demo's site.url
let dir, srv, db, front, articlePath;

before(async () => {
  dir = demoSite();
  srv = await serve(dir);
  db = new DatabaseSync(join(dir, 'byline.db'));
  front = await request(srv.port, '/');
  articlePath = links(front.text, /^\/\d{4}\/\d{2}\/\d{2}\/[a-z0-9-]+\/$/)[0];
});

after(async () => {
  await srv?.stop();
  cleanup(dirname(dir));
});

const local = (url) => {
  assert.ok(url.startsWith(`${SITE}/`), `absolute URL on the site: ${url}`);
  return url.slice(SITE.length);
};

// The <head> of a page: meta tags by property/name (all values), links,
// and the parsed JSON-LD blocks.
function head(html) {
  const toks = tokenize(html);
  const end = toks.findIndex((t) => t.type === 'end' && t.name === 'head');
  const meta = new Map();
  const linkTags = [];
  const ld = [];
  for (let i = 0; i < end; i++) {
    const t = toks[i];
    if (t.type === 'tag' && t.name === 'meta') {
      const k = t.attrs.get('property') || t.attrs.get('name');
      if (k) meta.set(k, [...(meta.get(k) || []), t.attrs.get('content')]);
    } else if (t.type === 'tag' && t.name === 'link') {
      linkTags.push(t.attrs);
    } else if (t.type === 'tag' && t.name === 'script' && t.attrs.get('type') === 'application/ld+json') {
      const body = toks[i + 1];
      assert.equal(body.type, 'text');
      ld.push(JSON.parse(body.text));
    }
  }
  const one = (k) => {
    const v = meta.get(k);
    assert.ok(v, `<meta> ${k} present`);
    assert.equal(v.length, 1, `one ${k}`);
    return v[0];
  };
  return { meta, one, links: linkTags, ld };
}

async function page(path) {
  const r = await request(srv.port, path);
  assert.equal(r.status, 200, path);
  return { r, h: head(r.text) };
}

const iso = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(Z|[+-]\d{2}:\d{2})$/;

test('an article has Open Graph tags with absolute URLs and its photo', async () => {
  const { h } = await page(articlePath);
  const a = db.value(`SELECT id FROM articles WHERE path = '${articlePath}'`);
  assert.equal(h.one('og:type'), 'article');
  assert.equal(h.one('og:site_name'), 'The Harbridge Courier');
  assert.equal(h.one('og:title'), db.value(`SELECT title FROM articles WHERE id = ${a}`));
  assert.ok(h.one('og:description').length > 20);
  assert.equal(local(h.one('og:url')), articlePath);
  const photo = db.value(`SELECT file || '|' || width || '|' || height FROM photos WHERE article_id = ${a} AND file != '' ORDER BY pos LIMIT 1`).split('|');
  assert.equal(local(h.one('og:image')), `/media/${photo[0]}`);
  assert.equal(h.one('og:image:width'), photo[1]);
  assert.equal(h.one('og:image:height'), photo[2]);
  assert.ok(h.one('og:image:alt').length > 0);
  const img = await request(srv.port, local(h.one('og:image')));
  assert.equal(img.status, 200);
  assert.equal(img.headers['content-type'], 'image/jpeg');
  const published = Number(db.value(`SELECT published_at FROM articles WHERE id = ${a}`)) * 1000;
  assert.match(h.one('article:published_time'), iso);
  assert.equal(Date.parse(h.one('article:published_time')), published);
  assert.match(h.one('article:modified_time'), iso);
  assert.equal(h.one('article:section'), db.value(`SELECT s.name FROM sections s JOIN articles a ON a.section_id = s.id WHERE a.id = ${a}`));
  const tags = String(db.value(`SELECT group_concat(t.name, char(10)) FROM article_tags at JOIN tags t ON t.id = at.tag_id WHERE at.article_id = ${a}`)).split('\n');
  assert.deepEqual([...h.meta.get('article:tag')].sort(), tags.sort());
  local(h.one('article:author'));
});

test('an article has a large-image Twitter card', async () => {
  const { h } = await page(articlePath);
  assert.equal(h.one('twitter:card'), 'summary_large_image');
  assert.equal(h.one('twitter:title'), h.one('og:title'));
  assert.equal(h.one('twitter:description'), h.one('og:description'));
  assert.equal(h.one('twitter:image'), h.one('og:image'));
});

test('an article has NewsArticle JSON-LD with every field', async () => {
  const { h } = await page(articlePath);
  const a = db.value(`SELECT id FROM articles WHERE path = '${articlePath}'`);
  const ld = h.ld.filter((x) => x['@type'] === 'NewsArticle');
  assert.equal(ld.length, 1, 'one NewsArticle');
  const n = ld[0];
  assert.equal(n['@context'], 'https://schema.org');
  assert.equal(n.headline, db.value(`SELECT title FROM articles WHERE id = ${a}`));
  assert.equal(n.description, h.one('og:description'));
  assert.ok(Array.isArray(n.image) && n.image.length >= 1);
  assert.equal(n.image[0]['@type'], 'ImageObject');
  assert.equal(n.image[0].url, h.one('og:image'));
  assert.equal(String(n.image[0].width), h.one('og:image:width'));
  assert.equal(Date.parse(n.datePublished), Number(db.value(`SELECT published_at FROM articles WHERE id = ${a}`)) * 1000);
  assert.match(n.datePublished, iso);
  assert.match(n.dateModified, iso);
  assert.ok(Date.parse(n.dateModified) >= Date.parse(n.datePublished));
  const author = Array.isArray(n.author) ? n.author[0] : n.author;
  assert.equal(author['@type'], 'Person');
  assert.equal(author.name, db.value(`SELECT au.name FROM authors au JOIN articles a ON a.author_id = au.id WHERE a.id = ${a}`));
  const authorPage = await request(srv.port, local(author.url));
  assert.equal(authorPage.status, 200);
  assert.equal(n.publisher['@type'], 'Organization');
  assert.equal(n.publisher.name, 'The Harbridge Courier');
  assert.equal(n.publisher.logo['@type'], 'ImageObject');
  const logo = await request(srv.port, local(n.publisher.logo.url));
  assert.equal(logo.status, 200);
  assert.equal(logo.headers['content-type'], 'image/svg+xml');
  assert.deepEqual(n.keywords.split(', ').sort(), [...h.meta.get('article:tag')].sort());
  assert.equal(local(n.mainEntityOfPage['@id']), articlePath);
  assert.equal(n.articleSection, h.one('article:section'));
});

test('every article page has metadata and valid JSON-LD', async () => {
  const all = String(db.value('SELECT group_concat(path, char(10)) FROM articles WHERE status = 1')).split('\n');
  for (const p of all) {
    const { h, r } = await page(p);
    assert.equal(h.ld.filter((x) => x['@type'] === 'NewsArticle').length, 1, p);
    assert.equal(local(h.one('og:url')), p);
    assert.match(r.text, new RegExp(`<link rel="canonical" href="${SITE.replace(/\./g, '\\.')}${p}">`));
  }
});

test('the front page has WebSite JSON-LD with a search action, and website Open Graph', async () => {
  const h = head(front.text);
  const ws = h.ld.filter((x) => x['@type'] === 'WebSite');
  assert.equal(ws.length, 1);
  assert.equal(ws[0]['@context'], 'https://schema.org');
  assert.equal(ws[0].name, 'The Harbridge Courier');
  assert.equal(local(ws[0].url), '/');
  const act = ws[0].potentialAction;
  assert.equal(act['@type'], 'SearchAction');
  assert.equal(local(act.target.urlTemplate), '/search?q={search_term_string}');
  assert.equal(act['query-input'], 'required name=search_term_string');
  assert.equal(h.ld.filter((x) => x['@type'] === 'NewsArticle').length, 0);
  assert.equal(h.one('og:type'), 'website');
  assert.equal(h.one('twitter:card'), 'summary');
  assert.equal(local(h.one('og:url')), '/');
  // Only the front page itself, not its later pages.
  const p2 = await request(srv.port, '/page/2/');
  assert.equal(head(p2.text).ld.length, 0);
});

test('list pages keep their titles, descriptions and canonical links, with website Open Graph', async () => {
  for (const re of [/^\/section\/[a-z0-9-]+\/$/, /^\/tag\/[a-z0-9-]+\/$/, /^\/author\/[a-z0-9-]+\/$/]) {
    const art = await request(srv.port, articlePath);
    const p = links(art.text, re)[0];
    const { r, h } = await page(p);
    assert.match(r.text, /<title>[^<]+ – The Harbridge Courier<\/title>/);
    assert.ok(h.one('description').length > 0);
    const canon = h.links.find((l) => l.get('rel') === 'canonical');
    assert.equal(local(canon.get('href')), p);
    assert.equal(h.one('og:type'), 'website');
    assert.equal(local(h.one('og:url')), p);
    assert.equal(h.ld.length, 0);
  }
});

test('autodiscovery links: the site feeds everywhere, list feeds on list pages, comments feed on articles; all resolve', async () => {
  const art = await request(srv.port, articlePath);
  const pages = ['/', articlePath, links(art.text, /^\/section\//)[0], links(art.text, /^\/tag\//)[0],
    links(art.text, /^\/author\//)[0], '/no/such/page/'];
  const types = { 'application/rss+xml': 'application/rss+xml; charset=utf-8', 'application/atom+xml': 'application/atom+xml; charset=utf-8', 'application/feed+json': 'application/feed+json; charset=utf-8' };
  for (const p of pages) {
    const r = await request(srv.port, p);
    const alts = head(r.text).links.filter((l) => l.get('rel') === 'alternate');
    const hrefs = alts.map((l) => local(l.get('href')));
    assert.ok(hrefs.includes('/feed/'), `${p} links the site RSS feed`);
    assert.ok(hrefs.includes('/feed/atom/') && hrefs.includes('/feed/json/'), `${p} links the Atom and JSON feeds`);
    const m = p.match(/^\/(section|tag|author)\/[a-z0-9-]+\/$/);
    if (m) assert.ok(hrefs.includes(`${p}feed/`), `${p} links its own feed`);
    if (p === articlePath) assert.ok(hrefs.includes(`${p}feed/`), 'the article links its comments feed');
    for (const l of alts) {
      assert.ok(l.get('title'), 'autodiscovery link has a title');
      const f = await request(srv.port, local(l.get('href')));
      assert.equal(f.status, 200, l.get('href'));
      assert.equal(f.headers['content-type'], types[l.get('type')], l.get('href'));
    }
  }
});

test('a missing page is marked noindex and has no article metadata', async () => {
  const r = await request(srv.port, '/no/such/page/');
  assert.equal(r.status, 404);
  const h = head(r.text);
  assert.equal(h.one('robots'), 'noindex');
  assert.equal(h.meta.get('article:published_time'), undefined);
  const ok = head(front.text);
  assert.equal(ok.meta.get('robots'), undefined, 'the front page is indexable');
});
