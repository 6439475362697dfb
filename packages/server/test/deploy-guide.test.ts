import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '@tsforge/oauth2-server/testing';
import { SERVER_ENV } from '../src/env-vars.js';
import { basic, removeDir, runCli, startTsforge, tempDataDir, type Client, type RunningTsforge } from './support/tsforge.js';
import { describeSwift, swiftForSuite } from './support/swift.js';
import { postgresForSuite, redisForSuite, sharedSecretFile } from './support/backing-services.js';
import { DEPLOY_DIR } from './support/deploy.js';
import { nginxRequired, startNginx, type RunningNginx } from './support/nginx.js';

const GUIDE = fileURLToPath(new URL('../../../docs/deploy.md', import.meta.url));

/** The guide's environment file (section 5), as KEY=VALUE pairs. */
function guideEnvironment(): Record<string, string> {
  const text = readFileSync(GUIDE, 'utf8');
  const section = text.slice(text.indexOf('## 5. The environment file'));
  const block = /```sh\n([\s\S]*?)```/.exec(section)![1]!;
  return Object.fromEntries(block.trim().split('\n').map((line) => {
    const eq = line.indexOf('=');
    return [line.slice(0, eq), line.slice(eq + 1)];
  }));
}

/** deploy/nginx.conf with the upstream pointed at `instances` and nginx listening on `port`. */
function nginxSite(instances: string[], port: number): string {
  const site = readFileSync(`${DEPLOY_DIR}nginx.conf`, 'utf8');
  const servers = /^ *server 10\.0\.0\.\d+:3000 (.*);$/m.exec(site)!;
  return site
    .replace(/^ *server 10\.0\.0\.\d+:3000 .*;\n/gm, '')
    .replace('upstream tsforge {\n', `upstream tsforge {\n${instances.map((i) => `    server ${i} ${servers[1]};\n`).join('')}`)
    .replace('listen 80;', `listen 127.0.0.1:${port};`);
}

describe('docs/deploy.md', () => {
  it('the environment file sets only variables the server knows', () => {
    const unknown = Object.keys(guideEnvironment()).filter((name) => !(name in SERVER_ENV));
    expect(unknown).toEqual([]);
  });
});

/**
 * The guide followed on one machine: its environment file (with this machine's addresses), two
 * instances, and deploy/nginx.conf in front of them in a real nginx.
 */
(nginxRequired() ? describeSwift : describe.skip)('the deploy guide, followed: two instances behind deploy/nginx.conf', () => {
  const swift = swiftForSuite('deploy-guide');
  const postgres = postgresForSuite();
  const redis = redisForSuite(10);
  let dir: string;
  let env: NodeJS.ProcessEnv;
  let instances: RunningTsforge[] = [];
  let nginx: RunningNginx;
  let client: Client;

  beforeAll(async () => {
    dir = tempDataDir();
    const port = await freePort();
    const local: Record<string, string> = {
      HOST: '127.0.0.1', PORT: '0', TSFORGE_ISSUER: `http://127.0.0.1:${port}`, TSFORGE_SECRET_FILE: sharedSecretFile(dir),
      DATABASE_URL: postgres.url(), REDIS_URL: redis.url, TSFORGE_TRUST_PROXY: '127.0.0.1', TSFORGE_SHUTDOWN_DELAY_MS: '1000',
    };
    const s3 = swift.env() as Record<string, string>;
    // Every value the guide sets, except where this machine's differ (addresses, the store's keys).
    env = { ...guideEnvironment(), ...local, ...s3, AWS_REGION: s3.AWS_REGION! };
    const migrated = await runCli(['migrate'], { dataDir: join(dir, 'cli'), env });
    expect(migrated.stdout).toMatch(/^postgres:\/\/127\.0\.0\.1:5432\/tsforge_t_\w+: migrated schema from version 0 to \d+\n$/);
    instances = await Promise.all([0, 1].map((k) => startTsforge({ dataDir: join(dir, `i${k}`), env })));
    nginx = await startNginx(join(dir, 'nginx'), nginxSite(instances.map((i) => new URL(i.url).host), port), port);
    const created = await runCli(['client', 'create', '--name', 'guide', '--grant', 'client_credentials', '--scope', 'files:read files:write', '--json'], { dataDir: join(dir, 'cli'), env });
    client = JSON.parse(created.stdout) as Client;
  }, 120_000);
  afterAll(async () => {
    await nginx?.stop();
    await Promise.all(instances.map((i) => i.stop()));
    removeDir(dir);
  });

  const token = async (): Promise<string> => {
    const response = await fetch(`${nginx.url}/oauth/token`, {
      method: 'POST',
      headers: { authorization: basic(client.client_id, client.client_secret), 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    });
    expect(response.status).toBe(200);
    return ((await response.json()) as { access_token: string }).access_token;
  };

  it('ready through the balancer; /metrics and /admin closed to the outside', async () => {
    expect(await (await fetch(`${nginx.url}/ready`)).json()).toEqual({ status: 'ready', checks: { database: 'ok', storage: 'ok', redis: 'ok' } });
    expect((await fetch(`${nginx.url}/metrics`)).status).toBe(403);
    expect((await fetch(`${nginx.url}/admin/log-level`)).status).toBe(403);
    expect((await fetch(`${nginx.url}/.well-known/oauth-authorization-server`).then((r) => r.json()) as { issuer: string }).issuer).toBe(nginx.url);
  });

  it('tokens and a 4 MiB upload streamed through nginx work whichever instance answers', async () => {
    const bearer = `Bearer ${await token()}`;
    const bytes = randomBytes(4 * 1024 * 1024);
    const put = await fetch(`${nginx.url}/api/files/guide/big.bin`, { method: 'PUT', headers: { authorization: bearer }, body: bytes });
    expect(put.status).toBe(201);
    for (let i = 0; i < 4; i++) {
      const get = await fetch(`${nginx.url}/api/files/guide/big.bin`, { headers: { authorization: bearer } });
      expect(Buffer.from(await get.arrayBuffer()).equals(bytes)).toBe(true);
    }
    // nginx alternated between the instances: both logged requests of this test.
    for (const instance of instances) expect(instance.logs().some((l) => l.route === '/api/files/*')).toBe(true);
  });

  it('the file store down: file requests answer 503 through nginx, and every instance stays in the pool for OAuth', async () => {
    const bearer = `Bearer ${await token()}`;
    await fetch(`${nginx.url}/api/files/guide/small.txt`, { method: 'PUT', headers: { authorization: bearer }, body: 'small' });
    await swift.server().kill();
    try {
      // A 503 counted as a failed attempt (proxy_next_upstream http_503) made nginx mark every
      // instance down after a few of these: then even the token endpoint answered 502.
      for (let i = 0; i < 6; i++) {
        const get = await fetch(`${nginx.url}/api/files/guide/small.txt`, { headers: { authorization: bearer } });
        expect(get.status).toBe(503);
        await get.arrayBuffer();
      }
      for (let i = 0; i < 6; i++) expect(await token()).toEqual(expect.any(String));
      const ready = await fetch(`${nginx.url}/ready`);
      expect([ready.status, await ready.json()]).toEqual([200, { status: 'ready', checks: { database: 'ok', storage: 'failed', redis: 'ok' } }]);
    } finally {
      await swift.server().restart();
    }
    const get = await fetch(`${nginx.url}/api/files/guide/small.txt`, { headers: { authorization: bearer } });
    expect([get.status, await get.text()]).toEqual([200, 'small']);
  });

  it('a rolling restart (SIGTERM to one instance) under load loses no request and drains without cutting connections', async () => {
    const bearer = `Bearer ${await token()}`;
    const failures: string[] = [];
    let done = 0;
    let stopping = true;
    const worker = async () => {
      while (stopping) {
        const response = await fetch(`${nginx.url}/api/files?limit=1`, { headers: { authorization: bearer } }).catch((err: Error) => err);
        if (response instanceof Error) failures.push(response.message);
        else {
          await response.arrayBuffer();
          if (response.status !== 200) failures.push(String(response.status));
        }
        done++;
      }
    };
    const load = Promise.all(Array.from({ length: 8 }, worker));
    await new Promise((r) => setTimeout(r, 300));
    expect(await instances[0]!.stop('SIGTERM')).toBe(0);
    await new Promise((r) => setTimeout(r, 300));
    stopping = false;
    await load;
    expect(done).toBeGreaterThan(50);
    expect(failures).toEqual([]);
    // Drained, not cut off: the balancer's reused connections ended after their last request
    // (a response in flight at shutdown says `Connection: close`), long before the timeout.
    const messages = instances[0]!.logs().map((l) => l.msg);
    expect(messages).toContain('stopped');
    expect(messages).not.toContain('shutdown timeout: closing remaining connections');
  });
});
