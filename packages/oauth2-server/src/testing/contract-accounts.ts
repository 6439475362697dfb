import { describe, expect, it } from 'vitest';
import type { OAuth2Store } from '../store.js';
import type { SigningKeyRecord, UserRecord } from '../types.js';
import { at, type MakeClient, rejectsWith } from './contract-util.js';

let seq = 0;
const user = (over: Partial<UserRecord> = {}): UserRecord => ({
  id: `usr_${++seq}`,
  username: `alice-${seq}-ü`,
  passwordHash: 'scrypt$v1$ln=15,r=8,p=1$c2FsdA$aGFzaA',
  createdAt: at(seq),
  ...over,
});
const key = (over: Partial<SigningKeyRecord> = {}): SigningKeyRecord => ({
  kid: `kid_${++seq}`,
  alg: 'ES256',
  publicJwk: '{"kty":"EC"}',
  privateJwkEncrypted: 'v1.iv.ct',
  createdAt: at(seq),
  retiredAt: null,
  publishUntil: null,
  ...over,
});

/** Users, consents and signing keys. */
export function accountStoreContract(store: () => OAuth2Store, client: MakeClient): void {
  describe('users', () => {
    it('creates, gets by id and username, lists in creation order', async () => {
      const [a, b] = [user(), user()];
      await store().users.create(b);
      await store().users.create(a);
      expect(await store().users.get(a.id)).toEqual(a);
      expect(await store().users.findByUsername(b.username)).toEqual(b);
      expect(await store().users.findByUsername(b.username.toUpperCase())).toBeNull();
      expect(await store().users.get('nope')).toBeNull();
      // A username is whatever the sign-in form sends; no row holds a NUL character.
      expect(await store().users.findByUsername(`${b.username}\0`)).toBeNull();
      expect(await store().users.get(`${a.id}\0`)).toBeNull();
      expect((await store().users.list()).map((u) => u.id)).toEqual([a.id, b.id]);
    });

    it('rejects a duplicate id or username with "conflict"', async () => {
      const a = user();
      await store().users.create(a);
      await rejectsWith(store().users.create(user({ id: a.id })), 'conflict');
      await rejectsWith(store().users.create(user({ username: a.username })), 'conflict');
    });

    it('setPasswordHash replaces the hash; delete removes the user and their consents', async () => {
      const c = client();
      await store().clients.create(c);
      const a = user();
      await store().users.create(a);
      expect(await store().users.setPasswordHash(a.id, 'new')).toBe(true);
      expect(await store().users.setPasswordHash('nope', 'new')).toBe(false);
      expect((await store().users.get(a.id))?.passwordHash).toBe('new');
      await store().consents.save({ userId: a.id, clientId: c.id, scopes: ['read'], updatedAt: at(1) });
      expect(await store().users.delete(a.id)).toBe(true);
      expect(await store().users.delete(a.id)).toBe(false);
      expect(await store().consents.get(a.id, c.id)).toBeNull();
    });

    it("delete takes the user's codes, access and refresh tokens with it, and nobody else's", async () => {
      const c = client();
      await store().clients.create(c);
      const [a, b] = [user(), user()];
      await store().users.create(a);
      await store().users.create(b);
      for (const u of [a, b]) {
        await store().authorizationCodes.save({
          hash: `code_${u.id}`, clientId: c.id, userId: u.id, redirectUri: null, scopes: ['read'], codeChallenge: null,
          codeChallengeMethod: null, grantId: `gr_${u.id}`, expiresAt: at(600_000), createdAt: at(0), consumedAt: null, replayedAt: null,
        });
        await store().accessTokens.save({ hash: `at_${u.id}`, clientId: c.id, userId: u.id, scopes: ['read'], expiresAt: at(600_000), createdAt: at(0), grantId: `gr_${u.id}` });
        await store().refreshTokens.save({ hash: `rt_${u.id}`, clientId: c.id, userId: u.id, scopes: ['read'], grantId: `gr_${u.id}`, expiresAt: at(600_000), createdAt: at(0), rotatedAt: null });
      }
      expect(await store().users.delete(a.id)).toBe(true);
      expect(await store().authorizationCodes.find(`code_${a.id}`)).toBeNull();
      expect(await store().accessTokens.find(`at_${a.id}`)).toBeNull();
      expect(await store().refreshTokens.find(`rt_${a.id}`)).toBeNull();
      expect(await store().authorizationCodes.find(`code_${b.id}`)).not.toBeNull();
      expect(await store().accessTokens.find(`at_${b.id}`)).not.toBeNull();
      expect(await store().refreshTokens.find(`rt_${b.id}`)).not.toBeNull();
    });
  });

  describe('consents', () => {
    it('upserts per user and client; delete; deleting the client removes them', async () => {
      const c = client();
      await store().clients.create(c);
      expect(await store().consents.get('u1', c.id)).toBeNull();
      await store().consents.save({ userId: 'u1', clientId: c.id, scopes: ['read'], updatedAt: at(1) });
      await store().consents.save({ userId: 'u1', clientId: c.id, scopes: ['read', 'write'], updatedAt: at(2) });
      await store().consents.save({ userId: 'u2', clientId: c.id, scopes: ['write'], updatedAt: at(3) });
      expect(await store().consents.get('u1', c.id)).toEqual({ userId: 'u1', clientId: c.id, scopes: ['read', 'write'], updatedAt: at(2) });
      expect(await store().consents.delete('u2', c.id)).toBe(true);
      expect(await store().consents.delete('u2', c.id)).toBe(false);
      await store().clients.delete(c.id);
      expect(await store().consents.get('u1', c.id)).toBeNull();
    });

    it('rejects a consent for an unknown client with "unknown_client"', async () => {
      await rejectsWith(store().consents.save({ userId: 'u', clientId: 'cl_missing', scopes: [], updatedAt: at(0) }), 'unknown_client');
    });
  });

  describe('signing keys', () => {
    it('creates and lists in creation order; rejects a duplicate kid', async () => {
      const [a, b] = [key(), key({ alg: 'EdDSA' })];
      await store().signingKeys.create(b);
      await store().signingKeys.create(a);
      expect(await store().signingKeys.list()).toEqual([a, b]);
      await rejectsWith(store().signingKeys.create({ ...a }), 'conflict');
    });

    it('retire sets both instants once; deleteExpired drops keys past publishUntil', async () => {
      const [a, b] = [key(), key()];
      await store().signingKeys.create(a);
      await store().signingKeys.create(b);
      expect(await store().signingKeys.retire(a.kid, at(10), at(100))).toBe(true);
      expect(await store().signingKeys.retire(a.kid, at(20), at(200))).toBe(false);
      expect((await store().signingKeys.list())[0]).toEqual({ ...a, retiredAt: at(10), publishUntil: at(100) });
      expect(await store().signingKeys.deleteExpired(at(99))).toBe(0);
      expect(await store().signingKeys.deleteExpired(at(100))).toBe(1);
      expect(await store().signingKeys.list()).toEqual([b]);
    });
  });
}
