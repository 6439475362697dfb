import { AccessTokens } from './access-tokens.js';
import { ClientAuthRegistry, defaultClientAuthMethods } from './client-auth/registry.js';
import { authenticateBearer, type BearerResult } from './endpoints/bearer.js';
import { buildMetadata } from './endpoints/metadata.js';
import { TokenEndpoint } from './endpoints/token.js';
import { defaultGrants, GrantRegistry } from './grants/registry.js';
import { issuerReader } from './internal/issuer.js';
import { KeyedHasher } from './internal/keyed-hasher.js';
import { isScopeToken } from './scope.js';
import type { OAuth2Store } from './store.js';
import type { ClientRecord, EndpointResponse, TokenInfo, TokenRequest } from './types.js';
import { Clients, type RegisterClientInput } from './clients.js';

export interface OAuth2ServerOptions {
  store: OAuth2Store;
  /** A function lets a server learn its port after listening. */
  issuer: string | (() => string);
  /** >= 32 bytes. Keys the HMACs of client secrets and tokens: only keyed hashes are stored. */
  secretKey: Uint8Array;
  scopesSupported: string[];
  /** Seconds; default 3600. */
  accessTokenTtl?: number;
  /** Milliseconds since the epoch; default Date.now. */
  clock?: () => number;
  endpoints?: { token?: string };
  /** Receives unexpected errors (which leave as a generic server_error). */
  onError?: (err: unknown) => void;
  /** RFC 8414 `service_documentation`. */
  serviceDocumentation?: string;
}

const DEFAULT_TOKEN_PATH = '/oauth/token';

export class OAuth2Server {
  #store: OAuth2Store;
  #issuer: () => string;
  #scopes: string[];
  #grants: GrantRegistry;
  #clientAuth: ClientAuthRegistry;
  #tokens: AccessTokens;
  #clients: Clients;
  #tokenEndpoint: TokenEndpoint;
  #tokenPath: string;
  #onError: (err: unknown) => void;
  #serviceDocumentation: string | undefined;

  constructor(options: OAuth2ServerOptions) {
    const o = validateOptions(options);
    const clock = o.clock ?? Date.now;
    const hasher = new KeyedHasher(o.secretKey);
    this.#store = o.store;
    this.#issuer = issuerReader(o.issuer);
    this.#scopes = [...new Set(o.scopesSupported)];
    this.#grants = new GrantRegistry(defaultGrants());
    this.#clientAuth = new ClientAuthRegistry(defaultClientAuthMethods());
    this.#tokenPath = o.endpoints?.token ?? DEFAULT_TOKEN_PATH;
    this.#onError = o.onError ?? (() => {});
    this.#serviceDocumentation = o.serviceDocumentation;
    this.#tokens = new AccessTokens({ store: o.store.accessTokens, hasher, clock, ttlSeconds: o.accessTokenTtl ?? 3600 });
    const scopesSupported = new Set(this.#scopes);
    this.#clients = new Clients({ store: o.store.clients, hasher, clock, grants: this.#grants, scopesSupported });
    this.#tokenEndpoint = new TokenEndpoint({
      store: o.store,
      hasher,
      grants: this.#grants,
      clientAuth: this.#clientAuth,
      scopesSupported,
      issuer: this.#issuer,
      now: () => new Date(clock()),
      issueAccessToken: (t) => this.#tokens.issue(t),
      onError: this.#onError,
    });
  }

  /** Throws OAuth2Error('invalid_request') describing the first invalid field. */
  registerClient(o: RegisterClientInput): Promise<{ client: ClientRecord; clientSecret: string }> {
    return this.#clients.register(o);
  }

  listClients(): Promise<ClientRecord[]> {
    return this.#store.clients.list();
  }

  /** Deletes the client and, through the store, every token it holds. */
  deleteClient(id: string): Promise<boolean> {
    return this.#store.clients.delete(id);
  }

  /** RFC 6749 §3.2. Never throws: failures are error responses, unexpected ones a 500. */
  token(request: TokenRequest): Promise<EndpointResponse> {
    return this.#tokenEndpoint.handle(request);
  }

  /** Null when unknown, expired or malformed. Store failures reject. */
  validateToken(token: string): Promise<TokenInfo | null> {
    return this.#tokens.validate(token);
  }

  authenticateBearer(authorization: string | string[] | undefined, requiredScope: string): Promise<BearerResult> {
    return authenticateBearer(
      { realm: this.#issuer, validate: (t) => this.#tokens.validate(t), onError: this.#onError },
      authorization,
      requiredScope,
    );
  }

  /** RFC 8414 §2; serve at `/.well-known/oauth-authorization-server` (§3). */
  metadata(): Record<string, unknown> {
    return buildMetadata({
      issuer: this.#issuer(),
      tokenEndpointPath: this.#tokenPath,
      grantTypes: this.#grants.names(),
      authMethods: this.#clientAuth.names(),
      scopesSupported: [...this.#scopes],
      ...(this.#serviceDocumentation === undefined ? {} : { serviceDocumentation: this.#serviceDocumentation }),
    });
  }

  /** The configured token endpoint path, for adapters mounting the route. */
  get tokenEndpointPath(): string {
    return this.#tokenPath;
  }
}

function validateOptions(o: OAuth2ServerOptions): OAuth2ServerOptions {
  if (!o || typeof o !== 'object') throw new TypeError('OAuth2Server: options are required');
  const store = o.store as Partial<OAuth2Store> | undefined;
  if (!store || typeof store !== 'object' || !store.clients || !store.accessTokens) {
    throw new TypeError('OAuth2Server: options.store must implement OAuth2Store');
  }
  if (!(o.secretKey instanceof Uint8Array) || o.secretKey.length < 32) {
    throw new TypeError('OAuth2Server: options.secretKey must be a Uint8Array of at least 32 bytes');
  }
  if (!Array.isArray(o.scopesSupported) || !o.scopesSupported.every((s) => typeof s === 'string' && isScopeToken(s))) {
    throw new TypeError('OAuth2Server: options.scopesSupported must be scope tokens (RFC 6749 §3.3)');
  }
  if (o.accessTokenTtl !== undefined && !(Number.isInteger(o.accessTokenTtl) && o.accessTokenTtl > 0)) {
    throw new TypeError('OAuth2Server: options.accessTokenTtl must be a positive integer number of seconds');
  }
  if (o.clock !== undefined && typeof o.clock !== 'function') throw new TypeError('OAuth2Server: options.clock must be a function');
  const path = o.endpoints?.token;
  if (path !== undefined && (typeof path !== 'string' || !/^\/[^?#\s]*$/.test(path))) {
    throw new TypeError('OAuth2Server: options.endpoints.token must be a path starting with "/"');
  }
  return o;
}
