import { OAuth2Error } from './errors.js';
import type { GrantRegistry } from './grants/registry.js';
import type { KeyedHasher } from './internal/keyed-hasher.js';
import { newClientId, newClientSecret } from './internal/random.js';
import { isScopeToken } from './scope.js';
import type { ClientStore } from './store.js';
import type { ClientRecord } from './types.js';

export interface RegisterClientInput {
  name: string;
  grantTypes: string[];
  scopes: string[];
  redirectUris?: string[];
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

  async register(o: RegisterClientInput): Promise<{ client: ClientRecord; clientSecret: string }> {
    const input = validate(o, this.#grants, this.#scopesSupported);
    const clientSecret = newClientSecret();
    const client: ClientRecord = {
      id: newClientId(),
      name: input.name,
      secretHash: this.#hasher.hashClientSecret(clientSecret),
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
    if (!URL.canParse(uri) || uri.includes('#')) throw invalid('each redirect URI must be an absolute URI without a fragment');
  }
  return {
    name: o.name.trim(),
    grantTypes: [...new Set(o.grantTypes)],
    scopes: [...new Set(o.scopes)],
    redirectUris: [...new Set(redirectUris)],
  };
}

function isStringArray(v: unknown): v is string[] {
  return Array.isArray(v) && v.every((x) => typeof x === 'string');
}
