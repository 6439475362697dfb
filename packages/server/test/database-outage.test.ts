import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startThrowawayPostgres, type ThrowawayPostgres } from '@tsforge/oauth2-server/testing';
import { basic, getToken, removeDir, runCli, startTsforge, tempDataDir, until, type Client, type RunningTsforge } from './support/tsforge.js';
import { loadLoop, sleep, type Sample } from './support/load.js';

/** A password in the URL (trust auth ignores it): it must never reach a log line or a message. */
const PASSWORD = 'secret-pw-5d1e';
/** The pool's connect timeout (PostgresStore's default, which `tsforge serve` keeps). */
const CONNECT_TIMEOUT_MS = 3000;
/** No request may take longer than that: a stopped server refuses at once, so this is generous. */
const ANSWER_BOUND_MS = CONNECT_TIMEOUT_MS;
const OUTAGE_MS = 3000;
/** From PostgreSQL accepting connections again to the first request answered 200. */
const RECOVERY_BOUND_MS = 5000;
/**
 * Lines other than the access log while it is down: the outage (once), the pool's lost idle
 * connections (at most the pool size), the few /ready probes. Thousands of requests fail.
 */
const OTHER_LOG_LINES_BOUND = 30;
/** TSFORGE_DB_STATEMENT_TIMEOUT_MS here (default 10 s): how long a request may wait on a hung database. */
const STATEMENT_TIMEOUT_MS = 4000;
/** The client's read timeout on a statement: the statement timeout plus 2 s. */
const READ_TIMEOUT_MS = STATEMENT_TIMEOUT_MS + 2000;
/** Longer than the read timeout, so that it, not the end of the freeze, is what answers. */
const HUNG_MS = READ_TIMEOUT_MS + 3000;
const HUNG_ANSWER_BOUND_MS = READ_TIMEOUT_MS + 2000;
/** `/ready` gives each dependency this long. */
const CHECK_TIMEOUT_MS = 2000;

const withPassword = (url: string): string => url.replace('postgres://postgres@', `postgres://postgres:${PASSWORD}@`);

describe('PostgreSQL stopped, or hung, mid-load and back again', () => {
  let postgres: ThrowawayPostgres;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  let client: Client;
  let server: RunningTsforge;

  beforeAll(async () => {
    postgres = await startThrowawayPostgres();
    dir = tempDataDir();
    env = { DATABASE_URL: withPassword(postgres.url), TSFORGE_TOKEN_RATE_LIMIT: '0', TSFORGE_DB_STATEMENT_TIMEOUT_MS: String(STATEMENT_TIMEOUT_MS) };
    const created = await runCli(['client', 'create', '--name', 'load', '--grant', 'client_credentials', '--scope', 'files:read', '--json'], { dataDir: dir, env });
    if (created.code !== 0) throw new Error(`client create failed: ${created.stderr}`);
    client = JSON.parse(created.stdout) as Client;
    server = await startTsforge({ dataDir: dir, env });
  }, 60_000);
  afterAll(async () => {
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

  it('answers 503 temporarily_unavailable at once while it is down, never hangs, and recovers without a restart', async () => {
    const issuedBefore = await getToken(server.url, client);
    expect((await listFiles(issuedBefore)).status).toBe(200);

    const load = loadLoop(4, (worker) => worker % 2 === 0
      ? { kind: 'token', send: tokenRequest }
      : { kind: 'files', send: () => listFiles(issuedBefore) });
    await sleep(500);

    const stopping = Date.now();
    const linesAtStop = server.lines.length;
    await postgres.stop();
    const downAt = Date.now();
    await sleep(300);
    const readyDown = await probe('/ready');
    const healthDown = await probe('/health');
    // The JWKS reads the signing keys from the database outside the OAuth core: it answered 500.
    const [tokenDown, filesDown, jwksDown] = await Promise.all([tokenRequest(), listFiles(issuedBefore), fetch(`${server.url}/oauth/jwks`)]);
    await sleep(Math.max(0, OUTAGE_MS - (Date.now() - downAt)));
    const upStarting = Date.now();
    await postgres.start();
    const upAt = Date.now();

    let firstOk: Sample | undefined;
    const waitUntil = upAt + RECOVERY_BOUND_MS + 1000;
    while (!firstOk && Date.now() < waitUntil) {
      firstOk = load.samples.find((s) => s.startedAt >= upAt && s.status === 200);
      await sleep(50);
    }
    await sleep(500);
    await load.stop();
    const linesAtRecovery = server.lines.length;

    // Down: every request that needed the database got a 503 the client may retry.
    const whileDown = load.samples.filter((s) => s.startedAt >= downAt && s.startedAt + s.ms <= upStarting);
    expect(whileDown.length).toBeGreaterThan(50);
    expect(countBy(whileDown.map((s) => `${s.kind} ${s.status}`))).toEqual({ 'token 503': expect.any(Number), 'files 503': expect.any(Number) });
    for (const body of new Set(whileDown.map((s) => s.body))) {
      expect(JSON.parse(body)).toEqual({ error: 'temporarily_unavailable', error_description: expect.any(String) });
    }
    // Nothing else at any time: no 500, no connection cut off, no request held past the bound.
    expect(new Set(load.samples.map((s) => s.status))).toEqual(new Set([200, 503]));
    expect(Math.max(...load.samples.map((s) => s.ms))).toBeLessThan(ANSWER_BOUND_MS);

    // RFC 9110 §10.2.3: a 503 says when to come back; RFC 6749 §5.1: no-store on the token endpoint's answers.
    for (const response of [tokenDown, filesDown, jwksDown]) {
      expect(response.status).toBe(503);
      expect(response.headers.get('retry-after')).toBe('5');
      expect(response.headers.get('www-authenticate')).toBeNull();
    }
    expect(Object.fromEntries(['cache-control', 'pragma'].map((h) => [h, tokenDown.headers.get(h)]))).toEqual({ 'cache-control': 'no-store', pragma: 'no-cache' });
    expect(readyDown).toEqual({ status: 503, body: { status: 'unavailable', checks: { database: 'failed', storage: 'ok' } } });
    expect(healthDown).toEqual({ status: 200, body: { status: 'ok' } });

    // Back by itself, the same process, soon after PostgreSQL accepts connections.
    expect(firstOk, 'no request succeeded after PostgreSQL came back').toBeDefined();
    expect(firstOk!.startedAt + firstOk!.ms - upAt).toBeLessThan(RECOVERY_BOUND_MS);
    const after = load.samples.filter((s) => s.startedAt > firstOk!.startedAt + firstOk!.ms);
    expect(after.filter((s) => s.status !== 200)).toEqual([]);
    expect(await probe('/ready')).toEqual({ status: 200, body: { status: 'ready', checks: { database: 'ok', storage: 'ok' } } });
    expect((await listFiles(await getToken(server.url, client))).status).toBe(200);
    expect(server.child.exitCode).toBeNull();
    expect(server.child.signalCode).toBeNull();

    // The log: the outage named once at error, its end once, no stack per failed request, no password.
    await until(() => server.logs().some((l) => l.msg === 'database reachable again'));
    const logs = server.logs();
    const outageLines = logs.filter((l) => l.msg === 'database unreachable: requests that need it answer 503 until it is back');
    expect(outageLines).toHaveLength(1);
    expect(outageLines[0]).toMatchObject({ level: 'error', module: 'database', database: `postgres://127.0.0.1:${postgres.port}/postgres` });
    const back = logs.find((l) => l.msg === 'database reachable again')!;
    expect(back).toMatchObject({ level: 'info', failed_requests: expect.any(Number), down_ms: expect.any(Number) });
    expect(back.failed_requests).toBeGreaterThanOrEqual(whileDown.length);
    expect(back.down_ms).toBeGreaterThanOrEqual(upStarting - stopping - 1000);
    const duringOutage = server.lines.slice(linesAtStop, linesAtRecovery).map((line) => JSON.parse(line) as Record<string, unknown>);
    const notAccessLines = duringOutage.filter((l) => l.module !== 'http');
    expect(notAccessLines.length).toBeLessThan(OTHER_LOG_LINES_BOUND);
    expect(logs.filter((l) => l.msg === 'oauth2 internal error' || l.msg === 'unhandled error')).toEqual([]);
    expect(await jwksDown.json()).toEqual({ error: 'temporarily_unavailable', error_description: 'the server is temporarily unavailable; try again later' });
    expect(server.lines.join('\n')).not.toContain(PASSWORD);
    expect(server.stderr()).toBe('');
  }, 60_000);

  it('a hung PostgreSQL (connections open, nothing answered): 503 within the read timeout, then back without a restart', async () => {
    const outagesBefore = server.logs().filter((l) => l.msg === 'database reachable again').length;
    const issuedBefore = await getToken(server.url, client);
    const load = loadLoop(4, (worker) => worker % 2 === 0
      ? { kind: 'token', send: tokenRequest }
      : { kind: 'files', send: () => listFiles(issuedBefore) });
    await sleep(500);

    await postgres.freeze();
    const frozenAt = Date.now();
    await sleep(300);
    const timed = async (path: string) => {
      const started = Date.now();
      return { ...(await probe(path)), ms: Date.now() - started };
    };
    const [readyFrozen, healthFrozen] = await Promise.all([timed('/ready'), timed('/health')]);
    await sleep(Math.max(0, HUNG_MS - (Date.now() - frozenAt)));
    await postgres.thaw();
    const thawedAt = Date.now();

    let firstOk: Sample | undefined;
    while (!firstOk && Date.now() < thawedAt + RECOVERY_BOUND_MS + 1000) {
      firstOk = load.samples.find((s) => s.startedAt >= thawedAt && s.status === 200);
      await sleep(50);
    }
    await load.stop();

    // Requests on open connections wait for the read timeout; the others for a connection, at most the connect timeout.
    const whileHung = load.samples.filter((s) => s.startedAt >= frozenAt && s.startedAt + s.ms <= thawedAt);
    expect(whileHung.length).toBeGreaterThan(0);
    expect(new Set(whileHung.map((s) => s.status))).toEqual(new Set([503]));
    expect(new Set(load.samples.map((s) => s.status))).toEqual(new Set([200, 503]));
    expect(Math.max(...load.samples.map((s) => s.ms))).toBeLessThan(HUNG_ANSWER_BOUND_MS);
    // The bound is the configured one: requests on open connections waited for it, not for the default.
    expect(Math.max(...whileHung.map((s) => s.ms))).toBeGreaterThanOrEqual(STATEMENT_TIMEOUT_MS);
    expect(readyFrozen).toMatchObject({ status: 503, body: { status: 'unavailable', checks: { database: 'failed', storage: 'ok' } } });
    expect(readyFrozen.ms).toBeLessThan(CHECK_TIMEOUT_MS + 1000);
    expect(healthFrozen).toMatchObject({ status: 200, body: { status: 'ok' } });
    expect(healthFrozen.ms).toBeLessThan(1000);

    expect(firstOk, 'no request succeeded after PostgreSQL answered again').toBeDefined();
    expect(firstOk!.startedAt + firstOk!.ms - thawedAt).toBeLessThan(RECOVERY_BOUND_MS);
    expect(await probe('/ready')).toEqual({ status: 200, body: { status: 'ready', checks: { database: 'ok', storage: 'ok' } } });
    await until(() => server.logs().filter((l) => l.msg === 'database reachable again').length > outagesBefore);
    expect(server.logs().filter((l) => l.msg === 'oauth2 internal error')).toEqual([]);
    expect(server.child.exitCode).toBeNull();
    expect(server.lines.join('\n')).not.toContain(PASSWORD);
  }, 60_000);

  it('SIGTERM while PostgreSQL hangs: the process exits within the connect timeout, not when the database answers again', async () => {
    const other = await startTsforge({ dataDir: dir, env });
    try {
      await getToken(other.url, client);
      await postgres.freeze();
      const started = Date.now();
      expect(await other.stop()).toBe(0);
      expect(Date.now() - started).toBeLessThan(CONNECT_TIMEOUT_MS + 1000);
    } finally {
      other.child.kill('SIGKILL');
      await postgres.thaw();
    }
  }, 30_000);
});

describe('PostgreSQL down when a command starts', () => {
  let postgres: ThrowawayPostgres;
  let dir: string;

  beforeAll(async () => {
    postgres = await startThrowawayPostgres();
    await postgres.stop();
    dir = tempDataDir();
  }, 60_000);
  afterAll(async () => {
    await postgres?.destroy();
    removeDir(dir);
  });

  it.each([
    ['serve', ['serve', '--port', '0']],
    ['migrate', ['migrate']],
  ])('tsforge %s prints one line naming where, without the password, and exits 1', async (_name, args) => {
    const result = await runCli(args, { dataDir: dir, env: { DATABASE_URL: withPassword(postgres.url), LOG_FORMAT: 'json' } });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`tsforge: cannot reach the database at postgres://127.0.0.1:${postgres.port}/postgres (DATABASE_URL): ECONNREFUSED\n`);
    expect(result.stdout).not.toContain(PASSWORD);
  });

  it('a database that does not exist is a refusal in the server\'s words (SQLSTATE 3D000), exit 1', async () => {
    await postgres.start();
    try {
      const url = withPassword(postgres.url).replace(/\/postgres$/, '/no_such_db');
      const result = await runCli(['migrate'], { dataDir: dir, env: { DATABASE_URL: url } });
      expect(result.code).toBe(1);
      expect(result.stderr).toBe(`tsforge: the database at postgres://127.0.0.1:${postgres.port}/no_such_db (DATABASE_URL) refused the connection: database "no_such_db" does not exist (SQLSTATE 3D000)\n`);
    } finally {
      await postgres.stop();
    }
  }, 30_000);
});

function countBy(values: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of values) out[v] = (out[v] ?? 0) + 1;
  return out;
}
