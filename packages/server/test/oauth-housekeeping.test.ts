import { describe, expect, it } from 'vitest';
import { createClient, getToken, runCli, until, withTsforge } from './support/tsforge.js';

describe('OAuth settings and housekeeping of tsforge serve', () => {
  it('expired tokens are purged in the background (TSFORGE_PURGE_INTERVAL_S); the server still stops cleanly', async () => {
    await withTsforge({ env: { TSFORGE_PURGE_INTERVAL_S: '1', TSFORGE_ACCESS_TOKEN_TTL: '1', LOG_LEVEL: 'debug' } }, async (server) => {
      const client = await createClient(server.dataDir);
      await getToken(server.url, client);
      await until(() => server.logs().some((l) => l.msg === 'purged expired oauth records' && (l.purged as { accessTokens: number }).accessTokens >= 1), 8000);
      expect(await server.stop()).toBe(0);
    });
  });

  const invalid: [string, string, string][] = [
    ['ACCESS_TOKEN_FORMAT', 'paseto', 'ACCESS_TOKEN_FORMAT must be one of opaque, jwt, got "paseto"'],
    ['JWT_ALG', 'RS256', 'JWT_ALG must be one of ES256, EdDSA, got "RS256"'],
    ['TSFORGE_PKCE_REQUIRED', 'maybe', 'TSFORGE_PKCE_REQUIRED must be true or false, got "maybe"'],
    ['TSFORGE_REFRESH_GRACE_PERIOD', '61', 'TSFORGE_REFRESH_GRACE_PERIOD must be between 0 and 60, got 61'],
    ['TSFORGE_TOKEN_RATE_LIMIT', '-1', 'TSFORGE_TOKEN_RATE_LIMIT must be a whole number, got "-1"'],
  ];
  for (const [name, value, message] of invalid) {
    it(`${name}=${value} stops serve with a configuration error naming it (exit 2)`, async () => {
      const result = await runCli(['serve', '--port', '0'], { env: { [name]: value } });
      expect(result.code).toBe(2);
      expect(result.stderr).toBe(`tsforge: configuration error: ${message}\n`);
    });
  }

  it('TSFORGE_PASSWORD_GRANT=true registers the legacy password grant; the metadata says so', async () => {
    await withTsforge({ env: { TSFORGE_PASSWORD_GRANT: 'true' } }, async (server) => {
      const metadata = (await (await fetch(`${server.url}/.well-known/oauth-authorization-server`)).json()) as { grant_types_supported: string[] };
      expect(metadata.grant_types_supported).toContain('password');
    });
    await withTsforge({}, async (server) => {
      const metadata = (await (await fetch(`${server.url}/.well-known/oauth-authorization-server`)).json()) as { grant_types_supported: string[] };
      expect(metadata.grant_types_supported).not.toContain('password');
    });
  });
});
