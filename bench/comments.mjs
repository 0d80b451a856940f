// bench/comments.mjs: posts comments the way a reader does, as fast as it can.
//
//   node bench/comments.mjs --url http://127.0.0.1:PORT --paths "/2026/…/ /…/"
//       [--concurrency 32] [--seconds 10] [--min-seconds 0]
//
// Each of `concurrency` loops, for `seconds`: GETs one of the article pages
// (gzip, keep-alive), reads its "Leave a Reply" form (docs/comments.md: the
// hidden article, parent and token fields and the "A + B =" question),
// answers the question, waits the site's minimum seconds when there are
// any, and POSTs the form back (urlencoded, with an Origin header as a
// browser sends). A 303 is an accepted comment; anything else is counted
// by status. Prints one JSON object: counts, rates and latencies (ms).
import http from 'node:http';
import { gunzipSync } from 'node:zlib';

const args = Object.fromEntries(
  process.argv.slice(2).reduce((acc, a, i, all) => {
    if (a.startsWith('--')) acc.push([a.slice(2), all[i + 1]]);
    return acc;
  }, []));
const base = new URL(args.url);
const paths = String(args.paths || '/').split(/\s+/).filter(Boolean);
const concurrency = Number(args.concurrency || 32);
const seconds = Number(args.seconds || 10);
const minSeconds = Number(args['min-seconds'] || 0);
const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
const origin = `${base.protocol}//${base.host}`;

function request(method, path, headers, body) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: base.hostname, port: base.port, method, path, agent, headers }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        let data = Buffer.concat(chunks);
        if (res.headers['content-encoding'] === 'gzip') data = gunzipSync(data);
        resolve({ status: res.statusCode, headers: res.headers, body: data.toString('utf8') });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    if (body) req.end(body); else req.end();
  });
}

const ENT = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", minus: '\u2212', times: '\u00d7' };
function decode(s) {
  return s.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (m, e) => {
    if (e[0] === '#') return String.fromCodePoint(e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10));
    return ENT[e] ?? m;
  });
}

// The form's fields: hidden inputs by name, and the question's text.
function readForm(html) {
  const start = html.indexOf('class="comment-form"');
  if (start < 0) return null;
  const end = html.indexOf('</form>', start);
  const form = html.slice(start, end < 0 ? html.length : end);
  const hidden = {};
  for (const m of form.matchAll(/<input\b[^>]*>/g)) {
    const tag = m[0];
    const name = /\bname="([^"]*)"/.exec(tag)?.[1];
    if (!name || !/\btype="hidden"/.test(tag)) continue;
    hidden[name] = decode(/\bvalue="([^"]*)"/.exec(tag)?.[1] ?? '');
  }
  const label = /<label[^>]*\bfor="captcha"[^>]*>([\s\S]*?)<\/label>/.exec(form);
  return label ? { hidden, question: decode(label[1].replace(/<[^>]*>/g, '')) } : null;
}

// "13 + 4 =", "9 − 3 =", "6 × 7 =".
function solve(q) {
  const m = /(\d+)\s*([+\u2212\-\u00d7x*])\s*(\d+)/.exec(q);
  if (!m) return '';
  const a = Number(m[1]);
  const b = Number(m[3]);
  if (m[2] === '+') return String(a + b);
  if (m[2] === '\u2212' || m[2] === '-') return String(a - b);
  return String(a * b);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const stats = { accepted: 0, gets: 0, statuses: {}, errors: 0, noForm: 0 };
const postMs = [];
const cycleMs = [];
let serial = 0;
// Tells this run's comments from an earlier run's (the duplicate check
// refuses the same text from the same author on the same article).
const run = Date.now().toString(36);
const stopAt = Date.now() + seconds * 1000;

async function loop(worker) {
  while (Date.now() < stopAt) {
    const path = paths[(serial + worker) % paths.length];
    const t0 = performance.now();
    try {
      const page = await request('GET', path, { 'Accept-Encoding': 'gzip' });
      stats.gets++;
      const form = page.status === 200 ? readForm(page.body) : null;
      if (!form) { stats.noForm++; continue; }
      if (minSeconds > 0) await sleep(minSeconds * 1000 + 50);
      const n = ++serial;
      const body = new URLSearchParams({
        comment: `Benchmark comment ${run}-${n} from poster ${worker}: the ferry timetable change is welcome, though the evening service still ends too early for shift workers.`,
        author: `Poster ${worker}`,
        email: `poster${worker}@example.org`,
        url: '',
        captcha: solve(form.question),
        bl_trap: '',
        ...form.hidden,
      }).toString();
      const t1 = performance.now();
      const res = await request('POST', '/comments/', {
        'Content-Type': 'application/x-www-form-urlencoded',
        'Content-Length': Buffer.byteLength(body),
        Origin: origin,
        'Accept-Encoding': 'gzip',
      }, body);
      const t2 = performance.now();
      stats.statuses[res.status] = (stats.statuses[res.status] || 0) + 1;
      if (res.status === 303) stats.accepted++;
      postMs.push(t2 - t1);
      cycleMs.push(t2 - t0);
    } catch {
      stats.errors++;
    }
  }
}

function pct(v, p) {
  if (v.length === 0) return 0;
  const s = [...v].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

const t0 = performance.now();
await Promise.all(Array.from({ length: concurrency }, (_, i) => loop(i)));
const elapsed = (performance.now() - t0) / 1000;
agent.destroy();
const posts = Object.values(stats.statuses).reduce((a, b) => a + b, 0);
console.log(JSON.stringify({
  seconds: Number(elapsed.toFixed(2)),
  concurrency,
  accepted: stats.accepted,
  accepted_per_s: Number((stats.accepted / elapsed).toFixed(1)),
  posts,
  failed: posts - stats.accepted + stats.errors + stats.noForm,
  statuses: stats.statuses,
  errors: stats.errors,
  no_form: stats.noForm,
  gets: stats.gets,
  post_p50_ms: Number(pct(postMs, 50).toFixed(2)),
  post_p99_ms: Number(pct(postMs, 99).toFixed(2)),
  cycle_p50_ms: Number(pct(cycleMs, 50).toFixed(2)),
}));
