import { afterEach } from 'vitest';
import { Metrics } from '../src/metrics.js';
import { parseExposition, type Family } from './exposition-parser.js';

const open: Metrics[] = [];

/** A Metrics closed after the current test, so no process monitor outlives it. */
export function metrics(options?: ConstructorParameters<typeof Metrics>[0]): Metrics {
  const m = new Metrics(options);
  open.push(m);
  return m;
}

afterEach(() => {
  for (const m of open.splice(0)) m.close();
});

export async function families(m: Metrics): Promise<Map<string, Family>> {
  return parseExposition((await m.scrape()).body);
}
