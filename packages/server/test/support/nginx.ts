import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';

export const NGINX = '/usr/sbin/nginx';

/** Whether nginx tests can run: skipped without it locally, required under CI. */
export function nginxRequired(env: NodeJS.ProcessEnv = process.env): boolean {
  if (existsSync(NGINX)) return true;
  if (env.CI) throw new Error('CI is set but nginx is missing: apt-get install nginx-light');
  return false;
}

export interface RunningNginx {
  url: string;
  /** Stops the master by its PID and waits for it. */
  stop(): Promise<void>;
}

/**
 * Runs nginx in the foreground with `siteConfig` (what goes in http {}) inside a minimal main
 * config of its own in `dir`: its pid, logs and temp files there, nothing of the system's.
 */
export async function startNginx(dir: string, siteConfig: string, port: number): Promise<RunningNginx> {
  mkdirSync(dir, { recursive: true });
  chmodSync(dir, 0o777); // worker processes run as nobody when the master is root
  writeFileSync(join(dir, 'site.conf'), siteConfig);
  const main = `
worker_processes 1;
pid ${join(dir, 'nginx.pid')};
error_log ${join(dir, 'error.log')} warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${join(dir, 'body')};
  proxy_temp_path ${join(dir, 'proxy')};
  fastcgi_temp_path ${join(dir, 'fastcgi')};
  uwsgi_temp_path ${join(dir, 'uwsgi')};
  scgi_temp_path ${join(dir, 'scgi')};
  include ${join(dir, 'site.conf')};
}
`;
  const conf = join(dir, 'nginx.conf');
  writeFileSync(conf, main);
  const check = spawnSync(NGINX, ['-t', '-p', dir, '-c', conf], { encoding: 'utf8' });
  if (check.status !== 0) throw new Error(`nginx -t failed:\n${check.stderr}`);
  const child: ChildProcess = spawn(NGINX, ['-p', dir, '-c', conf, '-g', 'daemon off;'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + 10_000;
  while (!(await listening(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`nginx did not start:\n${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url: `http://127.0.0.1:${port}`,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGQUIT');
      await exited;
    },
  };
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}
