import { MemoryRateLimitStore, type RateLimitStore } from './rate-limit.js';

export interface DegradingRateLimitStoreOptions {
  /** The shared store (Redis). */
  primary: RateLimitStore;
  /** Local limits while the primary fails; a `MemoryRateLimitStore` by default. */
  fallback?: RateLimitStore;
  /** Called once when the primary starts failing (log it: limits are per process now). */
  onDegraded?(err: unknown): void;
  /** Called once when the primary answers again. */
  onRestored?(): void;
  /** How long to stay on the fallback before one request probes the primary again; 2000 ms by default. */
  retryMs?: number;
  clock?: () => number;
}

/**
 * A rate-limit store that keeps answering when its shared store is down: failures switch to
 * local limits, and one request every `retryMs` tries the shared store again. It never waits
 * longer than the primary takes to fail, so give the primary a client that fails fast (for
 * ioredis: `enableOfflineQueue: false` and a `commandTimeout`).
 */
export class DegradingRateLimitStore implements RateLimitStore {
  #primary: RateLimitStore;
  #fallback: RateLimitStore;
  #onDegraded: (err: unknown) => void;
  #onRestored: () => void;
  #retryMs: number;
  #clock: () => number;
  #degraded = false;
  /** While degraded, the time after which the next request probes the primary. */
  #probeAt = 0;

  constructor(o: DegradingRateLimitStoreOptions) {
    if (!o?.primary) throw new TypeError('DegradingRateLimitStore: primary is required');
    const retryMs = o.retryMs ?? 2000;
    if (!Number.isInteger(retryMs) || retryMs < 1) throw new TypeError('DegradingRateLimitStore: retryMs must be a positive integer');
    this.#primary = o.primary;
    this.#fallback = o.fallback ?? new MemoryRateLimitStore();
    this.#onDegraded = o.onDegraded ?? (() => {});
    this.#onRestored = o.onRestored ?? (() => {});
    this.#retryMs = retryMs;
    this.#clock = o.clock ?? Date.now;
  }

  /** True while decisions come from the fallback. */
  get degraded(): boolean {
    return this.#degraded;
  }

  increment(key: string, windowStart: number, windowMs: number): Promise<number> {
    return this.#run((s) => s.increment(key, windowStart, windowMs));
  }

  get(key: string, windowStart: number): Promise<number> {
    return this.#run((s) => s.get(key, windowStart));
  }

  async #run(op: (s: RateLimitStore) => Promise<number>): Promise<number> {
    if (this.#degraded) {
      const now = this.#clock();
      if (now < this.#probeAt) return op(this.#fallback);
      // This request is the probe; the others stay local until it has answered.
      this.#probeAt = now + this.#retryMs;
    }
    let result: number;
    try {
      result = await op(this.#primary);
    } catch (err) {
      this.#probeAt = this.#clock() + this.#retryMs;
      if (!this.#degraded) {
        this.#degraded = true;
        this.#report(() => this.#onDegraded(err));
      }
      return op(this.#fallback);
    }
    if (this.#degraded) {
      this.#degraded = false;
      this.#report(this.#onRestored);
    }
    return result;
  }

  /** A throwing logger must not turn a rate-limit decision into a failure. */
  #report(fn: () => void): void {
    try {
      fn();
    } catch {
      // ignored on purpose
    }
  }
}
