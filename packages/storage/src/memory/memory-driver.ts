import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Meter, toSource } from '../body.js';
import { DEFAULT_CONTENT_TYPE } from '../content-type.js';
import { StorageError } from '../errors.js';
import type { ByteRange, DriverCapabilities, FileStat, ListOptions, PutBody, PutOptions, PutResult, StorageDriver } from '../types.js';

export interface MemoryDriverOptions {
  /** Milliseconds since the epoch, for `lastModified`; defaults to `Date.now`. */
  clock?: () => number;
}

interface Entry {
  bytes: Buffer;
  stat: FileStat;
}

/**
 * Files in a Map, for tests of code that uses a Disk: same contract as the real drivers
 * (whole-or-nothing writes, byte-ordered listings, typed errors), nothing on disk.
 */
export class MemoryDriver implements StorageDriver {
  readonly capabilities: DriverCapabilities = { visibility: false };
  readonly #files = new Map<string, Entry>();
  readonly #clock: () => number;

  constructor(options: MemoryDriverOptions = {}) {
    this.#clock = options.clock ?? Date.now;
  }

  /** How many files are held. */
  get size(): number {
    return this.#files.size;
  }

  async put(key: string, body: PutBody, options: PutOptions): Promise<PutResult> {
    const meter = new Meter(options.maxBytes);
    const parts: Buffer[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        parts.push(chunk);
        callback();
      },
    });
    await pipeline(toSource(body), meter, sink);
    const bytes = Buffer.concat(parts);
    const stat: FileStat = {
      key,
      size: bytes.byteLength,
      lastModified: new Date(Math.floor(this.#clock() / 1000) * 1000),
      etag: meter.etag(),
      contentType: options.contentType ?? DEFAULT_CONTENT_TYPE,
      metadata: { ...options.metadata },
    };
    // Decided in the same synchronous step as the write, so exact even with puts racing.
    const created = !this.#files.has(key);
    this.#files.set(key, { bytes, stat });
    return { stat: copyStat(stat), created };
  }

  async stat(key: string): Promise<FileStat> {
    return copyStat(this.#entry(key).stat);
  }

  async getStream(key: string, range?: ByteRange): Promise<{ stat: FileStat; stream: NodeJS.ReadableStream }> {
    const { bytes, stat } = this.#entry(key);
    const slice = range ? bytes.subarray(range.start, range.end + 1) : bytes;
    return { stat: copyStat(stat), stream: Readable.from(pieces(slice), { objectMode: false }) };
  }

  async delete(key: string): Promise<void> {
    this.#files.delete(key);
  }

  async *list(prefix: string, options: ListOptions = {}): AsyncIterable<FileStat> {
    const after = options.startAfter === undefined ? undefined : Buffer.from(options.startAfter);
    const keys = [...this.#files.keys()]
      .filter((key) => key.startsWith(prefix) && (after === undefined || Buffer.compare(Buffer.from(key), after) > 0))
      .sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    for (const key of keys) {
      const entry = this.#files.get(key);
      if (entry) yield copyStat(entry.stat);
    }
  }

  async copy(from: string, to: string): Promise<FileStat> {
    const { bytes, stat } = this.#entry(from);
    const copied: FileStat = { ...copyStat(stat), key: to, lastModified: new Date(Math.floor(this.#clock() / 1000) * 1000) };
    this.#files.set(to, { bytes, stat: copied });
    return copyStat(copied);
  }

  #entry(key: string): Entry {
    const entry = this.#files.get(key);
    if (!entry) throw new StorageError('E_NOT_FOUND', 'file not found');
    return entry;
  }
}

/** 64 KiB views, as a file read would give: a consumer that stops early has not pulled the rest. */
function* pieces(bytes: Buffer): Generator<Buffer> {
  for (let i = 0; i < bytes.byteLength; i += 65_536) yield bytes.subarray(i, i + 65_536);
}

function copyStat(stat: FileStat): FileStat {
  return { ...stat, lastModified: new Date(stat.lastModified), metadata: { ...stat.metadata } };
}
