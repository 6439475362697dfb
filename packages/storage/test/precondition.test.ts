import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Disk } from '../src/disk.js';
import { LocalDriver } from '../src/local/local-driver.js';
import { MemoryDriver } from '../src/memory/memory-driver.js';
import { preconditionHolds, type Precondition } from '../src/precondition.js';
import { chunks, expectCode, sandbox, tree } from './helpers.js';

describe('preconditionHolds: RFC 9110 §13.1', () => {
  const E = '"abc"';
  const AT = new Date('2026-01-02T03:04:05.678Z');
  const at = (iso: string) => new Date(iso);
  it.each<[string, Precondition, string | undefined, boolean]>([
    ['§13.1.1 If-Match: * holds for any current version', { ifMatch: '*' }, E, true],
    ['§13.1.1 If-Match: * fails without a current version', { ifMatch: '*' }, undefined, false],
    ['§13.1.1 If-Match lists the current etag', { ifMatch: ['"x"', E] }, E, true],
    ['§13.1.1 If-Match with a stale etag fails', { ifMatch: ['"x"'] }, E, false],
    ['§13.1.1 If-Match compares strongly: a weak tag never matches', { ifMatch: [`W/${E}`] }, E, false],
    ['§13.1.1 If-Match fails without a current version', { ifMatch: [E] }, undefined, false],
    ['§13.1.2 If-None-Match: * holds without a current version', { ifNoneMatch: '*' }, undefined, true],
    ['§13.1.2 If-None-Match: * fails when there is one', { ifNoneMatch: '*' }, E, false],
    ['§13.1.2 If-None-Match compares weakly: W/ matches', { ifNoneMatch: [`W/${E}`] }, E, false],
    ['§13.1.2 If-None-Match with other tags holds', { ifNoneMatch: ['"x"'] }, E, true],
    ['§13.1.4 If-Unmodified-Since at the modification second holds (whole seconds)', { ifUnmodifiedSince: at('2026-01-02T03:04:05Z') }, E, true],
    ['§13.1.4 If-Unmodified-Since after the modification holds', { ifUnmodifiedSince: at('2026-01-02T03:04:06Z') }, E, true],
    ['§13.1.4 If-Unmodified-Since a second before the modification fails', { ifUnmodifiedSince: at('2026-01-02T03:04:04Z') }, E, false],
    ['§13.1.4 If-Unmodified-Since fails without a current version', { ifUnmodifiedSince: at('2030-01-01T00:00:00Z') }, undefined, false],
    ['§13.1.4 If-Unmodified-Since is ignored when If-Match is given', { ifMatch: [E], ifUnmodifiedSince: at('2000-01-01T00:00:00Z') }, E, true],
  ])('%s', (_name, precondition, current, holds) => {
    expect(preconditionHolds(precondition, current === undefined ? undefined : { etag: current, lastModified: AT })).toBe(holds);
  });
});

describe('Disk put and delete with a precondition', () => {
  let box: Awaited<ReturnType<typeof sandbox>>;
  beforeEach(async () => {
    box = await sandbox();
  });
  afterEach(() => box.cleanup());

  for (const [name, make] of [['local', () => new LocalDriver({ root: box.root })], ['memory', () => new MemoryDriver()]] as const) {
    it(`${name}: a failed precondition is E_PRECONDITION_FAILED (412) and changes nothing`, async () => {
      const disk = new Disk(make());
      const v1 = await disk.put('a.txt', 'v1');
      await expectCode(disk.put('a.txt', 'v2', { precondition: { ifNoneMatch: '*' } }), 'E_PRECONDITION_FAILED');
      const before = new Date(v1.lastModified.getTime() - 1000);
      await expectCode(disk.put('a.txt', 'v2', { precondition: { ifUnmodifiedSince: before } }), 'E_PRECONDITION_FAILED');
      await expectCode(disk.delete('a.txt', { precondition: { ifUnmodifiedSince: before } }), 'E_PRECONDITION_FAILED');
      await expectCode(disk.put('a.txt', chunks(['v', '2']), { precondition: { ifMatch: ['"stale"'] } }), 'E_PRECONDITION_FAILED');
      await expectCode(disk.delete('a.txt', { precondition: { ifMatch: ['"stale"'] } }), 'E_PRECONDITION_FAILED');
      expect((await disk.get('a.txt')).toString()).toBe('v1');
      await disk.put('a.txt', 'v2', { precondition: { ifMatch: [v1.etag] } });
      expect((await disk.get('a.txt')).toString()).toBe('v2');
      await expect(disk.put('b.txt', 'x', { precondition: { ifMatch: 'any' as never } })).rejects.toThrow(TypeError);
      await expect(disk.put('b.txt', 'x', { precondition: { ifUnmodifiedSince: new Date('nope') } })).rejects.toThrow(TypeError);
    });
  }

  it('local: the check sits under the key\'s commit turn, so of racing create-only puts exactly one wins, and no temp file is left', async () => {
    const disk = new Disk(new LocalDriver({ root: box.root }));
    const results = await Promise.allSettled(Array.from({ length: 10 }, (_, i) => disk.put('race.txt', chunks([`writer ${i}`]), { precondition: { ifNoneMatch: '*' } })));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason.code)).toEqual(Array(9).fill('E_PRECONDITION_FAILED'));
    expect((await tree(box.dir)).filter((p) => p.endsWith('.tmp'))).toEqual([]);
  });
});
