import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../src/memory-store.js';
import { OAuth2Server } from '../src/oauth2-server.js';
import { ISSUER, SECRET_KEY, makeServer } from './helpers.js';

describe('authorization server metadata (RFC 8414 §2)', () => {
  it('lists exactly what the registries and options provide', () => {
    const { server } = makeServer();
    const methods = ['client_secret_basic', 'client_secret_post', 'none'];
    expect(server.metadata()).toEqual({
      issuer: ISSUER,
      authorization_endpoint: `${ISSUER}/oauth/authorize`,
      token_endpoint: `${ISSUER}/oauth/token`,
      token_endpoint_auth_methods_supported: methods,
      grant_types_supported: ['authorization_code', 'client_credentials', 'refresh_token'],
      scopes_supported: ['read', 'write', 'admin'],
      response_types_supported: ['code'],
      response_modes_supported: ['query'],
      code_challenge_methods_supported: ['S256'],
      revocation_endpoint: `${ISSUER}/oauth/revoke`,
      revocation_endpoint_auth_methods_supported: methods,
      introspection_endpoint: `${ISSUER}/oauth/introspect`,
      introspection_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
      authorization_response_iss_parameter_supported: true,
    });
  });

  it('RFC 8414 §2 jwks_uri appears with JWT access tokens; password only when enabled', () => {
    const { server } = makeServer({ accessTokenFormat: 'jwt', enablePasswordGrant: true, pkce: { methods: ['S256', 'plain'] } });
    expect(server.metadata()).toMatchObject({
      jwks_uri: `${ISSUER}/oauth/jwks`,
      grant_types_supported: ['authorization_code', 'client_credentials', 'refresh_token', 'password'],
      code_challenge_methods_supported: ['S256', 'plain'],
    });
  });

  it('follows a function issuer (a server learning its port after listen) and a custom token path', () => {
    let issuer = 'http://127.0.0.1:0';
    const { server } = makeServer({ issuer: () => issuer, endpoints: { token: '/token' }, serviceDocumentation: 'https://docs.example/oauth' });
    issuer = 'http://127.0.0.1:48123/';
    expect(server.metadata()).toMatchObject({
      issuer: 'http://127.0.0.1:48123/',
      token_endpoint: 'http://127.0.0.1:48123/token',
      service_documentation: 'https://docs.example/oauth',
    });
  });

  it('is JSON-serializable', () => {
    const { server } = makeServer();
    expect(JSON.parse(JSON.stringify(server.metadata()))).toEqual(server.metadata());
  });
});

describe('constructor validation (programmer errors are TypeErrors)', () => {
  const base = { store: new MemoryStore(), issuer: ISSUER, secretKey: SECRET_KEY, scopesSupported: ['read'] };
  const cases: Array<[string, Record<string, unknown>]> = [
    ['RFC 8414 §2 issuer with a query', { issuer: 'https://a.example/?x=1' }],
    ['RFC 8414 §2 issuer with an empty query', { issuer: 'https://a.example/?' }],
    ['RFC 8414 §2 issuer with a fragment', { issuer: 'https://a.example/#f' }],
    ['issuer with another scheme', { issuer: 'ftp://a.example' }],
    ['issuer that is not a URL', { issuer: 'auth.example' }],
    ['issuer with credentials', { issuer: 'https://u:p@a.example' }],
    ['secretKey shorter than 32 bytes', { secretKey: new Uint8Array(31) }],
    ['secretKey not bytes', { secretKey: 'x'.repeat(40) }],
    ['scopesSupported with a space', { scopesSupported: ['read write'] }],
    ['accessTokenTtl of zero', { accessTokenTtl: 0 }],
    ['token path without a leading slash', { endpoints: { token: 'token' } }],
    ['no store', { store: undefined }],
  ];
  it.each(cases)('%s', (_name, over) => {
    expect(() => new OAuth2Server({ ...base, ...over } as never)).toThrow(TypeError);
  });

  it('accepts https and http issuers, with or without a path', () => {
    for (const issuer of ['https://a.example', 'https://a.example/tenant1', 'http://localhost:3000']) {
      expect(() => new OAuth2Server({ ...base, issuer })).not.toThrow();
    }
  });
});
