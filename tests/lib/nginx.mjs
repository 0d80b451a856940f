// nginx as a load balancer in front of several `byline serve` nodes, for
// the multi-node tests: its own prefix and configuration in a temporary
// folder, listening on a free loopback port, stopped by stop().
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import net from 'node:net';
import { tempDir, cleanup } from './server.mjs';

export function nginxBinary() {
  for (const p of ['/usr/sbin/nginx', '/usr/local/sbin/nginx']) if (existsSync(p)) return p;
  const r = spawnSync('sh', ['-c', 'command -v nginx'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

// Starts nginx balancing over `ports` (round robin; a node that refuses
// connections is skipped for 2 s; GETs that fail on one node are retried
// on the next, POSTs are not, as nginx does by default).
export async function balancer(ports) {
  const bin = nginxBinary();
  if (!bin) throw new Error('nginx is not installed (run make deps)');
  const prefix = tempDir('byline-nginx-');
  mkdirSync(join(prefix, 'tmp'), { recursive: true });
  const port = await freePort();
  const conf = join(prefix, 'nginx.conf');
  writeFileSync(conf, `
worker_processes 1;
pid ${prefix}/nginx.pid;
error_log ${prefix}/error.log warn;
${process.getuid && process.getuid() === 0 ? 'user root;' : ''}
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${prefix}/tmp/body;
  proxy_temp_path ${prefix}/tmp/proxy;
  fastcgi_temp_path ${prefix}/tmp/fastcgi;
  uwsgi_temp_path ${prefix}/tmp/uwsgi;
  scgi_temp_path ${prefix}/tmp/scgi;
  upstream byline {
${ports.map((p) => `    server 127.0.0.1:${p} max_fails=1 fail_timeout=2s;`).join('\n')}
    keepalive 16;
  }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://byline;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_next_upstream error timeout http_502 http_503;
      proxy_connect_timeout 2s;
    }
  }
}
`);
  const proc = spawn(bin, ['-p', prefix, '-c', conf, '-e', join(prefix, 'error.log'), '-g', 'daemon off;'],
    { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  proc.stderr.setEncoding('utf8');
  proc.stderr.on('data', (d) => { err += d; });
  // Ready when it accepts connections.
  const t0 = Date.now();
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`nginx exited: ${err} ${readLog(prefix)}`);
    const ok = await new Promise((res) => {
      const c = net.connect(port, '127.0.0.1', () => { c.end(); res(true); });
      c.on('error', () => res(false));
    });
    if (ok) break;
    if (Date.now() - t0 > 10000) throw new Error(`nginx did not start: ${err} ${readLog(prefix)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    port,
    log: () => readLog(prefix),
    stop: async () => {
      if (proc.exitCode === null) {
        const done = new Promise((r) => proc.once('exit', r));
        proc.kill('SIGQUIT');
        await done;
      }
      cleanup(prefix);
    },
  };
}

function readLog(prefix) {
  try { return readFileSync(join(prefix, 'error.log'), 'utf8'); } catch { return ''; }
}
