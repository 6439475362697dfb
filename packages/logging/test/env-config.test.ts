import { describe, expect, it } from 'vitest';
import { createLogger } from '../src/create-logger.js';
import { LogConfig, logConfigFromEnv } from '../src/config.js';
import { LogConfigError } from '../src/errors.js';
import { capture } from './helpers.js';

describe('logConfigFromEnv', () => {
  it.each([
    [{}, false, { format: 'json' }],
    [{}, true, { format: 'pretty' }],
    [{ LOG_LEVEL: 'debug' }, false, { level: 'debug', format: 'json' }],
    [{ LOG_LEVEL: ' WARN ' }, false, { level: 'warn', format: 'json' }],
    [{ LOG_LEVEL: '' }, false, { format: 'json' }],
    [{ LOG_FORMAT: 'compact' }, true, { format: 'compact' }],
    [{ LOG_FORMAT: 'JSON' }, true, { format: 'json' }],
    [{ LOG_REDACT: 'ssn, card_number,,' }, false, { format: 'json', redact: ['ssn', 'card_number'] }],
    [{ NO_COLOR: '1' }, true, { format: 'pretty', colorize: false }],
    [{ NO_COLOR: '1', FORCE_COLOR: '1' }, true, { format: 'pretty', colorize: false }],
    [{ FORCE_COLOR: '1' }, false, { format: 'json', colorize: true }],
    [{ FORCE_COLOR: '0' }, true, { format: 'pretty', colorize: false }],
    [{ LOG_LEVEL: 'info,storage=debug' }, false, { level: 'info', modules: { storage: 'debug' }, format: 'json' }],
    [{ LOG_LEVEL: 'storage=TRACE, oauth2=warn' }, false, { modules: { storage: 'trace', oauth2: 'warn' }, format: 'json' }],
    [{ LOG_FILE: '/var/log/app.log' }, false, { format: 'json', file: '/var/log/app.log' }],
    [{ LOG_DIR: '/var/log/app', LOG_STDOUT: 'true' }, false, { format: 'json', logDir: '/var/log/app', stdout: true }],
    [{ LOG_ROTATE: 'daily', LOG_MAX_SIZE: '50M', LOG_KEEP: '3' }, false, { format: 'json', rotate: { daily: true, maxSize: 50 * 1024 * 1024, keep: 3 } }],
    [{ LOG_MAX_SIZE: '512k' }, false, { format: 'json', rotate: { maxSize: 512 * 1024 } }],
    [{ LOG_ROTATE: 'none', LOG_MAX_SIZE: '1048576' }, false, { format: 'json', rotate: { daily: false, maxSize: 1048576 } }],
  ])('%j (isTTY %s) gives %j', (env, isTTY, expected) => {
    expect(logConfigFromEnv(env, isTTY)).toEqual(expected);
  });

  it.each([
    ['LOG_LEVEL', { LOG_LEVEL: 'verbose' }],
    ['LOG_FORMAT', { LOG_FORMAT: 'xml' }],
    ['LOG_LEVEL', { LOG_LEVEL: 'info,storage=loud' }],
    ['LOG_ROTATE', { LOG_ROTATE: 'hourly' }],
  ])('an invalid %s throws LogConfigError naming the variable', (name, env) => {
    let error: unknown;
    try {
      logConfigFromEnv(env, false);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(LogConfigError);
    expect(error).toMatchObject({ code: 'E_LOG_CONFIG', setting: name, status: 500, expose: false });
    expect((error as Error).message).toMatch(new RegExp(`^${name} must be one of `));
  });

  it.each([
    ['LOG_LEVEL', { LOG_LEVEL: 'info,debug' }, /more than one default level/],
    ['LOG_LEVEL', { LOG_LEVEL: 'info,st orage=debug' }, /invalid module name/],
    ['LOG_LEVEL', { LOG_LEVEL: 'info,__proto__=debug' }, /invalid module name "__proto__"/],
    ['LOG_LEVEL', { LOG_LEVEL: ',,,' }, /names no level/],
    ['LOG_LEVEL', { LOG_LEVEL: 'info,storage=loud' }, /^LOG_LEVEL must be one of .* for module "storage"; got "loud"$/],
    ['LOG_FILE', { LOG_FILE: '/tmp/a.log', LOG_DIR: '/tmp/logs' }, /^set LOG_FILE .* or LOG_DIR .*, not both$/],
    ['LOG_MAX_SIZE', { LOG_MAX_SIZE: 'big' }, /must be a size/],
    ['LOG_MAX_SIZE', { LOG_MAX_SIZE: '0' }, /must be a size/],
    ['LOG_KEEP', { LOG_KEEP: '-1' }, /whole number/],
    ['LOG_STDOUT', { LOG_STDOUT: 'maybe' }, /true or false/],
  ])('%s %j is refused: %s', (setting, env, message) => {
    expect(() => logConfigFromEnv(env, false)).toThrow(expect.objectContaining({ code: 'E_LOG_CONFIG', setting, message: expect.stringMatching(message) }));
  });

  it('LogConfig.fromEnv() is logConfigFromEnv', () => {
    expect(LogConfig.fromEnv({ LOG_LEVEL: 'info,storage=debug', LOG_FORMAT: 'compact' }, false)).toEqual({
      level: 'info', modules: { storage: 'debug' }, format: 'compact',
    });
  });

  it('bounds and escapes the bad value it quotes', () => {
    expect(() => logConfigFromEnv({ LOG_LEVEL: `x\u001b[2J${'y'.repeat(100)}` }, false)).toThrow(
      /^LOG_LEVEL must be one of trace, debug, info, warn, error, fatal, silent; got "x\\u001b\[2Jy{35}\.\.\."$/,
    );
  });

  it('reads process.env by default and builds a working logger', () => {
    const out = capture();
    const logger = createLogger({ ...logConfigFromEnv({ LOG_LEVEL: 'error' }, false), destination: out.stream });
    logger.warn('dropped');
    logger.error('kept');
    expect(out.records().map((r) => r.msg)).toEqual(['kept']);
  });
});

describe('createLogger validates its config', () => {
  it.each([
    ['level', { level: 'loud' }],
    ['format', { format: 'yaml' }],
    ['destination', { destination: 'stdout' }],
    ['destination', { destination: -1 }],
    ['redact', { redact: 'password' }],
    ['modules.storage', { modules: { storage: 'loud' } }],
    ['destination', { destination: 1, file: '/tmp/x.log' }],
    ['file', { file: '/tmp/x.log', logDir: '/tmp' }],
    ['fileName', { logDir: '/tmp', fileName: '../escape.log' }],
    ['rotate.maxSize', { file: '/tmp/x.log', rotate: { maxSize: 0 } }],
    ['rotate.keep', { file: '/tmp/x.log', rotate: { keep: 1.5 } }],
  ])('a bad %s throws LogConfigError', (setting, config) => {
    expect(() => createLogger(config as never)).toThrow(expect.objectContaining({ code: 'E_LOG_CONFIG', setting }));
  });
});
