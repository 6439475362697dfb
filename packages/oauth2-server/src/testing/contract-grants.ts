import { describe, expect, it } from 'vitest';
import type { OAuth2Store } from '../store.js';
import type { AuthorizationCodeRecord, RefreshTokenRecord } from '../types.js';
import { at, type MakeClient, rejectsWith } from './contract-util.js';

let seq = 0;

const code = (clientId: string, over: Partial<AuthorizationCodeRecord> = {}): AuthorizationCodeRecord => ({
  hash: `code_${++seq}`,
  clientId,
  userId: 'user-1',
  redirectUri: 'https://app.example/cb',
  scopes: ['read'],
  codeChallenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
  codeChallengeMethod: 'S256',
  grantId: `grant_${seq}`,
  expiresAt: at(600_000),
  createdAt: at(0),
  consumedAt: null,
  replayedAt: null,
  ...over,
});

const refresh = (clientId: string, over: Partial<RefreshTokenRecord> = {}): RefreshTokenRecord => ({
  hash: `rt_${++seq}`,
  clientId,
  userId: 'user-1',
  scopes: ['read', 'write'],
  grantId: `grant_${seq}`,
  expiresAt: at(86_400_000),
  createdAt: at(0),
  rotatedAt: null,
  ...over,
});

/** Authorization codes, refresh tokens and grant families: the atomic parts of the contract. */
export function grantStoreContract(store: () => OAuth2Store, client: MakeClient): void {
  describe('authorization codes', () => {
    it('saves and finds a code exactly as saved (null redirect URI and challenge too)', async () => {
      const c = client();
      await store().clients.create(c);
      const a = code(c.id);
      const b = code(c.id, { redirectUri: null, codeChallenge: null, codeChallengeMethod: null });
      await store().authorizationCodes.save(a);
      await store().authorizationCodes.save(b);
      expect(await store().authorizationCodes.find(a.hash)).toEqual(a);
      expect(await store().authorizationCodes.find(b.hash)).toEqual(b);
      expect(await store().authorizationCodes.find('nope')).toBeNull();
    });

    it('rejects a duplicate hash ("conflict") and an unknown client ("unknown_client")', async () => {
      const c = client();
      await store().clients.create(c);
      const a = code(c.id);
      await store().authorizationCodes.save(a);
      await rejectsWith(store().authorizationCodes.save({ ...a }), 'conflict');
      await rejectsWith(store().authorizationCodes.save(code('cl_missing')), 'unknown_client');
    });

    it('consume: first call wins, later calls see already_consumed with the first instant', async () => {
      const c = client();
      await store().clients.create(c);
      const a = code(c.id);
      await store().authorizationCodes.save(a);
      expect(await store().authorizationCodes.consume(a.hash, at(1000))).toEqual({ status: 'consumed', record: { ...a, consumedAt: at(1000) } });
      expect(await store().authorizationCodes.consume(a.hash, at(2000))).toEqual({ status: 'already_consumed', record: { ...a, consumedAt: at(1000) } });
      expect(await store().authorizationCodes.consume('nope', at(2000))).toEqual({ status: 'not_found' });
    });

    it('markReplayed sets replayedAt once', async () => {
      const c = client();
      await store().clients.create(c);
      const a = code(c.id);
      await store().authorizationCodes.save(a);
      await store().authorizationCodes.markReplayed(a.hash, at(5));
      await store().authorizationCodes.markReplayed(a.hash, at(9));
      await store().authorizationCodes.markReplayed('nope', at(9));
      expect((await store().authorizationCodes.find(a.hash))?.replayedAt).toEqual(at(5));
    });

    it('20 concurrent consumes of one code: exactly one wins', async () => {
      const c = client();
      await store().clients.create(c);
      const a = code(c.id);
      await store().authorizationCodes.save(a);
      const results = await Promise.all(Array.from({ length: 20 }, (_, i) => store().authorizationCodes.consume(a.hash, at(i))));
      expect(results.filter((r) => r.status === 'consumed')).toHaveLength(1);
      expect(results.filter((r) => r.status === 'already_consumed')).toHaveLength(19);
    });

    it('deleteExpired removes codes with expiresAt <= now; deleting the client removes its codes', async () => {
      const c = client();
      await store().clients.create(c);
      const [old, edge, live] = [code(c.id, { expiresAt: at(1) }), code(c.id, { expiresAt: at(2) }), code(c.id, { expiresAt: at(3) })];
      for (const x of [old, edge, live]) await store().authorizationCodes.save(x);
      expect(await store().authorizationCodes.deleteExpired(at(2))).toBe(2);
      expect(await store().authorizationCodes.find(live.hash)).toEqual(live);
      await store().clients.delete(c.id);
      expect(await store().authorizationCodes.find(live.hash)).toBeNull();
    });
  });

  describe('refresh tokens and grant families', () => {
    it('saves and finds exactly; rejects duplicates and unknown clients', async () => {
      const c = client();
      await store().clients.create(c);
      const r = refresh(c.id, { userId: null });
      await store().refreshTokens.save(r);
      expect(await store().refreshTokens.find(r.hash)).toEqual(r);
      await rejectsWith(store().refreshTokens.save({ ...r }), 'conflict');
      await rejectsWith(store().refreshTokens.save(refresh('cl_missing')), 'unknown_client');
    });

    it('consume rotates once; another client neither consumes nor learns anything', async () => {
      const [c, other] = [client(), client()];
      await store().clients.create(c);
      await store().clients.create(other);
      const r = refresh(c.id);
      await store().refreshTokens.save(r);
      expect(await store().refreshTokens.consume(r.hash, other.id, at(5))).toEqual({ status: 'not_found' });
      expect(await store().refreshTokens.consume(r.hash, c.id, at(10))).toEqual({ status: 'consumed', record: { ...r, rotatedAt: at(10) } });
      expect(await store().refreshTokens.consume(r.hash, c.id, at(20))).toEqual({ status: 'already_consumed', record: { ...r, rotatedAt: at(10) } });
      expect(await store().refreshTokens.consume(r.hash, other.id, at(20))).toEqual({ status: 'not_found' });
    });

    it('20 concurrent consumes of one refresh token: exactly one wins', async () => {
      const c = client();
      await store().clients.create(c);
      const r = refresh(c.id);
      await store().refreshTokens.save(r);
      const results = await Promise.all(Array.from({ length: 20 }, (_, i) => store().refreshTokens.consume(r.hash, c.id, at(i))));
      expect(results.filter((x) => x.status === 'consumed')).toHaveLength(1);
      expect(results.filter((x) => x.status === 'already_consumed')).toHaveLength(19);
    });

    it('deleteByGrant revokes every access and refresh token of one family only', async () => {
      const c = client();
      await store().clients.create(c);
      const tok = (hash: string, grantId: string | null) => ({
        hash, clientId: c.id, userId: 'u', scopes: ['read'], expiresAt: at(10_000), createdAt: at(0), grantId,
      });
      await store().accessTokens.save(tok('at_a1', 'fam_a'));
      await store().accessTokens.save(tok('at_a2', 'fam_a'));
      await store().accessTokens.save(tok('at_b', 'fam_b'));
      await store().accessTokens.save(tok('at_none', null));
      await store().refreshTokens.save(refresh(c.id, { hash: 'rt_a1', grantId: 'fam_a' }));
      await store().refreshTokens.save(refresh(c.id, { hash: 'rt_a2', grantId: 'fam_a' }));
      await store().refreshTokens.save(refresh(c.id, { hash: 'rt_b', grantId: 'fam_b' }));
      expect(await store().accessTokens.deleteByGrant('fam_a')).toBe(2);
      expect(await store().refreshTokens.deleteByGrant('fam_a')).toBe(2);
      expect(await store().accessTokens.find('at_a1')).toBeNull();
      expect(await store().refreshTokens.find('rt_a2')).toBeNull();
      expect(await store().accessTokens.find('at_b')).not.toBeNull();
      expect(await store().accessTokens.find('at_none')).not.toBeNull();
      expect(await store().refreshTokens.find('rt_b')).not.toBeNull();
    });

    it('delete removes one token once; deleteExpired uses expiresAt <= now', async () => {
      const c = client();
      await store().clients.create(c);
      const r = refresh(c.id, { expiresAt: at(100) });
      const live = refresh(c.id, { expiresAt: at(101) });
      await store().refreshTokens.save(r);
      await store().refreshTokens.save(live);
      await store().accessTokens.save({ hash: 'at_x', clientId: c.id, userId: null, scopes: [], expiresAt: at(1), createdAt: at(0), grantId: null });
      expect(await store().accessTokens.delete('at_x')).toBe(true);
      expect(await store().accessTokens.delete('at_x')).toBe(false);
      expect(await store().refreshTokens.deleteExpired(at(100))).toBe(1);
      expect(await store().refreshTokens.delete(live.hash)).toBe(true);
      expect(await store().refreshTokens.delete(live.hash)).toBe(false);
    });
  });
}
