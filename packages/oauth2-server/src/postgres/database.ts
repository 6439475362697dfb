import { createHash } from 'node:crypto';
import pg from 'pg';
import { OAuth2StoreError } from '../store-error.js';

/** A schema name we can interpolate: an unquoted PostgreSQL identifier, lower case, at most 63 bytes. */
const PLAIN_IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

export function validateSchema(schema: string): string {
  if (typeof schema !== 'string' || !PLAIN_IDENTIFIER.test(schema)) {
    throw new TypeError(`PostgresStore: schema must match ${PLAIN_IDENTIFIER} (got ${JSON.stringify(schema)})`);
  }
  return schema;
}

/**
 * Whether PostgreSQL text can hold `key`: not with a NUL character (the server refuses it, 22021).
 * No row has such a key, so a lookup by one (a client_id or username as a request sent it) finds
 * nothing instead of failing.
 */
export function storable(key: string): boolean {
  return !key.includes('\0');
}

/** One statement, prepared per connection under a name derived from its text (so equal texts share a plan). */
export interface Statement<A extends unknown[], R> {
  rows(...args: A): Promise<R[]>;
  first(...args: A): Promise<R | undefined>;
  /** Rows written by an INSERT, UPDATE or DELETE. */
  count(...args: A): Promise<number>;
}

/**
 * The store's way to the pool: table names qualified with the schema, named statements, a
 * client-side read timeout on every query (a caller-owned pool may have none), the `closed`
 * check, and the count of calls in flight that `close()` waits for.
 */
export class Database {
  readonly #pool: pg.Pool;
  readonly #schema: string;
  readonly #readTimeoutMs: number;
  #closed = false;
  #inFlight = 0;
  #drained: (() => void) | undefined;

  constructor(pool: pg.Pool, schema: string, readTimeoutMs: number) {
    this.#pool = pool;
    this.#schema = schema;
    this.#readTimeoutMs = readTimeoutMs;
  }

  /** `"schema".name`; the schema was validated, so quoting cannot be escaped. */
  table(name: string): string {
    return `"${this.#schema}".${name}`;
  }

  prepare<A extends unknown[], R = never>(text: string): Statement<A, R> {
    const name = `tsforge_${createHash('sha256').update(text).digest('hex').slice(0, 24)}`;
    const run = async (values: unknown[]): Promise<pg.QueryResult> => {
      this.assertOpen();
      const config = { name, text, values, query_timeout: this.#readTimeoutMs } as pg.QueryConfig;
      this.#inFlight++;
      try {
        const client = await this.#pool.connect();
        let broken: Error | undefined;
        // The pool listens for 'error' only on idle clients. A checked-out client whose server
        // goes away between queries (a shutdown's FATAL 57P01 parsed right after ReadyForQuery,
        // a reset socket) emits 'error' with no active query to reject: unheard, it would crash
        // the process. Heard, it only marks the client broken.
        const onError = (err: Error): void => {
          broken = err;
        };
        client.on('error', onError);
        try {
          return await client.query(config);
        } catch (err) {
          if (!healthyAfter(err)) broken = err as Error;
          throw err;
        } finally {
          client.off('error', onError);
          client.release(broken);
        }
      } finally {
        if (--this.#inFlight === 0) this.#drained?.();
      }
    };
    return {
      rows: async (...args) => (await run(args)).rows as R[],
      first: async (...args) => (await run(args)).rows[0] as R | undefined,
      count: async (...args) => (await run(args)).rowCount ?? 0,
    };
  }

  /**
   * Refuses new calls and resolves once the calls already started have settled. A pool that
   * ends while calls wait for a connection never serves them (they would hang until the
   * connection timeout), so the pool must end only after this.
   */
  close(): Promise<void> {
    this.#closed = true;
    if (this.#inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.#drained = resolve;
    });
  }

  assertOpen(): void {
    if (this.#closed) throw new OAuth2StoreError('closed', 'the store is closed');
  }
}

/**
 * Whether the connection is still good after `err`. `pool.query` would discard the connection
 * (and its prepared statements) after any error, but an error the server reports for one
 * statement (23505 for a taken username, 57014 for a statement timeout) leaves the session
 * usable. Not so a client-side read timeout, a lost socket, or SQLSTATE class 08 (connection),
 * 57P (shutdown) or XX (internal). (`severity` would tell too, but it is translated by lc_messages.)
 * The pool also drops any client whose socket has ended.
 */
function healthyAfter(err: unknown): boolean {
  return err instanceof pg.DatabaseError && typeof err.code === 'string' && !/^(08|57P|XX)/.test(err.code);
}

/** Rows per statement of a purge: each batch commits on its own, so no lock is held for long. */
export const PURGE_BATCH = 5000;

/**
 * Deletes in batches until a batch comes back short. `statement` takes ($1 = now, $2 = limit)
 * and deletes at most `limit` rows, skipping rows that a request holds locked right now.
 */
export async function deleteInBatches(statement: Statement<[string, number], never>, now: Date): Promise<number> {
  const at = now.toISOString();
  let total = 0;
  for (;;) {
    const n = await statement.count(at, PURGE_BATCH);
    total += n;
    if (n < PURGE_BATCH) return total;
  }
}

/** `DELETE` of up to $2 rows of `table` with `column <= $1`, by primary key. */
export function purgeSql(table: string, key: string, column: string): string {
  return `DELETE FROM ${table} WHERE ${key} IN (
    SELECT ${key} FROM ${table} WHERE ${column} <= $1 LIMIT $2 FOR UPDATE SKIP LOCKED)`;
}
