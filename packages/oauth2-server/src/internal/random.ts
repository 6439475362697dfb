import { RandomPool } from './random-pool.js';

const TOKEN_BYTES = 32; // 256 bits: RFC 6749 §10.10 asks for tokens infeasible to guess

// One per process, like the CSPRNG behind it: it holds no state but unread random bytes.
const pool = new RandomPool();

/**
 * Every credential carries a prefix so secret scanners (e.g. GitHub push protection) can
 * recognise a leaked one, and so a token of one kind is never accepted as another.
 */
export const PREFIX = { accessToken: 'tfat_', refreshToken: 'tfrt_', code: 'tfac_' } as const;
export const ACCESS_TOKEN_PREFIX = PREFIX.accessToken;

const shape = (prefix: string): RegExp => new RegExp(`^${prefix}[A-Za-z0-9_-]{43}$`);
const SHAPES = { accessToken: shape(PREFIX.accessToken), refreshToken: shape(PREFIX.refreshToken), code: shape(PREFIX.code) };

export function newCredential(kind: keyof typeof PREFIX): string {
  return PREFIX[kind] + pool.base64url(TOKEN_BYTES);
}

export function looksLike(kind: keyof typeof PREFIX, s: unknown): s is string {
  return typeof s === 'string' && SHAPES[kind].test(s);
}

export function newAccessToken(): string {
  return newCredential('accessToken');
}

export function looksLikeAccessToken(s: unknown): s is string {
  return looksLike('accessToken', s);
}

export function newId(prefix: string, bytes = 16): string {
  return prefix + pool.base64url(bytes);
}

export function newClientId(): string {
  return newId('cl_');
}

export function newClientSecret(): string {
  return pool.base64url(32);
}
