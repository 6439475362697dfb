import type { Redis } from 'ioredis';
import { afterAll, beforeAll } from 'vitest';
import { withAccessTokenCache } from '../src/access-token-cache.js';
import { MemoryStore } from '../src/memory-store.js';
import { RedisAccessTokenCache } from '../src/redis/redis-access-token-cache.js';
import { storeContract } from '../src/testing/store-contract.js';
import { connect, deleteKeys, testPrefix } from './redis-helpers.js';

// The wrapped store is still an OAuth2Store: the whole contract, with a cache clock before the
// contract's dates so that every token it finds is really cached.
let redis: Redis;
const prefixes: string[] = [];
beforeAll(async () => {
  redis = await connect();
});
afterAll(async () => {
  for (const p of prefixes) await deleteKeys(redis, p);
  redis.disconnect();
});

storeContract('MemoryStore behind withAccessTokenCache (Redis)', () => {
  const prefix = testPrefix();
  prefixes.push(prefix);
  return withAccessTokenCache(new MemoryStore(), new RedisAccessTokenCache({ redis, prefix, clock: () => Date.UTC(2020, 0, 1) }), {
    onError: (err) => {
      throw err;
    },
  });
});
