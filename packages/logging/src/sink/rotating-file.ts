import { closeSync, fstatSync, openSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import type { BatchTarget } from './batched-sink.js';
import { writeFully } from './fd-writer.js';
import { makeDirs } from './make-dirs.js';

export interface RotationOptions {
  /** Start a new file before one would grow past this many bytes. */
  maxSize?: number;
  /** Start a new file when the UTC day changes. */
  daily?: boolean;
  /** Rotated files kept beside the active one; older ones are deleted. Default 7. */
  keep?: number;
}

export interface RotatingFileOptions extends RotationOptions {
  path: string;
  /** Milliseconds since the epoch; decides the day. Default `Date.now`. */
  now?: () => number;
}

const DAY_MS = 86_400_000;
const utcDay = (ms: number): string => new Date(Math.floor(ms / DAY_MS) * DAY_MS).toISOString().slice(0, 10);

interface Rotated {
  name: string;
  day: string;
  index: number;
}

/**
 * A log file that is always written at `path` (so `tail -F` follows it) and is moved aside as
 * `<name>.<YYYY-MM-DD>[.<n>]<ext>` when it would pass `maxSize` or when the day changes; only the
 * newest `keep` of those are kept. Everything is synchronous: a batch is on disk when
 * `writeBatch` returns. State comes from the directory itself, so limits hold across restarts: a
 * file left from an earlier day is rotated on open, and the count is enforced on open.
 * One process per file: two processes rotating the same path would rename each other's files.
 */
export class RotatingFile implements BatchTarget {
  readonly #path: string;
  readonly #dir: string;
  readonly #stem: string;
  readonly #ext: string;
  readonly #pattern: RegExp;
  readonly #maxSize: number;
  readonly #daily: boolean;
  readonly #keep: number;
  readonly #now: () => number;
  #fd: number;
  #size: number;
  #day: string;

  constructor(options: RotatingFileOptions) {
    this.#path = options.path;
    this.#dir = dirname(options.path);
    this.#ext = extname(options.path);
    this.#stem = basename(options.path, this.#ext);
    this.#pattern = new RegExp(`^${escapeRegExp(this.#stem)}\\.(\\d{4}-\\d{2}-\\d{2})(?:\\.(\\d+))?${escapeRegExp(this.#ext)}$`);
    this.#maxSize = options.maxSize ?? Infinity;
    this.#daily = options.daily ?? false;
    this.#keep = options.keep ?? 7;
    this.#now = options.now ?? Date.now;

    makeDirs(this.#dir);
    this.#fd = openSync(this.#path, 'a');
    const stat = fstatSync(this.#fd);
    this.#size = stat.size;
    const today = utcDay(this.#now());
    // A non-empty file holds lines up to its last write: that is the day it belongs to.
    this.#day = stat.size > 0 ? utcDay(stat.mtimeMs) : today;
    if (this.#daily && this.#day !== today) this.#rotate(today);
    else this.#prune();
  }

  writeBatch(bytes: Buffer): void {
    if (this.#daily) {
      const today = utcDay(this.#now());
      if (today !== this.#day) {
        if (this.#size > 0) this.#rotate(today);
        else this.#day = today;
      }
    }
    if (this.#size > 0 && this.#size + bytes.length > this.#maxSize) this.#rotate(this.#day);
    this.#size += writeFully(this.#fd, bytes);
  }

  close(): void {
    closeSync(this.#fd);
  }

  /** The rotated files, oldest first. */
  rotatedFiles(): string[] {
    return this.#listRotated().map((file) => join(this.#dir, file.name));
  }

  #rotate(nextDay: string): void {
    closeSync(this.#fd);
    if (this.#size > 0) renameSync(this.#path, join(this.#dir, this.#freeName(this.#day)));
    this.#fd = openSync(this.#path, 'a');
    this.#size = fstatSync(this.#fd).size;
    this.#day = nextDay;
    this.#prune();
  }

  #freeName(day: string): string {
    const taken = this.#listRotated().filter((file) => file.day === day);
    if (taken.length === 0) return `${this.#stem}.${day}${this.#ext}`;
    const next = Math.max(...taken.map((file) => file.index)) + 1;
    return `${this.#stem}.${day}.${next}${this.#ext}`;
  }

  #listRotated(): Rotated[] {
    const rotated: Rotated[] = [];
    for (const name of readdirSync(this.#dir)) {
      const match = this.#pattern.exec(name);
      if (match) rotated.push({ name, day: match[1] as string, index: match[2] === undefined ? 0 : Number(match[2]) });
    }
    return rotated.sort((a, b) => (a.day === b.day ? a.index - b.index : a.day < b.day ? -1 : 1));
  }

  #prune(): void {
    const rotated = this.#listRotated();
    for (const file of rotated.slice(0, Math.max(0, rotated.length - this.#keep))) {
      rmSync(join(this.#dir, file.name), { force: true });
    }
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
