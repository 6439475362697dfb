import { claimedClientId, type TokenRequest } from '@tsforge/oauth2-server';

/** The endpoints that authenticate clients, each with its own allowance. */
export type ClientEndpoint = 'token' | 'revocation' | 'introspection';

/**
 * The rate-limit key of a request to an endpoint that authenticates clients: the client id the
 * request claims (unauthenticated at this point), decoded as client authentication decodes it
 * (RFC 6749 §2.3.1), so percent-encoded spellings of one id share its bucket, with the caller's
 * IP. Claiming another client's id only spends the caller's own per-IP allowance for it. Never logged.
 */
export function clientRateKey(endpoint: ClientEndpoint, request: TokenRequest, ip: string): string {
  return `${endpoint}\0${claimedClientId(request) ?? ''}\0${ip}`;
}
