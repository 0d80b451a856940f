// Reads a site's SQLite database in tests through the sqlite3 command.
import { spawnSync } from 'node:child_process';

export class DatabaseSync {
  constructor(path) { this.path = path; }

  // The first column of the first row, as a number when it is one.
  value(sql) {
    const r = spawnSync('sqlite3', ['-batch', '-noheader', '-cmd', '.timeout 5000', this.path, sql], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`sqlite3: ${r.stderr}`);
    const out = r.stdout.replace(/\n$/, '');
    return /^-?\d+$/.test(out) ? Number(out) : out;
  }
}
