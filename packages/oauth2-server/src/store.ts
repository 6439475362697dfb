import type {
  AccessTokenRecord,
  AuthorizationCodeRecord,
  ClientRecord,
  ConsentRecord,
  RefreshTokenRecord,
  SigningKeyRecord,
  UserRecord,
} from './types.js';

/**
 * Storage is split by concern, like fosite's storage interfaces. Every implementation must
 * pass `storeContract` from `@tsforge/oauth2-server/testing`.
 *
 * Written for any database: every method is async, every state change that must be atomic is
 * specified as ONE conditional write (`UPDATE ... WHERE consumed_at IS NULL`), never as a
 * read-then-write, so a PostgreSQL store needs no explicit transactions or locks.
 *
 * Failures that callers may branch on are `OAuth2StoreError`s: `conflict` (duplicate key),
 * `unknown_client` (record saved for a client that does not exist), `closed`.
 * Records passed in and returned are never shared with the store's state.
 */
export interface ClientStore {
  /** Rejects with `conflict` when the id exists. */
  create(c: ClientRecord): Promise<void>;
  get(id: string): Promise<ClientRecord | null>;
  /** Ordered by `createdAt`, then `id`. */
  list(): Promise<ClientRecord[]>;
  /** Also deletes every code, token and consent of the client. False when there was no such client. */
  delete(id: string): Promise<boolean>;
}

export interface AccessTokenStore {
  /** Rejects with `conflict` for a known hash and `unknown_client` for a missing client. */
  save(t: AccessTokenRecord): Promise<void>;
  /** Returns the record even when expired: expiry is decided by the caller's clock. */
  find(hash: string): Promise<AccessTokenRecord | null>;
  /** Revocation of one token. False when it did not exist. */
  delete(hash: string): Promise<boolean>;
  deleteByClient(clientId: string): Promise<number>;
  /** Revokes every access token of a grant family; returns how many. */
  deleteByGrant(grantId: string): Promise<number>;
  /** Housekeeping: removes tokens with `expiresAt <= now`; returns how many. */
  deleteExpired(now: Date): Promise<number>;
}

/** The outcome of an atomic consume. */
export type ConsumeResult<R> =
  | { status: 'consumed'; record: R }
  /** Someone consumed it before; `record` shows when (`consumedAt` / `rotatedAt`). */
  | { status: 'already_consumed'; record: R }
  | { status: 'not_found' };

export interface AuthorizationCodeStore {
  /** Rejects with `conflict` for a known hash and `unknown_client` for a missing client. */
  save(c: AuthorizationCodeRecord): Promise<void>;
  /**
   * Atomically marks the code consumed at `now` if it was not: among any number of concurrent
   * callers exactly one gets `consumed`. A consumed code stays (so a replay can be detected)
   * until `deleteExpired`. One conditional UPDATE; the read after it only classifies a loss.
   */
  consume(hash: string, now: Date): Promise<ConsumeResult<AuthorizationCodeRecord>>;
  find(hash: string): Promise<AuthorizationCodeRecord | null>;
  /** Records a replay (sets `replayedAt` if unset), so a concurrent winner revokes what it issued. */
  markReplayed(hash: string, now: Date): Promise<void>;
  deleteExpired(now: Date): Promise<number>;
}

export interface RefreshTokenStore {
  save(t: RefreshTokenRecord): Promise<void>;
  find(hash: string): Promise<RefreshTokenRecord | null>;
  /**
   * Atomic rotation: marks the token rotated at `now` if it was not and belongs to `clientId`.
   * Exactly one of any number of concurrent callers gets `consumed`. A token of another client
   * is `not_found` and left untouched.
   */
  consume(hash: string, clientId: string, now: Date): Promise<ConsumeResult<RefreshTokenRecord>>;
  delete(hash: string): Promise<boolean>;
  /** Revokes the whole family (RFC 9700 §4.14.2); returns how many. */
  deleteByGrant(grantId: string): Promise<number>;
  deleteExpired(now: Date): Promise<number>;
}

export interface UserStore {
  /** Rejects with `conflict` when the id or the username exists. */
  create(u: UserRecord): Promise<void>;
  get(id: string): Promise<UserRecord | null>;
  findByUsername(username: string): Promise<UserRecord | null>;
  /** Ordered by `createdAt`, then `id`. */
  list(): Promise<UserRecord[]>;
  /**
   * Also deletes everything the user granted: consents, authorization codes, access and refresh
   * tokens (one transaction where the database has them). False when there was no such user.
   */
  delete(id: string): Promise<boolean>;
  /** Replaces the password hash; false for an unknown user. */
  setPasswordHash(id: string, passwordHash: string): Promise<boolean>;
}

export interface ConsentStore {
  get(userId: string, clientId: string): Promise<ConsentRecord | null>;
  /** Insert or replace (one upsert). Rejects with `unknown_client` for a missing client. */
  save(c: ConsentRecord): Promise<void>;
  delete(userId: string, clientId: string): Promise<boolean>;
}

export interface SigningKeyStore {
  /** Rejects with `conflict` for a known kid. */
  create(k: SigningKeyRecord): Promise<void>;
  /** Ordered by `createdAt`, then `kid`. */
  list(): Promise<SigningKeyRecord[]>;
  /** Stops a key signing: sets `retiredAt` and `publishUntil` if it was not retired. */
  retire(kid: string, retiredAt: Date, publishUntil: Date): Promise<boolean>;
  /** Removes retired keys whose `publishUntil <= now`. */
  deleteExpired(now: Date): Promise<number>;
}

export interface OAuth2Store {
  clients: ClientStore;
  accessTokens: AccessTokenStore;
  authorizationCodes: AuthorizationCodeStore;
  refreshTokens: RefreshTokenStore;
  users: UserStore;
  consents: ConsentStore;
  signingKeys: SigningKeyStore;
  /** Resolves when the store can serve requests (readiness probes). */
  ping(): Promise<void>;
  /** Idempotent; afterwards every operation rejects with `closed`. */
  close(): Promise<void>;
}
