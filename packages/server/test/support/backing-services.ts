import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { Redis } from 'ioredis';
import { afterAll, beforeAll } from 'vitest';

/** The PostgreSQL every developer's and CI's machine runs (trust auth). */
export const SHARED_POSTGRES = 'postgres://postgres@127.0.0.1:5432/test';

/** A database of its own for the enclosing suite on the shared PostgreSQL, dropped after it. */
export function postgresForSuite(): { url(): string } {
  const name = `tsforge_t_${randomBytes(6).toString('hex')}`;
  let created = false;
  beforeAll(async () => {
    await admin(`CREATE DATABASE ${name}`);
    created = true;
  });
  afterAll(async () => {
    if (created) await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  });
  return { url: () => `postgres://postgres@127.0.0.1:5432/${name}` };
}

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: SHARED_POSTGRES });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/**
 * One of the shared Redis's numbered databases for the enclosing suite, emptied before and after.
 * Each test file that uses Redis takes its own number, so files running in parallel never meet.
 */
export function redisForSuite(db: number): { url: string; client(): Redis } {
  const url = `redis://127.0.0.1:6379/${db}`;
  let client: Redis | undefined;
  beforeAll(async () => {
    client = new Redis(url, { lazyConnect: true });
    await client.connect();
    await client.flushdb();
  });
  afterAll(async () => {
    await client?.flushdb();
    client?.disconnect();
  });
  return {
    url,
    client: () => {
      if (!client) throw new Error('redis has not connected yet');
      return client;
    },
  };
}

/** A master secret file, as an operator gives every instance (`openssl rand -hex 32`). */
export function sharedSecretFile(dir: string): string {
  const path = join(dir, 'shared-secret.key');
  writeFileSync(path, randomBytes(32).toString('hex') + '\n', { mode: 0o600 });
  return path;
}
