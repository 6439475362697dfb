import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startThrowawayPostgres, type ThrowawayPostgres } from '@tsforge/oauth2-server/testing';
import { basic, getToken, removeDir, runCli, startTsforge, tempDataDir, type Client, type RunningTsforge } from './support/tsforge.js';
import { loadLoop, sleep, type Sample } from './support/load.js';

/** A password in the URL (trust auth ignores it): it must never reach a log line or a message. */
const PASSWORD = 'secret-pw-5d1e';
/** The pool's connect timeout (PostgresStore's default, which `tsforge serve` keeps). */
const CONNECT_TIMEOUT_MS = 3000;
/** No request may take longer than the connect timeout plus slack for a loaded test machine. */
const ANSWER_BOUND_MS = CONNECT_TIMEOUT_MS + 3000;
const OUTAGE_MS = 3000;
const RECOVERY_BOUND_MS = 10_000;

const withPassword = (url: string): string => url.replace('postgres://postgres@', `postgres://postgres:${PASSWORD}@`);

describe('PostgreSQL stopped mid-load and started again', () => {
  let postgres: ThrowawayPostgres;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  let client: Client;
  let server: RunningTsforge;

  beforeAll(async () => {
    postgres = await startThrowawayPostgres();
    dir = tempDataDir();
    env = { DATABASE_URL: withPassword(postgres.url), TSFORGE_TOKEN_RATE_LIMIT: '0' };
    const created = await runCli(['client', 'create', '--name', 'load', '--grant', 'client_credentials', '--scope', 'files:read', '--json'], { dataDir: dir, env });
    if (created.code !== 0) throw new Error(`client create failed: ${created.stderr}`);
    client = JSON.parse(created.stdout) as Client;
    server = await startTsforge({ dataDir: dir, env });
  }, 60_000);
  afterAll(async () => {
    console.log("EXIT", server?.child.exitCode, server?.stderr(), server?.lines.slice(-8).join("\n"));
    await server?.stop();
    await postgres?.destroy();
    removeDir(dir);
  });

  const tokenRequest = () =>
    fetch(`${server.url}/oauth/token`, {
      method: 'POST',
      headers: { authorization: basic(client.client_id, client.client_secret), 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    });
  const listFiles = (token: string) => fetch(`${server.url}/api/files?limit=1`, { headers: { authorization: `Bearer ${token}` } });
  const probe = async (path: string) => {
    const response = await fetch(`${server.url}${path}`);
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  it('answers 503 fast while it is down, never hangs, and recovers by itself', async () => {
    const issuedBefore = await getToken(server.url, client);
    expect((await listFiles(issuedBefore)).status).toBe(200);

    const load = loadLoop(4, (worker, n) => worker % 2 === 0
      ? { kind: 'token', send: tokenRequest }
      : { kind: 'files', send: () => listFiles(issuedBefore) });
    await sleep(500);

    await postgres.stop();
    const downAt = Date.now();
    await sleep(300);
    const readyDown = await probe('/ready');
    const healthDown = await probe('/health');
    await sleep(Math.max(0, OUTAGE_MS - (Date.now() - downAt)));
    const upStarting = Date.now();
    await postgres.start();
    const upAt = Date.now();

    // Back without restarting tsforge: the first success after the restart, within the bound.
    let recoveredAt = 0;
    while (Date.now() - upAt < RECOVERY_BOUND_MS) {
      const ok = load.samples.find((s) => s.startedAt >= upAt && s.status === 200);
      if (ok) {
        recoveredAt = ok.startedAt + ok.ms;
        break;
      }
      await sleep(50);
    }
    await sleep(500);
    await load.stop();
    const readyUp = await probe('/ready');

    const during = load.samples.filter((s) => s.startedAt >= downAt && s.startedAt + s.ms <= upStarting);
    const failures = load.samples.filter((s) => s.status !== 200);
    console.log({
      total: load.samples.length, during: during.length, failures: failures.length,
      statuses: countBy(load.samples.map((s) => `${s.kind} ${s.status}`)),
      maxMsDuring: Math.max(...during.map((s) => s.ms)),
      p50MsDuring: median(during.map((s) => s.ms)),
      recoveryMs: recoveredAt - upAt,
      startMs: upAt - upStarting,
      bodies: [...new Set(failures.map((s) => `${s.kind} ${s.status} ${s.body}`))],
      readyDown, healthDown, readyUp,
    });
    const logs = server.logs().filter((l) => l.level !== 'info' && l.level !== 30);
    console.log(logs.slice(0, 10).map((l) => JSON.stringify(l).slice(0, 400)));
  }, 40_000);
});

function countBy(values: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of values) out[v] = (out[v] ?? 0) + 1;
  return out;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

export type { Sample };
