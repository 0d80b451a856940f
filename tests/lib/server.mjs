// Test helpers: make sites with the real binary, start `byline serve` on a
// free loopback port, and talk HTTP without any automatic decompression.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import http from 'node:http';

export const BIN = process.env.BYLINE_BIN || new URL('../../build/byline', import.meta.url).pathname;

// Set by tests/run.sh when BIN is built with AddressSanitizer and
// UndefinedBehaviorSanitizer: a report on the binary's stderr fails the test.
const SANITIZE = process.env.BYLINE_SANITIZE === '1';
const SANITIZER_REPORT = /ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:/;

function checkSanitizer(what, stderr) {
  if (!SANITIZE || !SANITIZER_REPORT.test(stderr)) return;
  // Also on our own stderr, so the runner sees it when a hook swallows the throw.
  process.stderr.write(`sanitizer report from ${what}:\n${stderr}\n`);
  throw new Error(`sanitizer report from ${what}:\n${stderr}`);
}

// Runs the CLI; returns { status, stdout, stderr }.
export function byline(args, opts = {}) {
  const r = spawnSync(BIN, args, { encoding: 'utf8', timeout: 120000, ...opts });
  if (r.error) throw r.error;
  checkSanitizer(`byline ${args.join(' ')}`, r.stderr ?? '');
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

export function tempDir(prefix = 'byline-test-') {
  return mkdtempSync(join(tmpdir(), prefix));
}

// Set by tests/run.sh (the pg kind) to a throwaway PostgreSQL server,
// e.g. postgresql://byline@127.0.0.1:5433/ : every site the helpers make
// then lives in a fresh database of its own on that server.
export const PG = process.env.BYLINE_TEST_PG || '';

// Runs SQL with psql on database `db` of the test server; returns stdout.
export function psql(db, sql) {
  const r = spawnSync('psql', ['-X', '-q', '-tA', '-v', 'ON_ERROR_STOP=1', `${PG}${db}`, '-c', sql],
    { encoding: 'utf8', timeout: 60000 });
  if (r.status !== 0) throw new Error(`psql: ${r.stderr || r.error}`);
  return r.stdout;
}

// A new empty database on the test server (from `template` when given);
// returns its URL.
// A database in use cannot be a template: it is then copied with
// pg_dump instead.
export function newDatabase(template = null) {
  const name = `t_${process.pid}_${randomBytes(4).toString('hex')}`;
  try {
    psql('postgres', `CREATE DATABASE ${name}${template ? ` TEMPLATE ${template}` : ''}`);
  } catch (e) {
    if (!template || !/being accessed by other users/.test(e.message)) throw e;
    psql('postgres', `CREATE DATABASE ${name}`);
    const r = spawnSync('sh', ['-c', 'pg_dump --no-owner "$1" | psql -X -q -v ON_ERROR_STOP=1 "$2"', 'sh', `${PG}${template}`, `${PG}${name}`],
      { encoding: 'utf8', timeout: 120000 });
    if (r.status !== 0) throw new Error(`copying database ${template}: ${r.stderr}`);
  }
  return `${PG}${name}`;
}

// The `database` setting of the site in `dir`.
export function siteDatabase(dir) {
  const m = readFileSync(join(dir, 'byline.conf'), 'utf8').match(/^database\s*=\s*(.*)$/m);
  return m ? m[1].trim() : 'byline.db';
}

// A demo site in a fresh temporary folder (on PostgreSQL under the pg kind).
export function demoSite() {
  const dir = join(tempDir(), 'site');
  const r = byline(PG ? ['demo', dir, '--database', newDatabase()] : ['demo', dir]);
  if (r.status !== 0) throw new Error(`byline demo failed: ${r.stderr}`);
  return dir;
}

// An independent copy of the (not running) site in `src`: the folder, and
// under the pg kind its database, cloned.
export function copySite(src) {
  const dir = join(tempDir(), 'site');
  cpSync(src, dir, { recursive: true });
  const db = siteDatabase(src);
  if (/^postgres(ql)?:\/\//.test(db)) {
    const url = newDatabase(db.slice(db.lastIndexOf('/') + 1));
    const r = byline(['config', 'set', 'database', url, '--site', dir]);
    if (r.status !== 0) throw new Error(`byline config set database failed: ${r.stderr}`);
  }
  return dir;
}

// Starts a server for `dir`; resolves to { port, url, stop(), proc }.
export function serve(dir, extra = []) {
  return new Promise((resolve, reject) => {
    const proc = spawn(BIN, ['serve', dir, '--listen', '127.0.0.1:0', ...extra],
      { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    // Under a sanitizer, stop() also waits for the end of stderr, where the
    // leak report comes at exit, and throws when there is a report.
    const closed = SANITIZE ? new Promise((res) => proc.once('close', res)) : null;
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
          stop: async () => {
            const code = await new Promise((res) => {
              if (proc.exitCode !== null) return res(proc.exitCode);
              proc.once('exit', (c) => res(c));
              proc.kill('SIGTERM');
            });
            if (closed) {
              await closed;
              checkSanitizer(`byline serve ${dir}`, err);
            }
            return code;
          },
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
