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
// The JWT signing step as the format does it (node:crypto, KeyObject) against jose's SignJWT,
// same claims, interleaved rounds; the medians are what the README quotes.
for (const alg of ['ES256', 'EdDSA']) {
  const { privateKey } = await generateKeyPair(alg, { extractable: true });
  const nodeKey = createPrivateKey({ key: await exportJWK(privateKey), format: 'jwk' });
  const claims = () => ({ iss: 'https://a.example', sub: 'usr_1', aud: 'https://a.example', client_id: 'cl_1', scope: 'read write', jti: randomBytes(16).toString('base64url'), iat: 1, exp: 2 });
  const viaJose = () => new SignJWT(claims()).setProtectedHeader({ alg, kid: 'k', typ: 'at+jwt' }).sign(privateKey);
  const viaNode = async () => {
    const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const input = Buffer.from(`${b64({ alg, kid: 'k', typ: 'at+jwt' })}.${b64(claims())}`);
    return alg === 'ES256' ? cryptoSign('sha256', input, { key: nodeKey, dsaEncoding: 'ieee-p1363' }) : cryptoSign(null, input, nodeKey);
  };
  const rounds = { jose: [], node: [] };
  for (let r = 0; r < 7; r++) {
    for (const [name, fn] of [['jose', viaJose], ['node', viaNode]]) {
      const t = process.hrtime.bigint();
      for (let i = 0; i < 2000; i++) await fn();
      rounds[name].push(2000 / (Number(process.hrtime.bigint() - t) / 1e9));
    }
  }
  const median = (xs) => xs.sort((a, b) => a - b)[xs.length >> 1];
  console.log(`${alg} sign, median of 7 interleaved rounds: jose ${Math.round(median(rounds.jose))}/s, node:crypto ${Math.round(median(rounds.node))}/s, ratio ${(median(rounds.node) / median(rounds.jose)).toFixed(2)}`);
}
rmSync(dir, { recursive: true, force: true });
