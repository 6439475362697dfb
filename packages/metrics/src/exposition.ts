import type { Registry } from 'prom-client';
import type { ExpositionFormat } from './negotiation.js';

/** Prometheus text exposition format 0.0.4, the format every Prometheus server accepts. */
export const PROMETHEUS_TEXT_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
/** OpenMetrics 1.0 text format. */
export const OPENMETRICS_CONTENT_TYPE = 'application/openmetrics-text; version=1.0.0; charset=utf-8';

export interface Exposition {
  readonly format: ExpositionFormat;
  readonly contentType: string;
  readonly body: string;
}

/** What prom-client's `metric.get()` resolves to. */
interface Family {
  name: string;
  help: string;
  type: string;
  values?: { value: number; labels: Record<string, string | number | undefined>; metricName?: string }[];
}

/**
 * Writes every family of `registry` in the asked format. prom-client's values are used, its
 * writer is not: it spells NaN `Nan`, leaves `"` unescaped in OpenMetrics HELP text, and renames
 * counters in place while writing OpenMetrics (a later text scrape then loses `_total`).
 */
export async function render(registry: Registry, format: ExpositionFormat, defaultLabels: Readonly<Record<string, string>>): Promise<Exposition> {
  const families = (await Promise.all(registry.getMetricsAsArray().map((metric) => (metric as unknown as { get(): Promise<Family> }).get()))) as Family[];
  const om = format === 'openmetrics';
  const defaults = Object.entries(defaultLabels);
  let body = '';
  for (const family of families) body += om ? openMetricsFamily(family, defaults) : textFamily(family, defaults);
  if (om) body += '# EOF\n';
  return { format, contentType: om ? OPENMETRICS_CONTENT_TYPE : PROMETHEUS_TEXT_CONTENT_TYPE, body };
}

function textFamily(family: Family, defaults: [string, string][]): string {
  let out = `# HELP ${family.name} ${escapeHelpText(family.help)}\n# TYPE ${family.name} ${family.type}\n`;
  for (const sample of family.values ?? []) {
    out += `${sample.metricName ?? family.name}${labelSet(sample.labels, defaults, false)} ${formatValue(sample.value)}\n`;
  }
  return out;
}

// OpenMetrics 1.0 §"Counter": the family is named without `_total`; its sample is `<family>_total`.
function openMetricsFamily(family: Family, defaults: [string, string][]): string {
  const counter = family.type === 'counter';
  const name = counter ? family.name.replace(/_total$/, '') : family.name;
  const type = family.type === 'counter' || family.type === 'gauge' || family.type === 'histogram' || family.type === 'summary' ? family.type : 'unknown';
  let out = `# TYPE ${name} ${type}\n# HELP ${name} ${escapeLabelValue(family.help)}\n`;
  for (const sample of family.values ?? []) {
    const sampleName = counter ? `${name}_total` : (sample.metricName ?? name);
    out += `${sampleName}${labelSet(sample.labels, defaults, true)} ${formatValue(sample.value)}\n`;
  }
  return out;
}

function labelSet(labels: Record<string, string | number | undefined>, defaults: [string, string][], om: boolean): string {
  let out = '';
  for (const name in labels) {
    const value = labels[name];
    if (value === undefined) continue;
    out += `${out ? ',' : ''}${name}="${name === 'le' || name === 'quantile' ? formatThreshold(value, om) : escapeLabelValue(String(value))}"`;
  }
  // A metric's own label of the same name wins over a registry default.
  for (const [name, value] of defaults) {
    if (labels[name] === undefined) out += `${out ? ',' : ''}${name}="${escapeLabelValue(value)}"`;
  }
  return out ? `{${out}}` : '';
}

/**
 * Sample values: the exposition formats spell the special floats `NaN`, `+Inf` and `-Inf`
 * (Go's ParseFloat reads any case, but OpenMetrics only accepts these).
 */
export function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

// OpenMetrics 1.0: bucket thresholds and quantiles are floats: `le="1.0"`, not `le="1"`.
function formatThreshold(value: string | number, om: boolean): string {
  const n = typeof value === 'number' ? value : Number(value);
  if (typeof value === 'string' && value !== '' && Number.isNaN(n)) return escapeLabelValue(value);
  const text = formatValue(n);
  return om && Number.isInteger(n) ? `${text}.0` : text;
}

// Text format 0.0.4: "label_value can be any sequence of UTF-8 characters, but the backslash
// (\), double-quote ("), and line feed (\n) characters have to be escaped as \\, \", and \n".
// OpenMetrics escapes HELP text the same way.
export function escapeLabelValue(value: string): string {
  return /[\\"\n]/.test(value) ? value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n') : value;
}

// Text format 0.0.4: in HELP "backslash and line feed characters have to be escaped as \\ and \n".
function escapeHelpText(help: string): string {
  return /[\\\n]/.test(help) ? help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n') : help;
}
