import { describe, expect, it } from 'vitest';
import { Counter, Gauge, Histogram } from '../src/index.js';
import { parseExposition } from './exposition-parser.js';
import { promtoolCheck } from './promtool.js';
import { families, metrics } from './helpers.js';

describe('Counter: inc, incBy, get, with and without labels', () => {
  it('counts up, per label set, and reads each series back', async () => {
    const m = metrics({ processMetrics: false });
    const plain = m.counter({ name: 'jobs_total', help: 'Jobs.' });
    const byQueue = m.counter({ name: 'msgs_total', help: 'Messages.', labelNames: ['queue'] });
    expect(plain).toBeInstanceOf(Counter);
    expect(plain.name).toBe('jobs_total');
    expect(await plain.get()).toBe(0);
    plain.inc();
    plain.incBy(2.5);
    byQueue.inc({ queue: 'a' });
    byQueue.incBy(4, { queue: 'b' });
    byQueue.labels({ queue: 'b' }).incBy(1);
    byQueue.labels({ queue: 'a' }).inc();
    expect(await plain.get()).toBe(3.5);
    expect(await byQueue.get({ queue: 'a' })).toBe(2);
    expect(await byQueue.get({ queue: 'b' })).toBe(5);
    expect(await byQueue.get({ queue: 'never' })).toBe(0);
    expect((await families(m)).get('msgs_total')?.samples.map((s) => [s.labels.queue, s.value])).toEqual([['a', 2], ['b', 5]]);
  });

  it.each([-1, Number.NaN, Infinity, '3'])('refuses incBy(%j) with a TypeError: counters only go up by finite amounts', async (amount) => {
    const c = metrics({ processMetrics: false }).counter({ name: 'c_total', help: 'C.', labelNames: ['k'] });
    expect(() => c.incBy(amount as number, { k: 'x' })).toThrow(TypeError);
    expect(() => c.labels({ k: 'x' }).incBy(amount as number)).toThrow(TypeError);
    expect(await c.get({ k: 'x' })).toBe(0);
  });

  it('refuses a label the counter was not defined with', () => {
    const c = metrics({ processMetrics: false }).counter({ name: 'c_total', help: 'C.', labelNames: ['k'] });
    expect(() => c.inc({ other: 'x' } as never)).toThrow(/other/);
  });
});

describe('Gauge: set, inc, dec, add, sub, get', () => {
  it('moves both ways, per label set', async () => {
    const m = metrics({ processMetrics: false });
    const g = m.gauge({ name: 'depth', help: 'Depth.', labelNames: ['pool'] });
    expect(g).toBeInstanceOf(Gauge);
    g.set(10, { pool: 'a' });
    g.inc({ pool: 'a' });
    g.dec({ pool: 'a' });
    g.dec({ pool: 'a' });
    g.add(5.5, { pool: 'a' });
    g.sub(0.5, { pool: 'a' });
    g.sub(3, { pool: 'b' });
    expect(await g.get({ pool: 'a' })).toBe(14);
    expect(await g.get({ pool: 'b' })).toBe(-3);
    const plain = m.gauge({ name: 'temp', help: 'T.' });
    plain.set(-2);
    plain.add(1);
    expect(await plain.get()).toBe(-1);
  });

  it.each([Number.NaN, Infinity])('refuses add/sub of %s (relative changes need finite amounts)', (amount) => {
    const g = metrics({ processMetrics: false }).gauge({ name: 'g', help: 'G.' });
    expect(() => g.add(amount)).toThrow(TypeError);
    expect(() => g.sub(amount)).toThrow(TypeError);
  });
});

describe('NaN, +Inf and -Inf are spelled canonically (exposition formats, OpenMetrics "NaN")', () => {
  async function specials(format: 'prometheus' | 'openmetrics') {
    const m = metrics({ processMetrics: false });
    const g = m.gauge({ name: 'special', help: 'Special values.', labelNames: ['v'] });
    g.set(Number.NaN, { v: 'nan' });
    g.set(Infinity, { v: 'pos' });
    g.set(-Infinity, { v: 'neg' });
    return (await m.scrape({ format })).body;
  }

  it.each(['prometheus', 'openmetrics'] as const)('in %s format', async (format) => {
    const lines = (await specials(format)).split('\n');
    expect(lines).toContain('special{v="nan"} NaN');
    expect(lines).toContain('special{v="pos"} +Inf');
    expect(lines).toContain('special{v="neg"} -Inf');
  });

  it('passes promtool check metrics and parses back', async (ctx) => {
    const body = await specials('prometheus');
    const values = parseExposition(body).get('special')!.samples.map((s) => s.value);
    expect(values).toEqual([Number.NaN, Infinity, -Infinity]);
    const result = promtoolCheck(ctx, body);
    expect(result.output).toBe('');
    expect(result.status).toBe(0);
  });
});

describe('Histogram: observe, startTimer, labels', () => {
  it('observes with and without labels, and a timer records the elapsed seconds', async () => {
    const m = metrics({ processMetrics: false });
    const h = m.histogram({ name: 'op_seconds', help: 'Op.', labelNames: ['op'], buckets: [0.5, 100] });
    expect(h).toBeInstanceOf(Histogram);
    h.observe(0.25, { op: 'read' });
    h.labels({ op: 'read' }).observe(1);
    const stop = h.startTimer({ op: 'write' });
    await new Promise((r) => setTimeout(r, 20));
    const seconds = stop();
    expect(seconds).toBeGreaterThanOrEqual(0.015);
    expect(seconds).toBeLessThan(100);
    const child = h.labels({ op: 'child' }).startTimer();
    child();
    const samples = (await families(m)).get('op_seconds')!.samples;
    const count = (op: string) => samples.find((s) => s.name === 'op_seconds_count' && s.labels.op === op)?.value;
    expect([count('read'), count('write'), count('child')]).toEqual([2, 1, 1]);
    expect(samples.find((s) => s.name === 'op_seconds_sum' && s.labels.op === 'write')?.value).toBe(seconds);
    expect(samples.find((s) => s.name === 'op_seconds_bucket' && s.labels.op === 'read' && s.labels.le === '0.5')?.value).toBe(1);
  });

  it('refuses NaN, which would make _sum NaN for the life of the process', () => {
    const h = metrics({ processMetrics: false }).histogram({ name: 'x_seconds', help: 'X.' });
    expect(() => h.observe(Number.NaN)).toThrow(TypeError);
    expect(() => h.labels({}).observe(Number.NaN)).toThrow(TypeError);
  });
});
