import { join } from 'node:path';
import { isatty } from 'node:tty';
import type { LogConfig } from './config.js';
import { encodeJsonBatch } from './escape.js';
import type { LogFormat } from './levels.js';
import { BatchedSink, type BatchTarget } from './sink/batched-sink.js';
import { FdTarget } from './sink/fd-target.js';
import { RotatingFile, type RotatingFileOptions } from './sink/rotating-file.js';
import { LogConfigError } from './errors.js';

export type LineSink = NodeJS.WritableStream;

export interface Destination {
  stream: LineSink;
  isTTY: boolean;
  /** JSON lines are escaped per batch by the sink (see `escapeJsonLine`), not per line. */
  escapesJsonLines: boolean;
  /** Writes pending lines now; nothing to do for a caller's stream. */
  flushSync(): void;
  /** Flushes and closes what this destination opened; a caller's stream is left open. */
  close(): void;
}

/** Each batch to every target, in order. */
class Targets implements BatchTarget {
  readonly #targets: BatchTarget[];
  constructor(targets: BatchTarget[]) {
    this.#targets = targets;
  }
  writeBatch(data: Buffer): void {
    for (const target of this.#targets) target.writeBatch(data);
  }
  close(): void {
    for (const target of this.#targets) target.close();
  }
}

function fileTarget(config: LogConfig): RotatingFile | undefined {
  const now = config.now === undefined ? {} : { now: config.now };
  if (config.file !== undefined) return openFile('file', { ...config.rotate, ...now, path: config.file });
  if (config.logDir !== undefined) {
    return openFile('logDir', { daily: true, keep: 7, ...config.rotate, ...now, path: join(config.logDir, config.fileName ?? 'app.log') });
  }
  return undefined;
}

/** A log file that cannot be opened is a configuration error at startup, naming the path and why. */
function openFile(setting: string, options: RotatingFileOptions): RotatingFile {
  try {
    return new RotatingFile(options);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    throw new LogConfigError(`cannot open the log file ${JSON.stringify(options.path)} (${code})`, { setting, cause: err });
  }
}

function batched(target: BatchTarget, isTTY: boolean, format: LogFormat | undefined): Destination {
  const json = (format ?? 'json') === 'json';
  const sink = new BatchedSink(target, json ? { encode: encodeJsonBatch } : {});
  return { stream: sink as unknown as LineSink, isTTY, escapesJsonLines: json, flushSync: () => sink.flushSync(), close: () => sink.end() };
}

/**
 * Descriptors and files are written by a `BatchedSink`: synchronous writes of whole batches,
 * flushed at the end of each event-loop turn and when the process ends, so nothing is lost at
 * `process.exit()`, an uncaught exception or SIGTERM. A stream is written as it is.
 */
export function openDestination(config: LogConfig): Destination {
  const dest = config.destination;
  if (typeof dest === 'number') return batched(new FdTarget(dest), isatty(dest), config.format);
  if (dest !== undefined) {
    return { stream: dest, isTTY: (dest as { isTTY?: unknown }).isTTY === true, escapesJsonLines: false, flushSync: () => {}, close: () => {} };
  }

  const file = fileTarget(config);
  const stdout = config.stdout ?? file === undefined;
  const targets: BatchTarget[] = [];
  if (stdout) targets.push(new FdTarget(1));
  if (file !== undefined) targets.push(file);
  // Colour only when every line goes to a terminal: never into a file.
  return batched(targets.length === 1 ? (targets[0] as BatchTarget) : new Targets(targets), stdout && file === undefined && isatty(1), config.format);
}
