import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Synchronizer tokens for the login and consent forms: an HMAC of the session id and the form's
 * purpose under a key of its own. A page embeds the token; the POST must bring it back with the
 * same session cookie. A forged cross-site POST has neither the cookie (SameSite=Lax) nor the
 * token, and a token from one form does not open the other.
 */
export class CsrfTokens {
  readonly #key: Buffer;

  constructor(key: Buffer) {
    if (key.length < 32) throw new TypeError('CsrfTokens: key must be at least 32 bytes');
    this.#key = key;
  }

  issue(sessionId: string, form: 'login' | 'consent'): string {
    return createHmac('sha256', this.#key).update(`${form}\0${sessionId}`).digest('base64url');
  }

  verify(sessionId: string, form: 'login' | 'consent', token: unknown): boolean {
    if (typeof token !== 'string' || token.length > 100) return false;
    const given = Buffer.from(token, 'base64url');
    const expected = Buffer.from(this.issue(sessionId, form), 'base64url');
    return given.length === expected.length && timingSafeEqual(given, expected);
  }
}
