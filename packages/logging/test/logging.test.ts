import { describe, expect, it } from 'vitest';
import { initLogging } from '../src/logging.js';
import { PerfTimer } from '../src/perf-timer.js';
import { logData } from '../src/log-data.js';
import { createLogger } from '../src/create-logger.js';
import { capture } from './helpers.js';

function setup(config: Parameters<typeof initLogging>[0] = {}) {
  const out = capture();
  const logging = initLogging({ destination: out.stream, ...config });
  const seen = () => out.records().map((r) => `${r.module ?? 'root'}:${r.level}:${r.msg}`);
  return { out, logging, seen };
}

function everyLevel(logger: { trace(m: string): void; debug(m: string): void; info(m: string): void; warn(m: string): void }): void {
  logger.trace('t');
  logger.debug('d');
  logger.info('i');
  logger.warn('w');
}

describe('module loggers and per-module levels (LOG_LEVEL=info,storage=debug)', () => {
  it('a module logger writes {"module": name} and honours its own level; others follow the root', () => {
    const { logging, seen } = setup({ level: 'info', modules: { storage: 'debug', oauth2: 'warn' } });
    everyLevel(logging.module('storage'));
    everyLevel(logging.module('oauth2'));
    everyLevel(logging.module('http'));
    expect(seen()).toEqual(['storage:debug:d', 'storage:info:i', 'storage:warn:w', 'oauth2:warn:w', 'http:info:i', 'http:warn:w']);
  });

  it('gives back the same logger for the same module name', () => {
    const { logging } = setup();
    expect(logging.module('db')).toBe(logging.module('db'));
  });
});

describe('run-time level changes reach loggers that already exist', () => {
  it('root, plain children, module loggers and their children all follow setLevel', () => {
    const { logging, seen } = setup({ level: 'info', modules: { storage: 'warn' } });
    const child = logging.logger.child({ module: 'plain-child' });
    const storage = logging.module('storage');
    const storageChild = storage.child({ module: 'storage-child' });
    const http = logging.module('http');

    logging.setLevel('debug,storage=trace');
    for (const logger of [logging.logger, child, storage, storageChild, http]) logger.trace('t');
    for (const logger of [logging.logger, child, storage, storageChild, http]) logger.debug('d');
    expect(seen()).toEqual([
      'storage:trace:t', 'storage-child:trace:t',
      'root:debug:d', 'plain-child:debug:d', 'storage:debug:d', 'storage-child:debug:d', 'http:debug:d',
    ]);
    expect(logging.levels.toString()).toBe('debug,storage=trace');
  });

  it('a bare level clears the module overrides; a module-only spec keeps the root level', () => {
    const { logging } = setup({ level: 'info', modules: { storage: 'debug' } });
    const storage = logging.module('storage');
    logging.setLevel('warn');
    expect(logging.levels.get()).toEqual({ level: 'warn', modules: {} });
    expect(storage.level).toBe('warn');
    logging.setLevel('storage=trace');
    expect(logging.levels.get()).toEqual({ level: 'warn', modules: { storage: 'trace' } });
    expect(storage.level).toBe('trace');
  });

  it('an invalid spec throws LogConfigError and changes nothing', () => {
    const { logging } = setup({ level: 'info', modules: { storage: 'debug' } });
    expect(() => logging.setLevel('verbose')).toThrow(expect.objectContaining({ code: 'E_LOG_CONFIG' }));
    expect(() => logging.setLevel('info,storage=loud')).toThrow(expect.objectContaining({ code: 'E_LOG_CONFIG' }));
    expect(logging.levels.toString()).toBe('info,storage=debug');
  });
});

describe('logData(level, msg, fields)', () => {
  it('writes one structured line at a level chosen at run time, redacted like any other', () => {
    const { out, logging } = setup();
    logging.logData('warn', 'slow query', { sql_ms: 812, password: 'p' });
    logData(logging.module('db'), 'error', 'query failed', { table: 'users' });
    expect(out.records().map(({ time: _time, ...r }) => r)).toEqual([
      { level: 'warn', sql_ms: 812, password: '[REDACTED]', msg: 'slow query' },
      { level: 'error', module: 'db', table: 'users', msg: 'query failed' },
    ]);
  });

  it('an unknown level is a TypeError, not a dropped line', () => {
    const { logging } = setup();
    expect(() => logging.logData('loud' as never, 'x')).toThrow(TypeError);
    expect(() => logging.logData('silent' as never, 'x')).toThrow(TypeError);
  });
});

describe('PerfTimer', () => {
  function clock(start = 1000) {
    let t = start;
    return { now: () => t, advance: (ms: number) => (t += ms) };
  }

  it('start(name), elapsed() while running, stop() writes duration_ms once and returns it', () => {
    const out = capture();
    const logger = createLogger({ destination: out.stream });
    const c = clock();
    const timer = PerfTimer.start('db.query', { logger, now: c.now });
    c.advance(12.3456);
    expect(timer.elapsed()).toBeCloseTo(12.3456, 6);
    c.advance(1);
    expect(timer.stop({ table: 'users' })).toBeCloseTo(13.3456, 6);
    c.advance(50);
    expect(timer.stop()).toBeCloseTo(13.3456, 6);
    expect(timer.elapsed()).toBeCloseTo(13.3456, 6);
    expect(timer.stopped).toBe(true);
    expect(out.records().map(({ time: _time, ...r }) => r)).toEqual([
      { level: 'info', table: 'users', timer: 'db.query', duration_ms: 13.346, msg: 'db.query finished' },
    ]);
  });

  it('inside a request the timer line carries the request fields; the level is configurable', async () => {
    const { out, logging } = setup({ level: 'debug' });
    await logging.runRequest({ 'x-request-id': 'req-7' }, async () => {
      const timer = PerfTimer.start('upload', { logger: logging.logger, level: 'debug' });
      await new Promise((resolve) => setTimeout(resolve, 5));
      timer.stop();
    });
    const [line] = out.records();
    expect(line).toMatchObject({ level: 'debug', request_id: 'req-7', timer: 'upload', msg: 'upload finished' });
    expect(line?.duration_ms).toBeGreaterThan(0);
  });

  it('logging.timer() measures but writes nothing when timing is off', () => {
    const { out, logging } = setup({ timing: false });
    const timer = logging.timer('quiet');
    expect(timer.stop()).toBeGreaterThanOrEqual(0);
    const on = setup();
    on.logging.timer('loud', on.logging.module('jobs')).stop();
    expect(out.lines()).toEqual([]);
    expect(on.out.records()[0]).toMatchObject({ module: 'jobs', timer: 'loud' });
  });
});
