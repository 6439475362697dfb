import { LogConfigError, describeValue } from './errors.js';
import { LOG_FORMATS, LOG_LEVELS, isLogFormat, isLogLevel, type LogFormat, type LogLevel } from './levels.js';
import type { RequestContext } from './request-context.js';

export interface LogConfig {
  /** Default `'info'`. */
  level?: LogLevel;
  /** Default `'json'`. */
  format?: LogFormat;
  /**
   * Default: file descriptor 1 (stdout), written synchronously so nothing is lost at exit. A number
   * is a file descriptor, written synchronously; a stream is written as it is.
   */
  destination?: NodeJS.WritableStream | number;
  /** Key names to censor in addition to `DEFAULT_REDACT_KEYS`. */
  redact?: string[];
  /** When given, every line written inside `context.run()` carries the request's fields. */
  context?: RequestContext;
  /** Fields on every line, e.g. `{ service: 'tsforge' }`. Default none: no `pid` or `hostname`. */
  base?: Record<string, unknown>;
  /** ANSI colours in the pretty format. Default: when the destination is a TTY. */
  colorize?: boolean;
  /** Milliseconds since the epoch for each line's `time`. Default `Date.now`. */
  now?: () => number;
}

function oneOf(name: string, allowed: readonly string[], value: string): LogConfigError {
  return new LogConfigError(`${name} must be one of ${allowed.join(', ')}; got ${describeValue(value)}`, {
    setting: name,
  });
}

function readEnv(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const raw = env[name]?.trim();
  return raw === undefined || raw === '' ? undefined : raw;
}

/**
 * Reads `LOG_LEVEL`, `LOG_FORMAT`, `LOG_REDACT` (comma-separated extra keys), `NO_COLOR` and
 * `FORCE_COLOR`. Without `LOG_FORMAT` the format is `pretty` on a terminal and `json` otherwise.
 * Level and format names are case-insensitive; anything else throws `LogConfigError` naming the
 * variable.
 */
export function logConfigFromEnv(
  env: NodeJS.ProcessEnv = process.env,
  isTTY: boolean = process.stdout.isTTY === true,
): LogConfig {
  const config: LogConfig = {};

  const level = readEnv(env, 'LOG_LEVEL');
  if (level !== undefined) {
    const normalized = level.toLowerCase();
    if (!isLogLevel(normalized)) throw oneOf('LOG_LEVEL', LOG_LEVELS, level);
    config.level = normalized;
  }

  const format = readEnv(env, 'LOG_FORMAT');
  if (format === undefined) {
    config.format = isTTY ? 'pretty' : 'json';
  } else {
    const normalized = format.toLowerCase();
    if (!isLogFormat(normalized)) throw oneOf('LOG_FORMAT', LOG_FORMATS, format);
    config.format = normalized;
  }

  const redact = readEnv(env, 'LOG_REDACT');
  if (redact !== undefined) {
    config.redact = redact
      .split(',')
      .map((key) => key.trim())
      .filter((key) => key !== '');
  }

  // https://no-color.org: present and not empty disables colour, whatever else is set.
  const forceColor = readEnv(env, 'FORCE_COLOR');
  if (readEnv(env, 'NO_COLOR') !== undefined) config.colorize = false;
  else if (forceColor !== undefined) config.colorize = forceColor !== '0' && forceColor.toLowerCase() !== 'false';

  return config;
}

/** Checks a `LogConfig` built in code or from a file; the same errors as the environment. */
export function validateLogConfig(config: LogConfig): void {
  if (config.level !== undefined && !isLogLevel(config.level)) throw oneOf('level', LOG_LEVELS, config.level);
  if (config.format !== undefined && !isLogFormat(config.format)) throw oneOf('format', LOG_FORMATS, config.format);
  const dest: unknown = config.destination;
  if (
    dest !== undefined &&
    !(typeof dest === 'number' && Number.isInteger(dest) && dest >= 0) &&
    !(typeof dest === 'object' && dest !== null && typeof (dest as { write?: unknown }).write === 'function')
  ) {
    throw new LogConfigError('destination must be a file descriptor or a writable stream', { setting: 'destination' });
  }
  if (config.redact !== undefined && !(Array.isArray(config.redact) && config.redact.every((k) => typeof k === 'string'))) {
    throw new LogConfigError('redact must be an array of key names', { setting: 'redact' });
  }
}
