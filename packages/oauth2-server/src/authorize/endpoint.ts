import { OAuth2Error } from '../errors.js';
import { newCredential, newId } from '../internal/random.js';
import type { OAuth2Store } from '../store.js';
import type { TokenService } from '../tokens.js';
import type { AuthorizationCodeRecord } from '../types.js';
import { safeReport } from '../endpoints/common.js';
import type { AuthorizationDecision, AuthorizationParams, AuthorizationRequestSummary } from './decision.js';
import {
  RedirectableError,
  type RequestValidatorDeps,
  UntrustedRequestError,
  validateAuthorizationRequest,
  type ValidatedRequest,
} from './request.js';

export interface AuthorizationEndpointDeps extends RequestValidatorDeps {
  store: OAuth2Store;
  tokens: TokenService;
  issuer: () => string;
  clock: () => number;
  /** Seconds an authorization code lives; RFC 6749 §4.1.2 recommends at most 10 minutes. */
  codeTtl: number;
  onError: (err: unknown) => void;
}

export interface GenerateCodeInput {
  clientId: string;
  userId: string;
  /** Omit only when the client has exactly one registered redirect URI. */
  redirectUri?: string;
  scopes?: string[];
  codeChallenge?: string;
  codeChallengeMethod?: 'S256' | 'plain';
}

/**
 * The authorization endpoint (RFC 6749 §4.1.1–4.1.2) as plain functions: the HTTP adapter
 * passes the query (or the consent form) and the signed-in user, and renders the decision.
 * Every call re-validates the whole request, so the pages can carry the original parameters
 * in hidden fields without any server-side request state.
 */
export class AuthorizationEndpoint {
  #deps: AuthorizationEndpointDeps;

  constructor(deps: AuthorizationEndpointDeps) {
    this.#deps = deps;
  }

  async authorize(o: { params: AuthorizationParams; userId?: string | null | undefined }): Promise<AuthorizationDecision> {
    return this.#decide(o.params, async (req) => {
      if (o.userId === undefined || o.userId === null || o.userId === '') return { type: 'need-login', request: summary(req) };
      // RFC 8252 §8.6: without proof of the client's identity the server "SHOULD NOT process the
      // repeated request as an automatic approval" — a public client is asked every time.
      const consent = canRemember(req) ? await this.#deps.store.consents.get(o.userId, req.client.id) : null;
      const granted = new Set(consent?.scopes ?? []);
      if (!req.scopes.every((s) => granted.has(s))) return { type: 'need-consent', request: summary(req), userId: o.userId };
      return this.#codeRedirect(req, o.userId);
    });
  }

  /** The consent page's answer. `remember` stores the approval for this user and a confidential client. */
  async decideConsent(o: { params: AuthorizationParams; userId: string; approved: boolean; remember?: boolean }): Promise<AuthorizationDecision> {
    if (typeof o.userId !== 'string' || o.userId === '') throw new TypeError('decideConsent: userId is required');
    return this.#decide(o.params, async (req) => {
      // RFC 6749 §4.1.2.1 access_denied: "The resource owner or authorization server denied the request."
      if (!o.approved) throw new RedirectableError(new OAuth2Error('access_denied', 'the user denied the request'), req.redirectUri, req.state);
      if (o.remember && canRemember(req)) {
        const previous = await this.#deps.store.consents.get(o.userId, req.client.id);
        const scopes = [...new Set([...(previous?.scopes ?? []), ...req.scopes])];
        await this.#deps.store.consents.save({ userId: o.userId, clientId: req.client.id, scopes, updatedAt: new Date(this.#deps.clock()) });
      }
      return this.#codeRedirect(req, o.userId);
    });
  }

  /** Issues a code for an already-approved request; rejects with OAuth2Error on invalid input. */
  async generateCode(input: GenerateCodeInput): Promise<{ code: string; expiresAt: Date; redirectUri: string }> {
    if (!input || typeof input.userId !== 'string' || input.userId === '') throw new TypeError('generateAuthorizationCode: userId is required');
    const params: AuthorizationParams = {
      client_id: input.clientId,
      redirect_uri: input.redirectUri,
      response_type: 'code',
      scope: input.scopes?.join(' '),
      code_challenge: input.codeChallenge,
      code_challenge_method: input.codeChallenge === undefined ? undefined : (input.codeChallengeMethod ?? 'S256'),
    };
    let req: ValidatedRequest;
    try {
      req = await validateAuthorizationRequest(this.#deps, params);
    } catch (err) {
      if (err instanceof UntrustedRequestError) throw new OAuth2Error('invalid_request', err.description);
      if (err instanceof RedirectableError) throw err.oauth;
      throw err;
    }
    const { code, expiresAt } = await this.#issueCode(req, input.userId);
    return { code, expiresAt, redirectUri: req.redirectUri };
  }

  async #decide(params: AuthorizationParams, next: (req: ValidatedRequest) => Promise<AuthorizationDecision>): Promise<AuthorizationDecision> {
    try {
      return await next(await validateAuthorizationRequest(this.#deps, params ?? {}));
    } catch (err) {
      if (err instanceof UntrustedRequestError) return { type: 'show-error', status: 400, error: err.error, description: err.description };
      if (err instanceof RedirectableError) {
        const error = err.oauth.error;
        const location = this.#location(err.redirectUri, { error, error_description: err.oauth.description, state: err.state });
        return { type: 'redirect', location, outcome: 'error', error };
      }
      // Unexpected (a store failure): never redirect on something not understood.
      safeReport(this.#deps.onError, err);
      return { type: 'show-error', status: 503, error: 'temporarily_unavailable', description: 'The server cannot handle the request right now. Please try again later.' };
    }
  }

  async #codeRedirect(req: ValidatedRequest, userId: string): Promise<AuthorizationDecision> {
    const { code } = await this.#issueCode(req, userId);
    return { type: 'redirect', location: this.#location(req.redirectUri, { code, state: req.state }), outcome: 'code' };
  }

  async #issueCode(req: ValidatedRequest, userId: string): Promise<{ code: string; expiresAt: Date }> {
    const now = this.#deps.clock();
    const code = newCredential('code');
    const expiresAt = new Date(now + this.#deps.codeTtl * 1000);
    const record: AuthorizationCodeRecord = {
      hash: this.#deps.tokens.hashCode(code)!,
      clientId: req.client.id,
      userId,
      redirectUri: req.redirectUriParam,
      scopes: req.scopes,
      codeChallenge: req.codeChallenge,
      codeChallengeMethod: req.codeChallengeMethod,
      grantId: newId('gr_'),
      expiresAt,
      createdAt: new Date(now),
      consumedAt: null,
      replayedAt: null,
    };
    await this.#deps.store.authorizationCodes.save(record);
    return { code, expiresAt };
  }

  #location(redirectUri: string, values: Record<string, string | undefined>): string {
    // RFC 6749 §3.1.2: the redirect URI's own query "MUST be retained when adding additional query parameters".
    const url = new URL(redirectUri);
    for (const [k, v] of Object.entries(values)) if (v !== undefined) url.searchParams.append(k, v);
    // RFC 9207 §2: "the authorization server MUST include the iss parameter in every authorization response".
    url.searchParams.append('iss', this.#deps.issuer());
    return url.toString();
  }
}

function summary(req: ValidatedRequest): AuthorizationRequestSummary {
  return {
    clientId: req.client.id, clientName: req.client.name, redirectUri: req.redirectUri, scopes: [...req.scopes], state: req.state,
    canRememberConsent: canRemember(req),
  };
}

/** Only a client that authenticates at the token endpoint may have its consent remembered (RFC 8252 §8.6). */
function canRemember(req: ValidatedRequest): boolean {
  return !req.client.isPublic;
}
