import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';
import { describeUrl } from '../src/backing-services.js';
import { ServerSecret } from '../src/server-secret.js';
import { removeDir, runCli, tempDataDir } from './support/tsforge.js';

const load = (env: NodeJS.ProcessEnv) => loadConfig({ TSFORGE_DATA_DIR: '/tmp/x', ...env });
const refused = (env: NodeJS.ProcessEnv): string => {
  try {
    load(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('accepted');
};

describe('DATABASE_URL, REDIS_URL and the token cache', () => {
  it('unset: SQLite in the data dir, no Redis', () => {
    expect(load({}).services).toEqual({ database: { kind: 'sqlite' } });
  });

  it('postgres:// and postgresql:// select PostgreSQL with a pool of TSFORGE_DB_POOL_SIZE (default 10)', () => {
    expect(load({ DATABASE_URL: 'postgres://u:p@db:5432/x' }).services.database).toEqual({ kind: 'postgres', url: 'postgres://u:p@db:5432/x', poolSize: 10, statementTimeoutMs: 10_000 });
    expect(load({ DATABASE_URL: 'postgres://db/x', TSFORGE_DB_STATEMENT_TIMEOUT_MS: '3000' }).services.database).toMatchObject({ statementTimeoutMs: 3000 });
    expect(refused({ DATABASE_URL: 'postgres://db/x', TSFORGE_DB_STATEMENT_TIMEOUT_MS: '50' })).toMatch(/TSFORGE_DB_STATEMENT_TIMEOUT_MS/);
    expect(load({ DATABASE_URL: 'postgresql://db/x', TSFORGE_DB_POOL_SIZE: '25' }).services.database).toMatchObject({ kind: 'postgres', poolSize: 25 });
  });

  it('a bad URL is refused without echoing it (it may hold a password)', () => {
    const message = refused({ DATABASE_URL: 'mysql://root:hunter2@db/x' });
    expect(message).toBe('DATABASE_URL must start with postgres:// or postgresql:// (e.g. postgres://user:password@host:5432/dbname), got mysql://');
    expect(refused({ DATABASE_URL: 'hunter2' })).not.toContain('hunter2');
    expect(refused({ REDIS_URL: 'http://:hunter2@r:6379' })).not.toContain('hunter2');
    expect(refused({ DATABASE_URL: 'postgres://db/x', TSFORGE_DB_POOL_SIZE: '0' })).toMatch(/TSFORGE_DB_POOL_SIZE must be between 1 and 1000/);
  });

  it('a password with an unencoded / ? or # is refused with how to fix it: parsed, its text would be the host and path that logs show', () => {
    for (const [name, url] of [
      ['DATABASE_URL', 'postgres://tsforge:1234/5678@db:5432/x'],
      ['DATABASE_URL', 'postgres://tsforge:99?x@db/x'],
      ['REDIS_URL', 'redis://default:7/aB@r:6379'],
      ['REDIS_URL', 'redis://default:12#34@r:6379'],
      ['DATABASE_URL', 'postgres://tsforge:Ab3/xY+z=@db:5432/x'],
      ['DATABASE_URL', 'postgres://tsforge:12@/xY@db:5432/x'],
    ] as const) {
      const message = refused({ [name]: url });
      expect(message.startsWith(name)).toBe(true);
      expect(message).toContain('percent-encode / ? # @ : in the user name and password');
      for (const part of ['1234', '5678', '99', 'aB', '34', 'xY']) expect(message).not.toContain(part);
    }
    // An @ in a query value is not a misplaced password.
    expect(load({ DATABASE_URL: 'postgres://db/x?password=p@ss' }).services.database).toMatchObject({ kind: 'postgres' });
  });

  it("DATABASE_URL with a password and no host (libpq's form for a Unix socket, ?host=/dir) is accepted and logged without either", () => {
    const url = 'postgres://tsforge:s3cret@/tsforge?host=/var/run/postgresql';
    expect(load({ DATABASE_URL: url }).services.database).toEqual({ kind: 'postgres', url, poolSize: 10, statementTimeoutMs: 10_000 });
    expect(describeUrl(url)).toBe('postgres:///tsforge');
  });

  it('REDIS_URL names a database by number or not at all (ioredis would use database 0 instead of a bad one)', () => {
    for (const url of ['redis://r', 'redis://r/', 'redis://r:6379/13']) expect(load({ REDIS_URL: url }).services.redis?.url).toBe(url);
    for (const url of ['redis://r:6379/abc', 'redis://r/1/2', 'redis://r/-1']) {
      expect(refused({ REDIS_URL: url })).toBe('REDIS_URL must name the database by number, as in redis://host:6379/0');
    }
  });

  it('TSFORGE_TOKEN_CACHE_TTL_MS=0 (off) needs no Redis, and a bad value says why whatever REDIS_URL is', () => {
    expect(load({ TSFORGE_TOKEN_CACHE_TTL_MS: '0' }).services).toEqual({ database: { kind: 'sqlite' } });
    expect(refused({ TSFORGE_TOKEN_CACHE_TTL_MS: '5s' })).toMatch(/TSFORGE_TOKEN_CACHE_TTL_MS must be a whole number/);
  });

  it('REDIS_URL with the token cache TTL; the cache without Redis is refused', () => {
    expect(load({ REDIS_URL: 'redis://r:6379/2' }).services.redis).toEqual({ url: 'redis://r:6379/2', tokenCacheTtlMs: 0 });
    expect(load({ REDIS_URL: 'rediss://r', TSFORGE_TOKEN_CACHE_TTL_MS: '5000' }).services.redis).toEqual({ url: 'rediss://r', tokenCacheTtlMs: 5000 });
    expect(refused({ TSFORGE_TOKEN_CACHE_TTL_MS: '5000' })).toMatch(/needs REDIS_URL/);
    expect(refused({ REDIS_URL: 'redis://r', TSFORGE_TOKEN_CACHE_TTL_MS: '600000' })).toMatch(/between 0 and 60000/);
  });

  it('logs name a connection by host, port and database, never user or password', () => {
    expect(describeUrl('postgres://tsforge:s3cret@db.internal:5432/tsforge?sslmode=require')).toBe('postgres://db.internal:5432/tsforge');
    expect(describeUrl('redis://:s3cret@r:6379')).toBe('redis://r:6379');
  });
});

describe('TSFORGE_TRUST_PROXY', () => {
  it('addresses and CIDRs, or a hop count; unset trusts no proxy', () => {
    expect(load({}).trustProxy).toBe(false);
    expect(load({ TSFORGE_TRUST_PROXY: '10.0.0.0/8, 127.0.0.1,::1,fd00::/8' }).trustProxy).toEqual(['10.0.0.0/8', '127.0.0.1', '::1', 'fd00::/8']);
    expect(load({ TSFORGE_TRUST_PROXY: '::ffff:10.0.0.0/104' }).trustProxy).toEqual(['::ffff:10.0.0.0/104']);
    expect(load({ TSFORGE_TRUST_PROXY: '2' }).trustProxy).toBe(2);
  });

  it.each(['true', '10.0.0.0/33', 'lb.internal', '10.0.0.1/8/1', '0'])('refuses %j', (value) => {
    expect(refused({ TSFORGE_TRUST_PROXY: value })).toMatch(/TSFORGE_TRUST_PROXY/);
  });

  // ::ffff:0:0/96 is every IPv4 client as an IPv6 socket sees it (proxy-addr matches it as 0.0.0.0/0).
  it.each(['0.0.0.0/0', '::/0', '10.0.0.1, ::/00', '::ffff:0:0/96', '::ffff:0.0.0.0/96', '::/64'])('refuses %j: trusting every address lets any client name itself in X-Forwarded-For', (value) => {
    expect(refused({ TSFORGE_TRUST_PROXY: value })).toMatch(/^TSFORGE_TRUST_PROXY .* trusts every client address, so any client could name itself in X-Forwarded-For and escape its rate limits; name the load balancers, or give the number of proxy hops in front/);
  });
});

describe('TSFORGE_SECRET_FILE', () => {
  const dir = tempDataDir();
  afterAll(() => removeDir(dir));

  it('a missing or malformed file stops serve with one line naming the variable (exit 2), and nothing is generated', async () => {
    const missing = await runCli(['serve', '--port', '0'], { dataDir: join(dir, 'data'), env: { TSFORGE_SECRET_FILE: join(dir, 'nope.key') } });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe(`tsforge: configuration error: TSFORGE_SECRET_FILE ${JSON.stringify(join(dir, 'nope.key'))} cannot be read (ENOENT)\n`);
    const bad = join(dir, 'bad.key');
    writeFileSync(bad, 'not hex\n');
    const malformed = await runCli(['client', 'create', '--name', 'x', '--grant', 'client_credentials', '--scope', 'files:read'], { dataDir: join(dir, 'data'), env: { TSFORGE_SECRET_FILE: bad } });
    expect(malformed.code).toBe(2);
    expect(malformed.stderr).toBe(`tsforge: configuration error: ${bad} is not a tsforge secret key (64 hex characters); make one with: openssl rand -hex 32 > ${bad}\n`);
    expect(existsSync(join(dir, 'data', 'secret.key'))).toBe(false);
  });

  it('a file far larger than a key, or one that never ends (/dev/zero), is refused at once, not read whole', () => {
    const big = join(dir, 'big.key');
    writeFileSync(big, `${'a'.repeat(64)}\n`.repeat(100_000));
    for (const path of [big, '/dev/zero']) {
      expect(() => ServerSecret.fromFile(path)).toThrow(new ConfigError(`${path} is not a tsforge secret key (64 hex characters); make one with: openssl rand -hex 32 > ${path}`));
    }
  }, 5000);
});
