import { constants, createReadStream, type Stats } from 'node:fs';
import { lstat, rename } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { knownLength, tooLarge } from '../body.js';
import { DEFAULT_CONTENT_TYPE } from '../content-type.js';
import { StorageError, errnoCode } from '../errors.js';
import { checkPrecondition, type CurrentVersion, type Precondition } from '../precondition.js';
import type { ByteRange, DeleteOptions, DriverCapabilities, FileStat, ListOptions, PutBody, PutOptions, PutResult, StorageDriver } from '../types.js';
import { O_NOFOLLOW, O_NONBLOCK, isTempName, removeQuietly, syncDir, writeTemp, type TempFile } from './atomic-file.js';
import { Jail, isInside } from './jail.js';
import { KeyLock } from './key-lock.js';
import { readSidecar, sidecarFor, sidecarPath, toFileStat, versionFor, type SidecarVersion } from './sidecar.js';
import { SidecarCache } from './sidecar-cache.js';
import { closeFd, fstatFd, openFd } from './fd.js';
import { walk } from './walk.js';
import { sweepTempFiles, type SweepOptions } from './sweep.js';

export interface LocalDriverOptions {
  /** Where files live: key `a/b.txt` is `<root>/a/b.txt`. Created on first use. */
  root: string;
  /** Where sidecar metadata lives; defaults to `.<basename(root)>-meta` beside root. Must not overlap root. */
  metaRoot?: string;
  /** Mode for new files, before umask; default 0o644. */
  fileMode?: number;
  /** Mode for new directories, before umask; default 0o755. */
  dirMode?: number;
  /** How many files' metadata to keep in memory for reads (see SidecarCache); default 10000, 0 for none. */
  metadataCacheSize?: number;
}

// NAME_MAX is 255 bytes on common file systems; the sidecar adds ".json" to the last segment.
const MAX_SEGMENT_BYTES = 250;
// Larger reads than the 64 KiB default: fewer syscalls and socket writes for big files; a read
// never allocates more than what remains of the range, so small files are unaffected.
const READ_CHUNK = 512 * 1024;
const READ_FLAGS = constants.O_RDONLY | O_NOFOLLOW | O_NONBLOCK; // O_NONBLOCK: never hang opening a FIFO
// A read whose version was replaced between its open and its sidecar read starts over; a second
// such put inside that window of a few syscalls is rare, a fourth in a row rarer still.
const READ_ATTEMPTS = 4;

/**
 * Files on the local file system. Writes go to a temp file in the target's directory, are hashed
 * and fsynced while streaming, then renamed over the target, so readers only ever see whole
 * files. Nothing is followed out of the root: see `Jail`.
 */
export class LocalDriver implements StorageDriver {
  /** Files on disk have no per-file visibility: serve public ones through `Disk.url` and your own route. */
  readonly capabilities: DriverCapabilities = { visibility: false, atomicPreconditions: true };
  readonly #data: Jail;
  readonly #meta: Jail;
  readonly #fileMode: number;
  readonly #sidecars: SidecarCache;
  readonly #commits = new KeyLock();

  constructor(options: LocalDriverOptions) {
    if (typeof options?.root !== 'string' || options.root === '') throw new TypeError('LocalDriver needs a root directory');
    const root = resolve(options.root);
    const metaRoot = resolve(options.metaRoot ?? join(dirname(root), `.${basename(root)}-meta`));
    if (isInside(root, metaRoot) || isInside(metaRoot, root)) {
      throw new TypeError('LocalDriver metaRoot must lie outside root (and root outside metaRoot)');
    }
    const dirMode = options.dirMode ?? 0o755;
    this.#data = new Jail(root, { dirMode, keySpace: true });
    this.#meta = new Jail(metaRoot, { dirMode, keySpace: false });
    this.#fileMode = options.fileMode ?? 0o644;
    const cacheSize = options.metadataCacheSize ?? 10_000;
    if (!Number.isInteger(cacheSize) || cacheSize < 0) throw new TypeError('LocalDriver metadataCacheSize must be a whole number >= 0');
    this.#sidecars = new SidecarCache(cacheSize);
  }

  get root(): string {
    return this.#data.base;
  }

  get metaRoot(): string {
    return this.#meta.base;
  }

  async put(key: string, body: PutBody, options: PutOptions): Promise<PutResult> {
    const segments = this.#segments(key, true);
    const { maxBytes } = options;
    const length = knownLength(body);
    if (maxBytes !== undefined && length !== undefined && length > maxBytes) throw tooLarge(maxBytes);
    const contentType = options.contentType ?? DEFAULT_CONTENT_TYPE;
    const target = join(this.#data.base, ...segments);
    const dir = dirname(target);
    const metaTarget = sidecarPath(this.#meta.base, segments);
    const metaDir = dirname(metaTarget);

    let data: TempFile | undefined;
    // Set inside the commit callback, where the compiler's narrowing does not follow it.
    let meta: TempFile | undefined = undefined as TempFile | undefined;
    try {
      await this.#data.check(dir);
      await refuseNonFile(target);
      const limits = maxBytes === undefined ? { mode: this.#fileMode } : { maxBytes, mode: this.#fileMode };
      data = await writeTemp(this.#data, dir, segments[segments.length - 1]!, body, limits);
      const written = data;
      // The sidecar first, naming the new version and the one it replaces, then the data: whichever
      // data file a reader opens, the sidecar it reads afterwards describes it (see Sidecar).
      // Commits to one key take turns, so `current` is exactly what the data rename replaces (and
      // whether it replaces anything is exact too, for writers in this process).
      const { record, created } = await this.#commits.run(key, async () => {
        // Under the key's turn, so no other write of this process lands between check and rename.
        await this.#checkUnderLock(key, options.precondition);
        const current = await this.#currentVersion(target, segments);
        const record = sidecarFor(contentType, written.etag, written.stat, options.metadata, current.version);
        meta = await writeTemp(this.#meta, metaDir, basename(metaTarget), Buffer.from(JSON.stringify(record)), {
          mode: this.#fileMode,
        });
        await rename(meta.path, metaTarget);
        meta = undefined;
        this.#sidecars.set(metaTarget, record);
        await rename(written.path, target).catch((err: unknown) => {
          const code = errnoCode(err);
          // The target became a directory since refuseNonFile() looked.
          if (code === 'EISDIR' || code === 'ENOTEMPTY' || code === 'EEXIST') throw conflict(err);
          throw err;
        });
        data = undefined;
        return { record, created: !current.exists };
      });
      await syncDir(dir);
      await syncDir(metaDir);
      return { stat: toFileStat(key, written.stat, record), created };
    } catch (err) {
      if (data) await removeQuietly(data.path).catch(() => {});
      if (meta) await removeQuietly(meta.path).catch(() => {});
      await this.#data.prune(dir);
      await this.#meta.prune(metaDir);
      throw mapError(err, 'put');
    }
  }

  async stat(key: string): Promise<FileStat> {
    const segments = this.#segments(key, false);
    const target = join(this.#data.base, ...segments);
    try {
      await this.#data.check(dirname(target));
      for (let attempt = 1; ; attempt++) {
        const stat = await lstat(target);
        if (stat.isSymbolicLink()) throw symlinkRefused();
        if (!stat.isFile()) throw notFound();
        const described = await this.#describe(key, segments, target, stat, attempt === READ_ATTEMPTS);
        if (described) return described;
      }
    } catch (err) {
      throw mapError(err, 'read');
    }
  }

  async getStream(key: string, range?: ByteRange): Promise<{ stat: FileStat; stream: NodeJS.ReadableStream }> {
    const segments = this.#segments(key, false);
    const target = join(this.#data.base, ...segments);
    let fd: number | undefined;
    try {
      await this.#data.check(dirname(target));
      const opened = await this.#open(key, segments, target);
      fd = opened.fd;
      const { stat, fileStat } = opened;
      const start = range?.start ?? 0;
      const end = range ? range.end : stat.size - 1;
      if (range && end >= stat.size) throw new StorageError('E_RANGE_NOT_SATISFIABLE', 'the file is shorter than the range');
      let stream: NodeJS.ReadableStream;
      if (stat.size === 0) {
        await closeFd(fd);
        stream = Readable.from([]);
      } else {
        // Bounded by the size just read: the stream ends with its last byte instead of one more
        // read to find EOF, so a response ends the moment its body is written. It closes the fd.
        stream = createReadStream(target, { fd, start, end, highWaterMark: READ_CHUNK });
      }
      fd = undefined;
      return { stat: fileStat, stream };
    } catch (err) {
      if (fd !== undefined) await closeFd(fd).catch(() => {});
      throw mapError(err, 'read');
    }
  }

  async delete(key: string, options: DeleteOptions = {}): Promise<void> {
    const segments = this.#segments(key, false);
    const target = join(this.#data.base, ...segments);
    const metaTarget = sidecarPath(this.#meta.base, segments);
    try {
      await this.#data.check(dirname(target));
      await this.#meta.check(dirname(metaTarget));
      // In turn with commits to the same key, so a racing put lands whole or is removed whole.
      await this.#commits.run(key, async () => {
        await this.#checkUnderLock(key, options.precondition);
        const stat = await lstat(target).catch((err: unknown) => {
          const code = errnoCode(err);
          if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
          throw err;
        });
        if (stat?.isSymbolicLink()) throw symlinkRefused();
        if (stat?.isFile()) await removeQuietly(target);
        this.#sidecars.delete(metaTarget);
        await removeQuietly(metaTarget).catch((err: unknown) => {
          if (errnoCode(err) !== 'ENOTDIR') throw err;
        });
      });
      await this.#data.prune(dirname(target));
      await this.#meta.prune(dirname(metaTarget));
    } catch (err) {
      throw mapError(err, 'delete');
    }
  }

  /**
   * Removes temp files left by writes whose process died before finishing (see `sweepTempFiles`).
   * Run it at start-up; it walks the whole tree, so it can take a while on a large store.
   */
  sweepTempFiles(options?: SweepOptions): Promise<number> {
    return sweepTempFiles([this.#data.base, this.#meta.base], options);
  }

  list(prefix: string, options?: ListOptions): AsyncIterable<FileStat> {
    return walk(this.#data, prefix, (key) => this.stat(key), options?.startAfter);
  }

  /** The file at `target`, open, with its stat and the FileStat of exactly the version it opened. */
  async #open(key: string, segments: readonly string[], target: string): Promise<{ fd: number; stat: Stats; fileStat: FileStat }> {
    for (let attempt = 1; ; attempt++) {
      const fd = await openFd(target, READ_FLAGS);
      try {
        // One open file for both: the stat describes exactly the bytes the stream will read.
        const stat = await fstatFd(fd);
        if (!stat.isFile()) throw notFound();
        const fileStat = await this.#describe(key, segments, target, stat, attempt === READ_ATTEMPTS);
        if (fileStat) return { fd, stat, fileStat };
      } catch (err) {
        await closeFd(fd).catch(() => {});
        throw err;
      }
      await closeFd(fd);
    }
  }

  /**
   * The FileStat of the version `stat` describes. Undefined when no sidecar record names it and
   * the key no longer holds it either: a put or delete replaced it between the caller's open and
   * the sidecar read, so the caller reads again. On its `last` attempt, or for a file with no
   * record of its own (a crash, a file copied in by hand), the fallback content type and etag.
   */
  async #describe(key: string, segments: readonly string[], target: string, stat: Stats, last: boolean): Promise<FileStat | undefined> {
    const version = await this.#readSidecar(segments, stat);
    if (version === undefined && !last && (await replaced(target, stat))) return undefined;
    return toFileStat(key, stat, version);
  }

  /** Whether a file is at `target` now, and its record if it has one. */
  async #currentVersion(target: string, segments: readonly string[]): Promise<{ exists: boolean; version?: SidecarVersion }> {
    const stat = await lstat(target).catch((err: unknown) => {
      const code = errnoCode(err);
      if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
      throw err;
    });
    if (!stat?.isFile()) return { exists: false };
    const version = await this.#readSidecar(segments, stat);
    return version ? { exists: true, version } : { exists: true };
  }

  /**
   * The precondition against the version on disk now. Atomic against writers in this process
   * only: one writing process per root (see the README).
   */
  async #checkUnderLock(key: string, precondition: Precondition | undefined): Promise<void> {
    if (!precondition) return;
    const current = await this.stat(key).then((stat): CurrentVersion => stat, (err: unknown) => {
      if (StorageError.is(err, 'E_NOT_FOUND')) return undefined;
      throw err;
    });
    checkPrecondition(precondition, current);
  }

  async #readSidecar(segments: readonly string[], stat: Stats): Promise<SidecarVersion | undefined> {
    const path = sidecarPath(this.#meta.base, segments);
    const cached = this.#sidecars.get(path, stat);
    if (cached) return cached;
    await this.#meta.check(dirname(path));
    const sidecar = await readSidecar(path);
    const version = versionFor(sidecar, stat);
    if (sidecar && version) this.#sidecars.set(path, sidecar);
    return version;
  }

  /** The key's path segments, checked against what this file system can store. */
  #segments(key: string, writing: boolean): string[] {
    const segments = key.split('/');
    for (const segment of segments) {
      if (Buffer.byteLength(segment, 'utf8') > MAX_SEGMENT_BYTES) {
        throw new StorageError('E_INVALID_KEY', `the local driver stores key segments of at most ${MAX_SEGMENT_BYTES} UTF-8 bytes`);
      }
    }
    if (writing && isTempName(segments[segments.length - 1]!)) {
      throw new StorageError('E_INVALID_KEY', 'names of the form ".<name>.<32 hex>.tmp" are reserved for in-flight writes');
    }
    return segments;
  }
}

async function refuseNonFile(target: string): Promise<void> {
  try {
    const stat = await lstat(target);
    if (stat.isSymbolicLink()) throw symlinkRefused();
    if (!stat.isFile()) throw conflict();
  } catch (err) {
    const code = errnoCode(err);
    if (code !== 'ENOENT' && code !== 'ENOTDIR') throw err;
  }
}

/** Whether `target` no longer holds the version `stat` describes (replaced or deleted). */
async function replaced(target: string, stat: Stats): Promise<boolean> {
  try {
    const now = await lstat(target);
    return now.ino !== stat.ino || now.dev !== stat.dev || now.size !== stat.size || now.mtimeMs !== stat.mtimeMs;
  } catch (err) {
    const code = errnoCode(err);
    if (code === 'ENOENT' || code === 'ENOTDIR') return true;
    throw err;
  }
}

function mapError(err: unknown, operation: 'put' | 'read' | 'delete'): unknown {
  // Expected outcomes become StorageErrors here; anything else stays as is for Disk to wrap in E_IO.
  if (err instanceof StorageError) return err;
  const code = errnoCode(err);
  // O_NOFOLLOW on a symlink fails with ELOOP (Linux, macOS) or EMLINK (FreeBSD).
  if (code === 'ELOOP' || code === 'EMLINK') return new StorageError('E_PATH_TRAVERSAL', 'refusing to follow a symbolic link', { cause: err });
  if (code === 'ENAMETOOLONG') return new StorageError('E_INVALID_KEY', 'key is too long for this file system', { cause: err });
  if (operation === 'read' && (code === 'ENOENT' || code === 'ENOTDIR')) return notFound();
  return err;
}

function conflict(cause?: unknown): StorageError {
  return new StorageError('E_CONFLICT', 'a directory of other keys exists under this key (it is a prefix of them): delete those first or choose another key', { cause });
}

function notFound(): StorageError {
  return new StorageError('E_NOT_FOUND', 'file not found');
}

function symlinkRefused(): StorageError {
  return new StorageError('E_PATH_TRAVERSAL', 'refusing to follow a symbolic link');
}
