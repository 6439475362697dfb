import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { EndpointResponse, TokenRequest } from '../src/types.js';
import { basic } from './helpers.js';
import { flowServer, SVC_SECRET } from './flow-helpers.js';

// Every error code RFC 6749 §5.2, RFC 7009 §2.2.1 and RFC 7662 allow at these endpoints.
const RFC_ERRORS = new Set(['invalid_request', 'invalid_client', 'invalid_grant', 'unauthorized_client', 'unsupported_grant_type', 'invalid_scope', 'unsupported_token_type']);

const names = ['grant_type', 'client_id', 'client_secret', 'code', 'redirect_uri', 'code_verifier', 'refresh_token', 'scope', 'token', 'token_type_hint', 'username', 'password', 'x'];
const values = fc.oneof(
  fc.constantFrom('client_credentials', 'authorization_code', 'refresh_token', 'password', 'svc', 'spa', SVC_SECRET, 'read', 'read write', 'https://app.test/cb', 'tfat_' + 'A'.repeat(43), 'tfrt_' + 'A'.repeat(43), 'tfac_' + 'A'.repeat(43), 'access_token', '%', '%E0%A4%A', '+'),
  fc.string({ maxLength: 60 }),
  fc.string({ unit: 'binary', maxLength: 30 }),
);
const formBody = fc.oneof(
  fc.array(fc.tuple(fc.oneof(fc.constantFrom(...names), fc.string({ maxLength: 10 })), values, fc.boolean()), { maxLength: 8 })
    .map((pairs) => pairs.map(([k, v, raw]) => `${encodeURIComponent(k)}=${raw ? v : encodeURIComponent(v)}`).join('&')),
  fc.string({ maxLength: 200 }),
);
const authorization = fc.oneof(
  fc.constant(undefined),
  fc.constantFrom(basic('svc', SVC_SECRET), basic('svc', 'wrong'), basic('spa', ''), 'Basic', 'Basic !!!', 'Bearer x', 'Basic ' + Buffer.from('svc').toString('base64')),
  fc.string({ maxLength: 80 }),
  fc.array(fc.string({ maxLength: 20 }), { minLength: 2, maxLength: 3 }),
);
const contentType = fc.oneof(
  fc.constantFrom('application/x-www-form-urlencoded', 'application/x-www-form-urlencoded; charset=UTF-8', 'application/json', 'text/plain', undefined),
  fc.string({ maxLength: 40 }),
  fc.array(fc.constant('application/x-www-form-urlencoded'), { minLength: 2, maxLength: 2 }),
);
const request = fc.record({
  method: fc.constantFrom('POST', 'POST', 'POST', 'GET', 'PUT', undefined),
  body: formBody,
  authorization,
  contentType,
}).map(({ method, body, authorization, contentType }): TokenRequest => ({
  ...(method === undefined ? {} : { method }),
  body,
  headers: { 'content-type': contentType, authorization },
}));

function wellFormed(res: EndpointResponse): void {
  expect(res.status).toBeLessThan(500);
  expect(res.headers['cache-control']).toBe('no-store');
  expect(res.headers['pragma']).toBe('no-cache');
  if (res.status >= 400) {
    const b = res.body as Record<string, unknown>;
    expect(RFC_ERRORS.has(b['error'] as string), JSON.stringify(b)).toBe(true);
    expect(typeof b['error_description']).toBe('string');
    expect(Object.keys(b).sort()).toEqual(['error', 'error_description']);
    if (res.status === 401) expect(b['error']).toBe('invalid_client');
  }
}

describe('properties: arbitrary requests always get a well-formed RFC answer, never a 5xx', () => {
  for (const endpoint of ['token', 'revocation', 'introspection'] as const) {
    it(`${endpoint} endpoint`, async () => {
      const { server, errors } = await flowServer({ enablePasswordGrant: true });
      await fc.assert(fc.asyncProperty(request, async (req) => wellFormed(await server[endpoint](req))), { numRuns: 300 });
      expect(errors).toEqual([]);
      // Still serving afterwards.
      const ok = await server.token({ method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic('svc', SVC_SECRET) }, body: 'grant_type=client_credentials' });
      expect(ok.status).toBe(200);
    });
  }

  it('authorize never redirects to an unregistered URI, whatever the parameters', async () => {
    const { server } = await flowServer();
    const params = fc.dictionary(
      fc.constantFrom('client_id', 'redirect_uri', 'response_type', 'scope', 'state', 'code_challenge', 'code_challenge_method'),
      fc.oneof(values, fc.array(values, { maxLength: 2 })),
    );
    await fc.assert(fc.asyncProperty(params, fc.constantFrom(undefined, 'usr_alice'), async (p, userId) => {
      const d = await server.authorize({ params: p, userId });
      if (d.type === 'redirect') expect(d.location.startsWith('https://app.test/cb?') || d.location.startsWith('http://127.0.0.1')).toBe(true);
      if (d.type === 'show-error') expect(d.status).toBe(400);
    }), { numRuns: 300 });
  });
});
