import { validateLogConfig, type LogConfig } from './config.js';
import { buildLogger, type Logger } from './create-logger.js';
import { openDestination, type Destination } from './destination.js';
import { flushLogger } from './flush.js';
import type { LogLevel } from './levels.js';
import { logData } from './log-data.js';
import { LogLevels } from './log-levels.js';
import { PerfTimer } from './perf-timer.js';
import { RequestContext } from './request-context.js';
import { outgoingHeaders, runRequest, type IncomingHeaders } from './request-span.js';

/**
 * An application's logging, built once at startup by `initLogging(config)`: the root logger,
 * module loggers, the request context, run-time levels, and the destination it opened.
 * Not a global: pass it (or its loggers) to what needs it.
 */
export class Logging {
  readonly logger: Logger;
  readonly context: RequestContext;
  readonly levels: LogLevels;
  readonly #destination: Destination;
  readonly #timing: boolean;

  constructor(config: LogConfig = {}) {
    validateLogConfig(config);
    this.context = config.context ?? new RequestContext();
    this.#destination = openDestination(config);
    this.logger = buildLogger({ ...config, context: this.context }, this.#destination);
    this.levels = new LogLevels(this.logger, config.modules);
    this.#timing = config.timing ?? true;
  }

  /** A child logger for one part of the application, at its own level when `modules` names it. */
  module(name: string): Logger {
    return this.levels.module(name);
  }

  /** `'debug'`, or a spec such as `'info,storage=debug'` (see `LogLevels.setSpec`). */
  setLevel(spec: LogLevel | string): void {
    this.levels.setSpec(spec);
  }

  /** Runs `fn` as one request: its lines carry `request_id`, `trace_id` and `span_id` (see `requestFields`). */
  runRequest<R>(headers: IncomingHeaders | undefined, fn: () => R): R {
    return runRequest(this.context, headers, fn);
  }

  /** `traceparent`, `tracestate` and `x-request-id` for a call the current request makes. */
  outgoingHeaders(): Record<string, string> {
    return outgoingHeaders(this.context);
  }

  /** A `PerfTimer` that writes to `logger` (default the root) unless `timing` is off. */
  timer(name: string, logger: Logger = this.logger): PerfTimer {
    return PerfTimer.start(name, this.#timing ? { logger } : {});
  }

  logData(level: Exclude<LogLevel, 'silent'>, msg: string, fields?: Record<string, unknown>): void {
    logData(this.logger, level, msg, fields);
  }

  /** Resolves once every line so far is written. */
  flush(): Promise<void> {
    return flushLogger(this.logger);
  }

  /** Writes what is pending now, synchronously (for a file or descriptor destination). */
  flushSync(): void {
    this.#destination.flushSync();
  }

  /** Writes what is pending and closes the files this opened; later lines are dropped. */
  close(): void {
    this.#destination.close();
  }
}

export function initLogging(config: LogConfig = {}): Logging {
  return new Logging(config);
}
