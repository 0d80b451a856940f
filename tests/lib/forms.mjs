// Comment-form helpers: sites with comment settings, a small HTML tokenizer,
// reading the "Leave a Reply" form, answering its question, posting it like
// a browser without JavaScript (no automatic redirects) and keeping cookies.
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gunzipSync, brotliDecompressSync } from 'node:zlib';
import { demoSite, copySite, byline, request, links } from './server.mjs';

/* ------------------------------------------------------------ sites */

let template = null;

// A copy of one demo site (made once per test process) with `settings`
// applied through `byline config set`, e.g. { 'comments.min_seconds': 0 }.
export function commentSite(settings = {}) {
  if (!template) {
    template = demoSite();
    const t = dirname(template);
    process.on('exit', () => { try { rmSync(t, { recursive: true, force: true }); } catch { /* ignore */ } });
  }
  const dir = copySite(template);
  for (const [k, v] of Object.entries(settings)) {
    const r = byline(['config', 'set', k, String(v), '--site', dir]);
    if (r.status !== 0) throw new Error(`byline config set ${k} ${v} failed (${r.status}): ${r.stderr}`);
  }
  return dir;
}

// Settings for posting quickly in tests: no minimum time, no flood limit.
export const QUICK = { 'comments.min_seconds': 0, 'comments.flood_seconds': 0 };

/* ------------------------------------------------------------- HTML */

const NAMED = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0', colon: ':', sol: '/', num: '#', lpar: '(', rpar: ')', equals: '=', Tab: '\t', NewLine: '\n', minus: '\u2212', times: '\u00d7' };

export function decodeEntities(s) {
  return s.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (m, e) => {
    if (e[0] === '#') {
      const n = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
      try { return String.fromCodePoint(n); } catch { return m; }
    }
    return Object.hasOwn(NAMED, e) ? NAMED[e] : m;
  });
}

const RAW_TEXT = new Set(['script', 'style', 'textarea', 'title', 'xmp', 'iframe', 'noembed', 'noframes', 'noscript', 'plaintext']);
export const VOID = new Set(['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'source', 'track', 'wbr']);

// Splits HTML the way a browser's tokenizer would, near enough for tests:
// [{type:'tag', name, attrs: Map, pos}, {type:'end', name, pos},
//  {type:'text', text (raw)}, {type:'comment', text}]. Attribute values are
// decoded; text is left raw (decode it with decodeEntities).
export function tokenize(html) {
  const out = [];
  let i = 0;
  const n = html.length;
  while (i < n) {
    const lt = html.indexOf('<', i);
    if (lt < 0) { out.push({ type: 'text', text: html.slice(i), pos: i }); break; }
    if (lt > i) out.push({ type: 'text', text: html.slice(i, lt), pos: i });
    i = lt;
    if (html.startsWith('<!--', i)) {
      const e = html.indexOf('-->', i + 4);
      const end = e < 0 ? n : e + 3;
      out.push({ type: 'comment', text: html.slice(i + 4, e < 0 ? n : e), pos: i });
      i = end;
      continue;
    }
    if (html.startsWith('<!', i) || html.startsWith('<?', i)) {
      const e = html.indexOf('>', i);
      i = e < 0 ? n : e + 1;
      continue;
    }
    const close = html[i + 1] === '/';
    const m = /^[a-zA-Z][^\s/>]*/.exec(html.slice(i + (close ? 2 : 1), i + (close ? 2 : 1) + 64));
    if (!m) { out.push({ type: 'text', text: '<', pos: i }); i++; continue; }
    const name = m[0].toLowerCase();
    let j = i + (close ? 2 : 1) + m[0].length;
    const attrs = new Map();
    const attrList = [];
    for (;;) {
      while (j < n && /[\s/]/.test(html[j])) j++;
      if (j >= n || html[j] === '>') { j++; break; }
      let k = j;
      while (k < n && !/[\s/>=]/.test(html[k])) k++;
      if (k === j) k++;
      const an = html.slice(j, k).toLowerCase();
      j = k;
      while (j < n && /\s/.test(html[j])) j++;
      let val = '';
      if (html[j] === '=') {
        j++;
        while (j < n && /\s/.test(html[j])) j++;
        if (html[j] === '"' || html[j] === "'") {
          const q = html[j];
          const e = html.indexOf(q, j + 1);
          val = html.slice(j + 1, e < 0 ? n : e);
          j = e < 0 ? n : e + 1;
        } else {
          let e = j;
          while (e < n && !/[\s>]/.test(html[e])) e++;
          val = html.slice(j, e);
          j = e;
        }
      }
      attrList.push([an, decodeEntities(val)]);
      if (!attrs.has(an)) attrs.set(an, decodeEntities(val));
    }
    if (close) { out.push({ type: 'end', name, pos: i }); i = j; continue; }
    out.push({ type: 'tag', name, attrs, attrList, pos: i });
    i = j;
    if (RAW_TEXT.has(name)) {
      const re = new RegExp(`</${name}[\\s/>]`, 'ig');
      re.lastIndex = i;
      const e = re.exec(html);
      const end = e ? e.index : n;
      if (end > i) out.push({ type: 'text', text: html.slice(i, end), pos: i, raw: name });
      i = end;
    }
  }
  return out;
}

// The tokens of the element whose start tag satisfies `pred` (a function of
// the tag token), from its start tag to its end tag inclusive; null if none.
export function element(tokens, pred) {
  const start = tokens.findIndex((t) => t.type === 'tag' && pred(t));
  if (start < 0) return null;
  const name = tokens[start].name;
  if (VOID.has(name)) return [tokens[start]];
  let depth = 0;
  for (let k = start; k < tokens.length; k++) {
    const t = tokens[k];
    if (t.type === 'tag' && t.name === name) depth++;
    else if (t.type === 'end' && t.name === name && --depth === 0) return tokens.slice(start, k + 1);
  }
  return tokens.slice(start);
}

export const byId = (id) => (t) => t.attrs.get('id') === id;
export const hasClass = (cls, name) => (t) => (!name || t.name === name) && (t.attrs.get('class') || '').split(/\s+/).includes(cls);

// The text a reader sees in some tokens: tags dropped, <br> and block ends
// as newlines, entities decoded.
export function textOf(tokens) {
  if (!tokens) return '';
  let s = '';
  for (const t of tokens) {
    if (t.type === 'text') s += t.raw === 'textarea' || t.raw === 'title' ? decodeEntities(t.text) : (t.raw ? '' : decodeEntities(t.text));
    else if (t.type === 'tag' && t.name === 'br') s += '\n';
    else if (t.type === 'end' && /^(p|div|li|h\d)$/.test(t.name)) s += '\n';
  }
  return s;
}

export const squash = (s) => s.replace(/\s+/g, ' ').trim();

/* ------------------------------------------------------------- forms */

// Reads a form like a browser would send it. `pick` chooses the <form>
// start tag (default: class "comment-form"). Returns null when there is no
// such form, else { action, method, fields: [[name, value]...] (what a
// browser submits: unchecked boxes and buttons left out), get(name),
// inputs: Map name -> {tag, type, value, checked, attrs}, question, tokens }.
export function parseForm(html, pick = hasClass('comment-form', 'form')) {
  const tokens = tokenize(html);
  const form = element(tokens, (t) => t.name === 'form' && pick(t));
  if (!form) return null;
  const inputs = new Map();
  const fields = [];
  let question = null;
  for (let k = 0; k < form.length; k++) {
    const t = form[k];
    if (t.type !== 'tag') continue;
    const name = t.attrs.get('name');
    if (t.name === 'input' && name !== undefined) {
      const type = (t.attrs.get('type') || 'text').toLowerCase();
      const checked = t.attrs.has('checked');
      const value = t.attrs.get('value') ?? (type === 'checkbox' || type === 'radio' ? 'on' : '');
      if (!inputs.has(name)) inputs.set(name, { tag: 'input', type, value, checked, attrs: t.attrs });
      if ((type === 'checkbox' || type === 'radio') && !checked) continue;
      if (['submit', 'button', 'image', 'reset', 'file'].includes(type)) continue;
      fields.push([name, value]);
    } else if (t.name === 'textarea' && name !== undefined) {
      const nx = form[k + 1];
      let value = nx && nx.type === 'text' && nx.raw === 'textarea' ? decodeEntities(nx.text) : '';
      if (value.startsWith('\r\n')) value = value.slice(2);
      else if (value.startsWith('\n')) value = value.slice(1);
      if (!inputs.has(name)) inputs.set(name, { tag: 'textarea', type: 'textarea', value, attrs: t.attrs });
      fields.push([name, value]);
    } else if (t.name === 'label' && t.attrs.get('for') === 'captcha') {
      question = squash(textOf(element(form.slice(k), () => true)));
    }
  }
  const f = form[0];
  return {
    action: f.attrs.get('action') ?? '',
    method: (f.attrs.get('method') || 'get').toLowerCase(),
    fields, inputs, question, tokens: form,
    get: (name) => inputs.get(name)?.value,
  };
}

// The answer to "13 + 4 =", "9 − 3 =" or "6 × 7 =" (also accepts ASCII - x *).
export function solve(question) {
  const m = /(\d+)\s*([+\u2212\u2013\-\u00d7x*])\s*(\d+)\s*=?/.exec(question || '');
  if (!m) throw new Error(`cannot read the question ${JSON.stringify(question)}`);
  const a = Number(m[1]);
  const b = Number(m[3]);
  switch (m[2]) {
    case '+': return String(a + b);
    case '\u00d7': case 'x': case '*': return String(a * b);
    default: return String(a - b);
  }
}

// The message in the element class="field-error" id="FIELD-error" (the
// contract shows a <p>; any element will do for a reader), or null.
export function fieldError(html, field) {
  const el = element(tokenize(html), (t) => t.attrs.get('id') === `${field}-error` && hasClass('field-error')(t));
  return el ? squash(textOf(el)) : null;
}

// True when the error of `field` sits next to the field in the markup: no
// other form field between the control and its message, and the control is
// marked aria-invalid="true".
export function errorBesideField(html, field) {
  const tokens = tokenize(html);
  const ctl = tokens.findIndex((t) => t.type === 'tag' && (t.name === 'input' || t.name === 'textarea') && t.attrs.get('name') === field);
  const msg = tokens.findIndex((t) => t.type === 'tag' && t.attrs.get('id') === `${field}-error`);
  if (ctl < 0 || msg < 0) return false;
  if (!hasClass('field-error')(tokens[msg])) return false;
  if (tokens[ctl].attrs.get('aria-invalid') !== 'true') return false;
  const [a, b] = ctl < msg ? [ctl, msg] : [msg, ctl];
  for (let k = a + 1; k < b; k++) {
    const t = tokens[k];
    if (t.type === 'tag' && (t.name === 'input' || t.name === 'textarea') && t.attrs.get('name') !== field) return false;
  }
  return true;
}

/* ----------------------------------------------------------- cookies */

// A cookie jar for one reader: Set-Cookie in, Cookie out.
export class Jar {
  constructor() { this.cookies = new Map(); this.log = []; }

  store(setCookie) {
    if (!setCookie) return;
    for (const line of Array.isArray(setCookie) ? setCookie : [setCookie]) {
      this.log.push(line);
      const [pair, ...attrs] = line.split(';');
      const eq = pair.indexOf('=');
      if (eq < 1) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      let gone = false;
      for (const a of attrs) {
        const [k, v = ''] = a.split('=');
        const key = k.trim().toLowerCase();
        if (key === 'max-age' && Number(v) <= 0) gone = true;
        if (key === 'expires' && Date.parse(v) < Date.now()) gone = true;
      }
      if (gone) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  header() { return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '); }
}

/* ----------------------------------------------------------- posting */

// Encodes pairs as application/x-www-form-urlencoded. A value given as
// { raw: '%FF%FE' } is sent exactly as written (to send bytes that are
// not UTF-8).
export function urlencode(pairs) {
  const enc = (s) => encodeURIComponent(s).replace(/%20/g, '+');
  return pairs.map(([k, v]) => `${enc(k)}=${v && typeof v === 'object' ? v.raw : enc(String(v))}`).join('&');
}

// Decodes a response body whatever its Content-Encoding.
export function bodyText(res) {
  const e = res.headers['content-encoding'];
  if (e === 'gzip') return gunzipSync(res.body).toString('utf8');
  if (e === 'br') return brotliDecompressSync(res.body).toString('utf8');
  return res.body.toString('utf8');
}

// One reader: their own cookies and headers (e.g. X-Forwarded-For).
export class Reader {
  constructor(port, { headers = {} } = {}) {
    this.port = port;
    this.jar = new Jar();
    this.headers = headers;
  }

  hdrs(extra = {}) {
    const h = { ...this.headers, ...extra };
    const c = this.jar.header();
    if (c) h.Cookie = c;
    return h;
  }

  async get(path, headers = {}) {
    const r = await request(this.port, path, { headers: this.hdrs(headers) });
    this.jar.store(r.headers['set-cookie']);
    return r;
  }

  // POSTs pairs (or a ready body string/Buffer) to `path`.
  async post(path, pairs, headers = {}) {
    const body = Array.isArray(pairs) ? Buffer.from(urlencode(pairs)) : Buffer.from(pairs);
    const r = await request(this.port, path, {
      method: 'POST', body,
      headers: this.hdrs({ 'Content-Type': 'application/x-www-form-urlencoded', 'Content-Length': String(body.length), ...headers }),
    });
    this.jar.store(r.headers['set-cookie']);
    return r;
  }

  // Opens `path` and reads its comment form; throws when there is none.
  async form(path) {
    const page = await this.get(path);
    const form = parseForm(page.text);
    if (!form) throw new Error(`no comment form on ${path} (status ${page.status}): ${page.text.slice(0, 300)}`);
    return { page, form };
  }

  // Fills `form` with `values` like a reader typing, and posts it.
  //   values: { comment, author, email, url, cookies (bool), captcha, bl_trap, ... }
  //   a value of undefined leaves the field as the server gave it; null
  //   leaves the field out of the post entirely; { raw } is sent as is.
  // The captcha is answered correctly unless values.captcha is given.
  async submit(form, values = {}, headers = {}) {
    const v = { ...values };
    if (!('captcha' in v) && form.question) v.captcha = solve(form.question);
    const cookies = v.cookies;
    delete v.cookies;
    const pairs = [];
    const seen = new Set();
    for (const [name, value] of form.fields) {
      if (name === 'cookies') continue;
      seen.add(name);
      if (name in v) { if (v[name] !== null) pairs.push([name, v[name]]); }
      else pairs.push([name, value]);
    }
    for (const [name, value] of Object.entries(v)) if (!seen.has(name) && value !== null && value !== undefined) pairs.push([name, value]);
    if (cookies) pairs.push(['cookies', 'yes']);
    const action = form.action || '/comments/';
    return this.post(action, pairs, headers);
  }

  // Opens the article, fills the form and posts it; { res, form, page, id }.
  async comment(path, values, headers) {
    const { page, form } = await this.form(path);
    const res = await this.submit(form, values, headers);
    return { res, form, page, id: commentId(res) };
  }
}

// The comment id from a 303's Location "ARTICLE#comment-ID", or null.
export function commentId(res) {
  const m = /#comment-(\d+)$/.exec(res?.headers?.location || '');
  return m ? Number(m[1]) : null;
}

// A fresh set of values for a comment that passes validation.
let serial = 0;
export function goodComment(extra = {}) {
  serial++;
  const tag = `${process.pid}-${Date.now().toString(36)}-${serial}`;
  return {
    comment: `A thoughtful remark about the harbour, number ${tag}.`,
    author: `Reader ${tag}`,
    email: `reader.${tag}@example.net`,
    url: '',
    ...extra,
  };
}

// Article paths linked from the front page (and its second page).
export async function articlePaths(port) {
  const out = new Set();
  for (const p of ['/', '/page/2/']) {
    const r = await request(port, p);
    for (const a of links(r.text, /^\/\d{4}\/\d{2}\/\d{2}\/[a-z0-9-]+\/$/)) out.add(a);
  }
  return [...out];
}

// Polls `fn` (async, returns truthy when done) for up to `ms` milliseconds.
export async function within(ms, fn) {
  const t0 = Date.now();
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() - t0 > ms) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
