import { expect } from 'vitest';
import { KeyedHasher } from '../src/internal/keyed-hasher.js';
import type { OAuth2ServerOptions } from '../src/oauth2-server.js';
import type { AuthorizationParams } from '../src/authorize/decision.js';
import type { OAuth2Server } from '../src/oauth2-server.js';
import type { EndpointResponse, TokenRequest } from '../src/types.js';
import { SECRET_KEY, basic, form, makeServer } from './helpers.js';

// The setup of the shared cases: confidential client `svc` whose secret is `p+q%r s`, public
// client `spa`, registered redirect `https://app.test/cb`, and the RFC 7636 Appendix B pair.
export const SVC_SECRET = 'p+q%r s';
export const REDIRECT = 'https://app.test/cb';
export const VERIFIER = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';
export const CHALLENGE = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM';
export const USER = 'usr_alice';

export async function flowServer(over: Partial<OAuth2ServerOptions> = {}) {
  const made = makeServer(over);
  const hasher = new KeyedHasher(SECRET_KEY);
  await made.store.clients.create({
    id: 'svc', name: 'Service', secretHash: hasher.hashClientSecret(SVC_SECRET),
    grantTypes: ['authorization_code', 'refresh_token', 'client_credentials'], scopes: ['read', 'write'],
    redirectUris: [REDIRECT, 'http://127.0.0.1/cb'], createdAt: new Date(0),
  });
  await made.store.clients.create({
    id: 'spa', name: 'Single-page app', secretHash: null, grantTypes: ['authorization_code', 'refresh_token'],
    scopes: ['read', 'write'], redirectUris: [REDIRECT], createdAt: new Date(1),
  });
  await made.store.clients.create({
    id: 'other', name: 'Other', secretHash: hasher.hashClientSecret('other-secret'),
    grantTypes: ['authorization_code', 'refresh_token', 'client_credentials'], scopes: ['read', 'write'],
    redirectUris: [REDIRECT], createdAt: new Date(2),
  });
  return { ...made, svcAuth: basic('svc', SVC_SECRET), otherAuth: basic('other', 'other-secret') };
}

export function authParams(over: Record<string, string | undefined> = {}): AuthorizationParams {
  return {
    response_type: 'code', client_id: 'svc', redirect_uri: REDIRECT, scope: 'read write', state: 'xyz',
    code_challenge: CHALLENGE, code_challenge_method: 'S256', ...over,
  };
}

/** Runs the authorization endpoint as an approving user and returns the code. */
export async function getCode(server: OAuth2Server, over: Record<string, string | undefined> = {}): Promise<string> {
  const decision = await server.decideConsent({ params: authParams(over), userId: USER, approved: true });
  if (decision.type !== 'redirect' || decision.outcome !== 'code') throw new Error(`no code: ${JSON.stringify(decision)}`);
  return new URL(decision.location).searchParams.get('code')!;
}

export function tokenRequest(params: Record<string, string>, authorization?: string): TokenRequest {
  return form(new URLSearchParams(params).toString(), authorization ? { authorization } : {});
}

export function body(res: EndpointResponse): Record<string, string> {
  return res.body as Record<string, string>;
}

export function expectError(res: EndpointResponse, status: number, error: string): void {
  expect({ status: res.status, error: body(res).error }, JSON.stringify(res.body)).toEqual({ status, error });
  expect(res.headers['cache-control']).toBe('no-store');
  expect(res.headers['pragma']).toBe('no-cache');
}

/** Code → tokens for `svc` with PKCE. */
export async function svcTokens(server: OAuth2Server, svcAuth: string): Promise<{ access: string; refresh: string; code: string }> {
  const code = await getCode(server);
  const res = await server.token(tokenRequest({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: VERIFIER }, svcAuth));
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return { access: body(res).access_token!, refresh: body(res).refresh_token!, code };
}
