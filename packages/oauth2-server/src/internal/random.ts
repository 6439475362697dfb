import { randomBytes } from 'node:crypto';

export const ACCESS_TOKEN_PREFIX = 'tfat_';
const TOKEN_BYTES = 32; // 256 bits: RFC 6749 §10.10 asks for tokens infeasible to guess
const ACCESS_TOKEN_SHAPE = /^tfat_[A-Za-z0-9_-]{43}$/;

/** The prefix lets secret scanners (e.g. GitHub push protection) recognise a leaked token. */
export function newAccessToken(): string {
  return ACCESS_TOKEN_PREFIX + randomBytes(TOKEN_BYTES).toString('base64url');
}

export function looksLikeAccessToken(s: unknown): s is string {
  return typeof s === 'string' && ACCESS_TOKEN_SHAPE.test(s);
}

export function newClientId(): string {
  return 'cl_' + randomBytes(16).toString('base64url');
}

export function newClientSecret(): string {
  return randomBytes(32).toString('base64url');
}
