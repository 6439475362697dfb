import { describe, expect, it } from 'vitest';
import { rateLimitAddress } from '../src/routes/rate-limit-address.js';
import { basic, createClient, withTsforge, type Client } from './support/tsforge.js';

/** Three token requests as the client at `forwardedFor` behind a proxy on 127.0.0.1, then a fourth. */
async function burst(url: string, client: Client, forwardedFor: string): Promise<number[]> {
  const statuses: number[] = [];
  for (let i = 0; i < 4; i++) {
    const response = await fetch(`${url}/oauth/token`, {
      method: 'POST',
      headers: { authorization: basic(client.client_id, client.client_secret), 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': forwardedFor },
      body: 'grant_type=client_credentials',
    });
    await response.arrayBuffer();
    statuses.push(response.status);
  }
  return statuses;
}

describe('rate limits behind a load balancer (TSFORGE_TRUST_PROXY)', () => {
  it('with the balancer trusted, each client address behind it has its own budget', async () => {
    await withTsforge({ env: { TSFORGE_TOKEN_RATE_LIMIT: '3', TSFORGE_TRUST_PROXY: '127.0.0.1' } }, async (server) => {
      const client = await createClient(server.dataDir);
      expect(await burst(server.url, client, '203.0.113.1')).toEqual([200, 200, 200, 429]);
      expect(await burst(server.url, client, '203.0.113.2')).toEqual([200, 200, 200, 429]);
    });
  });

  it('without it, X-Forwarded-For is ignored: a client cannot buy a fresh budget by naming another address', async () => {
    await withTsforge({ env: { TSFORGE_TOKEN_RATE_LIMIT: '3' } }, async (server) => {
      const client = await createClient(server.dataDir);
      expect(await burst(server.url, client, '203.0.113.1')).toEqual([200, 200, 200, 429]);
      expect(await burst(server.url, client, '203.0.113.2')).toEqual([429, 429, 429, 429]);
    });
  });

  it('an IPv6 client counts by its /64: another address of its own prefix buys no fresh budget', async () => {
    await withTsforge({ env: { TSFORGE_TOKEN_RATE_LIMIT: '3', TSFORGE_TRUST_PROXY: '127.0.0.1' } }, async (server) => {
      const client = await createClient(server.dataDir);
      expect(await burst(server.url, client, '2001:db8:1:2::1')).toEqual([200, 200, 200, 429]);
      expect(await burst(server.url, client, '2001:db8:1:2:ffff:ffff:ffff:9')).toEqual([429, 429, 429, 429]);
      expect(await burst(server.url, client, '2001:db8:1:3::1')).toEqual([200, 200, 200, 429]);
    });
  });

  it.each([
    ['203.0.113.7', '203.0.113.7'],
    ['2001:db8:1:2::1', '2001:db8:1:2::/64'],
    ['2001:DB8:0001:0002:aaaa:bbbb:cccc:dddd', '2001:db8:1:2::/64'],
    ['::1', '0:0:0:0::/64'],
    ['fe80::1%eth0', 'fe80:0:0:0::/64'],
    ['::ffff:203.0.113.7', '203.0.113.7'],
    ['::ffff:cb00:7107', '203.0.113.7'],
    ['64:ff9b::203.0.113.7', '64:ff9b:0:0::/64'],
  ])('rate limits count %s as %s', (ip, counted) => {
    expect(rateLimitAddress(ip)).toBe(counted);
  });
});
