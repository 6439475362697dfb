import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AuthorizationDecision, OAuth2Server, RateLimiter } from '@tsforge/oauth2-server';
import type { Logger } from '@tsforge/logging';
import { consentPage } from '../interaction/consent-page.js';
import type { CsrfTokens } from '../interaction/csrf.js';
import { errorPage } from '../interaction/error-page.js';
import { carriedParams, type FormParams, one, parseForm, requestBinding, toQuery } from '../interaction/form.js';
import { formTarget, pageHeaders } from '../interaction/html.js';
import type { LoginHook } from '../interaction/login-hook.js';
import { loginPage } from '../interaction/login-page.js';
import type { Session, SessionCookies } from '../interaction/session.js';
import { rateLimitAddress } from './rate-limit-address.js';

export interface InteractionRoutesOptions {
  oauth: OAuth2Server;
  sessions: SessionCookies;
  csrf: CsrfTokens;
  /** Sign-in attempts per username and client IP; null when unlimited. */
  loginLimiter: RateLimiter | null;
  logger: Logger;
  /** The application's own sign-in instead of the built-in login page. */
  login?: LoginHook | undefined;
}

export const LOGIN_PATH = '/oauth/login';
export const CONSENT_PATH = '/oauth/consent';
const FORM_BODY_LIMIT = 64 * 1024;

const WRONG_CREDENTIALS = 'The username or password is not right.';
const STALE_FORM = 'This form has expired or was not sent from this site. Go back to the application and start again.';

/**
 * GET /oauth/authorize and the two forms behind it (RFC 6749 §4.1.1): the built-in login page and
 * the consent page. The OAuth core decides everything from the original query, which the pages
 * carry in hidden fields; this adapter only keeps the browser session and the CSRF tokens. Every
 * form POST answers with a 303 (or an error page).
 */
export function interactionRoutes(o: InteractionRoutesOptions) {
  const { oauth, sessions, csrf, login } = o;
  const authorizePath = oauth.endpoints.authorization;
  const back = (params: FormParams): string => `${authorizePath}?${toQuery(params)}`;

  return async function routes(app: FastifyInstance) {
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: FORM_BODY_LIMIT },
      (_request, body, done) => done(null, parseForm(body as string)));
    // The form limit on the routes too: the 100-continue check (plugins/expectations.ts) reads the route's.
    const formRoute = { bodyLimit: FORM_BODY_LIMIT };

    // Pages answer in HTML, even when something fails: a 4xx from the framework (a body too
    // large, a foreign media type) keeps its status; anything else is logged and shown as a 503.
    app.setErrorHandler((err: FastifyError, request, reply) => {
      const status = err.statusCode ?? 500;
      if (status >= 400 && status < 500) {
        return html(reply, status, errorPage({ title: 'This request cannot be completed', error: 'invalid_request', description: 'The form could not be read.' }));
      }
      o.logger.error({ err, path: request.url.split('?', 1)[0] }, 'authorization page failed');
      return html(reply, 503, errorPage({ title: 'Try again later', error: 'temporarily_unavailable', description: 'The server cannot handle the request right now. Please try again later.' }));
    });

    app.get(authorizePath, async (request, reply) => {
      const params = request.query as FormParams;
      const existing = sessions.read(request.headers.cookie);
      const session = existing ?? sessions.create();
      let cookieChanged = existing === null;
      const userId = await currentUser(request, session);
      const decision = await oauth.authorize({ params, userId });
      if (decision.type === 'need-login') {
        if (login) return redirect(reply, 302, login.loginUrl(back(params)), formTarget(decision.request.redirectUri));
        const { notice, username } = session;
        if (notice || username) {
          session.notice = null;
          session.username = null;
          cookieChanged = true;
        }
        if (cookieChanged) reply.header('set-cookie', sessions.serialize(session));
        return html(reply, 200, loginPage({
          request: decision.request, params, csrf: csrf.issue(session.id, 'login'), action: LOGIN_PATH, error: notice, username: username ?? '',
        }), formTarget(decision.request.redirectUri));
      }
      if (cookieChanged) reply.header('set-cookie', sessions.serialize(session));
      return answer(reply, decision, params, session, 302);
    });

    if (!login) {
      app.post(LOGIN_PATH, formRoute, async (request, reply) => {
        const form = formBody(request);
        const session = sessions.read(request.headers.cookie);
        if (!session || !csrf.verify(session.id, 'login', one(form, 'csrf'))) return staleForm(reply);
        const params = carriedParams(form);
        const username = one(form, 'username') ?? '';
        const password = one(form, 'password') ?? '';
        if (o.loginLimiter) {
          const verdict = await o.loginLimiter.consume(`login\0${username.normalize('NFC')}\0${rateLimitAddress(request.ip)}`);
          if (!verdict.allowed) {
            reply.header('retry-after', String(verdict.retryAfter));
            return html(reply, 429, errorPage({
              title: 'Too many attempts', description: `Too many sign-in attempts. Try again in ${verdict.retryAfter} seconds.`,
            }));
          }
        }
        const userId = await oauth.verifyUser(username, password);
        // A new session id at sign-in: a session planted before it is worthless (fixation).
        const next = userId ? sessions.create(userId) : { ...session, notice: WRONG_CREDENTIALS, username: username.slice(0, 200) };
        reply.header('set-cookie', sessions.serialize(next));
        return redirect(reply, 303, back(params));
      });
    }

    app.post(CONSENT_PATH, formRoute, async (request, reply) => {
      const form = formBody(request);
      const session = sessions.read(request.headers.cookie);
      const params = carriedParams(form);
      // The token is bound to the exact request the page showed: another client_id, redirect_uri,
      // scope, state or code_challenge in the hidden fields is a forged approval, not a stale one.
      if (!session || !csrf.verify(session.id, 'consent', one(form, 'csrf'), requestBinding(params))) return staleForm(reply);
      const userId = await currentUser(request, session);
      if (!userId) return redirect(reply, 303, back(params));
      const decision = await oauth.decideConsent({
        params, userId, approved: one(form, 'decision') === 'approve', remember: one(form, 'remember') === '1',
      });
      return answer(reply, decision, params, session, 303);
    });
  };

  async function currentUser(request: FastifyRequest, session: Session): Promise<string | null> {
    if (login) return (await login.userId(request)) || null;
    if (!session.userId) return null;
    // A deleted user's session signs nobody in.
    return (await oauth.getUser(session.userId)) ? session.userId : null;
  }

  async function answer(reply: FastifyReply, decision: AuthorizationDecision, params: FormParams, session: Session, status: 302 | 303) {
    switch (decision.type) {
      case 'show-error':
        return html(reply, decision.status, errorPage({
          title: decision.status === 503 ? 'Try again later' : 'This request cannot be completed',
          error: decision.error,
          description: decision.description,
        }));
      case 'redirect':
        return redirect(reply, status, decision.location, formTarget(decision.location));
      case 'need-login':
        return redirect(reply, 303, back(params));
      case 'need-consent': {
        const user = login ? null : await oauth.getUser(decision.userId);
        return html(reply, 200, consentPage({
          request: decision.request, params, csrf: csrf.issue(session.id, 'consent', requestBinding(params)), action: CONSENT_PATH,
          username: user?.username ?? decision.userId,
        }), formTarget(decision.request.redirectUri));
      }
    }
  }
}

function formBody(request: FastifyRequest): FormParams {
  const body = request.body;
  return body && typeof body === 'object' ? (body as FormParams) : {};
}

function html(reply: FastifyReply, status: number, markup: string, formTargets: string[] = []) {
  return reply.code(status).headers(pageHeaders(formTargets)).send(markup);
}

function redirect(reply: FastifyReply, status: 302 | 303, location: string, formTargets: string[] = []) {
  return reply.code(status).headers(pageHeaders(formTargets)).header('location', location).send('');
}

function staleForm(reply: FastifyReply) {
  return html(reply, 403, errorPage({ title: 'Form expired', error: 'invalid_request', description: STALE_FORM }));
}
