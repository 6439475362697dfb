import { Counter as PromCounter, Gauge as PromGauge, Histogram as PromHistogram, Registry } from 'prom-client';
import { Counter } from './counter.js';
import { Gauge } from './gauge.js';
import { Histogram } from './histogram.js';
import { conflict } from './errors.js';
import { collidingFamily, difference, type MetricDefinition, type MetricType } from './definition.js';
import { render, type Exposition } from './exposition.js';
import { negotiateFormat, type ExpositionFormat } from './negotiation.js';
import { collectProcessMetrics, type StopProcessMetrics } from './process-metrics.js';
import { assertBuckets, assertLabelName, assertLabelNames, assertMetricName, assertPrefix } from './validation.js';

export interface MetricsOptions {
  /** Prepended to every metric name created through this instance, process metrics included. */
  prefix?: string;
  /** Added to every series of this registry (e.g. `{ service: 'api' }`); a metric's own label of the same name wins. */
  defaultLabels?: Record<string, string>;
  /** Register the process and Node.js metrics (CPU, memory, event loop, GC) on this registry. Default true. */
  processMetrics?: boolean;
}

export interface ScrapeOptions {
  /** The scraper's `Accept` header: OpenMetrics 1.0 when it prefers that, else Prometheus text 0.0.4. */
  accept?: string | readonly string[] | undefined;
  /** A format to use regardless of `accept`. */
  format?: ExpositionFormat;
}

export interface MetricOptions<L extends string = string> {
  name: string;
  help: string;
  labelNames?: readonly L[];
}

export interface HistogramOptions<L extends string = string> extends MetricOptions<L> {
  buckets?: number[];
}

/** prom-client's default histogram buckets, used when a histogram names none. */
export const DEFAULT_BUCKETS: readonly number[] = Object.freeze([0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]);

type AnyMetric = Counter<string> | Gauge<string> | Histogram<string>;

const FORMATS: readonly ExpositionFormat[] = ['prometheus', 'openmetrics'];

/**
 * One Prometheus registry and the metrics defined on it. Every metric is
 * get-or-create by name, so independent modules can ask for the same metric;
 * definitions that disagree are refused instead of silently sharing a family.
 */
export class Metrics {
  readonly registry: Registry;
  readonly prefix: string;
  readonly #defaultLabels: Readonly<Record<string, string>>;
  #definitions = new Map<string, { definition: MetricDefinition; metric: AnyMetric }>();
  #stopProcessMetrics: StopProcessMetrics | undefined;

  constructor(options: MetricsOptions = {}) {
    const prefix = options.prefix ?? '';
    assertPrefix(prefix);
    this.prefix = prefix;
    this.registry = new Registry();

    const defaultLabels = options.defaultLabels ?? {};
    for (const [name, value] of Object.entries(defaultLabels)) {
      assertLabelName(name);
      if (typeof value !== 'string') throw new TypeError(`default label ${name} must have a string value`);
    }
    this.#defaultLabels = Object.freeze({ ...defaultLabels });
    if (Object.keys(defaultLabels).length > 0) this.registry.setDefaultLabels({ ...defaultLabels });

    if (options.processMetrics ?? true) {
      this.#stopProcessMetrics = collectProcessMetrics(this.registry, prefix);
    }
  }

  counter<L extends string = string>(o: MetricOptions<L>): Counter<L> {
    const definition = this.#define('counter', o);
    return this.#getOrCreate(definition, () =>
      new Counter(new PromCounter<L>({ name: definition.name, help: o.help, labelNames: definition.labelNames as L[], registers: [this.registry] }), definition.name),
    ) as unknown as Counter<L>;
  }

  gauge<L extends string = string>(o: MetricOptions<L>): Gauge<L> {
    const definition = this.#define('gauge', o);
    return this.#getOrCreate(definition, () =>
      new Gauge(new PromGauge<L>({ name: definition.name, help: o.help, labelNames: definition.labelNames as L[], registers: [this.registry] }), definition.name),
    ) as unknown as Gauge<L>;
  }

  histogram<L extends string = string>(o: HistogramOptions<L>): Histogram<L> {
    const definition = this.#define('histogram', o, o.buckets === undefined ? [...DEFAULT_BUCKETS] : assertBuckets(o.buckets));
    return this.#getOrCreate(definition, () =>
      new Histogram(new PromHistogram<L>({
        name: definition.name,
        help: o.help,
        labelNames: definition.labelNames as L[],
        buckets: [...(definition.buckets ?? [])],
        registers: [this.registry],
      }), definition.name),
    ) as unknown as Histogram<L>;
  }

  /**
   * The whole registry as one exposition: Prometheus text 0.0.4 unless `accept` prefers
   * OpenMetrics 1.0 (or `format` says which), with the exact content type of the format.
   */
  scrape(options: ScrapeOptions = {}): Promise<Exposition> {
    if (options.format !== undefined && !FORMATS.includes(options.format)) {
      throw new TypeError(`format must be one of ${FORMATS.join(', ')}, got ${String(options.format)}`);
    }
    return render(this.registry, options.format ?? negotiateFormat(options.accept), this.#defaultLabels);
  }

  /** Stops the background monitors of process metrics. The registry stays readable. Idempotent. */
  close(): void {
    this.#stopProcessMetrics?.();
    this.#stopProcessMetrics = undefined;
  }

  #define(type: MetricType, o: MetricOptions, buckets?: number[]): MetricDefinition {
    if (o === null || typeof o !== 'object') throw new TypeError(`${type} options must be an object`);
    assertMetricName(o.name);
    const name = this.prefix + o.name;
    assertMetricName(name);
    if (typeof o.help !== 'string' || o.help === '') throw new TypeError(`metric ${name} needs a non-empty help text`);
    const labelNames = assertLabelNames(o.labelNames ?? [], type === 'histogram' ? ['le'] : []);
    return buckets === undefined ? { type, name, help: o.help, labelNames } : { type, name, help: o.help, labelNames, buckets };
  }

  #getOrCreate(definition: MetricDefinition, create: () => AnyMetric): AnyMetric {
    const known = this.#definitions.get(definition.name);
    if (known) {
      const why = difference(known.definition, definition);
      if (why !== undefined) throw conflict(definition.name, why);
      return known.metric;
    }
    if (this.registry.getSingleMetric(definition.name)) {
      throw conflict(definition.name, 'the name is taken by a process metric');
    }
    const registered = this.registry.getMetricsAsArray().map((m) => ({ type: String(m.type) as MetricType, name: m.name }));
    const clash = collidingFamily(definition, registered);
    if (clash !== undefined) {
      throw conflict(definition.name, `its samples would share names with the samples of ${clash}`);
    }
    const metric = create();
    this.#definitions.set(definition.name, { definition, metric });
    return metric;
  }
}
