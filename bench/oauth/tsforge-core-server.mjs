// The @tsforge/oauth2-server core on node:http with the SQLite store, shaped like the other
// libraries' bench servers: token, introspection and a bearer-protected route. FORMAT=opaque|jwt.
import { createServer } from 'node:http';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { OAuth2Server } from '../../packages/oauth2-server/dist/index.js';
import { SqliteStore } from '../../packages/oauth2-server/dist/sqlite/index.js';

const server = createServer();
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const issuer = `http://127.0.0.1:${server.address().port}`;
const store = new SqliteStore({ path: join(process.env.DATA_DIR, 'core.db') });
const oauth = new OAuth2Server({ store, issuer, secretKey: randomBytes(32), scopesSupported: ['read'], accessTokenFormat: process.env.FORMAT ?? 'opaque' });
const { client, clientSecret } = await oauth.registerClient({ name: 'bench', grantTypes: ['client_credentials'], scopes: ['read'] });

function readBody(req) {
  return new Promise((resolve) => {
    let body = '';
    req.setEncoding('utf8').on('data', (d) => (body += d)).on('end', () => resolve(body));
  });
}

const endpoints = { '/oauth/token': (r) => oauth.token(r), '/oauth/introspect': (r) => oauth.introspection(r) };
server.on('request', async (req, res) => {
  if (req.url === '/api/ping') {
    const result = await oauth.authenticateBearer(req.headersDistinct.authorization, 'read');
    if (result.ok) return res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    return res.writeHead(result.response.status, result.response.headers).end(JSON.stringify(result.response.body));
  }
  const endpoint = endpoints[req.url];
  if (!endpoint) return res.writeHead(404).end();
  const response = await endpoint({ method: req.method, headers: req.headers, body: await readBody(req) });
  const body = typeof response.body === 'string' ? response.body : JSON.stringify(response.body);
  res.writeHead(response.status, { 'content-type': 'application/json', ...response.headers }).end(body);
});
process.stdout.write(JSON.stringify({ url: issuer, token: '/oauth/token', introspect: '/oauth/introspect', clientId: client.id, clientSecret }) + '\n');
process.on('SIGTERM', () => server.close(() => store.close().then(() => process.exit(0))));
