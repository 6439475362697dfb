import type { FastifyRequest } from 'fastify';
import type { Precondition } from '@tsforge/storage';
import { parseHttpDate } from './http-date.js';

/**
 * RFC 9110 §13.1.1 / §13.1.2 / §13.1.4: If-Match, If-None-Match and If-Unmodified-Since as the
 * disk takes them. The first two are "*" or a comma-separated list of entity tags; the disk
 * compares them (strongly for If-Match, weakly for If-None-Match) and the date (in whole seconds)
 * with the version it is about to change, and answers E_PRECONDITION_FAILED.
 */
export function preconditionOf(request: FastifyRequest): Precondition | undefined {
  const ifMatch = entityTags(request.headers['if-match']);
  const ifNoneMatch = entityTags(request.headers['if-none-match']);
  // §13.1.4: "A recipient MUST ignore the If-Unmodified-Since header field if the received
  // field value is not a valid HTTP-date (including when the field value appears to be a list of
  // dates)". Ignoring it when If-Match is present is the disk's rule (preconditionHolds).
  const since = parseHttpDate(request.headers['if-unmodified-since']);
  if (ifMatch === undefined && ifNoneMatch === undefined && since === undefined) return undefined;
  return {
    ...(ifMatch === undefined ? {} : { ifMatch }),
    ...(ifNoneMatch === undefined ? {} : { ifNoneMatch }),
    ...(since === undefined ? {} : { ifUnmodifiedSince: new Date(since) }),
  };
}

/**
 * §13.1.3: the If-Modified-Since date of a GET or HEAD, in milliseconds, or undefined when it is
 * to be ignored: "A recipient MUST ignore If-Modified-Since if the request contains an
 * If-None-Match header field", and when the value is not a valid HTTP-date.
 */
export function modifiedSinceOf(request: FastifyRequest): number | undefined {
  if (request.headers['if-none-match'] !== undefined) return undefined;
  if (request.method !== 'GET' && request.method !== 'HEAD') return undefined;
  return parseHttpDate(request.headers['if-modified-since']);
}

function entityTags(value: string | string[] | undefined): '*' | string[] | undefined {
  if (value === undefined) return undefined;
  const text = Array.isArray(value) ? value.join(',') : value;
  if (text.trim() === '*') return '*';
  // Our entity tags are quoted hex and never hold a comma, so a plain split is exact for them;
  // anything else simply matches nothing.
  return text.split(',').map((tag) => tag.trim()).filter((tag) => tag !== '');
}
