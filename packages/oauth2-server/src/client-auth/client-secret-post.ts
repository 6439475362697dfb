import { OAuth2Error } from '../errors.js';
import type { AuthenticatedClient, ClientAuthContext, ClientAuthInput, ClientAuthMethod } from './types.js';
import { authenticationFailed } from './failure.js';

/** RFC 6749 §2.3.1: client_id and client_secret in the request body (NOT RECOMMENDED, but allowed). */
export const clientSecretPost: ClientAuthMethod = {
  name: 'client_secret_post',

  present(input: ClientAuthInput): boolean {
    return input.params.has('client_secret');
  },

  async authenticate(input: ClientAuthInput, ctx: ClientAuthContext): Promise<AuthenticatedClient> {
    const id = input.params.get('client_id');
    const secret = input.params.get('client_secret')!;
    if (id === undefined) {
      throw new OAuth2Error('invalid_request', 'client_secret was sent without client_id');
    }
    const client = await ctx.store.clients.get(id);
    if (!ctx.hasher.verifyClientSecret(client?.secretHash ?? null, secret) || !client) {
      // No Authorization header was used, so no challenge (RFC 6749 §5.2).
      throw authenticationFailed();
    }
    return { client, method: 'client_secret_post', confidential: true };
  },
};
