// Hostile clients: malformed, truncated, oversized, idle and slow requests
// flood the server while a normal reader keeps reading; the reader stays
// served quickly, the limits answer as documented and memory stays bounded.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { demoSite, serve, request, byline, cleanup } from '../lib/server.mjs';
import { Reader, articlePaths, urlencode } from '../lib/forms.mjs';

const TIMEOUT = 3;
const MAX_BODY = 65536;
const MAX_HEADER = 8192;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const median = (a) => { const s = [...a].sort((x, y) => x - y); return s[Math.floor(s.length / 2)]; };

function rss(pid) {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m[1]) * 1024;
}

// Attackers connect from other loopback addresses so that the per-address
// connection limit does not count them against the reader on 127.0.0.1.
let nextAddr = 0;
const localAddress = () => `127.0.0.${2 + (nextAddr++ % 200)}`;

// Opens a raw connection, writes `data` (if any), and resolves with
// { text, closed, ms } once the server closes it or `wait` ms pass.
function raw(port, data, { wait = 5000, end = false } = {}) {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const s = net.connect({ port, host: '127.0.0.1', localAddress: localAddress() });
    let text = '';
    let done = false;
    const finish = (closed) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      s.destroy();
      resolve({ text, closed, ms: Date.now() - t0 });
    };
    const timer = setTimeout(() => finish(false), wait);
    s.on('connect', () => { if (data) s.write(data); if (end) s.end(); });
    s.on('data', (d) => { text += d.toString('latin1'); });
    s.on('close', () => finish(true));
    s.on('error', () => finish(true));
  });
}

// A client sending one byte of its headers a second, for up to `limit` s.
function slowloris(port, limit) {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const s = net.connect({ port, host: '127.0.0.1', localAddress: localAddress() });
    const head = 'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ' + 'z'.repeat(1000);
    let i = 0;
    let iv = null;
    let done = false;
    const finish = (cut) => {
      if (done) return;
      done = true;
      clearInterval(iv);
      clearTimeout(timer);
      s.destroy();
      resolve({ cut, ms: Date.now() - t0 });
    };
    const timer = setTimeout(() => finish(false), limit * 1000);
    s.on('connect', () => {
      s.write('G');
      i = 1;
      iv = setInterval(() => { if (!s.destroyed) s.write(head[i++ % head.length]); }, 1000);
    });
    s.on('close', () => finish(true));
    s.on('error', () => finish(true));
  });
}

let dir;
let srv;
after(async () => {
  if (srv) await srv.stop();
  if (dir) cleanup(dirname(dir));
});

test('a flood of bad and slow requests does not starve a reader', { timeout: 90000 }, async () => {
  dir = demoSite();
  for (const [k, v] of Object.entries({ 'server.timeout': TIMEOUT, 'server.max_body': MAX_BODY, 'server.max_header_bytes': MAX_HEADER })) {
    const r = byline(['config', 'set', k, String(v), '--site', dir]);
    assert.equal(r.status, 0, r.stderr);
  }
  srv = await serve(dir);
  const { port } = srv;
  const pages = ['/', '/page/2/', '/feed.xml', '/search?q=harbour', '/static/style.css'];

  // Warm the cache, then the baseline: the reader alone.
  for (const p of pages) await request(port, p);
  const base = [];
  for (let i = 0; i < 40; i++) {
    const t0 = performance.now();
    const r = await request(port, pages[i % pages.length]);
    base.push(performance.now() - t0);
    assert.ok(r.status === 200 || r.status === 404, `baseline ${pages[i % pages.length]}: ${r.status}`);
  }
  const idleRss = rss(srv.proc.pid);

  // The reader, running all through the attack.
  let attacking = true;
  const loaded = [];
  const failures = [];
  const reader = (async () => {
    let i = 0;
    while (attacking) {
      const path = pages[i++ % pages.length];
      const t0 = performance.now();
      try {
        const r = await request(port, path);
        if (r.status >= 500) failures.push(`${path}: ${r.status}`);
      } catch (e) {
        failures.push(`${path}: ${e.message}`);
      }
      loaded.push(performance.now() - t0);
      await sleep(20);
    }
  })();

  // Slow clients and idle connections, held open through the attack.
  const slow = Array.from({ length: 20 }, () => slowloris(port, TIMEOUT + 8));
  const idle = Array.from({ length: 150 }, () => raw(port, null, { wait: (TIMEOUT + 8) * 1000 }));

  // Waves of malformed, truncated and oversized requests.
  const bigHeader = `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(MAX_HEADER * 4)}\r\n\r\n`;
  // A real comment form whose comment is four times max_body.
  const [article] = await articlePaths(port);
  const { form } = await new Reader(port).form(article);
  const formBody = Buffer.from(urlencode([...form.fields.filter(([k]) => k !== 'comment'), ['comment', 'a'.repeat(MAX_BODY * 4)]]));
  const bigBody = Buffer.concat([
    Buffer.from(`POST ${form.action || '/comments/'} HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${formBody.length}\r\nConnection: close\r\n\r\n`),
    formBody,
  ]);
  const malformed = [
    'GARBAGE\r\n\r\n', 'GET\r\n\r\n', 'GET / HTTP/9.9\r\n\r\n', 'GET / HTTP/1.1\r\nHost x\r\n\r\n',
    '\x00\x01\x02\x03\r\n\r\n', 'GET /%00 HTTP/1.1\r\nHost: x\r\n\r\n', 'GET ../../etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n',
    'POST /comments/ HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n',
    'GET / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n',
  ];
  const truncated = ['GET / HT', 'GET / HTTP/1.1\r\nHost: x\r\n', 'POST /comments/ HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nab'];
  const bigHeaderAnswers = [];
  const bigBodyAnswers = [];
  const t0 = Date.now();
  for (let wave = 0; wave < 6; wave++) {
    const jobs = [];
    for (const m of malformed) jobs.push(raw(port, m, { wait: 2000 }));
    for (const t of truncated) jobs.push(raw(port, t, { wait: 1000, end: true }));
    for (let k = 0; k < 3; k++) jobs.push(raw(port, bigHeader, { wait: 3000 }).then((a) => bigHeaderAnswers.push(a)));
    for (let k = 0; k < 2; k++) jobs.push(raw(port, bigBody, { wait: 5000 }).then((a) => bigBodyAnswers.push(a)));
    await Promise.all(jobs);
  }
  const flooded = Date.now() - t0;
  const slowResults = await Promise.all(slow);
  await Promise.all(idle);
  const peakRss = rss(srv.proc.pid);
  attacking = false;
  await reader;

  // The reader was served throughout, and quickly.
  assert.deepEqual(failures, []);
  assert.ok(loaded.length >= 20, `only ${loaded.length} reader requests in ${flooded} ms`);
  const b = median(base);
  const l = median(loaded);
  const worst = Math.max(...loaded);
  console.log(`# baseline median ${b.toFixed(2)} ms; under attack median ${l.toFixed(2)} ms, worst ${worst.toFixed(0)} ms over ${loaded.length} requests`);
  assert.ok(l < Math.max(20 * b, 5), `median latency under attack ${l} ms vs ${b} ms alone`);
  assert.ok(worst < 3000, `a reader waited ${worst} ms`);

  // Oversized headers: 431 (or 414) or the connection closed, never a page.
  for (const a of bigHeaderAnswers) {
    const status = /^HTTP\/1\.[01] (\d{3})/.exec(a.text)?.[1];
    assert.ok(status === '431' || status === '414' || (status === undefined && a.closed), `big header answered ${a.text.slice(0, 40)}`);
  }
  // Bodies over max_body: 413.
  for (const a of bigBodyAnswers) assert.match(a.text, /^HTTP\/1\.[01] 413 /, `big body answered ${a.text.slice(0, 40)}`);

  // Slow clients were cut off near the timeout.
  for (const s of slowResults) {
    assert.ok(s.cut, 'a slow client was never cut off');
    assert.ok(s.ms < (TIMEOUT + 3) * 1000, `a slow client held on for ${s.ms} ms`);
  }

  // Memory stayed bounded, and the server is alive and well.
  console.log(`# RSS idle ${(idleRss / 1048576).toFixed(1)} MiB, after the attack ${(peakRss / 1048576).toFixed(1)} MiB`);
  assert.ok(peakRss < 2 * idleRss + 50 * 1048576, `RSS grew from ${idleRss} to ${peakRss}`);
  assert.equal(srv.proc.exitCode, null);
  assert.equal((await request(port, '/')).status, 200);
});
