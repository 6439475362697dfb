import type { Histogram as PromHistogram } from 'prom-client';
import type { Labels } from './labels.js';

/** Stops a timer started by `startTimer`, records the elapsed seconds and returns them. */
export type StopTimer<L extends string> = (labels?: Labels<L>) => number;

/** One series of a histogram, bound to its label values once (see `Histogram.labels`). */
export interface HistogramSeries<L extends string = string> {
  observe(value: number): void;
  startTimer(): StopTimer<L>;
}

/**
 * A distribution (request latency, payload size) counted into fixed cumulative buckets, so
 * quantiles can be computed across instances with `histogram_quantile`.
 */
export class Histogram<L extends string = string> {
  readonly #metric: PromHistogram<L>;

  readonly name: string;

  /** Use `Metrics.histogram()`, which validates and registers the metric. */
  constructor(metric: PromHistogram<L>, name: string) {
    this.#metric = metric;
    this.name = name;
  }

  get prom(): PromHistogram<L> {
    return this.#metric;
  }

  /** Records one observation; NaN is a `TypeError` (it would poison `_sum` for good). */
  observe(value: number, labels?: Labels<L>): void {
    if (typeof value !== 'number' || Number.isNaN(value)) throw new TypeError(`histogram observation must be a number, got ${String(value)}`);
    this.#metric.observe(labels ?? {}, value);
  }

  /** Starts a timer; the returned function records the elapsed seconds, with `labels` merged into the start labels. */
  startTimer(labels?: Labels<L>): StopTimer<L> {
    return this.#metric.startTimer(labels);
  }

  /** Creates the series for these labels with every bucket at 0, so it is exported before its first observation. */
  zero(labels: Labels<L>): void {
    this.#metric.zero(labels);
  }

  labels(labels: Labels<L>): HistogramSeries<L> {
    const bound = { ...labels };
    const metric = this.#metric;
    return {
      observe: (value) => this.observe(value, bound),
      startTimer: () => metric.startTimer(bound),
    };
  }

  remove(labels: Labels<L>): void {
    this.#metric.remove(labels);
  }
}
