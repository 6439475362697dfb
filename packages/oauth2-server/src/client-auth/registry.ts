import { OAuth2Error } from '../errors.js';
import { challenge } from '../internal/http.js';
import { clientSecretBasic } from './client-secret-basic.js';
import { clientSecretPost } from './client-secret-post.js';
import { none } from './none.js';
import type { AuthenticatedClient, ClientAuthContext, ClientAuthInput, ClientAuthMethod } from './types.js';

export function defaultClientAuthMethods(): ClientAuthMethod[] {
  return [clientSecretBasic, clientSecretPost, none];
}

/** Client authentication methods by name; picks the one a request uses. */
export class ClientAuthRegistry {
  #methods = new Map<string, ClientAuthMethod>();
  #list: ClientAuthMethod[];

  constructor(methods: Iterable<ClientAuthMethod>) {
    for (const m of methods) {
      if (this.#methods.has(m.name)) throw new TypeError(`client authentication method registered twice: ${m.name}`);
      this.#methods.set(m.name, m);
    }
    this.#list = [...this.#methods.values()];
  }

  names(): string[] {
    return [...this.#methods.keys()];
  }

  async authenticate(input: ClientAuthInput, ctx: ClientAuthContext): Promise<AuthenticatedClient> {
    let method: ClientAuthMethod | undefined;
    for (const m of this.#list) {
      if (!m.present(input)) continue;
      // RFC 6749 §2.3: "The client MUST NOT use more than one authentication method in each request."
      if (method) throw new OAuth2Error('invalid_request', 'the request uses more than one client authentication method');
      method = m;
    }
    if (!method) {
      const headers: Record<string, string> = { 'www-authenticate': challenge('Basic', { realm: ctx.realm }) };
      throw new OAuth2Error('invalid_client', 'client authentication is required', { headers });
    }
    return method.authenticate(input, ctx);
  }
}
