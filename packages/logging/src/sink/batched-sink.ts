import { flushOnExit } from './exit-hooks.js';

/** What a `BatchedSink` hands its batches to: a descriptor, or a file that rotates. */
export interface BatchTarget {
  /** Writes the whole batch synchronously. */
  writeBatch(data: Buffer): void;
  close(): void;
}

export interface BatchedSinkOptions {
  /** A batch is written as soon as it holds this many UTF-16 units. Default 64 Ki. */
  highWaterMark?: number;
  /** Turns a batch into the bytes written. Default UTF-8; JSON lines use `encodeJsonBatch`. */
  encode?: (batch: string) => Buffer;
}

const DEFAULT_HIGH_WATER_MARK = 64 * 1024;

/**
 * The destination pino writes lines to: lines are appended to one pending string and handed to
 * the target in one synchronous write when it reaches `highWaterMark`, at the end of the current
 * turn of the event loop, on `flush()`, and when the process ends (exit, uncaught exception,
 * SIGTERM / SIGINT / SIGHUP; see exit-hooks.ts).
 *
 * Why this and not pino's asynchronous sonic-boom: sonic-boom recounts the bytes of its whole
 * growing buffer (`Buffer.byteLength`) on each write, about half its CPU in a profile, and loses
 * what is buffered at `process.exit()` unless flushed by hand. Here the pending size is a running
 * count of string length (no encoding per line), the one encoding happens per batch, and the
 * exit hooks write the pending batch synchronously. bench/logging.mjs measures the difference.
 */
export class BatchedSink {
  readonly #target: BatchTarget;
  readonly #highWaterMark: number;
  readonly #encode: (batch: string) => Buffer;
  readonly #unhook: () => void;
  #pending = '';
  #scheduled = false;
  #closed = false;
  readonly #onTurnEnd = (): void => {
    this.#scheduled = false;
    this.flushSync();
  };

  constructor(target: BatchTarget, options: BatchedSinkOptions = {}) {
    this.#target = target;
    this.#highWaterMark = options.highWaterMark ?? DEFAULT_HIGH_WATER_MARK;
    this.#encode = options.encode ?? ((batch) => Buffer.from(batch, 'utf8'));
    this.#unhook = flushOnExit(this);
  }

  write(line: string): boolean {
    if (this.#closed) return false;
    this.#pending += line;
    if (this.#pending.length >= this.#highWaterMark) {
      this.flushSync();
    } else if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(this.#onTurnEnd).unref();
    }
    return true;
  }

  /**
   * Writes the pending batch now. A failing destination never throws into the code that logs:
   * the batch is dropped and the first failure of each kind is reported once as a process
   * warning (on stderr). A reader that went away (EPIPE, as with `| head`) is not an error.
   */
  flushSync(): void {
    if (this.#pending === '') return;
    const batch = this.#pending;
    this.#pending = '';
    try {
      this.#target.writeBatch(this.#encode(batch));
    } catch (err) {
      this.#dropped(err);
    }
  }

  #warned = new Set<string>();

  #dropped(err: unknown): void {
    const code = String((err as NodeJS.ErrnoException).code ?? 'unknown');
    if (code === 'EPIPE' || this.#warned.has(code)) return;
    this.#warned.add(code);
    process.emitWarning(`log lines dropped: ${(err as Error).message}`, { code: 'TSFORGE_LOG_WRITE_FAILED' });
  }

  /** pino's `logger.flush(cb)` and `flushLogger()` land here. */
  flush(cb?: (err?: Error | null) => void): void {
    this.flushSync();
    cb?.(null);
  }

  /** Flushes, closes the target and stops listening for the process's end. Later writes are dropped. */
  end(): void {
    if (this.#closed) return;
    this.flushSync();
    this.#closed = true;
    this.#unhook();
    this.#target.close();
  }
}
