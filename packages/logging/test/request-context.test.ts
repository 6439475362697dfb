import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../src/create-logger.js';
import { RequestContext } from '../src/request-context.js';
import { capture } from './helpers.js';

describe('RequestContext', () => {
  it('current() is the fields of the enclosing run, undefined outside', () => {
    const context = new RequestContext();
    expect(context.current()).toBeUndefined();
    const result = context.run({ request_id: 'r1' }, () => context.current()?.request_id);
    expect(result).toBe('r1');
    expect(context.current()).toBeUndefined();
  });

  it('follows awaits, timers and promises started inside run', async () => {
    const context = new RequestContext();
    const seen: unknown[] = [];
    await context.run({ request_id: 'r1' }, async () => {
      await sleep(5);
      seen.push(context.current()?.request_id);
      await new Promise<void>((resolve) => setTimeout(() => {
        seen.push(context.current()?.request_id);
        resolve();
      }, 1));
      await Promise.all([1, 2].map(async () => seen.push(context.current()?.request_id)));
      setImmediate(() => seen.push(context.current()?.request_id));
      await sleep(5);
    });
    expect(seen).toEqual(['r1', 'r1', 'r1', 'r1', 'r1']);
  });

  it('keeps concurrent requests apart', async () => {
    const context = new RequestContext();
    const handle = (id: string, delay: number) =>
      context.run({ request_id: id }, async () => {
        await sleep(delay);
        return context.current()?.request_id;
      });
    expect(await Promise.all([handle('a', 20), handle('b', 1), handle('c', 10)])).toEqual(['a', 'b', 'c']);
  });

  it('is not a singleton: two contexts never see each other', () => {
    const one = new RequestContext();
    const two = new RequestContext();
    one.run({ request_id: 'one' }, () => {
      expect(two.current()).toBeUndefined();
      two.run({ request_id: 'two' }, () => expect(one.current()?.request_id).toBe('one'));
    });
  });

  it('enterWith sets the fields for the rest of the current async scope', async () => {
    const context = new RequestContext();
    const inside = await new Promise((resolve) => {
      // A fresh async scope, as a server gives each request.
      setImmediate(async () => {
        context.enterWith({ request_id: 'hook' });
        await sleep(1);
        resolve(context.current()?.request_id);
      });
    });
    expect(inside).toBe('hook');
    expect(context.current()).toBeUndefined();
  });
});

describe('createLogger with a context', () => {
  it('adds the current request fields to every line, from child loggers and deep async code', async () => {
    const out = capture();
    const context = new RequestContext<{ request_id: string; user_id?: string }>();
    const logger = createLogger({ destination: out.stream, context });
    const db = logger.child({ module: 'db' });

    logger.info('before');
    await context.run({ request_id: 'req-1', user_id: 'u1' }, async () => {
      logger.info('start');
      await sleep(2);
      db.info('query');
      await new Promise<void>((resolve) => setTimeout(() => {
        db.child({ table: 'users' }).warn('slow');
        resolve();
      }, 2));
      await Promise.resolve().then(() => logger.error('failed'));
    });
    logger.info('after');

    expect(out.records().map((r) => [r.msg, r.request_id, r.user_id])).toEqual([
      ['before', undefined, undefined],
      ['start', 'req-1', 'u1'],
      ['query', 'req-1', 'u1'],
      ['slow', 'req-1', 'u1'],
      ['failed', 'req-1', 'u1'],
      ['after', undefined, undefined],
    ]);
  });

  it('lets a call field override the context, and redacts context fields too', () => {
    const out = capture();
    const context = new RequestContext();
    const logger = createLogger({ destination: out.stream, context });
    const fields = { request_id: 'ctx', token: 'tok' };
    context.run(fields, () => logger.info({ request_id: 'explicit' }, 'm'));
    expect(out.records()[0]).toMatchObject({ request_id: 'explicit', token: '[REDACTED]' });
    expect(fields).toEqual({ request_id: 'ctx', token: 'tok' });
  });

  it('a logger without a context ignores any context', () => {
    const out = capture();
    const context = new RequestContext();
    const logger = createLogger({ destination: out.stream });
    context.run({ request_id: 'r' }, () => logger.info('m'));
    expect(out.records()[0]?.request_id).toBeUndefined();
  });
});
