import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { register as promClientGlobalRegistry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { Metrics } from '../src/metrics.js';
import type { Family } from './exposition-parser.js';
import { families, metrics } from './helpers.js';

function value(fams: Map<string, Family>, name: string, labels: Record<string, string> = {}): number {
  const family = [...fams.values()].find((f) => f.samples.some((s) => s.name === name));
  const samples = family?.samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)) ?? [];
  return samples.reduce((sum, s) => sum + s.value, 0);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
function blockEventLoop(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // busy
  }
}

setFlagsFromString('--expose-gc');
const forceGc = runInNewContext('gc') as () => void;

describe('process metrics (prom-client collectDefaultMetrics on this registry)', () => {
  it('are present by default', async () => {
    const fams = await families(metrics());
    for (const name of [
      'process_cpu_user_seconds_total',
      'process_cpu_system_seconds_total',
      'process_resident_memory_bytes',
      'process_start_time_seconds',
      'nodejs_eventloop_lag_seconds',
      'nodejs_heap_size_used_bytes',
      'nodejs_gc_duration_seconds',
      'nodejs_version_info',
    ]) {
      expect(fams.has(name), name).toBe(true);
    }
    expect(fams.get('process_cpu_user_seconds_total')?.type).toBe('counter');
  });

  it('are absent when processMetrics is false', async () => {
    const m = metrics({ processMetrics: false });
    m.counter({ name: 'mine_total', help: 'Mine.' });
    expect([...(await families(m)).keys()]).toEqual(['mine_total']);
  });

  it('carry the prefix and the default labels', async () => {
    const fams = await families(metrics({ prefix: 'svc_', defaultLabels: { service: 'api' } }));
    expect(fams.get('svc_process_cpu_user_seconds_total')?.samples[0]?.labels).toEqual({ service: 'api' });
    expect(fams.has('process_cpu_user_seconds_total')).toBe(false);
  });

  it('leave out prom-client gauges named *_total, which only counters may be', async () => {
    const fams = await families(metrics());
    const misnamed = [...fams.values()].filter((f) => f.type !== 'counter' && f.name.endsWith('_total'));
    expect(misnamed.map((f) => f.name)).toEqual([]);
    expect(fams.has('nodejs_active_handles')).toBe(true);
  });
});

describe('no global registry', () => {
  it('two instances in one process register the same names without colliding', async () => {
    const a = metrics();
    const b = metrics();
    a.counter({ name: 'jobs_total', help: 'Jobs.' }).incBy(2);
    b.counter({ name: 'jobs_total', help: 'Jobs.' }).incBy(5);
    expect(a.registry).not.toBe(b.registry);
    expect(value(await families(a), 'jobs_total')).toBe(2);
    expect(value(await families(b), 'jobs_total')).toBe(5);
    expect(value(await families(b), 'process_cpu_user_seconds_total')).toBeGreaterThanOrEqual(0);
  });

  it("leaves prom-client's global registry empty", async () => {
    const m = metrics();
    m.histogram({ name: 'h_seconds', help: 'H.' }).observe(1);
    expect(promClientGlobalRegistry.getMetricsAsArray()).toEqual([]);
    expect(await promClientGlobalRegistry.metrics()).toBe('\n');
  });
});

describe('GC and event-loop samplers of our own', () => {
  it('counts every collection of a batch (prom-client kept only the first entry of each callback)', async () => {
    const m = metrics();
    forceGc();
    await sleep(20);
    const before = value(await families(m), 'nodejs_gc_duration_seconds_count');
    // Five collections in one tick reach the observer as one batch.
    for (let i = 0; i < 5; i++) forceGc();
    await sleep(20);
    expect(value(await families(m), 'nodejs_gc_duration_seconds_count') - before).toBeGreaterThanOrEqual(5);
    expect(value(await families(m), 'nodejs_gc_duration_seconds_count', { kind: 'major' })).toBeGreaterThanOrEqual(5);
  });

  it('leave node:perf_hooks as they found it (nothing is patched to catch prom-client\'s monitors)', async () => {
    const hooks = await import('node:perf_hooks');
    const { monitorEventLoopDelay, PerformanceObserver } = hooks;
    metrics();
    expect(hooks.monitorEventLoopDelay).toBe(monitorEventLoopDelay);
    expect(hooks.PerformanceObserver).toBe(PerformanceObserver);
  });
});

describe('close()', () => {
  it('stops the GC observer: collections after close are not recorded', async () => {
    const m = metrics();
    forceGc();
    await sleep(20);
    const before = value(await families(m), 'nodejs_gc_duration_seconds_count');
    expect(before).toBeGreaterThan(0);

    m.close();
    forceGc();
    forceGc();
    await sleep(20);
    expect(value(await families(m), 'nodejs_gc_duration_seconds_count')).toBe(before);
  });

  it('stops the event-loop delay monitor: a blocked loop is no longer seen', async () => {
    const m = metrics();
    // Each scrape resets the monitor, which then needs one tick of its timer before it measures again.
    const blockedLoopMax = async () => {
      await m.scrape();
      await sleep(30);
      blockEventLoop(60);
      await sleep(30);
      return value(await families(m), 'nodejs_eventloop_lag_max_seconds');
    };
    expect(await blockedLoopMax()).toBeGreaterThanOrEqual(0.05);

    m.close();
    expect(await blockedLoopMax()).toBe(0);
  });

  it('leaves no active handle or resource behind, so the process can exit', async () => {
    await sleep(5);
    const before = process.getActiveResourcesInfo().sort();
    const m = new Metrics();
    new Metrics({ prefix: 'other_' }).close();
    await m.scrape();
    m.close();
    m.close(); // idempotent
    await sleep(5);
    expect(process.getActiveResourcesInfo().sort()).toEqual(before);
  });

  it('keeps the registry readable after close', async () => {
    const m = metrics();
    m.counter({ name: 'after_total', help: 'After.' }).inc();
    m.close();
    expect(value(await families(m), 'after_total')).toBe(1);
  });
});
