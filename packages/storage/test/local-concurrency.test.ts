import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Disk } from '../src/disk.js';
import { LocalDriver } from '../src/local/local-driver.js';
import { chunks, sandbox, tree } from './helpers.js';

let box: Awaited<ReturnType<typeof sandbox>>;
let disk: Disk;

beforeEach(async () => {
  box = await sandbox();
  disk = new Disk(new LocalDriver({ root: box.root }));
});
afterEach(() => box.cleanup());

const metaRoot = () => join(box.dir, '.storage-meta');
const debris = async () => (await tree(box.dir)).filter((p) => p.endsWith('.tmp'));
const sha = (data: Buffer) => `"${createHash('sha256').update(data).digest('hex').slice(0, 32)}"`;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The reason of every rejected promise, so a failure names what went wrong. */
function rejections(results: PromiseSettledResult<unknown>[]): string[] {
  return results.flatMap((r) => (r.status === 'rejected' ? [`${String(r.reason)} <- ${String((r.reason as Error).cause)}`] : []));
}

describe('a put racing a delete that prunes its parent directories', () => {
  it('200 rounds of put and delete of the same key and of sibling keys: every call resolves, no temp file is left', async () => {
    for (let round = 0; round < 200; round++) {
      const results = await Promise.allSettled([
        disk.put('r6/x/y/a', `a${round}`, { contentType: 'text/plain' }),
        disk.delete('r6/x/y/a'),
        disk.put('r6/x/y/b', chunks([`b${round}`, '!']), { contentType: 'text/plain' }),
        disk.delete('r6/x/y/c'),
        disk.delete('r6/x/y/b'),
        disk.put('r6/x/z', `z${round}`),
        disk.delete('r6/x/z'),
        disk.put('d/e/f/g/h', `h${round}`),
        disk.delete('d/e/f/g/i'),
      ]);
      expect(rejections(results), `round ${round}`).toEqual([]);
    }
    expect(await debris()).toEqual([]);
  }, 60_000);

  it('a put whose sidecar directories are pruned while it streams (same key and a sibling deleted) still lands whole', async () => {
    await disk.put('p/q/a', 'old', { contentType: 'text/plain' });
    let resume!: () => void;
    const gate = new Promise<void>((resolve) => (resume = resolve));
    const source = (async function* () {
      yield Buffer.from('new ');
      await gate;
      yield Buffer.from('content');
    })();
    const put = disk.put('p/q/a', source, { contentType: 'text/plain' });
    await new Promise((resolve) => setTimeout(resolve, 20));
    await disk.delete('p/q/a'); // removes data and sidecar; prunes the now-empty sidecar directories
    await disk.delete('p/q/sibling');
    expect(await readdir(metaRoot())).toEqual([]);
    // The in-flight temp file keeps its data directory from being pruned: rename(2) into it cannot fail.
    expect(await readdir(join(box.root, 'p', 'q'))).toEqual([expect.stringMatching(/^\.a\.[0-9a-f]{32}\.tmp$/)]);
    resume();
    const stored = await put;
    expect((await disk.get('p/q/a')).toString()).toBe('new content');
    expect(await disk.stat('p/q/a')).toEqual(stored);
    expect(stored.contentType).toBe('text/plain');
    expect(await debris()).toEqual([]);
  }, 60_000);
});

describe('concurrent puts to one key: the stored data and its metadata come from the same writer', () => {
  it('100 rounds of 4 puts with distinct bodies: stat has the given content type and the etag of the stored bytes', async () => {
    const contentType = 'text/plain; v=j';
    for (let round = 0; round < 100; round++) {
      const bodies = Array.from({ length: 4 }, (_, i) => `${'jkl'[round % 3]}${round}-${i}`.repeat(1 + i * 50));
      await Promise.all(bodies.map((body) => disk.put('same/key.txt', body, { contentType })));
      const stored = await disk.get('same/key.txt');
      expect(bodies).toContain(stored.toString());
      const stat = await disk.stat('same/key.txt');
      expect({ round, contentType: stat.contentType, etag: stat.etag }).toEqual({ round, contentType, etag: sha(stored) });
    }
    expect(await debris()).toEqual([]);
  }, 60_000);

  it('deletes racing puts leave either no file and no sidecar, or a file whose stat matches its bytes', async () => {
    const key = 'k/l/m/n/o/p/doc';
    for (let round = 0; round < 150; round++) {
      await disk.put(key, 'before', { contentType: 'text/plain' });
      // The delete starts at a different moment of the put each round, so some land amid its commit.
      await Promise.all([disk.put(key, `after ${round}`, { contentType: 'text/plain' }), sleep(3 + (round % 7)).then(() => disk.delete(key))]);
      if (await disk.exists(key)) {
        const stat = await disk.stat(key);
        expect({ round, contentType: stat.contentType, etag: stat.etag }).toEqual({ round, contentType: 'text/plain', etag: sha(await disk.get(key)) });
      } else {
        expect({ round, meta: await tree(metaRoot()) }).toEqual({ round, meta: [] });
      }
    }
    expect(await debris()).toEqual([]);
  });
});

describe('reads racing puts of the same key: a read sees one version whole (bytes, content type, etag, metadata)', () => {
  // Distinct lengths, so a size alone names the version a stat must describe.
  const versions = [
    { body: 'a'.repeat(10), contentType: 'text/plain', metadata: { v: 'a' } },
    { body: 'b'.repeat(3000), contentType: 'image/png', metadata: { v: 'b' } },
    { body: 'c'.repeat(70), contentType: 'application/json', metadata: { v: 'c' } },
  ];
  const bySize = new Map(versions.map((v) => [v.body.length, { ...v, etag: sha(Buffer.from(v.body)) }]));
  const key = 'race/doc';

  async function getWhole(d: Disk, round: number): Promise<string> {
    const { stat, stream } = await d.getStream(key);
    const parts: Buffer[] = [];
    for await (const chunk of stream) parts.push(chunk as Buffer);
    const body = Buffer.concat(parts);
    const expected = bySize.get(body.length)!;
    expect({ round, size: stat.size, contentType: stat.contentType, etag: stat.etag, metadata: stat.metadata }).toEqual({
      round, size: body.length, contentType: expected.contentType, etag: sha(body), metadata: expected.metadata,
    });
    return expected.metadata.v;
  }

  async function statOne(d: Disk, round: number): Promise<void> {
    const stat = await d.stat(key);
    const expected = bySize.get(stat.size)!;
    expect({ round, contentType: stat.contentType, etag: stat.etag, metadata: stat.metadata }).toEqual({
      round, contentType: expected.contentType, etag: expected.etag, metadata: expected.metadata,
    });
  }

  it('in one process: 300 rounds of a put beside getStream and stat calls', async () => {
    await disk.put(key, versions[0]!.body, versions[0]!);
    for (let round = 0; round < 300; round++) {
      const next = versions[(round + 1) % versions.length]!;
      await Promise.all([disk.put(key, next.body, next), getWhole(disk, round), statOne(disk, round), getWhole(disk, round)]);
    }
  }, 60_000);

  it('readers in this process, the one writer in another (the built package): 1500 reads while it writes', async () => {
    await disk.put(key, versions[0]!.body, versions[0]!);
    const writer = spawn(process.execPath, ['--input-type=module', '-e', WRITER, box.root, key, JSON.stringify(versions)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = once(writer, 'exit');
    try {
      await once(writer.stdout!, 'data'); // the writer's first put has landed
      const reader = new Disk(new LocalDriver({ root: box.root }));
      const seen = new Set<string>();
      for (let round = 0; round < 500; round++) {
        const got = await Promise.all([getWhole(reader, round), getWhole(reader, round), statOne(reader, round)]);
        for (const v of got) if (v) seen.add(v);
      }
      // The reads fell between the writer's puts, not all before or after them.
      expect(seen.size).toBe(versions.length);
    } finally {
      writer.kill();
      await exited;
    }
  }, 60_000);
});

// Puts the versions in turn until killed. It imports the built package (`npx tsc -b`).
const WRITER = `
import { Disk, LocalDriver } from ${JSON.stringify(pathToFileURL(join(import.meta.dirname, '../dist/index.js')).href)};
const [root, key, json] = process.argv.slice(1);
const versions = JSON.parse(json);
const disk = new Disk(new LocalDriver({ root }));
for (let i = 1; ; i++) {
  const v = versions[i % versions.length];
  await disk.put(key, v.body, { contentType: v.contentType, metadata: v.metadata });
  if (i === 1) process.stdout.write('ready\\n');
}
`;
