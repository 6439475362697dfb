import { join } from 'node:path';
import { createLogger, logConfigFromEnv, flushLogger, RequestContext, type Logger, type LogConfig } from '@tsforge/logging';
import { Metrics, HttpMetrics } from '@tsforge/metrics';
import { Disk, LocalDriver, UrlSigner } from '@tsforge/storage';
import { OAuth2Server, type OAuth2Store } from '@tsforge/oauth2-server';
import { SqliteStore } from '@tsforge/oauth2-server/sqlite';
import type { ServerConfig } from './config.js';
import { ServerSecret } from './server-secret.js';

/** Everything `tsforge serve` is made of, built once from the config: the composition root. */
export interface Runtime {
  config: ServerConfig;
  logger: Logger;
  context: RequestContext;
  metrics: Metrics;
  httpMetrics: HttpMetrics;
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
}

/** The OAuth2 half alone: what the CLI's client commands need, without HTTP, metrics or storage. */
export function openOAuth(config: ServerConfig, onError?: (err: unknown) => void): { secret: ServerSecret; store: OAuth2Store; oauth: OAuth2Server } {
  const secret = ServerSecret.loadOrCreate(config.dataDir);
  const store = new SqliteStore({ path: join(config.dataDir, DATABASE_FILE) });
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
    ...(onError ? { onError } : {}),
  });
  return { secret, store, oauth };
}

export function createRuntime(config: ServerConfig, options: RuntimeOptions = {}): Runtime {
  const context = new RequestContext();
  const logger = createLogger({ ...logConfigFromEnv(options.env ?? process.env), ...options.log, context, base: { service: 'tsforge' } });
  const { secret, store, oauth } = openOAuth(config, (err) => logger.error({ err }, 'oauth2 internal error'));
  const disk = new Disk(new LocalDriver({ root: join(config.dataDir, 'storage') }), {
    signer: new UrlSigner({ secret: secret.derive('storage-signed-urls') }),
    signedUrlBase: `${config.issuer}/files`,
  });
  const metrics = new Metrics();
  const httpMetrics = new HttpMetrics(metrics);

  return {
    config, logger, context, metrics, httpMetrics, store, oauth, disk, secret,
    async close() {
      metrics.close();
      await store.close();
      await flushLogger(logger);
    },
  };
}
