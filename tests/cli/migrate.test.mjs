// byline migrate: moving a site between databases with every row checked.
// SQLite to SQLite always; SQLite -> PostgreSQL -> SQLite under the pg kind.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { demoSite, copySite, byline, serve, request, cleanup, newDatabase, siteDatabase, PG } from '../lib/server.mjs';
import { DatabaseSync, siteDb } from '../lib/db.mjs';

const made = [];
after(() => { for (const d of made) cleanup(dirname(d)); });

function site() {
  const d = copySite(template());
  made.push(d);
  return d;
}
let tpl = null;
function template() {
  if (!tpl) { tpl = demoSite(); made.push(tpl); }
  return tpl;
}

const TABLES = ['sections', 'authors', 'tags', 'articles', 'comments', 'article_tags', 'photos', 'related'];

function counts(dir) {
  const db = siteDb(dir);
  return Object.fromEntries(TABLES.map((t) => [t, db.value(`SELECT count(*) FROM ${t}`)]));
}

// What a reader sees: the front page, an article and what a search finds.
async function pages(dir) {
  const srv = await serve(dir);
  try {
    const front = (await request(srv.port, '/')).text;
    const search = (await request(srv.port, '/search?q=harbour')).text;
    const first = front.match(/href="(\/\d{4}\/\d{2}\/\d{2}\/[a-z0-9-]+\/)"/)[1];
    const article = (await request(srv.port, first)).text;
    const strip = (s) => s.replace(/<form[\s\S]*?<\/form>/g, '').replace(/name="bl_token" value="[^"]*"/g, '');
    // Snippets and ranking are each backend's own (docs/search.md): the
    // same stories must be found.
    const found = [...search.matchAll(/class="teaser-link" href="([^"]+)"/g)].map((m) => m[1]).sort();
    return { front, search: found, article: strip(article) };
  } finally {
    await srv.stop();
  }
}

test('migrate copies a site to a new SQLite file, checks it and switches to it', async () => {
  const dir = site();
  const before = counts(dir);
  const seen = await pages(dir);
  const r = byline(['migrate', '--site', dir, '--to', 'sqlite:moved.db']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /copied and checked/);
  assert.match(r.stdout, new RegExp(`articles ${before.articles}\\b`));
  assert.match(r.stderr, /100%/, 'progress is shown');
  assert.equal(siteDatabase(dir), 'sqlite:moved.db');
  assert.ok(existsSync(join(dir, 'moved.db')));
  const moved = new DatabaseSync(join(dir, 'moved.db'));
  for (const t of TABLES) assert.equal(moved.value(`SELECT count(*) FROM ${t}`), before[t], t);
  assert.deepEqual(await pages(dir), seen, 'the site reads the same from the new database');
});

test('migrate refuses a target that already holds a site, and changes nothing', () => {
  const dir = site();
  const conf = readFileSync(join(dir, 'byline.conf'), 'utf8');
  let r = byline(['migrate', '--site', dir, '--to', 'sqlite:second.db', '--keep-config']);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(readFileSync(join(dir, 'byline.conf'), 'utf8'), conf, '--keep-config leaves byline.conf alone');
  r = byline(['migrate', '--site', dir, '--to', 'sqlite:second.db']);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /already holds a site/);
  assert.match(r.stderr, /nothing was written/);
  assert.equal(readFileSync(join(dir, 'byline.conf'), 'utf8'), conf);
});

test('migrate explains bad arguments', () => {
  const dir = site();
  for (const [args, re] of [
    [['migrate', '--site', dir], /--to URL is required/],
    [['migrate', '--to', 'sqlite:x.db'], /--site DIR is required/],
    [['migrate', '--site', dir, '--to', 'mysql://x/y'], /postgresql:\/\/\.\.\. or sqlite:PATH/],
  ]) {
    const r = byline(args);
    assert.equal(r.status, 2, args.join(' '));
    assert.match(r.stderr, re);
  }
  const r = byline(['migrate', '--site', join(dir, 'nowhere'), '--to', 'sqlite:x.db']);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /no site at/);
});

test('migrate moves a SQLite site to PostgreSQL and back', { skip: PG ? false : 'needs PostgreSQL (tests/run.sh pg)' }, async () => {
  // A SQLite site, whatever backend the helpers default to.
  const root = join(dirname(template()), 'sqlite-src');
  const r0 = byline(['demo', root]);
  assert.equal(r0.status, 0, r0.stderr);
  made.push(join(root, 'x'));
  const before = counts(root);
  const seen = await pages(root);
  const url = newDatabase();
  let r = byline(['migrate', '--site', root, '--to', url]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(siteDatabase(root), url);
  assert.deepEqual(counts(root), before, 'PostgreSQL holds every row');
  assert.deepEqual(await pages(root), seen, 'the site reads the same on PostgreSQL');
  r = byline(['migrate', '--site', root, '--to', 'sqlite:back.db']);
  assert.equal(r.status, 0, r.stderr);
  const back = new DatabaseSync(join(root, 'back.db'));
  for (const t of TABLES) assert.equal(back.value(`SELECT count(*) FROM ${t}`), before[t], t);
  assert.deepEqual(await pages(root), seen, 'and the same again back on SQLite');
});
