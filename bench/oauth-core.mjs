// The @tsforge/oauth2-server core in process, no HTTP: CPU time per token request, introspection
// and bearer check (client_credentials, client_secret_basic, SQLite store), with BENCH_CONCURRENCY
// (50) calls in flight, so group commit batches as it does under load. BENCH_ROUNDS (3) rounds of
// BENCH_CALLS (20000) calls, median reported. `node bench/oauth-core.mjs [ROOT]` measures the
// build under ROOT (a copy of another commit, for before/after); FORMAT=jwt for JWT access tokens.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const root = resolve(process.argv[2] ?? new URL('..', import.meta.url).pathname);
const CALLS = Number(process.env.BENCH_CALLS ?? 20000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 50);
const load = (p) => import(pathToFileURL(join(root, 'packages/oauth2-server/dist', p)).href);
const { OAuth2Server } = await load('index.js');
const { SqliteStore } = await load('sqlite/index.js');

const dir = mkdtempSync(join(tmpdir(), 'tsforge-bench-oauth-core-'));
const store = new SqliteStore({ path: join(dir, 'core.db') });
const oauth = new OAuth2Server({ store, issuer: 'http://127.0.0.1:1', secretKey: randomBytes(32), scopesSupported: ['read'], accessTokenFormat: process.env.FORMAT ?? 'opaque' });
const { client, clientSecret } = await oauth.registerClient({ name: 'bench', grantTypes: ['client_credentials'], scopes: ['read'] });
const enc = (s) => new URLSearchParams({ s }).toString().slice(2);
const headers = { authorization: 'Basic ' + Buffer.from(`${enc(client.id)}:${enc(clientSecret)}`).toString('base64'), 'content-type': 'application/x-www-form-urlencoded' };
const tokenRequest = { method: 'POST', headers, body: 'grant_type=client_credentials' };
const token = (await oauth.token(tokenRequest)).body.access_token;
const introspectionRequest = { method: 'POST', headers, body: `token=${token}` };

/** CPU µs (user + system) per call, `CONCURRENCY` calls in flight. */
async function cpuPerCall(call) {
  const start = process.cpuUsage();
  for (let i = 0; i < CALLS; i += CONCURRENCY) await Promise.all(Array.from({ length: CONCURRENCY }, call));
  const used = process.cpuUsage(start);
  return (used.user + used.system) / CALLS;
}

const cases = {
  token: () => oauth.token(tokenRequest),
  introspection: () => oauth.introspection(introspectionRequest),
  'bearer check': () => oauth.authenticateBearer(`Bearer ${token}`, 'read'),
};
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
await cpuPerCall(cases.token); // warm-up
const results = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
for (let r = 0; r < ROUNDS; r++) for (const [name, call] of Object.entries(cases)) results[name].push(await cpuPerCall(call));
await store.close();
rmSync(dir, { recursive: true, force: true });
console.log(`core in process (${root}), ${process.env.FORMAT ?? 'opaque'}, ${CONCURRENCY} in flight, median of ${ROUNDS} × ${CALLS}:`);
for (const [name, xs] of Object.entries(results)) console.log(`  ${name.padEnd(14)} ${median(xs).toFixed(1).padStart(6)} µs CPU per call  (${xs.map((x) => x.toFixed(1)).join(', ')})`);
