// Test helpers: make sites with the real binary, start `byline serve` on a
// free loopback port, and talk HTTP without any automatic decompression.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import http from 'node:http';

export const BIN = process.env.BYLINE_BIN || new URL('../../build/byline', import.meta.url).pathname;

// Runs the CLI; returns { status, stdout, stderr }.
export function byline(args, opts = {}) {
  const r = spawnSync(BIN, args, { encoding: 'utf8', timeout: 120000, ...opts });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

export function tempDir(prefix = 'byline-test-') {
  return mkdtempSync(join(tmpdir(), prefix));
}

// A demo site in a fresh temporary folder.
export function demoSite() {
  const dir = join(tempDir(), 'site');
  const r = byline(['demo', dir]);
  if (r.status !== 0) throw new Error(`byline demo failed: ${r.stderr}`);
  return dir;
}

// Starts a server for `dir`; resolves to { port, url, stop(), proc }.
export function serve(dir, extra = []) {
  return new Promise((resolve, reject) => {
    const proc = spawn(BIN, ['serve', dir, '--listen', '127.0.0.1:0', ...extra],
      { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    const timer = setTimeout(() => reject(new Error(`server did not start: ${err}`)), 15000);
    proc.stderr.setEncoding('utf8');
    proc.stderr.on('data', (d) => {
      err += d;
      const m = err.match(/serving .* at http:\/\/127\.0\.0\.1:(\d+)\//);
      if (m && timer) {
        clearTimeout(timer);
        const port = Number(m[1]);
        resolve({
          port, proc, url: `http://127.0.0.1:${port}`,
          log: () => err,
          stop: () => new Promise((res) => {
            if (proc.exitCode !== null) return res(proc.exitCode);
            proc.once('exit', (code) => res(code));
            proc.kill('SIGTERM');
          }),
        });
      }
    });
    proc.on('exit', (code) => { clearTimeout(timer); reject(new Error(`server exited ${code}: ${err}`)); });
  });
}

// One request; resolves to { status, headers, body: Buffer, text }.
export function request(port, path, { method = 'GET', headers = {}, body = null, agent } = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, method, headers, agent: agent ?? false }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const buf = Buffer.concat(chunks);
        resolve({ status: res.statusCode, headers: res.headers, body: buf, text: buf.toString('utf8') });
      });
    });
    req.on('error', reject);
    req.setTimeout(10000, () => req.destroy(new Error(`timeout on ${path}`)));
    if (body) req.write(body);
    req.end();
  });
}

export function cleanup(dir) {
  try { rmSync(dir, { recursive: true, force: true }); } catch { /* ignore */ }
}

// All href values of <a> elements in html matching a regexp.
export function links(html, re) {
  const out = [];
  for (const m of html.matchAll(/<a\b[^>]*\bhref="([^"]*)"/g)) {
    const href = m[1].replace(/#.*$/, '');
    if (href && (!re || re.test(href))) out.push(href);
  }
  return [...new Set(out)];
}
