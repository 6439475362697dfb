import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
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

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A throwaway redis-server (no persistence) that a test can stop and start again on its port. */
export class ThrowawayRedis {
  readonly port: number;
  #child: ChildProcess | undefined;

  private constructor(port: number) {
    this.port = port;
  }

  static async start(): Promise<ThrowawayRedis> {
    const r = new ThrowawayRedis(await freePort());
    await r.start();
    return r;
  }

  async start(): Promise<void> {
    const child = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    this.#child = child;
    const deadline = Date.now() + 5000;
    for (;;) {
      const probe = new Redis({ port: this.port, host: '127.0.0.1', lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
      probe.on('error', () => {});
      try {
        await probe.connect();
        await probe.ping();
        probe.disconnect();
        return;
      } catch {
        probe.disconnect();
        if (Date.now() > deadline) throw new Error(`redis-server on ${this.port} did not start`);
        await sleep(20);
      }
    }
  }

  /** Stops it by its PID and waits for the exit. */
  async stop(): Promise<void> {
    const child = this.#child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    this.#child = undefined;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    process.kill(child.pid!, 'SIGKILL');
    await exited;
  }
}

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
