import perfHooks from 'node:perf_hooks';
import type { IntervalHistogram, PerformanceObserverCallback } from 'node:perf_hooks';
import { collectDefaultMetrics, type Registry } from 'prom-client';

/** Stops what prom-client started in the background for one registry. */
export type StopProcessMetrics = () => void;

type PerfHooks = {
  monitorEventLoopDelay: typeof perfHooks.monitorEventLoopDelay;
  PerformanceObserver: typeof perfHooks.PerformanceObserver;
};

/**
 * Registers prom-client's default process and Node.js metrics on `registry`.
 *
 * prom-client enables an event-loop-delay monitor and a GC PerformanceObserver
 * for each call and offers no way to stop them, so every collector would keep
 * sampling (and keep its registry reachable) for the life of the process. We
 * capture the two objects while the (synchronous) call runs and hand back a
 * function that disables them.
 */
export function collectProcessMetrics(registry: Registry, prefix: string): StopProcessMetrics {
  const hooks = perfHooks as unknown as PerfHooks;
  const monitors: IntervalHistogram[] = [];
  const observers: InstanceType<typeof perfHooks.PerformanceObserver>[] = [];
  const originalMonitor = hooks.monitorEventLoopDelay;
  const OriginalObserver = hooks.PerformanceObserver;

  hooks.monitorEventLoopDelay = (options) => {
    const monitor = originalMonitor(options);
    monitors.push(monitor);
    return monitor;
  };
  hooks.PerformanceObserver = class extends OriginalObserver {
    constructor(callback: PerformanceObserverCallback) {
      super(callback);
      observers.push(this);
    }
  };
  try {
    collectDefaultMetrics({ register: registry, prefix });
  } finally {
    hooks.monitorEventLoopDelay = originalMonitor;
    hooks.PerformanceObserver = OriginalObserver;
  }
  dropMisnamedGauges(registry);

  let stopped = false;
  return () => {
    if (stopped) return;
    stopped = true;
    for (const monitor of monitors) monitor.disable();
    for (const observer of observers) observer.disconnect();
  };
}

/**
 * Prometheus naming practice: "an accumulating count has total as a suffix" and
 * `promtool check metrics` rejects a non-counter ending in `_total`. prom-client
 * exports nodejs_active_{handles,requests,resources}_total as gauges; each is the
 * sum of the per-type gauge of the same stem (`sum(nodejs_active_handles)`), so
 * nothing is lost by leaving them out.
 */
function dropMisnamedGauges(registry: Registry): void {
  for (const metric of registry.getMetricsAsArray()) {
    if (String(metric.type) !== 'counter' && metric.name.endsWith('_total')) {
      registry.removeSingleMetric(metric.name);
    }
  }
}
