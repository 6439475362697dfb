import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from '@tsforge/logging';
import type { EndpointResponse, OAuth2Server, RateLimiter, TokenRequest } from '@tsforge/oauth2-server';
import { type ClientEndpoint, clientRateKey } from './token-rate-key.js';
import { rateLimitAddress } from './rate-limit-address.js';
import type { TokenMetricsSink } from '../domain-metrics.js';
import { headerCopies } from '../plugins/header-copies.js';

export interface OAuthRoutesOptions {
  bodyLimit: number;
  /** Requests per client and IP to each endpoint that authenticates clients (token, revocation, introspection); null when unlimited. */
  tokenLimiter?: RateLimiter | null;
  /** Told of refusals made here, before the core runs (the core reports its own outcomes). */
  tokenMetrics?: TokenMetricsSink;
  /** The `oauth2` module logger: a debug line per token request (grant, client id, outcome; never a secret). */
  logger?: Logger;
}

/**
 * The token, revocation and introspection endpoints, the JWK Set and the RFC 8414 metadata.
 * The core parses the form bodies itself (it must see duplicate parameters and the exact
 * content type), so this scope hands it the raw body.
 */
export function oauthRoutes(oauth: OAuth2Server, options: OAuthRoutesOptions) {
  const paths = oauth.endpoints;
  const limiter = options.tokenLimiter ?? null;
  const tokenMetrics = options.tokenMetrics;
  const logger = options.logger;
  return async function routes(app: FastifyInstance) {
    app.removeAllContentTypeParsers();
    const asString = { parseAs: 'string', bodyLimit: options.bodyLimit } as const;
    const passBody = (_request: FastifyRequest, body: string, done: (err: null, body: string) => void) => done(null, body);
    app.addContentTypeParser('*', asString, passBody);
    // The same parser by name for the type every client sends: Fastify caches a named match per
    // Content-Type value, while the catch-all is looked up anew, header parsed, on every request.
    app.addContentTypeParser(FORM_TYPE, asString, passBody);

    // Every method reaches the core, which answers anything but POST with 405 and the RFC error
    // shape (RFC 6749 §3.2: "The client MUST use the HTTP "POST" method").
    // `allow`: what a 405 for any other method (OPTIONS) lists.
    const methods = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];
    const config = { allow: ['POST'] };
    /**
     * Runs an endpoint under its rate limit: 429 with Retry-After when the claimed client
     * (decoded, with this IP) is over its allowance. Token requests each count; revocation and
     * introspection count failed client authentications only, so a resource server that
     * introspects every request it serves is never throttled, while guessing secrets is.
     */
    const limited = async (endpoint: ClientEndpoint, request: FastifyRequest, reply: FastifyReply, run: (req: TokenRequest) => Promise<EndpointResponse>) => {
      const req = endpointRequest(request);
      if (!limiter) return send(reply, await run(req));
      const key = clientRateKey(endpoint, req, rateLimitAddress(request.ip));
      const everyRequest = endpoint === 'token';
      const verdict = everyRequest ? await limiter.consume(key) : await limiter.peek(key);
      if (!verdict.allowed) {
        if (everyRequest) tokenMetrics?.tokenError('slow_down');
        return reply.code(429).headers({ 'retry-after': String(verdict.retryAfter), 'cache-control': 'no-store', pragma: 'no-cache' })
          .send({ error: 'slow_down', error_description: `too many ${endpoint} requests; retry after ${verdict.retryAfter} seconds` });
      }
      const response = await run(req);
      if (!everyRequest && response.status === 401) await limiter.consume(key);
      return send(reply, response);
    };

    app.route({ method: methods, url: paths.revocation, config, handler: (request, reply) => limited('revocation', request, reply, (req) => oauth.revocation(req)) });
    app.route({ method: methods, url: paths.introspection, config, handler: (request, reply) => limited('introspection', request, reply, (req) => oauth.introspection(req)) });
    app.route({ method: methods, url: paths.token, config, handler: (request, reply) => limited('token', request, reply, async (req) => {
      const response = await oauth.token(req);
      if (logger?.isLevelEnabled('debug')) logger.debug(tokenOutcome(req, response), 'token request');
      return response;
    }) });

    // What the framework rejects before the endpoint runs (an unparseable media type, a body
    // over the limit) still answers in RFC 6749 §5.2's shape, never cacheable.
    app.setErrorHandler((err: FastifyError, request, reply) => {
      const status = err.statusCode ?? 500;
      if (status >= 500) throw err;
      if (request.routeOptions.url === paths.token) tokenMetrics?.tokenError('invalid_request');
      return reply
        .code(status === 415 ? 400 : status)
        .header('cache-control', 'no-store')
        .header('pragma', 'no-cache')
        .send({ error: 'invalid_request', error_description: err.message });
    });

    app.get('/.well-known/oauth-authorization-server', async (_request, reply) =>
      reply.header('cache-control', 'public, max-age=300').send(oauth.metadata()));

    // RFC 7517 JWK Set. Short caching: a rotated-in key must reach verifiers before it signs
    // much, and retired keys stay published for a whole token lifetime anyway.
    app.get(paths.jwks, async (_request, reply) =>
      reply.header('cache-control', 'public, max-age=300').type('application/jwk-set+json').send(JSON.stringify(await oauth.jwks())));
  };
}

const FORM_TYPE = 'application/x-www-form-urlencoded';

function endpointRequest(request: FastifyRequest): TokenRequest {
  return {
    method: request.method,
    // Every copy of the headers that decide the outcome, so duplicates are seen and refused
    // (Node would keep only the first Authorization and Content-Type).
    headers: { ...request.headers, authorization: headerCopies(request.raw, 'authorization'), 'content-type': headerCopies(request.raw, 'content-type') },
    body: typeof request.body === 'string' ? request.body : '',
  };
}

/**
 * What an operator debugging a token request needs: the grant, the client id (from the form or
 * the user part of HTTP Basic, RFC 6749 §2.3.1) and the outcome. Never the secret, code or token.
 */
function tokenOutcome(request: TokenRequest, response: EndpointResponse): Record<string, unknown> {
  const form = new URLSearchParams(request.body);
  let clientId = form.get('client_id');
  const header = request.headers.authorization;
  const authorization = Array.isArray(header) && header.length === 1 ? header[0] : header;
  const basic = typeof authorization === 'string' ? /^basic +([A-Za-z0-9+/]+=*) *$/i.exec(authorization) : null;
  if (basic) {
    const user = Buffer.from(basic[1] as string, 'base64').toString('utf8').split(':', 1)[0] as string;
    try { clientId = decodeURIComponent(user.replace(/\+/g, ' ')); } catch { clientId = null; }
  }
  const body = response.body as { error?: unknown; scope?: unknown } | undefined;
  return {
    grant: form.get('grant_type'),
    client_id: clientId,
    status: response.status,
    ...(typeof body?.error === 'string' ? { error: body.error } : {}),
    ...(typeof body?.scope === 'string' ? { scope: body.scope } : {}),
  };
}

function send(reply: FastifyReply, response: EndpointResponse) {
  return reply.code(response.status).headers(response.headers).send(response.body);
}
