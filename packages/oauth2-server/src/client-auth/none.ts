import type { AuthenticatedClient, ClientAuthContext, ClientAuthInput, ClientAuthMethod } from './types.js';
import { authenticationFailed } from './failure.js';

/**
 * RFC 7591 §2 `none`: a public client identifies itself with `client_id` alone. Present only
 * when no other credentials are sent, so a request cannot mix it with another method. A
 * confidential client that sends no secret fails exactly like a wrong secret: PKCE does not
 * replace client authentication (RFC 9700 §2.1.1).
 */
export const none: ClientAuthMethod = {
  name: 'none',

  present(input: ClientAuthInput): boolean {
    return input.authorization === undefined && !input.params.has('client_secret') && input.params.has('client_id');
  },

  async authenticate(input: ClientAuthInput, ctx: ClientAuthContext): Promise<AuthenticatedClient> {
    const client = await ctx.store.clients.get(input.params.get('client_id')!);
    if (!client || client.secretHash !== null) throw authenticationFailed();
    return { client, method: 'none', confidential: false };
  },
};
