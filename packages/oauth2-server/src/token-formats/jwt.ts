import { decodeProtectedHeader, jwtVerify, SignJWT } from 'jose';
import type { SigningKeys } from './signing-keys.js';
import type { AccessTokenFormat } from './types.js';

const JWS_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
const seconds = (d: Date): number => Math.floor(d.getTime() / 1000);

/**
 * RFC 9068 JWT access tokens: header `typ: at+jwt` (§2.1); claims iss, exp, aud, sub,
 * client_id, iat, jti and scope (§2.2). Verification checks the signature, `typ`, `iss`, `aud`
 * and `exp` locally; the store lookup by `jti` that follows is what honours revocation.
 */
export function jwtFormat(o: { keys: SigningKeys; issuer: () => string; audience: () => string; clock: () => number }): AccessTokenFormat {
  return {
    name: 'jwt',

    async mint(c) {
      const { kid, alg, key } = await o.keys.signer();
      const token = await new SignJWT({ client_id: c.clientId, scope: c.scopes.join(' ') })
        .setProtectedHeader({ alg, kid, typ: 'at+jwt' })
        .setIssuer(o.issuer())
        // RFC 9068 §2.2: for a client acting on its own behalf, "sub" is the client id.
        .setSubject(c.userId ?? c.clientId)
        .setAudience(o.audience())
        .setIssuedAt(seconds(c.issuedAt))
        .setExpirationTime(seconds(c.expiresAt))
        .setJti(c.jti)
        .sign(key);
      return { token, key: `jti:${c.jti}` };
    },

    async keyOf(token) {
      if (token.length > 4096 || !JWS_SHAPE.test(token)) return null;
      let kid: unknown;
      try {
        kid = decodeProtectedHeader(token).kid;
      } catch {
        return null;
      }
      if (typeof kid !== 'string') return null;
      // Outside the try: a store failure must surface (503), not read as "no such token".
      const k = await o.keys.verificationKey(kid);
      if (!k) return null;
      try {
        // RFC 9068 §4: reject unless typ is at+jwt, iss matches, aud is ours, not expired.
        const { payload } = await jwtVerify(token, k.key, {
          algorithms: [k.alg],
          typ: 'at+jwt',
          issuer: o.issuer(),
          audience: o.audience(),
          currentDate: new Date(o.clock()),
          clockTolerance: 0,
        });
        return typeof payload.jti === 'string' ? `jti:${payload.jti}` : null;
      } catch {
        return null;
      }
    },
  };
}
