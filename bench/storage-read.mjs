// Local reads: Disk.getStream (key checks, symlink guard, metadata, bounded stream) beside the
// least a read can do (open, fstat, stream, close with callback fs), and beside the same steps
// through fs/promises FileHandles, in one run, 20 reads in flight. Part of `npm run bench`.
import fs from 'node:fs';
import { open as openHandle } from 'node:fs/promises';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Disk, LocalDriver } from '../packages/storage/dist/index.js';

const SECONDS = Number(process.env.BENCH_DURATION ?? 5);
const dir = mkdtempSync(join(tmpdir(), 'tsforge-bench-storage-'));
const disk = new Disk(new LocalDriver({ root: join(dir, 'storage') }));
await disk.put('bench/1k.bin', Buffer.alloc(1024, 1), { contentType: 'application/octet-stream' });
const path = join(dir, 'storage', 'bench', '1k.bin');
const [open, fstat] = [promisify(fs.open), promisify(fs.fstat)];

async function drain(stream) {
  for await (const _ of stream);
}

async function rate(fn) {
  let n = 0;
  const end = Date.now() + SECONDS * 1000;
  await Promise.all(Array.from({ length: 20 }, async () => {
    while (Date.now() < end) { await fn(); n++; }
  }));
  return n / SECONDS;
}

const targets = [
  ['callback fs: open, fstat, stream (baseline)', async () => {
    const fd = await open(path, fs.constants.O_RDONLY);
    const { size } = await fstat(fd);
    await drain(fs.createReadStream(path, { fd, start: 0, end: size - 1 }));
  }],
  ['fs/promises FileHandle: open, stat, stream', async () => {
    const handle = await openHandle(path, 'r');
    const { size } = await handle.stat();
    await drain(handle.createReadStream({ start: 0, end: size - 1 }));
  }],
  ['Disk.getStream (LocalDriver)', async () => drain((await disk.getStream('bench/1k.bin')).stream)],
];

try {
  const rows = [];
  for (const [name, fn] of targets) rows.push([name, await rate(fn)]);
  rows.push(['callback fs (baseline, again)', await rate(targets[0][1])]);
  const base = (rows[0][1] + rows[rows.length - 1][1]) / 2;
  console.log(`\nLocal reads of a 1 KiB file, ${SECONDS}s each, 20 in flight; baseline = mean of the two callback-fs runs\n`);
  console.log('| target | reads/s | ratio to baseline |');
  console.log('|---|---:|---:|');
  for (const [name, r] of rows) console.log(`| ${name} | ${Math.round(r)} | ${(r / base).toFixed(3)} |`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
