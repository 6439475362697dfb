import { RateLimiter, type RateLimitStore } from '@tsforge/oauth2-server';
import type { Runtime } from '../runtime.js';
import type { InteractionRoutesOptions } from '../routes/interaction.js';
import { CsrfTokens } from './csrf.js';
import type { LoginHook } from './login-hook.js';
import { SessionCookies } from './session.js';

const LOGIN_WINDOW_MS = 15 * 60_000;
const TOKEN_WINDOW_MS = 60_000;

/** The login pages' parts, each keyed from the server secret for its own purpose. */
export function interactionOptions(runtime: Runtime, login?: LoginHook): InteractionRoutesOptions {
  const { config, secret, oauth, logging } = runtime;
  return {
    oauth,
    logger: logging.module('oauth2'),
    login,
    sessions: new SessionCookies({ key: secret.derive('login-session'), secure: config.issuer.startsWith('https:') }),
    csrf: new CsrfTokens(secret.derive('login-csrf')),
    loginLimiter: limiter(config.oauth.loginRateLimit, LOGIN_WINDOW_MS, runtime.rateLimits),
  };
}

export function tokenLimiter(runtime: Runtime): RateLimiter | null {
  return limiter(runtime.config.oauth.tokenRateLimit, TOKEN_WINDOW_MS, runtime.rateLimits);
}

/** On `store` (Redis: shared by every instance), or this limiter's own memory. */
function limiter(limit: number, windowMs: number, store?: RateLimitStore): RateLimiter | null {
  return limit > 0 ? new RateLimiter({ limit, windowMs, ...(store ? { store } : {}) }) : null;
}
