// The demo site's feeds, sitemaps and structured data are well-formed and
// read correctly by real parsers: RSS 2.0 and Atom 1.0 through a feed
// parser, JSON Feed 1.1 and JSON-LD through JSON.parse, sitemaps through an
// XML parser. An address that still answers 404 is reported as skipped.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { parseFeed } from '@rowanmanning/feed-parser';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { demo, tour, feedPaths, get } from '../lib/pages.mjs';
import { tokenize, element, decodeEntities } from '../lib/forms.mjs';

const site = await demo();
const pages = await tour(site.port);
after(() => site.stop());

const ABS = /^https?:\/\/[^/\s]+\//;
const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/;
const articles = pages.filter((p) => /^\/\d{4}\/\d{2}\/\d{2}\/[a-z0-9-]+\/$/.test(p.path) && !p.post && p.status === 200);

// Fetches `path`; skips the test when it answers 404 (not built yet).
async function fetchOr404(t, path) {
  const r = await get(site.port, path);
  if (r.status === 404) {
    t.skip(`${path} answers 404: not built yet`);
    return null;
  }
  assert.equal(r.status, 200, `${path} answered ${r.status}: ${r.text.slice(0, 300)}`);
  return r;
}

// Throws with the line and column when `xml` is not well-formed.
function wellFormed(path, xml) {
  const v = XMLValidator.validate(xml);
  if (v !== true) assert.fail(`${path} is not well-formed XML: ${v.err.msg} (line ${v.err.line}, column ${v.err.col})`);
  assert.match(xml.trimStart(), /^<\?xml version="1\.0" encoding="(UTF|utf)-8"\?>/, `${path} starts with an XML declaration naming UTF-8`);
}

const isDate = (d) => d instanceof Date && !Number.isNaN(d.getTime());
const W3C_DATE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?$/;

// Item links point at pages of this site that answer 200, directly or (a
// comment's permalink) through one redirect to a page of this site.
async function linksWork(path, urls) {
  for (const u of urls.slice(0, 3)) {
    let r = await get(site.port, new URL(u).pathname);
    if (r.status === 302 && /^\/comments\/\d+\/$/.test(new URL(u).pathname)) {
      const to = new URL(r.headers.location, u);
      assert.equal(to.origin, new URL(u).origin, `${path}: ${u} redirects within the site`);
      r = await get(site.port, to.pathname);
    }
    assert.equal(r.status, 200, `${path}: the item link ${u} answers ${r.status}`);
  }
}

function checkXmlFeed(f, r, kind, { needItems }) {
  wellFormed(f.path, r.text);
  assert.match(r.type, kind === 'rss' ? /^application\/(rss\+)?xml|^text\/xml/ : /^application\/(atom\+)?xml|^text\/xml/,
    `${f.path} Content-Type ${r.type}`);
  const feed = parseFeed(r.text);
  assert.equal(feed.meta.type, kind, `${f.path} is read as ${feed.meta.type}, not ${kind}`);
  if (kind === 'rss') assert.equal(feed.meta.version, '2.0', `${f.path} is RSS ${feed.meta.version}`);
  assert.ok(feed.title, `${f.path} has a title`);
  assert.match(feed.url ?? '', ABS, `${f.path} links to the site with an absolute URL (got ${feed.url})`);
  if (needItems) assert.ok(feed.items.length > 0, `${f.path} has items`);
  let last = Infinity;
  for (const [i, it] of feed.items.entries()) {
    const at = `${f.path} item ${i + 1} (${it.title ?? it.id})`;
    assert.ok(it.title || it.description || it.content, `${at} has a title or text`);
    assert.match(it.url ?? '', ABS, `${at} has an absolute link (got ${it.url})`);
    if (kind === 'atom') assert.ok(it.id, `${at} has an id`);
    const date = kind === 'atom' ? it.updated ?? it.published : it.published;
    assert.ok(isDate(date), `${at} has a date the parser understands`);
    assert.ok(date.getTime() <= last, `${at} is not newer than the item before it`);
    last = date.getTime();
  }
  assert.doesNotMatch(r.text, EMAIL, `${f.path} shows no email address`);
  return feed.items.map((it) => it.url);
}

async function checkJsonFeed(f, r, { needItems }) {
  assert.match(r.type, /^application\/(feed\+)?json/, `${f.path} Content-Type ${r.type}`);
  let feed;
  try { feed = JSON.parse(r.text); } catch (e) { assert.fail(`${f.path} is not JSON: ${e.message}`); }
  assert.equal(feed.version, 'https://jsonfeed.org/version/1.1', `${f.path} version`);
  assert.equal(typeof feed.title, 'string', `${f.path} has a title`);
  assert.ok(feed.title.length > 0, `${f.path} has a title`);
  if ('home_page_url' in feed) assert.match(feed.home_page_url, ABS, `${f.path} home_page_url`);
  if ('feed_url' in feed) assert.match(feed.feed_url, ABS, `${f.path} feed_url`);
  assert.ok(Array.isArray(feed.items), `${f.path} has an items array`);
  if (needItems) assert.ok(feed.items.length > 0, `${f.path} has items`);
  for (const [i, it] of feed.items.entries()) {
    const at = `${f.path} item ${i + 1}`;
    assert.equal(typeof it.id, 'string', `${at} has a string id`);
    assert.ok(it.id.length > 0, `${at} has an id`);
    assert.ok(typeof it.content_html === 'string' || typeof it.content_text === 'string', `${at} has content_html or content_text`);
    assert.match(it.url ?? '', ABS, `${at} has an absolute url`);
    if ('date_published' in it) assert.ok(isDate(new Date(it.date_published)) && /T.*(Z|[+-]\d{2}:\d{2})$/.test(it.date_published), `${at} date_published is RFC 3339 (${it.date_published})`);
    if ('date_modified' in it) assert.ok(isDate(new Date(it.date_modified)), `${at} date_modified`);
    for (const a of it.authors ?? []) assert.ok(a.name || a.url, `${at} author has a name or url`);
  }
  assert.doesNotMatch(r.text, EMAIL, `${f.path} shows no email address`);
  return feed.items.map((it) => it.url);
}

/* ------------------------------------------------------------- feeds */

const feeds = feedPaths(pages);
const needsItems = (f) => !/comments/.test(f.name);

for (const f of feeds.filter((x) => ['rss', 'atom', 'json'].includes(x.kind))) {
  test(`${f.name} (${f.path}) is a valid ${f.kind === 'json' ? 'JSON Feed 1.1' : f.kind === 'rss' ? 'RSS 2.0 feed' : 'Atom 1.0 feed'}`, async (t) => {
    const r = await fetchOr404(t, f.path);
    if (!r) return;
    const urls = f.kind === 'json'
      ? await checkJsonFeed(f, r, { needItems: needsItems(f) })
      : checkXmlFeed(f, r, f.kind, { needItems: needsItems(f) });
    await linksWork(f.path, urls);
  });
}

// A malformed feed is refused, so a pass above means something.
test('the checks refuse a malformed feed', () => {
  const bad = '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>A & B</title></rss>';
  assert.throws(() => wellFormed('/bad/', bad), /not well-formed/);
  assert.throws(() => parseFeed('<html><body>no feed</body></html>'));
});

test('pages advertise the site feeds with <link rel="alternate">', async (t) => {
  const rss = await get(site.port, '/feed/');
  if (rss.status === 404) return t.skip('/feed/ answers 404: not built yet');
  for (const p of [pages.find((x) => x.name === 'front'), articles[0]]) {
    const alts = tokenize(p.html).filter((x) => x.type === 'tag' && x.name === 'link' && (x.attrs.get('rel') || '').split(/\s+/).includes('alternate'));
    const types = alts.map((x) => x.attrs.get('type'));
    assert.ok(types.includes('application/rss+xml'), `${p.path} links to an RSS feed (found ${types.join(', ') || 'none'})`);
    assert.ok(types.includes('application/atom+xml'), `${p.path} links to an Atom feed`);
    for (const a of alts) {
      const href = a.attrs.get('href');
      const r = await get(site.port, new URL(href, site.url).pathname);
      assert.equal(r.status, 200, `${p.path}: the alternate ${href} answers ${r.status}`);
    }
  }
});

/* ---------------------------------------------------------- sitemaps */

const xml = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  parseTagValue: false,
  isArray: (name) => ['sitemap', 'url', 'news:news', 'image:image'].includes(name),
});
const SITEMAP_NS = 'http://www.sitemaps.org/schemas/sitemap/0.9';
const NEWS_NS = 'http://www.google.com/schemas/sitemap-news/0.9';

function checkUrlset(path, text) {
  wellFormed(path, text);
  const doc = xml.parse(text);
  assert.ok(doc.urlset, `${path} is a <urlset>`);
  assert.equal(doc.urlset['@xmlns'], SITEMAP_NS, `${path} uses the sitemap namespace`);
  const urls = doc.urlset.url ?? [];
  assert.ok(urls.length <= 50000, `${path} holds ${urls.length} URLs, more than 50,000`);
  for (const u of urls) {
    assert.match(u.loc ?? '', ABS, `${path}: <loc> ${u.loc} is absolute`);
    if (u.lastmod !== undefined) assert.match(u.lastmod, W3C_DATE, `${path}: <lastmod> ${u.lastmod} of ${u.loc}`);
  }
  return { doc, urls };
}

test('/sitemap.xml is a sitemap index whose children list every article', async (t) => {
  const r = await fetchOr404(t, '/sitemap.xml');
  if (!r) return;
  wellFormed('/sitemap.xml', r.text);
  assert.match(r.type, /xml/, `/sitemap.xml Content-Type ${r.type}`);
  const doc = xml.parse(r.text);
  assert.ok(doc.sitemapindex, '/sitemap.xml is a <sitemapindex>');
  assert.equal(doc.sitemapindex['@xmlns'], SITEMAP_NS, '/sitemap.xml uses the sitemap namespace');
  const children = doc.sitemapindex.sitemap ?? [];
  assert.ok(children.length > 0, '/sitemap.xml lists child sitemaps');
  const listed = new Set();
  for (const c of children) {
    assert.match(c.loc ?? '', ABS, `child <loc> ${c.loc} is absolute`);
    if (c.lastmod !== undefined) assert.match(c.lastmod, W3C_DATE, `child <lastmod> ${c.lastmod}`);
    const u = new URL(c.loc);
    const child = await get(site.port, u.pathname + u.search);
    assert.equal(child.status, 200, `the child sitemap ${c.loc} answers ${child.status}`);
    for (const x of checkUrlset(c.loc, child.text).urls) listed.add(new URL(x.loc).pathname);
  }
  for (const a of articles) assert.ok(listed.has(a.path), `the sitemaps list ${a.path}`);
  assert.ok(listed.has('/'), 'the sitemaps list the front page');
});

test('/news-sitemap.xml is a Google News sitemap', async (t) => {
  const r = await fetchOr404(t, '/news-sitemap.xml');
  if (!r) return;
  assert.match(r.type, /xml/, `/news-sitemap.xml Content-Type ${r.type}`);
  const { doc, urls } = checkUrlset('/news-sitemap.xml', r.text);
  assert.equal(doc.urlset['@xmlns:news'], NEWS_NS, '/news-sitemap.xml declares the news namespace');
  const cutoff = Date.now() - 48 * 3600 * 1000 - 5 * 60 * 1000;
  for (const u of urls) {
    const n = u['news:news']?.[0];
    assert.ok(n, `${u.loc} has <news:news>`);
    const pub = n['news:publication'];
    assert.ok(pub?.['news:name'], `${u.loc} has <news:publication><news:name>`);
    assert.match(pub?.['news:language'] ?? '', /^[a-z]{2,3}(-[A-Za-z]+)?$/, `${u.loc} has <news:language>`);
    assert.ok(n['news:title'], `${u.loc} has <news:title>`);
    const d = n['news:publication_date'] ?? '';
    assert.match(d, W3C_DATE, `${u.loc} <news:publication_date> ${d}`);
    assert.ok(Date.parse(d) >= cutoff, `${u.loc} was published in the last 48 hours (${d})`);
    const p = await get(site.port, new URL(u.loc).pathname);
    assert.equal(p.status, 200, `${u.loc} answers ${p.status}`);
  }
});

test('/robots.txt points at both sitemaps', async (t) => {
  const r = await fetchOr404(t, '/robots.txt');
  if (!r) return;
  assert.match(r.type, /^text\/plain/);
  const maps = [...r.text.matchAll(/^Sitemap:\s*(\S+)\s*$/gim)].map((m) => m[1]);
  for (const want of ['/sitemap.xml', '/news-sitemap.xml']) {
    const hit = maps.find((u) => ABS.test(u) && new URL(u).pathname === want);
    assert.ok(hit, `/robots.txt has an absolute "Sitemap:" line for ${want} (found ${maps.join(', ') || 'none'})`);
  }
});

/* ----------------------------------------------------------- JSON-LD */

// The JSON-LD blocks of a page: [{ text, value | error }].
function jsonLd(html) {
  const tokens = tokenize(html);
  const out = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.type !== 'tag' || t.name !== 'script' || (t.attrs.get('type') || '').toLowerCase() !== 'application/ld+json') continue;
    const el = element(tokens.slice(i), () => true);
    const text = el.filter((x) => x.type === 'text').map((x) => x.text).join('');
    try { out.push({ text, value: JSON.parse(text) }); } catch (e) { out.push({ text, error: e.message }); }
  }
  return out;
}

// Every node with an @type, whether at the top, in an array or in @graph.
function nodes(v) {
  if (Array.isArray(v)) return v.flatMap(nodes);
  if (v && typeof v === 'object') return [...(v['@type'] ? [v] : []), ...nodes(v['@graph'] ?? [])];
  return [];
}

const types = (n) => [].concat(n['@type']);
const isSchemaOrg = (c) => [].concat(c).some((x) => typeof x === 'string' && /^https?:\/\/schema\.org\/?$/.test(x));

test('every JSON-LD block of every page parses and names @context and @type', (t) => {
  const withBlocks = pages.filter((p) => p.html && p.status === p.want && jsonLd(p.html).length);
  if (!withBlocks.length) return t.skip('no page has JSON-LD yet');
  for (const p of withBlocks) {
    for (const [i, b] of jsonLd(p.html).entries()) {
      assert.ok(!b.error, `${p.name} (${p.path}) JSON-LD block ${i + 1} is not JSON: ${b.error}\n${b.text.slice(0, 500)}`);
      const top = [].concat(b.value);
      for (const v of top) {
        assert.ok(isSchemaOrg(v['@context']), `${p.name} (${p.path}) JSON-LD block ${i + 1} has @context https://schema.org (got ${JSON.stringify(v['@context'])})`);
        assert.ok(nodes(v).length > 0, `${p.name} (${p.path}) JSON-LD block ${i + 1} has an @type`);
      }
      // JSON inside <script> must not be able to end it early.
      assert.doesNotMatch(b.text, /<\/script|<!--/i, `${p.name} JSON-LD block ${i + 1} escapes "</" and "<!--"`);
    }
  }
});

test('every article carries a NewsArticle with the fields search engines read', (t) => {
  const withLd = articles.filter((p) => jsonLd(p.html).length);
  if (!withLd.length) return t.skip('no article page has JSON-LD yet');
  for (const p of articles) {
    const all = jsonLd(p.html).filter((b) => !b.error).flatMap((b) => nodes(b.value));
    const a = all.find((n) => types(n).includes('NewsArticle'));
    assert.ok(a, `${p.path} has a NewsArticle (found ${all.map((n) => types(n).join('/')).join(', ') || 'nothing'})`);
    const h1 = decodeEntities((/<h1\b[^>]*>([\s\S]*?)<\/h1>/.exec(p.html)?.[1] ?? '').replace(/<[^>]+>/g, '')).trim();
    assert.equal(a.headline, h1, `${p.path} headline matches the <h1>`);
    assert.ok(typeof a.description === 'string' && a.description.length > 0, `${p.path} NewsArticle has a description`);
    for (const k of ['datePublished', 'dateModified']) {
      assert.ok(typeof a[k] === 'string' && W3C_DATE.test(a[k]), `${p.path} NewsArticle ${k} is an ISO 8601 date (got ${a[k]})`);
    }
    const authors = [].concat(a.author ?? []);
    assert.ok(authors.length > 0 && authors.every((x) => x && x.name), `${p.path} NewsArticle has an author with a name`);
    assert.ok(a.publisher && a.publisher.name, `${p.path} NewsArticle has a publisher with a name`);
    if (/<figure class="photo">\s*<img/.test(p.html)) {
      const imgs = [].concat(a.image ?? []).map((x) => (typeof x === 'string' ? x : x?.url));
      assert.ok(imgs.length && imgs.every((u) => ABS.test(u ?? '')), `${p.path} NewsArticle has absolute image URLs (got ${JSON.stringify(a.image)})`);
    }
    if (/<ul class="tags">/.test(p.html)) assert.ok(a.keywords && a.keywords.length, `${p.path} NewsArticle has keywords`);
    if (a.url || a.mainEntityOfPage) {
      const u = a.url ?? a.mainEntityOfPage?.['@id'] ?? a.mainEntityOfPage;
      assert.equal(new URL(u).pathname, p.path, `${p.path} NewsArticle url points at the page`);
    }
  }
});
