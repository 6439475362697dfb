import { describe, expect, it } from 'vitest';
import { MetricsError } from '../src/errors.js';
import { HttpMetrics, UNMATCHED_ROUTE, normalizeMethod } from '../src/http-metrics.js';
import { parseExposition, seriesCount } from './exposition-parser.js';
import { promtoolCheck } from './promtool.js';
import { families, metrics } from './helpers.js';

describe('HttpMetrics families', () => {
  it('registers http_requests_total, http_request_duration_seconds and active_connections', async () => {
    const m = metrics({ processMetrics: false });
    const http = new HttpMetrics(m);
    http.observe({ method: 'GET', route: '/users/:id', status: 200, seconds: 0.042 });
    const fams = await families(m);
    expect([...fams.keys()]).toEqual(['http_requests_total', 'http_request_duration_seconds', 'active_connections']);
    expect(fams.get('http_requests_total')).toMatchObject({
      type: 'counter',
      samples: [{ name: 'http_requests_total', labels: { method: 'GET', route: '/users/:id', status: '200' }, value: 1 }],
    });
    const duration = fams.get('http_request_duration_seconds')!;
    expect(duration.type).toBe('histogram');
    expect(duration.samples.filter((s) => s.name.endsWith('_bucket')).map((s) => s.labels.le)).toEqual([
      '0.005', '0.01', '0.025', '0.05', '0.1', '0.25', '0.5', '1', '2.5', '5', '10', '+Inf',
    ]);
    expect(duration.samples.find((s) => s.labels.le === '0.05')?.value).toBe(1);
    expect(duration.samples.find((s) => s.labels.le === '0.025')?.value).toBe(0);
    expect(duration.samples.find((s) => s.name === 'http_request_duration_seconds_sum')).toMatchObject({
      labels: { method: 'GET', route: '/users/:id', status: '200' },
      value: 0.042,
    });
    expect(fams.get('active_connections')).toMatchObject({ type: 'gauge', samples: [{ labels: {}, value: 0 }] });
  });

  it('takes custom buckets, and shares its metrics with a second HttpMetrics on the same registry', () => {
    const m = metrics({ processMetrics: false });
    const a = new HttpMetrics(m, { buckets: [0.1, 1] });
    const b = new HttpMetrics(m, { buckets: [0.1, 1] });
    expect(b.requests).toBe(a.requests);
    expect(b.duration).toBe(a.duration);
    const err = (() => {
      try {
        new HttpMetrics(m);
      } catch (e) {
        return e as MetricsError;
      }
      return undefined;
    })();
    expect(err?.code).toBe('E_METRIC_CONFLICT');
    expect(err?.subject).toBe('http_request_duration_seconds');
  });

  it('counts open connections', async () => {
    const m = metrics({ processMetrics: false });
    const http = new HttpMetrics(m);
    http.connectionOpened();
    http.connectionOpened();
    http.connectionOpened();
    http.connectionClosed();
    expect((await families(m)).get('active_connections')?.samples[0]?.value).toBe(2);
  });
});

describe('label normalization (bounded label sets)', () => {
  it.each([
    ['GET', 'GET'], ['get', 'GET'], ['Head', 'HEAD'], ['post', 'POST'], ['PUT', 'PUT'], ['patch', 'PATCH'],
    ['DELETE', 'DELETE'], ['options', 'OPTIONS'],
    ['PROPFIND', 'OTHER'], ['CONNECT', 'OTHER'], ['TRACE', 'OTHER'], ['', 'OTHER'], ['G E T', 'OTHER'], ['GET\n', 'OTHER'],
  ])('method %j is counted as %s', (method, expected) => {
    expect(normalizeMethod(method)).toBe(expected);
  });

  it.each([
    [undefined, UNMATCHED_ROUTE],
    ['', UNMATCHED_ROUTE],
    ['/health', '/health'],
  ])('route %j is labelled %j', async (route, expected) => {
    const m = metrics({ processMetrics: false });
    new HttpMetrics(m).observe({ method: 'GET', route, status: 404, seconds: 0.001 });
    expect((await families(m)).get('http_requests_total')?.samples[0]?.labels.route).toBe(expected);
    expect(UNMATCHED_ROUTE).toBe('<unmatched>');
  });

  it('labels status with its decimal string', async () => {
    const m = metrics({ processMetrics: false });
    const http = new HttpMetrics(m);
    for (const status of [200, 301, 404, 503]) http.observe({ method: 'GET', route: '/', status, seconds: 0 });
    const statuses = (await families(m)).get('http_requests_total')!.samples.map((s) => s.labels.status);
    expect(statuses).toEqual(['200', '301', '404', '503']);
  });

  it.each([99, 600, 200.5, Number.NaN, -1])('RFC 9110 §15: refuses status %s outside 100..599 with a TypeError', (status) => {
    const http = new HttpMetrics(metrics({ processMetrics: false }));
    expect(() => http.observe({ method: 'GET', route: '/', status, seconds: 0 })).toThrow(TypeError);
  });

  it.each([-0.001, Number.NaN, Infinity])('refuses duration %s with a TypeError', (seconds) => {
    const http = new HttpMetrics(metrics({ processMetrics: false }));
    expect(() => http.observe({ method: 'GET', route: '/', status: 200, seconds })).toThrow(TypeError);
  });

  it('10,000 unmatched requests with random methods stay within one route × 8 methods', async () => {
    const m = metrics({ processMetrics: false });
    const http = new HttpMetrics(m);
    const before = await families(m);
    expect(seriesCount(before, 'http_requests_total')).toBe(0);

    const methods = ['GET', 'get', 'POST', 'PROPFIND', 'MKCOL', 'BREW', 'delete', 'PATCH', 'OPTIONS', 'HEAD', 'PUT', 'TRACE'];
    let seed = 42;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let i = 0; i < 10_000; i++) {
      const method = random() < 0.5 ? methods[Math.floor(random() * methods.length)]! : `X-${Math.floor(random() * 1e9)}`;
      http.observe({ method, route: random() < 0.5 ? undefined : '', status: 404, seconds: random() });
    }

    const after = await families(m);
    const requests = after.get('http_requests_total')!.samples;
    expect(new Set(requests.map((s) => s.labels.route))).toEqual(new Set([UNMATCHED_ROUTE]));
    expect(new Set(requests.map((s) => s.labels.method))).toEqual(
      new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'OTHER']),
    );
    expect(requests).toHaveLength(8);
    expect(requests.reduce((sum, s) => sum + s.value, 0)).toBe(10_000);
    // 8 label sets × (11 buckets + +Inf + _sum + _count)
    expect(seriesCount(after, 'http_request_duration_seconds')).toBe(8 * 14);
  });
});

describe('a whole scrape: HttpMetrics + process metrics + default labels', () => {
  it('parses cleanly and passes promtool check metrics', async (ctx) => {
    const m = metrics({ defaultLabels: { service: 'api', instance_note: 'C:\\srv "blue"\nline' } });
    const http = new HttpMetrics(m);
    http.connectionOpened();
    http.observe({ method: 'GET', route: '/users/:id', status: 200, seconds: 0.012 });
    http.observe({ method: 'PROPFIND', route: undefined, status: 405, seconds: 0.0004 });
    http.observe({ method: 'post', route: '/files/"quoted"\\path', status: 201, seconds: 1.7 });
    const { body } = await m.scrape();
    const fams = parseExposition(body);
    expect(fams.has('process_cpu_user_seconds_total')).toBe(true);
    expect(fams.get('http_requests_total')?.samples).toHaveLength(3);

    const result = promtoolCheck(ctx, body);
    expect(result.output).toBe('');
    expect(result.status).toBe(0);
  });
});
