import { spawn } from 'node:child_process';
import { closeSync, createWriteStream, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../src/create-logger.js';
import { initLogging } from '../src/logging.js';
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

function expectAll101(lines: string[], format: LogFormat, lastLevel = 'fatal'): void {
  expect(lines).toHaveLength(101);
  if (format === 'json') {
    const records = lines.map((line) => JSON.parse(line));
    expect(records.map((r) => r.i)).toEqual(Array.from({ length: 101 }, (_, i) => i + 1));
    expect(records[100]).toMatchObject({ level: lastLevel, msg: expect.stringMatching(/^about to (exit|end)$/) });
  } else {
    expect(lines[0]).toContain('line 1 ');
    expect(lines[99]).toContain('line 100 ');
    expect(lines[100]).toMatch(new RegExp(`${lastLevel.toUpperCase()} +about to (exit|end)`));
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

function runFileFixture(how: string, file: string, format = 'json', lastLevel = 'fatal'): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', join(FIXTURES, 'register-ts.mjs'), join(FIXTURES, 'file-exit.mjs'), how, file, format, lastLevel], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      if (chunk.includes('ready')) child.kill('SIGTERM');
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stderr }));
  });
}

describe('nothing is lost with a file destination (batched writes, flushed when the process ends)', () => {
  // pino writes a `fatal` line through at once; an `error` or `warn` last line shows that the
  // sink's own exit hooks write the pending batch.
  it.each([
    ['json', 'fatal'],
    ['json', 'error'],
    ['compact', 'error'],
  ] as const)('%s, last line %s: process.exit(1) right after 100 lines: all 101 are in the file', async (format, level) => {
    const file = join(tempDir(), 'app.log');
    const { code } = await runFileFixture('exit', file, format, level);
    expect(code).toBe(1);
    expectAll101(readLines(file), format, level);
  });

  it('an uncaught exception right after: all 101 lines are in the file, and the exception still ends the process', async () => {
    const file = join(tempDir(), 'app.log');
    const { code, stderr } = await runFileFixture('throw', file, 'json', 'error');
    expect(code).toBe(1);
    expect(stderr).toContain('Error: boom');
    expectAll101(readLines(file), 'json', 'error');
  });

  it('SIGTERM with nobody else listening: all 101 lines are in the file and the process still dies by SIGTERM', async () => {
    const file = join(tempDir(), 'app.log');
    const { code, signal } = await runFileFixture('sigterm', file, 'json', 'warn');
    expect({ code, signal }).toEqual({ code: null, signal: 'SIGTERM' });
    expectAll101(readLines(file), 'json', 'warn');
  });

  it("SIGTERM with the application's own listener: it decides, and its last line is kept too", async () => {
    const file = join(tempDir(), 'app.log');
    const { code } = await runFileFixture('sigterm-handled', file, 'json', 'warn');
    expect(code).toBe(0);
    const lines = readLines(file);
    expectAll101(lines.slice(0, 101), 'json', 'warn');
    expect(JSON.parse(lines[101] as string)).toMatchObject({ i: 102, msg: 'shutting down' });
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

describe('a failing destination never throws into the code that logs', () => {
  it('a full disk (/dev/full, ENOSPC): the batch is dropped and one process warning says so', async () => {
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on('warning', onWarning);
    const fd = openSync('/dev/full', 'w');
    try {
      const logging = initLogging({ destination: fd });
      for (let round = 0; round < 3; round++) {
        logging.logger.info({ round }, 'lost');
        expect(() => logging.flushSync()).not.toThrow();
      }
      await logging.flush();
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings.map((w) => [w.name, (w as NodeJS.ErrnoException).code, w.message])).toEqual([
        ['Warning', 'TSFORGE_LOG_WRITE_FAILED', expect.stringMatching(/^log lines dropped: ENOSPC/)],
      ]);
      logging.close();
    } finally {
      process.off('warning', onWarning);
      closeSync(fd);
    }
  });
});
