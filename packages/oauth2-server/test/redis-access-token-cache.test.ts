import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { withAccessTokenCache, type AccessTokenCacheOp, type AccessTokenInvalidation } from '../src/access-token-cache.js';
import { KeyedHasher } from '../src/internal/keyed-hasher.js';
import { MemoryStore } from '../src/memory-store.js';
import type { OAuth2Server } from '../src/oauth2-server.js';
import { RedisAccessTokenCache } from '../src/redis/redis-access-token-cache.js';
import { SECRET_KEY, TestClock, makeServer } from './helpers.js';
import { authParams, body, flowServer, REDIRECT, svcTokens, tokenRequest, VERIFIER } from './flow-helpers.js';
import { connect, deleteKeys, ready, sleep, testPrefix, ThrowawayRedis } from './redis-helpers.js';

const hashOf = (token: string): string => new KeyedHasher(SECRET_KEY).hashToken(token);

/**
 * Two server instances behind a load balancer: one store (MemoryStore) and one Redis cache
 * prefix, each with its own Redis client, cache object and `withAccessTokenCache` wrapper.
 * `finds` counts the reads that reach the store.
 */
async function twoInstances(redisA: Redis, redisB: Redis, prefix: string) {
  const base = new MemoryStore();
  const stats = { finds: 0 };
  const find = base.accessTokens.find.bind(base.accessTokens);
  base.accessTokens.find = (hash) => {
    stats.finds++;
    return find(hash);
  };
  const clock = new TestClock();
  const errors: [AccessTokenCacheOp, string][] = [];
  const restored: string[] = [];
  const instance = (redis: Redis, name: string) => {
    const cache = new RedisAccessTokenCache({ redis, prefix, clock: clock.read });
    const store = withAccessTokenCache(base, cache, {
      retryMs: 100, onError: (err, op) => errors.push([op, `${name}: ${(err as Error).message}`]), onRestored: () => restored.push(name),
    });
    return { cache, store };
  };
  const a = instance(redisA, 'A');
  const b = instance(redisB, 'B');
  const flow = await flowServer({ store: a.store, clock: clock.read });
  const serverB = makeServer({ store: b.store, clock: clock.read }).server;
  return { A: flow.server, B: serverB, svcAuth: flow.svcAuth, cacheA: a.cache, cacheB: b.cache, base, stats, clock, errors, restored };
}

/** Code → tokens for `svc` on behalf of `userId`. */
async function tokensFor(server: OAuth2Server, svcAuth: string, userId: string): Promise<{ access: string; refresh: string }> {
  const decision = await server.decideConsent({ params: authParams(), userId, approved: true });
  if (decision.type !== 'redirect' || decision.outcome !== 'code') throw new Error('no code');
  const code = new URL(decision.location).searchParams.get('code')!;
  const res = await server.token(tokenRequest({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: VERIFIER }, svcAuth));
  return { access: body(res).access_token!, refresh: body(res).refresh_token! };
}

describe('RedisAccessTokenCache with withAccessTokenCache: two instances, one store, one cache', () => {
  let redisA: Redis;
  let redisB: Redis;
  let prefix: string;
  let t: Awaited<ReturnType<typeof twoInstances>>;
  beforeAll(async () => {
    [redisA, redisB] = [await connect(), await connect()];
  });
  afterAll(() => {
    redisA.disconnect();
    redisB.disconnect();
  });
  beforeEach(async () => {
    prefix = testPrefix();
    t = await twoInstances(redisA, redisB, prefix);
  });
  afterEach(() => deleteKeys(redisA, prefix));

  it('a token issued on A validates on B; the next validations are cache hits on either instance', async () => {
    const { access } = await svcTokens(t.A, t.svcAuth);
    const finds = t.stats.finds;
    expect((await t.B.validateToken(access))?.clientId).toBe('svc');
    expect(t.stats.finds).toBe(finds + 1);
    expect((await t.B.validateToken(access))?.scopes).toEqual(['read', 'write']);
    expect((await t.A.validateToken(access))?.userId).toBe('usr_alice');
    expect(t.stats.finds).toBe(finds + 1);
    // Only the keyed hash is in Redis, never the token.
    const keys = await redisA.keys(`${prefix}*`);
    expect(keys).toContain(`${prefix}t:${hashOf(access)}`);
    for (const k of keys) expect(k + ((await redisA.type(k)) === 'string' ? await redisA.get(k) : '')).not.toContain(access);
  });

  it('an unknown token is never cached, and a cached one still expires by the validating clock', async () => {
    const { access } = await svcTokens(t.A, t.svcAuth);
    const finds = t.stats.finds;
    expect(await t.B.validateToken('tfat_' + 'A'.repeat(43))).toBeNull();
    expect(await t.B.validateToken('tfat_' + 'A'.repeat(43))).toBeNull();
    expect(t.stats.finds).toBe(finds + 2);
    expect(await t.B.validateToken(access)).not.toBeNull();
    t.clock.advance(3600);
    expect(await t.B.validateToken(access)).toBeNull();
  });

  it('RFC 7009: a revocation on A is refused by B on the very next request', async () => {
    const { access } = await svcTokens(t.A, t.svcAuth);
    expect(await t.B.validateToken(access)).not.toBeNull(); // cached
    expect(await t.A.revoke(access)).toEqual(expect.anything());
    expect(await t.B.validateToken(access)).toBeNull();
    expect(await t.A.validateToken(access)).toBeNull();
  });

  it('RFC 7009 §2.1: revoking a refresh token takes the access tokens of its grant with it, on every instance', async () => {
    const first = await svcTokens(t.A, t.svcAuth);
    const res = await t.A.token(tokenRequest({ grant_type: 'refresh_token', refresh_token: first.refresh }, t.svcAuth));
    const second = { access: body(res).access_token!, refresh: body(res).refresh_token! };
    const other = await svcTokens(t.A, t.svcAuth); // another grant of the same client and user
    for (const token of [first.access, second.access, other.access]) expect(await t.B.validateToken(token)).not.toBeNull();
    await t.A.revoke(second.refresh);
    expect(await t.B.validateToken(first.access)).toBeNull();
    expect(await t.B.validateToken(second.access)).toBeNull();
    expect(await t.B.validateToken(other.access)).not.toBeNull();
  });

  it('deleting the client or the user on A stops their tokens on B at once', async () => {
    const user = await t.A.createUser({ username: 'bob', password: 'correct horse battery' });
    const bobs = await tokensFor(t.A, t.svcAuth, user.id);
    const alices = await svcTokens(t.A, t.svcAuth);
    for (const token of [bobs.access, alices.access]) expect(await t.B.validateToken(token)).not.toBeNull();
    expect(await t.A.deleteUser(user.id)).toBe(true);
    expect(await t.B.validateToken(bobs.access)).toBeNull();
    expect(await t.B.validateToken(alices.access)).not.toBeNull();
    expect(await t.A.deleteClient('svc')).toBe(true);
    expect(await t.B.validateToken(alices.access)).toBeNull();
  });

  it('the fill race: B read the store before A revoked, B fills after — the entry is not served', async () => {
    const hit = await svcTokens(t.A, t.svcAuth);
    const byToken = await svcTokens(t.A, t.svcAuth);
    const byGrant = await svcTokens(t.A, t.svcAuth);
    const byClient = await svcTokens(t.A, t.svcAuth);
    // Without a revocation in between, B's fill is served (the race below is not vacuous).
    const h0 = hashOf(hit.access);
    expect(await t.cacheB.get(h0)).toBeUndefined();
    await t.cacheB.set((await t.base.accessTokens.find(h0))!);
    expect((await t.cacheB.get(h0))?.hash).toBe(h0);

    const revocations: [{ access: string }, () => Promise<unknown>][] = [
      [byToken, () => t.A.revoke(byToken.access)],
      [byGrant, () => t.A.revoke(byGrant.refresh)],
    ];
    for (const [tokens, revoke] of revocations) {
      const h = hashOf(tokens.access);
      expect(await t.cacheB.get(h)).toBeUndefined(); // B's miss
      const stale = await t.base.accessTokens.find(h); // B's store read, before the revocation
      expect(stale).not.toBeNull();
      await revoke(); // A: store delete, then invalidate
      await t.cacheB.set(stale!); // B's late fill
      expect(await t.cacheB.get(h)).toBeUndefined();
      expect(await t.B.validateToken(tokens.access)).toBeNull();
    }
    // Also when a second miss on B (after the revocation) came before the late fill.
    const late = await svcTokens(t.A, t.svcAuth);
    const h = hashOf(late.access);
    expect(await t.cacheB.get(h)).toBeUndefined();
    const stale = await t.base.accessTokens.find(h);
    await t.A.revoke(late.access);
    expect(await t.cacheB.get(h)).toBeUndefined();
    await t.cacheB.set(stale!);
    expect(await t.cacheB.get(h)).toBeUndefined();
    // And for a deleted client (last: it takes every token of svc).
    const hc = hashOf(byClient.access);
    expect(await t.cacheB.get(hc)).toBeUndefined();
    const staleC = await t.base.accessTokens.find(hc);
    expect(await t.A.deleteClient('svc')).toBe(true);
    await t.cacheB.set(staleC!);
    expect(await t.cacheB.get(hc)).toBeUndefined();
  });

  it('publishes every invalidation to all instances', async () => {
    const seen: AccessTokenInvalidation[] = [];
    const unsubscribe = await t.cacheB.subscribe((w) => seen.push(w));
    try {
      const { access, refresh } = await svcTokens(t.A, t.svcAuth);
      await t.A.revoke(access);
      await t.A.revoke(refresh);
      for (let i = 0; i < 50 && seen.length < 2; i++) await sleep(10);
      expect(seen).toEqual([{ hash: hashOf(access) }, { grantId: expect.any(String) }]);
    } finally {
      await unsubscribe();
    }
  });
});

describe('RedisAccessTokenCache with entries it did not write', () => {
  // Redis db 13: a value written by another program (or a bad manual edit) into the key of an entry.
  let redis: Redis;
  beforeAll(async () => {
    redis = await connect();
    await redis.select(13);
  });
  afterAll(() => redis.disconnect());

  it.each([
    ['scopes null', { s: null }],
    ['scopes not a list', { s: { read: true } }],
    ['expiry a string', { e: 'never' }],
    ['user a number', { u: 5 }],
    ['another token\'s hash', { h: 'x' }],
  ])('an entry with %s is a miss: validation answers from the store (no 500, no false refusal), and the entry is replaced', async (_name, change) => {
    const prefix = testPrefix();
    try {
      const t = await twoInstances(redis, redis, prefix);
      const { access } = await svcTokens(t.A, t.svcAuth);
      const key = `${prefix}t:${hashOf(access)}`;
      expect(await t.B.validateToken(access)).not.toBeNull(); // cached
      await redis.set(key, JSON.stringify({ ...JSON.parse((await redis.get(key))!), ...change }));
      expect((await t.B.validateToken(access))?.scopes).toEqual(['read', 'write']);
      expect(await redis.get(key)).toBeNull();
      expect((await t.B.validateToken(access))?.scopes).toEqual(['read', 'write']);
      expect(JSON.parse((await redis.get(key))!)).toMatchObject({ h: hashOf(access), s: ['read', 'write'] });
      expect(t.errors).toEqual([]);
    } finally {
      await deleteKeys(redis, prefix);
    }
  });
});

describe('withAccessTokenCache when Redis goes away and comes back', () => {
  let server: ThrowawayRedis;
  beforeAll(async () => {
    server = await ThrowawayRedis.start();
  });
  afterAll(() => server.stop());

  it('validation answers from the store, a revocation during the outage is retried, and the cache comes back', async () => {
    const [redisA, redisB] = [await connect(server.port), await connect(server.port)];
    try {
      const t = await twoInstances(redisA, redisB, 'atc:');
      const kept = await svcTokens(t.A, t.svcAuth);
      const revoked = await svcTokens(t.A, t.svcAuth);
      expect(await t.B.validateToken(revoked.access)).not.toBeNull();

      await server.stop();
      const started = Date.now();
      expect((await t.B.validateToken(kept.access))?.clientId).toBe('svc');
      expect((await t.B.validateToken(kept.access))?.clientId).toBe('svc');
      await t.A.revoke(revoked.access); // the store deletes; the invalidation stays pending on A
      expect(await t.B.validateToken(revoked.access)).toBeNull();
      expect(await t.A.validateToken(revoked.access)).toBeNull();
      expect(Date.now() - started).toBeLessThan(2000);
      expect(t.errors.map(([op, m]) => `${op} ${m.slice(0, 2)}`)).toEqual(['get B:', 'get A:', 'invalidate A:']);

      await server.start();
      await Promise.all([ready(redisA), ready(redisB)]);
      // A's pending invalidation lands by itself (A says so); B probes the cache on its next validation.
      for (let i = 0; i < 100 && t.restored.length < 1; i++) await sleep(20);
      expect(t.restored).toEqual(['A']);
      expect(await redisA.get('atc:epoch')).not.toBeNull();
      await sleep(120);
      const finds = t.stats.finds;
      expect(await t.B.validateToken(kept.access)).not.toBeNull();
      expect(await t.A.validateToken(kept.access)).not.toBeNull();
      expect(t.stats.finds).toBe(finds + 1);
      expect(t.restored).toEqual(['A', 'B']);
    } finally {
      redisA.disconnect();
      redisB.disconnect();
    }
  });
});
