import { OAuth2StoreError } from '../store-error.js';

/** Maps SQLite constraint failures onto the store contract's codes; the driver error is the cause. */
export function mapWriteError(err: unknown, conflict: string): never {
  const code = (err as { code?: unknown }).code;
  if (code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE') {
    throw new OAuth2StoreError('conflict', conflict, { cause: err });
  }
  if (code === 'SQLITE_CONSTRAINT_FOREIGNKEY') {
    throw new OAuth2StoreError('unknown_client', 'the record refers to an unknown client', { cause: err });
  }
  throw err;
}
