import { sign } from 'node:crypto';
import { decodeProtectedHeader, jwtVerify } from 'jose';
import type { SigningKeys } from './signing-keys.js';
import type { AccessTokenFormat } from './types.js';
import { VerifiedJwts } from './verified-jwts.js';

const JWS_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
const seconds = (d: Date): number => Math.floor(d.getTime() / 1000);
const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64url');

/**
 * RFC 9068 JWT access tokens: header `typ: at+jwt` (§2.1); claims iss, exp, aud, sub,
 * client_id, iat, jti and scope (§2.2). Verification checks the signature, `typ`, `iss`, `aud`
 * and `exp` locally; the store lookup by `jti` that follows is what honours revocation. A token
 * verified once is remembered until its `exp` (`VerifiedJwts`); the store lookup still runs.
 */
export function jwtFormat(o: { keys: SigningKeys; issuer: () => string; audience: () => string; clock: () => number }): AccessTokenFormat {
  const verified = new VerifiedJwts();
  return {
    name: 'jwt',

    async mint(c) {
      const { kid, alg, key } = await o.keys.signer();
      // RFC 7515 §3.1 compact serialization, signed with node:crypto (jose verifies, serves the
      // JWKS and generates keys). RFC 9068 §2.2: for a client acting on its own behalf, "sub" is
      // the client id.
      const header = b64(JSON.stringify({ alg, kid, typ: 'at+jwt' }));
      const payload = b64(JSON.stringify({
        iss: o.issuer(), sub: c.userId ?? c.clientId, aud: o.audience(), client_id: c.clientId,
        scope: c.scopes.join(' '), jti: c.jti, iat: seconds(c.issuedAt), exp: seconds(c.expiresAt),
      }));
      const input = Buffer.from(`${header}.${payload}`);
      // RFC 7518 §3.4: ES256 signatures are R || S (IEEE P1363), not DER. EdDSA takes no digest.
      const signature = alg === 'ES256' ? sign('sha256', input, { key, dsaEncoding: 'ieee-p1363' }) : sign(null, input, key);
      return { token: `${header}.${payload}.${signature.toString('base64url')}`, key: `jti:${c.jti}` };
    },

    async keyOf(token) {
      const known = verified.get(token, o.clock());
      if (known) {
        if (known.issuer === o.issuer() && known.audience === o.audience() && (await o.keys.verificationKey(known.kid))) return known.key;
        verified.delete(token);
      }
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
        const issuer = o.issuer();
        const audience = o.audience();
        const { payload } = await jwtVerify(token, k.key, {
          algorithms: [k.alg],
          typ: 'at+jwt',
          issuer,
          audience,
          currentDate: new Date(o.clock()),
          clockTolerance: 0,
        });
        if (typeof payload.jti !== 'string') return null;
        const key = `jti:${payload.jti}`;
        if (typeof payload.exp === 'number') verified.set(token, { key, kid, issuer, audience, expiresAt: payload.exp * 1000 });
        return key;
      } catch {
        return null;
      }
    },
  };
}
