// Every page type of the demo site passes the W3C Nu HTML Checker (vnu.jar,
// run with Java) with no errors.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { tempDir } from '../lib/server.mjs';
import { demo, tour, get } from '../lib/pages.mjs';

const require = createRequire(import.meta.url);
const VNU = String(require('vnu-jar'));
const JAVA = process.env.JAVA || 'java';

const site = await demo();
const pages = await tour(site.port);
const out = tempDir('byline-vnu-');
after(async () => {
  await site.stop();
  rmSync(out, { recursive: true, force: true });
});

// Save every page and check them all in one run of the checker.
const checked = pages.filter((p) => p.html !== null);
checked.forEach((p, i) => {
  p.file = join(out, `${String(i).padStart(2, '0')}-${p.name.replace(/[^a-z0-9]+/gi, '-')}.html`);
  writeFileSync(p.file, p.html);
});
// The theme's stylesheet and images as the site serves them.
const statics = [];
for (const path of ['/static/site.css', '/static/logo.svg', '/static/favicon.svg']) {
  const r = await get(site.port, path);
  const file = join(out, path.split('/').pop());
  writeFileSync(file, r.text);
  statics.push({ path, status: r.status, file });
}

// A page with a known error proves that messages reach the right test.
const canary = join(out, 'canary.html');
writeFileSync(canary, '<!DOCTYPE html><html lang="en"><head><title>canary</title></head><body><img src="x.png"></body></html>');
const run = spawnSync(JAVA, ['-Xss2m', '-jar', VNU, '--format', 'json', '--errors-only', '--also-check-css', '--also-check-svg',
  canary, ...checked.map((p) => p.file), ...statics.map((f) => f.file)],
  { encoding: 'utf8', timeout: 120000, maxBuffer: 64 << 20 });
let report = null;
try {
  report = JSON.parse(run.stderr || run.stdout);
} catch { /* the checker did not run: the first test says why */ }
const byFile = new Map(checked.map((p) => [pathToFileURL(p.file).href, []]));
for (const m of report?.messages ?? []) {
  const url = m.url && m.url.replace(/^file:\/(?!\/)/, 'file:///');
  (byFile.get(url) ?? byFile.set(url, []).get(url)).push(m);
}

test('the Nu HTML Checker runs', () => {
  assert.ok(!run.error, `cannot run ${JAVA} -jar ${VNU}: ${run.error?.message}`);
  assert.ok(report, `the checker gave no JSON report (exit ${run.status}): ${(run.stderr || run.stdout || '').slice(0, 2000)}`);
  const seen = byFile.get(pathToFileURL(canary).href) ?? [];
  assert.ok(seen.some((m) => m.type === 'error' && /\balt\b/.test(m.message)),
    `the checker did not report the missing alt of a test page: ${JSON.stringify(seen)}`);
});

const where = (p) => `${p.post ? 'POST /comments/ from ' : ''}${p.path}`;

for (const p of pages) {
  const label = `${p.name} (${where(p)}) has no HTML errors`;
  if (p.html === null) {
    test(label, { skip: `${p.path} answers ${p.status}, not built yet` }, () => {});
    continue;
  }
  test(label, () => {
    assert.equal(p.status, p.want, `${where(p)} answered ${p.status}`);
    const msgs = byFile.get(pathToFileURL(p.file).href) ?? [];
    const lines = p.html.split('\n');
    const text = msgs.map((m) => {
      const line = m.lastLine ?? m.firstLine;
      const src = line ? (lines[line - 1] ?? '').trim().slice(0, 160) : '';
      return `  ${where(p)}:${line ?? '?'}:${m.firstColumn ?? m.lastColumn ?? '?'}: ${m.type}${m.subType ? `/${m.subType}` : ''}: ${m.message}\n      ${src}`;
    }).join('\n');
    assert.equal(msgs.length, 0, `${msgs.length} error(s) from the Nu HTML Checker on ${p.name}:\n${text}`);
  });
}

for (const f of statics) {
  test(`${f.path} has no errors`, () => {
    assert.equal(f.status, 200, `${f.path} answered ${f.status}`);
    const msgs = byFile.get(pathToFileURL(f.file).href) ?? [];
    assert.deepEqual(msgs.map((m) => `${f.path}:${m.lastLine ?? '?'}: ${m.message}`), []);
  });
}

// Messages about files the checker was not given (a crash, a wrong path).
test('the checker reports nothing unexpected', () => {
  const known = new Set([canary, ...checked.map((p) => p.file), ...statics.map((f) => f.file)].map((f) => pathToFileURL(f).href));
  const stray = [...byFile].filter(([url, msgs]) => msgs.length && !known.has(url));
  assert.deepEqual(stray.map(([url, msgs]) => `${url}: ${msgs.map((m) => m.message).join('; ')}`), []);
});
