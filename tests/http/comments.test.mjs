// Reader comments over HTTP: the form, posting, every refusal, moderation,
// replies, avatars, cookies, editing, the JSON API, privacy and stored XSS.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { serve, request, links, byline, cleanup } from '../lib/server.mjs';
import { DatabaseSync } from '../lib/db.mjs';
import {
  commentSite, QUICK, Reader, parseForm, fieldError, errorBesideField, solve, commentId,
  goodComment, articlePaths, within, sleep, tokenize, element, byId, hasClass, textOf, squash,
  bodyText, urlencode,
} from '../lib/forms.mjs';
import { TEXT_PAYLOADS, LONG_WORD, BAD_URLS, ODD_URLS, ODD_EMAILS, scan } from '../lib/xss.mjs';

/* ------------------------------------------------------------ sites */

const OPEN = { ...QUICK, 'comments.moderation': 'none' };
const SITES = {
  open: OPEN,
  held: { ...QUICK },
  slow: {},
  flood: { 'comments.min_seconds': 0, 'comments.flood_seconds': 60, 'comments.moderation': 'none' },
  proxy: { 'comments.min_seconds': 0, 'comments.flood_seconds': 60, 'comments.moderation': 'none', 'server.trusted_proxies': '127.0.0.1' },
  ttl: { ...OPEN, 'comments.captcha_ttl': 1 },
  closed: { ...OPEN, 'comments.close_after_days': 1 },
  keys: { ...OPEN, 'comments.moderation_keys': 'zeppelin', 'comments.disallowed_keys': 'casinobonus' },
  small: { ...OPEN, 'server.max_body': 65536 },
  all: { ...QUICK, 'comments.moderation': 'all' },
};
const started = new Map();

// The named site, served (made on first use): { dir, srv, port, db, paths }.
function site(name) {
  if (!started.has(name)) {
    started.set(name, (async () => {
      const dir = commentSite(SITES[name]);
      const srv = await serve(dir);
      const paths = await articlePaths(srv.port);
      return { dir, srv, port: srv.port, db: new DatabaseSync(join(dir, 'byline.db')), paths };
    })());
  }
  return started.get(name);
}

after(async () => {
  for (const p of started.values()) {
    try {
      const s = await p;
      await s.srv.stop();
      cleanup(dirname(s.dir));
    } catch { /* the site never started; its test already failed */ }
  }
});

/* ---------------------------------------------------------- helpers */

const NOTES = 'Your email address will not be published. Required fields are marked *';
const SAVE = 'Save my name, email, and website in this browser for the next time I comment.';
const AWAITING = 'Your comment is awaiting moderation.';
const MSG = {
  noComment: 'Please write a comment.',
  longComment: 'Your comment is longer than 20,000 characters.',
  utf8: 'Your comment is not valid text (UTF-8).',
  control: 'Your comment contains characters that are not allowed.',
  noAuthor: 'Please enter your name.',
  longAuthor: 'Your name is longer than 100 characters.',
  noEmail: 'Please enter your email address.',
  badEmail: 'Please enter a valid email address.',
  url: 'Please enter a web address starting with http:// or https://.',
  noAnswer: 'Please answer the question.',
  wrong: 'That answer is not right. Please try this new question.',
  expired: 'That question has expired. Please answer this new one.',
  used: 'That question was already used. Please answer this new one.',
  fast: 'You answered very quickly. Please check your comment and answer this new question.',
  trap: 'This field must be left empty.',
  flood: 'You are posting comments too quickly. Please wait a moment and try again.',
  duplicate: 'Duplicate comment detected; it looks as though you\'ve already said that!',
  tooLong: 'Your comment is too long to send.',
  closed: 'Comments are closed.',
};

const wrongAnswer = (form) => String(Number(solve(form.question)) + 1);

// A 303 to ARTICLE#comment-ID; returns ID.
function accepted(res, path) {
  assert.equal(res.status, 303, `expected 303, got ${res.status}: ${squash(textOf(tokenize(res.text))).slice(0, 300)}`);
  const loc = new URL(res.headers.location, 'http://127.0.0.1/');
  assert.equal(loc.pathname, path, `Location ${res.headers.location} leads back to the article`);
  assert.match(loc.hash, /^#comment-\d+$/, `Location ${res.headers.location} names the comment`);
  return commentId(res);
}

// A refused post: the article page again with the message beside the
// field, everything typed kept, and a new question.
function refused(res, { status = 422, field, message, typed = {}, old }) {
  assert.equal(res.status, status, `expected ${status}, got ${res.status} (${res.headers.location || ''}): ${squash(textOf(tokenize(res.text))).slice(0, 300)}`);
  assert.match(res.headers['content-type'] || '', /^text\/html/);
  assert.equal((res.text.match(/<h1[\s>]/g) || []).length, 1, 'the article page, with its headline');
  const form = parseForm(res.text);
  assert.ok(form, 'the form is shown again');
  if (field) {
    const got = fieldError(res.text, field);
    if (message) assert.equal(got, message, `message beside ${field}`);
    else assert.ok(got, `a message beside ${field}`);
    assert.ok(errorBesideField(res.text, field), `the message sits beside the ${field} field, which is aria-invalid`);
    assert.ok(element(tokenize(res.text), (t) => hasClass('form-errors')(t) && t.attrs.get('role') === 'alert'), 'a form-errors alert');
  } else if (message) {
    assert.ok(squash(textOf(tokenize(res.text))).includes(message), `the page says "${message}"`);
  }
  for (const [k, v] of Object.entries(typed)) assert.equal(form.get(k), v, `what was typed in ${k} is still there`);
  if (old) {
    assert.ok(form.get('token'), 'a token');
    assert.notEqual(form.get('token'), old.get('token'), 'a new token');
    assert.ok(form.question, 'a question');
  }
  return form;
}

// The number of approved comments an article page says it has.
function articleCount(html) {
  const el = element(tokenize(html), hasClass('comment-count'));
  const t = el ? squash(textOf(el)) : '';
  if (/^No comments/i.test(t)) return 0;
  const m = /(\d+) comments?/.exec(t) || /Comments \((\d+)\)/.exec(squash(textOf(tokenize(html))));
  return m ? Number(m[1]) : 0;
}
const listedComments = (html) => tokenize(html).filter((t) => t.type === 'tag' && t.name === 'li' && hasClass('comment')(t)).length;

// The comment count a teaser list shows for `path`.
function teaserCount(html, path) {
  const el = element(tokenize(html), (t) => t.name === 'a' && t.attrs.get('href') === `${path}#comments`);
  if (!el) return 0;
  const m = /(\d+)\s*$/.exec(squash(textOf(el)));
  return m ? Number(m[1]) : 0;
}

const commentEl = (html, id) => element(tokenize(html), byId(`comment-${id}`));
const commentText = (html, id) => squash(textOf(commentEl(html, id)));

// The article as a reader sees it once comment(s) `ids` show, waiting up to
// 2 s: a comment that shows late fails only the test about showing at
// once, not every test that looks at comments for another reason.
async function pageShowing(port, path, ids) {
  let last = '';
  await within(2000, async () => {
    last = (await request(port, path)).text;
    return [].concat(ids).every((id) => last.includes(`id="comment-${id}"`));
  });
  return last;
}
// The article once `id` no longer shows (up to 2 s).
async function pageWithout(port, path, id) {
  let last = '';
  await within(2000, async () => {
    last = (await request(port, path)).text;
    return !last.includes(`id="comment-${id}"`);
  });
  return last;
}

/* ------------------------------------------------------------- form */

test('every article ends with the Leave a Reply form the contract describes', async () => {
  const s = await site('open');
  assert.ok(s.paths.length >= 10, `articles found: ${s.paths.length}`);
  const ids = new Set();
  for (const path of s.paths) {
    const r = await request(s.port, path);
    assert.equal(r.status, 200, path);
    const tokens = tokenize(r.text);
    const respond = element(tokens, byId('respond'));
    assert.ok(respond && hasClass('comment-respond')(respond[0]), `${path}: div#respond.comment-respond`);
    assert.equal(squash(textOf(element(tokens, byId('reply-title')))), 'Leave a Reply', path);
    const f = parseForm(r.text);
    assert.ok(f, `${path}: form.comment-form`);
    assert.equal(f.method, 'post');
    assert.equal(f.action, '/comments/');
    assert.equal(squash(textOf(element(tokens, hasClass('comment-notes')))), NOTES, path);
    assert.ok(!element(tokens, hasClass('form-errors')), `${path}: no error box on a fresh form`);
    const c = f.inputs.get('comment');
    assert.equal(c?.tag, 'textarea', 'comment is a textarea');
    assert.ok(c.attrs.has('required'));
    assert.equal(c.attrs.get('maxlength'), '20000');
    assert.equal(c.value, '');
    const want = { author: ['text', '100', true], email: ['email', '254', true], url: ['url', '2048', false] };
    for (const [name, [type, max, req]] of Object.entries(want)) {
      const i = f.inputs.get(name);
      assert.ok(i, `${path}: input ${name}`);
      assert.equal(i.type, type, `${name} type`);
      assert.equal(i.attrs.get('maxlength'), max, `${name} maxlength`);
      assert.equal(i.attrs.has('required'), req, `${name} required`);
      assert.equal(i.value, '', `${name} is empty for a new reader`);
    }
    for (const name of ['comment', 'author', 'email', 'url', 'cookies', 'captcha']) {
      assert.equal(f.inputs.get(name)?.attrs.get('id'), name, `#${name} has the id labels point at`);
    }
    const box = f.inputs.get('cookies');
    assert.equal(box?.type, 'checkbox');
    assert.equal(box.value, 'yes');
    assert.equal(box.checked, false, 'the cookie box starts unticked');
    assert.ok(squash(textOf(f.tokens)).includes(SAVE), `${path}: the "Save my name" text`);
    // The label is the question, perhaps followed by the theme's required-field star.
    assert.match(f.question, /^\d+ [+\u2212\u00d7] \d+ =( \*)?$/, `${path}: question "${f.question}"`);
    const ans = Number(solve(f.question));
    assert.ok(ans >= 0 && ans <= 99, `answer ${ans} of "${f.question}" is 0..99`);
    const cap = f.inputs.get('captcha');
    assert.equal(cap.attrs.get('inputmode'), 'numeric');
    assert.ok(cap.attrs.has('required'));
    for (const h of ['article', 'parent', 'token']) assert.equal(f.inputs.get(h)?.type, 'hidden', `${h} is hidden`);
    assert.match(f.get('article'), /^\d+$/);
    ids.add(f.get('article'));
    assert.equal(f.get('parent'), '0');
    assert.ok(f.get('token').length >= 20, 'a token');
    assert.match(f.get('token'), /^[A-Za-z0-9_-]+$/, 'the token is base64url');
    const trapTag = f.tokens.findIndex((t) => t.type === 'tag' && t.attrs.get('name') === 'bl_trap');
    assert.ok(trapTag > 0, 'the honeypot field');
    const trap = f.tokens[trapTag];
    assert.equal(trap.attrs.get('tabindex'), '-1');
    assert.equal(trap.attrs.get('autocomplete'), 'off');
    const trapDiv = [...f.tokens.slice(0, trapTag)].reverse().find((t) => t.type === 'tag' && t.name === 'div');
    assert.ok(trapDiv && hasClass('trap')(trapDiv) && trapDiv.attrs.get('aria-hidden') === 'true', 'inside div.trap[aria-hidden=true]');
    assert.equal(f.get('bl_trap'), '');
    const button = element(f.tokens, (t) => t.name === 'button' && (t.attrs.get('type') || 'submit') === 'submit');
    assert.equal(squash(textOf(button)), 'Post Comment');
  }
  assert.equal(ids.size, s.paths.length, 'each article has its own id in the form');
});

test('each view gets a new question and token, even when the page comes from the cache', async () => {
  const s = await site('open');
  const path = s.paths[0];
  const tokens = new Set();
  const questions = new Set();
  let first;
  for (let k = 0; k < 6; k++) {
    const r = await request(s.port, path);
    assert.equal(r.status, 200);
    first ??= r;
    const f = parseForm(r.text);
    tokens.add(f.get('token'));
    questions.add(f.question);
  }
  assert.equal(tokens.size, 6, 'six views, six tokens');
  assert.ok(questions.size >= 2, `questions vary: ${[...questions].join(' | ')}`);
  // A conditional request must not be answered 304 with a spent question.
  const cond = await request(s.port, path, { headers: {
    'If-None-Match': first.headers.etag || '"x"',
    'If-Modified-Since': first.headers['last-modified'] || new Date().toUTCString(),
  } });
  assert.equal(cond.status, 200, 'a page with a fresh question is never 304');
  assert.ok(!tokens.has(parseForm(cond.text).get('token')));
  // Compressed views are whole pages with their own question too.
  for (const enc of ['gzip', 'gzip, deflate, br', 'br']) {
    const seen = new Set();
    for (let k = 0; k < 2; k++) {
      const r = await request(s.port, path, { headers: { 'Accept-Encoding': enc } });
      assert.equal(r.status, 200);
      const html = bodyText(r);
      assert.match(html, /<\/html>\s*$/, `${enc}: the whole page decodes`);
      const f = parseForm(html);
      assert.ok(f && f.get('token'), `${enc}: the form is there`);
      seen.add(f.get('token'));
    }
    assert.equal(seen.size, 2, `${enc}: two views, two tokens`);
  }
});

/* ---------------------------------------------------------- posting */

test('a correct post is published at once and counted on the article, front page and listings', async () => {
  const s = await site('open');
  const path = s.paths[0];
  const reader = new Reader(s.port);
  const before = await request(s.port, path);
  const authorHref = element(tokenize(before.text), (t) => t.name === 'a' && t.attrs.get('rel') === 'author')?.[0].attrs.get('href');
  assert.ok(authorHref, 'the byline links the author');
  const n0 = articleCount(before.text);
  const li0 = listedComments(before.text);
  const front0 = teaserCount((await request(s.port, '/')).text, path);
  const list0 = teaserCount((await request(s.port, authorHref)).text, path);
  const v = goodComment();
  const { res } = await reader.comment(path, v);
  const id = accepted(res, path);
  assert.equal(s.db.value(`SELECT status FROM comments WHERE id = ${id}`), 1, 'stored as approved before the 303');
  const page = await reader.get(path);
  assert.equal(page.status, 200);
  const text = commentText(page.text, id);
  assert.ok(text.includes(v.comment), 'the comment text shows');
  assert.ok(text.includes(v.author), 'the author name shows');
  assert.ok(!text.includes(AWAITING), 'not marked as awaiting moderation');
  const anon = await request(s.port, path);
  assert.ok(commentText(anon.text, id).includes(v.comment), 'every reader sees it');
  assert.equal(articleCount(anon.text), n0 + 1, 'the article counts one more comment');
  assert.equal(listedComments(anon.text), li0 + 1);
  assert.ok(await within(2000, async () => teaserCount((await request(s.port, '/')).text, path) === front0 + 1),
    `the front page counts ${front0 + 1}`);
  assert.ok(await within(2000, async () => teaserCount((await request(s.port, authorHref)).text, path) === list0 + 1),
    `the author listing counts ${list0 + 1}`);
});

test('moderation first-time: the comment is held and only its author sees it, marked as awaiting', async () => {
  const s = await site('held');
  const path = s.paths[1];
  const author = new Reader(s.port);
  const n0 = articleCount((await request(s.port, path)).text);
  const v = goodComment();
  const { res } = await author.comment(path, v);
  const id = accepted(res, path);
  assert.equal(s.db.value(`SELECT status FROM comments WHERE id = ${id}`), 0, 'stored as pending');
  const mine = await author.get(path);
  const all = squash(textOf(tokenize(mine.text)));
  assert.ok(all.includes(v.comment), 'the author sees their text');
  assert.ok(all.includes(AWAITING), 'and "Your comment is awaiting moderation."');
  const other = await request(s.port, path);
  assert.ok(!other.text.includes(v.comment), 'another reader does not see it');
  assert.ok(!other.text.includes(AWAITING));
  assert.equal(articleCount(other.text), n0, 'the count does not change');
  await sleep(1200);
  const again = await new Reader(s.port).get(path);
  assert.ok(!again.text.includes(v.comment), 'not a moment later either');
  // The redirect's #comment-ID must land on the comment.
  const el = commentText(mine.text, id);
  assert.ok(el.includes(v.comment) && el.includes(AWAITING), `the page has the element #comment-${id} the redirect points at, holding the comment and the notice`);
});

test('moderation first-time: an email with an approved comment is published at once', async () => {
  const s = await site('held');
  const demo = JSON.parse(readFileSync(join(process.env.BYLINE_DATADIR || '.', 'demo/comments.json'), 'utf8'));
  const known = demo.find((c) => c.email).email;
  const path = s.paths[2];
  const v = goodComment({ email: known.toUpperCase() });
  const { res } = await new Reader(s.port).comment(path, v);
  const id = accepted(res, path);
  const anon = await pageShowing(s.port, path, id);
  assert.ok(commentText(anon, id).includes(v.comment), 'a known commenter is not held (email compared without case)');
});

test('moderation all: even a commenter with approved comments is held', async () => {
  const s = await site('all');
  const demo = JSON.parse(readFileSync(join(process.env.BYLINE_DATADIR || '.', 'demo/comments.json'), 'utf8'));
  const path = s.paths[2];
  const v = goodComment({ email: demo.find((c) => c.email).email });
  const author = new Reader(s.port);
  const id = accepted((await author.comment(path, v)).res, path);
  assert.equal(s.db.value(`SELECT status FROM comments WHERE id = ${id}`), 0, 'stored as pending');
  assert.ok(squash(textOf(tokenize((await author.get(path)).text))).includes(AWAITING));
  await sleep(1200);
  assert.ok(!(await request(s.port, path)).text.includes(v.comment), 'others do not see it');
});

test('more links than max_links, or a moderation word, hold the comment', async () => {
  const s = await site('keys');
  const path = s.paths[0];
  const many = goodComment({ comment: 'See https://a.example/ and https://b.example/ and https://c.example/ for more.' });
  const r1 = await new Reader(s.port).comment(path, many);
  const id1 = accepted(r1.res, path);
  const word = goodComment({ comment: 'The Zeppelin festival was wonderful this year.' });
  const r2 = await new Reader(s.port).comment(path, word);
  const id2 = accepted(r2.res, path);
  await sleep(1200);
  const anon = await request(s.port, path);
  assert.equal(commentEl(anon.text, id1), null, 'three links: held');
  assert.equal(commentEl(anon.text, id2), null, 'a moderation word (any case): held');
  assert.equal(s.db.value(`SELECT status FROM comments WHERE id = ${id1}`), 0);
  assert.equal(s.db.value(`SELECT status FROM comments WHERE id = ${id2}`), 0);
});

test('a disallowed word marks the comment as spam, and the spammer sees what a held comment looks like', async () => {
  const s = await site('keys');
  const path = s.paths[1];
  const spammer = new Reader(s.port);
  const v = goodComment({ comment: 'Great article! Visit my CasinoBonus page.' });
  const { res } = await spammer.comment(path, v);
  const id = accepted(res, path);
  assert.equal(s.db.value(`SELECT status FROM comments WHERE id = ${id}`), 2, 'stored as spam');
  const mine = await spammer.get(path);
  const all = squash(textOf(tokenize(mine.text)));
  assert.ok(all.includes(v.comment) && all.includes(AWAITING), 'the spammer is told it awaits moderation');
  await sleep(1200);
  assert.ok(!(await request(s.port, path)).text.includes(v.comment), 'nobody else sees it');
});

/* ------------------------------------------------------- refusals */

test('a missing comment, name or email is refused with a message beside that field', async () => {
  const s = await site('open');
  const path = s.paths[0];
  const cases = [
    ['comment', '', MSG.noComment], ['author', '', MSG.noAuthor], ['email', '', MSG.noEmail],
    ['comment', '   \n  ', MSG.noComment], ['author', '   ', MSG.noAuthor],
    ['comment', null, MSG.noComment], ['author', null, MSG.noAuthor], ['email', null, MSG.noEmail],
  ];
  for (const [field, value, message] of cases) {
    const reader = new Reader(s.port);
    const v = goodComment({ url: 'https://example.org/me', [field]: value });
    const { res, form } = await reader.comment(path, v);
    const typed = { comment: v.comment, author: v.author, email: v.email, url: v.url };
    delete typed[field];
    const again = refused(res, { field, message, typed, old: form });
    assert.equal(again.get('article'), form.get('article'));
    assert.equal(again.get('parent'), '0');
    for (const other of ['comment', 'author', 'email', 'url', 'captcha'].filter((f) => f !== field)) {
      assert.equal(fieldError(res.text, other), null, `no message beside ${other} when only ${field} is wrong`);
    }
    // The reader fixes it and answers the new question.
    const fixed = await reader.submit(again, { [field]: goodComment()[field] });
    accepted(fixed, path);
  }
});

test('a malformed email address is refused', async () => {
  const s = await site('open');
  const path = s.paths[0];
  for (const email of ['not-an-email', 'someone@', '@example.com', 'two@@example.com', 'a b@example.com', 'me@example', `${'x'.repeat(250)}@example.com`]) {
    const v = goodComment({ email });
    const { res, form } = await new Reader(s.port).comment(path, v);
    refused(res, { field: 'email', message: MSG.badEmail, typed: { comment: v.comment, author: v.author, email }, old: form });
  }
});

test('a name of 101 characters and a comment of 20,001 characters are refused', async () => {
  const s = await site('open');
  const path = s.paths[0];
  let v = goodComment({ author: 'N'.repeat(101) });
  let r = await new Reader(s.port).comment(path, v);
  refused(r.res, { field: 'author', message: MSG.longAuthor, typed: { comment: v.comment, author: v.author }, old: r.form });
  v = goodComment({ comment: 'w'.repeat(20001) });
  r = await new Reader(s.port).comment(path, v);
  refused(r.res, { field: 'comment', message: MSG.longComment, typed: { comment: v.comment, author: v.author, email: v.email }, old: r.form });
});

test('limits count characters, not bytes: 100 accented letters and 20,000 of them are fine', async () => {
  const s = await site('open');
  const path = s.paths[3];
  const v = goodComment({ author: '\u00e9'.repeat(100), comment: `${'\u00e9'.repeat(19990)} ${Date.now() % 1e8}`.slice(0, 20000) });
  const { res } = await new Reader(s.port).comment(path, v);
  const id = accepted(res, path);
  assert.ok(commentText(await pageShowing(s.port, path, id), id).includes('\u00e9'.repeat(100)));
});

test('a website address that is not http(s), or too long, is refused', async () => {
  const s = await site('open');
  const path = s.paths[0];
  for (const url of ['ftp://example.com/file', 'mailto:me@example.com', 'http://', `https://example.com/${'a'.repeat(2040)}`]) {
    const v = goodComment({ url });
    const { res, form } = await new Reader(s.port).comment(path, v);
    refused(res, { field: 'url', message: url.length > 2048 ? undefined : MSG.url, typed: { comment: v.comment, author: v.author, email: v.email, url }, old: form });
  }
});

test('bytes that are not UTF-8 are refused, and the page sent back is valid UTF-8', async () => {
  const s = await site('open');
  const path = s.paths[0];
  const reader = new Reader(s.port);
  let { form } = await reader.form(path);
  const v = goodComment();
  let res = await reader.submit(form, { ...v, comment: { raw: 'Caf%E9+au+lait%FF%FE' } });
  refused(res, { field: 'comment', message: MSG.utf8, typed: { author: v.author, email: v.email }, old: form });
  assert.doesNotThrow(() => new TextDecoder('utf-8', { fatal: true }).decode(res.body), 'the response is valid UTF-8');
  ({ form } = await reader.form(path));
  res = await reader.submit(form, { ...v, author: { raw: 'Bob%C3%28' } });
  refused(res, { field: 'author', typed: { comment: v.comment, email: v.email }, old: form });
  assert.doesNotThrow(() => new TextDecoder('utf-8', { fatal: true }).decode(res.body));
  ({ form } = await reader.form(path));
  res = await reader.submit(form, { ...v, comment: { raw: '%ED%A0%80+surrogate' } });
  refused(res, { field: 'comment', message: MSG.utf8, old: form });
});

test('control characters are refused', async () => {
  const s = await site('open');
  const path = s.paths[0];
  const reader = new Reader(s.port);
  const v = goodComment();
  for (const raw of ['Hello%01world', 'Bell%07here', 'Null%00byte', 'Escape%1B%5B31m']) {
    const { form } = await reader.form(path);
    const res = await reader.submit(form, { ...v, comment: { raw } });
    refused(res, { field: 'comment', message: MSG.control, typed: { author: v.author, email: v.email }, old: form });
  }
  const { form } = await reader.form(path);
  const res = await reader.submit(form, { ...v, author: { raw: 'Bob%01' } });
  refused(res, { field: 'author', typed: { comment: v.comment, email: v.email }, old: form });
  // Tabs and line breaks in a comment are fine.
  const ok = await new Reader(s.port).comment(path, goodComment({ comment: `Line one\r\n\tindented\n\nSecond paragraph ${Date.now()}` }));
  accepted(ok.res, path);
});

test('a wrong, empty or non-numeric answer is refused with a new question that then works', async () => {
  const s = await site('open');
  const path = s.paths[0];
  const reader = new Reader(s.port);
  const v = goodComment({ url: 'https://example.org/x' });
  const { form } = await reader.form(path);
  let res = await reader.submit(form, { ...v, captcha: wrongAnswer(form) });
  const again = refused(res, { field: 'captcha', message: MSG.wrong, typed: { comment: v.comment, author: v.author, email: v.email, url: v.url }, old: form });
  res = await reader.submit(again, { ...v, captcha: '' });
  const third = refused(res, { field: 'captcha', message: MSG.noAnswer, typed: { comment: v.comment }, old: again });
  res = await reader.submit(third, { ...v, captcha: 'seventeen' });
  const fourth = refused(res, { field: 'captcha', message: MSG.wrong, old: third });
  res = await reader.submit(fourth, { ...v, captcha: ` ${solve(fourth.question)} ` });
  accepted(res, path);
});

test('a question is spent on first use, right or wrong: posting its token again is refused', async () => {
  const s = await site('open');
  const path = s.paths[0];
  const reader = new Reader(s.port);
  let { form } = await reader.form(path);
  let res = await reader.submit(form, goodComment());
  accepted(res, path);
  const v = goodComment();
  res = await reader.submit(form, v);
  refused(res, { field: 'captcha', message: MSG.used, typed: { comment: v.comment, author: v.author }, old: form });
  ({ form } = await reader.form(path));
  res = await reader.submit(form, { ...goodComment(), captcha: wrongAnswer(form) });
  refused(res, { field: 'captcha', message: MSG.wrong });
  res = await reader.submit(form, goodComment());
  refused(res, { field: 'captcha', message: MSG.used, old: form });
});

test('a tampered token, or one from another article, is refused', async () => {
  const s = await site('open');
  const [a, b] = s.paths;
  const reader = new Reader(s.port);
  const { form } = await reader.form(a);
  const t = form.get('token');
  const flipped = t.slice(0, 10) + (t[10] === 'A' ? 'B' : 'A') + t.slice(11);
  let res = await reader.submit(form, { ...goodComment(), token: flipped });
  refused(res, { field: 'captcha', old: form });
  res = await reader.submit(form, { ...goodComment(), token: 'garbage' });
  refused(res, { field: 'captcha' });
  const other = (await reader.form(b)).form;
  res = await reader.submit(form, { ...goodComment(), token: other.get('token'), captcha: solve(other.question) });
  refused(res, { field: 'captcha' });
});

test('an expired question is refused', async () => {
  const s = await site('ttl');
  const path = s.paths[0];
  const reader = new Reader(s.port);
  const { form } = await reader.form(path);
  await sleep(2100);
  const v = goodComment();
  const res = await reader.submit(form, v);
  const again = refused(res, { field: 'captcha', message: MSG.expired, typed: { comment: v.comment, author: v.author, email: v.email }, old: form });
  accepted(await reader.submit(again, v), path);
});

test('by default a form answered within 3 seconds is refused, and the next answer after a pause works', async () => {
  const s = await site('slow');
  const path = s.paths[0];
  const reader = new Reader(s.port);
  const { form } = await reader.form(path);
  const v = goodComment();
  const res = await reader.submit(form, v);
  const again = refused(res, { field: 'captcha', message: MSG.fast, typed: { comment: v.comment, author: v.author, email: v.email }, old: form });
  await sleep(3300);
  accepted(await reader.submit(again, v), path);
});

test('a filled honeypot is refused', async () => {
  const s = await site('open');
  const path = s.paths[0];
  const v = goodComment();
  const { res, form } = await new Reader(s.port).comment(path, { ...v, bl_trap: 'http://spam.example/' });
  refused(res, { field: 'bl_trap', message: MSG.trap, typed: { comment: v.comment, author: v.author }, old: form });
});

test('a body over the size limit gets 413 and the form with what could be read', async () => {
  const s = await site('open');
  const path = s.paths[0];
  const reader = new Reader(s.port);
  const { form } = await reader.form(path);
  const v = goodComment();
  const body = urlencode([
    ['author', v.author], ['email', v.email], ['url', ''], ['article', form.get('article')], ['parent', '0'],
    ['token', form.get('token')], ['captcha', solve(form.question)], ['bl_trap', ''],
    ['comment', 'x'.repeat(2 * 1024 * 1024)],
  ]);
  const res = await reader.post('/comments/', body);
  const again = refused(res, { status: 413, message: MSG.tooLong, typed: { author: v.author, email: v.email } });
  assert.ok(again.get('token') && again.get('token') !== form.get('token'), 'a new question');
  assert.ok(res.body.length < 1024 * 1024, 'the 2 MB comment is not echoed back whole');
});

test('server.max_body sets the limit: a 64 KiB limit refuses 70 KB and accepts a full-length comment', async () => {
  const s = await site('small');
  const path = s.paths[0];
  const reader = new Reader(s.port);
  let { form } = await reader.form(path);
  const v = goodComment();
  const res = await reader.post('/comments/', urlencode([
    ['author', v.author], ['email', v.email], ['article', form.get('article')], ['parent', '0'],
    ['token', form.get('token')], ['captcha', solve(form.question)], ['comment', 'y'.repeat(70000)],
  ]));
  refused(res, { status: 413, message: MSG.tooLong, typed: { author: v.author, email: v.email } });
  ({ form } = await reader.form(path));
  const full = `${'word '.repeat(3995)} ${Date.now()}`;
  accepted(await reader.submit(form, { ...goodComment(), comment: full }), path);
});

test('a second comment from the same address within flood_seconds gets 429', async () => {
  const s = await site('flood');
  const path = s.paths[0];
  const reader = new Reader(s.port);
  accepted((await reader.comment(path, goodComment())).res, path);
  const v = goodComment();
  const { res, form } = await new Reader(s.port).comment(path, v);
  refused(res, { status: 429, message: MSG.flood, typed: { comment: v.comment, author: v.author, email: v.email }, old: form });
});

test('X-Forwarded-For does not escape the flood limit unless the peer is a trusted proxy', async () => {
  const s = await site('flood');
  const path = s.paths[0];
  const v = goodComment();
  const { res } = await new Reader(s.port, { headers: { 'X-Forwarded-For': '203.0.113.77' } }).comment(path, v);
  refused(res, { status: 429, message: MSG.flood });
  const p = await site('proxy');
  const pp = p.paths[0];
  const a = new Reader(p.port, { headers: { 'X-Forwarded-For': '203.0.113.10' } });
  const b = new Reader(p.port, { headers: { 'X-Forwarded-For': '203.0.113.11' } });
  accepted((await a.comment(pp, goodComment())).res, pp);
  accepted((await b.comment(pp, goodComment())).res, pp);
  refused((await a.comment(pp, goodComment())).res, { status: 429, message: MSG.flood });
});

test('the same text from the same author on the same article gets 409', async () => {
  const s = await site('open');
  const [path, other] = s.paths;
  const v = goodComment();
  accepted((await new Reader(s.port).comment(path, v)).res, path);
  let r = await new Reader(s.port).comment(path, v);
  refused(r.res, { status: 409, message: MSG.duplicate });
  r = await new Reader(s.port).comment(path, { ...v, author: 'Someone Else' });
  refused(r.res, { status: 409, message: MSG.duplicate }); // same email, other name
  r = await new Reader(s.port).comment(path, { ...v, email: 'another.address@example.net' });
  refused(r.res, { status: 409, message: MSG.duplicate }); // same name, other email
  accepted((await new Reader(s.port).comment(other, v)).res, other);
});

// The oldest and newest demo articles, by the database.
function oldestNewest(s) {
  const oldest = s.db.value('SELECT path || \'|\' || id FROM articles WHERE status = 1 ORDER BY published_at LIMIT 1').split('|');
  const newest = s.db.value('SELECT path || \'|\' || id FROM articles WHERE status = 1 ORDER BY published_at DESC LIMIT 1').split('|');
  return { oldest: { path: oldest[0], id: oldest[1] }, newest: { path: newest[0], id: newest[1] } };
}

test('posting on an article older than close_after_days gets 403 "Comments are closed."', async () => {
  const s = await site('closed');
  const { oldest, newest } = oldestNewest(s);
  const age = (Date.now() / 1000 - s.db.value(`SELECT published_at FROM articles WHERE id = ${oldest.id}`)) / 86400;
  assert.ok(age > 2, `the oldest demo story is ${age.toFixed(1)} days old`);
  const reader = new Reader(s.port);
  const page = await reader.get(oldest.path);
  let form = parseForm(page.text);
  if (!form) {
    form = (await reader.form(newest.path)).form;
    form.fields = form.fields.map(([k, v]) => [k, k === 'article' ? oldest.id : v]);
  }
  const res = await reader.submit(form, goodComment());
  assert.equal(res.status, 403, `got ${res.status}`);
  assert.ok(squash(textOf(tokenize(res.text))).includes(MSG.closed), 'the page says "Comments are closed."');
  assert.equal(s.db.value(`SELECT count(*) FROM comments WHERE article_id = ${oldest.id} AND created_at > strftime('%s','now') - 60`), 0);
  const age2 = (Date.now() / 1000 - s.db.value(`SELECT published_at FROM articles WHERE id = ${newest.id}`)) / 86400;
  if (age2 < 1) accepted((await reader.comment(newest.path, goodComment())).res, newest.path);
});

test('a closed article tells the reader so instead of offering a form that cannot work', async () => {
  const s = await site('closed');
  const { oldest } = oldestNewest(s);
  const r = await request(s.port, oldest.path);
  assert.equal(r.status, 200);
  assert.ok(squash(textOf(tokenize(r.text))).includes(MSG.closed), 'the article says "Comments are closed."');
  assert.equal(parseForm(r.text), null, 'no comment form');
  assert.ok(listedComments(r.text) > 0 || articleCount(r.text) === 0, 'existing comments still show');
});

test('posting to an unknown article gets 404', async () => {
  const s = await site('open');
  const reader = new Reader(s.port);
  const { form } = await reader.form(s.paths[0]);
  const res = await reader.submit(form, { ...goodComment(), article: '987654321' });
  assert.equal(res.status, 404);
  const res2 = await reader.submit((await reader.form(s.paths[0])).form, { ...goodComment(), article: 'abc' });
  assert.ok([400, 404, 422].includes(res2.status), `article=abc gives ${res2.status}`);
});

test('GET /comments/ is 405 and says POST is allowed', async () => {
  const s = await site('open');
  const r = await request(s.port, '/comments/');
  assert.equal(r.status, 405);
  assert.match(r.headers.allow || '', /POST/);
});

/* ----------------------------------------------------------- cookies */

test('"Save my name" ticked remembers the reader; unticked remembers nothing', async () => {
  const s = await site('open');
  const [a, b] = s.paths;
  const keen = new Reader(s.port);
  const v = goodComment({ url: 'https://example.org/keen' });
  const r1 = await keen.comment(a, { ...v, cookies: true });
  accepted(r1.res, a);
  const persistent = keen.jar.log.filter((l) => /;\s*(max-age=[1-9]|expires=)/i.test(l));
  assert.ok(persistent.length > 0, `a lasting cookie is set: ${keen.jar.log.join(' || ')}`);
  const next = (await keen.form(b)).form;
  assert.equal(next.get('author'), v.author, 'the name is filled in next time');
  assert.equal(next.get('email'), v.email, 'the email is filled in next time');
  assert.equal(next.get('url'), v.url, 'the website is filled in next time');
  assert.equal(next.inputs.get('cookies').checked, true, 'and the box stays ticked');
  const stranger = parseForm((await request(s.port, b)).text);
  assert.equal(stranger.get('author'), '', 'another reader does not get those values');
  assert.equal(stranger.get('email'), '');

  const shy = new Reader(s.port);
  const w = goodComment({ url: 'https://example.org/shy' });
  accepted((await shy.comment(a, w)).res, a);
  const all = shy.jar.log.join('\n');
  for (const x of [w.author, w.email, encodeURIComponent(w.email), encodeURIComponent(w.author), Buffer.from(w.email).toString('base64').replace(/=+$/, '')]) {
    assert.ok(!all.includes(x), `no cookie holds ${x}: ${all}`);
  }
  const later = (await shy.form(b)).form;
  assert.equal(later.get('author'), '');
  assert.equal(later.get('email'), '');
  assert.equal(later.get('url'), '');
});

/* ----------------------------------------------------------- replies */

test('replying: ?replytocom shows "Leave a Reply to NAME" and the reply nests under its parent', async () => {
  const s = await site('open');
  const path = s.paths[0];
  const parentV = goodComment({ author: 'Harriet Quayle' });
  const pid = accepted((await new Reader(s.port).comment(path, parentV)).res, path);
  const parentEl = commentEl(await pageShowing(s.port, path, pid), pid);
  const replyLink = element(parentEl, (t) => t.name === 'a' && /[?&]replytocom=\d+/.test(t.attrs.get('href') || ''));
  assert.ok(replyLink, 'the comment has a reply link');
  assert.equal(replyLink[0].attrs.get('href'), `${path}?replytocom=${pid}#respond`);
  const reader = new Reader(s.port);
  const rp = await reader.get(`${path}?replytocom=${pid}`);
  assert.equal(rp.status, 200);
  const tokens = tokenize(rp.text);
  const title = element(tokens, byId('reply-title'));
  assert.match(squash(textOf(title)), /^Leave a Reply to Harriet Quayle\b/);
  const cancel = element(title, hasClass('cancel-reply', 'a')) || element(tokens, hasClass('cancel-reply', 'a'));
  assert.ok(cancel, 'a cancel link');
  assert.equal(cancel[0].attrs.get('href'), `${path}#respond`);
  assert.equal(squash(textOf(cancel)), 'Cancel reply');
  const form = parseForm(rp.text);
  assert.equal(form.get('parent'), String(pid), 'the parent field holds the comment id');
  const rv = goodComment({ comment: `I agree with Harriet ${Date.now()}` });
  const rid = accepted(await reader.submit(form, rv), path);
  const parentNow = commentEl(await pageShowing(s.port, path, [pid, rid]), pid);
  const children = element(parentNow, hasClass('children', 'ol'));
  assert.ok(children, 'the parent has ol.children');
  assert.ok(element(children, byId(`comment-${rid}`)), 'the reply is inside it');
  assert.ok(squash(textOf(children)).includes(rv.comment));
  const unknown = await request(s.port, `${path}?replytocom=987654`);
  assert.equal(unknown.status, 200);
  assert.equal(squash(textOf(element(tokenize(unknown.text), byId('reply-title')))), 'Leave a Reply');
  assert.equal(parseForm(unknown.text).get('parent'), '0');
});

test('replies nest up to thread_depth (5) levels; the deepest has no reply link', async () => {
  const s = await site('open');
  const path = s.paths[4];
  let parent = 0;
  const ids = [];
  for (let depth = 1; depth <= 5; depth++) {
    if (parent) await pageShowing(s.port, path, parent);
    const reader = new Reader(s.port);
    const { form } = await reader.form(parent ? `${path}?replytocom=${parent}` : path);
    assert.equal(form.get('parent'), String(parent));
    parent = accepted(await reader.submit(form, goodComment()), path);
    ids.push(parent);
  }
  const page = await pageShowing(s.port, path, ids);
  for (let k = 0; k < 5; k++) {
    const el = commentEl(page, ids[k]);
    assert.ok(el, `level ${k + 1} shows`);
    if (k > 0) assert.ok(element(element(commentEl(page, ids[k - 1]), hasClass('children', 'ol')), byId(`comment-${ids[k]}`)), `level ${k + 1} nests in level ${k}`);
    const nested = el.findIndex((t, i) => i > 0 && t.type === 'tag' && t.name === 'ol');
    const own = nested < 0 ? el : el.slice(0, nested);
    const reply = own.some((t) => t.type === 'tag' && t.name === 'a' && (t.attrs.get('href') || '').includes(`replytocom=${ids[k]}`));
    assert.equal(reply, k < 4, `level ${k + 1} ${k < 4 ? 'has' : 'has no'} reply link`);
  }
});

/* ------------------------------------------------- avatars and links */

test('avatars are local SVG images keyed on the email whatever its case', async () => {
  const s = await site('open');
  const path = s.paths[5];
  const email = `Mixed.Case.${Date.now()}@Example.COM`;
  const id1 = accepted((await new Reader(s.port).comment(path, goodComment({ email }))).res, path);
  const id2 = accepted((await new Reader(s.port).comment(path, goodComment({ email: email.toLowerCase() }))).res, path);
  const id3 = accepted((await new Reader(s.port).comment(path, goodComment())).res, path);
  const page = await pageShowing(s.port, path, [id1, id2, id3]);
  const src = (id) => element(commentEl(page, id), hasClass('avatar', 'img'))?.[0].attrs.get('src');
  const [s1, s2, s3] = [src(id1), src(id2), src(id3)];
  assert.match(s1 || '', /^\/avatar\/[0-9a-f]{32}\.svg$/, `avatar src ${s1}`);
  assert.equal(s1, s2, 'the same email in another case has the same avatar');
  assert.notEqual(s1, s3, 'another email has another avatar');
  const md5 = createHash('md5').update(email.trim().toLowerCase()).digest('hex');
  assert.ok(!s1.includes(md5), 'not a Gravatar MD5 of the email');
  const r = await request(s.port, s1);
  assert.equal(r.status, 200);
  assert.match(r.headers['content-type'], /^image\/svg\+xml/);
  assert.match(r.text, /<svg[\s>]/);
  assert.doesNotMatch(r.text, /<script|\bon\w+=|href="(?!#)/i, 'a plain drawing');
  for (const t of tokenize(page)) {
    if (t.type === 'tag' && t.name === 'img') assert.match(t.attrs.get('src') || '', /^\/(?!\/)/, `images are local: ${t.attrs.get('src')}`);
  }
  assert.equal((await request(s.port, '/avatar/not-a-hash.svg')).status, 404);
});

test('a commenter\'s website is linked with rel nofollow ugc noopener, and so are links in the text', async () => {
  const s = await site('open');
  const path = s.paths[5];
  const v = goodComment({ url: 'https://example.org/alice', comment: `More at https://example.net/report and that is all ${Date.now()}` });
  const id = accepted((await new Reader(s.port).comment(path, v)).res, path);
  const el = commentEl(await pageShowing(s.port, path, id), id);
  const home = element(el, (t) => t.name === 'a' && t.attrs.get('href') === 'https://example.org/alice');
  assert.ok(home, 'the author name links to the website');
  assert.equal(squash(textOf(home)), v.author);
  const rel = (a) => (a[0].attrs.get('rel') || '').split(/\s+/);
  for (const r of ['nofollow', 'ugc', 'noopener']) assert.ok(rel(home).includes(r), `author link rel has ${r}`);
  const auto = element(el, (t) => t.name === 'a' && t.attrs.get('href') === 'https://example.net/report');
  assert.ok(auto, 'the address in the text is a link');
  for (const r of ['nofollow', 'ugc', 'noopener']) assert.ok(rel(auto).includes(r), `text link rel has ${r}`);
});

/* --------------------------------------------------- edit and delete */

test('the author may edit their comment with the cookie; anyone else gets 403', async () => {
  const s = await site('open');
  const path = s.paths[6];
  const author = new Reader(s.port);
  const v = goodComment();
  const id = accepted((await author.comment(path, v)).res, path);
  const mine = await author.get(path);
  assert.ok(element(tokenize(mine.text), (t) => t.name === 'a' && t.attrs.get('href') === `/comments/${id}/edit`), 'an Edit link for the author');
  const idsOnPage = tokenize(mine.text).filter((t) => t.type === 'tag' && t.attrs.has('id')).map((t) => t.attrs.get('id'));
  assert.deepEqual(idsOnPage.filter((x, i) => idsOnPage.indexOf(x) !== i), [], 'the author\'s page has no duplicate ids (#comment-ID must lead to one place)');
  const anonPage = { text: await pageShowing(s.port, path, id) };
  assert.ok(!anonPage.text.includes(`/comments/${id}/edit`), 'no Edit link for others');
  assert.ok(!anonPage.text.includes(`/comments/${id}/delete`), 'no Delete for others');

  const stranger = new Reader(s.port);
  assert.equal((await stranger.get(`/comments/${id}/edit`)).status, 403);
  const editPage = await author.get(`/comments/${id}/edit`);
  assert.equal(editPage.status, 200);
  const form = parseForm(editPage.text, (t) => (t.attrs.get('action') || '').includes(`/comments/${id}/edit`)) || parseForm(editPage.text);
  assert.ok(form, 'an edit form');
  assert.equal(form.get('comment'), v.comment, 'the form holds the comment');
  if (!form.action) form.action = `/comments/${id}/edit`;
  const changed = `Edited: ${v.comment}`;
  const forged = await stranger.submit(form, { comment: 'Hijacked text' });
  assert.equal(forged.status, 403, 'a stranger cannot post the edit');
  const res = await author.submit(form, { comment: changed });
  assert.equal(res.status, 303, `the edit is saved: ${res.status}`);
  assert.match(res.headers.location || '', new RegExp(`#comment-${id}$`));
  let now = '';
  await within(2000, async () => (now = commentText((await request(s.port, path)).text, id)).includes(changed));
  assert.ok(now.includes(changed), 'the new text shows');
  assert.ok(!now.includes('Hijacked'));
  const bad = await author.submit(parseForm((await author.get(`/comments/${id}/edit`)).text, (t) => (t.attrs.get('action') || '').includes(`/comments/${id}/edit`)) || form, { comment: '' });
  assert.equal(bad.status, 422, 'an edit is validated like a new comment');
  assert.equal(fieldError(bad.text, 'comment'), MSG.noComment);
});

test('the author may delete their comment with the cookie; anyone else gets 403', async () => {
  const s = await site('open');
  const path = s.paths[6];
  const author = new Reader(s.port);
  const v = goodComment();
  const id = accepted((await author.comment(path, v)).res, path);
  const stranger = new Reader(s.port);
  assert.equal((await stranger.post(`/comments/${id}/delete`, [])).status, 403);
  await pageShowing(s.port, path, id);
  await sleep(300);
  assert.ok(commentEl((await request(s.port, path)).text, id), 'still there after a stranger tried');
  const mine = await author.get(path);
  const del = parseForm(mine.text, (t) => (t.attrs.get('action') || '').includes(`/comments/${id}/delete`));
  const res = del ? await author.post(del.action, del.fields) : await author.post(`/comments/${id}/delete`, []);
  assert.ok(res.status === 303 || res.status === 200, `deleted: ${res.status}`);
  const gone = await pageWithout(s.port, path, id);
  assert.equal(commentEl(gone, id), null, 'gone from the page');
  assert.ok(!gone.includes(v.comment));
  assert.equal(s.db.value(`SELECT count(*) FROM comments WHERE id = ${id}`), 0, 'gone from the database');
});

/* ---------------------------------------------------------------- API */

test('the JSON API lists approved comments with the documented fields and no email', async () => {
  const s = await site('open');
  const path = s.paths[7];
  const page0 = await request(s.port, path);
  const aid = parseForm(page0.text).get('article');
  const v = goodComment({ url: 'https://example.org/api' });
  const id = accepted((await new Reader(s.port).comment(path, v)).res, path);
  const rv = goodComment();
  const reader = new Reader(s.port);
  const rid = accepted(await reader.submit((await reader.form(`${path}?replytocom=${id}`)).form, rv), path);
  const r = await request(s.port, `/api/articles/${aid}/comments`);
  assert.equal(r.status, 200);
  assert.match(r.headers['content-type'], /^application\/json/);
  const j = JSON.parse(r.text);
  assert.equal(j.article.id, Number(aid));
  assert.equal(new URL(j.article.url).pathname, path);
  assert.equal(j.article.title, squash(textOf(element(tokenize(page0.text), (t) => t.name === 'h1'))));
  const page = { text: await pageShowing(s.port, path, [id, rid]) };
  assert.equal(j.comments.length, listedComments(page.text), 'as many as the page shows');
  for (const c of j.comments) {
    assert.deepEqual(Object.keys(c).sort(), ['author', 'avatar', 'date', 'html', 'id', 'parent', 'text', 'url'], `fields of ${c.id}`);
    assert.match(c.date, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    assert.match(c.avatar, /^\/avatar\/[0-9a-f]{32}\.svg$/);
    assert.match(c.html, /^<p>/);
  }
  const mine = j.comments.find((c) => c.id === id);
  assert.ok(mine, 'the new comment is listed');
  assert.equal(mine.author, v.author);
  assert.equal(mine.text, v.comment);
  assert.equal(mine.url, v.url);
  assert.equal(mine.parent, 0);
  assert.equal(j.comments.find((c) => c.id === rid)?.parent, id, 'a reply names its parent');
  assert.ok(!r.text.includes(v.email) && !/@example\.(net|com|org)"/.test(r.text) && !/"email"/.test(r.text), 'no email in the API');
  assert.equal((await request(s.port, '/api/articles/987654321/comments')).status, 404);

  const h = await site('held');
  const hp = h.paths[3];
  const hid = accepted((await new Reader(h.port).comment(hp, goodComment())).res, hp);
  const haid = parseForm((await request(h.port, hp)).text).get('article');
  const hj = JSON.parse((await request(h.port, `/api/articles/${haid}/comments`)).text);
  assert.ok(!hj.comments.some((c) => c.id === hid), 'a held comment is not in the API');
});

test('a commenter\'s email appears in no page, feed, API answer or HTML comment', async () => {
  const s = await site('open');
  const path = s.paths[8];
  const secret = `zqxleak${process.pid}`;
  const email = `${secret}.Reader@Example.org`;
  const v = goodComment({ email, url: 'https://example.org/leak' });
  const id = accepted((await new Reader(s.port).comment(path, v)).res, path);
  const rid = accepted((await new Reader(s.port).comment(path, goodComment({ email: `${secret}2@example.org` }))).res, path);
  const page = { text: await pageShowing(s.port, path, [id, rid]) };
  const aid = parseForm(page.text).get('article');
  const avatar = element(commentEl(page.text, id), hasClass('avatar', 'img'))?.[0].attrs.get('src');
  const more = links(page.text, /^\/(section|tag|author)\//);
  const urls = ['/', '/page/2/', path, `${path}?replytocom=${id}`, `${path}?replytocom=${rid}`, ...more,
    `/api/articles/${aid}/comments`, avatar, '/no-such-page/', '/comments/', '/feed/', '/feed/atom/', '/feed/json/',
    '/comments/feed/', '/comments/feed/atom/', '/comments/feed/json/', `${path}feed/`, `${path}feed/atom/`, `${path}feed/json/`,
    '/sitemap.xml', '/news-sitemap.xml', '/robots.txt'].filter(Boolean);
  let checked = 0;
  for (const u of urls) {
    for (const enc of ['identity', 'gzip']) {
      const r = await request(s.port, u, { headers: { 'Accept-Encoding': enc } });
      const body = bodyText(r).toLowerCase();
      assert.ok(!body.includes(secret), `the email shows on ${u} (${r.status}, ${enc})`);
      assert.ok(!body.includes(encodeURIComponent(secret)), u);
      checked++;
    }
  }
  assert.ok(checked >= 20);
});

/* ------------------------------------------------------- stored XSS */

test('stored XSS: payloads in the name and comment are shown only as text', async () => {
  const s = await site('open');
  const path = s.paths[9];
  const base = scan((await request(s.port, path)).text);
  const posted = [];
  const corpus = [...TEXT_PAYLOADS, LONG_WORD];
  for (const [i, p] of corpus.entries()) {
    const author = [...p].length <= 100 ? p : `Long Word ${i}`;
    const { res } = await new Reader(s.port).comment(path, { comment: p, author, email: `xss${i}.${process.pid}@example.org`, url: '' });
    if (res.status === 422 && /\u202e/.test(p)) {
      assert.ok(fieldError(res.text, 'author') || fieldError(res.text, 'comment'), 'a refused bidi override says why');
      continue;
    }
    posted.push({ id: accepted(res, path), comment: p, author });
  }
  assert.ok(posted.length >= 30, `${posted.length} payloads posted`);
  const html = await pageShowing(s.port, path, posted.map((p) => p.id));
  const now = scan(html);
  assert.deepEqual(now.handlers, base.handlers, 'no event-handler attributes were injected');
  assert.deepEqual(now.scriptUrls, base.scriptUrls, 'no javascript:/data: URLs were injected');
  assert.deepEqual(now.styleAttrs, base.styleAttrs, 'no style attributes were injected');
  assert.deepEqual(now.tags, base.tags, 'no script, svg, iframe, img, style, meta, base or form elements were injected');
  assert.equal(now.comments, base.comments, 'no HTML comment was opened');
  for (const { id, comment, author } of posted) {
    const el = commentEl(html, id);
    assert.ok(el, `comment ${id} is on the page`);
    const body = element(el, hasClass('comment-body')) || el;
    assert.ok(squash(textOf(body)).includes(squash(comment)), `the text of ${JSON.stringify(comment.slice(0, 60))} reads as written`);
    assert.ok(squash(textOf(el)).includes(squash(author)), `the name ${JSON.stringify(author.slice(0, 60))} reads as written`);
  }
  // The reply heading carries a name too.
  const named = posted.find((p) => p.author.startsWith('"><script>'));
  const rp = await request(s.port, `${path}?replytocom=${named.id}`);
  const rs = scan(rp.text);
  assert.deepEqual(rs.tags, base.tags, 'the reply heading escapes the name');
  assert.deepEqual(rs.handlers, base.handlers);
  assert.ok(squash(textOf(element(tokenize(rp.text), byId('reply-title')))).includes(squash(named.author)));
  // Feeds of the comments carry the payloads as text, never as markup.
  for (const feed of [`${path}feed/`, `${path}feed/atom/`, '/comments/feed/', '/comments/feed/atom/']) {
    const r = await request(s.port, feed);
    if (r.status === 404) continue;
    assert.equal(r.status, 200, feed);
    for (const raw of ['<script>window.__pwned', '<img src=x onerror', '<svg onload', '<iframe srcdoc']) {
      assert.ok(!r.text.includes(raw), `${feed} carries ${raw} unescaped`);
    }
  }
  for (const feed of [`${path}feed/json/`, '/comments/feed/json/']) {
    const r = await request(s.port, feed);
    if (r.status === 404) continue;
    assert.doesNotThrow(() => JSON.parse(r.text), `${feed} is valid JSON`);
    for (const it of JSON.parse(r.text).items || []) {
      if (it.content_html) assert.deepEqual(scan(it.content_html).handlers, [], `${feed}: content_html of ${it.id} is plain`);
      if (it.content_html) assert.deepEqual(scan(it.content_html).tags, {}, `${feed}: content_html of ${it.id} has no elements that run`);
    }
  }
  // The API gives the same text back, exactly.
  const aid = parseForm(html).get('article');
  const j = JSON.parse((await request(s.port, `/api/articles/${aid}/comments`)).text);
  for (const { id, comment, author } of posted) {
    const c = j.comments.find((x) => x.id === id);
    assert.equal(c?.text, comment, `API text of ${id}`);
    assert.equal(c.author, author);
    assert.equal(scan(c.html).handlers.length + Object.keys(scan(c.html).tags).length, 0, `API html of ${id} is plain`);
  }
});

test('stored XSS: script and data addresses in the website field are refused; odd ones stay escaped', async () => {
  const s = await site('open');
  const path = s.paths[9];
  const reader = new Reader(s.port);
  const { form: f0 } = await reader.form(path);
  const base = scan((await reader.submit(f0, { ...goodComment(), url: 'ftp://x' })).text);
  for (const url of BAD_URLS) {
    const v = goodComment({ url });
    const { res, form } = await new Reader(s.port).comment(path, v);
    refused(res, { field: 'url', message: MSG.url, typed: { comment: v.comment, author: v.author, url }, old: form });
    const sc = scan(res.text);
    assert.deepEqual(sc.scriptUrls, [], `${url} does not become a link`);
    assert.deepEqual(sc.handlers, base.handlers);
  }
  for (const url of ODD_URLS) {
    const v = goodComment({ url });
    const { res } = await new Reader(s.port).comment(path, v);
    if (res.status === 422) {
      assert.ok(fieldError(res.text, 'url'), `${url} refused with a message`);
      assert.equal(parseForm(res.text).get('url'), url, 'and kept in the field as typed');
      assert.deepEqual(scan(res.text).tags, base.tags, `the refilled ${url} is escaped`);
      continue;
    }
    const id = accepted(res, path);
    const html = await pageShowing(s.port, path, id);
    const sc = scan(html);
    assert.deepEqual(sc.handlers, [], `${url}: no handlers`);
    assert.deepEqual(sc.scriptUrls, []);
    const a = element(commentEl(html, id), (t) => t.name === 'a' && /^https:\/\/example\.com\//.test(t.attrs.get('href') || ''));
    assert.ok(a, `${url}: linked`);
    assert.equal(squash(textOf(a)), v.author);
  }
  for (const email of ODD_EMAILS) {
    const v = goodComment({ email });
    const { res } = await new Reader(s.port).comment(path, v);
    if (res.status === 422) {
      assert.equal(fieldError(res.text, 'email'), MSG.badEmail);
      assert.equal(parseForm(res.text).get('email'), email);
      assert.deepEqual(scan(res.text).tags, base.tags);
      continue;
    }
    const id = accepted(res, path);
    const html = await pageShowing(s.port, path, id);
    assert.ok(!html.includes('brien+xss') && !html.toLowerCase().includes('&lt;script&gt;alert(1)&lt;/script&gt;&quot;@'), 'the email never shows');
  }
});

test('stored XSS: the edit form shows a payload comment only as text', async () => {
  const s = await site('open');
  const path = s.paths[10]; // not the article the other XSS tests fill (same text there is a duplicate)
  assert.ok(path, 'an eleventh article');
  const plain = new Reader(s.port);
  const pid = accepted((await plain.comment(path, goodComment())).res, path);
  const base = scan((await plain.get(`/comments/${pid}/edit`)).text);
  for (const p of TEXT_PAYLOADS.slice(0, 12)) {
    const author = new Reader(s.port);
    const id = accepted((await author.comment(path, { comment: p, author: p, email: 'xss.edit@example.org', url: '' })).res, path);
    const r = await author.get(`/comments/${id}/edit`);
    assert.equal(r.status, 200);
    const form = parseForm(r.text, (t) => (t.attrs.get('action') || '').includes(`/comments/${id}/edit`)) || parseForm(r.text);
    assert.equal(form.get('comment'), p, `the edit box holds ${JSON.stringify(p)}`);
    const sc = scan(r.text);
    assert.deepEqual(sc.tags, base.tags, `no element injected by ${JSON.stringify(p)}`);
    assert.deepEqual(sc.handlers, base.handlers);
    assert.equal(sc.comments, base.comments);
  }
});

test('stored XSS: a refused post refills every payload escaped', async () => {
  const s = await site('open');
  const path = s.paths[9];
  const r0 = new Reader(s.port);
  const { form: f0 } = await r0.form(path);
  const base = scan((await r0.submit(f0, { ...goodComment(), captcha: wrongAnswer(f0) })).text);
  for (const p of TEXT_PAYLOADS) {
    const reader = new Reader(s.port);
    const { form } = await reader.form(path);
    const author = [...p].length <= 100 ? p : 'Someone';
    const res = await reader.submit(form, { comment: p, author, email: 'xss.refill@example.org', url: '', captcha: wrongAnswer(form) });
    assert.equal(res.status, 422, JSON.stringify(p));
    const again = parseForm(res.text);
    assert.equal(again.get('comment'), p, `the comment box holds ${JSON.stringify(p)}`);
    assert.equal(again.get('author'), author, `the name box holds ${JSON.stringify(author)}`);
    const sc = scan(res.text);
    assert.deepEqual(sc.tags, base.tags, `no element injected by ${JSON.stringify(p)}`);
    assert.deepEqual(sc.handlers, base.handlers, `no handler injected by ${JSON.stringify(p)}`);
    assert.equal(sc.comments, base.comments, `no HTML comment opened by ${JSON.stringify(p)}`);
  }
});
