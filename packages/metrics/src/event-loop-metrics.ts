import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { Gauge, type Registry } from 'prom-client';

/** What the sampler is told to resolve, in milliseconds (prom-client's default). */
const RESOLUTION_MS = 10;

const SUMMARY_GAUGES = [
  ['min', 'The minimum recorded event loop delay.', (h: Delay) => h.min],
  ['max', 'The maximum recorded event loop delay.', (h: Delay) => h.max],
  ['mean', 'The mean of the recorded event loop delays.', (h: Delay) => h.mean],
  ['stddev', 'The standard deviation of the recorded event loop delays.', (h: Delay) => h.stddev],
  ['p50', 'The 50th percentile of the recorded event loop delays.', (h: Delay) => h.percentile(50)],
  ['p90', 'The 90th percentile of the recorded event loop delays.', (h: Delay) => h.percentile(90)],
  ['p99', 'The 99th percentile of the recorded event loop delays.', (h: Delay) => h.percentile(99)],
] as const;

type Delay = ReturnType<typeof monitorEventLoopDelay>;

/**
 * Event-loop delay under the names prom-client's default metrics use
 * (`nodejs_eventloop_lag_seconds`, `nodejs_eventloop_lag_{min,max,mean,stddev,p50,p90,p99}_seconds`),
 * from a `monitorEventLoopDelay` sampler this module owns, so it can be switched off again.
 * The summary gauges describe the interval since the previous scrape; with no sample in it
 * (the sampler stopped) they read 0.
 */
export function collectEventLoopMetrics(registry: Registry, prefix: string): () => void {
  const delay = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  delay.enable();
  let running = true;

  const summaries = SUMMARY_GAUGES.map(([stat, help, read]) => ({
    gauge: new Gauge({ name: `${prefix}nodejs_eventloop_lag_${stat}_seconds`, help, registers: [] }),
    read,
  }));

  // Registered first so that, within one scrape, its collect runs before the summaries are read.
  new Gauge({
    name: `${prefix}nodejs_eventloop_lag_seconds`,
    help: 'Lag of event loop in seconds.',
    registers: [registry],
    async collect() {
      const sampled = running && delay.count > 0;
      for (const { gauge, read } of summaries) gauge.set(sampled ? read(delay) / 1e9 : 0);
      delay.reset();
      // The time a callback queued now waits before it runs: the lag a request would see.
      const start = performance.now();
      await new Promise<void>((resolve) => setImmediate(resolve));
      this.set((performance.now() - start) / 1000);
    },
  });
  for (const { gauge } of summaries) registry.registerMetric(gauge);

  return () => {
    running = false;
    delay.disable();
  };
}
