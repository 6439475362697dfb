import { describe, expect, it } from 'vitest';
import { Metrics } from '../src/metrics.js';
import { MetricsError } from '../src/errors.js';

function refusal(fn: () => unknown): MetricsError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(MetricsError);
    return err as MetricsError;
  }
  throw new Error('expected a MetricsError, nothing was thrown');
}

describe('Prometheus data model: metric names match [a-zA-Z_:][a-zA-Z0-9_:]*', () => {
  const metrics = new Metrics({ processMetrics: false });

  it.each(['http-requests', '1abc', 'my.metric', '', 'caf\u00e9', 'a b'])('refuses %j at creation, naming it', (name) => {
    for (const create of [
      () => metrics.counter({ name, help: 'h' }),
      () => metrics.gauge({ name, help: 'h' }),
      () => metrics.histogram({ name, help: 'h' }),
    ]) {
      const err = refusal(create);
      expect(err.code).toBe('E_INVALID_NAME');
      expect(err.message).toContain(JSON.stringify(name));
      expect(err.subject).toBe(name);
      expect(err.status).toBe(500);
      expect(err.expose).toBe(false);
    }
  });

  it.each(['a', '_a', ':a', 'a:b_c9', 'job:http_requests:rate5m'])('accepts %j', (name) => {
    const gauge = metrics.gauge({ name, help: 'h' });
    expect(metrics.registry.getSingleMetric(name)).toBe(gauge.prom);
  });

  it('validates the prefix too, and applies it to every name', () => {
    expect(refusal(() => new Metrics({ prefix: 'my-app_', processMetrics: false })).code).toBe('E_INVALID_NAME');
    const prefixed = new Metrics({ prefix: 'app_', processMetrics: false });
    const jobs = prefixed.counter({ name: 'jobs_total', help: 'h' });
    expect(prefixed.registry.getSingleMetric('app_jobs_total')).toBe(jobs.prom);
    // A name that is only valid after prefixing is still refused: the caller's name is checked alone.
    expect(refusal(() => prefixed.counter({ name: '1jobs', help: 'h' })).subject).toBe('1jobs');
  });
});

describe('Prometheus data model: label names match [a-zA-Z_][a-zA-Z0-9_]*, __ reserved', () => {
  const metrics = new Metrics({ processMetrics: false });

  it.each(['http-method', '1st', 'a:b', '__name', '__', ''])('refuses label %j, naming it', (label) => {
    const err = refusal(() => metrics.counter({ name: 'c_total', help: 'h', labelNames: [label] }));
    expect(err.code).toBe('E_INVALID_NAME');
    expect(err.message).toContain(JSON.stringify(label));
  });

  it('refuses the histogram-reserved label "le" and duplicated labels', () => {
    expect(refusal(() => metrics.histogram({ name: 'h_seconds', help: 'h', labelNames: ['le'] })).subject).toBe('le');
    expect(refusal(() => metrics.counter({ name: 'd_total', help: 'h', labelNames: ['a', 'a'] })).subject).toBe('a');
  });

  it('refuses invalid default label names', () => {
    const err = refusal(() => new Metrics({ processMetrics: false, defaultLabels: { 'service-name': 'x' } }));
    expect(err.subject).toBe('service-name');
  });

  it('accepts _x and single-underscore names', () => {
    expect(() => metrics.counter({ name: 'ok_total', help: 'h', labelNames: ['_x', 'a_b1'] })).not.toThrow();
  });
});

describe('histogram buckets and help are programmer input: misuse is a TypeError', () => {
  const metrics = new Metrics({ processMetrics: false });

  it.each([[[]], [[1, 1]], [[2, 1]], [[1, Infinity]], [[Number.NaN]]])('refuses buckets %j', (buckets) => {
    expect(() => metrics.histogram({ name: 'b_seconds', help: 'h', buckets })).toThrow(TypeError);
  });

  it('refuses an empty help text', () => {
    expect(() => metrics.counter({ name: 'nohelp_total', help: '' })).toThrow(TypeError);
  });
});
