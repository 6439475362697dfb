import { describe, expect, it } from 'vitest';
import { createLogger } from '../src/create-logger.js';
import { logConfigFromEnv } from '../src/config.js';
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
  ])('%j (isTTY %s) gives %j', (env, isTTY, expected) => {
    expect(logConfigFromEnv(env, isTTY)).toEqual(expected);
  });

  it.each([
    ['LOG_LEVEL', { LOG_LEVEL: 'verbose' }],
    ['LOG_FORMAT', { LOG_FORMAT: 'xml' }],
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
  ])('a bad %s throws LogConfigError', (setting, config) => {
    expect(() => createLogger(config as never)).toThrow(expect.objectContaining({ code: 'E_LOG_CONFIG', setting }));
  });
});
