import type { FastifyRequest } from 'fastify';

/** The request sent `Authorization` more than once. */
export const REPEATED = Symbol('Authorization sent more than once');

/**
 * The request's one `Authorization` header. Node keeps only the first copy in `request.headers`,
 * so two credentials would pass as one: this reads every copy (as the file API and the OAuth
 * endpoints do) so the caller can refuse a repeat. RFC 6750 §3.1: a request that "uses more than
 * one method for including an access token" is an invalid_request.
 */
export function soleAuthorization(request: FastifyRequest): string | undefined | typeof REPEATED {
  const copies = request.raw.headersDistinct.authorization;
  if (copies === undefined || copies.length === 0) return undefined;
  return copies.length > 1 ? REPEATED : copies[0];
}
