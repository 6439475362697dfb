// Bearer validation with and without the Redis access-token cache (@tsforge/oauth2-server/redis),
// SQLite store underneath, no HTTP: wall µs per validateToken one at a time (latency) and CPU µs
// per call with BENCH_CONCURRENCY (50) in flight. Needs Redis at REDIS_URL (redis://127.0.0.1:6379);
// keys under a random prefix, deleted at the end. BENCH_CALLS (20000), BENCH_ROUNDS (3), median.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Redis } from 'ioredis';

const root = resolve(process.argv[2] ?? new URL('..', import.meta.url).pathname);
const CALLS = Number(process.env.BENCH_CALLS ?? 20000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 50);
const load = (p) => import(pathToFileURL(join(root, 'packages/oauth2-server/dist', p)).href);
const { OAuth2Server, withAccessTokenCache } = await load('index.js');
const { SqliteStore } = await load('sqlite/index.js');
const { RedisAccessTokenCache } = await load('redis/index.js');

const dir = mkdtempSync(join(tmpdir(), 'tsforge-bench-token-cache-'));
const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { enableOfflineQueue: true, commandTimeout: 1000 });
const prefix = `tsforge-bench:${randomBytes(6).toString('hex')}:`;
const sqlite = new SqliteStore({ path: join(dir, 'cache.db') });
const secretKey = randomBytes(32);
const server = (store) => new OAuth2Server({ store, issuer: 'http://127.0.0.1:1', secretKey, scopesSupported: ['read'] });
const plain = server(sqlite);
const cached = server(withAccessTokenCache(sqlite, new RedisAccessTokenCache({ redis, prefix, ttlMs: 60_000 })));
const { client, clientSecret } = await plain.registerClient({ name: 'bench', grantTypes: ['client_credentials'], scopes: ['read'] });
const token = (await plain.clientCredentials({ clientId: client.id, clientSecret })).access_token;
if (!(await cached.validateToken(token))) throw new Error('no token');

async function latency(call) {
  const start = process.hrtime.bigint();
  for (let i = 0; i < CALLS; i++) await call();
  return Number(process.hrtime.bigint() - start) / 1000 / CALLS;
}
async function cpu(call) {
  const start = process.cpuUsage();
  for (let i = 0; i < CALLS; i += CONCURRENCY) await Promise.all(Array.from({ length: CONCURRENCY }, call));
  const used = process.cpuUsage(start);
  return (used.user + used.system) / CALLS;
}
const median = (xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const cases = { 'store read (SQLite)': () => plain.validateToken(token), 'cache hit (Redis)': () => cached.validateToken(token) };
for (const [name, call] of Object.entries(cases)) {
  await latency(call); // warm-up
  const wall = [], used = [];
  for (let r = 0; r < ROUNDS; r++) {
    wall.push(await latency(call));
    used.push(await cpu(call));
  }
  console.log(`${name.padEnd(22)} ${median(wall).toFixed(1).padStart(6)} µs/validate one at a time, ${median(used).toFixed(1).padStart(6)} µs CPU/validate at ${CONCURRENCY} in flight`);
}
const keys = await redis.keys(`${prefix}*`);
if (keys.length) await redis.del(...keys);
redis.disconnect();
await sqlite.close();
rmSync(dir, { recursive: true, force: true });
