export { RedisRateLimitStore, type RedisRateLimitStoreOptions } from './redis-rate-limit-store.js';
export { RedisAccessTokenCache, type RedisAccessTokenCacheOptions } from './redis-access-token-cache.js';
