import { createHmac, createSecretKey, hkdfSync, type KeyObject, randomBytes, timingSafeEqual } from 'node:crypto';

const SALT_BYTES = 16;
const b64url = (b: Buffer): string => b.toString('base64url');

// A KeyObject, not a Buffer: createHmac then skips importing the key on every call (bench:
// ~40% of an HMAC of a token).
function subkey(secretKey: Uint8Array, purpose: string): KeyObject {
  return createSecretKey(Buffer.from(hkdfSync('sha256', secretKey, new Uint8Array(0), `tsforge/oauth2-server ${purpose}`, 32)));
}

/** Stored client-secret hashes kept parsed; a server has few clients, the bound is for safety. */
const MAX_PARSED = 1024;
interface Verifier { salt: Buffer; mac: Buffer }

/**
 * Every secret and token at rest is a keyed hash. Two subkeys are derived from the server's
 * secretKey with HKDF-SHA256 (info "tsforge/oauth2-server client-secret v1" and
 * "... token v1"), so a hash of one kind can never be replayed as the other.
 *
 * - client secret: `v1$<salt>$<HMAC-SHA256(kSecret, salt || secret)>`, base64url parts,
 *   16-byte random salt.
 * - token: base64url(HMAC-SHA256(kToken, token)) — no salt, because it must be looked up
 *   by hash; 256-bit random tokens make a salt unnecessary.
 *
 * HMAC, not scrypt: the inputs are 256-bit random values, so stretching buys nothing and
 * would sit on the hot path.
 */
export class KeyedHasher {
  #secretKey: KeyObject;
  #tokenKey: KeyObject;
  #dummy: Verifier;
  #parsed = new Map<string, Verifier | null>();

  constructor(secretKey: Uint8Array) {
    this.#secretKey = subkey(secretKey, 'client-secret v1');
    this.#tokenKey = subkey(secretKey, 'token v1');
    this.#dummy = parse(this.hashClientSecret(b64url(randomBytes(32))))!;
  }

  hashClientSecret(secret: string): string {
    const salt = randomBytes(SALT_BYTES);
    return `v1$${b64url(salt)}$${b64url(this.#mac(salt, secret))}`;
  }

  /**
   * Constant-time check. With `stored === null` (unknown or public client) a dummy hash is
   * still computed and compared, so the response time does not reveal whether the id exists.
   */
  verifyClientSecret(stored: string | null, presented: string): boolean {
    const real = stored === null ? null : this.#verifier(stored);
    const target = real ?? this.#dummy;
    const actual = this.#mac(target.salt, presented);
    const equal = actual.length === target.mac.length && timingSafeEqual(actual, target.mac);
    return equal && real !== null;
  }

  hashToken(token: string): string {
    return createHmac('sha256', this.#tokenKey).update(token, 'utf8').digest('base64url');
  }

  /** The parsed form of a stored hash: keyed by what the store holds, never by what a caller presented. */
  #verifier(stored: string): Verifier | null {
    let v = this.#parsed.get(stored);
    if (v === undefined) {
      v = parse(stored);
      if (this.#parsed.size >= MAX_PARSED) this.#parsed.clear();
      this.#parsed.set(stored, v);
    }
    return v;
  }

  #mac(salt: Buffer, secret: string): Buffer {
    return createHmac('sha256', this.#secretKey).update(salt).update(secret, 'utf8').digest();
  }
}

function parse(stored: string): Verifier | null {
  const parts = stored.split('$');
  if (parts.length !== 3 || parts[0] !== 'v1') return null;
  return { salt: Buffer.from(parts[1]!, 'base64url'), mac: Buffer.from(parts[2]!, 'base64url') };
}
