import type { FastifyReply, FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import type { OAuth2Server, TokenInfo } from '@tsforge/oauth2-server';
import { headerCopies } from './header-copies.js';

/**
 * An onRequest hook that admits a request only with a live bearer token carrying `scope`
 * (RFC 6750). It runs before the body is read or parsed: an anonymous caller gets its 401
 * without the server spending anything on its payload.
 */
export function requireScope(oauth: OAuth2Server, scope: string): onRequestAsyncHookHandler {
  return async function bearer(request: FastifyRequest, reply: FastifyReply) {
    // Every Authorization header, not Node's first-one-wins view: RFC 6750 §3.1 makes a second
    // credential an invalid_request.
    const result = await oauth.authenticateBearer(headerCopies(request.raw, 'authorization'), scope);
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
