// The command line: init, import text, post add, config, help and exit codes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, statSync, existsSync, readFileSync, mkdirSync, copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { byline, tempDir, cleanup } from '../lib/server.mjs';
import { DatabaseSync } from '../lib/db.mjs';

function newSite() {
  const root = tempDir();
  const dir = join(root, 'site');
  const r = byline(['init', dir, '--title', 'The Test Gazette', '--url', 'https://news.example']);
  assert.equal(r.status, 0, r.stderr);
  return { root, dir };
}

function count(dir, sql) {
  return new DatabaseSync(join(dir, 'byline.db')).value(sql);
}

test('init makes a site with a private secret key and refuses to overwrite it', () => {
  const { root, dir } = newSite();
  for (const f of ['byline.conf', 'byline.db', 'media', 'secret.key']) assert.ok(existsSync(join(dir, f)), f);
  assert.equal(statSync(join(dir, 'secret.key')).mode & 0o777, 0o600);
  assert.match(readFileSync(join(dir, 'secret.key'), 'utf8'), /^[0-9a-f]{64}\n$/);
  const again = byline(['init', dir]);
  assert.equal(again.status, 1);
  assert.match(again.stderr, /^byline: init: .*refusing to overwrite/m);
  cleanup(root);
});

test('usage errors exit 2 and help exits 0', () => {
  assert.equal(byline([]).status, 2);
  assert.equal(byline(['frobnicate']).status, 2);
  assert.equal(byline(['init']).status, 2);
  assert.equal(byline(['serve', 'x', '--threads', 'many']).status, 2);
  assert.equal(byline(['import', 'text', 'a.txt']).status, 2, '--site is required');
  assert.equal(byline(['import', 'text', 'a.txt', '--site', 'x', '--date', 'yesterday']).status, 2);
  for (const cmd of ['init', 'serve', 'import', 'post', 'demo', 'config']) {
    const r = byline([cmd, '--help']);
    assert.equal(r.status, 0, cmd);
    assert.match(r.stdout, /^usage: byline /, cmd);
  }
  const top = byline(['--help']);
  assert.equal(top.status, 0);
  for (const cmd of ['init', 'serve', 'import', 'post', 'demo', 'config']) assert.match(top.stdout, new RegExp(`  ${cmd} `));
});

test('config get and set read and change byline.conf', () => {
  const { root, dir } = newSite();
  let r = byline(['config', 'get', 'site.title', '--site', dir]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, 'The Test Gazette\n');
  r = byline(['config', 'set', 'site.title', 'The Evening Post', '--site', dir]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(byline(['config', 'get', 'site.title', '--site', dir]).stdout, 'The Evening Post\n');
  assert.equal(byline(['config', 'get', 'pages.per_page', '--site', dir]).stdout, '10\n', 'defaults are readable');
  r = byline(['config', 'set', 'pages.per_page', 'many', '--site', dir]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /whole number/);
  r = byline(['config', 'get', 'site.nonsense', '--site', dir]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /unknown setting 'site.nonsense'/);
  cleanup(root);
});

const SCRAPED = `Flood barrier closes for the first time in a decade

HARBRIDGE — The city’s tidal barrier swung shut on Monday night as a storm surge pushed the River Esk to its highest level since 2014.

“We had about forty minutes’ warning,” said Zoë Adébáyọ̀, who runs the barrier for the port authority. “Everyone did exactly what they trained for.”

Workers check the gates of the barrier on Monday.

Workers check the gates of the barrier on Monday.
(Jane Doe / Example Agency via AP)

Residents of Quay Street were told to move cars to higher ground — a request most followed, police said. One wrote <script>alert(1)</script> on a sign.

#Harbour #Weather #harbour

Related Articles

Port authority plans new pumping station

Ferry timetable changes for winter

Leave a Reply

Your email address will not be published. Required fields are marked *

Comment *

Name *

Email *

Website

Save my name, email, and website in this browser for the next time I comment.

13 + 4 =

Post Comment
`;

test('import text applies every rule of the format and publishes', () => {
  const { root, dir } = newSite();
  const file = join(root, 'barrier.txt');
  writeFileSync(file, SCRAPED);
  const r = byline(['import', 'text', file, '--site', dir, '--section', 'Local', '--author', 'Søren Kierkegaard-Holm',
    '--date', '2026-11-23T21:15:00Z', '--publish']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /: 3 paragraphs, 1 photo, 2 tags, \d+ chrome lines dropped;/);
  assert.match(r.stdout, /published at \/2026\/11\/23\/flood-barrier-closes-for-the-first-time-in-a-decade\//);
  const db = new DatabaseSync(join(dir, 'byline.db'));
  const html = db.value("SELECT body_html FROM articles");
  assert.ok(html.includes('city’s tidal barrier'), 'typographic apostrophe kept');
  assert.ok(html.includes('Zoë Adébáyọ̀'), 'names kept exactly');
  assert.ok(html.includes('&lt;script&gt;'), 'HTML in text is shown as text');
  assert.ok(!html.includes('<script>'));
  assert.equal((html.match(/<figure/g) || []).length, 1, 'the repeated caption is one photo');
  assert.match(html, /<span class="credit">\(Jane Doe \/ Example Agency via AP\)<\/span>/);
  for (const chrome of ['Related Articles', 'Leave a Reply', 'Required fields', '13 + 4', 'Post Comment', 'Save my name', 'Ferry timetable'])
    assert.ok(!html.includes(chrome), `chrome '${chrome}' dropped`);
  assert.equal(db.value("SELECT group_concat(name, ',') FROM (SELECT t.name FROM tags t JOIN article_tags x ON x.tag_id = t.id ORDER BY x.pos)"), 'Harbour,Weather');
  assert.equal(db.value("SELECT standfirst FROM articles"), '', 'plain text has no standfirst');
  assert.match(db.value("SELECT excerpt FROM articles"), /^HARBRIDGE — The city’s tidal barrier/);
  cleanup(root);
});

test('broken files fail one by one with clear messages and write nothing', () => {
  const { root, dir } = newSite();
  const good = join(root, 'good.txt');
  writeFileSync(good, 'Council approves budget\n\nThe council approved the budget on Tuesday.\n');
  const cases = {
    'empty.txt': ['', /empty/],
    'blank.txt': ['\n\n   \n', /empty/],
    'latin1.txt': [Buffer.from([0x43, 0x61, 0x66, 0xe9, 0x0a, 0x0a, 0x42, 0x6f, 0x64, 0x79, 0x0a]), /UTF-8/],
    'binary.txt': [Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x00, 0x01, 0x02]), /binary|UTF-8/],
    'headline.txt': ['Just a headline\n', /no story text|no body/i],
  };
  const files = [];
  for (const [name, [content]] of Object.entries(cases)) {
    writeFileSync(join(root, name), content);
    files.push(join(root, name));
  }
  const r = byline(['import', 'text', ...files, good, join(root, 'missing.txt'), '--site', dir, '--publish']);
  assert.equal(r.status, 1, 'a failure makes the whole run fail');
  for (const [name, [, re]] of Object.entries(cases)) {
    const line = r.stderr.split('\n').find((l) => l.includes(name));
    assert.ok(line, `a message for ${name}`);
    assert.match(line, /^byline: import: /);
    assert.match(line, re, name);
  }
  assert.match(r.stderr, /missing\.txt: cannot open/);
  assert.match(r.stdout, /good\.txt: "Council approves budget"/);
  assert.match(r.stdout, /imported 1 of 7 files/);
  assert.equal(count(dir, 'SELECT count(*) FROM articles'), 1, 'only the good file was stored');
  cleanup(root);
});

test('imports are drafts unless --publish', () => {
  const { root, dir } = newSite();
  const f = join(root, 'draft.txt');
  writeFileSync(f, 'Draft story\n\nNot ready yet.\n');
  const r = byline(['import', 'text', f, '--site', dir]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /saved as a draft/);
  assert.equal(count(dir, 'SELECT status FROM articles'), 0);
  cleanup(root);
});

test('import --photos attaches image files to photos in order', () => {
  const { root, dir } = newSite();
  const photos = join(root, 'photos');
  mkdirSync(photos);
  // Borrow a demo image: make a demo site and copy one of its media files.
  const demo = join(root, 'demo');
  assert.equal(byline(['demo', demo]).status, 0);
  const media = byline(['config', 'get', 'database', '--site', demo]);
  assert.equal(media.status, 0);
  const jpg = new DatabaseSync(join(demo, 'byline.db')).value("SELECT file FROM photos WHERE file != '' LIMIT 1");
  copyFileSync(join(demo, 'media', jpg), join(photos, '01.jpg'));
  const f = join(root, 'story.txt');
  writeFileSync(f, SCRAPED);
  const r = byline(['import', 'text', f, '--site', dir, '--photos', photos, '--publish']);
  assert.equal(r.status, 0, r.stderr);
  const db = new DatabaseSync(join(dir, 'byline.db'));
  const file = db.value('SELECT file FROM photos');
  assert.match(file, /^\d{4}\/\d{2}\/01\.jpg$/);
  assert.ok(existsSync(join(dir, 'media', file)));
  assert.ok(db.value('SELECT width FROM photos') > 0);
  assert.match(db.value('SELECT body_html FROM articles'), /<img src="\/media\/\d{4}\/\d{2}\/01\.jpg"/);
  cleanup(root);
});

test('post add publishes Markdown with front matter, and refuses bad front matter', () => {
  const { root, dir } = newSite();
  const f = join(root, 'post.md');
  writeFileSync(f, `---
title: "Ferry fares: what changes in January"
standfirst: Single tickets rise by 20p; season tickets are frozen.
author: Łukasz Wróbel
section: Business
dateline: PORT ELWYN
tags: [Ferries, Transport]
date: 2026-11-20T09:00:00Z
---
Fares on the **Port Elwyn** ferry rise in January.

<script>alert(1)</script>

## What stays the same

- Season tickets
- Child fares
`);
  let r = byline(['post', 'add', f, '--site', dir, '--publish']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /published at \/2026\/11\/20\/ferry-fares-what-changes-in-january\//);
  const db = new DatabaseSync(join(dir, 'byline.db'));
  const html = db.value('SELECT body_html FROM articles');
  assert.match(html, /<strong>Port Elwyn<\/strong>/);
  assert.match(html, /<h2>What stays the same<\/h2>/);
  assert.match(html, /<li>Season tickets<\/li>/);
  assert.ok(!html.includes('<script>'));
  assert.equal(db.value('SELECT dateline FROM articles'), 'PORT ELWYN');
  const bad = join(root, 'bad.md');
  writeFileSync(bad, '---\ntitle: X\ntitel: typo\n---\nBody\n');
  r = byline(['post', 'add', bad, '--site', dir]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /titel/);
  assert.equal(db.value('SELECT count(*) FROM articles'), 1);
  cleanup(root);
});

test('docs/configuration.md lists every setting the binary knows', () => {
  const table = byline(['config', 'list']);
  assert.equal(table.status, 0);
  const doc = readFileSync(new URL('../../docs/configuration.md', import.meta.url), 'utf8');
  assert.ok(doc.includes(table.stdout), 'the documented table is the one `byline config list` prints');
});
