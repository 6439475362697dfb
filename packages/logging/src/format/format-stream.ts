import { escapeControlChars } from '../escape.js';
import { flushStream } from '../flush.js';
import type { LogRecord } from './render.js';

/** Turns one parsed JSON log line into one human-readable line (without the newline). */
export type LineFormatter = (record: LogRecord) => string;

/**
 * The stream pino writes JSON lines to when the format is `pretty` or `compact`: each line is
 * parsed, formatted and written to the real destination in the same call, so a synchronous
 * destination stays synchronous.
 */
export class FormatStream {
  readonly #target: NodeJS.WritableStream;
  readonly #format: LineFormatter;

  constructor(target: NodeJS.WritableStream, format: LineFormatter) {
    this.#target = target;
    this.#format = format;
  }

  write(chunk: string | Uint8Array): boolean {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    let out = '';
    for (const line of text.split('\n')) {
      if (line !== '') out += `${this.#formatLine(line)}\n`;
    }
    return out === '' ? true : this.#target.write(out);
  }

  /** pino calls this after a `fatal` line; passed on so the formats flush like JSON does. */
  flushSync(): void {
    const target = this.#target as { flushSync?: () => void };
    if (typeof target.flushSync === 'function') target.flushSync();
  }

  flush(cb: (err?: Error | null) => void): void {
    flushStream(this.#target).then(() => cb(), cb);
  }

  #formatLine(line: string): string {
    try {
      const record: unknown = JSON.parse(line);
      if (typeof record === 'object' && record !== null && !Array.isArray(record)) {
        return this.#format(record as LogRecord);
      }
    } catch {
      // Not JSON (a foreign writer on the same stream): pass it on, escaped.
    }
    return escapeControlChars(line);
  }
}
