import { invalidName } from './errors.js';

// Prometheus data model, "Metric names and labels":
// "Metric names may contain ASCII letters, digits, underscores, and colons.
//  It must match the regex [a-zA-Z_:][a-zA-Z0-9_:]*."
const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
// "Label names may contain ASCII letters, numbers, as well as underscores.
//  They must match the regex [a-zA-Z_][a-zA-Z0-9_]*. Label names beginning
//  with __ are reserved for internal use."
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export function assertMetricName(name: unknown): asserts name is string {
  if (typeof name !== 'string') throw new TypeError('metric name must be a string');
  if (!METRIC_NAME.test(name)) {
    throw invalidName('metric', name, 'must match [a-zA-Z_:][a-zA-Z0-9_:]*');
  }
}

export function assertPrefix(prefix: unknown): asserts prefix is string {
  if (typeof prefix !== 'string') throw new TypeError('prefix must be a string');
  if (prefix !== '' && !METRIC_NAME.test(prefix)) {
    throw invalidName('prefix', prefix, 'must match [a-zA-Z_:][a-zA-Z0-9_:]*');
  }
}

export function assertLabelName(name: unknown): asserts name is string {
  if (typeof name !== 'string') throw new TypeError('label name must be a string');
  if (!LABEL_NAME.test(name)) {
    throw invalidName('label', name, 'must match [a-zA-Z_][a-zA-Z0-9_]*');
  }
  if (name.startsWith('__')) {
    throw invalidName('label', name, 'names starting with __ are reserved');
  }
}

export function assertLabelNames(names: readonly unknown[], reserved: readonly string[] = []): string[] {
  if (!Array.isArray(names)) throw new TypeError('labelNames must be an array');
  const seen = new Set<string>();
  for (const name of names) {
    assertLabelName(name);
    // Exposition format: a histogram's buckets carry the label "le"; a user label of that name would be ambiguous.
    if (reserved.includes(name)) throw invalidName('label', name, 'reserved for this metric type');
    if (seen.has(name)) throw invalidName('label', name, 'listed twice');
    seen.add(name);
  }
  return [...seen];
}

export function assertBuckets(buckets: unknown): number[] {
  if (!Array.isArray(buckets) || buckets.length === 0) {
    throw new TypeError('buckets must be a non-empty array of finite numbers');
  }
  for (let i = 0; i < buckets.length; i++) {
    const b: unknown = buckets[i];
    if (typeof b !== 'number' || !Number.isFinite(b)) {
      throw new TypeError(`buckets[${i}] must be a finite number (+Inf is always added)`);
    }
    if (i > 0 && b <= (buckets[i - 1] as number)) {
      throw new TypeError('buckets must be strictly increasing');
    }
  }
  return [...(buckets as number[])];
}
