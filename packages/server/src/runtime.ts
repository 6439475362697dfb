import { join } from 'node:path';
import { initLogging, logConfigFromEnv, type Logger, type LogConfig, type Logging, type RequestContext } from '@tsforge/logging';
import { Metrics, HttpMetrics } from '@tsforge/metrics';
import { Disk, LocalDriver, StorageError, StorageManager, UrlSigner, type StorageMetrics } from '@tsforge/storage';
import { OAuth2Server, type OAuth2Metrics, type OAuth2Store, type RateLimitStore } from '@tsforge/oauth2-server';
import { ConfigError, type ServerConfig } from './config.js';
import { SECRET_FILE, ServerSecret } from './server-secret.js';
import { createDomainMetrics, type DomainMetrics } from './domain-metrics.js';
import { exposedDataFiles, worldReadable } from './private-files.js';
import { DATABASE_FILE, describeDatabase, openStore } from './database.js';
import { DatabaseOutage } from './database-outage.js';
import { openRedis, type SharedRedis } from './redis.js';
import { checkStorage } from './storage-check.js';

/** Everything `tsforge serve` is made of, built once from the config: the composition root. */
export interface Runtime {
  config: ServerConfig;
  /** Levels, flush, module loggers; `logger` and `context` are its root logger and request context. */
  logging: Logging;
  logger: Logger;
  context: RequestContext;
  metrics: Metrics;
  httpMetrics: HttpMetrics;
  /** The metrics sinks of the OAuth2 and storage cores. */
  domainMetrics: DomainMetrics;
  store: OAuth2Store;
  oauth: OAuth2Server;
  /** Shared by every instance with `REDIS_URL`; else in process (undefined: each limiter's own). */
  rateLimits?: RateLimitStore;
  /** Set with `REDIS_URL`: what `/ready` pings. */
  redis?: SharedRedis;
  disk: Disk;
  /** Derives the keys of the login session and CSRF tokens. */
  secret: ServerSecret;
  /**
   * With PostgreSQL: true when a request's failure means the database cannot be reached, counted
   * toward the outage that is logged once (the request answers 503); false for anything else.
   */
  databaseUnreachable?: (err: unknown) => boolean;
  /** Set on SIGTERM: `/ready` answers 503 so load balancers stop sending before the listener closes. */
  draining: boolean;
  close(): Promise<void>;
}

export { DATABASE_FILE };

export interface RuntimeOptions {
  log?: LogConfig;
  env?: NodeJS.ProcessEnv;
  /** Told the bytes each upload stored and each download sent. */
  storageMetrics?: StorageMetrics;
}

export interface OpenOAuthOptions {
  onError?: (err: unknown) => void;
  metrics?: OAuth2Metrics;
  /** Errors of idle database connections. */
  onStoreError?: (err: Error) => void;
  /** Wraps the store before the server gets it (the Redis token cache). */
  wrapStore?: (store: OAuth2Store) => OAuth2Store;
}

/** The OAuth2 half alone: what the CLI's client commands need, without HTTP, metrics or storage. */
export async function openOAuth(
  config: ServerConfig,
  options: OpenOAuthOptions = {},
): Promise<{ secret: ServerSecret; store: OAuth2Store; oauth: OAuth2Server }> {
  const secret = loadSecret(config);
  const opened = await openStore(config, options.onStoreError ? { onError: options.onStoreError } : {});
  const store = options.wrapStore ? options.wrapStore(opened) : opened;
  const oauth = new OAuth2Server({
    store,
    issuer: config.issuer,
    secretKey: secret.derive('oauth2'),
    scopesSupported: config.scopes,
    accessTokenTtl: config.accessTokenTtl,
    refreshTokenTtl: config.oauth.refreshTokenTtl,
    refreshTokenGracePeriod: config.oauth.refreshTokenGracePeriod,
    accessTokenFormat: config.oauth.accessTokenFormat,
    jwt: { alg: config.oauth.jwtAlg },
    pkce: { required: config.oauth.pkceRequired },
    enablePasswordGrant: config.oauth.passwordGrant,
    ...(options.onError ? { onError: options.onError } : {}),
    ...(options.metrics ? { metrics: options.metrics } : {}),
  });
  return { secret, store, oauth };
}

/** `TSFORGE_SECRET_FILE` when set (several instances share it), else the data dir's own. */
export function loadSecret(config: ServerConfig): ServerSecret {
  const { secretFile } = config.services;
  return secretFile ? ServerSecret.fromFile(secretFile) : ServerSecret.loadOrCreate(config.dataDir);
}

/**
 * The file disk the config names. On S3 the SDK is imported here and only here, and signed URLs
 * are presigned by the store; on local disk they point at this server's `/files/*`.
 */
export async function openDisk(config: ServerConfig, secret: ServerSecret, metrics?: StorageMetrics): Promise<{ disk: Disk; close(): void }> {
  const shared = {
    signer: new UrlSigner({ secret: secret.derive('storage-signed-urls') }),
    signedUrlBase: `${config.issuer}/files`,
  };
  const { storage } = config;
  const disk = storage.driver === 'local'
    ? { driver: 'local', root: join(config.dataDir, 'storage'), ...shared }
    : { ...storage, ...shared };
  try {
    const manager = await StorageManager.create({ disks: { default: disk }, ...(metrics ? { metrics } : {}) });
    return { disk: manager.disk(), close: () => manager.close() };
  } catch (err) {
    if (StorageError.is(err, 'E_MISCONFIGURED')) throw new ConfigError(err.message);
    throw err;
  }
}

export async function createRuntime(config: ServerConfig, options: RuntimeOptions = {}): Promise<Runtime> {
  const logging = initLogging({ ...logConfigFromEnv(options.env ?? process.env), ...options.log, base: { service: 'tsforge' } });
  const { logger, context } = logging;
  const metrics = new Metrics();
  // What is open so far, closed in reverse when a later step fails and by `close()`.
  const opened: (() => unknown)[] = [() => metrics.close()];
  const closeAll = async (): Promise<void> => {
    for (const close of opened.splice(0).reverse()) await close();
  };
  try {
    const domainMetrics = createDomainMetrics(metrics);
    const redis = config.services.redis ? await openRedis(config.services.redis, logging.module('redis')) : undefined;
    if (redis) opened.push(() => redis.close());
    const dbLogger = logging.module('database');
    const oauthLogger = logging.module('oauth2');
    // An unreachable PostgreSQL fails every request: logged once per outage, not per request.
    const outage = config.services.database.kind === 'postgres'
      ? new DatabaseOutage({ logger: dbLogger, where: describeDatabase(config), probe: () => store.ping() })
      : undefined;
    const { secret, store, oauth } = await openOAuth(config, {
      onError: (err) => {
        if (!outage?.report(err)) oauthLogger.error({ err }, 'oauth2 internal error');
      },
      metrics: domainMetrics.oauth2,
      onStoreError: (err) => dbLogger.warn({ err }, 'database connection lost; it is replaced on the next query'),
      ...(redis ? { wrapStore: redis.cached } : {}),
    });
    opened.push(() => store.close());
    if (outage) opened.push(() => outage.stop());
    if (config.services.database.kind === 'postgres') dbLogger.info({ database: describeDatabase(config) }, 'using PostgreSQL');
    warnIfExposed(config, logger);
    const storage = await openDisk(config, secret, options.storageMetrics ?? domainMetrics.storage);
    opened.push(() => storage.close());
    const disk = storage.disk;
    await checkStorage(disk, config.storage);
    domainMetrics.startAtZero({ grants: oauth.grantTypes, disks: [disk.name] });
    if (disk.driver instanceof LocalDriver) {
      const storageLogger = logging.module('storage');
      // Temp files of uploads cut off by a crash: removed in the background, not before listening.
      disk.driver.sweepTempFiles().then(
        (removed) => removed > 0 && storageLogger.info({ removed }, 'removed temp files of unfinished uploads'),
        (err: unknown) => storageLogger.warn({ err }, 'sweeping temp files failed'),
      );
    }
    const httpMetrics = new HttpMetrics(metrics);
    return {
      config, logging, logger, context, metrics, httpMetrics, domainMetrics, store, oauth, disk, secret, draining: false,
      ...(redis ? { redis, rateLimits: redis.rateLimits } : {}),
      ...(outage ? { databaseUnreachable: (err: unknown) => outage.report(err) } : {}),
      async close() {
        await closeAll();
        await logging.flush();
      },
    };
  } catch (err) {
    await closeAll();
    throw err;
  }
}

/** What this configuration keeps in the data dir, for the warning: with PostgreSQL, a secret file and S3, nothing private. */
function heldInDataDir(config: ServerConfig): string[] {
  const held = [
    ...(config.services.database.kind === 'sqlite' ? ['the token database'] : []),
    ...(config.services.secretFile ? [] : ["the server's secret key"]),
    ...(config.storage.driver === 'local' ? ['the stored files'] : []),
  ];
  return held;
}

/** The data dir's database (its -wal and -shm too) and the secret key, in it or shared: private, or a warning. */
function warnIfExposed(config: ServerConfig, logger: Logger): void {
  const files = [SECRET_FILE, ...(config.services.database.kind === 'sqlite' ? [DATABASE_FILE, `${DATABASE_FILE}-wal`, `${DATABASE_FILE}-shm`] : [])];
  const shared = config.services.secretFile ? worldReadable(config.services.secretFile) : undefined;
  if (shared) {
    logger.warn({ paths: [shared] }, `TSFORGE_SECRET_FILE ${shared.path} (${shared.mode}) can be read by any user of this host: chmod o-rwx it (0640 root:tsforge, or 0600)`);
  }
  const held = heldInDataDir(config);
  const exposed = held.length > 0 ? exposedDataFiles(config.dataDir, files) : [];
  if (exposed.length === 0) return;
  logger.warn(
    { paths: exposed },
    `the data dir holds ${held.join(', ')}, but group or others can reach ${exposed.map((p) => `${p.path} (${p.mode})`).join(', ')}: chmod 700 the dir and 600 its files`,
  );
}
