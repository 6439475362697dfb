import { createCipheriv, createDecipheriv, createPrivateKey, hkdfSync, type JsonWebKey, type KeyObject, randomBytes, type webcrypto } from 'node:crypto';

type CryptoKey = webcrypto.CryptoKey;
import { exportJWK, generateKeyPair, importJWK, type JWK } from 'jose';
import { newId } from '../internal/random.js';
import type { SigningKeyStore } from '../store.js';
import type { SigningKeyRecord } from '../types.js';

export type SigningAlg = 'ES256' | 'EdDSA';

export interface SigningKeyInfo {
  kid: string;
  alg: SigningAlg;
  createdAt: Date;
  retiredAt: Date | null;
  publishUntil: Date | null;
}

export interface Signer {
  kid: string;
  alg: SigningAlg;
  key: KeyObject;
}

interface LoadedKey {
  record: SigningKeyRecord;
  publicKey: CryptoKey;
}

const RELOAD_MS = 60_000;

/**
 * Signing keys for JWT access tokens, kept in the store so every process signs and verifies
 * with the same set. The private JWK is stored encrypted (AES-256-GCM under a key derived from
 * the server secret with HKDF, the kid as associated data) and never leaves this class.
 * A retired key stays in the JWKS until every token it signed has expired (`publishUntil`).
 * Other processes pick up a rotation within a minute (the cache reloads on a timer and on an unknown kid).
 */
export class SigningKeys {
  #store: SigningKeyStore;
  #wrapKey: Buffer;
  #clock: () => number;
  #alg: SigningAlg;
  #tokenTtl: number;
  #loaded: Promise<Map<string, LoadedKey>> | undefined;
  #loadedAt = 0;
  #signerAt = 0;
  #signer: Promise<Signer> | undefined;

  constructor(o: { store: SigningKeyStore; secretKey: Uint8Array; clock: () => number; alg: SigningAlg; accessTokenTtl: number }) {
    this.#store = o.store;
    this.#wrapKey = Buffer.from(hkdfSync('sha256', o.secretKey, new Uint8Array(0), 'tsforge/oauth2-server signing-key-wrap v1', 32));
    this.#clock = o.clock;
    this.#alg = o.alg;
    this.#tokenTtl = o.accessTokenTtl;
  }

  /** The key that signs new tokens: the newest unretired one, created on first use. */
  async signer(): Promise<Signer> {
    if (this.#signer && this.#clock() - this.#signerAt < RELOAD_MS) return this.#signer;
    this.#signer = this.#findSigner().catch((err: unknown) => {
      this.#signer = undefined;
      throw err;
    });
    return this.#signer;
  }

  /** The public key for `kid`, or null when it is unknown or no longer published. */
  async verificationKey(kid: string): Promise<{ key: CryptoKey; alg: SigningAlg } | null> {
    let keys = await this.#keys(false);
    if (!keys.has(kid)) keys = await this.#keys(true);
    const k = keys.get(kid);
    if (!k || !this.#published(k.record)) return null;
    return { key: k.publicKey, alg: k.record.alg };
  }

  /** RFC 7517 JWK Set of every published key, for `jwks_uri`. */
  async jwks(): Promise<{ keys: JWK[] }> {
    const keys = await this.#keys(false);
    return {
      keys: [...keys.values()]
        .filter((k) => this.#published(k.record))
        .map((k) => ({ ...(JSON.parse(k.record.publicJwk) as JWK), kid: k.record.kid, alg: k.record.alg, use: 'sig' })),
    };
  }

  /** Adds a new signing key and retires the current ones, still published until their tokens expire. */
  async rotate(): Promise<SigningKeyInfo> {
    const now = this.#clock();
    const current = (await this.#store.list()).filter((k) => k.retiredAt === null);
    const created = await this.#create(now);
    // Other processes may sign with a retired key until their cache reloads (RELOAD_MS), so the
    // key stays published for that long beyond the lifetime of a token signed right now.
    const publishUntil = new Date(now + this.#tokenTtl * 1000 + RELOAD_MS);
    for (const k of current) await this.#store.retire(k.kid, new Date(now), publishUntil);
    this.#invalidate();
    return info(created);
  }

  async list(): Promise<SigningKeyInfo[]> {
    return (await this.#store.list()).map(info);
  }

  #published(r: SigningKeyRecord): boolean {
    return r.publishUntil === null || this.#clock() < r.publishUntil.getTime();
  }

  #invalidate(): void {
    this.#loaded = undefined;
    this.#signer = undefined;
  }

  async #findSigner(): Promise<Signer> {
    const active = (await this.#store.list()).filter((k) => k.retiredAt === null);
    const record = active.at(-1) ?? (await this.#create(this.#clock()));
    this.#signerAt = this.#clock();
    const jwk = JSON.parse(this.#decrypt(record)) as JsonWebKey;
    // A node:crypto KeyObject: signing through it directly measured faster than through jose (see README).
    return { kid: record.kid, alg: record.alg, key: createPrivateKey({ key: jwk, format: 'jwk' }) };
  }

  async #keys(force: boolean): Promise<Map<string, LoadedKey>> {
    if (force || !this.#loaded || this.#clock() - this.#loadedAt >= RELOAD_MS) {
      this.#loadedAt = this.#clock();
      this.#loaded = this.#load().catch((err: unknown) => {
        this.#loaded = undefined;
        throw err;
      });
    }
    return this.#loaded;
  }

  async #load(): Promise<Map<string, LoadedKey>> {
    const map = new Map<string, LoadedKey>();
    for (const record of await this.#store.list()) {
      map.set(record.kid, { record, publicKey: (await importJWK(JSON.parse(record.publicJwk) as JWK, record.alg)) as CryptoKey });
    }
    return map;
  }

  async #create(now: number): Promise<SigningKeyRecord> {
    const { publicKey, privateKey } = await generateKeyPair(this.#alg, { extractable: true, ...(this.#alg === 'EdDSA' ? { crv: 'Ed25519' } : {}) });
    const kid = newId('', 12);
    const record: SigningKeyRecord = {
      kid,
      alg: this.#alg,
      publicJwk: JSON.stringify(await exportJWK(publicKey)),
      privateJwkEncrypted: this.#encrypt(kid, JSON.stringify(await exportJWK(privateKey))),
      createdAt: new Date(now),
      retiredAt: null,
      publishUntil: null,
    };
    await this.#store.create(record);
    this.#invalidate();
    return record;
  }

  #encrypt(kid: string, plaintext: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.#wrapKey, iv).setAAD(Buffer.from(kid));
    const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
    return `v1.${iv.toString('base64url')}.${ct.toString('base64url')}`;
  }

  #decrypt(r: SigningKeyRecord): string {
    const [v, iv, ct] = r.privateJwkEncrypted.split('.');
    if (v !== 'v1' || !iv || !ct) throw new Error(`signing key ${r.kid}: unknown encryption format`);
    const data = Buffer.from(ct, 'base64url');
    const decipher = createDecipheriv('aes-256-gcm', this.#wrapKey, Buffer.from(iv, 'base64url')).setAAD(Buffer.from(r.kid));
    decipher.setAuthTag(data.subarray(data.length - 16));
    return Buffer.concat([decipher.update(data.subarray(0, data.length - 16)), decipher.final()]).toString('utf8');
  }
}

function info(r: SigningKeyRecord): SigningKeyInfo {
  return { kid: r.kid, alg: r.alg, createdAt: r.createdAt, retiredAt: r.retiredAt, publishUntil: r.publishUntil };
}
