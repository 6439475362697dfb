import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** What the browser session holds: a random id (binds CSRF tokens), the signed-in user, a one-shot notice. */
export interface Session {
  /** Random, rotated at sign-in (no session fixation). */
  id: string;
  userId: string | null;
  /** A message for the next page, e.g. after a failed sign-in (shown once). */
  notice: string | null;
  /** The username of a failed sign-in, to fill the form in again with the notice. */
  username: string | null;
  /** Seconds since the epoch. */
  expiresAt: number;
}

export interface SessionCookieOptions {
  /** HKDF-derived from the server secret; used for nothing else. */
  key: Buffer;
  /** Secure cookies when the issuer is https. */
  secure: boolean;
  /** Seconds a session lasts without a new sign-in; default 8 hours. */
  ttl?: number;
  clock?: () => number;
}

export const SESSION_COOKIE = 'tsforge_session';

/**
 * The login session as a signed cookie: `base64url(json).base64url(hmac-sha256)`. Nothing is
 * kept on the server, so several processes share sessions through the server secret alone.
 * The cookie is HttpOnly and SameSite=Lax (sent on the top-level GET that follows a client's
 * redirect, never on a cross-site POST), Secure over https.
 */
export class SessionCookies {
  readonly #key: Buffer;
  readonly #secure: boolean;
  readonly #ttl: number;
  readonly #clock: () => number;

  constructor(o: SessionCookieOptions) {
    if (o.key.length < 32) throw new TypeError('SessionCookies: key must be at least 32 bytes');
    this.#key = o.key;
    this.#secure = o.secure;
    this.#ttl = o.ttl ?? 8 * 3600;
    this.#clock = o.clock ?? Date.now;
  }

  /** A new anonymous session (fresh id). */
  create(userId: string | null = null): Session {
    return { id: randomBytes(18).toString('base64url'), userId, notice: null, username: null, expiresAt: Math.floor(this.#clock() / 1000) + this.#ttl };
  }

  /** The session in a Cookie header, or null when absent, forged or expired. */
  read(cookieHeader: string | undefined): Session | null {
    const value = cookieValue(cookieHeader, SESSION_COOKIE);
    if (!value) return null;
    const dot = value.indexOf('.');
    if (dot < 1) return null;
    const payload = value.slice(0, dot);
    const mac = Buffer.from(value.slice(dot + 1), 'base64url');
    const expected = this.#mac(payload);
    if (mac.length !== expected.length || !timingSafeEqual(mac, expected)) return null;
    let data: unknown;
    try {
      data = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    } catch {
      return null;
    }
    const s = data as Partial<Session>;
    if (typeof s.id !== 'string' || typeof s.expiresAt !== 'number') return null;
    if (s.expiresAt <= Math.floor(this.#clock() / 1000)) return null;
    return {
      id: s.id,
      userId: typeof s.userId === 'string' ? s.userId : null,
      notice: typeof s.notice === 'string' ? s.notice : null,
      username: typeof s.username === 'string' ? s.username : null,
      expiresAt: s.expiresAt,
    };
  }

  /** The Set-Cookie value for `session`. */
  serialize(session: Session): string {
    const payload = Buffer.from(JSON.stringify(session)).toString('base64url');
    const value = `${payload}.${this.#mac(payload).toString('base64url')}`;
    const maxAge = Math.max(0, session.expiresAt - Math.floor(this.#clock() / 1000));
    return `${SESSION_COOKIE}=${value}; Path=/oauth; Max-Age=${maxAge}; HttpOnly; SameSite=Lax${this.#secure ? '; Secure' : ''}`;
  }

  #mac(payload: string): Buffer {
    return createHmac('sha256', this.#key).update('session\0').update(payload).digest();
  }
}

/** One cookie's value from a Cookie header (RFC 6265 §5.4 syntax: `a=b; c=d`). */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq !== -1 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}
