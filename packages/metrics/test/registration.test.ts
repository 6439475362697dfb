import { describe, expect, it } from 'vitest';
import { Metrics } from '../src/metrics.js';
import { MetricsError } from '../src/errors.js';
import { parseExposition } from './exposition-parser.js';

function conflictOf(fn: () => unknown): MetricsError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(MetricsError);
    expect((err as MetricsError).code).toBe('E_METRIC_CONFLICT');
    return err as MetricsError;
  }
  throw new Error('expected E_METRIC_CONFLICT, nothing was thrown');
}

describe('get-or-create: one name, one family', () => {
  it('returns the same object for the identical definition', () => {
    const metrics = new Metrics({ processMetrics: false });
    const a = metrics.counter({ name: 'jobs_total', help: 'Jobs.', labelNames: ['queue', 'result'] });
    const b = metrics.counter({ name: 'jobs_total', help: 'Jobs.', labelNames: ['result', 'queue'] });
    expect(b).toBe(a);
    const h1 = metrics.histogram({ name: 'job_seconds', help: 'Job time.', buckets: [0.1, 1] });
    expect(metrics.histogram({ name: 'job_seconds', help: 'Job time.', buckets: [0.1, 1] })).toBe(h1);
    const g = metrics.gauge({ name: 'depth', help: 'Depth.' });
    expect(metrics.gauge({ name: 'depth', help: 'Depth.' })).toBe(g);
  });

  it('treats an omitted bucket list as the default list', () => {
    const metrics = new Metrics({ processMetrics: false });
    const h = metrics.histogram({ name: 'd_seconds', help: 'h' });
    expect(metrics.histogram({ name: 'd_seconds', help: 'h', buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] })).toBe(h);
  });

  it.each([
    ['another type', (m: Metrics) => m.gauge({ name: 'jobs_total', help: 'Jobs.', labelNames: ['queue'] }), /counter.*gauge/],
    ['another help', (m: Metrics) => m.counter({ name: 'jobs_total', help: 'Other.', labelNames: ['queue'] }), /help/],
    ['other labels', (m: Metrics) => m.counter({ name: 'jobs_total', help: 'Jobs.', labelNames: ['queue', 'x'] }), /labels/],
    ['no labels', (m: Metrics) => m.counter({ name: 'jobs_total', help: 'Jobs.' }), /labels/],
  ])('throws naming the metric for %s', (_, redefine, why) => {
    const metrics = new Metrics({ processMetrics: false });
    metrics.counter({ name: 'jobs_total', help: 'Jobs.', labelNames: ['queue'] });
    const err = conflictOf(() => redefine(metrics));
    expect(err.message).toContain('"jobs_total"');
    expect(err.message).toMatch(why);
    expect(err.subject).toBe('jobs_total');
  });

  it('throws for other buckets', () => {
    const metrics = new Metrics({ processMetrics: false });
    metrics.histogram({ name: 'job_seconds', help: 'h', buckets: [0.1, 1] });
    expect(conflictOf(() => metrics.histogram({ name: 'job_seconds', help: 'h', buckets: [0.1, 2] })).message).toMatch(/job_seconds.*buckets/);
  });

  it('refuses a name taken by a process metric', () => {
    const metrics = new Metrics();
    try {
      const err = conflictOf(() => metrics.counter({ name: 'process_cpu_user_seconds_total', help: 'mine' }));
      expect(err.subject).toBe('process_cpu_user_seconds_total');
    } finally {
      metrics.close();
    }
  });

  it('refuses families whose samples would share a name (histogram x vs counter x_count)', () => {
    const metrics = new Metrics({ processMetrics: false });
    metrics.histogram({ name: 'req_seconds', help: 'h' });
    expect(conflictOf(() => metrics.counter({ name: 'req_seconds_count', help: 'c' })).message).toContain('req_seconds');
    metrics.gauge({ name: 'size_bucket', help: 'g' });
    expect(conflictOf(() => metrics.histogram({ name: 'size', help: 'h' })).message).toContain('size_bucket');
  });

  it('never writes two families with one name, whatever was attempted', async () => {
    const metrics = new Metrics();
    try {
      for (let i = 0; i < 3; i++) {
        metrics.counter({ name: 'jobs_total', help: 'Jobs.' }).inc();
        try {
          metrics.gauge({ name: 'jobs_total', help: 'Jobs.' });
        } catch {
          // expected conflict
        }
      }
      const { body } = await metrics.scrape();
      // The parser throws on a repeated family; also count the TYPE lines directly.
      const families = parseExposition(body);
      expect(body.match(/^# TYPE jobs_total /gm)).toHaveLength(1);
      const names = body.match(/^# TYPE (\S+)/gm) ?? [];
      expect(new Set(names).size).toBe(names.length);
      expect(families.get('jobs_total')?.samples).toEqual([{ name: 'jobs_total', labels: {}, value: 3 }]);
    } finally {
      metrics.close();
    }
  });
});
