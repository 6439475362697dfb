import { describe, expect, it } from 'vitest';
import { createLogger } from '../src/create-logger.js';
import { RequestContext } from '../src/request-context.js';
import { capture } from './helpers.js';

const FIXED = new Date(2030, 0, 2, 3, 4, 5, 67).getTime(); // local time: the human formats print local time

describe('compact format: HH:MM:SS.mmm LEVEL msg key=value ...', () => {
  it('writes the documented shape, flattening nested fields to dotted keys', () => {
    const out = capture();
    const logger = createLogger({ destination: out.stream, format: 'compact', now: () => FIXED, base: { service: 'api' } });
    logger.info({ status: 200, route: '/users/:id', req: { method: 'GET', remote: '127.0.0.1' }, ok: true, none: null }, 'request done');
    expect(out.lines()).toEqual([
      '03:04:05.067 INFO  request done service=api status=200 route=/users/:id req.method=GET req.remote=127.0.0.1 ok=true none=null',
    ]);
  });

  it('quotes values with spaces, quotes or "=", so key=value stays parseable', () => {
    const out = capture();
    createLogger({ destination: out.stream, format: 'compact', now: () => FIXED }).warn({ a: 'two words', b: 'x=y', c: '', d: [1, 'z'] }, 'w');
    expect(out.lines()).toEqual(['03:04:05.067 WARN  w a="two words" b="x=y" c="" d=[1,"z"]']);
  });

  it('shows errors as type and message, cause chain included, without stacks', () => {
    const out = capture();
    const err = Object.assign(new TypeError('bad input', { cause: new Error('root cause') }), { code: 'E_INPUT' });
    createLogger({ destination: out.stream, format: 'compact', now: () => FIXED }).error(err);
    expect(out.lines()).toEqual([
      '03:04:05.067 ERROR bad input err.type=TypeError err.message="bad input" err.code=E_INPUT err.cause.type=Error err.cause.message="root cause"',
    ]);
  });

  it('redacts exactly as the JSON format does', () => {
    const out = capture();
    createLogger({ destination: out.stream, format: 'compact', now: () => FIXED }).child({ token: 't' }).info({ headers: { cookie: 'c' } }, 'm');
    expect(out.lines()).toEqual(['03:04:05.067 INFO  m token=[REDACTED] headers.cookie=[REDACTED]']);
  });
});

describe('pretty format: [HH:MM:SS.mmm] LEVEL (request_id) msg key=value ...', () => {
  it('writes the documented shape, with the request id up front', () => {
    const out = capture();
    const context = new RequestContext();
    const logger = createLogger({ destination: out.stream, format: 'pretty', now: () => FIXED, context });
    context.run({ request_id: 'req-42' }, () => logger.info({ user: { id: 7 }, path: '/a b' }, 'hello'));
    logger.debug('not shown');
    logger.warn('no request');
    expect(out.lines()).toEqual([
      '[03:04:05.067] INFO  (req-42) hello user={"id":7} path="/a b"',
      '[03:04:05.067] WARN  no request',
    ]);
  });

  it('shows the stack and the cause chain, on the same line', () => {
    const out = capture();
    const err = new Error('outer', { cause: new RangeError('inner') });
    createLogger({ destination: out.stream, format: 'pretty', now: () => FIXED }).error({ err, attempt: 3 }, 'job failed');
    const [line] = out.lines();
    expect(line).toMatch(/^\[03:04:05\.067\] ERROR job failed attempt=3 err=Error: outer\\n {4}at .+ caused by RangeError: inner\\n {4}at /);
  });
});

describe('pretty format with modules and traces', () => {
  it('puts the module after the level and the trace ids last', () => {
    const out = capture();
    const context = new RequestContext();
    const logger = createLogger({ destination: out.stream, format: 'pretty', now: () => FIXED, context });
    context.run({ request_id: 'r-1', trace_id: 't'.repeat(32), span_id: 's'.repeat(16) }, () =>
      logger.child({ module: 'storage' }).info({ key: 'a.txt' }, 'stored'),
    );
    expect(out.lines()).toEqual([`[03:04:05.067] INFO  storage: (r-1) stored key=a.txt trace_id=${'t'.repeat(32)} span_id=${'s'.repeat(16)}`]);
  });

  it('on a terminal: the level, module, request id and keys are coloured; a hostile module name stays escaped', () => {
    const out = capture({ isTTY: true });
    const logger = createLogger({ destination: out.stream, format: 'pretty', now: () => FIXED });
    logger.child({ module: 'x\u001b]0;pwned\u0007' }).warn({ n: 1 }, 'careful');
    const [line] = out.lines();
    expect(line).toBe(
      '\u001b[90m[03:04:05.067]\u001b[0m \u001b[33mWARN \u001b[0m \u001b[35mx\\u001b]0;pwned\\u0007:\u001b[0m careful \u001b[90mn=\u001b[0m1',
    );
  });
});

describe('colour rules', () => {
  it('NO_COLOR in the environment turns colour off on a terminal, unless colorize is given', () => {
    const saved = process.env.NO_COLOR;
    process.env.NO_COLOR = '1';
    try {
      const tty = capture({ isTTY: true });
      createLogger({ destination: tty.stream, format: 'pretty', now: () => FIXED }).info('plain');
      expect(tty.lines()).toEqual(['[03:04:05.067] INFO  plain']);
      const forced = capture({ isTTY: true });
      createLogger({ destination: forced.stream, format: 'pretty', now: () => FIXED, colorize: true }).info('x');
      expect(forced.text()).toContain('\u001b[');
    } finally {
      if (saved === undefined) delete process.env.NO_COLOR;
      else process.env.NO_COLOR = saved;
    }
  });
});

describe('requestId: false', () => {
  it('leaves the request fields off the lines', () => {
    const out = capture();
    const context = new RequestContext();
    const logger = createLogger({ destination: out.stream, context, requestId: false });
    context.run({ request_id: 'r-1' }, () => logger.info('m'));
    expect(out.records()[0]?.request_id).toBeUndefined();
  });
});

describe('a line with only time and level', () => {
  it.each([
    ['compact', '03:04:05.067 INFO'],
    ['pretty', '[03:04:05.067] INFO'],
  ] as const)('%s has no trailing padding', (format, expected) => {
    const out = capture();
    createLogger({ destination: out.stream, format, now: () => FIXED }).info({});
    expect(out.lines()).toEqual([expected]);
  });
});
