// @node-oauth/oauth2-server with an in-memory model on node:http: client_credentials
// (client_secret_basic) and a bearer-protected route. It has no introspection endpoint.
import { createServer } from 'node:http';
import OAuth2Server from '@node-oauth/oauth2-server';

const { Request, Response } = OAuth2Server;
const { CLIENT_ID, CLIENT_SECRET } = process.env;
const client = { id: CLIENT_ID, grants: ['client_credentials'], accessTokenLifetime: 3600 };
const tokens = new Map();
const model = {
  async getClient(id, secret) {
    return id === CLIENT_ID && secret === CLIENT_SECRET ? client : null;
  },
  async getUserFromClient() {
    return { id: 'service' };
  },
  async validateScope(_user, _client, scope) {
    return scope ?? ['read'];
  },
  async saveToken(token, c, user) {
    const saved = { ...token, client: c, user };
    tokens.set(token.accessToken, saved);
    return saved;
  },
  async getAccessToken(accessToken) {
    return tokens.get(accessToken) ?? null;
  },
  async verifyScope() {
    return true;
  },
};
const oauth = new OAuth2Server({ model });

function readBody(req) {
  return new Promise((resolve) => {
    let body = '';
    req.setEncoding('utf8').on('data', (d) => (body += d)).on('end', () => resolve(body));
  });
}

const server = createServer(async (req, res) => {
  const url = new URL(req.url, 'http://x');
  const body = req.method === 'POST' ? Object.fromEntries(new URLSearchParams(await readBody(req))) : {};
  const request = new Request({ method: req.method, headers: req.headers, query: Object.fromEntries(url.searchParams), body });
  const response = new Response({ headers: {} });
  try {
    if (url.pathname === '/oauth/token') {
      await oauth.token(request, response);
      res.writeHead(response.status, { 'content-type': 'application/json', ...response.headers }).end(JSON.stringify(response.body));
    } else if (url.pathname === '/api/ping') {
      await oauth.authenticate(request, response);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    } else {
      res.writeHead(404).end();
    }
  } catch (err) {
    res.writeHead(err.code ?? 500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: err.name }));
  }
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
process.stdout.write(JSON.stringify({ url: `http://127.0.0.1:${server.address().port}`, token: '/oauth/token' }) + '\n');
process.on('SIGTERM', () => server.close(() => process.exit(0)));
