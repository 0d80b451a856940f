// Security headers on every kind of response, and cookie attributes.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { dirname } from 'node:path';
import net from 'node:net';
import { serve, request, links, cleanup } from '../lib/server.mjs';
import { commentSite, Reader, articlePaths, goodComment } from '../lib/forms.mjs';

const servers = [];
after(async () => {
  for (const { srv, dir } of servers) { await srv.stop(); cleanup(dirname(dir)); }
});

async function site(settings) {
  const dir = commentSite(settings);
  const srv = await serve(dir);
  servers.push({ srv, dir });
  return srv;
}

function secure(r, what) {
  const csp = r.headers['content-security-policy'] || '';
  assert.ok(csp, `${what}: no Content-Security-Policy`);
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/, `${what}: ${csp}`);
  assert.match(csp, /frame-ancestors 'none'/, `${what}: ${csp}`);
  assert.equal(r.headers['x-content-type-options'], 'nosniff', what);
  assert.ok(r.headers['referrer-policy'], `${what}: no Referrer-Policy`);
}

test('every kind of response carries the security headers', async () => {
  const srv = await site({ 'comments.min_seconds': 0, 'comments.flood_seconds': 0, 'comments.moderation': 'none' });
  const { port } = srv;
  const [article] = await articlePaths(port);
  const front = await request(port, '/');
  const img = links(front.text).find((h) => h.startsWith('/media/')) ||
    (/src="(\/media\/[^"]+)"/.exec(front.text) || [])[1];
  const css = (/href="(\/static\/[^"]+)"/.exec(front.text) || [])[1];
  const kinds = {
    page: ['/'], article: [article], static: [css], media: [img], feed: ['/feed.xml'],
    api: [`/api/articles${article}comments`], search: ['/search?q=harbour'],
    robots: ['/robots.txt'], 'not found': ['/no/such/page/'], redirect: [article.replace(/\/$/, '')],
    'bad request': ['/%00'], 'method not allowed': ['/', { method: 'PUT' }],
  };
  for (const [what, [path, opts]] of Object.entries(kinds)) {
    assert.ok(path, `no ${what} response found to check`);
    const r = await request(port, path, opts);
    secure(r, `${what} ${path} (${r.status})`);
    if (r.headers.etag && r.status === 200) {
      const nm = await request(port, path, { headers: { 'If-None-Match': r.headers.etag } });
      assert.equal(nm.status, 304, `${what}: conditional GET`);
      secure(nm, `${what} 304`);
    }
  }
  // A comment: the 303 and its cookies.
  const reader = new Reader(port);
  const { res } = await reader.comment(article, goodComment({ cookies: true }));
  assert.equal(res.status, 303);
  secure(res, 'comment redirect');
  const cookies = [].concat(res.headers['set-cookie'] || []);
  assert.ok(cookies.length > 0, 'no cookie set after posting with "remember me"');
  for (const c of cookies) {
    assert.match(c, /;\s*HttpOnly/i, c);
    assert.match(c, /;\s*SameSite=(Lax|Strict)/i, c);
    assert.doesNotMatch(c, /;\s*Secure/i, `plain http site: ${c}`);
  }
});

test('cookies are Secure when the site is served over https', async () => {
  const srv = await site({ 'comments.min_seconds': 0, 'comments.flood_seconds': 0, 'comments.moderation': 'none', 'site.url': 'https://news.example' });
  const [article] = await articlePaths(srv.port);
  const { res } = await new Reader(srv.port).comment(article, goodComment({ cookies: true }));
  const cookies = [].concat(res.headers['set-cookie'] || []);
  assert.ok(cookies.length > 0);
  for (const c of cookies) assert.match(c, /;\s*Secure/i, c);
});

// A raw request on a fresh connection: the status line and headers of the answer.
function raw(port, text) {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1', () => sock.end(text));
    let data = '';
    sock.setEncoding('latin1');
    sock.on('data', (d) => { data += d; });
    sock.on('error', reject);
    sock.on('close', () => {
      const head = data.split('\r\n\r\n')[0].split('\r\n');
      const headers = {};
      for (const l of head.slice(1)) { const i = l.indexOf(':'); headers[l.slice(0, i).toLowerCase()] = l.slice(i + 1).trim(); }
      resolve({ status: Number(head[0].split(' ')[1]), headers });
    });
  });
}

test('a head over server.max_header_bytes gets the site\'s own 431 or 414, with its headers', async () => {
  const srv = await site({});
  const big = await raw(srv.port, `GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: ${'a'.repeat(20000)}\r\n\r\n`);
  assert.equal(big.status, 431);
  assert.equal(big.headers.connection, 'close');
  secure({ headers: big.headers }, '431');
  const longPath = await raw(srv.port, `GET /${'a'.repeat(20000)} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
  assert.equal(longPath.status, 414);
  secure({ headers: longPath.headers }, '414');
  const under = await raw(srv.port, `GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: ${'a'.repeat(15000)}\r\nConnection: close\r\n\r\n`);
  assert.equal(under.status, 200, 'a head under the limit is served');
});
