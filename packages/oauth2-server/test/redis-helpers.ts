import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';

/** The shared Redis of the test machine. */
export const REDIS_PORT = 6379;

/** A key prefix of its own per test, so runs never see each other's keys. */
export function testPrefix(): string {
  return `tsforge-test:${randomBytes(6).toString('hex')}:`;
}

/** A client that fails at once while disconnected (what the README recommends), connected. */
export async function connect(port = REDIS_PORT): Promise<Redis> {
  const redis = new Redis({
    host: '127.0.0.1', port, lazyConnect: true, enableOfflineQueue: false, commandTimeout: 500,
    maxRetriesPerRequest: 0, retryStrategy: () => 50,
  });
  redis.on('error', () => {}); // reconnects by itself; the tests look at the commands' failures
  await redis.connect();
  return redis;
}

export async function deleteKeys(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    if (keys.length > 0) await redis.del(...keys);
    cursor = next;
  } while (cursor !== '0');
}

export { freePort, ThrowawayRedis } from '../src/testing/index.js';

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Waits until `redis` has reconnected (bounded). */
export async function ready(redis: Redis, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (redis.status !== 'ready') {
    if (Date.now() > deadline) throw new Error(`redis client not ready: ${redis.status}`);
    await sleep(20);
  }
}
