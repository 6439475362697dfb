import { resolve } from 'node:path';
import { ConfigError, wholeNumber as whole } from './config.js';
import { readEnv } from './env-vars.js';

/**
 * Where the state lives that several instances behind a load balancer must share: the OAuth
 * database, Redis for rate limits and the token cache, and the master secret. Unset, everything
 * is embedded in the data dir (SQLite, in-process limits, `secret.key`), which suits one instance.
 */
export interface BackingServices {
  database: DatabaseSettings;
  /** `REDIS_URL`: shared rate limits, and the token cache when `tokenCacheTtlMs` > 0. */
  redis?: { url: string; tokenCacheTtlMs: number };
  /** `TSFORGE_SECRET_FILE`: the master secret every instance must share (else `DATA_DIR/secret.key`). */
  secretFile?: string;
}

export type DatabaseSettings =
  | { kind: 'sqlite' }
  /**
   * `DATABASE_URL=postgres://...`; `poolSize` from `TSFORGE_DB_POOL_SIZE`, `statementTimeoutMs`
   * (how long a request may wait on a database that does not answer) from `TSFORGE_DB_STATEMENT_TIMEOUT_MS`.
   */
  | { kind: 'postgres'; url: string; poolSize: number; statementTimeoutMs: number };

export function loadBackingServices(env: NodeJS.ProcessEnv): BackingServices {
  const services: BackingServices = { database: database(env) };
  const redisUrl = readEnv(env, 'REDIS_URL');
  const tokenCacheTtlMs = whole('TSFORGE_TOKEN_CACHE_TTL_MS', readEnv(env, 'TSFORGE_TOKEN_CACHE_TTL_MS'), 0, 0, 60_000);
  if (redisUrl) {
    const url = checkUrl('REDIS_URL', redisUrl, ['redis:', 'rediss:'], 'redis://127.0.0.1:6379');
    // ioredis reads the path as a database number; one it cannot select leaves it on database 0.
    if (!/^\/?(\d+)?$/.test(url.pathname)) throw new ConfigError('REDIS_URL must name the database by number, as in redis://host:6379/0');
    services.redis = { url: redisUrl, tokenCacheTtlMs };
  } else if (tokenCacheTtlMs > 0) {
    throw new ConfigError('TSFORGE_TOKEN_CACHE_TTL_MS needs REDIS_URL: the token cache lives in Redis, where every instance sees a revocation at once');
  }
  const secretFile = readEnv(env, 'TSFORGE_SECRET_FILE');
  if (secretFile) services.secretFile = resolve(secretFile);
  return services;
}

function database(env: NodeJS.ProcessEnv): DatabaseSettings {
  const url = readEnv(env, 'DATABASE_URL');
  const poolSize = whole('TSFORGE_DB_POOL_SIZE', readEnv(env, 'TSFORGE_DB_POOL_SIZE'), 10, 1, 1000);
  const statementTimeoutMs = whole('TSFORGE_DB_STATEMENT_TIMEOUT_MS', readEnv(env, 'TSFORGE_DB_STATEMENT_TIMEOUT_MS'), 10_000, 100, 600_000);
  if (!url) return { kind: 'sqlite' };
  checkUrl('DATABASE_URL', url, ['postgres:', 'postgresql:'], 'postgres://user:password@host:5432/dbname');
  return { kind: 'postgres', url, poolSize, statementTimeoutMs };
}

/** The value is never echoed: a connection URL usually carries a password. */
function checkUrl(name: string, raw: string, protocols: string[], example: string): URL {
  const encode = 'percent-encode / ? # @ : in the user name and password (%2F %3F %23 %40 %3A)';
  let url: URL;
  try {
    url = parseUrl(raw).url;
  } catch {
    throw new ConfigError(`${name} is not a URL (expected e.g. ${example}; ${encode})`);
  }
  if (!protocols.includes(url.protocol)) {
    throw new ConfigError(`${name} must start with ${protocols.map((p) => `${p}//`).join(' or ')} (e.g. ${example}), got ${url.protocol}//`);
  }
  // An unencoded / ? or # in the password ends the host early: `user:12/34@db` is host `user`,
  // port 12, path `/34@db`, and `describeUrl` would print the password.
  const query = url.search.split('=')[0] ?? '';
  if (url.pathname.includes('@') || url.hash.includes('@') || (!url.username && !url.password && query.includes('@'))) {
    throw new ConfigError(`${name}: ${encode}; an @ after the host means the password's text is read as host and path`);
  }
  return url;
}

/** Host, port and database of a connection URL, for logs: never the user or password. */
export function describeUrl(raw: string): string {
  const { url, hostless } = parseUrl(raw);
  return `${url.protocol}//${hostless ? '' : url.host}${url.pathname === '/' ? '' : url.pathname}`;
}

/** A placeholder the URL parser accepts where the host is empty. */
const NO_HOST = 'no-host.invalid';

/**
 * `new URL`, also for `postgres://user:password@/db?host=/socket`: libpq's (and node-postgres's)
 * form for a Unix socket with credentials, which WHATWG URLs refuse for want of a host.
 */
function parseUrl(raw: string): { url: URL; hostless: boolean } {
  try {
    return { url: new URL(raw), hostless: false };
  } catch (err) {
    if (!raw.includes('@/')) throw err;
    return { url: new URL(raw.replace('@/', `@${NO_HOST}/`)), hostless: true };
  }
}
