export type MetricType = 'counter' | 'gauge' | 'histogram' | 'summary';

/** What a metric was registered as; two registrations agree when every field agrees. */
export interface MetricDefinition {
  readonly type: MetricType;
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly string[];
  readonly buckets?: readonly number[];
}

/** The first way in which `wanted` differs from `existing`, or undefined when they are the same definition. */
export function difference(existing: MetricDefinition, wanted: MetricDefinition): string | undefined {
  if (existing.type !== wanted.type) {
    return `registered as a ${existing.type}, requested as a ${wanted.type}`;
  }
  if (existing.help !== wanted.help) {
    return `registered with help ${JSON.stringify(existing.help)}, requested with ${JSON.stringify(wanted.help)}`;
  }
  // Label order carries no meaning in the data model: compare as sets.
  const had = [...existing.labelNames].sort();
  const want = [...wanted.labelNames].sort();
  if (had.join(',') !== want.join(',')) {
    return `registered with labels [${had.join(', ')}], requested with [${want.join(', ')}]`;
  }
  const hb = existing.buckets ?? [];
  const wb = wanted.buckets ?? [];
  if (hb.length !== wb.length || hb.some((b, i) => b !== wb[i])) {
    return `registered with buckets [${hb.join(', ')}], requested with [${wb.join(', ')}]`;
  }
  return undefined;
}

/**
 * The sample names a family writes into an exposition. A histogram `x` writes
 * `x_bucket`, `x_sum` and `x_count`, so a separate counter named `x_count`
 * would put two families' samples under one name, which scrapers reject.
 */
export function sampleNames(type: MetricType, name: string): string[] {
  switch (type) {
    case 'histogram':
      return [`${name}_bucket`, `${name}_sum`, `${name}_count`];
    case 'summary':
      return [name, `${name}_sum`, `${name}_count`];
    case 'counter': {
      // OpenMetrics names a counter's family without `_total` and may add `<family>_created`.
      const family = name.replace(/_total$/, '');
      return [name, family, `${family}_total`, `${family}_created`];
    }
    default:
      return [name];
  }
}

/** The name of an already registered family whose samples would collide with a new one, if any. */
export function collidingFamily(
  wanted: { type: MetricType; name: string },
  existing: Iterable<{ type: MetricType; name: string }>,
): string | undefined {
  const mine = new Set([wanted.name, ...sampleNames(wanted.type, wanted.name)]);
  for (const other of existing) {
    if (other.name === wanted.name) continue;
    const theirs = [other.name, ...sampleNames(other.type, other.name)];
    if (theirs.some((n) => mine.has(n))) return other.name;
  }
  return undefined;
}
