import { afterAll, beforeAll, describe, it } from 'vitest';
import { startThrowawayPostgres, type ThrowawayPostgres } from '@tsforge/oauth2-server/testing';
import { getToken, removeDir, runCli, startTsforge, tempDataDir, type Client } from './support/tsforge.js';

describe('explore', () => {
  let postgres: ThrowawayPostgres;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  let client: Client;
  beforeAll(async () => {
    postgres = await startThrowawayPostgres();
    dir = tempDataDir();
    env = { DATABASE_URL: postgres.url, TSFORGE_TOKEN_RATE_LIMIT: '0' };
    const created = await runCli(['client', 'create', '--name', 'x', '--grant', 'client_credentials', '--scope', 'files:read files:write', '--json'], { dataDir: dir, env });
    client = JSON.parse(created.stdout) as Client;
  }, 60_000);
  afterAll(async () => { await postgres?.destroy(); removeDir(dir); });

  it('SIGTERM while stopped, outage probing', async () => {
    const server = await startTsforge({ dataDir: dir, env });
    await getToken(server.url, client);
    await postgres.stop();
    console.log('jwks', (await fetch(`${server.url}/oauth/jwks`)).status);
    await new Promise((r) => setTimeout(r, 1500));
    const t0 = Date.now();
    console.log('exit stopped', await server.stop(), Date.now() - t0, server.stderr());
    await postgres.start();
  }, 60_000);

  it('SIGTERM twice during delay', async () => {
    const server = await startTsforge({ dataDir: dir, env: { ...env, TSFORGE_SHUTDOWN_DELAY_MS: '5000' } });
    const t0 = Date.now();
    server.child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 300));
    console.log('exit twice', await server.stop(), Date.now() - t0, server.stderr());
  }, 60_000);
});
