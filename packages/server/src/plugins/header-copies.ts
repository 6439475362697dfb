import type { IncomingMessage } from 'node:http';
import type { FastifyRequest } from 'fastify';

/**
 * Every value header `name` (lower case) was sent with, in order; undefined when it was not sent.
 * Node's `request.headers` keeps only the first copy of some headers (Authorization,
 * Content-Type), so two credentials or two types would pass as one. Node's `headersDistinct`
 * has every copy too, but builds an object of all headers on each request: this reads the raw
 * name/value list for the one header asked.
 */
export function headerCopies(raw: IncomingMessage, name: string): string[] | undefined {
  const list = raw.rawHeaders;
  let values: string[] | undefined;
  for (let i = 0; i < list.length; i += 2) {
    const key = list[i]!;
    if (key.length === name.length && key.toLowerCase() === name) (values ??= []).push(list[i + 1]!);
  }
  return values;
}

/** The request sent `Authorization` more than once. */
export const REPEATED = Symbol('Authorization sent more than once');

/**
 * The request's one `Authorization` header, or REPEATED so the caller can refuse a repeat.
 * RFC 6750 §3.1: a request that "uses more than one method for including an access token" is an
 * invalid_request.
 */
export function soleAuthorization(request: FastifyRequest): string | undefined | typeof REPEATED {
  const copies = headerCopies(request.raw, 'authorization');
  if (copies === undefined) return undefined;
  return copies.length > 1 ? REPEATED : copies[0];
}
