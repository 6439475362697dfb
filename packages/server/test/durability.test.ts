import { describe, expect, it } from 'vitest';
import { basic, removeDir, runCli, startTsforge, tempDataDir, type Client, type RunningTsforge } from './support/tsforge.js';
import { postgresForSuite } from './support/backing-services.js';

const postgres = postgresForSuite();

/** The load runs until this much has been answered (at most MAX_LOAD_MS), then the kill lands mid-load. */
const ISSUED = 400;
const REVOKED = 100;
const MAX_LOAD_MS = 20_000;
const CONCURRENCY = 16;

/**
 * "A token that was issued is never lost and a revoked one is never accepted again": a server
 * killed with SIGKILL under load, then started again on the same data, must honour every answer
 * the clients received before the kill.
 */
describe.each([
  ['SQLite', () => ({})],
  ['PostgreSQL', () => ({ DATABASE_URL: postgres.url() })],
] as const)('durability across kill -9 on %s', (_name, databaseEnv) => {
  it('every token whose response arrived still validates after restart; every revoked one stays refused', async () => {
    const dataDir = tempDataDir();
    const env = databaseEnv();
    let server: RunningTsforge | undefined;
    try {
      const created = await runCli(['client', 'create', '--name', 'load', '--grant', 'client_credentials', '--scope', 'files:read', '--json'], { dataDir, env });
      expect(created.code, created.stderr).toBe(0);
      const client = JSON.parse(created.stdout) as Client;
      server = await startTsforge({ dataDir, env: { ...env, TSFORGE_TOKEN_RATE_LIMIT: '0' } });
      const issued: string[] = [];
      const revoked: string[] = [];
      let killed = false;
      const worker = async (w: number) => {
        for (let i = 0; !killed; i++) {
          try {
            const token = await post(server!.url, 'token', client, { grant_type: 'client_credentials' });
            if (token.status !== 200) continue;
            const { access_token } = (await token.json()) as { access_token: string };
            // Every third token is revoked; it counts as revoked only once the 200 arrived.
            if ((w + i) % 3 === 0) {
              const revoke = await post(server!.url, 'revoke', client, { token: access_token });
              await revoke.arrayBuffer();
              // Any other outcome (the process died meanwhile): either answer is right later.
              if (revoke.status === 200) revoked.push(access_token);
            } else {
              issued.push(access_token);
            }
          } catch {
            // The connection died with the process: that request's outcome is unknown to the client.
          }
        }
      };
      const load = Promise.all(Array.from({ length: CONCURRENCY }, (_, w) => worker(w)));
      const deadline = Date.now() + MAX_LOAD_MS;
      while ((issued.length < ISSUED || revoked.length < REVOKED) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(await server.stop('SIGKILL')).toBe(null);
      killed = true;
      await load;
      expect(issued.length).toBeGreaterThanOrEqual(ISSUED);
      expect(revoked.length).toBeGreaterThanOrEqual(REVOKED);

      server = await startTsforge({ dataDir, env });
      const check = async (token: string) => (await post(server!.url, 'introspect', client, { token }).then((r) => r.json())) as { active: boolean };
      const lost = [];
      for (const token of issued) if (!(await check(token)).active) lost.push(token);
      const resurrected = [];
      for (const token of revoked) if ((await check(token)).active) resurrected.push(token);
      expect({ lost: lost.length, resurrected: resurrected.length }).toEqual({ lost: 0, resurrected: 0 });
    } finally {
      await server?.stop();
      removeDir(dataDir);
    }
  }, 120_000);
});

function post(base: string, endpoint: string, client: Client, form: Record<string, string>): Promise<Response> {
  return fetch(`${base}/oauth/${endpoint}`, {
    method: 'POST',
    headers: { authorization: basic(client.client_id, client.client_secret), 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form),
  });
}
