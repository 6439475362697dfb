import type { FastifyError, FastifyInstance } from 'fastify';
import type { OAuth2Server } from '@tsforge/oauth2-server';
import { countTokenResponse, type TokenMetricsSink } from '../domain-metrics.js';

/**
 * The token endpoint and the RFC 8414 metadata. The core parses the token request itself (it
 * must see duplicate parameters and the exact content type), so this scope hands it the raw body.
 */
export function oauthRoutes(oauth: OAuth2Server, bodyLimit: number, tokenMetrics?: TokenMetricsSink) {
  return async function routes(app: FastifyInstance) {
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'string', bodyLimit }, (_request, body, done) => done(null, body));

    app.post('/oauth/token', async (request, reply) => {
      const distinct = request.raw.headersDistinct;
      const body = typeof request.body === 'string' ? request.body : '';
      const response = await oauth.token({
        method: request.method,
        // Every copy of the headers that decide the outcome, so duplicates are seen and refused
        // (Node would keep only the first Authorization and Content-Type).
        headers: { ...request.headers, authorization: distinct.authorization, 'content-type': distinct['content-type'] },
        body,
      });
      if (tokenMetrics) countTokenResponse(tokenMetrics, body, response);
      return reply.code(response.status).headers(response.headers).send(response.body);
    });

    // What the framework rejects before the endpoint runs (an unparseable media type, a body
    // over the limit) still answers in RFC 6749 §5.2's shape, never cacheable.
    app.setErrorHandler((err: FastifyError, request, reply) => {
      const status = err.statusCode ?? 500;
      if (status >= 500) throw err;
      if (tokenMetrics && request.routeOptions.url === '/oauth/token') tokenMetrics.tokenError('invalid_request');
      return reply
        .code(status === 415 ? 400 : status)
        .header('cache-control', 'no-store')
        .header('pragma', 'no-cache')
        .send({ error: 'invalid_request', error_description: err.message });
    });

    app.get('/.well-known/oauth-authorization-server', async (_request, reply) =>
      reply.header('cache-control', 'public, max-age=300').send(oauth.metadata()));
  };
}
