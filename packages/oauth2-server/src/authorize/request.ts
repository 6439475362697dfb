import { Client } from '../client.js';
import { OAuth2Error } from '../errors.js';
import type { KeyedHasher } from '../internal/keyed-hasher.js';
import { type CodeChallengeMethod, isValidChallenge } from '../pkce.js';
import { resolveScopes } from '../scope.js';
import type { ClientStore } from '../store.js';
import type { AuthorizationParams } from './decision.js';

export interface PkcePolicy {
  /** Require a code_challenge from every client (public clients always need one). Default true. */
  required: boolean;
  /** Accepted methods; default ['S256'] (RFC 9700 §2.1.1: plain is not recommended). */
  methods: CodeChallengeMethod[];
}

export interface ValidatedRequest {
  client: Client;
  /** The redirect URI the answer goes to. */
  redirectUri: string;
  /** As sent; null when the request omitted redirect_uri (one registered URI). */
  redirectUriParam: string | null;
  state: string | undefined;
  scopes: string[];
  codeChallenge: string | null;
  codeChallengeMethod: CodeChallengeMethod | null;
}

/** An error before the client and redirect URI are trusted: shown, never redirected. */
export class UntrustedRequestError extends Error {
  constructor(readonly error: string, readonly description: string) {
    super(description);
  }
}

/** An error after trust: redirected with `state`. */
export class RedirectableError extends Error {
  constructor(readonly oauth: OAuth2Error, readonly redirectUri: string, readonly state: string | undefined) {
    super(oauth.description);
  }
}

export interface RequestValidatorDeps {
  clients: ClientStore;
  hasher: KeyedHasher;
  scopesSupported: ReadonlySet<string>;
  pkce: PkcePolicy;
}

/** One value per name: RFC 6749 §3.1 "Request and response parameters MUST NOT be included more than once." */
function single(params: AuthorizationParams, name: string): { ok: true; value: string | undefined } | { ok: false } {
  const v = params[name];
  if (Array.isArray(v)) return v.length > 1 ? { ok: false } : { ok: true, value: v[0] === '' ? undefined : v[0] };
  // §3.1: "Parameters sent without a value MUST be treated as if they were omitted from the request."
  return { ok: true, value: v === '' || typeof v !== 'string' ? undefined : v };
}

/**
 * RFC 6749 §4.1.1 / §4.1.2.1 validation, in the order the RFC demands: client_id and
 * redirect_uri first (errors shown), then everything else (errors redirected).
 */
export async function validateAuthorizationRequest(deps: RequestValidatorDeps, params: AuthorizationParams): Promise<ValidatedRequest> {
  const clientId = single(params, 'client_id');
  if (!clientId.ok) throw new UntrustedRequestError('invalid_request', 'The client_id parameter is included more than once.');
  if (clientId.value === undefined) throw new UntrustedRequestError('invalid_request', 'The client_id parameter is missing.');
  const record = await deps.clients.get(clientId.value);
  if (!record) throw new UntrustedRequestError('invalid_request', 'The application (client_id) is not registered here.');
  const client = new Client(record, deps.hasher);

  const redirect = single(params, 'redirect_uri');
  if (!redirect.ok) throw new UntrustedRequestError('invalid_request', 'The redirect_uri parameter is included more than once.');
  let redirectUri: string;
  if (redirect.value !== undefined) {
    // RFC 9700 §4.1.3: exact string matching (loopback port excepted, RFC 8252 §7.3).
    if (!client.isRedirectUriValid(redirect.value)) {
      throw new UntrustedRequestError('invalid_request', 'The redirect_uri is not registered for this application.');
    }
    redirectUri = redirect.value;
  } else {
    // RFC 6749 §3.1.2.3: without redirect_uri, only a single registered URI is unambiguous.
    if (client.redirectUris.length !== 1) {
      throw new UntrustedRequestError('invalid_request', 'The redirect_uri parameter is required for this application.');
    }
    redirectUri = client.redirectUris[0]!;
  }

  const stateParam = single(params, 'state');
  const state = stateParam.ok ? stateParam.value : undefined;
  const fail = (error: ConstructorParameters<typeof OAuth2Error>[0], description: string): never => {
    throw new RedirectableError(new OAuth2Error(error, description), redirectUri, state);
  };
  if (!stateParam.ok) fail('invalid_request', 'the state parameter is included more than once');
  const value = (name: string): string | undefined => {
    const v = single(params, name);
    return v.ok ? v.value : fail('invalid_request', `the ${name} parameter is included more than once`);
  };

  const responseType = value('response_type');
  if (responseType === undefined) fail('invalid_request', 'the response_type parameter is missing');
  if (responseType !== 'code') fail('unsupported_response_type', 'only response_type=code is supported');
  // §4.1.2.1 unauthorized_client: "The client is not authorized to request an authorization code using this method."
  if (!client.supportsGrant('authorization_code')) fail('unauthorized_client', 'the client may not use the authorization code flow');

  let scopes: string[] = [];
  try {
    scopes = resolveScopes(value('scope'), client.scopes, deps.scopesSupported);
  } catch (err) {
    if (err instanceof OAuth2Error) fail(err.error, err.description);
    throw err;
  }

  const challenge = value('code_challenge');
  const methodParam = value('code_challenge_method');
  let method: CodeChallengeMethod | null = null;
  if (challenge === undefined) {
    // RFC 7636 §4.4.1 / RFC 9700 §2.1.1: public clients MUST use PKCE; here every client does unless configured off.
    if (client.isPublic || deps.pkce.required) fail('invalid_request', 'code_challenge is required (PKCE, RFC 7636)');
    if (methodParam !== undefined) fail('invalid_request', 'code_challenge_method was sent without code_challenge');
  } else {
    // RFC 7636 §4.3: "defaults to "plain" if not present in the request".
    const m = methodParam ?? 'plain';
    if (!(deps.pkce.methods as string[]).includes(m)) fail('invalid_request', `code_challenge_method ${m} is not supported (use S256)`);
    if (!isValidChallenge(challenge) || (m === 'S256' && challenge.length !== 43)) fail('invalid_request', 'code_challenge is malformed (RFC 7636 §4.2)');
    method = m as CodeChallengeMethod;
  }
  if (value('request') !== undefined || value('request_uri') !== undefined) fail('invalid_request', 'request objects are not supported');

  return {
    client,
    redirectUri,
    redirectUriParam: redirect.value ?? null,
    state,
    scopes,
    codeChallenge: challenge ?? null,
    codeChallengeMethod: method,
  };
}
