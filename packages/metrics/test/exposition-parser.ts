// A strict reader of the Prometheus text exposition format 0.0.4, written for the tests:
// it throws on anything it does not understand, so a malformed scrape fails loudly.

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

export function parseExposition(text: string): Map<string, Family> {
  if (!text.endsWith('\n')) throw new Error('exposition must end with a line feed');
  const families = new Map<string, Family>();
  let current: Family | undefined;
  const lines = text.slice(0, -1).split('\n');
  for (const [i, line] of lines.entries()) {
    if (line === '') continue;
    const meta = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$/.exec(line);
    if (meta) {
      const [, kind, name, rest] = meta as unknown as [string, string, string, string];
      let family = families.get(name);
      if (!family) {
        family = { name, type: 'untyped', help: '', samples: [] };
        families.set(name, family);
      } else if (current !== family) {
        throw new Error(`line ${i + 1}: family ${name} appears twice`);
      }
      if (kind === 'HELP') family.help = unescape(rest, false);
      else family.type = rest;
      current = family;
      continue;
    }
    if (line.startsWith('#')) continue;
    const sample = parseSample(line, i + 1);
    if (!current || !belongsTo(sample.name, current)) {
      throw new Error(`line ${i + 1}: sample ${sample.name} outside its family`);
    }
    current.samples.push(sample);
  }
  return families;
}

function belongsTo(sampleName: string, family: Family): boolean {
  if (family.type === 'histogram') return ['_bucket', '_sum', '_count'].some((s) => sampleName === family.name + s);
  if (family.type === 'summary') return [ '', '_sum', '_count'].some((s) => sampleName === family.name + s);
  return sampleName === family.name;
}

function parseSample(line: string, lineNo: number): Sample {
  const nameMatch = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line);
  if (!nameMatch) throw new Error(`line ${lineNo}: no metric name in ${JSON.stringify(line)}`);
  const name = nameMatch[0];
  let pos = name.length;
  const labels: Record<string, string> = {};
  if (line[pos] === '{') {
    pos++;
    while (line[pos] !== '}') {
      const labelMatch = /^([a-zA-Z_][a-zA-Z0-9_]*)="/.exec(line.slice(pos));
      if (!labelMatch) throw new Error(`line ${lineNo}: bad label at ${pos}`);
      const labelName = labelMatch[1] as string;
      pos += labelMatch[0].length;
      let raw = '';
      while (line[pos] !== '"') {
        if (pos >= line.length) throw new Error(`line ${lineNo}: unterminated label value`);
        if (line[pos] === '\\') {
          raw += line.slice(pos, pos + 2);
          pos += 2;
        } else {
          raw += line[pos];
          pos++;
        }
      }
      pos++;
      if (labelName in labels) throw new Error(`line ${lineNo}: label ${labelName} twice`);
      labels[labelName] = unescape(raw, true);
      if (line[pos] === ',') pos++;
      else if (line[pos] !== '}') throw new Error(`line ${lineNo}: expected , or } at ${pos}`);
    }
    pos++;
  }
  const rest = line.slice(pos).trim().split(' ');
  const valueText = rest[0] ?? '';
  const value = parseValue(valueText);
  if (Number.isNaN(value) && !/^nan$/i.test(valueText)) throw new Error(`line ${lineNo}: bad value ${valueText}`);
  return { name, labels, value };
}

function parseValue(text: string): number {
  if (text === '+Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  if (/^nan$/i.test(text)) return NaN;
  return text.trim() === '' ? NaN : Number(text);
}

// Label values escape \\, \" and \n; HELP text escapes only \\ and \n.
function unescape(raw: string, quotes: boolean): string {
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
