// Reads a site's database in tests: the sqlite3 command for SQLite, psql
// for a site on PostgreSQL (tests/run.sh's pg kind). Tests write their SQL
// for SQLite; the few SQLite-only functions they use are translated.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

// The PostgreSQL URL of the site that owns `path` (DIR/byline.db), or null.
function pgUrl(path) {
  const conf = join(dirname(path), 'byline.conf');
  if (existsSync(path) || !existsSync(conf)) return null;
  const m = readFileSync(conf, 'utf8').match(/^database\s*=\s*(postgres(?:ql)?:\/\/\S+)\s*$/m);
  return m ? m[1] : null;
}

// Splits "a, f(b, c), d" at top-level commas.
function args(s) {
  const out = [];
  let depth = 0, quote = false, cur = '';
  for (const ch of s) {
    if (ch === "'") quote = !quote;
    if (!quote && ch === '(') depth++;
    if (!quote && ch === ')') depth--;
    if (!quote && depth === 0 && ch === ',') { out.push(cur.trim()); cur = ''; continue; }
    cur += ch;
  }
  out.push(cur.trim());
  return out;
}

// Gives every "FROM (subquery)" an alias, which PostgreSQL requires.
function aliasSubqueries(s) {
  let out = '';
  let i = 0;
  for (;;) {
    const m = /\bFROM\s*\(/gi;
    m.lastIndex = i;
    const f = m.exec(s);
    if (!f) return out + s.slice(i);
    let j = f.index + f[0].length, depth = 1, quote = false;
    for (; j < s.length && depth > 0; j++) {
      if (s[j] === "'") quote = !quote;
      else if (!quote && s[j] === '(') depth++;
      else if (!quote && s[j] === ')') depth--;
    }
    const rest = s.slice(j);
    const named = /^\s*(AS\s+)?[a-z_][a-z0-9_]*/i.test(rest) &&
      !/^\s*(WHERE|ORDER|GROUP|LIMIT|UNION|JOIN|ON)\b/i.test(rest);
    out += s.slice(i, j) + (named ? '' : ' AS _sub');
    i = j;
  }
}

// SQLite's group_concat, char() and strftime('%s','now') in PostgreSQL terms.
export function toPostgres(sql) {
  let s = aliasSubqueries(sql).replace(/\bchar\((\d+)\)/g, 'chr($1)')
    .replace(/strftime\('%s',\s*'now'\)/g, 'extract(epoch from now())::bigint');
  for (;;) {
    const i = s.search(/\bgroup_concat\(/);
    if (i < 0) break;
    let j = s.indexOf('(', i) + 1, depth = 1, quote = false;
    const start = j;
    for (; j < s.length && depth > 0; j++) {
      if (s[j] === "'") quote = !quote;
      else if (!quote && s[j] === '(') depth++;
      else if (!quote && s[j] === ')') depth--;
    }
    const a = args(s.slice(start, j - 1));
    s = `${s.slice(0, i)}string_agg((${a[0]})::text, ${a[1] ?? "','"})${s.slice(j)}`;
  }
  return s;
}

export class DatabaseSync {
  constructor(path) {
    this.path = path;
    this.pg = pgUrl(path);
  }

  // The first column of the first row, as a number when it is one.
  value(sql) {
    const r = this.pg
      ? spawnSync('psql', ['-X', '-q', '-tA', '-v', 'ON_ERROR_STOP=1', this.pg, '-c', toPostgres(sql)], { encoding: 'utf8' })
      : spawnSync('sqlite3', ['-batch', '-noheader', '-cmd', '.timeout 5000', this.path, sql], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${this.pg ? 'psql' : 'sqlite3'}: ${r.stderr}`);
    const out = r.stdout.replace(/\n$/, '');
    return /^-?\d+$/.test(out) ? Number(out) : out;
  }
}

// The database the site in `dir` uses now, as its byline.conf says.
export function siteDb(dir) {
  const m = readFileSync(join(dir, 'byline.conf'), 'utf8').match(/^database\s*=\s*(.*)$/m);
  const v = m ? m[1].trim() : 'byline.db';
  if (/^postgres(ql)?:\/\//.test(v)) {
    const d = new DatabaseSync(join(dir, '.none'));
    d.pg = v;
    return d;
  }
  const file = v.replace(/^sqlite:(\/\/)?/, '');
  return new DatabaseSync(file.startsWith('/') ? file : join(dir, file));
}
