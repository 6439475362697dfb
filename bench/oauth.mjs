// npm run bench, OAuth part: client_credentials with client_secret_basic at POST /oauth/token,
// a bearer-protected route that validates the token (tsforge serve: `GET /api/files?limit=1` on an
// empty disk), and introspection: tsforge (opaque and JWT,
// tokens in SQLite) beside oidc-provider (its in-memory adapter, opaque and JWT ES256) and
// @node-oauth/oauth2-server (in-memory model), all measured in this one run with autocannon.
// 127.0.0.1 only; BENCH_OAUTH_DURATION seconds per row (default 5), BENCH_OAUTH_CONNECTIONS (50),
// BENCH_OAUTH_WARMUP seconds of unmeasured token requests per server first (default 5).
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { cpuSeconds } from './proc.mjs';

const DURATION = Number(process.env.BENCH_OAUTH_DURATION ?? 5);
const CONNECTIONS = Number(process.env.BENCH_OAUTH_CONNECTIONS ?? 50);
// Unmeasured token requests first: otherwise the first row of each server pays for its JIT
// warm-up (compiler threads count in its CPU time), and that row is always the token endpoint.
const WARMUP = Number(process.env.BENCH_OAUTH_WARMUP ?? 5);
const CLI = new URL('../packages/server/dist/cli.js', import.meta.url).pathname;
const here = (f) => new URL(`./oauth/${f}`, import.meta.url).pathname;
const FORM = 'application/x-www-form-urlencoded';
const enc = (s) => new URLSearchParams({ s }).toString().slice(2);
const basic = (id, secret) => 'Basic ' + Buffer.from(`${enc(id)}:${enc(secret)}`).toString('base64');

function start(args, env, pattern = (l) => l.url) {
  const child = spawn(process.execPath, args, { env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'pipe', 'ignore'] });
  return new Promise((resolve, reject) => {
    let buffered = '';
    const onData = (d) => {
      buffered += d;
      for (const line of buffered.split('\n')) {
        try {
          const parsed = JSON.parse(line);
          if (pattern(parsed)) {
            child.stdout.off('data', onData);
            child.stdout.resume();
            resolve({ child, info: parsed });
            return;
          }
        } catch { /* partial line */ }
      }
    };
    child.stdout.setEncoding('utf8').on('data', onData);
    child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited ${code}`)));
  });
}
const stop = (child) => new Promise((resolve) => { child.once('exit', resolve); child.kill('SIGTERM'); });


/**
 * Throughput, p99, and the server's CPU time per request: on a machine shared with the load
 * generator and other work, CPU per request moves far less than req/s between runs.
 */
async function measure(pid, options) {
  const before = cpuSeconds(pid);
  const result = await autocannon({ connections: CONNECTIONS, duration: DURATION, ...options });
  const after = cpuSeconds(pid);
  const failed = result.non2xx + result.errors;
  if (failed) throw new Error(`${options.url}: ${failed} failed requests`);
  const cpuUs = before === undefined || after === undefined ? undefined : ((after - before) / result.requests.total) * 1e6;
  return { rps: result.requests.average, p99: result.latency.p99, cpuUs };
}

async function getToken(url, auth, body) {
  const r = await fetch(url, { method: 'POST', headers: { authorization: auth, 'content-type': FORM }, body });
  if (r.status !== 200) throw new Error(`${url}: ${r.status} ${await r.text()}`);
  return (await r.json()).access_token;
}

/** One system: token endpoint, bearer route, introspection (when it has one). */
async function bench(name, pid, target) {
  const row = { name };
  if (WARMUP > 0) await autocannon({ connections: CONNECTIONS, duration: WARMUP, url: target.tokenUrl, method: 'POST', headers: { authorization: target.auth, 'content-type': FORM }, body: target.tokenBody });
  row.token = await measure(pid, { url: target.tokenUrl, method: 'POST', headers: { authorization: target.auth, 'content-type': FORM }, body: target.tokenBody });
  const token = await getToken(target.tokenUrl, target.auth, target.tokenBody);
  if (target.bearerUrl) row.bearer = await measure(pid, { url: target.bearerUrl, headers: { authorization: `Bearer ${token}` } });
  if (target.introspectUrl) row.introspect = await measure(pid, { url: target.introspectUrl, method: 'POST', headers: { authorization: target.auth, 'content-type': FORM }, body: `token=${token}` });
  console.error(`${name}: token ${Math.round(row.token.rps)}/s${row.bearer ? `, bearer ${Math.round(row.bearer.rps)}/s` : ''}${row.introspect ? `, introspection ${Math.round(row.introspect.rps)}/s` : ''}`);
  return row;
}

const rows = [];
const dirs = [];
const tmp = () => { const d = mkdtempSync(join(tmpdir(), 'tsforge-bench-oauth-')); dirs.push(d); return d; };
try {
  for (const format of ['opaque', 'jwt']) {
    // The real server: Fastify, access log to a pipe, metrics, SQLite; rate limit off for the load test.
    const dataDir = tmp();
    const env = { TSFORGE_DATA_DIR: dataDir, LOG_FORMAT: 'json', ACCESS_TOKEN_FORMAT: format, TSFORGE_TOKEN_RATE_LIMIT: '0' };
    const c = JSON.parse(execFileSync(process.execPath, [CLI, 'client', 'create', '--name', 'bench', '--grant', 'client_credentials', '--scope', 'files:read', '--json'], { env: { PATH: process.env.PATH, ...env } }).toString());
    const { child, info } = await start([CLI, 'serve', '--port', '0'], env, (l) => l.msg === 'listening');
    try {
      rows.push(await bench(`tsforge serve, ${format}`, child.pid, {
        tokenUrl: `${info.url}/oauth/token`, introspectUrl: `${info.url}/oauth/introspect`, auth: basic(c.client_id, c.client_secret), tokenBody: 'grant_type=client_credentials',
        // The cheapest bearer-protected route it has: one page of an empty file listing.
        bearerUrl: `${info.url}/api/files?limit=1`,
      }));
    } finally {
      await stop(child);
    }
    const core = await start([here('tsforge-core-server.mjs')], { DATA_DIR: tmp(), FORMAT: format });
    try {
      const i = core.info;
      rows.push(await bench(`tsforge core on node:http, ${format}`, core.child.pid, {
        tokenUrl: `${i.url}${i.token}`, introspectUrl: `${i.url}${i.introspect}`, bearerUrl: `${i.url}/api/ping`, auth: basic(i.clientId, i.clientSecret), tokenBody: 'grant_type=client_credentials',
      }));
    } finally {
      await stop(core.child);
    }
  }
  const CLIENT_ID = 'bench';
  const CLIENT_SECRET = 'bench-secret-with-enough-entropy-0123456789';
  for (const format of ['opaque', 'jwt']) {
    const { child, info } = await start([here('oidc-provider-server.mjs')], { CLIENT_ID, CLIENT_SECRET, FORMAT: format });
    try {
      rows.push(await bench(`oidc-provider, ${format === 'jwt' ? 'jwt ES256' : 'opaque'}`, child.pid, {
        tokenUrl: `${info.url}${info.token}`, bearerUrl: `${info.url}/api/ping`, auth: basic(CLIENT_ID, CLIENT_SECRET), tokenBody: 'grant_type=client_credentials&scope=read',
        // oidc-provider refuses to introspect its JWT access tokens (unsupported_token_type).
        introspectUrl: format === 'opaque' ? `${info.url}${info.introspect}` : undefined,
      }));
    } finally {
      await stop(child);
    }
  }
  {
    const { child, info } = await start([here('node-oauth-server.mjs')], { CLIENT_ID, CLIENT_SECRET });
    try {
      rows.push(await bench('@node-oauth/oauth2-server, opaque (memory)', child.pid, {
        tokenUrl: `${info.url}${info.token}`, bearerUrl: `${info.url}/api/ping`, auth: basic(CLIENT_ID, CLIENT_SECRET), tokenBody: 'grant_type=client_credentials',
      }));
    } finally {
      await stop(child);
    }
  }
} finally {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
}

const find = (name) => rows.find((r) => r.name === name);
const cell = (m) => (m ? `${Math.round(m.rps)} | ${m.p99} | ${m.cpuUs === undefined ? '—' : Math.round(m.cpuUs)}` : '— | — | —');
console.log(`\nOAuth: ${DURATION}s per row, autocannon -c ${CONNECTIONS}, node ${process.version}; CPU = server process µs per request\n`);
console.log('| system | token req/s | p99 ms | CPU µs | bearer route req/s | p99 ms | CPU µs | introspection req/s | p99 ms | CPU µs |');
console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const r of rows) console.log(`| ${r.name} | ${cell(r.token)} | ${cell(r.bearer)} | ${cell(r.introspect)} |`);

const oidcOpaque = find('oidc-provider, opaque');
const oidcJwt = find('oidc-provider, jwt ES256');
const nodeOauth = find('@node-oauth/oauth2-server, opaque (memory)');
const ratio = (a, b) => (a && b ? (a.rps / b.rps).toFixed(2) : 'n/a');
// The same comparison by CPU per request: how many requests tsforge serves with the CPU the other spends on one.
const cpuRatio = (a, b) => (a?.cpuUs && b?.cpuUs ? (b.cpuUs / a.cpuUs).toFixed(2) : 'n/a');
console.log('\n| target (issue) | tsforge serve req/s ratio | by CPU per request | tsforge core req/s ratio | by CPU per request |');
console.log('|---|---:|---:|---:|---:|');
const line = (label, pick, base, goal) => {
  const kind = label.split(' ')[0];
  const serve = pick(find(`tsforge serve, ${kind}`));
  const core = pick(find(`tsforge core on node:http, ${kind}`));
  console.log(`| ${label} (goal ≥ ${goal}) | ${ratio(serve, base)} | ${cpuRatio(serve, base)} | ${ratio(core, base)} | ${cpuRatio(core, base)} |`);
};
line('opaque tokens / oidc-provider opaque', (r) => r?.token, oidcOpaque?.token, 3);
line('opaque tokens / @node-oauth', (r) => r?.token, nodeOauth?.token, 1);
line('jwt tokens / oidc-provider jwt', (r) => r?.token, oidcJwt?.token, 2);
line('opaque introspection / oidc-provider', (r) => r?.introspect, oidcOpaque?.introspect, 4);
line('opaque bearer route / oidc-provider', (r) => r?.bearer, oidcOpaque?.bearer, '—');
