import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { RateLimitStore } from '../rate-limit.js';
import { LuaScript } from './lua-script.js';

export interface RedisRateLimitStoreOptions {
  /**
   * Give it `enableOfflineQueue: false` and a `commandTimeout`, so commands fail at once while
   * Redis is down instead of queueing (wrap the store in a `DegradingRateLimitStore`).
   */
  redis: Redis;
  /** Prepended to every key; 'tsforge:rl:' by default. */
  prefix?: string;
}

// The counter lives two windows from its first increment: the limiter's sliding estimate reads
// the previous window's count during the whole next window. INCR and PEXPIRE in one script, so
// a counter never exists without an expiry even when the client dies between the two.
const INCREMENT = new LuaScript(`
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return n
`);

/**
 * Fixed-window counters in Redis, shared by every process using the same prefix. The caller's
 * key (`token:<client_id>:<ip>`, chosen by whoever sends the request) is hashed, so key length
 * and content in Redis stay bounded whatever a client sends.
 */
export class RedisRateLimitStore implements RateLimitStore {
  #redis: Redis;
  #prefix: string;

  constructor(o: RedisRateLimitStoreOptions) {
    if (!o?.redis) throw new TypeError('RedisRateLimitStore: redis is required');
    this.#redis = o.redis;
    this.#prefix = o.prefix ?? 'tsforge:rl:';
  }

  async increment(key: string, windowStart: number, windowMs: number): Promise<number> {
    return Number(await INCREMENT.run(this.#redis, [this.#key(key, windowStart)], [2 * windowMs]));
  }

  async get(key: string, windowStart: number): Promise<number> {
    const v = await this.#redis.get(this.#key(key, windowStart));
    if (v === null) return 0;
    // Written by something else: fail as INCR does on it, rather than decide from NaN (a refusal).
    if (!/^\d+$/.test(v)) throw new Error('a rate-limit counter in Redis is not a count');
    return Number(v);
  }

  #key(key: string, windowStart: number): string {
    // 128 bits of SHA-256: collisions (two keys sharing a counter) need ~2^64 distinct keys.
    return `${this.#prefix}${createHash('sha256').update(key, 'utf8').digest('base64url').slice(0, 22)}:${windowStart}`;
  }
}
