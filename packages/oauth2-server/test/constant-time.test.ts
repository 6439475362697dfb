import { beforeEach, describe, expect, it, vi } from 'vitest';

// Wrap node:crypto's timingSafeEqual so the test can see that every secret check goes
// through it (shared case: "secrets at rest ... compared in constant time").
const calls = vi.hoisted(() => ({ count: 0 }));
vi.mock('node:crypto', async (importOriginal) => {
  const crypto = await importOriginal<typeof import('node:crypto')>();
  const timingSafeEqual: typeof crypto.timingSafeEqual = (a, b) => { calls.count++; return crypto.timingSafeEqual(a, b); };
  return { ...crypto, default: { ...crypto, timingSafeEqual }, timingSafeEqual };
});

const { basic, form, makeServer } = await import('./helpers.js');

describe('client secrets are compared in constant time (RFC 6749 §10.3, RFC 9700 §2.5)', () => {
  let server: Awaited<ReturnType<typeof makeServer>>['server'];
  let clientId: string;
  let secret: string;

  beforeEach(async () => {
    ({ server } = makeServer());
    const registered = await server.registerClient({ name: 'svc', grantTypes: ['client_credentials'], scopes: ['read'] });
    clientId = registered.client.id;
    secret = registered.clientSecret!;
    calls.count = 0;
  });

  it.each([
    ['the right secret', () => basic(clientId, secret), 200],
    ['a wrong secret of the same length', () => basic(clientId, secret.slice(0, -1) + (secret.endsWith('A') ? 'B' : 'A')), 401],
    ['an unknown client (a dummy hash is still compared)', () => basic('no-such-client', secret), 401],
  ] as const)('%s goes through timingSafeEqual', async (_name, authorization, status) => {
    const res = await server.token(form('grant_type=client_credentials', { authorization: authorization() }));
    expect(res.status).toBe(status);
    expect(calls.count).toBeGreaterThanOrEqual(1);
  });
});
