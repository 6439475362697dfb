import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

// The README's example and the files it points to, run as a user would after
// `npx tsc -b packages/logging` (npm test builds first).
const packageDir = fileURLToPath(new URL('..', import.meta.url));
const readme = readFileSync(join(packageDir, 'README.md'), 'utf8');
const runFile = (file: string) =>
  execFileSync(process.execPath, [file], { encoding: 'utf8', timeout: 20_000, env: { ...process.env, LOG_LEVEL: '', LOG_FORMAT: 'json' } });
const lines = (out: string) => out.trimEnd().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);

// The fenced block right after the heading or sentence that introduces it.
function blockAfter(marker: string, lang: string): string {
  const from = readme.indexOf(marker);
  if (from < 0) throw new Error(`README has no "${marker}"`);
  const open = readme.indexOf('```' + lang + '\n', from);
  return readme.slice(open + lang.length + 4, readme.indexOf('\n```', open));
}

// A line's shape: its keys in order, with the values that do not change from run to run.
const shape = (line: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(line).map(([k, v]) => [k, ['time', 'span_id', 'duration_ms'].includes(k) ? typeof v : v]));
const shapeOf = (line: Record<string, unknown>) => {
  const s = shape(line);
  const headers = line.headers as Record<string, string> | undefined;
  // The outgoing traceparent carries a new span id on every run.
  if (headers) s.headers = { ...headers, traceparent: String(headers.traceparent).replace(/-[0-9a-f]{16}-/, '-<span>-') };
  return s;
};

describe('README example', () => {
  // Inside the package, so that `@tsforge/logging` resolves as it does for an installed package.
  const dir = mkdtempSync(join(packageDir, '.readme-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('runs as pasted and prints the lines the README shows', () => {
    const file = join(dir, 'snippet.mjs');
    writeFileSync(file, blockAfter('[`examples/service.mjs`](examples/service.mjs), shortened', 'js'));
    const printed = lines(runFile(file)).map(shapeOf);
    const shown = blockAfter('It prints', 'json').split('\n').map((line) => shapeOf(JSON.parse(line)));
    expect(printed).toEqual(shown);
  });

  it('examples/service.mjs gives a spoofed x-request-id a fresh request_id', () => {
    const printed = lines(runFile(join(packageDir, 'examples/service.mjs')));
    expect(printed.map((l) => l.msg)).toEqual([
      'db.query finished',
      'calling billing',
      'db.query finished',
      'calling billing',
      'now visible: module loggers follow run-time changes',
    ]);
    expect(printed[2]?.request_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(printed[2]?.trace_id).not.toBe('4bf92f3577b34da6a3ce929d0e0e4736');
  });

  it('examples/basic.mjs logs a hostile x-request-id only as an escaped header value', () => {
    const out = runFile(join(packageDir, 'examples/basic.mjs'));
    const printed = lines(out);
    const hostile = printed.find((l) => (l.headers as Record<string, string> | undefined)?.['x-request-id'] === 'not valid\n');
    expect(hostile?.request_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(out).toContain('"x-request-id":"not valid\\n"');
  });
});
