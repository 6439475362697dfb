// oidc-provider with its own in-memory adapter: client_credentials (client_secret_basic),
// introspection, and a bearer-protected route. FORMAT=opaque|jwt (ES256), as its docs set it up:
// the token format comes from the resource server the token is for.
import { createServer } from 'node:http';
import { generateKeyPair, exportJWK, createLocalJWKSet, jwtVerify } from 'jose';
import Provider from 'oidc-provider';

const FORMAT = process.env.FORMAT ?? 'opaque';
const { CLIENT_ID, CLIENT_SECRET } = process.env;
const RESOURCE = 'urn:bench:api';

const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
const privateJwk = { ...(await exportJWK(privateKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
const localJwks = createLocalJWKSet({ keys: [{ ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256' }] });

const server = createServer();
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const issuer = `http://127.0.0.1:${server.address().port}`;

const provider = new Provider(issuer, {
  clients: [{ client_id: CLIENT_ID, client_secret: CLIENT_SECRET, grant_types: ['client_credentials'], redirect_uris: [], response_types: [], token_endpoint_auth_method: 'client_secret_basic', id_token_signed_response_alg: 'ES256' }],
  jwks: { keys: [privateJwk] },
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    introspection: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => RESOURCE,
      useGrantedResource: () => true,
      getResourceServerInfo: () => ({
        scope: 'read', accessTokenTTL: 3600, accessTokenFormat: FORMAT, ...(FORMAT === 'jwt' ? { jwt: { sign: { alg: 'ES256' } } } : {}),
      }),
    },
  },
});
const callback = provider.callback();

// The resource server's check: opaque tokens are looked up in the provider's store; JWTs are
// verified locally against the provider's key, as a resource server would.
async function validate(token) {
  if (FORMAT === 'jwt') {
    const { payload } = await jwtVerify(token, localJwks, { issuer, audience: RESOURCE });
    return payload;
  }
  const found = await provider.ClientCredentials.find(token);
  if (!found || found.isExpired) throw new Error('invalid');
  return found;
}

server.on('request', (req, res) => {
  if (req.url === '/api/ping') {
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (!token) return res.writeHead(401).end();
    validate(token).then(
      () => res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}'),
      () => res.writeHead(401).end(),
    );
    return;
  }
  callback(req, res);
});
process.stdout.write(JSON.stringify({ url: issuer, token: '/token', introspect: '/token/introspection', scope: 'read' }) + '\n');
process.on('SIGTERM', () => server.close(() => process.exit(0)));
