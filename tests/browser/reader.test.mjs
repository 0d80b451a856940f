// A reader in Chromium: the front page, an article, phone and dark mode.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, copyFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { demoSite, serve, cleanup } from '../lib/server.mjs';
import { launch } from '../lib/browser.mjs';

const OUT = new URL('../out/', import.meta.url).pathname;
let dir, srv, browser;

before(async () => {
  mkdirSync(OUT, { recursive: true });
  dir = demoSite();
  srv = await serve(dir);
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await srv?.stop();
  cleanup(dirname(dir));
});

// A page that records script errors and CSP violations.
async function open(options = {}) {
  const context = await browser.newContext({ javaScriptEnabled: false, ...options });
  const page = await context.newPage();
  const problems = [];
  page.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()); });
  page.on('pageerror', (e) => problems.push(String(e)));
  page.on('requestfailed', (r) => problems.push(`failed: ${r.url()}`));
  page.on('response', (r) => { if (r.status() >= 400) problems.push(`${r.status()}: ${r.url()}`); });
  return { context, page, problems };
}

test('a reader opens the front page and then a story', async () => {
  const { context, page, problems } = await open({ viewport: { width: 1280, height: 900 } });
  await page.goto(`${srv.url}/`);
  assert.match(await page.title(), /The Harbridge Courier/);
  const masthead = page.getByRole('banner');
  assert.ok(await masthead.isVisible(), 'a masthead');
  assert.ok(await page.getByRole('navigation').first().isVisible(), 'section navigation');
  const lead = page.locator('article.teaser h2 a, article.teaser h3 a').first();
  const headline = (await lead.textContent()).trim();
  assert.ok(headline.length > 10);
  await page.screenshot({ path: join(OUT, 'front.png'), fullPage: false });
  await lead.click();
  await page.waitForLoadState();
  assert.match(new URL(page.url()).pathname, /^\/\d{4}\/\d{2}\/\d{2}\/[a-z0-9-]+\/$/);
  const h1 = page.locator('h1');
  assert.equal(await h1.count(), 1);
  assert.equal((await h1.textContent()).trim(), headline, 'the story the reader clicked');
  assert.ok(await page.locator('.standfirst').isVisible(), 'a standfirst');
  assert.ok(await page.locator('.byline').isVisible(), 'a byline');
  assert.ok(await page.locator('time.published').isVisible(), 'a publication time');
  const body = page.locator('.article-body');
  assert.ok((await body.locator('p').count()) >= 3, 'paragraphs of body text');
  const fig = body.locator('figure.photo').first();
  assert.ok(await fig.isVisible(), 'a photo');
  const img = fig.locator('img');
  assert.ok(await img.evaluate((el) => el.complete && el.naturalWidth > 0), 'the photo loaded');
  assert.match(await fig.locator('figcaption .credit').textContent(), /^\(.+\)$/);
  const tags = page.locator('a[rel="tag"]');
  assert.ok((await tags.count()) >= 1);
  assert.match(await tags.first().textContent(), /^#\S/);
  assert.ok(await page.locator('#comments').isVisible(), 'the comments section');
  const bodyFont = await page.locator('.article-body p').first().evaluate((el) => parseFloat(getComputedStyle(el).fontSize));
  assert.ok(bodyFont >= 16, `readable body text (${bodyFont}px)`);
  await page.screenshot({ path: join(OUT, 'article.png'), fullPage: false });
  if (process.env.BYLINE_UPDATE_SCREENSHOT)
    copyFileSync(join(OUT, 'article.png'), new URL('../../docs/screenshot-article.png', import.meta.url).pathname);
  assert.deepEqual(problems, [], 'no errors, failed requests or CSP violations');
  await context.close();
});

test('on a phone the story fits the screen without sideways scrolling', async () => {
  const { context, page, problems } = await open({ viewport: { width: 390, height: 844 }, isMobile: true, deviceScaleFactor: 2 });
  await page.goto(`${srv.url}/`);
  const href = await page.locator('article.teaser h2 a, article.teaser h3 a').first().getAttribute('href');
  for (const path of ['/', href]) {
    await page.goto(`${srv.url}${path}`);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `${path} overflows by ${overflow}px`);
  }
  const imgWidth = await page.locator('.article-body figure img').first().evaluate((el) => el.getBoundingClientRect().width);
  assert.ok(imgWidth <= 390, 'photos shrink to the screen');
  await page.screenshot({ path: join(OUT, 'article-phone.png') });
  assert.deepEqual(problems, []);
  await context.close();
});

test('dark mode follows the reader\'s system setting', async () => {
  const bg = async (scheme) => {
    const { context, page } = await open({ colorScheme: scheme });
    await page.goto(`${srv.url}/`);
    const c = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    if (scheme === 'dark') await page.screenshot({ path: join(OUT, 'front-dark.png') });
    await context.close();
    return c;
  };
  const light = await bg('light');
  const dark = await bg('dark');
  assert.notEqual(light, dark);
  const lum = (c) => c.match(/\d+/g).slice(0, 3).reduce((s, v) => s + Number(v), 0);
  assert.ok(lum(dark) < lum(light), `dark background is darker (${dark} vs ${light})`);
});

test('the 404 page helps the reader back', async () => {
  const { context, page } = await open();
  const res = await page.goto(`${srv.url}/no/such/story/`);
  assert.equal(res.status(), 404);
  await page.getByRole('link', { name: /front page|home/i }).first().click();
  await page.waitForLoadState();
  assert.equal(new URL(page.url()).pathname, '/');
  await context.close();
});
