import { AuthorizationEndpoint, type GenerateCodeInput } from './authorize/endpoint.js';
import type { AuthorizationDecision, AuthorizationParams } from './authorize/decision.js';
import { Client } from './client.js';
import { ClientAuthRegistry, defaultClientAuthMethods } from './client-auth/registry.js';
import { Clients, type RegisterClientInput } from './clients.js';
import { authenticateBearer, type BearerResult } from './endpoints/bearer.js';
import { IntrospectionEndpoint, type IntrospectionResult } from './endpoints/introspection.js';
import { buildMetadata, type EndpointPaths } from './endpoints/metadata.js';
import { RevocationEndpoint, type RevocationOutcome } from './endpoints/revocation.js';
import { TokenEndpoint } from './endpoints/token.js';
import { defaultGrants, GrantRegistry } from './grants/registry.js';
import { FormParams } from './internal/form.js';
import { KeyedHasher } from './internal/keyed-hasher.js';
import { issuerReader } from './internal/issuer.js';
import { type OAuth2ServerOptions, resolveOptions } from './options.js';
import { PasswordHasher } from './password-hasher.js';
import { purgeExpired, type PurgeResult } from './purge.js';
import type { OAuth2Store } from './store.js';
import { jwtFormat } from './token-formats/jwt.js';
import { opaqueFormat } from './token-formats/opaque.js';
import { SigningKeys, type SigningKeyInfo } from './token-formats/signing-keys.js';
import { TokenService } from './tokens.js';
import type { ClientRecord, EndpointResponse, TokenInfo, TokenRequest, TokenResponseBody } from './types.js';
import { type User, Users } from './users.js';

export type { OAuth2ServerOptions } from './options.js';

/** Client credentials for the programmatic grant calls; omit the secret for a public client. */
export interface ClientCredentials {
  clientId: string;
  clientSecret?: string;
}

/**
 * The authorization server. Endpoint methods (`token`, `revocation`, `introspection`,
 * `authorize`, `decideConsent`) take plain request data and return plain responses or
 * decisions; an HTTP adapter only copies them. The programmatic methods (`exchangeCode`,
 * `clientCredentials`, `refresh`, `revoke`, `introspect`) run the same pipelines and reject
 * with an `OAuth2Error`.
 */
export class OAuth2Server {
  #store: OAuth2Store;
  #issuer: () => string;
  #clock: () => number;
  #scopes: string[];
  #grants: GrantRegistry;
  #clientAuth: ClientAuthRegistry;
  #hasher: KeyedHasher;
  #tokens: TokenService;
  #clients: Clients;
  #users: Users;
  #keys: SigningKeys;
  #jwt: boolean;
  #tokenEndpoint: TokenEndpoint;
  #revocation: RevocationEndpoint;
  #introspection: IntrospectionEndpoint;
  #authorization: AuthorizationEndpoint;
  #paths: EndpointPaths;
  #pkceMethods: string[];
  #onError: (err: unknown) => void;
  #serviceDocumentation: string | undefined;

  constructor(options: OAuth2ServerOptions) {
    const o = resolveOptions(options);
    const clock = o.clock;
    const hasher = new KeyedHasher(o.secretKey);
    this.#hasher = hasher;
    this.#store = o.store;
    this.#clock = clock;
    this.#issuer = issuerReader(o.issuer);
    this.#scopes = [...new Set(o.scopesSupported)];
    this.#paths = o.endpoints;
    this.#pkceMethods = [...o.pkce.methods];
    this.#onError = o.onError;
    this.#serviceDocumentation = o.serviceDocumentation;
    this.#grants = new GrantRegistry([...defaultGrants({ password: o.enablePasswordGrant }), ...o.grants]);
    this.#clientAuth = new ClientAuthRegistry(defaultClientAuthMethods());
    const scopesSupported = new Set(this.#scopes);
    // Keys exist in every mode (created on first use), so `keys rotate` can prepare a switch to JWTs.
    this.#keys = new SigningKeys({ store: o.store.signingKeys, secretKey: o.secretKey, clock, alg: o.jwt.alg, accessTokenTtl: o.accessTokenTtl });
    this.#jwt = o.accessTokenFormat === 'jwt';
    const audience = o.jwt.audience ?? this.#issuer;
    const format = this.#jwt ? jwtFormat({ keys: this.#keys, issuer: this.#issuer, audience: typeof audience === 'string' ? () => audience : audience, clock }) : opaqueFormat;
    this.#tokens = new TokenService({ store: o.store, hasher, clock, format, accessTokenTtl: o.accessTokenTtl, refreshTokenTtl: o.refreshTokenTtl });
    this.#clients = new Clients({ store: o.store.clients, hasher, clock, grants: this.#grants, scopesSupported });
    this.#users = new Users({ store: o.store.users, hasher: new PasswordHasher(o.passwordHashing), clock });
    const authDeps = { store: o.store, hasher, clientAuth: this.#clientAuth, issuer: this.#issuer };
    this.#tokenEndpoint = new TokenEndpoint({
      ...authDeps, grants: this.#grants, scopesSupported, now: () => new Date(clock()), tokens: this.#tokens, users: this.#users,
      refreshTokenGracePeriod: o.refreshTokenGracePeriod, metrics: o.metrics, onError: this.#onError,
    });
    this.#revocation = new RevocationEndpoint({ ...authDeps, tokens: this.#tokens, onError: this.#onError });
    this.#introspection = new IntrospectionEndpoint({ ...authDeps, tokens: this.#tokens, onError: this.#onError });
    this.#authorization = new AuthorizationEndpoint({
      clients: o.store.clients, hasher, scopesSupported, pkce: o.pkce, store: o.store, tokens: this.#tokens,
      issuer: this.#issuer, clock, codeTtl: o.authorizationCodeTtl, onError: this.#onError,
    });
  }

  // ---- clients ----------------------------------------------------------------------------

  /** Throws OAuth2Error('invalid_request') describing the first invalid field. `clientSecret` is null for a public client. */
  registerClient(o: RegisterClientInput & { public?: false }): Promise<{ client: ClientRecord; clientSecret: string }>;
  registerClient(o: RegisterClientInput & { public: true }): Promise<{ client: ClientRecord; clientSecret: null }>;
  registerClient(o: RegisterClientInput): Promise<{ client: ClientRecord; clientSecret: string | null }>;
  registerClient(o: RegisterClientInput): Promise<{ client: ClientRecord; clientSecret: string | null }> {
    return this.#clients.register(o);
  }

  async getClient(id: string): Promise<Client | null> {
    const record = await this.#store.clients.get(id);
    return record ? new Client(record, this.#hasher) : null;
  }

  listClients(): Promise<ClientRecord[]> {
    return this.#store.clients.list();
  }

  /** Deletes the client and, through the store, every code, token and consent it holds. */
  deleteClient(id: string): Promise<boolean> {
    return this.#store.clients.delete(id);
  }

  // ---- users (login page, `tsforge user`) --------------------------------------------------

  createUser(o: { username: string; password: string }): Promise<User> {
    return this.#users.create(o);
  }

  /** The login form's check: the user id, or null for a wrong username or password (same timing). */
  verifyUser(username: string, password: string): Promise<string | null> {
    return this.#users.verify(username, password);
  }

  getUser(id: string): Promise<User | null> {
    return this.#users.get(id);
  }

  listUsers(): Promise<User[]> {
    return this.#users.list();
  }

  /** Deletes the user with every consent, code and token they granted (their tokens stop working at once). */
  deleteUser(id: string): Promise<boolean> {
    return this.#users.delete(id);
  }

  setUserPassword(id: string, password: string): Promise<boolean> {
    return this.#users.setPassword(id, password);
  }

  /** Forgets a remembered consent, so the next authorization asks again. */
  revokeConsent(userId: string, clientId: string): Promise<boolean> {
    return this.#store.consents.delete(userId, clientId);
  }

  // ---- authorization endpoint --------------------------------------------------------------

  /** GET /oauth/authorize: the query and the signed-in user (if any) → what to render or where to redirect. */
  authorize(o: { params: AuthorizationParams; userId?: string | null }): Promise<AuthorizationDecision> {
    return this.#authorization.authorize(o);
  }

  /** The consent form's POST, with the original authorization parameters. */
  decideConsent(o: { params: AuthorizationParams; userId: string; approved: boolean; remember?: boolean }): Promise<AuthorizationDecision> {
    return this.#authorization.decideConsent(o);
  }

  /** Issues a code for a request the application has approved itself (custom login flows). */
  generateAuthorizationCode(input: GenerateCodeInput): Promise<{ code: string; expiresAt: Date; redirectUri: string }> {
    return this.#authorization.generateCode(input);
  }

  // ---- token endpoint ----------------------------------------------------------------------

  /** RFC 6749 §3.2. Never throws: failures are error responses, unexpected ones a 500. */
  token(request: TokenRequest): Promise<EndpointResponse> {
    return this.#tokenEndpoint.handle(request);
  }

  exchangeCode(o: ClientCredentials & { code: string; redirectUri?: string; codeVerifier?: string }): Promise<TokenResponseBody> {
    return this.#grant(o, { grant_type: 'authorization_code', code: o.code, redirect_uri: o.redirectUri, code_verifier: o.codeVerifier });
  }

  clientCredentials(o: ClientCredentials & { scopes?: string[] }): Promise<TokenResponseBody> {
    return this.#grant(o, { grant_type: 'client_credentials', scope: o.scopes?.join(' ') });
  }

  refresh(o: ClientCredentials & { refreshToken: string; scopes?: string[] }): Promise<TokenResponseBody> {
    return this.#grant(o, { grant_type: 'refresh_token', refresh_token: o.refreshToken, scope: o.scopes?.join(' ') });
  }

  #grant(c: ClientCredentials, params: Record<string, string | undefined>): Promise<TokenResponseBody> {
    return this.#tokenEndpoint.grant(FormParams.from({ ...params, client_id: c.clientId, client_secret: c.clientSecret }));
  }

  // ---- tokens at resource servers ----------------------------------------------------------

  /** Null when unknown, revoked, expired or malformed (opaque or JWT). Store failures reject. */
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

  // ---- revocation and introspection --------------------------------------------------------

  /** RFC 7009 endpoint: POST /oauth/revoke. */
  revocation(request: TokenRequest): Promise<EndpointResponse> {
    return this.#revocation.handle(request);
  }

  /** RFC 7662 endpoint: POST /oauth/introspect. */
  introspection(request: TokenRequest): Promise<EndpointResponse> {
    return this.#introspection.handle(request);
  }

  /** Revokes an access or refresh token (a refresh token takes its whole grant with it). With `clientId`, only that client's. */
  revoke(token: string, o: { clientId?: string; tokenTypeHint?: 'access_token' | 'refresh_token' } = {}): Promise<RevocationOutcome> {
    return this.#revocation.revoke(token, { ...(o.clientId === undefined ? {} : { clientId: o.clientId }), hint: o.tokenTypeHint });
  }

  /** RFC 7662 §2.2 answer for a token. With `clientId`, another client's token is inactive. */
  introspect(token: string, o: { clientId?: string; tokenTypeHint?: 'access_token' | 'refresh_token' } = {}): Promise<IntrospectionResult> {
    return this.#introspection.introspect(token, { ...(o.clientId === undefined ? {} : { clientId: o.clientId }), hint: o.tokenTypeHint });
  }

  // ---- keys, metadata, housekeeping --------------------------------------------------------

  /** RFC 7517 JWK Set for `jwks_uri`: every published key (none until the first is created). */
  async jwks(): Promise<{ keys: Record<string, unknown>[] }> {
    return this.#keys.jwks();
  }

  /** Adds a signing key; the previous ones stop signing but stay published until their tokens expire. */
  rotateSigningKey(): Promise<SigningKeyInfo> {
    return this.#keys.rotate();
  }

  listSigningKeys(): Promise<SigningKeyInfo[]> {
    return this.#keys.list();
  }

  /** The grant types the token endpoint accepts (as the metadata's `grant_types_supported`). */
  get grantTypes(): readonly string[] {
    return this.#grants.names();
  }

  /** RFC 8414 §2; serve at `/.well-known/oauth-authorization-server` (§3). */
  metadata(): Record<string, unknown> {
    return buildMetadata({
      issuer: this.#issuer(),
      paths: this.#paths,
      grantTypes: this.#grants.names(),
      authMethods: this.#clientAuth.names(),
      scopesSupported: [...this.#scopes],
      codeChallengeMethods: [...this.#pkceMethods],
      jwks: this.#jwt,
      ...(this.#serviceDocumentation === undefined ? {} : { serviceDocumentation: this.#serviceDocumentation }),
    });
  }

  /** Deletes expired codes, tokens and unpublished keys; run it on an interval. */
  purgeExpired(now: Date = new Date(this.#clock())): Promise<PurgeResult> {
    return purgeExpired(this.#store, now);
  }

  /** The endpoint paths, for adapters mounting the routes. */
  get endpoints(): Readonly<EndpointPaths> {
    return this.#paths;
  }

  /** The configured token endpoint path. */
  get tokenEndpointPath(): string {
    return this.#paths.token;
  }
}
