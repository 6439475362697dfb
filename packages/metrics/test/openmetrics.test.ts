import { describe, expect, it } from 'vitest';
import { negotiateFormat, OPENMETRICS_CONTENT_TYPE, PROMETHEUS_TEXT_CONTENT_TYPE } from '../src/index.js';
import { checkExposition, parseExposition } from './exposition-parser.js';
import { metrics } from './helpers.js';

// What real scrapers send.
const PROMETHEUS_2 = 'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1';
const PROMETHEUS_3 = 'application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.6,application/openmetrics-text;version=0.0.1;q=0.5,text/plain;version=1.0.0;escaping=allow-utf-8;q=0.4,text/plain;version=0.0.4;q=0.3,*/*;q=0.2';
const PROMETHEUS_TEXT_ONLY = 'text/plain;version=0.0.4;q=0.5,*/*;q=0.1';

describe('content negotiation of /metrics (RFC 9110 §12.5.1 Accept, q-values)', () => {
  it.each([
    [undefined, 'prometheus'],
    ['', 'prometheus'],
    ['*/*', 'prometheus'],
    ['text/plain', 'prometheus'],
    ['application/json', 'prometheus'],
    ['garbage;;;,', 'prometheus'],
    [PROMETHEUS_2, 'openmetrics'],
    [PROMETHEUS_3, 'openmetrics'],
    [PROMETHEUS_TEXT_ONLY, 'prometheus'],
    ['application/openmetrics-text', 'openmetrics'],
    ['application/openmetrics-text; version=1.0.0', 'openmetrics'],
    ['Application/OpenMetrics-Text; Version="1.0.0"', 'openmetrics'],
    // A version this server does not write is not a match.
    ['application/openmetrics-text; version=0.0.1', 'prometheus'],
    // Ties go to the text format, which every Prometheus reads.
    ['application/openmetrics-text, text/plain', 'prometheus'],
    ['text/plain;q=0.4, application/openmetrics-text;q=0.5', 'openmetrics'],
    ['text/plain;q=0.5, application/openmetrics-text;q=0.4', 'prometheus'],
    // The most specific range decides a type's q: OpenMetrics is refused outright here.
    ['application/openmetrics-text;q=0, */*', 'prometheus'],
    ['application/*;q=0.9, text/*;q=0.8', 'openmetrics'],
    ['text/plain;version=0.0.4;q=0.1, application/*;q=0.2', 'openmetrics'],
    // An invalid q (RFC 9110 §12.4.2) makes the range void.
    ['application/openmetrics-text;q=2, text/plain;q=0.5', 'prometheus'],
  ])('Accept %j → %s', (accept, format) => {
    expect(negotiateFormat(accept)).toBe(format);
  });

  it('answers each format with its exact content type', async () => {
    const m = metrics({ processMetrics: false });
    expect((await m.scrape()).contentType).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect((await m.scrape({ accept: PROMETHEUS_TEXT_ONLY })).contentType).toBe(PROMETHEUS_TEXT_CONTENT_TYPE);
    expect((await m.scrape({ accept: PROMETHEUS_3 })).contentType).toBe('application/openmetrics-text; version=1.0.0; charset=utf-8');
    expect((await m.scrape({ format: 'openmetrics' })).contentType).toBe(OPENMETRICS_CONTENT_TYPE);
    expect(() => m.scrape({ format: 'json' as never })).toThrow(TypeError);
  });
});

describe('OpenMetrics 1.0 text format', () => {
  async function both() {
    const m = metrics({ processMetrics: false, defaultLabels: { service: 'api' } });
    m.counter({ name: 'jobs_total', help: 'Jobs "done", with \\ and\nnewline.', labelNames: ['queue'] }).inc({ queue: 'say "hi"' });
    m.counter({ name: 'legacy', help: 'A counter named without _total.' }).incBy(2);
    m.gauge({ name: 'depth', help: 'Depth.' }).set(3);
    m.histogram({ name: 'op_seconds', help: 'Op.', buckets: [0.5, 1, 2.5] }).observe(0.7);
    return { om: await m.scrape({ format: 'openmetrics' }), text: await m.scrape(), m };
  }

  it('writes the exact body: family names without _total, escaped HELP, float thresholds, # EOF', async () => {
    const { om } = await both();
    expect(om.body).toBe(
      [
        '# TYPE jobs counter',
        '# HELP jobs Jobs \\"done\\", with \\\\ and\\nnewline.',
        'jobs_total{queue="say \\"hi\\"",service="api"} 1',
        '# TYPE legacy counter',
        '# HELP legacy A counter named without _total.',
        'legacy_total{service="api"} 2',
        '# TYPE depth gauge',
        '# HELP depth Depth.',
        'depth{service="api"} 3',
        '# TYPE op_seconds histogram',
        '# HELP op_seconds Op.',
        'op_seconds_bucket{le="0.5",service="api"} 0',
        'op_seconds_bucket{le="1.0",service="api"} 1',
        'op_seconds_bucket{le="2.5",service="api"} 1',
        'op_seconds_bucket{le="+Inf",service="api"} 1',
        'op_seconds_sum{service="api"} 0.7',
        'op_seconds_count{service="api"} 1',
        '# EOF',
        '',
      ].join('\n'),
    );
    const families = checkExposition(om.contentType, om.body);
    expect(families.get('jobs')?.help).toBe('Jobs "done", with \\ and\nnewline.');
    expect(families.get('jobs')?.samples[0]?.labels.queue).toBe('say "hi"');
  });

  it('leaves the text format intact after an OpenMetrics scrape (prom-client renames counters in place)', async () => {
    const { m, text } = await both();
    await m.scrape({ format: 'openmetrics' });
    const again = await m.scrape();
    expect(again.body).toBe(text.body);
    expect(again.body).toContain('\njobs_total{queue="say \\"hi\\"",service="api"} 1\n');
    expect(parseExposition(again.body).get('jobs_total')?.type).toBe('counter');
  });

  it('refuses a gauge whose name is a counter family name in OpenMetrics (x vs x_total)', () => {
    const m = metrics({ processMetrics: false });
    m.counter({ name: 'events_total', help: 'E.' });
    expect(() => m.gauge({ name: 'events', help: 'G.' })).toThrow(/events_total/);
    expect(() => m.gauge({ name: 'events_created', help: 'G.' })).toThrow(/events_total/);
  });

  it('a whole registry with process metrics passes the invariants in both formats', async () => {
    const m = metrics({ defaultLabels: { service: 'api' } });
    m.histogram({ name: 'h_seconds', help: 'H.', labelNames: ['k'] }).observe(0.2, { k: 'a' });
    for (const format of ['prometheus', 'openmetrics'] as const) {
      const { contentType, body } = await m.scrape({ format });
      const families = checkExposition(contentType, body);
      expect(families.has(format === 'openmetrics' ? 'process_cpu_user_seconds' : 'process_cpu_user_seconds_total')).toBe(true);
    }
  });
});

describe('checkExposition catches what promtool does not', () => {
  const T = PROMETHEUS_TEXT_CONTENT_TYPE;
  const histogram = (lines: string[]) => ['# HELP h H.', '# TYPE h histogram', ...lines, ''].join('\n');

  it.each([
    ['a wrong content type', 'text/plain', '# TYPE a counter\na 1\n', /content type/],
    ['a missing charset', 'text/plain; version=0.0.4', '# TYPE a counter\na 1\n', /content type/],
    ['a duplicate series', T, '# TYPE a counter\na{x="1"} 1\na{x="1"} 2\n', /duplicate series/],
    ['non-cumulative buckets', T, histogram(['h_bucket{le="1"} 2', 'h_bucket{le="2"} 1', 'h_bucket{le="+Inf"} 2', 'h_sum 1', 'h_count 2']), /not cumulative/],
    ['+Inf differing from _count', T, histogram(['h_bucket{le="1"} 1', 'h_bucket{le="+Inf"} 1', 'h_sum 1', 'h_count 2']), /\+Inf bucket 1 != _count 2/],
    ['no +Inf bucket', T, histogram(['h_bucket{le="1"} 1', 'h_sum 1', 'h_count 1']), /no \+Inf/],
    ['no _sum', T, histogram(['h_bucket{le="+Inf"} 1', 'h_count 1']), /no _sum/],
    ['an unescaped quote', T, '# TYPE a counter\na{x="say "hi""} 1\n', /expected , or }/],
    ['a family written twice', T, '# TYPE a counter\na 1\n# TYPE b gauge\nb 1\n# TYPE a counter\na 2\n', /appears twice/],
    ['OpenMetrics without # EOF', OPENMETRICS_CONTENT_TYPE, '# TYPE a counter\na_total 1\n', /# EOF/],
    ['Nan spelled like prom-client', T, '# TYPE g gauge\ng Nan\n', /bad value/],
  ])('refuses %s', (_, contentType, body, problem) => {
    expect(() => checkExposition(contentType, body)).toThrow(problem);
  });
});
