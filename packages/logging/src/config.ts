import { LogConfigError, describeValue } from './errors.js';
import { parseLevelSpec } from './level-spec.js';
import { LOG_FORMATS, LOG_LEVELS, isLogFormat, isLogLevel, type LogFormat, type LogLevel } from './levels.js';
import type { RequestContext } from './request-context.js';
import type { RotationOptions } from './sink/rotating-file.js';

export type { RotationOptions } from './sink/rotating-file.js';

export interface LogConfig {
  /** Default `'info'`. */
  level?: LogLevel;
  /** Levels of module loggers (`logging.module('storage')`) that differ from `level`. */
  modules?: Record<string, LogLevel>;
  /** Default `'json'`. */
  format?: LogFormat;
  /** Write to standard output. Default: true unless `file` or `logDir` is set. */
  stdout?: boolean;
  /** Append to this file (directories are created). */
  file?: string;
  /**
   * Directory mode: write `<logDir>/<fileName>`, rotated daily and keeping 7 files unless
   * `rotate` says otherwise.
   */
  logDir?: string;
  /** The file name in `logDir`. Default `app.log`. */
  fileName?: string;
  /** Rotation of `file` (default none) or of the file in `logDir` (default daily, keep 7). */
  rotate?: RotationOptions;
  /**
   * A file descriptor or any writable stream, instead of `stdout` / `file` / `logDir`. A number
   * is written synchronously in batches (see README, "Nothing lost"); a stream is written as it is.
   */
  destination?: NodeJS.WritableStream | number;
  /** Request fields (`request_id`, `trace_id`, `span_id`) on every line in a request. Default true. */
  requestId?: boolean;
  /** `PerfTimer.stop()` writes its `duration_ms` line. Default true. */
  timing?: boolean;
  /** Key names to censor in addition to `DEFAULT_REDACT_KEYS`. */
  redact?: string[];
  /** The request context lines read their request fields from. `initLogging` makes one if absent. */
  context?: RequestContext;
  /** Fields on every line, e.g. `{ service: 'tsforge' }`. Default none: no `pid` or `hostname`. */
  base?: Record<string, unknown>;
  /** ANSI colours in the pretty format. Default: when the destination is a TTY. */
  colorize?: boolean;
  /** Milliseconds since the epoch for each line's `time` and for daily rotation. Default `Date.now`. */
  now?: () => number;
}

function oneOf(name: string, allowed: readonly string[], value: string): LogConfigError {
  return new LogConfigError(`${name} must be one of ${allowed.join(', ')}; got ${describeValue(value)}`, {
    setting: name,
  });
}

/** Every environment variable `logConfigFromEnv` reads: an application's help can list them all. */
export const LOG_ENV_NAMES = [
  'LOG_LEVEL', 'LOG_FORMAT', 'LOG_FILE', 'LOG_DIR', 'LOG_STDOUT', 'LOG_ROTATE', 'LOG_MAX_SIZE', 'LOG_KEEP', 'LOG_REDACT',
  'NO_COLOR', 'FORCE_COLOR',
] as const;

export type LogEnvName = (typeof LOG_ENV_NAMES)[number];

function readEnv(env: NodeJS.ProcessEnv, name: LogEnvName): string | undefined {
  const raw = env[name]?.trim();
  return raw === undefined || raw === '' ? undefined : raw;
}

const SIZE = /^(\d+)\s*([kmg]?)i?b?$/i;
const UNITS: Record<string, number> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

function readSize(env: NodeJS.ProcessEnv, name: LogEnvName): number | undefined {
  const raw = readEnv(env, name);
  if (raw === undefined) return undefined;
  const match = SIZE.exec(raw);
  const bytes = match ? Number(match[1]) * (UNITS[(match[2] ?? '').toLowerCase()] ?? 1) : NaN;
  if (!(bytes > 0)) throw new LogConfigError(`${name} must be a size such as 10485760, 512k, 50M or 1G; got ${describeValue(raw)}`, { setting: name });
  return bytes;
}

function readCount(env: NodeJS.ProcessEnv, name: LogEnvName): number | undefined {
  const raw = readEnv(env, name);
  if (raw === undefined) return undefined;
  if (!/^\d{1,6}$/.test(raw)) throw new LogConfigError(`${name} must be a whole number; got ${describeValue(raw)}`, { setting: name });
  return Number(raw);
}

function readBoolean(env: NodeJS.ProcessEnv, name: LogEnvName): boolean | undefined {
  const raw = readEnv(env, name)?.toLowerCase();
  if (raw === undefined) return undefined;
  if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
  if (['0', 'false', 'no', 'off'].includes(raw)) return false;
  throw new LogConfigError(`${name} must be true or false; got ${describeValue(raw)}`, { setting: name });
}

/**
 * The configuration from environment variables (see the README's table): `LOG_LEVEL` (with
 * per-module levels, `info,storage=debug`), `LOG_FORMAT`, `LOG_FILE`, `LOG_DIR`, `LOG_STDOUT`,
 * `LOG_ROTATE`, `LOG_MAX_SIZE`, `LOG_KEEP`, `LOG_REDACT`, `NO_COLOR`, `FORCE_COLOR`. Without
 * `LOG_FORMAT` the format is `pretty` on a terminal and `json` otherwise. Anything invalid throws
 * `LogConfigError` naming the variable.
 */
export function logConfigFromEnv(
  env: NodeJS.ProcessEnv = process.env,
  isTTY: boolean = process.stdout.isTTY === true,
): LogConfig {
  const config: LogConfig = {};

  const levelSpec = readEnv(env, 'LOG_LEVEL');
  if (levelSpec !== undefined) {
    const { level, modules } = parseLevelSpec(levelSpec, 'LOG_LEVEL');
    if (level !== undefined) config.level = level;
    if (Object.keys(modules).length > 0) config.modules = modules;
  }

  const format = readEnv(env, 'LOG_FORMAT');
  if (format === undefined) {
    config.format = isTTY ? 'pretty' : 'json';
  } else {
    const normalized = format.toLowerCase();
    if (!isLogFormat(normalized)) throw oneOf('LOG_FORMAT', LOG_FORMATS, format);
    config.format = normalized;
  }

  const file = readEnv(env, 'LOG_FILE');
  if (file !== undefined) config.file = file;
  const logDir = readEnv(env, 'LOG_DIR');
  if (logDir !== undefined) config.logDir = logDir;
  if (file !== undefined && logDir !== undefined) {
    throw new LogConfigError('set LOG_FILE (one file) or LOG_DIR (DIR/app.log, rotated daily), not both', { setting: 'LOG_FILE' });
  }
  const stdout = readBoolean(env, 'LOG_STDOUT');
  if (stdout !== undefined) config.stdout = stdout;

  const rotate: RotationOptions = {};
  const rotateMode = readEnv(env, 'LOG_ROTATE')?.toLowerCase();
  if (rotateMode !== undefined) {
    if (rotateMode !== 'daily' && rotateMode !== 'none') throw oneOf('LOG_ROTATE', ['daily', 'none'], rotateMode);
    rotate.daily = rotateMode === 'daily';
  }
  const maxSize = readSize(env, 'LOG_MAX_SIZE');
  if (maxSize !== undefined) rotate.maxSize = maxSize;
  const keep = readCount(env, 'LOG_KEEP');
  if (keep !== undefined) rotate.keep = keep;
  if (Object.keys(rotate).length > 0) config.rotate = rotate;

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

/** `LogConfig.fromEnv()`: the seed's spelling of `logConfigFromEnv`. */
export const LogConfig = { fromEnv: logConfigFromEnv } as const;

// A key name to censor: what the redaction walk can honour. Paths (`req.headers.x`), wildcards
// and brackets are pino's fast-redact syntax, which this walk does not take: refusing them here
// beats a path that silently censors nothing.
const REDACT_KEY = /^[A-Za-z0-9_$@-]{1,128}$/;

/** Checks a `LogConfig` built in code or from a file; the same errors as the environment. */
export function validateLogConfig(config: LogConfig): void {
  if (config.level !== undefined && !isLogLevel(config.level)) throw oneOf('level', LOG_LEVELS, config.level);
  if (config.format !== undefined && !isLogFormat(config.format)) throw oneOf('format', LOG_FORMATS, config.format);
  for (const [name, level] of Object.entries(config.modules ?? {})) {
    if (!isLogLevel(level)) throw oneOf(`modules.${name}`, LOG_LEVELS, String(level));
  }
  const dest: unknown = config.destination;
  if (
    dest !== undefined &&
    !(typeof dest === 'number' && Number.isInteger(dest) && dest >= 0) &&
    !(typeof dest === 'object' && dest !== null && typeof (dest as { write?: unknown }).write === 'function')
  ) {
    throw new LogConfigError('destination must be a file descriptor or a writable stream', { setting: 'destination' });
  }
  if (dest !== undefined && (config.file !== undefined || config.logDir !== undefined)) {
    throw new LogConfigError('destination cannot be combined with file or logDir', { setting: 'destination' });
  }
  if (config.file !== undefined && config.logDir !== undefined) {
    throw new LogConfigError('set file or logDir, not both', { setting: 'file' });
  }
  for (const setting of ['file', 'logDir', 'fileName'] as const) {
    const value: unknown = config[setting];
    if (value !== undefined && (typeof value !== 'string' || value === '' || value.includes('\0'))) {
      throw new LogConfigError(`${setting} must be a non-empty path`, { setting });
    }
  }
  if (config.fileName !== undefined && /[/\\]/.test(config.fileName)) {
    throw new LogConfigError(`fileName must be a bare file name; got ${describeValue(config.fileName)}`, { setting: 'fileName' });
  }
  const { maxSize, keep } = config.rotate ?? {};
  if (maxSize !== undefined && !(Number.isFinite(maxSize) && maxSize > 0)) {
    throw new LogConfigError('rotate.maxSize must be a positive number of bytes', { setting: 'rotate.maxSize' });
  }
  if (keep !== undefined && !(Number.isInteger(keep) && keep >= 0)) {
    throw new LogConfigError('rotate.keep must be a whole number', { setting: 'rotate.keep' });
  }
  if (config.redact !== undefined) {
    if (!(Array.isArray(config.redact) && config.redact.every((k) => typeof k === 'string'))) {
      throw new LogConfigError('redact must be an array of key names', { setting: 'redact' });
    }
    for (const key of config.redact) {
      if (!REDACT_KEY.test(key)) {
        throw new LogConfigError(
          `redact entries are key names, censored at any depth; ${describeValue(key)} is a path or pattern this logger cannot honour`,
          { setting: 'redact' },
        );
      }
    }
  }
}
