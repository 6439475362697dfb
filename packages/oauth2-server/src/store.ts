import type { AccessTokenRecord, ClientRecord } from './types.js';

/**
 * Storage is split by concern, like fosite's storage interfaces: the next grants add
 * `authorizationCodes` and `refreshTokens` beside these. Every implementation must pass
 * `storeContract` from `@tsforge/oauth2-server/testing`.
 *
 * Failures that callers may branch on are `OAuth2StoreError`s: `conflict` (duplicate key),
 * `unknown_client` (token saved for a client that does not exist), `closed`.
 */
export interface ClientStore {
  /** Rejects with `conflict` when the id exists. */
  create(c: ClientRecord): Promise<void>;
  get(id: string): Promise<ClientRecord | null>;
  /** Ordered by `createdAt`, then `id`. */
  list(): Promise<ClientRecord[]>;
  /** Also deletes every token of the client. False when there was no such client. */
  delete(id: string): Promise<boolean>;
}

export interface AccessTokenStore {
  /** Rejects with `conflict` for a known hash and `unknown_client` for a missing client. */
  save(t: AccessTokenRecord): Promise<void>;
  /** Returns the record even when expired: expiry is decided by the caller's clock. */
  find(hash: string): Promise<AccessTokenRecord | null>;
  deleteByClient(clientId: string): Promise<number>;
  /** Housekeeping: removes tokens with `expiresAt <= now`; returns how many. */
  deleteExpired(now: Date): Promise<number>;
}

export interface OAuth2Store {
  clients: ClientStore;
  accessTokens: AccessTokenStore;
  /** Resolves when the store can serve requests (readiness probes). */
  ping(): Promise<void>;
  /** Idempotent; afterwards every operation rejects with `closed`. */
  close(): Promise<void>;
}
