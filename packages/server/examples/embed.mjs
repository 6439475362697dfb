// Run the tsforge app inside your own process, on a free port, with a temp data dir, then stop it.
// From the repository root, after `npm ci`: node packages/server/examples/embed.mjs
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, openOAuth, loadConfig } from '../dist/index.js';

const dataDir = mkdtempSync(join(tmpdir(), 'tsforge-example-'));
const env = { ...process.env, TSFORGE_DATA_DIR: dataDir, LOG_LEVEL: 'warn' };

// Register a client the way `tsforge client create` does.
const { oauth, store } = openOAuth(loadConfig(env));
const { client, clientSecret } = await oauth.registerClient({
  name: 'example', grantTypes: ['client_credentials'], scopes: ['files:read', 'files:write'],
});
await store.close();

const server = await startServer({ port: '0' }, env);
try {
  const basic = 'Basic ' + Buffer.from(`${client.id}:${clientSecret}`).toString('base64');
  const token = await fetch(`${server.url}/oauth/token`, {
    method: 'POST',
    headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=client_credentials',
  }).then((r) => r.json());

  const auth = { authorization: `Bearer ${token.access_token}` };
  const put = await fetch(`${server.url}/api/files/hello.txt`, { method: 'PUT', headers: { ...auth, 'content-type': 'text/plain' }, body: 'hi' });
  console.log('PUT', put.status, await put.json());
  const { url } = await fetch(`${server.url}/api/files/hello.txt/signed-url`, { method: 'POST', headers: auth }).then((r) => r.json());
  console.log('signed GET', (await fetch(url)).status);
} finally {
  await server.stop('example done');
  rmSync(dataDir, { recursive: true, force: true });
}
