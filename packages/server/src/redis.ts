import type { Logger } from '@tsforge/logging';
import { DegradingRateLimitStore, type AccessTokenCacheOp, type OAuth2Store, type RateLimitStore } from '@tsforge/oauth2-server';
import { describeUrl } from './backing-services.js';

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
  const errors = onceUntilReady(logger, where);
  client.on('error', (err: Error) => {
    // ioredis carries on in database 0 when it cannot select the URL's: that would share another
    // database's keys. Serve as without Redis instead, and say why.
    if (!err.message.startsWith('ERR DB index is out of range')) return errors.error(err);
    logger.error({ redis: where }, 'REDIS_URL names a database this Redis does not have: serving without Redis');
    client.disconnect();
  });
  client.on('ready', errors.ready);
  await client.connect().catch(() => {}); // reported by the 'error' listener; reconnects by itself
  const rateLimits = new DegradingRateLimitStore({
    primary: new RedisRateLimitStore({ redis: client }),
    onDegraded: (err) => logger.warn({ err, redis: where }, 'redis unavailable: rate limits count per instance until it returns'),
    onRestored: () => logger.info({ redis: where }, 'redis is back: rate limits are shared again'),
  });
  const cache = settings.tokenCacheTtlMs > 0 ? new RedisAccessTokenCache({ redis: client, ttlMs: settings.tokenCacheTtlMs }) : null;
  const cacheErrors = throttled(logger, 'redis unavailable: token lookups go to the database');
  // A revocation the cache missed is the one failure others pay for: an operator must know its bound.
  const missedInvalidations = throttled(
    logger,
    `redis unavailable: the token cache was not cleared of what was revoked; instances that still reach Redis may accept those tokens for up to ${settings.tokenCacheTtlMs} ms`,
  );
  const onCacheError = (err: unknown, op: AccessTokenCacheOp): void => (op === 'invalidate' ? missedInvalidations : cacheErrors)({ err, op, redis: where });
  return {
    rateLimits,
    cached: (store) => (cache ? withAccessTokenCache(store, cache, { onError: onCacheError }) : store),
    async ping() {
      await client.ping();
    },
    async close() {
      client.disconnect();
    },
  };
}

/** One log line when the connection is lost (not one per retry), one when it is back. */
function onceUntilReady(logger: Logger, where: string): { error(err: Error): void; ready(): void } {
  let down = false;
  return {
    error(err) {
      if (down) return;
      down = true;
      logger.warn({ err, redis: where }, 'redis connection lost: serving without it, reconnecting');
    },
    ready() {
      if (down) logger.info({ redis: where }, 'redis connected');
      down = false;
    },
  };
}

/** At most one warning per interval, with how many were held back. */
function throttled(logger: Logger, msg: string, intervalMs = 10_000): (fields: Record<string, unknown>) => void {
  let last = 0;
  let held = 0;
  return (fields) => {
    const now = Date.now();
    if (now - last < intervalMs) {
      held++;
      return;
    }
    logger.warn({ ...fields, suppressed: held }, msg);
    last = now;
    held = 0;
  };
}
