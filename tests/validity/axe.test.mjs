// Every page type of the demo site, in Chromium, has no axe-core violations
// of the WCAG 2.0, 2.1 and 2.2 level A and AA rules, in light and dark mode
// and on a phone-sized screen.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { launch } from '../lib/browser.mjs';
import { demo, tour } from '../lib/pages.mjs';

const require = createRequire(import.meta.url);
const AXE = require.resolve('axe-core/axe.min.js');
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22a', 'wcag22aa'];

const site = await demo();
const pages = await tour(site.port);
const browser = await launch();
after(async () => {
  await browser.close();
  await site.stop();
});

// The site's Content-Security-Policy allows no inline script; axe goes in
// as one (before the page's own content), so only these contexts bypass it.
// One tab per way of looking (light or dark on a desktop, light on a
// phone), reused from page to page; a reader with cookies gets a tab of
// their own.
const LOOKS = {
  light: { colorScheme: 'light', viewport: { width: 1280, height: 900 } },
  dark: { colorScheme: 'dark', viewport: { width: 1280, height: 900 } },
  phone: { colorScheme: 'light', viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 },
};
async function newTab(look, cookies = []) {
  const ctx = await browser.newContext({ bypassCSP: true, ...LOOKS[look] });
  await ctx.addInitScript({ path: AXE });
  if (cookies.length) await ctx.addCookies(cookies.map(([name, value]) => ({ name, value, url: site.url })));
  return ctx.newPage();
}
const tabs = new Map();
function tab(look) {
  if (!tabs.has(look)) tabs.set(look, newTab(look));
  return tabs.get(look);
}

// Opens the page as a reader would see it: for the refused comment, the
// article's form sent empty (browser validation off) to get the 422 page.
async function open(page, p) {
  const res = await page.goto(`${site.url}${p.path}`, { waitUntil: 'load' });
  if (!p.post) return res.status();
  const [post] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST'),
    page.waitForNavigation({ waitUntil: 'load' }),
    page.evaluate(() => {
      const f = document.querySelector('form.comment-form');
      f.noValidate = true;
      for (const el of f.querySelectorAll('textarea, input:not([type=hidden])')) if (el.type !== 'checkbox') el.value = '';
      f.submit();
    }),
  ]);
  return post.status();
}

const axe = (page) => page.evaluate((tags) => window.axe.run(document, {
  runOnly: { type: 'tag', values: tags },
  resultTypes: ['violations'],
}), TAGS);

const describe = (v) => {
  const targets = v.nodes.slice(0, 4).map((n) => {
    const why = (n.any[0] || n.all[0] || n.none[0])?.message;
    return `      ${n.target.join(' ')}${why ? `\n        ${why}` : ''}`;
  }).join('\n');
  const more = v.nodes.length > 4 ? `\n      … and ${v.nodes.length - 4} more` : '';
  return `  [${v.impact}] ${v.id}: ${v.help} (${v.nodes.length} element(s))\n${targets}${more}`;
};

// Every page in light mode; the main ones in dark mode and on a phone too.
const firstArticle = pages.find((p) => p.name.startsWith('article in'))?.name;
const dark = new Set(['front', firstArticle, 'comment refused (422)', 'article with own held comment', 'not found']);
const phone = new Set(['front', firstArticle, 'tag', 'search']);
const runs = [];
for (const p of pages) {
  runs.push([p, 'light']);
  if (dark.has(p.name)) runs.push([p, 'dark']);
  if (phone.has(p.name)) runs.push([p, 'phone']);
}

for (const [p, scheme] of runs) {
  const where = `${p.post ? 'POST /comments/ from ' : ''}${p.path}`;
  const label = `${p.name} (${where}, ${scheme}) has no axe violations`;
  if (p.html === null) {
    test(label, { skip: `${p.path} answers ${p.status}, not built yet` }, () => {});
    continue;
  }
  test(label, async () => {
    const page = p.cookies ? await newTab(scheme, p.cookies) : await tab(scheme);
    try {
      const status = await open(page, p);
      assert.equal(status, p.want, `${where} answered ${status}`);
      if (p.cookies && p.html.includes('id="my-comments"')) {
        assert.equal(await page.locator('#my-comments').count(), 1, 'the browser sees the reader\'s own comments too');
      }
      const result = await axe(page);
      assert.ok(result.passes.length > 0 || result.violations.length > 0, 'axe ran no rules');
      assert.equal(result.violations.length, 0,
        `${result.violations.length} axe violation(s) on ${p.name} (${scheme}):\n${result.violations.map(describe).join('\n')}`);
    } finally {
      if (p.cookies) await page.context().close();
    }
  });
}

// axe finds a real problem when there is one, so a clean run means something.
test('axe reports a known violation', async () => {
  const page = await tab('light');
  await page.goto(`${site.url}/`);
  await page.evaluate(() => {
    const img = document.createElement('img');
    img.src = '/static/logo.svg';
    document.querySelector('main').append(img);
  });
  const result = await axe(page);
  assert.ok(result.violations.some((v) => v.id === 'image-alt'), 'an image without alt is reported');
});
