import type { FormParams } from '../internal/form.js';
import type { KeyedHasher } from '../internal/keyed-hasher.js';
import type { OAuth2Store } from '../store.js';
import type { ClientRecord } from '../types.js';

/** The parts of a token request that carry client credentials. */
export interface ClientAuthInput {
  /** The single Authorization header, if any. */
  authorization: string | undefined;
  params: FormParams;
}

export interface ClientAuthContext {
  store: OAuth2Store;
  hasher: KeyedHasher;
  /** The realm for a `WWW-Authenticate: Basic` challenge: the issuer. */
  realm: string;
}

export interface AuthenticatedClient {
  client: ClientRecord;
  /** The `token_endpoint_auth_method` that authenticated it. */
  method: string;
  /** True when the client proved possession of a secret (RFC 6749 §2.1 confidential). */
  confidential: boolean;
}

/**
 * One client authentication method (RFC 6749 §2.3, names from RFC 7591 §2).
 * `present` must be true only when the request carries this method's credentials, so
 * the authenticator can refuse requests that use more than one method.
 * `authenticate` rejects with OAuth2Error `invalid_client` (or `invalid_request` for a
 * malformed request).
 */
export interface ClientAuthMethod {
  readonly name: string;
  present(input: ClientAuthInput): boolean;
  authenticate(input: ClientAuthInput, ctx: ClientAuthContext): Promise<AuthenticatedClient>;
}
