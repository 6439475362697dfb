import { describe, expect, it } from 'vitest';
import type { Family } from '@tsforge/metrics/testing';
import { scrapeMetrics } from './support/metrics.js';
import { withTsforge } from './support/tsforge.js';

/** Every series of a family as `label value → sample value`. */
function series(families: Map<string, Family>, name: string, label: string): Record<string, number> {
  const family = families.get(name);
  expect(family, `${name} is missing from the first scrape`).toBeDefined();
  return Object.fromEntries(family!.samples.filter((s) => s.name === name).map((s) => [s.labels[label], s.value]));
}

describe('known series exist at 0 from the first scrape, so rate() and increase() see the first event', () => {
  it('a token counter for each enabled grant, an error counter for each RFC 6749 §5.2 code, byte counters for the disk', async () => {
    await withTsforge({}, async (server) => {
      const { families } = await scrapeMetrics(server.url);
      const metadata = (await (await fetch(`${server.url}/.well-known/oauth-authorization-server`)).json()) as { grant_types_supported: string[] };
      expect(series(families, 'oauth2_tokens_issued_total', 'grant')).toEqual(Object.fromEntries(metadata.grant_types_supported.map((g) => [g, 0])));
      expect(metadata.grant_types_supported).not.toContain('password');
      expect(series(families, 'oauth2_token_errors_total', 'error')).toEqual({
        invalid_request: 0, invalid_client: 0, invalid_grant: 0, unauthorized_client: 0, unsupported_grant_type: 0, invalid_scope: 0,
      });
      expect(series(families, 'storage_bytes_written_total', 'disk')).toEqual({ default: 0 });
      expect(series(families, 'storage_bytes_read_total', 'disk')).toEqual({ default: 0 });
    });
  });

  it('the password grant, when enabled, has its series too', async () => {
    await withTsforge({ env: { TSFORGE_PASSWORD_GRANT: 'true' } }, async (server) => {
      const { families } = await scrapeMetrics(server.url);
      expect(series(families, 'oauth2_tokens_issued_total', 'grant')).toMatchObject({ password: 0, client_credentials: 0 });
    });
  });
});
