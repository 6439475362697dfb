import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { conflict } from './errors.js';
import { collidingFamily, difference, type MetricDefinition, type MetricType } from './definition.js';
import { renderText, type Exposition } from './exposition.js';
import { collectProcessMetrics, type StopProcessMetrics } from './process-metrics.js';
import { assertBuckets, assertLabelName, assertLabelNames, assertMetricName, assertPrefix } from './validation.js';

export interface MetricsOptions {
  /** Prepended to every metric name created through this instance, process metrics included. */
  prefix?: string;
  /** Added to every series of this registry (e.g. `{ service: 'api' }`); a metric's own label of the same name wins. */
  defaultLabels?: Record<string, string>;
  /** Register prom-client's process and Node.js metrics on this registry. Default true. */
  processMetrics?: boolean;
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

/**
 * One Prometheus registry and the metrics defined on it. Every metric is
 * get-or-create by name, so independent modules can ask for the same metric;
 * definitions that disagree are refused instead of silently sharing a family.
 */
export class Metrics {
  readonly registry: Registry;
  readonly prefix: string;
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
    if (Object.keys(defaultLabels).length > 0) this.registry.setDefaultLabels({ ...defaultLabels });

    if (options.processMetrics ?? true) {
      this.#stopProcessMetrics = collectProcessMetrics(this.registry, prefix);
    }
  }

  counter<L extends string = string>(o: MetricOptions<L>): Counter<L> {
    const definition = this.#define('counter', o);
    return this.#getOrCreate(definition, () =>
      new Counter<L>({ name: definition.name, help: o.help, labelNames: definition.labelNames as L[], registers: [this.registry] }),
    ) as Counter<L>;
  }

  gauge<L extends string = string>(o: MetricOptions<L>): Gauge<L> {
    const definition = this.#define('gauge', o);
    return this.#getOrCreate(definition, () =>
      new Gauge<L>({ name: definition.name, help: o.help, labelNames: definition.labelNames as L[], registers: [this.registry] }),
    ) as Gauge<L>;
  }

  histogram<L extends string = string>(o: HistogramOptions<L>): Histogram<L> {
    const definition = this.#define('histogram', o, o.buckets === undefined ? [...DEFAULT_BUCKETS] : assertBuckets(o.buckets));
    return this.#getOrCreate(definition, () =>
      new Histogram<L>({
        name: definition.name,
        help: o.help,
        labelNames: definition.labelNames as L[],
        buckets: [...(definition.buckets ?? [])],
        registers: [this.registry],
      }),
    ) as Histogram<L>;
  }

  scrape(): Promise<Exposition> {
    return renderText(this.registry);
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
