export interface FileStat {
  key: string;
  size: number;
  lastModified: Date;
  /** A quoted strong entity tag (RFC 9110 §8.8.3), e.g. `"9f86d081884c7d659a2feaa0c55ad015"`. */
  etag: string;
  contentType: string;
}

export interface PutOptions {
  contentType?: string;
  /** Reject with `E_TOO_LARGE`, writing nothing, as soon as more bytes than this arrive. */
  maxBytes?: number;
}

export type PutBody = string | Uint8Array | NodeJS.ReadableStream | AsyncIterable<Uint8Array>;

/**
 * What a storage backend implements. Keys arriving here are already normalized by `Disk`
 * (`normalizeKey`), prefixes by `normalizePrefix`. Report expected outcomes as `StorageError`
 * (`E_NOT_FOUND`, `E_TOO_LARGE`, ...); anything else may be thrown as is and `Disk` wraps it in
 * `E_IO` once. `@tsforge/storage/testing` has the contract suite every driver must pass.
 */
export interface StorageDriver {
  put(key: string, body: PutBody, options: PutOptions): Promise<FileStat>;
  /** `E_NOT_FOUND` when missing. */
  stat(key: string): Promise<FileStat>;
  /** The stat describes exactly the bytes the stream yields. */
  getStream(key: string): Promise<{ stat: FileStat; stream: NodeJS.ReadableStream }>;
  /** Idempotent: deleting a missing key succeeds. */
  delete(key: string): Promise<void>;
  /** Every key starting with `prefix` (a plain string prefix, '' = all), in UTF-8 byte order of the key. */
  list(prefix: string): AsyncIterable<FileStat>;
}
