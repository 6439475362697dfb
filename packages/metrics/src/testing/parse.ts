import type { ExpositionFormat } from '../negotiation.js';

// A strict reader of the Prometheus text format 0.0.4 and the OpenMetrics 1.0 text format, for
// tests: it throws on anything it does not understand, so a malformed scrape fails loudly.

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Family {
  name: string;
  type: string;
  help: string;
  samples: Sample[];
}

const SUFFIXES: Record<string, readonly string[]> = {
  counter: ['', '_total', '_created'],
  gauge: [''],
  histogram: ['_bucket', '_sum', '_count', '_created'],
  gaugehistogram: ['_bucket', '_gsum', '_gcount'],
  summary: ['', '_sum', '_count', '_created'],
  info: ['_info'],
  stateset: [''],
  unknown: [''],
  untyped: [''],
};
const TEXT_TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);
const OM_TYPES = new Set(['counter', 'gauge', 'histogram', 'gaugehistogram', 'summary', 'info', 'stateset', 'unknown']);

/** Families by name, in exposition order. Throws naming the line on any deviation from the format. */
export function parseExposition(text: string, format: ExpositionFormat = 'prometheus'): Map<string, Family> {
  const om = format === 'openmetrics';
  if (!text.endsWith('\n')) throw new Error('exposition must end with a line feed');
  if (om && !text.endsWith('# EOF\n')) throw new Error('OpenMetrics exposition must end with "# EOF"');
  const families = new Map<string, Family>();
  let current: Family | undefined;
  const content = om ? text.slice(0, -'# EOF\n'.length) : text;
  const lines = content === '' ? [] : content.slice(0, -1).split('\n');
  for (const [i, line] of lines.entries()) {
    const at = `line ${i + 1}`;
    if (line === '') {
      if (om) throw new Error(`${at}: OpenMetrics allows no empty line`);
      continue;
    }
    const meta = /^# (HELP|TYPE|UNIT) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$/.exec(line);
    if (meta) {
      const [, kind, name, rest] = meta as unknown as [string, string, string, string];
      let family = families.get(name);
      if (!family) {
        family = { name, type: om ? 'unknown' : 'untyped', help: '', samples: [] };
        families.set(name, family);
      } else if (current !== family || family.samples.length > 0) {
        throw new Error(`${at}: family ${name} appears twice, or its metadata follows its samples`);
      }
      if (kind === 'HELP') family.help = unescape(rest, om);
      else if (kind === 'TYPE') {
        if (!(om ? OM_TYPES : TEXT_TYPES).has(rest)) throw new Error(`${at}: unknown type ${rest}`);
        family.type = rest;
      } else if (!om) throw new Error(`${at}: # UNIT is OpenMetrics only`);
      current = family;
      continue;
    }
    if (line.startsWith('#')) {
      if (om) throw new Error(`${at}: OpenMetrics allows no comment: ${line}`);
      continue;
    }
    const sample = parseSample(line, at, om);
    if (!current || !(SUFFIXES[current.type] ?? ['']).some((s) => sample.name === current!.name + s)) {
      throw new Error(`${at}: sample ${sample.name} outside its family`);
    }
    current.samples.push(sample);
  }
  return families;
}

function parseSample(line: string, at: string, om: boolean): Sample {
  const nameMatch = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line);
  if (!nameMatch) throw new Error(`${at}: no metric name in ${JSON.stringify(line)}`);
  const name = nameMatch[0];
  let pos = name.length;
  const labels: Record<string, string> = {};
  if (line[pos] === '{') {
    pos++;
    while (line[pos] !== '}') {
      const labelMatch = /^([a-zA-Z_][a-zA-Z0-9_]*)="/.exec(line.slice(pos));
      if (!labelMatch) throw new Error(`${at}: bad label at column ${pos}`);
      const labelName = labelMatch[1] as string;
      pos += labelMatch[0].length;
      let raw = '';
      while (line[pos] !== '"') {
        if (pos >= line.length) throw new Error(`${at}: unterminated label value`);
        if (line[pos] === '\\') {
          raw += line.slice(pos, pos + 2);
          pos += 2;
        } else {
          raw += line[pos];
          pos++;
        }
      }
      pos++;
      if (labelName in labels) throw new Error(`${at}: label ${labelName} twice`);
      labels[labelName] = unescape(raw, true);
      if (line[pos] === ',') pos++;
      else if (line[pos] !== '}') throw new Error(`${at}: expected , or } at column ${pos}`);
    }
    pos++;
  }
  if (line[pos] !== ' ') throw new Error(`${at}: expected one space before the value`);
  const rest = line.slice(pos + 1).split(' ');
  if (rest.length > 2) throw new Error(`${at}: unexpected text after the value${om ? ' (exemplars are not read)' : ''}`);
  const valueText = rest[0] ?? '';
  return { name, labels, value: parseValue(valueText, at, om) };
}

function parseValue(text: string, at: string, om: boolean): number {
  if (text === '+Inf' || (!om && text === 'Inf')) return Infinity;
  if (text === '-Inf') return -Infinity;
  if (text === 'NaN') return Number.NaN;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) throw new Error(`${at}: bad value ${JSON.stringify(text)}`);
  return Number(text);
}

// Label values escape \\, \" and \n; text-format HELP escapes only \\ and \n, OpenMetrics HELP all three.
function unescape(raw: string, quotes: boolean): string {
  if (quotes && /(^|[^\\])(\\\\)*"/.test(raw)) throw new Error(`unescaped double quote in ${JSON.stringify(raw)}`);
  return raw.replace(/\\(.)/g, (whole, c: string) => {
    if (c === '\\') return '\\';
    if (c === 'n') return '\n';
    if (c === '"' && quotes) return '"';
    throw new Error(`invalid escape ${whole}`);
  });
}

/** Every sample line of the exposition: one per time series. */
export function seriesCount(families: Map<string, Family>, name?: string): number {
  let n = 0;
  for (const family of families.values()) if (name === undefined || family.name === name) n += family.samples.length;
  return n;
}
