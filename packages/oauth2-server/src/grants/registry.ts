import { OAuth2Error } from '../errors.js';
import { authorizationCodeGrant } from './authorization-code.js';
import { clientCredentialsGrant } from './client-credentials.js';
import { passwordGrant } from './password.js';
import { refreshTokenGrant } from './refresh-token.js';
import type { GrantHandler } from './types.js';

/** The built-in grants; `password` only when asked for (legacy, RFC 9700 §2.4). */
export function defaultGrants(o: { password?: boolean } = {}): GrantHandler[] {
  return [authorizationCodeGrant, clientCredentialsGrant, refreshTokenGrant, ...(o.password ? [passwordGrant] : [])];
}

/** Grant handlers by `grant_type`: a new grant is a new file and one entry here. */
export class GrantRegistry {
  #handlers = new Map<string, GrantHandler>();

  constructor(handlers: Iterable<GrantHandler>) {
    for (const h of handlers) {
      if (this.#handlers.has(h.grantType)) throw new TypeError(`grant type registered twice: ${h.grantType}`);
      this.#handlers.set(h.grantType, h);
    }
  }

  has(grantType: string): boolean {
    return this.#handlers.has(grantType);
  }

  names(): string[] {
    return [...this.#handlers.keys()];
  }

  /** RFC 6749 §5.2: missing → invalid_request; not supported → unsupported_grant_type. */
  select(grantType: string | undefined): GrantHandler {
    if (grantType === undefined) throw new OAuth2Error('invalid_request', 'the grant_type parameter is missing');
    const handler = this.#handlers.get(grantType);
    if (!handler) throw new OAuth2Error('unsupported_grant_type', 'the grant_type is not supported by this server');
    return handler;
  }
}
