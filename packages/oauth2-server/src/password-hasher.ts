import { randomBytes, scrypt, type ScryptOptions, timingSafeEqual } from 'node:crypto';

export interface PasswordHasherOptions {
  /** log2 of scrypt's N. Default 15 (N = 32768, r = 8: 32 MiB and ~50–100 ms per hash). Minimum 14. */
  log2N?: number;
}

const R = 8;
const P = 1;
const KEY_BYTES = 32;
const SALT_BYTES = 16;
const FORMAT = /^scrypt\$v1\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9_-]{22})\$([A-Za-z0-9_-]{43})$/;

function derive(password: string, salt: Buffer, ln: number, r: number, p: number): Promise<Buffer> {
  const options: ScryptOptions = { N: 2 ** ln, r, p, maxmem: 256 * 2 ** ln * r + 1024 * 1024 };
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFC'), salt, KEY_BYTES, options, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

/**
 * User passwords: scrypt (memory-hard, in node:crypto), a 16-byte random salt per user, and a
 * self-describing string `scrypt$v1$ln=15,r=8,p=1$<salt>$<key>` so the cost can be raised
 * later and old hashes still verify (`needsRehash` tells when to upgrade one).
 *
 * Client secrets do NOT use this: they are 256-bit random values, where a keyed fast hash is
 * enough and a memory-hard one would cap the token endpoint at a few dozen requests/s.
 */
export class PasswordHasher {
  #ln: number;
  #dummy: Promise<string> | undefined;

  constructor(options: PasswordHasherOptions = {}) {
    const ln = options.log2N ?? 15;
    if (!Number.isInteger(ln) || ln < 14 || ln > 20) throw new TypeError('PasswordHasher: log2N must be an integer from 14 to 20');
    this.#ln = ln;
  }

  async hash(password: string): Promise<string> {
    if (typeof password !== 'string') throw new TypeError('PasswordHasher: password must be a string');
    const salt = randomBytes(SALT_BYTES);
    const key = await derive(password, salt, this.#ln, R, P);
    return `scrypt$v1$ln=${this.#ln},r=${R},p=${P}$${salt.toString('base64url')}$${key.toString('base64url')}`;
  }

  /**
   * Constant-time comparison. With `stored === null` (unknown user) the same scrypt work is
   * done against a dummy hash, so the response time is no oracle for which usernames exist.
   */
  async verify(stored: string | null, password: string): Promise<boolean> {
    const parsed = stored === null ? null : FORMAT.exec(stored);
    const target = parsed ?? FORMAT.exec(await this.#dummyHash())!;
    const [, ln, r, p, salt, key] = target as unknown as [string, string, string, string, string, string];
    const expected = Buffer.from(key, 'base64url');
    const actual = await derive(typeof password === 'string' ? password : '', Buffer.from(salt, 'base64url'), Number(ln), Number(r), Number(p));
    return timingSafeEqual(actual, expected) && parsed !== null;
  }

  /** True when the hash was made with weaker parameters than this hasher's. */
  needsRehash(stored: string): boolean {
    const m = FORMAT.exec(stored);
    return m === null || Number(m[1]) < this.#ln || Number(m[2]) !== R || Number(m[3]) !== P;
  }

  #dummyHash(): Promise<string> {
    this.#dummy ??= this.hash(randomBytes(16).toString('base64url'));
    return this.#dummy;
  }
}
