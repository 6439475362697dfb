import { OPENMETRICS_CONTENT_TYPE, PROMETHEUS_TEXT_CONTENT_TYPE } from '../exposition.js';
import type { ExpositionFormat } from '../negotiation.js';
import { parseExposition, type Family } from './parse.js';

const FORMAT_OF: Record<string, ExpositionFormat> = {
  [PROMETHEUS_TEXT_CONTENT_TYPE]: 'prometheus',
  [OPENMETRICS_CONTENT_TYPE]: 'openmetrics',
};

/**
 * Checks what neither promtool nor Prometheus 2.x checks for you, and throws listing every
 * problem: the content type is exactly one of the two formats' types; the body parses strictly
 * in that format; no series appears twice; every histogram series has a `+Inf` bucket, its
 * buckets are cumulative (non-decreasing in `le`), `+Inf` equals `_count`, and `_sum` exists.
 * Returns the parsed families.
 */
export function checkExposition(contentType: string | null | undefined, body: string): Map<string, Family> {
  const format = FORMAT_OF[contentType ?? ''];
  if (format === undefined) {
    throw new Error(`content type ${JSON.stringify(contentType)} is neither ${JSON.stringify(PROMETHEUS_TEXT_CONTENT_TYPE)} nor ${JSON.stringify(OPENMETRICS_CONTENT_TYPE)}`);
  }
  const families = parseExposition(body, format);
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const family of families.values()) {
    for (const sample of family.samples) {
      const key = seriesKey(sample.name, sample.labels);
      if (seen.has(key)) problems.push(`duplicate series ${key}`);
      seen.add(key);
    }
    if (family.type === 'histogram') problems.push(...histogramProblems(family));
  }
  if (problems.length > 0) throw new Error(`exposition breaks its invariants:\n${problems.join('\n')}`);
  return families;
}

function seriesKey(name: string, labels: Record<string, string>, omit?: string): string {
  const pairs = Object.entries(labels).filter(([k]) => k !== omit).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `${name}{${pairs.map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(',')}}`;
}

function histogramProblems(family: Family): string[] {
  const problems: string[] = [];
  const groups = new Map<string, { buckets: [number, number][]; count?: number; sum?: number }>();
  const group = (labels: Record<string, string>) => {
    const key = seriesKey(family.name, labels, 'le');
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { buckets: [] }));
    return g;
  };
  for (const s of family.samples) {
    if (s.name === `${family.name}_bucket`) {
      const le = s.labels.le;
      if (le === undefined) problems.push(`${family.name}_bucket without le`);
      else group(s.labels).buckets.push([le === '+Inf' ? Infinity : Number(le), s.value]);
    } else if (s.name === `${family.name}_count`) group(s.labels).count = s.value;
    else if (s.name === `${family.name}_sum`) group(s.labels).sum = s.value;
  }
  for (const [key, g] of groups) {
    for (let i = 1; i < g.buckets.length; i++) {
      const [le0, c0] = g.buckets[i - 1]!;
      const [le1, c1] = g.buckets[i]!;
      if (!(le1 > le0)) problems.push(`${key}: bucket le=${le1} follows le=${le0}`);
      if (c1 < c0) problems.push(`${key}: buckets not cumulative (le=${le0}: ${c0}, le=${le1}: ${c1})`);
    }
    const inf = g.buckets.at(-1);
    if (!inf || inf[0] !== Infinity) problems.push(`${key}: no +Inf bucket`);
    else if (g.count === undefined) problems.push(`${key}: no _count`);
    else if (inf[1] !== g.count) problems.push(`${key}: +Inf bucket ${inf[1]} != _count ${g.count}`);
    if (g.sum === undefined) problems.push(`${key}: no _sum`);
  }
  return problems;
}
