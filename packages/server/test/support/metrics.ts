import { accessSync, constants } from 'node:fs';
import { createServer } from 'node:net';
import { delimiter, join } from 'node:path';
import { expect, type TestContext } from 'vitest';
import { checkExposition, type Family } from '@tsforge/metrics/testing';

export interface Scrape {
  response: Response;
  text: string;
  families: Map<string, Family>;
}

/**
 * GET /metrics, asserting what every scrape must hold: status 200, the exact content type of
 * the format served, a strictly parseable body, no duplicate series, cumulative histogram
 * buckets with `+Inf` equal to `_count`. Every e2e test reads metrics through this.
 */
export async function scrapeMetrics(url: string, init: RequestInit = {}): Promise<Scrape> {
  const response = await fetch(`${url}/metrics`, init);
  const text = await response.text();
  expect(response.status, text).toBe(200);
  const families = checkExposition(response.headers.get('content-type'), text);
  return { response, text, families };
}

/** The value of one series in a scrape (0 when absent). */
export function sampleValue(families: Map<string, Family>, name: string, labels: Record<string, string> = {}): number {
  for (const family of families.values()) {
    for (const s of family.samples) {
      if (s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)) return s.value;
    }
  }
  return 0;
}

const IN_CI = process.env.CI !== undefined && process.env.CI !== '' && process.env.CI !== 'false';

/**
 * The path of a tool from Debian's `prometheus` package (`prometheus`, `promtool`). Missing, the
 * test is skipped with the reason printed, except under CI, which installs it: there it fails.
 */
export function requireTool(ctx: TestContext, name: 'prometheus' | 'promtool'): string {
  // PROMETHEUS=/path or PROMTOOL=/path overrides the PATH search (a path that does not exist simulates absence).
  const override = process.env[name.toUpperCase()];
  const candidates = override ? [override] : (process.env.PATH ?? '').split(delimiter).filter(Boolean).concat('/usr/bin').map((dir) => join(dir, name));
  for (const path of candidates) {
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {
      // not here
    }
  }
  if (IN_CI) throw new Error(`${name} is required in CI (apt-get install -y prometheus) but was not found on PATH`);
  const reason = `${name} not installed (apt-get install -y prometheus)`;
  console.warn(`skipped "${ctx.task.name}": ${reason}`);
  ctx.skip(reason);
  throw new Error('unreachable');
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}
