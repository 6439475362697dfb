import type { FastifyRequest } from 'fastify';
import type { Precondition } from '@tsforge/storage';

/**
 * RFC 9110 §13.1.1 / §13.1.2: If-Match and If-None-Match as the disk takes them. Each is "*" or
 * a comma-separated list of entity tags; the disk compares them (strongly for If-Match, weakly
 * for If-None-Match) with the version it is about to change, and answers E_PRECONDITION_FAILED.
 */
export function preconditionOf(request: FastifyRequest): Precondition | undefined {
  const ifMatch = entityTags(request.headers['if-match']);
  const ifNoneMatch = entityTags(request.headers['if-none-match']);
  if (ifMatch === undefined && ifNoneMatch === undefined) return undefined;
  return { ...(ifMatch === undefined ? {} : { ifMatch }), ...(ifNoneMatch === undefined ? {} : { ifNoneMatch }) };
}

function entityTags(value: string | string[] | undefined): '*' | string[] | undefined {
  if (value === undefined) return undefined;
  const text = Array.isArray(value) ? value.join(',') : value;
  if (text.trim() === '*') return '*';
  // Our entity tags are quoted hex and never hold a comma, so a plain split is exact for them;
  // anything else simply matches nothing.
  return text.split(',').map((tag) => tag.trim()).filter((tag) => tag !== '');
}
