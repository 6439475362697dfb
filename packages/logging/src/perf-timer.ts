import type { Logger } from './create-logger.js';
import type { LogLevel } from './levels.js';

export interface PerfTimerOptions {
  /** Where `stop()` writes its line. Without one, `stop()` only returns the duration. */
  logger?: Logger;
  /** Default `'info'`. */
  level?: Exclude<LogLevel, 'silent'>;
  /** Milliseconds from an arbitrary origin. Default `performance.now`. */
  now?: () => number;
}

/**
 * Measures one operation: `PerfTimer.start('db.query', { logger })`, then `elapsed()` while it
 * runs and `stop()` at the end, which writes `{ timer, duration_ms, ...fields }` once (inside a
 * request, with the request's fields like any line) and returns the milliseconds.
 */
export class PerfTimer {
  readonly name: string;
  readonly #logger: Logger | undefined;
  readonly #level: Exclude<LogLevel, 'silent'>;
  readonly #now: () => number;
  readonly #startedAt: number;
  #stoppedAfter: number | undefined;

  private constructor(name: string, options: PerfTimerOptions) {
    this.name = name;
    this.#logger = options.logger;
    this.#level = options.level ?? 'info';
    this.#now = options.now ?? (() => performance.now());
    this.#startedAt = this.#now();
  }

  static start(name: string, options: PerfTimerOptions = {}): PerfTimer {
    return new PerfTimer(name, options);
  }

  /** Milliseconds since `start`, or the final duration once stopped. */
  elapsed(): number {
    return this.#stoppedAfter ?? this.#now() - this.#startedAt;
  }

  get stopped(): boolean {
    return this.#stoppedAfter !== undefined;
  }

  /** Ends the measure and writes its line; later calls return the same duration and write nothing. */
  stop(fields: Record<string, unknown> = {}, msg = `${this.name} finished`): number {
    if (this.#stoppedAfter !== undefined) return this.#stoppedAfter;
    const duration = this.#now() - this.#startedAt;
    this.#stoppedAfter = duration;
    // Microsecond precision: enough for any log reader, and stable in tests.
    const durationMs = Math.round(duration * 1000) / 1000;
    this.#logger?.[this.#level]({ ...fields, timer: this.name, duration_ms: durationMs }, msg);
    return duration;
  }
}
