import { OAuth2Error } from '../errors.js';
import { formDecode } from '../internal/form.js';
import { challenge } from '../internal/http.js';
import type { AuthenticatedClient, ClientAuthContext, ClientAuthInput, ClientAuthMethod } from './types.js';
import { authenticationFailed } from './failure.js';

const BASIC = /^basic[ \t]+([A-Za-z0-9+/]+={0,2})[ \t]*$/i;

export function isBasic(authorization: string | undefined): boolean {
  return authorization !== undefined && /^basic(?:[ \t]|$)/i.test(authorization);
}

/** Decodes `Basic base64(urlencoded(id) ":" urlencoded(secret))`; null when malformed. */
export function decodeBasic(authorization: string): { id: string; secret: string } | null {
  const match = BASIC.exec(authorization);
  if (!match) return null;
  const b64 = match[1]!;
  if (b64.length % 4 !== 0) return null;
  const decoded = Buffer.from(b64, 'base64').toString('utf8');
  if (decoded.includes('\ufffd')) return null;
  const colon = decoded.indexOf(':');
  if (colon === -1) return null;
  // RFC 6749 §2.3.1: "The client identifier is encoded using the
  // application/x-www-form-urlencoded encoding algorithm per Appendix B, and the encoded
  // value is used as the username; the client password is encoded using the same
  // algorithm and used as the password."
  const id = formDecode(decoded.slice(0, colon));
  const secret = formDecode(decoded.slice(colon + 1));
  if (id === null || secret === null || id === '' || secret === '') return null;
  return { id, secret };
}

export const clientSecretBasic: ClientAuthMethod = {
  name: 'client_secret_basic',

  present(input: ClientAuthInput): boolean {
    return isBasic(input.authorization);
  },

  async authenticate(input: ClientAuthInput, ctx: ClientAuthContext): Promise<AuthenticatedClient> {
    const credentials = decodeBasic(input.authorization ?? '');
    if (!credentials) {
      throw new OAuth2Error('invalid_client', 'the Basic authorization header is malformed', { headers: basicChallenge(ctx) });
    }
    const bodyId = input.params.get('client_id');
    if (bodyId !== undefined && bodyId !== credentials.id) {
      throw new OAuth2Error('invalid_request', 'client_id in the body differs from the authenticated client');
    }
    const client = await ctx.store.clients.get(credentials.id);
    if (!ctx.hasher.verifyClientSecret(client?.secretHash ?? null, credentials.secret) || !client) {
      throw authenticationFailed(basicChallenge(ctx));
    }
    return { client, method: 'client_secret_basic', confidential: true };
  },
};

// RFC 6749 §5.2: when the client used the Authorization header, the 401 "MUST include
// the WWW-Authenticate response header field matching the authentication scheme used".
// Built only for a failure: a success never carries it.
function basicChallenge(ctx: ClientAuthContext): Record<string, string> {
  return { 'www-authenticate': challenge('Basic', { realm: ctx.realm }) };
}
