export type MetricsErrorCode = 'E_INVALID_NAME' | 'E_METRIC_CONFLICT';

export interface MetricsErrorOptions {
  /** The metric or label name the error is about; never a label value. */
  readonly subject: string;
  readonly cause?: unknown;
}

/**
 * A metric definition was refused. Both codes are programming errors of the
 * application (a bad name, two call sites disagreeing about one metric), so
 * they carry HTTP status 500 and are not meant for a client to see.
 */
export class MetricsError extends Error {
  readonly code: MetricsErrorCode;
  readonly status = 500;
  readonly expose = false;
  readonly subject: string;

  constructor(code: MetricsErrorCode, message: string, options: MetricsErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'MetricsError';
    this.code = code;
    this.subject = options.subject;
  }
}

export function invalidName(kind: 'metric' | 'label' | 'prefix', name: string, why: string): MetricsError {
  return new MetricsError('E_INVALID_NAME', `invalid ${kind} name ${JSON.stringify(name)}: ${why}`, {
    subject: name,
  });
}

export function conflict(name: string, why: string): MetricsError {
  return new MetricsError('E_METRIC_CONFLICT', `metric ${JSON.stringify(name)} conflicts with an existing registration: ${why}`, {
    subject: name,
  });
}
