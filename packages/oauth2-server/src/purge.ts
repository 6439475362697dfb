import type { OAuth2Store } from './store.js';

export interface PurgeResult {
  authorizationCodes: number;
  accessTokens: number;
  refreshTokens: number;
  signingKeys: number;
}

/**
 * Housekeeping the server runs on an interval: deletes what can no longer be valid at `now`.
 * Each kind is one `DELETE ... WHERE expires_at <= ?`, so it is safe to run from many processes.
 * Consumed codes and rotated refresh tokens stay until they expire: that is what lets a replay
 * be detected (RFC 6749 §4.1.2, RFC 9700 §4.14.2).
 */
export async function purgeExpired(store: OAuth2Store, now: Date): Promise<PurgeResult> {
  return {
    authorizationCodes: await store.authorizationCodes.deleteExpired(now),
    accessTokens: await store.accessTokens.deleteExpired(now),
    refreshTokens: await store.refreshTokens.deleteExpired(now),
    signingKeys: await store.signingKeys.deleteExpired(now),
  };
}
