import { FormParams } from '../internal/form.js';
import type { TokenRequest } from '../types.js';
import { decodeBasic, isBasic } from './client-secret-basic.js';

/**
 * The client id a token, revocation or introspection request claims, decoded exactly as client
 * authentication decodes it (RFC 6749 §2.3.1: the Basic user name and the `client_id` form field
 * are form-urlencoded), so `%63l_X` and `cl_X` are the same client. Unauthenticated: meant for
 * keys such as a rate limit's. Null when the request names no client or cannot be read.
 */
export function claimedClientId(request: TokenRequest): string | null {
  const header = request.headers['authorization'];
  if (Array.isArray(header) && header.length > 1) return null;
  const authorization = Array.isArray(header) ? header[0] : header;
  if (isBasic(authorization)) return decodeBasic(authorization!)?.id ?? null;
  try {
    return FormParams.parse(typeof request.body === 'string' ? request.body : '').get('client_id') ?? null;
  } catch {
    return null;
  }
}
