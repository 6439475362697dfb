import type { Counter as PromCounter } from 'prom-client';
import { assertAmount, seriesValue, type Labels } from './labels.js';

/** One series of a counter, bound to its label values once (see `Counter.labels`). */
export interface CounterSeries {
  inc(): void;
  incBy(amount: number): void;
}

/**
 * A value that only goes up (requests served, bytes written). Resets to zero only when the
 * process restarts, which `rate()` in PromQL understands.
 */
export class Counter<L extends string = string> {
  readonly #metric: PromCounter<L>;

  readonly name: string;

  /** Use `Metrics.counter()`, which validates and registers the metric. */
  constructor(metric: PromCounter<L>, name: string) {
    this.#metric = metric;
    this.name = name;
  }

  /** The prom-client metric underneath, for what this API does not cover (exemplars, aggregation). */
  get prom(): PromCounter<L> {
    return this.#metric;
  }

  inc(labels?: Labels<L>): void {
    if (labels === undefined) this.#metric.inc(1);
    else this.#metric.inc(labels, 1);
  }

  /** Adds `amount`; a negative, NaN or infinite amount is a `TypeError` (counters only go up). */
  incBy(amount: number, labels?: Labels<L>): void {
    assertAmount('counter increment', amount, false);
    if (labels === undefined) this.#metric.inc(amount);
    else this.#metric.inc(labels, amount);
  }

  /** The current value of the series with exactly these labels (0 if it has never been touched). */
  async get(labels?: Labels<L>): Promise<number> {
    return seriesValue(await this.#metric.get(), labels);
  }

  labels(labels: Labels<L>): CounterSeries {
    const metric = this.#metric;
    const bound = { ...labels };
    return {
      inc: () => metric.inc(bound, 1),
      incBy: (amount) => {
        assertAmount('counter increment', amount, false);
        metric.inc(bound, amount);
      },
    };
  }

  /** Drops one series (e.g. for a label value that no longer exists). */
  remove(labels: Labels<L>): void {
    this.#metric.remove(labels);
  }
}
