import { describe, expect, it } from 'vitest';
import { serverForSuite } from './support/tsforge.js';

describe('a wrong method on a known path (RFC 9110 §15.5.6)', () => {
  const server = serverForSuite({ env: { ADMIN_TOKEN: 'admin-token-0123456789abcdef0123456789' } });

  it.each([
    ['DELETE', '/oauth/token', 'POST'],
    ['OPTIONS', '/oauth/token', 'POST'],
    ['POST', '/metrics', 'GET, HEAD'],
    ['DELETE', '/health', 'GET, HEAD'],
    ['PATCH', '/api/files/x', 'DELETE, GET, HEAD, POST, PUT'],
    ['PATCH', '/api/files/dir/a.txt', 'DELETE, GET, HEAD, POST, PUT'],
    ['DELETE', '/api/files', 'GET, HEAD'],
    ['DELETE', '/files/x', 'GET, HEAD, PUT'],
    ['PUT', '/.well-known/oauth-authorization-server', 'GET, HEAD'],
    ['DELETE', '/admin/log-level', 'GET, HEAD, PUT'],
  ])('%s %s → 405 with Allow: %s', async (method, path, allow) => {
    const response = await fetch(`${server.url}${path}`, { method });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe(allow);
    expect(((await response.json()) as { error: string }).error).toMatch(/^(method_not_allowed|invalid_request)$/);
  });

  it('§15.5.6 the 405 of the generic handler says which methods to use', async () => {
    const response = await fetch(`${server.url}/metrics?x=1`, { method: 'POST' });
    expect(await response.json()).toEqual({ error: 'method_not_allowed', error_description: 'POST is not allowed on /metrics; use GET, HEAD' });
  });

  it.each([
    ['GET', '/nope'],
    ['PATCH', '/nope'],
    ['POST', '/metrics/extra'],
    ['GET', '/api/filesx'],
  ])('an unknown path stays a 404: %s %s', async (method, path) => {
    const response = await fetch(`${server.url}${path}`, { method });
    expect(response.status).toBe(404);
    expect(response.headers.get('allow')).toBeNull();
  });
});
