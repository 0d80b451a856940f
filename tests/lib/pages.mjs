// The validity suites' tour of a demo site: one URL of every page type, the
// comment form's error page, and the feeds and sitemaps, each fetched once.
import { dirname } from 'node:path';
import { demoSite, serve, request, links, byline, cleanup } from './server.mjs';
import { Reader, parseForm, goodComment } from './forms.mjs';

const ARTICLE = /^\/\d{4}\/\d{2}\/\d{2}\/[a-z0-9-]+\/$/;

// Pages that other parts of the issue add; until they answer 200 they are
// reported as skipped, not failed.
export const OPTIONAL = new Set(['search', 'search without results', 'archive', 'archive-year', 'archive-month', 'archive-day']);

// A demo site, served: { dir, srv, port, url, stop() }. Three stories a page,
// so that sections, tags and authors have second pages too, and comments
// that can be posted at once.
export async function demo() {
  const dir = demoSite();
  for (const [k, v] of [['pages.per_page', '3'], ['comments.min_seconds', '0'], ['comments.flood_seconds', '0']]) {
    const r = byline(['config', 'set', k, v, '--site', dir]);
    if (r.status !== 0) throw new Error(`byline config set ${k} failed: ${r.stderr}`);
  }
  const srv = await serve(dir);
  return {
    dir, srv, port: srv.port, url: srv.url,
    stop: async () => { await srv.stop(); cleanup(dirname(dir)); },
  };
}

const get = async (port, path) => {
  const r = await request(port, path);
  return { status: r.status, type: r.headers['content-type'] || '', text: r.text, headers: r.headers };
};

const nextLink = (html) => {
  const m = /<a\b[^>]*\brel="next"[^>]*\bhref="([^"]*)"/.exec(html) || /<a\b[^>]*\bhref="([^"]*)"[^>]*\brel="next"/.exec(html);
  return m ? m[1] : null;
};

// One page of every type the site serves. Resolves to a list of
//   { name, path, status, want, html, optional }
// where `want` is the status the page should answer with (404 for the
// not-found page, 422 for the refused comment) and `html` its body. Pages
// in OPTIONAL that do not answer 200 come back with html null. A page seen
// by a reader with cookies has `cookies` ([[name, value]...]); the refused
// comment has `post` set (a browser gets it by sending the form empty).
export async function tour(port) {
  const pages = [];
  const seen = new Set();
  const add = async (name, path, want = 200) => {
    if (!path || seen.has(path)) return null;
    seen.add(path);
    const r = await get(port, path);
    const p = { name, path, status: r.status, want, html: r.text, optional: OPTIONAL.has(name) };
    if (p.optional && r.status !== want) p.html = null;
    pages.push(p);
    return p;
  };

  const front = await add('front', '/');
  await add('front-page-2', nextLink(front.html) || '/page/2/');

  // Sections from the navigation; one article of each, and the section's
  // second page where there is one.
  const sections = links(front.html, /^\/section\/[^/]+\/$/);
  const articles = [];
  for (const s of sections) {
    const name = s.split('/')[2];
    const p = await add(`section ${name}`, s);
    if (!p || p.status !== 200) continue;
    const a = links(p.html, ARTICLE)[0];
    if (a) articles.push([`article in ${name}`, a]);
    const next = nextLink(p.html);
    if (next) await add(`section ${name} page 2`, next);
  }
  // An article with comments (the thread markup), found from a teaser's
  // comment count, unless one of the articles above has some already.
  for (const [name, path] of articles) await add(name, path);
  let withComments = pages.find((p) => p.html && /class="comment-list"/.test(p.html) && ARTICLE.test(p.path));
  if (!withComments) {
    const commented = [...front.html.matchAll(/href="(\/\d{4}\/\d{2}\/\d{2}\/[a-z0-9-]+\/)#comments"/g)].map((m) => m[1]);
    if (commented[0]) withComments = await add('article with comments', commented[0]);
  }

  // A tag and an author with the most stories (so a second page, if any).
  for (const kind of ['tag', 'author']) {
    const all = new Set();
    for (const p of pages) if (p.html) for (const l of links(p.html, new RegExp(`^/${kind}/[^/]+/$`))) all.add(l);
    let best = null;
    for (const l of all) {
      const r = await get(port, l);
      const next = nextLink(r.text);
      if (!best || (next && !best.next)) best = { path: l, next };
      if (next) break;
    }
    if (!best) continue;
    await add(kind, best.path);
    if (best.next) await add(`${kind} page 2`, best.next);
  }

  // A reply form (?replytocom=ID) on the commented article.
  const reply = withComments && links(withComments.html, /\?replytocom=\d+$/)[0];
  if (reply) await add('article replying to a comment', reply.replace(/&amp;/g, '&'));

  await add('not found', '/no/such/page/', 404);

  // The comment form refused: an empty post with the article and token.
  const target = articles[0]?.[1];
  if (target) {
    const reader = new Reader(port);
    const page = await reader.get(target);
    const form = parseForm(page.text);
    if (form) {
      const r = await reader.post(form.action || '/comments/', [['article', form.get('article')], ['token', form.get('token')]]);
      pages.push({ name: 'comment refused (422)', path: target, post: true, status: r.status, want: 422, html: r.text, optional: false });
    }
  }

  // A reader's own comment held for moderation ("Your recent comments",
  // its edit and delete controls) and the page for editing it.
  const second = articles[1]?.[1];
  if (second) {
    const reader = new Reader(port);
    const { res } = await reader.comment(second, goodComment());
    const cookies = () => [...reader.jar.cookies];
    if (res.status === 303) {
      const page = await reader.get(second);
      pages.push({ name: 'article with own held comment', path: second, status: page.status, want: 200, html: page.text, optional: false, cookies: cookies() });
      const edit = links(page.text, /^\/comments\/\d+\/edit$/)[0];
      if (edit) {
        const e = await reader.get(edit);
        pages.push({ name: 'editing own comment', path: edit, status: e.status, want: 200, html: e.text, optional: false, cookies: cookies() });
      }
    } else {
      pages.push({ name: 'article with own held comment', path: second, status: res.status, want: 303, html: res.text, optional: false });
    }
  }

  // Pages the search and archive work adds.
  await add('search', '/search?q=harbour');
  await add('search without results', '/search?q=zyxwvutsrq');
  await add('archive', '/archive/');
  const date = ARTICLE.test(articles[0]?.[1] || '') ? articles[0][1].split('/') : null;
  if (date) {
    await add('archive-year', `/${date[1]}/`);
    await add('archive-month', `/${date[1]}/${date[2]}/`);
    await add('archive-day', `/${date[1]}/${date[2]}/${date[3]}/`);
  }
  return pages;
}

// Feeds and sitemaps: { name, path, kind: 'rss'|'atom'|'json'|'sitemap'|'news-sitemap'|'robots' }.
export function feedPaths(pages) {
  const find = (re) => pages.find((p) => re.test(p.name))?.path;
  const out = [
    { name: 'site RSS', path: '/feed/', kind: 'rss' },
    { name: 'site Atom', path: '/feed/atom/', kind: 'atom' },
    { name: 'site JSON Feed', path: '/feed/json/', kind: 'json' },
    { name: 'comments RSS', path: '/comments/feed/', kind: 'rss' },
    { name: 'sitemap index', path: '/sitemap.xml', kind: 'sitemap' },
    { name: 'news sitemap', path: '/news-sitemap.xml', kind: 'news-sitemap' },
  ];
  for (const [label, re] of [['section', /^section [^ ]+$/], ['tag', /^tag$/], ['author', /^author$/]]) {
    const p = find(re);
    if (!p) continue;
    out.push({ name: `${label} RSS`, path: `${p}feed/`, kind: 'rss' });
    out.push({ name: `${label} Atom`, path: `${p}feed/atom/`, kind: 'atom' });
    out.push({ name: `${label} JSON Feed`, path: `${p}feed/json/`, kind: 'json' });
  }
  const a = pages.find((p) => p.html && /class="comment-list"/.test(p.html) && ARTICLE.test(p.path))?.path || find(/^article in /);
  if (a) out.push({ name: 'article comments RSS', path: `${a}feed/`, kind: 'rss' });
  return out;
}

export { get };
