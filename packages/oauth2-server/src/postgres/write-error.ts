import { OAuth2StoreError } from '../store-error.js';

/**
 * Maps PostgreSQL constraint failures onto the store contract's codes; the driver error is the
 * cause. 23505 unique_violation, 23503 foreign_key_violation (SQLSTATE, PostgreSQL Appendix A).
 */
export function mapWriteError(err: unknown, conflict: string): never {
  const code = (err as { code?: unknown } | null)?.code;
  if (code === '23505') throw new OAuth2StoreError('conflict', conflict, { cause: err });
  if (code === '23503') {
    throw new OAuth2StoreError('unknown_client', 'the record refers to an unknown client', { cause: err });
  }
  throw err;
}
