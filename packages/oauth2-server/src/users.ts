import { OAuth2Error } from './errors.js';
import { newId } from './internal/random.js';
import type { PasswordHasher } from './password-hasher.js';
import { OAuth2StoreError } from './store-error.js';
import type { UserStore } from './store.js';
import type { UserRecord } from './types.js';

/** A user as the API shows it: never the password hash. */
export interface User {
  id: string;
  username: string;
  createdAt: Date;
}

const toUser = (r: UserRecord): User => ({ id: r.id, username: r.username, createdAt: r.createdAt });
const invalid = (description: string): OAuth2Error => new OAuth2Error('invalid_request', description);

/** Resource owners who sign in at the login page (or through the legacy password grant). */
export class Users {
  #store: UserStore;
  #hasher: PasswordHasher;
  #clock: () => number;

  constructor(o: { store: UserStore; hasher: PasswordHasher; clock: () => number }) {
    this.#store = o.store;
    this.#hasher = o.hasher;
    this.#clock = o.clock;
  }

  async create(o: { username: string; password: string }): Promise<User> {
    if (!o || typeof o.username !== 'string' || !/^[^\s\x00-\x1f\x7f]{1,100}$/u.test(o.username)) {
      throw invalid('username must be 1 to 100 characters without spaces or control characters');
    }
    if (typeof o.password !== 'string' || o.password.length < 8 || o.password.length > 1024) {
      throw invalid('password must be 8 to 1024 characters');
    }
    const record: UserRecord = {
      id: newId('usr_'),
      username: o.username.normalize('NFC'),
      passwordHash: await this.#hasher.hash(o.password),
      createdAt: new Date(this.#clock()),
    };
    try {
      await this.#store.create(record);
    } catch (err) {
      if (err instanceof OAuth2StoreError && err.code === 'conflict') throw invalid('a user with this username already exists');
      throw err;
    }
    return toUser(record);
  }

  /** The user id when the password is right, else null — in about the same time either way. */
  async verify(username: string, password: string): Promise<string | null> {
    const record = typeof username === 'string' ? await this.#store.findByUsername(username.normalize('NFC')) : null;
    const ok = await this.#hasher.verify(record?.passwordHash ?? null, password);
    if (!ok || !record) return null;
    if (this.#hasher.needsRehash(record.passwordHash)) {
      await this.#store.setPasswordHash(record.id, await this.#hasher.hash(password));
    }
    return record.id;
  }

  async setPassword(id: string, password: string): Promise<boolean> {
    if (typeof password !== 'string' || password.length < 8 || password.length > 1024) throw invalid('password must be 8 to 1024 characters');
    return this.#store.setPasswordHash(id, await this.#hasher.hash(password));
  }

  async get(id: string): Promise<User | null> {
    const r = await this.#store.get(id);
    return r ? toUser(r) : null;
  }

  async list(): Promise<User[]> {
    return (await this.#store.list()).map(toUser);
  }

  delete(id: string): Promise<boolean> {
    return this.#store.delete(id);
  }
}
