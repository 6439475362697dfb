import pino from 'pino';
import type { Logger } from './create-logger.js';

/** A flat value of a fixed-shape line; `undefined` leaves the key out, as pino does. */
export type LineValue = string | number | boolean | null | undefined;

export type LineLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';

/** Writes lines whose keys are known in advance (see `createLineWriter`). */
export type LineWriter<K extends string> = (level: LineLevel, values: Readonly<Record<K, LineValue>>, msg: string) => void;

const {
  chindingsSym, endSym, formattersSym, hooksSym, levelValSym, lsCacheSym, messageKeySym, needsMetadataGsym, streamSym, timeSym,
} = pino.symbols;

// What the writer reads from a pino logger: parts pino keeps per instance, under the symbols it exports.
type Redact = (object: object) => object;
type StreamWrite = (line: string) => string;
interface PinoStream {
  write(line: string): unknown;
}

function read<T>(owner: object, symbol: symbol): T {
  return (owner as Record<symbol, T>)[symbol] as T;
}

/**
 * A writer for one shape of line, written often (an access log): the same JSON line that
 * `logger[level](values, msg)` would write, with what pino redoes on every call done once.
 *
 * pino serializes a logger's bindings once (its "chindings") but still walks each call's
 * object key by key, escaping every key and choosing a serializer per value: 1.6–3 µs for an
 * access line on Node 20; this writer writes the same line in 0.7–0.8 of that time
 * (bench/request-plumbing.mjs). Here
 * the keys are escaped once, values are flat, and the line is assembled from the logger's
 * own level label, timestamp and bindings, then passed through its redaction (`formatters.log`)
 * and `streamWrite` hook to its stream, so it reads exactly like any other line of that logger.
 *
 * The symbols are pino's public `pino.symbols`; test/line-writer.test.ts compares the output
 * with pino's own line byte for byte, so a pino release that changes them fails there first.
 *
 * Not taken over: the logger's `mixin` (the request context: write its fields in `values`) and
 * pino's multistream, which wants per-line metadata (such a logger is simply called).
 */
export function createLineWriter<K extends string>(logger: Logger, keys: readonly K[]): LineWriter<K> {
  const prefixes = keys.map((key) => `,${JSON.stringify(key)}:`);
  const redact = read<{ log?: Redact }>(logger, formattersSym).log;
  const msgPrefix = `,${JSON.stringify(read<string>(logger, messageKeySym))}:`;
  const end = read<string>(logger, endSym);
  const timestamp = read<() => string>(logger, timeSym);
  return (level, values, msg) => {
    const num = logger.levels.values[level] as number;
    // Read on each call: levels change at run time, and a child's bindings can be reset.
    if (num < read<number>(logger, levelValSym)) return;
    const stream = read<PinoStream>(logger, streamSym);
    if (read<boolean | undefined>(stream, needsMetadataGsym) === true) {
      (logger[level] as (object: object, msg: string) => void)(values, msg);
      return;
    }
    const fields = (redact === undefined ? values : redact(values)) as Readonly<Record<K, LineValue>>;
    let line = read<Record<number, string>>(logger, lsCacheSym)[num] + timestamp() + read<string>(logger, chindingsSym);
    for (let i = 0; i < keys.length; i++) {
      const value = fields[keys[i] as K];
      if (value !== undefined) line += prefixes[i] + serialize(value);
    }
    line += msgPrefix + JSON.stringify(msg) + end;
    const streamWrite = read<{ streamWrite?: StreamWrite }>(logger, hooksSym).streamWrite;
    stream.write(streamWrite === undefined ? line : streamWrite(line));
  };
}

function serialize(value: string | number | boolean | null): string {
  if (typeof value === 'string') return JSON.stringify(value);
  // As pino and JSON.stringify: NaN and the infinities are null.
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : 'null';
  return String(value);
}

