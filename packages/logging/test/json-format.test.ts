import { describe, expect, it } from 'vitest';
import { createLogger } from '../src/create-logger.js';
import { capture } from './helpers.js';

const FIXED = Date.UTC(2030, 0, 1, 12, 0, 0, 250);

describe('JSON format: one object per line', () => {
  it('writes level as its label, time as ISO-8601, msg, and no pid or hostname', () => {
    const out = capture();
    const logger = createLogger({ destination: out.stream, now: () => FIXED });
    logger.info('server started');
    expect(out.lines()).toEqual(['{"level":"info","time":"2030-01-01T12:00:00.250Z","msg":"server started"}']);
  });

  it('uses the real clock by default, as an ISO-8601 string', () => {
    const out = capture();
    const before = Date.now();
    createLogger({ destination: out.stream }).warn('x');
    const [record] = out.records();
    expect(record?.time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(Date.parse(record?.time)).toBeGreaterThanOrEqual(before - 1);
  });

  it('puts base bindings on every line, before the call fields', () => {
    const out = capture();
    const logger = createLogger({ destination: out.stream, base: { service: 'tsforge', version: '1.2.3' }, now: () => FIXED });
    logger.info({ port: 3000 }, 'listening');
    expect(out.lines()).toEqual([
      '{"level":"info","time":"2030-01-01T12:00:00.250Z","service":"tsforge","version":"1.2.3","port":3000,"msg":"listening"}',
    ]);
  });

  it('filters by level, default info; silent writes nothing', () => {
    const out = capture();
    const logger = createLogger({ destination: out.stream });
    logger.debug('hidden');
    logger.info('shown');
    expect(out.records().map((r) => r.msg)).toEqual(['shown']);

    const quiet = capture();
    createLogger({ destination: quiet.stream, level: 'silent' }).fatal('nothing');
    expect(quiet.text()).toBe('');

    const verbose = capture();
    const all = createLogger({ destination: verbose.stream, level: 'trace' });
    for (const level of ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const) all[level](level);
    expect(verbose.records().map((r) => r.level)).toEqual(['trace', 'debug', 'info', 'warn', 'error', 'fatal']);
  });

  it('child loggers add their bindings to every line', () => {
    const out = capture();
    const logger = createLogger({ destination: out.stream, base: { service: 's' } });
    logger.child({ module: 'db' }).child({ table: 'users' }).info('query');
    const [record] = out.records();
    expect(record).toMatchObject({ service: 's', module: 'db', table: 'users', msg: 'query' });
  });
});

describe('JSON format: errors under err', () => {
  it('serializes type, message, stack and own properties', () => {
    const out = capture();
    const err = Object.assign(new RangeError('port out of range'), { code: 'E_PORT', port: 70000 });
    createLogger({ destination: out.stream }).error(err);
    const [record] = out.records();
    expect(record?.msg).toBe('port out of range');
    expect(record?.err).toMatchObject({ type: 'RangeError', message: 'port out of range', code: 'E_PORT', port: 70000 });
    expect(record?.err.stack).toContain('RangeError: port out of range\n    at ');
  });

  it('keeps the whole cause chain as nested errors, with non-error causes as values', () => {
    const out = capture();
    const root = new Error('ECONNREFUSED 127.0.0.1:5432', { cause: { errno: -111 } });
    const middle = new Error('database unavailable', { cause: root });
    const top = new TypeError('cannot load user', { cause: middle });
    createLogger({ destination: out.stream }).error({ err: top }, 'request failed');
    const [record] = out.records();
    expect(record?.msg).toBe('request failed');
    expect(record?.err.type).toBe('TypeError');
    expect(record?.err.cause.message).toBe('database unavailable');
    expect(record?.err.cause.stack).toContain('Error: database unavailable');
    expect(record?.err.cause.cause.message).toBe('ECONNREFUSED 127.0.0.1:5432');
    expect(record?.err.cause.cause.cause).toEqual({ errno: -111 });
  });

  it("lists an AggregateError's errors", () => {
    const out = capture();
    const agg = new AggregateError([new Error('a failed'), new RangeError('b failed', { cause: new Error('b root') })], 'all failed');
    createLogger({ destination: out.stream }).error(agg);
    const [record] = out.records();
    expect(record?.err.type).toBe('AggregateError');
    expect(record?.err.message).toBe('all failed');
    expect(record?.err.errors.map((e: { type: string; message: string }) => `${e.type}: ${e.message}`)).toEqual([
      'Error: a failed',
      'RangeError: b failed',
    ]);
    expect(record?.err.errors[1].cause.message).toBe('b root');
  });

  it('serializes errors at any key and depth, and survives a cause cycle', () => {
    const out = capture();
    const a = new Error('a');
    const b = new Error('b', { cause: a });
    (a as { cause?: unknown }).cause = b;
    createLogger({ destination: out.stream }).warn({ job: { lastError: b } }, 'retrying');
    const [record] = out.records();
    expect(record?.job.lastError.message).toBe('b');
    expect(record?.job.lastError.cause.message).toBe('a');
    expect(record?.job.lastError.cause.cause).toBe('[Circular]');
  });

  it('does not modify the error it was given', () => {
    const out = capture();
    const err = Object.assign(new Error('x'), { password: 'hunter2' });
    createLogger({ destination: out.stream }).error(err);
    expect(Object.keys(err)).toEqual(['password']);
    expect(err.password).toBe('hunter2');
    expect(out.records()[0]?.err.password).toBe('[REDACTED]');
  });
});
