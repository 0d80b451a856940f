// What the sqlmap and wapiti scans of docs/security.md probed, kept as
// regressions: injection payloads in every place they were sent are answered
// cleanly, CRLF never makes a header, no path reaches the site's own files,
// no address redirects to another site, and uncommon methods are refused.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dirname } from 'node:path';
import { serve, request, links, cleanup } from '../lib/server.mjs';
import { commentSite, QUICK, Reader, articlePaths, goodComment, commentId } from '../lib/forms.mjs';

let dir, srv, port, article, articleId, tag, section, author, own;

before(async () => {
  dir = commentSite({ ...QUICK, 'comments.moderation': 'none' });
  srv = await serve(dir);
  port = srv.port;
  [article] = await articlePaths(port);
  const page = await request(port, article);
  articleId = /name="article" value="(\d+)"/.exec(page.text)[1];
  tag = links(page.text, /^\/tag\/[^/]+\/$/)[0];
  const front = await request(port, '/');
  section = links(front.text, /^\/section\/[^/]+\/$/)[0];
  author = links(front.text, /^\/author\/[^/]+\/$/)[0];
  // A comment of our own, for the edit and delete endpoints.
  const reader = new Reader(port);
  const { res } = await reader.comment(article, goodComment());
  assert.equal(res.status, 303);
  own = { reader, id: commentId(res) };
});

after(async () => {
  await srv?.stop();
  cleanup(dirname(dir));
});

// Payloads of the kinds sqlmap and wapiti sent (boolean, UNION, stacked,
// time-based, error-based, comment and quote breakouts).
const SQL = [
  "'", '"', "1'", "1 AND 1=1", "1' AND '1'='1", "1 OR 1=1-- -", "') OR ('x'='x",
  "1 UNION ALL SELECT NULL,NULL,NULL-- -", "1; DROP TABLE comments-- -",
  "1 AND 1234=LIKE('ABCDEFG',UPPER(HEX(RANDOMBLOB(500000000/2))))",
  "1 AND (SELECT 1 FROM sqlite_master)", "-1 ORDER BY 99", '1/**/OR/**/1=1', '%27%22',
];

// Text that only an SQL engine would write: an error must never leak. (The
// payloads themselves may be shown back, escaped, on a search page.)
const SQL_ERROR = /SQLITE_(ERROR|MISUSE|CONSTRAINT|RANGE|MISMATCH)|sqlite3_[a-z]|syntax error|unrecognized token|no such (table|column|function)|SQL logic error|fts5: /;

function clean(r, what) {
  assert.ok(r.status < 500, `${what}: ${r.status}`);
  assert.doesNotMatch(r.text, SQL_ERROR, `${what}: SQL error text in the answer`);
  assert.ok(r.headers['content-security-policy'], `${what}: no security headers`);
}

test('injection payloads in query strings, path segments and ids are answered cleanly', async () => {
  const e = encodeURIComponent;
  const month = article.split('/').slice(1, 3).join('/');
  for (const p of SQL) {
    const places = {
      'search q': `/search?q=${e(p)}`,
      'search page': `/search?q=harbour&page=${e(p)}`,
      replytocom: `${article}?replytocom=${e(p)}`,
      'api id': `/api/articles/${articleId}${e(p)}/comments`,
      'archive month': `/${month}${e(p)}/`,
      tag: `${tag.slice(0, -1)}${e(p)}/`,
      'tag feed': `${tag.slice(0, -1)}${e(p)}/feed/`,
      section: `${section.slice(0, -1)}${e(p)}/`,
      author: `${author.slice(0, -1)}${e(p)}/`,
      'front page number': `/page/2${e(p)}/`,
      'edit id': `/comments/${own.id}${e(p)}/edit`,
    };
    for (const [what, path] of Object.entries(places)) {
      const r = await request(port, path);
      clean(r, `${what} ${JSON.stringify(p)}`);
      if (what.startsWith('search')) assert.equal(r.status, 200, `${what} ${JSON.stringify(p)}: a search always answers a page`);
    }
  }
});

test('injection payloads in headers and cookies are answered cleanly', async () => {
  for (const p of SQL) {
    const headers = {
      'User-Agent': `Mozilla/5.0 ${p}`, Referer: `http://127.0.0.1/${p}`,
      Cookie: `comment_author=${encodeURIComponent(p)}; byline_mine=${encodeURIComponent(p)}`,
    };
    clean(await request(port, '/search?q=harbour', { headers }), `headers ${JSON.stringify(p)} on search`);
    clean(await request(port, article, { headers }), `headers ${JSON.stringify(p)} on an article`);
  }
});

test('injection payloads in every comment field are stored as text or refused, never run as SQL', async () => {
  const reader = new Reader(port);
  for (const p of SQL.slice(0, 8)) {
    // Valid token and answer: the payload reaches validation and the store.
    const { res } = await reader.comment(article, goodComment({ comment: `About the harbour ${p}`, author: `Reader ${p}`, url: `https://example.com/?q=${encodeURIComponent(p)}` }));
    clean(res, `comment ${JSON.stringify(p)}`);
    assert.equal(res.status, 303, `comment ${JSON.stringify(p)}: a normal comment with odd characters is accepted`);
    // In the hidden fields: refused with the form, not a server error. (A
    // parent that is not a number is no parent: the comment is top-level.)
    for (const field of ['article', 'parent', 'token', 'captcha']) {
      const { res: bad } = await reader.comment(article, goodComment({ [field]: `${field === 'article' ? articleId : '0'}${p}` }));
      clean(bad, `${field} ${JSON.stringify(p)}`);
      if (field !== 'parent') assert.notEqual(bad.status, 303, `${field} ${JSON.stringify(p)} was accepted`);
    }
  }
  // The comments posted above are all there, as text.
  const api = JSON.parse((await request(port, `/api/articles/${articleId}/comments`)).text);
  for (const p of SQL.slice(0, 8)) {
    assert.ok(api.comments.some((c) => c.text === `About the harbour ${p}`), `comment ${JSON.stringify(p)} not stored as typed`);
  }
});

test('the edit and delete endpoints refuse forged tokens and cookies', async () => {
  const stranger = new Reader(port);
  for (const p of ["x' OR '1'='1", `${own.id}-9999999999.AAAA`, '']) {
    const body = new URLSearchParams({ comment: 'Changed', author: 'Someone', url: '', token: p }).toString();
    const headers = { 'Content-Type': 'application/x-www-form-urlencoded', Cookie: `byline_mine=${encodeURIComponent(p)}` };
    const ed = await request(port, `/comments/${own.id}/edit`, { method: 'POST', headers, body });
    clean(ed, `edit with ${JSON.stringify(p)}`);
    assert.equal(ed.status, 403, `edit with ${JSON.stringify(p)}`);
    const del = await request(port, `/comments/${own.id}/delete`, { method: 'POST', headers, body: `token=${encodeURIComponent(p)}` });
    clean(del, `delete with ${JSON.stringify(p)}`);
    assert.equal(del.status, 403, `delete with ${JSON.stringify(p)}`);
  }
  const still = await stranger.get(article);
  assert.match(still.text, new RegExp(`id="comment-${own.id}"`), 'the comment survived');
});

test('CR and LF in a path or query string never add a header', async () => {
  for (const path of ['/2026/11%0d%0aX-Injected:%201', `${tag.slice(0, -1)}%0d%0aX-Injected:%201`,
    '/search?q=%0d%0aX-Injected:%201', `${article}?replytocom=1%0d%0aX-Injected:%201`,
    '/2026/11%0aSet-Cookie:%20injected=1']) {
    const r = await request(port, path);
    clean(r, path);
    assert.equal(r.headers['x-injected'], undefined, path);
    assert.ok(![].concat(r.headers['set-cookie'] || []).some((c) => c.includes('injected')), path);
    assert.doesNotMatch(r.headers.location || '', /[\r\n]/, path);
  }
});

test('no address serves the site folder\'s own files, backups or paths outside static and media', async () => {
  for (const path of ['/byline.conf', '/secret.key', '/byline.db', '/byline.db-wal', '/byline.conf.bak',
    '/byline.conf~', '/.git/config', '/static/../byline.conf', '/static/%2e%2e/secret.key',
    '/media/..%2fsecret.key', '/static/..%252fsecret.key', '/theme/../secret.key', '/.%2e/.%2e/etc/passwd',
    '/static/%2e%2e%2f%2e%2e%2fetc%2fpasswd', '/index.html~', '/index.php.bak']) {
    const r = await request(port, path);
    clean(r, path);
    assert.ok(r.status === 400 || r.status === 404, `${path}: ${r.status}`);
    assert.doesNotMatch(r.text, /\[site\]|root:x:0:0|SQLite format 3/, path);
  }
});

test('no address redirects to another site', async () => {
  for (const path of ['//evil.example', '//evil.example/', '///evil.example/x', '/%2f%2fevil.example',
    '/%5cevil.example', '/\\evil.example', '/tag//evil.example', `${article}?redirect_to=http://evil.example/`,
    '/search?q=x&url=//evil.example']) {
    const r = await request(port, path);
    clean(r, path);
    const loc = r.headers.location;
    if (loc) assert.ok(loc.startsWith('/') && !loc.startsWith('//') && !loc.startsWith('/\\'), `${path} redirects to ${loc}`);
  }
  // The Host header is not believed for redirects either.
  const r = await request(port, article.slice(0, -1), { headers: { Host: 'evil.example' } });
  assert.equal(r.status, 301);
  assert.doesNotMatch(r.headers.location, /evil/);
});

test('uncommon methods are refused with 405 and never echo the request', async () => {
  for (const method of ['PUT', 'DELETE', 'PATCH', 'OPTIONS', 'TRACE', 'PROPFIND', 'DEBUG', 'ABC']) {
    const r = await request(port, '/', { method, headers: { 'X-Probe': 'echo-me' } });
    assert.equal(r.status, 405, method);
    assert.ok(r.headers.allow, `${method}: no Allow header`);
    assert.doesNotMatch(r.text, /echo-me/, `${method} echoed the request`);
    assert.ok(r.headers['content-security-policy'], `${method}: no security headers`);
  }
});
