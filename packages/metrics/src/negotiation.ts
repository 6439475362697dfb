/** The two exposition formats a scraper can ask for. */
export type ExpositionFormat = 'prometheus' | 'openmetrics';

interface Candidate {
  type: string;
  subtype: string;
  /** The `version` parameter value this format answers to (a range naming another version does not match). */
  version: string;
}

const CANDIDATES: Record<ExpositionFormat, Candidate> = {
  prometheus: { type: 'text', subtype: 'plain', version: '0.0.4' },
  openmetrics: { type: 'application', subtype: 'openmetrics-text', version: '1.0.0' },
};

interface MediaRange {
  type: string;
  subtype: string;
  version: string | undefined;
  q: number;
}

/**
 * The format to answer a scrape with, from its `Accept` header: OpenMetrics 1.0 only when the
 * scraper rates it strictly above Prometheus text 0.0.4; text otherwise, including when the
 * header is absent, malformed or accepts neither (every Prometheus server reads text 0.0.4).
 *
 * RFC 9110 §12.5.1: "The media type quality factor associated with a given type is determined
 * by finding the media range with the highest precedence that matches the type."
 */
export function negotiateFormat(accept: string | readonly string[] | undefined): ExpositionFormat {
  if (accept === undefined) return 'prometheus';
  const ranges = parseAccept(typeof accept === 'string' ? accept : accept.join(','));
  const om = quality(CANDIDATES.openmetrics, ranges);
  const text = quality(CANDIDATES.prometheus, ranges);
  return om > text ? 'openmetrics' : 'prometheus';
}

function quality(candidate: Candidate, ranges: MediaRange[]): number {
  let best = -1;
  let q = 0;
  for (const range of ranges) {
    const precedence = matches(candidate, range);
    if (precedence > best) {
      best = precedence;
      q = range.q;
    }
  }
  return q;
}

/** -1 when the range does not match; otherwise higher is more specific. */
function matches(candidate: Candidate, range: MediaRange): number {
  if (range.type === '*') return range.subtype === '*' ? 0 : -1;
  if (range.type !== candidate.type) return -1;
  if (range.subtype === '*') return 1;
  if (range.subtype !== candidate.subtype) return -1;
  if (range.version === undefined) return 2;
  return range.version === candidate.version ? 3 : -1;
}

// media-range = ( "*/*" / ( type "/" "*" ) / ( type "/" subtype ) ) parameters  (RFC 9110 §12.5.1)
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

function parseAccept(header: string): MediaRange[] {
  const ranges: MediaRange[] = [];
  for (const part of header.split(',')) {
    const [mediaType = '', ...params] = part.split(';');
    const slash = mediaType.indexOf('/');
    const type = mediaType.slice(0, slash).trim().toLowerCase();
    const subtype = mediaType.slice(slash + 1).trim().toLowerCase();
    if (slash === -1 || !TOKEN.test(type) || !TOKEN.test(subtype)) continue;
    let q = 1;
    let version: string | undefined;
    let valid = true;
    for (const param of params) {
      const eq = param.indexOf('=');
      const name = param.slice(0, eq).trim().toLowerCase();
      const value = param.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1');
      if (name === 'q') {
        // RFC 9110 §12.4.2: qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] )
        if (!/^(0(\.\d{0,3})?|1(\.0{0,3})?)$/.test(value)) valid = false;
        else q = Number(value);
      } else if (name === 'version') {
        version = value;
      }
    }
    if (valid) ranges.push({ type, subtype, version, q });
  }
  return ranges;
}
