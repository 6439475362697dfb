import { execFile } from 'node:child_process';
import { chownSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './free-port.js';

const run = promisify(execFile);

const BIN = process.env['TSFORGE_PG_BIN'] ?? '/usr/lib/postgresql/15/bin';

/** A PostgreSQL server of our own, for fault tests: stop it, start it again, destroy it. */
export interface ThrowawayPostgres {
  /** postgres://postgres@127.0.0.1:<port>/postgres */
  readonly url: string;
  readonly port: number;
  /** `pg_ctl stop -m fast`: clients are disconnected at once. */
  stop(): Promise<void>;
  /** Starts it again on the same port and data directory. */
  start(): Promise<void>;
  /**
   * SIGSTOP to the server and every backend: connections stay open but nothing is answered, as
   * on a hung host. `thaw()` resumes them.
   */
  freeze(): Promise<void>;
  thaw(): Promise<void>;
  /** Stops it (if running) and removes its directory. Idempotent; call it in afterAll. */
  destroy(): Promise<void>;
}

/**
 * `initdb` + `pg_ctl` in a temp dir on a free port. initdb refuses to run as root, so as root
 * the binaries run as the `postgres` OS user (`runuser`), in a directory that user owns.
 * Takes about a second; fsync is off (nothing here must survive a crash).
 */
export async function startThrowawayPostgres(): Promise<ThrowawayPostgres> {
  const dir = mkdtempSync(join(tmpdir(), 'tsforge-pg-'));
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const { stdout } = await run('id', ['-u', 'postgres']);
    const { stdout: gid } = await run('id', ['-g', 'postgres']);
    chownSync(dir, Number(stdout.trim()), Number(gid.trim()));
  }
  const pgBin = (name: string, args: string[]) =>
    asRoot ? run('runuser', ['-u', 'postgres', '--', join(BIN, name), ...args]) : run(join(BIN, name), args);
  const data = join(dir, 'data');
  const port = await freePort();
  let running = false;
  let destroyed = false;
  const start = async (): Promise<void> => {
    await pgBin('pg_ctl', [
      '-D', data, '-l', join(dir, 'log'), '-w', '-t', '30',
      '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off`, 'start',
    ]);
    running = true;
  };
  const stop = async (mode: 'fast' | 'immediate' = 'fast'): Promise<void> => {
    await pgBin('pg_ctl', ['-D', data, '-m', mode, '-w', '-t', '30', 'stop']);
    running = false;
  };
  try {
    await pgBin('initdb', ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--no-sync', '--no-instructions']);
    await start();
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  let frozen: number[] = [];
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    stop: () => stop('fast'),
    start,
    async freeze() {
      const postmaster = Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n', 1)[0]);
      // The server first, so it forks no backend we would miss.
      frozen = [postmaster];
      process.kill(postmaster, 'SIGSTOP');
      for (const pid of childrenOf(postmaster)) {
        process.kill(pid, 'SIGSTOP');
        frozen.push(pid);
      }
    },
    async thaw() {
      for (const pid of frozen.splice(0).reverse()) process.kill(pid, 'SIGCONT');
    },
    async destroy() {
      if (destroyed) return;
      destroyed = true;
      for (const pid of frozen.splice(0)) process.kill(pid, 'SIGCONT');
      if (running) await stop('immediate').catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The PIDs whose parent is `parent` (Linux /proc). */
function childrenOf(parent: number): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // "pid (comm) state ppid ...": comm may hold spaces, so read after its closing parenthesis.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === parent) pids.push(Number(entry));
    } catch {
      // exited meanwhile
    }
  }
  return pids;
}
