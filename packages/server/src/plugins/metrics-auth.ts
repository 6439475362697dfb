import { createHash, timingSafeEqual } from 'node:crypto';
import type { MetricsAuth } from '../config.js';

/** Whether an `Authorization` header carries the configured scrape credentials; the challenge to send when not. */
export interface MetricsGuard {
  allows(authorization: string | undefined): boolean;
  /** The `WWW-Authenticate` value of a 401 (RFC 9110 §11.6.1). */
  readonly challenge: string;
}

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/**
 * Compares in constant time: both sides are hashed first, so neither the length nor the first
 * differing byte of the secret shows in the time taken.
 */
export function metricsGuard(auth: MetricsAuth): MetricsGuard {
  if (auth.scheme === 'bearer') {
    const expected = digest(auth.token);
    return {
      // RFC 6750 §2.1: Authorization: Bearer <b64token>; the scheme is case-insensitive (RFC 9110 §11.1).
      allows: (header) => {
        const match = header === undefined ? null : /^bearer +(\S+) *$/i.exec(header);
        return match !== null && timingSafeEqual(digest(match[1]!), expected);
      },
      challenge: 'Bearer realm="metrics"',
    };
  }
  const expected = digest(`${auth.user}:${auth.password}`);
  return {
    // RFC 7617 §2: credentials = base64(user-id ":" password), UTF-8 when the challenge says so.
    allows: (header) => {
      const match = header === undefined ? null : /^basic +([A-Za-z0-9+/]+=*) *$/i.exec(header);
      return match !== null && timingSafeEqual(digest(Buffer.from(match[1]!, 'base64').toString('utf8')), expected);
    },
    challenge: 'Basic realm="metrics", charset="UTF-8"',
  };
}
