import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DegradingRateLimitStore } from '../src/degrading-rate-limit-store.js';
import { MemoryRateLimitStore, RateLimiter, type RateLimitDecision } from '../src/rate-limit.js';
import { RedisRateLimitStore } from '../src/redis/redis-rate-limit-store.js';
import { T0 } from './helpers.js';
import { connect, deleteKeys, ready, sleep, testPrefix, ThrowawayRedis } from './redis-helpers.js';

const WINDOW = 60_000;

describe('RedisRateLimitStore (the shared Redis)', () => {
  let redis: Redis;
  let prefix: string;
  beforeAll(async () => {
    redis = await connect();
  });
  afterAll(() => redis.disconnect());
  beforeEach(() => {
    prefix = testPrefix();
  });
  afterEach(() => deleteKeys(redis, prefix));

  it('two instances (two limiters, two clients) on one prefix count together', async () => {
    const other = await connect();
    try {
      const clock = () => T0 + 1000;
      const a = new RateLimiter({ limit: 3, windowMs: WINDOW, clock, store: new RedisRateLimitStore({ redis, prefix }) });
      const b = new RateLimiter({ limit: 3, windowMs: WINDOW, clock, store: new RedisRateLimitStore({ redis: other, prefix }) });
      expect(await a.consume('token:svc:203.0.113.9')).toEqual({ allowed: true, remaining: 2 });
      expect(await b.consume('token:svc:203.0.113.9')).toEqual({ allowed: true, remaining: 1 });
      expect(await a.consume('token:svc:203.0.113.9')).toEqual({ allowed: true, remaining: 0 });
      expect(await b.consume('token:svc:203.0.113.9')).toEqual({ allowed: false, retryAfter: 59 });
      expect(await b.peek('token:svc:203.0.113.10')).toEqual({ allowed: true, remaining: 2 });
    } finally {
      other.disconnect();
    }
  });

  it('decides exactly like the in-memory store across windows (the sliding estimate reads the previous window)', async () => {
    let now = T0;
    const clock = () => now;
    const inRedis = new RateLimiter({ limit: 4, windowMs: WINDOW, clock, store: new RedisRateLimitStore({ redis, prefix }) });
    const inMemory = new RateLimiter({ limit: 4, windowMs: WINDOW, clock, store: new MemoryRateLimitStore() });
    const steps = [0, 1, 2, 3, 4, 59_999, 60_000, 75_000, 90_000, 90_001, 119_999, 120_000, 150_000, 190_000, 300_000];
    const got: RateLimitDecision[] = [];
    const want: RateLimitDecision[] = [];
    for (const ms of steps) {
      now = T0 + ms;
      got.push(await inRedis.consume('login:203.0.113.9'));
      want.push(await inMemory.consume('login:203.0.113.9'));
    }
    expect(got).toEqual(want);
    expect(want.some((d) => !d.allowed) && want.some((d, i) => d.allowed && i > 5)).toBe(true);
  });

  it('a counter expires two windows after its first increment, and keys hold no caller input', async () => {
    const store = new RedisRateLimitStore({ redis, prefix });
    const key = `token:${'x'.repeat(5000)}:203.0.113.9`;
    expect(await store.increment(key, T0, WINDOW)).toBe(1);
    expect(await store.increment(key, T0, WINDOW)).toBe(2);
    expect(await store.get(key, T0)).toBe(2);
    expect(await store.get(key, T0 - WINDOW)).toBe(0);
    const keys = await redis.keys(`${prefix}*`);
    expect(keys).toHaveLength(1);
    expect(keys[0]!.length).toBeLessThan(prefix.length + 40);
    expect(keys[0]).not.toContain('203.0.113.9');
    const pttl = await redis.pttl(keys[0]!);
    expect(pttl).toBeGreaterThan(2 * WINDOW - 1000);
    expect(pttl).toBeLessThanOrEqual(2 * WINDOW);
  });

  it('a counter overwritten with something not a count fails like an absent Redis (local limits), never a refusal from NaN', async () => {
    const own = await connect();
    await own.select(13); // a database of this test's own: it writes keys by hand
    try {
      const store = new RedisRateLimitStore({ redis: own, prefix });
      const limiter = new RateLimiter({ limit: 3, windowMs: WINDOW, clock: () => T0 + 1000, store: new DegradingRateLimitStore({ primary: store }) });
      await store.increment('k', T0 - WINDOW, WINDOW);
      const [previous] = await own.keys(`${prefix}*`);
      await own.set(previous!, 'not a count');
      await expect(store.get('k', T0 - WINDOW)).rejects.toThrow('a rate-limit counter in Redis is not a count');
      expect(await limiter.consume('k')).toEqual({ allowed: true, remaining: 2 });
    } finally {
      await deleteKeys(own, prefix);
      own.disconnect();
    }
  });

  it('a short window really expires in Redis', async () => {
    const store = new RedisRateLimitStore({ redis, prefix });
    await store.increment('k', 0, 50);
    expect(await store.get('k', 0)).toBe(1);
    await sleep(150);
    expect(await store.get('k', 0)).toBe(0);
  });
});

describe('DegradingRateLimitStore over a Redis that goes away and comes back', () => {
  let server: ThrowawayRedis;
  beforeAll(async () => {
    server = await ThrowawayRedis.start();
  });
  afterAll(() => server.stop());

  it('falls back to local limits at once, says so once, and shares counts again after a restart', async () => {
    const events: string[] = [];
    const clients = [await connect(server.port), await connect(server.port)];
    const instance = (redis: Redis) =>
      new RateLimiter({
        limit: 5, windowMs: WINDOW, clock: () => T0,
        store: new DegradingRateLimitStore({
          primary: new RedisRateLimitStore({ redis, prefix: 'rl:' }),
          retryMs: 100,
          onDegraded: (err) => events.push(`degraded: ${(err as Error).message}`),
          onRestored: () => events.push('restored'),
        }),
      });
    const [a, b] = [instance(clients[0]!), instance(clients[1]!)];
    try {
      expect(await a.consume('token:svc')).toEqual({ allowed: true, remaining: 4 });
      expect(await b.consume('token:svc')).toEqual({ allowed: true, remaining: 3 });

      await server.stop();
      const started = Date.now();
      // Local counts now: a's own memory store knows nothing of the shared 2.
      const during: RateLimitDecision[] = [];
      for (let i = 0; i < 6; i++) during.push(await a.consume('token:svc'));
      expect(Date.now() - started).toBeLessThan(2000);
      expect(during).toEqual([
        { allowed: true, remaining: 4 }, { allowed: true, remaining: 3 }, { allowed: true, remaining: 2 },
        { allowed: true, remaining: 1 }, { allowed: true, remaining: 0 }, { allowed: false, retryAfter: 60 },
      ]);
      expect(events).toHaveLength(1);
      expect(events[0]).toMatch(/^degraded: /);

      await server.start();
      await Promise.all(clients.map((c) => ready(c)));
      await sleep(150); // past retryMs: the next request probes Redis
      // The restarted Redis (no persistence) starts from 0; both instances count there again.
      expect(await a.consume('token:svc')).toEqual({ allowed: true, remaining: 4 });
      expect(events).toEqual([events[0], 'restored']);
      expect(await b.consume('token:svc')).toEqual({ allowed: true, remaining: 3 });
      expect(await a.consume('token:svc')).toEqual({ allowed: true, remaining: 2 });
    } finally {
      for (const c of clients) c.disconnect();
    }
  });
});
