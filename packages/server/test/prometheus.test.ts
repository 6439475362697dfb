import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { removeDir, withTsforge } from './support/tsforge.js';
import { freePort, requireTool } from './support/metrics.js';
import { DEPLOY_DIR, concreteQuery, dashboardQueries } from './support/deploy.js';

interface QueryResult {
  status: string;
  error?: string;
  data?: { resultType: string; result: { metric: Record<string, string>; value: [number, string] }[] };
}

const TOKEN = 'prometheus-scrape-token-0123456789';

describe('a real Prometheus server scraping tsforge serve', () => {
  it('scrapes it with the shipped config (bearer token added), answers PromQL for http_requests_total and every dashboard query', { timeout: 90_000 }, async (ctx) => {
    const prometheus = requireTool(ctx, 'prometheus');
    await withTsforge({ env: { METRICS_AUTH_TOKEN: TOKEN } }, async (server) => {
      for (let i = 0; i < 3; i++) await fetch(`${server.url}/health`);
      await fetch(`${server.url}/no/such/page`);

      const dir = mkdtempSync(join(tmpdir(), 'tsforge-prometheus-'));
      const port = await freePort();
      const target = new URL(server.url).host;
      // The shipped file, pointed at this server, scraping every second, with the token.
      const config = readFileSync(`${DEPLOY_DIR}prometheus.yml`, 'utf8')
        .replace("['127.0.0.1:3000']", `['${target}']`)
        .replace(/scrape_interval: 15s/, 'scrape_interval: 1s')
        .replace(/scrape_timeout: 10s/, 'scrape_timeout: 1s')
        .replace('    # authorization:\n', `    authorization:\n      type: Bearer\n      credentials_file: ${join(dir, 'token')}\n    # (shipped, commented:)\n`);
      expect(config).toContain(target);
      writeFileSync(join(dir, 'token'), TOKEN, { mode: 0o600 });
      writeFileSync(join(dir, 'prometheus.yml'), config);
      const child = spawn(prometheus, [
        `--config.file=${join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--log.level=warn',
      ], { stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      const exited = new Promise((r) => child.once('exit', r));
      const query = async (promql: string): Promise<QueryResult> => {
        const response = await fetch(`http://127.0.0.1:${port}/api/v1/query?${new URLSearchParams({ query: promql })}`);
        return (await response.json()) as QueryResult;
      };
      try {
        // Prometheus starts, then scrapes every second: poll until the first scrape is queryable.
        const deadline = Date.now() + 45_000;
        for (;;) {
          const result = await query('http_requests_total{job="tsforge",route="/health"}').catch(() => undefined);
          if ((result?.data?.result.length ?? 0) > 0) break;
          if (Date.now() > deadline || child.exitCode !== null) throw new Error(`no scrape arrived in time; prometheus stderr:\n${stderr}`);
          await new Promise((r) => setTimeout(r, 250));
        }

        const up = await query('up{job="tsforge"}');
        expect(up.data?.result.map((r) => r.value[1])).toEqual(['1']);
        const health = await query('http_requests_total{job="tsforge",route="/health",method="GET",status="200"}');
        expect(Number(health.data?.result[0]?.value[1])).toBeGreaterThanOrEqual(3);
        const unmatched = await query('http_requests_total{job="tsforge",route="<unmatched>"}');
        expect(unmatched.data?.result.length).toBe(1);
        // Prometheus 2.x asks for OpenMetrics 1.0 first ("application/openmetrics-text;version=1.0.0,
        // ...;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1"), so these samples went through its
        // strict OpenMetrics parser. Counters keep their _total names there too.
        expect((await query('count(process_cpu_seconds_total{job="tsforge"})')).data?.result[0]?.value[1]).toBe('1');

        for (const { panel, expr } of dashboardQueries()) {
          const result = await query(concreteQuery(expr, 'tsforge'));
          expect(result, `${panel}: ${expr}`).toMatchObject({ status: 'success' });
        }
      } finally {
        child.kill('SIGTERM');
        await exited;
        removeDir(dir);
      }
    });
  });

  it('fails, never skips, under CI=true when the prometheus binary is missing', () => {
    const root = fileURLToPath(new URL('../../../', import.meta.url));
    const run = (env: NodeJS.ProcessEnv) => spawnSync(process.execPath, ['node_modules/vitest/vitest.mjs', 'run', 'packages/server/test/prometheus.test.ts', '-t', 'scrapes it'], {
      cwd: root, encoding: 'utf8', timeout: 60_000, env: { PATH: process.env.PATH, HOME: process.env.HOME, PROMETHEUS: '/nonexistent/prometheus', ...env },
    });
    const ci = run({ CI: 'true' });
    expect(ci.status).not.toBe(0);
    expect(ci.stdout + ci.stderr).toContain('prometheus is required in CI');
    const local = run({ CI: '' });
    expect(local.status, local.stdout + local.stderr).toBe(0);
    expect(local.stdout + local.stderr).toMatch(/skipped/);
  });
});
