import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { migratePostgres, POSTGRES_SCHEMA_VERSION, PostgresStore } from '../src/postgres/index.js';
import { OAuth2StoreError } from '../src/store-error.js';
import { PG_URL, schemaScope } from './postgres-helpers.js';

const schemas = schemaScope('migr');
afterAll(() => schemas.dropAll());

const versions = async (schema: string): Promise<number[]> => {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    const { rows } = await client.query<{ version: number }>(`SELECT version FROM "${schema}".tsforge_oauth2_migrations ORDER BY version`);
    return rows.map((r) => r.version);
  } finally {
    await client.end();
  }
};
const allVersions = Array.from({ length: POSTGRES_SCHEMA_VERSION }, (_, i) => i + 1);

describe('PostgresStore migrations', () => {
  it('6 concurrent opens (separate pools) of a fresh schema all succeed and migrate it exactly once', async () => {
    const schema = schemas.fresh();
    const stores = await Promise.all(Array.from({ length: 6 }, () => PostgresStore.open({ connectionString: PG_URL, schema, max: 1 })));
    for (const s of stores) await expect(s.ping()).resolves.toBeUndefined();
    await Promise.all(stores.map((s) => s.close()));
    expect(await versions(schema)).toEqual(allVersions);
  });

  // Child processes load the built package (`tsc -b` runs before the tests in `npm test`).
  const dist = join(dirname(fileURLToPath(import.meta.url)), '../dist/postgres/index.js');
  it.skipIf(!existsSync(dist))('6 processes opening a fresh schema at the same moment: all succeed, one set of version rows', async () => {
    const schema = schemas.fresh();
    const script = `
      const { PostgresStore } = await import(${JSON.stringify(dist)});
      const store = await PostgresStore.open({ connectionString: process.argv[1], schema: process.argv[2], max: 1 });
      await store.ping();
      await store.close();
      console.log('ok');`;
    const run = promisify(execFile);
    const outs = await Promise.all(
      Array.from({ length: 6 }, () => run(process.execPath, ['--input-type=module', '-e', script, PG_URL, schema])),
    );
    expect(outs.map((o) => o.stdout.trim())).toEqual(Array(6).fill('ok'));
    expect(await versions(schema)).toEqual(allVersions);
  });

  it('migratePostgres reports from/to, then nothing to do; open with migrate: false then works', async () => {
    const schema = schemas.fresh();
    expect(await migratePostgres({ connectionString: PG_URL, schema })).toEqual({ from: 0, to: POSTGRES_SCHEMA_VERSION });
    expect(await migratePostgres({ connectionString: PG_URL, schema })).toEqual({ from: POSTGRES_SCHEMA_VERSION, to: POSTGRES_SCHEMA_VERSION });
    const store = await PostgresStore.open({ connectionString: PG_URL, schema, migrate: false });
    await expect(store.clients.list()).resolves.toEqual([]);
    await store.close();
  });

  it('migrate: false on an unmigrated schema fails at open with a clear error, not at the first query', async () => {
    const schema = schemas.fresh();
    const err = await PostgresStore.open({ connectionString: PG_URL, schema, migrate: false }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toContain(`"${schema}" is at version 0`);
    expect((err as Error).message).toContain('migratePostgres');
  });

  it('refuses a schema written by a newer version with OAuth2StoreError "schema_too_new" (with and without migrate)', async () => {
    const schema = schemas.fresh();
    await migratePostgres({ connectionString: PG_URL, schema });
    const pool = new pg.Pool({ connectionString: PG_URL, max: 1 });
    await pool.query(`INSERT INTO "${schema}".tsforge_oauth2_migrations (version) VALUES ($1)`, [POSTGRES_SCHEMA_VERSION + 1]);
    for (const migrate of [true, false]) {
      const err = await PostgresStore.open({ pool, schema, migrate }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(OAuth2StoreError);
      expect((err as OAuth2StoreError).code).toBe('schema_too_new');
      expect((err as Error).message).toContain(`schema version ${POSTGRES_SCHEMA_VERSION + 1}`);
    }
    // The caller's pool is left open and listener-free after a failed open.
    expect(pool.listenerCount('error')).toBe(0);
    await expect(pool.query('SELECT 1')).resolves.toBeTruthy();
    await pool.end();
  });

  it("a schema holding another application's tables: refused with what to do, and left as it was", async () => {
    const schema = schemas.fresh();
    const client = new pg.Client({ connectionString: PG_URL });
    await client.connect();
    try {
      await client.query(`CREATE SCHEMA "${schema}"; CREATE TABLE "${schema}".clients (id int)`);
      const err = await migratePostgres({ connectionString: PG_URL, schema }).catch((e: unknown) => e);
      expect((err as Error).message).toBe(
        `PostgresStore: the schema "${schema}" holds tables tsforge did not make (relation "clients" already exists); ` +
          'give tsforge a database or schema of its own',
      );
      const { rows } = await client.query<{ table_name: string }>('SELECT table_name FROM information_schema.tables WHERE table_schema = $1', [schema]);
      expect(rows.map((r) => r.table_name)).toEqual(['clients']);
    } finally {
      await client.end();
    }
  });

  it('uses the PostgreSQL types: timestamptz instants, text[] lists, cascading foreign keys, partial indexes', async () => {
    const schema = schemas.fresh();
    await migratePostgres({ connectionString: PG_URL, schema });
    const client = new pg.Client({ connectionString: PG_URL });
    await client.connect();
    const cols = await client.query<{ column_name: string; data_type: string }>(
      `SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'access_tokens' ORDER BY column_name`, [schema],
    );
    const indexes = await client.query<{ indexname: string; indexdef: string }>('SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = $1', [schema]);
    const fks = await client.query<{ confdeltype: string }>(
      `SELECT c.confdeltype FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace WHERE n.nspname = $1 AND c.contype = 'f'`, [schema],
    );
    await client.end();
    expect(Object.fromEntries(cols.rows.map((r) => [r.column_name, r.data_type]))).toEqual({
      client_id: 'text', created_at: 'timestamp with time zone', expires_at: 'timestamp with time zone', grant_id: 'text',
      hash: 'text', scopes: 'ARRAY', user_id: 'text',
    });
    expect(indexes.rows.find((r) => r.indexname === 'access_tokens_grant_id')?.indexdef).toContain('WHERE (grant_id IS NOT NULL)');
    expect(indexes.rows.find((r) => r.indexname === 'refresh_tokens_user_id')?.indexdef).toContain('WHERE (user_id IS NOT NULL)');
    expect(fks.rows.map((r) => r.confdeltype)).toEqual(['c', 'c', 'c', 'c']);
  });

  it('rejects bad options with a TypeError', async () => {
    await expect(PostgresStore.open({})).rejects.toThrow(TypeError);
    await expect(PostgresStore.open({ connectionString: PG_URL, pool: new pg.Pool() })).rejects.toThrow(TypeError);
    await expect(PostgresStore.open({ connectionString: PG_URL, schema: 'bad"; DROP' })).rejects.toThrow(TypeError);
    await expect(PostgresStore.open({ connectionString: PG_URL, schema: 'Upper' })).rejects.toThrow(TypeError);
    await expect(PostgresStore.open({ connectionString: PG_URL, max: 0 })).rejects.toThrow(TypeError);
    await expect(migratePostgres({})).rejects.toThrow(TypeError);
  });
});
