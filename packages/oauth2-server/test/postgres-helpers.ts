import { randomBytes } from 'node:crypto';
import pg from 'pg';

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

export { freePort, startThrowawayPostgres, type ThrowawayPostgres } from '../src/testing/index.js';
