import { describe, expect, it } from 'vitest';
import { RandomPool } from '../src/internal/random-pool.js';
import { looksLike, newCredential } from '../src/internal/random.js';

describe('RandomPool', () => {
  it('never hands out the same bytes twice, across many refills of its 4 KiB', () => {
    const pool = new RandomPool();
    const seen = new Set<string>();
    // 2000 × 32 bytes = ~16 pools' worth, with odd sizes in between to misalign the refills.
    for (let i = 0; i < 2000; i++) {
      const s = pool.base64url(32);
      expect(s).toMatch(/^[A-Za-z0-9_-]{43}$/);
      seen.add(s);
      pool.base64url(1 + (i % 17));
    }
    expect(seen.size).toBe(2000);
  });

  it('gives the length asked for and refuses sizes it cannot give', () => {
    const pool = new RandomPool();
    expect(Buffer.from(pool.base64url(16), 'base64url')).toHaveLength(16);
    expect(Buffer.from(pool.base64url(4096), 'base64url')).toHaveLength(4096);
    expect(() => pool.base64url(0)).toThrow(RangeError);
    expect(() => pool.base64url(4097)).toThrow(RangeError);
  });

  it('credentials keep their 256-bit shape (RFC 6749 §10.10)', () => {
    const token = newCredential('accessToken');
    expect(looksLike('accessToken', token)).toBe(true);
    expect(Buffer.from(token.slice('tfat_'.length), 'base64url')).toHaveLength(32);
  });
});
