import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { OAuth2Store } from '../store.js';
import type { AccessTokenRecord, ClientRecord } from '../types.js';
import { accountStoreContract } from './contract-accounts.js';
import { grantStoreContract } from './contract-grants.js';
import { rejectsWith } from './contract-util.js';

/**
 * The behaviour every `OAuth2Store` must have. Call it from a vitest file:
 *
 *   storeContract('PostgresStore', async () => new PostgresStore(await freshDatabase()));
 *
 * `makeStore` must return an empty store; the suite closes it after each test.
 */
export function storeContract(name: string, makeStore: () => OAuth2Store | Promise<OAuth2Store>): void {
  describe(`OAuth2Store contract: ${name}`, () => {
    let store: OAuth2Store;
    let seq = 0;

    const client = (over: Partial<ClientRecord> = {}): ClientRecord => ({
      id: `cl_contract_${++seq}`,
      name: 'Contract client ✓',
      secretHash: 'v1$c2FsdA$bWFj',
      grantTypes: ['client_credentials'],
      scopes: ['read', 'write'],
      redirectUris: ['https://app.example/cb'],
      createdAt: new Date(Date.UTC(2024, 0, 1, 12, 0, 0, 123)),
      ...over,
    });
    const token = (clientId: string, over: Partial<AccessTokenRecord> = {}): AccessTokenRecord => ({
      hash: `hash_${++seq}`,
      clientId,
      userId: null,
      scopes: ['read'],
      expiresAt: new Date(Date.UTC(2024, 0, 1, 13, 0, 0, 456)),
      createdAt: new Date(Date.UTC(2024, 0, 1, 12, 0, 0, 456)),
      grantId: null,
      ...over,
    });

    beforeEach(async () => {
      store = await makeStore();
    });
    afterEach(async () => {
      await store.close();
    });

    describe('clients', () => {
      it('returns exactly what was created (dates to the millisecond, null secret, unicode)', async () => {
        const c = client();
        const pub = client({ secretHash: null, redirectUris: [], scopes: [] });
        await store.clients.create(c);
        await store.clients.create(pub);
        expect(await store.clients.get(c.id)).toEqual(c);
        expect(await store.clients.get(pub.id)).toEqual(pub);
      });

      it('returns null for an unknown id, also one with a NUL character (a client_id is whatever a request sends)', async () => {
        expect(await store.clients.get('cl_nope')).toBeNull();
        expect(await store.clients.get('cl_\0nope')).toBeNull();
        expect(await store.clients.delete('cl_\0nope')).toBe(false);
      });

      it('rejects a duplicate id with code "conflict" and keeps the first', async () => {
        const c = client();
        await store.clients.create(c);
        await rejectsWith(store.clients.create({ ...c, name: 'other' }), 'conflict');
        expect((await store.clients.get(c.id))?.name).toBe(c.name);
      });

      it('lists every client ordered by createdAt, then id', async () => {
        expect(await store.clients.list()).toEqual([]);
        const late = client({ id: 'cl_a', createdAt: new Date(2000) });
        const early2 = client({ id: 'cl_c', createdAt: new Date(1000) });
        const early1 = client({ id: 'cl_b', createdAt: new Date(1000) });
        for (const c of [late, early2, early1]) await store.clients.create(c);
        expect((await store.clients.list()).map((c) => c.id)).toEqual(['cl_b', 'cl_c', 'cl_a']);
      });

      it('delete returns true once, then false', async () => {
        const c = client();
        await store.clients.create(c);
        expect(await store.clients.delete(c.id)).toBe(true);
        expect(await store.clients.delete(c.id)).toBe(false);
        expect(await store.clients.get(c.id)).toBeNull();
      });

      it('does not share state with returned or passed records', async () => {
        const c = client();
        await store.clients.create(c);
        c.scopes.push('mutated');
        const got = (await store.clients.get(c.id))!;
        got.grantTypes.push('mutated');
        expect((await store.clients.get(c.id))!).toMatchObject({ scopes: ['read', 'write'], grantTypes: ['client_credentials'] });
      });
    });

    describe('access tokens', () => {
      it('finds a saved token by hash, exactly as saved', async () => {
        const c = client();
        await store.clients.create(c);
        const t = token(c.id, { userId: 'user-1', scopes: ['read', 'write'] });
        await store.accessTokens.save(t);
        expect(await store.accessTokens.find(t.hash)).toEqual(t);
        expect(await store.accessTokens.find('hash_unknown')).toBeNull();
      });

      it('returns expired tokens too: expiry is the caller\'s decision', async () => {
        const c = client();
        await store.clients.create(c);
        const t = token(c.id, { expiresAt: new Date(0) });
        await store.accessTokens.save(t);
        expect(await store.accessTokens.find(t.hash)).toEqual(t);
      });

      it('rejects a token for an unknown client with code "unknown_client"', async () => {
        await rejectsWith(store.accessTokens.save(token('cl_missing')), 'unknown_client');
      });

      it('rejects a duplicate hash with code "conflict"', async () => {
        const c = client();
        await store.clients.create(c);
        const t = token(c.id);
        await store.accessTokens.save(t);
        await rejectsWith(store.accessTokens.save({ ...t }), 'conflict');
      });

      it('deleteByClient removes only that client\'s tokens and counts them', async () => {
        const a = client();
        const b = client();
        await store.clients.create(a);
        await store.clients.create(b);
        const [a1, a2, b1] = [token(a.id), token(a.id), token(b.id)];
        for (const t of [a1, a2, b1]) await store.accessTokens.save(t);
        expect(await store.accessTokens.deleteByClient(a.id)).toBe(2);
        expect(await store.accessTokens.find(a1.hash)).toBeNull();
        expect(await store.accessTokens.find(a2.hash)).toBeNull();
        expect(await store.accessTokens.find(b1.hash)).toEqual(b1);
        expect(await store.accessTokens.deleteByClient(a.id)).toBe(0);
      });

      it('deleting a client deletes its tokens', async () => {
        const c = client();
        await store.clients.create(c);
        const t = token(c.id);
        await store.accessTokens.save(t);
        await store.clients.delete(c.id);
        expect(await store.accessTokens.find(t.hash)).toBeNull();
      });

      it('deleteExpired removes tokens with expiresAt <= now and counts them', async () => {
        const c = client();
        await store.clients.create(c);
        const past = token(c.id, { expiresAt: new Date(1_000) });
        const boundary = token(c.id, { expiresAt: new Date(2_000) });
        const future = token(c.id, { expiresAt: new Date(3_000) });
        for (const t of [past, boundary, future]) await store.accessTokens.save(t);
        expect(await store.accessTokens.deleteExpired(new Date(2_000))).toBe(2);
        expect(await store.accessTokens.find(boundary.hash)).toBeNull();
        expect(await store.accessTokens.find(future.hash)).toEqual(future);
      });
    });

    grantStoreContract(() => store, client);
    accountStoreContract(() => store, client);

    describe('lifecycle', () => {
      it('ping resolves while open', async () => {
        await expect(store.ping()).resolves.toBeUndefined();
      });

      it('close is idempotent and later calls reject with code "closed"', async () => {
        await store.close();
        await store.close();
        await rejectsWith(store.ping(), 'closed');
        await rejectsWith(store.clients.get('cl_x'), 'closed');
        await rejectsWith(store.accessTokens.find('h'), 'closed');
        await rejectsWith(store.authorizationCodes.consume('h', new Date()), 'closed');
        await rejectsWith(store.refreshTokens.consume('h', 'c', new Date()), 'closed');
        await rejectsWith(store.users.list(), 'closed');
        await rejectsWith(store.consents.get('u', 'c'), 'closed');
        await rejectsWith(store.signingKeys.list(), 'closed');
      });
    });
  });
}
