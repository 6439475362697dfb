import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

/**
 * A Lua script run by its SHA1 (EVALSHA), sent in full only when the server does not know it yet
 * (after a restart or SCRIPT FLUSH): one round trip in the common case, and nothing defined on
 * the caller's client object.
 */
export class LuaScript {
  #lua: string;
  #sha: string;

  constructor(lua: string) {
    this.#lua = lua;
    this.#sha = createHash('sha1').update(lua).digest('hex');
  }

  async run(redis: Redis, keys: string[], args: (string | number)[]): Promise<unknown> {
    try {
      return await redis.evalsha(this.#sha, keys.length, ...keys, ...args);
    } catch (err) {
      if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err;
      return redis.eval(this.#lua, keys.length, ...keys, ...args);
    }
  }
}
