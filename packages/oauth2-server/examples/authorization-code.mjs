// Run after `npx tsc -b packages/oauth2-server`: node packages/oauth2-server/examples/authorization-code.mjs
// The authorization code flow with PKCE, driven without HTTP: what a login page, a consent page
// and a client application would do, step by step.
import { createHash, randomBytes } from 'node:crypto';
import { MemoryStore, OAuth2Server } from '../dist/index.js';

const oauth = new OAuth2Server({
  store: new MemoryStore(),
  issuer: 'https://auth.example.com',
  secretKey: randomBytes(32), // in production: a persisted secret, the same on every instance
  scopesSupported: ['profile', 'files:read'],
});

// 1. A web application (confidential) and a user.
const { client, clientSecret } = await oauth.registerClient({
  name: 'Photo printer',
  grantTypes: ['authorization_code', 'refresh_token'],
  scopes: ['profile', 'files:read'],
  redirectUris: ['https://printer.example/callback'],
});
await oauth.createUser({ username: 'alice', password: 'correct horse battery' });

// 2. The client sends the browser to /oauth/authorize with a PKCE challenge (RFC 7636).
const verifier = randomBytes(32).toString('base64url');
const params = {
  response_type: 'code',
  client_id: client.id,
  redirect_uri: 'https://printer.example/callback',
  scope: 'profile files:read',
  state: 'af0ifjsldkj',
  code_challenge: createHash('sha256').update(verifier).digest('base64url'),
  code_challenge_method: 'S256',
};
console.log('no session     ', (await oauth.authorize({ params })).type); // need-login

// 3. The login page checks the password, then repeats the request with the user id.
const userId = await oauth.verifyUser('alice', 'correct horse battery');
const decision = await oauth.authorize({ params, userId });
console.log('signed in      ', decision.type, decision.request?.scopes); // need-consent

// 4. The consent page posts the same parameters back with the user's answer.
const answer = await oauth.decideConsent({ params, userId, approved: true, remember: true });
console.log('consent        ', answer.type, answer.location.replace(/code=[^&]+/, 'code=<code>'));
const code = new URL(answer.location).searchParams.get('code');

// 5. The client redeems the code at the token endpoint (here through the programmatic API).
const tokens = await oauth.exchangeCode({
  clientId: client.id, clientSecret, code, redirectUri: params.redirect_uri, codeVerifier: verifier,
});
console.log('tokens         ', { ...tokens, access_token: '<redacted>', refresh_token: '<redacted>' });

// 6. A resource server validates the access token.
const info = await oauth.validateToken(tokens.access_token);
console.log('validateToken  ', info.userId === userId, info.hasScope('files:read'), info.expiresAt.toISOString());

// 7. Refresh rotates the refresh token; presenting the old one again revokes the whole grant.
const rotated = await oauth.refresh({ clientId: client.id, clientSecret, refreshToken: tokens.refresh_token, scopes: ['profile'] });
console.log('refreshed scope', rotated.scope);
const reuse = await oauth.refresh({ clientId: client.id, clientSecret, refreshToken: tokens.refresh_token }).catch((e) => e);
console.log('reuse          ', reuse.error, '→ latest token active:', (await oauth.introspect(rotated.access_token)).active);

// 8. Remembered consent: the next authorization goes straight back with a code.
console.log('next visit     ', (await oauth.authorize({ params, userId })).type);
