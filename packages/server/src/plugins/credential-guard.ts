import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { REPEATED, soleAuthorization } from './header-copies.js';
import { sendError } from './errors.js';

/** A fixed secret an endpoint requires: a bearer token (RFC 6750) or user:password (RFC 7617). */
export type StaticCredentials =
  | { scheme: 'bearer'; token: string }
  | { scheme: 'basic'; user: string; password: string };

/**
 * `missing`: no credentials of the scheme at all; `invalid`: the wrong ones; `malformed`: a Bearer
 * header without exactly one token; `repeated`: two headers.
 */
export type CredentialCheck = 'allowed' | 'missing' | 'invalid' | 'malformed' | 'repeated';

export interface CredentialGuard {
  check(request: FastifyRequest): CredentialCheck;
  /** The 400 or 401 answer, with its challenge, for a check that did not allow. */
  refuse(reply: FastifyReply, outcome: Exclude<CredentialCheck, 'allowed'>): FastifyReply;
}

export interface CredentialGuardOptions {
  realm: string;
  /** The `error_description` of a 401. */
  description: string;
}

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/**
 * Guards `/metrics` and `/admin/*`. Compares in constant time: both sides are hashed first, so
 * neither the length nor the first differing byte of the secret shows in the time taken.
 */
export function credentialGuard(credentials: StaticCredentials, { realm, description }: CredentialGuardOptions): CredentialGuard {
  const bearer = credentials.scheme === 'bearer';
  const expected = digest(bearer ? credentials.token : `${credentials.user}:${credentials.password}`);
  // RFC 6750 §2.1 / RFC 7617 §2; the scheme is case-insensitive (RFC 9110 §11.1).
  const scheme = bearer ? /^bearer(?:\s|$)/i : /^basic(?:\s|$)/i;
  const pattern = bearer ? /^bearer +(\S+) *$/i : /^basic +([A-Za-z0-9+/]+=*) *$/i;
  const secretOf = (encoded: string) => (bearer ? encoded : Buffer.from(encoded, 'base64').toString('utf8'));
  const challenge = bearer ? `Bearer realm="${realm}"` : `Basic realm="${realm}", charset="UTF-8"`;

  return {
    check(request) {
      const header = soleAuthorization(request);
      if (header === REPEATED) return 'repeated';
      // RFC 6750 §3.1: a request "attempted using an unsupported authentication method" lacks
      // authentication information, like one with no header at all.
      if (header === undefined || !scheme.test(header.trim())) return 'missing';
      const match = pattern.exec(header);
      if (match === null) return bearer ? 'malformed' : 'invalid';
      return timingSafeEqual(digest(secretOf(match[1]!)), expected) ? 'allowed' : 'invalid';
    },

    refuse(reply, outcome) {
      // RFC 6750 §3.1 invalid_request: a repeated or otherwise malformed request.
      if (outcome === 'repeated' || outcome === 'malformed') {
        if (bearer) reply.header('www-authenticate', `${challenge}, error="invalid_request"`);
        return sendError(reply, 400, 'invalid_request', outcome === 'repeated'
          ? 'the Authorization header is sent more than once'
          : 'the Authorization header must be "Bearer" and one token');
      }
      // RFC 6750 §3.1: "If the request lacks any authentication information [...], the resource
      // server SHOULD NOT include an error code or other error information." A wrong token is
      // an invalid_token. Basic (RFC 7617) has no error parameter at all.
      if (outcome === 'invalid' && bearer) {
        reply.header('www-authenticate', `${challenge}, error="invalid_token"`);
        return sendError(reply, 401, 'invalid_token', description);
      }
      reply.header('www-authenticate', challenge);
      return sendError(reply, 401, 'unauthorized', description);
    },
  };
}
