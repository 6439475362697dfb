import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { Disk } from '../src/disk.js';
import { StorageError } from '../src/errors.js';
import { resolveS3Options } from '../src/s3/s3-config.js';
import { mapS3Error } from '../src/s3/s3-errors.js';
import { S3Driver } from '../src/s3/s3-driver.js';
import { chunks, collect, expectCode } from './helpers.js';
import { describeSwift, useSwift } from './swift.js';

const MiB = 1024 * 1024;

/** How long `run` took to settle, in ms, and its rejection (or undefined). */
async function timed(run: () => Promise<unknown>): Promise<{ ms: number; err: unknown }> {
  const start = performance.now();
  try {
    await run();
    return { ms: performance.now() - start, err: undefined };
  } catch (err) {
    return { ms: performance.now() - start, err };
  }
}

/** The same driver, once the store is back: what was there before is there, and writes work. */
async function expectWorksAgain(disk: Disk): Promise<void> {
  expect((await disk.stat('kept.txt')).size).toBe(6);
  await disk.put('after.txt', 'after');
  expect((await disk.stat('after.txt')).size).toBe(5);
}

function expectUnavailable(err: unknown): StorageError {
  expect(err, 'expected E_UNAVAILABLE').toBeInstanceOf(StorageError);
  expect((err as StorageError).code).toBe('E_UNAVAILABLE');
  expect((err as StorageError).status).toBe(503);
  expect((err as StorageError).expose).toBe(false);
  return err as StorageError;
}

describe('S3 timeouts', () => {
  it('default to 3 s to connect and 30 s of socket inactivity', () => {
    const options = resolveS3Options({ bucket: 'b-1' });
    expect([options.connectTimeoutMs, options.socketTimeoutMs]).toEqual([3000, 30_000]);
  });

  it.each([
    [{ connectTimeoutMs: 0 }], [{ connectTimeoutMs: -1 }], [{ connectTimeoutMs: 1.5 }], [{ socketTimeoutMs: Number.NaN }],
    [{ socketTimeoutMs: 3_600_001 }], [{ socketTimeoutMs: '1000' as unknown as number }],
  ])('a timeout that is not 1 ms to 1 h is E_MISCONFIGURED up front: %j', async (options) => {
    await expectCode(() => new S3Driver({ bucket: 'ok-bucket', ...options }), 'E_MISCONFIGURED');
  });
});

describe('S3 errors that mean "the store is unavailable" (shapes seen from the SDK against Swift)', () => {
  const sdk = (name: string, status?: number, extra: Record<string, unknown> = {}) =>
    Object.assign(new Error(name), { name, ...extra, $metadata: status === undefined ? { attempts: 3 } : { httpStatusCode: status, attempts: 3 } });
  it.each([
    ['connection refused', Object.assign(sdk('Error'), { code: 'ECONNREFUSED' })],
    ['connection reset', Object.assign(sdk('Error'), { code: 'ECONNRESET' })],
    ['unknown host', Object.assign(sdk('Error'), { code: 'ENOTFOUND' })],
    ['connect or socket timeout', sdk('TimeoutError')],
    ['503 ServiceUnavailable', sdk('ServiceUnavailable', 503)],
    ['503 SlowDown', sdk('SlowDown', 503)],
    ['503 on a HEAD (no body, no error name)', sdk('503', 503)],
    ['500 InternalError', sdk('InternalError', 500)],
  ])('%s is E_UNAVAILABLE with the SDK error as cause', (_, err) => {
    const mapped = expectUnavailable(mapS3Error(err));
    expect(mapped.cause).toBe(err);
    expect(mapped.message).toBe('the storage service is unavailable');
  });

  it('501 NotImplemented stays as it is (for Disk to report as E_IO): the store answered, it cannot do this', () => {
    const err = sdk('NotImplemented', 501);
    expect(mapS3Error(err)).toBe(err);
  });
});

describeSwift('S3 driver when the store goes away (Swift proxy killed or frozen)', () => {
  const swift = useSwift();
  let state: 'up' | 'killed' | 'frozen' = 'up';
  afterEach(async () => {
    if (state === 'killed') await swift.server().restart();
    if (state === 'frozen') swift.server().thaw();
    state = 'up';
  }, 120_000);

  it('refused: every operation is E_UNAVAILABLE (cause ECONNREFUSED) within 2 s; after a restart the same driver works again', async () => {
    const { driver, cleanup } = await swift.bucket({ connectTimeoutMs: 1000, socketTimeoutMs: 1000 });
    const disk = new Disk(driver);
    try {
      await disk.put('kept.txt', 'before');
      await swift.server().kill();
      state = 'killed';
      const operations: [string, () => Promise<unknown>][] = [
        ['stat', () => disk.stat('kept.txt')],
        ['get', () => disk.getStream('kept.txt')],
        ['put', () => disk.put('new.txt', 'x')],
        ['put stream', () => disk.put('streamed.txt', chunks(['a', 'b']))],
        ['delete', () => disk.delete('kept.txt')],
        ['list', () => collect(disk.list(''))],
        ['check', () => disk.check()],
      ];
      for (const [name, run] of operations) {
        const { ms, err } = await timed(run);
        const mapped = expectUnavailable(err);
        expect((mapped.cause as { code?: string }).code, name).toBe('ECONNREFUSED');
        expect(ms, name).toBeLessThan(2000);
      }
      await swift.server().restart();
      state = 'up';
      await expectWorksAgain(disk);
    } finally {
      await cleanup();
    }
  }, 120_000);

  it('frozen (accepts, never answers): E_UNAVAILABLE (cause TimeoutError) after one socket timeout, not one per retry; after a thaw the same driver works again', async () => {
    const { driver, cleanup } = await swift.bucket({ connectTimeoutMs: 1000, socketTimeoutMs: 1000 });
    const disk = new Disk(driver);
    try {
      await disk.put('kept.txt', 'before');
      swift.server().freeze();
      state = 'frozen';
      for (const [name, run] of [
        ['stat', () => disk.stat('kept.txt')],
        ['get', () => disk.getStream('kept.txt')],
        ['put', () => disk.put('new.txt', 'x')],
      ] as const) {
        const { ms, err } = await timed(run);
        const mapped = expectUnavailable(err);
        expect((mapped.cause as Error).name, name).toBe('TimeoutError');
        expect(ms, name).toBeGreaterThanOrEqual(900);
        expect(ms, name).toBeLessThan(2500);
      }
      swift.server().thaw();
      state = 'up';
      await expectWorksAgain(disk);
    } finally {
      await cleanup();
    }
  }, 120_000);

  it('frozen in the middle of a download: the body stream fails after the socket timeout instead of hanging', async () => {
    const { driver, cleanup } = await swift.bucket({ connectTimeoutMs: 1000, socketTimeoutMs: 1000 });
    const disk = new Disk(driver);
    try {
      // Larger than what loopback socket buffers hold, so the freeze leaves bytes unsent.
      await disk.put('big.bin', randomBytes(48 * MiB));
      const { stream } = await disk.getStream('big.bin');
      const start = performance.now();
      let received = 0;
      const outcome = await new Promise<unknown>((resolve) => {
        stream.on('data', (chunk: Buffer) => {
          received += chunk.length;
          if (state === 'up') {
            swift.server().freeze();
            state = 'frozen';
          }
        });
        stream.on('error', resolve);
        stream.on('end', () => resolve(undefined));
      });
      expect(outcome, `received ${received} bytes`).toBeInstanceOf(Error);
      expect((outcome as Error).name).toBe('TimeoutError');
      expect(received).toBeLessThan(48 * MiB);
      expect(performance.now() - start).toBeLessThan(5000);
      swift.server().thaw();
      state = 'up';
      expect((await disk.stat('big.bin')).size).toBe(48 * MiB);
    } finally {
      await cleanup();
    }
  }, 120_000);
});
