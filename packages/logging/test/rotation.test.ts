import { existsSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { initLogging } from '../src/logging.js';
import { readLines, tempDir } from './helpers.js';

const DAY = 86_400_000;
const T0 = Date.UTC(2030, 0, 1, 23, 59, 0);

function clock(start = T0) {
  let t = start;
  return { now: () => t, set: (ms: number) => (t = ms) };
}

const sorted = (dir: string) => readdirSync(dir).sort();

describe('file output', () => {
  it('appends JSON lines to `file`, creating its directory, and keeps what was there', () => {
    const dir = tempDir();
    const file = join(dir, 'nested', 'app.log');
    const first = initLogging({ file });
    first.logger.info({ n: 1 }, 'one');
    first.close();
    const second = initLogging({ file });
    second.logger.info({ n: 2 }, 'two');
    second.close();
    expect(readLines(file).map((line) => JSON.parse(line).msg)).toEqual(['one', 'two']);
  });

  it('stdout: false with a file writes the file only, every line', () => {
    const file = join(tempDir(), 'both.log');
    const logging = initLogging({ file, stdout: false });
    for (let i = 0; i < 3; i++) logging.logger.info({ i }, 'x');
    logging.close();
    expect(readLines(file)).toHaveLength(3);
  });
});

describe('a log file that cannot be opened', () => {
  it('is a LogConfigError at startup naming the setting, the path and the reason', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'not-a-dir'), 'x');
    expect(() => initLogging({ file: join(dir, 'not-a-dir', 'app.log') })).toThrow(
      expect.objectContaining({ code: 'E_LOG_CONFIG', setting: 'file', message: expect.stringMatching(/^cannot open the log file ".+app\.log" \((EEXIST|ENOTDIR)\)$/) }),
    );
    expect(() => initLogging({ logDir: join(dir, 'not-a-dir') })).toThrow(expect.objectContaining({ code: 'E_LOG_CONFIG', setting: 'logDir' }));
  });

  it('under a file system that refuses new directories (/proc) is a LogConfigError at once, not a hang', () => {
    // Node's recursive mkdirSync retries forever there; the directories are made one level at a time.
    expect(() => initLogging({ logDir: '/proc/tsforge-nope/logs' })).toThrow(
      expect.objectContaining({ code: 'E_LOG_CONFIG', setting: 'logDir', message: 'cannot open the log file "/proc/tsforge-nope/logs/app.log" (ENOENT)' }),
    );
  });
});

describe('rotation by size', () => {
  it('moves the file aside before it would pass maxSize; no line is split or lost', () => {
    const dir = tempDir();
    const file = join(dir, 'app.log');
    const c = clock(Date.UTC(2030, 0, 1, 12));
    const logging = initLogging({ file, rotate: { maxSize: 1000, keep: 100 }, now: c.now });
    for (let i = 0; i < 60; i++) {
      logging.logger.info({ i, pad: 'x'.repeat(50) }, 'line');
      logging.flushSync();
    }
    logging.close();
    const names = sorted(dir);
    expect(names).toContain('app.log');
    expect(names).toContain('app.2030-01-01.log');
    expect(names).toContain('app.2030-01-01.1.log');
    const rotated = names.filter((n) => n !== 'app.log').sort((a, b) => index(a) - index(b));
    const all = [...rotated, 'app.log'].flatMap((name) => {
      const text = readFileSync(join(dir, name), 'utf8');
      if (name !== 'app.log') expect(Buffer.byteLength(text)).toBeLessThanOrEqual(1000);
      return readLines(join(dir, name)).map((line) => JSON.parse(line).i);
    });
    expect(all).toEqual(Array.from({ length: 60 }, (_, i) => i));
  });

  it('keeps only the newest `keep` rotated files', () => {
    const dir = tempDir();
    const logging = initLogging({ logDir: dir, rotate: { maxSize: 200, keep: 2, daily: false } });
    for (let i = 0; i < 20; i++) {
      logging.logger.info({ i, pad: 'y'.repeat(100) }, 'line');
      logging.flushSync();
    }
    logging.close();
    const rotated = sorted(dir).filter((n) => n !== 'app.log');
    expect(rotated).toHaveLength(2);
    const firstKept = JSON.parse(readLines(join(dir, rotated.sort((a, b) => index(a) - index(b))[0] as string))[0] as string).i;
    expect(firstKept).toBe(17);
  });
});

describe('rotation by day (UTC), with an injected clock', () => {
  it('starts a new file when the day changes; the old one is named after its own day', () => {
    const dir = tempDir();
    const c = clock();
    const logging = initLogging({ logDir: dir, now: c.now });
    logging.logger.info('late on the 1st');
    logging.flushSync();
    c.set(T0 + 2 * 60_000); // 00:01 on the 2nd
    logging.logger.info('early on the 2nd');
    logging.close();
    expect(sorted(dir)).toEqual(['app.2030-01-01.log', 'app.log']);
    expect(JSON.parse(readLines(join(dir, 'app.2030-01-01.log'))[0] as string).msg).toBe('late on the 1st');
    expect(JSON.parse(readLines(join(dir, 'app.log'))[0] as string).msg).toBe('early on the 2nd');
  });

  it('across restarts: a file left from an earlier day is rotated on open, and `keep` is enforced on open', () => {
    const dir = tempDir();
    for (let d = 1; d <= 5; d++) writeFileSync(join(dir, `app.2029-12-0${d}.log`), `{"day":${d}}\n`);
    writeFileSync(join(dir, 'app.log'), '{"msg":"from yesterday"}\n');
    const yesterday = (T0 - DAY) / 1000;
    utimesSync(join(dir, 'app.log'), yesterday, yesterday);
    writeFileSync(join(dir, 'other.log'), 'not ours\n');

    const logging = initLogging({ logDir: dir, rotate: { keep: 3 }, now: clock().now });
    logging.logger.info('today');
    logging.close();
    expect(sorted(dir)).toEqual(['app.2029-12-04.log', 'app.2029-12-05.log', 'app.2029-12-31.log', 'app.log', 'other.log']);
    expect(readFileSync(join(dir, 'app.2029-12-31.log'), 'utf8')).toBe('{"msg":"from yesterday"}\n');
    expect(JSON.parse(readLines(join(dir, 'app.log'))[0] as string).msg).toBe('today');
  });

  it('directory mode uses fileName when given', () => {
    const dir = tempDir();
    const logging = initLogging({ logDir: dir, fileName: 'api.log' });
    logging.logger.info('x');
    logging.close();
    expect(existsSync(join(dir, 'api.log'))).toBe(true);
  });
});

function index(name: string): number {
  const match = /\.(\d+)\.log$/.exec(name);
  return match ? Number(match[1]) : 0;
}
