import { OAuth2Error } from '../errors.js';
import type { EndpointResponse } from '../types.js';

export const JSON_CONTENT_TYPE = 'application/json;charset=UTF-8';

/** A header that must appear at most once; repeated → invalid_request. */
export function singleHeader(
  headers: Record<string, string | string[] | undefined>,
  name: string,
): string | undefined {
  const value = headers[name];
  if (Array.isArray(value)) {
    if (value.length > 1) throw new OAuth2Error('invalid_request', `the ${name} header is sent more than once`);
    return value[0];
  }
  return value;
}

/** An auth-param value as an RFC 9110 §5.6.4 quoted-string. */
export function quote(value: string): string {
  return `"${value.replace(/[\\"]/g, (c) => `\\${c}`).replace(/[\x00-\x1f\x7f]/g, '')}"`;
}

export function challenge(scheme: string, params: Record<string, string | undefined>): string {
  const parts = Object.entries(params)
    .filter((e): e is [string, string] => e[1] !== undefined)
    .map(([k, v]) => `${k}=${quote(v)}`);
  return parts.length === 0 ? scheme : `${scheme} ${parts.join(', ')}`;
}

export function errorBody(err: OAuth2Error): Record<string, string> {
  return { error: err.error, error_description: err.description };
}

export function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): EndpointResponse {
  return { status, headers: { 'content-type': JSON_CONTENT_TYPE, ...headers }, body };
}
