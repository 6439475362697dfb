import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { AccessTokenCache, AccessTokenInvalidation } from '../access-token-cache.js';
import type { AccessTokenRecord } from '../types.js';
import { LuaScript } from './lua-script.js';

export interface RedisAccessTokenCacheOptions {
  /** Give it `enableOfflineQueue: false` and a `commandTimeout`, so a Redis outage costs no waiting. */
  redis: Redis;
  /** Longest life of a cached entry; 5000 ms by default. */
  ttlMs?: number;
  /** Prepended to every key and to the channel; 'tsforge:atc:' by default. */
  prefix?: string;
  clock?: () => number;
}

/*
 * Keys: `<p>t:<hash>` an entry (the record as JSON), `<p>rv:{g,c,u}:<id>` a revocation marker of a
 * grant, client or user, `<p>epoch` a random value replaced by every invalidation.
 *
 * Why a revoked token is never served after `invalidate` resolved (A revokes, B validates):
 * 1. An entry cached before the invalidation: a single token's entry is deleted; a grant's,
 *    client's or user's entries cannot be listed, so a marker is set instead and `get` ignores
 *    (and deletes) an entry any of whose markers exists. Markers live longer than entries
 *    (2 × ttl + 1 s against at most ttl, both counted by the Redis server's clock), so every
 *    entry written before the marker expires while its marker still stands.
 * 2. A fill after the invalidation from a store read made before the store's delete (B read,
 *    A deleted and invalidated, B fills): the fill runs only if the epoch still has the value
 *    B's miss saw — its read began after that miss, so an unchanged epoch means no invalidation
 *    ran since, however long B took. B's miss and B's fill must come from the same object: the
 *    epoch seen by each miss is kept by hash (the oldest one, bounded) and spent by the fill;
 *    a fill without one is declined.
 * 3. A read after the store's delete finds nothing, and a store miss is never cached.
 * No wall clock of any instance takes part; it assumes the store reads what was committed before
 * (no lagging replica) and a Redis that keeps its keys (no failover to a replica that lost writes).
 * A replaced epoch also declines unrelated fills in flight: that costs one more store read.
 */

const GET = new LuaScript(`
local v = redis.call('GET', KEYS[1])
if v then
  local r = cjson.decode(v)
  local m = { ARGV[1] .. 'c:' .. r.c }
  if type(r.u) == 'string' then m[#m + 1] = ARGV[1] .. 'u:' .. r.u end
  if type(r.g) == 'string' then m[#m + 1] = ARGV[1] .. 'g:' .. r.g end
  if redis.call('EXISTS', unpack(m)) == 0 then return { 1, v } end
  redis.call('DEL', KEYS[1])
end
return { 0, redis.call('GET', KEYS[2]) or '' }
`);

const SET = new LuaScript(`
if (redis.call('GET', KEYS[2]) or '') ~= ARGV[1] then return 0 end
if redis.call('EXISTS', unpack(KEYS, 3)) > 0 then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
return 1
`);

const INVALIDATE = new LuaScript(`
redis.call('SET', KEYS[1], ARGV[1])
for i = 2, 1 + tonumber(ARGV[5]) do redis.call('DEL', KEYS[i]) end
for i = 2 + tonumber(ARGV[5]), #KEYS do redis.call('SET', KEYS[i], '1', 'PX', ARGV[2]) end
redis.call('PUBLISH', ARGV[3], ARGV[4])
return 1
`);

/** Misses remembered for their fill; beyond this the oldest are forgotten (their fills declined). */
const MAX_PENDING_FILLS = 10_000;

interface Entry {
  h: string;
  c: string;
  u: string | null;
  g: string | null;
  s: string[];
  e: number;
  t: number;
}

/** `AccessTokenCache` in Redis, shared by every instance using the same prefix. */
export class RedisAccessTokenCache implements AccessTokenCache {
  #redis: Redis;
  #ttlMs: number;
  #prefix: string;
  #clock: () => number;
  #epochs = new Map<string, string>();

  constructor(o: RedisAccessTokenCacheOptions) {
    if (!o?.redis) throw new TypeError('RedisAccessTokenCache: redis is required');
    const ttlMs = o.ttlMs ?? 5000;
    if (!Number.isInteger(ttlMs) || ttlMs < 1) throw new TypeError('RedisAccessTokenCache: ttlMs must be a positive integer');
    this.#redis = o.redis;
    this.#ttlMs = ttlMs;
    this.#prefix = o.prefix ?? 'tsforge:atc:';
    this.#clock = o.clock ?? Date.now;
  }

  /** The pub/sub channel every invalidation is published on (JSON of what was invalidated). */
  get channel(): string {
    return `${this.#prefix}invalidate`;
  }

  async get(hash: string): Promise<AccessTokenRecord | undefined> {
    const key = this.#entryKey(hash);
    const [hit, value] = (await GET.run(this.#redis, [key, this.#epochKey()], [this.#markerPrefix()])) as [number, string];
    if (hit === 1) {
      const record = decode(value, hash);
      if (record) return record;
      // Not an entry this class wrote (another program, a manual edit): served, it could fail
      // the request or skip a revocation marker. A miss instead, and gone so that a fill replaces it.
      await this.#redis.del(key);
      return undefined;
    }
    // Keep the oldest epoch: a later miss's epoch may postdate an invalidation the earlier read missed.
    if (!this.#epochs.has(hash)) {
      if (this.#epochs.size >= MAX_PENDING_FILLS) this.#epochs.delete(this.#epochs.keys().next().value as string);
      this.#epochs.set(hash, value);
    }
    return undefined;
  }

  async set(record: AccessTokenRecord): Promise<void> {
    const epoch = this.#epochs.get(record.hash);
    if (epoch === undefined) return;
    this.#epochs.delete(record.hash);
    const px = Math.min(this.#ttlMs, record.expiresAt.getTime() - this.#clock());
    if (px <= 0) return;
    const markers = [this.#marker('c', record.clientId)];
    if (record.userId !== null) markers.push(this.#marker('u', record.userId));
    if (record.grantId !== null) markers.push(this.#marker('g', record.grantId));
    await SET.run(this.#redis, [this.#entryKey(record.hash), this.#epochKey(), ...markers], [epoch, encode(record), px]);
  }

  async invalidate(what: AccessTokenInvalidation): Promise<void> {
    const entries = what.hash === undefined ? [] : [this.#entryKey(what.hash)];
    const markers: string[] = [];
    if (what.grantId !== undefined) markers.push(this.#marker('g', what.grantId));
    if (what.clientId !== undefined) markers.push(this.#marker('c', what.clientId));
    if (what.userId !== undefined) markers.push(this.#marker('u', what.userId));
    await INVALIDATE.run(this.#redis, [this.#epochKey(), ...entries, ...markers], [
      randomBytes(12).toString('base64url'), 2 * this.#ttlMs + 1000, this.channel, JSON.stringify(what), entries.length,
    ]);
  }

  /**
   * Calls `listener` for every invalidation by any instance, so a process can drop state of its
   * own. Opens a second connection (a subscribed one cannot send commands); the returned
   * function closes it.
   */
  async subscribe(listener: (what: AccessTokenInvalidation) => void): Promise<() => Promise<void>> {
    const sub = this.#redis.duplicate({ enableOfflineQueue: true });
    const channel = this.channel;
    sub.on('message', (ch: string, message: string) => {
      if (ch !== channel) return;
      try {
        listener(JSON.parse(message) as AccessTokenInvalidation);
      } catch {
        // a listener's failure is its own
      }
    });
    sub.on('error', () => {}); // reconnects by itself; unhandled 'error' events would crash the process
    await sub.subscribe(channel);
    return async () => {
      sub.disconnect();
    };
  }

  #entryKey(hash: string): string {
    return `${this.#prefix}t:${hash}`;
  }

  #epochKey(): string {
    return `${this.#prefix}epoch`;
  }

  #markerPrefix(): string {
    return `${this.#prefix}rv:`;
  }

  #marker(kind: 'g' | 'c' | 'u', id: string): string {
    return `${this.#markerPrefix()}${kind}:${id}`;
  }
}

function encode(r: AccessTokenRecord): string {
  const e: Entry = { h: r.hash, c: r.clientId, u: r.userId, g: r.grantId, s: r.scopes, e: r.expiresAt.getTime(), t: r.createdAt.getTime() };
  return JSON.stringify(e);
}

/** The entry of `hash`, or undefined when `value` is not one as `encode` writes it. */
function decode(value: string, hash: string): AccessTokenRecord | undefined {
  let e: Partial<Record<keyof Entry, unknown>>;
  try {
    e = JSON.parse(value) as typeof e;
  } catch {
    return undefined;
  }
  const idOrNull = (v: unknown): v is string | null => v === null || typeof v === 'string';
  if (
    e?.h !== hash || typeof e.c !== 'string' || !idOrNull(e.u) || !idOrNull(e.g) ||
    !Array.isArray(e.s) || !e.s.every((s) => typeof s === 'string') || !Number.isFinite(e.e) || !Number.isFinite(e.t)
  ) return undefined;
  return { hash, clientId: e.c, userId: e.u, grantId: e.g, scopes: e.s as string[], expiresAt: new Date(e.e as number), createdAt: new Date(e.t as number) };
}
