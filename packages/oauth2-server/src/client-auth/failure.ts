import { OAuth2Error } from '../errors.js';

/**
 * The one response for an unknown client id, a wrong secret, or a client without a secret:
 * identical so that it is not an oracle for which client ids exist.
 */
export function authenticationFailed(headers?: Record<string, string>): OAuth2Error {
  return new OAuth2Error('invalid_client', 'client authentication failed', headers ? { headers } : {});
}
