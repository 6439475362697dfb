import { describe, expect, it } from 'vitest';
import { REDIS_DEGRADED, REDIS_RESTORED, RedisStatus } from '../src/redis-status.js';
import { capturedLogger } from './support/log-capture.js';

function setup() {
  const { logger, lines } = capturedLogger();
  let now = 0;
  const status = new RedisStatus(logger, 'redis://cache.internal:6379', () => now);
  const messages = async () => {
    await new Promise((r) => setImmediate(r));
    return lines.map(({ level, msg, part, down_ms }) => ({ level, msg, part, down_ms }));
  };
  return { status, messages, advance: (ms: number) => (now += ms) };
}

describe('RedisStatus', () => {
  it('one warning when the first part fails, one line when the last one that failed works again', async () => {
    const t = setup();
    t.status.failed('connection', new Error('connect ECONNREFUSED'));
    t.status.failed('rate limits', new Error("Stream isn't writeable"));
    t.status.failed('connection', new Error('connect ECONNREFUSED'));
    t.status.failed('token cache', new Error("Stream isn't writeable"));
    t.advance(3_000);
    t.status.recovered('connection');
    t.status.recovered('rate limits');
    expect(t.status.degraded).toBe(true);
    t.advance(500);
    t.status.recovered('token cache');
    expect(t.status.degraded).toBe(false);
    expect(await t.messages()).toEqual([
      { level: 'warn', msg: REDIS_DEGRADED, part: 'connection', down_ms: undefined },
      { level: 'info', msg: REDIS_RESTORED, part: undefined, down_ms: 3_500 },
    ]);
  });

  it('a part that never failed recovering says nothing (the first connect)', async () => {
    const t = setup();
    t.status.recovered('connection');
    expect(await t.messages()).toEqual([]);
  });

  it('a second outage is told again', async () => {
    const t = setup();
    for (let i = 0; i < 2; i++) {
      t.status.failed('token cache', new Error('Command timed out'));
      t.status.recovered('token cache');
    }
    expect((await t.messages()).map((m) => m.msg)).toEqual([REDIS_DEGRADED, REDIS_RESTORED, REDIS_DEGRADED, REDIS_RESTORED]);
  });
});
