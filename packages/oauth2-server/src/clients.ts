import { OAuth2Error } from './errors.js';
import type { GrantRegistry } from './grants/registry.js';
import type { KeyedHasher } from './internal/keyed-hasher.js';
import { newClientId, newClientSecret } from './internal/random.js';
import { isAcceptableRedirectUri } from './redirect-uri.js';
import { isScopeToken } from './scope.js';
import type { ClientStore } from './store.js';
import type { ClientRecord } from './types.js';

export interface RegisterClientInput {
  name: string;
  grantTypes: string[];
  scopes: string[];
  redirectUris?: string[];
  /** RFC 6749 §2.1: a public client (browser or native app) gets no secret. Default false. */
  public?: boolean;
}

const invalid = (description: string): OAuth2Error => new OAuth2Error('invalid_request', description);

/** Client registration: validates the metadata, mints the credentials, stores only the hash. */
export class Clients {
  #store: ClientStore;
  #hasher: KeyedHasher;
  #clock: () => number;
  #grants: GrantRegistry;
  #scopesSupported: ReadonlySet<string>;

  constructor(o: { store: ClientStore; hasher: KeyedHasher; clock: () => number; grants: GrantRegistry; scopesSupported: ReadonlySet<string> }) {
    this.#store = o.store;
    this.#hasher = o.hasher;
    this.#clock = o.clock;
    this.#grants = o.grants;
    this.#scopesSupported = o.scopesSupported;
  }

  /** `clientSecret` is null for a public client. */
  async register(o: RegisterClientInput): Promise<{ client: ClientRecord; clientSecret: string | null }> {
    const input = validate(o, this.#grants, this.#scopesSupported);
    const clientSecret = input.public ? null : newClientSecret();
    const client: ClientRecord = {
      id: newClientId(),
      name: input.name,
      secretHash: clientSecret === null ? null : this.#hasher.hashClientSecret(clientSecret),
      grantTypes: input.grantTypes,
      scopes: input.scopes,
      redirectUris: input.redirectUris,
      createdAt: new Date(this.#clock()),
    };
    await this.#store.create(client);
    return { client, clientSecret };
  }
}

function validate(o: RegisterClientInput, grants: GrantRegistry, supported: ReadonlySet<string>): Required<RegisterClientInput> {
  if (!o || typeof o !== 'object') throw invalid('client metadata is required');
  if (typeof o.name !== 'string' || o.name.trim() === '') throw invalid('name must be a non-empty string');
  if (o.name.length > 200) throw invalid('name must be at most 200 characters');
  if (!isStringArray(o.grantTypes) || o.grantTypes.length === 0) throw invalid('grantTypes must be a non-empty array of strings');
  for (const g of o.grantTypes) {
    if (!grants.has(g)) throw invalid(`grant type "${g}" is not supported (supported: ${grants.names().join(', ')})`);
  }
  if (!isStringArray(o.scopes)) throw invalid('scopes must be an array of strings');
  for (const s of o.scopes) {
    if (!isScopeToken(s)) throw invalid('scopes must be valid scope tokens (RFC 6749 §3.3)');
    if (!supported.has(s)) throw invalid(`scope "${s}" is not supported (supported: ${[...supported].join(" ")})`);
  }
  const redirectUris = o.redirectUris ?? [];
  if (!isStringArray(redirectUris)) throw invalid('redirectUris must be an array of strings');
  for (const uri of redirectUris) {
    // RFC 6749 §3.1.2: "The redirection endpoint URI MUST be an absolute URI ... MUST NOT include a fragment component."
    if (!isAcceptableRedirectUri(uri)) {
      throw invalid('each redirect URI must be an absolute https URI (http only for loopback) without a fragment');
    }
  }
  const isPublic = o.public ?? false;
  if (typeof isPublic !== 'boolean') throw invalid('public must be a boolean');
  // RFC 6749 §4.4: "The client credentials grant type MUST only be used by confidential clients."
  if (isPublic && o.grantTypes.includes('client_credentials')) throw invalid('a public client cannot use the client_credentials grant');
  // RFC 6749 §3.1.2.2 / RFC 9700 §2.1: clients of the authorization endpoint register redirect URIs.
  if (o.grantTypes.includes('authorization_code') && redirectUris.length === 0) {
    throw invalid('the authorization_code grant needs at least one redirect URI');
  }
  return {
    name: o.name.trim(),
    grantTypes: [...new Set(o.grantTypes)],
    scopes: [...new Set(o.scopes)],
    redirectUris: [...new Set(redirectUris)],
    public: isPublic,
  };
}

function isStringArray(v: unknown): v is string[] {
  return Array.isArray(v) && v.every((x) => typeof x === 'string');
}
