import type { FastifyRequest } from 'fastify';

/**
 * How an application swaps in its own sign-in for the built-in login page. tsforge still runs
 * the authorization endpoint, the consent page and every check; the application only says who
 * is signed in, and where to send someone who is not.
 *
 * ```ts
 * const app = await buildApp(runtime, {
 *   login: {
 *     userId: (request) => mySessions.userIdFrom(request.headers.cookie), // or null
 *     loginUrl: (returnTo) => `/my-login?next=${encodeURIComponent(returnTo)}`,
 *   },
 * });
 * ```
 * After signing the user in, the application redirects the browser back to `returnTo` (the
 * original `/oauth/authorize?...` URL, relative to the issuer).
 */
export interface LoginHook {
  /** The signed-in user's id (the `sub` of the tokens issued), or null when nobody is signed in. */
  userId(request: FastifyRequest): string | null | Promise<string | null>;
  /** Where to send a user who must sign in first; `returnTo` is the authorize URL to come back to. */
  loginUrl(returnTo: string): string;
}
