import * as oauth from 'oauth4webapi';
import { beforeAll, describe, expect, it } from 'vitest';
import { createClient, serverForSuite, type Client } from './support/tsforge.js';

// A real, strict third-party OAuth client: it reads our RFC 8414 metadata and runs client_credentials.
describe('oauth4webapi as the client', () => {
  const server = serverForSuite();
  let registered: Client;

  beforeAll(async () => {
    registered = await createClient(server.dataDir);
  });

  for (const method of ['client_secret_basic', 'client_secret_post'] as const) {
    it(`discovers the server and gets a token with ${method}`, async () => {
      const issuer = new URL(server.url);
      const options = { [oauth.allowInsecureRequests]: true };
      const as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { ...options, algorithm: 'oauth2' }));
      expect(as.token_endpoint).toBe(`${server.url}/oauth/token`);

      const client: oauth.Client = { client_id: registered.client_id };
      const auth = method === 'client_secret_basic' ? oauth.ClientSecretBasic(registered.client_secret) : oauth.ClientSecretPost(registered.client_secret);
      const response = await oauth.clientCredentialsGrantRequest(as, client, auth, new URLSearchParams({ scope: 'files:read' }), options);
      const result = await oauth.processClientCredentialsResponse(as, client, response);
      expect(result.token_type).toBe('bearer');
      expect(result.scope).toBe('files:read');
      expect(result.expires_in).toBe(3600);

      const list = await fetch(`${server.url}/api/files`, { headers: { authorization: `Bearer ${result.access_token}` } });
      expect(list.status).toBe(200);
    });
  }

  it('surfaces our invalid_client as an OAuth error', async () => {
    const issuer = new URL(server.url);
    const options = { [oauth.allowInsecureRequests]: true };
    const as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { ...options, algorithm: 'oauth2' }));
    const client: oauth.Client = { client_id: registered.client_id };
    const response = await oauth.clientCredentialsGrantRequest(as, client, oauth.ClientSecretBasic('wrong'), new URLSearchParams(), options);
    // A 401 carrying a Basic challenge (RFC 6749 §5.2) is reported as a challenge to answer.
    const err = await oauth.processClientCredentialsResponse(as, client, response).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(oauth.WWWAuthenticateChallengeError);
    expect(err).toMatchObject({ status: 401, cause: [expect.objectContaining({ scheme: 'basic' })] });
  });
});
