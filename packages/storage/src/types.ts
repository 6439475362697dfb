import type { Precondition } from './precondition.js';

export interface FileStat {
  key: string;
  size: number;
  lastModified: Date;
  /** A quoted strong entity tag (RFC 9110 §8.8.3), e.g. `"9f86d081884c7d659a2feaa0c55ad015"`. */
  etag: string;
  contentType: string;
  /** User metadata given to `put` (`{}` when none). */
  metadata: Record<string, string>;
}

/** Who may read a file without a signature, where the store has such a notion. */
export type Visibility = 'public' | 'private';

export interface PutOptions {
  contentType?: string;
  /** Reject with `E_TOO_LARGE`, writing nothing, as soon as more bytes than this arrive. */
  maxBytes?: number;
  /** Applied only by drivers whose `capabilities.visibility` is true; ignored elsewhere. */
  visibility?: Visibility;
  /** Stored with the file, returned by `stat`: lowercase names, ASCII values, 2 KiB in all. */
  metadata?: Record<string, string>;
  /**
   * RFC 9110 §13.1: write only if the current version matches (`E_PRECONDITION_FAILED` otherwise).
   * Checked atomically with the write where `capabilities.atomicPreconditions` says so, else by
   * `Disk` with a stat just before (another writer can slip in between).
   */
  precondition?: Precondition;
}

export interface DeleteOptions {
  /** As for `put`: delete only if the current version matches. */
  precondition?: Precondition;
}

/** What a driver's `put` stored. */
export interface PutResult {
  stat: FileStat;
  /**
   * True when the key held no file before (RFC 9110 §9.3.4: 201 Created), false when a file was
   * replaced (200). Exact where the driver decides it atomically with the write; see each driver.
   */
  created: boolean;
}

export type PutBody = string | Uint8Array | NodeJS.ReadableStream | AsyncIterable<Uint8Array>;

/** Bytes `start` to `end`, both inclusive and both within the file (checked by `Disk`). */
export interface ByteRange {
  start: number;
  end: number;
}

export interface ListOptions {
  /** Yield only keys after this one (UTF-8 byte order). A hint: `Disk` filters again. */
  startAfter?: string;
}

/** A request a client will make straight to the store, without passing through the app. */
export interface PresignRequest {
  method: 'GET' | 'PUT';
  key: string;
  /** Whole seconds, already checked to be within `capabilities.maxPresignExpiresIn`. */
  expiresIn: number;
  responseContentType?: string;
  responseContentDisposition?: string;
  /** PUT only: the type the uploader must send, signed into the URL. */
  contentType?: string;
  /** PUT only: the exact body length, signed into the URL so the store refuses any other. */
  contentLength?: number;
}

export interface PresignedRequest {
  url: string;
  /** Headers the client must send with the request, exactly. */
  headers: Record<string, string>;
}

export interface DriverCapabilities {
  /** Whether `PutOptions.visibility` has any effect. */
  visibility: boolean;
  /** Longest lifetime of a presigned URL the store accepts, in seconds. */
  maxPresignExpiresIn?: number;
  /** Whether `put` and `delete` check `precondition` themselves, atomically with the change. */
  atomicPreconditions?: boolean;
}

/**
 * What a storage backend implements. Keys arriving here are already normalized by `Disk`
 * (`normalizeKey`), prefixes by `normalizePrefix`. Report expected outcomes as `StorageError`
 * (`E_NOT_FOUND`, `E_TOO_LARGE`, ...); anything else may be thrown as is and `Disk` wraps it in
 * `E_IO` once. `@tsforge/storage/testing` has the contract suite every driver must pass.
 * Optional methods have a generic fallback in `Disk`; implement them when the store does better.
 */
export interface StorageDriver {
  readonly capabilities?: DriverCapabilities;
  put(key: string, body: PutBody, options: PutOptions): Promise<PutResult>;
  /** `E_NOT_FOUND` when missing. */
  stat(key: string): Promise<FileStat>;
  /**
   * The stat describes the whole file; the stream yields exactly the bytes of `range` (the whole
   * file without one). `range` is within the file, which `Disk` checked against a stat; a driver
   * that finds the file shorter by then answers `E_RANGE_NOT_SATISFIABLE`.
   */
  getStream(key: string, range?: ByteRange): Promise<{ stat: FileStat; stream: NodeJS.ReadableStream }>;
  /** Idempotent: deleting a missing key succeeds. */
  delete(key: string, options?: DeleteOptions): Promise<void>;
  /** Every key starting with `prefix` (a plain string prefix, '' = all), in UTF-8 byte order of the key. */
  list(prefix: string, options?: ListOptions): AsyncIterable<FileStat>;
  /** Keys only, where that is cheaper than `list` (S3 lists without content types). */
  listKeys?(prefix: string): AsyncIterable<string>;
  /** Server-side copy; `E_NOT_FOUND` when `from` is missing. */
  copy?(from: string, to: string): Promise<FileStat>;
  /** Deletes up to 1000 keys at once; returns the keys that could not be deleted. */
  deleteMany?(keys: readonly string[]): Promise<{ key: string; reason: string }[]>;
  /** A URL the store itself will honour (S3 presigning); drivers without one leave it out. */
  presign?(request: PresignRequest): Promise<PresignedRequest>;
  /** The unsigned URL of a public file, when the store serves files itself. */
  publicUrl?(key: string): string | undefined;
  /**
   * One cheap request that proves the store is there and the credentials work (S3: HeadBucket),
   * for a start-up check. `E_MISCONFIGURED` when the store answers no; anything else as thrown.
   */
  check?(): Promise<void>;
}
