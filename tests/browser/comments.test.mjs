// A reader comments in Chromium: a wrong answer and then a right one, the
// moderation notice, stored XSS with scripts on, and a very long word.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { serve, cleanup } from '../lib/server.mjs';
import { launch } from '../lib/browser.mjs';
import { commentSite, QUICK, articlePaths, solve, squash } from '../lib/forms.mjs';
import { TEXT_PAYLOADS, BAD_URLS, LONG_WORD } from '../lib/xss.mjs';

const OUT = new URL('../out/', import.meta.url).pathname;
const AWAITING = 'Your comment is awaiting moderation.';
let browser;
const sites = [];

async function site(settings) {
  const dir = commentSite(settings);
  const srv = await serve(dir);
  const s = { dir, srv, paths: await articlePaths(srv.port) };
  sites.push(s);
  return s;
}

let open, held;

before(async () => {
  mkdirSync(OUT, { recursive: true });
  browser = await launch();
});

after(async () => {
  await browser?.close();
  for (const s of sites) {
    if (s.srv.proc.exitCode !== null || s.srv.proc.signalCode) console.log(`# the server died (${s.srv.proc.exitCode ?? s.srv.proc.signalCode}): ${s.srv.log().slice(-2000)}`);
    await s.srv.stop();
    cleanup(dirname(s.dir));
  }
});

const getOpen = async () => (open ??= await site({ ...QUICK, 'comments.moderation': 'none' }));
const getHeld = async () => (held ??= await site({ ...QUICK }));

// A page that records script errors, CSP violations, dialogs and failed
// requests other than the refused form posts a test expects.
async function newPage(options = {}) {
  const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 1280, height: 900 }, ...options });
  const page = await context.newPage();
  const problems = [];
  const dialogs = [];
  page.on('console', (m) => {
    // The refused posts a test makes on purpose are logged as failed loads.
    if (m.type() === 'error' && !/Failed to load resource: .*status of 422\b/.test(m.text())) problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(String(e)));
  page.on('dialog', (d) => { dialogs.push(`${d.type()}: ${d.message()}`); d.dismiss().catch(() => {}); });
  page.on('requestfailed', (r) => problems.push(`failed: ${r.url()}`));
  page.on('response', (r) => {
    if (r.status() >= 400 && r.request().method() !== 'POST') problems.push(`${r.status()}: ${r.url()}`);
  });
  page.on('request', (r) => { if (!r.url().startsWith('http://127.0.0.1:')) problems.push(`request to another site: ${r.url()}`); });
  return { context, page, problems, dialogs };
}

// Clicks "Post Comment" and waits until the page it leads to has loaded
// (after a redirect, the article); returns the status of the POST itself.
// With `enter`, the reader presses Enter in the answer box instead of
// clicking the button (much quicker to drive in a loop).
async function submit(page, enter = false) {
  const [resp] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/comments/'),
    page.waitForNavigation({ waitUntil: 'load' }),
    enter ? page.locator('#captcha').press('Enter') : page.getByRole('button', { name: 'Post Comment' }).click(),
  ]);
  return resp.status();
}

const question = async (page) => squash(await page.locator('label[for="captcha"]').textContent());
const token = (page) => page.locator('input[name="token"]').getAttribute('value');

test('a reader types a wrong answer, is told so beside the question, then posts with the right one', async () => {
  const s = await getOpen();
  const path = s.paths[0];
  const { context, page, problems } = await newPage();
  await page.goto(`${s.srv.url}${path}`);
  const text = `The new ferry timetable suits early workers far better. (${Date.now()})`;
  const name = 'Gwendolyn Ashdown-Price';
  await page.locator('#comment').fill(text);
  await page.locator('#author').fill(name);
  await page.locator('#email').fill('gwen.ashdown@example.net');
  const q1 = await question(page);
  const t1 = await token(page);
  await page.locator('#captcha').fill(String(Number(solve(q1)) + 1));
  assert.equal(await submit(page), 422);
  const err = page.locator('#captcha-error');
  assert.ok(await err.isVisible(), 'the message is visible');
  assert.equal(squash(await err.textContent()), 'That answer is not right. Please try this new question.');
  assert.equal(await page.locator('#captcha').getAttribute('aria-invalid'), 'true');
  const eb = await err.boundingBox();
  const cb = await page.locator('#captcha').boundingBox();
  assert.ok(Math.abs((eb.y + eb.height / 2) - (cb.y + cb.height / 2)) < 120, `the message is beside the question (${JSON.stringify(eb)} vs ${JSON.stringify(cb)})`);
  assert.ok(await page.locator('.form-errors[role="alert"]').isVisible(), 'an alert at the top of the form');
  assert.equal(await page.locator('#comment').inputValue(), text, 'the comment is still there');
  assert.equal(await page.locator('#author').inputValue(), name, 'the name is still there');
  assert.equal(await page.locator('#email').inputValue(), 'gwen.ashdown@example.net');
  assert.notEqual(await token(page), t1, 'a new question');
  await page.locator('#respond').scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(OUT, 'comment-error.png') });
  await page.locator('#captcha').fill(solve(await question(page)));
  assert.equal(await submit(page), 303, 'the post is accepted and redirects to the article');
  const url = new URL(page.url());
  assert.equal(url.pathname, path);
  const m = /^#comment-(\d+)$/.exec(url.hash);
  assert.ok(m, `the address names the comment: ${page.url()}`);
  const mine = page.locator(`#comment-${m[1]}`);
  assert.ok(await mine.isVisible(), `#comment-${m[1]} is on the page the reader lands on (${await mine.count()} found; the page shows ${await page.locator('li.comment').count()} comments)`);
  assert.ok((await mine.innerText()).includes(text), 'the comment is on the page');
  assert.ok((await mine.innerText()).includes(name), 'with the name');
  assert.ok(!(await mine.innerText()).includes(AWAITING));
  await page.screenshot({ path: join(OUT, 'comment-posted.png') });
  assert.deepEqual(problems, [], 'no errors, failed requests or CSP violations');
  await context.close();
});

test('with the default moderation the reader sees their comment marked as awaiting moderation', async () => {
  const s = await getHeld();
  const path = s.paths[1];
  const { context, page, problems } = await newPage();
  await page.goto(`${s.srv.url}${path}#respond`);
  const text = `First time here: the lighthouse restoration is lovely. (${Date.now()})`;
  await page.locator('#comment').fill(text);
  await page.locator('#author').fill('Oluwaseun Trelawny');
  await page.locator('#email').fill(`first.timer.${Date.now()}@example.net`);
  await page.locator('#url').fill('https://example.org/seun');
  await page.locator('#captcha').fill(solve(await question(page)));
  assert.equal(await submit(page), 303);
  assert.equal(new URL(page.url()).pathname, path);
  const m = /^#comment-(\d+)$/.exec(new URL(page.url()).hash);
  assert.ok(m, page.url());
  const mine = page.locator(`#comment-${m[1]}`);
  assert.ok(await mine.isVisible());
  assert.ok((await mine.innerText()).includes(text));
  assert.ok(await mine.getByText(AWAITING).isVisible(), 'the moderation notice');
  await page.screenshot({ path: join(OUT, 'comment-held.png') });
  const other = await newPage();
  await other.page.goto(`${s.srv.url}${path}`);
  assert.equal(await other.page.locator(`#comment-${m[1]}`).count(), 0, 'another reader does not see it');
  assert.equal(await other.page.getByText(text).count(), 0);
  await other.context.close();
  assert.deepEqual(problems, []);
  await context.close();
});

test('stored XSS: the payload corpus posted through the form never runs, even with scripts on', async () => {
  const s = await getOpen();
  const path = s.paths[2];
  const { context, page, problems, dialogs } = await newPage({ javaScriptEnabled: true });
  await page.goto(`${s.srv.url}${path}`);
  const title = await page.title();
  const scripts = await page.locator('script').count();
  const pwned = async (where) => {
    const st = await page.evaluate(() => ({ pwned: window.__pwned, title: document.title, x: document.querySelectorAll('img[src="x"], iframe, svg[onload], body[onload]').length }));
    assert.equal(st.pwned, undefined, `a payload ran on ${where}`);
    assert.equal(st.x, 0, `injected elements on ${where}`);
    assert.deepEqual(dialogs, [], `no dialog on ${where}`);
    return st;
  };
  const posted = [];
  for (const [i, p] of TEXT_PAYLOADS.entries()) {
    // After a post the reader is back on the article with a fresh form.
    if (new URL(page.url()).pathname !== path) await page.goto(`${s.srv.url}${path}`);
    await page.locator('#comment').fill(p);
    await page.locator('#author').fill(p.length <= 100 ? p : `Payload ${i}`);
    await page.locator('#email').fill(`xss.browser.${i}@example.org`);
    await page.locator('#captcha').fill(String(Number(solve(await question(page))) + 1));
    assert.equal(await submit(page, true), 422, `wrong answer with ${JSON.stringify(p)}`);
    await pwned(`the refilled form for ${JSON.stringify(p)}`);
    assert.equal(await page.locator('#comment').inputValue(), p, 'the payload is back in the box as text');
    await page.locator('#captcha').fill(solve(await question(page)));
    const status = await submit(page, true);
    if (status !== 303 && /\u202e/.test(p)) continue; // a bidi override may be refused
    assert.equal(status, 303, `posting ${JSON.stringify(p)}`);
    const m = /^#comment-(\d+)$/.exec(new URL(page.url()).hash);
    assert.ok(m, `posted ${JSON.stringify(p)}: ${page.url()}`);
    posted.push({ id: m[1], p, author: p.length <= 100 ? p : `Payload ${i}` });
    await pwned(`the article after ${JSON.stringify(p)}`);
  }
  for (const url of BAD_URLS) {
    await page.goto(`${s.srv.url}${path}`);
    await page.locator('#comment').fill(`My site is at ${url.slice(0, 10)}… (${Date.now()})`);
    await page.locator('#author').fill('Url Tester');
    await page.locator('#email').fill('url.tester@example.org');
    await page.locator('#url').fill(url);
    await page.locator('#captcha').fill(solve(await question(page)));
    assert.equal(await submit(page, true), 422, `${url} is refused`);
    assert.ok(await page.locator('#url-error').isVisible(), `a message beside the website field for ${url}`);
    await pwned(`the refused ${url}`);
  }
  await page.goto(`${s.srv.url}${path}`);
  await page.waitForTimeout(300);
  const st = await pwned('the final article page');
  assert.equal(st.title, title, 'the title is untouched');
  assert.equal(await page.locator('script').count(), scripts, 'no script elements were added');
  for (const { id, p, author } of posted) {
    const el = page.locator(`#comment-${id}`);
    assert.ok(await el.isVisible(), `comment ${id} shows`);
    const shown = squash(await el.innerText());
    assert.ok(shown.includes(squash(p)), `${JSON.stringify(p)} is visible as text, got ${JSON.stringify(shown.slice(0, 200))}`);
    assert.ok(shown.includes(squash(author)), `the name ${JSON.stringify(author)} is visible as text`);
  }
  await page.locator(`#comment-${posted[0].id}`).scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(OUT, 'comment-xss.png') });
  assert.deepEqual(problems, [], 'no errors, CSP violations or requests caused by payloads');
  assert.ok(posted.length >= TEXT_PAYLOADS.length - 1, `${posted.length} payloads posted`);
  await context.close();
});

test('a very long word in a comment does not make the page scroll sideways on a phone', async () => {
  const s = await getOpen();
  const path = s.paths[3];
  const { context, page } = await newPage({ viewport: { width: 390, height: 844 }, isMobile: true, deviceScaleFactor: 2 });
  await page.goto(`${s.srv.url}${path}`);
  await page.locator('#comment').fill(LONG_WORD);
  await page.locator('#author').fill('Wordsworth Longfellow-Smythe-Featherstonehaugh');
  await page.locator('#email').fill('long.word@example.org');
  await page.locator('#captcha').fill(solve(await question(page)));
  assert.equal(await submit(page), 303);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `the page overflows by ${overflow}px`);
  await context.close();
});
