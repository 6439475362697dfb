export type LogConfigErrorCode = 'E_LOG_CONFIG';

export interface LogConfigErrorOptions {
  /** The environment variable or `LogConfig` option that is wrong, e.g. `LOG_LEVEL` or `level`. */
  setting: string;
  cause?: unknown;
}

/**
 * A logger cannot be built from the configuration it was given. Raised at startup, never while
 * logging, so a misconfigured process fails fast instead of running blind.
 */
export class LogConfigError extends Error {
  readonly code: LogConfigErrorCode = 'E_LOG_CONFIG';
  readonly status = 500;
  readonly expose = false;
  readonly setting: string;

  constructor(message: string, options: LogConfigErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'LogConfigError';
    this.setting = options.setting;
  }
}

/** Quotes a configuration value for an error message: bounded and free of control characters. */
export function describeValue(value: unknown): string {
  const text = typeof value === 'string' ? value : String(value);
  const clipped = text.length > 40 ? `${text.slice(0, 40)}...` : text;
  return JSON.stringify(clipped).replace(/[\u007f-\u009f\u2028\u2029]/g, '?');
}
