import { describe, expect, it } from 'vitest';
import { Metrics } from '../src/metrics.js';
import { parseExposition } from './exposition-parser.js';
import { promtoolCheck } from './promtool.js';

describe('scrape(): text exposition format 0.0.4', () => {
  it('answers with exactly the 0.0.4 content type and a body ending in a line feed', async () => {
    const metrics = new Metrics({ processMetrics: false });
    metrics.counter({ name: 'a_total', help: 'A.' }).inc();
    const scrape = await metrics.scrape();
    expect(scrape.contentType).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(scrape.body).toBe('# HELP a_total A.\n# TYPE a_total counter\na_total 1\n');
  });

  it('adds default labels to every series', async () => {
    const metrics = new Metrics({ processMetrics: false, defaultLabels: { service: 'api', region: 'eu' } });
    metrics.counter({ name: 'a_total', help: 'A.', labelNames: ['kind'] }).inc({ kind: 'x' });
    metrics.gauge({ name: 'g', help: 'G.' }).set(2);
    const families = parseExposition((await metrics.scrape()).body);
    expect(families.get('a_total')?.samples[0]?.labels).toEqual({ kind: 'x', service: 'api', region: 'eu' });
    expect(families.get('g')?.samples[0]?.labels).toEqual({ service: 'api', region: 'eu' });
  });
});

describe('label value escaping: backslash, double quote and line feed', () => {
  const values = ['C:\\dir\\file', 'say "hi"', 'a\nb'];

  async function escapedScrape(): Promise<string> {
    const metrics = new Metrics({ processMetrics: false });
    const counter = metrics.counter({ name: 'escape_total', help: 'Help with \\ and \n line feed.', labelNames: ['v'] });
    for (const v of values) counter.inc({ v });
    return (await metrics.scrape()).body;
  }

  it('renders each value with its exact escapes', async () => {
    const body = await escapedScrape();
    expect(body.split('\n')).toEqual(
      expect.arrayContaining([
        'escape_total{v="C:\\\\dir\\\\file"} 1',
        'escape_total{v="say \\"hi\\""} 1',
        'escape_total{v="a\\nb"} 1',
        '# HELP escape_total Help with \\\\ and \\n line feed.',
      ]),
    );
  });

  it('parses back to the original values', async () => {
    const family = parseExposition(await escapedScrape()).get('escape_total');
    expect(family?.samples.map((s) => s.labels.v)).toEqual(values);
    expect(family?.help).toBe('Help with \\ and \n line feed.');
  });

  it('passes promtool check metrics', async (ctx) => {
    const result = promtoolCheck(ctx, await escapedScrape());
    expect(result.output).toBe('');
    expect(result.status).toBe(0);
  });
});

describe('histograms: cumulative buckets (exposition format "le" semantics)', () => {
  it('buckets [0.1,1,10] after 0.05, 0.5, 5 count 1, 2, 3, 3 with _sum 5.55 and _count 3', async () => {
    const metrics = new Metrics({ processMetrics: false });
    const h = metrics.histogram({ name: 'work_seconds', help: 'Work.', buckets: [0.1, 1, 10] });
    for (const v of [0.05, 0.5, 5]) h.observe(v);
    const family = parseExposition((await metrics.scrape()).body).get('work_seconds');
    expect(family?.type).toBe('histogram');
    const buckets = family!.samples.filter((s) => s.name === 'work_seconds_bucket');
    expect(buckets.map((s) => [s.labels.le, s.value])).toEqual([
      ['0.1', 1],
      ['1', 2],
      ['10', 3],
      ['+Inf', 3],
    ]);
    const sum = family!.samples.find((s) => s.name === 'work_seconds_sum')!.value;
    expect(sum).toBeCloseTo(5.55, 12);
    expect(family!.samples.find((s) => s.name === 'work_seconds_count')!.value).toBe(3);
  });

  it('holds the invariant for many observations: non-decreasing, +Inf equals _count', async () => {
    const metrics = new Metrics({ processMetrics: false });
    const h = metrics.histogram({ name: 'r_seconds', help: 'R.', labelNames: ['op'], buckets: [0.01, 0.1, 1] });
    const observed: number[] = [];
    for (let i = 0; i < 500; i++) {
      const v = ((i * 7919) % 1000) / 400; // 0 .. 2.5, deterministic spread
      observed.push(v);
      h.observe(v, { op: i % 2 ? 'read' : 'write' });
    }
    const family = parseExposition((await metrics.scrape()).body).get('r_seconds')!;
    for (const op of ['read', 'write']) {
      const mine = observed.filter((_, i) => (i % 2 ? 'read' : 'write') === op);
      const buckets = family.samples.filter((s) => s.name === 'r_seconds_bucket' && s.labels.op === op);
      const counts = buckets.map((s) => s.value);
      expect(counts).toEqual([0.01, 0.1, 1, Infinity].map((le) => mine.filter((v) => v <= le).length));
      for (let i = 1; i < counts.length; i++) expect(counts[i]).toBeGreaterThanOrEqual(counts[i - 1]!);
      const count = family.samples.find((s) => s.name === 'r_seconds_count' && s.labels.op === op)!.value;
      expect(counts.at(-1)).toBe(count);
      expect(count).toBe(mine.length);
    }
  });

  it('an empty histogram whose label set exists shows every bucket at 0, +Inf, _sum and _count', async () => {
    const metrics = new Metrics({ processMetrics: false });
    const h = metrics.histogram({ name: 'idle_seconds', help: 'Idle.', labelNames: ['pool'], buckets: [0.1, 1, 10] });
    h.zero({ pool: 'main' });
    const body = (await metrics.scrape()).body;
    expect(body).toBe(
      [
        '# HELP idle_seconds Idle.',
        '# TYPE idle_seconds histogram',
        'idle_seconds_bucket{le="0.1",pool="main"} 0',
        'idle_seconds_bucket{le="1",pool="main"} 0',
        'idle_seconds_bucket{le="10",pool="main"} 0',
        'idle_seconds_bucket{le="+Inf",pool="main"} 0',
        'idle_seconds_sum{pool="main"} 0',
        'idle_seconds_count{pool="main"} 0',
        '',
      ].join('\n'),
    );
  });

  it('an unlabelled histogram shows its zero buckets before any observation', async () => {
    const metrics = new Metrics({ processMetrics: false });
    metrics.histogram({ name: 'x_seconds', help: 'X.', buckets: [1] });
    const samples = parseExposition((await metrics.scrape()).body).get('x_seconds')!.samples;
    expect(samples.map((s) => [s.name, s.labels.le, s.value])).toEqual([
      ['x_seconds_bucket', '1', 0],
      ['x_seconds_bucket', '+Inf', 0],
      ['x_seconds_sum', undefined, 0],
      ['x_seconds_count', undefined, 0],
    ]);
  });
});
