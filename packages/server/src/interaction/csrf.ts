import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Synchronizer tokens for the login and consent forms: an HMAC of the session id, the form's
 * purpose and what the form is bound to, under a key of its own. A page embeds the token; the
 * POST must bring it back with the same session cookie and the same binding. A forged cross-site
 * POST has neither the cookie (SameSite=Lax) nor the token, a token from one form does not open
 * the other, and a consent token does not approve a request other than the one shown.
 */
export class CsrfTokens {
  readonly #key: Buffer;

  constructor(key: Buffer) {
    if (key.length < 32) throw new TypeError('CsrfTokens: key must be at least 32 bytes');
    this.#key = key;
  }

  /** `boundTo`: text the POST must reproduce exactly (the consent form's authorization request). */
  issue(sessionId: string, form: 'login' | 'consent', boundTo = ''): string {
    return createHmac('sha256', this.#key).update(`${form}\0${sessionId}\0${boundTo}`).digest('base64url');
  }

  verify(sessionId: string, form: 'login' | 'consent', token: unknown, boundTo = ''): boolean {
    if (typeof token !== 'string' || token.length > 100) return false;
    const given = Buffer.from(token, 'base64url');
    const expected = Buffer.from(this.issue(sessionId, form, boundTo), 'base64url');
    return given.length === expected.length && timingSafeEqual(given, expected);
  }
}
