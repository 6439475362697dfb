// npm run bench: requests/s of tsforge's hot paths beside bare Fastify, measured in the same run
// and reported as ratios (the machines are shared and noisy; absolute numbers mean little).
// Traffic goes to 127.0.0.1 only; every run is bounded in time.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';

const DURATION = Number(process.env.BENCH_DURATION ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 20);
const CLI = new URL('../packages/server/dist/cli.js', import.meta.url).pathname;

function start(args, env, pattern) {
  const child = spawn(process.execPath, args, { env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let buffered = '';
    const onData = (d) => {
      buffered += d;
      for (const line of buffered.split('\n')) {
        try {
          const parsed = JSON.parse(line);
          if (pattern(parsed)) {
            child.stdout.off('data', onData);
            child.stdout.resume(); // keep draining the access log
            resolve({ child, url: parsed.url });
            return;
          }
        } catch { /* partial line */ }
      }
    };
    child.stdout.setEncoding('utf8').on('data', onData);
    child.once('exit', (code) => reject(new Error(`exited ${code}`)));
  });
}

function stop(child) {
  return new Promise((resolve) => { child.once('exit', resolve); child.kill('SIGTERM'); });
}

async function measure(name, options) {
  const result = await autocannon({ connections: CONNECTIONS, duration: DURATION, ...options });
  const non2xx = result.non2xx + result.errors;
  if (non2xx) throw new Error(`${name}: ${non2xx} failed requests`);
  return { name, rps: result.requests.average, p99: result.latency.p99 };
}

const dataDir = mkdtempSync(join(tmpdir(), 'tsforge-bench-'));
// The token endpoint's rate limit (TSFORGE_TOKEN_RATE_LIMIT) would refuse a load test from one client.
const env = { TSFORGE_DATA_DIR: dataDir, LOG_FORMAT: 'json', TSFORGE_TOKEN_RATE_LIMIT: '0' };
const { client_id, client_secret } = JSON.parse(execFileSync(process.execPath, [CLI, 'client', 'create', '--name', 'bench', '--grant', 'client_credentials', '--scope', 'files:read files:write', '--json'], { env: { PATH: process.env.PATH, ...env } }).toString());

const baseline = await start([new URL('./baseline-server.mjs', import.meta.url).pathname], {}, (l) => l.url);
const tsforge = await start([CLI, 'serve', '--port', '0'], env, (l) => l.msg === 'listening');
try {
  const basic = 'Basic ' + Buffer.from(`${encodeURIComponent(client_id)}:${encodeURIComponent(client_secret)}`).toString('base64');
  const tokenResponse = await fetch(`${tsforge.url}/oauth/token`, { method: 'POST', headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' }, body: 'grant_type=client_credentials' });
  const { access_token } = await tokenResponse.json();
  await fetch(`${tsforge.url}/api/files/bench/1k.bin`, { method: 'PUT', headers: { authorization: `Bearer ${access_token}` }, body: Buffer.alloc(1024, 1) });

  const rows = [];
  rows.push(await measure('bare Fastify GET /static (baseline)', { url: `${baseline.url}/static` }));
  rows.push(await measure('tsforge GET /health (database ping; access log, metrics)', { url: `${tsforge.url}/health` }));
  rows.push(await measure('tsforge GET /api/files/<1 KiB file> (bearer)', { url: `${tsforge.url}/api/files/bench/1k.bin`, headers: { authorization: `Bearer ${access_token}` } }));
  rows.push(await measure('tsforge POST /oauth/token (client_credentials)', {
    url: `${tsforge.url}/oauth/token`, method: 'POST',
    headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' }, body: 'grant_type=client_credentials',
  }));
  rows.push(await measure('bare Fastify GET /static (baseline, again)', { url: `${baseline.url}/static` }));

  const base = (rows[0].rps + rows[rows.length - 1].rps) / 2;
  console.log(`\n${DURATION}s per target, ${CONNECTIONS} connections, node ${process.version}, baseline = mean of the two baseline runs\n`);
  console.log('| target | req/s | p99 ms | ratio to baseline |');
  console.log('|---|---:|---:|---:|');
  for (const r of rows) console.log(`| ${r.name} | ${Math.round(r.rps)} | ${r.p99} | ${(r.rps / base).toFixed(3)} |`);
} finally {
  await Promise.all([stop(baseline.child), stop(tsforge.child)]);
  rmSync(dataDir, { recursive: true, force: true });
}
