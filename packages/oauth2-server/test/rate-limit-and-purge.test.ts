import { describe, expect, it } from 'vitest';
import { MemoryRateLimitStore, RateLimiter } from '../src/rate-limit.js';
import { T0 } from './helpers.js';
import { flowServer, getCode, svcTokens } from './flow-helpers.js';

describe('RateLimiter (sliding window, in memory)', () => {
  const setup = () => {
    let now = T0;
    const limiter = new RateLimiter({ limit: 3, windowMs: 60_000, clock: () => now });
    return { limiter, at: (ms: number) => (now = T0 + ms) };
  };

  it('allows `limit` requests per key, then answers with a Retry-After in whole seconds', async () => {
    const { limiter } = setup();
    expect(await limiter.consume('token:svc')).toEqual({ allowed: true, remaining: 2 });
    expect(await limiter.consume('token:svc')).toEqual({ allowed: true, remaining: 1 });
    expect(await limiter.consume('token:svc')).toEqual({ allowed: true, remaining: 0 });
    expect(await limiter.consume('token:svc')).toEqual({ allowed: false, retryAfter: 60 });
    expect(await limiter.consume('login:203.0.113.9')).toEqual({ allowed: true, remaining: 2 });
  });

  it('peek says what the next request would get without counting it (limits on failures only)', async () => {
    const { limiter } = setup();
    for (let i = 0; i < 5; i++) expect(await limiter.peek('introspection:svc')).toEqual({ allowed: true, remaining: 2 });
    await limiter.consume('introspection:svc');
    await limiter.consume('introspection:svc');
    expect(await limiter.peek('introspection:svc')).toEqual({ allowed: true, remaining: 0 });
    await limiter.consume('introspection:svc');
    expect(await limiter.peek('introspection:svc')).toEqual({ allowed: false, retryAfter: 60 });
  });

  it('slides: a burst at the end of one window still counts at the start of the next', async () => {
    const { limiter, at } = setup();
    at(59_000);
    for (let i = 0; i < 3; i++) expect((await limiter.consume('k')).allowed).toBe(true);
    at(60_000);
    const denied = await limiter.consume('k');
    expect(denied.allowed).toBe(false);
    at(180_000);
    expect((await limiter.consume('k')).allowed).toBe(true);
  });

  it('slides on: the previous window still counts after the first request of the new one', async () => {
    const { limiter, at } = setup();
    at(59_000);
    for (let i = 0; i < 3; i++) expect((await limiter.consume('k')).allowed).toBe(true);
    at(60_100);
    expect((await limiter.consume('k')).allowed).toBe(false);
    at(60_200);
    expect((await limiter.consume('k')).allowed).toBe(false);
    at(60_300);
    expect((await limiter.consume('k')).allowed).toBe(false);
  });

  it("one store under limiters of different windows (the Redis fallback): the short window's sweep keeps the long window's counts", async () => {
    let now = T0;
    const store = new MemoryRateLimitStore();
    const login = new RateLimiter({ limit: 2, windowMs: 15 * 60_000, store, clock: () => now });
    const token = new RateLimiter({ limit: 100, windowMs: 60_000, store, clock: () => now });
    for (let i = 0; i < 2; i++) expect((await login.consume('login:alice')).allowed).toBe(true);
    expect((await login.consume('login:alice')).allowed).toBe(false);
    now = T0 + 5 * 60_000;
    expect((await token.consume('token:svc')).allowed).toBe(true);
    expect(await login.consume('login:alice')).toEqual({ allowed: false, retryAfter: 600 });
  });

  it('rejects nonsense options with a TypeError', () => {
    expect(() => new RateLimiter({ limit: 0, windowMs: 1000 })).toThrow(TypeError);
    expect(() => new RateLimiter({ limit: 1, windowMs: 0.5 })).toThrow(TypeError);
  });
});

describe('purgeExpired', () => {
  it('deletes expired codes and tokens only; live ones keep working', async () => {
    const { server, svcAuth, clock, store } = await flowServer({ accessTokenTtl: 60, refreshTokenTtl: 7200 });
    const { access, refresh } = await svcTokens(server, svcAuth);
    await getCode(server);
    expect(await server.purgeExpired()).toEqual({ authorizationCodes: 0, accessTokens: 0, refreshTokens: 0, signingKeys: 0 });
    clock.advance(600);
    expect(await server.purgeExpired()).toEqual({ authorizationCodes: 2, accessTokens: 1, refreshTokens: 0, signingKeys: 0 });
    expect(await server.validateToken(access)).toBeNull();
    expect(await server.introspect(refresh)).toMatchObject({ active: true });
    expect(await store.refreshTokens.find('x')).toBeNull();
  });
});
