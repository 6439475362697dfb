import type { Logger } from '@tsforge/logging';
import { DegradingRateLimitStore, type AccessTokenCacheOp, type OAuth2Store, type RateLimitStore } from '@tsforge/oauth2-server';
import { describeUrl } from './backing-services.js';
import { RedisStatus } from './redis-status.js';

/** Redis as `tsforge serve` uses it: limits every instance shares, and optionally the token cache. */
export interface SharedRedis {
  /** Degrades to this process's own limits while Redis is away, and says so in the log. */
  rateLimits: RateLimitStore;
  /** The store with token lookups cached in Redis (when the cache is on), else `store` itself. */
  cached(store: OAuth2Store): OAuth2Store;
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface RedisSettings {
  url: string;
  tokenCacheTtlMs: number;
}

/** How long a command may wait for Redis before the caller falls back: far below a request's budget. */
const COMMAND_TIMEOUT_MS = 500;
const CONNECT_TIMEOUT_MS = 2000;

/**
 * Connects without blocking the start on Redis: it is optional for correctness, so a server that
 * starts while Redis is down serves with local limits and no cache until it connects.
 */
export async function openRedis(settings: RedisSettings, logger: Logger): Promise<SharedRedis> {
  const [{ Redis }, { RedisRateLimitStore, RedisAccessTokenCache }, { withAccessTokenCache }] = await Promise.all([
    import('ioredis'), import('@tsforge/oauth2-server/redis'), import('@tsforge/oauth2-server'),
  ]);
  const where = describeUrl(settings.url);
  const client = new Redis(settings.url, {
    // Commands fail at once while disconnected instead of queueing: a request must not wait for
    // a Redis that is away, it falls back.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: COMMAND_TIMEOUT_MS,
    connectTimeout: CONNECT_TIMEOUT_MS,
    lazyConnect: true,
    // Reconnect for ever, at most every 2 s.
    retryStrategy: (attempt: number) => Math.min(attempt * 100, 2000),
  });
  const status = new RedisStatus(logger, where);
  client.on('error', (err: Error) => {
    // ioredis carries on in database 0 when it cannot select the URL's: that would share another
    // database's keys. Serve as without Redis instead, and say why.
    if (!err.message.startsWith('ERR DB index is out of range')) return status.failed('connection', err);
    logger.error({ redis: where }, 'REDIS_URL names a database this Redis does not have: serving without Redis');
    client.disconnect();
  });
  client.on('ready', () => status.recovered('connection'));
  await client.connect().catch(() => {}); // reported by the 'error' listener; reconnects by itself
  const rateLimits = new DegradingRateLimitStore({
    primary: new RedisRateLimitStore({ redis: client }),
    onDegraded: (err) => status.failed('rate limits', err),
    onRestored: () => status.recovered('rate limits'),
  });
  const cache = settings.tokenCacheTtlMs > 0 ? new RedisAccessTokenCache({ redis: client, ttlMs: settings.tokenCacheTtlMs }) : null;
  const cacheOptions = {
    onError: (err: unknown, op: AccessTokenCacheOp) => {
      status.failed('token cache', err);
      // The one failure other instances pay for: an operator must know its bound.
      if (op === 'invalidate') {
        logger.warn(
          { redis: where },
          `redis unavailable: the token cache was not cleared of what was revoked (retried every second while this process runs); instances that still reach Redis may accept those tokens for up to ${settings.tokenCacheTtlMs} ms`,
        );
      }
    },
    onRestored: () => status.recovered('token cache'),
  };
  return {
    rateLimits,
    cached: (store) => (cache ? withAccessTokenCache(store, cache, cacheOptions) : store),
    async ping() {
      await client.ping();
    },
    async close() {
      client.disconnect();
    },
  };
}
