import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { serverForSuite } from './support/tsforge.js';
import { requireTool, scrapeMetrics } from './support/metrics.js';
import { DEPLOY_DIR, dashboardQueries, metricNames } from './support/deploy.js';

describe('deploy/prometheus.yml', () => {
  it('passes promtool check config', (ctx) => {
    const promtool = requireTool(ctx, 'promtool');
    const result = spawnSync(promtool, ['check', 'config', `${DEPLOY_DIR}prometheus.yml`], { encoding: 'utf8', timeout: 20_000 });
    expect(result.stdout).toContain('SUCCESS');
    expect(result.status, result.stderr).toBe(0);
  });
});

describe('deploy/grafana-dashboard.json', () => {
  const server = serverForSuite();
  const queries = dashboardQueries();

  it('has panels for request rate, p50/p95/p99 latency, error rate, connections, token issuance and storage bytes', () => {
    const all = queries.map((q) => q.expr).join('\n');
    expect(all).toMatch(/rate\(http_requests_total\{/);
    for (const q of ['0.5', '0.95', '0.99']) expect(all).toContain(`histogram_quantile(${q}, sum by (le) (rate(http_request_duration_seconds_bucket{`);
    expect(all).toMatch(/status=~"5\.\."/);
    for (const name of ['active_connections', 'oauth2_tokens_issued_total', 'storage_bytes_written_total', 'storage_bytes_read_total']) {
      expect(metricNames(all)).toContain(name);
    }
  });

  it('reads the metric names out of PromQL, not labels, functions or durations', () => {
    expect(metricNames('histogram_quantile(0.99, sum by (le, route) (rate(a_bucket{job=~"x", b="c{d}"}[5m]))) / ignoring(x) b_total offset 5m')).toEqual(['a_bucket', 'b_total']);
  });

  it('queries only metrics a running server exports (a HELP/TYPE line counts) or Prometheus adds (up)', async () => {
    const { families } = await scrapeMetrics(server.url);
    const exported = new Set<string>(['up']);
    for (const family of families.values()) {
      exported.add(family.name);
      if (family.type === 'histogram') for (const s of ['_bucket', '_sum', '_count']) exported.add(family.name + s);
      for (const sample of family.samples) exported.add(sample.name);
    }
    const missing = queries.flatMap(({ panel, expr }) => metricNames(expr).filter((n) => !exported.has(n)).map((n) => `${panel}: ${n}`));
    expect(missing).toEqual([]);
    expect(queries.length).toBeGreaterThanOrEqual(10);
  });
});
