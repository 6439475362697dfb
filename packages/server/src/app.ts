import { createRequire } from 'node:module';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Runtime } from './runtime.js';
import type { ServerConfig } from './config.js';
import { installRequestContext, type RequestsInFlight } from './plugins/request-context.js';
import { installHttpMetrics, observeRequest } from './plugins/http-metrics.js';
import { installErrorHandling, sendError } from './plugins/errors.js';
import { recordAllowedMethods } from './plugins/method-not-allowed.js';
import { clientErrorHandler } from './plugins/client-errors.js';
import { installBodyDeadline } from './plugins/timeouts.js';
import { installExpectations } from './plugins/expectations.js';
import { installDrain } from './plugins/drain.js';
import { installRetryAfter } from './plugins/retry-after.js';
import { installStorageDebugLog } from './plugins/storage-log.js';
import { oauthRoutes } from './routes/oauth.js';
import { filesRoutes } from './routes/files.js';
import { signedFilesRoutes } from './routes/signed-files.js';
import { healthRoutes } from './routes/health.js';
import { adminRoutes } from './routes/admin.js';
import { interactionRoutes } from './routes/interaction.js';
import { interactionOptions, tokenLimiter } from './interaction/setup.js';
import type { LoginHook } from './interaction/login-hook.js';

export interface AppOptions {
  /** The application's own sign-in instead of the built-in login page (see LoginHook). */
  login?: LoginHook;
}

// Resolved from fastify itself: these are its dependencies, not ours.
const fastifyRequire = createRequire(createRequire(import.meta.url).resolve('fastify'));

/**
 * No route here declares a JSON schema, yet Fastify loads Ajv and fast-json-stringify when an
 * instance is created (~90 ms of a ~0.5 s start). These factories load them on first use.
 */
const lazySchemaCompilers = {
  buildValidator: (...args: unknown[]) => fastifyRequire('@fastify/ajv-compiler')()(...args),
  buildSerializer: (...args: unknown[]) => fastifyRequire('@fastify/fast-json-stringify-compiler')()(...args),
};

/** Keys may be up to 1024 bytes, and percent-encoding triples that. */
const MAX_PARAM_LENGTH = 4096;

export async function buildApp(runtime: Runtime, options: AppOptions = {}): Promise<FastifyInstance> {
  const { config, logging, logger, context, metrics, httpMetrics, domainMetrics, oauth, disk } = runtime;
  // Module loggers: each line carries `module`, and `LOG_LEVEL=info,storage=debug` (or the admin
  // endpoint) sets each part's level on its own.
  const httpLogger = logging.module('http');
  const storageLogger = logging.module('storage');
  const inFlight: RequestsInFlight = new WeakMap();
  const app = Fastify({
    logger: false,
    bodyLimit: config.bodyLimit,
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    // installDrain answers requests that arrive while closing, in tsforge's shape.
    return503OnClosing: false,
    trustProxy: trustProxyOption(config.trustProxy),
    forceCloseConnections: 'idle',
    frameworkErrors: (err, _request, reply) => sendError(reply, 400, 'invalid_request', err.message),
    clientErrorHandler: clientErrorHandler(httpLogger, inFlight),
    // One idle limit for a connection, within a request and between keep-alive requests
    // (Fastify's own keepAliveTimeout, 72 s, would otherwise apply between requests).
    connectionTimeout: config.idleTimeoutMs,
    keepAliveTimeout: config.idleTimeoutMs,
    schemaController: { compilersFactory: lazySchemaCompilers },
  });

  // First, so it sees every route, /metrics included.
  const allowedMethods = recordAllowedMethods(app);
  installRequestContext(app, { logger: httpLogger, context, inFlight, onCompleted: observeRequest(httpMetrics) });
  installHttpMetrics(app, metrics, httpMetrics, { auth: config.metricsAuth });
  installErrorHandling(app, httpLogger, { allowed: allowedMethods, ...(runtime.databaseUnreachable ? { databaseUnreachable: runtime.databaseUnreachable } : {}) });
  installBodyDeadline(app, { bodyTimeoutMs: config.bodyTimeoutMs });
  installExpectations(app);
  installDrain(app);
  installRetryAfter(app);

  await app.register(healthRoutes(runtime, logger));
  await app.register(oauthRoutes(oauth, { bodyLimit: config.bodyLimit, tokenLimiter: tokenLimiter(runtime), tokenMetrics: domainMetrics.oauth2, logger: logging.module('oauth2') }));
  await app.register(interactionRoutes(interactionOptions(runtime, options.login)));
  // The storage debug hook only where the disk is served: every other request would run it for nothing.
  await app.register(async function storageScope(scope) {
    installStorageDebugLog(scope, storageLogger);
    await scope.register(filesRoutes({
      disk, logger: storageLogger, oauth, maxUploadBytes: config.maxUploadBytes, minUploadBytesPerSecond: config.minUploadBytesPerSecond,
      minUploadRateWindowMs: config.minUploadRateWindowMs,
    }));
    await scope.register(signedFilesRoutes(disk));
  });
  if (config.adminToken !== undefined) await app.register(adminRoutes({ logging, logger: logging.module('admin'), token: config.adminToken }));
  return app;
}

/** Fastify takes addresses as they are; a hop count becomes a trust function (the nearest `n` hops). */
function trustProxyOption(trust: ServerConfig['trustProxy']): false | string[] | ((address: string, hop: number) => boolean) {
  return typeof trust === 'number' ? (_address, hop) => hop < trust : trust;
}
