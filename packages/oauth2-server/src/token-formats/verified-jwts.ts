/**
 * JWTs whose signature and claims were verified, by token string, so a resource server that sees
 * the same token on every request pays for the signature check (~200 µs of CPU for ES256) once.
 * Only what verification concluded is kept; the caller still looks the token up in the store on
 * every request, which is what honours revocation at once. An entry is used only while its
 * `exp` has not passed, its key is still published, and issuer and audience are unchanged.
 */
export interface VerifiedJwt {
  /** The store key the token maps to (`jti:...`). */
  key: string;
  kid: string;
  issuer: string;
  audience: string;
  /** The `exp` claim in milliseconds: the entry is dead from then on. */
  expiresAt: number;
}

export class VerifiedJwts {
  readonly #entries = new Map<string, VerifiedJwt>();
  readonly #max: number;

  constructor(max = 10_000) {
    this.#max = max;
  }

  /** The entry for this exact token, while `now` is before its `exp`. */
  get(token: string, now: number): VerifiedJwt | undefined {
    const entry = this.#entries.get(token);
    if (entry === undefined) return undefined;
    // RFC 7519 §4.1.4: "MUST NOT be accepted for processing" on or after exp.
    if (now >= entry.expiresAt) {
      this.#entries.delete(token);
      return undefined;
    }
    return entry;
  }

  set(token: string, entry: VerifiedJwt): void {
    // Bounded: the oldest entry goes first (a Map iterates in insertion order).
    if (this.#entries.size >= this.#max) this.#entries.delete(this.#entries.keys().next().value as string);
    this.#entries.set(token, entry);
  }

  delete(token: string): void {
    this.#entries.delete(token);
  }
}
