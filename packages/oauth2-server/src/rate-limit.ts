/**
 * The backing counter of a rate limiter. One atomic operation, so a Redis implementation is
 * `INCR key` + `PEXPIRE key windowMs NX` (or one Lua script), and several processes share limits.
 */
export interface RateLimitStore {
  /** Adds 1 to the counter of `key` in the window starting at `windowStart` (ms); returns the new count. */
  increment(key: string, windowStart: number, windowMs: number): Promise<number>;
  /** The count of `key` in the window starting at `windowStart`, 0 when none. */
  get(key: string, windowStart: number): Promise<number>;
}

export interface RateLimiterOptions {
  /** Requests allowed per window for one key. */
  limit: number;
  /** Window length in milliseconds. */
  windowMs: number;
  store?: RateLimitStore;
  clock?: () => number;
}

export type RateLimitDecision =
  | { allowed: true; remaining: number }
  /** Answer 429 with `Retry-After: retryAfter` (seconds, RFC 9110 §10.2.3). */
  | { allowed: false; retryAfter: number };

/**
 * Fixed-window counters in process memory. Each key keeps its current and its previous window:
 * the sliding estimate needs both, also after the first request of a new window.
 */
export class MemoryRateLimitStore implements RateLimitStore {
  // Each entry keeps its own window length: limiters of different windows may share the store.
  #counts = new Map<string, { windowStart: number; windowMs: number; count: number; previousStart: number; previousCount: number }>();
  #lastSweep = 0;

  async increment(key: string, windowStart: number, windowMs: number): Promise<number> {
    this.#sweep(windowStart, windowMs);
    const entry = this.#counts.get(key);
    if (!entry) {
      this.#counts.set(key, { windowStart, windowMs, count: 1, previousStart: -1, previousCount: 0 });
      return 1;
    }
    if (entry.windowStart === windowStart) return ++entry.count;
    if (entry.windowStart > windowStart) return entry.count;
    entry.previousStart = entry.windowStart;
    entry.previousCount = entry.count;
    entry.windowStart = windowStart;
    entry.count = 1;
    return 1;
  }

  async get(key: string, windowStart: number): Promise<number> {
    const entry = this.#counts.get(key);
    if (!entry) return 0;
    if (entry.windowStart === windowStart) return entry.count;
    return entry.previousStart === windowStart ? entry.previousCount : 0;
  }

  /** Drops entries two of their own windows old: neither current nor previous any more. */
  #sweep(windowStart: number, windowMs: number): void {
    if (windowStart - this.#lastSweep < windowMs) return;
    this.#lastSweep = windowStart;
    for (const [k, v] of this.#counts) if (v.windowStart + 2 * v.windowMs <= windowStart) this.#counts.delete(k);
  }
}

/**
 * A sliding-window rate limiter (the two-fixed-windows approximation: the previous window's
 * count weighted by how much of it still overlaps). Keys are whatever the caller chooses —
 * `token:<client_id>`, `login:<ip>` — and never appear in errors or metrics.
 */
export class RateLimiter {
  #limit: number;
  #windowMs: number;
  #store: RateLimitStore;
  #clock: () => number;

  constructor(o: RateLimiterOptions) {
    if (!Number.isInteger(o?.limit) || o.limit < 1) throw new TypeError('RateLimiter: limit must be a positive integer');
    if (!Number.isInteger(o.windowMs) || o.windowMs < 1) throw new TypeError('RateLimiter: windowMs must be a positive integer');
    this.#limit = o.limit;
    this.#windowMs = o.windowMs;
    this.#store = o.store ?? new MemoryRateLimitStore();
    this.#clock = o.clock ?? Date.now;
  }

  /** Counts one request for `key` and says whether it may proceed. */
  consume(key: string): Promise<RateLimitDecision> {
    return this.#decide(key, true);
  }

  /**
   * Whether one more request for `key` would be allowed, without counting it: for limits that
   * count only failures (check first, `consume` after a failure).
   */
  peek(key: string): Promise<RateLimitDecision> {
    return this.#decide(key, false);
  }

  async #decide(key: string, count: boolean): Promise<RateLimitDecision> {
    const now = this.#clock();
    const windowStart = now - (now % this.#windowMs);
    const previous = await this.#store.get(key, windowStart - this.#windowMs);
    const current = count ? await this.#store.increment(key, windowStart, this.#windowMs) : (await this.#store.get(key, windowStart)) + 1;
    const overlap = 1 - (now - windowStart) / this.#windowMs;
    const estimate = previous * overlap + current;
    if (estimate <= this.#limit) return { allowed: true, remaining: Math.max(0, Math.floor(this.#limit - estimate)) };
    // When the previous window's weight has decayed enough, or the current window ends.
    const untilNext = windowStart + this.#windowMs - now;
    const decay = previous > 0 ? Math.max(0, ((estimate - this.#limit) / previous) * this.#windowMs) : untilNext;
    return { allowed: false, retryAfter: Math.max(1, Math.ceil(Math.min(decay, untilNext) / 1000)) };
  }
}
