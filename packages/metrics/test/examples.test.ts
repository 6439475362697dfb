import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The README's examples, run as a user would after `npx tsc -b packages/metrics` (npm test builds first).
const run = (name: string) =>
  execFileSync(process.execPath, [fileURLToPath(new URL(`../examples/${name}`, import.meta.url))], { encoding: 'utf8', timeout: 20_000 });

describe('examples', () => {
  it('basic.mjs prints both formats', () => {
    const out = run('basic.mjs');
    expect(out).toContain('ok jobs: 3 | queue: 0');
    expect(out).toContain('get-or-create: true');
    expect(out).toContain('jobs_processed_total{result="failed",service="example"} 2\n');
    expect(out).toContain('# TYPE jobs_processed counter\n');
    expect(out).toContain('job_duration_seconds_bucket{le="1.0",service="example"} 4\n');
    expect(out.trimEnd().endsWith('# EOF')).toBe(true);
  });

  it('node-http.mjs counts by route template, scanners under one value', () => {
    expect(run('node-http.mjs')).toBe(
      'text/plain; version=0.0.4; charset=utf-8\n' +
        'http_requests_total{method="GET",route="/users/:id",status="200"} 2\n' +
        'http_requests_total{method="GET",route="<unmatched>",status="404"} 2\n',
    );
  });
});
