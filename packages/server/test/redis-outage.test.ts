import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { freePort, startThrowawayPostgres, ThrowawayRedis, type ThrowawayPostgres } from '@tsforge/oauth2-server/testing';
import { basic, createClient, getToken, removeDir, runCli, startTsforge, tempDataDir, until, withTsforge, type Client, type RunningTsforge } from './support/tsforge.js';
import { sharedSecretFile } from './support/backing-services.js';
import { loadLoop, sleep } from './support/load.js';

const OUTAGE_MS = 3000;
/**
 * No request may take longer than this. Commands fail at once on a lost connection (no offline
 * queue) and wait at most the 500 ms command timeout otherwise: a hang would show far above it.
 */
const ANSWER_BOUND_MS = 2000;
/** From Redis accepting connections again until both instances say they share it again. */
const RESTORE_BOUND_MS = 8000;
const CACHE_TTL_MS = 5000;
/** High enough that the load is never limited: the point is where the counts go. */
const TOKEN_RATE_LIMIT = 1_000_000;

const DEGRADED = 'redis unavailable: rate limits count per instance and token lookups go to the database until it is back';
const RESTORED = 'redis is back: rate limits are shared and token lookups cached again';

/**
 * Two instances on one PostgreSQL, both with Redis for shared limits and the token cache, as
 * behind a balancer. Redis is killed mid-load (it comes back empty) and started again.
 */
describe('Redis killed mid-load and started again', () => {
  let postgres: ThrowawayPostgres;
  let redis: ThrowawayRedis;
  let dir: string;
  let client: Client;
  let a: RunningTsforge;
  let b: RunningTsforge;

  beforeAll(async () => {
    [postgres, redis] = await Promise.all([startThrowawayPostgres(), ThrowawayRedis.start()]);
    dir = tempDataDir();
    const env = {
      DATABASE_URL: postgres.url,
      REDIS_URL: `redis://127.0.0.1:${redis.port}`,
      TSFORGE_TOKEN_CACHE_TTL_MS: String(CACHE_TTL_MS),
      TSFORGE_TOKEN_RATE_LIMIT: String(TOKEN_RATE_LIMIT),
      TSFORGE_SECRET_FILE: sharedSecretFile(dir),
      TSFORGE_ISSUER: 'http://tsforge.test',
    };
    const created = await runCli(['client', 'create', '--name', 'load', '--grant', 'client_credentials', '--scope', 'files:read', '--json'], { dataDir: `${dir}/cli`, env });
    if (created.code !== 0) throw new Error(`client create failed: ${created.stderr}`);
    client = JSON.parse(created.stdout) as Client;
    [a, b] = await Promise.all([startTsforge({ dataDir: `${dir}/a`, env }), startTsforge({ dataDir: `${dir}/b`, env })]);
  }, 60_000);
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await redis?.stop();
    await postgres?.destroy();
    removeDir(dir);
  });

  const tokenRequest = (server: RunningTsforge) =>
    fetch(`${server.url}/oauth/token`, {
      method: 'POST',
      headers: { authorization: basic(client.client_id, client.client_secret), 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    });
  const listFiles = (server: RunningTsforge, token: string) => fetch(`${server.url}/api/files?limit=1`, { headers: { authorization: `Bearer ${token}` } });
  const revoke = (server: RunningTsforge, token: string) =>
    fetch(`${server.url}/oauth/revoke`, {
      method: 'POST',
      headers: { authorization: basic(client.client_id, client.client_secret), 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token }),
    });
  const ready = async (server: RunningTsforge) => {
    const response = await fetch(`${server.url}/ready`);
    return { status: response.status, body: (await response.json()) as unknown };
  };
  const linesWith = (server: RunningTsforge, msg: string) => server.logs().filter((l) => l.msg === msg);
  /** Token requests and protected reads with `token`, on both instances, until stopped. */
  const mixedLoad = (token: string) => loadLoop(4, (worker) => {
    const server = [a, b][worker % 2]!;
    return worker < 2 ? { kind: 'token', send: () => tokenRequest(server) } : { kind: 'files', send: () => listFiles(server, token) };
  });

  it('keeps answering 200 with local limits and no cache, says so once, and shares them again when Redis is back', async () => {
    const kept = await getToken(a.url, client);
    const revokedDuringOutage = await getToken(a.url, client);
    // B has it cached in Redis (and A reads the cache too) before the outage.
    expect((await listFiles(b, revokedDuringOutage)).status).toBe(200);
    expect((await listFiles(a, revokedDuringOutage)).status).toBe(200);

    const load = mixedLoad(kept);
    await sleep(500);

    await redis.stop();
    const downAt = Date.now();
    await sleep(500);
    const readyDown = await ready(a);
    // RFC 7009 §2.2: revoked on A while Redis is away; neither instance may accept it.
    expect((await revoke(a, revokedDuringOutage)).status).toBe(200);
    const revokedStatusDown = [(await listFiles(a, revokedDuringOutage)).status, (await listFiles(b, revokedDuringOutage)).status];
    await sleep(Math.max(0, OUTAGE_MS - (Date.now() - downAt)));
    await redis.start();
    const upAt = Date.now();

    await until(() => linesWith(a, RESTORED).length > 0 && linesWith(b, RESTORED).length > 0, RESTORE_BOUND_MS);
    const restoredMs = Date.now() - upAt;
    await sleep(300);
    await load.stop();

    // Served throughout: every answer a 200, none held up.
    const whileDown = load.samples.filter((s) => s.startedAt >= downAt && s.startedAt < upAt);
    expect(whileDown.filter((s) => s.kind === 'token').length).toBeGreaterThan(20);
    expect(whileDown.filter((s) => s.kind === 'files').length).toBeGreaterThan(20);
    expect(load.samples.filter((s) => s.status !== 200).map((s) => `${s.kind} ${s.status} ${s.body}`)).toEqual([]);
    expect(Math.max(...load.samples.map((s) => s.ms))).toBeLessThan(ANSWER_BOUND_MS);

    expect(readyDown).toEqual({ status: 200, body: { status: 'ready', checks: { database: 'ok', storage: 'ok', redis: 'degraded' } } });
    expect(revokedStatusDown).toEqual([401, 401]);

    // Once each way per instance, at warn then info, naming Redis without credentials.
    for (const server of [a, b]) {
      expect(linesWith(server, DEGRADED)).toEqual([expect.objectContaining({ level: 'warn', module: 'redis', redis: `redis://127.0.0.1:${redis.port}` })]);
      expect(linesWith(server, RESTORED)).toEqual([expect.objectContaining({ level: 'info', module: 'redis', down_ms: expect.any(Number) })]);
      expect(server.child.exitCode).toBeNull();
    }
    expect(restoredMs).toBeLessThan(RESTORE_BOUND_MS);

    expect(await ready(a)).toEqual({ status: 200, body: { status: 'ready', checks: { database: 'ok', storage: 'ok', redis: 'ok' } } });
    expect([(await listFiles(a, revokedDuringOutage)).status, (await listFiles(b, revokedDuringOutage)).status]).toEqual([401, 401]);

    // Shared again: the restarted (empty) Redis holds the limit counts of both instances and the cache.
    const inspect = new Redis({ port: redis.port, host: '127.0.0.1', lazyConnect: true });
    await inspect.connect();
    try {
      const counted = async (): Promise<number> => {
        const keys = await inspect.keys('tsforge:rl:*');
        const values = keys.length > 0 ? await inspect.mget(keys) : [];
        return values.reduce((sum, v) => sum + Number(v ?? 0), 0);
      };
      const before = await counted();
      expect(before).toBeGreaterThan(0);
      expect((await tokenRequest(a)).status).toBe(200);
      expect((await tokenRequest(b)).status).toBe(200);
      expect(await counted()).toBe(before + 2);
      expect((await listFiles(b, kept)).status).toBe(200);
      expect((await inspect.keys('tsforge:atc:t:*')).length).toBeGreaterThan(0);
    } finally {
      inspect.disconnect();
    }
  }, 60_000);
  it('a frozen Redis (connections open, nothing answered) costs at most its command timeout, and a revocation made meanwhile lands when it thaws', async () => {
    const degradedBefore = [linesWith(a, DEGRADED).length, linesWith(b, DEGRADED).length];
    const restoredBefore = [linesWith(a, RESTORED).length, linesWith(b, RESTORED).length];
    const kept = await getToken(a.url, client);
    const revokedDuringFreeze = await getToken(a.url, client);
    // Cached in Redis before the freeze: it keeps that entry, unlike a killed one.
    expect((await listFiles(b, revokedDuringFreeze)).status).toBe(200);

    const load = mixedLoad(kept);
    await sleep(500);

    redis.freeze();
    const frozenAt = Date.now();
    await sleep(500);
    const readyFrozen = await ready(a);
    expect((await revoke(a, revokedDuringFreeze)).status).toBe(200);
    const revokedStatusFrozen = [(await listFiles(a, revokedDuringFreeze)).status, (await listFiles(b, revokedDuringFreeze)).status];
    await sleep(Math.max(0, OUTAGE_MS - (Date.now() - frozenAt)));
    redis.thaw();
    const thawedAt = Date.now();

    await until(() => linesWith(a, RESTORED).length > restoredBefore[0]! && linesWith(b, RESTORED).length > restoredBefore[1]!, RESTORE_BOUND_MS);
    const restoredMs = Date.now() - thawedAt;
    await load.stop();

    const whileFrozen = load.samples.filter((s) => s.startedAt >= frozenAt && s.startedAt < thawedAt);
    expect(whileFrozen.length).toBeGreaterThan(20);
    expect(load.samples.filter((s) => s.status !== 200).map((s) => `${s.kind} ${s.status} ${s.body}`)).toEqual([]);
    expect(Math.max(...load.samples.map((s) => s.ms))).toBeLessThan(ANSWER_BOUND_MS);
    expect(readyFrozen).toEqual({ status: 200, body: { status: 'ready', checks: { database: 'ok', storage: 'ok', redis: 'degraded' } } });
    expect(revokedStatusFrozen).toEqual([401, 401]);
    expect([linesWith(a, DEGRADED).length, linesWith(b, DEGRADED).length]).toEqual(degradedBefore.map((n) => n + 1));
    expect([linesWith(a, RESTORED).length, linesWith(b, RESTORED).length]).toEqual(restoredBefore.map((n) => n + 1));
    expect(restoredMs).toBeLessThan(RESTORE_BOUND_MS);

    // A says it is back only once its pending invalidation has landed: from then on B, whose
    // Redis entry predates the revocation, refuses the token too.
    expect([(await listFiles(a, revokedDuringFreeze)).status, (await listFiles(b, revokedDuringFreeze)).status]).toEqual([401, 401]);
    expect(await ready(a)).toEqual({ status: 200, body: { status: 'ready', checks: { database: 'ok', storage: 'ok', redis: 'ok' } } });
  }, 60_000);
});

describe('Redis down when tsforge serve starts', () => {
  it('starts all the same, serves with local limits and no cache, and says so once', async () => {
    const dir = tempDataDir();
    try {
      const client = await createClient(dir, 'files:read');
      // Nothing listens there: every connection attempt is refused, and retried in the background.
      const env = { REDIS_URL: `redis://127.0.0.1:${await freePort()}`, TSFORGE_TOKEN_CACHE_TTL_MS: String(CACHE_TTL_MS) };
      await withTsforge({ dataDir: dir, env }, async (server) => {
        const token = await getToken(server.url, client);
        const files = await fetch(`${server.url}/api/files?limit=1`, { headers: { authorization: `Bearer ${token}` } });
        expect(files.status).toBe(200);
        const ready = await fetch(`${server.url}/ready`);
        expect({ status: ready.status, body: await ready.json() }).toEqual({ status: 200, body: { status: 'ready', checks: { database: 'ok', storage: 'ok', redis: 'degraded' } } });
        await sleep(1000); // a few reconnection attempts
        expect(server.logs().filter((l) => l.msg === DEGRADED)).toEqual([expect.objectContaining({ level: 'warn', module: 'redis' })]);
      });
    } finally {
      removeDir(dir);
    }
  });
});
