import { ConfigError, wholeNumber as whole } from './config.js';
import { readEnv } from './env-vars.js';

/** The OAuth 2.0 settings of `tsforge serve`, from the environment. */
export interface OAuthConfig {
  /** `ACCESS_TOKEN_FORMAT`: opaque (stored as a keyed hash) or RFC 9068 JWTs. */
  accessTokenFormat: 'opaque' | 'jwt';
  /** `JWT_ALG`: the algorithm of newly created signing keys. */
  jwtAlg: 'ES256' | 'EdDSA';
  /** `TSFORGE_PKCE_REQUIRED`: PKCE for confidential clients too (public clients always need it). */
  pkceRequired: boolean;
  /** `TSFORGE_PASSWORD_GRANT`: the legacy resource owner password grant. */
  passwordGrant: boolean;
  /** `TSFORGE_REFRESH_TOKEN_TTL`, seconds. */
  refreshTokenTtl: number;
  /** `TSFORGE_REFRESH_GRACE_PERIOD`, seconds a rotated refresh token is still accepted (0 = off). */
  refreshTokenGracePeriod: number;
  /** `TSFORGE_TOKEN_RATE_LIMIT`: per minute per client id and IP: token requests, and failed client authentications at revocation and introspection (0 = off). */
  tokenRateLimit: number;
  /** `TSFORGE_LOGIN_RATE_LIMIT`: sign-in attempts per 15 minutes per username and IP (0 = off). */
  loginRateLimit: number;
  /** `TSFORGE_PURGE_INTERVAL_S`: how often expired codes and tokens are deleted (0 = never). */
  purgeIntervalS: number;
}

export function loadOAuthConfig(env: NodeJS.ProcessEnv): OAuthConfig {
  return {
    accessTokenFormat: oneOf('ACCESS_TOKEN_FORMAT', readEnv(env, 'ACCESS_TOKEN_FORMAT'), ['opaque', 'jwt'] as const, 'opaque'),
    jwtAlg: oneOf('JWT_ALG', readEnv(env, 'JWT_ALG'), ['ES256', 'EdDSA'] as const, 'ES256'),
    pkceRequired: flag('TSFORGE_PKCE_REQUIRED', readEnv(env, 'TSFORGE_PKCE_REQUIRED'), true),
    passwordGrant: flag('TSFORGE_PASSWORD_GRANT', readEnv(env, 'TSFORGE_PASSWORD_GRANT'), false),
    refreshTokenTtl: whole('TSFORGE_REFRESH_TOKEN_TTL', readEnv(env, 'TSFORGE_REFRESH_TOKEN_TTL'), 14 * 86400, 60, 10 * 365 * 86400),
    refreshTokenGracePeriod: whole('TSFORGE_REFRESH_GRACE_PERIOD', readEnv(env, 'TSFORGE_REFRESH_GRACE_PERIOD'), 0, 0, 60),
    tokenRateLimit: whole('TSFORGE_TOKEN_RATE_LIMIT', readEnv(env, 'TSFORGE_TOKEN_RATE_LIMIT'), 1200, 0, 10_000_000),
    loginRateLimit: whole('TSFORGE_LOGIN_RATE_LIMIT', readEnv(env, 'TSFORGE_LOGIN_RATE_LIMIT'), 10, 0, 1_000_000),
    purgeIntervalS: whole('TSFORGE_PURGE_INTERVAL_S', readEnv(env, 'TSFORGE_PURGE_INTERVAL_S'), 600, 0, 86400),
  };
}

function oneOf<T extends string>(name: string, raw: string | undefined, values: readonly T[], fallback: T): T {
  if (raw === undefined || raw === '') return fallback;
  if (!(values as readonly string[]).includes(raw)) throw new ConfigError(`${name} must be one of ${values.join(', ')}, got ${JSON.stringify(raw)}`);
  return raw as T;
}

function flag(name: string, raw: string | undefined, fallback: boolean): boolean {
  if (raw === undefined || raw === '') return fallback;
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  throw new ConfigError(`${name} must be true or false, got ${JSON.stringify(raw)}`);
}
