import { describe, expect, it } from 'vitest';
import { VerifiedJwts } from '../src/token-formats/verified-jwts.js';

const entry = (key: string, expiresAt: number) => ({ key, kid: 'k1', issuer: 'https://as.example', audience: 'https://as.example', expiresAt });

describe('VerifiedJwts (the JWT verification cache)', () => {
  it('RFC 7519 §4.1.4: an entry is used until the millisecond before exp, never on or after it', () => {
    const cache = new VerifiedJwts();
    cache.set('t', entry('jti:a', 10_000));
    expect(cache.get('t', 9_999)?.key).toBe('jti:a');
    expect(cache.get('t', 10_000)).toBeUndefined();
    // Gone for good: an earlier clock does not bring it back.
    expect(cache.get('t', 0)).toBeUndefined();
  });

  it('holds at most its bound, dropping the oldest entry first', () => {
    const cache = new VerifiedJwts(2);
    cache.set('a', entry('jti:a', 10_000));
    cache.set('b', entry('jti:b', 10_000));
    cache.set('c', entry('jti:c', 10_000));
    expect(cache.get('a', 0)).toBeUndefined();
    expect(cache.get('b', 0)?.key).toBe('jti:b');
    expect(cache.get('c', 0)?.key).toBe('jti:c');
  });

  it('matches the exact token string only', () => {
    const cache = new VerifiedJwts();
    cache.set('h.p.s', entry('jti:a', 10_000));
    expect(cache.get('h.p.s ', 0)).toBeUndefined();
    expect(cache.get('h.p.S', 0)).toBeUndefined();
  });
});
