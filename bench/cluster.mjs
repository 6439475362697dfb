// npm run bench, multi-instance part: the token endpoint (client_credentials) and a bearer-protected
// route through `tsforge serve` on SQLite, on PostgreSQL, and on PostgreSQL with the Redis token
// cache, with one instance and with two sharing the database; all in this one run, ratios against
// the SQLite instance measured here. 127.0.0.1 only: the PostgreSQL and Redis every dev and CI
// machine runs (BENCH_PG_URL, BENCH_REDIS_URL). BENCH_CLUSTER_DURATION seconds per row (default 5),
// BENCH_CLUSTER_CONNECTIONS per instance (default 32).
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import pg from 'pg';
import { Redis } from 'ioredis';
import { cpuSeconds } from './proc.mjs';

const DURATION = Number(process.env.BENCH_CLUSTER_DURATION ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CLUSTER_CONNECTIONS ?? 32);
const WARMUP = Number(process.env.BENCH_CLUSTER_WARMUP ?? 3);
const PG_ADMIN = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379/9';
const CLI = new URL('../packages/server/dist/cli.js', import.meta.url).pathname;
const FORM = 'application/x-www-form-urlencoded';
const enc = (s) => new URLSearchParams({ s }).toString().slice(2);
const basic = (id, secret) => 'Basic ' + Buffer.from(`${enc(id)}:${enc(secret)}`).toString('base64');

async function admin(sql) {
  const client = new pg.Client({ connectionString: PG_ADMIN });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

function serve(env) {
  const child = spawn(process.execPath, [CLI, 'serve', '--port', '0'], { env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let buffered = '';
    const onData = (d) => {
      buffered += d;
      const lines = buffered.split('\n');
      buffered = lines.pop();
      for (const line of lines) {
        try {
          const parsed = JSON.parse(line);
          if (parsed.msg === 'listening') {
            child.stdout.off('data', onData);
            child.stdout.resume();
            resolve({ child, url: parsed.url });
            return;
          }
        } catch { /* not JSON */ }
      }
    };
    child.stdout.setEncoding('utf8').on('data', onData);
    child.once('exit', (code) => reject(new Error(`tsforge serve exited ${code}`)));
  });
}
const stop = (child) => new Promise((resolve) => { child.once('exit', resolve); child.kill('SIGTERM'); });

/** autocannon against every instance at once; req/s summed, CPU summed over the instances. */
async function measure(instances, request) {
  const before = instances.map((i) => cpuSeconds(i.child.pid));
  const results = await Promise.all(instances.map((i) => autocannon({ connections: CONNECTIONS, duration: DURATION, ...request(i) })));
  const after = instances.map((i) => cpuSeconds(i.child.pid));
  const failed = results.reduce((n, r) => n + r.non2xx + r.errors, 0);
  if (failed) throw new Error(`${failed} failed requests`);
  const total = results.reduce((n, r) => n + r.requests.total, 0);
  const cpu = after.reduce((n, a, k) => n + a - before[k], 0);
  return { rps: results.reduce((n, r) => n + r.requests.average, 0), p99: Math.max(...results.map((r) => r.latency.p99)), cpuUs: (cpu / total) * 1e6 };
}

async function row(name, env, count) {
  const dirs = Array.from({ length: count + 1 }, () => mkdtempSync(join(tmpdir(), 'tsforge-bench-cluster-')));
  const secret = join(dirs[0], 'secret.key');
  writeFileSync(secret, randomBytes(32).toString('hex'), { mode: 0o600 });
  const shared = { LOG_FORMAT: 'json', TSFORGE_TOKEN_RATE_LIMIT: '0', TSFORGE_SECRET_FILE: secret, TSFORGE_ISSUER: 'http://tsforge.bench', ...env };
  const instances = [];
  try {
    // With SQLite every instance has its own database: "two instances" is only meaningful on PostgreSQL.
    const client = JSON.parse(execFileSync(process.execPath, [CLI, 'client', 'create', '--name', 'bench', '--grant', 'client_credentials', '--scope', 'files:read', '--json'],
      { env: { PATH: process.env.PATH, TSFORGE_DATA_DIR: dirs[1], ...shared } }).toString());
    for (let k = 1; k <= count; k++) instances.push(await serve({ TSFORGE_DATA_DIR: dirs[k], ...shared }));
    const auth = basic(client.client_id, client.client_secret);
    const tokenRequest = (i) => ({ url: `${i.url}/oauth/token`, method: 'POST', headers: { authorization: auth, 'content-type': FORM }, body: 'grant_type=client_credentials' });
    if (WARMUP > 0) await Promise.all(instances.map((i) => autocannon({ connections: CONNECTIONS, duration: WARMUP, ...tokenRequest(i) })));
    const token = await measure(instances, tokenRequest);
    const response = await fetch(tokenRequest(instances[0]).url, tokenRequest(instances[0]));
    const { access_token } = await response.json();
    // A token issued by the first instance, validated by every instance.
    const bearer = await measure(instances, (i) => ({ url: `${i.url}/api/files?limit=1`, headers: { authorization: `Bearer ${access_token}` } }));
    console.error(`${name}: token ${Math.round(token.rps)}/s (${Math.round(token.cpuUs)} µs CPU), bearer ${Math.round(bearer.rps)}/s (${Math.round(bearer.cpuUs)} µs CPU)`);
    return { name, token, bearer };
  } finally {
    for (const i of instances) await stop(i.child);
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
}

const database = `tsforge_bench_${randomBytes(4).toString('hex')}`;
const redis = new Redis(REDIS_URL);
const rows = [];
await admin(`CREATE DATABASE ${database}`);
try {
  const pgEnv = { DATABASE_URL: `postgres://postgres@127.0.0.1:5432/${database}` };
  const cacheEnv = { ...pgEnv, REDIS_URL, TSFORGE_TOKEN_CACHE_TTL_MS: '5000' };
  rows.push(await row('SQLite, 1 instance', {}, 1));
  rows.push(await row('PostgreSQL, 1 instance', pgEnv, 1));
  rows.push(await row('PostgreSQL + Redis cache, 1 instance', cacheEnv, 1));
  rows.push(await row('PostgreSQL, 2 instances', pgEnv, 2));
  rows.push(await row('PostgreSQL + Redis cache, 2 instances', cacheEnv, 2));
} finally {
  await redis.flushdb();
  redis.disconnect();
  await admin(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
}

const base = rows[0];
const cell = (m, b) => `${Math.round(m.rps)} | ${(m.rps / b.rps).toFixed(2)} | ${m.p99} | ${Math.round(m.cpuUs)} | ${(b.cpuUs / m.cpuUs).toFixed(2)}`;
console.log(`\nSeveral instances: ${DURATION}s per row, autocannon -c ${CONNECTIONS} per instance, node ${process.version}, ${(await import('node:os')).cpus().length} cores shared by everything;`);
console.log('ratios against the SQLite instance of this run; CPU = µs of tsforge processes per request (the database and Redis not counted)\n');
console.log('| setup | token req/s | ratio | p99 ms | CPU µs | CPU ratio | bearer req/s | ratio | p99 ms | CPU µs | CPU ratio |');
console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const r of rows) console.log(`| ${r.name} | ${cell(r.token, base.token)} | ${cell(r.bearer, base.bearer)} |`);
