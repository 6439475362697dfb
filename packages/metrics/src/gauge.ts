import type { Gauge as PromGauge } from 'prom-client';
import { assertAmount, seriesValue, type Labels } from './labels.js';

/**
 * A value that goes up and down (open connections, queue depth). `set` accepts NaN and ±Inf,
 * which the exposition spells `NaN`, `+Inf` and `-Inf`; the relative operations need finite numbers.
 */
export class Gauge<L extends string = string> {
  readonly #metric: PromGauge<L>;

  readonly name: string;

  /** Use `Metrics.gauge()`, which validates and registers the metric. */
  constructor(metric: PromGauge<L>, name: string) {
    this.#metric = metric;
    this.name = name;
  }

  get prom(): PromGauge<L> {
    return this.#metric;
  }

  set(value: number, labels?: Labels<L>): void {
    if (typeof value !== 'number') throw new TypeError(`gauge value must be a number, got ${typeof value}`);
    if (labels === undefined) this.#metric.set(value);
    else this.#metric.set(labels, value);
  }

  inc(labels?: Labels<L>): void {
    this.#add(1, labels);
  }

  dec(labels?: Labels<L>): void {
    this.#add(-1, labels);
  }

  add(amount: number, labels?: Labels<L>): void {
    assertAmount('gauge amount', amount, true);
    this.#add(amount, labels);
  }

  sub(amount: number, labels?: Labels<L>): void {
    assertAmount('gauge amount', amount, true);
    this.#add(-amount, labels);
  }

  async get(labels?: Labels<L>): Promise<number> {
    return seriesValue(await this.#metric.get(), labels);
  }

  remove(labels: Labels<L>): void {
    this.#metric.remove(labels);
  }

  #add(amount: number, labels: Labels<L> | undefined): void {
    if (labels === undefined) this.#metric.inc(amount);
    else this.#metric.inc(labels, amount);
  }
}
