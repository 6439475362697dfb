/** A validated authorization request, as the login and consent pages show it. */
export interface AuthorizationRequestSummary {
  clientId: string;
  clientName: string;
  /** Where the answer goes (validated against the client's registration). */
  redirectUri: string;
  /** The scopes the user is asked to grant. */
  scopes: string[];
  state: string | undefined;
  /**
   * Whether the consent page may offer "remember this decision". False for public clients:
   * nothing proves a later request comes from the same app (RFC 8252 §8.6).
   */
  canRememberConsent: boolean;
}

/**
 * What the server does next with GET /oauth/authorize (or the consent form's POST). Plain data:
 * the adapter renders an error page, the login or consent page, or sends the redirect.
 *
 * - `show-error`: the client or redirect URI is not trusted (RFC 6749 §4.1.2.1: "MUST NOT
 *   automatically redirect the user-agent to the invalid redirection URI"). Render `description`
 *   for the user with `status`; never redirect.
 * - `need-login`: no user yet; show the login page, then repeat the same request with `userId`.
 * - `need-consent`: the user has not approved these scopes for this client; show the consent
 *   page, whose POST calls `decideConsent` with the same parameters.
 * - `redirect`: send the user agent to `location` (302 after GET, 303 after POST). It carries
 *   either `code` or `error`/`error_description`, plus `state` and `iss` (RFC 9207).
 */
export type AuthorizationDecision =
  | { type: 'show-error'; status: 400 | 503; error: string; description: string }
  | { type: 'need-login'; request: AuthorizationRequestSummary }
  | { type: 'need-consent'; request: AuthorizationRequestSummary; userId: string }
  | { type: 'redirect'; location: string; outcome: 'code' | 'error'; error?: string };

/** Query or form parameters as an HTTP framework parses them: a repeated name gives an array. */
export type AuthorizationParams = Record<string, string | string[] | undefined>;
