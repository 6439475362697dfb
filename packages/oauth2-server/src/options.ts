import type { EndpointPaths } from './endpoints/metadata.js';
import type { GrantHandler } from './grants/types.js';
import type { OAuth2Metrics } from './metrics.js';
import type { PasswordHasherOptions } from './password-hasher.js';
import type { CodeChallengeMethod } from './pkce.js';
import { isScopeToken } from './scope.js';
import type { OAuth2Store } from './store.js';
import type { SigningAlg } from './token-formats/signing-keys.js';

export interface OAuth2ServerOptions {
  store: OAuth2Store;
  /** A function lets a server learn its port after listening. */
  issuer: string | (() => string);
  /** >= 32 bytes. Keys the HMACs of client secrets and tokens and wraps signing keys. */
  secretKey: Uint8Array;
  scopesSupported: string[];
  /** Seconds; default 3600. */
  accessTokenTtl?: number;
  /** Seconds each refresh token lives (every rotation starts a new one); default 14 days. */
  refreshTokenTtl?: number;
  /** Seconds; default 600 (RFC 6749 §4.1.2: "A maximum authorization code lifetime of 10 minutes is RECOMMENDED"). */
  authorizationCodeTtl?: number;
  /** Seconds a rotated refresh token is still accepted, for concurrent refreshes. Default 0 (off), at most 60. */
  refreshTokenGracePeriod?: number;
  /** PKCE policy: `required` defaults to true (public clients always need it); `methods` to ['S256']. */
  pkce?: { required?: boolean; methods?: CodeChallengeMethod[] };
  /** Registers the legacy password grant (RFC 6749 §4.3). Default false. */
  enablePasswordGrant?: boolean;
  /** Extra grant handlers (e.g. a device or token-exchange grant). */
  grants?: GrantHandler[];
  /** 'opaque' (default, stored as a keyed hash) or 'jwt' (RFC 9068, signed with `jwt.alg`). */
  accessTokenFormat?: 'opaque' | 'jwt';
  jwt?: { alg?: SigningAlg; audience?: string | (() => string) };
  passwordHashing?: PasswordHasherOptions;
  /** Milliseconds since the epoch; default Date.now. */
  clock?: () => number;
  endpoints?: Partial<EndpointPaths>;
  /** Receives unexpected errors (which leave as a generic server_error). */
  onError?: (err: unknown) => void;
  /** Token endpoint counters. */
  metrics?: OAuth2Metrics;
  /** RFC 8414 `service_documentation`. */
  serviceDocumentation?: string;
}

export const DEFAULT_PATHS: EndpointPaths = {
  authorization: '/oauth/authorize',
  token: '/oauth/token',
  revocation: '/oauth/revoke',
  introspection: '/oauth/introspect',
  jwks: '/oauth/jwks',
};

export interface ResolvedOptions {
  store: OAuth2Store;
  issuer: string | (() => string);
  secretKey: Uint8Array;
  scopesSupported: string[];
  accessTokenTtl: number;
  refreshTokenTtl: number;
  authorizationCodeTtl: number;
  refreshTokenGracePeriod: number;
  pkce: { required: boolean; methods: CodeChallengeMethod[] };
  enablePasswordGrant: boolean;
  grants: GrantHandler[];
  accessTokenFormat: 'opaque' | 'jwt';
  jwt: { alg: SigningAlg; audience: string | (() => string) | undefined };
  passwordHashing: PasswordHasherOptions;
  clock: () => number;
  endpoints: EndpointPaths;
  onError: (err: unknown) => void;
  metrics: OAuth2Metrics | undefined;
  serviceDocumentation: string | undefined;
}

const fail = (message: string): never => {
  throw new TypeError(`OAuth2Server: ${message}`);
};

function seconds(name: string, v: number | undefined, fallback: number, min = 1, max = 10 * 365 * 86400): number {
  if (v === undefined) return fallback;
  if (!Number.isInteger(v) || v < min || v > max) fail(`options.${name} must be an integer number of seconds from ${min} to ${max}`);
  return v;
}

/** Programmer misuse throws TypeError naming the option. */
export function resolveOptions(o: OAuth2ServerOptions): ResolvedOptions {
  if (!o || typeof o !== 'object') fail('options are required');
  const store = o.store as Partial<OAuth2Store> | undefined;
  const parts = ['clients', 'accessTokens', 'authorizationCodes', 'refreshTokens', 'users', 'consents', 'signingKeys'] as const;
  if (!store || typeof store !== 'object' || parts.some((p) => !store[p])) fail('options.store must implement OAuth2Store');
  if (!(o.secretKey instanceof Uint8Array) || o.secretKey.length < 32) fail('options.secretKey must be a Uint8Array of at least 32 bytes');
  if (!Array.isArray(o.scopesSupported) || !o.scopesSupported.every((s) => typeof s === 'string' && isScopeToken(s))) {
    fail('options.scopesSupported must be scope tokens (RFC 6749 §3.3)');
  }
  if (o.clock !== undefined && typeof o.clock !== 'function') fail('options.clock must be a function');
  const methods = o.pkce?.methods ?? ['S256'];
  if (!Array.isArray(methods) || methods.length === 0 || !methods.every((m) => m === 'S256' || m === 'plain')) {
    fail('options.pkce.methods must be a non-empty list of "S256" and "plain"');
  }
  const format = o.accessTokenFormat ?? 'opaque';
  if (format !== 'opaque' && format !== 'jwt') fail('options.accessTokenFormat must be "opaque" or "jwt"');
  const alg = o.jwt?.alg ?? 'ES256';
  if (alg !== 'ES256' && alg !== 'EdDSA') fail('options.jwt.alg must be "ES256" or "EdDSA"');
  const endpoints = { ...DEFAULT_PATHS, ...o.endpoints };
  for (const [name, path] of Object.entries(endpoints)) {
    if (typeof path !== 'string' || !/^\/[^?#\s]*$/.test(path)) fail(`options.endpoints.${name} must be a path starting with "/"`);
  }
  return {
    store: o.store,
    issuer: o.issuer,
    secretKey: o.secretKey,
    scopesSupported: o.scopesSupported,
    accessTokenTtl: seconds('accessTokenTtl', o.accessTokenTtl, 3600),
    refreshTokenTtl: seconds('refreshTokenTtl', o.refreshTokenTtl, 14 * 86400),
    authorizationCodeTtl: seconds('authorizationCodeTtl', o.authorizationCodeTtl, 600, 1, 600),
    refreshTokenGracePeriod: seconds('refreshTokenGracePeriod', o.refreshTokenGracePeriod, 0, 0, 60),
    pkce: { required: o.pkce?.required ?? true, methods: [...new Set(methods)] },
    enablePasswordGrant: o.enablePasswordGrant === true,
    grants: o.grants ?? [],
    accessTokenFormat: format,
    jwt: { alg, audience: o.jwt?.audience },
    passwordHashing: o.passwordHashing ?? {},
    clock: o.clock ?? Date.now,
    endpoints,
    onError: o.onError ?? (() => {}),
    metrics: o.metrics,
    serviceDocumentation: o.serviceDocumentation,
  };
}
