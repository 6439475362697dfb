import type { FastifyInstance } from 'fastify';
import type { OAuth2Server } from '@tsforge/oauth2-server';

/**
 * The token endpoint and the RFC 8414 metadata. The core parses the token request itself (it
 * must see duplicate parameters and the exact content type), so this scope hands it the raw body.
 */
export function oauthRoutes(oauth: OAuth2Server, bodyLimit: number) {
  return async function routes(app: FastifyInstance) {
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'string', bodyLimit }, (_request, body, done) => done(null, body));

    app.post('/oauth/token', async (request, reply) => {
      const response = await oauth.token({
        method: request.method,
        headers: request.headers,
        body: typeof request.body === 'string' ? request.body : '',
      });
      return reply.code(response.status).headers(response.headers).send(response.body);
    });

    app.get('/.well-known/oauth-authorization-server', async (_request, reply) =>
      reply.header('cache-control', 'public, max-age=300').send(oauth.metadata()));
  };
}
