import type { FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import type { OAuth2Server, TokenInfo } from '@tsforge/oauth2-server';

/** A preHandler that admits a request only with a live bearer token carrying `scope` (RFC 6750). */
export function requireScope(oauth: OAuth2Server, scope: string): preHandlerAsyncHookHandler {
  return async function bearer(request: FastifyRequest, reply: FastifyReply) {
    const result = await oauth.authenticateBearer(request.headers.authorization, scope);
    if (result.ok) {
      request.token = result.token;
      return;
    }
    const { status, headers, body } = result.response;
    return reply.code(status).headers(headers).send(body);
  };
}

declare module 'fastify' {
  interface FastifyRequest {
    token?: TokenInfo;
  }
}
