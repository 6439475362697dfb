import type { TokenRequest } from '@tsforge/oauth2-server';

const CLIENT_ID_PARAM = /(?:^|&)client_id=([^&]*)/;

/**
 * The token endpoint's rate-limit key: the client id the request claims (Basic user name or
 * `client_id` form field, unauthenticated at this point) with the caller's IP. Claiming another
 * client's id only spends the caller's own per-IP allowance for it. Never logged.
 */
export function tokenRateKey(request: TokenRequest, ip: string): string {
  return `token\0${claimedClientId(request) ?? ''}\0${ip}`;
}

function claimedClientId(request: TokenRequest): string | undefined {
  const auth = request.headers.authorization;
  const header = Array.isArray(auth) ? auth[0] : auth;
  if (header && header.length < 4096 && /^basic /i.test(header)) {
    const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return colon === -1 ? decoded : decoded.slice(0, colon);
  }
  const match = CLIENT_ID_PARAM.exec(request.body.length < 8192 ? request.body : request.body.slice(0, 8192));
  return match?.[1];
}
