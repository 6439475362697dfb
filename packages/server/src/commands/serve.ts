import { createServer } from 'node:net';
import { readEnv } from '../env-vars.js';
import type { FastifyInstance } from 'fastify';
import { loadConfig, type ConfigOverrides } from '../config.js';
import { createRuntime, type Runtime } from '../runtime.js';
import { buildApp } from '../app.js';
import { startPurge } from '../purge-timer.js';
import { logWarning, printWarningShort, type WarningRoute } from '../process-warnings.js';

export interface RunningServer {
  app: FastifyInstance;
  runtime: Runtime;
  url: string;
  /** Stops accepting, lets in-flight requests finish (up to the timeout), then closes the database and flushes logs. */
  stop(reason?: string): Promise<void>;
}

export async function startServer(overrides: ConfigOverrides = {}, env: NodeJS.ProcessEnv = process.env): Promise<RunningServer> {
  let config = loadConfig(env, overrides);
  if (config.port === 0) {
    // The issuer and signed URLs name the port, so it must be known before the app is built.
    config = loadConfig(env, { ...overrides, port: String(await freePort(config.host)) });
  }
  const runtime = await createRuntime(config, { env });
  const app = await buildApp(runtime);
  try {
    await app.listen({ host: config.host, port: config.port });
  } catch (err) {
    await app.close().catch(() => {});
    await runtime.close();
    throw listenError(err, config.host, config.port);
  }
  const stopPurge = startPurge(runtime);
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${config.port}`;
  // The pid to send SIGUSR2 / SIGTERM to: this process, not an `npm start` wrapper around it.
  runtime.logger.info({ url, pid: process.pid, data_dir: config.dataDir, issuer: config.issuer }, 'listening');
  if (readEnv(env, 'TSFORGE_ISSUER') === undefined && isWildcard(config.host)) {
    runtime.logger.warn(
      { issuer: config.issuer, host: config.host },
      `the issuer is ${config.issuer}, a listening address no client can reach: tokens, OAuth metadata and signed URLs will name it. Set TSFORGE_ISSUER to the server's public URL (e.g. https://files.example.com)`,
    );
  }

  let stopping: Promise<void> | undefined;
  const stop = (reason = 'stop') => (stopping ??= (async () => {
    runtime.draining = true;
    if (config.shutdownDelayMs > 0) {
      // Still serving everything: the load balancer sees /ready fail and stops sending first.
      runtime.logger.info({ reason, delay_ms: config.shutdownDelayMs }, 'shutting down: /ready answers 503, still serving');
      await new Promise((r) => setTimeout(r, config.shutdownDelayMs));
    }
    runtime.logger.info({ reason }, 'shutting down: draining in-flight requests');
    const timer = setTimeout(() => {
      runtime.logger.warn({ timeout_ms: config.shutdownTimeoutMs }, 'shutdown timeout: closing remaining connections');
      app.server.closeAllConnections();
    }, config.shutdownTimeoutMs);
    stopPurge();
    try {
      await app.close();
    } finally {
      clearTimeout(timer);
      runtime.logger.info('stopped');
      await runtime.close();
    }
  })());
  return { app, runtime, url, stop };
}

export async function serveCommand(overrides: ConfigOverrides, warnings?: WarningRoute): Promise<void> {
  // Process warnings (the AWS SDK's, deprecations) become log lines, not plain text in the log
  // stream; those raised while starting are held until the logger exists.
  const held: Error[] = [];
  warnings?.to((warning) => held.push(warning));
  let server: RunningServer;
  try {
    server = await startServer(overrides);
  } catch (err) {
    warnings?.to(printWarningShort);
    held.forEach(printWarningShort);
    throw err;
  }
  const log = logWarning(server.runtime.logger);
  warnings?.to(log);
  held.forEach(log);
  // A bug that escapes every handler: say so in the log (written synchronously), then exit
  // non-zero so the supervisor restarts a process in a known state.
  const crash = (err: unknown) => {
    server.runtime.logger.fatal({ err }, 'uncaught error: exiting');
    process.exit(1);
  };
  process.once('uncaughtException', crash);
  process.once('unhandledRejection', crash);
  process.on('SIGUSR2', cycleLogLevel(server.runtime));
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      // A second signal while draining means "now".
      process.once(signal, () => process.exit(130));
      server.stop(signal).then(
        () => { process.exitCode = 0; },
        (err: unknown) => {
          server.runtime.logger.fatal({ err }, 'shutdown failed');
          process.exitCode = 1;
        },
      );
    });
  }
}

/**
 * SIGUSR2 steps the log level through the configured one (`LOG_LEVEL`), then `debug`, then
 * `trace`, then back: `kill -USR2 <pid>` once for debug, twice for trace, three times to return.
 * Module levels from `LOG_LEVEL` apply only in the configured step. Each change is logged.
 */
function cycleLogLevel({ logging }: Runtime): () => void {
  const steps = [logging.levels.toString(), 'debug', 'trace'];
  let step = 0;
  return () => {
    const from = logging.levels.toString();
    step = (step + 1) % steps.length;
    logging.setLevel(steps[step] as string);
    logging.logger.warn({ from, to: logging.levels.toString(), via: 'SIGUSR2' }, 'log level changed');
  };
}

/** `0.0.0.0`, `::` and their spellings: "every interface", not an address to put in a URL. */
function isWildcard(host: string): boolean {
  return host === '0.0.0.0' || /^\[?(0*:)+0*\]?$/.test(host) || host === '::';
}

function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, host, () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** Listening fails for reasons a user can fix; say which, without a stack. */
export class ListenError extends Error {
  readonly exitCode = 1;
}

function listenError(err: unknown, host: string, port: number): unknown {
  const code = (err as NodeJS.ErrnoException).code;
  const where = `${host}:${port}`;
  if (code === 'EADDRINUSE') return new ListenError(`cannot listen on ${where}: the address is already in use (set PORT or --port)`);
  if (code === 'EACCES') return new ListenError(`cannot listen on ${where}: permission denied`);
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') return new ListenError(`cannot listen on ${where}: no such local address (set HOST or --host)`);
  return err;
}
