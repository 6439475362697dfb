import type { Logger } from '@tsforge/logging';

/** What finds Redis away: the connection itself, the shared rate limits, the token cache. */
export type RedisPart = 'connection' | 'rate limits' | 'token cache';

export const REDIS_DEGRADED = 'redis unavailable: rate limits count per instance and token lookups go to the database until it is back';
export const REDIS_RESTORED = 'redis is back: rate limits are shared and token lookups cached again';

/**
 * One story in the log for a Redis outage, whichever part notices it first: a warning when the
 * first part fails, a line when every part that failed works again (not merely reconnected),
 * and nothing per retry or per request in between.
 */
export class RedisStatus {
  readonly #logger: Logger;
  readonly #where: string;
  readonly #clock: () => number;
  readonly #down = new Set<RedisPart>();
  #since = 0;

  constructor(logger: Logger, where: string, clock: () => number = Date.now) {
    this.#logger = logger;
    this.#where = where;
    this.#clock = clock;
  }

  get degraded(): boolean {
    return this.#down.size > 0;
  }

  failed(part: RedisPart, err: unknown): void {
    if (this.#down.has(part)) return;
    this.#down.add(part);
    if (this.#down.size > 1) return;
    this.#since = this.#clock();
    this.#logger.warn({ err, redis: this.#where, part }, REDIS_DEGRADED);
  }

  recovered(part: RedisPart): void {
    if (!this.#down.delete(part) || this.#down.size > 0) return;
    this.#logger.info({ redis: this.#where, down_ms: this.#clock() - this.#since }, REDIS_RESTORED);
  }
}
