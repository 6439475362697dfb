import { closeSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../src/create-logger.js';
import { flushLogger } from '../src/flush.js';
import { createLineWriter } from '../src/line-writer.js';
import { capture, readLines, tempDir } from './helpers.js';

const KEYS = ['request_id', 'method', 'path', 'status', 'duration_ms', 'aborted', 'token'] as const;
const VALUES = { request_id: 'r-1', method: 'GET', path: '/a', status: 200, duration_ms: 1.25, aborted: undefined, token: undefined };
const FIXED_CLOCK = () => Date.UTC(2030, 0, 2, 3, 4, 5, 6);

describe('a fixed-shape line writer', () => {
  it('writes byte for byte the line the logger itself writes for the same fields and message', async () => {
    const out = capture();
    const logger = createLogger({ destination: out.stream, now: FIXED_CLOCK, base: { service: 'api' } }).child({ module: 'http' });
    const write = createLineWriter(logger, KEYS);
    logger.info(VALUES, 'request completed');
    write('info', VALUES, 'request completed');
    await flushLogger(logger);
    const [viaPino, viaWriter] = out.lines();
    expect(viaWriter).toBe(viaPino);
    expect(JSON.parse(viaWriter as string)).toEqual({
      level: 'info', time: '2030-01-02T03:04:05.006Z', service: 'api', module: 'http', request_id: 'r-1', method: 'GET', path: '/a', status: 200, duration_ms: 1.25, msg: 'request completed',
    });
  });

  it('to a file destination too, where lines go through the batched sink', async () => {
    const path = join(tempDir(), 'app.log');
    const fd = openSync(path, 'a');
    const logger = createLogger({ destination: fd, now: FIXED_CLOCK });
    const write = createLineWriter(logger, KEYS);
    logger.warn(VALUES, 'slow');
    write('warn', VALUES, 'slow');
    await flushLogger(logger);
    closeSync(fd);
    const [viaPino, viaWriter] = readLines(path);
    expect(viaWriter).toBe(viaPino);
  });

  it('keeps below-level lines out, and follows a level changed at run time', async () => {
    const out = capture();
    const logger = createLogger({ destination: out.stream, level: 'warn' });
    const write = createLineWriter(logger, KEYS);
    write('info', VALUES, 'dropped');
    write('warn', VALUES, 'kept');
    logger.level = 'info';
    write('info', VALUES, 'now kept');
    await flushLogger(logger);
    expect(out.records().map((r) => r.msg)).toEqual(['kept', 'now kept']);
  });

  it('redacts like the logger: a secret key is censored, a URL keeps only harmless query values', async () => {
    const out = capture();
    const logger = createLogger({ destination: out.stream });
    const write = createLineWriter(logger, ['token', 'url'] as const);
    write('info', { token: 'hunter2', url: '/f?signature=abc&x=1' }, 'm');
    await flushLogger(logger);
    const [line] = out.lines();
    expect(line).not.toContain('hunter2');
    expect(line).not.toContain('abc');
    expect(JSON.parse(line as string)).toMatchObject({ token: '[REDACTED]', url: '/f?signature=[REDACTED]&x=1' });
  });

  it('one call is one line: quotes, newlines and control characters in values are escaped; NaN is null', async () => {
    const out = capture();
    const logger = createLogger({ destination: out.stream });
    const write = createLineWriter(logger, ['path', 'n'] as const);
    const path = '/a"b\\c\nd\u001b[2J\u2028e';
    write('error', { path, n: Number.NaN }, 'bad "input"\n');
    await flushLogger(logger);
    expect(out.lines()).toHaveLength(1);
    expect(out.records()[0]).toMatchObject({ level: 'error', path, n: null, msg: 'bad "input"\n' });
  });

  it('in the compact format, renders through the same formatter as every other line', async () => {
    const out = capture();
    const logger = createLogger({ destination: out.stream, format: 'compact', now: FIXED_CLOCK });
    const write = createLineWriter(logger, KEYS);
    logger.info(VALUES, 'done');
    write('info', VALUES, 'done');
    await flushLogger(logger);
    const [viaPino, viaWriter] = out.lines();
    expect(viaWriter).toBe(viaPino);
  });
});
