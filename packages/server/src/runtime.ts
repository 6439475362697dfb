import { join } from 'node:path';
import { initLogging, logConfigFromEnv, type Logger, type LogConfig, type Logging, type RequestContext } from '@tsforge/logging';
import { Metrics, HttpMetrics } from '@tsforge/metrics';
import { Disk, LocalDriver, StorageError, StorageManager, UrlSigner, type StorageMetrics } from '@tsforge/storage';
import { OAuth2Server, type OAuth2Metrics, type OAuth2Store } from '@tsforge/oauth2-server';
import { SqliteStore } from '@tsforge/oauth2-server/sqlite';
import { ConfigError, type ServerConfig } from './config.js';
import { SECRET_FILE, ServerSecret } from './server-secret.js';
import { createDomainMetrics, type DomainMetrics } from './domain-metrics.js';
import { createPrivateFile, exposedDataFiles } from './private-files.js';
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
  disk: Disk;
  /** Derives the keys of the login session and CSRF tokens. */
  secret: ServerSecret;
  close(): Promise<void>;
}

export const DATABASE_FILE = 'tsforge.db';

export interface RuntimeOptions {
  log?: LogConfig;
  env?: NodeJS.ProcessEnv;
  /** Told the bytes each upload stored and each download sent. */
  storageMetrics?: StorageMetrics;
}

/** The OAuth2 half alone: what the CLI's client commands need, without HTTP, metrics or storage. */
export function openOAuth(
  config: ServerConfig,
  options: { onError?: (err: unknown) => void; metrics?: OAuth2Metrics } = {},
): { secret: ServerSecret; store: OAuth2Store; oauth: OAuth2Server } {
  const secret = ServerSecret.loadOrCreate(config.dataDir);
  const path = join(config.dataDir, DATABASE_FILE);
  createPrivateFile(path);
  const store = new SqliteStore({ path });
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
  const domainMetrics = createDomainMetrics(metrics);
  let opened: ReturnType<typeof openOAuth>;
  try {
    opened = openOAuth(config, { onError: (err) => logging.module('oauth2').error({ err }, 'oauth2 internal error'), metrics: domainMetrics.oauth2 });
  } catch (err) {
    metrics.close();
    throw err;
  }
  const { secret, store, oauth } = opened;
  // The database (its -wal and -shm too) and the key tokens, sessions and signed URLs derive from.
  const exposed = exposedDataFiles(config.dataDir, [DATABASE_FILE, `${DATABASE_FILE}-wal`, `${DATABASE_FILE}-shm`, SECRET_FILE]);
  if (exposed.length > 0) {
    logger.warn(
      { paths: exposed },
      `the data dir holds the token database and the server's secret key, but group or others can reach ${exposed.map((p) => `${p.path} (${p.mode})`).join(', ')}: chmod 700 the dir and 600 its files`,
    );
  }
  let storage: Awaited<ReturnType<typeof openDisk>>;
  try {
    storage = await openDisk(config, secret, options.storageMetrics ?? domainMetrics.storage);
  } catch (err) {
    metrics.close();
    await store.close();
    throw err;
  }
  const disk = storage.disk;
  try {
    await checkStorage(disk, config.storage);
  } catch (err) {
    metrics.close();
    storage.close();
    await store.close();
    throw err;
  }
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
    config, logging, logger, context, metrics, httpMetrics, domainMetrics, store, oauth, disk, secret,
    async close() {
      metrics.close();
      storage.close();
      await store.close();
      await logging.flush();
    },
  };
}
