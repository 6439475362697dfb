import { createHash } from 'node:crypto';
import { open, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ContentMeter } from '../src/body.js';
import { batchedCopy, unwritten } from '../src/local/batched-copy.js';
import { expectCode, sandbox } from './helpers.js';

let box: Awaited<ReturnType<typeof sandbox>>;
beforeEach(async () => {
  box = await sandbox();
});
afterEach(() => box.cleanup());

const sha = (data: Buffer) => `"${createHash('sha256').update(data).digest('hex').slice(0, 32)}"`;

/** Copies `source` into a fresh file; returns the file's bytes, or the rejection. */
async function copy(source: Readable, meter = new ContentMeter()): Promise<Buffer> {
  const path = join(box.dir, 'out.bin');
  const handle = await open(path, 'w');
  try {
    await batchedCopy(source, handle, meter);
  } finally {
    await handle.close();
  }
  return readFile(path);
}

describe('batchedCopy', () => {
  it('writes every byte in order, across batches closed by size (1 MiB) and by count (1024 chunks)', async () => {
    // 2500 chunks of 1001 bytes close batches by count, then a 3 MiB chunk and small ones by size.
    const parts = Array.from({ length: 2500 }, (_, i) => Buffer.alloc(1001, i % 251));
    parts.push(Buffer.alloc(3 << 20, 7), Buffer.from('tail'), Buffer.alloc(0), Buffer.from('end'));
    const whole = Buffer.concat(parts);
    const meter = new ContentMeter();
    const written = await copy(Readable.from(parts), meter);
    expect(written.equals(whole)).toBe(true);
    expect(meter.bytes).toBe(whole.length);
    expect(meter.etag()).toBe(sha(whole));
  });

  it('an empty body writes an empty file', async () => {
    expect((await copy(Readable.from([]))).length).toBe(0);
  });

  it('text chunks (a source with an encoding set) are written as UTF-8', async () => {
    const source = Readable.from([Buffer.from('héllo '), Buffer.from('wörld')]);
    source.setEncoding('utf8');
    expect((await copy(source)).toString()).toBe('héllo wörld');
  });

  it('a source its owner paused is still read to the end', async () => {
    const source = Readable.from([Buffer.from('paused '), Buffer.from('source')]);
    source.pause();
    expect((await copy(source)).toString()).toBe('paused source');
  });

  it('a source closed before its end without an error (a client abort) rejects', async () => {
    let reads = 0;
    const source = new Readable({ read() { if (++reads === 1) this.push('partial'); else this.destroy(); } });
    await expect(copy(source)).rejects.toMatchObject({ code: 'ERR_STREAM_PREMATURE_CLOSE' });
  });

  it('a meter failure (E_TOO_LARGE) leaves the source paused, open and with no listeners of ours', async () => {
    const source = new Readable({ read() {} });
    const listeners = { data: source.listenerCount('data'), error: source.listenerCount('error'), end: source.listenerCount('end') };
    source.push(Buffer.alloc(100));
    source.push(Buffer.alloc(100));
    await expectCode(copy(source, new ContentMeter(150)), 'E_TOO_LARGE');
    expect(source.destroyed).toBe(false);
    expect(source.isPaused()).toBe(true);
    expect({ data: source.listenerCount('data'), error: source.listenerCount('error'), end: source.listenerCount('end') }).toEqual(listeners);
    source.destroy();
  });

  it('a chunk that is neither bytes nor text fails with a TypeError', async () => {
    await expect(copy(Readable.from([{ not: 'bytes' }]))).rejects.toBeInstanceOf(TypeError);
  });
});

describe('unwritten: what a short write leaves to write', () => {
  const a = Buffer.from('abc');
  const b = Buffer.from('de');
  const empty = Buffer.alloc(0);
  it.each([
    [0, ['abc', 'de']],
    [2, ['c', 'de']],
    [3, ['de']],
    [4, ['e']],
    [5, []],
  ])('after %i of 5 bytes: %j', (count, rest) => {
    expect(unwritten([a, b], count).map((x) => Buffer.from(x).toString())).toEqual(rest);
  });
  it('skips empty buffers the count has reached', () => {
    expect(unwritten([a, empty, b], 3).map((x) => Buffer.from(x).toString())).toEqual(['de']);
    expect(unwritten([a, empty], 3)).toEqual([]);
  });
});
