// Run after `npx tsc -b packages/oauth2-server`: node packages/oauth2-server/examples/basic.mjs
import { randomBytes } from 'node:crypto';
import { MemoryStore, OAuth2Server } from '../dist/index.js';

const oauth = new OAuth2Server({
  store: new MemoryStore(),
  issuer: 'https://auth.example.com',
  secretKey: randomBytes(32), // in production: a persisted secret, the same on every instance
  scopesSupported: ['files:read', 'files:write'],
});

// 1. Register a confidential client. The secret is shown once; only its keyed hash is stored.
const { client, clientSecret } = await oauth.registerClient({
  name: 'nightly-backup',
  grantTypes: ['client_credentials'],
  scopes: ['files:read'],
});
console.log('client_id      ', client.id);

// 2. The token endpoint takes plain data: headers, the raw body, the method.
// RFC 6749 §2.3.1: id and secret are form-urlencoded before they go into Basic.
const enc = (s) => new URLSearchParams({ v: s }).toString().slice(2);
const basic = 'Basic ' + Buffer.from(`${enc(client.id)}:${enc(clientSecret)}`).toString('base64');
const res = await oauth.token({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic },
  body: 'grant_type=client_credentials&scope=files%3Aread',
});
console.log('token response ', res.status, res.headers['cache-control'], { ...res.body, access_token: '<redacted>' });

// 3. A protected resource checks the bearer token and the scope it needs.
const ok = await oauth.authenticateBearer(`Bearer ${res.body.access_token}`, 'files:read');
console.log('files:read     ', ok.ok ? `allowed for ${ok.token.clientId}` : ok.response.status);
const denied = await oauth.authenticateBearer(`Bearer ${res.body.access_token}`, 'files:write');
console.log('files:write    ', denied.ok ? 'allowed' : `${denied.response.status} ${denied.response.headers['www-authenticate']}`);

// 4. RFC 8414 metadata, to serve at /.well-known/oauth-authorization-server.
console.log('metadata       ', oauth.metadata());
