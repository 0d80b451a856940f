// Comment forms refuse posts sent from another site (defence in depth).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dirname } from 'node:path';
import { demoSite, serve, request, links, cleanup } from '../lib/server.mjs';

let dir, srv;

before(async () => {
  dir = demoSite();
  srv = await serve(dir);
});

after(async () => {
  await srv?.stop();
  cleanup(dirname(dir));
});

test('a comment posted from another origin is refused with 403', async () => {
  const front = await request(srv.port, '/');
  const path = links(front.text, /^\/\d{4}\/\d{2}\/\d{2}\/[a-z0-9-]+\/$/)[0];
  const page = await request(srv.port, path);
  const token = page.text.match(/name="token" value="([^"]+)"/)[1];
  const article = page.text.match(/name="article" value="(\d+)"/)[1];
  const body = new URLSearchParams({ comment: 'x', author: 'a', email: 'a@example.com', captcha: '1', article, parent: '0', token }).toString();
  const headers = { 'Content-Type': 'application/x-www-form-urlencoded', Origin: 'https://evil.example' };
  const r = await request(srv.port, '/comments/', { method: 'POST', headers, body });
  assert.equal(r.status, 403);
  assert.match(r.text, /another site/);
  const same = await request(srv.port, '/comments/', { method: 'POST', headers: { ...headers, Origin: `http://127.0.0.1:${srv.port}` }, body });
  assert.notEqual(same.status, 403, 'the site\'s own origin is accepted');
});
