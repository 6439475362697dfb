import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { Disk } from '../src/disk.js';
import { StorageManager } from '../src/manager.js';
import { MemoryDriver } from '../src/memory/memory-driver.js';
import type { StorageMetrics } from '../src/metrics.js';
import { expectCode, sandbox } from './helpers.js';

function recorder() {
  const calls: [string, string, number][] = [];
  const metrics: StorageMetrics = {
    bytesWritten: (disk, bytes) => calls.push(['written', disk, bytes]),
    bytesRead: (disk, bytes) => calls.push(['read', disk, bytes]),
  };
  return { calls, metrics };
}

describe('StorageManager', () => {
  it('holds named disks from config, each with its own driver and name', async () => {
    const box = await sandbox();
    try {
      const storage = await StorageManager.create({
        disks: { default: { driver: 'local', root: box.root }, uploads: { driver: 'memory' } },
      });
      expect(storage.names).toEqual(['default', 'uploads']);
      expect(storage.disk()).toBe(storage.disk('default'));
      expect(storage.disk('uploads').name).toBe('uploads');
      await storage.disk('uploads').put('a.txt', 'in memory');
      expect(await storage.disk().exists('a.txt')).toBe(false);
      expect((await storage.disk('uploads').get('a.txt')).toString()).toBe('in memory');
      await expectCode(() => storage.disk('nope'), 'E_MISCONFIGURED');
      storage.close();
    } finally {
      await box.cleanup();
    }
  });

  it('refuses an unknown driver and a missing default disk; takes extra drivers by name', async () => {
    await expectCode(StorageManager.create({ disks: { default: { driver: 'ftp' } } }), 'E_MISCONFIGURED');
    await expectCode(StorageManager.create({ default: 'main', disks: { other: { driver: 'memory' } } }), 'E_MISCONFIGURED');
    const mine = new MemoryDriver();
    const storage = await StorageManager.create({ disks: { default: { driver: 'mine' } }, drivers: { mine: () => mine } });
    expect(storage.disk().driver).toBe(mine);
  });

  it('an S3 disk with a bad bucket name is E_MISCONFIGURED when the manager is built', async () => {
    await expectCode(StorageManager.create({ disks: { default: { driver: 's3', bucket: 'Not A Bucket' } } }), 'E_MISCONFIGURED');
  });

  it('the main entry point never loads the AWS SDK (it sits behind @tsforge/storage/s3)', () => {
    const dist = resolve(dirname(fileURLToPath(import.meta.url)), '../dist');
    const seen = new Set<string>();
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      const source = readFileSync(file, 'utf8');
      expect(source, file).not.toMatch(/from ['"]@aws-sdk/);
      for (const match of source.matchAll(/from ['"](\.[^'"]+)['"]/g)) visit(join(dirname(file), match[1]!));
    };
    visit(join(dist, 'index.js'));
    expect(seen.size).toBeGreaterThan(5);
  });
});

describe('StorageMetrics', () => {
  it('reports bytes written once per completed put and bytes read once per read, under the disk name', async () => {
    const { calls, metrics } = recorder();
    const disk = new Disk(new MemoryDriver(), { name: 'uploads', metrics });
    await disk.put('a.bin', Buffer.alloc(1000));
    await disk.put('b.bin', Readable.from([Buffer.alloc(10), Buffer.alloc(20)]));
    await expect(disk.put('c.bin', Readable.from([Buffer.alloc(10)]), { maxBytes: 5 })).rejects.toThrow();
    expect(await disk.get('a.bin')).toHaveLength(1000);
    const { stream } = await disk.getStream('b.bin');
    for await (const chunk of stream) void chunk;
    const ranged = await disk.getStream('a.bin', { range: { start: 0, end: 99 } });
    for await (const chunk of ranged.stream) void chunk;
    expect(calls).toEqual([['written', 'uploads', 1000], ['written', 'uploads', 30], ['read', 'uploads', 1000], ['read', 'uploads', 30], ['read', 'uploads', 100]]);
  });

  it('an abandoned download reports only the bytes actually read', async () => {
    const { calls, metrics } = recorder();
    const disk = new Disk(new MemoryDriver(), { metrics });
    const parts = Array.from({ length: 8 }, () => Buffer.alloc(64 * 1024, 1));
    await disk.put('big.bin', Readable.from(parts));
    calls.length = 0;
    const { stream } = await disk.getStream('big.bin');
    let got = 0;
    for await (const chunk of stream) {
      got += (chunk as Buffer).byteLength;
      break; // the reader goes away
    }
    await new Promise((r) => setImmediate(r));
    expect(calls).toHaveLength(1);
    expect(calls[0]![0]).toBe('read');
    expect(calls[0]![2]).toBeGreaterThanOrEqual(got);
    expect(calls[0]![2]).toBeLessThan(8 * 64 * 1024);
  });
});

describe('Disk.deleteAll', () => {
  it('keeps going past keys the driver cannot delete and reports each of them', async () => {
    class Stubborn extends MemoryDriver {
      override async delete(key: string): Promise<void> {
        if (key.endsWith('.locked')) throw new Error('permission denied');
        return super.delete(key);
      }
    }
    const disk = new Disk(new Stubborn());
    for (const key of ['t/a', 't/b.locked', 't/c', 't/d.locked']) await disk.put(key, 'x');
    const result = await disk.deleteAll('t/');
    expect(result).toEqual({
      deleted: 2,
      failed: [{ key: 't/b.locked', reason: 'permission denied' }, { key: 't/d.locked', reason: 'permission denied' }],
    });
    expect(await disk.exists('t/a')).toBe(false);
    expect(await disk.exists('t/b.locked')).toBe(true);
  });

  it('refuses to wipe the whole disk unless told so', async () => {
    const disk = new Disk(new MemoryDriver());
    await disk.put('a', 'x');
    await expect(disk.deleteAll('')).rejects.toThrow(TypeError);
    expect(await disk.deleteAll('', { everything: true })).toEqual({ deleted: 1, failed: [] });
  });
});
