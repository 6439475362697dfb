import type { KeyedHasher } from './internal/keyed-hasher.js';
import { redirectUriMatches } from './redirect-uri.js';
import type { ClientRecord } from './types.js';

/** A registered client with the checks every endpoint asks of it. */
export class Client {
  readonly id: string;
  readonly name: string;
  readonly grantTypes: readonly string[];
  readonly scopes: readonly string[];
  readonly redirectUris: readonly string[];
  readonly createdAt: Date;
  /** RFC 6749 §2.1: a public client holds no secret and authenticates with method `none`. */
  readonly isPublic: boolean;
  #record: ClientRecord;
  #hasher: KeyedHasher;

  constructor(record: ClientRecord, hasher: KeyedHasher) {
    this.#record = record;
    this.#hasher = hasher;
    this.id = record.id;
    this.name = record.name;
    this.grantTypes = Object.freeze([...record.grantTypes]);
    this.scopes = Object.freeze([...record.scopes]);
    this.redirectUris = Object.freeze([...record.redirectUris]);
    this.createdAt = record.createdAt;
    this.isPublic = record.secretHash === null;
  }

  supportsGrant(grantType: string): boolean {
    return this.grantTypes.includes(grantType);
  }

  isRedirectUriValid(uri: string): boolean {
    return typeof uri === 'string' && redirectUriMatches(this.redirectUris, uri);
  }

  /** Constant time; always false for a public client. */
  verifySecret(secret: string): boolean {
    return typeof secret === 'string' && this.#hasher.verifyClientSecret(this.#record.secretHash, secret);
  }

  toRecord(): ClientRecord {
    return structuredClone(this.#record);
  }
}
