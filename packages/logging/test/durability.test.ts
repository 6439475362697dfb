import { spawn } from 'node:child_process';
import { closeSync, createWriteStream, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../src/create-logger.js';
import { flushLogger } from '../src/flush.js';
import type { LogFormat } from '../src/levels.js';
import { capture, readLines, splitLines, tempDir } from './helpers.js';

const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));

function runExitFixture(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', join(FIXTURES, 'register-ts.mjs'), join(FIXTURES, 'exit-after-fatal.mjs'), ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

function expectAll101(lines: string[], format: LogFormat): void {
  expect(lines).toHaveLength(101);
  if (format === 'json') {
    const records = lines.map((line) => JSON.parse(line));
    expect(records.map((r) => r.i)).toEqual(Array.from({ length: 101 }, (_, i) => i + 1));
    expect(records[100]).toMatchObject({ level: 'fatal', msg: 'about to exit' });
  } else {
    expect(lines[0]).toContain('line 1 ');
    expect(lines[99]).toContain('line 100 ');
    expect(lines[100]).toMatch(/FATAL about to exit/);
  }
}

describe('nothing is lost when the process exits right after a fatal line', () => {
  it.each(['json', 'compact', 'pretty'] as const)('%s to stdout (a pipe): all 101 lines arrive', async (format) => {
    const { code, stdout, stderr } = await runExitFixture([format, 'stdout']);
    expect(stderr).toBe('');
    expect(code).toBe(1);
    expectAll101(splitLines(stdout), format);
  });

  it('json to stdout with 4 KiB lines (400 KiB, far more than a pipe buffer): all 101 lines arrive', async () => {
    const { code, stdout } = await runExitFixture(['json', 'stdout', '4096']);
    expect(code).toBe(1);
    expectAll101(splitLines(stdout), 'json');
  });

  it.each(['json', 'pretty'] as const)('%s to a file descriptor: all 101 lines are in the file', async (format) => {
    const file = join(tempDir(), 'app.log');
    const { code } = await runExitFixture([format, file]);
    expect(code).toBe(1);
    expectAll101(readLines(file), format);
  });
});

describe('flushLogger', () => {
  it.each(['json', 'compact', 'pretty'] as const)(
    '%s: resolves once every line is in a file written through an asynchronous fs stream',
    async (format) => {
      const file = join(tempDir(), 'async.log');
      const stream = createWriteStream(file);
      const logger = createLogger({ destination: stream, format });
      for (let i = 0; i < 2000; i++) logger.info({ i, pad: 'y'.repeat(200) }, `line ${i}`);
      await flushLogger(logger);
      expect(readLines(file)).toHaveLength(2000);
      stream.end();
    },
  );

  it('json to a file descriptor: every line is on disk when it resolves', async () => {
    const file = join(tempDir(), 'sync.log');
    const fd = openSync(file, 'w');
    const logger = createLogger({ destination: fd });
    for (let i = 0; i < 500; i++) logger.info({ i }, 'x');
    await flushLogger(logger.child({ module: 'child' }));
    expect(readFileSync(file, 'utf8').split('\n')).toHaveLength(501);
    closeSync(fd);
  });

  it('pretty to a file descriptor resolves with every line written', async () => {
    const file = join(tempDir(), 'pretty.log');
    const fd = openSync(file, 'w');
    const logger = createLogger({ destination: fd, format: 'pretty' });
    for (let i = 0; i < 100; i++) logger.info({ i }, 'x');
    await flushLogger(logger);
    expect(readLines(file)).toHaveLength(100);
    closeSync(fd);
  });

  it('resolves at once for an idle stream and for an ended one', async () => {
    const out = capture();
    const logger = createLogger({ destination: out.stream });
    await flushLogger(logger);
    logger.info('x');
    out.stream.end();
    await flushLogger(logger);
    expect(out.lines()).toHaveLength(1);
  });
});
