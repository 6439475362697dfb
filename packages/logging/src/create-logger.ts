import pino from 'pino';
import { redactChildBindings } from './child-bindings.js';
import { validateLogConfig, type LogConfig } from './config.js';
import { openDestination, type Destination } from './destination.js';
import { escapeJsonLine } from './escape.js';
import { isoTimestamp } from './iso-time.js';
import { compactFormatter } from './format/compact.js';
import { FormatStream } from './format/format-stream.js';
import { prettyFormatter } from './format/pretty.js';
import { createRedactor } from './redact.js';
import type { RequestContext } from './request-context.js';
import { passThroughSerializedError } from './serialize-error.js';

export type Logger = import('pino').Logger;

// https://no-color.org: honoured even when the config did not come from `logConfigFromEnv`.
const noColor = (): boolean => (process.env.NO_COLOR ?? '') !== '';

const NO_FIELDS: Readonly<Record<string, unknown>> = Object.freeze({});

// pino's default merge is `Object.assign(mixinResult, callFields)`, which would write into the
// request's own fields object; a spread-then-assign copy measured ~3 µs per call on Node 20 in a
// micro-benchmark, this loop ~0.1 µs (bench/log-call.mjs has the whole call). Call fields win.
function mergeContextFields(callFields: object, contextFields: object): object {
  const merged: Record<string, unknown> = {};
  for (const key in contextFields) merged[key] = (contextFields as Record<string, unknown>)[key];
  for (const key in callFields) merged[key] = (callFields as Record<string, unknown>)[key];
  return merged;
}

function contextMixin(context: RequestContext | undefined): object {
  if (context === undefined) return {};
  return {
    mixin: () => context.current() ?? NO_FIELDS,
    mixinMergeStrategy: mergeContextFields,
  };
}

/**
 * A pino logger that writes one JSON object per line (`level` as its label, `time` as ISO-8601,
 * `msg`), or a one-line `pretty` / `compact` rendering. Secrets are censored by key name at any
 * depth in call fields and in bindings; errors anywhere in a line become plain data with their
 * `cause` chain and an AggregateError's `errors`.
 */
export function createLogger(config: LogConfig = {}): Logger {
  validateLogConfig(config);
  return buildLogger(config, openDestination(config));
}

/** `createLogger` on a destination already opened (and validated): `initLogging` keeps it to close. */
export function buildLogger(config: LogConfig, { stream, isTTY, escapesJsonLines }: Destination): Logger {
  const format = config.format ?? 'json';
  const redact = createRedactor(config.redact);

  const output =
    format === 'json'
      ? stream
      : new FormatStream(
          stream,
          format === 'pretty' ? prettyFormatter({ colorize: config.colorize ?? (isTTY && !noColor()) }) : compactFormatter(),
        );

  const logger = pino(
    {
      level: config.level ?? 'info',
      base: config.base ?? null,
      messageKey: 'msg',
      errorKey: 'err',
      timestamp: isoTimestamp(config.now),
      formatters: {
        level: (label) => ({ level: label }),
        bindings: (bindings) => redact(bindings),
        log: (object) => redact(object),
      },
      serializers: { err: passThroughSerializedError },
      ...contextMixin(config.requestId === false ? undefined : config.context),
      // Only the JSON format writes pino's line as is; the others re-render and escape it. A
      // batched sink escapes whole batches: one scan per 64 KiB instead of a call per line.
      ...(format === 'json' && !escapesJsonLines ? { hooks: { streamWrite: escapeJsonLine } } : {}),
    },
    output as pino.DestinationStream,
  );
  redactChildBindings(logger, redact);
  return logger;
}
