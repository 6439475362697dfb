import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);

/** The shared test server (trust auth). Override with TSFORGE_TEST_PG. */
export const PG_URL = process.env['TSFORGE_TEST_PG'] ?? 'postgres://postgres@127.0.0.1:5432/test';

/** A fresh schema name, unique per call: `tsf_<tag>_<random>`. */
export function randomSchema(tag = 'test'): string {
  return `tsf_${tag}_${randomBytes(6).toString('hex')}`;
}

/** Drops the schemas and everything in them. */
export async function dropSchemas(schemas: Iterable<string>, url = PG_URL): Promise<void> {
  const names = [...schemas];
  if (names.length === 0) return;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    for (const s of names) await client.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
  } finally {
    await client.end();
  }
}

/**
 * Fresh schemas for one test file: `fresh()` names a new one, `dropAll()` (call it in afterAll)
 * drops every schema it named.
 *
 *   const schemas = schemaScope('flows');
 *   afterAll(() => schemas.dropAll());
 *   const store = await PostgresStore.open({ connectionString: PG_URL, schema: schemas.fresh() });
 */
export function schemaScope(tag = 'test', url = PG_URL): { fresh(): string; dropAll(): Promise<void> } {
  const named = new Set<string>();
  return {
    fresh() {
      const s = randomSchema(tag);
      named.add(s);
      return s;
    },
    async dropAll() {
      await dropSchemas(named, url);
      named.clear();
    },
  };
}

/** A TCP port nobody listens on right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

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
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    stop: () => stop('fast'),
    start,
    async destroy() {
      if (destroyed) return;
      destroyed = true;
      if (running) await stop('immediate').catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
