import type { LabelValues, MetricObjectWithValues, MetricValue } from 'prom-client';

/** Label values of one series; numbers are written as their decimal string. */
export type Labels<L extends string> = Partial<Record<L, string | number>>;

/** The value of the series with exactly these labels in a prom-client `get()` result; 0 when the series does not exist yet. */
export function seriesValue<L extends string>(result: MetricObjectWithValues<MetricValue<L>>, labels: Labels<L> = {}): number {
  const wanted = Object.entries(labels);
  for (const sample of result.values) {
    const have = sample.labels as LabelValues<L>;
    const keys = Object.keys(have);
    if (keys.length !== wanted.length) continue;
    if (wanted.every(([k, v]) => String(have[k as L]) === String(v))) return sample.value;
  }
  return 0;
}

export function assertAmount(what: string, amount: unknown, allowNegative: boolean): asserts amount is number {
  if (typeof amount !== 'number' || !Number.isFinite(amount) || (!allowNegative && amount < 0)) {
    throw new TypeError(`${what} must be a finite number${allowNegative ? '' : ' >= 0'}, got ${String(amount)}`);
  }
}
