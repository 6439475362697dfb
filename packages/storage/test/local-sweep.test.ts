import { spawnSync } from 'node:child_process';
import { mkdir, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LocalDriver } from '../src/local/local-driver.js';
import { sandbox, tree } from './helpers.js';

const hex = (pid: number) => pid.toString(16).padStart(8, '0');
const random = 'ab'.repeat(12);

describe('LocalDriver.sweepTempFiles', () => {
  it('removes temp files of dead writers and old ones, keeps live writes and real files', async () => {
    const box = await sandbox();
    try {
      const driver = new LocalDriver({ root: box.root });
      await driver.put('dir/doc.txt', 'ORIGINAL', {});
      const dead = spawnSync(process.execPath, ['-e', '']).pid!; // exited: its pid names no process
      const deadTemp = join(box.root, 'dir', `.doc.txt.${hex(dead)}${random}.tmp`);
      const liveTemp = join(box.root, 'dir', `.doc.txt.${hex(process.pid)}${random}.tmp`);
      const oldTemp = join(box.root, `.old.${hex(process.pid)}${'cd'.repeat(12)}.tmp`);
      await mkdir(join(box.root, 'only-debris'), { recursive: true });
      const lonely = join(box.root, 'only-debris', `.x.${hex(dead)}${random}.tmp`);
      for (const path of [deadTemp, liveTemp, oldTemp, lonely]) await writeFile(path, 'partial');
      const dayAndAMinute = (Date.now() - 24 * 3600_000 - 60_000) / 1000;
      await utimes(oldTemp, dayAndAMinute, dayAndAMinute);

      expect(await driver.sweepTempFiles()).toBe(3);
      const left = await tree(box.root);
      expect(left).toEqual(['dir/', 'dir/.doc.txt.' + hex(process.pid) + random + '.tmp', 'dir/doc.txt']);
      expect((await driver.stat('dir/doc.txt')).size).toBe(8);
    } finally {
      await box.cleanup();
    }
  });
});
