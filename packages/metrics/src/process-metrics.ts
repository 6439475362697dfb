import { createRequire } from 'node:module';
import { collectDefaultMetrics, type Registry } from 'prom-client';
import { collectEventLoopMetrics } from './event-loop-metrics.js';
import { collectGcMetrics } from './gc-metrics.js';

/** Stops the background samplers of one registry's process metrics. Idempotent. */
export type StopProcessMetrics = () => void;

type Collector = (registry: Registry, config: { prefix: string }) => void;

// prom-client's default metrics are one module per concern under lib/metrics. The two that
// start background work it never stops (an event-loop-delay sampler and a GC observer) are
// replaced by our own under the same names; every other one is used as it is.
const OWNED = new Set(['eventLoopLag', 'gc']);
const require = createRequire(import.meta.url);

/**
 * Registers the process and Node.js metrics of prom-client's `collectDefaultMetrics` on
 * `registry`, and returns the function that stops their samplers.
 */
export function collectProcessMetrics(registry: Registry, prefix: string): StopProcessMetrics {
  for (const name of collectDefaultMetrics.metricsList) {
    if (OWNED.has(name)) continue;
    (require(`prom-client/lib/metrics/${name}`) as Collector)(registry, { prefix });
  }
  const stops = [collectEventLoopMetrics(registry, prefix), collectGcMetrics(registry, prefix)];
  dropMisnamedGauges(registry);

  let stopped = false;
  return () => {
    if (stopped) return;
    stopped = true;
    for (const stop of stops) stop();
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
