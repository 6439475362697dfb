import { randomFillSync } from 'node:crypto';

/**
 * Random bytes as lowercase hex, drawn from a buffer that is refilled from the system's CSPRNG
 * once it is used up. `randomBytes(n)` costs ~7 µs per call on Node 20 however small `n` is
 * (a round trip into OpenSSL each time); trace and span ids are needed on every request, and two
 * such calls were about half of what the request plumbing cost (bench/http-stack.mjs). Drawing
 * from a 4 KiB pool costs ~0.2 µs. Node's own `randomUUID()` caches its entropy the same way.
 * Each byte is handed out once; the ids stay as unpredictable as `randomBytes` makes them.
 */
export class RandomHexPool {
  readonly #pool: Buffer;
  #offset: number;

  constructor(size = 4096) {
    this.#pool = Buffer.allocUnsafe(size);
    this.#offset = size; // filled on first use, not at import
  }

  /** `bytes` random bytes (at most the pool's size) as `2 * bytes` hex digits. */
  hex(bytes: number): string {
    if (this.#offset + bytes > this.#pool.length) {
      randomFillSync(this.#pool);
      this.#offset = 0;
    }
    const start = this.#offset;
    this.#offset += bytes;
    return this.#pool.toString('hex', start, start + bytes);
  }
}
