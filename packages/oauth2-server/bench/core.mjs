// In-process micro-benchmark of the core (no HTTP): node packages/oauth2-server/bench/core.mjs
// after `npx tsc -b packages/oauth2-server`. Absolute figures on a shared machine are noisy;
// compare rows of one run. The HTTP benchmark against other servers is `npm run bench`.
import { randomBytes, createPrivateKey, sign as cryptoSign } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryStore, OAuth2Server } from '../dist/index.js';
import { SqliteStore } from '../dist/sqlite/index.js';
import { SignJWT, generateKeyPair, exportJWK } from 'jose';

const dir = mkdtempSync(join(tmpdir(), 'bench-'));
async function make(store, format) {
  const s = new OAuth2Server({ store, issuer: 'https://a.example', secretKey: randomBytes(32), scopesSupported: ['read'], accessTokenFormat: format });
  const { client, clientSecret } = await s.registerClient({ name: 'b', grantTypes: ['client_credentials'], scopes: ['read'] });
  const enc = (x) => new URLSearchParams({ v: x }).toString().slice(2);
  const req = { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: 'Basic ' + Buffer.from(`${enc(client.id)}:${enc(clientSecret)}`).toString('base64') }, body: 'grant_type=client_credentials' };
  return { s, req };
}
async function rate(name, n, fn) {
  for (let i = 0; i < 200; i++) await fn(i);
  const t = process.hrtime.bigint();
  for (let i = 0; i < n; i++) await fn(i);
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  console.log(name.padEnd(48), Math.round(n / ms * 1000).toString().padStart(7), 'ops/s');
}
for (const [label, store] of [['memory', () => new MemoryStore()], ['sqlite', () => new SqliteStore({ path: join(dir, `${Math.random()}.db`) })]]) {
  for (const format of ['opaque', 'jwt']) {
    const { s, req } = await make(store(), format);
    const tokens = [];
    await rate(`token endpoint ${format} (${label})`, 5000, async () => { const r = await s.token(req); tokens.push(r.body.access_token); });
    await rate(`validateToken ${format} (${label})`, 5000, async (i) => { await s.validateToken(tokens[i % tokens.length]); });
  }
}
const { privateKey } = await generateKeyPair('ES256', { extractable: true });
const nodeKey = createPrivateKey({ key: await exportJWK(privateKey), format: 'jwk' });
const header = Buffer.from(JSON.stringify({ alg: 'ES256', typ: 'at+jwt', kid: 'k' })).toString('base64url');
await rate('ES256 sign via jose', 5000, async () => { await new SignJWT({ a: 1 }).setProtectedHeader({ alg: 'ES256' }).sign(privateKey); });
await rate('ES256 sign via node:crypto', 5000, async () => { const p = Buffer.from(JSON.stringify({ a: 1 })).toString('base64url'); cryptoSign('sha256', Buffer.from(`${header}.${p}`), { key: nodeKey, dsaEncoding: 'ieee-p1363' }); });
rmSync(dir, { recursive: true, force: true });
